//! A PNG of each window every few seconds, so a wall running on a server
//! without a screen can still be looked at.
//!
//! WebKitGTK renders the snapshot itself (`webkit_web_view_get_snapshot`), so
//! this works under Xvfb and on a real display alike, with no capture tool.
//! Files are overwritten in place (`<label>.png`), so the folder always holds
//! the latest picture of every window and never grows.

use std::path::PathBuf;
use std::time::Duration;

use tauri::{AppHandle, Manager};
use tokio_util::sync::CancellationToken;

use gridwall_wall::config::Screenshots;

pub async fn run(app: AppHandle, shots: Screenshots, cancel: CancellationToken) {
    if let Err(err) = std::fs::create_dir_all(&shots.dir) {
        tracing::error!(dir = %shots.dir.display(), "cannot create the screenshot folder: {err}");
        return;
    }
    tracing::info!(dir = %shots.dir.display(), every_secs = shots.every_secs, "writing window screenshots");
    // The first picture after one period: at start the page is not loaded yet.
    let every = Duration::from_secs(shots.every_secs);
    let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
    loop {
        tokio::select! {
            _ = cancel.cancelled() => return,
            _ = tick.tick() => {}
        }
        for (label, window) in app.webview_windows() {
            let path = shots.dir.join(format!("{label}.png"));
            snapshot(&window, path);
        }
    }
}

#[cfg(target_os = "linux")]
fn snapshot(window: &tauri::WebviewWindow, path: PathBuf) {
    use webkit2gtk::{SnapshotOptions, SnapshotRegion, WebViewExt};
    let result = window.with_webview(move |webview| {
        let view = webview.inner();
        view.snapshot(
            SnapshotRegion::Visible,
            SnapshotOptions::NONE,
            None::<&gio_cancellable::Cancellable>,
            move |result| {
                let written = result.map_err(|e| e.to_string()).and_then(|surface| {
                    let image = cairo::ImageSurface::try_from(surface)
                        .map_err(|_| "not an image surface".to_string())?;
                    let tmp = path.with_extension("png.tmp");
                    let mut file = std::fs::File::create(&tmp).map_err(|e| e.to_string())?;
                    image.write_to_png(&mut file).map_err(|e| e.to_string())?;
                    std::fs::rename(&tmp, &path).map_err(|e| e.to_string())
                });
                if let Err(err) = written {
                    tracing::warn!("window screenshot failed: {err}");
                }
            },
        );
    });
    if let Err(err) = result {
        tracing::warn!("cannot reach the webview for a screenshot: {err}");
    }
}

#[cfg(target_os = "linux")]
mod gio_cancellable {
    pub use webkit2gtk::gio::Cancellable;
}

#[cfg(not(target_os = "linux"))]
fn snapshot(_window: &tauri::WebviewWindow, _path: PathBuf) {
    tracing::warn!("window screenshots are implemented for Linux (WebKitGTK) only");
}
