//! Importing a long history into a fresh store through the bulk path
//! (`Store::apply_bulk`, issue 17), against the sqlite3 command-line tool
//! importing the same rows from CSV, in the same run on the same machine;
//! then the bytes on disk, every console and wall query over the result
//! (p50/p99), and the process's peak resident memory. Prints figures;
//! asserts nothing.
//!
//!   cargo bench -p gridwall-store --bench import            # 365 days
//!   GRIDWALL_BENCH_DAYS=1826 cargo bench -p gridwall-store --bench import
//!
//! With `GRIDWALL_BENCH_POSTGRES=<server URL>` the same history also goes
//! into PostgreSQL, against `psql \copy` (see `import/postgres.rs`).
//!
//! With `GRIDWALL_BENCH_KEEP=<file>` it only builds a store of that history
//! (streamed straight into `apply_bulk`, no files, no baseline, no queries)
//! and leaves it at `<file>`: the five-year store the console's
//! click-to-panel benchmark opens (`benches/console_clicks.rs` at the
//! repository root). `GRIDWALL_BENCH_QUERIES=<file>` only times the queries
//! over a store built so.
//!
//! The records are generated and serialised before the clock starts and kept
//! on disk between batches (a JSON-lines file), so the import's figure is
//! parsing and landing only. The sqlite3 baseline imports the
//! `event_revisions` rows as they were before issue 17 (id, revision, seq,
//! state, updated_at, upstream, raw JSON as text) into a table with the same
//! primary key, in one transaction: the floor of what landing these bytes
//! in SQLite costs.

#[path = "import/postgres.rs"]
mod postgres;
#[path = "import/queries.rs"]
mod queries;

use std::io::{BufRead, BufReader, BufWriter, Write};
use std::process::Command;
use std::time::{Duration, Instant};

use gridwall_sim::Simulator;
use gridwall_store::{RawRecord, Store};
use time::macros::datetime;

const BATCH: usize = 5_000;

/// Start counting the peak resident memory afresh (Linux: `clear_refs` 5
/// resets VmHWM), so each import's peak is its own.
fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kib| kib / 1024.0)
}

fn csv_field(out: &mut Vec<u8>, text: &str) {
    out.push(b'"');
    for b in text.bytes() {
        if b == b'"' {
            out.push(b'"');
        }
        out.push(b);
    }
    out.push(b'"');
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> anyhow::Result<()> {
    let days: i64 = std::env::var("GRIDWALL_BENCH_DAYS")
        .ok()
        .and_then(|d| d.parse().ok())
        .unwrap_or(365);
    let dir = tempfile::tempdir()?;
    let to = datetime!(2026-11-27 00:00 +08:00);
    let from = to - time::Duration::days(days);
    let sim = Simulator::builder()
        .seed(7)
        .warmup(Duration::ZERO)
        .build()?;
    if let Some(keep) = std::env::var_os("GRIDWALL_BENCH_KEEP") {
        return build_only(&sim, from, to, std::path::Path::new(&keep)).await;
    }
    let runs: usize = std::env::var("GRIDWALL_BENCH_RUNS")
        .ok()
        .and_then(|d| d.parse().ok())
        .unwrap_or(300);
    if let Some(path) = std::env::var_os("GRIDWALL_BENCH_QUERIES") {
        let store = Store::open(path.to_str().expect("a UTF-8 path")).await?;
        println!(
            "queries over {} ({runs} runs each):",
            path.to_string_lossy()
        );
        return queries::run(&store, to.unix_timestamp(), runs).await;
    }

    // Generate once: JSON lines for the store, CSV for sqlite3.
    let generated = Instant::now();
    let jsonl = dir.path().join("history.jsonl");
    let csv = dir.path().join("history.csv");
    let mut count = 0u64;
    {
        let mut json_out = BufWriter::with_capacity(1 << 20, std::fs::File::create(&jsonl)?);
        let mut csv_out = BufWriter::with_capacity(1 << 20, std::fs::File::create(&csv)?);
        let mut line = Vec::with_capacity(4096);
        for (seq, revision) in sim.history(from, to) {
            let event = revision.case.event(revision.step, seq);
            let json = serde_json::to_string(&event)?;
            json_out.write_all(json.as_bytes())?;
            json_out.write_all(b"\n")?;
            line.clear();
            csv_field(&mut line, &event.id);
            write!(
                line,
                ",{},{},{},{},",
                event.revision,
                event.seq,
                event.state.as_str(),
                event.updated_at.unix_timestamp()
            )?;
            csv_field(&mut line, "zhili");
            line.push(b',');
            csv_field(&mut line, &json);
            line.push(b'\n');
            csv_out.write_all(&line)?;
            count += 1;
        }
    }
    println!(
        "history: {days} days, {count} revisions, generated in {:.1} s ({:.0} MiB of JSON)",
        generated.elapsed().as_secs_f64(),
        std::fs::metadata(&jsonl)?.len() as f64 / 1048576.0
    );

    // Baseline: the sqlite3 tool, same rows, same key, one transaction.
    let baseline_db = dir.path().join("baseline.sqlite");
    let script = format!(
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;\n\
         CREATE TABLE event_revisions (id TEXT NOT NULL, revision BIGINT NOT NULL, seq BIGINT NOT NULL, \
         state TEXT NOT NULL, updated_at BIGINT NOT NULL, upstream TEXT NOT NULL, raw TEXT NOT NULL, \
         PRIMARY KEY (id, revision));\n\
         BEGIN;\n.import --csv {} event_revisions\nCOMMIT;\n",
        csv.display()
    );
    let started = Instant::now();
    let status = Command::new("sqlite3")
        .arg(&baseline_db)
        .stdin(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            child
                .stdin
                .take()
                .expect("piped stdin")
                .write_all(script.as_bytes())?;
            child.wait()
        });
    let baseline = started.elapsed().as_secs_f64();
    match status {
        Ok(s) if s.success() => println!(
            "sqlite3 tool (.import of the same rows): {baseline:.1} s, {:.0} revisions/s",
            count as f64 / baseline
        ),
        other => println!("sqlite3 tool unavailable or failed ({other:?}): install sqlite3"),
    }

    // The store: parse, land, derive (grid counters, KPIs), in batches, on
    // the bulk path with the cursor saved with each batch, as ingest does.
    let path = dir.path().join("store.sqlite");
    let store = Store::open(path.to_str().expect("temp paths are UTF-8")).await?;
    reset_peak_rss();
    let reader = BufReader::with_capacity(1 << 20, std::fs::File::open(&jsonl)?);
    let mut batch = Vec::with_capacity(BATCH);
    let mut landing = Duration::ZERO;
    let mut landed = 0u64;
    for line in reader.lines() {
        batch.push(RawRecord::new("zhili", line?));
        if batch.len() == BATCH {
            landed += batch.len() as u64;
            let started = Instant::now();
            store.apply_bulk("zhili", &batch, Some(landed), to).await?;
            landing += started.elapsed();
            batch.clear();
        }
    }
    landed += batch.len() as u64;
    let started = Instant::now();
    store.apply_bulk("zhili", &batch, Some(landed), to).await?;
    store.finish_bulk().await;
    landing += started.elapsed();
    let rate = count as f64 / landing.as_secs_f64();
    println!(
        "gridwall store import (bulk path): {:.1} s, {rate:.0} revisions/s, {:.2}× the sqlite3 tool's rate",
        landing.as_secs_f64(),
        baseline / landing.as_secs_f64()
    );
    println!(
        "peak resident memory of the import: {:.0} MiB",
        peak_rss_mib()
    );
    store.close().await;
    report_size(&path, count);
    report_size(&baseline_db, count);

    let store = Store::open(path.to_str().expect("temp paths are UTF-8")).await?;
    println!("queries ({runs} runs each):");
    queries::run(&store, to.unix_timestamp(), runs).await?;
    store.close().await;
    if let Ok(server) = std::env::var("GRIDWALL_BENCH_POSTGRES") {
        postgres::run(&server, &csv, &jsonl, count, to, runs).await?;
    }
    Ok(())
}

