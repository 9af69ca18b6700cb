//! Integration tests of the simulated video gateway: each starts a real server
//! on `127.0.0.1:0` and talks to it over HTTP with reqwest.
//!
//! - `catalogue`: paging, filtering, health and status events, checked against
//!   the contract's JSON schemas.
//! - `media`: snapshots and MJPEG carry real, changing JPEG pictures; PTZ moves them.
//! - `hls`: live playlists of real H.264 segments that slide with time,
//!   tokens on segments, and a clear 404 when no encoder can run.
//! - `limits`: the per-client stream cap and offline cameras.
//! - `faults`: every injected fault can be seen by a client.

mod support;

mod catalogue;
mod faults;
mod hls;
mod limits;
mod media;
