//! The duty officer's console (issue 7) at 1920×1080 beside a wall window,
//! against a simulator the test starts: drilling from the city to an
//! incident by clicks shows the simulator's names and the event's whole
//! timeline; search finds an event by id and by a piece of its address;
//! the handover button writes the report and shows where; pushing to the wall shows the item on the wall window and is audited.

use std::collections::HashMap;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use gridwall_suite::{Launch, Sim, Wall, windows_config};
use serde_json::{Value, json};

/// The app with a wall window and a console window, the session on the
/// console once its city level has arrived. The temp dir holds the config.
async fn launch(sim: &Sim) -> Result<(Wall, tempfile::TempDir)> {
    let dir = tempfile::TempDir::new()?;
    let config = windows_config(dir.path(), &["wall", "console"])?;
    let wall = Wall::launch(Launch::default().against(sim).config(&config)).await?;
    wall.wait_for_live().await?;
    wall.switch_to_layout("console").await?;
    wall.wait_for_js(
        "return document.querySelectorAll('[data-testid=child]').length > 0 \
         && (window.__gridwallMap?.count() ?? 0) > 0",
        Duration::from_secs(60),
    )
    .await
    .context("the console never showed the city's towns and the map")?;
    Ok((wall, dir))
}

/// An open event the simulator has moved on at least once (so its timeline
/// has several steps), with its newest record.
async fn open_event_with_history(sim: &Sim) -> Result<Value> {
    let snapshot = sim.get("/api/v1/events?state=open&limit=5000").await?;
    let events = snapshot["events"].as_array().context("a snapshot")?;
    events
        .iter()
        .filter(|e| e["revision"].as_i64().unwrap_or(0) >= 3)
        .max_by_key(|e| e["revision"].as_i64())
        .cloned()
        .context("no open event with three revisions in the simulator")
}

/// The simulator's names: every division by code, and the grid `grid_id`.
async fn names(sim: &Sim, grid_id: &str) -> Result<(HashMap<String, Value>, Value)> {
    let divisions: HashMap<String, Value> = sim.get("/api/v1/divisions").await?["divisions"]
        .as_array()
        .context("divisions")?
        .iter()
        .map(|d| (d["code"].as_str().unwrap_or("").to_owned(), d.clone()))
        .collect();
    let mut token: Option<String> = None;
    loop {
        let mut query = vec![("page_size", "500")];
        if let Some(t) = &token {
            query.push(("page_token", t));
        }
        let page = sim.get_with("/api/v1/grids", &query).await?;
        if let Some(grid) = page["grids"]
            .as_array()
            .context("grids")?
            .iter()
            .find(|g| g["grid_id"] == grid_id)
        {
            return Ok((divisions, grid.clone()));
        }
        match page["next_page_token"].as_str() {
            Some(next) => token = Some(next.to_owned()),
            None => bail!("grid {grid_id} is not in the simulator's list"),
        }
    }
}

/// Clicks a child of the shown level and waits until that place is shown.
async fn drill(wall: &Wall, level: &str, id: &str) -> Result<()> {
    wall.click(&format!(
        "[data-testid=child][data-level={level}][data-id=\"{id}\"]"
    ))
    .await
    .with_context(|| format!("no child {level} {id} to click"))?;
    showing(wall, level, id).await
}

async fn showing(wall: &Wall, level: &str, id: &str) -> Result<()> {
    wall.wait_for_js(
        &format!(
            "const c = document.querySelector('[data-testid=console]'); \
             const crumbs = [...document.querySelectorAll('[data-testid=crumb]')]; \
             return c.dataset.level === '{level}' && c.dataset.place === '{id}' \
               && c.dataset.loading === 'false' && crumbs.at(-1)?.dataset.id === '{id}'"
        ),
        Duration::from_secs(20),
    )
    .await
    .with_context(|| format!("the console did not show {level} {id}"))
}

async fn incident_open(wall: &Wall, id: &str) -> Result<()> {
    wall.wait_for_js(
        &format!(
            "return document.querySelector('[data-testid=incident-panel]')?.dataset.id === '{id}' \
             && document.querySelectorAll('[data-testid=timeline-entry]').length > 0"
        ),
        Duration::from_secs(20),
    )
    .await
    .with_context(|| format!("the incident panel did not open on {id}"))
}

