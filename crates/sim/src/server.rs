//! [`Simulator`]: build it, then serve it on an address (the binary, the app's
//! demo mode and the tests all do exactly this).
//!
//! ```no_run
//! # async fn demo() -> anyhow::Result<()> {
//! use tokio_util::sync::CancellationToken;
//! let sim = gridwall_sim::Simulator::builder().seed(7).speed(60.0).build()?;
//! let cancel = CancellationToken::new();
//! let running = sim.serve("127.0.0.1:0".parse()?, cancel.clone()).await?;
//! println!("governance API at {}/api/v1", running.base_url());
//! cancel.cancel();
//! running.stopped().await;
//! # Ok(()) }
//! ```

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use gridwall_domain::clock::Clock;
#[cfg(feature = "video")]
use gridwall_sim_video::{VideoConfig, VideoSim};
use time::OffsetDateTime;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::broadcasts::Broadcasts;
use crate::city::City;
use crate::engine::{self, Engine};
use crate::faults::{FaultState, Faults};
use crate::feed::{Feed, Retention, Truth};
use crate::history::{Generator, History, Injection};
use crate::hostile::{self, Profile};
use crate::scenarios::{self, GroundTruth, Scenario, ScenarioKind};
use crate::workforce::Workforce;
use crate::{Error, Result};

/// Time between the onsets of the scenarios of [`SimulatorBuilder::scenarios`]:
/// six hours, so one has ended before the next begins.
pub const SCENARIO_SPACING: i64 = 6 * 3_600;

/// Settings of a simulator; see the builder's methods for each.
#[derive(Clone, Debug)]
struct Settings {
    seed: u64,
    speed: f64,
    start: Option<OffsetDateTime>,
    warmup: Duration,
    retention: Retention,
    ping_interval: Duration,
    tick: Duration,
    token: Option<String>,
    faults: Faults,
    profile: Profile,
    scenarios: Vec<ScenarioKind>,
    #[cfg(feature = "video")]
    video: Option<VideoConfig>,
}

/// Builds a [`Simulator`]. Every setting has a default fit for a demo.
#[derive(Clone, Debug)]
pub struct SimulatorBuilder {
    settings: Settings,
    city: Option<Arc<City>>,
}

impl SimulatorBuilder {
    /// Seed of every random choice: the same seed gives the same city life.
    pub fn seed(mut self, seed: u64) -> Self {
        self.settings.seed = seed;
        self
    }

    /// Simulated seconds per real second (1 = real time, the default).
    pub fn speed(mut self, speed: f64) -> Self {
        self.settings.speed = speed;
        self
    }

    /// The simulated time at start (default: now).
    pub fn start(mut self, start: OffsetDateTime) -> Self {
        self.settings.start = Some(start);
        self
    }

    /// How much simulated history exists before start (default one day), so
    /// that a fresh simulator already has open events.
    pub fn warmup(mut self, warmup: Duration) -> Self {
        self.settings.warmup = warmup;
        self
    }

    /// What the feed keeps (default three simulated days).
    pub fn retention(mut self, retention: Retention) -> Self {
        self.settings.retention = retention;
        self
    }

    /// How often an idle stream gets `: ping` (default 15 s, real time).
    pub fn ping_interval(mut self, every: Duration) -> Self {
        self.settings.ping_interval = every;
        self
    }

    /// How often the live loop releases what is due (default 100 ms, real time).
    pub fn tick(mut self, every: Duration) -> Self {
        self.settings.tick = every;
        self
    }

