//! The one state object, managed once: handles to what the core keeps current.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

use anyhow::Context;
use gridwall_domain::clock::Clock;
use gridwall_ingest::config::IngestConfig;
use gridwall_ingest::feed::Ingest;
use gridwall_store::Store;
use gridwall_wall::broadcast::{BroadcastTimings, Broadcasts};
use gridwall_wall::city_map::{CityMap, TownBorders};
use gridwall_wall::cluster;
use gridwall_wall::config::{Config, redact_database};
use gridwall_wall::console::Console;
use gridwall_wall::emergency::Emergency;
use gridwall_wall::feed::{Links, UpstreamLink};
use gridwall_wall::links::{self, Polling};
use gridwall_wall::live::{Live, LiveSink, Timings};
use gridwall_wall::session::Sessions;
use gridwall_wall::tasks::Tasks;
use gridwall_wall::video_proxy::{ProxyTimings, VideoProxy};
use gridwall_wall::warnings::{EarlyWarnings, WarningSink};

use crate::upstream::Started;

#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub clock: Clock,
    pub links: watch::Receiver<Links>,
    links_tx: watch::Sender<Links>,
    pub(crate) started: Arc<Started>,
    /// The live picture every window is fed from, and the store under it.
    pub live: Arc<Live>,
    /// The duty officer's drill-down, search and push to the wall.
    pub console: Arc<Console>,
    /// Who is signed in on this PC.
    pub sessions: Arc<Sessions>,
    /// Emergency plans and the two-person switch.
    pub emergency: Arc<Emergency>,
    /// Broadcasts to grid workers and their acknowledgements.
    pub broadcasts: Arc<Broadcasts>,
    /// The smart brain's early warnings (issue 13).
    pub warnings: Arc<EarlyWarnings>,
    ingest: Arc<Ingest<WarningSink<LiveSink>>>,
    /// Where ingest caches the upstream's geometry and divisions.
    pub cache_dir: std::path::PathBuf,
    /// The map's city for each window that asks.
    pub city_map: Arc<CityMap>,
    pub tasks: Tasks,
    /// Camera media for every window, through one upstream stream per camera.
    pub video: VideoProxy,
    /// Pages that subscribed since start (each window's each load).
    subscriptions: Arc<std::sync::atomic::AtomicU64>,
    /// Heals of windows whose page died or froze.
    pub watchdog: Arc<crate::watchdog::Watchdog>,
    /// Each window's own choices, for a page that is reloaded.
    pub views: Arc<gridwall_wall::view::Views>,
    /// Rung when the gateway refuses a media URL (its token is stale).
    refused: Arc<tokio::sync::Notify>,
    /// Bumped when another instance stored a new camera catalogue.
    catalogue: watch::Sender<u64>,
    /// The feed of each window, so a reloaded page replaces its old feed
    /// instead of adding a second one. A std Mutex: held for a map insert only.
    feeds: Arc<Mutex<HashMap<String, CancellationToken>>>,
}

impl AppState {
    /// Opens the store, builds the live picture and the ingest client.
    /// Call inside the runtime.
    pub async fn new(
        config: Config,
        mut started: Started,
        tasks: &Tasks,
        data_dir: &std::path::Path,
    ) -> anyhow::Result<Self> {
        // The embedded simulator stops when the app's token is cancelled;
        // tracking its end makes shutdown wait for it, within the bound.
        if let Some(simulator) = started.simulator.take() {
            tasks.spawn(|_| async move { simulator.stopped().await });
        }
        let simulated = started.upstreams.simulated;
        let (links_tx, links) = watch::channel(Links {
            governance: UpstreamLink::connecting(simulated),
            video: UpstreamLink::connecting(simulated),
        });
        let database = config.database_or_default(data_dir);
        let store = Store::open(&database)
            .await
            .with_context(|| format!("cannot open the store at {}", redact_database(&database)))?;
        tracing::info!(database = %redact_database(&database), "store open");
        let live = Live::new(Arc::new(store), started.clock.clone(), Timings::default()).await?;

        let cache_dir = data_dir.join("cache");
        let mut ingest = IngestConfig::new(started.upstreams.governance.as_str(), &cache_dir);
        ingest.video_url = Some(started.upstreams.video.as_str().to_owned());
        ingest.token = config
            .token
            .as_ref()
            .map(|t| gridwall_ingest::config::Secret::new(t.expose()));
        ingest.video_token = ingest.token.clone();
        ingest.clock = started.clock.clone();
        let warnings = EarlyWarnings::new(
            live.store().clone(),
            started.clock.clone(),
            ingest.cache_dir.join("geometry.json"),
        );
        let ingest = Arc::new(
            Ingest::new(ingest, Arc::new(warnings.sink(live.sink())))
                .context("cannot set up the ingest client")?,
        );
        let city_map = Arc::new(CityMap::new(
            live.store().clone(),
            cache_dir.join("geometry.json"),
            TownBorders::for_config(&config),
        ));
        let console = Arc::new(Console::new(
            live.store().clone(),
            started.clock.clone(),
            started.http.clone(),
            started.upstreams.governance.clone(),
        ));
        let windows = config
            .windows
            .iter()
            .map(|w| (w.label.clone(), w.layout))
            .collect();
        // People have two real minutes to confirm a switch, whatever speed
        // the platform's clock runs at.
        let emergency = Emergency::start(
            live.store().clone(),
            live.clone(),
            console.clone(),
            started.clock.clone(),
            Clock::real(),
            windows,
        )
        .await
        .context("cannot read the emergency footing")?;
        let broadcasts = Broadcasts::new(
            console.clone(),
            live.clone(),
            started.clock.clone(),
            started.http.clone(),
            started.upstreams.governance.clone(),
            BroadcastTimings::default(),
        );
        let video = VideoProxy::new(
            started.http.clone(),
            started.upstreams.video.as_str(),
            ProxyTimings::default(),
            tasks.token().child_token(),
        );
        let refused = Arc::new(tokio::sync::Notify::new());
        video.notify_when_refused(refused.clone());
        Ok(Self {
            console,
            sessions: Arc::default(),
            emergency,
            broadcasts,
            video,
            config: Arc::new(config),
            clock: started.clock.clone(),
            links,
            links_tx,
            started: Arc::new(started),
            live,
            warnings,
            ingest,
            cache_dir,
            city_map,
            tasks: tasks.clone(),
            refused,
            watchdog: Arc::default(),
            views: Arc::default(),
            subscriptions: Arc::default(),
            catalogue: watch::channel(0).0,
            feeds: Arc::default(),
        })
    }

