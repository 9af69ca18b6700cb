//! What every chart shares: the SVG it is rendered into, text styles, the
//! horizontal grid with its value labels, the empty state and day labels.
//!
//! Charts draw through plotters' `DrawingBackend` trait and know nothing of
//! SVG; only [`svg`] picks the backend. A bitmap backend (the shift-handover
//! report's PNG) is another such function, plus a font for plotters to
//! rasterise the text with.

use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::labels::text_width;
use crate::theme::{Lang, Rgb, Theme};

pub(crate) type Area<DB> = DrawingArea<DB, Shift>;
pub(crate) type Drawn<DB> = Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;
pub(crate) type Chart<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// Renders one chart into an SVG string. Drawing into a string cannot fail
/// for I/O; should plotters refuse anyway, the reader gets a chart that says
/// so instead of a panic or an empty tile.
pub(crate) fn svg(
    theme: &Theme,
    draw: impl for<'b> FnOnce(&Area<SVGBackend<'b>>) -> Result<(), DrawingAreaErrorKind<std::io::Error>>,
) -> String {
    let mut out = String::new();
    let drawn = {
        let root = SVGBackend::with_string(&mut out, theme.size()).into_drawing_area();
        paint_background(&root, theme)
            .and_then(|()| draw(&root))
            .and_then(|()| root.present())
    };
    if drawn.is_ok() {
        return out;
    }
    let message = match theme.language {
        Lang::Zh => "图表无法绘制",
        Lang::En => "Chart unavailable",
    };
    let mut out = String::new();
    let drawn = {
        let root = SVGBackend::with_string(&mut out, theme.size()).into_drawing_area();
        paint_background(&root, theme)
            .and_then(|()| message_only(&root, theme, message))
            .and_then(|()| root.present())
    };
    if drawn.is_ok() {
        out
    } else {
        let (w, h) = theme.size();
        format!(
            r#"<svg width="{w}" height="{h}" viewBox="0 0 {w} {h}" xmlns="http://www.w3.org/2000/svg"></svg>"#
        )
    }
}

fn paint_background<DB: DrawingBackend>(root: &Area<DB>, theme: &Theme) -> Drawn<DB> {
    match theme.background {
        Some(colour) => root.fill(&rgb(colour)),
        None => Ok(()),
    }
}

pub(crate) fn rgb(colour: Rgb) -> RGBColor {
    RGBColor(colour.0, colour.1, colour.2)
}

/// A text style whose SVG `font-size` is `px` (plotters divides the size it
/// is given by 1.24 when writing SVG).
pub(crate) fn font(theme: &Theme, px: i32, colour: Rgb, h: HPos, v: VPos) -> TextStyle<'static> {
    TextStyle {
        font: FontDesc::new(
            FontFamily::Name(theme.font_family),
            f64::from(px) * 1.24,
            FontStyle::Normal,
        ),
        color: rgb(colour).to_backend_color(),
        pos: Pos::new(h, v),
    }
}

/// The same in bold, for values that carry the chart's message.
pub(crate) fn bold(theme: &Theme, px: i32, colour: Rgb, h: HPos, v: VPos) -> TextStyle<'static> {
    let mut style = font(theme, px, colour, h, v);
    style.font = style.font.style(FontStyle::Bold);
    style
}

/// The chart with no data: a faint baseline and a centred message, so a tile
/// reads "nothing yet" rather than looking broken.
pub(crate) fn empty<DB: DrawingBackend>(root: &Area<DB>, theme: &Theme) -> Drawn<DB> {
    let message = match theme.language {
        Lang::Zh => "暂无数据",
        Lang::En => "No data",
    };
    message_only(root, theme, message)
}

fn message_only<DB: DrawingBackend>(root: &Area<DB>, theme: &Theme, message: &str) -> Drawn<DB> {
    let (w, h) = theme.size();
    let (w, h) = (w as i32, h as i32);
    let u = theme.unit();
    let base = h - 2 * u;
    root.draw(&PathElement::new(
        vec![(u * 3, base), (w - u * 2, base)],
        rgb(theme.grid).stroke_width(2),
    ))?;
    root.draw(&Text::new(
        message.to_owned(),
        (w / 2, h / 2),
        font(theme, u * 2, theme.muted_text, HPos::Center, VPos::Center),
    ))
}

/// A step of 1, 2 or 5 times a power of ten that divides `0..=max` into at
/// most `ticks` parts; never below `min_step` (1 for counts).
pub(crate) fn nice_step(max: f64, ticks: usize, min_step: f64) -> f64 {
    let raw = (max / ticks.max(1) as f64).max(min_step);
    let power = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * power)
        .find(|step| *step >= raw - 1e-9)
        .unwrap_or(10.0 * power)
        .max(min_step)
}

