//! The live wall at 3840×2160 against a simulator the test drives: the map
//! holds every grid, an injected event recolours its grid and reaches the
//! ticker, hostile titles stay text, acknowledging unpins and is audited,
//! the stale banner follows the feed, and against a platform the town
//! borders are its own grids dissolved.

use std::time::Duration;

use anyhow::{Context, Result};
use gridwall_suite::{Launch, Sim, Wall};
use serde_json::json;

const W: u32 = 3840;
const H: u32 = 2160;

async fn launch_against(sim: &Sim) -> Result<Wall> {
    let wall = Wall::launch(Launch::default().size(W, H).against(sim)).await?;
    wall.wait_for_live().await?;
    // The map is ready when it holds the city and has painted the statuses.
    wall.wait_for_js(
        "return (window.__gridwallMap?.count() ?? 0) > 0 && document.querySelectorAll('[data-testid=alert]').length > 0",
        Duration::from_secs(60),
    )
    .await
    .context("the map or the ticker never filled")?;
    Ok(wall)
}

/// A grid with no event yet, as the map shows it.
async fn quiet_grid(sim: &Sim, wall: &Wall) -> Result<String> {
    sim.quiet_grids(wall)
        .await?
        .into_iter()
        .next()
        .context("every grid of the first page has events")
}

/// The ticker's title of an event, as text (the ticker may have scrolled it
/// out of view, which WebDriver's visible text would report as empty).
async fn title_of(wall: &Wall, id: &str) -> Result<String> {
    let text = wall
        .js(&format!(
            "return document.querySelector('[data-testid=alert][data-id=\"{id}\"] .title')?.textContent ?? null"
        ))
        .await?;
    text.as_str()
        .map(str::to_owned)
        .with_context(|| format!("{id} is not in the ticker"))
}

#[tokio::test]
async fn events_reach_the_map_and_the_ticker_as_text_and_acknowledging_unpins() -> Result<()> {
    let sim = Sim::start(&["--seed=5", "--warmup-hours=12"]).await?;
    let wall = launch_against(&sim).await?;

    let count = wall
        .attr("[data-testid=grid-map]", "data-grid-count")
        .await?;
    assert_eq!(count.as_deref(), Some("1724"), "the map holds every grid");

    // An ordinary event in a quiet grid: the grid turns amber, the ticker shows it.
    let grid = quiet_grid(&sim, &wall).await?;
    let injected = sim
        .inject(json!({
            "grid_id": grid, "source": "police_110", "category": "dispute.neighbour",
            "severity": 1, "title": "测试：邻里噪音纠纷"
        }))
        .await?;
    let id = injected["id"].as_str().context("an event id")?.to_owned();
    wall.wait_for_js(
        &format!("return window.__gridwallMap.colourOf('{grid}') === 'amber'"),
        Duration::from_secs(20),
    )
    .await
    .context("the injected event did not recolour its grid")?;
    wall.wait_for_js(
        &format!("return !!document.querySelector('[data-testid=alert][data-id=\"{id}\"]')"),
        Duration::from_secs(10),
    )
    .await
    .context("the injected event is not in the ticker")?;
    assert_eq!(title_of(&wall, &id).await?, "测试：邻里噪音纠纷");

    // A serious event whose title carries markup and script: it shows as
    // the literal text, runs nothing, flashes pinned until acknowledged.
    let hostile = "<img src=x onerror=\"window.__pwned=1\"><script>window.__pwned=2</script>";
    let injected = sim
        .inject(json!({
            "grid_id": grid, "source": "risk", "category": "safety.gas",
            "severity": 3, "title": hostile
        }))
        .await?;
    let serious = injected["id"].as_str().context("an event id")?.to_owned();
    let pinned = format!("[data-testid=alert][data-id=\"{serious}\"][data-pinned=true]");
    wall.wait_for_js(
        &format!("return !!document.querySelector('{pinned}')"),
        Duration::from_secs(20),
    )
    .await
    .context("the serious event was not pinned")?;
    assert_eq!(title_of(&wall, &serious).await?, hostile);
    assert_eq!(
        wall.js("return document.querySelectorAll('[data-testid=ticker] img, [data-testid=ticker] script').length")
            .await?,
        json!(0),
        "no element came out of the title"
    );
    assert_eq!(
        wall.js("return window.__pwned ?? null").await?,
        json!(null),
        "nothing ran"
    );
    wall.wait_for_js(
        &format!("return window.__gridwallMap.colourOf('{grid}') === 'red'"),
        Duration::from_secs(20),
    )
    .await
    .context("a serious event turns its grid red")?;
    wall.screenshot("wall-live-3840x2160").await?;

    let pinned_count =
        "return Number(document.querySelector('[data-testid=ticker]').dataset.pinned)";
    let before = wall
        .js(pinned_count)
        .await?
        .as_f64()
        .context("a pinned count")?;
    wall.click(&format!("{pinned} [data-testid=ack]")).await?;
    // Unpinned, it takes its place among the other lines by its time: on a
    // ticker full of pinned alerts (the hostile platform) that is below the
    // lines that fit, and it is not rendered.
    wall.wait_for_js(
        &format!(
            "const el = document.querySelector('[data-testid=alert][data-id=\"{serious}\"]'); \
             return (el === null || el.dataset.pinned === 'false') \
               && Number(document.querySelector('[data-testid=ticker]').dataset.pinned) === {before} - 1"
        ),
        Duration::from_secs(10),
    )
    .await
    .context("acknowledging did not unpin the alert")?;

    let store = gridwall_store::Store::open(
        wall.data_dir
            .path()
            .join("store.sqlite")
            .to_str()
            .context("temp paths are UTF-8")?,
    )
    .await?;
    let acks = store.audit("acknowledge_alert").await?;
    assert_eq!(acks.len(), 1, "one acknowledgement stored");
    assert_eq!(acks[0].subject, serious);
    assert!(acks[0].actor == "wall:wall", "who: {}", acks[0].actor);
    wall.close().await
}

