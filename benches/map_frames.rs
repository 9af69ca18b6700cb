//! Map frame time in the app's own window at 3840×2160 while the city
//! changes: the simulator runs an hour per second (`--speed=3600`), so events
//! are reported, dispatched and resolved across the city and grids change
//! colour both ways, through the whole pipeline (SSE, ingest, store, the
//! live picture, the channel, the map). Prints, over one minute:
//!
//! - grid colour changes per second, as the map shows them (sampled each second);
//! - the map's paint time per painted frame in JavaScript: p50, p95, max;
//! - the interval between animation frames: p50, p95 (what a viewer sees,
//!   including WebKit's own repaint of the window).
//!
//! Asserts nothing.
//!
//!   cargo build -p gridwall -p gridwall-sim && cargo bench -p gridwall-suite --bench map_frames --profile dev

use std::time::Duration;

use anyhow::{Context, Result};
use gridwall_suite::{Launch, Sim, Wall};

const SECONDS: u64 = 60;

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn sorted(value: &serde_json::Value) -> Vec<f64> {
    let mut v: Vec<f64> = value
        .as_array()
        .map(|a| a.iter().filter_map(serde_json::Value::as_f64).collect())
        .unwrap_or_default();
    v.sort_by(f64::total_cmp);
    v
}

#[tokio::main]
async fn main() -> Result<()> {
    let sim = Sim::start(&["--seed=9", "--warmup-hours=24", "--speed=3600"]).await?;
    let wall = Wall::launch(Launch::default().size(3840, 2160).against(&sim)).await?;
    wall.wait_for_live().await?;
    wall.wait_for_js(
        "return (window.__gridwallMap?.count() ?? 0) > 0",
        Duration::from_secs(60),
    )
    .await?;
    // Let the backfill settle so the figures are of the live feed.
    tokio::time::sleep(Duration::from_secs(15)).await;

    wall.js(
        "window.__bench = { intervals: [], changes: [], stop: false };
         window.__gridwallMap.takePaintTimes();
         let last = performance.now();
         const frame = (now) => {
           window.__bench.intervals.push(now - last); last = now;
           if (!window.__bench.stop) requestAnimationFrame(frame);
         };
         requestAnimationFrame(frame);
         return true;",
    )
    .await?;
    // Colours of every grid once a second, for the simulator's grid list.
    let mut ids: Vec<String> = Vec::new();
    let mut token = String::new();
    loop {
        let mut query = vec![("page_size", "500")];
        if !token.is_empty() {
            query.push(("page_token", &token));
        }
        let page = sim.get_with("/api/v1/grids", &query).await?;
        ids.extend(
            page["grids"]
                .as_array()
                .context("a page of grids")?
                .iter()
                .filter_map(|g| g["grid_id"].as_str().map(str::to_owned)),
        );
        match page["next_page_token"].as_str() {
            Some(next) => token = next.to_owned(),
            None => break,
        }
    }
    let colours = format!("return {ids:?}.map((id) => window.__gridwallMap.colourOf(id));");
    let mut previous = wall.js(&colours).await?;
    let mut changes = Vec::new();
    for _ in 0..SECONDS {
        tokio::time::sleep(Duration::from_secs(1)).await;
        let now = wall.js(&colours).await?;
        let changed = previous
            .as_array()
            .zip(now.as_array())
            .map(|(a, b)| a.iter().zip(b).filter(|(x, y)| x != y).count())
            .unwrap_or(0);
        changes.push(changed as f64);
        previous = now;
    }
    let result = wall
        .js("window.__bench.stop = true; return { paints: window.__gridwallMap.takePaintTimes(), intervals: window.__bench.intervals };")
        .await?;
    let paints = sorted(&result["paints"]);
    let intervals = sorted(&result["intervals"]);
    changes.sort_by(f64::total_cmp);
    println!(
        "map in the app at 3840x2160, {SECONDS} s, {} grids followed: colour changes/s p50 {:.0} (min {:.0}, max {:.0}); \
         {} painted frames: paint p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms; \
         frame interval p50 {:.1} ms, p95 {:.1} ms",
        ids.len(),
        percentile(&changes, 0.5),
        changes.first().copied().unwrap_or(f64::NAN),
        changes.last().copied().unwrap_or(f64::NAN),
        paints.len(),
        percentile(&paints, 0.5),
        percentile(&paints, 0.95),
        paints.last().copied().unwrap_or(f64::NAN),
        percentile(&intervals, 0.5),
        percentile(&intervals, 0.95),
    );
    wall.close().await
}
