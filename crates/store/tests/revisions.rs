//! Keeping the newest revision of each event and every revision for the timeline.

use gridwall_store::{Applied, Changes};
use serde_json::json;
use sqlx::Row;

use crate::support::{Fresh, Rev, at, on_both, record, simple};

async fn duplicates_and_older_revisions_change_nothing(fresh: Fresh) -> anyhow::Result<()> {
    let store = &fresh.store;
    let third = Rev {
        state: "closed",
        ..simple("E1", 3)
    };
    let applied = store.apply(&[third.record()], at(1_000)).await?;
    assert_eq!(applied.advanced, 1);
    let before = store.grid_state("G1").await?;

    // Revisions 1 and 2 arrive late (open, so they would reopen the event if
    // applied), then revision 3 again.
    let late = [
        simple("E1", 1).record(),
        simple("E1", 2).record(),
        third.record(),
    ];
    let applied = store.apply(&late, at(1_000)).await?;
    assert_eq!(
        applied,
        Applied {
            stored: 2,
            advanced: 0,
            duplicate: 1,
            quarantined: 0,
            changes: Changes::default(),
        }
    );
    assert_eq!(store.newest().await?, vec![("E1".to_owned(), 3)]);
    assert_eq!(store.grid_state("G1").await?, before);
    let state: String = sqlx::query("SELECT state FROM events WHERE id = 'E1'")
        .fetch_one(store.pool())
        .await?
        .try_get("state")?;
    assert_eq!(state, "closed");

    // The same late records once more: all duplicates now.
    let applied = store.apply(&late, at(1_000)).await?;
    assert_eq!(applied.duplicate, 3);
    assert_eq!(store.grid_state("G1").await?, before);
    Ok(())
}

async fn every_revision_is_kept_for_the_timeline(fresh: Fresh) -> anyhow::Result<()> {
    let store = &fresh.store;
    let mut second = simple("E1", 2).json();
    second["x_platform_note"] = json!({"from": "v1.4"});
    let batch = [
        simple("E1", 3).record(),
        simple("E1", 1).record(),
        record(&second),
        simple("E2", 1).record(),
    ];
    store.apply(&batch, at(0)).await?;
    let timeline = store.timeline("E1").await?;
    let revisions: Vec<u32> = timeline.iter().map(|rev| rev.revision).collect();
    assert_eq!(revisions, [1, 2, 3]);
    assert!(
        timeline[1].raw.contains("x_platform_note"),
        "the raw record keeps unknown fields"
    );
    assert_eq!(timeline[0].upstream, "zhili");
    assert_eq!(store.timeline("E2").await?.len(), 1);
    assert!(store.timeline("E3").await?.is_empty());
    Ok(())
}

async fn unknown_sources_and_categories_are_kept_raw(fresh: Fresh) -> anyhow::Result<()> {
    let store = &fresh.store;
    let mut value = simple("E1", 1).json();
    value["source"] = json!("drone_patrol");
    value["category"] = json!("traffic.new_kind");
    let applied = store.apply(&[record(&value)], at(0)).await?;
    assert_eq!(applied.advanced, 1);
    let row = sqlx::query("SELECT source, category FROM events WHERE id = 'E1'")
        .fetch_one(store.pool())
        .await?;
    assert_eq!(row.try_get::<String, _>("source")?, "drone_patrol");
    assert_eq!(row.try_get::<String, _>("category")?, "traffic.new_kind");
    Ok(())
}

async fn concurrent_batches_both_land(fresh: Fresh) -> anyhow::Result<()> {
    let store = &fresh.store;
    let first: Vec<_> = (1..=20)
        .map(|revision| simple("E1", revision).record())
        .collect();
    let second: Vec<_> = (1..=20)
        .rev()
        .map(|revision| simple("E1", revision).record())
        .collect();
    let (a, b) = tokio::join!(store.apply(&first, at(0)), store.apply(&second, at(0)));
    let (a, b) = (a?, b?);
    assert_eq!(
        a.duplicate + b.duplicate,
        20,
        "each revision is new exactly once"
    );
    assert_eq!(store.newest().await?, vec![("E1".to_owned(), 20)]);
    assert_eq!(store.timeline("E1").await?.len(), 20);
    let state = store.grid_state("G1").await?.expect("G1 has an event");
    assert_eq!(state.open_by_severity, [1, 0, 0, 0]);
    Ok(())
}

on_both!(
    duplicates_and_older_revisions_change_nothing,
    every_revision_is_kept_for_the_timeline,
    unknown_sources_and_categories_are_kept_raw,
    concurrent_batches_both_land
);

async fn audit_entries_keep_who_did_what_and_when(fresh: Fresh) -> anyhow::Result<()> {
    let store = &fresh.store;
    let entry = gridwall_store::AuditEntry {
        at: at(1_000),
        actor: "值班员 张三@wall".to_owned(),
        action: "acknowledge_alert".to_owned(),
        subject: "E1".to_owned(),
        detail: String::new(),
    };
    store.record_audit(&entry).await?;
    store
        .record_audit(&gridwall_store::AuditEntry {
            action: "push_to_wall".to_owned(),
            ..entry.clone()
        })
        .await?;
    assert_eq!(store.audit("acknowledge_alert").await?, vec![entry]);
    let asked: Vec<String> = (0..1_200).map(|i| format!("E{i}")).collect();
    assert_eq!(
        store.acted_on("acknowledge_alert", &asked).await?,
        ["E1".to_owned()].into(),
        "one of 1,200 asked (three chunks) was acknowledged"
    );
    assert!(store.acted_on("save_scene", &asked).await?.is_empty());
    Ok(())
}

on_both!(audit_entries_keep_who_did_what_and_when);
