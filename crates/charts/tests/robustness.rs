use gridwall_charts::{
    DayCount, DayRate, Rgb, SourceSeries, Theme, events_30d, events_per_hour, resolution_rate_30d,
    top_categories,
};
use time::macros::date;

use crate::svg::read;

const HOSTILE: &str = "<script>alert(1)</script>";

#[test]
fn a_hostile_category_is_text_not_markup() {
    let items = vec![(HOSTILE.to_owned(), 5), ("a\"b'c&d".to_owned(), 3)];
    let svg = top_categories(&items, &Theme::default());
    assert!(!svg.contains("<script"), "{svg}");
    let chart = read(&svg);
    assert!(
        chart
            .texts
            .iter()
            .any(|t| t.starts_with("<script>alert(1)")),
        "{:?}",
        chart.texts
    );
    assert!(chart.has("a\"b'c&d"));
}

#[test]
fn a_hostile_source_is_text_not_markup() {
    let series = [SourceSeries {
        source: HOSTILE.to_owned(),
        counts: vec![1; 24],
    }];
    let svg = events_per_hour(0, &series, &Theme::default());
    assert!(!svg.contains("<script"));
    assert!(read(&svg).texts.iter().any(|t| t.starts_with("<script>")));
}

#[test]
fn characters_xml_cannot_carry_are_dropped() {
    let items = vec![("bad\u{0}\u{1b}code".to_owned(), 5)];
    let chart = read(&top_categories(&items, &Theme::default()));
    assert!(chart.has("badcode"), "{:?}", chart.texts);
}

#[test]
fn a_very_long_code_is_cut_short() {
    let items = vec![("x".repeat(500), 5)];
    let chart = read(&top_categories(&items, &Theme::default()));
    assert!(
        chart
            .texts
            .iter()
            .any(|t| t.ends_with('…') && t.chars().count() < 30)
    );
}

#[test]
fn every_chart_renders_at_odd_sizes() {
    for (w, h) in [(0, 0), (1, 1), (100_000, 50), (300, 4000)] {
        let theme = Theme {
            width: w,
            height: h,
            ..Theme::default()
        };
        let charts = [
            events_per_hour(
                7,
                &[SourceSeries {
                    source: "risk".into(),
                    counts: vec![3; 24],
                }],
                &theme,
            ),
            resolution_rate_30d(
                &[DayRate {
                    date: date!(2026 - 11 - 27),
                    rate: 0.9,
                }],
                0.98,
                &theme,
            ),
            top_categories(&[("safety.fire".into(), 2)], &theme),
            events_30d(
                &[DayCount {
                    date: date!(2026 - 11 - 27),
                    count: 9,
                }],
                &theme,
            ),
        ];
        for svg in charts {
            let chart = read(&svg);
            assert!(chart.texts.len() > 1, "{w}x{h}: {:?}", chart.texts);
        }
    }
}

#[test]
fn empty_input_says_no_data_in_every_chart() {
    let theme = Theme::default();
    for svg in [
        events_per_hour(0, &[], &theme),
        resolution_rate_30d(&[], 0.98, &theme),
        top_categories(&[], &theme),
        events_30d(&[], &theme),
    ] {
        assert_eq!(read(&svg).texts, ["暂无数据"]);
    }
}

#[test]
fn the_same_input_gives_the_same_bytes() {
    let theme = Theme::default();
    let series = [
        SourceSeries {
            source: "police_110".into(),
            counts: (0..24).collect(),
        },
        SourceSeries {
            source: "drone".into(),
            counts: vec![2; 24],
        },
    ];
    assert_eq!(
        events_per_hour(5, &series, &theme),
        events_per_hour(5, &series, &theme)
    );
    let rates: Vec<DayRate> = (0..30)
        .map(|i| DayRate {
            date: date!(2026 - 10 - 29) + time::Duration::days(i),
            rate: 0.9 + i as f64 / 300.0,
        })
        .collect();
    assert_eq!(
        resolution_rate_30d(&rates, 0.98, &theme),
        resolution_rate_30d(&rates, 0.98, &theme)
    );
}

#[test]
fn the_theme_sets_the_size_and_the_background() {
    let chart = read(&events_30d(&[], &Theme::new(1920, 1080)));
    assert_eq!(
        (chart.width.as_str(), chart.height.as_str()),
        ("1920", "1080")
    );
    let dark = events_30d(&[], &Theme::default());
    assert!(dark.contains("fill=\"#0B1220\""));
    let clear = events_30d(
        &[],
        &Theme {
            background: None,
            ..Theme::default()
        },
    );
    assert!(!clear.contains("#0B1220"));
    let red = events_30d(
        &[],
        &Theme {
            background: Some(Rgb::hex(0xff0000)),
            ..Theme::default()
        },
    );
    assert!(red.contains("fill=\"#FF0000\""));
}
