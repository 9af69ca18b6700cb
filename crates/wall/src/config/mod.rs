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
mod values;
use file::{FileConfig, parse_file, read_file};
use values::{check_size, endpoint, night_dimming, quiet_reload, window};

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
    /// The embedded simulator does every "may" of both contracts
    /// (`[simulator] profile = "hostile"`; the default is `"plain"`).
    pub sim_hostile: bool,
    /// Raw revisions of finished incidents older than this many years keep
    /// only their newest (`[store] keep_revisions_years`); `None`, the
    /// default, keeps every revision for ever. See README, "Retention".
    pub keep_revisions_years: Option<u32>,
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

        let sim_hostile = match file.simulator.profile.as_deref().unwrap_or("plain") {
            "plain" => false,
            "hostile" => true,
            other => {
                return Err(invalid(
                    "simulator.profile",
                    other,
                    "must be plain or hostile",
                ));
            }
        };
        let keep_revisions_years = match file.store.keep_revisions_years {
            Some(years @ 1..=100) => Some(years),
            Some(years) => {
                return Err(invalid(
                    "store.keep_revisions_years",
                    years,
                    "must be between 1 and 100 (leave it out to keep every revision)",
                ));
            }
            None => None,
        };

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
            sim_hostile,
            keep_revisions_years,
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

#[cfg(test)]
mod tests;
