//! Commands of the camera matrix.
//!
//! Media is fetched by the webview itself, straight from the gateway: MJPEG
//! animates in a plain `<img>` (PLATFORM.md), and the CSP's `img-src` allows
//! `http://127.0.0.1:*`, which covers the embedded or local simulator. A real
//! gateway (https, another host, a bearer token) needs a proxy through Rust;
//! see the report in issue #6.

use std::time::Duration;

use tauri::State;

use gridwall_wall::feed::{CommandError, ErrorCode};
use gridwall_wall::video::{self, VideoCatalogue};

use crate::state::AppState;

/// How long the gateway's health may take before the matrix starts without
/// live streams.
const HEALTH_TIMEOUT: Duration = Duration::from_secs(3);

/// The camera catalogue as synced by ingest, the gateway's base URL and its
/// per-client live stream cap. `not_found` until the catalogue has arrived.
#[tauri::command]
pub async fn cameras(state: State<'_, AppState>) -> Result<VideoCatalogue, CommandError> {
    let records = state
        .live
        .store()
        .reference("cameras")
        .await
        .map_err(|err| internal(format!("cannot read the camera catalogue: {err}")))?;
    if records.is_empty() {
        return Err(CommandError {
            code: ErrorCode::NotFound,
            message: "the camera catalogue has not arrived from the gateway yet".into(),
        });
    }
    let cameras = video::catalogue(&records);
    let base_url = state
        .started
        .upstreams
        .video
        .as_str()
        .trim_end_matches('/')
        .to_owned();
    let health = format!("{base_url}/vnet/v1/health");
    let max_streams = match state
        .started
        .http
        .get(health)
        .timeout(HEALTH_TIMEOUT)
        .send()
        .await
        .and_then(|r| r.error_for_status())
    {
        Ok(response) => match response.json::<serde_json::Value>().await {
            Ok(body) => video::stream_cap(&body),
            Err(err) => {
                tracing::warn!("the gateway's health does not parse: {err}");
                None
            }
        },
        Err(err) => {
            tracing::warn!("the gateway's health did not answer: {err}");
            None
        }
    };
    Ok(VideoCatalogue {
        base_url,
        max_streams,
        cameras,
    })
}

fn internal(message: String) -> CommandError {
    tracing::warn!("{message}");
    CommandError {
        code: ErrorCode::Internal,
        message,
    }
}
