//! Numbers and tables as a reader sees them: every figure's [`Unit`], the
//! formatting of values in that unit, and one [`Table`] type that every
//! chapter's example prints (aligned text) and the book can take as Markdown.
//!
//! A leaf module: it depends on nothing else in the crate, so the
//! instruments, the ledger and every chapter can use it.
//!
//! Not here: what a figure means or how it is measured (see `claims` and
//! `measure`).

use std::fmt;

/// The unit of a measured figure; decides how it is printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// A count of events (allocations, syscalls, faults, items).
    Count,
    /// Bytes, printed exactly and in KiB/MiB/GiB.
    Bytes,
    /// Nanoseconds, printed in ns/µs/ms/s as fits.
    Nanos,
    /// A ratio, printed as `1.23×`.
    Ratio,
    /// A fraction, printed as a percentage (0.25 → `25.0%`).
    Fraction,
    /// Bytes per second, printed in MiB/s or GiB/s.
    BytesPerSec,
    /// Operations per second, printed in M/s.
    PerSec,
    /// Yes (1) or no (0).
    Bool,
}

/// Formats a value in its unit, the way every table and report prints it.
pub fn format_value(v: f64, unit: Unit) -> String {
    if v.is_nan() {
        return "n/a".to_string();
    }
    if v.is_infinite() {
        return if v > 0.0 { "∞" } else { "-∞" }.to_string();
    }
    match unit {
        Unit::Count => {
            if v.fract() == 0.0 && v.abs() < 1e15 {
                group_thousands(v as i64)
            } else {
                format!("{v:.2}")
            }
        }
        Unit::Bytes => format_bytes(v),
        Unit::Nanos => format_nanos(v),
        Unit::Ratio => format_ratio(v),
        Unit::Fraction => format!("{:.1}%", v * 100.0),
        Unit::BytesPerSec => {
            if v >= (1u64 << 30) as f64 {
                format!("{:.2} GiB/s", v / (1u64 << 30) as f64)
            } else {
                format!("{:.0} MiB/s", v / (1u64 << 20) as f64)
            }
        }
        Unit::PerSec => {
            if v >= 1e6 {
                format!("{:.1} M/s", v / 1e6)
            } else {
                format!("{:.0} /s", v)
            }
        }
        Unit::Bool => if v != 0.0 { "yes" } else { "no" }.to_string(),
    }
}

/// `1234567` → `1,234,567`.
pub fn group_thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    if n < 0 { format!("-{out}") } else { out }
}

/// `4096` → `4 KiB`, `1536` → `1,536 B (1.5 KiB)`.
pub fn format_bytes(v: f64) -> String {
    const UNITS: [(&str, f64); 3] =
        [("GiB", (1u64 << 30) as f64), ("MiB", (1u64 << 20) as f64), ("KiB", 1024.0)];
    if v.fract() == 0.0 {
        for (name, size) in UNITS {
            if v.abs() >= size && (v / size).fract() == 0.0 {
                return format!("{} {name}", group_thousands((v / size) as i64));
            }
        }
        let exact = format!("{} B", group_thousands(v as i64));
        for (name, size) in UNITS {
            if v.abs() >= size {
                return format!("{exact} ({:.1} {name})", v / size);
            }
        }
        return exact;
    }
    format!("{v:.1} B")
}

/// `1500.0` → `1.50 µs`.
pub fn format_nanos(v: f64) -> String {
    let a = v.abs();
    if a >= 1e9 {
        format!("{:.2} s", v / 1e9)
    } else if a >= 1e6 {
        format!("{:.2} ms", v / 1e6)
    } else if a >= 1e3 {
        format!("{:.2} µs", v / 1e3)
    } else {
        format!("{v:.2} ns")
    }
}

/// `1.234` → `1.23×`, `250.0` → `250×`, `0.0/0.0` → `0/0`, `∞` for a
/// division by zero.
pub fn format_ratio(v: f64) -> String {
    if v.is_nan() {
        "0/0".into()
    } else if v.is_infinite() {
        if v > 0.0 { "∞" } else { "-∞" }.into()
    } else if v.abs() >= 100.0 {
        format!("{v:.0}×")
    } else {
        format!("{v:.2}×")
    }
}

/// How a column's cells line up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Align {
    /// Words: names, workloads, verdicts.
    Left,
    /// Numbers.
    Right,
}

