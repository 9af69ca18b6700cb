//! CPU and memory of the whole app with 16 live camera tiles at 10 fps for a
//! minute, and the frames each tile showed. Prints; asserts nothing.
//!
//!   cargo build -p gridwall -p gridwall-sim && cargo bench -p gridwall-suite --bench video_load --profile dev
//!
//! The app runs at 3840×2160 under Xvfb against the `gridwall-sim` binary.
//! Every process this bench starts is sampled from `/proc` once a second:
//! the app's own (`gridwall`, `WebKitWebProcess`, `WebKitNetworkProcess`, …)
//! make the total; Xvfb (the display), the WebDriver processes and the
//! simulator are printed apart. Frames are counted in the page as each live
//! tile's `tileframe` events (a frame drawn onto its canvas), or `load`
//! events of its <img> in builds without the canvas; the page's animation
//! frames are counted too. `GRIDWALL_BENCH_SECS` changes the minute;
//! `GRIDWALL_APP` measures another build; `GRIDWALL_BENCH_WINDOW=video`
//! measures a whole-screen video window instead of the wall's video panel; `GRIDWALL_SIM` runs another
//! simulator build (a release one keeps the simulator off the app's cores).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use gridwall_suite::procs::{TICKS, descendants, group, processes};
use gridwall_suite::{Launch, Sim, Wall, percentile};

