//! The two 30-day charts: the daily resolution rate against its target, and
//! events per day (the chart each division level drills down to).
//!
//! Days are placed by date, not by position in the slice, so a missing day
//! shows as a gap instead of silently joining its neighbours.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};
use time::Date;

use crate::frame::{self, Area, Chart, Drawn, bold, font, rgb};
use crate::labels::text_width;
use crate::theme::{Lang, Theme};

/// The share of a day's due events resolved in time, `0.0..=1.0`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DayRate {
    /// The local (UTC+8) calendar day.
    pub date: Date,
    /// Drawn clamped to `0..=1`; NaN or infinite means "no rate that day"
    /// (nothing was due) and leaves a gap, rather than a fall to zero.
    pub rate: f64,
}

/// The number of events of one local (UTC+8) calendar day.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DayCount {
    pub date: Date,
    pub count: u64,
}

/// The daily resolution rate as a line in percent, with the `target` (e.g.
/// `0.98`) as a dashed line labelled `目标 98%`. The axis shows 80–100% unless
/// a day or the target lies lower. Days are labelled `11-27`; a day given
/// twice keeps its later rate. No day with a rate draws the "no data" chart.
pub fn resolution_rate_30d(days: &[DayRate], target: f64, theme: &Theme) -> String {
    let mut days: Vec<DayRate> = days.to_vec();
    days.sort_by_key(|d| d.date);
    // The same day twice: the later one in the input is the newer figure.
    days.dedup_by(|later, kept| {
        let same = later.date == kept.date;
        if same {
            kept.rate = later.rate;
        }
        same
    });
    let target = target.is_finite().then(|| target.clamp(0.0, 1.0));
    frame::svg(theme, |root| {
        if days.iter().all(|d| !d.rate.is_finite()) {
            frame::empty(root, theme)
        } else {
            draw_rates(root, theme, &days, target)
        }
    })
}

/// Events per day as bars; the latest day (often still running) and the
/// busiest day carry their figure. A day given twice is added up. No days
/// draws the "no data" chart.
pub fn events_30d(days: &[DayCount], theme: &Theme) -> String {
    let mut days: Vec<DayCount> = days.to_vec();
    days.sort_by_key(|d| d.date);
    days.dedup_by(|later, kept| {
        let same = later.date == kept.date;
        if same {
            kept.count = kept.count.saturating_add(later.count);
        }
        same
    });
    frame::svg(theme, |root| {
        if days.is_empty() {
            frame::empty(root, theme)
        } else {
            draw_counts(root, theme, &days)
        }
    })
}

/// A percentage as the wall writes it: `98%`, `97.5%`.
fn percent(value: f64) -> String {
    let tenths = (value * 1000.0).round() / 10.0;
    if tenths.fract() == 0.0 {
        format!("{tenths:.0}%")
    } else {
        format!("{tenths:.1}%")
    }
}

/// Days since the first day: where each day sits on the x axis.
fn offsets(dates: impl Iterator<Item = Date> + Clone) -> Vec<f64> {
    let first = dates.clone().next();
    dates
        .map(|d| first.map_or(0.0, |f| (d - f).whole_days() as f64))
        .collect()
}

/// Day labels under the plot, thinned to fit, counted back from the latest
/// day so that it is always labelled.
fn day_labels<DB: DrawingBackend>(
    root: &Area<DB>,
    chart: &Chart<'_, DB>,
    theme: &Theme,
    dates: &[Date],
    xs: &[f64],
    y0: f64,
) -> Drawn<DB> {
    let u = theme.unit();
    let x_range = chart.x_range();
    let (x0, x1) = (x_range.start, x_range.end);
    let span_px = chart.backend_coord(&(x1, y0)).0 - chart.backend_coord(&(x0, y0)).0;
    let days = (x1 - x0).round().max(1.0) as usize;
    let every = frame::label_every(days, text_width("11-27", u), span_px, &frame::DAY_STEPS);
    let last = xs.last().copied().unwrap_or(0.0);
    for (date, x) in dates.iter().zip(xs) {
        if !((last - x).round() as usize).is_multiple_of(every) {
            continue;
        }
        let (px, py) = chart.backend_coord(&(*x, y0));
        root.draw(&PathElement::new(
            vec![(px, py), (px, py + u / 3)],
            rgb(theme.grid).stroke_width(2),
        ))?;
        root.draw(&Text::new(
            frame::day_label(*date),
            (px, py + u / 2),
            font(theme, u, theme.muted_text, HPos::Center, VPos::Top),
        ))?;
    }
    Ok(())
}

