//! The catalogue, health and status events, as a client of the contract sees them.

use std::collections::HashSet;
use std::time::Duration;

use futures_util::StreamExt;
use gridwall_domain::video::{
    CameraKind, CameraPage, CameraStatus, CameraStatusChange, VnetHealth,
};

use crate::support::{Gateway, assert_valid, component_schema, config, response_schema};

#[tokio::test]
async fn paging_visits_every_camera_exactly_once_and_pages_follow_the_contract() {
    let gateway = Gateway::default().await;
    let schema = response_schema("/vnet/v1/cameras");
    let total = gateway.sim.cameras().len();
    let mut seen = HashSet::new();
    let mut token: Option<String> = None;
    let mut pages = 0;
    loop {
        let path = match &token {
            Some(token) => format!("/vnet/v1/cameras?page_size=150&page_token={token}"),
            None => "/vnet/v1/cameras?page_size=150".to_owned(),
        };
        let json = gateway.get_json(&path).await;
        assert_valid(&schema, &json);
        let page: CameraPage = serde_json::from_value(json).unwrap();
        assert!(page.cameras.len() <= 150);
        for camera in page.cameras {
            assert!(
                seen.insert(camera.camera_id.clone()),
                "{} twice",
                camera.camera_id
            );
        }
        pages += 1;
        match page.next_page_token {
            Some(next) => token = Some(next),
            None => break,
        }
    }
    assert_eq!(seen.len(), total);
    assert_eq!(pages, total.div_ceil(150));
}

#[tokio::test]
async fn the_grid_filter_returns_that_grids_cameras_only() {
    let gateway = Gateway::default().await;
    let grid = gateway.sim.cameras()[0].grid_id.clone().unwrap();
    let page: CameraPage = serde_json::from_value(
        gateway
            .get_json(&format!("/vnet/v1/cameras?grid_id={grid}"))
            .await,
    )
    .unwrap();
    let expected = gateway
        .sim
        .cameras()
        .iter()
        .filter(|c| c.grid_id.as_ref() == Some(&grid))
        .count();
    assert!(!page.cameras.is_empty());
    assert_eq!(page.cameras.len(), expected);
    assert!(
        page.cameras
            .iter()
            .all(|c| c.grid_id.as_ref() == Some(&grid))
    );
}

#[tokio::test]
async fn a_bad_page_size_or_token_is_a_client_error() {
    let gateway = Gateway::default().await;
    for query in ["page_size=0", "page_size=1001", "page_token=not-a-token"] {
        let response = gateway
            .http
            .get(gateway.url(&format!("/vnet/v1/cameras?{query}")))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400, "{query}");
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json"
        );
    }
}

#[tokio::test]
async fn cameras_carry_national_codes_chinese_names_and_media_urls() {
    let gateway = Gateway::default().await;
    let page: CameraPage =
        serde_json::from_value(gateway.get_json("/vnet/v1/cameras?page_size=1000").await).unwrap();
    for camera in &page.cameras {
        assert_eq!(camera.camera_id.len(), 20);
        assert!(camera.camera_id.starts_with("330282"));
        assert!(
            camera.name.contains('·') || camera.name.contains("无人机"),
            "{}",
            camera.name
        );
        assert_eq!(
            camera.streams.snapshot,
            format!("/vnet/v1/cameras/{}/snapshot.jpg", camera.camera_id)
        );
        let base = format!("/vnet/v1/cameras/{}", camera.camera_id);
        // Drones and body cameras offer HLS only; street cameras MJPEG, some HLS too.
        match camera.kind {
            CameraKind::Drone | CameraKind::BodyWorn => {
                assert_eq!(camera.streams.mjpeg, None, "{}", camera.name);
                assert_eq!(camera.streams.hls, Some(format!("{base}/live.m3u8")));
            }
            _ => assert_eq!(camera.streams.mjpeg, Some(format!("{base}/live.mjpeg"))),
        }
    }
    assert!(page.cameras.iter().any(|c| !c.ai_tasks.is_empty()));
    assert!(
        page.cameras
            .iter()
            .any(|c| c.kind == CameraKind::Fixed && c.streams.hls.is_some()),
        "some street cameras offer HLS beside MJPEG"
    );
}

