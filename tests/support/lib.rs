//! Harness for the whole-system tests: the real built app, in its own Xvfb
//! display, driven through tauri-driver and WebKitWebDriver with fantoccini.
//!
//! Each [`Wall`] owns one virtual display, one tauri-driver and one app, and
//! tears them down in that order when dropped (tauri-driver with SIGTERM:
//! killed hard it leaves WebKitWebDriver holding the output pipe and the run
//! hangs). Sessions are serialised through a process-wide lock: WebKit under
//! software rendering wants both cores, and two at once only makes both flaky.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use fantoccini::{Client, ClientBuilder, Locator};

mod bench;
pub mod cluster;
mod display;
pub mod procs;
pub mod shots;
mod sim;
pub mod ui;

pub use bench::{percentile, print_summary};
pub use display::Display;
pub use sim::{Sim, hostile};

// A tokio mutex: the turn is held across awaits for the whole session.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Cargo's target folder, honouring `CARGO_TARGET_DIR`.
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target"))
}

/// The app binary the tests drive. `scripts/test` builds it before the tests run.
/// `GRIDWALL_APP` names another build (benchmarks compare two; the simulator
/// is then taken from beside it too).
pub fn app_binary() -> Result<PathBuf> {
    let path = std::env::var_os("GRIDWALL_APP")
        .map(PathBuf::from)
        .unwrap_or_else(|| target_dir().join("debug").join("gridwall"));
    if !path.exists() {
        bail!(
            "{} is missing: build the app first (`cargo build -p gridwall`, as scripts/test does)",
            path.display()
        );
    }
    Ok(path)
}

/// Where screenshots are kept as artifacts of the run.
pub fn screenshot_dir() -> PathBuf {
    let dir = target_dir().join("e2e-screenshots");
    std::fs::create_dir_all(&dir).expect("create the screenshot folder");
    dir
}

/// How to start the app for one test.
#[derive(Clone, Debug)]
pub struct Launch {
    /// The virtual display's size, and the window's unless `as_configured`.
    pub width: u32,
    pub height: u32,
    /// Let the app size its window itself (full screen) instead of `--size`.
    pub as_configured: bool,
    pub args: Vec<String>,
}

impl Default for Launch {
    fn default() -> Self {
        Self {
            width: 1920,
            height: 1080,
            as_configured: false,
            args: Vec::new(),
        }
    }
}

impl Launch {
    pub fn size(mut self, width: u32, height: u32) -> Self {
        self.width = width;
        self.height = height;
        self
    }

    pub fn as_configured(mut self) -> Self {
        self.as_configured = true;
        self
    }

    pub fn arg(mut self, arg: impl Into<String>) -> Self {
        self.args.push(arg.into());
        self
    }

    /// Point both upstreams at `sim` instead of the embedded simulator.
    pub fn against(self, sim: &Sim) -> Self {
        self.arg(format!("--governance-url={}", sim.base_url()))
            .arg(format!("--video-url={}", sim.base_url()))
    }
}

