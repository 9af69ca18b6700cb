use gridwall_charts::{Lang, TOP, Theme, top_categories};
use gridwall_domain::governance::Category;

use crate::svg::read;

fn week() -> Vec<(String, u64)> {
    [
        ("city.parking", 164),
        ("dispute.neighbour", 212),
        ("traffic.new_kind", 22),
        ("safety.gas", 19),
    ]
    .iter()
    .map(|(code, count)| ((*code).to_owned(), *count))
    .collect()
}

#[test]
fn known_codes_show_the_domain_name_and_unknown_ones_their_code() {
    let chart = read(&top_categories(&week(), &Theme::default()));
    assert!(chart.has("邻里纠纷"), "{:?}", chart.texts);
    assert!(chart.has(Category::new("city.parking").label_zh()));
    assert!(chart.has("traffic.new_kind"));
}

#[test]
fn the_largest_comes_first_with_its_figure() {
    let chart = read(&top_categories(&week(), &Theme::default()));
    let order = [
        "邻里纠纷",
        "212",
        "违规停车",
        "164",
        "traffic.new_kind",
        "22",
    ];
    let at: Vec<usize> = order.iter().map(|t| chart.index(t)).collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "{:?}", chart.texts);
}

#[test]
fn in_english_known_codes_have_english_names() {
    let theme = Theme::default().with_language(Lang::En);
    let chart = read(&top_categories(&week(), &theme));
    assert!(chart.has("Neighbour dispute") && chart.has("Illegal parking"));
    assert!(chart.has("traffic.new_kind"));
}

#[test]
fn only_the_top_ten_are_drawn() {
    let many: Vec<(String, u64)> = (1..=15).map(|i| (format!("kind.{i:02}"), i)).collect();
    let chart = read(&top_categories(&many, &Theme::default()));
    let names = chart
        .texts
        .iter()
        .filter(|t| t.starts_with("kind."))
        .count();
    assert_eq!(names, TOP);
    assert!(chart.has("kind.15") && !chart.has("kind.05"));
}

#[test]
fn categories_with_no_events_are_no_data() {
    let zeros = vec![("dispute.land".to_owned(), 0)];
    assert_eq!(
        read(&top_categories(&zeros, &Theme::default())).texts,
        ["暂无数据"]
    );
}
