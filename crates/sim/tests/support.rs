//! Shared by the tests: a running simulator, the contract, an SSE reader.

use std::sync::OnceLock;
use std::time::Duration;

use gridwall_sim::{Running, Simulator, SimulatorBuilder};
use serde_json::Value;
use tokio_util::sync::CancellationToken;

/// A simulator with a day of history, at `speed`, without the video half.
pub fn builder(speed: f64) -> SimulatorBuilder {
    let start = time::macros::datetime!(2026-11-27 10:00 +8);
    let builder = Simulator::builder().seed(7).speed(speed).start(start);
    #[cfg(feature = "video")]
    let builder = builder.video(None);
    builder
}

pub struct Sim {
    pub running: Running,
    pub http: reqwest::Client,
    _cancel: CancellationToken,
}

impl Sim {
    pub async fn start(builder: SimulatorBuilder) -> Sim {
        let cancel = CancellationToken::new();
        let running = builder
            .build()
            .expect("simulator builds")
            .serve("127.0.0.1:0".parse().unwrap(), cancel.clone())
            .await
            .expect("simulator serves");
        Sim {
            running,
            http: reqwest::Client::new(),
            _cancel: cancel,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.running.base_url())
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.http.get(self.url(path)).send().await.expect("request")
    }

    /// GETs `path`, expects `status`, and returns the JSON body.
    pub async fn get_json(&self, path: &str, status: u16) -> Value {
        let response = self.get(path).await;
        assert_eq!(response.status().as_u16(), status, "GET {path}");
        response.json().await.expect("json body")
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> reqwest::Response {
        self.http
            .post(self.url(path))
            .json(body)
            .send()
            .await
            .expect("request")
    }

    pub async fn put_json(&self, path: &str, body: &Value) -> Value {
        let response = self
            .http
            .put(self.url(path))
            .json(body)
            .send()
            .await
            .expect("request");
        assert!(
            response.status().is_success(),
            "PUT {path}: {}",
            response.status()
        );
        response.json().await.expect("json body")
    }

    /// Reports an event now through the admin route; returns its id.
    pub async fn inject(&self, title: &str) -> String {
        let grid = self.running.shared().city.grids()[0].grid_id.clone();
        let response = self
            .post_json(
                "/admin/events",
                &serde_json::json!({
                    "grid_id": grid, "source": "police_110", "category": "dispute.neighbour",
                    "severity": 3, "title": title
                }),
            )
            .await;
        assert_eq!(response.status().as_u16(), 201);
        let body: Value = response.json().await.unwrap();
        body["id"].as_str().unwrap().to_owned()
    }
}

/// The governance contract, as JSON.
pub fn contract() -> &'static Value {
    static CONTRACT: OnceLock<Value> = OnceLock::new();
    CONTRACT.get_or_init(|| {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/upstream/governance-api.yaml"
        );
        let text = std::fs::read_to_string(path).expect("the contract beside the repository");
        serde_norway::from_str(&text).expect("the contract is YAML")
    })
}

/// Validates `instance` against the schema at JSON pointer `pointer` inside
/// the contract, resolving its `#/components/...` references against the
/// whole document.
pub fn assert_matches(pointer: &str, instance: &Value) {
    let mut root = contract().clone();
    root.as_object_mut()
        .unwrap()
        .insert("$ref".into(), Value::String(format!("#{pointer}")));
    let validator = jsonschema::draft202012::new(&root).expect("the contract's schemas compile");
    let errors: Vec<String> = validator
        .iter_errors(instance)
        .take(5)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "response does not match {pointer}: {errors:?}\n{}",
        truncate(&instance.to_string())
    );
}

fn truncate(s: &str) -> String {
    s.chars().take(600).collect()
}

/// The pointer to the JSON schema of a response of the contract.
pub fn response_schema(path: &str, method: &str, status: u16, media: &str) -> String {
    // JSON pointer escapes, then percent-encoding of what a URI fragment may not hold.
    let escape = |s: &str| {
        s.replace('~', "~0")
            .replace('/', "~1")
            .replace('{', "%7B")
            .replace('}', "%7D")
    };
    format!(
        "/paths/{}/{method}/responses/{status}/content/{}/schema",
        escape(path),
        escape(media)
    )
}

