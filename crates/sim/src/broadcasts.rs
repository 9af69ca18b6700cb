//! Broadcasts to grid workers and their acknowledgements.
//!
//! A broadcast reaches every worker in its scope at once; each worker
//! acknowledges after a delay drawn from a log-normal (median two minutes) and
//! a few never do, so that about 99.5% acknowledge within fifteen minutes. The
//! acks wait in a heap until the clock reaches them; the engine then puts them
//! on the feed (and so on the stream as `event: ack`).

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, HashSet};

use gridwall_domain::governance::{Broadcast, BroadcastAck, NewBroadcast};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::case::datetime;
use crate::city::City;
use crate::workforce::Workforce;

/// Why a broadcast was refused (answered 400).
#[derive(Debug, thiserror::Error)]
pub enum Refused {
    #[error("title must be 1 to 200 characters")]
    Title,
    #[error("body must be at most 8000 characters")]
    Body,
    #[error("scope must name all, some town_codes or some grid_ids")]
    EmptyScope,
    #[error("unknown town code {0}")]
    UnknownTown(String),
    #[error("unknown grid id {0}")]
    UnknownGrid(String),
    #[error("ack_deadline_s must be positive")]
    Deadline,
}

struct Record {
    broadcast: Broadcast,
    acks: Vec<BroadcastAck>,
}

/// Every broadcast sent, and the acks still to come.
pub struct Broadcasts {
    records: Vec<Record>,
    by_id: HashMap<String, usize>,
    by_key: HashMap<String, usize>,
    /// (when, order, broadcast, worker index).
    pending: BinaryHeap<Reverse<(i64, u64, usize, usize)>>,
    order: u64,
    rng: ChaCha8Rng,
}

/// Share of recipients who never acknowledge (phone off, on leave).
const NEVER: f64 = 0.003;
/// Log-normal ack delay: median 120 s; σ puts 99.8% of those who answer within 900 s.
const MEDIAN_S: f64 = 120.0;
const SIGMA: f64 = 0.7;

impl Broadcasts {
    pub fn new(seed: u64) -> Broadcasts {
        Broadcasts {
            records: Vec::new(),
            by_id: HashMap::new(),
            by_key: HashMap::new(),
            pending: BinaryHeap::new(),
            order: 0,
            rng: ChaCha8Rng::seed_from_u64(seed ^ 0x4252_4f41_4443_4153),
        }
    }

    /// Sends a broadcast at `now` (unix seconds). A repeated idempotency key
    /// returns the first broadcast and sends nothing. The flag says whether it was new.
    pub fn send(
        &mut self,
        request: NewBroadcast,
        now: i64,
        city: &City,
        workforce: &Workforce,
    ) -> Result<(Broadcast, bool), Refused> {
        if let Some(key) = &request.idempotency_key
            && let Some(&i) = self.by_key.get(key)
        {
            return Ok((self.records[i].broadcast.clone(), false));
        }
        let title_len = request.title.chars().count();
        if title_len == 0 || title_len > 200 {
            return Err(Refused::Title);
        }
        if request.body.chars().count() > 8_000 {
            return Err(Refused::Body);
        }
        if request.scope.is_empty() {
            return Err(Refused::EmptyScope);
        }
        if request.ack_deadline_s == 0 {
            return Err(Refused::Deadline);
        }
        let towns: HashSet<&str> = request
            .scope
            .town_codes
            .iter()
            .map(String::as_str)
            .collect();
        for town in &towns {
            if !city.towns().any(|d| d.code == *town) {
                return Err(Refused::UnknownTown((*town).to_owned()));
            }
        }
        let grids: HashSet<&str> = request.scope.grid_ids.iter().map(String::as_str).collect();
        for grid in &grids {
            if city.grid(grid).is_none() {
                return Err(Refused::UnknownGrid((*grid).to_owned()));
            }
        }
        let recipients: Vec<usize> = workforce
            .all()
            .iter()
            .enumerate()
            .filter(|(_, w)| {
                request.scope.all
                    || w.grid_id.as_deref().is_some_and(|g| {
                        grids.contains(g)
                            || city
                                .grid(g)
                                .is_some_and(|grid| towns.contains(grid.town_code.as_str()))
                    })
            })
            .map(|(i, _)| i)
            .collect();

        let index = self.records.len();
        let broadcast = Broadcast {
            broadcast_id: format!("GB{:08}", index + 1),
            title: request.title,
            sent_at: datetime(now),
            recipients: recipients.len() as u32,
            acked: 0,
            ack_deadline_at: datetime(now + i64::from(request.ack_deadline_s)),
        };
        if request.require_ack {
            for worker in recipients {
                if self.rng.random_bool(NEVER) {
                    continue;
                }
                let z = normal(&mut self.rng);
                let delay = (MEDIAN_S * (SIGMA * z).exp()).max(5.0) as i64;
                self.order += 1;
                self.pending
                    .push(Reverse((now + delay, self.order, index, worker)));
            }
        }
        self.by_id.insert(broadcast.broadcast_id.clone(), index);
        if let Some(key) = request.idempotency_key {
            self.by_key.insert(key, index);
        }
        self.records.push(Record {
            broadcast: broadcast.clone(),
            acks: Vec::new(),
        });
        Ok((broadcast, true))
    }

    /// When the next ack is due (unix seconds).
    pub fn next_due(&self) -> Option<i64> {
        self.pending.peek().map(|Reverse((at, ..))| *at)
    }

    /// Records the next ack if it is due by `until`, and returns it with its time.
    pub fn pop_due(&mut self, until: i64, workforce: &Workforce) -> Option<(BroadcastAck, i64)> {
        if self.next_due()? > until {
            return None;
        }
        let Reverse((at, _, index, worker)) = self.pending.pop()?;
        let worker = &workforce.all()[worker];
        let record = &mut self.records[index];
        let ack = BroadcastAck {
            broadcast_id: record.broadcast.broadcast_id.clone(),
            worker_id: worker.worker_id.clone(),
            grid_id: worker.grid_id.clone(),
            acked_at: datetime(at),
        };
        record.acks.push(ack.clone());
        record.broadcast.acked += 1;
        Some((ack, at))
    }

    pub fn get(&self, id: &str) -> Option<&Broadcast> {
        self.by_id.get(id).map(|&i| &self.records[i].broadcast)
    }

    /// Acks in arrival order after position `after`, at most `limit`, and the next cursor.
    pub fn acks(
        &self,
        id: &str,
        after: usize,
        limit: usize,
    ) -> Option<(&[BroadcastAck], Option<usize>)> {
        let record = &self.records[*self.by_id.get(id)?];
        let start = after.min(record.acks.len());
        let end = (start + limit).min(record.acks.len());
        let next = (end < record.acks.len()).then_some(end);
        Some((&record.acks[start..end], next))
    }
}

fn normal<R: Rng + ?Sized>(rng: &mut R) -> f64 {
    let u1: f64 = rng.random::<f64>().max(f64::MIN_POSITIVE);
    let u2: f64 = rng.random();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}
