//! A printable map of a struct's bytes: which field occupies which range, and
//! where the padding is. Every offset comes from `memoffset::span_of!`, so the
//! map shows what the compiler chose, not what we believe it chose.
//!
//! Not a layout calculator: nothing here predicts an offset. Use it to *read*
//! a layout (`tables.rs` prints these maps; the checks judge the seeds'
//! comments from them).

use std::ops::Range;

/// One field: its name, its type as written, and the bytes it occupies.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldSpan {
    /// Field name.
    pub name: &'static str,
    /// Its type, as written in the struct.
    pub ty: &'static str,
    /// The bytes it occupies, `offset .. offset + size_of`.
    pub bytes: Range<usize>,
}

/// The layout the compiler chose for one struct.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TypeLayout {
    /// Type name.
    pub name: &'static str,
    /// `repr(C)`, `default repr`, `repr(C, packed)` …
    pub repr: &'static str,
    /// `size_of`.
    pub size: usize,
    /// `align_of`.
    pub align: usize,
    /// Fields sorted by offset (the order in memory, not in the source).
    pub fields: Vec<FieldSpan>,
}

/// Builds a [`TypeLayout`] from a struct and its fields:
/// `type_layout!("repr(C)", OptimizedC { id: i64, active: bool })`.
/// The field types are only printed; their sizes are read from `span_of!`.
macro_rules! type_layout {
    ($repr:literal, $t:ty { $($field:ident : $fty:ty),+ $(,)? }) => {{
        let mut fields = vec![$(
            $crate::struct_layout::field_map::FieldSpan {
                name: stringify!($field),
                ty: stringify!($fty),
                bytes: memoffset::span_of!($t, $field),
            }
        ),+];
        fields.sort_by_key(|f| f.bytes.start);
        $crate::struct_layout::field_map::TypeLayout {
            name: stringify!($t),
            repr: $repr,
            size: ::core::mem::size_of::<$t>(),
            align: ::core::mem::align_of::<$t>(),
            fields,
        }
    }};
}
pub(crate) use type_layout;

impl TypeLayout {
    /// The field called `name`.
    pub fn field(&self, name: &str) -> Option<&FieldSpan> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// Byte offset of field `name`. Panics if there is no such field.
    pub fn offset(&self, name: &str) -> usize {
        self.field(name)
            .unwrap_or_else(|| panic!("{} has no field {name}", self.name))
            .bytes
            .start
    }

    /// Every range of bytes no field occupies: gaps between fields and the
    /// tail up to `size`, in address order.
    pub fn padding(&self) -> Vec<Range<usize>> {
        let mut gaps = Vec::new();
        let mut end = 0;
        for f in &self.fields {
            if f.bytes.start > end {
                gaps.push(end..f.bytes.start);
            }
            end = end.max(f.bytes.end);
        }
        if self.size > end {
            gaps.push(end..self.size);
        }
        gaps
    }

    /// Total padding bytes.
    pub fn padding_bytes(&self) -> usize {
        self.padding().iter().map(|g| g.len()).sum()
    }

    /// Padding bytes that directly follow field `name` (0 if the next field,
    /// or the end of the struct, starts right after it).
    pub fn padding_after(&self, name: &str) -> usize {
        let end = self.field(name).map_or(0, |f| f.bytes.end);
        self.padding().iter().find(|g| g.start == end).map_or(0, |g| g.len())
    }

    /// Padding bytes that directly precede field `name`.
    pub fn padding_before(&self, name: &str) -> usize {
        let start = self.offset(name);
        self.padding().iter().find(|g| g.end == start).map_or(0, |g| g.len())
    }

    /// The field names in memory order.
    pub fn memory_order(&self) -> Vec<&'static str> {
        self.fields.iter().map(|f| f.name).collect()
    }

    /// Every field and every gap, in address order: `(offset, size, what)`,
    /// `what` being `name: type` or `(padding)`.
    pub fn spans(&self) -> Vec<(usize, usize, String)> {
        let mut rows: Vec<(usize, usize, String)> = self
            .fields
            .iter()
            .map(|f| (f.bytes.start, f.bytes.len(), format!("{}: {}", f.name, f.ty)))
            .collect();
        rows.extend(
            self.padding().into_iter().map(|g| (g.start, g.len(), "(padding)".into())),
        );
        rows.sort();
        rows
    }

    /// One line: `name (repr): size B, align N, P B of padding`.
    pub fn headline(&self) -> String {
        format!(
            "{} ({}): {} B, align {}, {} B of padding",
            self.name,
            self.repr,
            self.size,
            self.align,
            self.padding_bytes()
        )
    }

    /// One character per byte: the field's first letter, `·` for padding.
    /// `iiiiiiiian…` reads as "id, then active, then name".
    pub fn byte_map(&self) -> String {
        (0..self.size)
            .map(|b| {
                self.fields
                    .iter()
                    .find(|f| f.bytes.contains(&b))
                    .map_or('·', |f| f.name.chars().next().unwrap_or('?'))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    #[repr(C)]
    struct Gappy {
        a: u8,
        b: u32,
        c: u16,
    }

    #[test]
    fn padding_is_every_byte_no_field_covers() {
        let l = type_layout!("repr(C)", Gappy { a: u8, b: u32, c: u16 });
        assert_eq!((l.size, l.align), (12, 4));
        assert_eq!(l.padding(), vec![1..4, 10..12]);
        assert_eq!(l.padding_bytes(), 5);
        assert_eq!(l.padding_after("a"), 3);
        assert_eq!(l.padding_before("b"), 3);
        assert_eq!(l.padding_after("b"), 0);
        assert_eq!(l.padding_after("c"), 2);
        assert_eq!(l.byte_map(), "a···bbbbcc··");
        assert_eq!(l.memory_order(), ["a", "b", "c"]);
        assert_eq!(l.headline(), "Gappy (repr(C)): 12 B, align 4, 5 B of padding");
        let spans = l.spans();
        assert_eq!(spans.len(), 5);
        assert_eq!(spans[1], (1, 3, "(padding)".to_string()));
        assert_eq!(spans[2], (4, 4, "b: u32".to_string()));
    }
}