/// Waits until the app has stored event `id` (ingest may still be catching up).
async fn stored(wall: &Wall, id: &str) -> Result<()> {
    let store = wall.store().await?;
    let started = std::time::Instant::now();
    while store.incident(id).await?.is_none() {
        if started.elapsed() > Duration::from_secs(30) {
            bail!("the app never stored {id}");
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    Ok(())
}

/// The exact text of the element matching `css` (its `textContent`), for
/// comparing upstream text: WebDriver's element text is the rendered text,
/// which collapses the tabs and line separators the hostile profile sends,
/// and [`Wall::texts`] trims it.
async fn exact_text(wall: &Wall, css: &str) -> Result<String> {
    let script = format!("return document.querySelector({css:?})?.textContent ?? null");
    wall.js(&script)
        .await?
        .as_str()
        .map(str::to_owned)
        .with_context(|| format!("no {css}"))
}

/// Empties the search box, then types `query` into it key by key.
async fn type_search(wall: &Wall, query: &str) -> Result<()> {
    wall.js("const i = document.querySelector('[data-testid=search]'); \
             i.value = ''; i.dispatchEvent(new Event('input', { bubbles: true }))")
        .await?;
    wall.client
        .find(fantoccini::Locator::Css("[data-testid=search]"))
        .await?
        .send_keys(query)
        .await?;
    Ok(())
}

#[tokio::test]
async fn drilling_from_the_city_to_an_incident_shows_the_simulators_names_and_timeline()
-> Result<()> {
    let sim = Sim::start(&["--seed=11", "--warmup-hours=24"]).await?;
    let event = open_event_with_history(&sim).await?;
    let id = event["id"].as_str().context("an id")?.to_owned();
    let grid_id = event["grid_id"].as_str().context("a grid")?.to_owned();
    let (divisions, grid) = names(&sim, &grid_id).await?;
    let town = grid["town_code"].as_str().context("town")?.to_owned();
    let village = grid["village_code"].as_str().context("village")?.to_owned();
    let city = divisions
        .values()
        .find(|d| d["level"] == "city")
        .context("the city division")?;

    let (wall, _config) = launch(&sim).await?;

    // At 1920×1080 the city's 24 towns do not all fit: the list says how
    // many rows are below, and stops saying so once scrolled to its end.
    let out_of_sight = "const l = document.querySelector('[data-testid=children]'); \
         const bottom = l.getBoundingClientRect().bottom; \
         return [...l.children].filter((r) => r.getBoundingClientRect().bottom > bottom + 1).length";
    let hidden = wall.js(out_of_sight).await?.as_u64().context("a count")?;
    anyhow::ensure!(
        hidden > 0,
        "every town fits: the scroll hint is not exercised"
    );
    wall.wait_for_js(
        &format!(
            "return document.querySelector('[data-testid=children-more]')?.dataset.count === '{hidden}'"
        ),
        Duration::from_secs(5),
    )
    .await
    .with_context(|| format!("{hidden} towns are out of sight and the list does not say so"))?;
    wall.screenshot("console-towns-more-1920x1080").await?;
    wall.js("const l = document.querySelector('[data-testid=children]'); l.scrollTop = l.scrollHeight; return true")
        .await?;
    wall.wait_for_js(
        "return !document.querySelector('[data-testid=children-more]')",
        Duration::from_secs(5),
    )
    .await
    .context("scrolled to its end, the list still says there is more")?;

    // The city's open incidents: a first page, and the next on asking.
    let rows = "return document.querySelectorAll('[data-testid=incident-row]').length";
    wall.wait_for_js(
        "return document.querySelectorAll('[data-testid=incident-row]').length > 0",
        Duration::from_secs(20),
    )
    .await
    .context("the city's incident list stayed empty")?;
    let count = wall.text("[data-testid=incident-count]").await?;
    let total: u64 = count
        .rsplit(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .with_context(|| format!("a total in {count:?}"))?;
    anyhow::ensure!(
        total > 50,
        "the city has {total} open incidents: its list's pages are not exercised"
    );
    assert_eq!(wall.js(rows).await?, json!(50), "the first page: {count}");
    wall.js("const l = document.querySelector('[data-testid=incident-list]'); l.scrollTop = l.scrollHeight; return true")
        .await?;
    wall.screenshot("console-incidents-more-1920x1080").await?;
    wall.click("[data-testid=incidents-more]").await?;
    let more = total.min(100);
    wall.wait_for_js(&format!("{rows} === {more}"), Duration::from_secs(10))
        .await
        .with_context(|| format!("\"more\" did not show {more} of {total} rows"))?;

    drill(&wall, "town", &town).await?;
    // The town's villages from the top, not at the city list's scroll.
    let top = wall
        .js("return document.querySelector('[data-testid=children]').scrollTop")
        .await?;
    anyhow::ensure!(
        top.as_f64() == Some(0.0),
        "the town's villages open scrolled to {top}, where the city's list was"
    );
    drill(&wall, "village", &village).await?;
    drill(&wall, "grid", &grid_id).await?;

    let crumbs = wall.texts("[data-testid=crumb]").await?;
    let expected: Vec<String> = [
        &city["name"],
        &divisions[&town]["name"],
        &divisions[&village]["name"],
        &grid["name"],
    ]
    .iter()
    .map(|v| v.as_str().unwrap_or("").to_owned())
    .collect();
    assert_eq!(crumbs, expected, "breadcrumbs are the simulator's names");
    assert_eq!(
        wall.js("return window.__gridwallMap.selected()").await?,
        json!(grid_id),
        "the map outlines the grid shown"
    );

    let row = format!("[data-testid=incident-row][data-id=\"{id}\"]");
    wall.wait_for_js(
        &format!("return !!document.querySelector('{row}')"),
        Duration::from_secs(10),
    )
    .await
    .context("the event is not in its grid's incident list")?;
    wall.click(&row).await?;
    incident_open(&wall, &id).await?;
    wall.screenshot("console-grid-incident-1920x1080").await?;

    // The timeline as the panel shows it equals the simulator's record of
    // that event, entry by entry: state, actor, time.
    let shown: Vec<(String, String, String)> = serde_json::from_value(
        wall.js(
            "return [...document.querySelectorAll('[data-testid=timeline-entry]')].map((e) => \
             [e.dataset.state, e.querySelector('[data-testid=timeline-actor]').textContent, e.dataset.at])",
        )
        .await?,
    )?;
    let record = sim.get(&format!("/api/v1/events/{id}")).await?;
    let expected: Vec<(String, String, String)> = record["timeline"]
        .as_array()
        .context("a timeline")?
        .iter()
        .map(|e| {
            let s = |k: &str| e[k].as_str().unwrap_or("").to_owned();
            (s("state"), s("actor"), s("at"))
        })
        .collect();
    assert!(expected.len() >= 3, "a timeline with history: {expected:?}");
    assert_eq!(shown, expected, "the closed loop is the simulator's");
    assert_eq!(
        wall.attr("[data-testid=timeline]", "data-from")
            .await?
            .as_deref(),
        Some("platform")
    );
    assert_eq!(
        exact_text(&wall, "[data-testid=incident-title]").await?,
        record["title"].as_str().unwrap_or("")
    );

    // Up one level with the keyboard: back to the village.
    wall.click("[data-testid=incident-close]").await?;
    wall.client
        .find(fantoccini::Locator::Css("[data-testid=child]"))
        .await?
        .send_keys(&fantoccini::key::Key::Backspace.to_string())
        .await?;
    showing(&wall, "village", &village).await?;

    // Back to the city through its crumb, with the whole city's figures.
    wall.click("[data-testid=crumb][data-level=city]").await?;
    showing(&wall, "city", "").await?;
    wall.wait_for_js(
        "return Number(document.querySelector('[data-testid=level-open]').textContent) > 0",
        Duration::from_secs(20),
    )
    .await
    .context("the city shows no open incident")?;
    // Its workforce and cameras too (the app's directory of them may lag
    // the first sync by up to a minute).
    wall.wait_for_js(
        "return document.querySelectorAll('[data-testid=worker]').length > 0 \
         && document.querySelectorAll('[data-testid=camera]').length > 0",
        Duration::from_secs(90),
    )
    .await
    .context("the city shows no workers or cameras")?;
    wall.screenshot("console-city-1920x1080").await?;
    wall.close().await
}

#[tokio::test]
async fn search_finds_an_event_by_id_and_by_a_piece_of_its_address() -> Result<()> {
    let sim = Sim::start(&["--seed=12", "--warmup-hours=24"]).await?;
    let event = open_event_with_history(&sim).await?;
    let id = event["id"].as_str().context("an id")?.to_owned();
    let address = event["address"].as_str().context("an address")?.to_owned();
    // A fragment from the middle of the address: 4 characters after the
    // first 3, letters and digits only (the hostile profile's addresses
    // carry control characters and tabs an officer would not type, and a
    // typed tab moves the focus out of the box).
    let chars: Vec<char> = address.chars().collect();
    let fragment: String = (3..chars.len().saturating_sub(3))
        .map(|at| &chars[at..at + 4])
        .find(|w| w.iter().all(|c| c.is_alphanumeric()))
        .with_context(|| format!("no four letters in a row in the address {address:?}"))?
        .iter()
        .collect();
    let (wall, _config) = launch(&sim).await?;
    stored(&wall, &id).await?;

    let hit = format!("[data-testid=search-hit][data-kind=incident][data-event=\"{id}\"]");
    for query in [id.as_str(), fragment.as_str()] {
        type_search(&wall, query).await?;
        if let Err(err) = wall
            .wait_for_js(
                &format!("return !!document.querySelector('{hit}')"),
                Duration::from_secs(10),
            )
            .await
        {
            let listed = wall
                .js("return document.querySelector('[data-testid=search-box]').textContent")
                .await?;
            bail!("searching `{query}` did not list {id} ({err}); the box shows {listed}");
        }
    }
    wall.screenshot("console-search-1920x1080").await?;

    // Choosing the hit drills to its grid and opens the incident.
    wall.click(&hit).await?;
    incident_open(&wall, &id).await?;
    assert_eq!(
        wall.attr("[data-testid=console]", "data-place")
            .await?
            .as_deref()
            .map(|p| p.starts_with(event["grid_id"].as_str().unwrap_or("?"))),
        Some(true),
        "the console shows the incident's grid"
    );

    // The shift handover from its button: the PDF is written where it says.
    wall.click("[data-testid=handover]").await?;
    wall.click("[data-testid=handover-pdf]").await?;
    wall.wait_for_js(
        "return !!document.querySelector('[data-testid=handover-result]')",
        Duration::from_secs(60),
    )
    .await
    .context("the handover button gave no answer")?;
    let path = wall
        .attr("[data-testid=handover-result]", "data-path")
        .await?
        .unwrap_or_default();
    let shown = wall.text("[data-testid=handover-result]").await?;
    assert!(path.ends_with(".pdf"), "a PDF path, not: {shown}");
    assert!(shown.contains(&path), "the path is shown: {shown}");
    let pdf = std::fs::read(&path).with_context(|| format!("reading {path}"))?;
    assert!(pdf.starts_with(b"%PDF"), "{path} is a PDF");
    wall.screenshot("console-handover-1920x1080").await?;
    wall.close().await
}

#[tokio::test]
async fn pushing_to_the_wall_shows_the_item_on_the_wall_and_is_audited() -> Result<()> {
    let sim = Sim::start(&["--seed=13", "--warmup-hours=12"]).await?;
    let event = open_event_with_history(&sim).await?;
    let id = event["id"].as_str().context("an id")?.to_owned();
    let title = event["title"].as_str().context("a title")?.to_owned();
    let grid_id = event["grid_id"].as_str().context("a grid")?.to_owned();
    let (wall, _config) = launch(&sim).await?;
    stored(&wall, &id).await?;

    type_search(&wall, &id).await?;
    let hit = format!("[data-testid=search-hit][data-kind=incident][data-event=\"{id}\"]");
    wall.wait_for_js(
        &format!("return !!document.querySelector('{hit}')"),
        Duration::from_secs(10),
    )
    .await?;
    wall.click(&hit).await?;
    incident_open(&wall, &id).await?;

    // A deliberate act: the first click only asks.
    wall.click("[data-testid=push-incident] [data-testid=push-start]")
        .await?;
    assert_eq!(
        wall.attr("[data-testid=push-incident]", "data-phase")
            .await?
            .as_deref(),
        Some("confirm")
    );
    assert!(
        wall.store().await?.audit("push_to_wall").await?.is_empty(),
        "nothing pushed before the confirmation"
    );
    wall.click("[data-testid=push-incident] [data-testid=push-confirm]")
        .await?;
    wall.wait_for_js(
        "return document.querySelector('[data-testid=push-incident]').dataset.phase === 'done'",
        Duration::from_secs(10),
    )
    .await
    .context("the push did not succeed")?;
    wall.screenshot("console-pushed-1920x1080").await?;

    // The same console in English, upstream text untouched.
    wall.click("[data-testid=lang-switch]").await?;
    wall.wait_for_js(
        "return document.querySelector('[data-testid=incident-state]').textContent.trim() !== '' \
         && document.querySelector('.console h1').textContent === 'Duty officer console'",
        Duration::from_secs(5),
    )
    .await
    .context("the console did not switch to English")?;
    assert_eq!(
        exact_text(&wall, "[data-testid=incident-title]").await?,
        title
    );
    wall.screenshot("console-english-1920x1080").await?;

    wall.switch_to_layout("wall").await?;
    wall.wait_for_js(
        &format!(
            "return document.querySelector('[data-testid=wall-focus]')?.dataset.id === '{id}'"
        ),
        Duration::from_secs(10),
    )
    .await
    .context("the wall did not show the pushed incident")?;
    assert_eq!(
        exact_text(&wall, "[data-testid=wall-focus-title]").await?,
        title,
        "the card shows the title"
    );
    assert_eq!(
        wall.js("return window.__gridwallMap.selected()").await?,
        json!(grid_id),
        "the wall's map selects the incident's grid"
    );
    wall.wait_for_js(
        &format!("return window.__gridwallVideo?.scene().focus === '{grid_id}'"),
        Duration::from_secs(20),
    )
    .await
    .context("the camera matrix did not turn to the incident's grid")?;
    wall.screenshot("wall-focus-1920x1080").await?;

    let pushes = wall.store().await?.audit("push_to_wall").await?;
    assert_eq!(pushes.len(), 1, "one push recorded");
    assert_eq!(pushes[0].subject, format!("incident:{id}"));
    assert!(
        pushes[0].actor == "wall:console",
        "who: {}",
        pushes[0].actor
    );
    wall.close().await
}
