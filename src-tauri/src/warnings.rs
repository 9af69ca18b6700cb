//! Commands of the smart brain's early warnings (issue 13): adapters over
//! [`gridwall_wall::warnings::EarlyWarnings`]. New and updated warnings
//! reach the windows over their feed (`WallEvent::Warnings`), not through
//! these. Every act is in the signed-in person's name and audited.

use tauri::State;

use gridwall_wall::feed::{CommandError, ErrorCode};
use gridwall_wall::session::Role;
use gridwall_wall::warnings::{WarningError, WarningItem};

use crate::footing::session_error;
use crate::state::AppState;

fn error(err: WarningError) -> CommandError {
    let code = match &err {
        WarningError::NotFound(_) => ErrorCode::NotFound,
        WarningError::NotAllowed(_) => ErrorCode::Conflict,
        WarningError::NoAddressee => ErrorCode::Invalid,
        WarningError::Store(_) => {
            tracing::warn!("warnings: {err}");
            ErrorCode::Internal
        }
    };
    CommandError {
        code,
        message: err.to_string(),
    }
}

/// The warnings of the last day, newest first.
#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Debug))]
pub async fn warnings(state: State<'_, AppState>) -> Result<Vec<WarningItem>, CommandError> {
    state.warnings.list(24).await.map_err(error)
}

/// Seen, no hand-over needed: any signed-in person.
#[tauri::command]
#[tracing::instrument(skip_all, fields(id = %id), err(level = "warn", Debug))]
pub async fn acknowledge_warning(
    state: State<'_, AppState>,
    id: String,
    note: Option<String>,
) -> Result<WarningItem, CommandError> {
    let person = state.sessions.person().map_err(session_error)?;
    state
        .warnings
        .acknowledge(&id, &person, note.as_deref().unwrap_or_default())
        .await
        .map_err(error)
}

/// 交办单: a duty officer hands the warning over to `to` with an instruction.
#[tauri::command]
#[tracing::instrument(skip_all, fields(id = %id), err(level = "warn", Debug))]
pub async fn hand_over_warning(
    state: State<'_, AppState>,
    id: String,
    to: String,
    instruction: String,
) -> Result<WarningItem, CommandError> {
    let person = state.sessions.person().map_err(session_error)?;
    person.require(Role::DutyOfficer).map_err(session_error)?;
    state
        .warnings
        .hand_over(&id, &person, &to, &instruction)
        .await
        .map_err(error)
}

/// 反馈单: the handler's feedback on a handed-over warning.
#[tauri::command]
#[tracing::instrument(skip_all, fields(id = %id), err(level = "warn", Debug))]
pub async fn feed_back_warning(
    state: State<'_, AppState>,
    id: String,
    feedback: String,
) -> Result<WarningItem, CommandError> {
    let person = state.sessions.person().map_err(session_error)?;
    state
        .warnings
        .feed_back(&id, &person, &feedback)
        .await
        .map_err(error)
}
