//! The console's reads: a scope's incidents under filters, open incidents by
//! source and severity, one incident's newest record, KPIs of a village or a
//! grid, and search by id prefix and address fragment (the indexes kept in
//! step as revisions land).

use gridwall_store::{IncidentFilter, KpiKey, KpiWindow, Scope};
use serde_json::json;

use crate::support::{Fresh, at, on_both, record, simple};

/// 2026-11-27 15:30 +08:00.
const NOW: i64 = 1_795_764_600;
const HOUR: i64 = 3600;
const GRID_A: &str = "330282004001G01";
const GRID_B: &str = "330282004001G02";
const GRID_C: &str = "330282101002G03";

#[allow(clippy::too_many_arguments)]
fn event(
    id: &str,
    revision: u32,
    grid: &str,
    source: &str,
    severity: u8,
    state: &str,
    address: &str,
    reported_at: i64,
) -> serde_json::Value {
    let mut value = simple(id, revision).json();
    let rfc = |t: i64| {
        at(t)
            .format(&time::format_description::well_known::Rfc3339)
            .expect("formats")
    };
    value["grid_id"] = json!(grid);
    value["micro_grid_id"] = json!(format!("{grid}M01"));
    value["source"] = json!(source);
    value["category"] = json!("dispute.neighbour");
    value["severity"] = json!(severity);
    value["state"] = json!(state);
    value["address"] = json!(address);
    value["reported_at"] = json!(rfc(reported_at));
    value["updated_at"] = json!(rfc(reported_at + i64::from(revision) * 60));
    value["due_at"] = json!(rfc(reported_at + 2 * HOUR));
    if state == "closed" {
        value["mediation_outcome"] = json!("success");
    }
    value
}

async fn land(fresh: &Fresh) -> anyhow::Result<()> {
    let records = [
        event(
            "SJ2026112700001",
            1,
            GRID_A,
            "police_110",
            3,
            "reported",
            "浒山街道解放西路12号",
            NOW - 10,
        ),
        event(
            "SJ2026112700002",
            1,
            GRID_A,
            "petition",
            1,
            "in_progress",
            "浒山街道解放西路14号",
            NOW - 3 * HOUR,
        ),
        event(
            "SJ2026112700003",
            1,
            GRID_B,
            "police_110",
            2,
            "reported",
            "浒山街道南二环线8号",
            NOW - HOUR,
        ),
        event(
            "SJ2026112700003",
            2,
            GRID_B,
            "police_110",
            2,
            "closed",
            "浒山街道南二环线8号",
            NOW - HOUR,
        ),
        event(
            "SJ2026112600004",
            1,
            GRID_C,
            "risk",
            4,
            "dispatched",
            "观海卫镇100%_路",
            NOW - 26 * HOUR,
        ),
    ];
    let batch: Vec<_> = records.iter().map(record).collect();
    let applied = fresh.store.apply(&batch, at(NOW)).await?;
    assert_eq!(applied.quarantined, 0);
    Ok(())
}

