//! SIGKILL during heavy ingest: the `gridwall-ingest` binary is killed at
//! random moments (during the first backfill, the reference sync and the live
//! stream), restarted each time on the same store, and finally left to catch
//! up. Meanwhile the platform sends duplicates and broken copies before the
//! genuine entries (the case where a batch must not save the seq of a broken
//! copy as its cursor). The store then equals the ground truth, and every
//! event holds each of its revisions exactly once: nothing lost, nothing
//! counted twice. Every other run, and the last, lands its catch-up through
//! the store's bulk path, so both paths and their hand-overs are killed.
//! It runs on both engines (the binary's `--store` takes a SQLite file or a
//! PostgreSQL URL).
//!
//! CI kills 24 times; `GRIDWALL_KILLS=100 cargo test -p gridwall-ingest
//! --test integration kill -- --nocapture` is the long run whose figures are in
//! `docs/benchmarks.md`.

use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use gridwall_sim::faults::Faults;
use rand::{Rng, SeedableRng};

use crate::support::{Sim, builder, eventually, same};

/// Kills per run: 24, or `GRIDWALL_KILLS`.
fn kills() -> usize {
    std::env::var("GRIDWALL_KILLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(24)
}

/// Where the binary keeps its store.
#[derive(Clone, Copy, Debug)]
enum Engine {
    Sqlite,
    Postgres,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_again_and_again_loses_nothing_on_sqlite() {
    sigkill_again_and_again_loses_nothing(Engine::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_again_and_again_loses_nothing_on_postgres() {
    sigkill_again_and_again_loses_nothing(Engine::Postgres).await;
}

fn spawn(url: &str, store: &str, cache: &str, reference: bool, bulk: bool) -> Child {
    let mut command = Command::new(env!("CARGO_BIN_EXE_gridwall-ingest"));
    command
        .args([
            "--url",
            url,
            "--store",
            store,
            "--cache-dir",
            cache,
            "--no-progress",
        ])
        .args(["--batch-max", "200", "--batch-wait-ms", "20"])
        // Every other run lands its catch-up through the bulk path.
        .args(["--bulk-threshold", if bulk { "0" } else { "20000" }])
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    if !reference {
        command.arg("--no-reference");
    }
    command.spawn().expect("the binary starts")
}

async fn sigkill_again_and_again_loses_nothing(engine: Engine) {
    let kills = kills();
    // A day and a half of history to backfill, then about 350 revisions a
    // second while the test pumps.
    let sim = Arc::new(Sim::start(builder(3_000.0, 36)).await);
    let dir = tempfile::tempdir().unwrap();
    let store_path = match engine {
        Engine::Sqlite => dir.path().join("store.sqlite").to_str().unwrap().to_owned(),
        Engine::Postgres => {
            let server = gridwall_store::testing::postgres_server().unwrap();
            gridwall_store::testing::new_database(&server, "gwk")
                .await
                .unwrap()
        }
    };
    let cache = dir.path().join("cache").to_str().unwrap().to_owned();
    let url = sim.url();

    sim.set_faults(Faults {
        duplicate_rate: 0.1,
        malformed_rate: 0.05,
        ..Faults::default()
    });
    let pumping = Arc::new(AtomicBool::new(true));
    let pump = tokio::spawn({
        let sim = Arc::clone(&sim);
        let pumping = Arc::clone(&pumping);
        async move {
            while pumping.load(Ordering::Relaxed) {
                sim.running.shared().pump();
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    });

    let mut rng = kill_schedule();
    // Kills that interrupted a binary which had landed revisions in that
    // round (the ones that lose or double something if a batch and its
    // cursor are not committed together), for the printed figure; and, on
    // SQLite, kills after the store's file existed.
    let mut killed_while_landing = 0;
    let mut killed_with_store = 0;
    let mut observer: Option<gridwall_store::Store> = None;
    let mut landed = 0;
    for round in 0..kills {
        // Every fourth run syncs the reference data too, so kills land there as well.
        let mut child = spawn(&url, &store_path, &cache, round % 4 == 0, round % 2 == 1);
        let after = Duration::from_millis(rng.random_range(150..900));
        tokio::time::sleep(after).await;
        if child.try_wait().expect("child status").is_some() {
            panic!("the ingest binary exited by itself in round {round}");
        }
        child.kill().expect("SIGKILL");
        child.wait().expect("reaped");
        let exists = match engine {
            Engine::Sqlite => std::path::Path::new(&store_path).exists(),
            Engine::Postgres => round > 0,
        };
        if exists {
            killed_with_store += 1;
        }
        // Open the store only once the binary has made it, so the first
        // kills still land while it is being created.
        if observer.is_none() && exists {
            observer = gridwall_store::Store::open(&store_path).await.ok();
        }
        if let Some(store) = &observer {
            let now: u64 = store.newest().await.map_or(landed, |newest| {
                newest
                    .iter()
                    .map(|(_, revision)| u64::from(*revision))
                    .sum()
            });
            if now > landed {
                killed_while_landing += 1;
            }
            landed = now;
        }
    }
    println!("{engine:?}: {kills} kills, {killed_while_landing} while revisions were landing");
    assert!(
        killed_with_store > kills / 2,
        "most kills came before the store existed"
    );
    if let Some(store) = observer {
        store.close().await;
    }

    pumping.store(false, Ordering::Relaxed);
    pump.await.unwrap();
    sim.set_faults(Faults::default());
    let (truth, _) = sim.truth();

    let mut last = spawn(&url, &store_path, &cache, false, true);
    let store = gridwall_store::Store::open(&store_path)
        .await
        .expect("store opens");
    eventually(&store, Duration::from_secs(40), |newest| {
        same(newest, &truth)
    })
    .await;
    last.kill().expect("SIGKILL");
    last.wait().expect("reaped");

    // Nothing counted twice or lost along the way: each event's timeline is
    // revisions 1..=newest, each once (the feed dropped nothing in this test).
    for (id, newest) in &truth {
        let timeline = store.timeline(id).await.expect("timeline");
        let revisions: Vec<u32> = timeline.iter().map(|r| r.revision).collect();
        let expected: Vec<u32> = (1..=*newest).collect();
        assert_eq!(revisions, expected, "timeline of {id}");
    }
}

/// A seeded generator, so a failing kill schedule can be replayed
/// (`GRIDWALL_KILL_SEED=<the printed seed>`); the seed
/// is printed.
fn kill_schedule() -> rand::rngs::StdRng {
    let seed: u64 = std::env::var("GRIDWALL_KILL_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| rand::rng().random());
    println!("kill schedule seed: {seed}");
    rand::rngs::StdRng::seed_from_u64(seed)
}
