//! Configuration: a TOML file plus command-line flags, validated once at start.
//!
//! Everything the app does is decided here, before any window opens: which
//! upstreams to read (or the embedded simulator), which windows make up the
//! wall and where they sit, the language, the logging. A bad value stops the
//! app with a message naming the key, the value and what would be accepted;
//! nothing downstream re-checks it.

use std::path::{Path, PathBuf};

use clap::Parser;
use url::Url;

use crate::feed::{Language, Layout, NightDimming};

mod file;
use file::{FileConfig, FileWindow, parse_file, read_file};

/// The command line. Flags override the file.
#[derive(Debug, Parser, Default)]
#[command(name = "gridwall", version, about = "慈溪市社会治理中心 video wall")]
pub struct Cli {
    /// Administration instead of the wall: accounts, the audit log. Without
    /// one, the wall opens.
    #[command(subcommand)]
    pub command: Option<crate::admin::Command>,

    /// TOML configuration file; without it the embedded defaults are used.
    #[arg(long, env = "GRIDWALL_CONFIG", global = true)]
    pub config: Option<PathBuf>,

    /// Governance platform base URL, or `embedded` for the built-in simulator.
    #[arg(long)]
    pub governance_url: Option<String>,

    /// Video network gateway base URL, or `embedded` for the built-in simulator.
    #[arg(long)]
    pub video_url: Option<String>,

    /// Speed of the embedded simulator's clock (1 = real time, 60 = an hour a minute).
    #[arg(long)]
    pub sim_speed: Option<f64>,

    /// Size of every window as WIDTHxHEIGHT, e.g. 1920x1080 (for tests and small screens).
    #[arg(long, value_parser = parse_size)]
    pub size: Option<(u32, u32)>,

    /// Open windows as ordinary decorated windows rather than frameless full screen.
    #[arg(long)]
    pub windowed: bool,

    /// No windows: the core only (ingest, the live picture, the shared
    /// database's notices), for a server that ingests for the consoles on
    /// one PostgreSQL. Writes `status.json` in the data folder every second.
    #[arg(long)]
    pub headless: bool,

    /// User-interface language: zh-CN or en.
    #[arg(long)]
    pub lang: Option<String>,

    /// Write a PNG of each window into this folder every few seconds (for walls without a display).
    #[arg(long)]
    pub screenshot_dir: Option<PathBuf>,

    /// Seconds between screenshots when --screenshot-dir is given.
    #[arg(long)]
    pub screenshot_every: Option<u64>,

    /// Log filter, e.g. `info` or `gridwall=debug,info`.
    #[arg(long)]
    pub log: Option<String>,

    /// Folder for the database and logs (default: the platform's app data folder).
    #[arg(long, global = true)]
    pub data_dir: Option<PathBuf>,

    /// The store: a SQLite file path, or a postgres:// URL shared by several
    /// consoles (default: store.sqlite in the data folder).
    #[arg(long, env = "GRIDWALL_DATABASE", global = true)]
    pub database: Option<String>,
}

fn parse_size(s: &str) -> Result<(u32, u32), String> {
    let (w, h) = s
        .split_once(['x', 'X', '×'])
        .ok_or_else(|| format!("expected WIDTHxHEIGHT such as 1920x1080, got {s:?}"))?;
    let w = w
        .trim()
        .parse()
        .map_err(|_| format!("width {w:?} is not a number"))?;
    let h = h
        .trim()
        .parse()
        .map_err(|_| format!("height {h:?} is not a number"))?;
    Ok((w, h))
}

/// A configuration error: the key that is wrong and why.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("config file {path} is not valid: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("config `{key}` = {value}: {why}")]
    Invalid {
        key: String,
        value: String,
        why: String,
    },
}

fn invalid(
    key: impl Into<String>,
    value: impl std::fmt::Debug,
    why: impl Into<String>,
) -> ConfigError {
    ConfigError::Invalid {
        key: key.into(),
        value: format!("{value:?}"),
        why: why.into(),
    }
}

