//! Landing what arrived: every new revision kept (compactly, see
//! [`crate::raw`]), refused records in quarantine, and the resume cursor.
//! The first stage of the write pipeline after parsing.

use gridwall_domain::governance::Event;

use crate::Backend;
use crate::parse::Quarantined;
use crate::sql::{Statement, Value, ladder, placeholders, seq_column};
use crate::write::RawRecord;

/// A revision that parsed, ready to be stored: the event and its record
/// packed (see [`crate::raw`]).
pub(crate) struct Arrived<'a> {
    pub event: &'a Event,
    /// The record as it arrived, and from which upstream.
    pub record: &'a RawRecord,
    pub codec: i64,
    pub raw: Vec<u8>,
}

const REVISION_COLUMNS: &str = "(id, revision, upstream, codec, raw)";

/// The table and columns revisions are copied into (PostgreSQL's `COPY`).
pub(crate) const REVISIONS: &str = "event_revisions (id, revision, upstream, codec, raw)";

pub(crate) fn revision_values<'a>(revision: &'a Arrived<'_>) -> [Value<'a>; 5] {
    [
        Value::from(revision.event.id.as_str()),
        Value::from(i64::from(revision.event.revision)),
        Value::from(revision.record.upstream.as_str()),
        Value::from(revision.codec),
        Value::from(revision.raw.as_slice()),
    ]
}

/// Multi-row inserts of revisions known to be new (higher than any revision
/// stored for their event). `ON CONFLICT DO NOTHING` all the same: the
/// caller checks that every row went in.
pub(crate) fn new_revisions<'a>(
    backend: Backend,
    revisions: &[&'a Arrived<'a>],
) -> Vec<Statement<'a>> {
    ladder(revisions.len())
        .into_iter()
        .map(|range| {
            let chunk = &revisions[range];
            let sql = format!(
                "INSERT INTO event_revisions {REVISION_COLUMNS} VALUES {} \
                 ON CONFLICT (id, revision) DO NOTHING",
                placeholders(backend, chunk.len(), 5)
            );
            let values = chunk.iter().flat_map(|r| revision_values(r)).collect();
            Statement { sql, values }
        })
        .collect()
}

/// The insert of one revision that may already be stored (at or below its
/// event's newest): it changed a row if and only if it was new.
pub(crate) fn maybe_new_revision<'a>(backend: Backend, revision: &'a Arrived<'a>) -> Statement<'a> {
    Statement {
        sql: format!(
            "INSERT INTO event_revisions {REVISION_COLUMNS} VALUES {} \
             ON CONFLICT (id, revision) DO NOTHING",
            placeholders(backend, 1, 5)
        ),
        values: revision_values(revision).into(),
    }
}

/// Keep refused records with their reasons, each once per upstream however
/// often it is delivered (the unique key of `quarantine`; no conflict target,
/// because it differs between the engines' migrations).
pub(crate) fn quarantined<'a>(
    backend: Backend,
    refused: &'a [(&'a RawRecord, Quarantined)],
    now: i64,
) -> Vec<Statement<'a>> {
    refused
        .chunks(400)
        .map(|chunk| {
            let sql = format!(
                "INSERT INTO quarantine (upstream, kind, reason, received_at, raw) VALUES {} \
                 ON CONFLICT DO NOTHING",
                placeholders(backend, chunk.len(), 5)
            );
            let mut statement = Statement::new(sql);
            for (record, refused) in chunk {
                statement = statement
                    .bind(record.upstream.as_str())
                    .bind(refused.kind.as_str())
                    .bind(refused.message.as_str())
                    .bind(now)
                    .bind(record.body.as_slice());
            }
            statement
        })
        .collect()
}

/// Save `seq` as where `upstream` resumes.
pub(crate) fn cursor(upstream: &str, seq: u64) -> Statement<'_> {
    Statement::new(
        "INSERT INTO cursors (upstream, seq) VALUES ($1, $2) \
         ON CONFLICT (upstream) DO UPDATE SET seq = excluded.seq",
    )
    .bind(upstream)
    .bind(seq_column(seq))
}
