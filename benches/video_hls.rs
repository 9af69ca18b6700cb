//! CPU of the whole app playing 4 HLS tiles (hls.js over Media Source
//! Extensions, through the app's media proxy) against 4 MJPEG tiles in the
//! same run: MJPEG, HLS, MJPEG again, each for a while. Prints; asserts nothing.
//!
//!   cargo build -p gridwall -p gridwall-sim && cargo bench -p gridwall-suite --bench video_hls --profile dev
//!
//! One whole-screen video window at 1920×1080 under Xvfb, layout 4, against
//! the `gridwall-sim` binary (whose HLS encoding is its own CPU, printed
//! apart). CPU is sampled from `/proc` for every process this bench started
//! and grouped as `procs::group` says: the app is `gridwall` and its WebKit
//! processes. Frames: `load` events of the MJPEG tiles' <img>, and the
//! <video>s' `getVideoPlaybackQuality()` for HLS. `GRIDWALL_BENCH_SECS`
//! sets each phase (30 s); `GRIDWALL_APP` and `GRIDWALL_SIM` as for `video_load`.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use gridwall_suite::procs::{TICKS, descendants, group, processes};
use gridwall_suite::{Launch, Sim, Wall};

/// Four online cameras that offer `form` (`mjpeg`, or `hls` with no MJPEG).
async fn cameras(sim: &Sim, form: &str) -> Result<Vec<String>> {
    let page = sim.get("/vnet/v1/cameras?page_size=1000").await?;
    let found: Vec<String> = page["cameras"]
        .as_array()
        .context("cameras")?
        .iter()
        .filter(|c| c["status"] == "online")
        .filter(|c| match form {
            "hls" => c["streams"]["mjpeg"].is_null() && c["streams"]["hls"].is_string(),
            _ => c["streams"]["mjpeg"].is_string(),
        })
        .filter_map(|c| c["camera_id"].as_str().map(str::to_owned))
        .take(4)
        .collect();
    anyhow::ensure!(found.len() == 4, "four {form} cameras");
    Ok(found)
}

/// Frames shown so far: <img> loads of live tiles plus decoded video frames.
async fn frames(wall: &Wall) -> Result<(f64, f64)> {
    let counts = wall
        .js(
            "const v = [...document.querySelectorAll('[data-testid=video-tile] video')]; \
             const q = v.map((e) => e.getVideoPlaybackQuality?.() ?? { totalVideoFrames: 0, droppedVideoFrames: 0 }); \
             return [(window.__benchLoads ?? 0) + q.reduce((a, b) => a + b.totalVideoFrames, 0), \
                     q.reduce((a, b) => a + b.droppedVideoFrames, 0)]",
        )
        .await?;
    let [shown, dropped]: [f64; 2] = serde_json::from_value(counts)?;
    Ok((shown, dropped))
}

/// Shows `ids`, lets them settle, then measures for `secs`: app and
/// simulator CPU (cores), frames shown and dropped per second.
async fn phase(wall: &Wall, ids: &[String], secs: u64) -> Result<(f64, f64, f64, f64, u64)> {
    wall.js(&format!(
        "window.__gridwallVideo.show('4', {}); return true",
        serde_json::to_string(ids)?
    ))
    .await?;
    wall.wait_for_js(
        "return document.querySelectorAll('[data-testid=video-tile][data-mode=live]').length === 4",
        Duration::from_secs(60),
    )
    .await
    .context("four live tiles")?;
    tokio::time::sleep(Duration::from_secs(10)).await;
    let me = std::process::id();
    let first = processes();
    let (shown_before, dropped_before) = frames(wall).await?;
    let started = Instant::now();
    tokio::time::sleep(Duration::from_secs(secs)).await;
    let elapsed = started.elapsed().as_secs_f64();
    let (shown_after, dropped_after) = frames(wall).await?;
    let last = processes();
    let mut cpu: HashMap<&'static str, f64> = HashMap::new();
    for pid in descendants(&last, me) {
        let ticks = last[&pid]
            .ticks
            .saturating_sub(first.get(&pid).map_or(0, |p| p.ticks));
        *cpu.entry(group(&last[&pid].name)).or_default() += ticks as f64 / TICKS / elapsed;
    }
    let live = wall
        .js("return document.querySelectorAll('[data-testid=video-tile][data-mode=live]').length")
        .await?
        .as_u64()
        .unwrap_or(0);
    Ok((
        cpu.get("app").copied().unwrap_or(0.0),
        cpu.get("simulator").copied().unwrap_or(0.0),
        (shown_after - shown_before) / elapsed,
        (dropped_after - dropped_before) / elapsed,
        live,
    ))
}

#[tokio::main]
async fn main() -> Result<()> {
    let secs: u64 = std::env::var("GRIDWALL_BENCH_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(30);
    let sim = Sim::start(&["--seed=5", "--warmup-hours=2"]).await?;
    let dir = tempfile::TempDir::new()?;
    let config = dir.path().join("video.toml");
    std::fs::write(
        &config,
        "[[window]]\nlabel = \"video\"\nlayout = \"video\"\n",
    )?;
    let wall = Wall::launch(
        Launch::default()
            .size(1920, 1080)
            .against(&sim)
            .config(&config),
    )
    .await?;
    wall.wait_for_js(
        "return typeof window.__gridwallVideo?.show === 'function' && window.__gridwallVideo.gatewayCap() !== null",
        Duration::from_secs(90),
    )
    .await
    .context("the video matrix did not get its catalogue")?;
    wall.js(
        "window.__gridwallVideo.followAlerts(false); window.__gridwallVideo.hold(true); \
         window.__benchLoads = 0; \
         document.addEventListener('load', (e) => { \
           if (e.target.tagName === 'IMG' && e.target.closest('[data-testid=video-tile][data-mode=live]')) window.__benchLoads += 1; \
         }, true); return true",
    )
    .await?;
    let mjpeg = cameras(&sim, "mjpeg").await?;
    let hls = cameras(&sim, "hls").await?;

    println!("video_hls: 4 tiles in a 1920x1080 video window, {secs} s a phase");
    println!(
        "{:<8} {:>10} {:>14} {:>12} {:>10} {:>6}",
        "phase", "app cores", "simulator", "frames/s", "dropped/s", "live"
    );
    for (name, ids) in [("mjpeg", &mjpeg), ("hls", &hls), ("mjpeg", &mjpeg)] {
        let (app, simulator, shown, dropped, live) = phase(&wall, ids, secs).await?;
        println!("{name:<8} {app:>10.3} {simulator:>14.3} {shown:>12.1} {dropped:>10.1} {live:>6}");
    }
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!("load average at the end: {}", load.trim());
    wall.close().await
}
