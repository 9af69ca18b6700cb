//! Cameras that offer only HLS (drones, body cameras) play live in their
//! tiles: hls.js over Media Source Extensions in the webview, the playlist
//! and segments through the app's media scheme, no upstream URL or token in
//! the page (issue 18, "Cameras that offer only HLS").

use std::time::Duration;

use anyhow::{Context, Result};
use gridwall_suite::{Launch, Sim, Wall};
use serde_json::json;

use crate::video::tile_pixels;

/// Online cameras that offer HLS and no MJPEG, from the simulator's catalogue.
async fn hls_only_cameras(sim: &Sim, n: usize) -> Result<Vec<String>> {
    let mut found = Vec::new();
    let mut token = String::new();
    loop {
        let page = sim
            .get_with(
                "/vnet/v1/cameras",
                &[("page_size", "1000"), ("page_token", &token)],
            )
            .await?;
        for camera in page["cameras"].as_array().context("cameras")? {
            if camera["status"] == "online"
                && camera["streams"]["mjpeg"].is_null()
                && camera["streams"]["hls"].is_string()
            {
                found.push(camera["camera_id"].as_str().context("id")?.to_owned());
            }
        }
        match page["next_page_token"].as_str() {
            Some(next) if found.len() < n => token = next.to_owned(),
            _ => break,
        }
    }
    found.truncate(n);
    anyhow::ensure!(found.len() == n, "only {} HLS-only cameras", found.len());
    Ok(found)
}

fn tile(camera: &str) -> String {
    format!("document.querySelector('[data-testid=video-tile][data-camera=\"{camera}\"]')")
}

#[tokio::test]
async fn an_hls_only_camera_plays_live_in_its_tile_with_no_token_in_the_page() -> Result<()> {
    let sim = Sim::start(&["--seed=5", "--warmup-hours=2"]).await?;
    // Media URLs carry tokens, so that a token reaching the page would show.
    sim.video_faults(json!({ "token_ttl_secs": 3600 })).await?;
    // One whole-screen video window.
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
        Duration::from_secs(60),
    )
    .await
    .context("the video matrix did not get its catalogue")?;
    let cameras = hls_only_cameras(&sim, 4).await?;
    wall.js(&format!(
        "window.__gridwallVideo.followAlerts(false); window.__gridwallVideo.hold(true); \
         window.__gridwallVideo.show('4', {}); return true",
        serde_json::to_string(&cameras)?
    ))
    .await?;
    let camera = &cameras[0];
    wall.wait_for_js(
        &format!("return {}?.dataset.mode === 'live'", tile(camera)),
        Duration::from_secs(60),
    )
    .await
    .context("the HLS-only camera's tile did not go live")?;
    assert_eq!(
        wall.js(&format!("return {}.dataset.form", tile(camera)))
            .await?,
        json!("hls")
    );

    // The <video> plays: its time advances, and its picture changes.
    let time = format!("return {}.querySelector('video').currentTime", tile(camera));
    let before = wall.js(&time).await?.as_f64().context("currentTime")?;
    let first = tile_pixels(&wall, camera).await?;
    tokio::time::sleep(Duration::from_millis(1_200)).await;
    let second = tile_pixels(&wall, camera).await?;
    let after = wall.js(&time).await?.as_f64().context("currentTime")?;
    assert!(
        after > before,
        "the video's time advances: {before} then {after}"
    );
    assert_ne!(first, second, "the HLS tile's picture moves");

    // Every tile of the four plays live.
    wall.wait_for_js(
        "return document.querySelectorAll('[data-testid=video-tile][data-mode=live][data-form=hls]').length === 4",
        Duration::from_secs(60),
    )
    .await
    .context("not all four HLS tiles went live")?;
    wall.screenshot("video-hls-tiles-1920x1080").await?;

    // What the page sees: the proxy's playlist, numbers for URIs, no token
    // and no upstream address; the <video> plays a blob: of its own.
    wall.js(&format!(
        "window.__playlist = null; \
         fetch('gridwall-video://localhost/hls/{camera}/live.m3u8').then((r) => r.text()).then((t) => (window.__playlist = t)); \
         return true"
    ))
    .await?;
    wall.wait_for_js(
        "return typeof window.__playlist === 'string'",
        Duration::from_secs(10),
    )
    .await?;
    let playlist = wall.js("return window.__playlist").await?;
    let playlist = playlist.as_str().context("playlist text")?;
    assert!(playlist.contains("#EXT-X-MEDIA-SEQUENCE:"), "{playlist}");
    assert!(
        !playlist.contains("token") && !playlist.contains("http"),
        "the page's playlist names no upstream URL: {playlist}"
    );
    let page_urls = wall
        .js("return [document.documentElement.outerHTML, \
             ...performance.getEntriesByType('resource').map((e) => e.name), \
             ...[...document.querySelectorAll('video')].map((v) => v.currentSrc)].join(' ')")
        .await?;
    let page_urls = page_urls.as_str().context("text")?;
    assert!(!page_urls.contains("token="), "a token reached the page");
    assert!(
        !page_urls.contains(&sim.base_url()),
        "the page names the gateway"
    );
    wall.close().await
}