#[tokio::test]
async fn health_counts_cameras_and_states_the_cap() {
    let gateway = Gateway::default().await;
    let json = gateway.get_json("/vnet/v1/health").await;
    assert_valid(&response_schema("/vnet/v1/health"), &json);
    let health: VnetHealth = serde_json::from_value(json).unwrap();
    assert_eq!(health.cameras_total as usize, gateway.sim.cameras().len());
    assert!(
        health.cameras_online < health.cameras_total,
        "a few cameras are always offline"
    );
    assert!(health.cameras_online * 10 > health.cameras_total * 9);
    assert_eq!(health.max_streams_per_client, 16);
}

#[tokio::test]
async fn a_camera_going_offline_is_announced_on_the_status_stream() {
    let gateway = Gateway::default().await;
    let camera_id = gateway.online_camera("fixed");
    let response = gateway
        .http
        .get(gateway.url("/vnet/v1/status/stream"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["content-type"], "text/event-stream");
    let mut body = response.bytes_stream();
    // The stream is open once its headers arrive; now the camera goes.
    gateway
        .sim
        .pin_status(&camera_id, Some(CameraStatus::Offline))
        .unwrap();
    let mut text = String::new();
    let event = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            text.push_str(std::str::from_utf8(&body.next().await.unwrap().unwrap()).unwrap());
            while let Some(end) = text.find("\n\n") {
                let block: String = text.drain(..end + 2).collect();
                if block.starts_with("event: status\n") && block.contains(&camera_id) {
                    return block;
                }
            }
        }
    })
    .await
    .expect("the change arrives within 5 s");
    let data = event
        .lines()
        .find_map(|l| l.strip_prefix("data: "))
        .unwrap();
    let json: serde_json::Value = serde_json::from_str(data).unwrap();
    let schema = serde_json::json!({
        "type": "object",
        "required": ["camera_id", "status", "at"],
        "properties": {
            "camera_id": component_schema("Camera")["properties"]["camera_id"],
            "status": component_schema("Camera")["properties"]["status"],
            "at": { "type": "string", "format": "date-time" }
        }
    });
    assert_valid(&schema, &json);
    let change: CameraStatusChange = serde_json::from_value(json).unwrap();
    assert_eq!(change.status, CameraStatus::Offline);
}

#[tokio::test]
async fn the_status_stream_pings_within_fifteen_seconds() {
    let gateway = Gateway::default().await;
    let response = gateway
        .http
        .get(gateway.url("/vnet/v1/status/stream"))
        .send()
        .await
        .unwrap();
    let mut body = response.bytes_stream();
    let mut text = String::new();
    tokio::time::timeout(Duration::from_secs(15), async {
        while !text.contains("\n: ping\n") && !text.starts_with(": ping\n") {
            text.push_str(std::str::from_utf8(&body.next().await.unwrap().unwrap()).unwrap());
        }
    })
    .await
    .expect("a ping within 15 s");
}

#[tokio::test]
async fn cameras_come_and_go_by_themselves_as_simulated_time_passes() {
    // At 600 times real speed, an hour of churn passes in six seconds.
    let gateway = Gateway::start_at_speed(config(), 600.0).await;
    let response = gateway
        .http
        .get(gateway.url("/vnet/v1/status/stream"))
        .send()
        .await
        .unwrap();
    let mut body = response.bytes_stream();
    let mut text = String::new();
    tokio::time::timeout(Duration::from_secs(10), async {
        while !text.contains("event: status\n") {
            text.push_str(std::str::from_utf8(&body.next().await.unwrap().unwrap()).unwrap());
        }
    })
    .await
    .expect("a camera changes status within 10 s at 600x");
}
