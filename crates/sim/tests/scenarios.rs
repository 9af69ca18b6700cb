//! Scenarios (issue 13): chosen by the builder or the admin route, their
//! events reach the feed as contract events in the places the ground truth
//! names, and the ground truth lists them.

use std::time::Duration;

use gridwall_sim::scenarios::ScenarioKind;
use serde_json::{Value, json};

use crate::support::{Sim, assert_matches, builder, response_schema};

const JSON: &str = "application/json";

#[tokio::test]
async fn scenarios_reach_the_feed_as_contract_events_where_the_truth_says() {
    // An hour a second: the builder's hotspot starts an hour in.
    let sim = Sim::start(builder(3_600.0).scenarios(vec![ScenarioKind::Hotspot])).await;
    let added = sim
        .post_json("/admin/scenarios", &json!({"kind": "surge", "in_s": 600}))
        .await;
    assert_eq!(added.status().as_u16(), 201);
    let surge: Value = added.json().await.unwrap();
    assert_eq!(surge["kind"], "surge");
    assert_eq!(surge["place_level"], "town");
    let refused = sim
        .post_json("/admin/scenarios", &json!({"kind": "typhoon"}))
        .await;
    assert_eq!(refused.status().as_u16(), 400);

    // Wait (bounded) until both have ended on the simulated clock.
    let mut truths = Vec::new();
    for _ in 0..100 {
        // The clock is read before the truth is asked for: the truth lists
        // reports drawn ahead too, and only those due when it pumped (at
        // `now` or later) are on the feed, which `/events/{id}` reads as is.
        let now = sim.running.clock().now().unix_timestamp();
        let body = sim.get_json("/admin/scenarios", 200).await;
        truths = body["scenarios"].as_array().unwrap().clone();
        if truths.iter().all(|t| t["end"].as_i64().unwrap() < now) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(truths.len(), 2);
    for (kind, count) in [("hotspot", 21), ("surge", 18)] {
        let truth = truths.iter().find(|t| t["kind"] == kind).unwrap();
        let ids = truth["event_ids"].as_array().unwrap();
        assert_eq!(ids.len(), count, "{kind}: every report was released");
        for id in ids {
            let event = sim
                .get_json(&format!("/api/v1/events/{}", id.as_str().unwrap()), 200)
                .await;
            assert_matches(
                &response_schema("/api/v1/events/{id}", "get", 200, JSON),
                &event,
            );
            let grids = truth["grids"].as_array().unwrap();
            assert!(grids.contains(&event["grid_id"]), "{kind} in its grids");
            let reported = time::OffsetDateTime::parse(
                event["reported_at"].as_str().unwrap(),
                &time::format_description::well_known::Rfc3339,
            )
            .unwrap()
            .unix_timestamp();
            assert!(reported >= truth["onset"].as_i64().unwrap());
            if kind == "surge" {
                assert_eq!(event["source"], "police_110");
            } else {
                assert_eq!(event["grid_id"], truth["place"]);
                assert!(event["category"].as_str().unwrap().starts_with("dispute."));
            }
        }
    }
}

#[tokio::test]
async fn a_scenario_added_at_real_speed_arrives_at_its_time_not_at_the_next_slot() {
    // At real speed the generator has drawn up to five minutes ahead: the
    // repeat's first dispute (due "yesterday") and its onset (in 2 s) must
    // still arrive now, or a wall under test waits for minutes.
    let sim = Sim::start(builder(1.0)).await;
    let added = sim
        .post_json("/admin/scenarios", &json!({"kind": "repeat", "in_s": 2}))
        .await;
    assert_eq!(added.status().as_u16(), 201);
    let repeat: Value = added.json().await.unwrap();
    let onset = repeat["onset"].as_i64().unwrap();
    // Bounded: 10 s for both to be in the feed.
    let mut events: Vec<Value> = Vec::new();
    for _ in 0..100 {
        let body = sim.get_json("/admin/scenarios", 200).await;
        let ids = body["scenarios"][0]["event_ids"]
            .as_array()
            .unwrap()
            .clone();
        events.clear();
        for id in &ids {
            let path = format!("/api/v1/events/{}", id.as_str().unwrap());
            let response = sim.get(&path).await;
            if response.status().as_u16() == 200 {
                events.push(response.json().await.unwrap());
            }
        }
        if events.len() >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        events.len(),
        2,
        "the first two disputes in the feed within 10 s"
    );
    for event in events {
        let reported = time::OffsetDateTime::parse(
            event["reported_at"].as_str().unwrap(),
            &time::format_description::well_known::Rfc3339,
        )
        .unwrap()
        .unix_timestamp();
        assert!(reported <= onset, "reported at {reported}, onset {onset}");
        assert_eq!(event["grid_id"], repeat["place"]);
    }
}
