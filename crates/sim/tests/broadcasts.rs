//! Broadcasts reach everyone in scope; acks come back in time and on the stream.

use std::time::Duration;

use serde_json::{Value, json};

use crate::support::{Sim, SseReader, builder};

/// Pages through every ack of a broadcast.
async fn all_acks(sim: &Sim, id: &str) -> Vec<Value> {
    let mut acks = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let path = match &after {
            Some(a) => format!("/api/v1/broadcasts/{id}/acks?after={a}"),
            None => format!("/api/v1/broadcasts/{id}/acks"),
        };
        let page = sim.get_json(&path, 200).await;
        acks.extend(page["acks"].as_array().unwrap().iter().cloned());
        match page["next_after"].as_str() {
            Some(a) => after = Some(a.to_owned()),
            None => return acks,
        }
    }
}

#[tokio::test]
async fn nearly_every_worker_acknowledges_within_fifteen_simulated_minutes() {
    // 3,600×: fifteen simulated minutes pass in a quarter of a real second.
    let sim = Sim::start(builder(3_600.0)).await;
    let response = sim
        .post_json(
            "/api/v1/broadcasts",
            &json!({"title": "寒潮预警", "body": "请排查独居老人取暖安全。", "scope": {"all": true}}),
        )
        .await;
    assert_eq!(response.status().as_u16(), 201);
    let broadcast: Value = response.json().await.unwrap();
    let recipients = broadcast["recipients"].as_u64().unwrap();
    assert_eq!(
        recipients as usize,
        sim.running.shared().workforce.all().len()
    );
    let id = broadcast["broadcast_id"].as_str().unwrap().to_owned();

    // Wait (in simulated time) well past the deadline.
    let deadline = sim.running.clock().now() + time::Duration::minutes(40);
    while sim.running.clock().now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let acks = all_acks(&sim, &id).await;
    let sent_at = time::OffsetDateTime::parse(
        broadcast["sent_at"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    let within = acks
        .iter()
        .filter(|a| {
            let at = time::OffsetDateTime::parse(
                a["acked_at"].as_str().unwrap(),
                &time::format_description::well_known::Rfc3339,
            )
            .unwrap();
            at - sent_at <= time::Duration::minutes(15)
        })
        .count();
    let share = within as f64 / recipients as f64;
    assert!(
        share >= 0.99,
        "only {within} of {recipients} acked within 15 minutes"
    );
    assert!(acks.len() < recipients as usize, "a few never acknowledge");

    let progress = sim.get_json(&format!("/api/v1/broadcasts/{id}"), 200).await;
    assert_eq!(progress["acked"].as_u64().unwrap(), acks.len() as u64);
}

#[tokio::test]
async fn a_retried_post_with_the_same_idempotency_key_returns_the_first_broadcast() {
    let sim = Sim::start(builder(1.0)).await;
    let town = sim.running.shared().city.grids()[0].town_code.clone();
    let body = json!({
        "title": "防汛检查", "body": "检查排涝设施。",
        "scope": {"town_codes": [town]}, "idempotency_key": "retry-1"
    });
    let first: Value = sim
        .post_json("/api/v1/broadcasts", &body)
        .await
        .json()
        .await
        .unwrap();
    let second: Value = sim
        .post_json("/api/v1/broadcasts", &body)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(first["broadcast_id"], second["broadcast_id"]);
    let other: Value = sim
        .post_json(
            "/api/v1/broadcasts",
            &json!({"title": "另一条", "body": "", "scope": {"town_codes": [town]}}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_ne!(first["broadcast_id"], other["broadcast_id"]);
    let in_town = sim
        .running
        .shared()
        .workforce
        .all()
        .iter()
        .filter(|w| {
            w.grid_id
                .as_deref()
                .and_then(|g| sim.running.shared().city.grid(g))
                .is_some_and(|g| g.town_code == town)
        })
        .count();
    assert_eq!(first["recipients"].as_u64().unwrap() as usize, in_town);
}

#[tokio::test]
async fn bad_broadcasts_are_refused_with_a_problem() {
    let sim = Sim::start(builder(1.0)).await;
    let long_title = "长".repeat(201);
    for body in [
        json!({"title": "t", "body": "b", "scope": {}}),
        json!({"title": long_title, "body": "b", "scope": {"all": true}}),
        json!({"title": "t", "body": "b", "scope": {"grid_ids": ["330282999999G99"]}}),
        json!({"body": "no title", "scope": {"all": true}}),
        json!("not an object"),
    ] {
        let response = sim.post_json("/api/v1/broadcasts", &body).await;
        assert_eq!(response.status().as_u16(), 400, "{body}");
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json"
        );
    }
}

#[tokio::test]
async fn acks_go_out_on_the_stream() {
    let sim = Sim::start(builder(3_600.0)).await;
    let grid = sim.running.shared().city.grids()[0].grid_id.clone();
    let mut stream = SseReader::open(&sim, None).await;
    let broadcast: Value = sim
        .post_json(
            "/api/v1/broadcasts",
            &json!({"title": "点名", "body": "收到请回复", "scope": {"grid_ids": [grid]}}),
        )
        .await
        .json()
        .await
        .unwrap();
    let mut acks = 0;
    for _ in 0..5_000 {
        let Some(message) = stream.next(Duration::from_secs(5)).await else {
            break;
        };
        if message.event == "ack" {
            let ack: Value = serde_json::from_str(&message.data).unwrap();
            assert_eq!(ack["broadcast_id"], broadcast["broadcast_id"]);
            acks += 1;
            if acks >= 3 {
                break;
            }
        }
    }
    assert!(acks >= 3, "acks arrive as `event: ack`");
}