fn draw_rates<DB: DrawingBackend>(
    root: &Area<DB>,
    theme: &Theme,
    days: &[DayRate],
    target: Option<f64>,
) -> Drawn<DB> {
    let u = theme.unit();
    let xs = offsets(days.iter().map(|d| d.date));
    let rates: Vec<Option<f64>> = days
        .iter()
        .map(|d| d.rate.is_finite().then(|| d.rate.clamp(0.0, 1.0)))
        .collect();

    // 80–100% unless a day or the target is lower; then down to a 5% step
    // below it, with room above 100% for the latest rate's label.
    let lowest = rates
        .iter()
        .flatten()
        .chain(target.iter())
        .copied()
        .fold(1.0, f64::min);
    let y_min = (((lowest - 0.02) / 0.05).floor() * 0.05).clamp(0.0, 0.8);
    let y_max = 1.0 + (1.0 - y_min) * 0.1;
    let step = frame::nice_step(1.0 - y_min, 5, 0.05);
    let ticks: Vec<f64> = frame::ticks(1.0, step)
        .into_iter()
        .filter(|v| *v >= y_min - 1e-9)
        .collect();

    let target_label = target.map(|t| match theme.language {
        Lang::Zh => format!("目标 {}", percent(t)),
        Lang::En => format!("Target {}", percent(t)),
    });
    let left = text_width("100%", u) + u;
    let right = target_label
        .as_deref()
        .map_or(u * 2, |l| text_width(l, u) + u * 2);
    let span = xs.last().copied().unwrap_or(0.0);
    let mut chart = ChartBuilder::on(root)
        .margin_left(left)
        .margin_right(right)
        .margin_top(u * 3 / 2)
        .margin_bottom(u * 5 / 2)
        .build_cartesian_2d(-0.5..span + 0.5, y_min..y_max)?;
    frame::y_grid(root, &chart, theme, &ticks, percent)?;

    // Runs of consecutive days with a rate: a faint area and a line each.
    let mut runs: Vec<Vec<(f64, f64)>> = Vec::new();
    let mut previous: Option<f64> = None;
    for (x, rate) in xs.iter().zip(&rates) {
        match rate {
            Some(r) if previous.is_some_and(|p| x - p <= 1.0) => {
                if let Some(run) = runs.last_mut() {
                    run.push((*x, *r));
                }
            }
            Some(r) => runs.push(vec![(*x, *r)]),
            None => {}
        }
        previous = rate.map(|_| *x);
    }
    let accent = rgb(theme.accent);
    for run in &runs {
        let mut area = run.clone();
        area.push((run[run.len() - 1].0, y_min));
        area.push((run[0].0, y_min));
        chart.draw_series(std::iter::once(Polygon::new(
            area,
            accent.mix(0.14).filled(),
        )))?;
        chart.draw_series(LineSeries::new(run.iter().copied(), accent.stroke_width(3)))?;
    }

    if let (Some(t), Some(label)) = (target, &target_label) {
        let warning = rgb(theme.warning);
        chart.draw_series(DashedLineSeries::new(
            [(-0.5, t), (span + 0.5, t)],
            u * 2 / 3,
            u / 2,
            warning.stroke_width(2),
        ))?;
        let (x, y) = chart.backend_coord(&(span + 0.5, t));
        root.draw(&Text::new(
            label.clone(),
            (x + u / 2, y),
            bold(theme, u, theme.warning, HPos::Left, VPos::Center),
        ))?;
    }

    // Dots, in the warning colour on days below target.
    let radius = (u / 4).max(3) as u32;
    for (x, rate) in xs.iter().zip(&rates) {
        if let Some(r) = rate {
            let missed = target.is_some_and(|t| *r < t - 1e-9);
            let colour = if missed { rgb(theme.warning) } else { accent };
            chart.draw_series(std::iter::once(Circle::new(
                (*x, *r),
                radius,
                colour.filled(),
            )))?;
        }
    }

    // The latest rate beside its dot, on the side away from the target line
    // so the two labels never meet: above when on target, below when not.
    if let Some((x, r)) = xs
        .iter()
        .zip(&rates)
        .rev()
        .find_map(|(x, r)| r.map(|r| (*x, r)))
    {
        let (px, py) = chart.backend_coord(&(x, r));
        let (y, v) = if target.is_some_and(|t| r < t - 1e-9) {
            (py + u / 2, VPos::Top)
        } else {
            (py - u / 2, VPos::Bottom)
        };
        root.draw(&Text::new(
            percent(r),
            (px, y),
            bold(theme, u, theme.text, HPos::Center, v),
        ))?;
    }

    let dates: Vec<Date> = days.iter().map(|d| d.date).collect();
    frame::baseline(root, &chart, theme)?;
    day_labels(root, &chart, theme, &dates, &xs, y_min)
}

