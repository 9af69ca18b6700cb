//! The audit log's hash chain: what a row's hash covers, and the walk that
//! names the first row that does not fit.
//!
//! A row's hash is SHA-256, in lowercase hex, over this encoding:
//!
//! ```text
//! "gridwall-audit-v1\n"
//! seq                    8 bytes, big-endian two's complement
//! at (unix seconds)      8 bytes, big-endian two's complement
//! actor, action, subject, detail, prev_hash
//!                        each: its UTF-8 length in 8 bytes big-endian, then the bytes
//! ```
//!
//! Every variable field carries its length, so moving text from one field to
//! the next (`"ab" "c"` against `"a" "bc"`) changes the hash; the tag keeps a
//! row's hash from ever equalling a hash of something else. `prev_hash` is
//! the previous row's hash (64 zeros for the first row), and `seq` is the
//! row's place in the chain, so a removed or inserted row breaks the
//! numbering as well as the links even when nothing was re-hashed.
//!
//! What the chain cannot do: someone who can write the database and who
//! recomputes every hash from the changed row to the end, and the head,
//! rewrites history undetectably. Against that, keep the head hash
//! (`gridwall audit verify` prints nothing secret) somewhere else.

use std::fmt;

use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::AuditEntry;

/// The `prev_hash` of the first row.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

const TAG: &[u8] = b"gridwall-audit-v1\n";

/// One row of the log as stored, chain fields included.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditRow {
    /// The table's key: the order rows were written in.
    pub audit_id: i64,
    /// The row's place in the chain, from 1; `None` for a row that was not
    /// appended through the store.
    pub seq: Option<i64>,
    pub entry: AuditEntry,
    pub prev_hash: String,
    pub hash: String,
}

/// The hash of a row at place `seq` holding `entry`, after `prev_hash`.
pub fn row_hash(seq: i64, entry: &AuditEntry, prev_hash: &str) -> String {
    let mut sha = Sha256::new();
    sha.update(TAG);
    sha.update(seq.to_be_bytes());
    sha.update(entry.at.unix_timestamp().to_be_bytes());
    for text in [
        entry.actor.as_str(),
        entry.action.as_str(),
        entry.subject.as_str(),
        entry.detail.as_str(),
        prev_hash,
    ] {
        sha.update((text.len() as u64).to_be_bytes());
        sha.update(text.as_bytes());
    }
    hex::encode(sha.finalize())
}

/// The newest row of the chain as the store last wrote it (`audit_head`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Head {
    pub seq: i64,
    pub hash: String,
}

/// What `verify_audit` found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AuditVerdict {
    /// Every row is where the chain says, with the content it was written with.
    Intact { rows: u64 },
    /// The first thing wrong, walking the log oldest first.
    Tampered(Tampering),
}

impl fmt::Display for AuditVerdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AuditVerdict::Intact { rows: 1 } => write!(f, "audit log intact: 1 row"),
            AuditVerdict::Intact { rows } => write!(f, "audit log intact: {rows} rows"),
            AuditVerdict::Tampered(tampering) => tampering.fmt(f),
        }
    }
}

/// A row named in a verdict, enough for a person to find it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowSummary {
    pub audit_id: i64,
    pub seq: Option<i64>,
    pub at: OffsetDateTime,
    pub actor: String,
    pub action: String,
}

impl RowSummary {
    fn of(row: &AuditRow) -> RowSummary {
        RowSummary {
            audit_id: row.audit_id,
            seq: row.seq,
            at: row.entry.at,
            actor: row.entry.actor.clone(),
            action: row.entry.action.clone(),
        }
    }
}

impl fmt::Display for RowSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = self
            .at
            .format(&Rfc3339)
            .unwrap_or_else(|_| self.at.to_string());
        match self.seq {
            Some(seq) => write!(
                f,
                "audit row {seq} (at {at}, {} by {})",
                self.action, self.actor
            ),
            None => write!(
                f,
                "an audit row with no place in the chain (id {}, at {at}, {} by {})",
                self.audit_id, self.action, self.actor
            ),
        }
    }
}

