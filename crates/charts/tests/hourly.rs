use gridwall_charts::{Lang, SourceSeries, Theme, events_per_hour};

use crate::svg::{has_chinese, read};

fn series(source: &str, per_hour: u64) -> SourceSeries {
    SourceSeries {
        source: source.to_owned(),
        counts: vec![per_hour; 24],
    }
}

fn day() -> Vec<SourceSeries> {
    vec![
        series("grid_patrol", 10),
        series("drone_patrol", 1),
        series("police_110", 4),
        series("risk", 2),
    ]
}

#[test]
fn the_legend_names_sources_in_chinese_in_a_fixed_order_with_their_totals() {
    let chart = read(&events_per_hour(0, &day(), &Theme::default()));
    // The four sources first, then the others, then unknown codes as they came.
    let order = ["110警情", "险源", "网格巡查", "drone_patrol"];
    let at: Vec<usize> = order.iter().map(|name| chart.index(name)).collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "{:?}", chart.texts);
    // Each name is followed by its 24-hour total.
    for (name, total) in order.iter().zip(["96", "48", "240", "24"]) {
        assert_eq!(chart.texts[chart.index(name) + 1], total, "{name}");
    }
}

#[test]
fn the_order_does_not_depend_on_the_order_given() {
    let mut reversed = day();
    reversed.reverse();
    let theme = Theme::default();
    assert_eq!(
        events_per_hour(0, &day(), &theme),
        events_per_hour(0, &reversed, &theme)
    );
}

#[test]
fn series_of_the_same_source_are_added_up() {
    let twice = [series("police_110", 1), series("police_110", 2)];
    let chart = read(&events_per_hour(0, &twice, &Theme::default()));
    assert_eq!(chart.texts[chart.index("110警情") + 1], "72");
    assert_eq!(chart.texts.iter().filter(|t| *t == "110警情").count(), 1);
}

#[test]
fn hours_are_local_hours_counted_from_the_first_one() {
    let chart = read(&events_per_hour(20, &day(), &Theme::default()));
    assert!(
        chart.has("20时") && chart.has("0时") && chart.has("12时"),
        "{:?}",
        chart.texts
    );
    // Labels run from the first hour through midnight.
    assert!(chart.index("20时") < chart.index("0时"));
    assert!(chart.index("0时") < chart.index("12时"));
}

#[test]
fn in_english_every_word_is_english() {
    let theme = Theme::default().with_language(Lang::En);
    let svg = events_per_hour(20, &day(), &theme);
    let chart = read(&svg);
    assert!(chart.has("110 police") && chart.has("Grid patrol") && chart.has("Risk"));
    assert!(chart.has("20:00") && chart.has("00:00"));
    assert!(
        !chart.texts.iter().any(|t| has_chinese(t)),
        "{:?}",
        chart.texts
    );
}

#[test]
fn each_source_has_its_own_colour() {
    let chart = read(&events_per_hour(0, &day(), &Theme::default()));
    // One top edge per band, each in its source's colour.
    for colour in ["#4E8CFF", "#FF5D6C", "#2EC4B6"] {
        assert_eq!(chart.strokes(colour).len(), 1, "{colour}");
    }
}

#[test]
fn a_short_series_is_padded_and_a_long_one_cut() {
    let uneven = [
        SourceSeries {
            source: "risk".into(),
            counts: vec![5; 3],
        },
        SourceSeries {
            source: "petition".into(),
            counts: vec![1; 30],
        },
    ];
    let chart = read(&events_per_hour(0, &uneven, &Theme::default()));
    assert_eq!(chart.texts[chart.index("险源") + 1], "15");
    assert_eq!(chart.texts[chart.index("访源") + 1], "24");
}

#[test]
fn more_sources_than_the_legend_holds_fold_into_other() {
    let many: Vec<SourceSeries> = (0..30).map(|i| series(&format!("new_{i:02}"), 1)).collect();
    let chart = read(&events_per_hour(0, &many, &Theme::new(800, 300)));
    assert!(chart.has("其他"), "{:?}", chart.texts);
    assert!(!chart.has("new_29"));
    assert!(chart.has("new_00"));
}
