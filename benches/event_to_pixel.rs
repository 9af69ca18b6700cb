//! Event-to-pixel latency: from the moment the simulator is asked to report
//! an event to the moment its grid's new colour is painted on the wall's map,
//! in the real app at 3840×2160 under Xvfb. Prints p50 and p99; asserts nothing.
//!
//!   cargo build -p gridwall -p gridwall-sim && cargo bench -p gridwall-suite --bench event_to_pixel --profile dev
//!
//! (The dev profile: the harness only waits; the app it measures is the debug
//! build every test uses.)
//!
//! How: a script in the page waits, frame by frame, until the map reports the
//! grid painted in its new colour (`colourOf` is the colour last painted); the
//! bench injects the event at the simulator while that script runs and stops
//! the clock when the script returns. The script's return trip through
//! WebDriver is measured on its own (a script that returns at the next frame)
//! and half its median is subtracted; both figures are printed.

use std::time::{Duration, Instant};

use anyhow::Result;
use gridwall_suite::{Launch, Sim, Wall};
use serde_json::json;

const EVENTS: usize = 40;

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

async fn wait_painted(wall: &Wall, grid: &str, colour: &str) -> Result<()> {
    wall.client
        .execute_async(
            "const [id, colour, done] = arguments; \
             const poll = () => window.__gridwallMap.colourOf(id) === colour \
               ? done(true) : requestAnimationFrame(poll); poll();",
            vec![json!(grid), json!(colour)],
        )
        .await?;
    Ok(())
}

#[tokio::main]
async fn main() -> Result<()> {
    let sim = Sim::start(&["--seed=9", "--warmup-hours=6"]).await?;
    let wall = Wall::launch(Launch::default().size(3840, 2160).against(&sim)).await?;
    wall.wait_for_live().await?;
    wall.wait_for_js(
        "return (window.__gridwallMap?.count() ?? 0) > 0",
        Duration::from_secs(60),
    )
    .await?;
    // Let the first backfill settle, so the figures are of the live feed.
    tokio::time::sleep(Duration::from_secs(10)).await;

    let mut trips = Vec::new();
    for _ in 0..30 {
        let started = Instant::now();
        wall.client
            .execute_async(
                "const done = arguments[0]; requestAnimationFrame(() => done(true));",
                vec![],
            )
            .await?;
        trips.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    trips.sort_by(f64::total_cmp);
    let half_trip = percentile(&trips, 0.5) / 2.0;

    let quiet = sim.quiet_grids(&wall).await?;
    anyhow::ensure!(quiet.len() >= EVENTS, "only {} quiet grids", quiet.len());

    let mut latencies = Vec::with_capacity(EVENTS);
    for grid in quiet.iter().take(EVENTS) {
        let inject = async {
            tokio::time::sleep(Duration::from_millis(200)).await;
            let t0 = Instant::now();
            sim.inject(json!({
                "grid_id": grid, "source": "grid_patrol", "category": "city.parking",
                "severity": 1, "title": "时延测试"
            }))
            .await?;
            anyhow::Ok(t0)
        };
        let (painted, t0) = tokio::join!(wait_painted(&wall, grid, "amber"), inject);
        painted?;
        let elapsed = t0?.elapsed().as_secs_f64() * 1000.0;
        latencies.push(elapsed);
    }
    latencies.sort_by(f64::total_cmp);
    let corrected: Vec<f64> = latencies.iter().map(|l| (l - half_trip).max(0.0)).collect();
    println!(
        "event to pixel at 3840x2160, {EVENTS} events: p50 {:.0} ms, p99 {:.0} ms \
         (raw, including the WebDriver return trip); minus half the median trip \
         ({half_trip:.1} ms): p50 {:.0} ms, p99 {:.0} ms",
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.99),
        percentile(&corrected, 0.5),
        percentile(&corrected, 0.99)
    );
    wall.close().await
}
