//! The change feed: [`Ingest::run`] syncs the reference data, then keeps the
//! sink current from the feed for as long as it is not cancelled.
//!
//! One round of the loop: **catch up** with paged backfill from the cursor
//! (`GET /events?since=`, following `next_since` until null), or, when the
//! feed no longer has that position (410), a **snapshot** of the open events
//! whose `head_seq` becomes the cursor; then the **stream**, resumed with
//! `Last-Event-ID`, in batches. The stream ends by the server's hand, by a
//! `reset`, or by the watchdog (no byte, pings included, for `watchdog`), and
//! the next round starts with catching up again, after a backoff when the
//! stream brought nothing.
//!
//! Every batch, page and snapshot goes to the sink with the cursor that
//! follows it, in one call the sink commits atomically. On the stream the
//! platform may send a broken copy of an entry before the genuine one under
//! the same `id`; a batch that ends on a record the store would refuse
//! therefore saves the seq before it, so a restart replays that id rather
//! than skipping its genuine copy.
//!
//! A snapshot loses what happened in the gap to events that are no longer
//! open. Two repairs narrow that: events the sink holds as open but the
//! snapshot lacks are fetched one by one (`GET /events/{id}`), and the seq
//! range the snapshot jumped over is remembered as a hole and backfilled
//! later, should the feed answer for it again (kept in memory only).

use std::sync::Arc;

use gridwall_store::{Applied, RawRecord};
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde::Deserialize;
use tokio::sync::{Notify, watch};
use tokio_util::sync::CancellationToken;

use crate::config::IngestConfig;
use crate::health::{Health, Progress, Tracker};
use crate::reference::{self, SyncReport};
use crate::retry::{Backoff, Http, pause};
use crate::sink::Sink;
use crate::{Error, Result};

mod catch_up;
mod stream;

/// At most this many holes are remembered; the oldest go first.
const MAX_HOLES: usize = 64;

/// A refused media URL fetches the catalogue again at most this often.
pub const MIN_CAMERA_REFRESH: std::time::Duration = std::time::Duration::from_secs(10);

/// The ingest client of one governance upstream (and its video gateway's
/// camera catalogue), writing into a [`Sink`].
pub struct Ingest<S: Sink> {
    sink: Arc<S>,
    http: Http,
    /// For the video gateway: its own tracker, so a gateway that is down
    /// does not show the governance link as down.
    video_http: Http,
    config: Arc<IngestConfig>,
    tracker: Arc<Tracker>,
    /// Someone found the catalogue's media URLs refused (401/403).
    cameras_stale: Arc<Notify>,
    /// How many times the camera catalogue has been stored.
    cameras_synced: watch::Sender<u64>,
}

/// Why a stream ended.
#[derive(Debug, PartialEq, Eq)]
enum StreamEnd {
    /// The server closed it or the connection dropped.
    Closed { delivered: usize },
    /// No byte for the watchdog's time.
    Silent { delivered: usize },
    /// `event: reset`: the server lost our position.
    Reset,
}

/// A seq range a snapshot jumped over: revisions in `(from, to]` of events
/// that are no longer open may be missing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Hole {
    from: u64,
    to: u64,
}

impl<S: Sink> Ingest<S> {
    /// A client for `config` writing into `sink`.
    ///
    /// # Errors
    /// If the configuration does not validate.
    pub fn new(config: IngestConfig, sink: Arc<S>) -> Result<Ingest<S>> {
        config.validate()?;
        let config = Arc::new(config);
        let tracker = Arc::new(Tracker::new(&config.upstream, config.lag_threshold));
        let http = Http::new(Arc::clone(&config), Arc::clone(&tracker))?;
        let video_tracker = Arc::new(Tracker::new("video", config.lag_threshold));
        let video_http = Http::new(Arc::clone(&config), video_tracker)?;
        Ok(Ingest {
            sink,
            http,
            video_http,
            config,
            tracker,
            cameras_stale: Arc::new(Notify::new()),
            cameras_synced: watch::Sender::new(0),
        })
    }

    /// Notify this when the gateway refuses a media URL of the catalogue
    /// (401/403: its token is stale): the catalogue is fetched again at
    /// once, then no sooner than [`MIN_CAMERA_REFRESH`] after.
    pub fn cameras_stale(&self) -> Arc<Notify> {
        Arc::clone(&self.cameras_stale)
    }

    /// Changes each time the camera catalogue has been stored afresh.
    pub fn cameras_synced(&self) -> watch::Receiver<u64> {
        self.cameras_synced.subscribe()
    }

