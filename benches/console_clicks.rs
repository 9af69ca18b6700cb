//! Click to painted panel on the duty officer's console over a five-year
//! store: the real app, its console window at 1920×1080 under Xvfb, the
//! store file built by the store's import bench (four to five million
//! events), the simulator for reference data and live asks. For a grid (a
//! click on a village's grid) and for an incident (a click in the list),
//! the time from the click to the frame after the panel shows it, measured
//! inside the page (no WebDriver trip in the figure). Then each command
//! alone, asked again from the page right after, to split a click's time
//! between the app and the page. Prints p50 and p99; asserts nothing.
//!
//!   GRIDWALL_BENCH_DAYS=1826 GRIDWALL_BENCH_KEEP=/tmp/five-years.sqlite \
//!     cargo bench -p gridwall-store --bench import
//!   cargo build -p gridwall -p gridwall-sim
//!   GRIDWALL_BENCH_STORE=/tmp/five-years.sqlite \
//!     cargo bench -p gridwall-suite --bench console_clicks --profile dev
//!
//! The app opens that file itself (five years of revisions are about 27 GB,
//! too big to copy on these machines) and ingests the simulator's feed into
//! it; rebuild it for a pristine run.

use std::time::Duration;

use anyhow::{Context, Result};
use gridwall_suite::{Launch, Sim, Wall, windows_config};
use serde_json::json;

const CLICKS: usize = 40;

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// Clicks the element matching `css` (with `data-id` = `id`) in the page and
/// returns the milliseconds until `ready` holds and one more frame painted.
async fn click_to_paint(wall: &Wall, css: &str, id: &str, ready: &str) -> Result<f64> {
    let ms = wall
        .client
        .execute_async(
            &format!(
                "const [css, id, done] = arguments;
                 const el = document.querySelector(`${{css}}[data-id=\"${{id}}\"]`);
                 if (!el) {{ done(-1); return; }}
                 const t0 = performance.now();
                 el.click();
                 const poll = () => {{
                   if ({ready}) requestAnimationFrame(() => done(performance.now() - t0));
                   else requestAnimationFrame(poll);
                 }};
                 poll();"
            ),
            vec![json!(css), json!(id)],
        )
        .await?;
    let ms = ms.as_f64().context("a time")?;
    anyhow::ensure!(ms >= 0.0, "no {css} with id {id}");
    Ok(ms)
}

/// A click dispatched in the page (WebDriver refuses elements scrolled out
/// of a list's view).
async fn js_click(wall: &Wall, css: &str) -> Result<()> {
    let found = wall
        .client
        .execute(
            "const el = document.querySelector(arguments[0]); if (el) el.click(); return !!el;",
            vec![json!(css)],
        )
        .await?;
    anyhow::ensure!(found == json!(true), "nothing matches {css}");
    Ok(())
}

/// Milliseconds the command `name` takes with `args`, asked from the page
/// (the IPC round trip included, no painting): what of a click is the
/// app's, the rest is the page's.
async fn command_ms(wall: &Wall, name: &str, args: serde_json::Value) -> Result<f64> {
    let ms = wall
        .client
        .execute_async(
            "const [name, args, done] = arguments;
             const t0 = performance.now();
             window.__TAURI_INTERNALS__.invoke(name, args)
               .then(() => done(performance.now() - t0), () => done(-1));",
            vec![json!(name), args],
        )
        .await?;
    let ms = ms.as_f64().context("a time")?;
    anyhow::ensure!(ms >= 0.0, "{name} failed");
    Ok(ms)
}

async fn wait_level(wall: &Wall, id: &str) -> Result<()> {
    wall.wait_for_js(
        &format!(
            "const c = document.querySelector('[data-testid=console]'); \
             return c?.dataset.place === '{id}' && c?.dataset.loading === 'false'"
        ),
        Duration::from_secs(30),
    )
    .await
}

async fn ids(wall: &Wall, css: &str) -> Result<Vec<String>> {
    let v = wall
        .js(&format!(
            "return [...document.querySelectorAll('{css}')].map((e) => e.dataset.id)"
        ))
        .await?;
    Ok(serde_json::from_value(v)?)
}

