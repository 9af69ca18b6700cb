//! The history as a file: one CSV line per revision, written as fast as the
//! generator makes them, for benchmarks of the app's ingest and for a look at
//! the data in a spreadsheet. No free text, to stay fast.

use std::io::{self, Write};

use crate::history::Revision;

/// Writes revisions as CSV (one line each, no free text): seq, id, revision,
/// state, source, category, severity, grid, reported and updated (unix seconds).
/// Returns how many it wrote.
pub fn write_csv<W: Write>(
    history: impl IntoIterator<Item = (u64, Revision)>,
    out: W,
) -> io::Result<u64> {
    let mut out = io::BufWriter::with_capacity(1 << 20, out);
    writeln!(
        out,
        "seq,id,revision,state,source,category,severity,grid_id,reported_at,updated_at"
    )?;
    let mut count = 0;
    // One line at a time into a reused buffer, integers by hand: `write!`
    // through `fmt` costs more than generating the revision.
    let mut line: Vec<u8> = Vec::with_capacity(160);
    for (seq, r) in history {
        let case = &r.case;
        let step = &case.steps[r.step];
        line.clear();
        push_int(&mut line, seq as i64);
        line.push(b',');
        line.extend_from_slice(case.id.as_bytes());
        line.push(b',');
        push_int(&mut line, r.step as i64 + 1);
        line.push(b',');
        line.extend_from_slice(step.state.as_str().as_bytes());
        line.push(b',');
        line.extend_from_slice(case.source.as_str().as_bytes());
        line.push(b',');
        line.extend_from_slice(case.category.as_str().as_bytes());
        line.push(b',');
        push_int(&mut line, i64::from(case.severity.get()));
        line.push(b',');
        line.extend_from_slice(case.grid_id.as_bytes());
        line.push(b',');
        push_int(&mut line, case.reported_at);
        line.push(b',');
        push_int(&mut line, step.at);
        line.push(b'\n');
        out.write_all(&line)?;
        count += 1;
    }
    out.flush()?;
    Ok(count)
}

/// Appends the decimal digits of `n`.
fn push_int(out: &mut Vec<u8>, n: i64) {
    if n < 0 {
        out.push(b'-');
    }
    let mut n = n.unsigned_abs();
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[i..]);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::city::City;
    use crate::history::Generator;
    use crate::workforce::Workforce;

    #[test]
    fn integers_are_written_in_decimal() {
        let mut out = Vec::new();
        for n in [0, 7, 10, 1_764_000_000, -42] {
            push_int(&mut out, n);
            out.push(b' ');
        }
        assert_eq!(out, b"0 7 10 1764000000 -42 ");
    }

    #[test]
    fn csv_lines_match_the_revisions() {
        let city = std::sync::Arc::new(City::fixture().unwrap());
        let start = time::macros::datetime!(2026-01-01 00:00 +8);
        let workforce = std::sync::Arc::new(Workforce::generate(&city, 1, start));
        let generator = Generator::new(city, workforce, 1, start);
        let mut out = Vec::new();
        let n = write_csv(
            crate::history::History::new(generator, start + time::Duration::days(1)),
            &mut out,
        )
        .unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len() as u64, n + 1);
        assert!(n > 1_000, "a day of Cixi");
        let first: Vec<&str> = lines[1].split(',').collect();
        assert_eq!(first[0], "1");
        assert_eq!(first[2], "1");
        assert_eq!(first[3], "reported");
        assert_eq!(first[8], first[9], "a report is updated when it is made");
    }
}
