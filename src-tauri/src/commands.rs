//! What the UI may invoke. Each command is an adapter: state in, core call, error out.

use tauri::ipc::Channel;
use tauri::{State, Window};

use gridwall_wall::city_map::CityMapError;
use gridwall_wall::feed::{self, CommandError, ErrorCode, WallEvent, WindowSetup};
use gridwall_wall::view::PageView;

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
        night: state.config.night,
        version: env!("CARGO_PKG_VERSION").to_string(),
        view: state.views.of(window.label()),
    })
}

/// The page's own choices (selection, map layer, camera layout, place in
/// the rotation), kept so a reloaded page comes back as it was.
#[tauri::command]
pub fn remember_view(window: Window, state: State<'_, AppState>, view: PageView) {
    if !state.views.remember(window.label(), view) {
        tracing::warn!(
            window = window.label(),
            "refused a page view with an oversized field"
        );
    }
}

/// Starts the window's live feed on `events`; a second call replaces the first.
#[tauri::command]
#[tracing::instrument(skip_all, fields(window = window.label()))]
pub fn subscribe(window: Window, state: State<'_, AppState>, events: Channel<WallEvent>) {
    let cancel = state.replace_feed(window.label());
    state.watchdog.subscribed(window.label());
    let clock = state.clock.clone();
    let links = state.links.clone();
    let live = state.live.clone();
    let label = window.label().to_string();
    // The brain's warnings come on their own channel (not the live
    // picture's), forwarded until the window's feed is replaced or ends.
    let brain = state.warnings.clone();
    let mut warnings = brain.subscribe();
    let to_window = events.clone();
    let forward = cancel.clone();
    state.tasks.spawn(move |_| async move {
        // The day's list first, then what changes.
        if let Ok(list) = brain.list(24).await {
            let full = WallEvent::Warnings {
                warnings: list,
                full: true,
            };
            if to_window.send(full).is_err() {
                return;
            }
        }
        loop {
            let event = tokio::select! {
                _ = forward.cancelled() => return,
                event = warnings.recv() => event,
            };
            match event {
                Ok(event) => {
                    if to_window.send(event).is_err() {
                        return;
                    }
                }
                // A window behind asks for the list again (`warnings`).
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
                Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
            }
        }
    });
    state.tasks.spawn(move |_| async move {
        feed::feed_window(
            clock,
            links,
            Some(live),
            move |event| events.send(event).is_ok(),
            cancel,
        )
        .await;
        tracing::debug!(window = %label, "feed ended");
    });
}

/// The map's city as one JSON body, sent as raw bytes (see
/// [`gridwall_wall::city_map`]). `not_found` until ingest has synced the
/// geometry; the UI asks again.
#[tauri::command]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn city_map(state: State<'_, AppState>) -> Result<tauri::ipc::Response, CommandError> {
    match state.city_map.body().await {
        Ok(body) => Ok(tauri::ipc::Response::new(body)),
        Err(err @ CityMapError::NotYet(_)) => Err(CommandError {
            code: ErrorCode::NotFound,
            message: err.to_string(),
        }),
        Err(err) => Err(internal(err.to_string())),
    }
}

/// Each grid's next deadline, for the map's time-to-breach layer.
#[tauri::command]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn breach_map(
    state: State<'_, AppState>,
) -> Result<Vec<gridwall_wall::feed::GridDue>, CommandError> {
    state
        .live
        .next_due()
        .await
        .map_err(|err| internal(format!("cannot read the deadlines: {err:#}")))
}

fn internal(message: String) -> CommandError {
    tracing::warn!("{message}");
    CommandError {
        code: ErrorCode::Internal,
        message,
    }
}

/// An operator acknowledged a pinned alert: stored in the audit log with who
/// (the console's user and window) and when (platform time).
#[tauri::command]
#[tracing::instrument(skip_all, fields(window = window.label(), event = %event_id), err(Debug))]
pub async fn acknowledge_alert(
    window: Window,
    state: State<'_, AppState>,
    event_id: String,
) -> Result<(), CommandError> {
    if event_id.is_empty() || event_id.len() > 200 {
        return Err(CommandError {
            code: ErrorCode::Invalid,
            message: "not an event id".into(),
        });
    }
    let entry = gridwall_store::AuditEntry {
        at: state.clock.now(),
        actor: state.sessions.actor(window.label()),
        action: "acknowledge_alert".into(),
        subject: event_id,
        detail: String::new(),
    };
    state
        .live
        .store()
        .record_audit(&entry)
        .await
        .map_err(|err| internal(format!("cannot record the acknowledgement: {err}")))?;
    // Recorded first: an acknowledgement that was not stored unpins nothing.
    state.live.acknowledge(&entry.subject);
    Ok(())
}
