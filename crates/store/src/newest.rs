//! The newest row of each event and how a batch changes it: the middle of
//! the write pipeline (see [`crate::write`]).
//!
//! `events` holds one row per event, the fields of its newest revision that
//! queries filter and aggregate on (`EventRow`). Given the revisions a
//! batch brought that were new and the rows stored before it, `decide`
//! says which rows change and how, as `Transition`s (old row, new row).
//! Every derived table (grid state, KPI counters, daily series) is moved by
//! those transitions and nothing else, so derived state always equals a
//! recomputation from `events`.
//!
//! Nothing here reads or writes a database: rows in, decisions and
//! `Statement`s out.

use std::collections::HashMap;

use gridwall_domain::governance::{Event, EventState, MediationOutcome};
use sqlx::{ColumnIndex, Decode, Row, Type};
use time::OffsetDateTime;

use crate::Backend;
use crate::sql::{Statement, Value, ladder, placeholders, seq_column};

/// The columns of `events` that derived state depends on, as one struct:
/// built from a landed [`Event`] or read back from the table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct EventRow {
    pub id: String,
    pub revision: i64,
    pub grid_id: String,
    pub micro_grid_id: Option<String>,
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

pub(crate) const EVENT_COLUMNS: &str = "id, revision, grid_id, micro_grid_id, village_code, \
     town_code, source, category, severity, state, is_open, pending, overdue, mediation_outcome, reported_at, \
     updated_at, due_at, finished_at";

/// An event's newest row before and after a change. `old` is `None` for an
/// event seen for the first time.
#[derive(Clone, Debug)]
pub(crate) struct Transition {
    pub old: Option<EventRow>,
    pub new: EventRow,
}

impl Transition {
    /// Whether this change is the event passing its deadline.
    pub fn became_overdue(&self) -> bool {
        self.old.as_ref().is_some_and(|old| !old.overdue) && self.new.overdue
    }
}

