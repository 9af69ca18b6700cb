//! How fast the store lands revisions: two simulated days of `gridwall-sim`
//! history, applied in batches of 500 to a fresh SQLite file. Prints figures;
//! asserts nothing. Run with `cargo bench -p gridwall-store`.

use std::time::{Duration, Instant};

use gridwall_sim::Simulator;
use gridwall_store::{RawRecord, Store};
use time::macros::datetime;

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let sim = Simulator::builder()
        .seed(3)
        .warmup(Duration::ZERO)
        .build()?;
    let from = datetime!(2026-11-01 00:00 +08:00);
    let to = from + time::Duration::days(2);
    let records = sim
        .history(from, to)
        .map(|(seq, revision)| {
            let event = revision.case.event(revision.step, seq);
            Ok(RawRecord::new("zhili", serde_json::to_vec(&event)?))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;

    let dir = tempfile::tempdir()?;
    let path = dir.path().join("bench.sqlite");
    let store = Store::open(path.to_str().expect("temp paths are UTF-8")).await?;
    // The second pass is a replay: every record is a duplicate.
    for label in ["first delivery", "replay (all duplicates)"] {
        let started = Instant::now();
        for batch in records.chunks(500) {
            store.apply(batch, to).await?;
        }
        let elapsed = started.elapsed();
        println!(
            "{label}: {} records in {:.2} s, {:.0} records/s",
            records.len(),
            elapsed.as_secs_f64(),
            records.len() as f64 / elapsed.as_secs_f64()
        );
    }
    Ok(())
}
