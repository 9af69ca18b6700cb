//! Events per hour by source over the last 24 hours, as stacked areas.
//!
//! Stacked rather than one line per source: with eight sources lines tangle,
//! while stacked bands show the total at a glance and each source's share.
//! The bands keep a fixed order and colour (110 at the bottom, on the flat
//! baseline, where its size reads best), and the legend gives each source's
//! 24-hour total, so the exact figures are there for whoever asks.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use crate::frame::{self, Area, Drawn, bold, font, rgb};
use crate::labels::{source_colour, source_name, source_rank, text_width};
use crate::theme::{Lang, Rgb, Theme};

/// Hours in the chart; a shorter series is padded with zeros, a longer one cut.
pub const HOURS: usize = 24;

/// One source's events per hour, oldest hour first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceSeries {
    /// The wire code (`police_110`, `grid_patrol`, ...) or any unknown string.
    pub source: String,
    /// Events that started in each hour, oldest first; [`HOURS`] of them.
    pub counts: Vec<u64>,
}

/// A band of the stack as drawn: merged, ordered, named and coloured.
struct Band {
    name: String,
    colour: Rgb,
    counts: [u64; HOURS],
    total: u64,
}

/// Events per hour by source over 24 hours. `first_hour` is the local hour
/// (UTC+8, 0–23) the first count starts at; the hours are labelled `14时` in
/// Chinese and `14:00` in English. Series of the same source are added up;
/// no series at all draws the "no data" chart.
pub fn events_per_hour(first_hour: u8, series: &[SourceSeries], theme: &Theme) -> String {
    let bands = bands(series, theme.language);
    frame::svg(theme, |root| {
        if bands.is_empty() {
            frame::empty(root, theme)
        } else {
            draw(root, theme, first_hour % 24, bands)
        }
    })
}

fn bands(series: &[SourceSeries], lang: Lang) -> Vec<Band> {
    // Merge by source, keeping the order of first appearance among unknowns.
    let mut merged: Vec<(&str, [u64; HOURS])> = Vec::new();
    for one in series {
        let slot = match merged.iter().position(|(code, _)| *code == one.source) {
            Some(i) => i,
            None => {
                merged.push((&one.source, [0; HOURS]));
                merged.len() - 1
            }
        };
        for (sum, count) in merged[slot].1.iter_mut().zip(&one.counts) {
            *sum = sum.saturating_add(*count);
        }
    }
    // A stable sort keeps unknown sources in the order they came.
    merged.sort_by_key(|(code, _)| source_rank(code));
    merged
        .into_iter()
        .map(|(code, counts)| Band {
            name: source_name(code, lang),
            colour: source_colour(code),
            total: counts.iter().fold(0u64, |a, c| a.saturating_add(*c)),
            counts,
        })
        .collect()
}

/// Folds the bands past `rows` into one "other" band so the legend fits.
fn fit_legend(mut bands: Vec<Band>, rows: usize, lang: Lang) -> Vec<Band> {
    let rows = rows.max(2);
    if bands.len() <= rows {
        return bands;
    }
    let rest = bands.split_off(rows - 1);
    let mut other = Band {
        name: match lang {
            Lang::Zh => "其他".to_owned(),
            Lang::En => "Other".to_owned(),
        },
        colour: Rgb::hex(0x8d99ae),
        counts: [0; HOURS],
        total: 0,
    };
    for band in rest {
        for (sum, count) in other.counts.iter_mut().zip(band.counts) {
            *sum = sum.saturating_add(count);
        }
        other.total = other.total.saturating_add(band.total);
    }
    bands.push(other);
    bands
}

fn hour_label(hour: usize, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("{hour}时"),
        Lang::En => format!("{hour:02}:00"),
    }
}

