//! Many consoles, one truth (issue 14): five instances of the app on one
//! PostgreSQL, four headless and one with a real window under Xvfb, against
//! the simulator over HTTP. Exactly one ingests at a time; SIGKILLing it
//! hands over and the store still equals the simulator's ground truth; an
//! acknowledgement made in the window unpins the alert in every instance;
//! the window's instance, cut from the database, shows stale and recovers.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, Result};
use gridwall_suite::cluster::{Headless, Relay, eventually, fresh_database, leaders, status_in};
use gridwall_suite::{Launch, Sim, Wall};
use serde_json::json;

/// Every event's newest revision in the store equals the simulator's.
async fn store_equals_truth(sim: &Sim, database: &str) -> Result<()> {
    let store = gridwall_store::Store::open(database).await?;
    let started = std::time::Instant::now();
    loop {
        let truth = sim.get("/admin/ground-truth").await?;
        let truth: BTreeMap<String, u64> = truth["events"]
            .as_array()
            .context("events")?
            .iter()
            .filter_map(|e| Some((e["id"].as_str()?.to_owned(), e["revision"].as_u64()?)))
            .collect();
        let stored: BTreeMap<String, u64> = store
            .newest()
            .await?
            .into_iter()
            .map(|(id, revision)| (id, u64::from(revision)))
            .collect();
        if stored == truth {
            return Ok(());
        }
        if started.elapsed() > Duration::from_secs(90) {
            let missing = truth.keys().filter(|k| !stored.contains_key(*k)).count();
            let behind = truth
                .iter()
                .filter(|(k, r)| stored.get(*k).is_some_and(|s| s < r))
                .count();
            anyhow::bail!(
                "the store never equalled the ground truth: {} events stored, {} true, {missing} missing, {behind} behind",
                stored.len(),
                truth.len()
            );
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

#[tokio::test]
async fn five_instances_share_one_truth() -> Result<()> {
    let sim = Sim::start(&["--seed=21", "--warmup-hours=2"]).await?;
    let database = fresh_database().await?;
    let mut headless = Vec::new();
    for _ in 0..4 {
        headless.push(Headless::start(&sim, &database)?);
    }
    let mut dirs: Vec<PathBuf> = headless
        .iter()
        .map(|h| h.data_dir.path().to_owned())
        .collect();
    eventually(
        Duration::from_secs(60),
        "no headless instance leads",
        || Ok(leaders(&dirs).len() == 1),
    )
    .await?;

    // The window's instance reaches the database through a relay the test can cut.
    let (relay, relayed) = Relay::start(&database).await?;
    let wall = Wall::launch(
        Launch::default()
            .size(1920, 1080)
            .against(&sim)
            .arg(format!("--database={relayed}")),
    )
    .await?;
    wall.wait_for_live().await?;
    dirs.push(wall.data_dir.path().to_owned());
    eventually(
        Duration::from_secs(30),
        "the window's instance wrote no status",
        || Ok(status_in(&dirs[4]).is_some()),
    )
    .await?;
    // Over some seconds, never two leaders and never none.
    for _ in 0..10 {
        let now = leaders(&dirs);
        anyhow::ensure!(now.len() == 1, "instances leading at once: {now:?}");
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    store_equals_truth(&sim, &database).await?;

    // SIGKILL the leader: another takes over within 10 s, and resumes.
    let leader = leaders(&dirs)[0];
    anyhow::ensure!(leader < 4, "the first leader is a headless instance");
    headless[leader].kill()?;
    let _ = std::fs::remove_file(dirs[leader].join("status.json"));
    eventually(
        Duration::from_secs(10),
        "nobody took over from the killed leader",
        || {
            let now = leaders(&dirs);
            Ok(now.len() == 1 && now[0] != leader)
        },
    )
    .await?;
    // What happens upstream meanwhile lands once, through the new leader.
    let grid = sim
        .quiet_grids(&wall)
        .await?
        .into_iter()
        .next()
        .context("a quiet grid")?;
    let injected = sim
        .inject(json!({
            "grid_id": grid, "source": "risk", "category": "safety.gas",
            "severity": 4, "title": "测试：燃气泄漏"
        }))
        .await?;
    let serious = injected["id"].as_str().context("an event id")?.to_owned();
    store_equals_truth(&sim, &database).await?;

    // Pinned on every instance, the window included.
    let alive: Vec<usize> = (0..5).filter(|i| *i != leader).collect();
    eventually(
        Duration::from_secs(20),
        "the serious event is not pinned everywhere",
        || {
            Ok(alive.iter().all(|i| {
                status_in(&dirs[*i]).is_some_and(|s| {
                    s["pinned"]
                        .as_array()
                        .is_some_and(|p| p.contains(&json!(serious)))
                })
            }))
        },
    )
    .await?;
    let pinned = format!("[data-testid=alert][data-id=\"{serious}\"][data-pinned=true]");
    wall.wait_for_js(
        &format!("return !!document.querySelector('{pinned}')"),
        Duration::from_secs(20),
    )
    .await
    .context("the window does not pin the serious event")?;

    // Acknowledged in the window: unpinned in the window, then in every
    // instance. (The bounds are generous: how fast is the benchmark's
    // business, benches/cluster_propagation.rs.)
    wall.click(&format!("{pinned} [data-testid=ack]")).await?;
    wall.wait_for_js(
        &format!("return !document.querySelector('{pinned}')"),
        Duration::from_secs(10),
    )
    .await
    .context("the window still pins the alert it acknowledged")?;
    let still_pinning = || -> Vec<usize> {
        alive
            .iter()
            .copied()
            .filter(|i| {
                status_in(&dirs[*i]).is_none_or(|s| {
                    s["pinned"]
                        .as_array()
                        .is_none_or(|p| p.contains(&json!(serious)))
                })
            })
            .collect()
    };
    if eventually(Duration::from_secs(15), "", || {
        Ok(still_pinning().is_empty())
    })
    .await
    .is_err()
    {
        anyhow::bail!(
            "instances {:?} still pin the alert acknowledged in the window (instance 4) \
             after 15 s; the leader is {:?}",
            still_pinning(),
            leaders(&dirs)
        );
    }

    // Acts of another console (the test's own connection to the same
    // database, as one more instance): a push to the wall and a proposed
    // switch reach every instance.
    let console = gridwall_store::Store::open(&database).await?;
    console
        .record_audit(&gridwall_store::AuditEntry {
            at: time::OffsetDateTime::now_utc(),
            actor: "zhang".into(),
            action: "push_to_wall".into(),
            subject: format!("grid:{grid}"),
            detail: String::new(),
        })
        .await?;
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    console
        .propose("on", "台风防御Ⅱ级响应", "zhang", now, now + 120)
        .await?;
    console
        .record_audit(&gridwall_store::AuditEntry {
            at: time::OffsetDateTime::now_utc(),
            actor: "zhang".into(),
            action: "propose_switch".into(),
            subject: "台风防御Ⅱ级响应".into(),
            detail: "on".into(),
        })
        .await?;
    let focus = json!(format!("grid:{grid}"));
    let proposal = json!("on 台风防御Ⅱ级响应");
    eventually(
        Duration::from_secs(10),
        "another console's acts did not reach every instance",
        || {
            Ok(alive.iter().all(|i| {
                status_in(&dirs[*i])
                    .is_some_and(|s| s["focus"] == focus && s["proposal"] == proposal)
            }))
        },
    )
    .await?;
    wall.wait_for_js(
        "return !!document.querySelector('[data-testid=proposal-banner]')",
        Duration::from_secs(10),
    )
    .await
    .context("the window does not show the switch waiting for its second person")?;
    console.close().await;

    // The window's instance loses the database: its last picture stays,
    // marked stale with the time since; back, it reads everything again.
    let grids_before = wall
        .attr("[data-testid=grid-map]", "data-grid-count")
        .await?;
    relay.cut();
    wall.wait_for_js(
        "return document.querySelector('[data-testid=stale-banner]')?.textContent.includes('数据库') ?? false",
        Duration::from_secs(20),
    )
    .await
    .context("the cut instance does not say its picture is stale")?;
    wall.screenshot("cluster-database-cut-1920x1080").await?;
    assert_eq!(
        wall.attr("[data-testid=grid-map]", "data-grid-count")
            .await?,
        grids_before,
        "the last picture stays"
    );
    // Meanwhile another event lands through the leader.
    let missed = sim
        .inject(json!({
            "grid_id": grid, "source": "risk", "category": "safety.fire",
            "severity": 4, "title": "测试：断线期间的事件"
        }))
        .await?;
    let missed = missed["id"].as_str().context("an event id")?.to_owned();
    tokio::time::sleep(Duration::from_secs(3)).await;
    relay.restore();
    wall.wait_for_js(
        "return !document.querySelector('[data-testid=stale-banner]')",
        Duration::from_secs(40),
    )
    .await
    .context("the instance did not recover from the cut")?;
    wall.wait_for_js(
        &format!("return !!document.querySelector('[data-testid=alert][data-id=\"{missed}\"]')"),
        Duration::from_secs(20),
    )
    .await
    .context("what landed during the cut is not shown after it")?;
    anyhow::ensure!(leaders(&dirs).len() == 1, "one leader at the end");
    wall.close().await
}
