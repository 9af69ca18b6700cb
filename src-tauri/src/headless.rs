//! `gridwall --headless`: the core without a window. Ingest (or, on a
//! shared PostgreSQL, the election of the one instance that ingests), the
//! live picture and the other instances' notices run as in the app; no
//! webview is made, so no display is needed. Every instance (headless or
//! not) writes what it shows, in brief, to `status.json` in its data folder
//! as it changes (written whole and renamed, so a reader never sees half).

use std::path::{Path, PathBuf};
use std::time::Duration;

use gridwall_wall::config::Config;
use gridwall_wall::tasks::Tasks;
use tokio_util::sync::CancellationToken;

use crate::state::AppState;
use crate::upstream;

/// How often `status.json` is written.
const STATUS_EVERY: Duration = Duration::from_secs(1);

pub fn run(config: Config, data_dir: &Path, shutdown_bound: Duration) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .worker_threads(2)
        .build()?;
    let tasks = Tasks::new(runtime.handle().clone());
    let result = runtime.block_on(async {
        let started = upstream::start(&config, &tasks).await?;
        let state = AppState::new(config, started, &tasks, data_dir).await?;
        state.start_background(&tasks);
        let status = data_dir.join("status.json");
        let shown = state.clone();
        tasks.spawn(move |cancel| write_status(shown, status, cancel));
        tracing::info!(
            "headless: no windows; status in {}",
            data_dir.join("status.json").display()
        );
        wait_for_signal().await;
        tracing::info!("signal received, stopping");
        anyhow::Ok(())
    });
    if !runtime.block_on(tasks.shutdown(shutdown_bound)) {
        tracing::warn!(bound = ?shutdown_bound, "some background tasks did not stop in time");
    }
    result
}

/// Writes `status.json` when what the instance shows changes, and every
/// second, until cancelled (headless or not). `changed_at_ms` is the system
/// time the change was seen (the propagation benchmark reads it).
pub(crate) async fn write_status(state: AppState, path: PathBuf, cancel: CancellationToken) {
    let temporary = path.with_extension("json.tmp");
    let live = state.live.clone();
    let mut events = live.subscribe();
    let mut last = None;
    loop {
        let mut status = serde_json::to_value(live.status()).unwrap_or_default();
        // The windows' side: pages that subscribed (a reloaded page does it
        // again) and windows the watchdog healed.
        status["pages_subscribed"] = serde_json::json!(state.subscriptions());
        status["heals"] = serde_json::json!(state.watchdog.heals());
        status["quiet_reloads"] = serde_json::json!(state.watchdog.quiet_reloads());
        // What each page says of its picture (when it was whole after loading).
        status["pages"] = serde_json::json!(state.watchdog.reports());
        // Written only when something in it changed: a wall PC runs for
        // months, and grid deltas come up to ten times a second.
        if last.as_ref() != Some(&status) {
            let changed_at_ms = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_millis());
            let mut written = status.clone();
            written["changed_at_ms"] = serde_json::json!(changed_at_ms);
            let bytes = serde_json::to_vec_pretty(&written).unwrap_or_default();
            let result = match tokio::fs::write(&temporary, bytes).await {
                Ok(()) => tokio::fs::rename(&temporary, &path).await,
                Err(err) => Err(err),
            };
            if let Err(err) = result {
                tracing::warn!("cannot write {}: {err}", path.display());
            }
            last = Some(status);
        }
        tokio::select! {
            () = cancel.cancelled() => return,
            () = tokio::time::sleep(STATUS_EVERY) => {}
            // Pins, focus, the database link: written as they change.
            _ = events.recv() => {}
        }
    }
}

/// Ctrl-C or SIGTERM.
async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    let _ = tokio::signal::ctrl_c().await;
}
