//! Pictures: snapshots and MJPEG parts are real JPEGs that show time passing
//! and PTZ moves (HLS is in `hls`).

use std::time::Duration;

use gridwall_domain::video::{PtzAction, PtzCommand};

use crate::support::{Gateway, Parts, decode, difference};

#[tokio::test]
async fn a_snapshot_is_a_jpeg_of_the_configured_size() {
    let gateway = Gateway::default().await;
    let camera_id = gateway.online_camera("fixed");
    let response = gateway
        .http
        .get(gateway.url(&format!("/vnet/v1/cameras/{camera_id}/snapshot.jpg")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "image/jpeg");
    let (width, height, pixels) = decode(&response.bytes().await.unwrap());
    assert_eq!((width, height), (640, 360));
    // Not a blank frame: sky, buildings and road differ.
    let distinct: std::collections::HashSet<_> = pixels
        .chunks(3)
        .map(|p| (p[0] / 32, p[1] / 32, p[2] / 32))
        .collect();
    assert!(distinct.len() > 5, "{} colours", distinct.len());
}

#[tokio::test]
async fn mjpeg_frames_a_second_apart_differ() {
    let gateway = Gateway::default().await;
    let camera_id = gateway.online_camera("fixed");
    let response = gateway.open_stream(&camera_id, "viewer").await;
    assert_eq!(response.status(), 200);
    let mut parts = Parts::new(response);
    let (_, _, first) = decode(&parts.frame().await);
    tokio::time::sleep(Duration::from_secs(1)).await;
    // Skip what queued up meanwhile and take a fresh frame.
    let mut latest = parts.frame().await;
    while let crate::support::Next::Frame(frame) = parts.next(Duration::from_millis(20)).await {
        latest = frame;
    }
    let (_, _, later) = decode(&latest);
    // The clock on the frame has moved on, and mostly the traffic too.
    assert!(difference(&first, &later) > 0.0, "the picture moves");
}

#[tokio::test]
async fn a_ptz_move_changes_the_picture_and_a_fixed_camera_refuses_it() {
    let gateway = Gateway::default().await;
    let ptz = gateway.online_camera("ptz");
    let snapshot = |id: String| {
        let gateway = &gateway;
        async move {
            let url = gateway.url(&format!("/vnet/v1/cameras/{id}/snapshot.jpg"));
            decode(
                &gateway
                    .http
                    .get(url)
                    .send()
                    .await
                    .unwrap()
                    .bytes()
                    .await
                    .unwrap(),
            )
            .2
        }
    };
    let before = snapshot(ptz.clone()).await;
    let command = PtzCommand {
        action: PtzAction::Right,
        speed: Some(8),
        preset: None,
    };
    let url = gateway.url(&format!("/vnet/v1/cameras/{ptz}/ptz"));
    let response = gateway.http.post(&url).json(&command).send().await.unwrap();
    assert_eq!(response.status(), 204);
    let after = snapshot(ptz.clone()).await;
    // Traffic moves a little between two snapshots; a 20° pan shifts every building.
    assert!(
        difference(&before, &after) > 3.0,
        "{}",
        difference(&before, &after)
    );

    let fixed = gateway.online_camera("fixed");
    let response = gateway
        .http
        .post(gateway.url(&format!("/vnet/v1/cameras/{fixed}/ptz")))
        .json(&command)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 409);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
}

#[tokio::test]
async fn a_ptz_camera_held_by_one_console_refuses_another() {
    let gateway = Gateway::default().await;
    let ptz = gateway.online_camera("ptz");
    let url = gateway.url(&format!("/vnet/v1/cameras/{ptz}/ptz"));
    let command = PtzCommand {
        action: PtzAction::ZoomIn,
        speed: None,
        preset: None,
    };
    let send = |client: &'static str| {
        gateway
            .http
            .post(&url)
            .header("x-client-id", client)
            .json(&command)
            .send()
    };
    assert_eq!(send("console-a").await.unwrap().status(), 204);
    assert_eq!(send("console-b").await.unwrap().status(), 409);
    assert_eq!(send("console-a").await.unwrap().status(), 204);
}

#[tokio::test]
async fn a_camera_without_hls_answers_404_for_its_playlist() {
    let gateway = Gateway::default().await;
    let camera_id = gateway.online_camera("ptz");
    let response = gateway
        .http
        .get(gateway.url(&format!("/vnet/v1/cameras/{camera_id}/live.m3u8")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
}
