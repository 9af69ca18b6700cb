//! The camera matrix against a simulator the test drives: live MJPEG tiles
//! move, a cut stream falls back to snapshots and comes back, and the
//! gateway never sees more streams from the app than its cap.

use std::time::Duration;

use anyhow::{Context, Result};
use gridwall_suite::{Launch, Sim, Wall};
use serde_json::json;

const W: u32 = 3840;
const H: u32 = 2160;

async fn launch_against(sim: &Sim) -> Result<Wall> {
    let wall = Wall::launch(
        Launch::default()
            .size(W, H)
            .arg(format!("--governance-url={}", sim.base_url()))
            .arg(format!("--video-url={}", sim.base_url())),
    )
    .await?;
    wall.wait_for_live().await?;
    wall.wait_for_js(
        "return document.querySelectorAll('[data-testid=video-tile][data-mode=live]').length > 0",
        Duration::from_secs(60),
    )
    .await
    .context("no video tile went live")?;
    // Keep the scene: neither the rotation nor a random severe alert of the
    // simulator may replace the tiles under test.
    wall.js("window.__gridwallVideo.hold(true); return true")
        .await?;
    Ok(wall)
}

/// The pixels of one tile (RGB rows), cut from a window screenshot by the
/// tile's own rectangle: WebKitWebDriver takes no element screenshots.
async fn tile_pixels(wall: &Wall, camera: &str) -> Result<Vec<u8>> {
    let rect = wall
        .js(&format!(
            "const r = document.querySelector('[data-testid=video-tile][data-camera=\"{camera}\"]').getBoundingClientRect(); \
             const d = window.devicePixelRatio; \
             return [Math.ceil(r.left * d), Math.ceil(r.top * d), Math.floor(r.width * d), Math.floor(r.height * d)]"
        ))
        .await?;
    let [x, y, w, h]: [usize; 4] = serde_json::from_value(rect)?;
    let png = wall.client.screenshot().await?;
    let mut reader = png::Decoder::new(png.as_slice()).read_info()?;
    let mut buf = vec![0; reader.output_buffer_size()];
    let frame = reader.next_frame(&mut buf)?;
    let channels = frame.color_type.samples();
    anyhow::ensure!(
        frame.bit_depth == png::BitDepth::Eight,
        "an 8-bit screenshot"
    );
    anyhow::ensure!(
        x + w <= frame.width as usize && y + h <= frame.height as usize,
        "the tile is inside the window"
    );
    let mut out = Vec::with_capacity(w * h * 3);
    for row in y..y + h {
        let line = &buf[row * frame.line_size..(row + 1) * frame.line_size];
        for px in line[x * channels..(x + w) * channels].chunks(channels) {
            out.extend_from_slice(&px[..3]);
        }
    }
    Ok(out)
}

async fn mode_of(wall: &Wall, camera: &str) -> Result<String> {
    let mode = wall
        .js(&format!(
            "return document.querySelector('[data-testid=video-tile][data-camera=\"{camera}\"]')?.dataset.mode ?? null"
        ))
        .await?;
    mode.as_str().map(str::to_owned).context("the tile is gone")
}

async fn live_cameras(wall: &Wall) -> Result<Vec<String>> {
    let ids = wall
        .js("return [...document.querySelectorAll('[data-testid=video-tile][data-mode=live]')].map((t) => t.dataset.camera)")
        .await?;
    Ok(serde_json::from_value(ids)?)
}

/// The simulator's own count of streams, for the one client the app is.
async fn stream_report(sim: &Sim) -> Result<(u64, u64, u64)> {
    let report = sim.get("/admin/video/streams").await?;
    let clients = report["clients"].as_object().context("clients")?;
    let peak = clients
        .values()
        .filter_map(|c| c["peak"].as_u64())
        .max()
        .unwrap_or(0);
    let refused = clients.values().filter_map(|c| c["refused"].as_u64()).sum();
    let cap = report["max_streams_per_client"].as_u64().context("cap")?;
    Ok((cap, peak, refused))
}

#[tokio::test]
async fn live_tiles_move_and_a_cut_stream_falls_back_to_snapshots_and_back() -> Result<()> {
    let sim = Sim::start(&["--seed=5", "--warmup-hours=2"]).await?;
    let wall = launch_against(&sim).await?;
    // The big tile of the default 1+5 scene.
    let camera = live_cameras(&wall)
        .await?
        .into_iter()
        .next()
        .context("a live tile")?;
    wall.screenshot("video-matrix-3840x2160").await?;

    // Three pictures 400 ms apart all differ: live video, not snapshots
    // (which change every 2 s).
    let mut shots = Vec::new();
    for _ in 0..3 {
        shots.push(tile_pixels(&wall, &camera).await?);
        tokio::time::sleep(Duration::from_millis(400)).await;
    }
    assert_ne!(shots[0], shots[1], "the live tile moved");
    assert_ne!(shots[1], shots[2], "the live tile keeps moving");
    assert_eq!(mode_of(&wall, &camera).await?, "live");

    // Cut the camera's streams at the simulator: the tile shows snapshots...
    let http = reqwest::Client::new();
    http.post(sim.url(&format!("/admin/video/cameras/{camera}/streams/fail")))
        .json(&json!({"fault": "end"}))
        .send()
        .await?
        .error_for_status()?;
    wall.wait_for_js(
        &format!(
            "return document.querySelector('[data-testid=video-tile][data-camera=\"{camera}\"]').dataset.mode === 'snapshot'"
        ),
        Duration::from_secs(15),
    )
    .await
    .context("the cut stream did not fall back to snapshots")?;
    wall.screenshot("video-matrix-cut").await?;
    // ...and goes live again by itself.
    wall.wait_for_js(
        &format!(
            "return document.querySelector('[data-testid=video-tile][data-camera=\"{camera}\"]').dataset.mode === 'live'"
        ),
        Duration::from_secs(30),
    )
    .await
    .context("the tile did not go live again")?;

    let (cap, peak, _) = stream_report(&sim).await?;
    assert!(
        peak <= cap,
        "the app opened {peak} streams at once, over the cap of {cap}"
    );
    wall.close().await
}
