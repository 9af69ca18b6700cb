//! The HTTP client that keeps the app's store current from the two upstreams
//! (issue 4, client part): the governance platform's reference data and
//! change feed, and the video gateway's camera catalogue.
//!
//! - [`address`]: every upstream URL resolved against its base as RFC 3986
//!   says (issue 18), never joined as strings.
//! - [`config`]: what the client needs (URLs, the bearer [`Secret`], the cache
//!   directory, batching and retry timings), validated once.
//! - [`sink`]: the [`Sink`] trait the client writes into, its impl for
//!   [`gridwall_store::Store`] and an in-memory [`MemorySink`] for tests.
//! - [`retry`]: one GET with the contract's retry rules (429 Retry-After,
//!   backoff with jitter on 5xx and dropped connections).
//! - [`reference`](mod@reference): the initial sync of divisions, grids, geometry (ETag
//!   cached on disk), workers and cameras.
//! - [`sse`]: a small Server-Sent Events parser that counts what it cannot read.
//! - [`feed`]: the change feed: backfill, snapshot fallback, the live stream
//!   in batches, each batch committed with its resume cursor.
//! - [`health`]: the link's health and a long backfill's progress, as watch channels.
//!
//! **Invariant:** the cursor the client resumes from is only ever the one the
//! sink committed together with the records before it, so a process killed
//! at any moment neither loses nor double-counts a revision on restart.

pub mod address;
pub mod config;
pub mod feed;
pub mod health;
pub mod reference;
pub mod retry;
pub mod sink;
pub mod sse;

pub use config::{IngestConfig, Secret};
pub use feed::Ingest;
pub use health::{Health, LinkState, Phase, Progress};
pub use reference::SyncReport;
pub use sink::{MemorySink, Sink};

/// What can stop the client. Transient upstream failures never surface here:
/// they are retried; these are the ones a caller must see.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("the store refused a batch: {0}")]
    Store(#[from] gridwall_store::Error),
    #[error("the sink refused a batch: {0}")]
    Sink(String),
    #[error("{url} answered {status}: {detail}")]
    Upstream {
        url: String,
        status: u16,
        detail: String,
    },
    #[error("{url} sent a body this client cannot read: {detail}")]
    Body { url: String, detail: String },
    #[error("could not use the cache directory {path}: {source}")]
    Cache {
        path: String,
        source: std::io::Error,
    },
    #[error("invalid configuration: {0}")]
    Config(String),
    #[error(transparent)]
    Address(#[from] address::AddressError),
    #[error("stopped")]
    Cancelled,
}

pub type Result<T> = std::result::Result<T, Error>;