/// The upper end of a count axis and its step: `max` plus a little headroom
/// for the highest value's label, rounded up to a whole step, in about
/// `ticks` steps.
pub(crate) fn count_axis(max: f64, ticks: usize) -> (f64, f64) {
    let padded = max.max(1.0) * 1.08;
    let step = nice_step(padded, ticks + 1, 1.0);
    ((padded / step).ceil() * step, step)
}

/// Horizontal grid lines across the plot at `values`, each labelled at the
/// left by `label`.
pub(crate) fn y_grid<DB: DrawingBackend>(
    root: &Area<DB>,
    chart: &Chart<'_, DB>,
    theme: &Theme,
    values: &[f64],
    label: impl Fn(f64) -> String,
) -> Drawn<DB> {
    let u = theme.unit();
    let x_range = chart.x_range();
    let (x0, x1) = (x_range.start, x_range.end);
    for &value in values {
        let (left, y) = chart.backend_coord(&(x0, value));
        let (right, _) = chart.backend_coord(&(x1, value));
        root.draw(&PathElement::new(
            vec![(left, y), (right, y)],
            rgb(theme.grid).stroke_width(1),
        ))?;
        root.draw(&Text::new(
            label(value),
            (left - u / 2, y),
            font(theme, u, theme.muted_text, HPos::Right, VPos::Center),
        ))?;
    }
    Ok(())
}

/// A solid baseline under the plot.
pub(crate) fn baseline<DB: DrawingBackend>(
    root: &Area<DB>,
    chart: &Chart<'_, DB>,
    theme: &Theme,
) -> Drawn<DB> {
    let x_range = chart.x_range();
    let (x0, x1) = (x_range.start, x_range.end);
    let y_range = chart.y_range();
    let (y0, _) = (y_range.start, y_range.end);
    let left = chart.backend_coord(&(x0, y0));
    let right = chart.backend_coord(&(x1, y0));
    root.draw(&PathElement::new(
        vec![left, right],
        rgb(theme.grid).stroke_width(2),
    ))
}

/// Every `step` values from 0 to `top` inclusive.
pub(crate) fn ticks(top: f64, step: f64) -> Vec<f64> {
    let count = (top / step).round() as usize;
    (0..=count).map(|i| i as f64 * step).collect()
}

/// Which of `n` evenly spaced labels of width `label_px` fit in `span_px`:
/// the first interval of `candidates` that leaves a gap between them.
pub(crate) fn label_every(n: usize, label_px: i32, span_px: i32, candidates: &[usize]) -> usize {
    let slot = f64::from(span_px) / n.max(1) as f64;
    let needed = f64::from(label_px) * 1.5;
    candidates
        .iter()
        .copied()
        .find(|k| slot * *k as f64 >= needed)
        .unwrap_or(n.max(1))
}

/// Label intervals for days: every day, every other day, ... every week.
pub(crate) const DAY_STEPS: [usize; 7] = [1, 2, 3, 5, 7, 10, 15];

/// A day as the wall labels it, the same in both languages: `11-27`.
pub(crate) fn day_label(date: time::Date) -> String {
    format!("{:02}-{:02}", u8::from(date.month()), date.day())
}

/// Width of the widest of `labels` at font size `px`.
pub(crate) fn widest<'a>(labels: impl IntoIterator<Item = &'a str>, px: i32) -> i32 {
    labels
        .into_iter()
        .map(|l| text_width(l, px))
        .max()
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_are_one_two_or_five_times_a_power_of_ten() {
        assert_eq!(nice_step(100.0, 5, 1.0), 20.0);
        assert_eq!(nice_step(37.0, 5, 1.0), 10.0);
        assert_eq!(nice_step(3.0, 5, 1.0), 1.0);
        assert_eq!(nice_step(0.2, 4, 0.05), 0.05);
        assert_eq!(nice_step(1234.0, 5, 1.0), 500.0);
    }

    #[test]
    fn the_count_axis_leaves_room_above_the_highest_value() {
        assert_eq!(count_axis(100.0, 5), (120.0, 20.0));
        assert_eq!(count_axis(99.0, 5), (120.0, 20.0));
        assert_eq!(count_axis(90.0, 5), (100.0, 20.0));
        assert_eq!(count_axis(0.0, 5), (2.0, 1.0));
    }

    #[test]
    fn labels_thin_out_when_slots_are_narrow() {
        assert_eq!(label_every(24, 40, 2400, &DAY_STEPS), 1);
        assert_eq!(label_every(24, 40, 1200, &DAY_STEPS), 2);
        assert_eq!(label_every(30, 60, 1200, &DAY_STEPS), 3);
        assert_eq!(label_every(30, 60, 100, &DAY_STEPS), 30);
    }
}
