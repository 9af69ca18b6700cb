//! The contract's routes, `/vnet/v1/...` (`video-network-api.yaml`).

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use futures_util::Stream;
use gridwall_domain::video::{
    CameraKind, CameraPage, CameraStatus, CameraStatusChange, PtzCommand, VnetHealth,
};
use serde::Deserialize;

use super::{ClientId, Problem};
use crate::VideoSim;
use crate::hostile::{self, TOKEN_TAIL};
use crate::ledger::Ledger;
use crate::live::{BOUNDARY, Viewer};
use crate::tokens::Refusal;

pub(super) fn routes() -> Router<VideoSim> {
    Router::new()
        .route("/vnet/v1/health", get(health))
        .route("/vnet/v1/cameras", get(cameras))
        .route("/vnet/v1/cameras/{camera_id}/snapshot.jpg", get(snapshot))
        .route("/vnet/v1/cameras/{camera_id}/live.mjpeg", get(live_mjpeg))
        .route("/vnet/v1/cameras/{camera_id}/ptz", post(ptz))
        .route("/vnet/v1/status/stream", get(status_stream))
}

async fn health(State(sim): State<VideoSim>) -> Json<VnetHealth> {
    Json(sim.health())
}

#[derive(Deserialize)]
struct PageQuery {
    grid_id: Option<String>,
    page_size: Option<usize>,
    page_token: Option<String>,
}

const DEFAULT_PAGE_SIZE: usize = 500;
const MAX_PAGE_SIZE: usize = 1000;

/// The catalogue, paged. A page token is the position of the next camera
/// among those the filter selects; the catalogue never changes during a run,
/// so positions stay valid.
async fn cameras(
    State(sim): State<VideoSim>,
    Query(query): Query<PageQuery>,
) -> Result<Response, Problem> {
    let page_size = query.page_size.unwrap_or(DEFAULT_PAGE_SIZE);
    if !(1..=MAX_PAGE_SIZE).contains(&page_size) {
        return Err(Problem::new(
            StatusCode::BAD_REQUEST,
            "bad page size",
            format!("page_size must be between 1 and {MAX_PAGE_SIZE}, got {page_size}"),
        ));
    }
    let start = match query.page_token.as_deref() {
        None | Some("") => 0,
        Some(token) => token
            .strip_suffix(TOKEN_TAIL)
            .unwrap_or(token)
            .parse::<usize>()
            .map_err(|_| {
                Problem::new(
                    StatusCode::BAD_REQUEST,
                    "bad page token",
                    "page_token is not one this gateway gave; start again without it",
                )
            })?,
    };
    let faults = sim.faults();
    let selected: Vec<_> = sim
        .cameras()
        .into_iter()
        .enumerate()
        .filter(|(_, camera)| query.grid_id.is_none() || camera.grid_id == query.grid_id)
        .collect();
    let end = (start + page_size).min(selected.len());
    let tail = if faults.escaped_page_tokens {
        TOKEN_TAIL
    } else {
        ""
    };
    let next_page_token = (end < selected.len()).then(|| format!("{end}{tail}"));
    let page = selected.get(start..end).unwrap_or_default();
    if !(faults.hostile_names || faults.unknown_fields || faults.unknown_kinds) {
        let cameras = page.iter().map(|(_, camera)| camera.clone()).collect();
        return Ok(Json(CameraPage {
            cameras,
            next_page_token,
        })
        .into_response());
    }
    let cameras: Vec<serde_json::Value> = page
        .iter()
        .map(|(index, camera)| {
            let value = serde_json::to_value(camera).expect("a camera serialises");
            hostile::camera(value, *index, &faults)
        })
        .collect();
    let body = serde_json::json!({ "cameras": cameras, "next_page_token": next_page_token });
    Ok((
        [(header::CONTENT_TYPE, "application/json")],
        hostile::escape_surrogates(body.to_string()),
    )
        .into_response())
}

/// The camera's index if it exists, the token is good (when tokens are on),
/// the camera is online and this request is not one the `unavailable_fraction`
/// fault fails.
pub(super) fn servable(
    sim: &VideoSim,
    camera_id: &str,
    token: Option<&str>,
) -> Result<usize, Problem> {
    let index = sim
        .shared
        .catalogue
        .index_of(camera_id)
        .ok_or_else(|| Problem::unknown_camera(camera_id))?;
    let ttl = sim.faults().token_ttl_secs;
    if ttl > 0 {
        let seed = sim.shared.config.seed;
        let refusal = sim
            .shared
            .tokens
            .check(seed, index, token, Duration::from_secs(ttl))
            .err();
        let advice = "fetch the catalogue again for fresh stream URLs";
        match refusal {
            Some(Refusal::Invalid) => {
                return Err(Problem::new(
                    StatusCode::UNAUTHORIZED,
                    "invalid token",
                    format!("no valid token for camera {camera_id}; {advice}"),
                ));
            }
            Some(Refusal::Stale) => {
                return Err(Problem::new(
                    StatusCode::FORBIDDEN,
                    "expired token",
                    format!("the token has expired; {advice}"),
                ));
            }
            None => {}
        }
    }
    if sim.status(index) == CameraStatus::Offline {
        return Err(Problem::offline(camera_id));
    }
    if sim.request_dice() < sim.faults().unavailable_fraction {
        return Err(Problem::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "gateway busy",
            "the media gateway is overloaded; retry shortly",
        )
        .retry_after(2));
    }
    Ok(index)
}

