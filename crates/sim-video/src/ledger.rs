//! Concurrent live streams per client: the cap the contract promises
//! (`max_streams_per_client`, then 429) and the peak each client reached, which
//! the app's tests read to prove they never went over.
//!
//! A stream's place is a [`Slot`] owned by its response body: however the
//! stream ends (finished, cut, client gone, body dropped mid-hang), dropping
//! the body gives the place back.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use crate::VideoSim;

#[derive(Debug, Default)]
pub(crate) struct Ledger {
    // A std mutex: held for a counter update, never across an await.
    clients: Mutex<HashMap<String, ClientLoad>>,
}

#[derive(Clone, Copy, Debug, Default)]
struct ClientLoad {
    current: u32,
    peak: u32,
    refused: u64,
}

/// A place among a client's concurrent streams, given back on drop.
pub(crate) struct Slot {
    sim: VideoSim,
    client: String,
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut clients = self
            .sim
            .shared
            .ledger
            .clients
            .lock()
            .expect("ledger lock poisoned");
        if let Some(load) = clients.get_mut(&self.client) {
            load.current = load.current.saturating_sub(1);
        }
    }
}

impl Ledger {
    /// Takes a place for `client`, or `None` when it already holds `cap` streams.
    pub(crate) fn open(sim: &VideoSim, client: &str) -> Option<Slot> {
        let cap = sim.shared.config.max_streams_per_client;
        let mut clients = sim
            .shared
            .ledger
            .clients
            .lock()
            .expect("ledger lock poisoned");
        let load = clients.entry(client.to_owned()).or_default();
        if load.current >= cap {
            load.refused += 1;
            return None;
        }
        load.current += 1;
        load.peak = load.peak.max(load.current);
        Some(Slot {
            sim: sim.clone(),
            client: client.to_owned(),
        })
    }

    /// Starts the peaks and refusals afresh from the streams open now.
    pub(crate) fn reset(&self) {
        let mut clients = self.clients.lock().expect("ledger lock poisoned");
        clients.retain(|_, load| load.current > 0);
        for load in clients.values_mut() {
            load.peak = load.current;
            load.refused = 0;
        }
    }

    pub(crate) fn report(&self, cap: u32) -> StreamReport {
        let clients: BTreeMap<String, ClientStreams> = self
            .clients
            .lock()
            .expect("ledger lock poisoned")
            .iter()
            .map(|(client, load)| {
                (
                    client.clone(),
                    ClientStreams {
                        current: load.current,
                        peak: load.peak,
                        refused: load.refused,
                    },
                )
            })
            .collect();
        StreamReport {
            max_streams_per_client: cap,
            current_total: clients.values().map(|c| c.current).sum(),
            peak_per_client: clients.values().map(|c| c.peak).max().unwrap_or(0),
            clients,
        }
    }
}

/// `GET /admin/video/streams`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StreamReport {
    pub max_streams_per_client: u32,
    /// Live streams open now, all clients together.
    pub current_total: u32,
    /// The most streams any one client has held at once since the start.
    pub peak_per_client: u32,
    /// By client identity (see [`crate::ClientId`]).
    pub clients: BTreeMap<String, ClientStreams>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientStreams {
    pub current: u32,
    pub peak: u32,
    /// Streams refused with 429.
    pub refused: u64,
}
