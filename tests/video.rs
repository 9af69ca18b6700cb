//! The camera matrix against a simulator the test drives: live MJPEG tiles
//! move, a cut or hung stream falls back to snapshots and comes back, all 16
//! tiles of a window can be live (media comes through the app's own scheme,
//! not the webview's 6 connections per host), and the gateway never sees
//! more streams from the app than its cap, even a small one.

use std::time::Duration;

use anyhow::{Context, Result};
use gridwall_suite::{Launch, Sim, Wall};
use serde_json::json;

const W: u32 = 3840;
const H: u32 = 2160;

async fn launch_against(sim: &Sim) -> Result<Wall> {
    let wall = Wall::launch(Launch::default().size(W, H).against(sim)).await?;
    wall.wait_for_live().await?;
    wall.wait_for_js(
        "return document.querySelectorAll('[data-testid=video-tile][data-mode=live]').length > 0",
        Duration::from_secs(60),
    )
    .await
    .context("no video tile went live")?;
    // Keep the scene: neither the rotation nor a random severe alert of the
    // simulator may replace the tiles under test.
    // (`followAlerts(false)` too: a test that lets the rotation run again
    // must not have it paused by an alert's focus.)
    wall.js("window.__gridwallVideo.hold(true); window.__gridwallVideo.followAlerts(false); return true")
        .await?;
    Ok(wall)
}

