//! The one state object, managed once: handles to what the core keeps current.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

use gridwall_domain::clock::Clock;
use gridwall_wall::config::Config;
use gridwall_wall::feed::{Links, UpstreamLink};
use gridwall_wall::links::{self, Polling};
use gridwall_wall::tasks::Tasks;

use crate::upstream::Started;

#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub clock: Clock,
    pub links: watch::Receiver<Links>,
    links_tx: watch::Sender<Links>,
    started: Arc<Started>,
    pub tasks: Tasks,
    /// The feed of each window, so a reloaded page replaces its old feed
    /// instead of adding a second one. A std Mutex: held for a map insert only.
    feeds: Arc<Mutex<HashMap<String, CancellationToken>>>,
}

impl AppState {
    pub fn new(config: Config, mut started: Started, tasks: &Tasks) -> Self {
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
        Self {
            config: Arc::new(config),
            clock: started.clock.clone(),
            links,
            links_tx,
            started: Arc::new(started),
            tasks: tasks.clone(),
            feeds: Arc::default(),
        }
    }

    /// Starts the loops that keep the state current. Call inside the runtime.
    pub fn start_background(&self, tasks: &Tasks) {
        let upstreams = self.started.upstreams.clone();
        let http = self.started.http.clone();
        let clock = self.clock.clone();
        let tx = self.links_tx.clone();
        tasks.spawn(move |cancel| async move {
            links::watch_links(upstreams, http, clock, Polling::default(), tx, cancel).await
        });
    }

    /// A cancellation token for a window's feed, cancelling the one it replaces.
    pub fn replace_feed(&self, window: &str) -> CancellationToken {
        let token = self.tasks.token().child_token();
        let mut feeds = self.feeds.lock().expect("feed map lock poisoned");
        if let Some(old) = feeds.insert(window.to_string(), token.clone()) {
            old.cancel();
        }
        token
    }
}
