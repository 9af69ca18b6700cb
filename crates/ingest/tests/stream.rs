//! The stream's edge cases at a scripted stub platform: a broken copy that
//! ends a batch is asked for again after a reconnect (its genuine copy
//! follows under the same id), lines that are not SSE are skipped, and a
//! message that never ends is given up within a bound and read from pages.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::IntoResponse;
use axum::routing::get;
use gridwall_ingest::{Ingest, MemorySink};
use tokio_util::sync::CancellationToken;

use crate::support::config;

const GENUINE: &str = r#"{"id":"SJ1","revision":1,"seq":5,"source":"risk","category":"safety.gas","severity":1,"state":"reported","grid_id":"330282004001G01","reported_at":"2026-11-27T10:00:00+08:00","updated_at":"2026-11-27T10:00:00+08:00","title":"t"}"#;

#[derive(Default)]
struct Script {
    /// The Last-Event-ID of each stream connection, in order.
    resumed_from: Mutex<Vec<Option<String>>>,
}

async fn page() -> impl IntoResponse {
    (
        [("content-type", "application/json")],
        r#"{"events":[],"next_since":null,"head_seq":4}"#,
    )
}

async fn stream(State(script): State<Arc<Script>>, headers: HeaderMap) -> impl IntoResponse {
    let last = headers
        .get("last-event-id")
        .map(|v| v.to_str().unwrap().to_owned());
    let n = {
        let mut resumed = script.resumed_from.lock().unwrap();
        resumed.push(last);
        resumed.len()
    };
    // First connection: a line that is not SSE, then a broken copy of seq 5,
    // then the connection drops before its genuine copy. Later ones: the
    // genuine copy, then silence (pings).
    let body = if n == 1 {
        "this is not sse\nevent: event\nid: 5\ndata: {\"id\":\"SJ1\",\"revision\":\"1\"\n\n"
            .to_owned()
    } else {
        format!("event: event\nid: 5\ndata: {GENUINE}\n\n: ping\n\n")
    };
    ([("content-type", "text/event-stream")], body)
}

/// Serves `app` as the platform and follows it with a fresh ingest into a
/// memory sink until an event has landed or `within` has passed.
async fn follow_until_landed(
    app: Router,
    within: Duration,
) -> (Ingest<MemorySink>, Arc<MemorySink>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let sink = Arc::new(MemorySink::new());
    let dir = tempfile::tempdir().unwrap();
    let ingest = Ingest::new(
        config(&url, dir.path(), gridwall_domain::clock::Clock::real()),
        Arc::clone(&sink),
    )
    .unwrap();
    let cancel = CancellationToken::new();
    let check = async {
        let deadline = tokio::time::Instant::now() + within;
        while sink.newest().is_empty() && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        cancel.cancel();
    };
    tokio::join!(ingest.follow(&cancel), check);
    (ingest, sink)
}

#[tokio::test]
async fn a_broken_copy_that_ends_a_batch_is_asked_for_again() {
    let script = Arc::new(Script::default());
    let app = Router::new()
        .route("/api/v1/events", get(page))
        .route("/api/v1/events/stream", get(stream))
        .with_state(Arc::clone(&script));
    let (ingest, sink) = follow_until_landed(app, Duration::from_secs(10)).await;

    assert_eq!(sink.newest(), vec![("SJ1".to_owned(), 1)]);
    assert_eq!(sink.quarantined(), 1, "the broken copy is quarantined");
    let resumed = script.resumed_from.lock().unwrap().clone();
    // The backfill held no event, so the cursor stays where it was (acks
    // between it and the head come on the stream, not on pages).
    assert_eq!(resumed[0].as_deref(), Some("0"));
    assert_eq!(
        resumed[1].as_deref(),
        Some("4"),
        "after a broken copy of 5 the stream must resume before 5, not after it"
    );
    assert_eq!(ingest.health().borrow().invalid_lines, 1);
}

/// The endless stream's state: how many connections, how many bytes sent.
#[derive(Default)]
struct Endless {
    streams: AtomicU64,
    sent: Arc<AtomicU64>,
}

