//! What live video costs: CPU per second of wall time while 16 MJPEG streams
//! run at 10 fps, and how many frames a second one core encodes.
//!
//! `cargo bench -p gridwall-sim-video`. Prints figures and asserts nothing.
//! CPU is the whole process's (server and the reading clients together, so an
//! upper bound for the server), read from `/proc/self/stat` (Linux only).

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use gridwall_domain::clock::Clock;
use gridwall_sim_video::{VideoConfig, VideoSim, router, sites_around_towns};

const STREAMS: usize = 16;
const FPS: u32 = 10;
const RUN: Duration = Duration::from_secs(10);

/// User plus system CPU seconds of this process so far.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").expect("/proc/self/stat (Linux only)");
    // Fields after the parenthesised command name; utime and stime are the 14th and 15th.
    let rest = &stat[stat.rfind(')').expect("a command name") + 2..];
    let fields: Vec<&str> = rest.split(' ').collect();
    let ticks: f64 = fields[11].parse::<f64>().unwrap() + fields[12].parse::<f64>().unwrap();
    // USER_HZ is 100 on every Linux this runs on.
    ticks / 100.0
}

fn encode_rate(sim: &VideoSim, camera_id: &str) {
    let frames = 200;
    let cpu = cpu_seconds();
    let started = Instant::now();
    let mut bytes = 0;
    for _ in 0..frames {
        bytes += sim.render_frame(camera_id).unwrap().len();
    }
    let elapsed = started.elapsed().as_secs_f64();
    println!(
        "render+encode, one thread: {:.0} frames/s ({:.2} ms/frame, {:.1} KB/frame, cpu {:.2} s)",
        f64::from(frames) / elapsed,
        elapsed * 1000.0 / f64::from(frames),
        bytes as f64 / f64::from(frames) / 1024.0,
        cpu_seconds() - cpu
    );
}

/// The encoder alone, on a frame-sized picture with some structure.
fn encode_only() {
    let (width, height) = (640u16, 360u16);
    let pixels: Vec<u8> = (0..usize::from(width) * usize::from(height) * 3)
        .map(|i| ((i / 3 % 640) / 40 * 16 + (i / 1920) / 30 * 8) as u8)
        .collect();
    let frames = 200;
    let cpu = cpu_seconds();
    for _ in 0..frames {
        let mut jpeg = Vec::new();
        jpeg_encoder::Encoder::new(&mut jpeg, 70)
            .encode(&pixels, width, height, jpeg_encoder::ColorType::Rgb)
            .unwrap();
    }
    println!(
        "encode only: {:.2} ms CPU/frame",
        (cpu_seconds() - cpu) * 1000.0 / f64::from(frames)
    );
}

async fn run_streams(base: &str, cameras: &[String], label: &str) {
    let client = reqwest::Client::new();
    let cpu = cpu_seconds();
    let started = Instant::now();
    let mut readers = Vec::new();
    for (n, camera_id) in cameras.iter().enumerate() {
        let url = format!("{base}/vnet/v1/cameras/{camera_id}/live.mjpeg?fps={FPS}");
        let response = client
            .get(url)
            .header("x-client-id", format!("bench-{label}"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "stream {n}");
        readers.push(tokio::spawn(async move {
            let mut body = response.bytes_stream();
            let mut bytes = 0usize;
            let deadline = tokio::time::Instant::now() + RUN;
            while let Ok(Some(Ok(chunk))) = tokio::time::timeout_at(deadline, body.next()).await {
                bytes += chunk.len();
            }
            bytes
        }));
    }
    let mut bytes = 0;
    for reader in readers {
        bytes += reader.await.unwrap();
    }
    let wall = started.elapsed().as_secs_f64();
    let cpu = cpu_seconds() - cpu;
    println!(
        "{label}: {} streams at {FPS} fps for {wall:.1} s: {:.2} CPU s per s ({:.0}% of one core), {:.1} MB/s delivered",
        cameras.len(),
        cpu / wall,
        cpu / wall * 100.0,
        bytes as f64 / wall / 1e6
    );
}

fn main() {
    let config = VideoConfig::default();
    let sim = VideoSim::new(config, Clock::real(), &sites_around_towns(1, 20));
    let online: Vec<String> = sim
        .cameras()
        .into_iter()
        .filter(|c| c.status == gridwall_domain::video::CameraStatus::Online)
        .map(|c| c.camera_id)
        .take(STREAMS)
        .collect();
    println!("frames 640x360, JPEG quality 70");
    encode_rate(&sim, &online[0]);
    encode_only();

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let app = router(sim.clone()).into_make_service_with_connect_info::<SocketAddr>();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        run_streams(&base, &online, "16 cameras").await;
        let same = vec![online[0].clone(); STREAMS];
        run_streams(&base, &same, "1 camera, 16 viewers").await;
    });
}
