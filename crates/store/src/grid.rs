//! Per-grid derived state: open events by severity, overdue count, newest
//! event time and the status colour, adjusted by differences, never rescanned.
//!
//! An event contributes to its grid through its newest revision only: one to
//! `open_severity_N` while open, one to `overdue` while pending and past due.
//! When a newer revision lands, the old contribution is taken out and the new
//! one put in (see `ingest::Deltas`). `newest_event_at` is the latest
//! `updated_at` of any revision that became its event's newest in the grid; it
//! never goes back.
//!
//! Overdue depends on time. The store keeps a clock (`store_clock`), the latest
//! `now` it was given; an event is overdue when it is pending and `due_at` is
//! before that clock. Advancing the clock flags the events whose deadline
//! passed in between, found through a partial index of pending, not-yet-overdue
//! events, so each event is visited once when it becomes overdue.
//!
//! Colour rule: **red** if any open event has severity 3 or 4, or any is
//! overdue; **amber** if any event is open; **green** otherwise.

use sqlx::{Any, Row, Transaction};
use time::OffsetDateTime;

use crate::ingest::{Changes, Deltas, EVENT_COLUMNS, EventRow, in_list, placeholders};
use crate::{Backend, Result, Store};

/// The status colour of a grid on the wall.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StatusColour {
    Green,
    Amber,
    Red,
}

impl StatusColour {
    pub fn as_str(self) -> &'static str {
        match self {
            StatusColour::Green => "green",
            StatusColour::Amber => "amber",
            StatusColour::Red => "red",
        }
    }

    fn parse(raw: &str) -> StatusColour {
        match raw {
            "red" => StatusColour::Red,
            "amber" => StatusColour::Amber,
            _ => StatusColour::Green,
        }
    }
}

/// One grid's derived state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GridState {
    pub grid_id: String,
    /// Open events by severity: index 0 is severity 1 (一般), 3 is severity 4.
    pub open_by_severity: [i64; 4],
    pub overdue: i64,
    pub newest_event_at: Option<OffsetDateTime>,
    pub colour: StatusColour,
}

impl GridState {
    pub fn open(&self) -> i64 {
        self.open_by_severity.iter().sum()
    }
}

/// Counter changes of one grid over a batch.
#[derive(Default)]
pub(crate) struct GridDelta {
    pub open: [i64; 4],
    pub overdue: i64,
    pub newest_event_at: Option<i64>,
}

/// Advance the store clock to `now` (never back) and flag the events whose
/// deadline passed since; returns the clock.
pub(crate) async fn sweep_overdue(
    tx: &mut Transaction<'static, Any>,
    now: i64,
    deltas: &mut Deltas,
) -> Result<i64> {
    sqlx::query("UPDATE store_clock SET now = $1 WHERE singleton = 1 AND now < $1")
        .bind(now)
        .execute(&mut **tx)
        .await?;
    let clock: i64 = sqlx::query("SELECT now FROM store_clock WHERE singleton = 1")
        .fetch_one(&mut **tx)
        .await?
        .try_get("now")?;
    // The predicate repeats the partial index's, so the planner can use it.
    let due = sqlx::query(&format!(
        "SELECT {EVENT_COLUMNS} FROM events \
         WHERE pending = 1 AND overdue = 0 AND due_at IS NOT NULL AND due_at < $1"
    ))
    .bind(clock)
    .fetch_all(&mut **tx)
    .await?;
    if due.is_empty() {
        return Ok(clock);
    }
    for row in &due {
        let old = EventRow::from_row(row)?;
        let mut new = old.clone();
        new.overdue = true;
        deltas.replace(Some(&old), &new);
    }
    sqlx::query(
        "UPDATE events SET overdue = 1 \
         WHERE pending = 1 AND overdue = 0 AND due_at IS NOT NULL AND due_at < $1",
    )
    .bind(clock)
    .execute(&mut **tx)
    .await?;
    Ok(clock)
}

/// Rows per multi-row statement: 7 values each, well under both engines'
/// parameter limits.
const GRID_CHUNK: usize = 500;