/// The running app with a WebDriver session on its (first) window.
pub struct Wall {
    pub client: Client,
    driver: Child,
    pub data_dir: tempfile::TempDir,
    // Dropped last: the display outlives the app and the driver.
    pub display: Display,
    _turn: tokio::sync::MutexGuard<'static, ()>,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

impl Wall {
    pub async fn launch(launch: Launch) -> Result<Self> {
        let turn = ONE_AT_A_TIME.lock().await;
        // Fails harmlessly when another test already installed it.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let binary = app_binary()?;
        let display = Display::start(launch.width, launch.height)?;
        let data_dir = tempfile::TempDir::new()?;
        let (port, native_port) = (free_port(), free_port());
        let driver = Command::new(tauri_driver())
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native_port.to_string(),
            ])
            .env("DISPLAY", display.name())
            .env_remove("WAYLAND_DISPLAY")
            .env(
                "GRIDWALL_LOG",
                std::env::var("GRIDWALL_TEST_LOG").unwrap_or_else(|_| "info".into()),
            )
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .context("cannot start tauri-driver: install it with scripts/setup")?;
        let mut args = vec![format!("--data-dir={}", data_dir.path().display())];
        if !launch.as_configured {
            args.push(format!("--size={}x{}", launch.width, launch.height));
        }
        args.extend(launch.args.iter().cloned());
        let mut caps = serde_json::Map::new();
        caps.insert(
            "tauri:options".into(),
            serde_json::json!({ "application": binary, "args": args }),
        );
        let url = format!("http://127.0.0.1:{port}");
        // A session on an app that crashed at start never answers: bound the wait.
        let started = Instant::now();
        let client = loop {
            let mut builder = ClientBuilder::rustls()?;
            builder.capabilities(caps.clone());
            match tokio::time::timeout(Duration::from_secs(60), builder.connect(&url)).await {
                Ok(Ok(client)) => break client,
                Ok(Err(_)) if started.elapsed() < Duration::from_secs(30) => {
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
                Ok(Err(err)) => bail!("no WebDriver session on the app after 30 s: {err}"),
                Err(_) => bail!(
                    "the app did not answer WebDriver within 60 s (did it crash at start? see its stderr above)"
                ),
            }
        };
        let wall = Self {
            client,
            driver,
            data_dir,
            display,
            _turn: turn,
        };
        // Ready means the window has its setup (layout, language) from Rust,
        // so no test reads the page before the configured language applies.
        wall.wait_for_js(
            "return document.querySelector('[data-testid=screen]')?.dataset.ready === 'true'",
            Duration::from_secs(30),
        )
        .await
        .context("the wall never received its setup from Rust")?;
        Ok(wall)
    }

    /// Text of the element matching a CSS selector.
    pub async fn text(&self, css: &str) -> Result<String> {
        Ok(self.client.find(Locator::Css(css)).await?.text().await?)
    }

    /// An attribute of the element matching a CSS selector.
    pub async fn attr(&self, css: &str, name: &str) -> Result<Option<String>> {
        Ok(self
            .client
            .find(Locator::Css(css))
            .await?
            .attr(name)
            .await?)
    }

    /// Clicks the element matching a CSS selector, scrolled to the middle
    /// of its list first, as an operator scrolls to a row before clicking
    /// it. A page may redraw or move the element between WebDriver finding
    /// and clicking it (a live list re-sorts; WebKit's driver then answers
    /// with an empty error, most often under load): it is tried again, up
    /// to ten times, 500 ms apart, and the last error is told whole.
    pub async fn click(&self, css: &str) -> Result<()> {
        let selector = serde_json::to_string(css)?;
        let mut tries = 0;
        loop {
            // A script that fails leaves the scrolling to WebDriver.
            let _ = self
                .js(&format!(
                    "document.querySelector({selector})?.scrollIntoView({{block: 'center'}}); return true"
                ))
                .await;
            let result = async {
                self.client.find(Locator::Css(css)).await?.click().await?;
                Ok::<_, fantoccini::error::CmdError>(())
            }
            .await;
            tries += 1;
            match result {
                Ok(()) => return Ok(()),
                Err(err) if tries == 10 => {
                    bail!("clicking {css} failed {tries} times, the last: {err:?}");
                }
                Err(err) => {
                    eprintln!("clicking {css}: try {tries} failed: {err:?}");
                    tokio::time::sleep(Duration::from_millis(500)).await
                }
            }
        }
    }

    pub async fn js(&self, script: &str) -> Result<serde_json::Value> {
        Ok(self.client.execute(script, vec![]).await?)
    }

