//! A gateway on a free port, a contract to validate against, and an MJPEG reader.

use std::net::SocketAddr;
use std::time::Duration;

use futures_util::StreamExt;
use gridwall_domain::clock::Clock;
use gridwall_sim_video::{VideoConfig, VideoSim, router, sites_around_towns};
use serde_json::Value;

/// A running gateway: its base URL, the simulator behind it, and a client.
pub struct Gateway {
    pub base: String,
    pub sim: VideoSim,
    pub http: reqwest::Client,
}

impl Gateway {
    /// A gateway over camera sites around Cixi's towns, with `config`.
    pub async fn start(config: VideoConfig) -> Self {
        Self::start_at_speed(config, 1.0).await
    }

    /// A gateway whose clock runs `speed` times faster than real time.
    pub async fn start_at_speed(config: VideoConfig, speed: f64) -> Self {
        let clock = Clock::starting_at(time::macros::datetime!(2026-11-27 10:00 +8), speed);
        let sim = VideoSim::new(config, clock, &sites_around_towns(7, 20));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let app = router(sim.clone()).into_make_service_with_connect_info::<SocketAddr>();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Self {
            base: format!("http://{addr}"),
            sim,
            http: reqwest::Client::new(),
        }
    }

    pub async fn default() -> Self {
        Self::start(config()).await
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn get_json(&self, path: &str) -> Value {
        let response = self.http.get(self.url(path)).send().await.unwrap();
        assert_eq!(response.status(), 200, "GET {path}");
        response.json().await.unwrap()
    }

    /// The id of the first camera of `kind` that is online now.
    pub fn online_camera(&self, kind: &str) -> String {
        self.sim
            .cameras()
            .into_iter()
            .find(|c| {
                serde_json::to_value(c.kind).unwrap() == kind
                    && c.status.eq(&gridwall_domain::video::CameraStatus::Online)
            })
            .unwrap_or_else(|| panic!("no online {kind} camera"))
            .camera_id
    }

    /// Opens a live stream as `client`.
    pub async fn open_stream(&self, camera_id: &str, client: &str) -> reqwest::Response {
        self.http
            .get(self.url(&format!("/vnet/v1/cameras/{camera_id}/live.mjpeg?fps=10")))
            .header("x-client-id", client)
            .send()
            .await
            .unwrap()
    }

    /// Waits (up to 5 s) until `client` holds `expected` streams by the admin's count.
    pub async fn wait_for_streams(&self, client: &str, expected: u32) {
        for _ in 0..100 {
            let report = self.get_json("/admin/video/streams").await;
            if report["clients"][format!("id:{client}")]["current"] == expected {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("{client} never came to hold {expected} streams");
    }
}

/// A gateway of 800 cameras: enough for every kind, small enough to page through quickly.
pub fn config() -> VideoConfig {
    VideoConfig {
        cameras: 800,
        ..VideoConfig::default()
    }
}

/// The video contract, as JSON.
fn contract() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/upstream/video-network-api.yaml"
    );
    let yaml = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("reading the contract at {path}: {e}"));
    serde_norway::from_str(&yaml).unwrap()
}

/// Replaces every `$ref` to `#/components/schemas/X` with the schema itself
/// (the contract has no recursive schemas), so the validator needs no resolver.
fn inline_refs(value: &Value, components: &Value) -> Value {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(target)) = map.get("$ref") {
                let name = target
                    .strip_prefix("#/components/schemas/")
                    .expect("only component refs");
                return inline_refs(&components[name], components);
            }
            Value::Object(
                map.iter()
                    .map(|(k, v)| (k.clone(), inline_refs(v, components)))
                    .collect(),
            )
        }
        Value::Array(items) => {
            Value::Array(items.iter().map(|v| inline_refs(v, components)).collect())
        }
        other => other.clone(),
    }
}

