//! `GET /events/stream`: the feed as Server-Sent Events.
//!
//! One task per client reads the feed after its cursor, sends what it finds,
//! and then waits for the head to move (or a fault command, or shutdown). A
//! cursor older than the retention window gets `event: reset` and the stream
//! goes on from the head. `: ping` comments come from axum's keep-alive,
//! which sends one whenever the stream has been quiet for the ping interval
//! (or, on a hand-framed stream, from this task; see [`super::framing`]).

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use tokio::sync::{broadcast, watch};

use super::AppState;
use super::framing::{Frame, Out, Sent};
use crate::faults::{StreamControl, malformed, with_unknown_field};
use crate::feed::{Entry, Kind};

const BATCH: usize = 500;

pub async fn stream(State(shared): State<AppState>, headers: HeaderMap) -> Response {
    let last = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    let ping = shared.ping_interval();
    let seed = shared
        .faults
        .get()
        .sse_framing
        .then(|| shared.faults.pick(u32::MAX as usize) as u64);
    let (out, response) = Out::open(ping, seed);
    // Subscribe before answering, so that a fault command sent once the client
    // has its headers cannot miss this stream.
    let head_rx = shared.head.subscribe();
    let control = shared.faults.streams.subscribe();
    tokio::spawn(run(shared, last, head_rx, control, out));
    response
}

async fn run(
    shared: AppState,
    last: Option<u64>,
    mut head_rx: watch::Receiver<u64>,
    mut control: broadcast::Receiver<StreamControl>,
    mut out: Out,
) {
    let mut cursor = last.unwrap_or_else(|| *head_rx.borrow());
    let mut sent: u32 = 0;
    let ping = shared.ping_interval();
    loop {
        head_rx.borrow_and_update();
        let batch = shared.feed.read().expect("feed lock").after(cursor, BATCH);
        let entries = match batch {
            Ok(entries) => entries,
            Err(_) => {
                let head = *head_rx.borrow();
                let reset = reset_frame(
                    head,
                    "your position is older than the retention window; take a snapshot",
                );
                if out.send(reset).await != Sent::Whole {
                    return;
                }
                cursor = head;
                continue;
            }
        };
        let full = entries.len() == BATCH;
        for entry in entries {
            cursor = entry.seq;
            if !deliver(&shared, &mut out, &entry).await {
                return;
            }
            sent += 1;
            let faults = shared.faults.get();
            if faults.stream_cut_after.is_some_and(|n| sent >= n) {
                return;
            }
            if faults.reset_after.is_some_and(|n| sent >= n) {
                // The id is the head: a client that resumes from it instead
                // of taking a snapshot skips whatever it had not yet seen.
                let head = *head_rx.borrow();
                let _ = out
                    .send(reset_frame(head, "the platform lost stream positions"))
                    .await;
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
                    let _ = out.send(reset_frame(cursor, &reason)).await;
                    return;
                }
                Err(_) => {}
            },
            () = tokio::time::sleep(ping), if out.hand_framed() => {
                if !out.ping().await {
                    return;
                }
            }
            () = out.closed() => return,
            () = shared.cancel.cancelled() => return,
        }
    }
}

fn reset_frame(id: u64, reason: &str) -> Frame {
    Frame {
        event: "reset",
        id,
        data: serde_json::json!({ "reason": reason }).to_string(),
    }
}

/// Sends one entry (with the delivery faults in force); false once the
/// client is gone or the message was cut.
async fn deliver(shared: &AppState, out: &mut Out, entry: &Entry) -> bool {
    let faults = shared.faults.get();
    let event = match entry.kind {
        Kind::Event { .. } => "event",
        Kind::Ack => "ack",
    };
    let frame = |data: String| Frame {
        event,
        id: entry.seq,
        data,
    };
    if entry.is_event() && shared.faults.roll(faults.malformed_rate) {
        let broken = malformed(&entry.json, shared.faults.pick(4));
        if out.send(frame(broken)).await != Sent::Whole {
            return false;
        }
    }
    let data = if faults.unknown_fields {
        with_unknown_field(&entry.json)
    } else {
        entry.json.to_string()
    };
    let twice = shared.faults.roll(faults.duplicate_rate);
    if twice && out.send(frame(data.clone())).await != Sent::Whole {
        return false;
    }
    out.send(frame(data)).await == Sent::Whole
}
