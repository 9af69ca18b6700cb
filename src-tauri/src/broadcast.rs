//! Commands of the broadcast to grid workers (issue 12): adapters over
//! [`gridwall_wall::broadcast::Broadcasts`]. Progress reaches the windows
//! over their feed (`WallEvent::Broadcast`), not through these.

use tauri::State;

use gridwall_wall::broadcast::{BroadcastError, BroadcastSummary, RecipientPreview, ScopeInput};
use gridwall_wall::feed::{CommandError, ErrorCode};

use gridwall_wall::session::Role;

use crate::footing::session_error;
use crate::state::AppState;

fn error(err: BroadcastError) -> CommandError {
    let code = match &err {
        BroadcastError::Invalid(_) => ErrorCode::Invalid,
        BroadcastError::Unanswered(_) => ErrorCode::Conflict,
        BroadcastError::Store(_) | BroadcastError::Console(_) => {
            tracing::warn!("broadcast: {err}");
            ErrorCode::Internal
        }
    };
    CommandError {
        code,
        message: err.to_string(),
    }
}

/// How many workers `scope` reaches, per town, before sending.
#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Debug))]
pub async fn broadcast_preview(
    state: State<'_, AppState>,
    scope: ScopeInput,
) -> Result<RecipientPreview, CommandError> {
    state.broadcasts.preview(scope).await.map_err(error)
}

/// Sends a broadcast (audited; retried under one key, never twice): a
/// signed-in duty officer or admin, in whose name it goes.
#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Debug))]
pub async fn send_broadcast(
    state: State<'_, AppState>,
    title: String,
    body: String,
    scope: ScopeInput,
    template: Option<String>,
) -> Result<BroadcastSummary, CommandError> {
    let person = state.sessions.person().map_err(session_error)?;
    person.require(Role::DutyOfficer).map_err(session_error)?;
    state
        .broadcasts
        .send(&title, &body, scope, template, person.actor())
        .await
        .map_err(error)
}

/// The broadcasts of the last day, newest first.
#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Debug))]
pub async fn broadcasts(state: State<'_, AppState>) -> Result<Vec<BroadcastSummary>, CommandError> {
    state.broadcasts.list(24).await.map_err(error)
}
