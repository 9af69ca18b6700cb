//! Live MJPEG: one frame producer per watched camera, shared by all its viewers.
//!
//! The first viewer of a camera starts a producer task that renders a frame,
//! publishes it on a `watch` channel and sleeps until the next tick, at the
//! highest frame rate any viewer asked for. Each viewer sends the latest frame
//! at its own rate, so ten viewers of one camera cost one render. When the last
//! viewer leaves, the producer stops and forgets the camera.
//!
//! A viewer's body also carries its fate: the faults drawn when it opened
//! (hang or cut after a few frames), the admin's orders for its camera, and
//! the camera going offline, which ends it.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::{BufMut, Bytes, BytesMut};
use gridwall_domain::video::CameraStatus;
use serde::{Deserialize, Serialize};
use tokio::sync::watch;
use tokio::time::Instant;

use crate::VideoSim;
use crate::ledger::Slot;

/// The multipart boundary of every MJPEG response.
pub(crate) const BOUNDARY: &str = "gridwallframe";

/// How a stream fails on purpose.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StreamFault {
    /// The body ends cleanly after a whole part.
    #[default]
    End,
    /// The body ends inside a JPEG part, half of its bytes sent.
    MidFrame,
    /// The body stops sending and stays open.
    Hang,
}

/// An admin's order to the streams of one camera; a new generation means "now".
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Order {
    pub generation: u64,
    pub fault: StreamFault,
}

/// One encoded frame as a ready-made multipart part, shared by all viewers.
struct Part {
    bytes: Bytes,
    /// Length of the part's headers, before the JPEG starts.
    head: usize,
}

impl Part {
    fn new(jpeg: &[u8]) -> Self {
        let head = format!(
            "--{BOUNDARY}\r\nContent-Type: image/jpeg\r\nContent-Length: {}\r\n\r\n",
            jpeg.len()
        );
        let mut bytes = BytesMut::with_capacity(head.len() + jpeg.len() + 2);
        bytes.put_slice(head.as_bytes());
        bytes.put_slice(jpeg);
        bytes.put_slice(b"\r\n");
        Self {
            bytes: bytes.freeze(),
            head: head.len(),
        }
    }

    /// The part cut inside its JPEG.
    fn truncated(&self) -> Bytes {
        let jpeg_len = self.bytes.len() - self.head - 2;
        self.bytes.slice(..self.head + jpeg_len / 2)
    }
}

/// The cameras being watched now.
#[derive(Default)]
pub(crate) struct Feeds {
    // A std mutex: held to join or leave a feed, never across an await.
    feeds: Mutex<HashMap<usize, Arc<Feed>>>,
}

struct Feed {
    frames: watch::Sender<Option<Arc<Part>>>,
    /// Viewers per requested frame rate (index = fps).
    viewers: Mutex<[u32; 26]>,
}

impl Feed {
    fn fastest(&self) -> usize {
        let viewers = self.viewers.lock().expect("feed lock poisoned");
        viewers.iter().rposition(|&n| n > 0).unwrap_or(0)
    }
}

/// A viewer's membership of a feed; leaving on drop.
struct Subscription {
    feed: Arc<Feed>,
    frames: watch::Receiver<Option<Arc<Part>>>,
    fps: usize,
}

impl Drop for Subscription {
    fn drop(&mut self) {
        self.feed.viewers.lock().expect("feed lock poisoned")[self.fps] -= 1;
    }
}

impl Subscription {
    async fn latest(&mut self) -> Option<Arc<Part>> {
        let frame = self.frames.wait_for(Option::is_some).await.ok()?;
        frame.clone()
    }
}

fn subscribe(sim: &VideoSim, index: usize, fps: usize) -> Subscription {
    let mut feeds = sim.shared.feeds.feeds.lock().expect("feeds lock poisoned");
    let feed = feeds
        .entry(index)
        .or_insert_with(|| {
            let feed = Arc::new(Feed {
                frames: watch::channel(None).0,
                viewers: Mutex::new([0; 26]),
            });
            tokio::spawn(produce(sim.clone(), index, feed.clone()));
            feed
        })
        .clone();
    feed.viewers.lock().expect("feed lock poisoned")[fps] += 1;
    let frames = feed.frames.subscribe();
    Subscription { feed, frames, fps }
}

