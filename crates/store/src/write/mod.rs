//! The write path: every change to `events` and to the tables derived from
//! it goes through here, one batch per transaction, in one direction:
//!
//! ```text
//! parse ─► land revisions ─► the newest row's difference ─► one writer per derived table
//! (batch::parse) (land)       (newest::decide → Transition)   grid::statements (grid state)
//!  records → events,          every new revision, packed;     kpi::statements (KPI counters)
//!  or quarantine              quarantine; the cursor          series::statements (event_days)
//! ```
//!
//! 1. **Parse** (`batch::parse`): every record on its own, outside the
//!    transaction (most of a batch's CPU; a large batch on both cores). A
//!    bad one goes to quarantine and the batch goes on. The good ones are
//!    packed for storage ([`crate::raw`]).
//! 2. **Land** (`land`): the newest row stored for each event of the batch
//!    is looked up (in the bulk import's cache, else in `events`); a revision
//!    above it is new and goes in with multi-row inserts, one at or below it
//!    goes in alone and the engine says whether it was new.
//! 3. **The newest row's difference** ([`crate::newest`]): per event, the
//!    highest new revision replaces the row when it is newer, and each
//!    change is a `crate::newest::Transition` (old row, new row). The
//!    overdue clock (`overdue`) makes transitions too.
//! 4. **Derived tables**: each has one writer that turns the transitions
//!    into its statements (`crate::grid::statements`,
//!    `crate::kpi::statements`, `crate::series::statements`), so nothing on this path scans more than
//!    the rows a batch touches, and derived state equals a recomputation.
//!
//! Writers produce `crate::sql::Statement`s; `crate::conn::Conn` runs
//! them on the transaction's connection. The live path ([`Store::apply`])
//! runs on the pool; the bulk path ([`Store::apply_bulk`], for the first
//! import and long backfills) on a connection of its own, typed, with its
//! prepared statements kept across batches and the newest rows cached in
//! memory (`cache`). Both commit a batch and its cursor together.
//!
//! No single record may stop the feed (issue 18). Parsing makes every text
//! the contract allows storable on both engines (see [`crate::parse`]), but
//! an engine can still refuse a record for a reason of its own (on
//! PostgreSQL, an id longer than a B-tree entry can hold). When the engine
//! refuses a batch's data, the batch is landed again in halves, recursively,
//! until the record it refuses is alone; that one goes to quarantine as
//! `unstorable` with the engine's message, and the rest lands. Errors that
//! are not about the data (a lost connection, a deadlock, a full disk) still
//! fail the batch, so ingest retries it whole rather than quarantining good
//! records.

mod batch;
mod bulk;
pub(crate) mod cache;
mod copy;
mod land;
mod overdue;

use std::future::Future;
use std::pin::Pin;

use time::OffsetDateTime;

use crate::conn::Conn;
use crate::grid::GridState;
use crate::parse::{RejectKind, storable};
use crate::{Error, Result, Store};

use bulk::BulkSession;
use cache::LastRecords;

/// What the one writer of `events` in this process holds between batches.
#[derive(Default)]
pub(crate) struct Writer {
    /// The bulk path's connection and cache, while a backfill runs.
    bulk: Option<BulkSession>,
    /// The newest record of open events, to pack the next revision on.
    last: LastRecords,
}

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

/// What a batch did. `stored + duplicate + quarantined` is the batch's length.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Applied {
    /// New revisions, kept for the timeline.
    pub stored: usize,
    /// Events whose newest revision changed (a subset of what was stored:
    /// several revisions of one event in a batch advance it once, and an
    /// older revision arriving late advances nothing).
    pub advanced: usize,
    /// `(id, revision)` already stored, or twice in the batch: nothing changed.
    pub duplicate: usize,
    /// Refused records, now in the quarantine table.
    pub quarantined: usize,
    /// What the wall should repaint.
    pub changes: Changes,
}

impl Applied {
    /// Add what a later part of the same batch did.
    fn absorb(&mut self, later: Applied) {
        self.stored += later.stored;
        self.advanced += later.advanced;
        self.duplicate += later.duplicate;
        self.quarantined += later.quarantined;
        let changes = &mut self.changes;
        // A grid's state after the later part is its state after the batch.
        changes.grids.retain(|grid| {
            !later
                .changes
                .grids
                .iter()
                .any(|g| g.grid_id == grid.grid_id)
        });
        changes.grids.extend(later.changes.grids);
        changes.alerts.extend(later.changes.alerts);
        sort_alerts(&mut changes.alerts);
        changes.became_overdue += later.changes.became_overdue;
    }
}

/// Newest first, at most [`MAX_ALERTS`].
fn sort_alerts(alerts: &mut Vec<Alert>) {
    alerts.sort_by(|a, b| b.reported_at.cmp(&a.reported_at).then(a.id.cmp(&b.id)));
    alerts.truncate(MAX_ALERTS);
}

