//! What every binary of the workbook shares on its command line: bad input
//! gets a one-line error and exit code 2, never a usage dump or a panic.

use std::process::exit;

/// Parses the command line into `T`, or prints a one-line error and exits
/// with code 2. `--help` and `--version` print as usual and exit 0.
pub fn parse<T: clap::Parser>() -> T {
    parse_from(std::env::args_os())
}

/// [`parse`], from an explicit argument list (the first item is the program name).
pub fn parse_from<T: clap::Parser, I, A>(args: I) -> T
where
    I: IntoIterator<Item = A>,
    A: Into<std::ffi::OsString> + Clone,
{
    match T::try_parse_from(args) {
        Ok(v) => v,
        Err(e) => {
            use clap::error::ErrorKind;
            if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
                let _ = e.print();
                exit(0);
            }
            fail(&one_line(&e))
        }
    }
}

/// The first line of a clap error, without clap's `error: ` prefix.
pub fn one_line(e: &clap::Error) -> String {
    let rendered = e.render().to_string();
    let first = rendered.lines().next().unwrap_or("invalid arguments");
    format!("{} (see --help)", first.trim_start_matches("error: ").trim())
}

/// Prints `error: {msg}` on one line and exits with code 2.
pub fn fail(msg: &str) -> ! {
    eprintln!("error: {msg}");
    exit(2)
}

/// For a binary that only works on Linux: prints `error: {what} requires
/// Linux` and exits with code 2.
pub fn requires_linux(what: &str) -> ! {
    fail(&format!("{what} requires Linux"))
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
    fn clap_errors_become_one_line() {
        #[derive(clap::Parser, Debug)]
        struct A {
            #[arg(long)]
            n: u32,
        }
        let e = <A as clap::Parser>::try_parse_from(["x", "--n", "abc"]).unwrap_err();
        let line = one_line(&e);
        assert!(!line.contains('\n'), "{line}");
        assert!(line.contains("abc"), "{line}");
    }
}
