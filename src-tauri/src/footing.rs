//! Commands of sign-in and the wartime footing (issue 12): adapters over
//! [`gridwall_wall::session`] and [`gridwall_wall::emergency`].

use tauri::{State, Window};

use gridwall_wall::emergency::{EmergencyError, PlanSummary, ProposalView};
use gridwall_wall::feed::{CommandError, ErrorCode};
use gridwall_wall::session::{Person, SessionError};

use crate::state::AppState;

fn session_code(err: &SessionError) -> ErrorCode {
    match err {
        SessionError::SignedOut | SessionError::Refused | SessionError::Disabled => {
            ErrorCode::Unauthorized
        }
        SessionError::Role(_) => ErrorCode::Forbidden,
        SessionError::Store(_) => ErrorCode::Internal,
    }
}

fn error(err: EmergencyError) -> CommandError {
    let code = match &err {
        EmergencyError::Session(e) => session_code(e),
        EmergencyError::SamePerson(_) | EmergencyError::NotProposer(_) => ErrorCode::Forbidden,
        EmergencyError::Plan(_) => ErrorCode::Invalid,
        EmergencyError::NoPlan(_) => ErrorCode::NotFound,
        EmergencyError::Pending
        | EmergencyError::AlreadyOn(_)
        | EmergencyError::AlreadyPeace
        | EmergencyError::Gone => ErrorCode::Conflict,
        EmergencyError::Store(_) => ErrorCode::Internal,
    };
    if matches!(code, ErrorCode::Internal) {
        tracing::warn!("footing: {err}");
    }
    CommandError {
        code,
        message: err.to_string(),
    }
}

pub(crate) fn session_error(err: SessionError) -> CommandError {
    CommandError {
        code: session_code(&err),
        message: err.to_string(),
    }
}

/// Signs a person in on this PC (audited, and so is a refusal).
#[tauri::command]
#[tracing::instrument(skip_all, fields(window = window.label()), err(level = "warn", Debug))]
pub async fn sign_in(
    window: Window,
    state: State<'_, AppState>,
    username: String,
    pin: String,
) -> Result<Person, CommandError> {
    let at = state.clock.now();
    state
        .sessions
        .sign_in(state.live.store(), at, &username, &pin, window.label())
        .await
        .map_err(session_error)
}

/// Signs the current person out (audited).
#[tauri::command]
pub async fn sign_out(window: Window, state: State<'_, AppState>) -> Result<(), CommandError> {
    let at = state.clock.now();
    state
        .sessions
        .sign_out(state.live.store(), at, window.label())
        .await
        .map_err(session_error)
}

/// Who is signed in, if anyone.
#[tauri::command]
pub fn signed_in(state: State<'_, AppState>) -> Option<Person> {
    state.sessions.current()
}

#[tauri::command]
pub async fn plans(state: State<'_, AppState>) -> Result<Vec<PlanSummary>, CommandError> {
    state.emergency.plans().await.map_err(error)
}

/// Imports or replaces a plan from TOML (admins).
#[tauri::command]
pub async fn save_plan(
    state: State<'_, AppState>,
    toml: String,
) -> Result<PlanSummary, CommandError> {
    let person = state.sessions.person().map_err(session_error)?;
    state
        .emergency
        .save_plan(&toml, &person)
        .await
        .map_err(error)
}

#[tauri::command]
pub async fn delete_plan(state: State<'_, AppState>, name: String) -> Result<(), CommandError> {
    let person = state.sessions.person().map_err(session_error)?;
    state
        .emergency
        .delete_plan(&name, &person)
        .await
        .map_err(error)
}

#[tauri::command]
pub async fn export_plan(state: State<'_, AppState>, name: String) -> Result<String, CommandError> {
    state.emergency.export_plan(&name).await.map_err(error)
}

/// Proposes switching into `plan`, or back to peacetime when `plan` is null.
#[tauri::command]
#[tracing::instrument(skip_all, fields(plan = ?plan), err(level = "warn", Debug))]
pub async fn propose_switch(
    state: State<'_, AppState>,
    plan: Option<String>,
) -> Result<ProposalView, CommandError> {
    let person = state.sessions.person().map_err(session_error)?;
    state
        .emergency
        .propose(plan.as_deref(), &person)
        .await
        .map_err(error)
}

/// A second person confirms a proposal with their own user name and PIN.
#[tauri::command]
#[tracing::instrument(skip_all, fields(id, username = %username), err(level = "warn", Debug))]
pub async fn confirm_switch(
    state: State<'_, AppState>,
    id: i64,
    username: String,
    pin: String,
) -> Result<(), CommandError> {
    state
        .emergency
        .confirm(id, &username, &pin)
        .await
        .map_err(error)
}

#[tauri::command]
pub async fn cancel_switch(state: State<'_, AppState>, id: i64) -> Result<(), CommandError> {
    let person = state.sessions.person().map_err(session_error)?;
    state.emergency.cancel(id, &person).await.map_err(error)
}
