//! The smart brain on screen (issue 13), end to end: a dispute returning to
//! one address (the simulator's repeat scenario, injected while the app
//! runs) is warned on the wall's ticker, marked as the app's own and with
//! its reasons; the warnings layer colours its grid; the console shows it
//! at its town, its village and its grid, and a duty officer hands it over
//! (预警单 → 交办单) and records the feedback (反馈单), each step audited in
//! their name; fed back, the grid leaves the layer's warned colours.

use std::time::Duration;

use anyhow::{Context, Result, ensure};
use serde_json::json;

use gridwall_suite::ui::{press, sign_in, type_into};
use gridwall_suite::{Launch, Sim, Wall, add_accounts, windows_config};

const ZHANG: (&str, &str, &str) = ("zhang", "duty_officer", "246810");

/// Waits until the console shows `level` `id`, loaded.
async fn showing(wall: &Wall, level: &str, id: &str) -> Result<()> {
    wall.wait_for_js(
        &format!(
            "const c = document.querySelector('[data-testid=console]'); \
             return c.dataset.level === '{level}' && c.dataset.place === '{id}' \
               && c.dataset.loading === 'false'"
        ),
        Duration::from_secs(20),
    )
    .await
    .with_context(|| format!("the console did not show {level} {id}"))
}

/// Drills into the child `level` `id` and checks the level's warnings name
/// the warning `warning`.
async fn drill_and_see(wall: &Wall, level: &str, id: &str, warning: &str) -> Result<()> {
    press(
        wall,
        &format!("[data-testid=child][data-level={level}][data-id=\"{id}\"]"),
    )
    .await?;
    showing(wall, level, id).await?;
    wall.wait_for_js(
        &format!(
            "return !!document.querySelector('[data-testid=level-warning][data-id=\"{warning}\"]')"
        ),
        Duration::from_secs(10),
    )
    .await
    .with_context(|| format!("the {level} {id} does not show the warning {warning}"))
}

/// The highest level of the other pending warnings that cover `grid` (0: none).
async fn other_levels(wall: &Wall, grid: &str, except: &str) -> Result<u64> {
    let all = wall.invoke("warnings", json!({})).await?;
    let all = all.as_array().context("a list of warnings")?;
    Ok(all
        .iter()
        .filter(|w| w["id"] != except && w["state"] != "fed_back")
        .filter(|w| {
            w["grids"]
                .as_array()
                .is_some_and(|g| g.iter().any(|g| g == grid))
        })
        .filter_map(|w| w["level"].as_u64())
        .max()
        .unwrap_or(0))
}

