//! The feed as pages: complete, in order, and honest about what it lost.

use std::collections::{BTreeMap, HashSet};

use serde_json::{Value, json};

use crate::support::{Sim, assert_matches, builder, response_schema, walk_feed};

#[tokio::test]
async fn paging_covers_the_feed_with_no_gap_and_no_duplicate() {
    let sim = Sim::start(builder(1.0)).await;
    let (events, head) = walk_feed(&sim, 0, 997).await;
    assert!(events.len() > 1_000, "a day of history spans several pages");

    let seqs: Vec<u64> = events.iter().map(|e| e["seq"].as_u64().unwrap()).collect();
    assert!(
        seqs.windows(2).all(|w| w[0] < w[1]),
        "seqs strictly increase"
    );
    let unique: HashSet<(String, u64)> = events
        .iter()
        .map(|e| {
            (
                e["id"].as_str().unwrap().to_owned(),
                e["revision"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(unique.len(), events.len(), "no (id, revision) twice");

    // The newest revision seen per event is exactly the ground truth up to the head.
    let mut newest: BTreeMap<String, u64> = BTreeMap::new();
    for e in &events {
        let r = newest
            .entry(e["id"].as_str().unwrap().to_owned())
            .or_default();
        *r = (*r).max(e["revision"].as_u64().unwrap());
    }
    let truth = sim.get_json("/admin/ground-truth", 200).await;
    let truth: BTreeMap<String, u64> = truth["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["seq"].as_u64().unwrap() <= head)
        .map(|t| {
            (
                t["id"].as_str().unwrap().to_owned(),
                t["revision"].as_u64().unwrap(),
            )
        })
        .collect();
    // Revisions appended while we paged are past `head` of the last page but
    // may still have been seen; compare only events whose newest revision is settled.
    for (id, revision) in &truth {
        assert_eq!(newest.get(id), Some(revision), "event {id}");
    }
    // Every revision number of an event from 1 up appears: no gap inside an event.
    let mut revisions: BTreeMap<&str, Vec<u64>> = BTreeMap::new();
    for e in &events {
        revisions
            .entry(e["id"].as_str().unwrap())
            .or_default()
            .push(e["revision"].as_u64().unwrap());
    }
    for (id, list) in revisions {
        let first = list[0];
        assert!(
            list.iter().enumerate().all(|(i, r)| *r == first + i as u64),
            "event {id} skips a revision: {list:?}"
        );
    }
}

#[tokio::test]
async fn the_open_snapshot_and_head_seq_resume_the_feed_without_loss() {
    let sim = Sim::start(builder(1.0)).await;
    let snapshot = sim.get_json("/api/v1/events?state=open", 200).await;
    let head = snapshot["head_seq"].as_u64().unwrap();
    let id = sim.inject("小区门口电动车起火").await;
    let (after, _) = walk_feed(&sim, head, 1_000).await;
    assert!(
        after
            .iter()
            .any(|e| e["id"] == id.as_str() && e["revision"] == 1),
        "an event reported after the snapshot arrives through since=head_seq"
    );
    let snapshot_ids: HashSet<&str> = snapshot["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap())
        .collect();
    assert!(!snapshot_ids.contains(id.as_str()));
}

#[tokio::test]
async fn a_since_older_than_retention_is_gone() {
    let sim = Sim::start(builder(1.0)).await;
    let first = sim.get_json("/api/v1/events?since=0&limit=1", 200).await;
    assert_eq!(first["events"][0]["seq"], 1);

    sim.put_json(
        "/admin/retention",
        &json!({"max_age_s": null, "max_entries": 100}),
    )
    .await;
    let gone = sim.get("/api/v1/events?since=0").await;
    assert_eq!(gone.status().as_u16(), 410);
    assert_eq!(gone.headers()["content-type"], "application/problem+json");
    let problem: Value = gone.json().await.unwrap();
    assert_matches(
        &response_schema("/api/v1/events", "get", 410, "application/problem+json"),
        &problem,
    );

    // A position beyond the head (from an earlier run) is lost as well.
    let ahead = sim.get("/api/v1/events?since=999999999").await;
    assert_eq!(ahead.status().as_u16(), 410);

    // The retained window still pages.
    let head = sim.get_json("/api/v1/health", 200).await["head_seq"]
        .as_u64()
        .unwrap();
    let recent = sim
        .get_json(&format!("/api/v1/events?since={}", head - 10), 200)
        .await;
    assert!(!recent["events"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn divisions_and_geometry_answer_304_to_their_etag() {
    let sim = Sim::start(builder(1.0)).await;
    for path in ["/api/v1/divisions", "/api/v1/grids/geometry"] {
        let first = sim.get(path).await;
        assert_eq!(first.status().as_u16(), 200);
        let etag = first.headers()["etag"].to_str().unwrap().to_owned();
        let again = sim
            .http
            .get(sim.url(path))
            .header("If-None-Match", &etag)
            .send()
            .await
            .unwrap();
        assert_eq!(again.status().as_u16(), 304, "{path}");
        assert_eq!(again.headers()["etag"].to_str().unwrap(), etag);
        let other = sim
            .http
            .get(sim.url(path))
            .header("If-None-Match", "\"something-else\"")
            .send()
            .await
            .unwrap();
        assert_eq!(other.status().as_u16(), 200, "{path}");
    }
}