#[tokio::main]
async fn main() -> Result<()> {
    let secs: u64 = std::env::var("GRIDWALL_BENCH_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(60);
    let sim = Sim::start(&["--seed=5", "--warmup-hours=2"]).await?;
    // `GRIDWALL_BENCH_WINDOW=video`: a whole-screen video window (layout =
    // "video") instead of the wall's video panel beside the map.
    let config_dir = tempfile::TempDir::new()?;
    let mut launch = Launch::default().size(3840, 2160).against(&sim);
    if std::env::var("GRIDWALL_BENCH_WINDOW").as_deref() == Ok("video") {
        let config = config_dir.path().join("video.toml");
        std::fs::write(
            &config,
            "[[window]]\nlabel = \"video\"\nlayout = \"video\"\n",
        )?;
        launch = launch.config(&config);
    }
    let wall = Wall::launch(launch).await?;
    wall.wait_for_live().await?;
    wall.wait_for_js(
        "return document.querySelectorAll('[data-testid=video-tile][data-mode=live]').length > 0",
        Duration::from_secs(90),
    )
    .await
    .context("no tile went live")?;
    wall.js(
        "window.__gridwallVideo.followAlerts(false); window.__gridwallVideo.hold(true); \
         window.__gridwallVideo.setLayout('16'); return true",
    )
    .await?;
    // Let the 16 tiles settle.
    tokio::time::sleep(Duration::from_secs(15)).await;
    wall.js(
        "window.__benchFrames = {}; \
         const count = (e) => { \
           const tile = e.target.closest?.('[data-testid=video-tile]'); \
           if (tile && tile.dataset.mode === 'live') { \
             const id = tile.dataset.camera; window.__benchFrames[id] = (window.__benchFrames[id] ?? 0) + 1; } \
         }; \
         document.addEventListener('load', count, true); \
         document.addEventListener('tileframe', count, true); return true",
    )
    .await?;
    // How often the page gets an animation frame: what it can present.
    wall.js("window.__benchRaf = 0; \
         const tick = () => { window.__benchRaf += 1; requestAnimationFrame(tick); }; \
         requestAnimationFrame(tick); return true")
        .await?;

    let me = std::process::id();
    let first = processes();
    let mut previous = first.clone();
    let mut per_second = Vec::new();
    let mut peak_rss: HashMap<&'static str, u64> = HashMap::new();
    let mut rss_samples: Vec<f64> = Vec::new();
    let started = Instant::now();
    for _ in 0..secs {
        tokio::time::sleep(Duration::from_secs(1)).await;
        let now = processes();
        let ours = descendants(&now, me);
        let mut app_ticks = 0;
        let mut rss: HashMap<&'static str, u64> = HashMap::new();
        for pid in &ours {
            let p = &now[pid];
            let before = previous.get(pid).map_or(0, |q| q.ticks);
            if group(&p.name) == "app" {
                app_ticks += p.ticks.saturating_sub(before);
            }
            *rss.entry(group(&p.name)).or_default() += p.rss_kib;
        }
        per_second.push(app_ticks as f64 / TICKS);
        rss_samples.push(rss.get("app").copied().unwrap_or(0) as f64 / 1024.0);
        for (g, kib) in rss {
            let e = peak_rss.entry(g).or_default();
            *e = (*e).max(kib);
        }
        previous = now;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let last = processes();
    let ours = descendants(&last, me);

    let frames = wall.js("return window.__benchFrames").await?;
    let animation_frames = wall
        .js("return window.__benchRaf")
        .await?
        .as_f64()
        .unwrap_or(0.0);
    let live = wall
        .js("return document.querySelectorAll('[data-testid=video-tile][data-mode=live]').length")
        .await?;
    let report = sim.get("/admin/video/streams").await?;

    println!("video_load: 16 tiles at 3840x2160 for {elapsed:.0} s");
    println!("{:<40} {:>10} {:>12}", "process", "CPU s/s", "peak RSS MiB");
    let mut by_group: HashMap<&'static str, f64> = HashMap::new();
    let mut rows = Vec::new();
    for pid in &ours {
        let p = &last[pid];
        let cpu = p
            .ticks
            .saturating_sub(first.get(pid).map_or(0, |q| q.ticks)) as f64
            / TICKS
            / elapsed;
        *by_group.entry(group(&p.name)).or_default() += cpu;
        rows.push((
            group(&p.name),
            p.name.clone(),
            *pid,
            cpu,
            p.rss_kib as f64 / 1024.0,
        ));
    }
    rows.sort_by(|a, b| a.0.cmp(b.0).then(b.3.total_cmp(&a.3)));
    for (g, name, pid, cpu, rss) in rows {
        println!(
            "{:<40} {cpu:>10.3} {rss:>12.0}",
            format!("[{g}] {name} ({pid})")
        );
    }
    let mut sorted = per_second.clone();
    sorted.sort_by(f64::total_cmp);
    println!();
    for (g, cpu) in &by_group {
        println!(
            "total {g:<16} {cpu:.3} CPU s/s, peak RSS {:.0} MiB",
            peak_rss.get(g).copied().unwrap_or(0) as f64 / 1024.0
        );
    }
    println!(
        "app CPU per second: p50 {:.2}, p90 {:.2}, max {:.2} cores; app RSS mean {:.0} MiB",
        percentile(&sorted, 0.5),
        percentile(&sorted, 0.9),
        percentile(&sorted, 1.0),
        rss_samples.iter().sum::<f64>() / rss_samples.len().max(1) as f64
    );
    let mut counts: Vec<f64> = frames
        .as_object()
        .map(|m| m.values().filter_map(|v| v.as_f64()).collect())
        .unwrap_or_default();
    counts.sort_by(f64::total_cmp);
    println!(
        "live tiles at the end: {live}; frames shown per live tile over the window: n={} min {:.0} p50 {:.0} max {:.0} (≈ {:.1} fps median)",
        counts.len(),
        percentile(&counts, 0.0),
        percentile(&counts, 0.5),
        percentile(&counts, 1.0),
        percentile(&counts, 0.5) / elapsed
    );
    println!(
        "animation frames of the page: {animation_frames:.0} in {elapsed:.0} s = {:.1} per second",
        animation_frames / elapsed
    );
    println!(
        "gateway: cap {}, streams now {}, peak per client {}",
        report["max_streams_per_client"], report["current_total"], report["peak_per_client"]
    );
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!("load average at the end: {}", load.trim());
    // After the figures: under heavy load WebKit may not draw a frame within
    // WebDriver's 30 s, and the screenshot waits for two.
    if let Err(err) = wall.screenshot("bench-video-16").await {
        println!("no screenshot: {err}");
    }
    wall.close().await
}