fn draw<DB: DrawingBackend>(
    root: &Area<DB>,
    theme: &Theme,
    first_hour: u8,
    bands: Vec<Band>,
) -> Drawn<DB> {
    let (w, h) = theme.size();
    let (w, h) = (w as i32, h as i32);
    let u = theme.unit();
    let row = u * 8 / 5;
    let (top, bottom) = (u * 3 / 2, h - u * 5 / 2);

    let rows = ((bottom - top) / row).max(1) as usize;
    let bands = fit_legend(bands, rows, theme.language);

    // Stack heights, bottom band first.
    let mut stacked = vec![[0u64; HOURS]; bands.len() + 1];
    for (i, band) in bands.iter().enumerate() {
        let below = stacked[i];
        for ((sum, low), count) in stacked[i + 1].iter_mut().zip(below).zip(band.counts) {
            *sum = low.saturating_add(count);
        }
    }
    let peak = stacked[bands.len()].iter().copied().max().unwrap_or(0) as f64;
    let (y_top, step) = frame::count_axis(peak, 5);
    let y_labels: Vec<String> = frame::ticks(y_top, step)
        .iter()
        .map(|v| format!("{v:.0}"))
        .collect();

    // Legend on the right: swatch, name, 24-hour total.
    let totals: Vec<String> = bands.iter().map(|b| b.total.to_string()).collect();
    let name_w = frame::widest(bands.iter().map(|b| b.name.as_str()), u);
    let total_w = frame::widest(totals.iter().map(String::as_str), u);
    let legend_w = u + u / 2 + name_w + u + total_w;
    let legend_x = w - u - legend_w;

    let left = frame::widest(y_labels.iter().map(String::as_str), u) + u;
    let right = w - legend_x + u * 2;
    let mut chart = ChartBuilder::on(root)
        .margin_left(left)
        .margin_right(right.min(w - left - u * 4).max(u))
        .margin_top(top)
        .margin_bottom(h - bottom)
        .build_cartesian_2d(0f64..(HOURS - 1) as f64, 0f64..y_top)?;

    frame::y_grid(root, &chart, theme, &frame::ticks(y_top, step), |v| {
        format!("{v:.0}")
    })?;

    for (i, band) in bands.iter().enumerate() {
        let upper = (0..HOURS).map(|t| (t as f64, stacked[i + 1][t] as f64));
        let lower = (0..HOURS).rev().map(|t| (t as f64, stacked[i][t] as f64));
        let outline: Vec<(f64, f64)> = upper.chain(lower).collect();
        chart.draw_series(std::iter::once(Polygon::new(
            outline,
            rgb(band.colour).mix(0.75).filled(),
        )))?;
    }
    for (i, band) in bands.iter().enumerate() {
        chart.draw_series(LineSeries::new(
            (0..HOURS).map(|t| (t as f64, stacked[i + 1][t] as f64)),
            rgb(band.colour).stroke_width(2),
        ))?;
    }
    frame::baseline(root, &chart, theme)?;

    // Hour labels, on hours that divide the day evenly (0时, 3时, 6时 …).
    let plot_w = chart.backend_coord(&((HOURS - 1) as f64, 0.0)).0 - left;
    let label_w = text_width(&hour_label(23, theme.language), u);
    let every = frame::label_every(HOURS, label_w, plot_w, &[1, 2, 3, 4, 6, 8, 12]);
    for t in 0..HOURS {
        let hour = (usize::from(first_hour) + t) % 24;
        if !hour.is_multiple_of(every) {
            continue;
        }
        let (x, y) = chart.backend_coord(&(t as f64, 0.0));
        root.draw(&PathElement::new(
            vec![(x, y), (x, y + u / 3)],
            rgb(theme.grid).stroke_width(2),
        ))?;
        root.draw(&Text::new(
            hour_label(hour, theme.language),
            (x, y + u / 2),
            font(theme, u, theme.muted_text, HPos::Center, VPos::Top),
        ))?;
    }

    // The legend, in band order: the first entry is the bottom band.
    for (i, (band, total)) in bands.iter().zip(&totals).enumerate() {
        let y = top + row * i as i32 + row / 2;
        root.draw(&Rectangle::new(
            [(legend_x, y - u / 2), (legend_x + u, y + u / 2)],
            rgb(band.colour).filled(),
        ))?;
        root.draw(&Text::new(
            band.name.clone(),
            (legend_x + u + u / 2, y),
            font(theme, u, theme.text, HPos::Left, VPos::Center),
        ))?;
        root.draw(&Text::new(
            total.clone(),
            (w - u, y),
            bold(theme, u, theme.text, HPos::Right, VPos::Center),
        ))?;
    }
    Ok(())
}
