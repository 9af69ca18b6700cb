//! Every fault the admin can switch on, observed the way a client would.

use std::time::{Duration, Instant};

use gridwall_domain::governance::{Category, Event, Source};
use serde_json::{Value, json};

use crate::support::{Sim, SseReader, builder};

const WAIT: Duration = Duration::from_secs(5);

async fn set(sim: &Sim, faults: Value) {
    sim.put_json("/admin/faults", &faults).await;
}

fn recent(head: u64) -> String {
    format!("/api/v1/events?since={}&limit=50", head - 50)
}

async fn head(sim: &Sim) -> u64 {
    sim.get_json("/api/v1/health", 200).await["head_seq"]
        .as_u64()
        .unwrap()
}

#[tokio::test]
async fn errors_latency_and_rate_limits_hit_the_api_but_not_health() {
    let sim = Sim::start(builder(1.0)).await;
    set(&sim, json!({"error_rate": 1.0})).await;
    let failed = sim.get("/api/v1/events?state=open").await;
    assert_eq!(failed.status().as_u16(), 503);
    assert_eq!(failed.headers()["content-type"], "application/problem+json");
    let health = sim.get_json("/api/v1/health", 200).await;
    assert_eq!(health["status"], "degraded");

    set(&sim, json!({"rate_limit_burst": 2, "retry_after_s": 7})).await;
    for _ in 0..2 {
        let limited = sim.get("/api/v1/divisions").await;
        assert_eq!(limited.status().as_u16(), 429);
        assert_eq!(limited.headers()["retry-after"], "7");
    }
    assert_eq!(sim.get("/api/v1/divisions").await.status().as_u16(), 200);

    set(&sim, json!({"latency_ms": 300})).await;
    let started = Instant::now();
    assert_eq!(sim.get("/api/v1/divisions").await.status().as_u16(), 200);
    assert!(started.elapsed() >= Duration::from_millis(300));
}

