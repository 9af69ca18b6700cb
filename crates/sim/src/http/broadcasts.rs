//! `POST /broadcasts`, `GET /broadcasts/{id}` and `GET /broadcasts/{id}/acks`.

use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use gridwall_domain::governance::NewBroadcast;
use serde::Deserialize;
use serde_json::json;

use super::{AppState, json_value, problem};

pub async fn send(
    State(shared): State<AppState>,
    body: Result<Json<NewBroadcast>, JsonRejection>,
) -> Response {
    let Json(request) = match body {
        Ok(body) => body,
        Err(e) => return problem(StatusCode::BAD_REQUEST, "bad broadcast", e.body_text()),
    };
    let now = shared.clock.now().unix_timestamp();
    let sent = shared.engine.lock().expect("engine lock").broadcasts.send(
        request,
        now,
        &shared.city,
        &shared.workforce,
    );
    match sent {
        // Committed, and now lost on the way back: the connection ends
        // before the status line, so the client cannot tell it from a crash.
        Ok(_) if shared.faults.take_broadcast_drop() => dropped_connection(),
        // A retry with a known idempotency key answers exactly as the first POST did.
        Ok((broadcast, _new)) => {
            let mut response = json_value(
                &shared,
                serde_json::to_value(&broadcast).expect("serialize"),
            );
            *response.status_mut() = StatusCode::CREATED;
            response
        }
        Err(refused) => problem(
            StatusCode::BAD_REQUEST,
            "bad broadcast",
            refused.to_string(),
        ),
    }
}

/// A response whose body fails before its first byte: hyper then closes
/// the connection without writing the head it holds, so the client reads
/// an empty reply.
fn dropped_connection() -> Response {
    let body = tokio_stream::once(Err::<axum::body::Bytes, _>(std::io::Error::other(
        "broadcast response dropped (fault)",
    )));
    Response::new(axum::body::Body::from_stream(body))
}

pub async fn one(State(shared): State<AppState>, Path(id): Path<String>) -> Response {
    let engine = shared.engine.lock().expect("engine lock");
    match engine.broadcasts.get(&id) {
        Some(b) => {
            let value = serde_json::to_value(b).expect("serialize");
            drop(engine);
            json_value(&shared, value)
        }
        None => problem(
            StatusCode::NOT_FOUND,
            "no such broadcast",
            format!("no broadcast {id}"),
        ),
    }
}

#[derive(Deserialize)]
pub struct AcksQuery {
    after: Option<String>,
    limit: Option<usize>,
}

pub async fn acks(
    State(shared): State<AppState>,
    Path(id): Path<String>,
    query: Result<Query<AcksQuery>, QueryRejection>,
) -> Response {
    let Query(q) = match query {
        Ok(q) => q,
        Err(e) => return problem(StatusCode::BAD_REQUEST, "bad query", e.body_text()),
    };
    let after = match q.after.as_deref() {
        None | Some("") => 0,
        Some(cursor) => match cursor.strip_prefix("a").and_then(|n| n.parse().ok()) {
            Some(n) => n,
            None => {
                return problem(
                    StatusCode::BAD_REQUEST,
                    "bad cursor",
                    "pass the next_after of the previous page unchanged",
                );
            }
        },
    };
    let limit = q.limit.unwrap_or(1_000).clamp(1, 5_000);
    let engine = shared.engine.lock().expect("engine lock");
    let Some((acks, next)) = engine.broadcasts.acks(&id, after, limit) else {
        return problem(
            StatusCode::NOT_FOUND,
            "no such broadcast",
            format!("no broadcast {id}"),
        );
    };
    let value = json!({"acks": acks, "next_after": next.map(|n| format!("a{n}"))});
    drop(engine);
    json_value(&shared, value)
}