/// How the log was changed, and where first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Tampering {
    /// The row's content no longer matches its hash; or the row was
    /// rewritten and re-hashed, and the next row still points to the old hash.
    Edited { row: RowSummary },
    /// The row now holds the content `with` was written with, and the other
    /// way round.
    Swapped { row: RowSummary, with: RowSummary },
    /// Rows `first..=last` of the chain are gone; `before` is the row after
    /// the gap (`None`: the newest rows were removed).
    Removed {
        first: i64,
        last: i64,
        before: Option<RowSummary>,
    },
    /// A row the store did not append: no place in the chain, a place
    /// already taken, or a place past the newest row the store wrote.
    Inserted { row: RowSummary },
    /// The row is stored after `after`, a row that came later in the chain.
    Reordered { row: RowSummary, after: RowSummary },
}

impl fmt::Display for Tampering {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Tampering::Edited { row } => {
                write!(f, "{row}: its content was edited after it was written")
            }
            Tampering::Swapped { row, with } => write!(
                f,
                "{row}: it holds the content of {with}, and the other way round: the rows were swapped"
            ),
            Tampering::Removed {
                first,
                last,
                before,
            } => {
                let rows = if first == last {
                    format!("audit row {first} was")
                } else {
                    format!("audit rows {first} to {last} were")
                };
                match before {
                    Some(before) => write!(f, "{rows} removed (the next one left is {before})"),
                    None => write!(f, "{rows} removed: the newest rows of the log are gone"),
                }
            }
            Tampering::Inserted { row } => {
                write!(f, "{row}: it was inserted, not appended by the app")
            }
            Tampering::Reordered { row, after } => write!(
                f,
                "{row}: it is stored after {after}, which came later: the rows were reordered"
            ),
        }
    }
}

