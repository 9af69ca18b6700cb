//! `/admin/video/...`: the simulator's control panel, outside the contract.
//! Tests and whoever runs the simulator inject faults here and read how many
//! streams each client holds.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use gridwall_domain::video::CameraStatus;
use serde::Deserialize;

use super::Problem;
use crate::{Error, Faults, StreamFault, StreamReport, VideoSim};

pub(super) fn routes() -> Router<VideoSim> {
    Router::new()
        .route("/admin/video/faults", get(faults).put(set_faults))
        .route("/admin/video/streams", get(streams).delete(reset_streams))
        .route("/admin/video/tokens/revoke", post(revoke_tokens))
        .route("/admin/video/cameras/{camera_id}/status", put(pin_status))
        .route(
            "/admin/video/cameras/{camera_id}/streams/fail",
            post(fail_streams),
        )
}

impl From<Error> for Problem {
    fn from(error: Error) -> Self {
        match error {
            Error::UnknownCamera(id) => Problem::unknown_camera(&id),
            Error::Fraction { .. } => {
                Problem::new(StatusCode::BAD_REQUEST, "bad faults", error.to_string())
            }
        }
    }
}

async fn faults(State(sim): State<VideoSim>) -> Json<Faults> {
    Json(sim.faults())
}

async fn set_faults(
    State(sim): State<VideoSim>,
    Json(faults): Json<Faults>,
) -> Result<Json<Faults>, Problem> {
    sim.set_faults(faults)?;
    Ok(Json(sim.faults()))
}

async fn streams(State(sim): State<VideoSim>) -> Json<StreamReport> {
    Json(sim.stream_report())
}

async fn revoke_tokens(State(sim): State<VideoSim>) -> StatusCode {
    sim.revoke_tokens();
    StatusCode::NO_CONTENT
}

async fn reset_streams(State(sim): State<VideoSim>) -> StatusCode {
    sim.reset_stream_report();
    StatusCode::NO_CONTENT
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Pin {
    /// `online`, `offline`, or null to let the camera follow the simulation again.
    status: Option<CameraStatus>,
}

async fn pin_status(
    State(sim): State<VideoSim>,
    Path(camera_id): Path<String>,
    Json(pin): Json<Pin>,
) -> Result<StatusCode, Problem> {
    sim.pin_status(&camera_id, pin.status)?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Fail {
    fault: StreamFault,
}

async fn fail_streams(
    State(sim): State<VideoSim>,
    Path(camera_id): Path<String>,
    Json(fail): Json<Fail>,
) -> Result<StatusCode, Problem> {
    sim.fail_streams(&camera_id, fail.fault)?;
    Ok(StatusCode::NO_CONTENT)
}