    /// The link's health, updated as it changes.
    pub fn health(&self) -> watch::Receiver<Health> {
        self.tracker.health()
    }

    /// What the client is doing and how far it got (a backfill's total is
    /// the distance from its start to the head).
    pub fn progress(&self) -> watch::Receiver<Progress> {
        self.tracker.progress()
    }

    pub fn sink(&self) -> &Arc<S> {
        &self.sink
    }

    /// Syncs the reference data once (each request retried as the contract asks).
    ///
    /// # Errors
    /// An answer the contract does not allow, a cache or sink failure, or `Cancelled`.
    pub async fn sync_reference(&self, cancel: &CancellationToken) -> Result<SyncReport> {
        reference::sync(
            &self.http,
            &self.video_http,
            &*self.sink,
            &self.tracker,
            cancel,
        )
        .await
    }

    /// Fetches the grid geometry into the cache, retrying with backoff
    /// until it is there or `cancel` fires: an instance that does not ingest
    /// (another one leads on a shared database) still draws the map.
    pub async fn sync_geometry(&self, cancel: &CancellationToken) {
        let fetch = || reference::geometry(&self.http, cancel);
        self.until_done("grid geometry", cancel, fetch).await;
    }

    /// Syncs the reference data and follows the feed until `cancel` fires.
    /// Failures are logged and retried with backoff, never returned: the
    /// wall keeps trying for as long as it runs. Returns when cancelled,
    /// after committing the batch in hand.
    ///
    /// The governance reference data comes first (the feed's events name its
    /// grids); should it fail for a reason a retry of one request does not
    /// cure, it is retried beside the feed rather than before it. The camera
    /// catalogue always syncs beside the feed, so a video gateway that is
    /// down never holds up the governance feed.
    pub async fn run(&self, cancel: CancellationToken) {
        let main = async {
            let first =
                reference::governance(&self.http, &*self.sink, &self.tracker, &cancel).await;
            let reference = async {
                match first {
                    Ok(_) => {}
                    Err(Error::Cancelled) => return,
                    Err(e) => {
                        tracing::warn!(error = %e, "reference sync failed; retrying beside the feed");
                        let sync = || {
                            reference::governance(&self.http, &*self.sink, &self.tracker, &cancel)
                        };
                        if !self.until_done("reference sync", &cancel, sync).await {
                            return;
                        }
                    }
                }
                let sync = || async {
                    let synced = reference::cameras(&self.video_http, &*self.sink, &cancel).await?;
                    self.cameras_synced.send_modify(|n| *n += 1);
                    Ok(synced)
                };
                if !self
                    .until_done("camera catalogue sync", &cancel, &sync)
                    .await
                {
                    return;
                }
                // Again now and then, and at once when a media URL is refused.
                loop {
                    tokio::select! {
                        () = cancel.cancelled() => return,
                        () = tokio::time::sleep(self.config.camera_refresh) => {}
                        () = self.cameras_stale.notified() => {
                            tracing::info!("a media URL was refused: fetching the camera catalogue again");
                        }
                    }
                    if !self
                        .until_done("camera catalogue sync", &cancel, &sync)
                        .await
                    {
                        return;
                    }
                    if pause(MIN_CAMERA_REFRESH, &cancel).await.is_err() {
                        return;
                    }
                }
            };
            tokio::join!(reference, self.follow(&cancel));
        };
        tokio::join!(main, self.poll_head(&cancel));
    }

    /// Runs `attempt` until it succeeds (true) or `cancel` fires (false),
    /// with backoff between failures.
    async fn until_done<T, Fut>(
        &self,
        what: &str,
        cancel: &CancellationToken,
        mut attempt: impl FnMut() -> Fut,
    ) -> bool
    where
        Fut: std::future::Future<Output = Result<T>>,
    {
        let mut backoff = Backoff::new(self.config.backoff_base, self.config.backoff_cap);
        loop {
            match attempt().await {
                Ok(_) => return true,
                Err(Error::Cancelled) => return false,
                Err(e) => {
                    tracing::warn!(error = %e, "{what} failed; retrying");
                    if pause(backoff.next_delay(), cancel).await.is_err() {
                        return false;
                    }
                }
            }
        }
    }

    /// Follows the feed only (no reference sync) until `cancel` fires.
    pub async fn follow(&self, cancel: &CancellationToken) {
        let mut state = FeedState {
            cursor: None,
            loaded: false,
            holes: Vec::new(),
            streams_opened: 0,
        };
        let mut backoff = Backoff::new(self.config.backoff_base, self.config.backoff_cap);
        loop {
            match self.follow_once(&mut state, &mut backoff, cancel).await {
                Err(Error::Cancelled) => return,
                Err(e) => {
                    tracing::warn!(error = %e, "feed round failed; retrying");
                    if pause(backoff.next_delay(), cancel).await.is_err() {
                        return;
                    }
                }
                Ok(never) => match never {},
            }
        }
    }

