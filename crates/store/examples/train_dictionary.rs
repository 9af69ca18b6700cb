//! Trains the zstd dictionary that raw revisions are stored with
//! (`assets/revisions-1.dict`, see `src/raw.rs`) on the simulator's
//! records, and prints what it gains on records it was not trained on.
//!
//!   cargo run --release -p gridwall-store --example train_dictionary -- assets/revisions-1.dict
//!
//! The samples are every 7th revision of 60 simulated days (seed 11); the
//! evaluation is every 10th revision of the 30 days after them. A dictionary replaces the one the
//! app ships only under a new codec number, so that stores written with
//! the old one stay readable.

use std::time::{Duration, Instant};

use gridwall_sim::Simulator;
use time::macros::datetime;

const DICTIONARY_SIZE: usize = 100 * 1024;

fn main() -> anyhow::Result<()> {
    let out = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "assets/revisions-1.dict".to_owned());
    let sim = Simulator::builder()
        .seed(11)
        .warmup(Duration::ZERO)
        .build()?;
    let from = datetime!(2025-03-01 00:00 +08:00);
    let split = from + time::Duration::days(60);
    let to = split + time::Duration::days(30);
    let mut samples = Vec::new();
    let mut held_out = Vec::new();
    for (i, (seq, revision)) in sim.history(from, to).enumerate() {
        let event = revision.case.event(revision.step, seq);
        let at = event.updated_at;
        let json = serde_json::to_vec(&event)?;
        if at < split {
            if i % 7 == 0 {
                samples.push(json);
            }
        } else if i % 10 == 0 {
            held_out.push(json);
        }
    }
    println!(
        "training on {} records ({:.1} MB), evaluating on {}",
        samples.len(),
        samples.iter().map(Vec::len).sum::<usize>() as f64 / 1e6,
        held_out.len()
    );
    let started = Instant::now();
    let dictionary = zstd::dict::from_samples(&samples, DICTIONARY_SIZE)?;
    println!(
        "dictionary: {} bytes in {:.1} s",
        dictionary.len(),
        started.elapsed().as_secs_f64()
    );
    std::fs::write(&out, &dictionary)?;
    println!("written to {out}");

    let raw: usize = held_out.iter().map(Vec::len).sum();
    let n = held_out.len() as f64;
    println!("held out: {:.0} bytes a record on average", raw as f64 / n);
    for level in [1, 3, 6, 9] {
        for (label, dict) in [("no dictionary", &[][..]), ("dictionary", &dictionary[..])] {
            let mut compressor = zstd::bulk::Compressor::with_dictionary(level, dict)?;
            let started = Instant::now();
            let mut packed = 0usize;
            for record in &held_out {
                packed += compressor.compress(record)?.len();
            }
            let elapsed = started.elapsed().as_secs_f64();
            println!(
                "level {level:>2}, {label:>13}: {:>6.1} bytes a record ({:.2}x), {:.2} µs a record",
                packed as f64 / n,
                raw as f64 / packed as f64,
                elapsed * 1e6 / n
            );
        }
    }
    Ok(())
}
