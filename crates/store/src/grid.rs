//! Per-grid derived state: open events by severity, overdue count, newest
//! event time and the status colour, adjusted by differences, never rescanned.
//!
//! An event contributes to its grid through its newest revision only: one to
//! `open_severity_N` while open, one to `overdue` while pending and past due.
//! When a newer revision lands, the old contribution is taken out and the new
//! one put in (see `crate::newest::Transition`). `newest_event_at` is the latest
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

use std::collections::BTreeMap;

use sqlx::{Any, Row};
use time::OffsetDateTime;

use crate::newest::{EventRow, Transition};
use crate::sql::{Statement, in_list, placeholders};
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
struct GridDelta {
    open: [i64; 4],
    overdue: i64,
    newest_event_at: Option<i64>,
}

impl GridDelta {
    /// Add (`by` = 1) or take out (`by` = -1) one event row's contribution.
    fn shift(&mut self, row: &EventRow, by: i64) {
        if row.is_open {
            // Severity is 1..=4 by the parser; clamp so a bad row cannot index out.
            let index = usize::try_from(row.severity.clamp(1, 4) - 1).unwrap_or(0);
            self.open[index] += by;
        }
        if row.overdue {
            self.overdue += by;
        }
    }
}

/// Rows per multi-row statement: 8 values each, well under both engines'
/// parameter limits.
const GRID_CHUNK: usize = 500;

/// The grid counters' writer: the statements that move `grid_state` by
/// `transitions`, recomputing each touched grid's colour in the same
/// statement. Rows in grid order, so two writers on one PostgreSQL take
/// their locks in one order. Returns them with the touched grids' ids.
pub(crate) fn statements(
    backend: Backend,
    transitions: &[Transition],
) -> (Vec<Statement<'static>>, Vec<String>) {
    let mut deltas: BTreeMap<&str, GridDelta> = BTreeMap::new();
    for t in transitions {
        if let Some(old) = &t.old {
            deltas.entry(&old.grid_id).or_default().shift(old, -1);
        }
        let delta = deltas.entry(&t.new.grid_id).or_default();
        delta.shift(&t.new, 1);
        delta.newest_event_at = delta.newest_event_at.max(Some(t.new.updated_at));
    }
    let touched: Vec<(&str, GridDelta)> = deltas.into_iter().collect();
    let mut out = Vec::new();
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
        let mut statement = Statement::new(sql);
        for (grid_id, delta) in chunk {
            // A grid seen for the first time takes the deltas as its counts.
            let colour = if delta.open[2] + delta.open[3] > 0 || delta.overdue > 0 {
                "red"
            } else if delta.open[0] + delta.open[1] > 0 {
                "amber"
            } else {
                "green"
            };
            statement = statement
                .bind((*grid_id).to_owned())
                .bind(delta.open[0])
                .bind(delta.open[1])
                .bind(delta.open[2])
                .bind(delta.open[3])
                .bind(delta.overdue)
                .bind(delta.newest_event_at)
                .bind(colour.to_owned());
        }
        out.push(statement);
    }
    let ids = touched.into_iter().map(|(id, _)| id.to_owned()).collect();
    (out, ids)
}

const GRID_COLUMNS: &str = "grid_id, open_severity_1, open_severity_2, open_severity_3, \
     open_severity_4, overdue, newest_event_at, colour";

pub(crate) async fn read_grids<'c, E>(
    executor: E,
    backend: Backend,
    ids: &[&str],
) -> Result<Vec<GridState>>
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
