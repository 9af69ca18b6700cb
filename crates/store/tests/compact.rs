//! Raw revisions are stored compactly (issue 17) and read back byte for
//! byte: a simulated month through the bulk path, every revision of every
//! event compared with the simulator's own record.

use std::collections::BTreeMap;
use std::time::Duration;

use gridwall_sim::Simulator;
use gridwall_store::RawRecord;
use time::macros::datetime;

use crate::support::{Fresh, on_both};

async fn every_revision_of_a_simulated_month_reads_back_byte_for_byte(
    fresh: Fresh,
) -> anyhow::Result<()> {
    let sim = Simulator::builder()
        .seed(5)
        .warmup(Duration::ZERO)
        .build()?;
    let from = datetime!(2026-06-01 00:00 +08:00);
    let to = from + time::Duration::days(30);
    let mut expected: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut batch = Vec::with_capacity(5_000);
    let store = &fresh.store;
    let mut count = 0u64;
    for (seq, revision) in sim.history(from, to) {
        let event = revision.case.event(revision.step, seq);
        let json = serde_json::to_string(&event)?;
        expected
            .entry(event.id.clone())
            .or_default()
            .push(json.clone());
        batch.push(RawRecord::new("zhili", json));
        count += 1;
        if batch.len() == 5_000 {
            store.apply_bulk("zhili", &batch, Some(seq), to).await?;
            batch.clear();
        }
    }
    store.apply_bulk("zhili", &batch, Some(count), to).await?;
    store.finish_bulk().await;
    assert!(
        count > 300_000,
        "a month holds hundreds of thousands of revisions"
    );

    let mut compared = 0u64;
    for (id, revisions) in &expected {
        let timeline = store.timeline(id).await?;
        let stored: Vec<&str> = timeline.iter().map(|r| r.raw.as_str()).collect();
        let wanted: Vec<&str> = revisions.iter().map(String::as_str).collect();
        assert!(
            stored == wanted,
            "the revisions of {id} differ from the simulator's"
        );
        compared += stored.len() as u64;
    }
    assert_eq!(compared, count, "every revision was compared");

    // The incident view reads the newest revision's record the same way.
    let (id, revisions) = expected.iter().next().expect("events");
    let (_, raw) = store.incident(id).await?.expect("the event is stored");
    assert_eq!(Some(&raw), revisions.last());
    Ok(())
}

on_both!(every_revision_of_a_simulated_month_reads_back_byte_for_byte);
