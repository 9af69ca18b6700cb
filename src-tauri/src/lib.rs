//! The Tauri shell: windows, commands and channels, and nothing else.
//!
//! Everything with logic lives in library crates that build and test without a
//! window (`gridwall-wall`, `gridwall-domain`, `gridwall-sim`); this crate only
//! adapts them to Tauri. Commands are a few lines each: take the state, call
//! the core, convert the error.
//!
//! - `commands`: what the UI may invoke (`console`, `video`, `broadcast`,
//!   `footing` by area; `footing`: sign-in, plans and the two-person switch).
//! - `windows`: opening the wall's windows where the config puts them.
//! - `screenshots`: a PNG of each window every few seconds, for walls without a display.
//! - `upstream`: the two upstreams, or the embedded simulator standing in for them.
//! - `headless`: `--headless`, the core with no window (a server that ingests).
//! - `watchdog`: reloads a window whose page crashed or stopped drawing.

mod broadcast;
mod commands;
mod console;
mod footing;
mod headless;
mod screenshots;
mod state;
mod upstream;
mod video;
mod warnings;
mod watchdog;
mod windows;

use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use tauri::Manager;

use gridwall_wall::config::{Cli, Config};
use gridwall_wall::tasks::Tasks;

use crate::state::AppState;

/// How long shutdown waits for background tasks before leaving anyway.
const SHUTDOWN_BOUND: Duration = Duration::from_secs(3);

/// Parses flags and config, then runs the wall until it is closed; or runs
/// an administration command (`accounts`, `audit`) with no window.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Some(command) = &cli.command {
        return gridwall_wall::admin::main(&cli, command);
    }
    let config = match Config::load(&cli) {
        Ok(config) => config,
        Err(err) => {
            eprintln!("gridwall: {err}");
            return ExitCode::from(2);
        }
    };
    // Before any thread exists (the runtime, the logger and GTK start in
    // `run`): WebKitGTK reads this when the first webview is made.
    if !config.compositing && std::env::var_os("WEBKIT_DISABLE_COMPOSITING_MODE").is_none() {
        // SAFETY: single-threaded here; nothing else reads the environment yet.
        unsafe { std::env::set_var("WEBKIT_DISABLE_COMPOSITING_MODE", "1") };
    }
    if cli.headless {
        return exit_code(run_headless(config));
    }
    if !has_display() {
        eprintln!(
            "gridwall: no display found (neither DISPLAY nor WAYLAND_DISPLAY is set).\n\
             To run the wall on a server without a screen, use the headless mode:\n\
             \n    scripts/run --headless\n\n\
             It starts the same app under Xvfb and writes a PNG of each window every 5 s to\n\
             target/wall-screenshots/ (or pass --screenshot-dir DIR --screenshot-every SECS)."
        );
        return ExitCode::from(2);
    }
    exit_code(run(config))
}

fn exit_code(result: anyhow::Result<()>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            tracing::error!("{err:#}");
            eprintln!("gridwall: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn has_display() -> bool {
    let set = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty());
    set("DISPLAY") || set("WAYLAND_DISPLAY")
}

/// The core with no window (`--headless`).
fn run_headless(config: Config) -> anyhow::Result<()> {
    let data_dir = config.data_dir_or_default();
    let _log_guard = start_logging(&config, &data_dir, "headless")?;
    headless::run(config, &data_dir, SHUTDOWN_BOUND)
}

/// The log (kept while the guard lives), and its first line.
fn start_logging(
    config: &Config,
    data_dir: &std::path::Path,
    mode: &str,
) -> anyhow::Result<impl Sized + use<>> {
    let guard = gridwall_wall::logging::init(
        &config.log_filter,
        &data_dir.join("logs"),
        config.log_keep_days,
    )?;
    tracing::info!(version = env!("CARGO_PKG_VERSION"), data_dir = %data_dir.display(), mode, "gridwall starting");
    Ok(guard)
}