/// Where an upstream lives.
#[derive(Debug, Clone, PartialEq)]
pub enum Endpoint {
    /// The simulator built into the app, started on 127.0.0.1.
    Embedded,
    Url(Url),
}

/// The validated configuration.
#[derive(Debug, Clone)]
pub struct Config {
    pub governance: Endpoint,
    pub video: Endpoint,
    /// Bearer token for both upstreams. Never logged, never sent to the UI.
    pub token: Option<Secret>,
    pub sim_seed: u64,
    pub sim_speed: f64,
    pub language: Language,
    pub kiosk: bool,
    /// When the wall dims at night; `None` = never.
    pub night: Option<NightDimming>,
    /// Memory hygiene: every window is reloaded once a day at this minute
    /// of the day (platform time); `None` = never (the default).
    pub quiet_reload: Option<u16>,
    /// Whether WebKitGTK composites the page with (GPU) acceleration. Off by
    /// default: on wall PCs without a GPU driver it runs through Mesa's
    /// software GL, and with 16 live camera tiles at 4K it cost a third more
    /// CPU and 300 MiB more memory for half the frames (docs/benchmarks.md).
    pub compositing: bool,
    pub windows: Vec<WindowConfig>,
    pub log_filter: String,
    pub log_keep_days: usize,
    pub data_dir: Option<PathBuf>,
    /// A SQLite path or a postgres:// URL; `None` is store.sqlite in the data folder.
    pub database: Option<String>,
    pub screenshots: Option<Screenshots>,
}

/// `database` fit to print: a URL's password replaced by `***`.
pub fn redact_database(database: &str) -> String {
    match Url::parse(database) {
        Ok(mut url) if url.password().is_some() => {
            let _ = url.set_password(Some("***"));
            url.to_string()
        }
        _ => database.to_owned(),
    }
}

/// A string that does not print itself.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// One window of the wall.
#[derive(Debug, Clone, PartialEq)]
pub struct WindowConfig {
    pub label: String,
    pub layout: Layout,
    /// Index into the monitors the system reports; `None` = the primary one.
    pub monitor: Option<usize>,
    /// Position relative to the monitor's top-left corner, in physical pixels.
    pub position: Option<(i32, i32)>,
    /// Size in physical pixels; `None` = the whole monitor.
    pub size: Option<(u32, u32)>,
    /// Frameless and full screen (the wall); `false` for an ordinary window.
    pub fullscreen: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Screenshots {
    pub dir: PathBuf,
    pub every_secs: u64,
}

const DEFAULT_SEED: u64 = 20_261_127;

impl Config {
    /// Reads the file named by `cli.config` (if any), applies the flags and
    /// validates the result.
    pub fn load(cli: &Cli) -> Result<Self, ConfigError> {
        let file = match &cli.config {
            Some(path) => read_file(path)?,
            None => FileConfig::default(),
        };
        Self::from_parts(file, cli, |name| std::env::var(name).ok())
    }

    /// The folder for the database and logs: `data_dir` if set, else the
    /// platform's app data folder. The wall and the administration commands
    /// both ask here, so they open the same store.
    pub fn data_dir_or_default(&self) -> PathBuf {
        self.data_dir.clone().unwrap_or_else(|| {
            dirs::data_dir()
                .unwrap_or_else(std::env::temp_dir)
                .join("cn.gov.cixi.gridwall")
        })
    }

    /// The store to open: `database` if set, else store.sqlite in `data_dir`.
    pub fn database_or_default(&self, data_dir: &Path) -> String {
        self.database
            .clone()
            .unwrap_or_else(|| data_dir.join("store.sqlite").to_string_lossy().into_owned())
    }

    /// Parses a TOML text as if it were the config file, with the given flags.
    pub fn from_toml(text: &str, cli: &Cli) -> Result<Self, ConfigError> {
        let file = parse_file(text, Path::new("<inline>"))?;
        Self::from_parts(file, cli, |name| std::env::var(name).ok())
    }

