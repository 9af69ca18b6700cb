//! Heals a window whose page died or stopped drawing, instead of leaving a
//! white or frozen screen on the wall until someone notices.
//!
//! - WebKitGTK's `web-process-terminated` (the page's process crashed, was
//!   killed, or exceeded its memory limit): the window is reloaded at once.
//! - No heartbeat for [`STALLED_AFTER`]: each page sends one from its
//!   animation frames ([`heartbeat`]), so a page whose main thread is stuck
//!   stops sending; the window is reloaded. A page stuck hard (a script in
//!   an endless loop, a web process that no longer runs) cannot act on a
//!   reload: if it stays silent for another period, its web process is
//!   ended, and the crash path above brings up a new one.
//!
//! A reloaded page asks Rust for its window's setup and subscribes again:
//! the live picture, pins, focus, footing and broadcast board come back
//! from Rust within a few seconds. Each heal is logged and counted; the
//! console shows the count ([`health`]).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tauri::{AppHandle, Manager, State, WebviewWindow, Window};
use tokio_util::sync::CancellationToken;

use gridwall_wall::view::PageReport;

use crate::state::AppState;

/// A page silent this long is reloaded.
pub const STALLED_AFTER: Duration = Duration::from_secs(20);
/// How often the heartbeats are looked at.
const CHECK_EVERY: Duration = Duration::from_secs(5);

/// Heals so far, quiet-hour reloads, and each window's last heartbeat.
#[derive(Default)]
pub struct Watchdog {
    heals: AtomicU64,
    quiet_reloads: AtomicU64,
    /// std Mutex: held for a map update only.
    beats: Mutex<HashMap<String, Instant>>,
    /// Windows reloaded for a stall that have not drawn a frame since.
    reloaded_silent: Mutex<std::collections::HashSet<String>>,
    /// Windows whose page said it is hidden (it draws no frames).
    hidden: Mutex<std::collections::HashSet<String>>,
    /// What each window's page last said of its picture.
    reports: Mutex<HashMap<String, PageReport>>,
}

impl Watchdog {
    fn healed(&self, window: &str, why: &str) {
        let count = self.heals.fetch_add(1, Ordering::Relaxed) + 1;
        tracing::warn!(
            window,
            heals = count,
            "healing a window: {why}; reloading it"
        );
        // A reloaded page gets the full stall period to come back.
        self.beats
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(window.to_owned(), Instant::now());
    }

    /// A window's page subscribed: it is alive, and from now on it is
    /// watched, whether or not its first heartbeat comes (a page that froze
    /// before its first one was never missed, so never healed).
    pub fn subscribed(&self, window: &str) {
        let hidden = self
            .hidden
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .contains(window);
        if !hidden {
            self.beats
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .entry(window.to_owned())
                .or_insert_with(Instant::now);
        }
    }

    pub fn heals(&self) -> u64 {
        self.heals.load(Ordering::Relaxed)
    }

    pub fn quiet_reloads(&self) -> u64 {
        self.quiet_reloads.load(Ordering::Relaxed)
    }

    /// Each window's page's last report of its picture, by window label.
    pub fn reports(&self) -> std::collections::BTreeMap<String, PageReport> {
        let reports = self.reports.lock().unwrap_or_else(|p| p.into_inner());
        reports.iter().map(|(k, v)| (k.clone(), *v)).collect()
    }
}

/// Reloads every window once a day at `at_minute` of platform time (the
/// quiet-hour reload, `ui.quiet_reload`), until cancelled. Not a heal: it
/// is counted apart.
pub async fn quiet_hour(
    app: AppHandle,
    dog: Arc<Watchdog>,
    clock: gridwall_domain::clock::Clock,
    at_minute: u16,
    cancel: CancellationToken,
) {
    let mut quiet = gridwall_wall::quiet::QuietHour::new(at_minute, clock.now());
    loop {
        tokio::select! {
            () = cancel.cancelled() => return,
            () = tokio::time::sleep(CHECK_EVERY) => {}
        }
        if !quiet.due(clock.now()) {
            continue;
        }
        let count = dog.quiet_reloads.fetch_add(1, Ordering::Relaxed) + 1;
        tracing::info!(reloads = count, "quiet hour: reloading every window");
        for (label, window) in app.webview_windows() {
            // The reloaded page gets the full stall period to come back.
            dog.beats
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(label.clone(), Instant::now());
            if let Err(err) = window.reload() {
                tracing::warn!(window = %label, "cannot reload the window: {err}");
            }
        }
    }
}

