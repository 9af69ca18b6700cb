//! Per-grid derived state: open events by severity, overdue count, newest
//! event time and the status colour, adjusted by differences, never rescanned.
//!
//! An event contributes to its grid through its newest revision only: one to
//! `open_severity_N` while open, one to `overdue` while open and past due.
//! When a newer revision lands, the old contribution is taken out and the new
//! one put in. `newest_event_at` is the latest `updated_at` of any revision that
//! became its event's newest in the grid; it never goes back.
//!
//! Overdue depends on time. The store keeps a clock (`store_clock`), the latest
//! `now` it was given; an event is overdue when it is open and `due_at` is
//! before that clock. Advancing the clock flags the events whose deadline
//! passed in between, found through a partial index of open, not-yet-overdue
//! events, so each event is visited once when it becomes overdue.
//!
//! Colour rule: **red** if any open event has severity 3 or 4, or any is
//! overdue; **amber** if any event is open; **green** otherwise.

use std::collections::BTreeMap;

use sqlx::{Row, Sqlite, Transaction};
use time::OffsetDateTime;

use crate::{Result, Store};

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

/// What one newest revision adds to its grid.
pub(crate) struct Contribution {
    pub grid_id: String,
    pub severity: i64,
    pub is_open: bool,
    pub overdue: bool,
    pub updated_at: i64,
}

#[derive(Default)]
struct Delta {
    open: [i64; 4],
    overdue: i64,
    newest_event_at: Option<i64>,
}

/// Counter changes gathered over a batch, written once per grid at its end.
/// A BTreeMap so grids are written in a fixed order.
#[derive(Default)]
pub(crate) struct Deltas(BTreeMap<String, Delta>);

impl Deltas {
    fn entry(&mut self, grid_id: &str) -> &mut Delta {
        self.0.entry(grid_id.to_owned()).or_default()
    }

    pub fn remove(&mut self, old: &Contribution) {
        self.shift(old, -1);
    }

    pub fn add(&mut self, new: &Contribution) {
        self.shift(new, 1);
        let delta = self.entry(&new.grid_id);
        delta.newest_event_at = delta.newest_event_at.max(Some(new.updated_at));
    }

    fn shift(&mut self, c: &Contribution, by: i64) {
        let delta = self.entry(&c.grid_id);
        if c.is_open {
            // Severity is 1..=4 by the parser; clamp so a bad row cannot index out.
            let index = usize::try_from(c.severity.clamp(1, 4) - 1).unwrap_or(0);
            delta.open[index] += by;
        }
        if c.overdue {
            delta.overdue += by;
        }
    }
}

/// Advance the store clock to `now` (never back) and flag the events whose
/// deadline passed since; returns the clock.
pub(crate) async fn sweep_overdue(
    tx: &mut Transaction<'static, Sqlite>,
    now: i64,
    deltas: &mut Deltas,
) -> Result<i64> {
    sqlx::query("UPDATE store_clock SET now = ? WHERE singleton = 1 AND now < ?")
        .bind(now)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    let clock: i64 = sqlx::query("SELECT now FROM store_clock WHERE singleton = 1")
        .fetch_one(&mut **tx)
        .await?
        .try_get("now")?;
    // The predicate repeats the partial index's, so the planner can use it.
    let due = sqlx::query(
        "SELECT grid_id FROM events \
         WHERE is_open = 1 AND overdue = 0 AND due_at IS NOT NULL AND due_at < ?",
    )
    .bind(clock)
    .fetch_all(&mut **tx)
    .await?;
    if due.is_empty() {
        return Ok(clock);
    }
    for row in &due {
        let grid_id: String = row.try_get("grid_id")?;
        deltas.entry(&grid_id).overdue += 1;
    }
    sqlx::query(
        "UPDATE events SET overdue = 1 \
         WHERE is_open = 1 AND overdue = 0 AND due_at IS NOT NULL AND due_at < ?",
    )
    .bind(clock)
    .execute(&mut **tx)
    .await?;
    Ok(clock)
}

/// Write the gathered counter changes and recompute each touched grid's colour.
pub(crate) async fn apply_deltas(
    tx: &mut Transaction<'static, Sqlite>,
    deltas: Deltas,
) -> Result<()> {
    for (grid_id, delta) in deltas.0 {
        // A CASE rather than SQLite's two-argument max() or PostgreSQL's
        // GREATEST, so the statement runs on both.
        sqlx::query(
            "INSERT INTO grid_state (grid_id, open_severity_1, open_severity_2, open_severity_3, \
             open_severity_4, overdue, newest_event_at) VALUES (?, ?, ?, ?, ?, ?, ?) \
             ON CONFLICT (grid_id) DO UPDATE SET \
             open_severity_1 = grid_state.open_severity_1 + excluded.open_severity_1, \
             open_severity_2 = grid_state.open_severity_2 + excluded.open_severity_2, \
             open_severity_3 = grid_state.open_severity_3 + excluded.open_severity_3, \
             open_severity_4 = grid_state.open_severity_4 + excluded.open_severity_4, \
             overdue = grid_state.overdue + excluded.overdue, \
             newest_event_at = CASE \
               WHEN grid_state.newest_event_at IS NULL \
                 OR excluded.newest_event_at > grid_state.newest_event_at \
               THEN COALESCE(excluded.newest_event_at, grid_state.newest_event_at) \
               ELSE grid_state.newest_event_at END",
        )
        .bind(&grid_id)
        .bind(delta.open[0])
        .bind(delta.open[1])
        .bind(delta.open[2])
        .bind(delta.open[3])
        .bind(delta.overdue)
        .bind(delta.newest_event_at)
        .execute(&mut **tx)
        .await?;
        sqlx::query(
            "UPDATE grid_state SET colour = CASE \
               WHEN open_severity_3 + open_severity_4 > 0 OR overdue > 0 THEN 'red' \
               WHEN open_severity_1 + open_severity_2 > 0 THEN 'amber' \
               ELSE 'green' END \
             WHERE grid_id = ?",
        )
        .bind(&grid_id)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

impl Store {
    /// Advance the overdue clock to `now` and count the events whose deadline
    /// passed since the last call (or batch). Visits only those events.
    /// Returns how many became overdue.
    pub async fn refresh_overdue(&self, now: OffsetDateTime) -> Result<usize> {
        let mut tx = self.pool.begin().await?;
        let mut deltas = Deltas::default();
        sweep_overdue(&mut tx, now.unix_timestamp(), &mut deltas).await?;
        let became: i64 = deltas.0.values().map(|delta| delta.overdue).sum();
        apply_deltas(&mut tx, deltas).await?;
        tx.commit().await?;
        Ok(usize::try_from(became).unwrap_or(0))
    }

    pub async fn grid_state(&self, grid_id: &str) -> Result<Option<GridState>> {
        let row = sqlx::query(
            "SELECT grid_id, open_severity_1, open_severity_2, open_severity_3, open_severity_4, \
             overdue, newest_event_at, colour FROM grid_state WHERE grid_id = ?",
        )
        .bind(grid_id)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let newest: Option<i64> = row.try_get("newest_event_at")?;
        let colour: String = row.try_get("colour")?;
        Ok(Some(GridState {
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
        }))
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
