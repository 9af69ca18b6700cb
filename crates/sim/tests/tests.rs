//! Integration tests of the simulator: each starts a real server on
//! `127.0.0.1:0` and talks HTTP to it, validating every response against the
//! upstream contract (`shared/upstream/governance-api.yaml`).
//!
//! - `support`: starting a simulator, the contract validator, an SSE reader.
//! - `contract`: every route's responses match the contract's schemas.
//! - `feed`: paging covers the feed exactly; the snapshot; 410 after retention.
//! - `stream`: SSE resume replays exactly what was missed; reset; pings.
//! - `broadcasts`: scope, idempotency, acks within fifteen minutes, acks on the stream.
//! - `faults`: every fault the admin can switch on is observable by a client.
//! - `hostile`: the hostile profile's seqs past 2^53, escaped page tokens,
//!   resets at the head and media URLs in three forms (issue 18).
//! - `figures`: a simulated year reproduces Cixi's published figures.
//! - `scenarios`: injected incidents reach the feed as contract events where
//!   their ground truth says (issue 13).

mod broadcasts;
mod contract;
mod faults;
mod feed;
mod figures;
mod hostile;
mod scenarios;
mod stream;
mod support;
