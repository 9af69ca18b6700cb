//! The watchdog (issue 15): a window whose web process dies, or stops
//! running, is healed and shows the wall again, with the heal counted for
//! the console.

use std::time::Duration;

use std::process::{Command, Stdio};

use anyhow::Result;
use gridwall_suite::cluster::status_in;
use gridwall_suite::{Display, app_binary, terminate};

/// Sends `signal` to every WebKit web process of the app `app_pid` (other
/// tests' apps may run at the same time); how many.
fn signal_web_processes(app_pid: u32, signal: libc::c_int) -> Result<usize> {
    let comm = |pid: &str| std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
    let parent = |pid: &str| -> Option<String> {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        let after = stat.rsplit_once(')')?.1;
        after.split_whitespace().nth(1).map(str::to_owned)
    };
    let mut killed = 0;
    for entry in std::fs::read_dir("/proc")?.flatten() {
        let pid = entry.file_name().to_string_lossy().into_owned();
        if !pid.chars().all(|c| c.is_ascii_digit()) || !comm(&pid).starts_with("WebKitWebProces") {
            continue;
        }
        if parent(&pid).is_some_and(|p| p == app_pid.to_string()) {
            // SAFETY: kill(2) on a pid just read from /proc; no memory is shared.
            unsafe { libc::kill(pid.parse()?, signal) };
            killed += 1;
        }
    }
    Ok(killed)
}

/// Distinct colours in a PNG: a blank or white page has a handful, the
/// wall thousands.
fn colours(png_path: &std::path::Path) -> Result<usize> {
    Ok(gridwall_suite::shots::read(png_path)?.colours())
}