/// Rows of cells under a header, printed as aligned text (the examples) or
/// as Markdown (the book). The first column is left-aligned and the others
/// right-aligned unless [`Table::align`] says otherwise.
///
/// ```
/// use perf_workbook::table::Table;
/// let mut t = Table::new(["size", "alloc", "faults"]);
/// t.row(["1 MiB", "1.20 µs", "256"]);
/// t.row(["1 GiB", "23.49 µs", "262,144"]);
/// let text = t.to_string();
/// assert!(text.contains("1 GiB  23.49 µs  262,144"));
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Table {
    title: Option<String>,
    header: Vec<String>,
    align: Vec<Align>,
    rows: Vec<Vec<String>>,
    notes: Vec<String>,
}

impl Table {
    /// An empty table with these column headers.
    pub fn new<I, S>(header: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let header: Vec<String> = header.into_iter().map(Into::into).collect();
        let align = (0..header.len())
            .map(|i| if i == 0 { Align::Left } else { Align::Right })
            .collect();
        Self { title: None, header, align, rows: Vec::new(), notes: Vec::new() }
    }

    /// A title printed above the table.
    pub fn titled(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }

    /// Sets how column `col` lines up.
    pub fn align(mut self, col: usize, align: Align) -> Self {
        if let Some(a) = self.align.get_mut(col) {
            *a = align;
        }
        self
    }

    /// Adds a row. Missing cells print empty; extra cells are an error in
    /// the caller, caught in debug builds.
    pub fn row<I, S>(&mut self, cells: I) -> &mut Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let cells: Vec<String> = cells.into_iter().map(Into::into).collect();
        debug_assert!(
            cells.len() <= self.header.len(),
            "{} cells for {} columns",
            cells.len(),
            self.header.len()
        );
        self.rows.push(cells);
        self
    }

    /// A line printed under the table (conditions, how to read it).
    pub fn note(&mut self, text: impl Into<String>) -> &mut Self {
        self.notes.push(text.into());
        self
    }

    /// The rows added so far.
    pub fn rows(&self) -> &[Vec<String>] {
        &self.rows
    }

    /// The cell at `row`, `col` (empty when absent).
    pub fn cell(&self, row: usize, col: usize) -> &str {
        self.rows.get(row).and_then(|r| r.get(col)).map_or("", String::as_str)
    }

    fn widths(&self) -> Vec<usize> {
        (0..self.header.len())
            .map(|c| {
                std::iter::once(&self.header[c])
                    .chain(self.rows.iter().filter_map(|r| r.get(c)))
                    .map(|s| s.chars().count())
                    .max()
                    .unwrap_or(0)
            })
            .collect()
    }

    fn line(&self, cells: &[String], widths: &[usize]) -> String {
        let mut out = String::new();
        for (c, w) in widths.iter().enumerate() {
            let cell = cells.get(c).map_or("", String::as_str);
            let pad = w.saturating_sub(cell.chars().count());
            if c > 0 {
                out.push_str("  ");
            }
            match self.align[c] {
                Align::Left => {
                    out.push_str(cell);
                    out.extend(std::iter::repeat_n(' ', pad));
                }
                Align::Right => {
                    out.extend(std::iter::repeat_n(' ', pad));
                    out.push_str(cell);
                }
            }
        }
        out.trim_end().to_string()
    }

    /// The table as Markdown (a pipe table; notes follow as paragraphs).
    pub fn to_markdown(&self) -> String {
        let esc = |s: &str| s.replace('|', "\\|");
        let mut out = String::new();
        if let Some(t) = &self.title {
            out.push_str(&format!("**{}**\n\n", esc(t)));
        }
        out.push_str(&format!(
            "| {} |\n",
            self.header.iter().map(|h| esc(h)).collect::<Vec<_>>().join(" | ")
        ));
        let rule: Vec<&str> = self
            .align
            .iter()
            .map(|a| match a {
                Align::Left => "---",
                Align::Right => "---:",
            })
            .collect();
        out.push_str(&format!("|{}|\n", rule.join("|")));
        for r in &self.rows {
            let cells: Vec<String> = (0..self.header.len())
                .map(|c| esc(r.get(c).map_or("", String::as_str)))
                .collect();
            out.push_str(&format!("| {} |\n", cells.join(" | ")));
        }
        for n in &self.notes {
            out.push_str(&format!("\n{n}\n"));
        }
        out
    }
}

