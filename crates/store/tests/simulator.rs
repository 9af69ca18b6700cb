//! End to end with the simulator's history: what the store keeps is what the
//! history says is newest, whatever the delivery order.

use std::collections::BTreeMap;
use std::time::Duration;

use gridwall_sim::Simulator;
use gridwall_store::RawRecord;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use time::macros::datetime;

use crate::support::{Fresh, on_both};

async fn two_simulated_days_leave_the_newest_revision_of_every_event(
    fresh: Fresh,
) -> anyhow::Result<()> {
    two_days(fresh, false).await
}

/// The same through the bulk path (issue 17).
async fn two_simulated_days_through_the_bulk_path_leave_the_newest_revision(
    fresh: Fresh,
) -> anyhow::Result<()> {
    two_days(fresh, true).await
}

async fn two_days(fresh: Fresh, bulk: bool) -> anyhow::Result<()> {
    let sim = Simulator::builder()
        .seed(3)
        .warmup(Duration::ZERO)
        .build()?;
    let from = datetime!(2026-11-01 00:00 +08:00);
    let to = from + time::Duration::days(2);
    let mut expected: BTreeMap<String, u32> = BTreeMap::new();
    let mut records = Vec::new();
    for (seq, revision) in sim.history(from, to) {
        let event = revision.case.event(revision.step, seq);
        let newest = expected.entry(event.id.clone()).or_default();
        *newest = (*newest).max(event.revision);
        records.push(RawRecord::new("zhili", serde_json::to_vec(&event)?));
    }
    assert!(
        records.len() > 2_000,
        "two days hold thousands of revisions"
    );

    let store = &fresh.store;
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let mut total_duplicates = 0;
    let mut total_stale = 0;
    for chunk in records.chunks(500) {
        let mut batch = chunk.to_vec();
        // Swap neighbours here and there: a newer revision before an older one.
        for i in 1..batch.len() {
            if rng.random_bool(0.1) {
                batch.swap(i - 1, i);
            }
        }
        // Replays: a few records of this chunk and of the whole history again.
        batch.extend(chunk.choose_multiple(&mut rng, 25).cloned());
        batch.extend(records.choose_multiple(&mut rng, 25).cloned());
        let applied = if bulk {
            store.apply_bulk("zhili", &batch, None, to).await?
        } else {
            store.apply(&batch, to).await?
        };
        assert_eq!(applied.quarantined, 0, "the simulator writes valid records");
        total_duplicates += applied.duplicate;
        total_stale += applied.stored - applied.advanced;
    }
    assert!(total_duplicates >= 25, "replays were seen as duplicates");
    assert!(
        total_stale > 0,
        "some revisions arrived behind a newer one of their event"
    );

    let newest: BTreeMap<String, u32> = store.newest().await?.into_iter().collect();
    assert_eq!(newest.len(), expected.len());
    assert!(
        newest == expected,
        "the newest revision of some event differs"
    );
    Ok(())
}

on_both!(
    two_simulated_days_leave_the_newest_revision_of_every_event,
    two_simulated_days_through_the_bulk_path_leave_the_newest_revision
);
