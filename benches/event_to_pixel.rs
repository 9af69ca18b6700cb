//! Event-to-pixel latency: from the moment the simulator is asked to report
//! an event to the moment its grid's new colour is painted on the wall's map,
//! in the real app at 3840×2160 under Xvfb. Prints p50 and p99; asserts nothing.
//!
//!   cargo build -p gridwall -p gridwall-sim && cargo bench -p gridwall-suite --bench event_to_pixel --profile dev
//!
//! (The dev profile: the harness only waits; the app it measures is the debug
//! build every test uses.)
//!
//! How: a script in the page watches the grid from before the injection. It
//! notes the wall-clock time (`Date.now()`) when the map first holds the new
//! colour (polled every 2 ms: the Tauri event has arrived and been applied)
//! and when the map has painted it (`colourOf` is the colour last painted,
//! polled each animation frame), and then waits one more animation frame, so
//! that the frame with the new colour has been handed to the window. The bench
//! notes the wall-clock time just before asking the simulator to report the
//! event; both clocks are this machine's, so no WebDriver trip enters the
//! figures. For comparison with earlier sittings it also prints the old
//! figure: the trip from the injection to the script's return, less half the
//! median trip of a script that returns at the next frame.
//!
//! It also records every animation frame's interval while the events go in
//! (the long frames are the page's work for an event).
//!
//! `GRIDWALL_BENCH_EVENTS` sets the number of events (default 40);
//! `GRIDWALL_BENCH_PROBE` a script run in the page before them (e.g. one
//! adding a style that hides a panel), to take the page's cost apart.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::Result;
use gridwall_suite::{Launch, Sim, Wall, percentile};
use serde_json::json;

fn epoch_ms() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}

/// Waits in the page until `grid` is painted `colour`; returns the page's
/// wall-clock times (ms since the epoch) of the colour held and of the frame
/// after the one that painted it.
async fn wait_painted(wall: &Wall, grid: &str, colour: &str) -> Result<(f64, f64)> {
    let times = wall
        .client
        .execute_async(
            "const [id, colour, done] = arguments; const map = window.__gridwallMap; \
             let held = 0; \
             const hold = () => { if (map.receivedOf(id) === colour) held = Date.now(); \
               else setTimeout(hold, 2); }; hold(); \
             const poll = () => map.colourOf(id) === colour \
               ? requestAnimationFrame(() => done([held || Date.now(), Date.now()])) \
               : requestAnimationFrame(poll); \
             poll();",
            vec![json!(grid), json!(colour)],
        )
        .await?;
    let at = |k: usize| times[k].as_f64().unwrap_or(f64::NAN);
    Ok((at(0), at(1)))
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

    let events: usize = std::env::var("GRIDWALL_BENCH_EVENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(40);
    let quiet = sim.quiet_grids(&wall).await?;
    anyhow::ensure!(quiet.len() >= events, "only {} quiet grids", quiet.len());

    // A script run in the page first, to take the page apart (e.g. a style
    // that hides a panel), as the damage bench's probes do; what it leaves
    // in `window.__probeOut` is printed at the end.
    if let Ok(probe) = std::env::var("GRIDWALL_BENCH_PROBE") {
        wall.js(&format!("{probe}; return true;")).await?;
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
    // Every animation frame's interval while the events go in.
    wall.js(
        "window.__e2p = { intervals: [], stop: false }; let last = performance.now(); \
         const frame = (now) => { window.__e2p.intervals.push(now - last); last = now; \
           if (!window.__e2p.stop) requestAnimationFrame(frame); }; \
         requestAnimationFrame(frame); return true;",
    )
    .await?;
    let mut latencies = Vec::with_capacity(events);
    let (mut held, mut painted_at) = (Vec::new(), Vec::new());
    for grid in quiet.iter().take(events) {
        let inject = async {
            tokio::time::sleep(Duration::from_millis(200)).await;
            let t0 = Instant::now();
            let at = epoch_ms();
            sim.inject(json!({
                "grid_id": grid, "source": "grid_patrol", "category": "city.parking",
                "severity": 1, "title": "时延测试"
            }))
            .await?;
            anyhow::Ok((t0, at))
        };
        let (times, sent) = tokio::join!(wait_painted(&wall, grid, "amber"), inject);
        let ((got, shown), (t0, at)) = (times?, sent?);
        latencies.push(t0.elapsed().as_secs_f64() * 1000.0);
        held.push(got - at);
        painted_at.push(shown - at);
    }
    let out = wall.js("return window.__probeOut ?? null;").await?;
    if !out.is_null() {
        println!("the probe says: {out}");
    }
    let mut intervals: Vec<f64> = wall
        .js("window.__e2p.stop = true; return window.__e2p.intervals;")
        .await?
        .as_array()
        .map(|a| a.iter().filter_map(serde_json::Value::as_f64).collect())
        .unwrap_or_default();
    for v in [&mut latencies, &mut held, &mut painted_at, &mut intervals] {
        v.sort_by(f64::total_cmp);
    }
    let corrected: Vec<f64> = latencies.iter().map(|l| (l - half_trip).max(0.0)).collect();
    println!(
        "event to pixel at 3840x2160, {events} events, timed in the page: \
         colour held p50 {:.0} ms, p99 {:.0} ms; painted and handed on p50 {:.0} ms, p99 {:.0} ms, \
         max {:.0} ms. Through WebDriver: raw p50 {:.0} ms, p99 {:.0} ms; minus half the median trip \
         ({half_trip:.1} ms): p50 {:.0} ms, p99 {:.0} ms. {} animation frames: interval \
         p50 {:.0} ms, p95 {:.0} ms, max {:.0} ms; {} over 50 ms",
        percentile(&held, 0.5),
        percentile(&held, 0.99),
        percentile(&painted_at, 0.5),
        percentile(&painted_at, 0.99),
        painted_at.last().copied().unwrap_or(f64::NAN),
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.99),
        percentile(&corrected, 0.5),
        percentile(&corrected, 0.99),
        intervals.len(),
        percentile(&intervals, 0.5),
        percentile(&intervals, 0.95),
        intervals.last().copied().unwrap_or(f64::NAN),
        intervals.iter().filter(|i| **i > 50.0).count(),
    );
    wall.close().await
}