#[tokio::test]
async fn a_repeated_dispute_is_warned_on_the_wall_and_handed_over_from_the_console() -> Result<()> {
    let sim = Sim::start(&["--seed=23", "--warmup-hours=6"]).await?;
    let dir = tempfile::TempDir::new()?;
    let config = windows_config(dir.path(), &["wall", "console"])?;
    let database = dir.path().join("store.sqlite");
    add_accounts(&database, &[ZHANG]).await?;
    let wall = Wall::launch(
        Launch::default()
            .size(3840, 2160)
            .against(&sim)
            .config(&config)
            .arg(format!("--database={}", database.display())),
    )
    .await?;
    wall.wait_for_live().await?;
    ensure!(
        !wall
            .texts("[data-testid=app-warning]")
            .await?
            .iter()
            .any(|t| t.contains("同一地址")),
        "no repeat warning before the scenario"
    );

    // A family dispute at one address, then another there 3 s later.
    let truth = sim
        .post("/admin/scenarios", json!({"kind": "repeat", "in_s": 3}))
        .await?;
    let grid = truth["place"]
        .as_str()
        .context("the scenario's grid")?
        .to_owned();
    let town = truth["town"].as_str().context("its town")?.to_owned();
    let village = grid
        .get(..12)
        .context("a grid id starts with its village's code")?;

    // The wall: on the ticker, marked as ours, with its reasons.
    let line = "[data-testid=app-warning][data-kind=repeat]";
    if let Err(err) = wall
        .wait_for_js(
            &format!("return !!document.querySelector({line:?})"),
            Duration::from_secs(90),
        )
        .await
    {
        let kept = wall.invoke("warnings", json!({})).await?;
        let shown = wall.texts("[data-testid=app-warning]").await?;
        let truth = sim.get("/admin/scenarios").await?;
        let store = gridwall_store::Store::open(database.to_str().unwrap_or_default()).await?;
        let mut landed = Vec::new();
        for id in truth["scenarios"][0]["event_ids"]
            .as_array()
            .into_iter()
            .flatten()
        {
            let row = sqlx::query("SELECT id, address, reported_at FROM events WHERE id = ?")
                .bind(id.as_str().unwrap_or_default())
                .fetch_optional(store.pool())
                .await?;
            landed.push(row.map(|r| sqlx::Row::get::<String, _>(&r, "address")));
        }
        return Err(err.context(format!(
            "the repeated dispute was not warned on the wall's ticker; \
             the app keeps {kept}; the ticker shows {shown:?}; the scenario: {truth}; \
             its events in the store: {landed:?}"
        )));
    }
    let text = wall.texts(line).await?.join("");
    ensure!(
        text.contains("智慧脑预警"),
        "marked as the app's own: {text}"
    );
    ensure!(
        text.contains("同一地址") && text.contains("第2次") && text.contains("民转刑"),
        "explained: {text}"
    );
    let id = wall
        .attr(line, "data-id")
        .await?
        .context("the warning's id")?;

    // The warnings layer: the grid in the warned colour (黄 → amber, unless
    // another warning of a higher level covers it too), named in the legend.
    let others = other_levels(&wall, &grid, &id).await?;
    wall.click("[data-testid=map-layer-warnings]").await?;
    let colour_is =
        |colour: &str| format!("return window.__gridwallMap.colourOf('{grid}') === '{colour}'");
    let warned = if others >= 3 { "red" } else { "amber" };
    wall.wait_for_js(&colour_is(warned), Duration::from_secs(10))
        .await
        .context("the warnings layer did not colour the warned grid")?;
    let legend = wall
        .texts("[data-testid=grid-map-legend] li, .legend li")
        .await?;
    ensure!(
        legend.iter().any(|l| l.contains("黄色、蓝色预警")),
        "the legend names the layer's colours: {legend:?}"
    );
    wall.screenshot("wall-early-warning-3840x2160").await?;

    // The console: the warning at its town, village and grid.
    wall.switch_to_layout("console").await?;
    wall.wait_for_js(
        "return document.querySelectorAll('[data-testid=child]').length > 0",
        Duration::from_secs(60),
    )
    .await
    .context("the console never showed the city's towns")?;
    sign_in(&wall, ZHANG).await?;
    drill_and_see(&wall, "town", &town, &id).await?;
    drill_and_see(&wall, "village", village, &id).await?;
    drill_and_see(&wall, "grid", &grid, &id).await?;

    // Hand it over from the grid's level, then record the feedback.
    press(&wall, "[data-testid=level-warnings]").await?;
    let card = format!("[data-testid=console-warning][data-id=\"{id}\"]");
    press(
        &wall,
        &format!("{card} [data-testid=warning-hand-over-open]"),
    )
    .await?;
    type_into(&wall, "[data-testid=warning-to]", "横河镇综治中心").await?;
    type_into(&wall, "[data-testid=warning-instruction]", "当日上门化解").await?;
    press(&wall, "[data-testid=warning-hand-over]").await?;
    wall.wait_for_js(
        &format!("return document.querySelector({card:?})?.dataset.state === 'handed_over'"),
        Duration::from_secs(10),
    )
    .await
    .context("the warning was not handed over")?;
    wall.screenshot("console-warning-hand-over-3840x2160")
        .await?;
    press(
        &wall,
        &format!("{card} [data-testid=warning-feed-back-open]"),
    )
    .await?;
    type_into(
        &wall,
        "[data-testid=warning-feedback]",
        "已调解，双方签订协议",
    )
    .await?;
    press(&wall, "[data-testid=warning-feed-back]").await?;
    wall.wait_for_js(
        &format!("return document.querySelector({card:?})?.dataset.state === 'fed_back'"),
        Duration::from_secs(10),
    )
    .await
    .context("the feedback was not recorded")?;

    let store =
        gridwall_store::Store::open(database.to_str().context("temp paths are UTF-8")?).await?;
    for action in ["hand_over_warning", "feed_back_warning"] {
        let entries = store.audit(action).await?;
        ensure!(
            entries.len() == 1 && entries[0].actor == "zhang",
            "{action} audited once in zhang's name: {entries:?}"
        );
    }

    // Fed back, the grid is no longer warned on the wall's layer (by this warning).
    wall.switch_to_layout("wall").await?;
    let others = other_levels(&wall, &grid, &id).await?;
    let left = match others {
        0 => "green",
        1 | 2 => "amber",
        _ => "red",
    };
    wall.wait_for_js(&colour_is(left), Duration::from_secs(10))
        .await
        .context("fed back, the grid kept its warned colour")?;
    wall.close().await
}
