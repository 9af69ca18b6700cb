//! The camera proxy against the simulated gateway over real HTTP: one
//! upstream stream per camera whatever the number of viewers, the gateway's
//! cap never exceeded, a hung or refused stream told apart, and media URLs in
//! every form RFC 3986 allows resolved with their token (issue 18).

use std::net::SocketAddr;
use std::time::Duration;

use gridwall_domain::clock::Clock;
use gridwall_sim_video::{Faults, StreamFault, VideoConfig, VideoSim, router, sites_around_towns};
use gridwall_wall::video::{CameraTile, catalogue};
use gridwall_wall::video_proxy::{MediaError, Poll, ProxyTimings, VideoProxy};
use tokio_util::sync::CancellationToken;

struct Gateway {
    sim: VideoSim,
    proxy: VideoProxy,
    cameras: Vec<CameraTile>,
    sim_base: String,
    _cancel: tokio_util::sync::DropGuard,
}

async fn gateway(max_streams: u32, timings: ProxyTimings) -> Gateway {
    let config = VideoConfig {
        cameras: 400,
        max_streams_per_client: max_streams,
        ..VideoConfig::default()
    };
    let sim = VideoSim::new(config, Clock::real(), &sites_around_towns(7, 10));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = router(sim.clone()).into_make_service_with_connect_info::<SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let records: Vec<(String, String)> = sim
        .cameras()
        .iter()
        .map(|c| (c.camera_id.clone(), serde_json::to_string(c).unwrap()))
        .collect();
    let cameras: Vec<CameraTile> = catalogue(&records)
        .into_iter()
        .filter(|c| c.online && c.mjpeg.is_some())
        .collect();
    let cancel = CancellationToken::new();
    let proxy = VideoProxy::new(
        reqwest::Client::new(),
        &format!("http://{addr}"),
        timings,
        cancel.clone(),
    );
    proxy.set_cap(Some(max_streams));
    proxy.set_catalogue(&cameras);
    Gateway {
        sim,
        proxy,
        cameras,
        sim_base: format!("http://{addr}"),
        _cancel: cancel.drop_guard(),
    }
}

/// Streams held a long while after their last viewer: nothing closes under the test.
fn lingering() -> ProxyTimings {
    ProxyTimings {
        linger: Duration::from_secs(30),
        ..quick()
    }
}

fn quick() -> ProxyTimings {
    ProxyTimings {
        hung_after: Duration::from_secs(1),
        linger: Duration::from_millis(300),
        ..ProxyTimings::default()
    }
}

/// The next frame after `after`, asking again while the proxy says "not yet".
async fn frame(proxy: &VideoProxy, camera: &str, after: u64) -> Result<u64, MediaError> {
    for _ in 0..10 {
        if let Poll::Frame(frame) = proxy.next_frame(camera, after).await? {
            assert_eq!(&frame.jpeg[..2], b"\xff\xd8", "a JPEG");
            return Ok(frame.seq);
        }
    }
    panic!("no frame of {camera} after {after}");
}

fn current_streams(sim: &VideoSim) -> u32 {
    sim.stream_report().current_total
}

#[tokio::test]
async fn many_viewers_of_a_camera_share_one_upstream_stream() {
    let gw = gateway(16, quick()).await;
    let camera = gw.cameras[0].camera_id.clone();
    // Eight viewers, each following the stream for a few frames.
    let viewers = (0..8).map(|_| {
        let proxy = gw.proxy.clone();
        let camera = camera.clone();
        tokio::spawn(async move {
            let mut seq = 0;
            for _ in 0..5 {
                let next = frame(&proxy, &camera, seq).await.unwrap();
                assert!(next > seq, "frames only move forward");
                seq = next;
            }
        })
    });
    for viewer in viewers.collect::<Vec<_>>() {
        viewer.await.unwrap();
    }
    assert_eq!(
        gw.proxy.streams_opened(),
        1,
        "one upstream stream for 8 viewers"
    );
    assert_eq!(gw.sim.stream_report().peak_per_client, 1);

    // Nobody asks any more: the upstream stream closes.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(gw.proxy.open_streams(), 0);
    assert_eq!(
        current_streams(&gw.sim),
        0,
        "the gateway saw the stream close"
    );
}