#[tokio::main]
async fn main() -> Result<()> {
    let source = std::env::var("GRIDWALL_BENCH_STORE")
        .context("set GRIDWALL_BENCH_STORE to a store file (see the header)")?;
    let dir = tempfile::tempdir()?;
    let store = std::path::PathBuf::from(source);
    let events: i64 = {
        let s = gridwall_store::Store::open(&store.display().to_string()).await?;
        let n = sqlx::query_scalar("SELECT COUNT(*) FROM events")
            .fetch_one(s.pool())
            .await?;
        s.close().await;
        n
    };
    let config = windows_config(dir.path(), &["console"])?;
    let sim = Sim::start(&["--seed=3", "--warmup-hours=1"]).await?;
    let wall = Wall::launch(
        Launch::default()
            .size(1920, 1080)
            .against(&sim)
            .config(&config)
            .arg(format!("--database={}", store.display())),
    )
    .await?;
    wall.switch_to_layout("console").await?;
    wall.wait_for_js(
        "return document.querySelectorAll('[data-testid=child]').length > 0",
        Duration::from_secs(60),
    )
    .await?;

    // Into the first town and its first village, where the grids are.
    let towns = ids(&wall, "[data-testid=child]").await?;
    let town = towns.first().context("a town")?.clone();
    js_click(&wall, &format!("[data-testid=child][data-id=\"{town}\"]")).await?;
    wait_level(&wall, &town).await?;
    let villages = ids(&wall, "[data-testid=child]").await?;

    let mut grid_ms = Vec::new();
    let mut incident_ms = Vec::new();
    let (mut level_cmd_ms, mut incident_cmd_ms) = (Vec::new(), Vec::new());
    let filter = json!({
        "sources": [], "severities": [], "states": [],
        "open_only": true, "overdue_only": false, "window_hours": null,
    });
    'villages: for village in villages.iter().cycle().take(200) {
        js_click(&wall, &format!("[data-testid=crumb][data-id=\"{town}\"]"))
            .await
            .ok();
        wait_level(&wall, &town).await?;
        js_click(
            &wall,
            &format!("[data-testid=child][data-id=\"{village}\"]"),
        )
        .await?;
        wait_level(&wall, village).await?;
        for grid in ids(&wall, "[data-testid=child]").await?.into_iter().take(2) {
            let ready = format!(
                "document.querySelector('[data-testid=console]')?.dataset.place === '{grid}' \
                 && document.querySelector('[data-testid=console]')?.dataset.loading === 'false'"
            );
            grid_ms.push(click_to_paint(&wall, "[data-testid=child]", &grid, &ready).await?);
            level_cmd_ms.push(
                command_ms(
                    &wall,
                    "console_level",
                    json!({ "place": { "level": "grid", "id": grid }, "filter": filter }),
                )
                .await?,
            );
            for incident in ids(&wall, "[data-testid=incident-row]")
                .await?
                .into_iter()
                .take(2)
            {
                let ready = format!(
                    "document.querySelector('[data-testid=incident-panel]')?.dataset.id === '{incident}' \
                     && document.querySelectorAll('[data-testid=timeline-entry]').length > 0"
                );
                incident_ms.push(
                    click_to_paint(&wall, "[data-testid=incident-row]", &incident, &ready).await?,
                );
                incident_cmd_ms
                    .push(command_ms(&wall, "console_incident", json!({ "id": incident })).await?);
            }
            js_click(
                &wall,
                &format!("[data-testid=crumb][data-id=\"{village}\"]"),
            )
            .await?;
            wait_level(&wall, village).await?;
            if grid_ms.len() >= CLICKS && incident_ms.len() >= CLICKS {
                break 'villages;
            }
        }
    }
    for list in [
        &mut grid_ms,
        &mut incident_ms,
        &mut level_cmd_ms,
        &mut incident_cmd_ms,
    ] {
        list.sort_by(f64::total_cmp);
    }
    anyhow::ensure!(
        !grid_ms.is_empty() && !incident_ms.is_empty(),
        "nothing clicked"
    );
    println!(
        "console over {events} events: click to painted grid panel p50 {:.0} ms, p99 {:.0} ms ({} clicks); \
         incident panel p50 {:.0} ms, p99 {:.0} ms ({} clicks)",
        percentile(&grid_ms, 0.5),
        percentile(&grid_ms, 0.99),
        grid_ms.len(),
        percentile(&incident_ms, 0.5),
        percentile(&incident_ms, 0.99),
        incident_ms.len(),
    );
    println!(
        "the commands alone, asked again from the page: console_level p50 {:.0} ms, p99 {:.0} ms; \
         console_incident p50 {:.0} ms, p99 {:.0} ms",
        percentile(&level_cmd_ms, 0.5),
        percentile(&level_cmd_ms, 0.99),
        percentile(&incident_cmd_ms, 0.5),
        percentile(&incident_cmd_ms, 0.99),
    );
    wall.close().await
}
