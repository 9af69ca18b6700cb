//! Every fault the simulator offers (`gridwall_sim::faults::Faults`, the
//! admin's stream cut and reset, retention's 410, a silent stream): a stretch
//! of accelerated time with the fault on and every stream cut now and then
//! (so backfill runs under the fault as well as the stream), then the fault
//! off, and the store must hold exactly the ground truth's (id, newest
//! revision) pairs.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use gridwall_ingest::Health;
use gridwall_sim::faults::Faults;
use gridwall_sim::feed::Retention;

use crate::support::{Client, Sim, builder, config, eventually, same, store};

const STRETCH: Duration = Duration::from_secs(3);
const CATCH_UP: Duration = Duration::from_secs(30);

/// Runs the stretch with `faults` and checks the store against the truth;
/// returns the client's health for the fault's own checks.
async fn survives(faults: Faults) -> Health {
    let sim = Sim::start(builder(600.0, 6)).await;
    let dir = tempfile::tempdir().unwrap();
    let store = store(dir.path()).await;
    sim.set_faults(faults);
    let client = Client::follow(
        config(
            &sim.url(),
            &dir.path().join("cache"),
            sim.running.clock().clone(),
        ),
        store.clone(),
    );
    sim.live(STRETCH, Some(Duration::from_millis(700))).await;
    sim.set_faults(Faults::default());
    let (truth, _) = sim.truth();
    eventually(&store, CATCH_UP, |newest| same(newest, &truth)).await;
    client.stop().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_errors() {
    survives(Faults {
        error_rate: 0.3,
        ..Faults::default()
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn latency() {
    survives(Faults {
        latency_ms: 40,
        ..Faults::default()
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limit_bursts() {
    survives(Faults {
        rate_limit_burst: 3,
        retry_after_s: 1,
        ..Faults::default()
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn duplicates() {
    let health = survives(Faults {
        duplicate_rate: 0.3,
        ..Faults::default()
    })
    .await;
    assert!(health.duplicate > 0, "no duplicate was counted: {health:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reordered_backfill() {
    survives(Faults {
        reorder_backfill: true,
        ..Faults::default()
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_copies_are_quarantined_and_the_genuine_ones_kept() {
    let health = survives(Faults {
        malformed_rate: 0.2,
        ..Faults::default()
    })
    .await;
    assert!(
        health.quarantined > 0,
        "nothing was quarantined: {health:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_fields_are_kept() {
    let health = survives(Faults {
        unknown_fields: true,
        ..Faults::default()
    })
    .await;
    assert_eq!(health.quarantined, 0, "{health:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_enum_values_are_kept() {
    let health = survives(Faults {
        unknown_values: 0.5,
        ..Faults::default()
    })
    .await;
    assert_eq!(health.quarantined, 0, "{health:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_text_is_kept() {
    let health = survives(Faults {
        hostile_text: 0.5,
        ..Faults::default()
    })
    .await;
    assert_eq!(health.quarantined, 0, "{health:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn streams_cut_after_a_few_messages() {
    let health = survives(Faults {
        stream_cut_after: Some(25),
        ..Faults::default()
    })
    .await;
    assert!(health.reconnects > 0, "{health:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_position_gone() {
    let health = survives(Faults {
        all_gone: true,
        ..Faults::default()
    })
    .await;
    assert!(health.snapshots > 0, "no snapshot was taken: {health:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_fault_at_once() {
    let health = survives(Faults {
        error_rate: 0.15,
        latency_ms: 10,
        rate_limit_burst: 2,
        retry_after_s: 1,
        duplicate_rate: 0.2,
        reorder_backfill: true,
        malformed_rate: 0.1,
        unknown_fields: true,
        unknown_values: 0.3,
        hostile_text: 0.3,
        stream_cut_after: Some(40),
        all_gone: false,
        ..Faults::default()
    })
    .await;
    assert!(health.quarantined > 0 && health.duplicate > 0, "{health:?}");
}

/// The admin's reset: `event: reset` on every stream, now and then.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stream_resets() {
    let sim = Sim::start(builder(600.0, 6)).await;
    let dir = tempfile::tempdir().unwrap();
    let store = store(dir.path()).await;
    let client = Client::follow(
        config(
            &sim.url(),
            &dir.path().join("cache"),
            sim.running.clock().clone(),
        ),
        store.clone(),
    );
    let start = tokio::time::Instant::now();
    while start.elapsed() < STRETCH {
        sim.live(Duration::from_millis(500), None).await;
        sim.reset_streams();
    }
    let (truth, _) = sim.truth();
    eventually(&store, CATCH_UP, |newest| same(newest, &truth)).await;
    let health = client.stop().await;
    assert!(health.reconnects > 0, "{health:?}");
}

/// Retention: the feed keeps 400 entries, so the first run's `since=0` and
/// a restart after a long absence both get 410 and take a snapshot. What
/// the store holds must be each event's true newest revision; the only
/// events it may lack are those born and finished inside a range the feed
/// had already dropped, which no client can recover.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retention_gone_falls_back_to_a_snapshot() {
    let sim = Sim::start(builder(2_000.0, 6).retention(Retention {
        max_age_s: None,
        max_entries: Some(400),
    }))
    .await;
    let dir = tempfile::tempdir().unwrap();
    let store = store(dir.path()).await;
    let cfg = config(
        &sim.url(),
        &dir.path().join("cache"),
        sim.running.clock().clone(),
    );

    let client = Client::follow(cfg.clone(), store.clone());
    sim.live(Duration::from_millis(1_500), None).await;
    let (truth, terminal) = sim.truth_and_terminal();
    eventually(&store, CATCH_UP, |newest| {
        recoverable(newest, &truth, &terminal)
    })
    .await;
    let first = client.stop().await;
    assert!(
        first.snapshots > 0,
        "the first run did not fall back: {first:?}"
    );

    // Away long enough for the feed to drop the cursor's position.
    let cursor = store
        .cursor(&cfg.upstream)
        .await
        .unwrap()
        .expect("a cursor");
    sim.live(Duration::from_secs(2), None).await;
    assert!(
        sim.running
            .shared()
            .feed
            .read()
            .unwrap()
            .page(Some(cursor), 1)
            .is_err(),
        "the feed still has position {cursor}; the test would not reach the 410"
    );

    let client = Client::follow(cfg, store.clone());
    sim.live(Duration::from_secs(1), None).await;
    let (truth, terminal) = sim.truth_and_terminal();
    eventually(&store, CATCH_UP, |newest| {
        recoverable(newest, &truth, &terminal)
    })
    .await;
    let second = client.stop().await;
    assert!(
        second.snapshots > 0,
        "the restart did not fall back: {second:?}"
    );
}

/// Every event in the store is at its true newest revision; the truth's
/// events the store lacks are all finished (closed or cancelled).
fn recoverable(
    store: &[(String, u32)],
    truth: &[(String, u32)],
    terminal: &HashSet<String>,
) -> Result<(), String> {
    let truth_by_id: HashMap<&str, u32> = truth.iter().map(|(i, r)| (i.as_str(), *r)).collect();
    let wrong: Vec<String> = store
        .iter()
        .filter(|(id, rev)| truth_by_id.get(id.as_str()) != Some(rev))
        .map(|(id, rev)| format!("{id}@{rev} (truth {:?})", truth_by_id.get(id.as_str())))
        .collect();
    let held: HashSet<&str> = store.iter().map(|(i, _)| i.as_str()).collect();
    let lost_open: Vec<&str> = truth
        .iter()
        .map(|(id, _)| id.as_str())
        .filter(|id| !held.contains(id) && !terminal.contains(*id))
        .collect();
    if wrong.is_empty() && lost_open.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{} events at a wrong revision, e.g. {:?}; {} open events missing, e.g. {:?}",
            wrong.len(),
            &wrong[..wrong.len().min(5)],
            lost_open.len(),
            &lost_open[..lost_open.len().min(5)]
        ))
    }
}

/// No byte for the watchdog's time means reconnect; pings keep a quiet stream open.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_silent_stream_is_reconnected_and_pings_keep_one_open() {
    for (ping, silent) in [
        (Duration::from_millis(100), false),
        (Duration::from_secs(3600), true),
    ] {
        let sim = Sim::start(builder(600.0, 1).ping_interval(ping)).await;
        let dir = tempfile::tempdir().unwrap();
        let store = store(dir.path()).await;
        let mut cfg = config(
            &sim.url(),
            &dir.path().join("cache"),
            sim.running.clock().clone(),
        );
        cfg.watchdog = Duration::from_millis(800);
        let client = Client::follow(cfg, store.clone());
        let (truth, _) = sim.truth();
        eventually(&store, CATCH_UP, |newest| same(newest, &truth)).await;
        let before = client.health().reconnects;
        if silent {
            let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
            while client.health().reconnects < before + 2 {
                assert!(
                    tokio::time::Instant::now() < deadline,
                    "a silent stream was kept open"
                );
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        } else {
            // Pings every 100 ms; two seconds of no news must not look like silence.
            tokio::time::sleep(Duration::from_secs(2)).await;
            assert_eq!(
                client.health().reconnects,
                before,
                "a pinging stream was dropped"
            );
        }
        sim.live(Duration::from_millis(500), None).await;
        let (truth, _) = sim.truth();
        eventually(&store, CATCH_UP, |newest| same(newest, &truth)).await;
        client.stop().await;
    }
}
