//! `gridwall-sim`: serve the simulated city (`--speed 60 --port 8700`), or
//! write its history to a file as fast as possible (`history --years 5`).

use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use gridwall_sim::Simulator;
use gridwall_sim::faults::Faults;
use gridwall_sim::feed::Retention;
use gridwall_sim::scenarios::{self, ScenarioKind};
use tokio_util::sync::CancellationToken;

#[derive(Parser)]
#[command(
    version,
    about = "A simulator of Cixi's governance platform and video network"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    serve: ServeArgs,
}

#[derive(Subcommand)]
enum Command {
    /// Write the city's history as CSV, one revision a line, as fast as possible.
    History {
        /// Simulated years to write, ending now.
        #[arg(long, default_value_t = 5.0)]
        years: f64,
        /// Where to write; `-` for standard output.
        #[arg(long, default_value = "-")]
        out: String,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Inject a scenario (hotspot, repeat, cluster, surge); repeat the
        /// flag for several, spread evenly over the history.
        #[arg(long = "scenario")]
        scenarios: Vec<ScenarioKind>,
        /// Where to write the scenarios' ground truth as JSON.
        #[arg(long)]
        truth_out: Option<String>,
    },
}

#[derive(Args)]
struct ServeArgs {
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Simulated seconds per real second.
    #[arg(long, default_value_t = 1.0)]
    speed: f64,
    #[arg(long, default_value = "127.0.0.1")]
    host: IpAddr,
    #[arg(long, default_value_t = 8700)]
    port: u16,
    /// Require this bearer token (default: accept any).
    #[arg(long)]
    token: Option<String>,
    /// Simulated hours of history before start.
    #[arg(long, default_value_t = 24)]
    warmup_hours: u64,
    /// Simulated hours the feed keeps.
    #[arg(long, default_value_t = 72)]
    retention_hours: i64,
    /// At most this many feed entries are kept.
    #[arg(long)]
    retention_entries: Option<usize>,
    /// Seconds between `: ping` comments on a quiet stream.
    #[arg(long, default_value_t = 15)]
    ping_secs: u64,
    /// Serve only the governance API.
    #[arg(long)]
    no_video: bool,
    /// Inject a scenario (hotspot, repeat, cluster, surge), the first an
    /// hour after start and each next six hours later; repeat the flag for
    /// several. `GET /admin/scenarios` gives their ground truth.
    #[arg(long = "scenario")]
    scenarios: Vec<ScenarioKind>,
    /// Concurrent live streams the video gateway serves one client (then 429).
    #[arg(long, default_value_t = 16)]
    max_streams_per_client: u32,
    /// Share of API requests answered 503.
    #[arg(long, default_value_t = 0.0)]
    error_rate: f64,
    /// Milliseconds added to every API request.
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    /// Answer the first N API requests 429.
    #[arg(long, default_value_t = 0)]
    rate_limit_burst: u32,
    #[arg(long, default_value_t = 2)]
    retry_after_s: u32,
    /// Share of feed entries delivered twice.
    #[arg(long, default_value_t = 0.0)]
    duplicate_rate: f64,
    /// Backfill pages come newest first.
    #[arg(long)]
    reorder_backfill: bool,
    /// Share of feed entries preceded by a broken copy.
    #[arg(long, default_value_t = 0.0)]
    malformed_rate: f64,
    /// Add an undocumented field to every object.
    #[arg(long)]
    unknown_fields: bool,
    /// Share of new events with an unknown source or category.
    #[arg(long, default_value_t = 0.0)]
    unknown_values: f64,
    /// Share of new events with hostile free text.
    #[arg(long, default_value_t = 0.0)]
    hostile_text: f64,
    /// End every stream after N messages.
    #[arg(long)]
    stream_cut_after: Option<u32>,
    /// The next N broadcasts are committed, then their connection dropped unanswered.
    #[arg(long, default_value_t = 0)]
    drop_broadcast_responses: u32,
    /// Every "may" of both contracts at once (overrides the fault flags):
    /// duplicates, reordering, every SSE framing, resets at the head, seqs
    /// past 2^53, hostile text in every free-text field, unknown fields and
    /// values, escaped page tokens, relative and absolute media URLs (media
    /// also on a second port), MultiPolygon and clockwise grids, 429/503.
    #[arg(long)]
    hostile: bool,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    match cli.command {
        Some(Command::History {
            years,
            out,
            seed,
            scenarios,
            truth_out,
        }) => history(years, &out, seed, &scenarios, truth_out.as_deref()),
        None => serve(cli.serve).await,
    }
}