/// Pages: nothing until a stream has been opened, then the event behind the
/// endless message (the platform's paged history holds it whole).
async fn endless_page(State(endless): State<Arc<Endless>>) -> impl IntoResponse {
    let body = if endless.streams.load(Ordering::SeqCst) == 0 {
        r#"{"events":[],"next_since":null,"head_seq":4}"#.to_owned()
    } else {
        format!(r#"{{"events":[{GENUINE}],"next_since":null,"head_seq":5}}"#)
    };
    ([("content-type", "application/json")], body)
}

/// A stream that opens seq 5's data line and never ends it.
async fn endless_stream(State(endless): State<Arc<Endless>>) -> impl IntoResponse {
    endless.streams.fetch_add(1, Ordering::SeqCst);
    let sent = Arc::clone(&endless.sent);
    let start = futures_util::stream::once(async {
        Ok::<_, std::io::Error>(axum::body::Bytes::from_static(
            b"event: event\nid: 5\ndata: {\"title\":\"",
        ))
    });
    let chunk = axum::body::Bytes::from(vec![b'x'; 64 << 10]);
    let endless = futures_util::stream::repeat_with(move || {
        sent.fetch_add(chunk.len() as u64, Ordering::Relaxed);
        Ok(chunk.clone())
    });
    (
        [("content-type", "text/event-stream")],
        axum::body::Body::from_stream(futures_util::StreamExt::chain(start, endless)),
    )
}

#[tokio::test]
async fn a_message_that_never_ends_is_dropped_within_a_bound_and_read_from_pages() {
    let endless = Arc::new(Endless::default());
    let app = Router::new()
        .route("/api/v1/events", get(endless_page))
        .route("/api/v1/events/stream", get(endless_stream))
        .with_state(Arc::clone(&endless));
    // Unbounded, the client reads the endless line for ever (bytes keep
    // coming, so no watchdog fires) and the event never lands.
    let (ingest, sink) = follow_until_landed(app, Duration::from_secs(30)).await;

    assert_eq!(
        sink.newest(),
        vec![("SJ1".to_owned(), 1)],
        "the event behind the endless message arrives by the pages"
    );
    assert!(ingest.health().borrow().oversized_messages >= 1);
    let sent_mib = endless.sent.load(Ordering::Relaxed) >> 20;
    println!("the endless stream sent {sent_mib} MiB before the client let go");
}

/// A stream that sends one event, waits, then sends ten more in ten chunks
/// a few milliseconds apart, then only pings.
async fn lone_then_burst() -> impl IntoResponse {
    let message = |seq: u64| {
        let body = GENUINE
            .replace("\"SJ1\"", &format!("\"SJ{seq}\""))
            .replace("\"seq\":5", &format!("\"seq\":{seq}"));
        Ok::<_, std::io::Error>(axum::body::Bytes::from(format!(
            "event: event\nid: {seq}\ndata: {body}\n\n"
        )))
    };
    let chunks = futures_util::stream::unfold(5u64, move |seq| async move {
        let pause = match seq {
            5 => 0,
            6 => 1_500,
            16.. => 500,
            _ => 3,
        };
        tokio::time::sleep(Duration::from_millis(pause)).await;
        let chunk = if seq < 16 {
            message(seq)
        } else {
            Ok(axum::body::Bytes::from_static(b": ping\n\n"))
        };
        Some((chunk, seq + 1))
    });
    (
        [("content-type", "text/event-stream")],
        axum::body::Body::from_stream(chunks),
    )
}

#[tokio::test]
async fn a_lone_event_lands_at_once_and_a_burst_still_lands_together() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let app = Router::new()
        .route("/api/v1/events", get(page))
        .route("/api/v1/events/stream", get(lone_then_burst));
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let sink = Arc::new(MemorySink::new());
    let dir = tempfile::tempdir().unwrap();
    let mut config = config(&url, dir.path(), gridwall_domain::clock::Clock::real());
    // Far longer than the pause before the burst: a lone event held for
    // the whole wait would still be missing when the burst starts.
    config.batch_wait = Duration::from_secs(4);
    config.batch_max = 500;
    let ingest = Ingest::new(config, Arc::clone(&sink)).unwrap();
    let cancel = CancellationToken::new();
    let check = async {
        tokio::time::sleep(Duration::from_millis(1_200)).await;
        let lone = sink.newest();
        // The burst's last record waits out the batch wait (4 s).
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        while sink.newest().len() < 11 && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        cancel.cancel();
        lone
    };
    let (_, lone) = tokio::join!(ingest.follow(&cancel), check);

    assert_eq!(
        lone,
        vec![("SJ5".to_owned(), 1)],
        "a lone event must land before the burst, not after the batch wait"
    );
    assert_eq!(sink.newest().len(), 11, "every event landed");
    let batches = sink.batches();
    assert_eq!(
        batches[0], 1,
        "the lone event landed on its own: {batches:?}"
    );
    assert!(
        batches.len() <= 3,
        "a burst of ten lands in one or two batches, not one each: {batches:?}"
    );
}
