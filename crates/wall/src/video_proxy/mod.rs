//! Camera media through Rust: one upstream MJPEG connection per camera, shared
//! by every window and tile that shows it, and HLS playlists and segments
//! with their URIs kept here (the `hls` module).
//!
//! The webview never talks to the gateway. It asks this proxy (through the
//! shell's `gridwall-video:` URI scheme) for the next frame of a camera after
//! the one it has, and for snapshots. The first viewer of a camera opens the
//! upstream stream; every later viewer, in any window, reads the same frames;
//! the connection closes [`ProxyTimings::linger`] after the last viewer stopped
//! asking. So:
//!
//! - the gateway's `max_streams_per_client` is counted here, over all windows:
//!   [`VideoProxy::next_frame`] answers [`MediaError::Cap`] instead of opening
//!   one stream too many, and a 429 from the gateway is the same answer;
//! - the bearer token (and any `token` in the catalogue's media URLs) stays in
//!   Rust;
//! - the webview's per-host connection limit does not apply: a custom scheme
//!   is not fetched through its network stack (measured, `docs/benchmarks.md`);
//! - a stream that sends nothing for [`ProxyTimings::hung_after`] is closed as
//!   [`MediaError::Hung`], and a camera whose stream failed is not asked again
//!   before its backoff has passed, however many tiles want it.
//!
//! Media URLs from the catalogue are resolved against the gateway's base
//! URL as RFC 3986 says ([`gridwall_ingest::address`]): with or without a
//! leading slash, `../`, or absolute on another host and port (a separate
//! media server); their `token` query parameter is kept and never logged.
//!
//! Tauri's custom scheme takes a whole body per request, so frames go to the
//! webview one request each (a long poll), not as a multipart stream.
//!
//! Why not let the webview fetch MJPEG itself (the first version did): it
//! could show at most 4 live tiles a window (6 connections per host, 2 kept
//! for snapshots), each window counted its streams apart against the
//! gateway's cap, and the token would have had to reach the page. Measured
//! with 16 tiles (`docs/benchmarks.md`, 2026-11-27): direct, 4 live tiles
//! for 0.73 cores of the app; through this proxy, 16 live tiles for 0.25.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use gridwall_ingest::address::{self, AddressError, Url};
use tokio::sync::watch;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::video::CameraTile;

mod error;
mod hls;
mod multipart;
mod ptz;
mod scheme;

pub use error::MediaError;
use error::plain;
pub use hls::{HlsBody, LIVE_PLAYLIST, PLAYLIST_TYPE};
pub use multipart::{Multipart, boundary_of};
pub use ptz::PtzError;
pub use scheme::{MEDIA_BASE, MediaAnswer, SCHEME};

/// One JPEG of a live stream, numbered: a viewer asks for the frame after the
/// one it has. Numbers only grow over the proxy's life, across reconnections.
#[derive(Clone, Debug)]
pub struct Frame {
    pub seq: u64,
    pub jpeg: Bytes,
}

/// What a long poll for the next frame brings.
#[derive(Clone, Debug)]
pub enum Poll {
    Frame(Frame),
    /// No new frame within [`ProxyTimings::poll_wait`]; ask again.
    NotYet,
}

/// The proxy's clocks.
#[derive(Clone, Debug)]
pub struct ProxyTimings {
    /// Frames per second asked of the gateway.
    pub fps: u8,
    /// A stream with no frame for this long is hung (the first frame may take
    /// [`ProxyTimings::first_frame_within`]).
    pub hung_after: Duration,
    pub first_frame_within: Duration,
    /// An upstream stream nobody asked a frame of for this long is closed.
    pub linger: Duration,
    /// A poll waits this long for a new frame before answering [`Poll::NotYet`].
    pub poll_wait: Duration,
    /// After a refusal for the cap, the camera is not asked again before this.
    pub cap_retry: Duration,
    /// A snapshot request gives up after this.
    pub snapshot_timeout: Duration,
}

impl Default for ProxyTimings {
    fn default() -> Self {
        Self {
            fps: 10,
            hung_after: Duration::from_secs(5),
            first_frame_within: Duration::from_secs(10),
            // Above the webview's longest pause between two asks (1.5 s
            // while it waits for a picture to be painted).
            linger: Duration::from_secs(4),
            poll_wait: Duration::from_secs(3),
            cap_retry: Duration::from_secs(5),
            snapshot_timeout: Duration::from_secs(8),
        }
    }
}