/// What changed for the wall: small deltas, never the whole city.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Changes {
    /// The grids whose counters moved, with their state after the batch.
    pub grids: Vec<GridState>,
    /// Events seen for the first time, open, newest first (at most
    /// [`MAX_ALERTS`] per batch: a history import is not a ticker).
    pub alerts: Vec<Alert>,
    /// Events that passed their deadline while pending.
    pub became_overdue: usize,
}

/// A new event for the ticker.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Alert {
    pub id: String,
    pub grid_id: String,
    pub severity: u8,
    pub source: String,
    pub category: String,
    pub title: String,
    pub reported_at: OffsetDateTime,
}

pub const MAX_ALERTS: usize = 50;

/// Which path a batch takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Path {
    Live,
    Bulk,
}

impl Store {
    /// Land `batch` in one transaction. `now` is the app clock's time: it
    /// advances the overdue clock (see [`Store::refresh_overdue`]) and stamps
    /// quarantined records. A bad record never fails the batch, nor does one
    /// the engine refuses (it is found and quarantined, the rest lands); only
    /// a database error that is not about the data does, and then nothing of
    /// the batch is kept.
    pub async fn apply(&self, batch: &[RawRecord], now: OffsetDateTime) -> Result<Applied> {
        self.apply_inner(batch, None, now, Path::Live).await
    }

    /// [`Store::apply`], and save `cursor` as where `upstream` resumes, in the
    /// same transaction: after a crash the cursor never runs ahead of the data
    /// (nothing lost) and replaying from it only brings duplicates.
    pub async fn apply_from(
        &self,
        upstream: &str,
        batch: &[RawRecord],
        cursor: Option<u64>,
        now: OffsetDateTime,
    ) -> Result<Applied> {
        self.apply_inner(batch, cursor.map(|seq| (upstream, seq)), now, Path::Live)
            .await
    }

    /// [`Store::apply_from`] on the bulk path, for the first import and long
    /// backfills: the same rows, counters and guarantees (a batch and its
    /// cursor commit together), several times faster. The first call opens a
    /// connection of its own and a cache of the newest rows; they are kept
    /// until [`Store::finish_bulk`].
    pub async fn apply_bulk(
        &self,
        upstream: &str,
        batch: &[RawRecord],
        cursor: Option<u64>,
        now: OffsetDateTime,
    ) -> Result<Applied> {
        self.apply_inner(batch, cursor.map(|seq| (upstream, seq)), now, Path::Bulk)
            .await
    }

    /// Close the bulk path's connection and drop its cache (a backfill has
    /// caught up). The next [`Store::apply_bulk`] opens them again.
    pub async fn finish_bulk(&self) {
        let session = self.writer.lock().await.bulk.take();
        if let Some(session) = session {
            session.close().await;
        }
    }

    /// Advance the overdue clock to `now` and count the events whose deadline
    /// passed since the last call (or batch). Visits only those events.
    /// Returns what changed: the grids touched, with their new state.
    pub async fn refresh_overdue(&self, now: OffsetDateTime) -> Result<Changes> {
        let mut writer = self.writer.lock().await;
        let mut tx = self.pool.begin().await?;
        let mut conn = Conn::Any(&mut tx);
        let (_, transitions) = overdue::sweep(&mut conn, now.unix_timestamp()).await?;
        let (statements, grids) = crate::grid::statements(self.backend, &transitions);
        conn.execute_all(&statements).await?;
        conn.execute_all(&crate::kpi::statements(self.backend, &transitions))
            .await?;
        conn.execute_all(&crate::series::statements(self.backend, &transitions))
            .await?;
        tx.commit().await?;
        if let Some(session) = writer.bulk.as_mut() {
            session.absorb(transitions.iter().map(|t| t.new.clone()).collect());
        }
        let ids: Vec<&str> = grids.iter().map(String::as_str).collect();
        Ok(Changes {
            grids: crate::grid::read_grids(&self.pool, self.backend, &ids).await?,
            alerts: Vec::new(),
            became_overdue: transitions.iter().filter(|t| t.became_overdue()).count(),
        })
    }