/// What `transitions` do to a count: each old row taken out (-1) and each
/// new row put in (+1), skipping the changes `unchanged` says leave the
/// count where it was (most revisions, for most derived tables).
pub(crate) fn moved_rows<'a>(
    transitions: &'a [Transition],
    unchanged: impl Fn(&EventRow, &EventRow) -> bool + 'a,
) -> impl Iterator<Item = (&'a EventRow, i64)> + 'a {
    transitions
        .iter()
        .filter(move |t| !t.old.as_ref().is_some_and(|old| unchanged(old, &t.new)))
        .flat_map(|t| {
            t.old
                .iter()
                .map(|old| (old, -1))
                .chain(std::iter::once((&t.new, 1)))
        })
}

impl EventRow {
    /// A row of [`EVENT_COLUMNS`] from any of the drivers (`Any` on the live
    /// path, typed SQLite or PostgreSQL on the bulk path).
    pub(crate) fn from_row<R>(row: &R) -> crate::Result<EventRow>
    where
        R: Row,
        for<'a> &'a str: ColumnIndex<R>,
        for<'r> String: Decode<'r, R::Database> + Type<R::Database>,
        for<'r> i64: Decode<'r, R::Database> + Type<R::Database>,
    {
        Ok(EventRow {
            id: row.try_get("id")?,
            revision: row.try_get("revision")?,
            grid_id: row.try_get("grid_id")?,
            micro_grid_id: row.try_get("micro_grid_id")?,
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

    /// The row for `event` as its event's newest revision, given when the
    /// event first finished (for `finished_at`) and the store clock (for
    /// `overdue`).
    pub(crate) fn from_event(event: &Event, finished_at: Option<i64>, clock: i64) -> EventRow {
        let due_at = event.due_at.map(OffsetDateTime::unix_timestamp);
        let pending = is_pending(event.state);
        let (village_code, town_code) = divisions_of(&event.grid_id);
        EventRow {
            id: event.id.clone(),
            revision: i64::from(event.revision),
            grid_id: event.grid_id.clone(),
            micro_grid_id: event.micro_grid_id.clone(),
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

/// What a batch does to `events`.
#[derive(Default)]
pub(crate) struct Decision<'e> {
    /// Rows replaced by a newer revision (or new), with the revision.
    pub upserts: Vec<(&'e Event, EventRow)>,
    /// Rows of which only `finished_at` moved (a late, older revision showed
    /// the event finished earlier).
    pub finished: Vec<EventRow>,
    /// Every change, for the derived tables.
    pub transitions: Vec<Transition>,
    /// Indexes into `upserts` of events seen for the first time and open:
    /// the ticker's new alerts.
    pub first_seen: Vec<usize>,
}

/// Decide each event's new row from the batch's new revisions (`landed`)
/// and the rows stored before it (`stored`, by id; absent for a new event).
pub(crate) fn decide<'e>(
    landed: &[&'e Event],
    stored: &HashMap<String, EventRow>,
    clock: i64,
) -> Decision<'e> {
    // Per id: the highest new revision, and the earliest time a new
    // revision shows it finished (a late, older revision can move
    // `finished_at` earlier).
    let mut candidates: HashMap<&str, (&Event, Option<i64>)> = HashMap::new();
    for &event in landed {
        let finished = is_finished(event.state).then(|| event.updated_at.unix_timestamp());
        let entry = candidates
            .entry(event.id.as_str())
            .or_insert((event, finished));
        if event.revision > entry.0.revision {
            entry.0 = event;
        }
        entry.1 = min_some(entry.1, finished);
    }
    let mut ids: Vec<&str> = candidates.keys().copied().collect();
    ids.sort_unstable();

    let mut decision = Decision::default();
    for id in ids {
        let (event, batch_finished) = candidates[id];
        let old = stored.get(id);
        let old_finished = old.and_then(|row| row.finished_at);
        let finished_at = min_some(old_finished, batch_finished);
        match old {
            Some(old_row) if old_row.revision >= i64::from(event.revision) => {
                // An older revision: only `finished_at` can move.
                if finished_at != old_finished {
                    let mut new_row = old_row.clone();
                    new_row.finished_at = finished_at;
                    decision.transitions.push(Transition {
                        old: Some(old_row.clone()),
                        new: new_row.clone(),
                    });
                    decision.finished.push(new_row);
                }
            }
            _ => {
                let new_row = EventRow::from_event(event, finished_at, clock);
                if old.is_none() && new_row.is_open {
                    decision.first_seen.push(decision.upserts.len());
                }
                decision.transitions.push(Transition {
                    old: old.cloned(),
                    new: new_row.clone(),
                });
                decision.upserts.push((event, new_row));
            }
        }
    }
    decision
}

fn min_some(a: Option<i64>, b: Option<i64>) -> Option<i64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// The columns an upsert of `events` writes, in the order of [`upsert_values`].
pub(crate) const UPSERT_COLUMNS: &str = "id, revision, seq, source, category, severity, state, \
     is_open, pending, overdue, grid_id, micro_grid_id, village_code, town_code, title, address, \
     lon, lat, mediation_outcome, reported_at, updated_at, due_at, finished_at";

/// What an upsert of `events` does to a row that is there.
pub(crate) const ON_CONFLICT: &str = "ON CONFLICT (id) DO UPDATE SET revision = excluded.revision, \
     seq = excluded.seq, source = excluded.source, category = excluded.category, \
     severity = excluded.severity, state = excluded.state, is_open = excluded.is_open, \
     pending = excluded.pending, overdue = excluded.overdue, grid_id = excluded.grid_id, \
     micro_grid_id = excluded.micro_grid_id, village_code = excluded.village_code, \
     town_code = excluded.town_code, title = excluded.title, address = excluded.address, \
     lon = excluded.lon, lat = excluded.lat, mediation_outcome = excluded.mediation_outcome, \
     reported_at = excluded.reported_at, updated_at = excluded.updated_at, \
     due_at = excluded.due_at, finished_at = excluded.finished_at";

/// The values of one upserted row, in the order of [`UPSERT_COLUMNS`].
pub(crate) fn upsert_values<'a>(event: &'a Event, row: &'a EventRow) -> [Value<'a>; 23] {
    [
        Value::from(row.id.as_str()),
        Value::from(row.revision),
        Value::from(seq_column(event.seq)),
        Value::from(row.source.as_str()),
        Value::from(row.category.as_str()),
        Value::from(row.severity),
        Value::from(row.state.as_str()),
        Value::from(i64::from(row.is_open)),
        Value::from(i64::from(row.pending)),
        Value::from(i64::from(row.overdue)),
        Value::from(row.grid_id.as_str()),
        Value::from(row.micro_grid_id.as_deref()),
        Value::from(row.village_code.as_str()),
        Value::from(row.town_code.as_str()),
        Value::from(event.title.as_str()),
        Value::from(event.address.as_str()),
        Value::from(event.location.map(|[lon, _]| lon)),
        Value::from(event.location.map(|[_, lat]| lat)),
        Value::from(row.mediation_outcome.as_deref()),
        Value::from(row.reported_at),
        Value::from(row.updated_at),
        Value::from(row.due_at),
        Value::from(row.finished_at),
    ]
}

/// The multi-row upserts that write `decision`'s new rows into `events`.
pub(crate) fn upserts<'a>(backend: Backend, decision: &'a Decision<'_>) -> Vec<Statement<'a>> {
    ladder(decision.upserts.len())
        .into_iter()
        .map(|range| {
            let chunk = &decision.upserts[range];
            let sql = format!(
                "INSERT INTO events ({UPSERT_COLUMNS}) VALUES {} {ON_CONFLICT}",
                placeholders(backend, chunk.len(), 23)
            );
            let values = chunk
                .iter()
                .flat_map(|(event, row)| upsert_values(event, row))
                .collect();
            Statement { sql, values }
        })
        .collect()
}

/// The updates of rows of which only `finished_at` moved.
pub(crate) fn finished<'a>(decision: &'a Decision<'_>) -> Vec<Statement<'a>> {
    decision
        .finished
        .iter()
        .map(|row| {
            Statement::new("UPDATE events SET finished_at = $1 WHERE id = $2")
                .bind(row.finished_at)
                .bind(row.id.as_str())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

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