/// The delay before the `failures`-th retry of a camera's live stream: 2 s
/// doubling, at most 60 s.
pub fn backoff(failures: u32) -> Duration {
    Duration::from_secs((2u64 << failures.saturating_sub(1).min(5)).min(60))
}

/// A live stream that ran this long without trouble forgets earlier failures.
const HEALTHY: Duration = Duration::from_secs(20);

/// The media proxy. Cloning is cheap; every clone is the same proxy.
#[derive(Clone)]
pub struct VideoProxy {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    /// The gateway's base URL as a directory (`address::base`); an error
    /// here answers every media request with it.
    base: Result<Url, AddressError>,
    timings: ProxyTimings,
    cancel: CancellationToken,
    seq: AtomicU64,
    // std mutexes: held for a map lookup or insert, never across an await.
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    /// `max_streams_per_client`; `None` until the gateway's health said it
    /// (no live stream is opened before).
    cap: Option<u32>,
    /// Media paths by camera, from the catalogue.
    media: HashMap<String, Media>,
    /// Open (or opening) upstream streams by camera: what counts against the
    /// cap, with the cameras playing HLS now.
    feeds: HashMap<String, Arc<Feed>>,
    /// Cameras whose HLS the page plays or played lately.
    hls: HashMap<String, hls::Session>,
    /// Cameras whose last stream failed: not asked again before `until`.
    failures: HashMap<String, Failure>,
    /// Upstream streams opened since the start, for tests and benchmarks.
    opened: u64,
    /// Told when the gateway refuses a media URL (401/403): its token is
    /// stale and the catalogue must be fetched again.
    refused: Option<Arc<tokio::sync::Notify>>,
}

impl State {
    /// Live streams held now: MJPEG feeds and cameras playing HLS.
    fn live_streams(&self, now: Instant) -> usize {
        self.feeds.len() + self.hls.values().filter(|s| s.active(now)).count()
    }
}

#[derive(Clone)]
struct Media {
    snapshot: String,
    mjpeg: Option<String>,
    hls: Option<String>,
}

struct Failure {
    count: u32,
    until: Instant,
    error: MediaError,
}

struct Feed {
    frames: watch::Sender<FeedState>,
    /// When a viewer last asked, and how many wait now: an idle feed closes.
    last_asked: Mutex<Instant>,
    waiting: AtomicUsize,
    cancel: CancellationToken,
}

#[derive(Clone, Default)]
struct FeedState {
    frame: Option<Frame>,
    end: Option<MediaError>,
}

