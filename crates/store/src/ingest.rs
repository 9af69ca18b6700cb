//! Landing a batch of raw records: one transaction per batch, a handful of
//! multi-row statements per batch rather than several per record.
//!
//! 1. Every record is parsed on its own; a bad one goes to quarantine and the
//!    batch goes on.
//! 2. The good ones are inserted into `event_revisions` in chunks; a
//!    duplicate `(id, revision)` changes nothing (`ON CONFLICT DO NOTHING`,
//!    and `RETURNING` says which rows were new).
//! 3. The `events` rows of the ids that got new revisions are read in one
//!    query; per id, the highest new revision replaces the row when it is newer.
//! 4. Derived state (grid counters, KPI counters) moves by the difference
//!    between each replaced row and its replacement (`Deltas`), so nothing
//!    on this path scans more than the rows the batch changes.
//!
//! No single record may stop the feed (issue 18). Parsing makes every text
//! the contract allows storable on both engines (see [`crate::parse`]), but
//! an engine can still refuse a record for a reason of its own (on
//! PostgreSQL, an id longer than a B-tree entry can hold). When the engine
//! refuses a batch's data, the batch is landed again in halves, recursively,
//! until the record it refuses is alone; that one goes to quarantine as
//! `unstorable` with the engine's message, and the rest lands. A batch of
//! 1,000 with one such record costs about twenty transactions, once. Errors
//! that are not about the data (a lost connection, a deadlock, a full disk)
//! still fail the batch, so ingest retries it whole rather than quarantining
//! good records.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::future::Future;
use std::pin::Pin;

use gridwall_domain::governance::{Event, EventState, MediationOutcome};
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};
use time::OffsetDateTime;

use crate::grid::{self, GridDelta, GridState};
use crate::kpi;
use crate::parse::{RejectKind, parse_event, storable};
use crate::{Backend, Error, Result, Store};

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

/// The columns of `events` that derived state depends on, as one struct:
/// built from a landed [`Event`] or read back from the table.
#[derive(Clone, Debug)]
pub(crate) struct EventRow {
    pub id: String,
    pub grid_id: String,
    pub village_code: String,
    pub town_code: String,
    pub source: String,
    pub category: String,
    pub severity: i64,
    pub state: String,
    pub is_open: bool,
    pub pending: bool,
    pub overdue: bool,
    pub mediation_outcome: Option<String>,
    pub reported_at: i64,
    pub updated_at: i64,
    pub due_at: Option<i64>,
    pub finished_at: Option<i64>,
}

pub(crate) const EVENT_COLUMNS: &str = "id, grid_id, village_code, town_code, source, category, \
     severity, state, is_open, pending, overdue, mediation_outcome, reported_at, updated_at, \
     due_at, finished_at";

impl EventRow {
    pub(crate) fn from_row(row: &AnyRow) -> Result<EventRow> {
        Ok(EventRow {
            id: row.try_get("id")?,
            grid_id: row.try_get("grid_id")?,
            village_code: row.try_get("village_code")?,
            town_code: row.try_get("town_code")?,
            source: row.try_get("source")?,
            category: row.try_get("category")?,
            severity: row.try_get("severity")?,
            state: row.try_get("state")?,
            is_open: row.try_get::<i64, _>("is_open")? != 0,
            pending: row.try_get::<i64, _>("pending")? != 0,
            overdue: row.try_get::<i64, _>("overdue")? != 0,
            mediation_outcome: row.try_get("mediation_outcome")?,
            reported_at: row.try_get("reported_at")?,
            updated_at: row.try_get("updated_at")?,
            due_at: row.try_get("due_at")?,
            finished_at: row.try_get("finished_at")?,
        })
    }

