//! Broadcasts and their acknowledgements: a draft before the first POST,
//! the platform's answer, and every worker's acknowledgement counted once
//! however often and by whichever path it arrives.

use gridwall_store::{
    AckRow, BroadcastDraft, BroadcastStatus, GridRecipients, PlatformFigures, Store,
};

use crate::support::{Fresh, on_both};

const SENT_AT: i64 = 1_800_000_000;

fn grids() -> Vec<GridRecipients> {
    let grid = |grid_id: &str, town_code: &str, recipients| GridRecipients {
        grid_id: grid_id.to_owned(),
        town_code: town_code.to_owned(),
        recipients,
    };
    vec![
        grid("330282004001G01", "330282004000", 4),
        grid("330282004001G02", "330282004000", 3),
        grid("330282101001G01", "330282101000", 5),
        grid("", "", 2),
    ]
}

fn draft(key: &str) -> BroadcastDraft {
    BroadcastDraft {
        idempotency_key: key.to_owned(),
        title: "台风“海葵”防御".to_owned(),
        body: "<b>请</b>立即巡查低洼地带。".to_owned(),
        scope: r#"{"all":true}"#.to_owned(),
        template: Some("typhoon".to_owned()),
        created_at: SENT_AT - 2,
        sent_by: "值班员@console".to_owned(),
        grids: grids(),
    }
}

fn ack(worker: &str, grid: &str, after_s: i64) -> AckRow {
    AckRow {
        broadcast_id: "GB00000001".to_owned(),
        worker_id: worker.to_owned(),
        grid_id: grid.to_owned(),
        acked_at: SENT_AT + after_s,
    }
}

async fn sent(store: &Store) -> anyhow::Result<i64> {
    let local_id = store.insert_broadcast_draft(&draft("k-1")).await?;
    store
        .mark_broadcast_sent(
            local_id,
            &PlatformFigures {
                broadcast_id: "GB00000001".to_owned(),
                recipients: 14,
                acked: 0,
                sent_at: SENT_AT,
                ack_deadline_at: SENT_AT + 900,
            },
        )
        .await?;
    Ok(local_id)
}

async fn a_draft_is_kept_before_sending_and_its_key_is_never_written_twice(
    fresh: Fresh,
) -> anyhow::Result<()> {
    let store = &fresh.store;
    let local_id = store.insert_broadcast_draft(&draft("k-1")).await?;
    assert_eq!(
        store.insert_broadcast_draft(&draft("k-1")).await?,
        local_id,
        "the same key is the same broadcast"
    );
    let unsent = store.unsent_broadcasts().await?;
    assert_eq!(unsent.len(), 1);
    assert_eq!(unsent[0].idempotency_key, "k-1");
    assert_eq!(unsent[0].status, BroadcastStatus::Sending);
    assert_eq!(
        unsent[0].body, "<b>请</b>立即巡查低洼地带。",
        "text kept as given"
    );
    assert_eq!(store.broadcast_grids(local_id).await?, {
        let mut g = grids();
        g.sort_by(|a, b| a.grid_id.cmp(&b.grid_id));
        g
    });

    sent(store).await?;
    assert!(store.unsent_broadcasts().await?.is_empty());
    let kept = store.broadcast(local_id).await?.expect("kept");
    assert_eq!(kept.broadcast_id.as_deref(), Some("GB00000001"));
    assert_eq!(
        (kept.recipients, kept.sent_at, kept.status),
        (Some(14), Some(SENT_AT), BroadcastStatus::Sent)
    );

    let refused = store.insert_broadcast_draft(&draft("k-2")).await?;
    store
        .mark_broadcast_refused(refused, "unknown town code 330282999000")
        .await?;
    let listed = store.broadcasts_since(0).await?;
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[0].status, BroadcastStatus::Refused, "newest first");
    assert_eq!(
        listed[0].error.as_deref(),
        Some("unknown town code 330282999000")
    );
    Ok(())
}