impl fmt::Display for Table {
    /// Aligned text: title, header, a rule, the rows, then the notes.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let widths = self.widths();
        if let Some(t) = &self.title {
            writeln!(f, "{t}")?;
        }
        writeln!(f, "{}", self.line(&self.header, &widths))?;
        let total = widths.iter().sum::<usize>() + 2 * widths.len().saturating_sub(1);
        writeln!(f, "{}", "-".repeat(total))?;
        for r in &self.rows {
            writeln!(f, "{}", self.line(r, &widths))?;
        }
        for n in &self.notes {
            writeln!(f, "{n}")?;
        }
        Ok(())
    }
}

/// Parses a size such as `4096`, `64KiB`, `256MiB`, `1GiB`, `1.5GiB` (also
/// `K`/`M`/`G`, `KB`/`MB`/`GB` meaning powers of 1024, and spaces before the unit).
pub fn parse_size(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let split = t.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let num: f64 =
        num.parse().map_err(|_| format!("invalid size {text:?} (try 256MiB)"))?;
    let mult: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => 1 << 10,
        "m" | "mb" | "mib" => 1 << 20,
        "g" | "gb" | "gib" => 1 << 30,
        "t" | "tb" | "tib" => 1 << 40,
        _ => {
            return Err(format!(
                "invalid size unit in {text:?} (use B, KiB, MiB, GiB or TiB)"
            ));
        }
    };
    let bytes = num * mult as f64;
    if !bytes.is_finite() || bytes > u64::MAX as f64 || bytes.fract() != 0.0 {
        return Err(format!("invalid size {text:?}: not a whole number of bytes"));
    }
    Ok(bytes as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_with_binary_units() {
        assert_eq!(parse_size("4096"), Ok(4096));
        assert_eq!(parse_size("64KiB"), Ok(64 << 10));
        assert_eq!(parse_size("256MiB"), Ok(256 << 20));
        assert_eq!(parse_size("1GiB"), Ok(1 << 30));
        assert_eq!(parse_size("1.5 GiB"), Ok(3 << 29));
        assert_eq!(parse_size("2m"), Ok(2 << 20));
        assert!(parse_size("lots").is_err());
        assert!(parse_size("12XB").is_err());
        assert!(parse_size("0.3B").is_err());
        assert!(parse_size("").is_err());
    }

    #[test]
    fn values_print_in_their_units() {
        assert_eq!(format_value(1024.0, Unit::Count), "1,024");
        assert_eq!(format_value(-1234567.0, Unit::Count), "-1,234,567");
        assert_eq!(format_value(4096.0, Unit::Bytes), "4 KiB");
        assert_eq!(format_value(64.0, Unit::Bytes), "64 B");
        assert_eq!(format_value(1536.0, Unit::Bytes), "1,536 B (1.5 KiB)");
        assert_eq!(format_value((1u64 << 30) as f64, Unit::Bytes), "1 GiB");
        assert_eq!(format_value(1500.0, Unit::Nanos), "1.50 µs");
        assert_eq!(format_value(0.4, Unit::Nanos), "0.40 ns");
        assert_eq!(format_value(2.5e9, Unit::Nanos), "2.50 s");
        assert_eq!(format_value(1.234, Unit::Ratio), "1.23×");
        assert_eq!(format_value(16000.0, Unit::Ratio), "16000×");
        assert_eq!(format_value(0.66, Unit::Fraction), "66.0%");
        assert_eq!(format_value(1.0, Unit::Bool), "yes");
        assert_eq!(format_value(f64::INFINITY, Unit::Ratio), "∞");
        assert_eq!(format_value(f64::NAN, Unit::Nanos), "n/a");
        assert_eq!(format_ratio(f64::NAN), "0/0");
    }

    #[test]
    fn tables_align_text_and_render_markdown() {
        let mut t = Table::new(["workload", "ns", "ratio"]).titled("pools");
        t.row(["64 B object", "4.80", "1.86×"]).row(["32 MiB | buffer", "1200.00"]);
        t.note("median of 11 rounds");
        let text = t.to_string();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "pools");
        assert_eq!(lines[1], "workload              ns  ratio");
        assert_eq!(lines[3], "64 B object         4.80  1.86×");
        assert_eq!(lines[4], "32 MiB | buffer  1200.00");
        assert_eq!(lines[5], "median of 11 rounds");
        let md = t.to_markdown();
        assert!(md.contains("|---|---:|---:|"), "{md}");
        assert!(md.contains("| 32 MiB \\| buffer | 1200.00 |  |"), "{md}");
        assert_eq!(t.cell(1, 1), "1200.00");
        assert_eq!(t.cell(1, 2), "");
    }
}
