//! Per-grid derived state against an independent recomputation.

use std::collections::BTreeMap;

use gridwall_store::StatusColour;
use rand::seq::{IndexedRandom, SliceRandom};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::support::{Fresh, Rev, at, on_both, simple};

const GRIDS: [&str; 4] = ["G1", "G2", "G3", "G4"];
const STATES: [&str; 10] = [
    "reported",
    "accepted",
    "dispatched",
    "in_progress",
    "resolved",
    "closed",
    "mediation_failed",
    "escalated",
    "returned",
    "cancelled",
];

/// A planned revision, owned so the test can deliver it many times.
#[derive(Clone)]
struct Planned {
    id: String,
    revision: u32,
    grid_id: &'static str,
    severity: u8,
    state: &'static str,
    updated_at: i64,
    due_at: Option<i64>,
}

impl Planned {
    fn rev(&self) -> Rev<'_> {
        Rev {
            id: &self.id,
            revision: self.revision,
            grid_id: self.grid_id,
            severity: self.severity,
            state: self.state,
            updated_at: self.updated_at,
            due_at: self.due_at,
        }
    }
}

/// What a grid's state must be, computed from the delivered revisions alone:
/// per event the highest revision delivered, open unless closed or
/// cancelled, overdue when awaiting resolution and due before the clock.
fn expected(
    delivered: &BTreeMap<String, Planned>,
    clock: i64,
) -> BTreeMap<&'static str, ([i64; 4], i64, i64, StatusColour)> {
    let mut grids = BTreeMap::new();
    for event in delivered.values() {
        let entry =
            grids
                .entry(event.grid_id)
                .or_insert(([0; 4], 0, i64::MIN, StatusColour::Green));
        let open = !matches!(event.state, "closed" | "cancelled");
        if open {
            entry.0[usize::from(event.severity) - 1] += 1;
        }
        let pending = !matches!(
            event.state,
            "resolved" | "closed" | "cancelled" | "mediation_failed"
        );
        if pending && event.due_at.is_some_and(|due| due < clock) {
            entry.1 += 1;
        }
        entry.2 = entry.2.max(event.updated_at);
    }
    for entry in grids.values_mut() {
        let open: i64 = entry.0.iter().sum();
        entry.3 = if entry.0[2] + entry.0[3] > 0 || entry.1 > 0 {
            StatusColour::Red
        } else if open > 0 {
            StatusColour::Amber
        } else {
            StatusColour::Green
        };
    }
    grids
}

async fn counters_equal_a_recomputation_after_random_revisions(fresh: Fresh) -> anyhow::Result<()> {
    random_revisions(fresh, false).await
}

/// The same on the bulk path (issue 17), batches taking either path in turn
/// and the bulk session closed now and then, so its cache of newest rows
/// meets the live path's and the overdue sweep's changes.
async fn counters_equal_a_recomputation_with_the_bulk_path(fresh: Fresh) -> anyhow::Result<()> {
    random_revisions(fresh, true).await
}

async fn random_revisions(fresh: Fresh, bulk: bool) -> anyhow::Result<()> {
    let store = &fresh.store;
    let mut rng = ChaCha8Rng::seed_from_u64(4);

    // Each event lives in one grid; its revisions grow in time.
    let mut plans: Vec<Planned> = Vec::new();
    for n in 0..60 {
        let grid_id = *GRIDS.choose(&mut rng).expect("grids");
        let mut updated_at = rng.random_range(0..5_000);
        for revision in 1..=rng.random_range(1..=6) {
            updated_at += rng.random_range(1..600);
            plans.push(Planned {
                id: format!("E{n:03}"),
                revision,
                grid_id,
                severity: rng.random_range(1..=4),
                state: STATES.choose(&mut rng).expect("states"),
                updated_at,
                due_at: rng.random_bool(0.6).then(|| rng.random_range(0..20_000)),
            });
        }
    }
    // Delivery: everything once in a shuffled order, plus a third again.
    let mut deliveries = plans.clone();
    deliveries.extend(plans.choose_multiple(&mut rng, plans.len() / 3).cloned());
    deliveries.shuffle(&mut rng);

    let mut delivered: BTreeMap<String, Planned> = BTreeMap::new();
    let mut now = 0;
    let mut rest = deliveries.as_slice();
    while !rest.is_empty() {
        let size = rng.random_range(1..=20).min(rest.len());
        let (batch, tail) = rest.split_at(size);
        rest = tail;
        now += rng.random_range(0..1_000);
        let records: Vec<_> = batch.iter().map(|planned| planned.rev().record()).collect();
        if bulk && rng.random_bool(0.7) {
            store.apply_bulk("zhili", &records, None, at(now)).await?;
        } else {
            store.apply(&records, at(now)).await?;
        }
        if bulk && rng.random_bool(0.05) {
            store.finish_bulk().await;
        }
        for planned in batch {
            let newer = delivered
                .get(&planned.id)
                .is_none_or(|kept| kept.revision < planned.revision);
            if newer {
                delivered.insert(planned.id.clone(), planned.clone());
            }
        }
        if rng.random_bool(0.3) {
            now += rng.random_range(0..1_000);
            store.refresh_overdue(at(now)).await?;
        }

        for (grid_id, (open, overdue, newest, colour)) in expected(&delivered, now) {
            let state = store
                .grid_state(grid_id)
                .await?
                .expect("a grid with events has a state");
            assert_eq!(state.open_by_severity, open, "{grid_id} open at {now}");
            assert_eq!(state.overdue, overdue, "{grid_id} overdue at {now}");
            assert_eq!(state.newest_event_at, Some(at(newest)), "{grid_id} newest");
            assert_eq!(state.colour, colour, "{grid_id} colour at {now}");
        }
    }
    let newest: Vec<(String, u32)> = delivered
        .values()
        .map(|planned| (planned.id.clone(), planned.revision))
        .collect();
    assert_eq!(store.newest().await?, newest);
    Ok(())
}