fn history(
    years: f64,
    out: &str,
    seed: u64,
    kinds: &[ScenarioKind],
    truth_out: Option<&str>,
) -> anyhow::Result<()> {
    let sim = Simulator::builder()
        .seed(seed)
        .warmup(Duration::ZERO)
        .build()?;
    let to = sim.clock().now();
    let from = to - time::Duration::seconds_f64(years * 365.0 * 86_400.0);
    let started = Instant::now();
    // Scenarios spread evenly over the history, each a day clear of its ends.
    let span = (to - from).whole_seconds() - 2 * 86_400;
    let spacing = span / (kinds.len() as i64).max(1);
    let planned = scenarios::plan_all(
        sim.city(),
        kinds,
        seed,
        from.unix_timestamp() + 86_400,
        spacing,
    );
    let mut history = sim.history_with(from, to, &planned);
    let written = if out == "-" {
        gridwall_sim::export::write_csv(&mut history, std::io::stdout().lock())?
    } else {
        let file = std::fs::File::create(out).with_context(|| format!("cannot create {out}"))?;
        gridwall_sim::export::write_csv(&mut history, file)?
    };
    if let Some(path) = truth_out {
        let truths: Vec<_> = planned.iter().map(|p| p.truth.clone()).collect();
        let truths = scenarios::with_event_ids(&truths, history.injected());
        let json = serde_json::to_string_pretty(&serde_json::json!({ "scenarios": truths }))?;
        std::fs::write(path, json).with_context(|| format!("cannot write {path}"))?;
    }
    let secs = started.elapsed().as_secs_f64();
    eprintln!(
        "wrote {written} revisions in {secs:.1} s ({:.0} revisions/s)",
        written as f64 / secs
    );
    Ok(())
}

async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let faults = Faults {
        error_rate: args.error_rate,
        latency_ms: args.latency_ms,
        rate_limit_burst: args.rate_limit_burst,
        retry_after_s: args.retry_after_s,
        duplicate_rate: args.duplicate_rate,
        reorder_backfill: args.reorder_backfill,
        malformed_rate: args.malformed_rate,
        unknown_fields: args.unknown_fields,
        unknown_values: args.unknown_values,
        hostile_text: args.hostile_text,
        stream_cut_after: args.stream_cut_after,
        all_gone: false,
        drop_broadcast_responses: args.drop_broadcast_responses,
        ..Faults::default()
    };
    let mut builder = Simulator::builder()
        .seed(args.seed)
        .speed(args.speed)
        .warmup(Duration::from_secs(args.warmup_hours * 3_600))
        .retention(Retention {
            max_age_s: Some(args.retention_hours * 3_600),
            max_entries: args.retention_entries,
        })
        .ping_interval(Duration::from_secs(args.ping_secs.max(1)))
        .faults(faults);
    if let Some(token) = args.token {
        builder = builder.token(token);
    }
    #[cfg(feature = "video")]
    {
        builder = builder.video((!args.no_video).then(|| gridwall_sim_video::VideoConfig {
            max_streams_per_client: args.max_streams_per_client,
            ..gridwall_sim_video::VideoConfig::default()
        }));
    }
    #[cfg(not(feature = "video"))]
    let _ = (args.no_video, args.max_streams_per_client);
    builder = builder.scenarios(args.scenarios);
    if args.hostile {
        builder = builder.profile(gridwall_sim::Profile::Hostile);
    }
    let sim = builder.build()?;
    let cancel = CancellationToken::new();
    let running = sim
        .serve(SocketAddr::new(args.host, args.port), cancel.clone())
        .await?;
    eprintln!(
        "gridwall-sim serving {}/api/v1 (speed {}×){}; Ctrl-C to stop",
        running.base_url(),
        args.speed,
        match running.media_addr() {
            Some(media) => format!(", hostile, media also on http://{media}"),
            None => String::new(),
        }
    );
    tokio::signal::ctrl_c()
        .await
        .context("waiting for Ctrl-C")?;
    cancel.cancel();
    if tokio::time::timeout(Duration::from_secs(5), running.stopped())
        .await
        .is_err()
    {
        tracing::warn!("streams did not close within 5 s; exiting anyway");
    }
    Ok(())
}
