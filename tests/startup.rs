//! What the binary says before any window opens.

use std::process::Command;
use std::time::{Duration, Instant};

use gridwall_suite::{Display, app_binary, terminate};

#[test]
fn a_bad_config_value_stops_the_app_with_a_message_naming_it() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let config = dir.path().join("wall.toml");
    std::fs::write(&config, "[simulator]\nspeed = -3\n")?;
    let out = Command::new(app_binary()?)
        .arg("--config")
        .arg(&config)
        .env("DISPLAY", ":0")
        .output()?;
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("simulator.speed") && stderr.contains("-3"),
        "{stderr}"
    );
    Ok(())
}

#[test]
fn a_missing_config_file_is_named() -> anyhow::Result<()> {
    let out = Command::new(app_binary()?)
        .args(["--config", "no-such-wall.toml"])
        .env("DISPLAY", ":0")
        .output()?;
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no-such-wall.toml"));
    Ok(())
}

#[test]
fn without_a_display_the_app_says_so_and_offers_the_headless_way() -> anyhow::Result<()> {
    let out = Command::new(app_binary()?)
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .output()?;
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("no display"), "{stderr}");
    assert!(stderr.contains("scripts/run --headless"), "{stderr}");
    Ok(())
}

#[test]
fn headless_mode_writes_a_screenshot_of_the_window_every_few_seconds() -> anyhow::Result<()> {
    let display = Display::start(1280, 720)?;
    let dir = tempfile::tempdir()?;
    let shots = dir.path().join("shots");
    let mut app = Command::new(app_binary()?)
        .env("DISPLAY", display.name())
        .arg(format!("--data-dir={}", dir.path().display()))
        .arg(format!("--screenshot-dir={}", shots.display()))
        .args(["--screenshot-every=1", "--size=1280x720"])
        .spawn()?;
    let png = shots.join("wall.png");
    let started = Instant::now();
    let mut sizes = Vec::new();
    // Two pictures in turn: the file is rewritten, not written once.
    while sizes.len() < 2 && started.elapsed() < Duration::from_secs(40) {
        if let Ok(meta) = std::fs::metadata(&png) {
            let modified = meta.modified()?;
            if sizes.last() != Some(&modified) {
                sizes.push(modified);
            }
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    terminate(&app);
    let status = app.wait()?;
    assert!(sizes.len() >= 2, "wall.png was written and then rewritten");
    let bytes = std::fs::read(&png)?;
    assert_eq!(&bytes[1..4], b"PNG");
    let (w, h) = (
        u32::from_be_bytes(bytes[16..20].try_into()?),
        u32::from_be_bytes(bytes[20..24].try_into()?),
    );
    assert_eq!((w, h), (1280, 720), "the screenshot is the whole window");
    assert!(
        status.success(),
        "SIGTERM closes the wall cleanly, got {status}"
    );
    Ok(())
}