    /// Require this bearer token on the API (default: accept any or none).
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.settings.token = Some(token.into());
        self
    }

    /// Faults in force from the start.
    pub fn faults(mut self, faults: Faults) -> Self {
        self.settings.faults = faults;
        self
    }

    /// The hostile profile ([`crate::hostile`]) sets, besides its faults
    /// (which replace those given so far; a later [`Self::faults`] replaces
    /// them in turn), what cannot change at run time: seqs past 2^53,
    /// MultiPolygon and clockwise grid boundaries, and the video gateway's
    /// media also served on a second port, named there by absolute URLs.
    pub fn profile(mut self, profile: Profile) -> Self {
        self.settings.profile = profile;
        if profile == Profile::Hostile {
            self.settings.faults = hostile::faults();
        }
        self
    }

    #[cfg(feature = "video")]
    /// Serve the video gateway too, under `/vnet/v1` (on by default).
    pub fn video(mut self, config: Option<VideoConfig>) -> Self {
        self.settings.video = config;
        self
    }

    /// Use another city than the embedded one (tests, other towns).
    pub fn city(mut self, city: City) -> Self {
        self.city = Some(Arc::new(city));
        self
    }

    /// Inject one scenario of each kind, the first an hour after the start
    /// and each next [`SCENARIO_SPACING`] later (see [`crate::scenarios`]).
    pub fn scenarios(mut self, kinds: Vec<ScenarioKind>) -> Self {
        self.settings.scenarios = kinds;
        self
    }

    pub fn build(self) -> Result<Simulator> {
        let s = self.settings;
        if !(s.speed.is_finite() && s.speed > 0.0) {
            return Err(Error::Config(format!(
                "speed must be positive, got {}",
                s.speed
            )));
        }
        s.faults.validate().map_err(Error::Config)?;
        if s.tick.is_zero() || s.ping_interval.is_zero() {
            return Err(Error::Config(
                "tick and ping interval must be positive".into(),
            ));
        }
        let mut city = match self.city {
            Some(city) => city,
            None => Arc::new(City::embedded()?),
        };
        let hostile = s.profile == Profile::Hostile;
        if hostile {
            let text = String::from_utf8_lossy(city.geometry()).into_owned();
            city = Arc::new(City::clone(&city).with_geometry(hostile::geometry(&text)));
        }
        let start = s.start.unwrap_or_else(OffsetDateTime::now_utc);
        // Whole seconds: every time the platform writes is to the second.
        let start = start
            .replace_nanosecond(0)
            .expect("zero is a valid nanosecond");
        let clock = Clock::starting_at(start, s.speed);
        let workforce = Arc::new(Workforce::generate(&city, s.seed, start));

        #[cfg(feature = "video")]
        let video = s.video.clone().map(|mut config| {
            config.seed = s.seed;
            if hostile {
                config.faults = gridwall_sim_video::Faults::hostile();
            }
            let sites: Vec<gridwall_sim_video::CameraSite> = city
                .camera_sites()
                .into_iter()
                .map(|site| gridwall_sim_video::CameraSite {
                    grid_id: Some(site.grid_id),
                    area: site.town_name,
                    position: site.position,
                    town_centre: site.near_town_centre,
                })
                .collect();
            VideoSim::new(config, clock.clone(), &sites)
        });

        let warmup = time::Duration::try_from(s.warmup)
            .map_err(|_| Error::Config("warmup is too long".into()))?;
        let mut generator = Generator::new(
            Arc::clone(&city),
            Arc::clone(&workforce),
            s.seed,
            start - warmup,
        );
        // Video-analysis events name real cameras of the video half where it runs.
        #[cfg_attr(
            not(feature = "video"),
            allow(unused_mut, reason = "only video adds cameras")
        )]
        let mut cameras: HashMap<String, Vec<String>> = HashMap::new();
        #[cfg(feature = "video")]
        for camera in video.iter().flat_map(VideoSim::cameras) {
            // Keyed by grid and by town: a grid without a camera of its own
            // is watched by one of its town's.
            if let Some(grid) = camera.grid_id {
                if let Some(town) = city.grid(&grid).map(|g| g.town_code.clone()) {
                    cameras
                        .entry(town)
                        .or_default()
                        .push(camera.camera_id.clone());
                }
                cameras.entry(grid).or_default().push(camera.camera_id);
            }
        }
        generator.set_cameras(cameras);
        let planned = scenarios::plan_all(
            &city,
            &s.scenarios,
            s.seed,
            start.unix_timestamp() + 3_600,
            SCENARIO_SPACING,
        );
        let truths = planned.iter().map(|p| p.truth.clone()).collect();
        generator.schedule_reports(planned.into_iter().flat_map(|p| p.reports));
        let shared = Arc::new(Shared {
            scenarios: Mutex::new(truths),
            feed: RwLock::new(Feed::starting_after(
                s.retention,
                if hostile { hostile::SEQ_BASE } else { 0 },
            )),
            engine: Mutex::new(Engine {
                generator,
                broadcasts: Broadcasts::new(s.seed),
            }),
            head: watch::channel(0).0,
            faults: FaultState::new(s.faults.clone(), s.seed),
            cancel: CancellationToken::new(),
            clock,
            city,
            workforce,
            settings: s,
        });
        shared.pump();
        Ok(Simulator {
            shared,
            #[cfg(feature = "video")]
            video,
        })
    }
}

/// Everything the routes and the live loop share.
pub struct Shared {
    pub city: Arc<City>,
    pub workforce: Arc<Workforce>,
    pub clock: Clock,
    pub feed: RwLock<Feed>,
    pub engine: Mutex<Engine>,
    /// The newest seq on the feed; streams wait on it.
    pub head: watch::Sender<u64>,
    pub faults: FaultState,
    /// The scenarios injected so far (their ground truth).
    scenarios: Mutex<Vec<GroundTruth>>,
    /// Cancelled when the server stops, so that open streams end.
    pub cancel: CancellationToken,
    settings: Settings,
}