/// The pixels of one tile (RGB rows), cut from a window screenshot by the
/// tile's own rectangle: WebKitWebDriver takes no element screenshots.
pub(crate) async fn tile_pixels(wall: &Wall, camera: &str) -> Result<Vec<u8>> {
    let rect = wall
        .js(&format!(
            "const r = document.querySelector('[data-testid=video-tile][data-camera=\"{camera}\"]').getBoundingClientRect(); \
             const d = window.devicePixelRatio; \
             return [Math.ceil(r.left * d), Math.ceil(r.top * d), Math.floor(r.width * d), Math.floor(r.height * d)]"
        ))
        .await?;
    let [x, y, w, h]: [usize; 4] = serde_json::from_value(rect)?;
    let shot = gridwall_suite::shots::decode(&wall.client.screenshot().await?)?;
    anyhow::ensure!(
        x + w <= shot.width && y + h <= shot.height,
        "the tile is inside the window"
    );
    let mut out = Vec::with_capacity(w * h * 3);
    for row in y..y + h {
        let start = (row * shot.width + x) * 3;
        out.extend_from_slice(&shot.rgb[start..start + w * 3]);
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

/// Waits until `camera`'s tile is in `mode` (`!live`: anything but live).
async fn wait_for_mode(wall: &Wall, camera: &str, mode: &str, within: u64) -> Result<()> {
    let test = match mode.strip_prefix('!') {
        Some(not) => format!("!== '{not}'"),
        None => format!("=== '{mode}'"),
    };
    wall.wait_for_js(
        &format!(
            "return document.querySelector('[data-testid=video-tile][data-camera=\"{camera}\"]').dataset.mode {test}"
        ),
        Duration::from_secs(within),
    )
    .await
}

async fn live_cameras(wall: &Wall) -> Result<Vec<String>> {
    let ids = wall
        .js("return [...document.querySelectorAll('[data-testid=video-tile][data-mode=live]')].map((t) => t.dataset.camera)")
        .await?;
    Ok(serde_json::from_value(ids)?)
}

/// A camera whose tile is live now. Waits for one: the gateway may end any
/// stream at any moment (the contract allows it), so the tile seen live by
/// `launch_against` may be reconnecting by the time a test looks.
async fn a_live_camera(wall: &Wall) -> Result<String> {
    let started = std::time::Instant::now();
    loop {
        if let Some(camera) = live_cameras(wall).await?.into_iter().next() {
            return Ok(camera);
        }
        anyhow::ensure!(
            started.elapsed() < Duration::from_secs(30),
            "no tile was live for 30 s"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
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
    // Four tiles, all under the window's cap: a freed place cannot go to
    // another tile waiting for one.
    wall.js("window.__gridwallVideo.setLayout('4'); return true")
        .await?;
    wall.wait_for_js(
        "return document.querySelectorAll('[data-testid=video-tile][data-mode=live]').length === 4",
        Duration::from_secs(30),
    )
    .await?;
    let camera = a_live_camera(&wall).await?;
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
    sim.fail_camera_streams(&camera, "end").await?;
    wait_for_mode(&wall, &camera, "snapshot", 15)
        .await
        .context("the cut stream did not fall back to snapshots")?;
    wall.screenshot("video-matrix-cut").await?;
    // ...and goes live again by itself.
    wait_for_mode(&wall, &camera, "live", 30)
        .await
        .context("the tile did not go live again")?;

    // A stream that stays open and sends nothing: the tile says so, shows
    // snapshots, and goes live again after the backoff.
    sim.fail_camera_streams(&camera, "hang").await?;
    wall.wait_for_js(
        &format!(
            "const t = document.querySelector('[data-testid=video-tile][data-camera=\"{camera}\"]'); \
             return t.dataset.mode === 'snapshot' && t.dataset.reason === 'hung'"
        ),
        Duration::from_secs(20),
    )
    .await
    .context("the hung stream did not fall back to snapshots saying why")?;
    wall.wait_for_js(
        &format!(
            "const t = document.querySelector('[data-testid=video-tile][data-camera=\"{camera}\"]'); \
             return (t.querySelector('img')?.naturalWidth ?? 0) > 0"
        ),
        Duration::from_secs(10),
    )
    .await
    .context("the hung tile shows no snapshot")?;
    wall.screenshot("video-matrix-hung").await?;
    wait_for_mode(&wall, &camera, "live", 40)
        .await
        .context("the hung tile did not go live again")?;

    let (cap, peak, refused) = stream_report(&sim).await?;
    assert!(
        peak <= cap,
        "the app opened {peak} streams at once, over the cap of {cap}"
    );
    assert_eq!(refused, 0, "the gateway refused none of the app's streams");
    wall.close().await
}

/// Tiles by what they show: live with a picture, and snapshots with one.
async fn picture_counts(wall: &Wall) -> Result<(u64, u64)> {
    let counts = wall
        .js(
            "const tiles = [...document.querySelectorAll('[data-testid=video-tile]')]; \
             const has = (t) => (t.querySelector('img')?.naturalWidth ?? 0) > 0; \
             return [tiles.filter((t) => t.dataset.mode === 'live' && has(t)).length, \
                     tiles.filter((t) => t.dataset.mode === 'snapshot' && has(t)).length]",
        )
        .await?;
    let [live, snapshots]: [u64; 2] = serde_json::from_value(counts)?;
    Ok((live, snapshots))
}

/// Waits until the tiles show `(live, snapshot)` pictures, and returns what they show.
async fn wait_for_pictures(wall: &Wall, want: (u64, u64)) -> Result<(u64, u64)> {
    let started = std::time::Instant::now();
    let mut seen = picture_counts(wall).await?;
    while seen != want && started.elapsed() < Duration::from_secs(60) {
        tokio::time::sleep(Duration::from_millis(250)).await;
        seen = picture_counts(wall).await?;
    }
    Ok(seen)
}

#[tokio::test]
async fn sixteen_tiles_are_all_live_under_the_stream_cap_and_rotate() -> Result<()> {
    let sim = Sim::start(&["--seed=5", "--warmup-hours=2"]).await?;
    let wall = launch_against(&sim).await?;
    assert_eq!(
        wall.js("return window.__gridwallVideo.gatewayCap()")
            .await?,
        json!(16),
        "the app read the gateway's cap from /health"
    );
    wall.js("window.__gridwallVideo.setLayout('16'); return true")
        .await?;
    // Sixteen live pictures in one window: more than the 6 connections per
    // host the webview would allow streams fetched by itself.
    let seen = wait_for_pictures(&wall, (16, 0)).await?;
    wall.screenshot("video-matrix-16").await?;
    assert_eq!(seen, (16, 0), "16 tiles, cap 16: (live, snapshot) pictures");
    let (_, peak, _) = stream_report(&sim).await?;
    assert!(
        peak >= 16,
        "the gateway saw {peak} streams for 16 live tiles"
    );

    // Rotate every 3 s: each change closes the live streams and opens others.
    wall.js(
        "window.__gridwallVideo.setDwell(3000); window.__gridwallVideo.hold(false); return true",
    )
    .await?;
    let first = wall.js("return window.__gridwallVideo.scene()").await?;
    for turn in 1..=3 {
        wall.wait_for_js(
            &format!("return window.__gridwallVideo.scene().index === {turn}"),
            Duration::from_secs(15),
        )
        .await
        .with_context(|| format!("the rotation did not reach scene {turn}"))?;
    }
    let later = wall.js("return window.__gridwallVideo.scene()").await?;
    assert_ne!(
        first["cameras"], later["cameras"],
        "the rotation shows other cameras"
    );

    let (gateway_cap, peak, refused) = stream_report(&sim).await?;
    assert!(
        peak <= gateway_cap,
        "the gateway saw {peak} streams at once from the app, over its cap of {gateway_cap}"
    );
    assert_eq!(refused, 0, "the gateway refused none of the app's streams");
    wall.close().await
}

#[tokio::test]
async fn a_small_gateway_cap_is_never_exceeded_and_the_other_tiles_say_why() -> Result<()> {
    let sim = Sim::start(&["--seed=5", "--warmup-hours=2", "--max-streams-per-client=3"]).await?;
    let wall = launch_against(&sim).await?;
    assert_eq!(
        wall.js("return window.__gridwallVideo.gatewayCap()")
            .await?,
        json!(3)
    );
    wall.js("window.__gridwallVideo.setLayout('9'); return true")
        .await?;
    let seen = wait_for_pictures(&wall, (3, 6)).await?;
    wall.screenshot("video-matrix-cap-3").await?;
    assert_eq!(
        seen,
        (3, 6),
        "9 tiles with a cap of 3: (live, snapshot) pictures"
    );
    assert_eq!(
        wall.js(
            "return document.querySelectorAll('[data-testid=video-tile][data-reason=cap]').length"
        )
        .await?,
        json!(6),
        "the tiles over the cap say why they show snapshots"
    );
    let (cap, peak, refused) = stream_report(&sim).await?;
    assert_eq!(cap, 3);
    assert!(
        peak <= 3,
        "the gateway saw {peak} streams at once, over its cap of 3"
    );
    assert_eq!(
        refused, 0,
        "the app never asked past the cap, so nothing was refused"
    );
    wall.close().await
}

#[tokio::test]
async fn selecting_a_grid_on_the_map_puts_its_cameras_in_the_focus_tile() -> Result<()> {
    let sim = Sim::start(&["--seed=5", "--warmup-hours=2"]).await?;
    let wall = launch_against(&sim).await?;
    wall.wait_for_js(
        "return (window.__gridwallMap?.count() ?? 0) > 0",
        Duration::from_secs(60),
    )
    .await?;
    // A grid with an online camera of its own, away from the default scene.
    let page = sim.get("/vnet/v1/cameras?page_size=1000").await?;
    let grid = page["cameras"]
        .as_array()
        .context("cameras")?
        .iter()
        .rev()
        .find(|c| c["status"] == "online" && c["grid_id"].is_string())
        .and_then(|c| c["grid_id"].as_str())
        .context("a camera with a grid")?
        .to_owned();
    let own = sim.get(&format!("/vnet/v1/cameras?grid_id={grid}")).await?;
    let own: Vec<String> = own["cameras"]
        .as_array()
        .context("cameras")?
        .iter()
        .filter_map(|c| c["camera_id"].as_str().map(str::to_owned))
        .collect();

    let point = wall
        .js(&format!(
            "const p = window.__gridwallMap.screenPointOf('{grid}'); if (!p) return null; \
             const r = document.querySelector('[data-testid=grid-map]').getBoundingClientRect(); \
             return [r.left + p[0], r.top + p[1]]"
        ))
        .await?;
    let [x, y]: [f64; 2] = serde_json::from_value(point).context("the grid is on screen")?;
    gridwall_suite::ui::click_at(&wall, x, y).await?;
    wall.wait_for_js(
        &format!("return window.__gridwallVideo.scene().focus === '{grid}'"),
        Duration::from_secs(10),
    )
    .await
    .context("selecting the grid did not focus its cameras")?;
    let big = wall
        .js("return document.querySelector('[data-testid=video-matrix]').dataset.layout + ' ' + document.querySelector('[data-testid=video-tile]').dataset.camera")
        .await?;
    let big = big.as_str().context("text")?;
    let (layout, camera) = big.split_once(' ').context("layout and camera")?;
    assert_eq!(layout, "1+5");
    assert!(
        own.iter().any(|c| c == camera),
        "the focus tile shows {camera}, not a camera of {grid}"
    );
    let label = wall
        .js("return document.querySelector('[data-testid=video-focus]')?.textContent ?? ''")
        .await?;
    assert!(
        label.as_str().is_some_and(|l| l.starts_with("事件聚焦")),
        "the matrix says it is in focus: {label}"
    );
    wall.screenshot("video-focus").await?;
    wall.close().await
}

#[tokio::test]
async fn a_refused_stream_token_fetches_the_catalogue_again_and_the_tile_goes_live() -> Result<()> {
    let sim = Sim::start(&["--seed=9"]).await?;
    // Media URLs carry tokens from the first catalogue on.
    sim.video_faults(json!({ "token_ttl_secs": 3600 })).await?;
    let wall = launch_against(&sim).await?;
    let camera = a_live_camera(&wall).await?;

    // Every token issued so far is revoked, and the camera's stream ends:
    // the proxy's next request for it is refused (403).
    sim.revoke_video_tokens().await?;
    sim.fail_camera_streams(&camera, "end").await?;
    wait_for_mode(&wall, &camera, "!live", 15)
        .await
        .context("the ended stream did not leave live")?;
    // Only URLs from a catalogue fetched after the revocation work again.
    wait_for_mode(&wall, &camera, "live", 60)
        .await
        .context("the tile did not go live again with a fresh catalogue")?;
    wall.close().await
}

#[tokio::test]
async fn hidden_tiles_pull_nothing_and_shown_again_go_live() -> Result<()> {
    let sim = Sim::start(&["--seed=10"]).await?;
    let wall = launch_against(&sim).await?;
    let open_at_gateway = || async {
        anyhow::Ok(
            sim.get("/admin/video/streams").await?["current_total"]
                .as_u64()
                .unwrap_or(0),
        )
    };
    assert!(open_at_gateway().await? > 0, "live tiles hold streams");

    // The matrix leaves the screen (as when a layout hides its panel): no
    // tile is visible, so none pulls, and the proxy closes every upstream.
    wall.js(
        "document.querySelector('[data-testid=video-matrix]').style.display = 'none'; return true",
    )
    .await?;
    let started = std::time::Instant::now();
    while open_at_gateway().await? > 0 {
        anyhow::ensure!(
            started.elapsed() < Duration::from_secs(30),
            "hidden tiles still hold {} streams at the gateway",
            open_at_gateway().await?
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }

    wall.js("document.querySelector('[data-testid=video-matrix]').style.display = ''; return true")
        .await?;
    wall.wait_for_js(
        "return document.querySelectorAll('[data-testid=video-tile][data-mode=live]').length > 0",
        Duration::from_secs(30),
    )
    .await
    .context("shown again, no tile went live")?;
    assert!(open_at_gateway().await? > 0);
    wall.close().await
}
