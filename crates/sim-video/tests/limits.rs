//! The per-client stream cap, and cameras that are offline.

use gridwall_domain::video::CameraStatus;
use gridwall_sim_video::VideoConfig;

use crate::support::{Gateway, Parts, config};

#[tokio::test]
async fn the_stream_past_the_cap_is_refused_and_a_closed_stream_frees_its_place() {
    let gateway = Gateway::start(VideoConfig {
        max_streams_per_client: 3,
        ..config()
    })
    .await;
    let cameras: Vec<String> = gateway
        .sim
        .cameras()
        .into_iter()
        .filter(|c| c.status == CameraStatus::Online)
        .map(|c| c.camera_id)
        .take(4)
        .collect();
    let mut open = Vec::new();
    for camera_id in &cameras[..3] {
        let response = gateway.open_stream(camera_id, "wall").await;
        assert_eq!(response.status(), 200);
        let mut parts = Parts::new(response);
        parts.frame().await;
        open.push(parts);
    }
    let refused = gateway.open_stream(&cameras[3], "wall").await;
    assert_eq!(refused.status(), 429);
    assert!(refused.headers().contains_key("retry-after"));
    // Another client has its own allowance.
    assert_eq!(
        gateway.open_stream(&cameras[3], "other").await.status(),
        200
    );

    drop(open.pop());
    gateway.wait_for_streams("wall", 2).await;
    assert_eq!(gateway.open_stream(&cameras[3], "wall").await.status(), 200);

    let report = gateway.sim.stream_report();
    assert_eq!(report.clients["id:wall"].peak, 3);
    assert_eq!(report.clients["id:wall"].refused, 1);
    assert_eq!(report.peak_per_client, 3);

    // A reset starts the peaks again from what is open now.
    open.truncate(1);
    gateway.wait_for_streams("wall", 1).await;
    let reset = gateway
        .http
        .delete(gateway.url("/admin/video/streams"))
        .send()
        .await
        .unwrap();
    assert_eq!(reset.status(), 204);
    let report = gateway.get_json("/admin/video/streams").await;
    assert_eq!(report["clients"]["id:wall"]["peak"], 1);
    assert_eq!(report["clients"]["id:wall"]["refused"], 0);
}

#[tokio::test]
async fn an_offline_camera_answers_503_for_snapshots_and_streams() {
    let gateway = Gateway::default().await;
    let camera_id = gateway.online_camera("fixed");
    let pin = gateway
        .http
        .put(gateway.url(&format!("/admin/video/cameras/{camera_id}/status")))
        .json(&serde_json::json!({ "status": "offline" }))
        .send()
        .await
        .unwrap();
    assert_eq!(pin.status(), 204);
    let snapshot = gateway
        .http
        .get(gateway.url(&format!("/vnet/v1/cameras/{camera_id}/snapshot.jpg")))
        .send()
        .await
        .unwrap();
    assert_eq!(snapshot.status(), 503);
    assert_eq!(gateway.open_stream(&camera_id, "wall").await.status(), 503);
    let camera = gateway.sim.camera(&camera_id).unwrap();
    assert_eq!(camera.status, CameraStatus::Offline);
}

#[tokio::test]
async fn an_unknown_camera_is_not_found() {
    let gateway = Gateway::default().await;
    let response = gateway
        .http
        .get(gateway.url("/vnet/v1/cameras/33028200001319999999/snapshot.jpg"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
}
