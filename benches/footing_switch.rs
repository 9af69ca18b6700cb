//! The two-person switch (issue 12): from the second person's confirmation
//! to every window re-laid and painted, over 20 switches (10 into the
//! typhoon plan, 10 back), in the real app with four windows (console,
//! wall, video, board) under Xvfb. Prints p50 and p99; asserts nothing.
//!
//!   cargo build -p gridwall -p gridwall-sim && cargo bench -p gridwall-suite --bench footing_switch --profile dev
//!
//! How: the console invokes `confirm_switch` itself and notes the wall-clock
//! time just before; each window records, at the first animation frame after
//! it re-laid, the wall-clock time (`window.__gridwallFooting`). Every window
//! runs on this machine, so they share the clock. The baseline, measured in
//! the same sitting, is a no-op command's round trip from the console
//! (`signed_in`) and one animation frame of each window: the floor under
//! any change that reaches every window.
//!
//! `GRIDWALL_BENCH_SIZE=3840x2160` measures at 4K (default 1920x1080).

use std::time::Duration;

use anyhow::{Context, Result};
use gridwall_suite::{Launch, Sim, Wall, add_accounts, hall_config, print_summary as summary};
use serde_json::{Value, json};

const SWITCHES: usize = 20;

/// Every window's `__gridwallFooting`, switching the session back to the console.
async fn paints(wall: &Wall, console: &fantoccini::wd::WindowHandle) -> Result<Vec<Value>> {
    let mut out = Vec::new();
    for handle in wall.client.windows().await? {
        wall.client.switch_to_window(handle).await?;
        out.push(wall.js("return window.__gridwallFooting ?? null").await?);
    }
    wall.client.switch_to_window(console.clone()).await?;
    Ok(out)
}

#[tokio::main]
async fn main() -> Result<()> {
    let (width, height) = std::env::var("GRIDWALL_BENCH_SIZE")
        .ok()
        .and_then(|s| {
            let (w, h) = s.split_once('x')?;
            Some((w.parse().ok()?, h.parse().ok()?))
        })
        .unwrap_or((1920, 1080));
    let sim = Sim::start(&["--seed=12", "--warmup-hours=6"]).await?;
    let dir = tempfile::TempDir::new()?;
    let config = hall_config(dir.path())?;
    let database = dir.path().join("store.sqlite");
    add_accounts(
        &database,
        &[
            ("zhang", "duty_officer", "246810"),
            ("li", "duty_officer", "135790"),
        ],
    )
    .await?;
    let wall = Wall::launch(
        Launch::default()
            .size(width, height)
            .against(&sim)
            .config(&config)
            .arg(format!("--database={}", database.display())),
    )
    .await?;
    wall.wait_for_live().await?;
    wall.switch_to_layout("console").await?;
    let console = wall.client.window().await?;
    // Let the first backfill settle: the figures are of a wall at work.
    tokio::time::sleep(Duration::from_secs(10)).await;
    wall.invoke("sign_in", json!({ "username": "zhang", "pin": "246810" }))
        .await?;

    let baseline = wall.command_round_trips(SWITCHES).await?;

    let mut relays = Vec::new();
    // Per window (by the layout it ends on): when it painted, after t0.
    let mut by_window: std::collections::BTreeMap<String, Vec<f64>> = Default::default();
    for i in 0..SWITCHES {
        let on = i % 2 == 0;
        let plan = if on {
            json!("台风防御Ⅱ级响应")
        } else {
            Value::Null
        };
        let want = paints(&wall, &console).await?;
        let versions: Vec<i64> = want
            .iter()
            .map(|p| p.get("version").and_then(Value::as_i64).unwrap_or(-1))
            .collect();
        let proposal = wall
            .invoke("propose_switch", json!({ "plan": plan }))
            .await?;
        let id = proposal["id"].as_i64().context("a proposal id")?;
        let t0 = wall
            .client
            .execute_async(
                "const [id, done] = arguments; const t0 = Date.now(); \
                 window.__TAURI_INTERNALS__.invoke('confirm_switch', \
                   { id, username: 'li', pin: '135790' }).then(() => done(t0), (e) => done(-1));",
                vec![json!(id)],
            )
            .await?
            .as_f64()
            .context("a start time")?;
        anyhow::ensure!(t0 > 0.0, "the confirmation was refused");
        let done = loop {
            let now = paints(&wall, &console).await?;
            let moved: Vec<f64> = now
                .iter()
                .zip(&versions)
                .filter_map(|(p, v)| {
                    (p.get("version").and_then(Value::as_i64).unwrap_or(-1) > *v)
                        .then(|| p.get("paintedAt").and_then(Value::as_f64))
                        .flatten()
                })
                .collect();
            if moved.len() == now.len() {
                for p in &now {
                    let layout = p.get("layout").and_then(Value::as_str).unwrap_or("?");
                    let at = p
                        .get("paintedAt")
                        .and_then(Value::as_f64)
                        .unwrap_or(f64::NAN);
                    by_window
                        .entry(layout.to_owned())
                        .or_default()
                        .push(at - t0);
                }
                break moved.into_iter().fold(0.0, f64::max);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        };
        relays.push(done - t0);
        tokio::time::sleep(Duration::from_millis(500)).await;
    }

    println!("footing switch, {width}x{height}, 4 windows, {SWITCHES} switches");
    let base = summary("baseline: no-op command + one frame", baseline);
    let relay = summary("confirmation to every window re-laid and painted", relays);
    println!("ratio (p50 re-lay / p50 baseline): {:.1}", relay / base);
    for (layout, times) in by_window {
        summary(&format!("  the window showing {layout}"), times);
    }
    wall.close().await?;
    Ok(())
}
