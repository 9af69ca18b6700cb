//! Every route's responses, validated against the contract's own schemas.

use serde_json::{Value, json};

use crate::support::{Sim, assert_matches, builder, response_schema, schema_of};

const JSON: &str = "application/json";
const PROBLEM: &str = "application/problem+json";

#[tokio::test]
async fn reference_data_matches_the_contract() {
    let sim = Sim::start(builder(1.0)).await;

    let health = sim.get_json("/api/v1/health", 200).await;
    assert_matches(
        &response_schema("/api/v1/health", "get", 200, JSON),
        &health,
    );
    assert!(
        health["head_seq"].as_u64().unwrap() > 0,
        "a day of warm-up is on the feed"
    );
    assert_eq!(health["status"], "ok", "no fault, no trouble");

    let divisions = sim.get_json("/api/v1/divisions", 200).await;
    assert_matches(
        &response_schema("/api/v1/divisions", "get", 200, JSON),
        &divisions,
    );

    let mut token: Option<String> = None;
    let mut grids = 0;
    loop {
        let path = match &token {
            Some(t) => format!("/api/v1/grids?page_size=5&page_token={t}"),
            None => "/api/v1/grids?page_size=5".to_owned(),
        };
        let page = sim.get_json(&path, 200).await;
        assert_matches(&response_schema("/api/v1/grids", "get", 200, JSON), &page);
        grids += page["grids"].as_array().unwrap().len();
        match page["next_page_token"].as_str() {
            Some(t) => token = Some(t.to_owned()),
            None => break,
        }
    }
    assert_eq!(grids, sim.running.shared().city.grids().len());

    let workers = sim.get_json("/api/v1/workers?page_size=1000", 200).await;
    assert_matches(
        &response_schema("/api/v1/workers", "get", 200, JSON),
        &workers,
    );
    let grid_id = sim.running.shared().city.grids()[0].grid_id.clone();
    let in_grid = sim
        .get_json(&format!("/api/v1/workers?grid_id={grid_id}"), 200)
        .await;
    assert_matches(
        &response_schema("/api/v1/workers", "get", 200, JSON),
        &in_grid,
    );
    let in_grid = in_grid["workers"].as_array().unwrap();
    assert!(
        in_grid.len() >= 3,
        "a leader, a full-time worker and part-timers"
    );
    assert!(in_grid.iter().all(|w| w["grid_id"] == grid_id.as_str()));

    let geometry = sim.get("/api/v1/grids/geometry").await;
    assert_eq!(geometry.headers()["content-type"], "application/geo+json");
    let geometry: Value = geometry.json().await.unwrap();
    assert_eq!(geometry["type"], "FeatureCollection");

    let bad = sim.get("/api/v1/grids?page_size=0").await;
    assert_eq!(bad.status().as_u16(), 400);
    assert_eq!(bad.headers()["content-type"], PROBLEM);
}

#[tokio::test]
async fn events_pages_snapshots_and_single_events_match_the_contract() {
    let sim = Sim::start(builder(1.0)).await;

    let page = sim.get_json("/api/v1/events?since=0&limit=500", 200).await;
    assert_matches(&response_schema("/api/v1/events", "get", 200, JSON), &page);
    assert_eq!(page["events"].as_array().unwrap().len(), 500);

    let snapshot = sim.get_json("/api/v1/events?state=open", 200).await;
    assert_matches(
        &response_schema("/api/v1/events", "get", 200, JSON),
        &snapshot,
    );
    let open = snapshot["events"].as_array().unwrap();
    assert!(!open.is_empty(), "a city always has open cases");
    assert!(
        open.iter()
            .all(|e| e["state"] != "closed" && e["state"] != "cancelled")
    );

    let id = open[0]["id"].as_str().unwrap();
    let one = sim.get_json(&format!("/api/v1/events/{id}"), 200).await;
    assert_matches(
        &response_schema("/api/v1/events/{id}", "get", 200, JSON),
        &one,
    );
    let timeline = one["timeline"].as_array().unwrap();
    assert_eq!(timeline.len() as u64, one["revision"].as_u64().unwrap());
    for entry in timeline {
        assert_matches(&schema_of("TimelineEntry"), entry);
    }

    let missing = sim.get("/api/v1/events/SJ0000000000000").await;
    assert_eq!(missing.status().as_u16(), 404);
    assert_eq!(missing.headers()["content-type"], PROBLEM);
    let problem: Value = missing.json().await.unwrap();
    assert_matches(
        &response_schema("/api/v1/events/{id}", "get", 404, PROBLEM),
        &problem,
    );
}