#[tokio::test]
async fn the_cap_is_never_exceeded_and_the_rest_are_told_why() {
    let gw = gateway(3, lingering()).await;
    let mut answers = Vec::new();
    for camera in gw.cameras.iter().take(6) {
        answers.push(frame(&gw.proxy, &camera.camera_id, 0).await);
    }
    let live = answers.iter().filter(|a| a.is_ok()).count();
    let capped = answers
        .iter()
        .filter(|a| matches!(a, Err(MediaError::Cap)))
        .count();
    assert_eq!((live, capped), (3, 3), "{answers:?}");
    let report = gw.sim.stream_report();
    assert!(report.peak_per_client <= 3, "{report:?}");
    assert_eq!(
        report.clients.values().map(|c| c.refused).sum::<u64>(),
        0,
        "the proxy never made the gateway refuse"
    );
}

#[tokio::test]
async fn a_429_from_the_gateway_is_the_cap_too() {
    // The proxy believes in 8 streams; the gateway allows 2.
    let gw = gateway(2, lingering()).await;
    gw.proxy.set_cap(Some(8));
    let mut answers = Vec::new();
    for camera in gw.cameras.iter().take(3) {
        answers.push(frame(&gw.proxy, &camera.camera_id, 0).await);
    }
    assert!(answers[0].is_ok() && answers[1].is_ok(), "{answers:?}");
    assert_eq!(answers[2], Err(MediaError::Cap));
}

#[tokio::test]
async fn a_hung_stream_is_closed_and_retried_after_a_backoff() {
    let gw = gateway(16, quick()).await;
    let camera = gw.cameras[0].camera_id.clone();
    let seq = frame(&gw.proxy, &camera, 0).await.unwrap();
    gw.sim.fail_streams(&camera, StreamFault::Hang).unwrap();
    let mut after = seq;
    let error = loop {
        match gw.proxy.next_frame(&camera, after).await {
            Ok(Poll::Frame(f)) => after = f.seq,
            Ok(Poll::NotYet) => {}
            Err(error) => break error,
        }
    };
    assert_eq!(error, MediaError::Hung);
    assert_eq!(gw.proxy.open_streams(), 0, "the hung stream was closed");
    // Asked again at once, the proxy does not reopen it...
    assert_eq!(
        gw.proxy.next_frame(&camera, after).await.err(),
        Some(MediaError::Hung)
    );
    assert_eq!(gw.proxy.streams_opened(), 1);
    // ...but after its backoff it does, and frames flow again.
    tokio::time::sleep(Duration::from_millis(2100)).await;
    frame(&gw.proxy, &camera, after).await.unwrap();
    assert_eq!(gw.proxy.streams_opened(), 2);
}

#[tokio::test]
async fn an_ended_stream_and_an_offline_camera_are_told_apart() {
    let gw = gateway(16, quick()).await;
    let camera = gw.cameras[1].camera_id.clone();
    frame(&gw.proxy, &camera, 0).await.unwrap();
    gw.sim.fail_streams(&camera, StreamFault::End).unwrap();
    let error = loop {
        if let Err(error) = gw.proxy.next_frame(&camera, u64::MAX - 1).await {
            break error;
        }
    };
    assert!(matches!(error, MediaError::Failed(_)), "{error:?}");

    let offline = gw.cameras[2].camera_id.clone();
    gw.sim
        .pin_status(
            &offline,
            Some(gridwall_domain::video::CameraStatus::Offline),
        )
        .unwrap();
    assert_eq!(
        gw.proxy.next_frame(&offline, 0).await.err(),
        Some(MediaError::Offline)
    );
    assert_eq!(
        gw.proxy.snapshot(&offline).await.err(),
        Some(MediaError::Offline)
    );
    let snapshot = gw.proxy.snapshot(&camera).await.unwrap();
    assert_eq!(&snapshot[..2], b"\xff\xd8");
    assert_eq!(
        gw.proxy.next_frame("no-such-camera", 0).await.err(),
        Some(MediaError::NotFound)
    );
}

