//! Whole-system tests: the real built app, in a real webview, under Xvfb,
//! driven through tauri-driver and WebKitWebDriver.
//!
//! `scripts/test` builds the app first; the tests find it in the target folder.
//! Screenshots are written to `target/e2e-screenshots/` as artifacts.
//!
//! - `cluster`: five instances on one PostgreSQL (four `--headless`, one
//!   window): one ingest leader, a SIGKILLed leader replaced with the store
//!   still equal to the simulator's truth, an acknowledgement unpinned in
//!   every instance, a database cut shown stale and recovered.
//! - `console`: the duty officer's console beside a wall window (drill-down
//!   to an incident, search, push to wall with its audit entry).
//! - `follow`: the camera matrix follows a flood of severe alerts one
//!   dwell at a time, a more severe alert at once.
//! - `footing`: the two-person switch into an emergency plan re-lays every
//!   window and back; a drill's watermark; refusals audited; a restart.
//! - `handover`: the shift handover report as PDF and PNG, its figures equal
//!   to the store's.
//! - `ptz`: the arrows move a PTZ camera from its tile; a camera another
//!   console holds says so.
//! - `scenes`: video scenes saved in the store, a rotation chosen per window,
//!   kept over a restart.
//! - `skeleton`: the window, its title, the clock and links pushed from Rust
//!   over a channel, the language switch, the frame of the layout.
//! - `startup`: what the binary says and does before any window: bad config,
//!   no display, headless screenshots.
//! - `video`: the camera matrix against the simulator's video gateway (live
//!   tiles move, a cut stream falls back to snapshots, the stream cap holds,
//!   hidden tiles pull nothing, a refused token fetches the catalogue again).
//! - `video_hls`: cameras that offer only HLS play live in their tiles
//!   through the app's media scheme, with no token in the page.
//! - `watchdog`: a window whose web process is killed, or stops running, is
//!   healed, live again, and the heal counted; a reloaded page comes back
//!   with the operator's choices (selection, map layer, camera layout, place
//!   in the rotation).
//! - `wall`: the live wall at 4K against a simulator the test drives (map,
//!   ticker, hostile text, acknowledgement, stale banner), and at 1080p the
//!   town borders drawn from the platform's own grids.
//! - `warnings`: the app's own early warning of a repeated dispute on the
//!   wall's ticker and map layer, at every level of the console, handed
//!   over and fed back with its audit.

mod cluster;
mod console;
mod follow;
mod footing;
mod handover;
mod ptz;
mod scenes;
mod skeleton;
mod startup;
mod video;
mod video_hls;
mod wall;
mod warnings;
mod watchdog;
