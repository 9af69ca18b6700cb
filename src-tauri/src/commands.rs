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
        night: state.config.night,
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

/// The town outlines of Cixi (real division boundaries, shipped with the app:
/// the upstream contract has no town geometry).
const TOWNS: &str = include_str!("../../assets/city/towns.geojson");

/// The map's city: the upstream's grid geometry (as ingest cached it), the
/// towns, and grid names from the upstream's grid list, as one JSON body
/// `{"grids": FeatureCollection, "towns": FeatureCollection, "names": [...]}`.
/// Sent as raw bytes: 3.5 MB of GeoJSON is not worth re-serialising.
/// `not_found` until ingest has synced the geometry; the UI asks again.
#[tauri::command]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn city_map(state: State<'_, AppState>) -> Result<tauri::ipc::Response, CommandError> {
    let geometry = state.cache_dir.join("geometry.json");
    let grids = match tokio::fs::read(&geometry).await {
        Ok(bytes) => bytes,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            return Err(CommandError {
                code: ErrorCode::NotFound,
                message: "the grid geometry has not arrived from the platform yet".into(),
            });
        }
        Err(err) => return Err(internal(format!("cannot read the cached geometry: {err}"))),
    };
    let records = state
        .live
        .store()
        .reference("grids")
        .await
        .map_err(|err| internal(format!("cannot read the grid list: {err}")))?;
    let names: Vec<serde_json::Value> = records
        .iter()
        .filter_map(|(_, raw)| serde_json::from_str::<serde_json::Value>(raw).ok())
        .map(|grid| {
            serde_json::json!({
                "grid_id": grid.get("grid_id"),
                "name": grid.get("name"),
                "centroid": grid.get("centroid"),
            })
        })
        .collect();
    let names = serde_json::to_vec(&names).map_err(|err| internal(err.to_string()))?;
    let mut body = Vec::with_capacity(grids.len() + TOWNS.len() + names.len() + 40);
    body.extend_from_slice(b"{\"grids\":");
    body.extend_from_slice(&grids);
    body.extend_from_slice(b",\"towns\":");
    body.extend_from_slice(TOWNS.as_bytes());
    body.extend_from_slice(b",\"names\":");
    body.extend_from_slice(&names);
    body.push(b'}');
    Ok(tauri::ipc::Response::new(body))
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