#[tokio::test]
async fn the_stale_banner_follows_the_feed() -> Result<()> {
    let sim = Sim::start(&["--seed=6", "--warmup-hours=6"]).await?;
    let wall = launch_against(&sim).await?;
    // Connected is not yet caught up: a platform that resets the stream or
    // answers 429 (the hostile profile) may show the wall lagging at first.
    wall.wait_for_js(
        "return !document.querySelector('[data-testid=stale-banner]')",
        Duration::from_secs(60),
    )
    .await
    .context("a banner while the feed is live")?;

    // The simulator cuts the feed and every request fails until further
    // notice: the wall says so across the top.
    sim.faults(json!({ "error_rate": 1.0 })).await?;
    sim.cut_streams().await?;
    wall.wait_for_js(
        "return !!document.querySelector('[data-testid=stale-banner]')",
        Duration::from_secs(45),
    )
    .await
    .context("no stale banner with the feed down")?;
    wall.screenshot("wall-stale-3840x2160").await?;

    sim.faults(json!({})).await?;
    wall.wait_for_js(
        "return !document.querySelector('[data-testid=stale-banner]')",
        Duration::from_secs(60),
    )
    .await
    .context("the banner stayed after the feed came back")?;
    wall.close().await
}

/// The time-to-breach layer (issue 13): switched on, a grid is coloured by
/// how soon its pending incident falls due, not by its status; switched
/// off, its status colour comes back.
#[tokio::test]
async fn the_time_to_breach_layer_colours_grids_by_their_next_deadline() -> Result<()> {
    let sim = Sim::start(&["--seed=14", "--warmup-hours=6"]).await?;
    let wall = launch_against(&sim).await?;
    let grid = quiet_grid(&sim, &wall).await?;
    let injected = sim
        .inject(json!({
            "grid_id": grid, "source": "hotline_12345", "category": "dispute.neighbour",
            "severity": 1, "title": "测试：时限图层"
        }))
        .await?;
    let id = injected["id"].as_str().context("an event id")?.to_owned();
    let colour_is =
        |colour: &str| format!("return window.__gridwallMap.colourOf('{grid}') === '{colour}'");
    wall.wait_for_js(&colour_is("amber"), Duration::from_secs(20))
        .await
        .context("the injected event did not colour its grid by status")?;

    // What the layer should show: its deadline against the platform's time.
    let store = wall.store().await?;
    let row = sqlx::query("SELECT reported_at, due_at FROM events WHERE id = ?")
        .bind(&id)
        .fetch_one(store.pool())
        .await?;
    let (reported, due): (i64, Option<i64>) = (
        sqlx::Row::try_get(&row, "reported_at")?,
        sqlx::Row::try_get(&row, "due_at")?,
    );
    let minutes = (due.context("the platform set a deadline")? - reported) / 60;
    let expected = match minutes {
        m if m < 60 => "red",
        m if m < 240 => "amber",
        _ => "green",
    };
    anyhow::ensure!(
        !(55..65).contains(&minutes) && !(235..245).contains(&minutes),
        "a deadline on a threshold ({minutes} min) would make the test depend on timing"
    );

    wall.click("[data-testid=map-layer-breach]").await?;
    wall.wait_for_js(&colour_is(expected), Duration::from_secs(15))
        .await
        .with_context(|| {
            format!("due in {minutes} min, the grid is not {expected} in the layer")
        })?;
    let legend = wall
        .texts("[data-testid=grid-map-legend] li, .legend li")
        .await?;
    anyhow::ensure!(
        legend.iter().any(|l| l.contains("1小时内到期")),
        "the legend names the layer's colours: {legend:?}"
    );
    wall.screenshot("wall-time-to-breach-3840x2160").await?;

    wall.click("[data-testid=map-layer-status]").await?;
    wall.wait_for_js(&colour_is("amber"), Duration::from_secs(10))
        .await
        .context("switched back, the status colour did not return")?;
    wall.close().await
}

