//! `/admin`: what tests and demo operators use to steer the simulator — the
//! faults, retention, injecting an event now, and the ground truth of what the
//! feed has emitted. Not part of the platform's contract; never faulted.

use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use gridwall_domain::governance::{Category, Severity, Source};
use serde::Deserialize;
use serde_json::json;

use super::{AppState, json_text, problem};
use crate::faults::{Faults, StreamControl};
use crate::feed::Retention;
use crate::history::Injection;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/faults", get(get_faults).put(put_faults))
        .route("/admin/faults/cut-streams", post(cut_streams))
        .route("/admin/faults/reset-streams", post(reset_streams))
        .route("/admin/retention", put(put_retention))
        .route("/admin/events", post(inject))
        .route("/admin/ground-truth", get(ground_truth))
}

async fn get_faults(State(shared): State<AppState>) -> Response {
    Json(shared.faults.get()).into_response()
}

async fn put_faults(
    State(shared): State<AppState>,
    body: Result<Json<Faults>, JsonRejection>,
) -> Response {
    let Json(faults) = match body {
        Ok(b) => b,
        Err(e) => return problem(StatusCode::BAD_REQUEST, "bad faults", e.body_text()),
    };
    if let Err(detail) = faults.validate() {
        return problem(StatusCode::BAD_REQUEST, "bad faults", detail);
    }
    shared.faults.set(faults.clone());
    // Data faults reach the generator on the next pump; do it now.
    shared.pump();
    Json(faults).into_response()
}

async fn cut_streams(State(shared): State<AppState>) -> Response {
    let streams = shared.faults.streams.send(StreamControl::Cut).unwrap_or(0);
    Json(json!({ "streams": streams })).into_response()
}

#[derive(Deserialize, Default)]
struct ResetBody {
    #[serde(default)]
    reason: Option<String>,
}

async fn reset_streams(State(shared): State<AppState>, body: Option<Json<ResetBody>>) -> Response {
    let reason = body
        .and_then(|Json(b)| b.reason)
        .unwrap_or_else(|| "the platform lost stream positions; take a snapshot".into());
    let streams = shared
        .faults
        .streams
        .send(StreamControl::Reset(reason))
        .unwrap_or(0);
    Json(json!({ "streams": streams })).into_response()
}

async fn put_retention(
    State(shared): State<AppState>,
    body: Result<Json<Retention>, JsonRejection>,
) -> Response {
    let Json(retention) = match body {
        Ok(b) => b,
        Err(e) => return problem(StatusCode::BAD_REQUEST, "bad retention", e.body_text()),
    };
    shared.feed.write().expect("feed lock").retention = retention;
    shared.pump();
    Json(retention).into_response()
}

#[derive(Deserialize)]
struct InjectBody {
    grid_id: String,
    #[serde(default = "default_source")]
    source: Source,
    category: Category,
    #[serde(default = "default_severity")]
    severity: Severity,
    title: String,
    #[serde(default)]
    description: Option<String>,
}

fn default_source() -> Source {
    Source::GridPatrol
}

fn default_severity() -> Severity {
    Severity::ORDINARY
}

/// Reports an event now and returns its id and the seq of its first revision.
async fn inject(
    State(shared): State<AppState>,
    body: Result<Json<InjectBody>, JsonRejection>,
) -> Response {
    let Json(body) = match body {
        Ok(b) => b,
        Err(e) => return problem(StatusCode::BAD_REQUEST, "bad injection", e.body_text()),
    };
    if shared.city.grid(&body.grid_id).is_none() {
        return problem(
            StatusCode::BAD_REQUEST,
            "unknown grid",
            format!("no grid {}", body.grid_id),
        );
    }
    let now = shared.clock.now().unix_timestamp();
    let case = shared.engine.lock().expect("engine lock").generator.inject(
        Injection {
            grid_id: body.grid_id,
            source: body.source,
            category: body.category,
            severity: body.severity,
            title: body.title,
            description: body.description,
        },
        now,
    );
    shared.pump();
    let seq = shared
        .feed
        .read()
        .expect("feed lock")
        .event(&case.id)
        .map(|e| e.timeline.first().map(|_| e.event.seq).unwrap_or(0));
    let body = json!({ "id": case.id, "seq": seq });
    let mut response = json_text(StatusCode::CREATED, body.to_string());
    *response.status_mut() = StatusCode::CREATED;
    response
}

async fn ground_truth(State(shared): State<AppState>) -> Response {
    shared.pump();
    let feed = shared.feed.read().expect("feed lock");
    let body = json!({ "head_seq": feed.head_seq(), "events": feed.ground_truth() });
    drop(feed);
    json_text(StatusCode::OK, body.to_string())
}