    /// Rounds of catch-up and stream; returns only on an error.
    async fn follow_once(
        &self,
        state: &mut FeedState,
        backoff: &mut Backoff,
        cancel: &CancellationToken,
    ) -> Result<std::convert::Infallible> {
        if !state.loaded {
            state.cursor = self.sink.cursor(&self.config.upstream).await?;
            state.loaded = true;
            if let Some(c) = state.cursor {
                self.tracker.cursor(c);
            }
            tracing::info!(cursor = ?state.cursor, "following the feed");
        }
        loop {
            self.catch_up(state, cancel).await?;
            self.repair(state, cancel).await?;
            if state.streams_opened > 0 {
                self.tracker.modify(|h| h.reconnects += 1);
            }
            state.streams_opened += 1;
            let end = self.stream(state, cancel).await?;
            tracing::info!(?end, cursor = ?state.cursor, "stream ended; catching up");
            match end {
                StreamEnd::Closed { delivered } | StreamEnd::Silent { delivered }
                    if delivered > 0 =>
                {
                    backoff.reset();
                }
                // Nothing came, or the position was lost: wait before asking
                // again, so a server that ends every stream at once, or keeps
                // resetting, is not hammered.
                _ => pause(backoff.next_delay(), cancel).await?,
            }
        }
    }

    /// Lands `records` with `cursor` and accounts for them, on the sink's
    /// bulk path when `bulk` (a long catch-up).
    async fn land(
        &self,
        records: &[RawRecord],
        cursor: Option<u64>,
        state: &mut FeedState,
        bulk: bool,
    ) -> Result<Applied> {
        let now = self.config.clock.now();
        let upstream = &self.config.upstream;
        let applied = if bulk {
            self.sink.apply_bulk(upstream, records, cursor, now).await?
        } else {
            self.sink.apply_from(upstream, records, cursor, now).await?
        };
        self.tracker.applied(&applied, records.len());
        if let Some(c) = cursor {
            state.cursor = Some(c);
            self.tracker.cursor(c);
        }
        Ok(applied)
    }

    /// Asks `/health` for the head every `health_interval`, for the lag.
    async fn poll_head(&self, cancel: &CancellationToken) {
        #[derive(Deserialize)]
        struct HealthBody {
            head_seq: Option<u64>,
        }
        let url = match self.config.governance("api/v1/health") {
            Ok(url) => url,
            // Validated with the configuration, so this cannot happen; no lag then.
            Err(e) => {
                tracing::warn!(error = %e, "cannot poll the platform's head");
                return;
            }
        };
        loop {
            // `/health` needs no token (the contract exempts it), so none is sent.
            let answer = self
                .http
                .get_body(&url, None, &HeaderMap::new(), cancel)
                .await;
            if let Ok((StatusCode::OK, _, body)) = answer
                && let Ok(HealthBody {
                    head_seq: Some(head),
                }) = serde_json::from_slice(&body)
            {
                self.tracker.head(head);
            }
            if pause(self.config.health_interval, cancel).await.is_err() {
                return;
            }
        }
    }
}

/// What the feed loop carries between rounds.
struct FeedState {
    /// Equal to what the sink committed last (read from it once at start).
    cursor: Option<u64>,
    loaded: bool,
    holes: Vec<Hole>,
    /// Stream rounds started; every one after the first is a reconnect.
    streams_opened: u64,
}

impl FeedState {
    /// Remembers a hole, merging it with one it touches.
    fn add_hole(&mut self, hole: Hole) {
        if let Some(last) = self.holes.last_mut()
            && hole.from <= last.to
            && hole.to >= last.from
        {
            last.from = last.from.min(hole.from);
            last.to = last.to.max(hole.to);
            return;
        }
        self.holes.push(hole);
        if self.holes.len() > MAX_HOLES {
            self.holes.remove(0);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn touching_holes_merge_and_distant_ones_do_not() {
        let mut state = FeedState {
            cursor: None,
            loaded: true,
            holes: Vec::new(),
            streams_opened: 0,
        };
        state.add_hole(Hole { from: 10, to: 20 });
        state.add_hole(Hole { from: 20, to: 30 });
        assert_eq!(state.holes, vec![Hole { from: 10, to: 30 }]);
        state.add_hole(Hole { from: 40, to: 50 });
        assert_eq!(state.holes.len(), 2);
    }
}
