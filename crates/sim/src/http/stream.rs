//! `GET /events/stream`: the feed as Server-Sent Events.
//!
//! One task per client reads the feed after its cursor, sends what it finds,
//! and then waits for the head to move (or a fault command, or shutdown). A
//! cursor older than the retention window gets `event: reset` and the stream
//! goes on from the head. `: ping` comments come from axum's keep-alive,
//! which sends one whenever the stream has been quiet for the ping interval.

use std::convert::Infallible;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use tokio::sync::{broadcast, mpsc, watch};
use tokio_stream::wrappers::ReceiverStream;

use super::AppState;
use crate::faults::{StreamControl, malformed, with_unknown_field};
use crate::feed::{Entry, Kind};

const BATCH: usize = 500;

pub async fn stream(State(shared): State<AppState>, headers: HeaderMap) -> Response {
    let last = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    let (tx, rx) = mpsc::channel::<Result<Event, Infallible>>(256);
    let ping = shared.ping_interval();
    // Subscribe before answering, so that a fault command sent once the client
    // has its headers cannot miss this stream.
    let head_rx = shared.head.subscribe();
    let control = shared.faults.streams.subscribe();
    tokio::spawn(run(shared, last, head_rx, control, tx));
    Sse::new(ReceiverStream::new(rx))
        .keep_alive(KeepAlive::new().interval(ping).text("ping"))
        .into_response()
}

type Tx = mpsc::Sender<Result<Event, Infallible>>;

async fn run(
    shared: AppState,
    last: Option<u64>,
    mut head_rx: watch::Receiver<u64>,
    mut control: broadcast::Receiver<StreamControl>,
    tx: Tx,
) {
    let mut cursor = last.unwrap_or_else(|| *head_rx.borrow());
    let mut sent: u32 = 0;
    loop {
        head_rx.borrow_and_update();
        let batch = shared.feed.read().expect("feed lock").after(cursor, BATCH);
        let entries = match batch {
            Ok(entries) => entries,
            Err(_) => {
                let head = *head_rx.borrow();
                let reset = reset_event(
                    head,
                    "your position is older than the retention window; take a snapshot",
                );
                if tx.send(Ok(reset)).await.is_err() {
                    return;
                }
                cursor = head;
                continue;
            }
        };
        let full = entries.len() == BATCH;
        for entry in entries {
            cursor = entry.seq;
            if !deliver(&shared, &tx, &entry).await {
                return;
            }
            sent += 1;
            if shared
                .faults
                .get()
                .stream_cut_after
                .is_some_and(|n| sent >= n)
            {
                return;
            }
        }
        if full {
            continue;
        }
        tokio::select! {
            changed = head_rx.changed() => if changed.is_err() { return },
            command = control.recv() => match command {
                Ok(StreamControl::Cut) => return,
                Ok(StreamControl::Reset(reason)) => {
                    let _ = tx.send(Ok(reset_event(cursor, &reason))).await;
                    return;
                }
                Err(_) => {}
            },
            _ = tx.closed() => return,
            _ = shared.cancel.cancelled() => return,
        }
    }
}

fn reset_event(id: u64, reason: &str) -> Event {
    Event::default()
        .event("reset")
        .id(id.to_string())
        .data(serde_json::json!({ "reason": reason }).to_string())
}

/// Sends one entry (with the delivery faults in force); false once the client is gone.
async fn deliver(shared: &AppState, tx: &Tx, entry: &Entry) -> bool {
    let faults = shared.faults.get();
    let name = match entry.kind {
        Kind::Event { .. } => "event",
        Kind::Ack => "ack",
    };
    let message = |data: String| {
        Event::default()
            .event(name)
            .id(entry.seq.to_string())
            .data(data)
    };
    if entry.is_event() && shared.faults.roll(faults.malformed_rate) {
        let broken = malformed(&entry.json, shared.faults.pick(4));
        if tx.send(Ok(message(broken))).await.is_err() {
            return false;
        }
    }
    let data = if faults.unknown_fields {
        with_unknown_field(&entry.json)
    } else {
        entry.json.to_string()
    };
    let twice = shared.faults.roll(faults.duplicate_rate);
    if twice && tx.send(Ok(message(data.clone()))).await.is_err() {
        return false;
    }
    tx.send(Ok(message(data))).await.is_ok()
}
