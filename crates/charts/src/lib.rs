//! The wall's charts, drawn with plotters: plain data in, an SVG string out.
//!
//! - [`events_per_hour`]: events per hour by source over 24 hours (stacked).
//! - [`resolution_rate_30d`]: the daily resolution rate against its target.
//! - [`top_categories`]: the week's ten most frequent categories.
//! - [`events_30d`]: events per day over 30 days, for each division level.
//! - [`Theme`]: size, language ([`Lang`]) and the dark wall palette.
//!
//! The charts are refreshed on a timer by the caller, not per event, so each
//! call renders a whole chart; the same input gives the same bytes. Words are
//! Chinese by default, English with [`Lang::En`]; upstream strings (unknown
//! sources and categories) are drawn as text, escaped, never as markup.
//! Empty input draws a chart that says "暂无数据" rather than failing.
//!
//! Internally each chart draws on any plotters `DrawingBackend`; only
//! `frame::svg` chooses SVG, so a bitmap report can reuse the drawing.
//! This crate knows nothing of Tauri, HTTP or SQL.

mod categories;
mod daily;
mod frame;
mod hourly;
mod labels;
mod theme;

pub use categories::{TOP, top_categories};
pub use daily::{DayCount, DayRate, events_30d, resolution_rate_30d};
pub use hourly::{HOURS, SourceSeries, events_per_hour};
pub use labels::{category_name, source_name};
pub use theme::{Lang, Rgb, Theme};
