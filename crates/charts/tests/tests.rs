//! The charts as a reader of the SVG sees them: parsed as XML, their words
//! read back in drawing order.
//!
//! - `svg`: helpers that parse a chart and collect its texts and shapes.
//! - `hourly`: events per hour by source (legend, order, languages).
//! - `daily`: the resolution rate against its target and events per day.
//! - `categories`: the top categories (names, order, the top ten).
//! - `robustness`: hostile strings, empty input, odd sizes, determinism.
//! - `snapshot`: one chart kept byte for byte in `tests/snapshots/`.

mod categories;
mod daily;
mod hourly;
mod robustness;
mod snapshot;
mod svg;