    /// The row for `event` as its event's newest revision, given the row it
    /// replaces (for `finished_at`) and the store clock (for `overdue`).
    fn from_event(event: &Event, finished_at: Option<i64>, clock: i64) -> EventRow {
        let due_at = event.due_at.map(OffsetDateTime::unix_timestamp);
        let pending = is_pending(event.state);
        let (village_code, town_code) = divisions_of(&event.grid_id);
        EventRow {
            id: event.id.clone(),
            grid_id: event.grid_id.clone(),
            village_code,
            town_code,
            source: event.source.as_str().to_owned(),
            category: event.category.as_str().to_owned(),
            severity: i64::from(event.severity.get()),
            state: event.state.as_str().to_owned(),
            is_open: !event.state.is_terminal(),
            pending,
            overdue: pending && due_at.is_some_and(|due| due < clock),
            mediation_outcome: event.mediation_outcome.map(|o| outcome_str(o).to_owned()),
            reported_at: event.reported_at.unix_timestamp(),
            updated_at: event.updated_at.unix_timestamp(),
            due_at,
            finished_at,
        }
    }
}

/// Awaiting resolution: the states in which a deadline can be missed.
fn is_pending(state: EventState) -> bool {
    matches!(
        state,
        EventState::Reported
            | EventState::Accepted
            | EventState::Dispatched
            | EventState::InProgress
            | EventState::Returned
            | EventState::Escalated
    )
}

/// Resolved or closed: the loop's work is done.
pub(crate) fn is_finished(state: EventState) -> bool {
    matches!(state, EventState::Resolved | EventState::Closed)
}

fn outcome_str(outcome: MediationOutcome) -> &'static str {
    match outcome {
        MediationOutcome::Success => "success",
        MediationOutcome::Failed => "failed",
        MediationOutcome::Pending => "pending",
    }
}

/// The village and town codes of a grid id (`<12-digit village>G<NN>`; the
/// town is the village's first nine digits and `000`). Empty strings for an
/// id that does not follow the contract's pattern.
pub fn divisions_of(grid_id: &str) -> (String, String) {
    match grid_id.split_once('G') {
        Some((village, _))
            if village.len() == 12 && village.bytes().all(|b| b.is_ascii_digit()) =>
        {
            (village.to_owned(), format!("{}000", &village[..9]))
        }
        _ => (String::new(), String::new()),
    }
}

/// Derived-state changes gathered over a batch, written once at its end.
/// BTreeMaps so rows are written in a fixed order (no lock-order deadlocks
/// between two consoles writing one PostgreSQL).
#[derive(Default)]
pub(crate) struct Deltas {
    pub grids: BTreeMap<String, GridDelta>,
    pub kpi: BTreeMap<(i64, String, &'static str), i64>,
    pub handling: BTreeMap<(i64, String, i64), i64>,
    pub became_overdue: usize,
}

impl Deltas {
    /// Take `old`'s contribution out (if any) and put `new`'s in.
    pub fn replace(&mut self, old: Option<&EventRow>, new: &EventRow) {
        if let Some(old) = old {
            self.shift(old, -1);
            if !old.overdue && new.overdue {
                self.became_overdue += 1;
            }
        }
        self.shift(new, 1);
        let delta = self.grids.entry(new.grid_id.clone()).or_default();
        delta.newest_event_at = delta.newest_event_at.max(Some(new.updated_at));
    }