impl Shared {
    /// Releases everything due onto the feed; returns the head seq.
    pub fn pump(&self) -> u64 {
        engine::pump(
            &self.clock,
            &self.engine,
            &self.feed,
            &self.workforce,
            &self.faults,
            &self.head,
        )
    }

    /// Reports an event now (what `POST /admin/events` does) and returns its
    /// id; its first revision is on the feed when this returns.
    ///
    /// # Errors
    /// If the grid is not in the city.
    pub fn inject(&self, injection: Injection) -> Result<String> {
        if self.city.grid(&injection.grid_id).is_none() {
            return Err(Error::Config(format!("no grid {}", injection.grid_id)));
        }
        let now = self.clock.now().unix_timestamp();
        let case = self
            .engine
            .lock()
            .expect("engine lock")
            .generator
            .inject(injection, now);
        self.pump();
        Ok(case.id.clone())
    }

    /// The newest revision ever emitted of every event, and the head seq.
    pub fn ground_truth(&self) -> (Vec<Truth>, u64) {
        self.pump();
        let feed = self.feed.read().expect("feed lock");
        (feed.ground_truth(), feed.head_seq())
    }

    /// The ground truth of every scenario injected, with the ids of the
    /// events released so far.
    pub fn scenario_truths(&self) -> Vec<GroundTruth> {
        self.pump();
        let engine = self.engine.lock().expect("engine lock");
        let truths = self.scenarios.lock().expect("scenarios lock");
        scenarios::with_event_ids(&truths, &engine.generator.injected)
    }

    /// Inject a scenario of `kind` whose onset is `in_s` seconds from now
    /// (what `POST /admin/scenarios` does); returns its ground truth.
    pub fn add_scenario(&self, kind: ScenarioKind, in_s: i64) -> GroundTruth {
        let onset = self.clock.now().unix_timestamp() + in_s.max(0);
        let planned = scenarios::plan(&self.city, kind, self.settings.seed, onset);
        let truth = planned.truth.clone();
        self.engine
            .lock()
            .expect("engine lock")
            .generator
            .inject_reports(planned.reports, self.clock.now().unix_timestamp());
        self.scenarios
            .lock()
            .expect("scenarios lock")
            .push(truth.clone());
        self.pump();
        truth
    }

    /// Replaces the faults in force (what `PUT /admin/faults` does).
    ///
    /// # Errors
    /// If a fraction is outside `[0, 1]`.
    pub fn set_faults(&self, faults: Faults) -> Result<()> {
        faults.validate().map_err(Error::Config)?;
        self.faults.set(faults);
        // Data faults reach the generator on the next pump; do it now.
        self.pump();
        Ok(())
    }

    pub fn ping_interval(&self) -> Duration {
        self.settings.ping_interval
    }

    pub fn token(&self) -> Option<&str> {
        self.settings.token.as_deref()
    }
}

/// A simulated city, ready to serve. See the module documentation.
pub struct Simulator {
    shared: Arc<Shared>,
    #[cfg(feature = "video")]
    video: Option<VideoSim>,
}

impl Simulator {
    pub fn builder() -> SimulatorBuilder {
        SimulatorBuilder {
            settings: Settings {
                seed: 1,
                speed: 1.0,
                start: None,
                warmup: Duration::from_secs(86_400),
                retention: Retention::default(),
                ping_interval: Duration::from_secs(15),
                tick: Duration::from_millis(100),
                token: None,
                faults: Faults::default(),
                profile: Profile::Plain,
                scenarios: Vec::new(),
                #[cfg(feature = "video")]
                video: Some(VideoConfig::default()),
            },
            city: None,
        }
    }

    /// The simulator's clock (simulated time).
    pub fn clock(&self) -> &Clock {
        &self.shared.clock
    }

    pub fn city(&self) -> &City {
        &self.shared.city
    }

    pub fn workforce(&self) -> &Workforce {
        &self.shared.workforce
    }

    /// The video half, if it is served.
    #[cfg(feature = "video")]
    pub fn video(&self) -> Option<&VideoSim> {
        self.video.as_ref()
    }

    /// The state the routes share (for in-process inspection by tests and benches).
    pub fn shared(&self) -> &Arc<Shared> {
        &self.shared
    }

