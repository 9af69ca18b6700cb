//! The vocabulary every other crate shares: the records of the two upstream
//! contracts (`shared/upstream/*.yaml`) and the clock.
//!
//! - [`governance`]: divisions, grids, workers, events and broadcasts, as the
//!   governance platform's open data API sends them.
//! - [`video`]: cameras and the gateway's health, as the video network sends them.
//! - [`clock`]: time that can run at any speed, passed in rather than read from
//!   the system, so the simulator and the tests can compress a day into minutes.
//!
//! This crate does no I/O and knows nothing of HTTP, SQL or the GUI.

pub mod clock;
pub mod governance;
pub mod video;