/// The schema of the 200 response of `GET path` (a path as the contract spells it).
pub fn response_schema(path: &str) -> Value {
    let contract = contract();
    let schema = &contract["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]
        ["schema"];
    assert!(
        schema.is_object(),
        "no JSON schema for GET {path} in the contract"
    );
    inline_refs(schema, &contract["components"]["schemas"])
}

/// A named component schema, with its refs inlined.
pub fn component_schema(name: &str) -> Value {
    let contract = contract();
    inline_refs(
        &contract["components"]["schemas"][name],
        &contract["components"]["schemas"],
    )
}

pub fn assert_valid(schema: &Value, instance: &Value) {
    if let Err(error) = jsonschema::validate(schema, instance) {
        panic!("{error} at {}\nin {instance:#}", error.instance_path());
    }
}

/// Reads `multipart/x-mixed-replace` parts from a streaming response.
pub struct Parts {
    body: std::pin::Pin<Box<dyn futures_util::Stream<Item = reqwest::Result<bytes::Bytes>> + Send>>,
    buffer: Vec<u8>,
    boundary: String,
    /// Whether the body has ended.
    pub ended: bool,
}

/// What the next read of a stream gave.
#[derive(Debug)]
pub enum Next {
    Frame(Vec<u8>),
    /// The body ended; the bytes left over that made no whole part.
    End(Vec<u8>),
    /// Nothing came within the timeout.
    Silent,
}

impl Parts {
    pub fn new(response: reqwest::Response) -> Self {
        let content_type = response.headers()["content-type"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(
            content_type.starts_with("multipart/x-mixed-replace"),
            "{content_type}"
        );
        let boundary = content_type
            .split("boundary=")
            .nth(1)
            .expect("a boundary")
            .to_owned();
        Self {
            body: Box::pin(response.bytes_stream()),
            buffer: Vec::new(),
            boundary,
            ended: false,
        }
    }

    /// The next whole JPEG, or how the stream stopped giving one within `timeout`.
    pub async fn next(&mut self, timeout: Duration) -> Next {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            if let Some(frame) = self.take_part() {
                return Next::Frame(frame);
            }
            match tokio::time::timeout_at(deadline, self.body.next()).await {
                Err(_) => return Next::Silent,
                Ok(Some(Ok(chunk))) => self.buffer.extend_from_slice(&chunk),
                Ok(Some(Err(_)) | None) => {
                    self.ended = true;
                    return Next::End(std::mem::take(&mut self.buffer));
                }
            }
        }
    }

    pub async fn frame(&mut self) -> Vec<u8> {
        match self.next(Duration::from_secs(5)).await {
            Next::Frame(frame) => frame,
            other => panic!("expected a frame, got {other:?}"),
        }
    }

    fn take_part(&mut self) -> Option<Vec<u8>> {
        let text = String::from_utf8_lossy(&self.buffer[..self.buffer.len().min(200)]).into_owned();
        let head_end = text.find("\r\n\r\n")?;
        let head = &text[..head_end];
        assert!(
            head.starts_with(&format!("--{}", self.boundary)),
            "a part starts with the boundary: {head:?}"
        );
        let length: usize = head
            .lines()
            .find_map(|l| l.strip_prefix("Content-Length: "))
            .expect("a part has a Content-Length")
            .parse()
            .unwrap();
        let start = head_end + 4;
        if self.buffer.len() < start + length + 2 {
            return None;
        }
        let frame = self.buffer[start..start + length].to_vec();
        self.buffer.drain(..start + length + 2);
        Some(frame)
    }
}

/// Decodes a JPEG into (width, height, RGB pixels).
pub fn decode(jpeg: &[u8]) -> (u16, u16, Vec<u8>) {
    let mut decoder = jpeg_decoder::Decoder::new(jpeg);
    let pixels = decoder.decode().expect("a valid JPEG");
    let info = decoder.info().unwrap();
    (info.width, info.height, pixels)
}

/// Mean absolute difference of two equally sized pictures, per channel value.
pub fn difference(a: &[u8], b: &[u8]) -> f64 {
    assert_eq!(a.len(), b.len());
    a.iter()
        .zip(b)
        .map(|(x, y)| f64::from(x.abs_diff(*y)))
        .sum::<f64>()
        / a.len() as f64
}