async fn an_event_becomes_overdue_once_when_its_deadline_passes(
    fresh: Fresh,
) -> anyhow::Result<()> {
    let store = &fresh.store;
    let due = Rev {
        due_at: Some(1_000),
        ..simple("E1", 1)
    };
    store.apply(&[due.record()], at(500)).await?;
    let state = store.grid_state("G1").await?.expect("G1 has an event");
    assert_eq!((state.overdue, state.colour), (0, StatusColour::Amber));

    assert_eq!(store.refresh_overdue(at(999)).await?.became_overdue, 0);
    let changes = store.refresh_overdue(at(1_500)).await?;
    assert_eq!(changes.became_overdue, 1);
    assert_eq!(
        changes
            .grids
            .iter()
            .map(|g| g.grid_id.as_str())
            .collect::<Vec<_>>(),
        ["G1"],
        "the wall is told which grid to repaint"
    );
    assert_eq!(
        store.refresh_overdue(at(2_000)).await?.became_overdue,
        0,
        "counted once"
    );
    let state = store.grid_state("G1").await?.expect("G1 has an event");
    assert_eq!((state.overdue, state.colour), (1, StatusColour::Red));

    // The clock never goes back: an earlier `now` leaves the event overdue.
    store.refresh_overdue(at(10)).await?;
    assert_eq!(store.grid_state("G1").await?.map(|s| s.overdue), Some(1));

    let closed = Rev {
        state: "closed",
        due_at: Some(1_000),
        ..simple("E1", 2)
    };
    store.apply(&[closed.record()], at(2_100)).await?;
    let state = store.grid_state("G1").await?.expect("G1 has an event");
    assert_eq!(state.open_by_severity, [0; 4]);
    assert_eq!((state.overdue, state.colour), (0, StatusColour::Green));
    Ok(())
}

/// The time-to-breach layer: each grid's earliest deadline among its
/// pending events that are not yet overdue.
async fn each_grid_names_its_next_deadline(fresh: Fresh) -> anyhow::Result<()> {
    let store = &fresh.store;
    let rev = |id, grid, due, state| Rev {
        grid_id: grid,
        due_at: due,
        state,
        ..simple(id, 1)
    };
    store
        .apply(
            &[
                rev("E1", "G1", Some(5_000), "reported").record(),
                rev("E2", "G1", Some(3_000), "dispatched").record(),
                rev("E3", "G2", Some(9_000), "in_progress").record(),
                rev("E4", "G2", Some(1_000), "resolved").record(),
                rev("E5", "G3", None, "reported").record(),
                rev("E6", "G4", Some(1_500), "reported").record(),
            ],
            at(500),
        )
        .await?;
    // E6 passes its deadline: it is overdue (the status layer's), no longer next.
    store.refresh_overdue(at(2_000)).await?;
    assert_eq!(
        store.next_due_by_grid().await?,
        [("G1".to_owned(), 3_000), ("G2".to_owned(), 9_000)],
        "resolved, undated and overdue events have no next deadline"
    );
    Ok(())
}

on_both!(
    counters_equal_a_recomputation_after_random_revisions,
    counters_equal_a_recomputation_with_the_bulk_path,
    an_event_becomes_overdue_once_when_its_deadline_passes,
    each_grid_names_its_next_deadline
);
