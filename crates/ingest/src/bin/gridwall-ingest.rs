//! `gridwall-ingest`: keep a store current from a governance platform (and
//! its video gateway's camera catalogue), with a progress bar for the long
//! first backfill. Stops on Ctrl-C or SIGTERM after committing the batch in
//! hand; a SIGKILL loses nothing either, as every batch commits with its cursor.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use clap::Parser;
use gridwall_ingest::{Ingest, IngestConfig, Phase, Secret};
use gridwall_store::Store;
use indicatif::{ProgressBar, ProgressStyle};
use tokio_util::sync::CancellationToken;

#[derive(Parser)]
#[command(
    version,
    about = "Keep a GridWall store current from the governance platform"
)]
struct Cli {
    /// Base URL of the governance platform, e.g. http://127.0.0.1:8700.
    #[arg(long)]
    url: String,
    /// The store: a file path or a sqlite: URL.
    #[arg(long)]
    store: String,
    /// Base URL of the video gateway, for the camera catalogue.
    #[arg(long)]
    video_url: Option<String>,
    /// Bearer token of the governance platform.
    #[arg(long, env = "GRIDWALL_TOKEN", hide_env_values = true)]
    token: Option<String>,
    /// Bearer token of the video gateway.
    #[arg(long, env = "GRIDWALL_VIDEO_TOKEN", hide_env_values = true)]
    video_token: Option<String>,
    /// Where the geometry is cached with its ETag (default: `cache` beside a store file).
    #[arg(long)]
    cache_dir: Option<PathBuf>,
    /// Skip the reference data (divisions, grids, geometry, workers, cameras).
    #[arg(long)]
    no_reference: bool,
    /// Seconds without a byte on the stream before reconnecting.
    #[arg(long, default_value_t = 30)]
    watchdog_secs: u64,
    /// Records per committed batch, at most.
    #[arg(long, default_value_t = 500)]
    batch_max: usize,
    /// Milliseconds a stream batch waits for more records before committing.
    #[arg(long, default_value_t = 25)]
    batch_wait_ms: u64,
    /// A catch-up at least this many revisions behind the head lands through
    /// the store's bulk path (0: every catch-up does).
    #[arg(long, default_value_t = 20_000)]
    bulk_threshold: u64,
    /// No progress bar (it is also hidden when standard error is not a terminal).
    #[arg(long)]
    no_progress: bool,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();

    let cache_dir = cli.cache_dir.clone().unwrap_or_else(|| {
        let path = PathBuf::from(
            cli.store
                .trim_start_matches("sqlite:")
                .trim_start_matches("//"),
        );
        path.parent()
            .filter(|p| !p.as_os_str().is_empty())
            .map_or_else(|| PathBuf::from("cache"), |p| p.join("cache"))
    });
    let mut config = IngestConfig::new(&cli.url, cache_dir);
    config.video_url = cli.video_url;
    config.token = cli.token.map(Secret::new);
    config.video_token = cli.video_token.map(Secret::new);
    config.watchdog = Duration::from_secs(cli.watchdog_secs.max(1));
    config.batch_max = cli.batch_max;
    config.batch_wait = Duration::from_millis(cli.batch_wait_ms.max(1));
    config.bulk_threshold = cli.bulk_threshold;

    let store = Arc::new(
        Store::open(&cli.store)
            .await
            .with_context(|| format!("cannot open the store {}", cli.store))?,
    );
    let ingest = Ingest::new(config, Arc::clone(&store)).context("check the flags")?;
    let cancel = CancellationToken::new();
    tokio::spawn(stop_on_signal(cancel.clone()));
    if !cli.no_progress {
        tokio::spawn(show_progress(ingest.progress(), cancel.clone()));
    }
    if cli.no_reference {
        tokio::select! {
            () = ingest.follow(&cancel) => {}
            () = cancel.cancelled() => {}
        }
    } else {
        ingest.run(cancel.clone()).await;
    }
    let health = ingest.health().borrow().clone();
    tracing::info!(?health, "stopped");
    store.close().await;
    Ok(())
}

async fn stop_on_signal(cancel: CancellationToken) {
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .expect("SIGTERM handler");
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
    cancel.cancel();
}

/// A bar for a backfill or reference sync with a known total, a spinner otherwise.
async fn show_progress(
    mut progress: tokio::sync::watch::Receiver<gridwall_ingest::Progress>,
    cancel: CancellationToken,
) {
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} {msg:<10} [{bar:40}] {human_pos}/{human_len} (eta {eta})",
        )
        .expect("a valid template")
        .progress_chars("=> "),
    );
    loop {
        let p = *progress.borrow_and_update();
        let phase = match p.phase {
            Phase::Starting => "starting",
            Phase::Reference => "reference",
            Phase::Backfill => "backfill",
            Phase::Snapshot => "snapshot",
            Phase::Live => "live",
        };
        bar.set_message(phase);
        bar.set_length(p.total.unwrap_or(p.done).max(p.done));
        bar.set_position(p.done);
        tokio::select! {
            changed = progress.changed() => if changed.is_err() { break },
            () = cancel.cancelled() => break,
        }
    }
    bar.finish_and_clear();
}
