//! The link's health as the wall shows it: down while every request fails,
//! lagging (with the lag in seconds) during a long backfill, live once caught
//! up; and the backfill's progress with a total from the head.

use std::time::Duration;

use gridwall_ingest::{LinkState, Phase};
use gridwall_sim::faults::Faults;

use crate::support::{Client, Sim, builder, config, eventually, same, store};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn down_then_lagging_then_live() {
    // A day of history, served slowly in small pages: a backfill of seconds.
    let sim = Sim::start(builder(600.0, 24)).await;
    sim.set_faults(Faults {
        error_rate: 1.0,
        ..Faults::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let store = store(dir.path()).await;
    let mut cfg = config(
        &sim.url(),
        &dir.path().join("cache"),
        sim.running.clock().clone(),
    );
    cfg.page_limit = 100;
    cfg.lag_threshold = Duration::from_millis(300);
    let client = Client::run(cfg, store.clone());
    let mut health = client.ingest.health();
    let mut progress = client.ingest.progress();

    let down = tokio::time::timeout(
        Duration::from_secs(10),
        health.wait_for(|h| h.state == LinkState::Down),
    )
    .await
    .is_ok_and(|r| r.is_ok());
    assert!(down, "never down while every request failed");

    sim.set_faults(Faults {
        latency_ms: 60,
        ..Faults::default()
    });
    let lagging = tokio::time::timeout(
        Duration::from_secs(20),
        health.wait_for(|h| matches!(h.state, LinkState::Lagging { .. })),
    )
    .await
    .is_ok_and(|r| r.is_ok());
    assert!(lagging, "never lagging during a slow backfill");
    let backfill = tokio::time::timeout(
        Duration::from_secs(10),
        progress.wait_for(|p| p.phase == Phase::Backfill && p.total.is_some() && p.done > 0),
    )
    .await
    .expect("backfill progress reported")
    .map(|p| *p)
    .unwrap();
    assert!(backfill.done <= backfill.total.unwrap(), "{backfill:?}");

    sim.set_faults(Faults::default());
    let (truth, head) = sim.truth();
    eventually(&store, Duration::from_secs(30), |newest| {
        same(newest, &truth)
    })
    .await;
    let live = tokio::time::timeout(
        Duration::from_secs(10),
        health.wait_for(|h| h.state == LinkState::Live && h.cursor >= Some(head)),
    )
    .await;
    assert!(
        live.is_ok(),
        "not live once caught up: {:?}",
        client.health()
    );
    let last = client.stop().await;
    assert!(last.last_contact.is_some() && last.received > 0, "{last:?}");
}
