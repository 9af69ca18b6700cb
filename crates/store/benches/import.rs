//! Importing a long history into a fresh SQLite store, against the sqlite3
//! command-line tool importing the same rows from CSV, in the same run on the
//! same machine; then drill-down query latencies over the result, and the
//! process's peak resident memory. Prints figures; asserts nothing.
//!
//!   cargo bench -p gridwall-store --bench import            # 365 days
//!   GRIDWALL_BENCH_DAYS=1826 cargo bench -p gridwall-store --bench import
//!
//! With `GRIDWALL_BENCH_KEEP=<file>` it only builds a store of that history
//! (streamed straight into `apply`, no files, no baseline, no queries) and
//! leaves it at `<file>`: the five-year store the console's click-to-panel
//! benchmark opens (`benches/console_clicks.rs` at the repository root).
//!
//! The records are generated and serialised before the clock starts and kept
//! on disk between batches (a JSON-lines file), so the import's figure is
//! parsing and landing only. The sqlite3 baseline imports the same
//! `event_revisions` rows (id, revision, seq, state, updated_at, upstream,
//! raw JSON) into a table with the same primary key, in one transaction:
//! the floor of what landing these bytes in SQLite costs.

use std::io::{BufRead, BufReader, BufWriter, Write};
use std::process::Command;
use std::time::{Duration, Instant};

use gridwall_sim::Simulator;
use gridwall_store::{Level, RawRecord, Scope, Store};
use time::macros::datetime;

const BATCH: usize = 5_000;

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

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

async fn time_query<F, Fut>(label: &str, runs: usize, mut f: F) -> anyhow::Result<()>
where
    F: FnMut(usize) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<()>>,
{
    let mut times = Vec::with_capacity(runs);
    for i in 0..runs {
        let started = Instant::now();
        f(i).await?;
        times.push(started.elapsed());
    }
    times.sort();
    println!(
        "  {label}: p50 {:.2} ms, p99 {:.2} ms ({runs} runs)",
        percentile(&times, 0.5),
        percentile(&times, 0.99)
    );
    Ok(())
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

    // Generate once: JSON lines for the store, CSV for sqlite3.
    let generated = Instant::now();
    let jsonl = dir.path().join("history.jsonl");
    let csv = dir.path().join("history.csv");
    let mut grids = Vec::new();
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
            if count.is_multiple_of(997) {
                grids.push(event.grid_id.clone());
            }
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

    // The store: parse, land, derive (grid counters, KPIs), in batches.
    let path = dir.path().join("store.sqlite");
    let store = Store::open(path.to_str().expect("temp paths are UTF-8")).await?;
    let reader = BufReader::with_capacity(1 << 20, std::fs::File::open(&jsonl)?);
    let mut batch = Vec::with_capacity(BATCH);
    let mut landing = Duration::ZERO;
    for line in reader.lines() {
        batch.push(RawRecord::new("zhili", line?));
        if batch.len() == BATCH {
            let started = Instant::now();
            store.apply(&batch, to).await?;
            landing += started.elapsed();
            batch.clear();
        }
    }
    let started = Instant::now();
    store.apply(&batch, to).await?;
    landing += started.elapsed();
    let rate = count as f64 / landing.as_secs_f64();
    println!(
        "gridwall store import: {:.1} s, {rate:.0} revisions/s, {:.2}× the sqlite3 tool's rate",
        landing.as_secs_f64(),
        baseline / landing.as_secs_f64()
    );
    println!("peak resident memory: {:.0} MiB", peak_rss_mib());

    // Drill-down queries over the imported store.
    let now = to.unix_timestamp();
    println!("drill-down queries:");
    time_query("a grid's open incidents", 300, |i| {
        let grid = grids[i % grids.len()].clone();
        let store = &store;
        async move {
            sqlx::query(
                "SELECT id, severity, state, title, updated_at FROM events \
                 WHERE grid_id = $1 AND is_open = 1 ORDER BY severity DESC, updated_at DESC",
            )
            .bind(grid)
            .fetch_all(store.pool())
            .await?;
            Ok(())
        }
    })
    .await?;
    time_query("rollup of every town", 300, |_| {
        let store = &store;
        async move {
            store.rollups(Level::Town).await?;
            Ok(())
        }
    })
    .await?;
    time_query("a town's 30-day series", 300, |i| {
        let town = format!("{}000", &grids[i % grids.len()][..9]);
        let store = &store;
        async move {
            store.events_per_day(now, 30, &Scope::Town(town)).await?;
            Ok(())
        }
    })
    .await?;
    let ids: Vec<String> = sqlx::query_scalar("SELECT id FROM events WHERE grid_id = $1")
        .bind(grids[0].clone())
        .fetch_all(store.pool())
        .await?;
    time_query("an incident's timeline", 300, |i| {
        let store = &store;
        let id = ids[i % ids.len()].clone();
        async move {
            store.timeline(&id).await?;
            Ok(())
        }
    })
    .await?;
    println!(
        "peak resident memory after queries: {:.0} MiB",
        peak_rss_mib()
    );
    Ok(())
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
            store.apply(&batch, to).await?;
            batch.clear();
            if count.is_multiple_of(1_000_000) {
                println!(
                    "{count} revisions in {:.0} s",
                    started.elapsed().as_secs_f64()
                );
            }
        }
    }
    store.apply(&batch, to).await?;
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
