//! The live picture's unit tests.

use super::*;
use gridwall_ingest::Sink;
use gridwall_store::{Alert, GridState, StatusColour};

fn grid(id: &str, open: i64) -> GridState {
    GridState {
        grid_id: id.to_owned(),
        open_by_severity: [open, 0, 0, 0],
        overdue: 0,
        newest_event_at: None,
        colour: if open > 0 {
            StatusColour::Amber
        } else {
            StatusColour::Green
        },
    }
}

#[tokio::test]
async fn a_burst_of_batches_goes_out_as_one_message_with_the_last_state_of_each_grid() {
    let (_dir, live) = live_on_a_fresh_store(Timings::default()).await;
    let mut rx = live.subscribe();
    for n in 0..5_000 {
        live.record(&Changes {
            grids: vec![grid(&format!("G{}", n % 100), n)],
            ..Changes::default()
        });
    }
    assert!(live.flush(), "something was pending");
    assert!(!live.flush(), "nothing left after a flush");
    let WallEvent::Grids { grids, full } = rx.recv().await.unwrap() else {
        panic!("expected grids");
    };
    assert!(!full);
    assert_eq!(grids.len(), 100, "one entry per grid");
    let g7 = grids.iter().find(|g| g.grid_id == "G7").unwrap();
    assert_eq!(g7.open, 4_907, "the last state wins");
    assert!(rx.try_recv().is_err(), "one message for the whole burst");

    // A window subscribing now gets the picture first.
    let snapshot = live.snapshot();
    assert!(matches!(&snapshot[0], WallEvent::Grids { grids, full: true } if grids.len() == 100));
}

/// A live picture over an empty store in a temp dir (kept while the dir lives).
async fn live_on_a_fresh_store(timings: Timings) -> (tempfile::TempDir, Arc<Live>) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path().join("s.sqlite").to_str().unwrap())
        .await
        .unwrap();
    let live = Live::new(Arc::new(store), Clock::real(), timings)
        .await
        .unwrap();
    (dir, live)
}

/// The next grids message, skipping KPIs, charts and the rest.
async fn next_grids(rx: &mut broadcast::Receiver<WallEvent>) -> Vec<GridStatus> {
    loop {
        if let WallEvent::Grids { grids, .. } = rx.recv().await.unwrap() {
            return grids;
        }
    }
}

#[tokio::test]
async fn a_change_after_a_quiet_spell_goes_out_at_once_and_the_next_waits_its_turn() {
    let hour = Duration::from_secs(3600);
    let timings = Timings {
        flush: Duration::from_secs(5),
        overdue: hour,
        kpis: hour,
        charts: hour,
    };
    let (_dir, live) = live_on_a_fresh_store(timings).await;
    let mut rx = live.subscribe();
    let cancel = CancellationToken::new();
    tokio::spawn(live.clone().run(cancel.clone()));
    let one = |open| Changes {
        grids: vec![grid("G1", open)],
        ..Changes::default()
    };

    live.record(&one(1));
    let first = tokio::time::timeout(Duration::from_secs(2), next_grids(&mut rx))
        .await
        .expect("a lone change is not held back by the flush period");
    assert_eq!(first[0].open, 1);

    // Within the period the next changes wait, and go out as one.
    live.record(&one(2));
    live.record(&one(3));
    assert!(
        tokio::time::timeout(Duration::from_secs(1), next_grids(&mut rx))
            .await
            .is_err(),
        "a second message within the flush period"
    );
    let second = tokio::time::timeout(Duration::from_secs(6), next_grids(&mut rx))
        .await
        .expect("the held changes never went out");
    assert_eq!(
        (second.len(), second[0].open),
        (1, 3),
        "coalesced, last wins"
    );
    cancel.cancel();
}

