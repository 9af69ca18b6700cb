//! `/admin`: what tests and demo operators use to steer the simulator — the
//! faults, retention, injecting an event now, the ground truth of what the
//! feed has emitted, and scenarios (known incidents) with their ground truth. Not part of the platform's contract; never faulted.

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
use crate::scenarios::ScenarioKind;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/faults", get(get_faults).put(put_faults))
        .route("/admin/faults/hostile", post(hostile))
        .route("/admin/faults/cut-streams", post(cut_streams))
        .route("/admin/faults/reset-streams", post(reset_streams))
        .route("/admin/retention", put(put_retention))
        .route("/admin/events", post(inject))
        .route("/admin/ground-truth", get(ground_truth))
        .route("/admin/scenarios", get(get_scenarios).post(post_scenario))
}

async fn get_scenarios(State(shared): State<AppState>) -> Response {
    Json(json!({ "scenarios": shared.scenario_truths() })).into_response()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ScenarioBody {
    kind: String,
    /// Seconds from now to the onset; default 0.
    #[serde(default)]
    in_s: i64,
}

async fn post_scenario(
    State(shared): State<AppState>,
    body: Result<Json<ScenarioBody>, JsonRejection>,
) -> Response {
    let Json(body) = match body {
        Ok(b) => b,
        Err(e) => return problem(StatusCode::BAD_REQUEST, "bad scenario", e.body_text()),
    };
    match body.kind.parse::<ScenarioKind>() {
        Ok(kind) => (
            StatusCode::CREATED,
            Json(shared.add_scenario(kind, body.in_s)),
        )
            .into_response(),
        Err(e) => problem(StatusCode::BAD_REQUEST, "bad scenario", e),
    }
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
    match shared.set_faults(faults.clone()) {
        Ok(()) => Json(faults).into_response(),
        Err(e) => problem(StatusCode::BAD_REQUEST, "bad faults", e.to_string()),
    }
}

/// Switches on the run-time faults of the hostile profile (`crate::hostile`).
async fn hostile(State(shared): State<AppState>) -> Response {
    let faults = Faults::hostile();
    match shared.set_faults(faults.clone()) {
        Ok(()) => Json(faults).into_response(),
        Err(e) => problem(
            StatusCode::INTERNAL_SERVER_ERROR,
            "bad faults",
            e.to_string(),
        ),
    }
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

/// Reports an event now and returns its id and the seq of its newest revision
/// (the first, unless the clock runs so fast that the next step is already due).
async fn inject(
    State(shared): State<AppState>,
    body: Result<Json<InjectBody>, JsonRejection>,
) -> Response {
    let Json(body) = match body {
        Ok(b) => b,
        Err(e) => return problem(StatusCode::BAD_REQUEST, "bad injection", e.body_text()),
    };
    let injected = shared.inject(Injection {
        grid_id: body.grid_id,
        source: body.source,
        category: body.category,
        severity: body.severity,
        title: body.title,
        description: body.description,
    });
    let id = match injected {
        Ok(id) => id,
        Err(e) => return problem(StatusCode::BAD_REQUEST, "unknown grid", e.to_string()),
    };
    let seq = shared
        .feed
        .read()
        .expect("feed lock")
        .event(&id)
        .map(|e| e.event.seq);
    json_text(
        StatusCode::CREATED,
        json!({ "id": id, "seq": seq }).to_string(),
    )
}

async fn ground_truth(State(shared): State<AppState>) -> Response {
    let (events, head_seq) = shared.ground_truth();
    let body = json!({ "head_seq": head_seq, "events": events });
    json_text(StatusCode::OK, body.to_string())
}
