//! The chart series: per hour and source, per day, top categories, and the
//! daily resolution rate, on a handful of events placed by hand.

use gridwall_store::Scope;
use serde_json::json;

use crate::support::{Fresh, at, on_both, record, simple};

/// 2026-11-27 15:30 +08:00.
const NOW: i64 = 1_795_764_600;

fn event(
    id: &str,
    grid: &str,
    source: &str,
    category: &str,
    reported_at: i64,
) -> serde_json::Value {
    let mut value = simple(id, 1).json();
    value["grid_id"] = json!(grid);
    value["source"] = json!(source);
    value["category"] = json!(category);
    let reported_at = at(reported_at)
        .format(&time::format_description::well_known::Rfc3339)
        .expect("formats");
    value["reported_at"] = json!(reported_at);
    value["updated_at"] = json!(reported_at);
    value
}

async fn series_count_what_was_reported_where_and_when(fresh: Fresh) -> anyhow::Result<()> {
    let store = &fresh.store;
    let grid_a = "330282004001G01";
    let grid_b = "330282101002G03";
    let hour = 3600;
    let records = [
        event("E1", grid_a, "police_110", "dispute.neighbour", NOW - 10),
        event("E2", grid_a, "police_110", "dispute.neighbour", NOW - hour),
        event("E3", grid_b, "petition", "city.parking", NOW - 2 * hour),
        event(
            "E4",
            grid_b,
            "drone_patrol",
            "dispute.neighbour",
            NOW - 23 * hour,
        ),
        // Outside the 24 hours, inside the week.
        event("E5", grid_b, "petition", "city.parking", NOW - 30 * hour),
        // Outside the week.
        event("E6", grid_a, "petition", "safety.fire", NOW - 9 * 86_400),
    ];
    let batch: Vec<_> = records.iter().map(record).collect();
    let applied = store.apply(&batch, at(NOW)).await?;
    assert_eq!(applied.quarantined, 0);

    let (first, hours) = store.events_per_hour(NOW, &Scope::City).await?;
    assert_eq!(first % 3600, 0, "hours start on the hour");
    assert_eq!(hours["police_110"].iter().sum::<u64>(), 2);
    assert_eq!(hours["police_110"][23], 1, "the current hour is the last");
    assert_eq!(hours["police_110"][22], 1);
    assert_eq!(hours["petition"].iter().sum::<u64>(), 1);
    assert_eq!(
        hours["drone_patrol"].iter().sum::<u64>(),
        1,
        "an unknown source is its own series"
    );

    let town_b = Scope::Town("330282101000".to_owned());
    let (_, hours) = store.events_per_hour(NOW, &town_b).await?;
    assert!(
        !hours.contains_key("police_110"),
        "the other town's events stay out"
    );

    let top = store.top_categories(NOW, &Scope::City).await?;
    assert_eq!(
        top,
        [
            ("dispute.neighbour".to_owned(), 3),
            ("city.parking".to_owned(), 2)
        ]
    );
    let days = store
        .events_per_day(NOW, 30, &Scope::Grid(grid_a.to_owned()))
        .await?;
    assert_eq!(days.len(), 30);
    assert_eq!(days.iter().map(|(_, n)| n).sum::<u64>(), 3);
    assert_eq!(days[29].1, 2, "today holds E1 and E2");
    assert_eq!(days[20].1, 1, "nine days ago holds E6");
    // A village counts its days from its events, a town from its counters:
    // grid A is the only grid of both here, so all three agree.
    let village_a = Scope::Village("330282004001".to_owned());
    let town_a = Scope::Town("330282004000".to_owned());
    assert_eq!(store.events_per_day(NOW, 30, &village_a).await?, days);
    assert_eq!(store.events_per_day(NOW, 30, &town_a).await?, days);
    let week = [("dispute.neighbour".to_owned(), 2)];
    assert_eq!(store.top_categories(NOW, &village_a).await?, week);
    assert_eq!(store.top_categories(NOW, &town_a).await?, week);
    assert_eq!(
        store
            .top_categories(NOW, &Scope::Grid(grid_b.to_owned()))
            .await?,
        [
            ("city.parking".to_owned(), 2),
            ("dispute.neighbour".to_owned(), 1)
        ],
        "most first"
    );
    Ok(())
}

on_both!(series_count_what_was_reported_where_and_when);