#[tokio::test]
async fn the_media_scheme_answers_frame_numbers_frames_snapshots_and_reasons() {
    let gw = gateway(1, lingering()).await;
    let first = gw.cameras[0].camera_id.clone();
    let second = gw.cameras[1].camera_id.clone();
    let mut answer = gw.proxy.answer(&format!("/live/{first}"), None).await;
    while answer.status == 204 {
        answer = gw.proxy.answer(&format!("/live/{first}"), None).await;
    }
    assert_eq!(answer.status, 200);
    assert!(
        answer.body.is_empty(),
        "a poll answers the frame's number only"
    );
    let seq = answer.seq.expect("a frame number");
    let frame = gw
        .proxy
        .answer(&format!("/frame/{first}/{seq}"), None)
        .await;
    assert_eq!((frame.status, frame.content_type), (200, "image/jpeg"));
    assert_eq!(&frame.body[..2], b"\xff\xd8");
    assert!(frame.seq.is_some_and(|n| n >= seq));
    let unknown = gw.proxy.answer(&format!("/frame/{second}/1"), None).await;
    assert_eq!((unknown.status, unknown.reason), (502, Some("failed")));
    assert_eq!(
        gw.proxy
            .answer(&format!("/frame/{first}/x"), None)
            .await
            .status,
        400
    );
    let next = gw
        .proxy
        .answer(&format!("/live/{first}"), Some(&format!("after={seq}")))
        .await;
    assert!(
        next.seq.is_some_and(|n| n > seq),
        "the next frame after {seq}"
    );

    let capped = gw.proxy.answer(&format!("/live/{second}"), None).await;
    assert_eq!((capped.status, capped.reason), (429, Some("cap")));
    let snapshot = gw.proxy.answer(&format!("/snapshot/{second}"), None).await;
    assert_eq!(
        (snapshot.status, snapshot.content_type),
        (200, "image/jpeg")
    );
    assert_eq!(gw.proxy.answer("/nonsense", None).await.status, 400);
    assert_eq!(
        gw.proxy
            .answer(&format!("/live/{first}"), Some("after=x"))
            .await
            .status,
        400
    );
}