/// Reloads `window` when its web process ends (Linux: WebKitGTK).
pub fn watch_crashes(window: &WebviewWindow, dog: Arc<Watchdog>) {
    #[cfg(target_os = "linux")]
    {
        use webkit2gtk::WebViewExt;
        let label = window.label().to_owned();
        let result = window.with_webview(move |webview| {
            let view = webview.inner();
            view.connect_web_process_terminated(move |view, reason| {
                dog.healed(&label, &format!("its web process ended ({reason:?})"));
                // Ended by the stall path, which loads the page again
                // itself once the termination is through.
                if reason != webkit2gtk::WebProcessTerminationReason::TerminatedByApi {
                    view.reload();
                }
            });
        });
        if let Err(err) = result {
            tracing::warn!("cannot watch the window's web process: {err}");
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = (window, dog);
}

/// Reloads every window whose page has not sent a heartbeat for
/// [`STALLED_AFTER`], until cancelled.
pub async fn watch_stalls(app: AppHandle, dog: Arc<Watchdog>, cancel: CancellationToken) {
    loop {
        tokio::select! {
            () = cancel.cancelled() => return,
            () = tokio::time::sleep(CHECK_EVERY) => {}
        }
        let stalled: Vec<String> = dog
            .beats
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .filter(|(_, at)| at.elapsed() > STALLED_AFTER)
            .map(|(label, _)| label.clone())
            .collect();
        for label in stalled {
            let Some(window) = app.get_webview_window(&label) else {
                continue;
            };
            let again = !dog
                .reloaded_silent
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(label.clone());
            if again && end_web_process(&window, &dog) {
                // The crash path counts the heal; the page is loaded again
                // in a new process once the old one is gone.
                tokio::time::sleep(Duration::from_secs(1)).await;
                if let Err(err) = window.reload() {
                    tracing::warn!(window = %label, "cannot reload the window: {err}");
                }
                continue;
            }
            dog.healed(
                &label,
                &format!("no frame for over {} s", STALLED_AFTER.as_secs()),
            );
            if let Err(err) = window.reload() {
                tracing::warn!(window = %label, "cannot reload the window: {err}");
            }
        }
    }
}

/// Ends the web process of a window whose page stayed silent after a
/// reload; `false` where that is not possible (then it is reloaded again).
fn end_web_process(window: &WebviewWindow, dog: &Watchdog) -> bool {
    #[cfg(target_os = "linux")]
    {
        use webkit2gtk::WebViewExt;
        let label = window.label().to_owned();
        tracing::warn!(
            window = %label,
            "still no frame after a reload: ending its web process"
        );
        // A new process gets the full stall period to come up.
        dog.beats
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(label, Instant::now());
        window
            .with_webview(|webview| webview.inner().terminate_web_process())
            .is_ok()
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = (window, dog);
        false
    }
}

/// The page drew a frame: it is alive. `visible: false` when the page was
/// hidden (a minimised console draws no frames and must not be "healed").
/// `report`: what the page shows (kept for the status file).
#[tauri::command]
pub fn heartbeat(
    window: Window,
    state: State<'_, AppState>,
    visible: bool,
    report: Option<PageReport>,
) {
    if let Some(report) = report {
        state
            .watchdog
            .reports
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(window.label().to_owned(), report);
    }
    let mut beats = state
        .watchdog
        .beats
        .lock()
        .unwrap_or_else(|p| p.into_inner());
    let mut hidden = state
        .watchdog
        .hidden
        .lock()
        .unwrap_or_else(|p| p.into_inner());
    if visible {
        hidden.remove(window.label());
        beats.insert(window.label().to_owned(), Instant::now());
        state
            .watchdog
            .reloaded_silent
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(window.label());
    } else {
        hidden.insert(window.label().to_owned());
        beats.remove(window.label());
    }
}

/// The app's own health, for the console's status line.
#[tauri::command]
pub fn health(state: State<'_, AppState>) -> gridwall_wall::feed::AppHealth {
    gridwall_wall::feed::AppHealth {
        heals: state.watchdog.heals(),
        restarts: state.tasks.restarts(),
    }
}
