//! How fast the simulator makes and serves history, in revisions per second.
//! Prints figures; asserts nothing. Run with `cargo bench -p gridwall-sim`.
//!
//! - history: five simulated years from the generator (the iterator, then CSV
//!   to a sink), the path a benchmark of the app's ingest uses to get data;
//! - feed pages: `GET /api/v1/events?since=..&limit=5000` over real HTTP
//!   against a served simulator holding three days of revisions, and the same
//!   pages read in-process (no HTTP) to show what the transport costs.

use std::time::{Duration, Instant};

use gridwall_sim::Simulator;
use gridwall_sim::feed::Retention;
use tokio_util::sync::CancellationToken;

fn main() {
    let sim = Simulator::builder()
        .seed(1)
        .warmup(Duration::ZERO)
        .build()
        .expect("simulator builds");
    let to = time::macros::datetime!(2026-11-27 00:00 +8);
    let from = to - time::Duration::days(5 * 365);

    let started = Instant::now();
    let mut revisions = 0u64;
    let mut events = 0u64;
    for (_, revision) in sim.history(from, to) {
        revisions += 1;
        events += u64::from(revision.step == 0);
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "history (iterator): {revisions} revisions of {events} events over five years in {secs:.2} s = {:.0} revisions/s",
        revisions as f64 / secs
    );

    let one_year = to - time::Duration::days(365);
    let started = Instant::now();
    let written = gridwall_sim::export::write_csv(sim.history(one_year, to), std::io::sink())
        .expect("a sink takes everything");
    let secs = started.elapsed().as_secs_f64();
    println!(
        "history (CSV to a sink): {written} revisions of one year in {secs:.2} s = {:.0} revisions/s",
        written as f64 / secs
    );

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(serve_pages());
}

#[derive(serde::Deserialize)]
struct Envelope {
    events: Vec<serde::de::IgnoredAny>,
    next_since: Option<u64>,
}

async fn serve_pages() {
    let sim = Simulator::builder()
        .seed(1)
        .warmup(Duration::from_secs(3 * 86_400))
        .retention(Retention {
            max_age_s: Some(4 * 86_400),
            max_entries: None,
        });
    #[cfg(feature = "video")]
    let sim = sim.video(None);
    let sim = sim.build().expect("simulator builds");
    let shared = std::sync::Arc::clone(sim.shared());
    let cancel = CancellationToken::new();
    let running = sim
        .serve("127.0.0.1:0".parse().unwrap(), cancel.clone())
        .await
        .expect("serves");
    let http = reqwest::Client::new();
    let base = running.base_url();

    let retained = shared.feed.read().unwrap().retained();
    let started = Instant::now();
    let mut served = 0u64;
    let mut pages = 0u64;
    let mut received = 0u64;
    while started.elapsed() < Duration::from_secs(5) {
        let mut since = 0u64;
        loop {
            let bytes = http
                .get(format!("{base}/api/v1/events?since={since}&limit=5000"))
                .send()
                .await
                .unwrap()
                .bytes()
                .await
                .unwrap();
            // Parse only the envelope: the figure is about serving, not about
            // building a serde_json::Value of every event on the client.
            let body: Envelope = serde_json::from_slice(&bytes).unwrap();
            served += body.events.len() as u64;
            received += bytes.len() as u64;
            pages += 1;
            match body.next_since {
                Some(next) => since = next,
                None => break,
            }
        }
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "feed pages over HTTP: {served} revisions in {pages} pages of 5000 in {secs:.2} s = {:.0} revisions/s, {:.0} MB/s (feed holds {retained})",
        served as f64 / secs,
        received as f64 / secs / 1e6
    );

    let started = Instant::now();
    let mut read = 0u64;
    while started.elapsed() < Duration::from_secs(3) {
        let mut since = 0u64;
        loop {
            let page = shared
                .feed
                .read()
                .unwrap()
                .page(Some(since), 5_000)
                .unwrap();
            read += page.entries.len() as u64;
            let bytes: usize = page.entries.iter().map(|e| e.json.len()).sum();
            std::hint::black_box(bytes);
            match page.next_since {
                Some(next) => since = next,
                None => break,
            }
        }
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "feed pages in-process (no HTTP): {read} revisions in {secs:.2} s = {:.0} revisions/s",
        read as f64 / secs
    );
    cancel.cancel();
    running.stopped().await;
}
