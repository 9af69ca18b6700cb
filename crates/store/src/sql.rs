//! SQL text and values shared by every writer.
//!
//! A writer describes what it writes as [`Statement`]s (SQL text and the
//! values to bind, as plain data) and leaves running them to whichever
//! connection holds the batch's transaction ([`crate::conn::Conn`]): the
//! pool's `Any` connection on the live path, or a typed SQLite or
//! PostgreSQL connection on the bulk path. So one writer serves both paths,
//! and none of them knows which engine or driver runs it.

use std::borrow::Cow;
use std::ops::Range;

use crate::Backend;

/// A value bound to a statement. Each carries its SQL type, also when null,
/// so a typed driver binds it as the column expects.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Value<'a> {
    Int(Option<i64>),
    Real(Option<f64>),
    Text(Option<Cow<'a, str>>),
    Blob(Cow<'a, [u8]>),
}

impl From<i64> for Value<'_> {
    fn from(v: i64) -> Self {
        Value::Int(Some(v))
    }
}

impl From<Option<i64>> for Value<'_> {
    fn from(v: Option<i64>) -> Self {
        Value::Int(v)
    }
}

impl From<Option<f64>> for Value<'_> {
    fn from(v: Option<f64>) -> Self {
        Value::Real(v)
    }
}

impl<'a> From<&'a str> for Value<'a> {
    fn from(v: &'a str) -> Self {
        Value::Text(Some(Cow::Borrowed(v)))
    }
}

impl<'a> From<Option<&'a str>> for Value<'a> {
    fn from(v: Option<&'a str>) -> Self {
        Value::Text(v.map(Cow::Borrowed))
    }
}

impl From<String> for Value<'_> {
    fn from(v: String) -> Self {
        Value::Text(Some(Cow::Owned(v)))
    }
}

impl<'a> From<&'a [u8]> for Value<'a> {
    fn from(v: &'a [u8]) -> Self {
        Value::Blob(Cow::Borrowed(v))
    }
}

/// One statement as data.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Statement<'a> {
    pub sql: String,
    pub values: Vec<Value<'a>>,
}

impl<'a> Statement<'a> {
    pub fn new(sql: impl Into<String>) -> Statement<'a> {
        Statement {
            sql: sql.into(),
            values: Vec::new(),
        }
    }

    pub fn bind(mut self, value: impl Into<Value<'a>>) -> Statement<'a> {
        self.values.push(value.into());
        self
    }
}

/// `($1, $2, $3), ($4, $5, $6)` for `rows` rows of `columns` values; on
/// SQLite `(?, ?, ?), (?, ?, ?)`. Both engines accept `$n`, but SQLite treats
/// it as a named parameter and sqlx looks each name up in a linear list, so a
/// statement with thousands of `$n` binds in quadratic time (measured: three
/// quarters of an import's CPU). Anonymous `?` have no names.
pub(crate) fn placeholders(backend: Backend, rows: usize, columns: usize) -> String {
    if backend == Backend::Sqlite {
        let row = format!("({})", vec!["?"; columns].join(", "));
        return vec![row; rows].join(", ");
    }
    let mut out = String::with_capacity(rows * columns * 5);
    for row in 0..rows {
        if row > 0 {
            out.push_str(", ");
        }
        out.push('(');
        for column in 0..columns {
            if column > 0 {
                out.push_str(", ");
            }
            out.push('$');
            out.push_str(&(row * columns + column + 1).to_string());
        }
        out.push(')');
    }
    out
}

/// The inside of `IN (...)` for `n` values (see [`placeholders`]).
pub(crate) fn in_list(backend: Backend, n: usize) -> String {
    match backend {
        Backend::Sqlite => vec!["?"; n].join(", "),
        Backend::Postgres => (1..=n)
            .map(|i| format!("${i}"))
            .collect::<Vec<_>>()
            .join(", "),
    }
}

/// Statement sizes, in rows, that multi-row writes are cut into. A
/// connection prepares each distinct SQL text once and keeps it (sqlx's
/// per-connection statement cache), so cutting every batch along one ladder
/// of sizes means a handful of texts per table, each prepared once for a
/// whole import, rather than a new text for every batch's remainder. The
/// widest row (`events`, 23 values) times 256 binds 5,888 values: under
/// SQLite's 32,766 and PostgreSQL's 65,535.
const LADDER: [usize; 5] = [256, 64, 16, 4, 1];

/// `0..n` cut into consecutive ranges whose lengths are on the ladder.
pub(crate) fn ladder(n: usize) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    for size in LADDER {
        while n - start >= size {
            out.push(start..start + size);
            start += size;
        }
    }
    out
}

/// `seq` is an unsigned 64-bit cursor; SQL has signed 64-bit integers. The
/// contract's seqs start at 1 and grow by one, so they fit; a seq past
/// `i64::MAX` is stored as `i64::MAX` rather than wrapping negative.
pub(crate) fn seq_column(seq: u64) -> i64 {
    i64::try_from(seq).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_number_rows_then_columns() {
        assert_eq!(
            placeholders(Backend::Postgres, 2, 3),
            "($1, $2, $3), ($4, $5, $6)"
        );
        assert_eq!(placeholders(Backend::Postgres, 1, 1), "($1)");
        assert_eq!(placeholders(Backend::Sqlite, 2, 2), "(?, ?), (?, ?)");
        assert_eq!(in_list(Backend::Sqlite, 3), "?, ?, ?");
        assert_eq!(in_list(Backend::Postgres, 2), "$1, $2");
    }

    #[test]
    fn the_ladder_covers_every_row_once_in_few_sizes() {
        for n in [0, 1, 3, 255, 256, 257, 1_000, 5_000] {
            let ranges = ladder(n);
            let mut next = 0;
            for range in &ranges {
                assert_eq!(range.start, next, "consecutive for {n}");
                assert!(LADDER.contains(&range.len()));
                next = range.end;
            }
            assert_eq!(next, n, "every row of {n}");
        }
        assert_eq!(ladder(5_000).len(), 19 + 2 + 2, "a batch of 5,000");
    }
}
