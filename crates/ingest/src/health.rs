//! The link's health and a long backfill's progress, each on a watch channel
//! so the wall and the command line read the newest value whenever they like.
//!
//! Lag is measured in time, not in seqs: each head seen on `/health` is
//! remembered with the moment it was seen, and the link lags by the age of the
//! oldest seen head the cursor has not reached yet. A stream that trails the
//! head by a few milliseconds is therefore live, and a backfill hours behind
//! shows how long it has been behind.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Duration;

use gridwall_store::Applied;
use serde::Serialize;
use time::OffsetDateTime;
use tokio::sync::watch;
use tokio::time::Instant;

/// Live, lagging or down.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "state")]
pub enum LinkState {
    /// Not yet connected.
    Starting,
    Live,
    Lagging {
        lag_seconds: u64,
    },
    /// The last request failed and none has succeeded since.
    Down,
}

/// One upstream's health.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Health {
    pub upstream: String,
    pub state: LinkState,
    /// The app clock's time of the last successful answer.
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_contact: Option<OffsetDateTime>,
    /// Records handed to the sink (events, including duplicates and bad ones).
    pub received: u64,
    pub duplicate: u64,
    pub quarantined: u64,
    /// Broadcast acknowledgements seen on the stream.
    pub acks: u64,
    /// Stream lines that are not Server-Sent Events, skipped.
    pub invalid_lines: u64,
    /// Stream messages over the parser's size bound: the connection was
    /// dropped and the span read from pages instead.
    pub oversized_messages: u64,
    /// Stream connections opened after the first.
    pub reconnects: u64,
    /// Snapshot fallbacks taken (first run without history, 410, reset).
    pub snapshots: u64,
    /// The resume seq committed with the last batch.
    pub cursor: Option<u64>,
    /// The newest seq `/health` reported.
    pub head_seq: Option<u64>,
}

/// What a long job is doing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    Starting,
    Reference,
    Backfill,
    Snapshot,
    Live,
}

/// Progress of the current job: `done` of about `total` (seqs for a backfill,
/// items for a reference sync), `None` while the total is unknown.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Progress {
    pub phase: Phase,
    pub done: u64,
    pub total: Option<u64>,
}

/// The writer side, shared by the feed loop and the head poller.
pub(crate) struct Tracker {
    health: watch::Sender<Health>,
    progress: watch::Sender<Progress>,
    /// Heads seen on `/health` and when, oldest first. A std mutex: held for a
    /// few pushes and pops, never across an await.
    heads: Mutex<VecDeque<(u64, Instant)>>,
    down: Mutex<bool>,
    lag_threshold: Duration,
}

impl Tracker {
    pub fn new(upstream: &str, lag_threshold: Duration) -> Tracker {
        let health = Health {
            upstream: upstream.to_owned(),
            state: LinkState::Starting,
            last_contact: None,
            received: 0,
            duplicate: 0,
            quarantined: 0,
            acks: 0,
            invalid_lines: 0,
            oversized_messages: 0,
            reconnects: 0,
            snapshots: 0,
            cursor: None,
            head_seq: None,
        };
        let progress = Progress {
            phase: Phase::Starting,
            done: 0,
            total: None,
        };
        Tracker {
            health: watch::channel(health).0,
            progress: watch::channel(progress).0,
            heads: Mutex::new(VecDeque::new()),
            down: Mutex::new(false),
            lag_threshold,
        }
    }

    pub fn health(&self) -> watch::Receiver<Health> {
        self.health.subscribe()
    }

    pub fn progress(&self) -> watch::Receiver<Progress> {
        self.progress.subscribe()
    }

    pub fn modify(&self, f: impl FnOnce(&mut Health)) {
        self.health.send_modify(f);
    }

    pub fn set_progress(&self, phase: Phase, done: u64, total: Option<u64>) {
        self.progress.send_replace(Progress { phase, done, total });
    }

    pub fn applied(&self, applied: &Applied, received: usize) {
        self.modify(|h| {
            h.received += received as u64;
            h.duplicate += applied.duplicate as u64;
            h.quarantined += applied.quarantined as u64;
        });
    }

    pub fn contact(&self, now: OffsetDateTime) {
        *self.down.lock().unwrap_or_else(|p| p.into_inner()) = false;
        self.modify(|h| h.last_contact = Some(now));
        self.restate();
    }

    pub fn failed(&self) {
        *self.down.lock().unwrap_or_else(|p| p.into_inner()) = true;
        self.restate();
    }

    /// A head seen on `/health`.
    pub fn head(&self, head: u64) {
        {
            let mut heads = self.heads.lock().unwrap_or_else(|p| p.into_inner());
            if heads.back().is_none_or(|(h, _)| *h < head) {
                heads.push_back((head, Instant::now()));
            }
        }
        self.modify(|h| h.head_seq = Some(h.head_seq.map_or(head, |old| old.max(head))));
        self.restate();
    }

    /// The cursor committed with a batch.
    pub fn cursor(&self, cursor: u64) {
        self.modify(|h| h.cursor = Some(cursor));
        self.restate();
    }

    /// Recomputes the state from the heads seen, the cursor and the last failure.
    pub fn restate(&self) {
        let cursor = self.health.borrow().cursor.unwrap_or(0);
        let lag = {
            let mut heads = self.heads.lock().unwrap_or_else(|p| p.into_inner());
            while heads.front().is_some_and(|(h, _)| *h <= cursor) {
                heads.pop_front();
            }
            heads.front().map(|(_, seen)| seen.elapsed())
        };
        let down = *self.down.lock().unwrap_or_else(|p| p.into_inner());
        let contacted = self.health.borrow().last_contact.is_some();
        let state = match (down, lag) {
            (true, _) => LinkState::Down,
            (false, _) if !contacted => LinkState::Starting,
            (false, Some(lag)) if lag > self.lag_threshold => LinkState::Lagging {
                lag_seconds: lag.as_secs(),
            },
            _ => LinkState::Live,
        };
        self.health.send_if_modified(|h| {
            let changed = h.state != state;
            h.state = state;
            changed
        });
    }
}
