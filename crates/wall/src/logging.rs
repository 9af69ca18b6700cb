//! Tracing to stderr and to a daily-rotated file in the app's data folder.
//!
//! tracing-appender's rolling writer does rotation and pruning; its
//! non-blocking writer keeps a slow disk from stalling the tokio threads. The
//! returned guard flushes on drop, so it must live until the app exits.

use std::path::Path;

use tracing_appender::non_blocking::WorkerGuard;
use tracing_appender::rolling::{RollingFileAppender, Rotation};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, fmt};

/// Installs the global subscriber. `filter` was validated with the config.
pub fn init(filter: &str, log_dir: &Path, keep_days: usize) -> anyhow::Result<WorkerGuard> {
    std::fs::create_dir_all(log_dir)?;
    let appender = RollingFileAppender::builder()
        .rotation(Rotation::DAILY)
        .filename_prefix("gridwall")
        .filename_suffix("log")
        .max_log_files(keep_days)
        .build(log_dir)?;
    let (file, guard) = tracing_appender::non_blocking(appender);
    tracing_subscriber::registry()
        .with(EnvFilter::try_new(filter)?)
        .with(fmt::layer().with_writer(std::io::stderr))
        .with(fmt::layer().with_ansi(false).with_writer(file))
        .try_init()?;
    Ok(guard)
}
