//! Many consoles, one truth (issue 14): propagation of an act in one
//! instance to the change seen in the others, with 20 instances of the app
//! on one PostgreSQL on this machine, and the database's CPU meanwhile.
//! Prints p50 and p99; asserts nothing.
//!
//!   cargo build -p gridwall -p gridwall-sim
//!   GRIDWALL_TEST_POSTGRES=$(scripts/postgres start) cargo bench -p gridwall-suite --bench cluster_propagation --profile dev
//!
//! How: 20 `--headless` instances against the simulator over HTTP, one
//! database. A serious event is injected and pinned everywhere; then the
//! act: the bench acknowledges it as one more instance would (its own
//! `Store` on the same database records the audit row, which announces
//! the act in the same transaction), noting the system time just before.
//! Each instance writes `status.json` as its picture changes, with the
//! system time it saw the change (`changed_at_ms`); propagation is that
//! minus the act's time, for each of the 20 instances. Everything runs on
//! this machine, so the clocks agree. The baseline, in the same run: a
//! bare `LISTEN` in the bench hearing a `pg_notify` it sends (the floor
//! under any notice), same database, same load.
//!
//! `GRIDWALL_BENCH_INSTANCES` (default 20) and `GRIDWALL_BENCH_ACTS`
//! (default 10) change the size.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use gridwall_store::AuditEntry;
use gridwall_suite::cluster::{Headless, eventually, fresh_database, leaders, status_in};
use gridwall_suite::{Sim, print_summary as summary};
use serde_json::json;

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn now_ms() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis())
}

/// CPU seconds used so far by every process named `postgres`.
fn postgres_cpu_seconds() -> f64 {
    let ticks = 100.0; // USER_HZ on Linux
    let mut total = 0.0;
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return 0.0;
    };
    for entry in dir.flatten() {
        let path = entry.path();
        let Ok(comm) = std::fs::read_to_string(path.join("comm")) else {
            continue;
        };
        if comm.trim() != "postgres" {
            continue;
        }
        if let Ok(stat) = std::fs::read_to_string(path.join("stat")) {
            // Fields after the command's closing parenthesis: utime is the
            // 12th and stime the 13th of them.
            let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
            let fields: Vec<&str> = after.split_whitespace().collect();
            let utime: f64 = fields.get(11).and_then(|v| v.parse().ok()).unwrap_or(0.0);
            let stime: f64 = fields.get(12).and_then(|v| v.parse().ok()).unwrap_or(0.0);
            total += (utime + stime) / ticks;
        }
    }
    total
}

#[tokio::main]
async fn main() -> Result<()> {
    let instances = env_or("GRIDWALL_BENCH_INSTANCES", 20);
    let acts = env_or("GRIDWALL_BENCH_ACTS", 10);
    let sim = Sim::start(&["--seed=31", "--warmup-hours=2"]).await?;
    let database = fresh_database().await?;
    let mut running = Vec::new();
    for _ in 0..instances {
        running.push(Headless::start(&sim, &database)?);
        // Staggered a little: 20 migrations and backfills at once only measure the start.
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    let dirs: Vec<PathBuf> = running
        .iter()
        .map(|h| h.data_dir.path().to_owned())
        .collect();
    eventually(
        Duration::from_secs(180),
        "not every instance wrote its status",
        || Ok(dirs.iter().all(|d| status_in(d).is_some()) && leaders(&dirs).len() == 1),
    )
    .await?;
    // Let the backfill land and the picture settle.
    tokio::time::sleep(Duration::from_secs(20)).await;

    let store = gridwall_store::Store::open(&database).await?;
    let grid = {
        let grids = sim.get("/api/v1/grids?page_size=1").await?;
        grids["grids"][0]["grid_id"]
            .as_str()
            .context("a grid")?
            .to_owned()
    };

    // The floor: a notice heard by a bare listener on the same database.
    let mut floor = Vec::new();
    {
        use sqlx::Connection;
        let mut listener = sqlx::postgres::PgListener::connect(&database).await?;
        listener.listen("gridwall_bench").await?;
        let mut conn = sqlx::postgres::PgConnection::connect(&database).await?;
        for n in 0..50 {
            let sent = Instant::now();
            sqlx::query("SELECT pg_notify('gridwall_bench', $1)")
                .bind(n.to_string())
                .execute(&mut conn)
                .await?;
            listener.recv().await?;
            floor.push(sent.elapsed().as_secs_f64() * 1000.0);
        }
    }

    let cpu_before = postgres_cpu_seconds();
    let measured_from = Instant::now();
    let mut propagation = Vec::new();
    for act in 0..acts {
        let injected = sim
            .inject(json!({
                "grid_id": grid, "source": "risk", "category": "safety.gas",
                "severity": 4, "title": format!("测试：传播 {act}")
            }))
            .await?;
        let id = injected["id"].as_str().context("an event id")?.to_owned();
        eventually(
            Duration::from_secs(60),
            "the event is not pinned everywhere",
            || {
                Ok(dirs.iter().all(|d| {
                    status_in(d).is_some_and(|s| {
                        s["pinned"]
                            .as_array()
                            .is_some_and(|p| p.contains(&json!(id)))
                    })
                }))
            },
        )
        .await?;
        tokio::time::sleep(Duration::from_millis(500)).await;
        let acted_ms = now_ms();
        store
            .record_audit(&AuditEntry {
                at: time::OffsetDateTime::now_utc(),
                actor: "bench".into(),
                action: "acknowledge_alert".into(),
                subject: id.clone(),
                detail: String::new(),
            })
            .await?;
        eventually(
            Duration::from_secs(30),
            "an instance still pins the acknowledged event",
            || {
                Ok(dirs.iter().all(|d| {
                    status_in(d).is_some_and(|s| {
                        s["pinned"]
                            .as_array()
                            .is_some_and(|p| !p.contains(&json!(id)))
                    })
                }))
            },
        )
        .await?;
        for dir in &dirs {
            let status = status_in(dir).context("a status")?;
            let seen = status["changed_at_ms"].as_u64().context("changed_at_ms")? as u128;
            propagation.push(seen.saturating_sub(acted_ms) as f64);
        }
    }
    let cpu = (postgres_cpu_seconds() - cpu_before) / measured_from.elapsed().as_secs_f64();

    println!("{instances} instances on one PostgreSQL, {acts} acknowledgements");
    let base = summary("baseline: pg_notify to a bare LISTEN", floor);
    let p50 = summary("act to the change seen by each instance", propagation);
    println!("ratio (p50 / p50 baseline): {:.1}", p50 / base);
    println!("PostgreSQL CPU while measuring: {cpu:.2} cores (all its processes)");
    drop(running);
    Ok(())
}