fn draw_counts<DB: DrawingBackend>(root: &Area<DB>, theme: &Theme, days: &[DayCount]) -> Drawn<DB> {
    let u = theme.unit();
    let xs = offsets(days.iter().map(|d| d.date));
    let peak = days.iter().map(|d| d.count).max().unwrap_or(0);
    let (y_top, step) = frame::count_axis(peak as f64, 5);
    let ticks = frame::ticks(y_top, step);
    let left = frame::widest(
        ticks
            .iter()
            .map(|v| format!("{v:.0}"))
            .collect::<Vec<_>>()
            .iter()
            .map(String::as_str),
        u,
    ) + u;
    let span = xs.last().copied().unwrap_or(0.0);
    let mut chart = ChartBuilder::on(root)
        .margin_left(left)
        .margin_right(u * 2)
        .margin_top(u * 3 / 2)
        .margin_bottom(u * 5 / 2)
        .build_cartesian_2d(-0.5..span + 0.5, 0.0..y_top)?;
    frame::y_grid(root, &chart, theme, &ticks, |v| format!("{v:.0}"))?;

    let accent = rgb(theme.accent);
    let last = days.len() - 1;
    let busiest = days
        .iter()
        .enumerate()
        .max_by_key(|(i, d)| (d.count, *i))
        .map_or(last, |(i, _)| i);
    for (i, (day, x)) in days.iter().zip(&xs).enumerate() {
        let style = if i == last {
            accent.filled()
        } else {
            accent.mix(0.7).filled()
        };
        // A day without events has no bar: a zero-height rectangle is
        // invalid SVG that renderers warn about (resvg, once per bar).
        if day.count > 0 {
            chart.draw_series(std::iter::once(Rectangle::new(
                [(x - 0.34, 0.0), (x + 0.34, day.count as f64)],
                style,
            )))?;
        }
        if i == last || i == busiest {
            let (px, py) = chart.backend_coord(&(*x, day.count as f64));
            root.draw(&Text::new(
                day.count.to_string(),
                (px, py - u / 3),
                bold(theme, u, theme.text, HPos::Center, VPos::Bottom),
            ))?;
        }
    }
    frame::baseline(root, &chart, theme)?;
    let dates: Vec<Date> = days.iter().map(|d| d.date).collect();
    day_labels(root, &chart, theme, &dates, &xs, 0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_drop_a_needless_decimal() {
        assert_eq!(percent(0.98), "98%");
        assert_eq!(percent(0.975), "97.5%");
        assert_eq!(percent(1.0), "100%");
    }
}