/// The file's size per revision, and the largest tables and indexes in it
/// (SQLite's `dbstat`, through the sqlite3 tool).
fn report_size(path: &std::path::Path, revisions: u64) {
    let bytes = std::fs::metadata(path).map_or(0, |m| m.len());
    println!(
        "{}: {:.2} GB on disk, {:.0} bytes a revision",
        path.file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned()),
        bytes as f64 / 1e9,
        bytes as f64 / revisions as f64
    );
    let output = Command::new("sqlite3")
        .arg(path)
        .arg("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC LIMIT 12")
        .output();
    if let Ok(output) = output {
        for line in String::from_utf8_lossy(&output.stdout).lines() {
            if let Some((name, size)) = line.split_once('|') {
                let size: f64 = size.parse().unwrap_or(0.0);
                println!(
                    "  {name}: {:.0} MB, {:.1} bytes a revision",
                    size / 1e6,
                    size / revisions as f64
                );
            }
        }
    }
}

/// Streams the history into a store at `keep`, printing progress.
async fn build_only(
    sim: &Simulator,
    from: time::OffsetDateTime,
    to: time::OffsetDateTime,
    keep: &std::path::Path,
) -> anyhow::Result<()> {
    let store = Store::open(keep.to_str().expect("a UTF-8 path")).await?;
    let started = Instant::now();
    let mut batch = Vec::with_capacity(BATCH);
    let mut count = 0u64;
    for (seq, revision) in sim.history(from, to) {
        let event = revision.case.event(revision.step, seq);
        batch.push(RawRecord::new("zhili", serde_json::to_string(&event)?));
        count += 1;
        if batch.len() == BATCH {
            store.apply_bulk("zhili", &batch, Some(count), to).await?;
            batch.clear();
            if count.is_multiple_of(1_000_000) {
                println!(
                    "{count} revisions in {:.0} s",
                    started.elapsed().as_secs_f64()
                );
            }
        }
    }
    store.apply_bulk("zhili", &batch, Some(count), to).await?;
    store.finish_bulk().await;
    let events: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM events")
        .fetch_one(store.pool())
        .await?;
    store.close().await;
    println!(
        "kept {}: {count} revisions of {events} events in {:.0} s",
        keep.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