    /// Every route: the governance API, the video gateway and the admin routes.
    pub fn router(&self) -> axum::Router {
        #[allow(unused_mut, reason = "only the video feature adds routes")]
        let mut router = crate::http::router(Arc::clone(&self.shared));
        #[cfg(feature = "video")]
        if let Some(video) = &self.video {
            router = router.merge(gridwall_sim_video::router(video.clone()));
        }
        router
    }

    /// Listens on `addr` (port 0 picks a free one) and serves until `cancel`
    /// is cancelled. Returns once the socket is bound.
    pub async fn serve(self, addr: SocketAddr, cancel: CancellationToken) -> Result<Running> {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|source| Error::Bind { addr, source })?;
        let addr = listener
            .local_addr()
            .map_err(|source| Error::Bind { addr, source })?;
        let tracker = TaskTracker::new();
        let shared = Arc::clone(&self.shared);
        let tick = shared.settings.tick;
        tracker.spawn(engine::run(Arc::clone(&shared), tick, cancel.clone()));
        let app = self
            .router()
            .into_make_service_with_connect_info::<SocketAddr>();
        let stop = cancel.clone();
        tracker.spawn(async move {
            let ended = stop.clone();
            let shutdown = async move {
                ended.cancelled().await;
                shared.cancel.cancel();
            };
            if let Err(error) = axum::serve(listener, app)
                .with_graceful_shutdown(shutdown)
                .await
            {
                tracing::error!(%error, "simulator server stopped");
            }
        });
        #[cfg_attr(
            not(feature = "video"),
            allow(unused_mut, reason = "only video has a media listener")
        )]
        let mut media_addr = None;
        #[cfg(feature = "video")]
        if let (Profile::Hostile, Some(video)) = (self.shared.settings.profile, &self.video) {
            let media = SocketAddr::new(addr.ip(), 0);
            let listener = tokio::net::TcpListener::bind(media)
                .await
                .map_err(|source| Error::Bind {
                    addr: media,
                    source,
                })?;
            let bound = listener.local_addr().map_err(|source| Error::Bind {
                addr: media,
                source,
            })?;
            video.set_media_base(Some(format!("http://{bound}")));
            let app = gridwall_sim_video::router(video.clone())
                .into_make_service_with_connect_info::<SocketAddr>();
            let stop = cancel.clone();
            tracker.spawn(async move {
                if let Err(error) = axum::serve(listener, app)
                    .with_graceful_shutdown(async move { stop.cancelled().await })
                    .await
                {
                    tracing::error!(%error, "media listener stopped");
                }
            });
            media_addr = Some(bound);
        }
        tracker.close();
        tracing::info!(%addr, ?media_addr, "simulator listening");
        Ok(Running {
            media_addr,
            addr,
            tracker,
            cancel,
            shared: Arc::clone(&self.shared),
            #[cfg(feature = "video")]
            video: self.video,
        })
    }

    /// The history this simulator's city would have between `from` and `to`,
    /// generated as fast as possible (no server, no clock).
    pub fn history(&self, from: OffsetDateTime, to: OffsetDateTime) -> History {
        self.history_with(from, to, &[])
    }

    /// [`Simulator::history`] with `scenarios` injected into it.
    pub fn history_with(
        &self,
        from: OffsetDateTime,
        to: OffsetDateTime,
        scenarios: &[Scenario],
    ) -> History {
        let mut generator = Generator::new(
            Arc::clone(&self.shared.city),
            Arc::clone(&self.shared.workforce),
            self.shared.settings.seed,
            from,
        );
        generator.schedule_reports(scenarios.iter().flat_map(|s| s.reports.iter().cloned()));
        History::new(generator, to)
    }
}

/// A simulator being served.
pub struct Running {
    addr: SocketAddr,
    media_addr: Option<SocketAddr>,
    tracker: TaskTracker,
    cancel: CancellationToken,
    shared: Arc<Shared>,
    #[cfg(feature = "video")]
    video: Option<VideoSim>,
}

impl Running {
    /// The bound address (with the real port if 0 was asked).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The second listener of the hostile profile, which serves the video
    /// gateway's media under absolute URLs (`None` otherwise).
    pub fn media_addr(&self) -> Option<SocketAddr> {
        self.media_addr
    }

    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn clock(&self) -> &Clock {
        &self.shared.clock
    }

    pub fn shared(&self) -> &Arc<Shared> {
        &self.shared
    }

    #[cfg(feature = "video")]
    pub fn video(&self) -> Option<&VideoSim> {
        self.video.as_ref()
    }

    /// Stops serving and waits for the tasks to end.
    pub async fn shutdown(self) {
        self.cancel.cancel();
        self.stopped().await;
    }

    /// Waits until the server has stopped (after its token was cancelled).
    pub async fn stopped(&self) {
        self.tracker.wait().await;
    }
}
