//! `GET /events` (feed pages and the open snapshot) and `GET /events/{id}`.

use std::sync::Arc;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use super::{AppState, json_text, json_value, problem};
use crate::faults::{malformed, with_unknown_field};
use crate::feed::Gone;
use crate::server::Shared;

#[derive(Deserialize)]
pub struct EventsQuery {
    since: Option<u64>,
    state: Option<String>,
    limit: Option<usize>,
}

pub async fn list(
    State(shared): State<AppState>,
    query: Result<Query<EventsQuery>, QueryRejection>,
) -> Response {
    let Query(q) = match query {
        Ok(q) => q,
        Err(e) => return problem(StatusCode::BAD_REQUEST, "bad query", e.body_text()),
    };
    let limit = q.limit.unwrap_or(1_000);
    if !(1..=5_000).contains(&limit) {
        return problem(
            StatusCode::BAD_REQUEST,
            "bad limit",
            "limit must be 1 to 5000",
        );
    }
    match q.state.as_deref() {
        None => {}
        Some("open") => {
            let (open, head) = shared.feed.read().expect("feed lock").open_events();
            return json_text(StatusCode::OK, body(&shared, &open, None, head, false));
        }
        Some(other) => {
            return problem(
                StatusCode::BAD_REQUEST,
                "bad state",
                format!("state may only be open, got {other}"),
            );
        }
    }
    let page = shared.feed.read().expect("feed lock").page(q.since, limit);
    match page {
        Ok(page) => {
            let jsons: Vec<Arc<str>> = page.entries.into_iter().map(|e| e.json).collect();
            let reorder = shared.faults.get().reorder_backfill;
            json_text(
                StatusCode::OK,
                body(&shared, &jsons, page.next_since, page.head_seq, reorder),
            )
        }
        Err(Gone { oldest }) => problem(
            StatusCode::GONE,
            "gone",
            format!(
                "since is older than the retention window (oldest usable since: {oldest}); \
                 take a snapshot with state=open and resume from its head_seq"
            ),
        ),
    }
}

/// The page body, with the delivery faults in force applied. Written straight
/// into one buffer: with no fault on, a page is a concatenation of ready JSON.
fn body(
    shared: &Shared,
    events: &[Arc<str>],
    next_since: Option<u64>,
    head: u64,
    reverse: bool,
) -> String {
    let faults = shared.faults.get();
    let size: usize = events.iter().map(|s| s.len() + 1).sum();
    let mut out = String::with_capacity(size + 128);
    out.push_str("{\"events\":[");
    let mut first = true;
    let mut item = |out: &mut String, text: &str| {
        if !first {
            out.push(',');
        }
        first = false;
        out.push_str(text);
    };
    let ordered: Box<dyn Iterator<Item = &Arc<str>>> = if reverse {
        Box::new(events.iter().rev())
    } else {
        Box::new(events.iter())
    };
    for json in ordered {
        if shared.faults.roll(faults.malformed_rate) {
            // Kinds 0..3 only: a page must stay JSON, so no truncated copy here.
            item(&mut out, &malformed(json, shared.faults.pick(3)));
        }
        let extended;
        let text: &str = if faults.unknown_fields {
            extended = with_unknown_field(json);
            &extended
        } else {
            json
        };
        if shared.faults.roll(faults.duplicate_rate) {
            item(&mut out, text);
        }
        item(&mut out, text);
    }
    out.push_str("],\"next_since\":");
    match next_since {
        Some(n) => out.push_str(&n.to_string()),
        None => out.push_str("null"),
    }
    out.push_str(",\"head_seq\":");
    out.push_str(&head.to_string());
    if faults.unknown_fields {
        out.push(',');
        out.push_str(crate::faults::UNKNOWN_FIELD);
    }
    out.push('}');
    out
}

pub async fn one(State(shared): State<AppState>, Path(id): Path<String>) -> Response {
    let found = shared.feed.read().expect("feed lock").event(&id);
    match found {
        Some(event) => json_value(
            &shared,
            serde_json::to_value(&event).expect("events serialize"),
        ),
        None => problem(
            StatusCode::NOT_FOUND,
            "no such event",
            format!("no event {id}"),
        ),
    }
}
