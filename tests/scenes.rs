//! Scenes of the video matrix saved in the store and chosen per window: an
//! operator saves two arrangements by name in a video window, gives that
//! window a rotation through them, and the scenes change on time; the wall
//! window keeps its own rotation; after a restart on the same store the
//! video window rotates through the saved scenes again without a click.

use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use fantoccini::Locator;
use gridwall_suite::{Launch, Sim, Wall, windows_config};
use serde_json::Value;

const SCENE_A: &str = "东门路口 A";
const SCENE_B: &str = "港区 B";

async fn scene(wall: &Wall) -> Result<Value> {
    wall.js("return window.__gridwallVideo.scene()").await
}

async fn type_into(wall: &Wall, css: &str, text: &str) -> Result<()> {
    let field = wall.client.find(Locator::Css(css)).await?;
    field.clear().await?;
    field.send_keys(text).await?;
    Ok(())
}

/// Saves what the matrix shows in `layout` as `name`, through the panel.
async fn save_scene_in_layout(wall: &Wall, layout: &str, name: &str) -> Result<Value> {
    wall.click(&format!(
        "[data-testid=video-layout][data-layout='{layout}']"
    ))
    .await?;
    wall.wait_for_js(
        &format!("return window.__gridwallVideo.scene().layout === '{layout}'"),
        Duration::from_secs(5),
    )
    .await?;
    let shown = scene(wall).await?;
    type_into(wall, "[data-testid=scene-name]", name).await?;
    wall.click("[data-testid=scene-save]").await?;
    wall.wait_for_js(
        &format!(
            "return (document.querySelector('[data-testid=scene-note]')?.textContent ?? '').includes({})",
            serde_json::to_string(name)?
        ),
        Duration::from_secs(10),
    )
    .await
    .with_context(|| format!("saving {name} was not confirmed"))?;
    Ok(shown)
}

