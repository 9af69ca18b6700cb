//! The configuration file as written (TOML): every field optional, unknown
//! keys refused. [`super::Config`] validates what it holds.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::ConfigError;

/// The file as written; every field optional so a short file is enough.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileConfig {
    #[serde(default)]
    pub(super) upstream: FileUpstream,
    #[serde(default)]
    pub(super) simulator: FileSimulator,
    #[serde(default)]
    pub(super) store: FileStore,
    #[serde(default)]
    pub(super) ui: FileUi,
    #[serde(default)]
    pub(super) log: FileLog,
    #[serde(default, rename = "window")]
    pub(super) windows: Vec<FileWindow>,
    pub(super) data_dir: Option<PathBuf>,
    pub(super) database: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileUpstream {
    pub(super) governance_url: Option<String>,
    pub(super) video_url: Option<String>,
    /// Name of the environment variable that holds the bearer token.
    pub(super) token_env: Option<String>,
    pub(super) token: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileSimulator {
    pub(super) seed: Option<u64>,
    pub(super) speed: Option<f64>,
    /// `"plain"` (the default) or `"hostile"` (every "may" of both contracts).
    pub(super) profile: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileStore {
    /// Keep every revision of finished incidents this many years, then only
    /// the newest; absent (the default) keeps all.
    pub(super) keep_revisions_years: Option<u32>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileUi {
    pub(super) language: Option<String>,
    pub(super) kiosk: Option<bool>,
    /// Night dimming, platform time: `"23:00-06:00"` (the default) or `"off"`.
    pub(super) night: Option<String>,
    /// How much the night veil takes off the brightness, 0.05 to 0.8.
    pub(super) night_dim: Option<f64>,
    /// WebKitGTK's accelerated compositing (default off: see `Config::compositing`).
    pub(super) compositing: Option<bool>,
    /// Reload every window once a day at this time (platform time, `"04:00"`),
    /// or `"off"` (the default).
    pub(super) quiet_reload: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileLog {
    pub(super) filter: Option<String>,
    pub(super) keep_days: Option<usize>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileWindow {
    pub(super) label: String,
    #[serde(default)]
    pub(super) layout: Option<String>,
    pub(super) monitor: Option<usize>,
    pub(super) x: Option<i32>,
    pub(super) y: Option<i32>,
    pub(super) width: Option<u32>,
    pub(super) height: Option<u32>,
    pub(super) fullscreen: Option<bool>,
}

pub(super) fn read_file(path: &Path) -> Result<FileConfig, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.to_owned(),
        source,
    })?;
    parse_file(&text, path)
}

pub(super) fn parse_file(text: &str, path: &Path) -> Result<FileConfig, ConfigError> {
    toml::from_str(text).map_err(|e| ConfigError::Parse {
        path: path.to_owned(),
        message: e.to_string(),
    })
}