#[tokio::test]
async fn duplicates_reordering_and_unknown_fields_show_in_pages() {
    let sim = Sim::start(builder(1.0)).await;
    let head = head(&sim).await;
    let clean = sim.get_json(&recent(head), 200).await;
    let clean = clean["events"].as_array().unwrap().len();

    set(&sim, json!({"duplicate_rate": 1.0})).await;
    let doubled = sim.get_json(&recent(head), 200).await;
    assert_eq!(doubled["events"].as_array().unwrap().len(), clean * 2);

    set(&sim, json!({"reorder_backfill": true})).await;
    let reordered = sim.get_json(&recent(head), 200).await;
    let seqs: Vec<u64> = reordered["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["seq"].as_u64().unwrap())
        .collect();
    assert!(
        seqs.windows(2).all(|w| w[0] > w[1]),
        "older revisions after newer ones"
    );

    set(&sim, json!({"unknown_fields": true})).await;
    let extended = sim.get_json(&recent(head), 200).await;
    let first = &extended["events"][0];
    assert!(first.get("x_platform_v14").is_some());
    let parsed: Event =
        serde_json::from_value(first.clone()).expect("unknown fields are tolerated");
    assert!(parsed.seq > 0);
    let grids = sim.get_json("/api/v1/grids", 200).await;
    assert!(grids["grids"][0].get("x_platform_v14").is_some());
    let mut stream = SseReader::open(&sim, Some(head - 5)).await;
    let message = stream.next(WAIT).await.expect("a message");
    let streamed: Value = serde_json::from_str(&message.data).unwrap();
    assert!(
        streamed.get("x_platform_v14").is_some(),
        "on the stream too"
    );
}

#[tokio::test]
async fn malformed_copies_fail_a_strict_parse_and_the_genuine_record_follows() {
    let sim = Sim::start(builder(1.0)).await;
    let head = head(&sim).await;
    set(&sim, json!({"malformed_rate": 1.0})).await;
    let text = sim.get(&recent(head)).await.text().await.unwrap();
    let page: Value = serde_json::from_str(&text).expect("a page stays valid JSON");
    let items = page["events"].as_array().unwrap();
    let good = items
        .iter()
        .filter(|v| serde_json::from_value::<Event>((*v).clone()).is_ok())
        .count();
    let bad = items.len() - good;
    assert!(bad > 0 && good > 0, "{bad} broken and {good} genuine");

    let mut stream = SseReader::open(&sim, Some(head - 10)).await;
    let messages = stream.take(10, WAIT).await;
    assert!(
        messages
            .iter()
            .any(|m| serde_json::from_str::<Event>(&m.data).is_err()),
        "broken copies on the stream too"
    );
}

#[tokio::test]
async fn unknown_values_and_hostile_text_reach_new_events() {
    let sim = Sim::start(builder(3_600.0)).await;
    set(&sim, json!({"unknown_values": 1.0, "hostile_text": 1.0})).await;
    let start = head(&sim).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let body = sim
        .get(&format!("/api/v1/events?since={start}&limit=2000"))
        .await
        .text()
        .await
        .expect("a page");
    // A lone surrogate escaped in JSON is one of the classes of text, and
    // serde refuses it: mend it as the wall's store does, then parse.
    assert!(body.contains("\\ud83d"), "a lone surrogate is served");
    let page: serde_json::Value =
        serde_json::from_str(&body.replace("\\ud83d", "\\ufffd")).expect("a JSON page");
    let events: Vec<Event> = page["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["revision"] == 1)
        .map(|e| serde_json::from_value(e.clone()).expect("still valid records"))
        .collect();
    assert!(!events.is_empty());
    // Slots drawn before the switch (up to five simulated minutes) are unchanged.
    let known = |code: &str| Category::KNOWN.iter().any(|(k, _)| *k == code);
    let odd = events
        .iter()
        .filter(|e| matches!(e.source, Source::Other(_)) || !known(e.category.as_str()))
        .count();
    assert!(
        odd * 2 > events.len(),
        "{odd} of {} carry unknown values",
        events.len()
    );
    assert!(
        events
            .iter()
            .any(|e| [&e.title, &e.address, &e.description].iter().any(|t| {
                t.contains("<img src=x onerror=alert(1)>")
                    || t.contains('\u{202E}')
                    || t.contains('\u{200D}')
                    || t.chars().count() == 8_000
            }))
    );
}

#[tokio::test]
async fn streams_can_be_cut_reset_or_ended_after_some_messages() {
    let sim = Sim::start(builder(1.0)).await;
    let head = head(&sim).await;

    let mut cut = SseReader::open(&sim, Some(head)).await;
    sim.post_json("/admin/faults/cut-streams", &json!({})).await;
    assert!(cut.ends_within(WAIT).await, "the stream ended");

    let mut reset = SseReader::open(&sim, Some(head)).await;
    sim.post_json("/admin/faults/reset-streams", &json!({"reason": "deploy"}))
        .await;
    let message = reset.find("deploy", WAIT).await.expect("a reset event");
    assert_eq!(message.event, "reset");
    assert!(reset.ends_within(WAIT).await);

    set(&sim, json!({"stream_cut_after": 3})).await;
    let mut short = SseReader::open(&sim, Some(head - 100)).await;
    assert_eq!(short.take(100, WAIT).await.len(), 3);

    set(&sim, json!({"all_gone": true})).await;
    assert_eq!(sim.get(&recent(head)).await.status().as_u16(), 410);
}

#[tokio::test]
async fn a_configured_token_is_required_except_on_health() {
    let sim = Sim::start(builder(1.0).token("s3cret")).await;
    let denied = sim.get("/api/v1/divisions").await;
    assert_eq!(denied.status().as_u16(), 401);
    assert_eq!(denied.headers()["content-type"], "application/problem+json");
    let wrong = sim
        .http
        .get(sim.url("/api/v1/divisions"))
        .bearer_auth("nope")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status().as_u16(), 401);
    let allowed = sim
        .http
        .get(sim.url("/api/v1/divisions"))
        .bearer_auth("s3cret")
        .send()
        .await
        .unwrap();
    assert_eq!(allowed.status().as_u16(), 200);
    assert_eq!(sim.get("/api/v1/health").await.status().as_u16(), 200);
}

#[tokio::test]
async fn a_dropped_broadcast_response_still_commits_and_a_retry_with_its_key_gets_the_same_one() {
    let sim = Sim::start(builder(1.0)).await;
    set(&sim, json!({"drop_broadcast_responses": 1})).await;
    let request = json!({
        "title": "台风防御", "body": "请立即巡查低洼地带。", "scope": {"all": true},
        "idempotency_key": "key-1"
    });
    let dropped = sim
        .http
        .post(sim.url("/api/v1/broadcasts"))
        .json(&request)
        .send()
        .await;
    assert!(
        dropped.is_err(),
        "the connection ends without a status line: {dropped:?}"
    );
    assert_eq!(
        sim.get_json("/admin/faults", 200).await["drop_broadcast_responses"],
        0,
        "the fault counts itself down"
    );

    // The broadcast was committed: the retry answers with it, and nothing new was sent.
    let retried = sim.post_json("/api/v1/broadcasts", &request).await;
    assert_eq!(retried.status().as_u16(), 201);
    let first: Value = retried.json().await.unwrap();
    assert_eq!(first["broadcast_id"], "GB00000001");
    let other = sim
        .post_json(
            "/api/v1/broadcasts",
            &json!({"title": "另一条", "body": "", "scope": {"all": true}}),
        )
        .await;
    let other: Value = other.json().await.unwrap();
    assert_eq!(
        other["broadcast_id"], "GB00000002",
        "one broadcast before it"
    );
}
