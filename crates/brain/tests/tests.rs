//! The brain's integration tests, one binary.
//!
//! - `places`: grid adjacency from the real city's boundaries.
//! - `persist`: the baseline survives a restart and is learnt once from the
//!   stored history; warnings are kept, on SQLite and PostgreSQL.

mod persist;
mod places;
mod support;