    fn from_parts(
        file: FileConfig,
        cli: &Cli,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        let governance = endpoint(
            "upstream.governance_url",
            cli.governance_url
                .as_deref()
                .or(file.upstream.governance_url.as_deref()),
        )?;
        let video = endpoint(
            "upstream.video_url",
            cli.video_url
                .as_deref()
                .or(file.upstream.video_url.as_deref()),
        )?;
        let token_env = file
            .upstream
            .token_env
            .as_deref()
            .unwrap_or("GRIDWALL_TOKEN");
        let token = file
            .upstream
            .token
            .or_else(|| env(token_env))
            .filter(|t| !t.is_empty())
            .map(Secret);

        let sim_speed = cli.sim_speed.or(file.simulator.speed).unwrap_or(1.0);
        if !(sim_speed.is_finite() && (0.01..=100_000.0).contains(&sim_speed)) {
            return Err(invalid(
                "simulator.speed",
                sim_speed,
                "must be between 0.01 and 100000",
            ));
        }

        let language = match cli
            .lang
            .as_deref()
            .or(file.ui.language.as_deref())
            .unwrap_or("zh-CN")
        {
            "zh-CN" | "zh" => Language::ZhCn,
            "en" | "en-US" => Language::En,
            other => return Err(invalid("ui.language", other, "must be zh-CN or en")),
        };

        let mut windows = if file.windows.is_empty() {
            vec![WindowConfig {
                label: "wall".into(),
                layout: Layout::Wall,
                monitor: None,
                position: None,
                size: None,
                fullscreen: true,
            }]
        } else {
            file.windows
                .into_iter()
                .enumerate()
                .map(|(i, w)| window(i, w))
                .collect::<Result<_, _>>()?
        };
        for (i, w) in windows.iter().enumerate() {
            if windows[..i].iter().any(|o| o.label == w.label) {
                return Err(invalid(
                    format!("window[{i}].label"),
                    &w.label,
                    "labels must be unique",
                ));
            }
        }
        if let Some((w, h)) = cli.size {
            check_size("--size", w, h)?;
            for window in &mut windows {
                window.size = Some((w, h));
            }
        }
        if cli.windowed {
            for window in &mut windows {
                window.fullscreen = false;
            }
        }

        let log_filter = cli
            .log
            .clone()
            .or(file.log.filter)
            .unwrap_or_else(|| "info".into());
        if tracing_subscriber::EnvFilter::try_new(&log_filter).is_err() {
            return Err(invalid(
                "log.filter",
                &log_filter,
                "is not a tracing filter such as `info` or `gridwall=debug,info`",
            ));
        }

        let screenshots = match (&cli.screenshot_dir, cli.screenshot_every) {
            (Some(dir), every) => {
                let every_secs = every.unwrap_or(5);
                if every_secs == 0 {
                    return Err(invalid(
                        "--screenshot-every",
                        every_secs,
                        "must be at least 1 second",
                    ));
                }
                Some(Screenshots {
                    dir: dir.clone(),
                    every_secs,
                })
            }
            (None, Some(_)) => {
                return Err(invalid(
                    "--screenshot-every",
                    cli.screenshot_every,
                    "needs --screenshot-dir",
                ));
            }
            (None, None) => None,
        };

        Ok(Config {
            governance,
            video,
            token,
            sim_seed: file.simulator.seed.unwrap_or(DEFAULT_SEED),
            sim_speed,
            language,
            kiosk: file.ui.kiosk.unwrap_or(true),
            night: night_dimming(file.ui.night.as_deref(), file.ui.night_dim)?,
            quiet_reload: quiet_reload(file.ui.quiet_reload.as_deref())?,
            compositing: file.ui.compositing.unwrap_or(false),
            windows,
            log_filter,
            log_keep_days: file.log.keep_days.unwrap_or(14).max(1),
            data_dir: cli.data_dir.clone().or(file.data_dir),
            database: cli.database.clone().or(file.database),
            screenshots,
        })
    }
}

/// `"HH:MM"` as minutes since midnight.
fn minute_of_day(hhmm: &str) -> Option<u16> {
    let (h, m) = hhmm.trim().split_once(':')?;
    let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
    (h < 24 && m < 60).then_some(h * 60 + m)
}

/// `ui.quiet_reload`: `"HH:MM"` (platform time) or `"off"`; off by default.
fn quiet_reload(at: Option<&str>) -> Result<Option<u16>, ConfigError> {
    match at.map(str::trim) {
        None => Ok(None),
        Some(off) if off.eq_ignore_ascii_case("off") => Ok(None),
        Some(at) => minute_of_day(at)
            .map(Some)
            .ok_or_else(|| invalid("ui.quiet_reload", at, "must be HH:MM (e.g. 04:00) or off")),
    }
}

/// `ui.night` and `ui.night_dim`: a span of the day in platform time and
/// how dark the veil is. The default dims by a quarter from 23:00 to 06:00.
fn night_dimming(
    span: Option<&str>,
    dim: Option<f64>,
) -> Result<Option<NightDimming>, ConfigError> {
    let dim = dim.unwrap_or(0.25);
    if !(0.05..=0.8).contains(&dim) {
        return Err(invalid("ui.night_dim", dim, "must be between 0.05 and 0.8"));
    }
    let span = span.unwrap_or("23:00-06:00").trim();
    if span.eq_ignore_ascii_case("off") {
        return Ok(None);
    }
    let minute = minute_of_day;
    let parsed = span
        .split_once('-')
        .and_then(|(from, to)| Some((minute(from)?, minute(to)?)))
        .filter(|(from, to)| from != to);
    let Some((from_minute, to_minute)) = parsed else {
        return Err(invalid(
            "ui.night",
            span,
            "must be HH:MM-HH:MM (e.g. 23:00-06:00) or off",
        ));
    };
    Ok(Some(NightDimming {
        from_minute,
        to_minute,
        dim,
    }))
}

fn endpoint(key: &str, value: Option<&str>) -> Result<Endpoint, ConfigError> {
    match value.unwrap_or("embedded") {
        "embedded" => Ok(Endpoint::Embedded),
        text => {
            let url = Url::parse(text).map_err(|e| {
                invalid(
                    key,
                    text,
                    format!("is not a URL ({e}); use http(s)://host[:port] or `embedded`"),
                )
            })?;
            if !matches!(url.scheme(), "http" | "https") {
                return Err(invalid(
                    key,
                    text,
                    "must be an http or https URL, or `embedded`",
                ));
            }
            Ok(Endpoint::Url(url))
        }
    }
}

fn check_size(key: &str, w: u32, h: u32) -> Result<(), ConfigError> {
    let ok = |v: u32| (320..=16_384).contains(&v);
    if ok(w) && ok(h) {
        Ok(())
    } else {
        Err(invalid(
            key,
            format!("{w}x{h}"),
            "width and height must be between 320 and 16384 pixels",
        ))
    }
}

fn window(i: usize, w: FileWindow) -> Result<WindowConfig, ConfigError> {
    let key = |field: &str| format!("window[{i}].{field}");
    if w.label.is_empty()
        || !w
            .label
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(invalid(
            key("label"),
            &w.label,
            "use letters, digits, - and _ only",
        ));
    }
    let layout = match w.layout.as_deref().unwrap_or("wall") {
        "wall" => Layout::Wall,
        "video" => Layout::Video,
        "console" => Layout::Console,
        other => {
            return Err(invalid(
                key("layout"),
                other,
                "must be wall, video or console",
            ));
        }
    };
    let size = match (w.width, w.height) {
        (Some(width), Some(height)) => {
            check_size(&key("width"), width, height)?;
            Some((width, height))
        }
        (None, None) => None,
        _ => {
            return Err(invalid(
                key("width"),
                (w.width, w.height),
                "give both width and height, or neither",
            ));
        }
    };
    let position = match (w.x, w.y) {
        (Some(x), Some(y)) => Some((x, y)),
        (None, None) => None,
        _ => {
            return Err(invalid(
                key("x"),
                (w.x, w.y),
                "give both x and y, or neither",
            ));
        }
    };
    Ok(WindowConfig {
        label: w.label,
        layout,
        monitor: w.monitor,
        position,
        size,
        fullscreen: w.fullscreen.unwrap_or(layout != Layout::Console),
    })
}

#[cfg(test)]
mod tests;
