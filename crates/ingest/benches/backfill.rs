//! A first backfill through the feed, end to end: the simulator serving
//! days of history over real HTTP (with a delay per request, as a platform
//! across the city's network answers), the client paging through it and
//! landing every page in a fresh SQLite store on the bulk path. Prints the
//! time to reach the head and the revisions a second, per run; asserts
//! nothing.
//!
//!   cargo bench -p gridwall-ingest --bench backfill
//!   GRIDWALL_BENCH_DAYS=7 GRIDWALL_BENCH_LATENCY_MS=0,50 GRIDWALL_BENCH_RUNS=3 \
//!     cargo bench -p gridwall-ingest --bench backfill
//!
//! The simulator runs in this process, on the same cores as the client: a
//! real platform answers from machines of its own, so what the client does
//! while the platform builds a page is measured here at a disadvantage.

use std::sync::Arc;
use std::time::{Duration, Instant};

use gridwall_ingest::{Ingest, IngestConfig};
use gridwall_sim::Simulator;
use gridwall_sim::faults::Faults;
use gridwall_sim::feed::Retention;
use gridwall_store::Store;
use tokio_util::sync::CancellationToken;

fn env_list(name: &str, default: &str) -> Vec<u64> {
    std::env::var(name)
        .unwrap_or_else(|_| default.to_owned())
        .split(',')
        .filter_map(|v| v.trim().parse().ok())
        .collect()
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> anyhow::Result<()> {
    let days = env_list("GRIDWALL_BENCH_DAYS", "7")[0];
    let latencies = env_list("GRIDWALL_BENCH_LATENCY_MS", "0,50");
    let runs = env_list("GRIDWALL_BENCH_RUNS", "3")[0] as usize;

    let cancel = CancellationToken::new();
    let running = Simulator::builder()
        .seed(7)
        .start(time::macros::datetime!(2026-11-27 10:00 +8))
        .warmup(Duration::from_secs(days * 86_400))
        // The city holds still: the head is the end of the warm-up.
        .tick(Duration::from_secs(3600))
        .retention(Retention {
            max_age_s: None,
            max_entries: None,
        })
        .video(None)
        .build()?
        .serve("127.0.0.1:0".parse()?, cancel.clone())
        .await?;
    let (_, head) = running.shared().ground_truth();
    println!("history: {days} days, head seq {head}");
    println!("| delay a request | run | to the head | revisions/s |");
    println!("|---|---|---|---|");

    for &latency in &latencies {
        running.shared().set_faults(Faults {
            latency_ms: latency,
            ..Faults::default()
        })?;
        for run in 1..=runs {
            let dir = tempfile::tempdir()?;
            let store =
                Arc::new(Store::open(dir.path().join("store.sqlite").to_str().unwrap()).await?);
            let mut config = IngestConfig::new(running.base_url(), dir.path().join("cache"));
            config.clock = running.clock().clone();
            let ingest = Arc::new(Ingest::new(config, Arc::clone(&store))?);
            let stop = CancellationToken::new();
            let started = Instant::now();
            let task = tokio::spawn({
                let ingest = Arc::clone(&ingest);
                let stop = stop.clone();
                async move { ingest.follow(&stop).await }
            });
            loop {
                if store.cursor("governance").await? >= Some(head) {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            let took = started.elapsed().as_secs_f64();
            stop.cancel();
            let _ = task.await;
            store.close().await;
            println!(
                "| {latency} ms | {run} | {took:.2} s | {:.0} |",
                head as f64 / took
            );
        }
    }
    cancel.cancel();
    Ok(())
}
