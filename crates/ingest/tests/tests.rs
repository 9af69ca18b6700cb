//! Integration tests of the ingest client, over real HTTP on 127.0.0.1
//! against the simulator (each test its own, on port 0) and into the real
//! SQLite store in a fresh temporary directory.
//!
//! - `faults`: every fault the simulator offers, a stretch of accelerated
//!   time with it on, then the store equals the simulator's ground truth.
//! - `kill`: the `gridwall-ingest` binary SIGKILLed again and again during
//!   heavy ingest, restarted, caught up: equal, with every revision kept.
//! - `retry`: 429 waits for Retry-After, 5xx backs off, the token never
//!   reaches the logs.
//! - `health`: down, lagging and live as the wall shows them; backfill progress.
//! - `stream`: a broken copy that ends a batch is asked for again; non-SSE lines skipped.
//! - `hostile`: the simulator's hostile profile, every "may" of both
//!   contracts at once, on SQLite and on PostgreSQL: the store equals the
//!   ground truth, every reference record arrives, the cursor is exact.
//! - `reference`: divisions, grids, geometry (304 from the cache), workers
//!   and cameras, paged to the end.

mod support;

mod faults;
mod health;
mod hostile;
mod kill;
mod reference;
mod retry;
mod stream;
