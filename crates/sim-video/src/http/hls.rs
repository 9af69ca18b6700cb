//! `live.m3u8` and its segments: the live playlist of a camera that offers
//! HLS, and the H.264 segments it lists (`crate::hls`).

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;

use super::Problem;
use super::vnet::servable;
use crate::VideoSim;
use crate::hls::{self, Reel};

pub(super) fn routes() -> Router<VideoSim> {
    Router::new()
        .route("/vnet/v1/cameras/{camera_id}/live.m3u8", get(playlist))
        .route("/vnet/v1/cameras/{camera_id}/hls/{segment}", get(segment))
}

#[derive(Deserialize)]
struct TokenQuery {
    token: Option<String>,
}

/// The camera's reel if it offers HLS, is servable now, and the reel is encoded.
async fn clip(
    sim: &VideoSim,
    camera_id: &str,
    token: Option<&str>,
) -> Result<std::sync::Arc<hls::Clip>, Problem> {
    let index = servable(sim, camera_id, token)?;
    let entry = &sim.shared.catalogue.entries[index];
    if entry.camera.streams.hls.is_none() {
        return Err(no_hls(format!(
            "camera {camera_id} offers no HLS; use MJPEG or snapshots"
        )));
    }
    sim.shared
        .hls
        .clip(sim, Reel::of(entry.kind()))
        .await
        .map_err(|error| {
            no_hls(format!(
                "the simulator cannot encode video ({error}); use snapshots"
            ))
        })
}

fn no_hls(detail: String) -> Problem {
    Problem::new(StatusCode::NOT_FOUND, "no HLS", detail)
}

async fn playlist(
    State(sim): State<VideoSim>,
    Path(camera_id): Path<String>,
    Query(query): Query<TokenQuery>,
) -> Result<Response, Problem> {
    let token = query.token.as_deref();
    clip(&sim, &camera_id, token).await?;
    let text = hls::playlist(sim.shared.hls.elapsed(), token);
    Ok((
        [
            (header::CONTENT_TYPE, "application/vnd.apple.mpegurl"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        text,
    )
        .into_response())
}

async fn segment(
    State(sim): State<VideoSim>,
    Path((camera_id, segment)): Path<(String, String)>,
    Query(query): Query<TokenQuery>,
) -> Result<Response, Problem> {
    let clip = clip(&sim, &camera_id, query.token.as_deref()).await?;
    let sequence = segment
        .strip_suffix(".ts")
        .and_then(|n| n.parse::<u64>().ok())
        .ok_or_else(|| {
            Problem::new(
                StatusCode::NOT_FOUND,
                "no such segment",
                format!("{segment} is not a segment of this camera's playlist"),
            )
        })?;
    if !hls::servable(sequence, sim.shared.hls.elapsed()) {
        return Err(Problem::new(
            StatusCode::NOT_FOUND,
            "segment gone",
            format!("segment {sequence} is not in the live window; fetch the playlist again"),
        ));
    }
    Ok((
        [
            (header::CONTENT_TYPE, "video/mp2t"),
            (header::CACHE_CONTROL, "max-age=60"),
        ],
        clip.segment(sequence),
    )
        .into_response())
}
