//! Landing a batch of raw records: one transaction per batch.
//!
//! Every record is parsed on its own; a bad one goes to quarantine and the
//! batch goes on. A good one is inserted into `event_revisions` (a duplicate
//! `(id, revision)` changes nothing) and, when it is newer than what `events`
//! holds for its id, replaces that row. The grid counters then move by the
//! difference between the old newest revision and the new one, so no query on
//! the hot path scans more than the rows it changes.

use gridwall_domain::governance::Event;
use sqlx::{Row, Sqlite, Transaction};
use time::OffsetDateTime;

use crate::grid::{self, Contribution, Deltas};
use crate::parse::parse_event;
use crate::{Result, Store};

/// One record as it came off the wire, and which upstream sent it.
#[derive(Clone, Debug)]
pub struct RawRecord {
    pub upstream: String,
    pub body: Vec<u8>,
}

impl RawRecord {
    pub fn new(upstream: impl Into<String>, body: impl Into<Vec<u8>>) -> RawRecord {
        RawRecord {
            upstream: upstream.into(),
            body: body.into(),
        }
    }
}

/// What a batch did. Every record is counted in exactly one field.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Applied {
    /// New revisions that became their event's newest.
    pub newest: usize,
    /// New revisions older than the event's newest: kept for the timeline only.
    pub older: usize,
    /// `(id, revision)` already stored: nothing changed.
    pub duplicate: usize,
    /// Refused records, now in the quarantine table.
    pub quarantined: usize,
}

impl Store {
    /// Land `batch` in one transaction. `now` is the app clock's time: it
    /// advances the overdue clock (see [`Store::refresh_overdue`]) and stamps
    /// quarantined records. A bad record never fails the batch; only a
    /// database error does, and then nothing of the batch is kept.
    pub async fn apply(&self, batch: &[RawRecord], now: OffsetDateTime) -> Result<Applied> {
        let now = now.unix_timestamp();
        let mut tx = self.pool.begin().await?;
        // A write first, so this transaction holds SQLite's write lock from
        // the start and two batches never deadlock upgrading a read lock.
        let mut deltas = Deltas::default();
        let clock = grid::sweep_overdue(&mut tx, now, &mut deltas).await?;
        let mut applied = Applied::default();
        for record in batch {
            match parse_event(&record.body) {
                Ok(event) => {
                    let raw = String::from_utf8_lossy(&record.body);
                    land(
                        &mut tx,
                        &event,
                        &record.upstream,
                        &raw,
                        clock,
                        &mut deltas,
                        &mut applied,
                    )
                    .await?;
                }
                Err(refused) => {
                    sqlx::query(
                        "INSERT INTO quarantine (upstream, kind, reason, received_at, raw) \
                         VALUES (?, ?, ?, ?, ?)",
                    )
                    .bind(&record.upstream)
                    .bind(refused.kind.as_str())
                    .bind(&refused.message)
                    .bind(now)
                    .bind(&record.body)
                    .execute(&mut *tx)
                    .await?;
                    if self.logged.allow(refused.kind, now) {
                        tracing::warn!(
                            upstream = %record.upstream,
                            kind = refused.kind.as_str(),
                            reason = %refused.message,
                            "quarantined a record (logged once a minute per kind)"
                        );
                    }
                    applied.quarantined += 1;
                }
            }
        }
        grid::apply_deltas(&mut tx, deltas).await?;
        tx.commit().await?;
        Ok(applied)
    }
}

async fn land(
    tx: &mut Transaction<'static, Sqlite>,
    event: &Event,
    upstream: &str,
    raw: &str,
    clock: i64,
    deltas: &mut Deltas,
    applied: &mut Applied,
) -> Result<()> {
    let updated_at = event.updated_at.unix_timestamp();
    let inserted = sqlx::query(
        "INSERT INTO event_revisions (id, revision, seq, state, updated_at, upstream, raw) \
         VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id, revision) DO NOTHING",
    )
    .bind(&event.id)
    .bind(event.revision)
    .bind(seq_column(event.seq))
    .bind(event.state.as_str())
    .bind(updated_at)
    .bind(upstream)
    .bind(raw)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if inserted == 0 {
        applied.duplicate += 1;
        return Ok(());
    }

    let old = sqlx::query(
        "SELECT revision, grid_id, severity, is_open, overdue, updated_at FROM events WHERE id = ?",
    )
    .bind(&event.id)
    .fetch_optional(&mut **tx)
    .await?;
    let old = match old {
        Some(row) => {
            let revision: i64 = row.try_get("revision")?;
            if revision >= i64::from(event.revision) {
                applied.older += 1;
                return Ok(());
            }
            Some(Contribution {
                grid_id: row.try_get("grid_id")?,
                severity: row.try_get("severity")?,
                is_open: row.try_get("is_open")?,
                overdue: row.try_get("overdue")?,
                updated_at: row.try_get("updated_at")?,
            })
        }
        None => None,
    };

    let due_at = event.due_at.map(OffsetDateTime::unix_timestamp);
    let is_open = !event.state.is_terminal();
    let new = Contribution {
        grid_id: event.grid_id.clone(),
        severity: i64::from(event.severity.get()),
        is_open,
        overdue: is_open && due_at.is_some_and(|due| due < clock),
        updated_at,
    };
    sqlx::query(
        "INSERT INTO events (id, revision, seq, source, category, severity, state, is_open, \
         overdue, grid_id, title, reported_at, updated_at, due_at, raw) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) \
         ON CONFLICT (id) DO UPDATE SET revision = excluded.revision, seq = excluded.seq, \
         source = excluded.source, category = excluded.category, severity = excluded.severity, \
         state = excluded.state, is_open = excluded.is_open, overdue = excluded.overdue, \
         grid_id = excluded.grid_id, title = excluded.title, reported_at = excluded.reported_at, \
         updated_at = excluded.updated_at, due_at = excluded.due_at, raw = excluded.raw \
         WHERE excluded.revision > events.revision",
    )
    .bind(&event.id)
    .bind(event.revision)
    .bind(seq_column(event.seq))
    .bind(event.source.as_str())
    .bind(event.category.as_str())
    .bind(new.severity)
    .bind(event.state.as_str())
    .bind(new.is_open)
    .bind(new.overdue)
    .bind(&new.grid_id)
    .bind(&event.title)
    .bind(event.reported_at.unix_timestamp())
    .bind(updated_at)
    .bind(due_at)
    .bind(raw)
    .execute(&mut **tx)
    .await?;

    if let Some(old) = &old {
        deltas.remove(old);
    }
    deltas.add(&new);
    applied.newest += 1;
    Ok(())
}

/// `seq` is an unsigned 64-bit cursor; SQL has signed 64-bit integers. The
/// contract's seqs start at 1 and grow by one, so they fit; a seq past
/// `i64::MAX` is stored as `i64::MAX` rather than wrapping negative.
fn seq_column(seq: u64) -> i64 {
    i64::try_from(seq).unwrap_or(i64::MAX)
}
