//! The smart brain (智慧脑预警, issue 13): the wall's own early warnings,
//! raised from the event stream, each with its reasons.
//!
//! The wall shows what upstream says; this crate says what the data
//! suggests before matters grow. It is derived state, above the store and
//! below the live loop, and knows nothing of windows or of plans.
//!
//! Layout:
//! - [`warning`]: what a warning is (kind, level, place, explanation) and the
//!   episodes that keep one ongoing anomaly one warning with a stable id.
//! - [`sensitivity`]: the thresholds of every detector, and how a wartime
//!   footing tightens them.
//! - [`places`]: grids, villages, towns, their names, and grid adjacency
//!   from the boundaries.
//! - [`baseline`]: the seasonal baseline (place level × city shape per hour
//!   of the week), kept as counters.
//! - [`rate`]: the Poisson test of recent counts against the baseline.
//! - [`repeats`]: disputes at the same normalised address.
//! - [`timeliness`]: deadlines near or past, and the closure rate.
//! - [`brain`]: [`Brain`], all detectors behind `observe` and `tick`.
//! - [`naive`]: the fixed-threshold detector the benchmark compares against.
//! - [`persist`]: the baseline and the warnings in the store, and the first
//!   baseline learnt from the stored history.
//!
//! **Invariant:** nothing here reads the system clock or the network; time
//! and events are passed in, so the simulator can run a week in seconds.

pub mod baseline;
pub mod brain;
pub mod naive;
pub mod persist;
pub mod places;
pub mod rate;
pub mod repeats;
pub mod sensitivity;
pub mod timeliness;
pub mod warning;

pub use brain::{Brain, Remembered};
pub use places::Places;
pub use sensitivity::{Footing, Sensitivity};
pub use warning::{Explanation, Kind, Level, Place, PlaceLevel, Warning};

/// What can go wrong outside the detectors themselves.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("the grid geometry is not GeoJSON: {0}")]
    Geometry(#[from] serde_json::Error),
    #[error(transparent)]
    Store(#[from] gridwall_store::Error),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
