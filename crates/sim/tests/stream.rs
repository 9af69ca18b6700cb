//! The feed as Server-Sent Events: resume, reset, pings.

use std::time::Duration;

use gridwall_sim::feed::Retention;
use serde_json::Value;

use crate::support::{Sim, SseReader, assert_matches, builder, schema_of, walk_feed};

const WAIT: Duration = Duration::from_secs(5);

#[tokio::test]
async fn resuming_with_last_event_id_replays_exactly_the_missed_revisions() {
    let sim = Sim::start(builder(1.0)).await;
    let head = sim.get_json("/api/v1/health", 200).await["head_seq"]
        .as_u64()
        .unwrap();
    let from = head - 300;

    let mut first = SseReader::open(&sim, Some(from)).await;
    let seen = first.take(100, WAIT).await;
    assert_eq!(seen.len(), 100);
    drop(first);
    let last_id: u64 = seen.last().unwrap().id.as_deref().unwrap().parse().unwrap();

    let mut second = SseReader::open(&sim, Some(last_id)).await;
    let replay = second.take(200, WAIT).await;
    assert_eq!(replay.len(), 200);

    // The two sessions together equal the feed from `from`, with nothing twice.
    let (pages, _) = walk_feed(&sim, from, 1_000).await;
    let expected: Vec<u64> = pages
        .iter()
        .take(300)
        .map(|e| e["seq"].as_u64().unwrap())
        .collect();
    let streamed: Vec<u64> = seen
        .iter()
        .chain(&replay)
        .map(|m| m.id.as_deref().unwrap().parse().unwrap())
        .collect();
    assert_eq!(streamed, expected);
    for message in seen.iter().chain(&replay).take(20) {
        assert_eq!(message.event, "event");
        let event: Value = serde_json::from_str(&message.data).unwrap();
        assert_matches(&schema_of("Event"), &event);
        assert_eq!(
            event["seq"].as_u64().unwrap().to_string(),
            *message.id.as_ref().unwrap()
        );
    }
}

#[tokio::test]
async fn live_events_arrive_on_the_stream_and_quiet_streams_are_pinged() {
    let sim = Sim::start(builder(1.0).ping_interval(Duration::from_millis(200))).await;
    let mut stream = SseReader::open(&sim, None).await;
    let id = sim.inject("广场人员聚集").await;
    let message = stream
        .find(&id, WAIT)
        .await
        .expect("the injected event arrives");
    let event: Value = serde_json::from_str(&message.data).unwrap();
    assert_eq!(event["id"], id.as_str());
    assert_eq!(event["title"], "广场人员聚集");
    // Little else happens at speed 1: pings keep the line alive meanwhile.
    let deadline = std::time::Instant::now() + WAIT;
    while !stream.comments.iter().any(|c| c == "ping") && std::time::Instant::now() < deadline {
        let _ = stream.next(Duration::from_millis(300)).await;
    }
    assert!(
        stream.comments.iter().any(|c| c == "ping"),
        "{:?}",
        stream.comments
    );
}

#[tokio::test]
async fn a_position_older_than_retention_gets_a_reset() {
    let sim = Sim::start(builder(1.0).retention(Retention {
        max_age_s: None,
        max_entries: Some(50),
    }))
    .await;
    let mut ahead = SseReader::open(&sim, Some(999_999_999)).await;
    let message = ahead
        .next(WAIT)
        .await
        .expect("a reset for a position beyond the head");
    assert_eq!(message.event, "reset");

    let before = sim.get_json("/api/v1/health", 200).await["head_seq"]
        .as_u64()
        .unwrap();
    let mut stream = SseReader::open(&sim, Some(1)).await;
    let message = stream.next(WAIT).await.expect("a reset");
    assert_eq!(message.event, "reset");
    let data: Value = serde_json::from_str(&message.data).unwrap();
    assert!(data["reason"].as_str().is_some_and(|r| !r.is_empty()));
    // The reset carries the head as its id, so a reconnect resumes from there.
    let after = sim.get_json("/api/v1/health", 200).await["head_seq"]
        .as_u64()
        .unwrap();
    let id: u64 = message.id.as_deref().unwrap().parse().unwrap();
    assert!(before <= id && id <= after, "{before} <= {id} <= {after}");
    // The stream goes on from the head after a reset.
    let id = sim.inject("复位后的事件").await;
    let next = stream.find(&id, WAIT).await.expect("the stream goes on");
    let event: Value = serde_json::from_str(&next.data).unwrap();
    assert_eq!(event["id"], id.as_str());
}
