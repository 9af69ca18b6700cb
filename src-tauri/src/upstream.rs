//! The two upstreams: the city's systems at configured URLs, or the embedded
//! simulator standing in for both on 127.0.0.1 so that a new user sees a
//! living wall with no setup.

use anyhow::Context;

use gridwall_domain::clock::Clock;
use gridwall_wall::config::{Config, Endpoint};
use gridwall_wall::links::Upstreams;
use gridwall_wall::tasks::Tasks;

/// What start-up found: where to reach the upstreams, the platform clock, one HTTP client.
pub struct Started {
    pub upstreams: Upstreams,
    pub clock: Clock,
    pub http: reqwest::Client,
    /// The embedded simulator, served until shutdown cancels the app's tasks.
    pub simulator: Option<gridwall_sim::Running>,
}

pub async fn start(config: &Config, tasks: &Tasks) -> anyhow::Result<Started> {
    let http = http_client(config)?;
    let needs_sim = config.governance == Endpoint::Embedded || config.video == Endpoint::Embedded;
    let simulator = if needs_sim {
        Some(embedded_simulator(config, tasks).await?)
    } else {
        None
    };
    let sim_base = simulator
        .as_ref()
        .map(|s| url::Url::parse(&s.base_url()).expect("the simulator's base URL parses"));
    let clock = simulator
        .as_ref()
        .map(|s| s.clock().clone())
        .unwrap_or_else(Clock::real);
    let pick = |endpoint: &Endpoint| match endpoint {
        Endpoint::Url(url) => url.clone(),
        Endpoint::Embedded => sim_base
            .clone()
            .expect("the simulator was started for an embedded endpoint"),
    };
    let upstreams = Upstreams {
        governance: pick(&config.governance),
        video: pick(&config.video),
        simulated: needs_sim,
    };
    tracing::info!(governance = %upstreams.governance, video = %upstreams.video, "upstreams");
    Ok(Started {
        upstreams,
        clock,
        http,
        simulator,
    })
}

fn http_client(config: &Config) -> anyhow::Result<reqwest::Client> {
    let mut headers = reqwest::header::HeaderMap::new();
    if let Some(token) = &config.token {
        let mut value =
            reqwest::header::HeaderValue::from_str(&format!("Bearer {}", token.expose()))
                .context("the upstream token contains characters not allowed in an HTTP header")?;
        value.set_sensitive(true);
        headers.insert(reqwest::header::AUTHORIZATION, value);
    }
    Ok(reqwest::Client::builder()
        .user_agent(concat!("gridwall/", env!("CARGO_PKG_VERSION")))
        .default_headers(headers)
        .connect_timeout(std::time::Duration::from_secs(5))
        .build()?)
}

async fn embedded_simulator(
    config: &Config,
    tasks: &Tasks,
) -> anyhow::Result<gridwall_sim::Running> {
    let mut builder = gridwall_sim::Simulator::builder()
        .seed(config.sim_seed)
        .speed(config.sim_speed);
    if config.sim_hostile {
        builder = builder.profile(gridwall_sim::Profile::Hostile);
    }
    let simulator = builder
        .build()
        .context("cannot build the embedded simulator")?;
    let running = simulator
        .serve(
            std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
            tasks.token(),
        )
        .await
        .context("cannot start the embedded simulator")?;
    tracing::info!(addr = %running.addr(), seed = config.sim_seed, speed = config.sim_speed, hostile = config.sim_hostile, "embedded simulator serving");
    Ok(running)
}
