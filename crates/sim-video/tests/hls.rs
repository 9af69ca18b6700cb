//! HLS: drones and body cameras play sliding live playlists of real H.264
//! segments (issue 18, "Cameras that offer only HLS").
//!
//! These tests need GStreamer's `gst-launch-1.0` with `openh264enc`
//! (`scripts/setup` installs them); without it they fail and say so.

use std::time::Duration;

use gridwall_domain::video::{Camera, CameraKind, CameraStatus};
use gridwall_sim_video::{Faults, VideoConfig};

use crate::support::{Gateway, config};

/// The first online camera of one of `kinds`, in that order of preference.
fn online(gateway: &Gateway, kinds: &[CameraKind]) -> Camera {
    let cameras = gateway.sim.cameras();
    kinds
        .iter()
        .find_map(|kind| {
            cameras
                .iter()
                .find(|c| c.kind == *kind && c.status == CameraStatus::Online)
        })
        .cloned()
        .unwrap_or_else(|| panic!("no online {kinds:?} camera"))
}

/// Drones first: a gateway of 800 cameras has two, often both offline.
const HLS_ONLY: &[CameraKind] = &[CameraKind::Drone, CameraKind::BodyWorn];

/// GETs `url`, with its status, content type and body.
async fn get(gateway: &Gateway, url: &reqwest::Url) -> (u16, String, bytes::Bytes) {
    let response = gateway.http.get(url.clone()).send().await.unwrap();
    let status = response.status().as_u16();
    let kind = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, kind, response.bytes().await.unwrap())
}

/// The playlist's media sequence and its segment URLs, resolved against it.
fn parse(url: &reqwest::Url, text: &str) -> (u64, Vec<reqwest::Url>) {
    assert!(text.starts_with("#EXTM3U"), "{text}");
    let sequence = text
        .lines()
        .find_map(|l| l.strip_prefix("#EXT-X-MEDIA-SEQUENCE:"))
        .expect("a live playlist has a media sequence")
        .parse()
        .unwrap();
    let segments = text
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| url.join(l).unwrap())
        .collect();
    (sequence, segments)
}

async fn playlist(gateway: &Gateway, url: &reqwest::Url) -> (u64, Vec<reqwest::Url>) {
    let (status, kind, body) = get(gateway, url).await;
    let text = String::from_utf8(body.to_vec()).unwrap();
    assert_eq!(status, 200, "{text}");
    assert_eq!(kind, "application/vnd.apple.mpegurl");
    parse(url, &text)
}

/// Whether `ts` is an MPEG transport stream carrying H.264 (a sequence
/// parameter set and an IDR picture: it can be decoded from its start).
fn is_h264_transport_stream(ts: &[u8]) -> bool {
    let packets = ts.len().is_multiple_of(188) && ts.chunks(188).all(|p| p[0] == 0x47);
    let has = |nal: u8| ts.windows(4).any(|w| w == [0, 0, 1, nal]);
    packets && has(0x67) && has(0x65)
}

#[tokio::test]
async fn a_drone_or_body_camera_plays_a_live_playlist_of_h264_segments_that_slides_with_time() {
    let gateway = Gateway::default().await;
    let drone = online(&gateway, HLS_ONLY);
    assert_eq!(
        drone.streams.mjpeg, None,
        "{:?} offers HLS only",
        drone.kind
    );
    let url = reqwest::Url::parse(&gateway.base)
        .unwrap()
        .join(drone.streams.hls.as_deref().unwrap())
        .unwrap();
    let (first, segments) = playlist(&gateway, &url).await;
    assert!(segments.len() >= 3, "{segments:?}");
    let mut bodies = Vec::new();
    for segment in &segments[..2] {
        assert!(
            segment
                .path()
                .starts_with(url.path().trim_end_matches("live.m3u8")),
            "segments are relative to the playlist: {segment}"
        );
        let (status, kind, body) = get(&gateway, segment).await;
        assert_eq!((status, kind.as_str()), (200, "video/mp2t"));
        assert!(body.len() > 4_000, "{} bytes", body.len());
        assert!(
            is_h264_transport_stream(&body),
            "{segment} is H.264 in MPEG-TS"
        );
        bodies.push(body);
    }
    assert_ne!(
        bodies[0], bodies[1],
        "the picture moves from one segment to the next"
    );
    // Live: the window moves on by one segment every two seconds.
    let mut later = first;
    for _ in 0..100 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        later = playlist(&gateway, &url).await.0;
        if later > first {
            break;
        }
    }
    assert_eq!(later, first + 1, "the media sequence advances");
}

#[tokio::test]
async fn a_body_camera_segment_needs_the_token_of_its_playlist() {
    let faults = Faults {
        token_ttl_secs: 600,
        ..Faults::default()
    };
    let gateway = Gateway::start(VideoConfig { faults, ..config() }).await;
    let camera = online(&gateway, &[CameraKind::BodyWorn]);
    let hls = camera.streams.hls.unwrap();
    assert!(hls.contains("?token="), "{hls}");
    let url = reqwest::Url::parse(&gateway.base)
        .unwrap()
        .join(&hls)
        .unwrap();
    let (_, segments) = playlist(&gateway, &url).await;
    let segment = segments[0].clone();
    assert!(
        segment.query().unwrap_or("").contains("token="),
        "{segment}"
    );
    assert_eq!(get(&gateway, &segment).await.0, 200);
    let mut bare = segment.clone();
    bare.set_query(None);
    assert_eq!(get(&gateway, &bare).await.0, 401);
}

#[tokio::test]
async fn without_an_encoder_hls_answers_404_and_everything_else_works() {
    let gateway = Gateway::start(VideoConfig {
        hls_encoder: "gridwall-no-such-encoder".into(),
        ..config()
    })
    .await;
    let drone = online(&gateway, HLS_ONLY);
    let base = reqwest::Url::parse(&gateway.base).unwrap();
    let url = base.join(drone.streams.hls.as_deref().unwrap()).unwrap();
    let (status, _, body) = get(&gateway, &url).await;
    let problem: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(status, 404, "{problem}");
    let detail = problem["detail"].as_str().unwrap();
    assert!(detail.contains("not installed"), "{detail}");
    let snapshot = base.join(&drone.streams.snapshot).unwrap();
    assert_eq!(get(&gateway, &snapshot).await.0, 200);
}