fn run(config: Config) -> anyhow::Result<()> {
    let data_dir = config.data_dir_or_default();
    let _log_guard = start_logging(&config, &data_dir, "windows")?;

    // One tokio runtime for everything, shared with Tauri's async commands.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .worker_threads(2)
        .build()?;
    tauri::async_runtime::set(runtime.handle().clone());
    let tasks = Tasks::new(runtime.handle().clone());

    let started = runtime.block_on(upstream::start(&config, &tasks))?;
    let state = runtime.block_on(async {
        let state = AppState::new(config, started, &tasks, &data_dir).await?;
        state.start_background(&tasks);
        let (shown, status) = (state.clone(), data_dir.join("status.json"));
        tasks.spawn(move |cancel| headless::write_status(shown, status, cancel));
        anyhow::Ok(state)
    })?;

    let proxy = state.video.clone();
    let app = tauri::Builder::default()
        .register_asynchronous_uri_scheme_protocol(
            gridwall_wall::video_proxy::SCHEME,
            move |_, request, responder| {
                let proxy = proxy.clone();
                tauri::async_runtime::spawn(async move {
                    responder.respond(video::serve(&proxy, request).await);
                });
            },
        )
        .invoke_handler(tauri::generate_handler![
            commands::window_setup,
            commands::remember_view,
            commands::subscribe,
            commands::city_map,
            commands::acknowledge_alert,
            commands::breach_map,
            watchdog::heartbeat,
            watchdog::health,
            video::cameras,
            console::console_level,
            console::console_incident,
            console::console_photo,
            console::console_search,
            console::push_to_wall,
            console::handover,
            video::ptz,
            video::video_scenes,
            video::save_scene,
            video::delete_scene,
            video::set_rotation,
            footing::sign_in,
            footing::sign_out,
            footing::signed_in,
            footing::plans,
            footing::save_plan,
            footing::delete_plan,
            footing::export_plan,
            footing::propose_switch,
            footing::confirm_switch,
            footing::cancel_switch,
            broadcast::broadcast_preview,
            broadcast::send_broadcast,
            broadcast::broadcasts,
            warnings::warnings,
            warnings::acknowledge_warning,
            warnings::hand_over_warning,
            warnings::feed_back_warning
        ])
        .setup({
            let state = state.clone();
            let tasks = tasks.clone();
            move |app| {
                windows::open_all(app.handle(), &state.config)?;
                for window in app.webview_windows().values() {
                    watchdog::watch_crashes(window, state.watchdog.clone());
                }
                let (handle, dog) = (app.handle().clone(), state.watchdog.clone());
                tasks.spawn(|cancel| watchdog::watch_stalls(handle, dog, cancel));
                if let Some(at) = state.config.quiet_reload {
                    let (handle, dog) = (app.handle().clone(), state.watchdog.clone());
                    let clock = state.clock.clone();
                    tasks.spawn(move |cancel| watchdog::quiet_hour(handle, dog, clock, at, cancel));
                }
                if let Some(shots) = &state.config.screenshots {
                    let handle = app.handle().clone();
                    let shots = shots.clone();
                    tasks.spawn(|cancel| screenshots::run(handle, shots, cancel));
                }
                let handle = app.handle().clone();
                tasks.spawn(|cancel| exit_on_signal(handle, cancel));
                app.manage(state);
                Ok(())
            }
        })
        .build(tauri::generate_context!("../tauri.conf.json"))?;

    app.run(move |_, event| {
        if let tauri::RunEvent::Exit = event {
            tracing::info!("shutting down");
            if !runtime.block_on(tasks.shutdown(SHUTDOWN_BOUND)) {
                tracing::warn!(bound = ?SHUTDOWN_BOUND, "some background tasks did not stop in time");
            }
        }
    });
    Ok(())
}

/// SIGTERM and Ctrl-C close the wall as the window's own close would.
async fn exit_on_signal(app: tauri::AppHandle, cancel: tokio_util::sync::CancellationToken) {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
        Ok(term) => term,
        Err(err) => {
            tracing::warn!("cannot listen for SIGTERM: {err}");
            return;
        }
    };
    #[cfg(unix)]
    let term = term.recv();
    #[cfg(not(unix))]
    let term = std::future::pending::<Option<()>>();
    tokio::select! {
        _ = cancel.cancelled() => return,
        _ = ctrl_c => {}
        _ = term => {}
    }
    tracing::info!("signal received, closing the wall");
    app.exit(0);
}