#[tokio::test]
async fn acks_from_the_feed_land_once_and_a_malformed_one_is_quarantined_not_fatal() {
    let (_dir, live) = live_on_a_fresh_store(Timings::default()).await;
    let sink = live.sink();
    let ack = |worker: &str| {
        format!(
            r#"{{"broadcast_id":"GB00000009","worker_id":"{worker}","grid_id":"330282004001G01","acked_at":"2026-12-05T14:02:00+08:00"}}"#
        )
        .into_bytes()
    };
    let batch = vec![
        ack("W1"),
        b"{\"broadcast_id\":\"GB00000009\",\"acked_at\":7".to_vec(),
        ack("W1"),
        ack("W2"),
    ];
    Sink::acks(&sink, "governance", &batch).await.unwrap();
    Sink::acks(&sink, "governance", &batch[..1]).await.unwrap();
    assert_eq!(live.store().ack_count("GB00000009").await.unwrap(), 2);
    let quarantined = live.store().quarantine_counts().await.unwrap();
    assert_eq!(quarantined.len(), 1);
    assert_eq!(
        (quarantined[0].kind.as_str(), quarantined[0].count),
        ("bad_ack", 1)
    );
    // New acks ring the broadcast board.
    tokio::time::timeout(Duration::from_secs(1), live.acks_landed())
        .await
        .expect("the board was not told");
}

#[tokio::test]
async fn severe_alerts_stay_pinned_on_every_window_until_acknowledged() {
    let (_dir, live) = live_on_a_fresh_store(Timings::default()).await;
    let mut rx = live.subscribe();
    let alert = |id: &str, severity: u8| gridwall_store::Alert {
        id: id.to_owned(),
        grid_id: "G1".to_owned(),
        severity,
        source: "police_110".to_owned(),
        category: "dispute.neighbour".to_owned(),
        title: id.to_owned(),
        reported_at: Clock::real().now(),
    };
    live.record(&Changes {
        alerts: vec![
            alert("ordinary", 2),
            alert("serious", 3),
            alert("critical", 4),
        ],
        ..Changes::default()
    });
    live.flush();
    let pins = loop {
        if let WallEvent::Pins { ids } = rx.recv().await.unwrap() {
            break ids;
        }
    };
    let mut sorted = pins.clone();
    sorted.sort();
    assert_eq!(sorted, ["critical", "serious"], "severity 3 and 4 only");
    // A window that opens later gets the same pins.
    assert!(
        live.snapshot()
            .iter()
            .any(|e| matches!(e, WallEvent::Pins { ids } if ids.len() == 2))
    );

    live.acknowledge("serious");
    let WallEvent::Pins { ids } = rx.recv().await.unwrap() else {
        panic!("expected pins");
    };
    assert_eq!(ids, ["critical"]);
    live.acknowledge("serious");
    assert!(
        rx.try_recv().is_err(),
        "acknowledging twice changes nothing"
    );
}

/// Grids of the platform's list that never had an event are quiet: green
/// on every window (the legend has no word for "no data" once live), both
/// when the list arrives and when the picture is read again.
#[tokio::test]
async fn grids_without_events_are_shown_quiet_when_the_grid_list_arrives() {
    let (_dir, live) = live_on_a_fresh_store(Timings::default()).await;
    let mut rx = live.subscribe();
    let sink = live.sink();
    let list: Vec<(String, String)> = ["G1", "G2"]
        .iter()
        .map(|id| ((*id).to_owned(), format!(r#"{{"grid_id":"{id}"}}"#)))
        .collect();
    sink.replace_reference("grids", &list).await.unwrap();
    let mut shown = next_grids(&mut rx).await;
    shown.sort_by(|a, b| a.grid_id.cmp(&b.grid_id));
    let quiet: Vec<(&str, &str, i64)> = shown
        .iter()
        .map(|g| (g.grid_id.as_str(), g.colour.as_str(), g.open))
        .collect();
    assert_eq!(quiet, [("G1", "green", 0), ("G2", "green", 0)]);

    live.resync().await.unwrap();
    let snapshot = live.snapshot();
    assert!(
        matches!(&snapshot[0], WallEvent::Grids { grids, full: true } if grids.len() == 2),
        "read again, the picture still has every grid"
    );
}

/// The ticker reads times as +08:00: an event the platform stamped in
/// another offset is shown at its China time, not hours off.
#[test]
fn an_alert_stamped_in_another_offset_is_sent_in_china_time() {
    let alert = Alert {
        id: "E1".into(),
        grid_id: "G1".into(),
        severity: 2,
        source: "police_110".into(),
        category: "dispute.family".into(),
        title: "t".into(),
        reported_at: time::macros::datetime!(2026-12-05 16:05 UTC),
    };
    assert_eq!(alert_item(&alert).reported_at, "2026-12-06T00:05:00+08:00");
}