    /// Starts the loops that keep the state current. Call inside the runtime.
    pub fn start_background(&self, tasks: &Tasks) {
        let upstreams = self.started.upstreams.clone();
        let http = self.started.http.clone();
        let clock = self.clock.clone();
        let (polled_tx, polled) = watch::channel(self.links.borrow().clone());
        tasks.spawn(move |cancel| async move {
            links::watch_links(
                upstreams,
                http,
                clock,
                Polling::default(),
                polled_tx,
                cancel,
            )
            .await
        });
        let health = self.ingest.health();
        let progress = self.ingest.progress();
        let out = self.links_tx.clone();
        tasks
            .spawn(move |cancel| links::merge_ingest_health(polled, health, progress, out, cancel));

        // One instance ingests for every console on a shared database (on
        // SQLite, this one); the others hear of its changes.
        let ingest = self.ingest.clone();
        let store = self.live.store().clone();
        let live = self.live.clone();
        tasks.supervise("ingest", move |cancel| {
            let ingest = ingest.clone();
            cluster::lead(
                store.clone(),
                live.clone(),
                move |term| {
                    let ingest = ingest.clone();
                    async move { ingest.run(term).await }
                },
                cancel,
            )
        });
        if self.live.store().shared() {
            // Whoever leads, every instance draws the map from its own cache.
            let ingest = self.ingest.clone();
            tasks.spawn(move |cancel| async move { ingest.sync_geometry(&cancel).await });
        }
        let follower = Arc::new(cluster::Follower {
            live: self.live.clone(),
            console: self.console.clone(),
            emergency: self.emergency.clone(),
            broadcasts: self.broadcasts.clone(),
            warnings: self.warnings.clone(),
            clock: self.clock.clone(),
            cameras_stale: self.ingest.cameras_stale(),
            cameras_synced: self.catalogue.clone(),
        });
        tasks.supervise("follower", move |cancel| follower.clone().run(cancel));
        // A media URL refused here: the leader fetches the catalogue again.
        let (refused, live, stale) = (
            self.refused.clone(),
            self.live.clone(),
            self.ingest.cameras_stale(),
        );
        tasks.spawn(move |cancel| async move {
            loop {
                tokio::select! {
                    () = cancel.cancelled() => return,
                    () = refused.notified() => {}
                }
                if live.leading() {
                    stale.notify_one();
                } else {
                    live.tell(gridwall_store::Change::CamerasStale).await;
                }
            }
        });
        let live = self.live.clone();
        tasks.supervise("live picture", move |cancel| live.clone().run(cancel));
        let emergency = self.emergency.clone();
        tasks.supervise("emergency footing", move |cancel| {
            emergency.clone().run(cancel)
        });
        let broadcasts = self.broadcasts.clone();
        tasks.supervise("broadcasts", move |cancel| broadcasts.clone().run(cancel));
        let warnings = self.warnings.clone();
        tasks.supervise("early warnings", move |cancel| warnings.clone().run(cancel));
        let live = self.live.clone();
        tasks.supervise("store upkeep", move |cancel| {
            gridwall_wall::upkeep::run(live.clone(), cancel)
        });
        if let Some(years) = self.config.keep_revisions_years {
            let (live, clock) = (self.live.clone(), self.clock.clone());
            tasks.supervise("retention", move |cancel| {
                gridwall_wall::retention::run(live.clone(), clock.clone(), years, cancel)
            });
        }

        // The proxy fetches with the catalogue's media URLs: it gets the one
        // the store kept from the last run at once, then every fresh one
        // (tokens in URLs expire; a refusal asks for one). Its only source.
        // On a shared database the catalogue may come from another instance.
        let mut synced = self.ingest.cameras_synced();
        let mut heard = self.catalogue.subscribe();
        let store = self.live.store().clone();
        let video = self.video.clone();
        tasks.spawn(move |cancel| async move {
            loop {
                match store.reference("cameras").await {
                    Ok(records) => video.set_catalogue(&gridwall_wall::video::catalogue(&records)),
                    Err(err) => tracing::warn!("cannot read the camera catalogue: {err}"),
                }
                tokio::select! {
                    () = cancel.cancelled() => return,
                    changed = synced.changed() => if changed.is_err() { return },
                    changed = heard.changed() => if changed.is_err() { return },
                }
            }
        });
    }

    /// How many times a page subscribed (each load of each window).
    pub fn subscriptions(&self) -> u64 {
        self.subscriptions
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    /// A cancellation token for a window's feed, cancelling the one it replaces.
    pub fn replace_feed(&self, window: &str) -> CancellationToken {
        self.subscriptions
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let token = self.tasks.token().child_token();
        let mut feeds = self.feeds.lock().expect("feed map lock poisoned");
        if let Some(old) = feeds.insert(window.to_string(), token.clone()) {
            old.cancel();
        }
        token
    }
}
