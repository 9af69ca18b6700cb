//! Shared by the tests: a simulator the test drives, a store, a client.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use gridwall_ingest::{Health, Ingest, IngestConfig};
use gridwall_sim::faults::{Faults, StreamControl};
use gridwall_sim::{Profile, Running, Simulator, SimulatorBuilder};
use gridwall_store::Store;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// `GRIDWALL_TEST_HOSTILE=1` runs every test against the simulator's hostile
/// profile (`gridwall_sim::hostile`): what cannot change at run time is
/// there from the start, and the shape faults stay on under the faults a
/// test sets (see [`Sim::set_faults`]).
pub fn hostile() -> bool {
    std::env::var("GRIDWALL_TEST_HOSTILE").is_ok_and(|v| v == "1")
}

/// A simulator whose live loop never moves the feed by itself (its tick is
/// an hour): the test pumps it, so it can stop the city when it wants to
/// compare, and the ground truth then holds still.
pub fn builder(speed: f64, warmup_hours: u64) -> SimulatorBuilder {
    let builder = Simulator::builder()
        .seed(11)
        .speed(speed)
        .start(time::macros::datetime!(2026-11-27 10:00 +8))
        .warmup(Duration::from_secs(warmup_hours * 3600))
        .tick(Duration::from_secs(3600))
        .ping_interval(Duration::from_millis(500))
        .video(None);
    if hostile() {
        builder
            .profile(Profile::Hostile)
            .faults(shapes(Faults::default()))
    } else {
        builder
    }
}

/// `faults` with the hostile profile's shape faults added: the data and
/// framing a client must read whatever else goes wrong. Rates that make a
/// test's own counts unpredictable (errors, malformed copies, resets) are
/// left as the test set them.
fn shapes(faults: Faults) -> Faults {
    let h = Faults::hostile();
    Faults {
        duplicate_rate: faults.duplicate_rate.max(h.duplicate_rate),
        reorder_backfill: true,
        unknown_fields: true,
        unknown_values: faults.unknown_values.max(h.unknown_values),
        hostile_text: faults.hostile_text.max(h.hostile_text),
        sse_framing: true,
        escaped_page_tokens: true,
        relative_urls: true,
        hostile_names: true,
        ..faults
    }
}

pub struct Sim {
    pub running: Running,
    _cancel: CancellationToken,
}

impl Sim {
    pub async fn start(builder: SimulatorBuilder) -> Sim {
        let cancel = CancellationToken::new();
        let running = builder
            .build()
            .expect("simulator builds")
            .serve("127.0.0.1:0".parse().unwrap(), cancel.clone())
            .await
            .expect("simulator serves");
        Sim {
            running,
            _cancel: cancel,
        }
    }

    pub fn url(&self) -> String {
        self.running.base_url()
    }

    pub fn set_faults(&self, faults: Faults) {
        let faults = if hostile() { shapes(faults) } else { faults };
        self.running
            .shared()
            .set_faults(faults)
            .expect("valid faults");
    }

    /// Ends every open stream without a word.
    pub fn cut_streams(&self) {
        let _ = self
            .running
            .shared()
            .faults
            .streams
            .send(StreamControl::Cut);
    }

    /// Sends `event: reset` on every open stream.
    pub fn reset_streams(&self) {
        let _ = self
            .running
            .shared()
            .faults
            .streams
            .send(StreamControl::Reset("test reset".into()));
    }