/// Write the gathered counter changes, recomputing each touched grid's colour
/// in the same statement, and read the touched grids back for the UI.
pub(crate) async fn write_grid_deltas(
    tx: &mut Transaction<'static, Any>,
    backend: Backend,
    deltas: &Deltas,
    changes: &mut Changes,
) -> Result<()> {
    let touched: Vec<(&String, &GridDelta)> = deltas.grids.iter().collect();
    for chunk in touched.chunks(GRID_CHUNK) {
        // Each counter is the stored one plus the delta; the colour is
        // computed from those same sums. CASE rather than SQLite's max() or
        // PostgreSQL's GREATEST, so the statement runs on both.
        let sql = format!(
            "INSERT INTO grid_state AS g (grid_id, open_severity_1, open_severity_2, \
             open_severity_3, open_severity_4, overdue, newest_event_at, colour) VALUES {} \
             ON CONFLICT (grid_id) DO UPDATE SET \
             open_severity_1 = g.open_severity_1 + excluded.open_severity_1, \
             open_severity_2 = g.open_severity_2 + excluded.open_severity_2, \
             open_severity_3 = g.open_severity_3 + excluded.open_severity_3, \
             open_severity_4 = g.open_severity_4 + excluded.open_severity_4, \
             overdue = g.overdue + excluded.overdue, \
             newest_event_at = CASE \
               WHEN g.newest_event_at IS NULL OR excluded.newest_event_at > g.newest_event_at \
               THEN COALESCE(excluded.newest_event_at, g.newest_event_at) \
               ELSE g.newest_event_at END, \
             colour = CASE \
               WHEN g.open_severity_3 + excluded.open_severity_3 \
                  + g.open_severity_4 + excluded.open_severity_4 > 0 \
                 OR g.overdue + excluded.overdue > 0 THEN 'red' \
               WHEN g.open_severity_1 + excluded.open_severity_1 \
                  + g.open_severity_2 + excluded.open_severity_2 > 0 THEN 'amber' \
               ELSE 'green' END",
            placeholders(backend, chunk.len(), 8)
        );
        let mut query = sqlx::query(&sql);
        for (grid_id, delta) in chunk {
            // A grid seen for the first time takes the deltas as its counts.
            let colour = if delta.open[2] + delta.open[3] > 0 || delta.overdue > 0 {
                "red"
            } else if delta.open[0] + delta.open[1] > 0 {
                "amber"
            } else {
                "green"
            };
            query = query
                .bind(grid_id.as_str())
                .bind(delta.open[0])
                .bind(delta.open[1])
                .bind(delta.open[2])
                .bind(delta.open[3])
                .bind(delta.overdue)
                .bind(delta.newest_event_at)
                .bind(colour);
        }
        query.execute(&mut **tx).await?;

        let ids: Vec<&str> = chunk.iter().map(|(id, _)| id.as_str()).collect();
        changes
            .grids
            .extend(read_grids(&mut **tx, backend, &ids).await?);
    }
    Ok(())
}

const GRID_COLUMNS: &str = "grid_id, open_severity_1, open_severity_2, open_severity_3, \
     open_severity_4, overdue, newest_event_at, colour";

async fn read_grids<'c, E>(executor: E, backend: Backend, ids: &[&str]) -> Result<Vec<GridState>>
where
    E: sqlx::Executor<'c, Database = Any>,
{
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT {GRID_COLUMNS} FROM grid_state WHERE grid_id IN ({}) ORDER BY grid_id",
        in_list(backend, ids.len())
    );
    let mut query = sqlx::query(&sql);
    for id in ids {
        query = query.bind(*id);
    }
    let rows = query.fetch_all(executor).await?;
    rows.iter().map(grid_from_row).collect()
}

fn grid_from_row(row: &sqlx::any::AnyRow) -> Result<GridState> {
    let newest: Option<i64> = row.try_get("newest_event_at")?;
    let colour: String = row.try_get("colour")?;
    Ok(GridState {
        grid_id: row.try_get("grid_id")?,
        open_by_severity: [
            row.try_get("open_severity_1")?,
            row.try_get("open_severity_2")?,
            row.try_get("open_severity_3")?,
            row.try_get("open_severity_4")?,
        ],
        overdue: row.try_get("overdue")?,
        newest_event_at: newest.and_then(|at| OffsetDateTime::from_unix_timestamp(at).ok()),
        colour: StatusColour::parse(&colour),
    })
}

impl Store {
    /// Advance the overdue clock to `now` and count the events whose deadline
    /// passed since the last call (or batch). Visits only those events.
    /// Returns what changed: the grids touched, with their new state.
    pub async fn refresh_overdue(&self, now: OffsetDateTime) -> Result<Changes> {
        let mut tx = self.pool.begin().await?;
        let mut deltas = Deltas::default();
        sweep_overdue(&mut tx, now.unix_timestamp(), &mut deltas).await?;
        let mut changes = Changes {
            became_overdue: deltas.became_overdue,
            ..Changes::default()
        };
        crate::ingest::write_deltas(&mut tx, self.backend, &deltas, &mut changes).await?;
        tx.commit().await?;
        Ok(changes)
    }

    pub async fn grid_state(&self, grid_id: &str) -> Result<Option<GridState>> {
        Ok(read_grids(&self.pool, self.backend, &[grid_id])
            .await?
            .into_iter()
            .next())
    }

    /// The state of each of `ids` that has had an event.
    pub async fn grid_states_of(&self, ids: &[&str]) -> Result<Vec<GridState>> {
        read_grids(&self.pool, self.backend, ids).await
    }

    /// Every grid that has had an event, by id: what the wall paints at start.
    pub async fn grid_states(&self) -> Result<Vec<GridState>> {
        let rows = sqlx::query(&format!(
            "SELECT {GRID_COLUMNS} FROM grid_state ORDER BY grid_id"
        ))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(grid_from_row).collect()
    }

    /// Each grid's earliest deadline (unix seconds) among its pending events
    /// that are not yet overdue, by grid id: the map's time-to-breach layer.
    /// Reads the `events_due` index, so it costs what is pending, not history.
    pub async fn next_due_by_grid(&self) -> Result<Vec<(String, i64)>> {
        let rows = sqlx::query(
            "SELECT grid_id, MIN(due_at) AS next_due FROM events \
             WHERE pending = 1 AND overdue = 0 AND due_at IS NOT NULL \
             GROUP BY grid_id ORDER BY grid_id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| Ok((row.try_get("grid_id")?, row.try_get("next_due")?)))
            .collect()
    }

    /// The overdue clock: the latest `now` the store was given (unix seconds).
    pub async fn clock(&self) -> Result<i64> {
        Ok(
            sqlx::query("SELECT now FROM store_clock WHERE singleton = 1")
                .fetch_one(&self.pool)
                .await?
                .try_get("now")?,
        )
    }
}