/// Walk `rows` (in `audit_id` order, as written) against the chain and
/// `head`, and name the first row that does not fit.
pub fn walk(rows: &[AuditRow], head: &Head) -> AuditVerdict {
    let tampered = |t| AuditVerdict::Tampered(t);
    let mut expected_seq = 1;
    let mut expected_prev = GENESIS;
    for (i, row) in rows.iter().enumerate() {
        let summary = || RowSummary::of(row);
        let seq = match row.seq {
            Some(seq) if !row.hash.is_empty() && seq <= head.seq => seq,
            _ => return tampered(Tampering::Inserted { row: summary() }),
        };
        if seq < expected_seq {
            // Its place was already taken by an earlier row.
            return tampered(Tampering::Inserted { row: summary() });
        }
        if seq > expected_seq {
            let missing = rows[i + 1..]
                .iter()
                .position(|later| later.seq == Some(expected_seq));
            return tampered(match missing {
                Some(offset) => Tampering::Reordered {
                    row: RowSummary::of(&rows[i + 1 + offset]),
                    after: RowSummary::of(&rows[i + offset]),
                },
                None => Tampering::Removed {
                    first: expected_seq,
                    last: seq - 1,
                    before: Some(summary()),
                },
            });
        }
        if row_hash(seq, &row.entry, &row.prev_hash) != row.hash {
            let original = rows.iter().find(|other| {
                other.audit_id != row.audit_id
                    && other.seq.is_some_and(|other_seq| {
                        row_hash(other_seq, &row.entry, &other.prev_hash) == other.hash
                    })
            });
            return tampered(match original {
                Some(other) => Tampering::Swapped {
                    row: summary(),
                    with: RowSummary::of(other),
                },
                None => Tampering::Edited { row: summary() },
            });
        }
        if row.prev_hash != expected_prev {
            // The row is whole but does not follow its predecessor: that one
            // was rewritten with a fresh hash (or, first of all, this one was
            // made up with a prev_hash of its own).
            let rewritten = if i == 0 { row } else { &rows[i - 1] };
            return tampered(Tampering::Edited {
                row: RowSummary::of(rewritten),
            });
        }
        expected_prev = &row.hash;
        expected_seq += 1;
    }
    let last = expected_seq - 1;
    if head.seq > last {
        return tampered(Tampering::Removed {
            first: last + 1,
            last: head.seq,
            before: None,
        });
    }
    if let Some(newest) = rows.last().filter(|_| head.hash != expected_prev) {
        return tampered(Tampering::Edited {
            row: RowSummary::of(newest),
        });
    }
    AuditVerdict::Intact {
        rows: rows.len() as u64,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(n: i64) -> AuditEntry {
        AuditEntry {
            at: OffsetDateTime::from_unix_timestamp(1_000 + n).unwrap(),
            actor: format!("值班员 {n}"),
            action: "push_to_wall".to_owned(),
            subject: format!("E{n}"),
            detail: String::new(),
        }
    }

    /// A chain of `n` rows as the store would write it, and its head.
    fn chain(n: i64) -> (Vec<AuditRow>, Head) {
        let mut rows = Vec::new();
        let mut prev = GENESIS.to_owned();
        for seq in 1..=n {
            let hash = row_hash(seq, &entry(seq), &prev);
            rows.push(AuditRow {
                audit_id: seq,
                seq: Some(seq),
                entry: entry(seq),
                prev_hash: std::mem::replace(&mut prev, hash.clone()),
                hash,
            });
        }
        (rows, Head { seq: n, hash: prev })
    }

    #[test]
    fn length_prefixes_keep_field_boundaries_apart() {
        let a = AuditEntry {
            actor: "ab".to_owned(),
            action: "c".to_owned(),
            ..entry(1)
        };
        let b = AuditEntry {
            actor: "a".to_owned(),
            action: "bc".to_owned(),
            ..entry(1)
        };
        assert_ne!(row_hash(1, &a, GENESIS), row_hash(1, &b, GENESIS));
        assert_ne!(row_hash(1, &a, GENESIS), row_hash(2, &a, GENESIS));
        assert_eq!(row_hash(1, &a, GENESIS).len(), 64);
    }

    #[test]
    fn an_intact_chain_and_an_empty_one_verify() {
        let (rows, head) = chain(5);
        assert_eq!(walk(&rows, &head), AuditVerdict::Intact { rows: 5 });
        let (rows, head) = chain(0);
        assert_eq!(walk(&rows, &head), AuditVerdict::Intact { rows: 0 });
    }

    /// Edit row `index` of a chain of `n` and give it a fresh hash, as
    /// someone who knows the hashing would; the row the walk names.
    fn rehashed(n: i64, index: usize) -> Option<i64> {
        let (mut rows, head) = chain(n);
        let row = &mut rows[index];
        row.entry.detail = "forged".to_owned();
        row.hash = row_hash(row.seq.unwrap(), &row.entry, &row.prev_hash);
        match walk(&rows, &head) {
            AuditVerdict::Tampered(Tampering::Edited { row }) => row.seq,
            other => panic!("expected an edit, got {other}"),
        }
    }

    #[test]
    fn a_rewritten_and_rehashed_row_is_named_by_the_broken_link_after_it() {
        assert_eq!(rehashed(5, 1), Some(2));
    }

    #[test]
    fn a_rehashed_newest_row_is_caught_by_the_head() {
        assert_eq!(rehashed(3, 2), Some(3));
    }

    #[test]
    fn rows_moved_with_their_place_are_reordered() {
        let (mut rows, head) = chain(5);
        rows.swap(2, 3);
        let verdict = walk(&rows, &head);
        let AuditVerdict::Tampered(Tampering::Reordered { row, after }) = &verdict else {
            panic!("expected a reorder, got {verdict}");
        };
        assert_eq!((row.seq, after.seq), (Some(3), Some(4)));
        assert!(verdict.to_string().starts_with("audit row 3 (at "));
    }

    #[test]
    fn removed_newest_rows_are_caught_by_the_head() {
        let (mut rows, head) = chain(5);
        rows.truncate(3);
        let verdict = walk(&rows, &head);
        assert_eq!(
            verdict,
            AuditVerdict::Tampered(Tampering::Removed {
                first: 4,
                last: 5,
                before: None
            })
        );
        assert_eq!(
            verdict.to_string(),
            "audit rows 4 to 5 were removed: the newest rows of the log are gone"
        );
    }
}