    /// Polls a script until it returns `true`.
    pub async fn wait_for_js(&self, script: &str, within: Duration) -> Result<()> {
        let started = Instant::now();
        loop {
            if self.js(script).await.ok() == Some(serde_json::Value::Bool(true)) {
                return Ok(());
            }
            if started.elapsed() > within {
                bail!("waited {within:?} for `{script}`");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits until both upstream links show live and the clock has a time.
    ///
    /// Against the hostile profile both upstreams say they are `degraded`
    /// (their transport faults are on), which the wall shows as lagging:
    /// connected either way.
    pub async fn wait_for_live(&self) -> Result<()> {
        let connected = if hostile() {
            "['live', 'lagging'].includes"
        } else {
            "['live'].includes"
        };
        self.wait_for_js(
            &format!(
                "return {connected}(document.querySelector('[data-testid=link-governance]').dataset.state) \
                 && {connected}(document.querySelector('[data-testid=link-video]').dataset.state) \
                 && document.querySelector('[data-testid=clock]').dataset.now !== ''"
            ),
            Duration::from_secs(20),
        )
        .await
        .context("the wall did not show both upstreams connected with a running clock")
    }

    /// Saves a PNG of the window under `target/e2e-screenshots/` and returns its path.
    pub async fn screenshot(&self, name: &str) -> Result<PathBuf> {
        // The DOM may have changed this very moment: let two frames paint first.
        self.client
            .execute_async(
                "const done = arguments[arguments.length - 1]; requestAnimationFrame(() => requestAnimationFrame(() => done(true)));",
                vec![],
            )
            .await?;
        let png = self.client.screenshot().await?;
        let path = screenshot_dir().join(format!("{name}.png"));
        std::fs::write(&path, png)?;
        Ok(path)
    }

    /// Ends the session and the app, then the driver and the display.
    pub async fn close(mut self) -> Result<()> {
        let _ = self.client.clone().close().await;
        self.stop_driver();
        Ok(())
    }

    fn stop_driver(&mut self) {
        if let Ok(None) = self.driver.try_wait() {
            stop(&mut self.driver, Duration::from_secs(5));
        }
    }
}

impl Drop for Wall {
    fn drop(&mut self) {
        self.stop_driver();
    }
}

fn tauri_driver() -> PathBuf {
    let cargo_bin = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .map(|home| home.join("bin").join("tauri-driver"));
    match cargo_bin {
        Some(path) if path.exists() => path,
        _ => PathBuf::from("tauri-driver"),
    }
}

/// Polls `done` until it holds or `within` passes.
pub fn wait_until(within: Duration, mut done: impl FnMut() -> bool) -> Result<()> {
    let started = Instant::now();
    while !done() {
        if started.elapsed() > within {
            bail!("condition not met within {within:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Ok(())
}

/// Sends SIGTERM, as a service manager would (no `kill` binary needed: procps
/// is not on every minimal Debian).
pub fn terminate(child: &Child) {
    // SAFETY: kill(2) with a pid we spawned and still own; no memory is shared.
    unsafe {
        libc::kill(child.id() as libc::pid_t, libc::SIGTERM);
    }
}

/// Asks `child` to end (SIGTERM) and waits up to `within` for it, then
/// kills it.
pub(crate) fn stop(child: &mut Child, within: Duration) {
    terminate(child);
    let deadline = Instant::now() + within;
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    let _ = child.wait();
}

impl Launch {
    /// Start with the configuration file at `path` (`--config`).
    pub fn config(self, path: &Path) -> Self {
        self.arg(format!("--config={}", path.display()))
    }
}

/// A configuration of one window per layout, in order (the session
/// attaches to the first), each labelled as its layout, written into `dir`.
/// A wall covers its monitor; the other windows are not fullscreen.
pub fn windows_config(dir: &Path, layouts: &[&str]) -> Result<PathBuf> {
    let path = dir.join(format!("{}.toml", layouts.join("-and-")));
    let text: String = layouts
        .iter()
        .map(|layout| {
            let fullscreen = if *layout == "wall" {
                ""
            } else {
                "fullscreen = false\n"
            };
            format!("[[window]]\nlabel = \"{layout}\"\nlayout = \"{layout}\"\n{fullscreen}\n")
        })
        .collect();
    std::fs::write(&path, text)?;
    Ok(path)
}

impl Wall {
    /// Points the session at the window showing `layout` (`wall`, `video`,
    /// `console`) once it has its setup; fails after 30 s without one.
    ///
    /// A window still loading may refuse a script or a switch for a moment,
    /// until it has loaded: that counts as "not yet".
    pub async fn switch_to_layout(&self, layout: &str) -> Result<()> {
        let started = Instant::now();
        let mut last_error = None;
        loop {
            for handle in self.client.windows().await.unwrap_or_default() {
                let shown = match self.client.switch_to_window(handle).await {
                    Ok(()) => self
                        .js("const s = document.querySelector('[data-testid=screen]'); \
                             return s && s.dataset.ready === 'true' ? s.dataset.layout : null")
                        .await
                        .map_err(|e| e.to_string()),
                    Err(e) => Err(e.to_string()),
                };
                match shown {
                    Ok(shown) if shown.as_str() == Some(layout) => return Ok(()),
                    Ok(_) => {}
                    Err(e) => last_error = Some(e),
                }
            }
            if started.elapsed() > Duration::from_secs(30) {
                bail!("no window shows the `{layout}` layout (last error: {last_error:?})");
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// The app's own store (`store.sqlite` in its data dir), to read what it recorded.
    pub async fn store(&self) -> Result<gridwall_store::Store> {
        let path = self.data_dir.path().join("store.sqlite");
        Ok(gridwall_store::Store::open(path.to_str().context("temp paths are UTF-8")?).await?)
    }

    /// Text content of the elements matching a CSS selector, in order
    /// (whether scrolled into view or not).
    pub async fn texts(&self, css: &str) -> Result<Vec<String>> {
        let found = self
            .js(&format!(
                "return [...document.querySelectorAll({css:?})].map((e) => e.textContent.trim())"
            ))
            .await?;
        Ok(serde_json::from_value(found)?)
    }
}

/// Creates accounts `(username, role, pin)` in the store at `database`
/// before the app opens it, as `gridwall accounts add` would.
pub async fn add_accounts(database: &Path, accounts: &[(&str, &str, &str)]) -> Result<()> {
    let store =
        gridwall_store::Store::open(database.to_str().context("temp paths are UTF-8")?).await?;
    for (username, role, pin) in accounts {
        let role = match *role {
            "operator" => gridwall_store::accounts::Role::Operator,
            "duty_officer" => gridwall_store::accounts::Role::DutyOfficer,
            _ => gridwall_store::accounts::Role::Admin,
        };
        store
            .add_account(
                &gridwall_store::accounts::NewAccount {
                    username: (*username).to_owned(),
                    display_name: (*username).to_owned(),
                    role,
                    pin: gridwall_store::accounts::Pin::new(*pin),
                },
                time::OffsetDateTime::now_utc(),
            )
            .await?;
    }
    store.close().await;
    Ok(())
}

/// Four windows as a command hall has them, written into `dir`: the wall
/// (first: a session starts on it), a video screen, a second wall screen
/// the sample plans give to the broadcast board (`board`), and the console.
pub fn hall_config(dir: &Path) -> Result<PathBuf> {
    let path = dir.join("hall.toml");
    std::fs::write(
        &path,
        "[[window]]\nlabel = \"wall\"\nlayout = \"wall\"\nfullscreen = false\n\n\
         [[window]]\nlabel = \"video\"\nlayout = \"video\"\nfullscreen = false\n\n\
         [[window]]\nlabel = \"board\"\nlayout = \"wall\"\nfullscreen = false\n\n\
         [[window]]\nlabel = \"console\"\nlayout = \"console\"\nfullscreen = false\n",
    )?;
    Ok(path)
}
