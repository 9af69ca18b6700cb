//! Writes the four charts of a realistic day, and the chart with no data, in
//! Chinese and in English to `target/charts-samples/`, to look at them:
//!
//! ```sh
//! cargo run -p gridwall-charts --example samples
//! ```

use std::path::PathBuf;

use gridwall_charts::{
    DayCount, DayRate, Lang, SourceSeries, Theme, events_30d, events_per_hour, resolution_rate_30d,
    top_categories,
};
use time::{Date, Duration, Month};

fn main() -> std::io::Result<()> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/charts-samples");
    std::fs::create_dir_all(&dir)?;
    let dir = dir.canonicalize()?;
    for lang in [Lang::Zh, Lang::En] {
        let theme = Theme::new(1600, 900).with_language(lang);
        let suffix = match lang {
            Lang::Zh => "zh",
            Lang::En => "en",
        };
        let charts = [
            ("events-per-hour", events_per_hour(20, &hourly(), &theme)),
            (
                "resolution-rate-30d",
                resolution_rate_30d(&rates(), 0.98, &theme),
            ),
            ("top-categories", top_categories(&categories(), &theme)),
            ("events-30d", events_30d(&daily(), &theme)),
            ("no-data", events_30d(&[], &theme)),
            // A small tile: fonts keep their 1/40 of the height, down to 12 px.
            (
                "events-per-hour-tile",
                events_per_hour(
                    20,
                    &hourly(),
                    &Theme {
                        width: 640,
                        height: 360,
                        ..theme.clone()
                    },
                ),
            ),
            (
                "resolution-rate-30d-tile",
                resolution_rate_30d(
                    &rates(),
                    0.98,
                    &Theme {
                        width: 640,
                        height: 360,
                        ..theme.clone()
                    },
                ),
            ),
        ];
        for (name, svg) in charts {
            let path = dir.join(format!("{name}.{suffix}.svg"));
            std::fs::write(&path, svg)?;
            println!("{}", path.display());
        }
    }
    Ok(())
}

/// A small deterministic generator, so the samples are the same every run.
struct Noise(u64);

impl Noise {
    fn next(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// The last 24 hours from 20:00 yesterday: quiet at night, busy by day.
fn hourly() -> Vec<SourceSeries> {
    let mut noise = Noise(7);
    let sources = [
        ("grid_patrol", 14.0),
        ("police_110", 9.0),
        ("hotline_12345", 7.0),
        ("video_ai", 5.0),
        ("litigation", 2.0),
        ("petition", 1.5),
        ("risk", 1.2),
        ("proxy_service", 2.5),
        ("drone_patrol", 1.0),
    ];
    sources
        .iter()
        .map(|(source, scale)| SourceSeries {
            source: (*source).to_owned(),
            counts: (0..24)
                .map(|t| {
                    let hour = (20 + t) % 24;
                    let day = if (8..18).contains(&hour) { 1.0 } else { 0.25 };
                    (scale * day * (0.7 + 0.6 * noise.next())).round() as u64
                })
                .collect(),
        })
        .collect()
}

fn first_day() -> Date {
    Date::from_calendar_date(2026, Month::October, 29).expect("a valid date")
}

fn rates() -> Vec<DayRate> {
    let mut noise = Noise(11);
    (0..30)
        .map(|i| DayRate {
            date: first_day() + Duration::days(i),
            rate: 0.955 + 0.04 * noise.next(),
        })
        .collect()
}

fn daily() -> Vec<DayCount> {
    let mut noise = Noise(3);
    (0..30)
        .map(|i| {
            let date = first_day() + Duration::days(i);
            let weekend = matches!(
                date.weekday(),
                time::Weekday::Saturday | time::Weekday::Sunday
            );
            let base = if weekend { 180.0 } else { 260.0 };
            let count = if i == 29 {
                171
            } else {
                (base + 60.0 * noise.next()) as u64
            };
            DayCount { date, count }
        })
        .collect()
}

fn categories() -> Vec<(String, u64)> {
    [
        ("dispute.neighbour", 212),
        ("city.street_vendor", 187),
        ("city.parking", 164),
        ("city.sanitation", 131),
        ("dispute.property", 96),
        ("safety.fire", 74),
        ("dispute.family", 61),
        ("dispute.labour", 48),
        ("traffic.new_kind", 22),
        ("safety.gas", 19),
        ("environment.pollution", 12),
    ]
    .iter()
    .map(|(code, count)| ((*code).to_owned(), *count))
    .collect()
}
