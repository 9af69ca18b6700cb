//! PTZ from a matrix tile with the keyboard: the arrows move a PTZ camera at
//! the gateway (which then holds it for this app), and a camera another
//! console holds says so plainly on its tile.

use std::time::Duration;

use anyhow::{Context, Result};
use fantoccini::Locator;
use gridwall_suite::{Launch, Sim, Wall, windows_config};
use serde_json::{Value, json};

async fn invoke(wall: &Wall, command: &str, args: Value) -> Result<Value> {
    let answer = wall
        .client
        .execute_async(
            "const [command, args, done] = arguments; \
             window.__TAURI_INTERNALS__.invoke(command, args) \
               .then((r) => done({ ok: r ?? null }), (e) => done({ err: e }));",
            vec![json!(command), args],
        )
        .await?;
    answer
        .get("ok")
        .cloned()
        .with_context(|| format!("{command} failed: {answer}"))
}

async fn press(wall: &Wall, camera: &str, key: &str) -> Result<String> {
    let css = format!("[data-testid=video-tile][data-camera='{camera}']");
    let tile = wall.client.find(Locator::Css(&css)).await?;
    tile.click().await?;
    tile.send_keys(key).await?;
    wall.wait_for_js(
        &format!("return !!document.querySelector(\"{css} [data-testid=video-ptz-note]\")"),
        Duration::from_secs(10),
    )
    .await
    .with_context(|| format!("no PTZ note on {camera}"))?;
    wall.text(&format!("{css} [data-testid=video-ptz-note]"))
        .await
}

/// A PTZ command to `camera` from another console (`console-2`), straight
/// at the gateway; its HTTP status.
async fn ptz_from_console_2(sim: &Sim, camera: &str, action: &str) -> Result<u16> {
    let answer = reqwest::Client::new()
        .post(sim.url(&format!("/vnet/v1/cameras/{camera}/ptz")))
        .header("x-client-id", "console-2")
        .json(&json!({ "action": action }))
        .send()
        .await?;
    Ok(answer.status().as_u16())
}

#[tokio::test]
async fn arrows_move_a_ptz_camera_and_a_camera_held_elsewhere_says_so() -> Result<()> {
    let sim = Sim::start(&["--seed=8"]).await?;
    let dir = tempfile::TempDir::new()?;
    let config = windows_config(dir.path(), &["video"])?;
    let wall = Wall::launch(
        Launch::default()
            .size(1920, 1080)
            .against(&sim)
            .config(&config),
    )
    .await?;
    wall.wait_for_js(
        "return !!window.__gridwallVideo && window.__gridwallVideo.scene().cameras.length > 0",
        Duration::from_secs(60),
    )
    .await?;
    wall.js("window.__gridwallVideo.followAlerts(false); return true")
        .await?;

    // Two online PTZ cameras side by side, as a saved scene of this window.
    let catalogue = invoke(&wall, "cameras", json!({})).await?;
    let ptz: Vec<String> = catalogue["cameras"]
        .as_array()
        .context("cameras")?
        .iter()
        .filter(|c| c["kind"] == "ptz" && c["online"] == true && c["live"] == true)
        .filter_map(|c| c["camera_id"].as_str().map(str::to_owned))
        .take(2)
        .collect();
    let [free, held] = <[String; 2]>::try_from(ptz)
        .ok()
        .context("two PTZ cameras")?;
    invoke(
        &wall,
        "save_scene",
        json!({ "scene": { "name": "云台", "layout": "4", "cameras": [free, held] } }),
    )
    .await?;
    invoke(
        &wall,
        "set_rotation",
        json!({ "scenes": ["云台"], "dwellSecs": 60 }),
    )
    .await?;
    wall.wait_for_js(
        &format!(
            "return [...document.querySelectorAll('[data-testid=video-tile][data-mode=live]')] \
               .some((t) => t.dataset.camera === '{free}')"
        ),
        Duration::from_secs(30),
    )
    .await
    .context("the PTZ camera's tile did not go live")?;

    // Another console takes the second camera first.
    assert_eq!(ptz_from_console_2(&sim, &held, "up").await?, 204);

    let moved = press(&wall, &free, "\u{E012}").await?;
    assert_eq!(moved, "云台已转动", "the left arrow moved {free}");
    // The gateway now holds the first camera for this app: another console is refused.
    assert_eq!(
        ptz_from_console_2(&sim, &free, "right").await?,
        409,
        "the arrow's command reached the gateway from the app"
    );

    let note = press(&wall, &held, "\u{E013}").await?;
    assert!(
        note.starts_with("云台控制被拒绝") && note.contains("console-2"),
        "the held camera's tile says who holds it: {note}"
    );
    wall.screenshot("video-ptz-refused").await?;
    wall.close().await
}