pub fn schema_of(name: &str) -> String {
    format!("/components/schemas/{name}")
}

/// One Server-Sent Events message.
#[derive(Clone, Debug, PartialEq)]
pub struct Message {
    pub event: String,
    pub id: Option<String>,
    pub data: String,
}

/// Reads an SSE response message by message; comments are counted.
pub struct SseReader {
    response: reqwest::Response,
    buffer: String,
    pub comments: Vec<String>,
}

impl SseReader {
    pub async fn open(sim: &Sim, last_event_id: Option<u64>) -> SseReader {
        let mut request = sim.http.get(sim.url("/api/v1/events/stream"));
        if let Some(id) = last_event_id {
            request = request.header("Last-Event-ID", id.to_string());
        }
        let response = request.send().await.expect("stream opens");
        assert_eq!(response.status().as_u16(), 200);
        let content_type = response.headers()["content-type"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(
            content_type.starts_with("text/event-stream"),
            "{content_type}"
        );
        SseReader {
            response,
            buffer: String::new(),
            comments: Vec::new(),
        }
    }

    /// The next message, or `None` when the stream ends or `wait` passes.
    pub async fn next(&mut self, wait: Duration) -> Option<Message> {
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let mut message = Message {
                    event: "message".into(),
                    id: None,
                    data: String::new(),
                };
                let mut any = false;
                for line in block.lines() {
                    if let Some(comment) = line.strip_prefix(':') {
                        self.comments.push(comment.trim().to_owned());
                    } else if let Some((field, value)) = line.split_once(':') {
                        let value = value.strip_prefix(' ').unwrap_or(value);
                        any = true;
                        match field {
                            "event" => message.event = value.to_owned(),
                            "id" => message.id = Some(value.to_owned()),
                            "data" => {
                                if !message.data.is_empty() {
                                    message.data.push('\n');
                                }
                                message.data.push_str(value);
                            }
                            _ => {}
                        }
                    }
                }
                if any {
                    return Some(message);
                }
                continue;
            }
            match tokio::time::timeout(wait, self.response.chunk()).await {
                Ok(Ok(Some(bytes))) => self.buffer.push_str(&String::from_utf8_lossy(&bytes)),
                _ => return None,
            }
        }
    }

    /// Whether the server ends the stream within `wait` (messages before the end are dropped).
    pub async fn ends_within(&mut self, wait: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            match tokio::time::timeout_at(deadline, self.response.chunk()).await {
                Ok(Ok(Some(_))) => continue,
                Ok(Ok(None)) | Ok(Err(_)) => return true,
                Err(_) => return false,
            }
        }
    }

    /// Reads until a message whose data contains `needle` (or the stream goes quiet).
    pub async fn find(&mut self, needle: &str, wait: Duration) -> Option<Message> {
        while let Some(message) = self.next(wait).await {
            if message.data.contains(needle) {
                return Some(message);
            }
        }
        None
    }

    /// Collects `n` messages (fewer if the stream ends or goes quiet for `wait`).
    pub async fn take(&mut self, n: usize, wait: Duration) -> Vec<Message> {
        let mut out = Vec::with_capacity(n);
        while out.len() < n {
            match self.next(wait).await {
                Some(m) => out.push(m),
                None => break,
            }
        }
        out
    }
}

/// Every page of `/events` from `since` until `next_since` is null.
pub async fn walk_feed(sim: &Sim, since: u64, limit: usize) -> (Vec<Value>, u64) {
    let mut since = since;
    let mut all = Vec::new();
    loop {
        let page = sim
            .get_json(&format!("/api/v1/events?since={since}&limit={limit}"), 200)
            .await;
        all.extend(page["events"].as_array().unwrap().iter().cloned());
        match page["next_since"].as_u64() {
            Some(next) => since = next,
            None => return (all, page["head_seq"].as_u64().unwrap()),
        }
    }
}
