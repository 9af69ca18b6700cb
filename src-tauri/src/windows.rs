//! Opens the wall's windows where the configuration puts them.
//!
//! One process drives every screen of the wall: each configured window is
//! placed on its monitor (by index, as the system lists them) and is either a
//! frameless full-screen wall or an ordinary window for a console.

use tauri::{AppHandle, PhysicalPosition, PhysicalSize, WebviewUrl, WebviewWindowBuilder};

use gridwall_wall::config::{Config, WindowConfig};

pub const TITLE: &str = "慈溪市社会治理中心";

pub fn open_all(app: &AppHandle, config: &Config) -> tauri::Result<()> {
    let monitors = app.available_monitors()?;
    for window in &config.windows {
        let monitor = window.monitor.and_then(|i| {
            let found = monitors.get(i);
            if found.is_none() {
                tracing::warn!(window = %window.label, monitor = i, available = monitors.len(), "monitor not found, using the primary one");
            }
            found
        });
        open(app, window, monitor)?;
    }
    Ok(())
}

fn open(
    app: &AppHandle,
    config: &WindowConfig,
    monitor: Option<&tauri::Monitor>,
) -> tauri::Result<()> {
    let origin = monitor
        .map(|m| *m.position())
        .unwrap_or(PhysicalPosition::new(0, 0));
    let mut builder =
        WebviewWindowBuilder::new(app, &config.label, WebviewUrl::App("index.html".into()))
            .title(TITLE)
            .decorations(!config.fullscreen)
            .resizable(!config.fullscreen)
            .background_color(tauri::window::Color(11, 18, 32, 255));
    let window = match config.size {
        Some((w, h)) => {
            let (x, y) = config.position.unwrap_or((0, 0));
            builder = builder.inner_size(1.0, 1.0);
            let window = builder.build()?;
            window.set_size(PhysicalSize::new(w, h))?;
            window.set_position(PhysicalPosition::new(origin.x + x, origin.y + y))?;
            window
        }
        None if config.fullscreen => {
            builder = builder.fullscreen(true);
            let window = builder.build()?;
            window.set_position(origin)?;
            window
        }
        None => builder.inner_size(1600.0, 900.0).build()?,
    };
    tracing::info!(window = %config.label, layout = ?config.layout, size = ?window.inner_size().ok(), "window open");
    Ok(())
}
