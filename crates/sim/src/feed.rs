//! The change feed: every revision and acknowledgement the platform has
//! emitted, numbered by a server-wide strictly increasing `seq`, kept for a
//! retention window; plus the newest revision of every event (for snapshots
//! and `/events/{id}`) and the ground truth of what was ever emitted.
//!
//! Each entry is serialised once, when it is appended, so a page or a stream
//! message is a concatenation of ready JSON: serving the feed costs copies,
//! not serde.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use gridwall_domain::governance::{BroadcastAck, EventState, EventWithTimeline};
use serde::{Deserialize, Serialize};

use crate::case::Case;
use crate::history::Revision;

/// What the feed keeps, in simulated time and in entries; the tighter wins.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Retention {
    /// Entries older than this many simulated seconds are dropped.
    pub max_age_s: Option<i64>,
    /// At most this many entries are kept.
    pub max_entries: Option<usize>,
}

impl Default for Retention {
    /// Three simulated days, the platform's own window.
    fn default() -> Self {
        Retention {
            max_age_s: Some(3 * 86_400),
            max_entries: None,
        }
    }
}

/// What a feed entry carries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Kind {
    Event { id: Arc<str>, revision: u32 },
    Ack,
}

/// One entry of the feed, serialised once.
#[derive(Clone, Debug)]
pub struct Entry {
    pub seq: u64,
    /// Simulated unix seconds.
    pub at: i64,
    pub kind: Kind,
    pub json: Arc<str>,
}

impl Entry {
    pub fn is_event(&self) -> bool {
        matches!(self.kind, Kind::Event { .. })
    }
}

/// The position asked for is older than the retention window.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Gone {
    /// The oldest `since` the feed can still answer.
    pub oldest: u64,
}

/// One page of the feed.
#[derive(Debug)]
pub struct Page {
    pub entries: Vec<Entry>,
    pub next_since: Option<u64>,
    pub head_seq: u64,
}

struct Tracked {
    case: Arc<Case>,
    step: usize,
    seq: u64,
    json: Arc<str>,
}

/// One line of the ground truth.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Truth {
    pub id: String,
    pub revision: u32,
    pub seq: u64,
    pub state: EventState,
}

/// The feed. Held behind a lock by the server; see [`crate::server`].
pub struct Feed {
    log: VecDeque<Entry>,
    head_seq: u64,
    /// The highest seq dropped by retention (0 while nothing was dropped).
    pruned_through: u64,
    events: HashMap<Arc<str>, Tracked>,
    truth: HashMap<Arc<str>, (u32, u64, EventState)>,
    pub retention: Retention,
    /// When set, every `since` below the head is answered 410 (a fault).
    pub all_gone: bool,
}

impl Feed {
    pub fn new(retention: Retention) -> Feed {
        Feed::starting_after(retention, 0)
    }

    /// A feed whose first seq is `base + 1` (the hostile profile starts past
    /// 2^53). Until retention drops something, any `since` up to the head is
    /// served from the start, as on a young platform.
    pub fn starting_after(retention: Retention, base: u64) -> Feed {
        Feed {
            log: VecDeque::new(),
            head_seq: base,
            pruned_through: 0,
            events: HashMap::new(),
            truth: HashMap::new(),
            retention,
            all_gone: false,
        }
    }

    pub fn head_seq(&self) -> u64 {
        self.head_seq
    }

    pub fn retained(&self) -> usize {
        self.log.len()
    }

    /// Appends a revision; returns its seq.
    pub fn push_revision(&mut self, revision: &Revision) -> u64 {
        self.head_seq += 1;
        let seq = self.head_seq;
        let case = &revision.case;
        let event = case.event(revision.step, seq);
        let json: Arc<str> = crate::hostile::escape_surrogates(
            serde_json::to_string(&event).expect("events serialize"),
        )
        .into();
        let id: Arc<str> = Arc::from(case.id.as_str());
        self.log.push_back(Entry {
            seq,
            at: revision.at(),
            kind: Kind::Event {
                id: Arc::clone(&id),
                revision: revision.revision(),
            },
            json: Arc::clone(&json),
        });
        self.truth
            .insert(Arc::clone(&id), (revision.revision(), seq, event.state));
        self.events.insert(
            id,
            Tracked {
                case: Arc::clone(case),
                step: revision.step,
                seq,
                json,
            },
        );
        seq
    }