/// Waits until `check` holds for the app's status.json.
async fn wait_status(
    dir: &std::path::Path,
    within: Duration,
    what: &str,
    check: impl Fn(&serde_json::Value) -> bool,
) -> Result<serde_json::Value> {
    let started = std::time::Instant::now();
    loop {
        if let Some(status) = status_in(dir).filter(|s| check(s)) {
            return Ok(status);
        }
        anyhow::ensure!(
            started.elapsed() < within,
            "{what} (after {within:?}): {:?}",
            status_in(dir)
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// The app under its own display, without WebDriver: WebKitWebDriver ends
/// its session when the page's process dies, so the healed page is seen
/// the way a wall without an operator is: its screenshots and its status.
#[tokio::test]
async fn a_window_whose_page_died_is_reloaded_and_live_again() -> Result<()> {
    heal_after(
        libc::SIGKILL,
        Duration::from_secs(30),
        "watchdog-healed-1280x720.png",
    )
    .await
}

/// A web process that stops running (SIGSTOP: as a page stuck in a script
/// or a process stuck in a driver) sends no frames and cannot act on a
/// reload: after one stall period the window is reloaded, after a second
/// its web process is ended, and a new one shows the wall.
#[tokio::test]
async fn a_window_whose_page_stopped_running_is_healed_and_live_again() -> Result<()> {
    heal_after(
        libc::SIGSTOP,
        Duration::from_secs(90),
        "watchdog-stall-healed-1280x720.png",
    )
    .await
}

/// Starts the app, sends `signal` to its web processes once the page is
/// live, and checks that within `within` a heal is counted, the page
/// subscribes again and its window shows the wall (saved as `shot`).
async fn heal_after(signal: libc::c_int, within: Duration, shot: &str) -> Result<()> {
    let display = Display::start(1280, 720)?;
    let dir = tempfile::tempdir()?;
    let shots = dir.path().join("shots");
    let mut app = Command::new(app_binary()?)
        .env("DISPLAY", display.name())
        .env_remove("WAYLAND_DISPLAY")
        .arg(format!("--data-dir={}", dir.path().display()))
        .arg(format!("--screenshot-dir={}", shots.display()))
        .args(["--screenshot-every=1", "--size=1280x720"])
        .stdout(Stdio::null())
        .spawn()?;
    let result = async {
        wait_status(
            dir.path(),
            Duration::from_secs(60),
            "the page never subscribed",
            |s| s["pages_subscribed"].as_u64() >= Some(1),
        )
        .await?;
        let signalled_at = std::time::SystemTime::now();
        let signalled = signal_web_processes(app.id(), signal)?;
        anyhow::ensure!(signalled > 0, "found no web process of the app to signal");
        let healed = wait_status(dir.path(), within, "the window was not healed", |s| {
            s["heals"].as_u64() >= Some(1) && s["pages_subscribed"].as_u64() >= Some(2)
        })
        .await?;
        // A picture taken after the reloaded page subscribed shows the wall.
        let after = std::time::SystemTime::now();
        let since_signal = |t: std::time::SystemTime| {
            t.duration_since(signalled_at)
                .unwrap_or_default()
                .as_secs_f64()
        };
        println!(
            "healed: the page subscribed again {:.1} s after the signal",
            since_signal(after)
        );
        let png = shots.join("wall.png");
        let started = std::time::Instant::now();
        // The first picture after the heal that shows the wall (pictures
        // are taken once a second), for the benchmark's figure.
        let mut whole_at = None;
        loop {
            let modified = std::fs::metadata(&png).and_then(|m| m.modified()).ok();
            if whole_at.is_none()
                && let Some(m) = modified.filter(|m| *m > after)
                && colours(&png)? > 200
            {
                whole_at = Some(m);
                println!(
                    "healed: the window showed the wall {:.1} s after the signal",
                    since_signal(m)
                );
            }
            let fresh = modified.is_some_and(|m| m > after + Duration::from_secs(3));
            if fresh && colours(&png)? > 200 {
                break;
            }
            anyhow::ensure!(
                started.elapsed() < Duration::from_secs(30),
                "the healed window shows no wall ({} colours)",
                colours(&png).unwrap_or(0)
            );
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
        // The reloaded page says when its picture was whole again.
        let signalled_ms = signalled_at
            .duration_since(std::time::UNIX_EPOCH)?
            .as_millis() as u64;
        let whole = wait_status(
            dir.path(),
            Duration::from_secs(30),
            "the healed page never said it was whole again",
            |s| s["pages"]["wall"]["whole_at_ms"].as_u64() > Some(signalled_ms),
        )
        .await?;
        println!(
            "healed: the page was whole again {:.1} s after the signal (its own clock)",
            (whole["pages"]["wall"]["whole_at_ms"].as_u64().unwrap_or(0) - signalled_ms) as f64
                / 1000.0
        );
        std::fs::copy(&png, gridwall_suite::screenshot_dir().join(shot))?;
        anyhow::Ok(healed)
    }
    .await;
    // A stopped web process left behind would outlive the app.
    signal_web_processes(app.id(), libc::SIGKILL).ok();
    terminate(&app);
    app.wait()?;
    result.map(|_| ())
}

/// The quiet-hour reload (`ui.quiet_reload`): at its minute of platform
/// time every window is reloaded once, counted apart from heals, and the
/// page comes back live. The embedded simulator at 720× (a day in two
/// minutes) brings the minute six platform hours after start.
#[tokio::test]
async fn the_quiet_hour_reloads_every_window_once_and_the_wall_comes_back() -> Result<()> {
    let display = Display::start(1280, 720)?;
    let dir = tempfile::tempdir()?;
    let china = time::OffsetDateTime::now_utc().to_offset(time::macros::offset!(+8));
    let at = china + time::Duration::hours(6);
    let config = dir.path().join("quiet.toml");
    std::fs::write(
        &config,
        format!(
            "[ui]\nquiet_reload = \"{:02}:{:02}\"\n",
            at.hour(),
            at.minute()
        ),
    )?;
    let mut app = Command::new(app_binary()?)
        .env("DISPLAY", display.name())
        .env_remove("WAYLAND_DISPLAY")
        .arg(format!("--data-dir={}", dir.path().display()))
        .arg(format!("--config={}", config.display()))
        .args(["--sim-speed=720", "--size=1280x720"])
        .stdout(Stdio::null())
        .spawn()?;
    let result = async {
        let first = wait_status(
            dir.path(),
            Duration::from_secs(60),
            "the page never subscribed",
            |s| s["pages_subscribed"].as_u64() >= Some(1),
        )
        .await?;
        anyhow::ensure!(
            first["quiet_reloads"] == 0,
            "reloaded before its minute: {first}"
        );
        let after = wait_status(
            dir.path(),
            Duration::from_secs(90),
            "the quiet hour did not reload the window",
            |s| s["quiet_reloads"].as_u64() >= Some(1) && s["pages_subscribed"].as_u64() >= Some(2),
        )
        .await?;
        anyhow::ensure!(after["heals"] == 0, "a quiet reload is not a heal: {after}");
        anyhow::Ok(())
    }
    .await;
    terminate(&app);
    app.wait()?;
    result
}

/// A page reloaded (as the watchdog and the quiet hour reload it) comes
/// back as the operator left it: the grid selected on the map (and its
/// cameras in focus), the map's layer, the camera layout picked by hand and
/// the place in the rotation. Prints how long the page took to come back.
#[tokio::test]
async fn a_reloaded_page_comes_back_as_the_operator_left_it() -> Result<()> {
    use gridwall_suite::{Launch, Sim, Wall};
    let sim = Sim::start(&["--seed=5"]).await?;
    let wall = Wall::launch(Launch::default().size(1920, 1080).against(&sim)).await?;
    let result = async {
        wall.wait_for_live().await?;
        wall.wait_for_js(
            "return !!window.__gridwallVideo && !!window.__gridwallMap && window.__gridwallMap.count() > 0",
            Duration::from_secs(60),
        )
        .await?;
        // A camera layout by hand, and a few steps into its rotation.
        wall.js(
            "window.__gridwallVideo.followAlerts(false); window.__gridwallVideo.setLayout('4'); \
             window.__gridwallVideo.setDwell(300); return true",
        )
        .await?;
        wall.wait_for_js(
            "return window.__gridwallVideo.scene().index >= 2",
            Duration::from_secs(20),
        )
        .await?;
        let index = wall
            .js("window.__gridwallVideo.hold(true); return window.__gridwallVideo.scene().index")
            .await?;
        // The time-to-breach layer, and a grid selected on the map.
        wall.click("[data-testid=map-layer-breach]").await?;
        let grid = select_a_grid(&wall).await?;
        let before = wall.js(SNAPSHOT).await?;
        assert_eq!(before["layer"], "breach", "{before}");
        assert_eq!(before["selected"], grid.as_str(), "{before}");
        assert_eq!(before["manual"], "4", "{before}");
        // The page reports its choices once it has been quiet a moment.
        tokio::time::sleep(Duration::from_millis(1_500)).await;

        let reloaded = std::time::Instant::now();
        // The old page is marked, so the checks below can only pass on the new one.
        wall.js("window.__oldPage = true; setTimeout(() => location.reload(), 50); return true")
            .await?;
        wall.wait_for_js(
            &format!(
                "return !window.__oldPage \
                 && document.querySelector('[data-testid=screen]')?.dataset.ready === 'true' \
                 && !!window.__gridwallVideo && window.__gridwallMap?.selected() === '{grid}' \
                 && window.__gridwallMap.count() > 0 \
                 && window.__gridwallVideo.scene().focus === '{grid}'"
            ),
            Duration::from_secs(30),
        )
        .await?;
        println!(
            "the reloaded page showed its map with the operator's choices after {} ms",
            reloaded.elapsed().as_millis()
        );
        let after = wall.js(SNAPSHOT).await?;
        assert_eq!(after["layer"], "breach", "the map's layer: {after}");
        assert_eq!(after["selected"], grid.as_str(), "the selection: {after}");
        assert_eq!(after["manual"], "4", "the layout picked by hand: {after}");
        assert_eq!(after["index"], index, "the place in the rotation: {after}");
        // The panels fill in as the feed's first messages arrive.
        wall.wait_for_js(
            "return document.querySelectorAll('[data-testid=video-tile][data-mode=live]').length > 0",
            Duration::from_secs(30),
        )
        .await?;
        wall.screenshot("reloaded-as-left-1920x1080").await?;
        anyhow::Ok(())
    }
    .await;
    wall.close().await?;
    result
}

/// What the page shows by the operator's hand.
const SNAPSHOT: &str = "const v = window.__gridwallVideo.scene(); return { \
     layer: document.querySelector('[data-testid=map-layer]')?.dataset.layer ?? null, \
     selected: window.__gridwallMap.selected(), manual: v.manual, index: v.index, focus: v.focus }";

/// Clicks a grid near the middle of the map; its id.
async fn select_a_grid(wall: &gridwall_suite::Wall) -> Result<String> {
    use anyhow::Context;
    let rect = wall
        .js(
            "const r = document.querySelector('[data-testid=grid-map]').getBoundingClientRect(); \
             return [r.left + r.width / 2, r.top + r.height / 2]",
        )
        .await?;
    let [x, y]: [f64; 2] = serde_json::from_value(rect).context("the map is on screen")?;
    gridwall_suite::ui::click_at(wall, x, y).await?;
    wall.wait_for_js(
        "return window.__gridwallMap.selected() !== null",
        Duration::from_secs(10),
    )
    .await
    .context("clicking the middle of the map selected no grid")?;
    let grid = wall.js("return window.__gridwallMap.selected()").await?;
    Ok(grid.as_str().context("a grid id")?.to_owned())
}
