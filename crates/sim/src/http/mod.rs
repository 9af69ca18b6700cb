//! The HTTP face of the governance half: the contract's `/api/v1` routes and
//! the `/admin` routes that tests and demo operators use.
//!
//! - `city`: health, divisions, grids, geometry, workers.
//! - `events`: the feed as pages, the open snapshot, one event.
//! - `stream`: the feed as Server-Sent Events; `framing`: how its messages
//!   become bytes (every framing the format allows, under a fault).
//! - `broadcasts`: instructions to workers and their acks.
//! - `files`: the photos events' attachments point to.
//! - `admin`: faults, injection, retention, ground truth.
//!
//! Bearer auth and transport faults are middleware over the contract's routes
//! (health excepted, as the contract exempts it from security); admin routes
//! are never faulted, so a test can always switch a fault off again.

mod admin;
mod broadcasts;
mod city;
mod events;
mod files;
mod framing;
mod stream;

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use gridwall_domain::governance::Problem;

use crate::faults::{Verdict, add_unknown_fields};
use crate::server::Shared;

pub type AppState = Arc<Shared>;

/// Every governance and admin route.
pub fn router(shared: AppState) -> Router {
    let api = Router::new()
        .route("/api/v1/divisions", get(city::divisions))
        .route("/api/v1/grids", get(city::grids))
        .route("/api/v1/grids/geometry", get(city::geometry))
        .route("/api/v1/workers", get(city::workers))
        .route("/api/v1/events", get(events::list))
        .route("/api/v1/events/stream", get(stream::stream))
        .route("/api/v1/events/{id}", get(events::one))
        .route("/files/{id}/{name}", get(files::photo))
        .route("/api/v1/broadcasts", post(broadcasts::send))
        .route("/api/v1/broadcasts/{id}", get(broadcasts::one))
        .route("/api/v1/broadcasts/{id}/acks", get(broadcasts::acks))
        .layer(middleware::from_fn_with_state(Arc::clone(&shared), faults))
        .layer(middleware::from_fn_with_state(Arc::clone(&shared), auth));
    Router::new()
        .route("/api/v1/health", get(city::health))
        .merge(api)
        .merge(admin::routes())
        .fallback(|| async { problem(StatusCode::NOT_FOUND, "not found", "no such route") })
        .with_state(shared)
}

/// An RFC 9457 problem response.
pub fn problem(status: StatusCode, title: &str, detail: impl Into<String>) -> Response {
    let body = Problem {
        kind: format!("https://zhili.example.gov.cn/problems/{}", status.as_u16()),
        title: title.to_owned(),
        status: status.as_u16(),
        detail: Some(detail.into()),
    };
    let mut response = (
        status,
        serde_json::to_string(&body).expect("problems serialize"),
    )
        .into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    response
}

/// A JSON response from ready text.
pub fn json_text(status: StatusCode, body: String) -> Response {
    let mut response = (status, body).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// A JSON response from a value, with the unknown-field fault applied.
pub fn json_value(shared: &Shared, mut value: serde_json::Value) -> Response {
    if shared.faults.get().unknown_fields {
        add_unknown_fields(&mut value);
    }
    json_text(
        StatusCode::OK,
        crate::hostile::escape_surrogates(value.to_string()),
    )
}

async fn auth(State(shared): State<AppState>, request: Request, next: Next) -> Response {
    if let Some(token) = shared.token() {
        let given = request
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        if given.map(str::trim) != Some(token) {
            let mut response = problem(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "send Authorization: Bearer with the configured token",
            );
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            return response;
        }
    }
    next.run(request).await
}

async fn faults(State(shared): State<AppState>, request: Request, next: Next) -> Response {
    let (verdict, latency_ms) = shared.faults.judge();
    if latency_ms > 0 {
        tokio::time::sleep(std::time::Duration::from_millis(latency_ms)).await;
    }
    match verdict {
        Verdict::Pass => next.run(request).await,
        Verdict::Fail => problem(
            StatusCode::SERVICE_UNAVAILABLE,
            "service unavailable",
            "the platform is briefly unavailable; retry with backoff",
        ),
        Verdict::RateLimited { retry_after_s } => {
            let mut response = problem(
                StatusCode::TOO_MANY_REQUESTS,
                "too many requests",
                format!("retry after {retry_after_s} s"),
            );
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_s));
            response
        }
    }
}

/// The value of an `If-None-Match` header matches `etag`.
pub fn etag_matches(request_headers: &axum::http::HeaderMap, etag: &str) -> bool {
    request_headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|candidate| {
            let c = candidate.trim();
            c == "*" || c == etag || c.strip_prefix("W/") == Some(etag)
        })
}

/// A 304 carrying the ETag.
pub fn not_modified(etag: &str) -> Response {
    let mut response = Response::new(Body::empty());
    *response.status_mut() = StatusCode::NOT_MODIFIED;
    response.headers_mut().insert(
        header::ETAG,
        HeaderValue::from_str(etag).expect("etags are ascii"),
    );
    response
}
