//! The smart brain's counters and warnings (issue 13): counters add up and
//! survive a reopen; a warning's handling moves only forward, once, and
//! every move is in the audit chain.

use gridwall_store::{AuditVerdict, Store, StoredWarning, Transition, WarningState};

use crate::support::{Fresh, at, on_both};

fn warning(id: &str, updated_at: i64, body: &str) -> StoredWarning {
    StoredWarning {
        id: id.to_owned(),
        kind: "rate".to_owned(),
        level: 2,
        place_level: "grid".to_owned(),
        place_code: "330282001001G01".to_owned(),
        onset: 1_000,
        raised_at: 1_100,
        updated_at,
        body: body.to_owned(),
        state: WarningState::Open,
        state_by: None,
        state_at: None,
        note: None,
    }
}

async fn counters_add_up_and_survive_a_reopen(fresh: Fresh) -> anyhow::Result<()> {
    let store = &fresh.store;
    assert!(store.warning_counters().await?.is_empty());
    let add = |scope: &str, slot, n| (scope.to_owned(), slot, n);
    store
        .save_warning_counters(
            &[add("level|grid|G|all", 0, 2), add("hours", 5, 1)],
            &[add("clock", 0, 100)],
        )
        .await?;
    store
        .save_warning_counters(&[add("level|grid|G|all", 0, 3)], &[add("clock", 0, 101)])
        .await?;
    store.close().await;
    let again = Store::open(&fresh.url).await?;
    let mut counters = again.warning_counters().await?;
    counters.sort();
    assert_eq!(
        counters,
        vec![
            add("clock", 0, 101),
            add("hours", 5, 1),
            add("level|grid|G|all", 0, 5)
        ]
    );
    Ok(())
}

async fn a_warning_updates_in_place_and_keeps_its_handling(fresh: Fresh) -> anyhow::Result<()> {
    let store = &fresh.store;
    assert!(
        store
            .upsert_warning(&warning("w1", 1_100, "{\"v\":1}"))
            .await?
    );
    let moved = store
        .move_warning("w1", WarningState::Acknowledged, "张三", at(1_200), "")
        .await?;
    assert!(matches!(moved, Transition::Done(ref w) if w.state == WarningState::Acknowledged));
    let mut later = warning("w1", 1_300, "{\"v\":2}");
    later.level = 3;
    assert!(!store.upsert_warning(&later).await?, "the same episode");
    let stored = store.warning("w1").await?.expect("stored");
    assert_eq!(stored.body, "{\"v\":2}");
    assert_eq!(stored.level, 3);
    assert_eq!(stored.onset, 1_000);
    assert_eq!(stored.state, WarningState::Acknowledged, "handling is kept");
    assert_eq!(stored.state_by.as_deref(), Some("张三"));
    assert_eq!(store.warnings(1_250, 10).await?.len(), 1);
    assert!(store.warnings(1_301, 10).await?.is_empty());
    Ok(())
}

async fn handling_moves_forward_once_and_is_audited(fresh: Fresh) -> anyhow::Result<()> {
    let store = &fresh.store;
    store.upsert_warning(&warning("w2", 1_100, "{}")).await?;
    assert_eq!(
        store
            .move_warning("w2", WarningState::FedBack, "李四", at(1_150), "已处置")
            .await?,
        Transition::NotAllowed(WarningState::Open),
        "no feedback before a hand-over"
    );
    let handed = store
        .move_warning(
            "w2",
            WarningState::HandedOver,
            "李四",
            at(1_200),
            "交坎墩街道综治中心",
        )
        .await?;
    let Transition::Done(handed) = handed else {
        panic!("hand-over refused: {handed:?}");
    };
    assert_eq!(handed.note.as_deref(), Some("交坎墩街道综治中心"));
    assert_eq!(
        store
            .move_warning("w2", WarningState::Acknowledged, "王五", at(1_210), "")
            .await?,
        Transition::NotAllowed(WarningState::HandedOver),
        "a handed-over warning is not acknowledged after"
    );
    assert!(matches!(
        store
            .move_warning("w2", WarningState::FedBack, "赵六", at(1_300), "已调解")
            .await?,
        Transition::Done(_)
    ));
    assert_eq!(
        store
            .move_warning("nope", WarningState::Acknowledged, "赵六", at(1_300), "")
            .await?,
        Transition::NotFound
    );
    let hand_overs = store.audit("hand_over_warning").await?;
    assert_eq!(hand_overs.len(), 1);
    assert_eq!(hand_overs[0].actor, "李四");
    assert_eq!(hand_overs[0].subject, "w2");
    assert_eq!(store.audit("feed_back_warning").await?.len(), 1);
    assert!(store.audit("acknowledge_warning").await?.is_empty());
    assert!(
        matches!(
            store.verify_audit().await?,
            AuditVerdict::Intact { rows: 2 }
        ),
        "the chain holds"
    );
    Ok(())
}

on_both!(
    counters_add_up_and_survive_a_reopen,
    a_warning_updates_in_place_and_keeps_its_handling,
    handling_moves_forward_once_and_is_audited,
);