    fn shift(&mut self, row: &EventRow, by: i64) {
        let delta = self.grids.entry(row.grid_id.clone()).or_default();
        if row.is_open {
            // Severity is 1..=4 by the parser; clamp so a bad row cannot index out.
            let index = usize::try_from(row.severity.clamp(1, 4) - 1).unwrap_or(0);
            delta.open[index] += by;
        }
        if row.overdue {
            delta.overdue += by;
        }
        let day = kpi::local_day(row.reported_at);
        for metric in kpi::metrics_of(row) {
            *self
                .kpi
                .entry((day, row.town_code.clone(), metric))
                .or_default() += by;
        }
        if let Some(bucket) = kpi::handling_bucket(row) {
            *self
                .handling
                .entry((day, row.town_code.clone(), bucket))
                .or_default() += by;
        }
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

/// Rows per multi-row statement. The widest statement (events, 22 values a
/// row) then binds 8,800 values: under SQLite's 32,766 and PostgreSQL's 65,535.
const CHUNK: usize = 400;

impl Store {
    /// Land `batch` in one transaction. `now` is the app clock's time: it
    /// advances the overdue clock (see [`Store::refresh_overdue`]) and stamps
    /// quarantined records. A bad record never fails the batch, nor does one
    /// the engine refuses (it is found and quarantined, the rest lands); only
    /// a database error that is not about the data does, and then nothing of
    /// the batch is kept.
    pub async fn apply(&self, batch: &[RawRecord], now: OffsetDateTime) -> Result<Applied> {
        self.apply_inner(batch, None, now).await
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
        self.apply_inner(batch, cursor.map(|seq| (upstream, seq)), now)
            .await
    }

    /// Land `batch`, or when the engine refuses its data, its halves in
    /// turn (the cursor with the last), down to the one record refused.
    fn apply_inner<'a>(
        &'a self,
        batch: &'a [RawRecord],
        cursor: Option<(&'a str, u64)>,
        now: OffsetDateTime,
    ) -> Pin<Box<dyn Future<Output = Result<Applied>> + Send + 'a>> {
        Box::pin(async move {
            let refusal = match self.apply_once(batch, cursor, now).await {
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
            let mut applied = self.apply_inner(first, None, now).await?;
            applied.absorb(self.apply_inner(last, cursor, now).await?);
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
        let mut tx = self.pool.begin().await?;
        insert_quarantined(&mut tx, self.backend, &[(record, refused.clone())], now).await?;
        if let Some((upstream, seq)) = cursor {
            save_cursor(&mut tx, upstream, seq).await?;
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

    /// Land `batch` in one transaction.
    async fn apply_once(
        &self,
        batch: &[RawRecord],
        cursor: Option<(&str, u64)>,
        now: OffsetDateTime,
    ) -> Result<Applied> {
        let now = now.unix_timestamp();
        let mut applied = Applied::default();

        // Parse outside the transaction: it is most of the CPU of a batch.
        let mut good: Vec<(Event, &RawRecord)> = Vec::with_capacity(batch.len());
        let mut bad = Vec::new();
        let mut seen = HashSet::with_capacity(batch.len());
        for record in batch {
            match parse_event(&record.body) {
                Ok(event) => {
                    if seen.insert((event.id.clone(), event.revision)) {
                        good.push((event, record));
                    } else {
                        applied.duplicate += 1;
                    }
                }
                Err(refused) => bad.push((record, refused)),
            }
        }

        let mut tx = self.pool.begin().await?;
        // A write first, so on SQLite this transaction holds the write lock
        // from the start and two batches never deadlock upgrading a read lock.
        let mut deltas = Deltas::default();
        let clock = grid::sweep_overdue(&mut tx, now, &mut deltas).await?;

        insert_quarantined(&mut tx, self.backend, &bad, now).await?;
        for (record, refused) in &bad {
            if self.logged.allow(refused.kind, now) {
                tracing::warn!(
                    upstream = %record.upstream,
                    kind = refused.kind.as_str(),
                    reason = %refused.message,
                    "quarantined a record (logged once a minute per kind)"
                );
            }
        }
        applied.quarantined = bad.len();

        // Which revisions are new.
        let mut new_revisions: HashSet<(String, i64)> = HashSet::with_capacity(good.len());
        for chunk in good.chunks(CHUNK) {
            let sql = format!(
                "INSERT INTO event_revisions (id, revision, seq, state, updated_at, upstream, raw) \
                 VALUES {} ON CONFLICT (id, revision) DO NOTHING RETURNING id, revision",
                placeholders(self.backend, chunk.len(), 7)
            );
            let mut query = sqlx::query(&sql);
            for (event, record) in chunk {
                query = query
                    .bind(event.id.as_str())
                    .bind(i64::from(event.revision))
                    .bind(seq_column(event.seq))
                    .bind(event.state.as_str())
                    .bind(event.updated_at.unix_timestamp())
                    .bind(record.upstream.as_str())
                    // Parsing succeeded, so the body is UTF-8.
                    .bind(String::from_utf8_lossy(&record.body).into_owned());
            }
            for row in query.fetch_all(&mut *tx).await? {
                new_revisions.insert((row.try_get("id")?, row.try_get("revision")?));
            }
        }
        applied.stored = new_revisions.len();
        applied.duplicate += good.len() - new_revisions.len();

        // Per id: the highest new revision, and the earliest time a new
        // revision shows it finished (a late, older revision can move
        // `finished_at` earlier).
        let mut candidates: HashMap<&str, (&Event, Option<i64>)> = HashMap::new();
        for (event, _) in &good {
            if !new_revisions.contains(&(event.id.clone(), i64::from(event.revision))) {
                continue;
            }
            let finished = is_finished(event.state).then(|| event.updated_at.unix_timestamp());
            let entry = candidates
                .entry(event.id.as_str())
                .or_insert((event, finished));
            if event.revision > entry.0.revision {
                entry.0 = event;
            }
            entry.1 = min_some(entry.1, finished);
        }

        let ids: Vec<&str> = candidates.keys().copied().collect();
        let mut stored: HashMap<String, (i64, EventRow)> = HashMap::with_capacity(ids.len());
        for chunk in ids.chunks(CHUNK) {
            let sql = format!(
                "SELECT revision, {EVENT_COLUMNS} FROM events WHERE id IN ({})",
                in_list(self.backend, chunk.len())
            );
            let mut query = sqlx::query(&sql);
            for id in chunk {
                query = query.bind(*id);
            }
            for row in query.fetch_all(&mut *tx).await? {
                let event_row = EventRow::from_row(&row)?;
                stored.insert(event_row.id.clone(), (row.try_get("revision")?, event_row));
            }
        }

        // Decide each id's new row.
        let mut upserts: Vec<(&Event, EventRow)> = Vec::new();
        let mut alerts = Vec::new();
        let mut ids_sorted = ids;
        ids_sorted.sort_unstable();
        for id in ids_sorted {
            let (event, batch_finished) = candidates[id];
            let old = stored.get(id);
            let old_finished = old.and_then(|(_, row)| row.finished_at);
            let finished_at = min_some(old_finished, batch_finished);
            match old {
                Some((revision, old_row)) if *revision >= i64::from(event.revision) => {
                    // An older revision: only `finished_at` can move.
                    if finished_at != old_finished {
                        let mut new_row = old_row.clone();
                        new_row.finished_at = finished_at;
                        deltas.replace(Some(old_row), &new_row);
                        sqlx::query("UPDATE events SET finished_at = $1 WHERE id = $2")
                            .bind(finished_at)
                            .bind(id)
                            .execute(&mut *tx)
                            .await?;
                    }
                }
                _ => {
                    let new_row = EventRow::from_event(event, finished_at, clock);
                    deltas.replace(old.map(|(_, row)| row), &new_row);
                    if old.is_none() && new_row.is_open {
                        alerts.push(Alert {
                            id: event.id.clone(),
                            grid_id: event.grid_id.clone(),
                            severity: event.severity.get(),
                            source: new_row.source.clone(),
                            category: new_row.category.clone(),
                            title: event.title.clone(),
                            reported_at: event.reported_at,
                        });
                    }
                    upserts.push((event, new_row));
                }
            }
        }
        applied.advanced = upserts.len();

        for chunk in upserts.chunks(CHUNK) {
            upsert_events(&mut tx, self.backend, chunk).await?;
        }

        if let Some((upstream, seq)) = cursor {
            save_cursor(&mut tx, upstream, seq).await?;
        }

        let mut changes = Changes {
            became_overdue: deltas.became_overdue,
            ..Changes::default()
        };
        write_deltas(&mut tx, self.backend, &deltas, &mut changes).await?;
        tx.commit().await?;

        sort_alerts(&mut alerts);
        changes.alerts = alerts;
        applied.changes = changes;
        Ok(applied)
    }

    /// Where `upstream` resumes: the seq saved with its last batch.
    pub async fn cursor(&self, upstream: &str) -> Result<Option<u64>> {
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

/// Keep refused records with their reasons, each once per upstream however
/// often it is delivered (the unique key of `quarantine`; no conflict target,
/// because it differs between the engines' migrations).
async fn insert_quarantined(
    tx: &mut Transaction<'static, Any>,
    backend: Backend,
    refused: &[(&RawRecord, crate::Quarantined)],
    now: i64,
) -> Result<()> {
    for chunk in refused.chunks(CHUNK) {
        let sql = format!(
            "INSERT INTO quarantine (upstream, kind, reason, received_at, raw) VALUES {} \
             ON CONFLICT DO NOTHING",
            placeholders(backend, chunk.len(), 5)
        );
        let mut query = sqlx::query(&sql);
        for (record, refused) in chunk {
            query = query
                .bind(record.upstream.as_str())
                .bind(refused.kind.as_str())
                .bind(refused.message.as_str())
                .bind(now)
                .bind(record.body.as_slice());
        }
        query.execute(&mut **tx).await?;
    }
    Ok(())
}

/// Save `seq` as where `upstream` resumes.
async fn save_cursor(tx: &mut Transaction<'static, Any>, upstream: &str, seq: u64) -> Result<()> {
    sqlx::query(
        "INSERT INTO cursors (upstream, seq) VALUES ($1, $2) \
         ON CONFLICT (upstream) DO UPDATE SET seq = excluded.seq",
    )
    .bind(upstream)
    .bind(seq_column(seq))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Write every derived-state delta of a batch.
pub(crate) async fn write_deltas(
    tx: &mut Transaction<'static, Any>,
    backend: Backend,
    deltas: &Deltas,
    changes: &mut Changes,
) -> Result<()> {
    grid::write_grid_deltas(tx, backend, deltas, changes).await?;
    kpi::write_kpi_deltas(tx, backend, deltas).await
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

async fn upsert_events(
    tx: &mut Transaction<'static, Any>,
    backend: Backend,
    chunk: &[(&Event, EventRow)],
) -> Result<()> {
    let sql = format!(
        "INSERT INTO events (id, revision, seq, source, category, severity, state, is_open, \
         pending, overdue, grid_id, micro_grid_id, village_code, town_code, title, address, \
         lon, lat, mediation_outcome, reported_at, updated_at, due_at, finished_at) VALUES {} \
         ON CONFLICT (id) DO UPDATE SET revision = excluded.revision, seq = excluded.seq, \
         source = excluded.source, category = excluded.category, severity = excluded.severity, \
         state = excluded.state, is_open = excluded.is_open, pending = excluded.pending, \
         overdue = excluded.overdue, grid_id = excluded.grid_id, \
         micro_grid_id = excluded.micro_grid_id, village_code = excluded.village_code, \
         town_code = excluded.town_code, title = excluded.title, address = excluded.address, \
         lon = excluded.lon, lat = excluded.lat, mediation_outcome = excluded.mediation_outcome, \
         reported_at = excluded.reported_at, updated_at = excluded.updated_at, \
         due_at = excluded.due_at, finished_at = excluded.finished_at",
        placeholders(backend, chunk.len(), 23)
    );
    let mut query = sqlx::query(&sql);
    for (event, row) in chunk {
        query = query
            .bind(row.id.as_str())
            .bind(i64::from(event.revision))
            .bind(seq_column(event.seq))
            .bind(row.source.as_str())
            .bind(row.category.as_str())
            .bind(row.severity)
            .bind(row.state.as_str())
            .bind(i64::from(row.is_open))
            .bind(i64::from(row.pending))
            .bind(i64::from(row.overdue))
            .bind(row.grid_id.as_str())
            .bind(event.micro_grid_id.as_deref())
            .bind(row.village_code.as_str())
            .bind(row.town_code.as_str())
            .bind(event.title.as_str())
            .bind(event.address.as_str())
            .bind(event.location.map(|[lon, _]| lon))
            .bind(event.location.map(|[_, lat]| lat))
            .bind(row.mediation_outcome.as_deref())
            .bind(row.reported_at)
            .bind(row.updated_at)
            .bind(row.due_at)
            .bind(row.finished_at);
    }
    query.execute(&mut **tx).await?;
    Ok(())
}

fn min_some(a: Option<i64>, b: Option<i64>) -> Option<i64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// `seq` is an unsigned 64-bit cursor; SQL has signed 64-bit integers. The
/// contract's seqs start at 1 and grow by one, so they fit; a seq past
/// `i64::MAX` is stored as `i64::MAX` rather than wrapping negative.
fn seq_column(seq: u64) -> i64 {
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
    fn divisions_follow_the_grid_id_pattern() {
        assert_eq!(
            divisions_of("330282004001G03"),
            ("330282004001".to_owned(), "330282004000".to_owned())
        );
        assert_eq!(divisions_of("G1"), (String::new(), String::new()));
        assert_eq!(
            divisions_of("33028200400xG03"),
            (String::new(), String::new())
        );
    }
}