async fn snapshot(
    State(sim): State<VideoSim>,
    Path(camera_id): Path<String>,
    Query(query): Query<SnapshotQuery>,
) -> Result<Response, Problem> {
    let index = servable(&sim, &camera_id, query.token.as_deref())?;
    let renderer = sim.clone();
    let jpeg = tokio::task::spawn_blocking(move || renderer.render(index, &mut None))
        .await
        .map_err(|_| {
            Problem::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "render failed",
                "the frame could not be rendered",
            )
        })?;
    Ok((
        [
            (header::CONTENT_TYPE, "image/jpeg"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        jpeg,
    )
        .into_response())
}

#[derive(Deserialize)]
struct LiveQuery {
    fps: Option<u8>,
    token: Option<String>,
}

#[derive(Deserialize)]
struct SnapshotQuery {
    token: Option<String>,
}

async fn live_mjpeg(
    State(sim): State<VideoSim>,
    Path(camera_id): Path<String>,
    client: ClientId,
    Query(query): Query<LiveQuery>,
) -> Result<Response, Problem> {
    let fps = query.fps.unwrap_or(10);
    if !(1..=25).contains(&fps) {
        return Err(Problem::new(
            StatusCode::BAD_REQUEST,
            "bad frame rate",
            format!("fps must be between 1 and 25, got {fps}"),
        ));
    }
    let index = servable(&sim, &camera_id, query.token.as_deref())?;
    let Some(slot) = Ledger::open(&sim, &client.0) else {
        let cap = sim.shared.config.max_streams_per_client;
        return Err(Problem::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too many streams",
            format!("this client already holds {cap} live streams; close one first"),
        )
        .retry_after(5));
    };
    let body = Viewer::open(&sim, index, fps, slot).into_body();
    let content_type = format!("multipart/x-mixed-replace; boundary={BOUNDARY}");
    Ok((
        [
            (header::CONTENT_TYPE, content_type.as_str()),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response())
}

async fn ptz(
    State(sim): State<VideoSim>,
    Path(camera_id): Path<String>,
    client: ClientId,
    Json(command): Json<PtzCommand>,
) -> Result<StatusCode, Problem> {
    let index = sim
        .shared
        .catalogue
        .index_of(&camera_id)
        .ok_or_else(|| Problem::unknown_camera(&camera_id))?;
    let entry = &sim.shared.catalogue.entries[index];
    if entry.kind() != CameraKind::Ptz {
        return Err(Problem::new(
            StatusCode::CONFLICT,
            "not a PTZ camera",
            format!("camera {camera_id} cannot pan, tilt or zoom"),
        ));
    }
    if sim.status(index) == CameraStatus::Offline {
        return Err(Problem::offline(&camera_id));
    }
    let config = &sim.shared.config;
    sim.shared
        .ptz
        .command(
            config.seed,
            index,
            entry.home,
            &client.0,
            command,
            config.ptz_hold,
        )
        .map_err(|held| {
            Problem::new(
                StatusCode::CONFLICT,
                "held by another console",
                format!(
                    "camera {camera_id} is being moved by {}; try again in {} s",
                    held.0,
                    config.ptz_hold.as_secs()
                ),
            )
        })?;
    Ok(StatusCode::NO_CONTENT)
}

/// How often each status stream looks for changes (real time).
const STATUS_POLL: Duration = Duration::from_millis(250);

/// Status changes as Server-Sent Events. Each subscriber compares the statuses
/// of all cameras every [`STATUS_POLL`] with what it saw last; changes are
/// stamped with the simulated time they were seen.
async fn status_stream(
    State(sim): State<VideoSim>,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let seen = sim.availability().all(sim.shared.clock.now());
    let state = (sim, seen, std::collections::VecDeque::<Event>::new());
    let events = futures_util::stream::unfold(state, |(sim, mut seen, mut pending)| async move {
        while pending.is_empty() {
            tokio::time::sleep(STATUS_POLL).await;
            if sim.closing() {
                return None;
            }
            let at = sim.shared.clock.now();
            let now = sim.availability().all(at);
            for (index, (before, after)) in seen.iter().zip(&now).enumerate() {
                if before != after {
                    let change = CameraStatusChange {
                        camera_id: sim.shared.catalogue.entries[index].camera.camera_id.clone(),
                        status: *after,
                        at,
                    };
                    let event = Event::default()
                        .event("status")
                        .json_data(&change)
                        .expect("a status change serialises");
                    pending.push_back(event);
                }
            }
            seen = now;
        }
        let event = pending.pop_front()?;
        Some((Ok(event), (sim, seen, pending)))
    });
    Sse::new(events).keep_alive(
        KeepAlive::new()
            .interval(Duration::from_secs(10))
            .text("ping"),
    )
}
