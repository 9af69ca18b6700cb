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

/// After a bulk import PostgreSQL has statistics for the tables it wrote,
/// so the console's first queries are planned from them, not from an empty
/// guess (autovacuum samples a table only a minute or more later, and
/// records it as `last_autoanalyze`, not `last_analyze`).
#[tokio::test]
async fn a_bulk_import_leaves_postgresql_with_statistics() -> anyhow::Result<()> {
    let fresh = crate::support::fresh(crate::support::Engine::Postgres).await?;
    let store = &fresh.store;
    let sim = Simulator::builder()
        .seed(5)
        .warmup(Duration::ZERO)
        .build()?;
    let from = datetime!(2026-06-01 00:00 +08:00);
    let to = from + time::Duration::days(1);
    let batch: Vec<RawRecord> = sim
        .history(from, to)
        .map(|(seq, revision)| {
            let event = revision.case.event(revision.step, seq);
            serde_json::to_string(&event).map(|json| RawRecord::new("zhili", json))
        })
        .collect::<Result<_, _>>()?;
    let analyzed = || async {
        let rows: Vec<(String, bool)> = sqlx::query_as(
            "SELECT relname::text, last_analyze IS NOT NULL FROM pg_stat_user_tables \
             WHERE relname IN ('events', 'event_revisions', 'event_days', 'kpi_days') \
             ORDER BY relname",
        )
        .fetch_all(store.pool())
        .await?;
        anyhow::Ok(rows)
    };
    store
        .apply_bulk("zhili", &batch, Some(batch.len() as u64), to)
        .await?;
    assert!(
        analyzed().await?.iter().all(|(_, done)| !done),
        "no statistics sampled while the import runs: {:?}",
        analyzed().await?
    );
    store.finish_bulk().await;
    let after = analyzed().await?;
    assert_eq!(after.len(), 4, "{after:?}");
    assert!(after.iter().all(|(_, done)| *done), "{after:?}");
    Ok(())
}
