//! Records that do not parse or break the contract.

use gridwall_store::{QuarantineCount, RawRecord};
use serde_json::json;
use sqlx::Row;

use crate::support::{Fresh, at, on_both, record, simple};

async fn malformed_records_are_quarantined_with_their_reason_and_never_stop_the_batch(
    fresh: Fresh,
) -> anyhow::Result<()> {
    let store = &fresh.store;
    let mut missing = simple("E9", 1).json();
    missing
        .as_object_mut()
        .expect("an object")
        .remove("grid_id");
    let mut bad_state = simple("E9", 1).json();
    bad_state["state"] = json!("archived");
    let mut bad_severity = simple("E9", 1).json();
    bad_severity["severity"] = json!(9);
    let mut zero = simple("E9", 1).json();
    zero["revision"] = json!(0);
    let batch = [
        simple("E1", 1).record(),
        RawRecord::new("zhili", b"{\"id\": \"E9\", \"revis".to_vec()),
        record(&missing),
        record(&bad_state),
        record(&bad_severity),
        record(&zero),
        RawRecord::new("backfill", b"\xff not utf-8".to_vec()),
        simple("E2", 1).record(),
    ];
    let applied = store.apply(&batch, at(0)).await?;
    assert_eq!(
        applied.advanced, 2,
        "good records on both sides of the bad ones land"
    );
    assert_eq!(applied.quarantined, 6);
    assert_eq!(
        store
            .newest()
            .await?
            .into_iter()
            .map(|(id, _)| id)
            .collect::<Vec<_>>(),
        ["E1", "E2"]
    );

    let count = |upstream: &str, kind: &str, count: i64| QuarantineCount {
        upstream: upstream.to_owned(),
        kind: kind.to_owned(),
        count,
    };
    assert_eq!(
        store.quarantine_counts().await?,
        [
            count("backfill", "not_json", 1),
            count("zhili", "bad_enum", 1),
            count("zhili", "bad_value", 1),
            count("zhili", "invalid", 1),
            count("zhili", "missing_field", 1),
            count("zhili", "not_json", 1),
        ]
    );

    let row = sqlx::query("SELECT reason, raw FROM quarantine WHERE upstream = 'backfill'")
        .fetch_one(store.pool())
        .await?;
    assert_eq!(row.try_get::<Vec<u8>, _>("raw")?, b"\xff not utf-8");
    let row = sqlx::query("SELECT reason FROM quarantine WHERE kind = 'missing_field'")
        .fetch_one(store.pool())
        .await?;
    assert!(row.try_get::<String, _>("reason")?.contains("grid_id"));
    Ok(())
}

/// Issue 18: the feed is at-least-once, so a malformed record delivered
/// twice (again in the same batch, and in a later one) is kept once.
async fn a_malformed_record_delivered_twice_is_quarantined_once(
    fresh: Fresh,
) -> anyhow::Result<()> {
    let store = &fresh.store;
    let broken = RawRecord::new("zhili", b"{\"id\": \"E9\", \"revis".to_vec());
    let other = RawRecord::new("zhili", b"{\"id\": \"E8\"}".to_vec());
    let first = store
        .apply(&[broken.clone(), broken.clone(), other], at(0))
        .await?;
    assert_eq!(
        first.quarantined, 3,
        "every refused record is accounted for"
    );
    store.apply(std::slice::from_ref(&broken), at(60)).await?;
    let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM quarantine")
        .fetch_one(store.pool())
        .await?;
    assert_eq!(rows, 2, "the broken record once, the other one once");
    // The same bytes from another upstream are that upstream's own refusal.
    store
        .apply(&[RawRecord::new("backfill", broken.body.clone())], at(60))
        .await?;
    assert_eq!(
        store.quarantine_counts().await?,
        [
            QuarantineCount {
                upstream: "backfill".into(),
                kind: "not_json".into(),
                count: 1
            },
            QuarantineCount {
                upstream: "zhili".into(),
                kind: "missing_field".into(),
                count: 1
            },
            QuarantineCount {
                upstream: "zhili".into(),
                kind: "not_json".into(),
                count: 1
            },
        ]
    );
    Ok(())
}

on_both!(
    malformed_records_are_quarantined_with_their_reason_and_never_stop_the_batch,
    a_malformed_record_delivered_twice_is_quarantined_once,
);