    /// Appends an acknowledgement; returns its seq.
    pub fn push_ack(&mut self, ack: &BroadcastAck, at: i64) -> u64 {
        self.head_seq += 1;
        let json = serde_json::to_string(ack).expect("acks serialize");
        self.log.push_back(Entry {
            seq: self.head_seq,
            at,
            kind: Kind::Ack,
            json: json.into(),
        });
        self.head_seq
    }

    /// Drops what the retention window no longer covers, as of `now` (unix seconds).
    pub fn prune(&mut self, now: i64) {
        let oldest_at = self.retention.max_age_s.map(|age| now - age);
        while let Some(front) = self.log.front() {
            let too_many = self
                .retention
                .max_entries
                .is_some_and(|max| self.log.len() > max);
            let too_old = oldest_at.is_some_and(|oldest| front.at < oldest);
            if !(too_many || too_old) {
                break;
            }
            self.pruned_through = front.seq;
            self.log.pop_front();
        }
        // Closed events whose last revision left the window leave the table too.
        let through = self.pruned_through;
        if self.events.len() > 50_000 {
            self.events
                .retain(|_, t| t.seq > through || !t.case.steps[t.step].state.is_terminal());
        }
    }

    /// A position is lost when retention dropped what follows it, or when it
    /// lies beyond the head (a client of an earlier run of the simulator,
    /// whose seqs started again from 1).
    fn check(&self, since: u64) -> Result<(), Gone> {
        let ahead = since > self.head_seq;
        if ahead || since < self.pruned_through || (self.all_gone && since < self.head_seq) {
            return Err(Gone {
                oldest: if self.all_gone {
                    self.head_seq
                } else {
                    self.pruned_through
                },
            });
        }
        Ok(())
    }

    fn start(&self, since: u64) -> usize {
        self.log.partition_point(|e| e.seq <= since)
    }

    /// Event revisions with seq above `since` (the window's start if `None`), at most `limit`.
    pub fn page(&self, since: Option<u64>, limit: usize) -> Result<Page, Gone> {
        let since = since.unwrap_or(self.pruned_through);
        self.check(since)?;
        let mut entries = Vec::with_capacity(limit.min(self.log.len()));
        let mut more = false;
        for entry in self.log.range(self.start(since)..) {
            if !entry.is_event() {
                continue;
            }
            if entries.len() == limit {
                more = true;
                break;
            }
            entries.push(entry.clone());
        }
        let next_since = more
            .then(|| entries.last().map(|e: &Entry| e.seq))
            .flatten();
        Ok(Page {
            entries,
            next_since,
            head_seq: self.head_seq,
        })
    }

    /// Every entry (events and acks) after `cursor`, at most `limit`: what a stream sends next.
    pub fn after(&self, cursor: u64, limit: usize) -> Result<Vec<Entry>, Gone> {
        self.check(cursor)?;
        Ok(self
            .log
            .range(self.start(cursor)..)
            .take(limit)
            .cloned()
            .collect())
    }

    /// Every event not closed or cancelled, at its newest revision, in seq order.
    pub fn open_events(&self) -> (Vec<Arc<str>>, u64) {
        let mut open: Vec<(u64, Arc<str>)> = self
            .events
            .values()
            .filter(|t| !t.case.steps[t.step].state.is_terminal())
            .map(|t| (t.seq, Arc::clone(&t.json)))
            .collect();
        open.sort_unstable_by_key(|(seq, _)| *seq);
        (
            open.into_iter().map(|(_, json)| json).collect(),
            self.head_seq,
        )
    }

    /// The newest revision of one event, with its timeline.
    pub fn event(&self, id: &str) -> Option<EventWithTimeline> {
        let t = self.events.get(id)?;
        Some(EventWithTimeline {
            event: t.case.event(t.step, t.seq),
            timeline: t.case.timeline(t.step),
        })
    }

    /// The newest revision ever emitted of every event, sorted by id.
    pub fn ground_truth(&self) -> Vec<Truth> {
        let mut truth: Vec<Truth> = self
            .truth
            .iter()
            .map(|(id, &(revision, seq, state))| Truth {
                id: id.to_string(),
                revision,
                seq,
                state,
            })
            .collect();
        truth.sort_unstable_by(|a, b| a.id.cmp(&b.id));
        truth
    }
}