async fn an_ack_from_the_feed_and_from_polling_counts_once(fresh: Fresh) -> anyhow::Result<()> {
    let store = &fresh.store;
    let local_id = sent(store).await?;
    let feed = vec![
        ack("W1", "330282004001G01", 30),
        ack("W2", "330282004001G01", 60),
        ack("W2", "330282004001G01", 60),
        ack("W9", "", 1_200),
    ];
    assert_eq!(
        store.record_acks(&feed, SENT_AT + 70).await?,
        3,
        "a duplicate within the batch"
    );
    // The acks endpoint brings the same ones again, and one more.
    let polled = vec![
        ack("W1", "330282004001G01", 30),
        ack("W2", "330282004001G01", 60),
        ack("W5", "330282101001G01", 400),
    ];
    assert_eq!(store.record_acks(&polled, SENT_AT + 500).await?, 1);
    assert_eq!(store.record_acks(&polled, SENT_AT + 600).await?, 0);
    assert_eq!(store.ack_count("GB00000001").await?, 4);
    assert_eq!(store.acked_workers("GB00000001").await?.len(), 4);

    let progress = store
        .broadcast_progress(local_id, "GB00000001", SENT_AT, 900)
        .await?;
    assert_eq!((progress.acked, progress.acked_within), (4, 3));
    let of = |id: &str| {
        progress
            .grids
            .iter()
            .find(|g| g.grid_id == id)
            .map(|g| (g.recipients, g.acked))
    };
    assert_eq!(of("330282004001G01"), Some((4, 2)));
    assert_eq!(of("330282004001G02"), Some((3, 0)));
    assert_eq!(of("330282101001G01"), Some((5, 1)));
    assert_eq!(of(""), Some((2, 1)), "instructors without a grid");
    Ok(())
}

async fn acks_of_a_broadcast_another_console_sent_are_kept(fresh: Fresh) -> anyhow::Result<()> {
    let store = &fresh.store;
    let other = AckRow {
        broadcast_id: "GB00000077".to_owned(),
        ..ack("W1", "330282004001G01", 10)
    };
    assert_eq!(store.record_acks(&[other], SENT_AT).await?, 1);
    assert_eq!(store.ack_count("GB00000077").await?, 1);
    Ok(())
}

async fn thousands_of_acks_delivered_twice_concurrently_count_once(
    fresh: Fresh,
) -> anyhow::Result<()> {
    let store = std::sync::Arc::new(fresh.store);
    let local_id = sent(&store).await?;
    let all: Vec<AckRow> = (0..3_000)
        .map(|n| ack(&format!("W{n}"), "330282004001G01", n % 1_000))
        .collect();
    // The feed and the poller land overlapping batches at the same time.
    let mut tasks = Vec::new();
    for (start, step) in [(0, 250), (100, 700), (0, 3_000)] {
        let store = store.clone();
        let batches: Vec<Vec<AckRow>> = all[start..].chunks(step).map(<[AckRow]>::to_vec).collect();
        tasks.push(tokio::spawn(async move {
            let mut new = 0;
            for batch in batches {
                new += store.record_acks(&batch, SENT_AT + 1_000).await?;
            }
            anyhow::Ok(new)
        }));
    }
    let mut new = 0;
    for task in tasks {
        new += task.await??;
    }
    assert_eq!(new, 3_000, "each new ack reported new exactly once");
    let progress = store
        .broadcast_progress(local_id, "GB00000001", SENT_AT, 900)
        .await?;
    assert_eq!(progress.acked, 3_000);
    assert_eq!(progress.acked_within, 3 * 901);
    Ok(())
}

on_both!(
    a_draft_is_kept_before_sending_and_its_key_is_never_written_twice,
    an_ack_from_the_feed_and_from_polling_counts_once,
    acks_of_a_broadcast_another_console_sent_are_kept,
    thousands_of_acks_delivered_twice_concurrently_count_once,
);
