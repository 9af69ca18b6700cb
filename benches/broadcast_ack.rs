//! The broadcast (issue 12): from the officer's send to the first
//! acknowledgement shown on the wall's board, and from each acknowledgement
//! at the platform to the board counting it, in the real app against the
//! simulator at real speed. Prints p50 and p99; asserts nothing.
//!
//!   cargo build -p gridwall -p gridwall-sim && cargo bench -p gridwall-suite --bench broadcast_ack --profile dev
//!
//! How: the console sends a broadcast to one town through the same command
//! its button calls, noting the wall-clock time; a script in the board's
//! window records, at the first animation frame after each change, the
//! wall-clock time and the count shown. The simulator's acks endpoint says
//! when each acknowledgement reached the platform (`acked_at`); the k-th
//! acknowledgement is shown once the board shows k or more. The first
//! acknowledgement's own delay is the simulator's (workers take seconds to
//! answer), so the figure of the app is the second one. Its baseline, in
//! the same sitting, is a no-op command's round trip plus one frame.

use std::time::Duration;

use anyhow::{Context, Result};
use gridwall_suite::{Launch, Sim, Wall, add_accounts, print_summary as summary};
use serde_json::json;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

#[tokio::main]
async fn main() -> Result<()> {
    let sim = Sim::start(&["--seed=15", "--warmup-hours=6"]).await?;
    let dir = tempfile::TempDir::new()?;
    let config = dir.path().join("hall.toml");
    std::fs::write(
        &config,
        "[[window]]\nlabel = \"wall\"\nlayout = \"wall\"\nfullscreen = false\n",
    )?;
    let database = dir.path().join("store.sqlite");
    add_accounts(&database, &[("zhang", "duty_officer", "246810")]).await?;
    let wall = Wall::launch(
        Launch::default()
            .size(1920, 1080)
            .against(&sim)
            .config(&config)
            .arg(format!("--database={}", database.display())),
    )
    .await?;
    wall.wait_for_live().await?;
    tokio::time::sleep(Duration::from_secs(10)).await;
    wall.invoke("sign_in", json!({ "username": "zhang", "pin": "246810" }))
        .await?;

    let baseline = wall.command_round_trips(20).await?;

    // Watch the board: (wall-clock ms, count shown) at each painted change.
    wall.js(
        "window.__acks = []; let last = -1; const look = () => { \
           const n = Number(document.querySelector('[data-testid=broadcast-board]')?.dataset.acked ?? -1); \
           if (n !== last) { last = n; window.__acks.push([Date.now(), n]); } \
           requestAnimationFrame(look); }; look(); return true",
    )
    .await?;
    let town = "330282004000"; // 浒山街道: about 2,000 workers
    let sent_at_ms = OffsetDateTime::now_utc().unix_timestamp_nanos() as f64 / 1e6;
    let sent = wall.invoke(
        "send_broadcast",
        json!({ "title": "时延测试", "body": "收到请确认", "scope": { "all": false, "town_codes": [town], "grid_ids": [] }, "template": null }),
    )
    .await?;
    let id = sent["broadcast_id"]
        .as_str()
        .context("the platform's broadcast id")?
        .to_owned();
    // Three minutes: most of the town answers (median two minutes).
    tokio::time::sleep(Duration::from_secs(180)).await;

    let shown: Vec<(f64, u64)> =
        serde_json::from_value::<Vec<(f64, i64)>>(wall.js("return window.__acks").await?)?
            .into_iter()
            .filter(|(_, n)| *n >= 0)
            .map(|(t, n)| (t, n as u64))
            .collect();
    let mut acked_at = Vec::new();
    let mut after = String::new();
    loop {
        let page = sim
            .get(&format!("/api/v1/broadcasts/{id}/acks?after={after}"))
            .await?;
        for ack in page["acks"].as_array().into_iter().flatten() {
            let at = OffsetDateTime::parse(ack["acked_at"].as_str().unwrap_or(""), &Rfc3339)?;
            acked_at.push(at.unix_timestamp_nanos() as f64 / 1e6);
        }
        match page["next_after"].as_str() {
            Some(next) => after = next.to_owned(),
            None => break,
        }
    }
    acked_at.sort_by(f64::total_cmp);
    let mut delays = Vec::new();
    for (k, at) in acked_at.iter().enumerate() {
        if let Some((painted, _)) = shown.iter().find(|(_, n)| *n > k as u64) {
            delays.push((painted - at).max(0.0));
        }
    }
    let first_shown = shown
        .iter()
        .find(|(_, n)| *n > 0)
        .map(|(t, _)| t - sent_at_ms);
    println!(
        "broadcast to one town: {} recipients' acks at the platform in 3 min, {} shown",
        acked_at.len(),
        shown.last().map_or(0, |(_, n)| *n)
    );
    let base = summary("baseline: no-op command + one frame", baseline);
    if let Some(first) = first_shown {
        println!(
            "send to first acknowledgement shown: {first:.0} ms (of which the simulated worker's own delay: {:.0} ms)",
            acked_at.first().map_or(f64::NAN, |a| a - sent_at_ms)
        );
    }
    let relay = summary(
        "acknowledgement at the platform to shown on the board",
        delays,
    );
    println!("ratio (p50 / p50 baseline): {:.1}", relay / base);
    wall.close().await?;
    Ok(())
}