/// Issue 18, item 3: against a platform that is not the embedded simulator
/// (here the simulator on its own port, as a real upstream is reached),
/// the map's town borders are the platform's grids dissolved per town, not
/// the outlines shipped for the embedded simulator.
#[tokio::test]
async fn against_a_platform_the_map_draws_town_borders_from_its_grids() -> Result<()> {
    let sim = Sim::start(&["--seed=7", "--warmup-hours=6"]).await?;
    let wall = Wall::launch(Launch::default().size(1920, 1080).against(&sim)).await?;
    wall.wait_for_live().await?;
    wall.wait_for_js(
        "return (window.__gridwallMap?.count() ?? 0) > 0 && document.querySelectorAll('[data-testid=alert]').length > 0",
        Duration::from_secs(60),
    )
    .await
    .context("the map or the ticker never filled")?;

    // The towns exactly as the map received them.
    let towns = wall
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1]; \
             window.__TAURI_INTERNALS__.invoke('city_map').then( \
               (b) => done(JSON.parse(new TextDecoder().decode(b)).towns), \
               (e) => done({ error: String(e) }));",
            vec![],
        )
        .await?;
    let shipped: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(
        gridwall_suite::root().join("assets/city/towns.geojson"),
    )?)?;
    let features = towns["features"]
        .as_array()
        .with_context(|| format!("no towns: {:.200}", towns.to_string()))?;
    let codes = |features: &[serde_json::Value]| -> Vec<String> {
        features
            .iter()
            .map(|f| f["properties"]["code"].as_str().unwrap_or("").to_owned())
            .collect()
    };
    assert_eq!(
        codes(features),
        codes(shipped["features"].as_array().context("shipped towns")?),
        "the platform's 24 towns, in code order"
    );
    assert!(towns != shipped, "the shipped outlines were drawn");
    wall.screenshot("map-derived-outlines-1920x1080").await?;
    wall.close().await
}
