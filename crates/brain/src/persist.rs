//! The brain in the store: the baseline's counters loaded at start and saved
//! as they move, the first baseline learnt from the stored history, and each
//! warning kept (with its handling, which the store owns).
//!
//! Saving writes only the counters changed since the last save (the
//! baseline's deltas), added in one transaction, so a save costs what
//! changed, not the size of the baseline.

use gridwall_domain::governance::{Category, Source};
use gridwall_store::{Store, StoredWarning, WarningState};
use serde::{Deserialize, Serialize};

use crate::Result;
use crate::baseline::{Baseline, Counter};
use crate::brain::{Brain, Remembered};
use crate::warning::{Explanation, Warning};

/// History is read a day at a time.
const PAGE_S: i64 = 24 * 3_600;

/// The baseline as saved.
pub async fn load_baseline(store: &Store) -> Result<Baseline> {
    let counters: Vec<Counter> = store
        .warning_counters()
        .await?
        .into_iter()
        .map(|(scope, slot, count)| Counter { scope, slot, count })
        .collect();
    Ok(Baseline::from_counters(&counters))
}

/// Save what the baseline counted since the last save.
pub async fn save_baseline(store: &Store, brain: &mut Brain) -> Result<()> {
    let deltas = brain.baseline_mut().take_deltas();
    if deltas.is_empty() {
        return Ok(());
    }
    let (set, add): (Vec<_>, Vec<_>) = deltas
        .into_iter()
        .map(|c| (c.scope, c.slot, c.count))
        .partition(|(scope, _, _)| Baseline::is_clock(scope));
    store.save_warning_counters(&add, &set).await?;
    Ok(())
}

/// On a baseline that has never run, learn the stored history up to `now`
/// (a day at a time) and save it. Returns the events learnt; 0 when the
/// baseline already existed (it is then kept up by the live events alone).
pub async fn learn_history(store: &Store, brain: &mut Brain, now: i64) -> Result<u64> {
    if !brain.baseline_mut().is_empty() {
        return Ok(0);
    }
    let Some(first) = store.first_reported().await? else {
        return Ok(0);
    };
    let from = first.min(now);
    brain.begin_learning(from);
    let mut learnt = 0;
    let mut t = from;
    while t < now {
        let to = (t + PAGE_S).min(now);
        for r in store.reported_between(t, to).await? {
            brain.learn(
                &r.grid_id,
                &Source::parse(&r.source),
                &Category::new(&r.category),
                r.reported_at,
            );
            learnt += 1;
        }
        t = to;
    }
    brain.finish_learning(now);
    save_baseline(store, brain).await?;
    Ok(learnt)
}

/// After a restart (or the first learning), take back from the store what
/// the brain keeps in memory: the disputes of the repeat window (so a
/// dispute returning across a restart is still a repeat) and the open
/// incidents with a deadline. Returns how many events were taken back.
///
/// Events in `pending` (landed, and waiting in the caller's queue to be
/// observed) are left to [`Brain::observe`]: remembered here, they would be
/// taken as seen and never checked, so a dispute returning while the brain
/// starts would not be a repeat.
pub async fn restore_recent(
    store: &Store,
    brain: &mut Brain,
    now: i64,
    pending: &std::collections::HashSet<String>,
) -> Result<usize> {
    let window = i64::from(brain.sensitivity.repeat_window_days) * 86_400;
    let mut rows = store.reported_between(now - window, now + 1).await?;
    rows.extend(store.open_with_deadline().await?);
    // An open dispute of the window comes in both lists: once is enough.
    let mut ids = std::collections::HashSet::new();
    rows.retain(|r| !pending.contains(&r.id) && ids.insert(r.id.clone()));
    for r in &rows {
        let remembered = Remembered {
            id: r.id.clone(),
            grid_id: r.grid_id.clone(),
            category: Category::new(&r.category),
            severity: u8::try_from(r.severity.clamp(1, 4)).unwrap_or(1),
            address: r.address.clone(),
            reported_at: r.reported_at,
            open: r.is_open,
            due_at: r.due_at,
        };
        brain.remember(&remembered, now);
    }
    Ok(rows.len())
}

/// What a warning's `body` holds in the store.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Body {
    pub explanation: Explanation,
}

/// A warning as the store keeps it; a new one starts open.
pub fn stored(w: &Warning) -> StoredWarning {
    let body = Body {
        explanation: w.explanation.clone(),
    };
    StoredWarning {
        id: w.id.clone(),
        kind: w.kind.as_str().to_owned(),
        level: w.level.get(),
        place_level: w.place.level.as_str().to_owned(),
        place_code: w.place.code.clone(),
        onset: w.onset,
        raised_at: w.raised_at,
        updated_at: w.updated_at,
        // Serialising plain strings and numbers does not fail (serde_json
        // writes a non-finite number as null); if it ever did, an empty
        // body keeps the warning rather than losing it.
        body: serde_json::to_string(&body).unwrap_or_else(|_| "{}".to_owned()),
        state: WarningState::Open,
        state_by: None,
        state_at: None,
        note: None,
    }
}

/// Keep the new or updated warnings; returns how many were new.
pub async fn record(store: &Store, warnings: &[Warning]) -> Result<usize> {
    let mut new = 0;
    for w in warnings {
        if store.upsert_warning(&stored(w)).await? {
            new += 1;
        }
    }
    Ok(new)
}
