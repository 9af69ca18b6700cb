//! The week's most frequent event categories as horizontal bars.
//!
//! Horizontal because category names are long Chinese words that would have
//! to be tilted under vertical bars. The bars keep one row height whether
//! there are three categories or ten, so the chart does not jump between
//! refreshes; each bar carries its figure, which makes an axis unnecessary.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use crate::frame::{self, Area, Drawn, bold, font, rgb};
use crate::labels::category_name;
use crate::theme::Theme;

/// How many categories the chart shows.
pub const TOP: usize = 10;

/// The most frequent categories, largest first: `items` are (category code,
/// events). Codes the domain knows get their name (`dispute.neighbour` →
/// 邻里纠纷); an unknown code shows as it came. The same code twice is added
/// up; categories with no events are left out, and none left draws the
/// "no data" chart.
pub fn top_categories(items: &[(String, u64)], theme: &Theme) -> String {
    let top = top(items);
    frame::svg(theme, |root| {
        if top.is_empty() {
            frame::empty(root, theme)
        } else {
            draw(root, theme, &top)
        }
    })
}

/// Merged, without zeros, largest first (ties by code, so the same counts
/// always give the same order), at most [`TOP`].
fn top(items: &[(String, u64)]) -> Vec<(&str, u64)> {
    let mut merged: Vec<(&str, u64)> = Vec::new();
    for (code, count) in items {
        match merged.iter_mut().find(|(c, _)| c == code) {
            Some((_, sum)) => *sum = sum.saturating_add(*count),
            None => merged.push((code, *count)),
        }
    }
    merged.retain(|(_, count)| *count > 0);
    merged.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    merged.truncate(TOP);
    merged
}

fn draw<DB: DrawingBackend>(root: &Area<DB>, theme: &Theme, top: &[(&str, u64)]) -> Drawn<DB> {
    let w = theme.size().0 as i32;
    let u = theme.unit();
    let names: Vec<String> = top
        .iter()
        .map(|(code, _)| category_name(code, theme.language))
        .collect();
    let values: Vec<String> = top.iter().map(|(_, count)| count.to_string()).collect();
    let peak = top[0].1 as f64;

    let left = (frame::widest(names.iter().map(String::as_str), u) + u * 2).min(w * 2 / 5);
    let right = frame::widest(values.iter().map(String::as_str), u) + u * 2;
    let (margin_top, margin_bottom) = (u, u);
    let chart = ChartBuilder::on(root)
        .margin_left(left)
        .margin_right(right)
        .margin_top(margin_top)
        .margin_bottom(margin_bottom)
        .build_cartesian_2d(0.0..peak, 0.0..TOP as f64)?;

    // Row i is centred at TOP - i - 0.5: the largest on top.
    let grid = rgb(theme.grid);
    let (x0, _) = chart.backend_coord(&(0.0, 0.0));
    let (_, y_top) = chart.backend_coord(&(0.0, TOP as f64));
    let y_end = chart.backend_coord(&(0.0, (TOP - top.len()) as f64)).1;
    root.draw(&PathElement::new(
        vec![(x0, y_top), (x0, y_end)],
        grid.stroke_width(2),
    ))?;
    let accent = rgb(theme.accent);
    for (i, ((name, value), (_, count))) in names.iter().zip(&values).zip(top).enumerate() {
        let centre = TOP as f64 - i as f64 - 0.5;
        let opacity = 1.0 - 0.05 * i as f64;
        chart.plotting_area().draw(&Rectangle::new(
            [(0.0, centre - 0.32), (*count as f64, centre + 0.32)],
            accent.mix(opacity).filled(),
        ))?;
        let (bar_end, y) = chart.backend_coord(&(*count as f64, centre));
        root.draw(&Text::new(
            name.clone(),
            (x0 - u, y),
            font(theme, u, theme.text, HPos::Right, VPos::Center),
        ))?;
        root.draw(&Text::new(
            value.clone(),
            (bar_end + u / 2, y),
            bold(theme, u, theme.text, HPos::Left, VPos::Center),
        ))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(code: &str, count: u64) -> (String, u64) {
        (code.to_owned(), count)
    }

    #[test]
    fn the_top_is_merged_sorted_without_zeros_and_at_most_ten() {
        let mut items: Vec<(String, u64)> =
            (0..14).map(|i| item(&format!("c.{i:02}"), i + 1)).collect();
        items.push(item("c.00", 100));
        items.push(item("zero", 0));
        let top = top(&items);
        assert_eq!(top.len(), TOP);
        assert_eq!(top[0], ("c.00", 101));
        assert_eq!(top[1], ("c.13", 14));
        assert!(top.iter().all(|(code, _)| *code != "zero"));
    }

    #[test]
    fn ties_are_broken_by_code() {
        let items = [item("b", 5), item("a", 5)];
        assert_eq!(top(&items), vec![("a", 5), ("b", 5)]);
    }
}