/// Renders frames of one camera while anybody watches it.
async fn produce(sim: VideoSim, index: usize, feed: Arc<Feed>) {
    let mut next = Instant::now();
    let mut backdrop = None;
    loop {
        let fps = {
            // Checked under the feeds lock, so no viewer joins a feed that is going away.
            let mut feeds = sim.shared.feeds.feeds.lock().expect("feeds lock poisoned");
            let fps = feed.fastest();
            if fps == 0 {
                feeds.remove(&index);
                return;
            }
            fps
        };
        let renderer = sim.clone();
        let rendered = tokio::task::spawn_blocking(move || {
            let jpeg = renderer.render(index, &mut backdrop);
            (jpeg, backdrop)
        });
        let Ok((jpeg, kept)) = rendered.await else {
            sim.shared
                .feeds
                .feeds
                .lock()
                .expect("feeds lock poisoned")
                .remove(&index);
            return;
        };
        backdrop = kept;
        feed.frames.send_replace(Some(Arc::new(Part::new(&jpeg))));
        next += Duration::from_secs_f64(1.0 / fps as f64);
        next = next.max(Instant::now());
        tokio::time::sleep_until(next).await;
    }
}

/// One viewer's MJPEG stream.
pub(crate) struct Viewer {
    sim: VideoSim,
    index: usize,
    _slot: Slot,
    /// Given up when the stream hangs, so that nobody renders for it.
    subscription: Option<Subscription>,
    period: Duration,
    next: Instant,
    sent: u32,
    /// The fault this stream drew when it opened, and after how many frames.
    fate: Option<(u32, StreamFault)>,
    orders: watch::Receiver<Order>,
    finished: bool,
}

impl Viewer {
    /// A viewer of camera `index` at `fps` frames a second, holding `slot`.
    pub(crate) fn open(sim: &VideoSim, index: usize, fps: u8, slot: Slot) -> Self {
        let faults = sim.faults();
        let dice = sim.request_dice();
        let fate = if dice < faults.hang_fraction {
            Some((faults.frames_before_fault, StreamFault::Hang))
        } else if dice < faults.hang_fraction + faults.cut_fraction {
            Some((faults.frames_before_fault, StreamFault::MidFrame))
        } else {
            None
        };
        let mut orders = sim.shared.orders[index].subscribe();
        orders.mark_unchanged();
        let fps = fps.clamp(1, 25);
        Self {
            subscription: Some(subscribe(sim, index, usize::from(fps))),
            sim: sim.clone(),
            index,
            _slot: slot,
            period: Duration::from_secs_f64(1.0 / f64::from(fps)),
            next: Instant::now(),
            sent: 0,
            fate,
            orders,
            finished: false,
        }
    }

    /// The response body: multipart parts until the stream ends or fails.
    pub(crate) fn into_body(self) -> axum::body::Body {
        let parts = futures_util::stream::unfold(self, |mut viewer| async move {
            let chunk = viewer.next_chunk().await?;
            Some((Ok::<_, Infallible>(chunk), viewer))
        });
        axum::body::Body::from_stream(parts)
    }

    async fn next_chunk(&mut self) -> Option<Bytes> {
        if self.finished {
            return None;
        }
        tokio::time::sleep_until(self.next).await;
        self.next = (self.next + self.period).max(Instant::now());
        if self.sim.closing() {
            return None;
        }
        let ordered = match self.orders.has_changed() {
            Ok(true) => Some(self.orders.borrow_and_update().fault),
            _ => None,
        };
        let fault = ordered.or(self
            .fate
            .filter(|(after, _)| self.sent >= *after)
            .map(|(_, fault)| fault));
        if fault == Some(StreamFault::End) || self.sim.status(self.index) == CameraStatus::Offline {
            return None;
        }
        let part = self.subscription.as_mut()?.latest().await?;
        match fault {
            Some(StreamFault::Hang) => {
                // Silent and open until the client gives up (dropping the body
                // then drops the slot) or the simulator closes its streams.
                self.subscription = None;
                let mut closing = self.sim.shared.closing.subscribe();
                // An error means the simulator is gone: end then too.
                let _ = closing.wait_for(|closing| *closing).await;
                None
            }
            Some(StreamFault::MidFrame) => {
                self.finished = true;
                Some(part.truncated())
            }
            Some(StreamFault::End) | None => {
                self.sent += 1;
                Some(part.bytes.clone())
            }
        }
    }
}
