//! The same history into PostgreSQL: the store's bulk path (COPY into a
//! staging table, set-based upserts) against `psql \copy` of the same rows
//! into a table with the same key, in the same run; bytes on disk; the
//! queries. Runs when `GRIDWALL_BENCH_POSTGRES=<server URL>` is set (a
//! fresh database is made on that server for each part).

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use gridwall_store::{RawRecord, Store};
use sqlx::Connection;

use crate::{BATCH, peak_rss_mib, queries, reset_peak_rss};

/// A new, empty database on the server at `server`: its URL.
async fn new_database(server: &str, name: &str) -> anyhow::Result<String> {
    sqlx::any::install_default_drivers();
    let mut admin = sqlx::AnyConnection::connect(server).await?;
    sqlx::Executor::execute(
        &mut admin,
        format!("DROP DATABASE IF EXISTS {name}").as_str(),
    )
    .await?;
    sqlx::Executor::execute(&mut admin, format!("CREATE DATABASE {name}").as_str()).await?;
    admin.close().await?;
    let (base, _) = server
        .rsplit_once('/')
        .ok_or_else(|| anyhow::anyhow!("the URL must end in /<database>"))?;
    Ok(format!("{base}/{name}"))
}

async fn database_bytes(url: &str) -> anyhow::Result<i64> {
    let mut conn = sqlx::AnyConnection::connect(url).await?;
    let (bytes,): (i64,) = sqlx::query_as("SELECT pg_database_size(current_database())")
        .fetch_one(&mut conn)
        .await?;
    let tables: Vec<(String, i64)> = sqlx::query_as(
        "SELECT relname::text, pg_total_relation_size(oid) FROM pg_class \
         WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace \
         ORDER BY 2 DESC LIMIT 6",
    )
    .fetch_all(&mut conn)
    .await?;
    for (table, size) in tables {
        println!(
            "  {table} (with its indexes and TOAST): {:.0} MB",
            size as f64 / 1e6
        );
    }
    conn.close().await?;
    Ok(bytes)
}

pub async fn run(
    server: &str,
    csv: &Path,
    jsonl: &Path,
    count: u64,
    now: time::OffsetDateTime,
    runs: usize,
) -> anyhow::Result<()> {
    // Baseline: psql's \copy of the same rows, same key, one transaction.
    let baseline_url = new_database(server, "gridwall_bench_baseline").await?;
    let create = "CREATE TABLE event_revisions (id TEXT NOT NULL, revision BIGINT NOT NULL, \
         seq BIGINT NOT NULL, state TEXT NOT NULL, updated_at BIGINT NOT NULL, \
         upstream TEXT NOT NULL, raw TEXT NOT NULL, PRIMARY KEY (id, revision))";
    let status = Command::new("psql")
        .args(["-q", &baseline_url, "-c", create])
        .status()?;
    anyhow::ensure!(status.success(), "psql could not create the baseline table");
    let started = Instant::now();
    let status = Command::new("psql")
        .args([
            "-q",
            &baseline_url,
            "-c",
            &format!(
                "\\copy event_revisions FROM '{}' WITH (FORMAT csv)",
                csv.display()
            ),
        ])
        .status()?;
    let baseline = started.elapsed().as_secs_f64();
    anyhow::ensure!(status.success(), "psql \\copy failed");
    println!(
        "postgres: psql \\copy (the same rows): {baseline:.1} s, {:.0} revisions/s",
        count as f64 / baseline
    );
    let bytes = database_bytes(&baseline_url).await?;
    println!(
        "postgres baseline: {:.2} GB, {:.0} bytes a revision",
        bytes as f64 / 1e9,
        bytes as f64 / count as f64
    );

    // The store's bulk path.
    let url = new_database(server, "gridwall_bench_store").await?;
    let store = Store::open(&url).await?;
    reset_peak_rss();
    let reader = BufReader::with_capacity(1 << 20, std::fs::File::open(jsonl)?);
    let mut batch = Vec::with_capacity(BATCH);
    let mut landing = Duration::ZERO;
    let mut landed = 0u64;
    for line in reader.lines() {
        batch.push(RawRecord::new("zhili", line?));
        if batch.len() == BATCH {
            landed += batch.len() as u64;
            let started = Instant::now();
            store.apply_bulk("zhili", &batch, Some(landed), now).await?;
            landing += started.elapsed();
            batch.clear();
        }
    }
    landed += batch.len() as u64;
    let started = Instant::now();
    store.apply_bulk("zhili", &batch, Some(landed), now).await?;
    store.finish_bulk().await;
    landing += started.elapsed();
    println!(
        "postgres: gridwall store import (bulk path): {:.1} s, {:.0} revisions/s, {:.2}× psql \\copy's rate",
        landing.as_secs_f64(),
        count as f64 / landing.as_secs_f64(),
        baseline / landing.as_secs_f64()
    );
    println!(
        "peak resident memory of the import: {:.0} MiB",
        peak_rss_mib()
    );
    let bytes = database_bytes(&url).await?;
    println!(
        "postgres store: {:.2} GB, {:.0} bytes a revision",
        bytes as f64 / 1e9,
        bytes as f64 / count as f64
    );
    println!("postgres queries ({runs} runs each):");
    queries::run(&store, now.unix_timestamp(), runs).await?;
    store.close().await;
    Ok(())
}
