//! Commands of the duty officer's console (issue 7). Each is an adapter over
//! [`gridwall_wall::console::Console`]: arguments in, core call, error out.

use tauri::{State, Window};

use gridwall_wall::console::{ConsoleError, Filter, IncidentDetail, LevelView, Place, SearchHit};
use gridwall_wall::feed::{CommandError, ErrorCode, FocusItem};

use crate::state::AppState;

fn error(err: ConsoleError) -> CommandError {
    let code = match &err {
        ConsoleError::NotFound(_) => ErrorCode::NotFound,
        ConsoleError::Invalid(_) => ErrorCode::Invalid,
        ConsoleError::Upstream(_) | ConsoleError::Store(_) => {
            tracing::warn!("console: {err}");
            ErrorCode::Internal
        }
    };
    CommandError {
        code,
        message: err.to_string(),
    }
}

/// Who did it: the console's user and window, as the audit log records.
pub(crate) fn actor(state: &AppState, window: &Window) -> String {
    state.sessions.actor(window.label())
}

/// Everything shown for one place of the tree under the officer's filters.
#[tauri::command]
#[tracing::instrument(skip_all, fields(level = ?place.level, id = %place.id), err(level = "warn", Debug))]
pub async fn console_level(
    state: State<'_, AppState>,
    place: Place,
    filter: Filter,
) -> Result<LevelView, CommandError> {
    state.console.level(&place, &filter).await.map_err(error)
}

/// One incident with its closed loop, photos' URLs, cameras and workers.
#[tauri::command]
#[tracing::instrument(skip_all, fields(event = %id), err(level = "warn", Debug))]
pub async fn console_incident(
    state: State<'_, AppState>,
    id: String,
) -> Result<IncidentDetail, CommandError> {
    state.console.incident(&id).await.map_err(error)
}

/// A photo of an incident, fetched by Rust (the token stays here), as bytes.
#[tauri::command]
#[tracing::instrument(skip_all, err(level = "debug", Debug))]
pub async fn console_photo(
    state: State<'_, AppState>,
    url: String,
) -> Result<tauri::ipc::Response, CommandError> {
    let (_mime, bytes) = state.console.photo(&url).await.map_err(error)?;
    Ok(tauri::ipc::Response::new(bytes))
}

/// Incidents by id prefix or address fragment, grids and workers by name.
#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Debug))]
pub async fn console_search(
    state: State<'_, AppState>,
    query: String,
) -> Result<Vec<SearchHit>, CommandError> {
    state.console.search(&query).await.map_err(error)
}

/// Puts a grid (`kind` = `grid`) or an incident (`incident`) on the wall's
/// focus area: recorded in the audit log, then shown on every wall window.
#[tauri::command]
#[tracing::instrument(skip_all, fields(window = window.label(), kind = %kind, id = %id), err(level = "warn", Debug))]
pub async fn push_to_wall(
    window: Window,
    state: State<'_, AppState>,
    kind: String,
    id: String,
) -> Result<FocusItem, CommandError> {
    let focus = state
        .console
        .push_to_wall(&kind, &id, &actor(&state, &window))
        .await
        .map_err(error)?;
    state.live.push_focus(focus.clone());
    Ok(focus)
}

/// Produces the shift handover report (交接班) as `pdf` or `png` in the data
/// folder's `handover/` and returns where, with the figures it prints.
#[tauri::command]
#[tracing::instrument(skip_all, fields(window = window.label(), format = %format), err(level = "warn", Debug))]
pub async fn handover(
    window: Window,
    state: State<'_, AppState>,
    format: String,
) -> Result<gridwall_wall::handover::HandoverResult, CommandError> {
    let internal = |message: String| {
        tracing::warn!("{message}");
        CommandError {
            code: ErrorCode::Internal,
            message,
        }
    };
    if format != "pdf" && format != "png" {
        return Err(CommandError {
            code: ErrorCode::Invalid,
            message: format!("a handover report is pdf or png, not {format:?}"),
        });
    }
    let directory = state.console.directory().await.map_err(error)?;
    let now = state.clock.now();
    let (report, figures) = gridwall_wall::handover::gather(
        state.live.store(),
        &directory,
        now,
        state.config.language,
        &actor(&state, &window),
    )
    .await
    .map_err(|err| internal(format!("cannot gather the shift: {err}")))?;
    let shift_start = gridwall_wall::rfc3339(report.shift_start);
    let shift_end = gridwall_wall::rfc3339(report.shift_end);
    let png = format == "png";
    // Drawing and encoding take a second or two of CPU: off the async threads.
    let bytes = tokio::task::spawn_blocking(move || {
        if png {
            gridwall_report::render_png(&report, 2.0)
        } else {
            gridwall_report::render_pdf(&report)
        }
    })
    .await
    .map_err(|err| internal(format!("the report renderer stopped: {err}")))?
    .map_err(|err| internal(format!("cannot draw the report: {err}")))?;
    let folder = state
        .cache_dir
        .parent()
        .unwrap_or(&state.cache_dir)
        .join("handover");
    let path = folder.join(gridwall_wall::handover::file_name(now, &format));
    tokio::fs::create_dir_all(&folder)
        .await
        .map_err(|err| internal(format!("cannot create {}: {err}", folder.display())))?;
    tokio::fs::write(&path, bytes)
        .await
        .map_err(|err| internal(format!("cannot write {}: {err}", path.display())))?;
    tracing::info!(path = %path.display(), "handover report written");
    Ok(gridwall_wall::handover::HandoverResult {
        path: path.display().to_string(),
        format,
        shift_start,
        shift_end,
        figures,
    })
}
