//! The simulator's hostile profile (issue 18), on both store engines: every
//! "may" of both contracts at once (see `gridwall_sim::hostile`). Reference
//! data synced whole (names with lone surrogates, 8,000 characters, page
//! tokens that need percent-encoding, unknown fields and camera kinds), then
//! a stretch of accelerated time with every stream cut now and then, and the
//! store must hold exactly the ground truth's (id, newest revision) pairs,
//! with a cursor past 2^53 equal to the head.

use std::time::Duration;

use gridwall_sim::Profile;
use gridwall_sim_video::VideoConfig;

use crate::support::{Client, Engine, Sim, builder, config, eventually, same, store_on};

async fn the_whole_feed_and_every_reference_record_arrive(engine: Engine) {
    let sim = Sim::start(
        builder(600.0, 6)
            .profile(Profile::Hostile)
            .video(Some(VideoConfig {
                cameras: 300,
                ..VideoConfig::default()
            })),
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let store = store_on(engine, dir.path()).await;
    let mut cfg = config(
        &sim.url(),
        &dir.path().join("cache"),
        sim.running.clock().clone(),
    );
    cfg.video_url = Some(sim.url());
    let client = Client::run(cfg, store.clone());
    sim.live(Duration::from_secs(4), Some(Duration::from_millis(900)))
        .await;
    let (truth, head) = sim.truth();
    assert!(
        head > gridwall_sim::hostile::SEQ_BASE,
        "seqs start past 2^53"
    );
    eventually(&store, Duration::from_secs(60), |newest| {
        same(newest, &truth)
    })
    .await;

    let shared = sim.running.shared();
    let count = |kind: &'static str| {
        let store = store.clone();
        async move { store.reference(kind).await.expect("reference").len() }
    };
    assert_eq!(count("divisions").await, shared.city.divisions().len());
    assert_eq!(count("grids").await, shared.city.grids().len());
    assert_eq!(count("workers").await, shared.workforce.all().len());
    let cameras = sim.running.video().expect("video on").cameras().len();
    assert_eq!(count("cameras").await, cameras);

    let health = client.stop().await;
    assert_eq!(
        store.cursor("governance").await.expect("cursor"),
        Some(head),
        "the cursor is the head, to the last digit: {health:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_whole_feed_and_every_reference_record_arrive_on_sqlite() {
    the_whole_feed_and_every_reference_record_arrive(Engine::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_whole_feed_and_every_reference_record_arrive_on_postgres() {
    the_whole_feed_and_every_reference_record_arrive(Engine::Postgres).await;
}
