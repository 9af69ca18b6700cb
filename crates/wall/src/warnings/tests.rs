//! The loop over a city store: a surge through the sink is warned, kept,
//! pushed and handled in order.

use super::*;
use crate::session::Role;
use time::OffsetDateTime;

fn person(username: &str, role: Role) -> Person {
    Person {
        username: username.to_owned(),
        display_name: username.to_owned(),
        role,
    }
}

fn record(id: &str, grid: &str, at: OffsetDateTime) -> RawRecord {
    let at = crate::rfc3339(at);
    let event = serde_json::json!({
        "id": id, "revision": 1, "seq": 1, "source": "police_110",
        "category": "dispute.neighbour", "severity": 2, "state": "reported",
        "grid_id": grid, "address": "宗汉街道曙光社区新城大道1号", "title": "邻里纠纷",
        "reported_at": at, "updated_at": at,
    });
    RawRecord::new("zhili", serde_json::to_vec(&event).unwrap())
}

/// Three days of the simulator's city and history in a fresh store, the
/// geometry where ingest caches it; the end of the history.
async fn city_store(dir: &std::path::Path) -> (Arc<Store>, PathBuf, OffsetDateTime) {
    let store = Arc::new(
        Store::open(dir.join("s.sqlite").to_str().unwrap())
            .await
            .unwrap(),
    );
    let sim = gridwall_sim::Simulator::builder()
        .seed(4)
        .warmup(Duration::ZERO)
        .video(None)
        .build()
        .unwrap();
    let city = sim.city();
    let as_raw = |items: Vec<(String, String)>| items;
    let divisions = as_raw(
        city.divisions()
            .iter()
            .map(|d| (d.code.clone(), serde_json::to_string(d).unwrap()))
            .collect(),
    );
    let grids = as_raw(
        city.grids()
            .iter()
            .map(|g| (g.grid_id.clone(), serde_json::to_string(g).unwrap()))
            .collect(),
    );
    store
        .replace_reference("divisions", &divisions)
        .await
        .unwrap();
    store.replace_reference("grids", &grids).await.unwrap();
    let geometry = dir.join("geometry.json");
    std::fs::write(&geometry, city.geometry()).unwrap();
    let from = time::macros::datetime!(2026-11-02 00:00 +08:00);
    let to = from + time::Duration::days(3);
    let records: Vec<RawRecord> = sim
        .history(from, to)
        .map(|(seq, r)| {
            RawRecord::new(
                "zhili",
                serde_json::to_vec(&r.case.event(r.step, seq)).unwrap(),
            )
        })
        .collect();
    for chunk in records.chunks(5_000) {
        store.apply(chunk, to).await.unwrap();
    }
    (store, geometry, to)
}

#[tokio::test]
async fn a_surge_through_the_sink_is_warned_kept_pushed_and_handled_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let (store, geometry, end) = city_store(dir.path()).await;
    let clock = Clock::starting_at(end + time::Duration::minutes(30), 1.0);
    let warnings = EarlyWarnings::new(store.clone(), clock, geometry);
    let mut pushed = warnings.subscribe();
    warnings.round().await.unwrap();
    assert!(warnings.list(24).await.unwrap().is_empty(), "a quiet city");

    // Five 110 disputes in one grid within twenty minutes, through the sink.
    let sink_store = Store::open(dir.path().join("s.sqlite").to_str().unwrap())
        .await
        .unwrap();
    let sink = warnings.sink(sink_store);
    let batch: Vec<RawRecord> = (0..5)
        .map(|i| {
            let at = end + time::Duration::minutes(5 + 4 * i);
            record(&format!("SJX{i}"), "330282002002G01", at)
        })
        .chain([RawRecord::new("zhili", b"{not json".to_vec())])
        .collect();
    sink.apply_from("zhili", &batch, None, end).await.unwrap();
    warnings.round().await.unwrap();

    let listed = warnings.list(24).await.unwrap();
    let rate = listed
        .iter()
        .find(|w| w.kind == "rate")
        .expect("a rate warning for the surge");
    assert_eq!(rate.state, "open");
    assert!(
        rate.explanation_zh.contains("起"),
        "{}",
        rate.explanation_zh
    );
    assert!(rate.event_ids.contains(&"SJX0".to_owned()));
    // Shown in the console at its village and town, above its grid.
    assert_eq!(rate.villages, ["330282002002"]);
    assert_eq!(rate.towns, ["330282002000"]);
    let Ok(WallEvent::Warnings { warnings: sent, .. }) = pushed.try_recv() else {
        panic!("the warning was pushed to the windows");
    };
    assert!(sent.iter().any(|w| w.id == rate.id));

    let officer = person("zhang", Role::DutyOfficer);
    assert!(matches!(
        warnings.feed_back(&rate.id, &officer, "已处置").await,
        Err(WarningError::NotAllowed("open"))
    ));
    assert!(matches!(
        warnings.hand_over(&rate.id, &officer, "  ", "").await,
        Err(WarningError::NoAddressee)
    ));
    let handed = warnings
        .hand_over(&rate.id, &officer, "宗汉街道综治中心", "立即核查")
        .await
        .unwrap();
    assert_eq!(handed.state, "handed_over");
    assert_eq!(handed.note.as_deref(), Some("宗汉街道综治中心：立即核查"));
    let back = warnings
        .feed_back(&rate.id, &person("li", Role::Operator), "已调解")
        .await
        .unwrap();
    assert_eq!(back.state, "fed_back");
    assert_eq!(back.state_by.as_deref(), Some("li"));
    let audit = store.audit("hand_over_warning").await.unwrap();
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].actor, "zhang");
    assert!(matches!(
        warnings.acknowledge("nope", &officer, "").await,
        Err(WarningError::NotFound(_))
    ));
}
