//! The wall's own logic, with no window: everything the Tauri shell calls.
//!
//! - [`admin`]: the command line's `accounts` and `audit` commands, with no window.
//! - [`broadcast`]: instructions to every grid worker and their
//!   acknowledgements, live on every window.
//! - [`city_map`]: the map's city (grid geometry, town outlines, names) for each window.
//! - [`config`]: the TOML file and command-line flags, validated once.
//! - [`emergency`]: wartime footing (平战转换): plans and the two-person switch.
//! - [`session`]: who is signed in, and what their role lets them do.
//! - [`feed`]: the messages each window receives and the loop that sends them;
//!   these types are exported to TypeScript.
//! - [`links`]: whether each upstream answers (the connection indicator).
//! - [`live`]: the live picture (grids, ticker, KPIs, charts) fed to every window.
//! - [`logging`]: tracing to stderr and to a rotating file.
//! - [`outlines`]: town outlines dissolved from the platform's grid geometry.
//! - [`quiet`]: the quiet-hour reload, when it is due.
//! - [`retention`]: the optional retention of raw revisions, a few passes a day.
//! - [`tasks`]: background work that shuts down within a bound.
//! - [`warnings`]: the smart brain's early warnings (issue 13) fed from
//!   ingest, kept, pushed to every window and acted on.
//! - [`video`]: the camera catalogue as the camera matrix needs it.
//! - [`video_proxy`]: camera media through Rust, one upstream stream per camera.
//!
//! **Architecture invariant:** this crate never imports `tauri`. The shell
//! adapts it; tests drive it without a window.

pub mod admin;
pub mod broadcast;
pub mod city_map;
pub mod cluster;
pub mod config;
pub mod console;
pub mod emergency;
pub mod feed;
pub mod handover;
pub mod links;
pub mod live;
pub mod logging;
pub mod outlines;
pub mod quiet;
pub mod retention;
pub mod scenes;
pub mod session;
pub mod tasks;
pub mod upkeep;
pub mod video;
pub mod video_proxy;
pub mod view;
pub mod warnings;

/// RFC 3339 with the offset the time carries (the platform writes +08:00).
pub fn rfc3339(t: time::OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .expect("every OffsetDateTime formats as RFC 3339")
}