    /// Land `batch`, or when the engine refuses its data, its halves in
    /// turn (the cursor with the last), down to the one record refused.
    fn apply_inner<'a>(
        &'a self,
        batch: &'a [RawRecord],
        cursor: Option<(&'a str, u64)>,
        now: OffsetDateTime,
        path: Path,
    ) -> Pin<Box<dyn Future<Output = Result<Applied>> + Send + 'a>> {
        Box::pin(async move {
            let refusal = match self.apply_once(batch, cursor, now, path).await {
                Err(Error::Database(error)) if refuses_data(&error) => error,
                other => return other,
            };
            let reason = refusal
                .as_database_error()
                .map_or_else(|| refusal.to_string(), |e| e.message().to_owned());
            if let [record] = batch {
                return self
                    .quarantine_unstorable(record, reason, cursor, now)
                    .await;
            }
            tracing::warn!(
                records = batch.len(),
                %reason,
                "the database refused a batch; landing it in halves to find the record"
            );
            let (first, last) = batch.split_at(batch.len() / 2);
            let mut applied = self.apply_inner(first, None, now, path).await?;
            applied.absorb(self.apply_inner(last, cursor, now, path).await?);
            Ok(applied)
        })
    }

    /// Quarantine the one record the engine refused, and save the cursor.
    async fn quarantine_unstorable(
        &self,
        record: &RawRecord,
        reason: String,
        cursor: Option<(&str, u64)>,
        now: OffsetDateTime,
    ) -> Result<Applied> {
        let now = now.unix_timestamp();
        let refused = crate::Quarantined {
            kind: RejectKind::Unstorable,
            message: storable(reason),
        };
        let _writer = self.writer.lock().await;
        let mut tx = self.pool.begin().await?;
        let mut conn = Conn::Any(&mut tx);
        let quarantined = [(record, refused.clone())];
        conn.execute_all(&land::quarantined(self.backend, &quarantined, now))
            .await?;
        if let Some((upstream, seq)) = cursor {
            conn.execute(&land::cursor(upstream, seq)).await?;
        }
        tx.commit().await?;
        tracing::warn!(
            upstream = %record.upstream,
            kind = refused.kind.as_str(),
            reason = %refused.message,
            "quarantined a record the database refused"
        );
        Ok(Applied {
            quarantined: 1,
            ..Applied::default()
        })
    }

    /// Land `batch` in one transaction on `path`.
    async fn apply_once(
        &self,
        batch: &[RawRecord],
        cursor: Option<(&str, u64)>,
        now: OffsetDateTime,
        path: Path,
    ) -> Result<Applied> {
        let now = now.unix_timestamp();
        let parsed = batch::parse(batch);
        for (record, refused) in &parsed.bad {
            if self.logged.allow(refused.kind, now) {
                tracing::warn!(
                    upstream = %record.upstream,
                    kind = refused.kind.as_str(),
                    reason = %refused.message,
                    "quarantined a record (logged once a minute per kind)"
                );
            }
        }
        // One writer of `events` at a time in this process, so the bulk
        // path's cache sees every change.
        let mut writer = self.writer.lock().await;
        let writer = &mut *writer;
        let mut landed = match path {
            Path::Bulk => {
                if writer.bulk.is_none() {
                    writer.bulk = Some(BulkSession::open(self).await?);
                }
                let session = writer.bulk.as_mut().ok_or(Error::Inconsistent(
                    "the bulk session was just opened".into(),
                ))?;
                session
                    .land(self.backend, &parsed, cursor, now, &writer.last)
                    .await?
            }
            Path::Live => {
                let mut tx = self.pool.begin().await?;
                let landed = batch::land(
                    &mut Conn::Any(&mut tx),
                    self.backend,
                    &parsed,
                    cursor,
                    now,
                    None,
                    &writer.last,
                )
                .await?;
                tx.commit().await?;
                landed
            }
        };
        // Committed: what it stored is now true for the caches too.
        writer
            .last
            .absorb(std::mem::take(&mut landed.records), &landed.rows);
        if let Some(session) = writer.bulk.as_mut() {
            session.absorb(std::mem::take(&mut landed.rows));
        }
        let mut applied = landed.applied;
        let ids: Vec<&str> = landed.grids.iter().map(String::as_str).collect();
        applied.changes.grids = crate::grid::read_grids(&self.pool, self.backend, &ids).await?;
        Ok(applied)
    }

    /// Where `upstream` resumes: the seq saved with its last batch.
    pub async fn cursor(&self, upstream: &str) -> Result<Option<u64>> {
        use sqlx::Row;
        let row = sqlx::query("SELECT seq FROM cursors WHERE upstream = $1")
            .bind(upstream)
            .fetch_optional(&self.pool)
            .await?;
        Ok(match row {
            Some(row) => u64::try_from(row.try_get::<i64, _>("seq")?).ok(),
            None => None,
        })
    }
}

/// Whether the engine refused the data itself, so that the same records
/// would be refused again however often they were retried: PostgreSQL's
/// SQLSTATE classes 22 (data exception: a NUL in text, a value out of range)
/// and 54 (program limit exceeded: an index row too large); SQLite's
/// TOOBIG, CONSTRAINT, MISMATCH and RANGE. Anything else (connection,
/// deadlock, serialization, disk) is the engine's trouble, not the record's.
fn refuses_data(error: &sqlx::Error) -> bool {
    let Some(code) = error.as_database_error().and_then(|e| e.code()) else {
        return false;
    };
    if code.starts_with("22") || code.starts_with("54") {
        return true;
    }
    // SQLite's codes are numbers: the primary code is the low byte.
    code.parse::<u32>()
        .is_ok_and(|code| matches!(code & 0xff, 18 | 19 | 20 | 25))
}
