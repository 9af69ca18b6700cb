//! The contract's retry rules as an upstream sees them, at a tiny axum stub
//! that counts requests; and the bearer token kept out of every log line.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use gridwall_ingest::{Ingest, MemorySink, Secret};
use gridwall_sim::faults::Faults;
use tokio_util::sync::CancellationToken;

use crate::support::{Sim, builder, config, eventually, same, store};

/// Serves `answer` to every request and counts them.
async fn stub(answer: fn() -> Response) -> (String, Arc<AtomicUsize>, CancellationToken) {
    let count = Arc::new(AtomicUsize::new(0));
    let app = Router::new().fallback({
        let count = Arc::clone(&count);
        move || {
            count.fetch_add(1, Ordering::SeqCst);
            async move { answer() }
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let cancel = CancellationToken::new();
    tokio::spawn({
        let cancel = cancel.clone();
        async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(cancel.cancelled_owned())
                .await
                .unwrap();
        }
    });
    (url, count, cancel)
}

fn follow_stub(url: &str) -> (CancellationToken, tokio::task::JoinHandle<()>) {
    let dir = std::env::temp_dir();
    let ingest = Ingest::new(
        config(url, &dir, gridwall_domain::clock::Clock::real()),
        Arc::new(MemorySink::new()),
    )
    .unwrap();
    let cancel = CancellationToken::new();
    let task = tokio::spawn({
        let cancel = cancel.clone();
        async move { ingest.follow(&cancel).await }
    });
    (cancel, task)
}

#[tokio::test]
async fn a_429_waits_for_its_retry_after() {
    let (url, count, _server) = stub(|| {
        let mut r = (StatusCode::TOO_MANY_REQUESTS, "slow down").into_response();
        r.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("2"));
        r
    })
    .await;
    let (cancel, task) = follow_stub(&url);
    // Well inside the two seconds asked for: one request, no second one.
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    assert_eq!(
        count.load(Ordering::SeqCst),
        1,
        "retried before Retry-After"
    );
    // And then it does come back.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while count.load(Ordering::SeqCst) < 2 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "never retried after a 429"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    cancel.cancel();
    task.await.unwrap();
}

#[tokio::test]
async fn server_errors_back_off_instead_of_spinning() {
    let (url, count, _server) =
        stub(|| (StatusCode::SERVICE_UNAVAILABLE, "down").into_response()).await;
    let (cancel, task) = follow_stub(&url);
    tokio::time::sleep(Duration::from_secs(1)).await;
    cancel.cancel();
    task.await.unwrap();
    // Backoff from 20 ms doubling to a 300 ms cap allows about ten tries a
    // second; a client without backoff makes hundreds.
    let n = count.load(Ordering::SeqCst);
    assert!((2..=15).contains(&n), "{n} requests in a second");
}

/// A writer the tests' subscriber logs into.
#[derive(Clone, Default)]
struct Captured(Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Everything, at TRACE, from a run with a token, 429s, server errors and a
/// reference sync: the logs say what happened, and never the token.
#[tokio::test]
async fn the_token_never_reaches_the_logs() {
    const TOKEN: &str = "tok-9f8e7d6c5b4a-secret";
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer({
            let c = captured.clone();
            move || c.clone()
        })
        .finish();
    // The current-thread runtime of this test runs the simulator, the client
    // and the store's tasks, so a thread-local subscriber sees them all.
    let _guard = tracing::subscriber::set_default(subscriber);

    let sim = Sim::start(builder(600.0, 1).token(TOKEN)).await;
    let faults = Faults {
        rate_limit_burst: 2,
        retry_after_s: 1,
        error_rate: 0.2,
        ..Faults::default()
    };
    sim.set_faults(faults.clone());
    let dir = tempfile::tempdir().unwrap();
    let store = store(dir.path()).await;
    let mut cfg = config(
        &sim.url(),
        &dir.path().join("cache"),
        sim.running.clock().clone(),
    );
    cfg.token = Some(Secret::new(TOKEN));
    tracing::info!(config = ?cfg, "starting");
    let ingest = Arc::new(Ingest::new(cfg, store.clone()).unwrap());
    let cancel = CancellationToken::new();
    let task = tokio::spawn({
        let ingest = Arc::clone(&ingest);
        let cancel = cancel.clone();
        async move { ingest.run(cancel).await }
    });
    // The faults stay on until the feed's client has met a 429: the burst
    // goes to whichever requests come first, and which come first (the
    // feed's, the health probe's, the camera catalogue's) is a race.
    let logged_429 =
        || String::from_utf8_lossy(&captured.0.lock().unwrap()).contains("rate limited");
    let met = tokio::time::Instant::now();
    sim.live(Duration::from_secs(1), None).await;
    while !logged_429() && met.elapsed() < Duration::from_secs(30) {
        sim.set_faults(faults.clone());
        sim.live(Duration::from_millis(300), None).await;
    }
    sim.set_faults(Faults::default());
    let (truth, _) = sim.truth();
    eventually(&store, Duration::from_secs(30), |newest| {
        same(newest, &truth)
    })
    .await;
    cancel.cancel();
    task.await.unwrap();

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("rate limited"),
        "the 429s were not logged:\n{logs}"
    );
    assert!(
        logs.contains("reference data synced"),
        "the sync was not logged"
    );
    assert!(!logs.contains(TOKEN), "the token is in the logs");
    assert!(
        !logs.contains("9f8e7d6c5b4a"),
        "part of the token is in the logs"
    );
}
