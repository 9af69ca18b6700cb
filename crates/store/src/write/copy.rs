//! PostgreSQL's `COPY` for the bulk path: rows streamed in COPY's text
//! format rather than bound to statements, so the server parses no SQL and
//! plans nothing per batch. New revisions are copied straight into
//! `event_revisions` (they are above their event's newest row, so they
//! cannot conflict); the batch's newest rows are copied into a staging
//! table and moved into `events` by one set-based upsert.

use sqlx::postgres::PgConnection;

use crate::sql::Value;
use crate::{Error, Result};

/// The session's staging table for `events`: emptied at each commit.
pub(crate) const CREATE_STAGING: &str = "CREATE TEMPORARY TABLE IF NOT EXISTS events_staging \
     (LIKE events INCLUDING DEFAULTS) ON COMMIT DELETE ROWS";

/// Stream `rows` into `target` (`table (columns)`); the number of rows copied.
pub(crate) async fn copy_in<'a>(
    conn: &mut PgConnection,
    target: &str,
    rows: impl IntoIterator<Item = impl IntoIterator<Item = Value<'a>>>,
) -> Result<u64> {
    let mut data = Vec::with_capacity(1 << 20);
    for row in rows {
        for (i, value) in row.into_iter().enumerate() {
            if i > 0 {
                data.push(b'\t');
            }
            encode(&mut data, &value);
        }
        data.push(b'\n');
    }
    let mut copy = conn
        .copy_in_raw(&format!("COPY {target} FROM STDIN"))
        .await?;
    // Sent in one piece: a batch is a few megabytes at most.
    if let Err(error) = copy.send(data).await {
        let _ = copy.abort(error.to_string()).await;
        return Err(Error::Database(error));
    }
    Ok(copy.finish().await?)
}

/// One value in COPY's text format: `\N` for null, backslash escapes for
/// the characters that delimit rows and columns, bytea as `\\x` and hex.
fn encode(out: &mut Vec<u8>, value: &Value<'_>) {
    use std::io::Write;
    match value {
        Value::Int(None) | Value::Real(None) | Value::Text(None) => out.extend_from_slice(b"\\N"),
        Value::Int(Some(v)) => {
            let _ = write!(out, "{v}");
        }
        // Rust prints the shortest text that reads back as the same double.
        Value::Real(Some(v)) => {
            let _ = write!(out, "{v}");
        }
        Value::Text(Some(text)) => {
            for &b in text.as_bytes() {
                match b {
                    b'\\' => out.extend_from_slice(b"\\\\"),
                    b'\t' => out.extend_from_slice(b"\\t"),
                    b'\n' => out.extend_from_slice(b"\\n"),
                    b'\r' => out.extend_from_slice(b"\\r"),
                    _ => out.push(b),
                }
            }
        }
        Value::Blob(bytes) => {
            out.extend_from_slice(b"\\\\x");
            for b in bytes.iter() {
                let _ = write!(out, "{b:02x}");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use super::*;

    fn text(value: Value<'_>) -> String {
        let mut out = Vec::new();
        encode(&mut out, &value);
        String::from_utf8(out).expect("COPY text is UTF-8")
    }

    #[test]
    fn values_are_written_as_copy_reads_them() {
        assert_eq!(text(Value::Int(Some(-42))), "-42");
        assert_eq!(text(Value::Int(None)), "\\N");
        assert_eq!(text(Value::Real(Some(121.25))), "121.25");
        assert_eq!(
            text(Value::Text(Some(Cow::Borrowed("a\tb\nc\\d 浒山")))),
            "a\\tb\\nc\\\\d 浒山"
        );
        assert_eq!(
            text(Value::Blob(Cow::Borrowed(&[0, 255, 16]))),
            "\\\\x00ff10"
        );
    }
}