    /// Lets the city live for `real` (pumping every 50 ms), cutting every
    /// stream each `cut_every` so that backfill runs under the fault too.
    pub async fn live(&self, real: Duration, cut_every: Option<Duration>) {
        let start = tokio::time::Instant::now();
        let mut last_cut = start;
        while start.elapsed() < real {
            self.running.shared().pump();
            if let Some(every) = cut_every
                && last_cut.elapsed() >= every
            {
                self.cut_streams();
                last_cut = tokio::time::Instant::now();
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Every event's newest revision (pumping once), sorted by id, and the head.
    pub fn truth(&self) -> (Vec<(String, u32)>, u64) {
        let (truth, head) = self.running.shared().ground_truth();
        let mut pairs: Vec<(String, u32)> = truth.into_iter().map(|t| (t.id, t.revision)).collect();
        pairs.sort();
        (pairs, head)
    }

    /// [`Sim::truth`]'s pairs, and the ids among them whose newest
    /// revision is terminal (closed or cancelled), from the same instant.
    pub fn truth_and_terminal(&self) -> (Vec<(String, u32)>, std::collections::HashSet<String>) {
        let (truth, _) = self.running.shared().ground_truth();
        let terminal = truth
            .iter()
            .filter(|t| t.state.is_terminal())
            .map(|t| t.id.clone())
            .collect();
        let mut pairs: Vec<(String, u32)> = truth.into_iter().map(|t| (t.id, t.revision)).collect();
        pairs.sort();
        (pairs, terminal)
    }
}

/// Short timings, so that retries and reconnects happen within a test.
pub fn config(
    sim_url: &str,
    cache_dir: &Path,
    clock: gridwall_domain::clock::Clock,
) -> IngestConfig {
    let mut config = IngestConfig::new(sim_url, cache_dir);
    config.clock = clock;
    config.batch_max = 200;
    config.batch_wait = Duration::from_millis(30);
    config.page_limit = 300;
    config.watchdog = Duration::from_secs(3);
    config.backoff_base = Duration::from_millis(20);
    config.backoff_cap = Duration::from_millis(300);
    config.health_interval = Duration::from_millis(200);
    config.lag_threshold = Duration::from_secs(2);
    config.repair_interval = Duration::from_millis(300);
    config
}

/// A fresh store: SQLite in `dir`, or with `GRIDWALL_TEST_INGEST_ENGINE=postgres`
/// a new database on the server of `GRIDWALL_TEST_POSTGRES`.
pub async fn store(dir: &Path) -> Arc<Store> {
    let postgres = std::env::var("GRIDWALL_TEST_INGEST_ENGINE").is_ok_and(|e| e == "postgres");
    let engine = if postgres {
        Engine::Postgres
    } else {
        Engine::Sqlite
    };
    store_on(engine, dir).await
}

#[derive(Clone, Copy, Debug)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// A fresh store on `engine` (SQLite in `dir`).
pub async fn store_on(engine: Engine, dir: &Path) -> Arc<Store> {
    let url = match engine {
        Engine::Sqlite => dir.join("store.sqlite").to_str().unwrap().to_owned(),
        Engine::Postgres => {
            let server = gridwall_store::testing::postgres_server().unwrap();
            gridwall_store::testing::new_database(&server, "gwi")
                .await
                .unwrap()
        }
    };
    Arc::new(Store::open(&url).await.expect("store opens"))
}

/// A client following the feed (no reference sync) on its own task.
pub struct Client {
    pub ingest: Arc<Ingest<Store>>,
    cancel: CancellationToken,
    task: JoinHandle<()>,
}

impl Client {
    pub fn follow(config: IngestConfig, store: Arc<Store>) -> Client {
        let ingest = Arc::new(Ingest::new(config, store).expect("valid config"));
        let cancel = CancellationToken::new();
        let task = tokio::spawn({
            let ingest = Arc::clone(&ingest);
            let cancel = cancel.clone();
            async move { ingest.follow(&cancel).await }
        });
        Client {
            ingest,
            cancel,
            task,
        }
    }

    /// A client that syncs the reference data, follows the feed and polls
    /// the head for its health ([`Ingest::run`]).
    pub fn run(config: IngestConfig, store: Arc<Store>) -> Client {
        let ingest = Arc::new(Ingest::new(config, store).expect("valid config"));
        let cancel = CancellationToken::new();
        let task = tokio::spawn({
            let ingest = Arc::clone(&ingest);
            let cancel = cancel.clone();
            async move { ingest.run(cancel).await }
        });
        Client {
            ingest,
            cancel,
            task,
        }
    }

    pub fn health(&self) -> Health {
        self.ingest.health().borrow().clone()
    }

    pub async fn stop(self) -> Health {
        self.cancel.cancel();
        tokio::time::timeout(Duration::from_secs(5), self.task)
            .await
            .expect("the client stops when cancelled")
            .expect("the client task does not panic");
        self.ingest.health().borrow().clone()
    }
}

/// Waits (at most `within`) until `check` passes on the store's newest
/// revisions, then returns them; panics with `check`'s last complaint.
pub async fn eventually<F>(store: &Store, within: Duration, mut check: F) -> Vec<(String, u32)>
where
    F: FnMut(&[(String, u32)]) -> Result<(), String>,
{
    let deadline = tokio::time::Instant::now() + within;
    loop {
        let mut newest = store.newest().await.expect("newest");
        newest.sort();
        match check(&newest) {
            Ok(()) => return newest,
            Err(why) if tokio::time::Instant::now() >= deadline => panic!("{why}"),
            Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
}

/// `Ok` when `store` and `truth` hold exactly the same (id, revision) pairs;
/// otherwise a description of the first differences.
pub fn same(store: &[(String, u32)], truth: &[(String, u32)]) -> Result<(), String> {
    if store == truth {
        return Ok(());
    }
    let s: std::collections::HashMap<&str, u32> =
        store.iter().map(|(i, r)| (i.as_str(), *r)).collect();
    let t: std::collections::HashMap<&str, u32> =
        truth.iter().map(|(i, r)| (i.as_str(), *r)).collect();
    let mut diffs: Vec<String> = Vec::new();
    for (id, rev) in &t {
        match s.get(id) {
            None => diffs.push(format!("{id}: missing, truth has revision {rev}")),
            Some(r) if r != rev => diffs.push(format!("{id}: store has {r}, truth {rev}")),
            _ => {}
        }
    }
    for id in s.keys().filter(|id| !t.contains_key(*id)) {
        diffs.push(format!("{id}: in the store, not in the truth"));
    }
    diffs.sort();
    Err(format!(
        "store ({}) and ground truth ({}) differ in {} events, e.g. {:?}",
        store.len(),
        truth.len(),
        diffs.len(),
        &diffs[..diffs.len().min(8)]
    ))
}
