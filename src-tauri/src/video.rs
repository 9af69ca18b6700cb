//! The camera matrix: its catalogue command and the `gridwall-video:` URI
//! scheme, which hands every window its media from the core's
//! [`VideoProxy`] (one upstream stream per camera; the token stays here).

use std::collections::HashSet;
use std::time::Duration;

use tauri::{State, Window};

use gridwall_domain::video::PtzAction;
use gridwall_wall::feed::{CommandError, ErrorCode};
use gridwall_wall::scenes::{self, SceneError, SceneInput, SceneView, VideoScenes};
use gridwall_wall::video::{self, VideoCatalogue};
use gridwall_wall::video_proxy::{MEDIA_BASE, PtzError, VideoProxy};

use crate::console::actor;
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
    // The proxy's copy is kept by the task that follows ingest's syncs.
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
    state.video.set_cap(max_streams);
    Ok(VideoCatalogue {
        media_url: MEDIA_BASE.to_owned(),
        max_streams,
        cameras,
    })
}

/// Moves a PTZ camera one step. `conflict` when the gateway refuses (not
/// PTZ, or another console holds it), with the gateway's reason.
#[tauri::command]
pub async fn ptz(
    state: State<'_, AppState>,
    camera_id: String,
    action: PtzAction,
) -> Result<(), CommandError> {
    state
        .video
        .ptz(&camera_id, action)
        .await
        .map_err(|err| CommandError {
            code: match err {
                PtzError::Refused(_) => ErrorCode::Conflict,
                PtzError::NotFound => ErrorCode::NotFound,
                PtzError::Offline | PtzError::Failed(_) => ErrorCode::Internal,
            },
            message: err.to_string(),
        })
}

fn scene_error(err: SceneError) -> CommandError {
    let code = match &err {
        SceneError::Invalid(_) => ErrorCode::Invalid,
        SceneError::NotFound(_) => ErrorCode::NotFound,
        SceneError::Store(_) => {
            tracing::warn!("scenes: {err}");
            ErrorCode::Internal
        }
    };
    CommandError {
        code,
        message: err.to_string(),
    }
}

/// The saved scenes and the calling window's rotation through them.
#[tauri::command]
pub async fn video_scenes(
    window: Window,
    state: State<'_, AppState>,
) -> Result<VideoScenes, CommandError> {
    scenes::for_window(state.live.store(), window.label())
        .await
        .map_err(scene_error)
}

/// Saves the matrix as arranged under a name (an audited act); every window
/// is told.
#[tauri::command]
#[tracing::instrument(skip_all, fields(window = window.label(), name = %scene.name), err(level = "warn", Debug))]
pub async fn save_scene(
    window: Window,
    state: State<'_, AppState>,
    scene: SceneInput,
) -> Result<SceneView, CommandError> {
    let store = state.live.store();
    let records = store
        .reference("cameras")
        .await
        .map_err(|err| internal(format!("cannot read the camera catalogue: {err}")))?;
    let known: HashSet<String> = video::catalogue(&records)
        .into_iter()
        .map(|c| c.camera_id)
        .collect();
    let actor = actor(&state, &window);
    let saved = scenes::save(store, &scene, &known, &actor, state.clock.now())
        .await
        .map_err(scene_error)?;
    state.live.scenes_changed(&actor);
    Ok(saved)
}

/// Deletes a saved scene (an audited act); rotations naming it skip it.
#[tauri::command]
#[tracing::instrument(skip_all, fields(window = window.label(), name = %name), err(level = "warn", Debug))]
pub async fn delete_scene(
    window: Window,
    state: State<'_, AppState>,
    name: String,
) -> Result<(), CommandError> {
    let actor = actor(&state, &window);
    scenes::delete(state.live.store(), &name, &actor, state.clock.now())
        .await
        .map_err(scene_error)?;
    state.live.scenes_changed(&actor);
    Ok(())
}

/// Sets which saved scenes the calling window rotates through, in order, and
/// for how long each (an audited act). Empty: the catalogue's default scenes.
#[tauri::command]
#[tracing::instrument(skip_all, fields(window = window.label()), err(level = "warn", Debug))]
pub async fn set_rotation(
    window: Window,
    state: State<'_, AppState>,
    scenes: Vec<String>,
    dwell_secs: u32,
) -> Result<VideoScenes, CommandError> {
    let actor = actor(&state, &window);
    let answer = scenes::set_rotation(
        state.live.store(),
        window.label(),
        &scenes,
        dwell_secs,
        &actor,
        state.clock.now(),
    )
    .await
    .map_err(scene_error)?;
    state.live.scenes_changed(&actor);
    Ok(answer)
}

/// One request of the media scheme, answered by the proxy.
pub async fn serve(
    proxy: &VideoProxy,
    request: tauri::http::Request<Vec<u8>>,
) -> tauri::http::Response<Vec<u8>> {
    let uri = request.uri();
    let answer = proxy.answer(uri.path(), uri.query()).await;
    let mut response = tauri::http::Response::builder()
        .status(answer.status)
        .header("content-type", answer.content_type)
        .header("cache-control", "no-store")
        // The page (tauri://localhost) is another origin than the scheme.
        .header("access-control-allow-origin", "*")
        .header(
            "access-control-expose-headers",
            "x-frame-seq, x-media-reason",
        );
    if let Some(seq) = answer.seq {
        response = response.header("x-frame-seq", seq);
    }
    if let Some(reason) = answer.reason {
        response = response.header("x-media-reason", reason);
    }
    response
        .body(answer.body.to_vec())
        .expect("a response of known-good parts")
}

fn internal(message: String) -> CommandError {
    tracing::warn!("{message}");
    CommandError {
        code: ErrorCode::Internal,
        message,
    }
}