#[tokio::test]
async fn ptz_moves_a_ptz_camera_and_a_refusal_says_why() {
    use gridwall_domain::video::PtzAction;
    use gridwall_wall::video_proxy::PtzError;
    let gw = gateway(16, quick()).await;
    let kind = |k: &str| {
        gw.sim
            .cameras()
            .into_iter()
            .find(|c| {
                serde_json::to_value(c.kind).unwrap() == k
                    && c.status == gridwall_domain::video::CameraStatus::Online
            })
            .unwrap()
            .camera_id
    };
    let ptz = kind("ptz");
    let before = gw.sim.render_frame(&ptz).unwrap();
    gw.proxy.ptz(&ptz, PtzAction::ZoomIn).await.unwrap();
    gw.proxy.ptz(&ptz, PtzAction::Left).await.unwrap();
    assert_ne!(
        gw.sim.render_frame(&ptz).unwrap(),
        before,
        "the camera moved"
    );

    let fixed = kind("fixed");
    let refused = gw.proxy.ptz(&fixed, PtzAction::Left).await;
    assert!(matches!(refused, Err(PtzError::Refused(_))), "{refused:?}");

    // Another console moves a second PTZ camera first: it holds it.
    let held = gw
        .sim
        .cameras()
        .into_iter()
        .filter(|c| serde_json::to_value(c.kind).unwrap() == "ptz")
        .filter(|c| c.status == gridwall_domain::video::CameraStatus::Online)
        .nth(1)
        .unwrap()
        .camera_id;
    let base = gw.sim_base.clone();
    let other = reqwest::Client::new()
        .post(format!("{base}/vnet/v1/cameras/{held}/ptz"))
        .header("x-client-id", "console-2")
        .json(&serde_json::json!({"action": "up"}))
        .send()
        .await
        .unwrap();
    assert_eq!(other.status(), 204);
    match gw.proxy.ptz(&held, PtzAction::Down).await {
        Err(PtzError::Refused(why)) => assert!(why.contains("console-2"), "{why}"),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

/// How a test writes the catalogue's URL.
type Written<'a> = dyn Fn(&str) -> String + 'a;

/// The simulated gateway on `ip` (any port), as `host:port`.
async fn serve_on(sim: &VideoSim, ip: &str) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind((ip, 0)).await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = router(sim.clone()).into_make_service_with_connect_info::<SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    addr
}

/// Issue 18: the catalogue's media URLs in every form RFC 3986 allows reach
/// the gateway with their token, whatever the configured base looks like (a
/// gateway that sent `vnet/v1/…` made the proxy ask `http://host:portvnet/…`).
#[tokio::test]
async fn media_urls_in_every_form_resolve_against_the_gateway_with_their_token() {
    let config = VideoConfig {
        cameras: 50,
        max_streams_per_client: 16,
        faults: Faults {
            token_ttl_secs: 600,
            ..Faults::default()
        },
        ..VideoConfig::default()
    };
    let sim = VideoSim::new(config, Clock::real(), &sites_around_towns(7, 10));
    let gateway = serve_on(&sim, "127.0.0.1").await;
    // Another host and port, as a separate media server would be.
    let media = serve_on(&sim, "127.0.0.2").await;
    let records: Vec<(String, String)> = sim
        .cameras()
        .iter()
        .map(|c| (c.camera_id.clone(), serde_json::to_string(c).unwrap()))
        .collect();
    let camera = catalogue(&records)
        .into_iter()
        .find(|c| c.online && c.mjpeg.is_some())
        .unwrap();
    let snapshot = camera.snapshot.clone();
    let mjpeg = camera.mjpeg.clone().unwrap();
    assert!(
        snapshot.starts_with("/vnet/") && snapshot.contains("token="),
        "the simulator sends root-relative URLs with a token: {snapshot}"
    );

    // (form, configured base, how the catalogue's URL is written)
    let forms: [(&str, String, &Written<'_>); 6] = [
        ("leading slash", format!("http://{gateway}"), &|u| {
            u.to_owned()
        }),
        ("no leading slash", format!("http://{gateway}"), &|u| {
            u.trim_start_matches('/').to_owned()
        }),
        (
            "no leading slash, base with a slash",
            format!("http://{gateway}/"),
            &|u| u.trim_start_matches('/').to_owned(),
        ),
        (
            "../ from a base under a prefix",
            format!("http://{gateway}/gw"),
            &|u| format!("..{u}"),
        ),
        (
            "absolute, same host",
            format!("http://{gateway}/gw/"),
            &|u| format!("http://{gateway}{u}"),
        ),
        (
            "absolute, other host and port",
            format!("http://{gateway}"),
            &|u| format!("http://{media}{u}"),
        ),
    ];
    for (form, base, written) in forms {
        let mut tile = camera.clone();
        tile.snapshot = written(&snapshot);
        tile.mjpeg = Some(written(&mjpeg));
        let cancel = CancellationToken::new();
        let proxy = VideoProxy::new(reqwest::Client::new(), &base, quick(), cancel.clone());
        proxy.set_cap(Some(16));
        proxy.set_catalogue(std::slice::from_ref(&tile));
        let jpeg = proxy
            .snapshot(&tile.camera_id)
            .await
            .unwrap_or_else(|e| panic!("{form}: snapshot: {e}"));
        assert_eq!(&jpeg[..2], b"\xff\xd8", "{form}: a JPEG");
        frame(&proxy, &tile.camera_id, 0)
            .await
            .unwrap_or_else(|e| panic!("{form}: live: {e}"));
        cancel.cancel();
    }

    // The token is what the gateway checks: without it, the same URL is refused.
    let mut tile = camera.clone();
    tile.snapshot = snapshot.split('?').next().unwrap().to_owned();
    let proxy = VideoProxy::new(
        reqwest::Client::new(),
        &format!("http://{gateway}"),
        quick(),
        CancellationToken::new(),
    );
    proxy.set_catalogue(&[tile]);
    assert!(matches!(
        proxy.snapshot(&camera.camera_id).await,
        Err(MediaError::Unauthorized(_))
    ));
}
