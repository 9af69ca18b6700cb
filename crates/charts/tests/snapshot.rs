//! One chart kept byte for byte, so a change of drawing (ours, or a new
//! plotters) shows up as a diff to look at rather than passing unseen.
//! After a deliberate change: `GRIDWALL_BLESS=1 cargo test -p gridwall-charts
//! snapshot`, look at the new file, and commit it.

use std::path::PathBuf;

use gridwall_charts::{DayRate, Lang, Theme, resolution_rate_30d};
use time::{Duration, macros::date};

#[test]
fn the_resolution_chart_is_drawn_as_before() {
    let days: Vec<DayRate> = [0.99, 0.97, f64::NAN, 0.985, 0.96, 1.0, 0.975]
        .iter()
        .enumerate()
        .map(|(i, rate)| DayRate {
            date: date!(2026 - 11 - 21) + Duration::days(i as i64),
            rate: *rate,
        })
        .collect();
    let theme = Theme::new(640, 360).with_language(Lang::Zh);
    let svg = resolution_rate_30d(&days, 0.98, &theme);

    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots/resolution-rate.svg");
    if std::env::var_os("GRIDWALL_BLESS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &svg).unwrap();
    }
    let kept = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; run with GRIDWALL_BLESS=1 to write it",
            path.display()
        )
    });
    assert!(
        svg == kept,
        "the chart differs from {}; look, then bless",
        path.display()
    );
}