#[tokio::test]
async fn broadcasts_and_acks_match_the_contract() {
    let sim = Sim::start(builder(600.0)).await;
    let grid = sim.running.shared().city.grids()[0].grid_id.clone();
    let response = sim
        .post_json(
            "/api/v1/broadcasts",
            &json!({"title": "防台风紧急通知", "body": "请立即巡查低洼地带。", "scope": {"grid_ids": [grid]}}),
        )
        .await;
    assert_eq!(response.status().as_u16(), 201);
    let broadcast: Value = response.json().await.unwrap();
    assert_matches(
        &response_schema("/api/v1/broadcasts", "post", 201, JSON),
        &broadcast,
    );
    let id = broadcast["broadcast_id"].as_str().unwrap();

    let again = sim.get_json(&format!("/api/v1/broadcasts/{id}"), 200).await;
    assert_matches(
        &response_schema("/api/v1/broadcasts/{id}", "get", 200, JSON),
        &again,
    );
    let acks = sim
        .get_json(&format!("/api/v1/broadcasts/{id}/acks"), 200)
        .await;
    assert_matches(
        &response_schema("/api/v1/broadcasts/{id}/acks", "get", 200, JSON),
        &acks,
    );

    let bad = sim
        .post_json(
            "/api/v1/broadcasts",
            &json!({"title": "", "body": "", "scope": {}}),
        )
        .await;
    assert_eq!(bad.status().as_u16(), 400);
    assert_eq!(bad.headers()["content-type"], PROBLEM);
    let problem: Value = bad.json().await.unwrap();
    assert_matches(
        &response_schema("/api/v1/broadcasts", "post", 400, PROBLEM),
        &problem,
    );
}

#[cfg(feature = "video")]
#[tokio::test]
async fn the_video_gateway_is_served_on_the_same_port() {
    let sim = Sim::start(builder(1.0).video(Some(Default::default()))).await;
    let health = sim.get_json("/vnet/v1/health", 200).await;
    let cameras = health["cameras_total"].as_u64().unwrap();
    assert!(cameras as usize >= sim.running.shared().city.grids().len());
    // Video-analysis events name cameras of that gateway.
    let video = sim.running.video().unwrap();
    let ids: std::collections::HashSet<String> =
        video.cameras().into_iter().map(|c| c.camera_id).collect();
    let (events, _) = crate::support::walk_feed(&sim, 0, 5_000).await;
    let named: Vec<&str> = events
        .iter()
        .filter_map(|e| e["camera_id"].as_str())
        .collect();
    assert!(!named.is_empty());
    let unknown: Vec<&&str> = named
        .iter()
        .filter(|id| !ids.contains(**id))
        .take(5)
        .collect();
    assert!(
        unknown.is_empty(),
        "cameras not in the catalogue: {unknown:?}"
    );
}

#[tokio::test]
async fn photos_attached_to_events_are_served_as_jpeg() {
    let sim = Sim::start(builder(1.0)).await;
    let page = sim
        .get_json("/api/v1/events?state=open&limit=500", 200)
        .await;
    let with_photo = page["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["attachments"].as_array().is_some_and(|a| !a.is_empty()))
        .expect("some open event has a photo");
    let url = with_photo["attachments"][0]["url"].as_str().unwrap();
    let first = sim.get(url).await;
    assert_eq!(first.status(), 200);
    assert_eq!(first.headers()["content-type"], "image/jpeg");
    let bytes = first.bytes().await.unwrap();
    assert_eq!(&bytes[..2], [0xFF, 0xD8], "a JPEG");
    let again = sim.get(url).await.bytes().await.unwrap();
    assert_eq!(bytes, again, "the same URL gives the same picture");

    let id = with_photo["id"].as_str().unwrap();
    assert_eq!(sim.get(&format!("/files/{id}/99.jpg")).await.status(), 404);
    assert_eq!(sim.get("/files/NOPE/1.jpg").await.status(), 404);
}
