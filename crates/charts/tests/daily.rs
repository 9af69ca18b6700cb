use gridwall_charts::{DayCount, DayRate, Lang, Theme, events_30d, resolution_rate_30d};
use time::{Date, Duration, Month};

use crate::svg::read;

fn day(i: i64) -> Date {
    Date::from_calendar_date(2026, Month::October, 29).unwrap() + Duration::days(i)
}

fn rates(values: &[f64]) -> Vec<DayRate> {
    values
        .iter()
        .enumerate()
        .map(|(i, r)| DayRate {
            date: day(i as i64),
            rate: *r,
        })
        .collect()
}

/// The target line is drawn in the theme's warning colour, as dashes.
const WARNING: &str = "#FFB020";
/// The rate line is drawn in the theme's accent colour.
const ACCENT: &str = "#4E8CFF";

#[test]
fn the_target_is_a_labelled_dashed_line() {
    let chart = read(&resolution_rate_30d(
        &rates(&[0.97; 30]),
        0.98,
        &Theme::default(),
    ));
    assert!(chart.has("目标 98%"), "{:?}", chart.texts);
    let dashes = chart.strokes(WARNING);
    assert!(
        dashes.len() > 10,
        "a dashed line is many short strokes: {dashes:?}"
    );
    // All on one height: a horizontal line.
    let ys: Vec<&str> = dashes
        .iter()
        .flat_map(|points| {
            points
                .split_whitespace()
                .map(|p| p.split(',').nth(1).unwrap())
        })
        .collect();
    assert!(ys.windows(2).all(|w| w[0] == w[1]), "{ys:?}");
}

#[test]
fn in_english_the_target_says_target() {
    let theme = Theme::default().with_language(Lang::En);
    let chart = read(&resolution_rate_30d(&rates(&[0.99, 0.975]), 0.98, &theme));
    assert!(chart.has("Target 98%"));
    assert!(
        chart.has("97.5%"),
        "the latest rate is labelled: {:?}",
        chart.texts
    );
}

#[test]
fn the_axis_shows_80_to_100_percent_when_the_data_allow() {
    let chart = read(&resolution_rate_30d(
        &rates(&[0.95, 0.99, 0.97]),
        0.98,
        &Theme::default(),
    ));
    assert!(chart.has("80%") && chart.has("100%"), "{:?}", chart.texts);
    assert!(!chart.has("70%") && !chart.has("110%"));
}

#[test]
fn a_bad_day_widens_the_axis_down_to_it() {
    let chart = read(&resolution_rate_30d(
        &rates(&[0.95, 0.62, 0.97]),
        0.98,
        &Theme::default(),
    ));
    assert!(chart.has("60%"), "{:?}", chart.texts);
    assert!(!chart.has("50%"));
}

#[test]
fn rates_out_of_range_are_clamped() {
    let chart = read(&resolution_rate_30d(
        &rates(&[0.9, -3.0, 7.0]),
        0.98,
        &Theme::default(),
    ));
    assert!(
        chart.has("0%"),
        "a negative rate is drawn at 0%: {:?}",
        chart.texts
    );
    assert!(chart.has("100%") && !chart.texts.iter().any(|t| t == "700%"));
}

#[test]
fn a_day_without_a_rate_leaves_a_gap_in_the_line() {
    let whole = read(&resolution_rate_30d(
        &rates(&[0.97, 0.98, 0.99, 0.97]),
        0.98,
        &Theme::default(),
    ));
    assert_eq!(whole.strokes(ACCENT).len(), 1);
    let gap = read(&resolution_rate_30d(
        &rates(&[0.97, f64::NAN, 0.99, 0.97]),
        0.98,
        &Theme::default(),
    ));
    assert_eq!(gap.strokes(ACCENT).len(), 2);
    // A missing date is a gap too, not a join across it.
    let mut skipped = rates(&[0.97, 0.98, 0.99, 0.97]);
    skipped.remove(1);
    assert_eq!(
        read(&resolution_rate_30d(&skipped, 0.98, &Theme::default()))
            .strokes(ACCENT)
            .len(),
        2
    );
}

#[test]
fn no_rate_at_all_says_so() {
    let chart = read(&resolution_rate_30d(
        &rates(&[f64::NAN; 5]),
        0.98,
        &Theme::default(),
    ));
    assert_eq!(chart.texts, ["暂无数据"]);
}

#[test]
fn days_are_labelled_month_day_with_the_latest_always_shown() {
    let chart = read(&resolution_rate_30d(
        &rates(&[0.97; 30]),
        0.98,
        &Theme::default(),
    ));
    assert!(chart.has("11-27"), "{:?}", chart.texts);
    let narrow = read(&resolution_rate_30d(
        &rates(&[0.97; 30]),
        0.98,
        &Theme::new(400, 300),
    ));
    assert!(narrow.has("11-27"));
    let shown = narrow
        .texts
        .iter()
        .filter(|t| t.len() == 5 && t.as_bytes()[2] == b'-')
        .count();
    assert!(
        (2..10).contains(&shown),
        "a narrow chart thins its day labels: {:?}",
        narrow.texts
    );
}

fn counts(values: &[u64]) -> Vec<DayCount> {
    values
        .iter()
        .enumerate()
        .map(|(i, c)| DayCount {
            date: day(i as i64),
            count: *c,
        })
        .collect()
}

#[test]
fn events_per_day_label_the_latest_and_the_busiest_day() {
    let chart = read(&events_30d(
        &counts(&[123, 341, 207, 171]),
        &Theme::default(),
    ));
    assert!(chart.has("341") && chart.has("171"), "{:?}", chart.texts);
    assert!(
        !chart.has("123") && !chart.has("207"),
        "only those two are labelled"
    );
    assert!(chart.has("11-01"));
}

#[test]
fn events_per_day_in_any_order_draw_the_same() {
    let mut shuffled = counts(&[5, 9, 7]);
    shuffled.swap(0, 2);
    assert_eq!(
        events_30d(&shuffled, &Theme::default()),
        events_30d(&counts(&[5, 9, 7]), &Theme::default())
    );
}

#[test]
fn a_day_given_twice_is_one_day() {
    let mut twice = counts(&[101, 37]);
    twice.push(DayCount {
        date: day(1),
        count: 2,
    });
    let chart = read(&events_30d(&twice, &Theme::default()));
    assert!(
        chart.has("39") && !chart.has("37"),
        "added up: {:?}",
        chart.texts
    );

    // One dot per day, and the later rate of the day is the one drawn.
    let mut rates = rates(&[0.9, 0.93, 0.95]);
    rates.insert(
        2,
        DayRate {
            date: day(1),
            rate: 0.99,
        },
    );
    let once = read(&resolution_rate_30d(&rates, 0.98, &Theme::default()));
    let expected = read(&resolution_rate_30d(
        &self::rates(&[0.9, 0.99, 0.95]),
        0.98,
        &Theme::default(),
    ));
    assert_eq!(once.circles, 3);
    assert_eq!(once.polylines, expected.polylines);
}

#[test]
fn no_days_say_no_data_in_either_language() {
    assert_eq!(
        read(&events_30d(&[], &Theme::default())).texts,
        ["暂无数据"]
    );
    let en = Theme::default().with_language(Lang::En);
    assert_eq!(read(&events_30d(&[], &en)).texts, ["No data"]);
}
