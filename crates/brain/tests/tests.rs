//! The brain's integration tests, one binary.
//!
//! - `places`: grid adjacency from the real city's boundaries.
//! - `scenarios`: every injected incident (hotspot, repeat, cluster, surge)
//!   is found in its place within an hour of onset; a normal background
//!   raises few warnings, and more under a footing.
//! - `timeliness`: severe incidents near their deadline warn their town once
//!   (sooner under a footing); a falling closure rate warns; bad input is
//!   counted and left out, never fatal.
//! - `persist`: the baseline survives a restart and is learnt once from the
//!   stored history; recent disputes and open deadlines are taken back after
//!   a restart; warnings are kept, on SQLite and PostgreSQL.

mod persist;
mod places;
mod scenarios;
mod support;
mod timeliness;