impl VideoProxy {
    /// A proxy to the gateway at `base_url`. `http` carries the bearer token
    /// as a default header; `cancel` closes every upstream stream.
    pub fn new(
        http: reqwest::Client,
        base_url: &str,
        timings: ProxyTimings,
        cancel: CancellationToken,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                http,
                base: address::base(base_url),
                timings,
                cancel,
                seq: AtomicU64::new(0),
                state: Mutex::default(),
            }),
        }
    }

    /// `reference` (a catalogue URL, or one of our own paths written without
    /// a leading slash) resolved against the gateway's base. The error names
    /// the base only: the reference may carry a token.
    fn resolve(&self, reference: &str) -> Result<Url, MediaError> {
        let base = self
            .inner
            .base
            .as_ref()
            .map_err(|e| MediaError::Failed(e.to_string()))?;
        address::resolve(base, reference).map_err(|e| MediaError::Failed(e.to_string()))
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.inner.state.lock().expect("video proxy lock poisoned")
    }

    /// The gateway's per-client cap, from its health (`None`: unknown, no live streams).
    pub fn set_cap(&self, cap: Option<u32>) {
        self.state().cap = cap;
    }

    pub fn cap(&self) -> Option<u32> {
        self.state().cap
    }

    /// Where each camera's media is, from the catalogue (relative URLs, tokens included).
    pub fn set_catalogue(&self, cameras: &[CameraTile]) {
        let media = cameras
            .iter()
            .map(|c| {
                (
                    c.camera_id.clone(),
                    Media {
                        snapshot: c.snapshot.clone(),
                        mjpeg: c.mjpeg.clone(),
                        hls: c.hls_playlist.clone(),
                    },
                )
            })
            .collect();
        let mut state = self.state();
        state.media = media;
        // Fresh URLs: a camera refused for its old token may try at once.
        state
            .failures
            .retain(|_, f| !matches!(f.error, MediaError::Unauthorized(_)));
    }

    /// `notify` is told whenever the gateway refuses a media URL (401/403),
    /// so that whoever keeps the catalogue fetches fresh URLs.
    pub fn notify_when_refused(&self, notify: Arc<tokio::sync::Notify>) {
        self.state().refused = Some(notify);
    }

    /// GETs `url` with the snapshot timeout; a non-success status is the
    /// error [`Self::answered`] makes of it.
    async fn get_ok(&self, url: Url) -> Result<reqwest::Response, MediaError> {
        let response = self
            .inner
            .http
            .get(url)
            .timeout(self.inner.timings.snapshot_timeout)
            .send()
            .await
            .map_err(|err| MediaError::Failed(plain(err)))?;
        if !response.status().is_success() {
            return Err(self.answered(response.status()));
        }
        Ok(response)
    }

    /// The error for a gateway's non-success `status`; a refusal is passed on.
    fn answered(&self, status: reqwest::StatusCode) -> MediaError {
        let error = MediaError::from_status(status);
        if matches!(error, MediaError::Unauthorized(_)) {
            tracing::warn!(%status, "the gateway refused a media URL: its token is stale");
            if let Some(notify) = &self.state().refused {
                notify.notify_one();
            }
        }
        error
    }

    /// Upstream live streams open now (or opening), counting cameras playing
    /// HLS: never more than the cap.
    pub fn open_streams(&self) -> usize {
        self.state().live_streams(Instant::now())
    }

    /// Upstream live streams opened since the start.
    pub fn streams_opened(&self) -> u64 {
        self.state().opened
    }

    /// One JPEG of `camera_id`, fetched now.
    pub async fn snapshot(&self, camera_id: &str) -> Result<Bytes, MediaError> {
        let path = self
            .state()
            .media
            .get(camera_id)
            .map(|m| m.snapshot.clone())
            .ok_or(MediaError::NotFound)?;
        let url = self.resolve(&path)?;
        self.get_ok(url)
            .await?
            .bytes()
            .await
            .map_err(|err| MediaError::Failed(plain(err)))
    }

    /// The first frame of `camera_id` newer than `after` (0: any), waiting
    /// up to [`ProxyTimings::poll_wait`]. Opens the camera's upstream stream
    /// if nobody watches it yet and the cap allows.
    pub async fn next_frame(&self, camera_id: &str, after: u64) -> Result<Poll, MediaError> {
        let feed = self.feed(camera_id)?;
        feed.waiting.fetch_add(1, Ordering::SeqCst);
        *feed.last_asked.lock().expect("feed lock poisoned") = Instant::now();
        let mut frames = feed.frames.subscribe();
        let waited = tokio::time::timeout(
            self.inner.timings.poll_wait,
            frames.wait_for(|s| s.end.is_some() || s.frame.as_ref().is_some_and(|f| f.seq > after)),
        )
        .await;
        *feed.last_asked.lock().expect("feed lock poisoned") = Instant::now();
        feed.waiting.fetch_sub(1, Ordering::SeqCst);
        match waited {
            Err(_) => Ok(Poll::NotYet),
            Ok(Err(_)) => Err(MediaError::Failed("the stream was closed".into())),
            Ok(Ok(state)) => match (&state.end, &state.frame) {
                (Some(end), _) => Err(end.clone()),
                (None, Some(frame)) => Ok(Poll::Frame(frame.clone())),
                (None, None) => Ok(Poll::NotYet),
            },
        }
    }

    /// The camera's open feed, or a new one if the cap and its backoff allow.
    fn feed(&self, camera_id: &str) -> Result<Arc<Feed>, MediaError> {
        let mut state = self.state();
        if let Some(feed) = state.feeds.get(camera_id) {
            return Ok(feed.clone());
        }
        let now = Instant::now();
        if let Some(failure) = state.failures.get(camera_id)
            && failure.until > now
        {
            return Err(failure.error.clone());
        }
        let mjpeg = state
            .media
            .get(camera_id)
            .and_then(|m| m.mjpeg.clone())
            .ok_or(MediaError::NotFound)?;
        let cap = state.cap.unwrap_or(0) as usize;
        if state.live_streams(now) >= cap {
            return Err(MediaError::Cap);
        }
        // Appended as a pair: the URL's own query (its token) stays as it came.
        let mut url = self.resolve(&mjpeg)?;
        url.query_pairs_mut()
            .append_pair("fps", &self.inner.timings.fps.to_string());
        let feed = Arc::new(Feed {
            frames: watch::channel(FeedState::default()).0,
            last_asked: Mutex::new(now),
            waiting: AtomicUsize::new(0),
            cancel: self.inner.cancel.child_token(),
        });
        state.feeds.insert(camera_id.to_owned(), feed.clone());
        state.opened += 1;
        tokio::spawn(self.clone().run(camera_id.to_owned(), url, feed.clone()));
        Ok(feed)
    }

    /// Reads one upstream stream until it ends, hangs, or nobody watches.
    async fn run(self, camera_id: String, url: Url, feed: Arc<Feed>) {
        let started = Instant::now();
        let outcome = self.pump(&url, &feed).await;
        let healthy = started.elapsed() >= HEALTHY;
        {
            let mut state = self.state();
            if state
                .feeds
                .get(&camera_id)
                .is_some_and(|f| Arc::ptr_eq(f, &feed))
            {
                state.feeds.remove(&camera_id);
            }
            match &outcome {
                Ok(()) => {
                    state.failures.remove(&camera_id);
                }
                Err(error) => {
                    let count = if healthy {
                        1
                    } else {
                        state.failures.get(&camera_id).map_or(0, |f| f.count) + 1
                    };
                    let wait = if *error == MediaError::Cap {
                        self.inner.timings.cap_retry
                    } else {
                        backoff(count)
                    };
                    tracing::info!(camera = %camera_id, retry_in = ?wait, "live stream: {error}");
                    state.failures.insert(
                        camera_id.clone(),
                        Failure {
                            count,
                            until: Instant::now() + wait,
                            error: error.clone(),
                        },
                    );
                }
            }
        }
        let end = outcome
            .err()
            .unwrap_or_else(|| MediaError::Failed("nobody watches".into()));
        feed.frames.send_modify(|s| s.end = Some(end));
    }

    /// `Ok` when closed for lack of viewers (or at shutdown), else why it ended.
    async fn pump(&self, url: &Url, feed: &Feed) -> Result<(), MediaError> {
        let timings = &self.inner.timings;
        let send = self.inner.http.get(url.clone()).send();
        let mut response = tokio::select! {
            () = feed.cancel.cancelled() => return Ok(()),
            sent = tokio::time::timeout(timings.first_frame_within, send) => match sent {
                Err(_) => return Err(MediaError::Hung),
                Ok(Err(err)) => return Err(MediaError::Failed(plain(err))),
                Ok(Ok(response)) => response,
            },
        };
        if !response.status().is_success() {
            return Err(self.answered(response.status()));
        }
        let boundary = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(boundary_of)
            .ok_or_else(|| MediaError::Failed("not a multipart stream".into()))?;
        let mut parts = Multipart::new(&boundary);
        let mut deadline = Instant::now() + timings.first_frame_within;
        let mut idle_check = tokio::time::interval(Duration::from_millis(250));
        loop {
            tokio::select! {
                () = feed.cancel.cancelled() => return Ok(()),
                _ = idle_check.tick() => {
                    let asked = *feed.last_asked.lock().expect("feed lock poisoned");
                    if feed.waiting.load(Ordering::SeqCst) == 0 && asked.elapsed() > timings.linger {
                        return Ok(());
                    }
                }
                chunk = tokio::time::timeout_at(deadline, response.chunk()) => match chunk {
                    Err(_) => return Err(MediaError::Hung),
                    Ok(Err(err)) => return Err(MediaError::Failed(plain(err))),
                    Ok(Ok(None)) => return Err(MediaError::Failed("the gateway ended the stream".into())),
                    Ok(Ok(Some(bytes))) => {
                        parts.push(&bytes);
                        while let Some(jpeg) = parts
                            .next_part()
                            .map_err(|refused| MediaError::Failed(refused.to_string()))?
                        {
                            let seq = self.inner.seq.fetch_add(1, Ordering::SeqCst) + 1;
                            feed.frames.send_modify(|s| s.frame = Some(Frame { seq, jpeg }));
                            deadline = Instant::now() + timings.hung_after;
                        }
                    }
                },
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_a_minute() {
        let waits: Vec<u64> = (1..=8).map(|n| backoff(n).as_secs()).collect();
        assert_eq!(waits, [2, 4, 8, 16, 32, 60, 60, 60]);
    }
}
