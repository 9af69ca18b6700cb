//! A simulator of the governance platform (and, through `gridwall-sim-video`,
//! the video network), serving their contracts with a living Cixi.
//!
//! Layout, from the city up:
//! - [`city`]: divisions, grids and boundaries, embedded from `assets/city`.
//! - [`workforce`]: the grid workers, generated from the seed.
//! - [`catalogue`]: rates, categories and handling rules of events.
//! - [`case`]: one event's planned life through the contract's states.
//! - [`history`]: the deterministic generator of revisions.
//! - [`export`]: the history as CSV, as fast as it is generated.
//! - [`feed`]: the retained change feed with server-wide seqs, the event table
//!   and the ground truth.
//! - [`broadcasts`]: instructions to workers and their acknowledgements.
//! - [`scenarios`]: known incidents injected into the background, with their
//!   ground truth, to measure the wall's early warnings.
//! - [`faults`]: the faults a client must survive, switched on by flag or admin call.
//! - [`hostile`]: the hostile profile, every "may" of both contracts at once.
//! - [`engine`]: the live loop that releases revisions and acks as the clock runs.
//! - [`http`]: the axum routes of the contract and of `/admin`.
//! - [`server`]: [`Simulator`], its builder, and serving it.

pub mod broadcasts;
pub mod case;
pub mod catalogue;
pub mod city;
pub mod engine;
pub mod export;
pub mod faults;
pub mod feed;
pub mod history;
pub mod hostile;
pub mod http;
mod names;
pub mod scenarios;
pub mod server;
pub mod workforce;

pub use hostile::Profile;
pub use server::{Running, Simulator, SimulatorBuilder};

/// What can go wrong building or starting the simulator.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("city data is invalid: {0}")]
    City(String),
    #[error("invalid setting: {0}")]
    Config(String),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: std::net::SocketAddr,
        source: std::io::Error,
    },
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
