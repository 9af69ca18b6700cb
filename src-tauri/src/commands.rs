//! What the UI may invoke. Each command is an adapter: state in, core call, error out.

use tauri::ipc::Channel;
use tauri::{State, Window};

use gridwall_wall::feed::{self, CommandError, ErrorCode, WallEvent, WindowSetup};

use crate::state::AppState;

/// The window's own settings: its layout, the language, kiosk mode.
#[tauri::command]
#[tracing::instrument(skip_all, fields(window = window.label()), err(Debug))]
pub fn window_setup(
    window: Window,
    state: State<'_, AppState>,
) -> Result<WindowSetup, CommandError> {
    let config = state
        .config
        .windows
        .iter()
        .find(|w| w.label == window.label())
        .ok_or_else(|| CommandError {
            code: ErrorCode::NotFound,
            message: format!("window {} is not in the configuration", window.label()),
        })?;
    Ok(WindowSetup {
        label: config.label.clone(),
        layout: config.layout,
        language: state.config.language,
        kiosk: state.config.kiosk,
        version: env!("CARGO_PKG_VERSION").to_string(),
    })
}

/// Starts the window's live feed on `events`; a second call replaces the first.
#[tauri::command]
#[tracing::instrument(skip_all, fields(window = window.label()))]
pub fn subscribe(window: Window, state: State<'_, AppState>, events: Channel<WallEvent>) {
    let cancel = state.replace_feed(window.label());
    let clock = state.clock.clone();
    let links = state.links.clone();
    let label = window.label().to_string();
    state.tasks.spawn(move |_| async move {
        feed::feed_window(
            clock,
            links,
            move |event| events.send(event).is_ok(),
            cancel,
        )
        .await;
        tracing::debug!(window = %label, "feed ended");
    });
}
