//! Every fault the admin can inject, as a client notices it.

use std::time::Duration;

use gridwall_domain::video::{CameraStatus, VnetHealth};
use gridwall_sim_video::{Faults, VideoConfig};

use crate::support::{Gateway, Next, Parts, config, decode};

async fn put_faults(gateway: &Gateway, faults: serde_json::Value) {
    let response = gateway
        .http
        .put(gateway.url("/admin/video/faults"))
        .json(&faults)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "{:?}", response.text().await);
}

#[tokio::test]
async fn a_fraction_of_cameras_goes_offline_on_demand() {
    let gateway = Gateway::default().await;
    let before: VnetHealth =
        serde_json::from_value(gateway.get_json("/vnet/v1/health").await).unwrap();
    put_faults(&gateway, serde_json::json!({ "offline_fraction": 0.5 })).await;
    let after: VnetHealth =
        serde_json::from_value(gateway.get_json("/vnet/v1/health").await).unwrap();
    assert!(
        after.cameras_online * 10 < before.cameras_online * 6,
        "{before:?} then {after:?}"
    );
    assert_eq!(serde_json::to_value(after.status).unwrap(), "degraded");
}

#[tokio::test]
async fn bad_fractions_are_refused() {
    let gateway = Gateway::default().await;
    let response = gateway
        .http
        .put(gateway.url("/admin/video/faults"))
        .json(&serde_json::json!({ "cut_fraction": 2.0 }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
}

#[tokio::test]
async fn an_unavailable_gateway_answers_503_to_an_online_camera() {
    let gateway = Gateway::default().await;
    let camera_id = gateway.online_camera("fixed");
    put_faults(&gateway, serde_json::json!({ "unavailable_fraction": 1.0 })).await;
    let snapshot = gateway
        .http
        .get(gateway.url(&format!("/vnet/v1/cameras/{camera_id}/snapshot.jpg")))
        .send()
        .await
        .unwrap();
    assert_eq!(snapshot.status(), 503);
    assert_eq!(gateway.open_stream(&camera_id, "wall").await.status(), 503);
}

#[tokio::test]
async fn a_hanging_stream_goes_silent_without_closing_and_frees_its_place_when_dropped() {
    let faults = Faults {
        hang_fraction: 1.0,
        frames_before_fault: 2,
        ..Faults::default()
    };
    let gateway = Gateway::start(VideoConfig { faults, ..config() }).await;
    let camera_id = gateway.online_camera("fixed");
    let mut parts = Parts::new(gateway.open_stream(&camera_id, "wall").await);
    parts.frame().await;
    parts.frame().await;
    assert!(matches!(
        parts.next(Duration::from_secs(1)).await,
        Next::Silent
    ));
    assert!(!parts.ended);
    gateway.wait_for_streams("wall", 1).await;
    drop(parts);
    gateway.wait_for_streams("wall", 0).await;
}

#[tokio::test]
async fn a_cut_stream_ends_inside_a_jpeg() {
    let faults = Faults {
        cut_fraction: 1.0,
        frames_before_fault: 2,
        ..Faults::default()
    };
    let gateway = Gateway::start(VideoConfig { faults, ..config() }).await;
    let camera_id = gateway.online_camera("fixed");
    let mut parts = Parts::new(gateway.open_stream(&camera_id, "wall").await);
    decode(&parts.frame().await);
    decode(&parts.frame().await);
    let Next::End(rest) = parts.next(Duration::from_secs(5)).await else {
        panic!("the stream should end")
    };
    assert!(rest.len() > 100, "part of a frame was sent before the cut");
    assert!(
        !rest.ends_with(&[0xff, 0xd9]),
        "the JPEG is cut before its end marker"
    );
    gateway.wait_for_streams("wall", 0).await;
}

#[tokio::test]
async fn the_admin_can_end_or_hang_the_streams_of_one_camera() {
    let gateway = Gateway::default().await;
    let camera_id = gateway.online_camera("fixed");
    let fail = |fault: &'static str| {
        gateway
            .http
            .post(gateway.url(&format!("/admin/video/cameras/{camera_id}/streams/fail")))
            .json(&serde_json::json!({ "fault": fault }))
            .send()
    };

    let mut parts = Parts::new(gateway.open_stream(&camera_id, "wall").await);
    parts.frame().await;
    assert_eq!(fail("end").await.unwrap().status(), 204);
    let ended = loop {
        match parts.next(Duration::from_secs(5)).await {
            Next::Frame(_) => continue,
            other => break other,
        }
    };
    assert!(
        matches!(ended, Next::End(ref rest) if rest.is_empty()),
        "{ended:?}"
    );

    let mut parts = Parts::new(gateway.open_stream(&camera_id, "wall").await);
    parts.frame().await;
    assert_eq!(fail("hang").await.unwrap().status(), 204);
    let silent = loop {
        match parts.next(Duration::from_secs(1)).await {
            Next::Frame(_) => continue,
            other => break other,
        }
    };
    assert!(matches!(silent, Next::Silent), "{silent:?}");
}

#[tokio::test]
async fn a_stream_ends_when_its_camera_goes_offline() {
    let gateway = Gateway::default().await;
    let camera_id = gateway.online_camera("fixed");
    let mut parts = Parts::new(gateway.open_stream(&camera_id, "wall").await);
    parts.frame().await;
    gateway
        .sim
        .pin_status(&camera_id, Some(CameraStatus::Offline))
        .unwrap();
    let ended = loop {
        match parts.next(Duration::from_secs(5)).await {
            Next::Frame(_) => continue,
            other => break other,
        }
    };
    assert!(matches!(ended, Next::End(_)), "{ended:?}");
    gateway.wait_for_streams("wall", 0).await;
}

#[tokio::test]
async fn closing_the_streams_ends_live_hanging_and_status_streams() {
    let faults = Faults {
        hang_fraction: 1.0,
        frames_before_fault: 1,
        ..Faults::default()
    };
    let gateway = Gateway::start(VideoConfig { faults, ..config() }).await;
    let camera_id = gateway.online_camera("fixed");
    let mut hanging = Parts::new(gateway.open_stream(&camera_id, "wall").await);
    hanging.frame().await;
    let status = gateway
        .http
        .get(gateway.url("/vnet/v1/status/stream"))
        .send()
        .await
        .unwrap();
    gateway.sim.close_streams();
    assert!(matches!(
        hanging.next(Duration::from_secs(5)).await,
        Next::End(_)
    ));
    let rest = tokio::time::timeout(Duration::from_secs(5), status.bytes()).await;
    assert!(rest.is_ok(), "the status stream ends");
    gateway.wait_for_streams("wall", 0).await;
}

#[tokio::test]
async fn with_tokens_on_stale_urls_answer_403_and_a_fresh_catalogue_mends_them() {
    let gateway = Gateway::default().await;
    put_faults(&gateway, serde_json::json!({ "token_ttl_secs": 60 })).await;
    let camera_id = gateway.online_camera("fixed");
    let camera_url = |camera: &serde_json::Value, form: &str| {
        gateway.url(camera["streams"][form].as_str().unwrap())
    };
    let camera = gateway.get_json("/vnet/v1/cameras?page_size=1000").await["cameras"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["camera_id"] == camera_id.as_str())
        .cloned()
        .unwrap();
    let status = |url: String| async { gateway.http.get(url).send().await.unwrap().status() };
    assert_eq!(status(camera_url(&camera, "snapshot")).await, 200);
    let stream = gateway
        .http
        .get(format!("{}&fps=5", camera_url(&camera, "mjpeg")))
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status(), 200);
    drop(stream);
    let bare = gateway.url(&format!("/vnet/v1/cameras/{camera_id}/snapshot.jpg"));
    assert_eq!(status(bare).await, 401);

    let revoke = gateway
        .http
        .post(gateway.url("/admin/video/tokens/revoke"))
        .send()
        .await
        .unwrap();
    assert_eq!(revoke.status(), 204);
    assert_eq!(status(camera_url(&camera, "snapshot")).await, 403);
    assert_eq!(status(camera_url(&camera, "mjpeg")).await, 403);

    let fresh = gateway.sim.camera(&camera_id).unwrap();
    assert_eq!(status(gateway.url(&fresh.streams.snapshot)).await, 200);
}
