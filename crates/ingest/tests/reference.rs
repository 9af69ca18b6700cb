//! The reference data: every division, grid, worker and camera, paged to the
//! end under server errors, and the geometry answered from the disk cache
//! when the platform says 304.

use std::sync::Arc;
use std::time::Duration;

use gridwall_ingest::{Ingest, MemorySink};
use gridwall_sim::faults::Faults;
use gridwall_sim_video::VideoConfig;
use tokio_util::sync::CancellationToken;

use crate::support::{Sim, builder, config};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_of_every_kind_and_the_geometry_from_cache() {
    let sim = Sim::start(builder(60.0, 1).video(Some(VideoConfig {
        cameras: 300,
        ..VideoConfig::default()
    })))
    .await;
    sim.set_faults(Faults {
        error_rate: 0.2,
        ..Faults::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = config(
        &sim.url(),
        &dir.path().join("cache"),
        sim.running.clock().clone(),
    );
    cfg.video_url = Some(sim.url());
    let sink = Arc::new(MemorySink::new());
    let ingest = Ingest::new(cfg, Arc::clone(&sink)).unwrap();
    let cancel = CancellationToken::new();

    let first = tokio::time::timeout(Duration::from_secs(60), ingest.sync_reference(&cancel))
        .await
        .expect("sync finishes")
        .expect("sync succeeds");
    let shared = sim.running.shared();
    assert_eq!(first.divisions, shared.city.divisions().len());
    assert_eq!(first.grids, shared.city.grids().len());
    assert_eq!(first.workers, shared.workforce.all().len());
    let cameras = sim.running.video().expect("video on").cameras().len();
    assert_eq!(first.cameras, Some(cameras));
    assert_eq!(sink.reference("grids").len(), first.grids);
    assert_eq!(sink.reference("cameras").len(), cameras);
    assert!(first.geometry_downloaded);
    let cached = std::fs::read(&first.geometry).unwrap();
    assert_eq!(
        cached,
        shared.city.geometry().to_vec(),
        "the cache holds the geometry"
    );

    let second = ingest.sync_reference(&cancel).await.expect("second sync");
    assert!(
        !second.geometry_downloaded,
        "a current cache was downloaded again"
    );
    assert_eq!(second, crate::reference::unchanged(&first));
}

/// The second sync's report: the same counts, the geometry from the cache.
pub fn unchanged(first: &gridwall_ingest::SyncReport) -> gridwall_ingest::SyncReport {
    gridwall_ingest::SyncReport {
        geometry_downloaded: false,
        ..first.clone()
    }
}

/// A video gateway that refuses connections neither holds up the governance
/// feed nor shows the governance link as down.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dead_video_gateway_does_not_hold_up_the_feed() {
    let sim = Sim::start(builder(600.0, 2)).await;
    let dir = tempfile::tempdir().unwrap();
    let store = crate::support::store(dir.path()).await;
    // Bound and dropped at once: nothing listens there any more.
    let dead = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let mut cfg = config(
        &sim.url(),
        &dir.path().join("cache"),
        sim.running.clock().clone(),
    );
    cfg.video_url = Some(format!("http://{dead}"));
    let client = crate::support::Client::run(cfg, store.clone());
    sim.live(Duration::from_secs(1), None).await;
    let (truth, _) = sim.truth();
    crate::support::eventually(&store, Duration::from_secs(30), |newest| {
        crate::support::same(newest, &truth)
    })
    .await;
    let mut health = client.ingest.health();
    let live = tokio::time::timeout(
        Duration::from_secs(10),
        health.wait_for(|h| h.state == gridwall_ingest::LinkState::Live),
    )
    .await
    .is_ok_and(|r| r.is_ok());
    assert!(live, "governance not live: {:?}", client.health());
    assert!(store.reference("grids").await.unwrap().len() > 1_000);
    client.stop().await;
}