async fn incident_lists_follow_scope_and_filters(fresh: Fresh) -> anyhow::Result<()> {
    land(&fresh).await?;
    let store = &fresh.store;
    let open = IncidentFilter {
        open_only: true,
        ..IncidentFilter::default()
    };

    let (city, total) = store.incidents(&Scope::City, &open, NOW, 100).await?;
    let ids: Vec<&str> = city.iter().map(|i| i.id.as_str()).collect();
    // Overdue first (SJ…04 due a day ago, SJ…02 an hour ago), the more severe
    // first among them; the closed SJ…03 is not open.
    assert_eq!(
        ids,
        ["SJ2026112600004", "SJ2026112700002", "SJ2026112700001"]
    );
    assert_eq!(total, 3);
    assert!(city[0].overdue);

    let village = Scope::Village("330282004001".into());
    let (rows, _) = store.incidents(&village, &open, NOW, 100).await?;
    assert_eq!(
        rows.len(),
        2,
        "the closed one and the other town's stay out"
    );

    let all = IncidentFilter::default();
    let (rows, total) = store
        .incidents(&Scope::Grid(GRID_B.into()), &all, NOW, 100)
        .await?;
    assert_eq!(total, 1, "without open_only the closed event is listed");
    assert_eq!(rows[0].state, "closed");
    assert_eq!(rows[0].revision, 2);

    let micro = Scope::MicroGrid(format!("{GRID_A}M01"));
    let (rows, _) = store.incidents(&micro, &open, NOW, 100).await?;
    assert_eq!(rows.len(), 2);

    let police = IncidentFilter {
        sources: vec!["police_110".into()],
        ..all.clone()
    };
    let (rows, _) = store.incidents(&Scope::City, &police, NOW, 100).await?;
    assert_eq!(rows.len(), 2);
    let severe = IncidentFilter {
        severities: vec![3, 4],
        ..all.clone()
    };
    let (rows, _) = store.incidents(&Scope::City, &severe, NOW, 100).await?;
    assert_eq!(rows.len(), 2);
    let overdue = IncidentFilter {
        overdue_only: true,
        ..all.clone()
    };
    let (rows, _) = store.incidents(&Scope::City, &overdue, NOW, 100).await?;
    assert_eq!(rows.len(), 2);
    let states = IncidentFilter {
        states: vec!["in_progress".into()],
        ..all.clone()
    };
    let (rows, _) = store.incidents(&Scope::City, &states, NOW, 100).await?;
    assert_eq!(rows[0].id, "SJ2026112700002");
    let recent = IncidentFilter {
        since: Some(NOW - 2 * HOUR),
        ..all.clone()
    };
    let (rows, total) = store.incidents(&Scope::City, &recent, NOW, 1).await?;
    assert_eq!((rows.len(), total), (1, 2), "limited list, full total");

    let breakdown = store
        .open_breakdown(&Scope::Town("330282004000".into()))
        .await?;
    assert_eq!(breakdown.len(), 2);
    assert!(breakdown.contains(&("police_110".to_owned(), 3, 1)));
    assert!(breakdown.contains(&("petition".to_owned(), 1, 1)));
    // The city's open events, the closed one left out, counted from the
    // index of open events by place.
    let mut city = store.open_breakdown(&Scope::City).await?;
    city.sort();
    let open_in_city: u64 = city.iter().map(|(_, _, n)| n).sum();
    assert_eq!(open_in_city, 3, "{city:?}");
    assert!(city.contains(&("police_110".to_owned(), 3, 1)), "{city:?}");

    let (incident, raw) = store.incident("SJ2026112700003").await?.expect("stored");
    assert_eq!(incident.state, "closed");
    let raw: serde_json::Value = serde_json::from_str(&raw)?;
    assert_eq!(raw["revision"], 2, "the newest revision's record");
    assert!(store.incident("SJ0").await?.is_none());
    Ok(())
}

async fn search_finds_ids_and_address_fragments(fresh: Fresh) -> anyhow::Result<()> {
    land(&fresh).await?;
    let store = &fresh.store;
    let ids = |found: Vec<gridwall_store::Incident>| {
        let mut ids: Vec<String> = found.into_iter().map(|i| i.id).collect();
        ids.sort();
        ids
    };
    assert_eq!(
        ids(store.search_events("sj20261126", 20).await?),
        ["SJ2026112600004"]
    );
    assert_eq!(store.search_events("SJ202611", 20).await?.len(), 4);
    assert_eq!(
        ids(store.search_events("解放西路", 20).await?),
        ["SJ2026112700001", "SJ2026112700002"]
    );
    assert_eq!(
        ids(store.search_events("二环线8", 20).await?),
        ["SJ2026112700003"]
    );
    assert_eq!(
        ids(store.search_events("100%_", 20).await?),
        ["SJ2026112600004"],
        "wildcards are literal"
    );
    assert!(store.search_events("%", 20).await?.len() == 1);
    // Two characters: open events only (the closed SJ…03 is on 南二环线).
    assert!(store.search_events("南二", 20).await?.is_empty());
    assert!(store.search_events("", 20).await?.is_empty());
    assert!(store.search_events("不存在的地址", 20).await?.is_empty());

    // An address changed by a later revision is found by its new text only.
    let mut moved = event(
        "SJ2026112700002",
        2,
        GRID_A,
        "petition",
        1,
        "in_progress",
        "宗汉街道新界路1号",
        NOW - 3 * HOUR,
    );
    moved["seq"] = json!(99);
    store.apply(&[record(&moved)], at(NOW)).await?;
    assert_eq!(
        ids(store.search_events("解放西路", 20).await?),
        ["SJ2026112700001"]
    );
    assert_eq!(
        ids(store.search_events("新界路", 20).await?),
        ["SJ2026112700002"]
    );
    Ok(())
}

