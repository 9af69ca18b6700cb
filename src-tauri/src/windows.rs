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
    // Sizes and positions are physical pixels, as monitors report them, so
    // they are applied after building (the builder takes logical units).
    match config.size {
        Some((w, h)) => {
            let (x, y) = config.position.unwrap_or((0, 0));
            let window = builder.build()?;
            window.set_size(PhysicalSize::new(w, h))?;
            window.set_position(PhysicalPosition::new(origin.x + x, origin.y + y))?;
        }
        None if config.fullscreen => {
            // Covers its monitor by hand, then asks for full screen: a wall PC
            // may run X with no window manager, which ignores the request,
            // and with one, GTK full-screens on the monitor the window is on.
            let window = builder.build()?;
            let monitor = match monitor {
                Some(m) => Some(m.clone()),
                None => app.primary_monitor()?,
            };
            if let Some(monitor) = monitor {
                window.set_size(*monitor.size())?;
                window.set_position(*monitor.position())?;
            }
            window.set_fullscreen(true)?;
        }
        None => {
            builder = builder.inner_size(1600.0, 900.0);
            builder.build()?;
        }
    }
    tracing::info!(window = %config.label, layout = ?config.layout, size = ?config.size, fullscreen = config.fullscreen, "window open");
    Ok(())
}