/// The scene names the video window shows over `within`, with the instant
/// each first appeared.
async fn watch_rotation(wall: &Wall, within: Duration) -> Result<Vec<(String, Instant)>> {
    let started = Instant::now();
    let mut seen: Vec<(String, Instant)> = Vec::new();
    while started.elapsed() < within {
        let name = wall
            .js("return document.querySelector('[data-testid=video-matrix]').dataset.sceneName")
            .await?
            .as_str()
            .unwrap_or_default()
            .to_owned();
        if seen.last().map(|(n, _)| n != &name).unwrap_or(true) {
            seen.push((name, Instant::now()));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Ok(seen)
}

#[tokio::test]
async fn scenes_are_saved_in_the_store_and_chosen_per_window() -> Result<()> {
    let sim = Sim::start(&["--seed=6"]).await?;
    let dir = tempfile::TempDir::new()?;
    let config = windows_config(dir.path(), &["wall", "video"])?;
    // Both runs share one store file, as a restarted wall does.
    let database = dir.path().join("store.sqlite");
    let launch = || {
        Launch::default()
            .size(1920, 1080)
            .against(&sim)
            .config(&config)
            .arg(format!("--database={}", database.display()))
    };

    let wall = Wall::launch(launch()).await?;
    wall.wait_for_live().await?;
    wall.switch_to_layout("video").await?;
    wall.wait_for_js(
        "return !!window.__gridwallVideo && window.__gridwallVideo.scene().cameras.length > 0",
        Duration::from_secs(60),
    )
    .await
    .context("the video window's matrix never showed cameras")?;
    wall.js("window.__gridwallVideo.followAlerts(false); return true")
        .await?;
    assert_eq!(
        scene(&wall).await?["layout"],
        "9",
        "a video window starts on nine tiles"
    );

    wall.click("[data-testid=scene-open]").await?;
    let a = save_scene_in_layout(&wall, "4", SCENE_A).await?;
    let b = save_scene_in_layout(&wall, "1", SCENE_B).await?;
    assert_ne!(a["cameras"], b["cameras"]);

    let store = gridwall_store::Store::open(&database.display().to_string()).await?;
    let saved = store.scenes().await?;
    let by_name = |name: &str| saved.iter().find(|s| s.name == name).cloned();
    let stored_a = by_name(SCENE_A).context("scene A in the store")?;
    let stored_b = by_name(SCENE_B).context("scene B in the store")?;
    assert_eq!(
        (
            stored_a.layout.as_str(),
            serde_json::to_value(&stored_a.cameras)?
        ),
        ("4", a["cameras"].clone()),
        "scene A is the matrix as it was shown"
    );
    assert_eq!(
        (
            stored_b.layout.as_str(),
            serde_json::to_value(&stored_b.cameras)?
        ),
        ("1", b["cameras"].clone())
    );
    let audit = store.audit("save_scene").await?;
    assert_eq!(audit.len(), 2, "each save is audited once: {audit:?}");
    assert!(audit.iter().all(|e| e.actor == "wall:video"));

    // This window: B then A (the order they are ticked), three seconds each.
    wall.click(&format!("[data-testid=scene-pick][data-name='{SCENE_B}']"))
        .await?;
    wall.click(&format!("[data-testid=scene-pick][data-name='{SCENE_A}']"))
        .await?;
    type_into(&wall, "[data-testid=scene-dwell]", "3").await?;
    wall.click("[data-testid=scene-apply]").await?;
    wall.wait_for_js(
        &format!(
            "return document.querySelector('[data-testid=video-matrix]').dataset.sceneName === {}",
            serde_json::to_string(SCENE_B)?
        ),
        Duration::from_secs(10),
    )
    .await
    .context("the applied rotation did not start with scene B")?;
    wall.screenshot("video-scenes-panel").await?;
    wall.click("[data-testid=scene-close]").await?;

    let turns = watch_rotation(&wall, Duration::from_secs(11)).await?;
    let names: Vec<&str> = turns.iter().map(|(n, _)| n.as_str()).collect();
    if names.len() < 4 || names.iter().any(|n| *n != SCENE_A && *n != SCENE_B) {
        bail!("the rotation went {names:?}, not between {SCENE_A} and {SCENE_B} every 3 s");
    }
    for pair in turns.windows(2).skip(1) {
        let dwell = pair[1].1 - pair[0].1;
        assert!(
            (Duration::from_millis(1500)..Duration::from_millis(6000)).contains(&dwell),
            "{} stayed {dwell:?}, not about 3 s",
            pair[0].0
        );
    }
    let shown = scene(&wall).await?;
    let expected = if shown["name"] == SCENE_A { &a } else { &b };
    assert_eq!(
        (&shown["layout"], &shown["cameras"]),
        (&expected["layout"], &expected["cameras"]),
        "a saved scene shows its own layout and cameras"
    );

    let rotation = store
        .rotation("video")
        .await?
        .context("the video window's rotation")?;
    assert_eq!(
        rotation.scenes,
        vec![SCENE_B.to_owned(), SCENE_A.to_owned()]
    );
    assert_eq!(rotation.dwell_secs, 3);
    assert_eq!(store.rotation("wall").await?, None);

    // The wall window was given nothing: it runs the catalogue's scenes.
    wall.switch_to_layout("wall").await?;
    let on_wall = scene(&wall).await?;
    assert_eq!(
        on_wall["name"],
        Value::Null,
        "the wall keeps its own rotation"
    );
    wall.close().await?;

    // A restart on the same store: the video window picks its rotation up.
    let wall = Wall::launch(launch()).await?;
    wall.switch_to_layout("video").await?;
    wall.wait_for_js(
        &format!(
            "const n = document.querySelector('[data-testid=video-matrix]')?.dataset.sceneName; \
             return n === {} || n === {}",
            serde_json::to_string(SCENE_A)?,
            serde_json::to_string(SCENE_B)?
        ),
        Duration::from_secs(60),
    )
    .await
    .context("after a restart the video window did not rotate through its saved scenes")?;
    wall.wait_for_js(
        "return [...document.querySelectorAll('[data-testid=video-tile]')] \
           .some((t) => t.dataset.mode === 'live' || t.dataset.mode === 'snapshot')",
        Duration::from_secs(30),
    )
    .await
    .context("no picture in the restarted video window")?;
    wall.screenshot("video-scenes-window").await?;
    wall.close().await
}
