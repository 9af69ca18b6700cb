//! The live loop: as the clock runs, release the generator's revisions and the
//! broadcasts' acks onto the feed in time order, and tell the streams.
//!
//! Lock order, everywhere: `engine` before `feed`. Readers (pages, streams)
//! take only `feed`, and only for the time it takes to copy a few `Arc`s.

use std::sync::{Mutex, RwLock};
use std::time::Duration;

use gridwall_domain::clock::Clock;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

use crate::broadcasts::Broadcasts;
use crate::faults::FaultState;
use crate::feed::Feed;
use crate::history::{Generator, Mutations};
use crate::workforce::Workforce;

/// What moves: the event generator and the broadcasts awaiting acks.
pub struct Engine {
    pub generator: Generator,
    pub broadcasts: Broadcasts,
}

/// Releases everything due by the clock's now onto the feed; returns the head seq.
pub fn pump(
    clock: &Clock,
    engine: &Mutex<Engine>,
    feed: &RwLock<Feed>,
    workforce: &Workforce,
    faults: &FaultState,
    head: &watch::Sender<u64>,
) -> u64 {
    let now = clock.now().unix_timestamp();
    let mut engine = engine.lock().expect("engine lock");
    let current = faults.get();
    engine.generator.mutations = Mutations {
        unknown_values: current.unknown_values,
        hostile_text: current.hostile_text,
        relative_urls: current.relative_urls,
    };
    let mut feed = feed.write().expect("feed lock");
    feed.all_gone = current.all_gone;
    loop {
        match engine.broadcasts.next_due().filter(|&at| at <= now) {
            Some(ack_at) => {
                while let Some(revision) = engine.generator.next_until(ack_at) {
                    feed.push_revision(&revision);
                }
                if let Some((ack, at)) = engine.broadcasts.pop_due(now, workforce) {
                    feed.push_ack(&ack, at);
                }
            }
            None => {
                while let Some(revision) = engine.generator.next_until(now) {
                    feed.push_revision(&revision);
                }
                break;
            }
        }
    }
    feed.prune(now);
    let seq = feed.head_seq();
    drop(feed);
    drop(engine);
    head.send_if_modified(|old| {
        let changed = *old != seq;
        *old = seq;
        changed
    });
    seq
}

/// Pumps every `tick` (real time) until cancelled.
pub async fn run(
    shared: std::sync::Arc<crate::server::Shared>,
    tick: Duration,
    cancel: CancellationToken,
) {
    let mut interval = tokio::time::interval(tick);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = cancel.cancelled() => return,
            _ = interval.tick() => { shared.pump(); }
        }
    }
}
