//! The overdue clock: the one change to `events` that time makes rather
//! than a record (see [`crate::grid`] for what overdue means).

use crate::Result;
use crate::conn::Conn;
use crate::newest::{EVENT_COLUMNS, Transition};
use crate::sql::Statement;

/// Advance the store clock to `now` (never back) and flag the events whose
/// deadline passed since: returns the clock and each flagged row's change.
/// The clock's update is a write, so on SQLite the transaction that starts
/// with it holds the write lock from the start, and two batches never
/// deadlock upgrading a read lock.
pub(crate) async fn sweep(conn: &mut Conn<'_>, now: i64) -> Result<(i64, Vec<Transition>)> {
    conn.execute(
        &Statement::new("UPDATE store_clock SET now = $1 WHERE singleton = 1 AND now < $1")
            .bind(now),
    )
    .await?;
    let clock = conn
        .fetch_int(&Statement::new(
            "SELECT now FROM store_clock WHERE singleton = 1",
        ))
        .await?;
    // The predicate repeats the partial index's, so the planner can use it.
    let due = conn
        .fetch_events(
            &Statement::new(format!(
                "SELECT {EVENT_COLUMNS} FROM events \
                 WHERE pending = 1 AND overdue = 0 AND due_at IS NOT NULL AND due_at < $1"
            ))
            .bind(clock),
        )
        .await?;
    if due.is_empty() {
        return Ok((clock, Vec::new()));
    }
    conn.execute(
        &Statement::new(
            "UPDATE events SET overdue = 1 \
             WHERE pending = 1 AND overdue = 0 AND due_at IS NOT NULL AND due_at < $1",
        )
        .bind(clock),
    )
    .await?;
    let transitions = due
        .into_iter()
        .map(|old| {
            let mut new = old.clone();
            new.overdue = true;
            Transition {
                old: Some(old),
                new,
            }
        })
        .collect();
    Ok((clock, transitions))
}