async fn kpis_of_a_grid_count_its_own_events(fresh: Fresh) -> anyhow::Result<()> {
    land(&fresh).await?;
    let store = &fresh.store;
    let kpi = |kpis: &[gridwall_store::Kpi], key: KpiKey| {
        let k = kpis.iter().find(|k| k.key == key).expect("every key");
        (k.numerator, k.denominator)
    };
    let grid_b = store
        .kpis_in(NOW, KpiWindow::Today, &Scope::Grid(GRID_B.into()))
        .await?;
    assert_eq!(kpi(&grid_b, KpiKey::DisputeResolution), (1, 1));
    assert_eq!(kpi(&grid_b, KpiKey::Police110Handling), (1, 1));
    let village = store
        .kpis_in(
            NOW,
            KpiWindow::Today,
            &Scope::Village("330282004001".into()),
        )
        .await?;
    assert_eq!(kpi(&village, KpiKey::Police110Handling), (1, 1));
    assert_eq!(kpi(&village, KpiKey::Closure), (1, 3));
    // A town reads the daily counters: the same figures for the same events.
    let town = store
        .kpis_in(NOW, KpiWindow::Today, &Scope::Town("330282004000".into()))
        .await?;
    assert_eq!(kpi(&town, KpiKey::Closure), (1, 3));

    // Several windows at once (one read of the events below the towns) are
    // the windows one by one, in the order asked.
    let windows = [KpiWindow::ThisYear, KpiWindow::Today, KpiWindow::SevenDays];
    for scope in [
        Scope::Grid(GRID_B.into()),
        Scope::Grid(GRID_C.into()),
        Scope::Village("330282004001".into()),
        Scope::Town("330282004000".into()),
    ] {
        let together = store.kpis_in_windows(NOW, &windows, &scope).await?;
        let mut apart = Vec::new();
        for window in windows {
            apart.push(store.kpis_in(NOW, window, &scope).await?);
        }
        assert_eq!(together, apart, "{scope:?}");
        assert_eq!(together[1][0].window, KpiWindow::Today);
    }
    // SJ…04 was reported yesterday: in its grid's seven days, not in today.
    let both = store
        .kpis_in_windows(
            NOW,
            &[KpiWindow::Today, KpiWindow::SevenDays],
            &Scope::Grid(GRID_C.into()),
        )
        .await?;
    assert_eq!(kpi(&both[0], KpiKey::Closure), (0, 0));
    assert_eq!(kpi(&both[1], KpiKey::Closure), (0, 1));
    Ok(())
}

on_both!(
    incident_lists_follow_scope_and_filters,
    search_finds_ids_and_address_fragments,
    kpis_of_a_grid_count_its_own_events,
);

/// The address search's trigrams see Chinese text on both engines (on
/// PostgreSQL the test server is made with the C.UTF-8 locale, as a
/// deployment's must be: under plain C the index matches every row).
async fn trigrams_see_chinese_addresses(fresh: Fresh) -> anyhow::Result<()> {
    assert!(fresh.store.trigrams_see_chinese().await?);
    Ok(())
}

on_both!(trigrams_see_chinese_addresses);
