//! Faults the contract says a client must survive, on demand.
//!
//! Transport faults (errors, latency, 429 bursts) are an axum middleware over
//! the contract's routes; delivery faults (duplicates, reordered backfill,
//! malformed copies, unknown fields) are applied where pages and stream
//! messages are written; data faults (unknown enum values, hostile text) are
//! handed to the generator so they become part of the record. Stream cuts and
//! resets go to every open stream through a broadcast channel.

use std::sync::Mutex;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;

/// The switchable faults. All off by default; fractions are in `[0, 1]`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Faults {
    /// Share of API requests answered 503 with a problem document.
    pub error_rate: f64,
    /// Added to every API request, in real milliseconds.
    pub latency_ms: u64,
    /// The next this many API requests are answered 429 with Retry-After.
    pub rate_limit_burst: u32,
    /// Seconds in Retry-After of a 429 (at least 1).
    pub retry_after_s: u32,
    /// Share of feed entries delivered twice (pages and stream).
    pub duplicate_rate: f64,
    /// Backfill pages repeat older revisions of an event after its newer one.
    pub reorder_backfill: bool,
    /// Share of feed entries preceded by a broken copy (wrong types, missing
    /// fields, an unknown state); the genuine entry still follows.
    pub malformed_rate: f64,
    /// Every object served gets a field the contract does not name.
    pub unknown_fields: bool,
    /// Share of new events with an unknown `source` or `category`.
    pub unknown_values: f64,
    /// Share of new events with hostile free text (markup, 8,000 characters, odd Unicode).
    pub hostile_text: f64,
    /// Each stream ends after this many messages.
    pub stream_cut_after: Option<u32>,
    /// Every `since` or Last-Event-ID below the head is answered as expired.
    pub all_gone: bool,
    /// The next this many `POST /api/v1/broadcasts` commit the broadcast and
    /// then drop the connection without a response, as the contract warns a
    /// server may (a client must retry with the same idempotency key).
    pub drop_broadcast_responses: u32,
    /// Streams use every framing the SSE format allows: CR, LF or CRLF line
    /// ends, a BOM first, `retry:`, comments, data over several lines, no
    /// space after the colon, and now and then a message cut in the middle
    /// (the stream then ends). See `http/framing.rs`.
    pub sse_framing: bool,
    /// Page tokens of grids and workers hold characters a query must
    /// percent-encode (`/`, `+`, `&`, `=`, `#`, `%`, space, non-ASCII).
    pub escaped_page_tokens: bool,
    /// Each stream sends `event: reset` whose `id:` is the head after this
    /// many messages, then ends: a client must take a snapshot, not resume
    /// from that id.
    pub reset_after: Option<u32>,
    /// Attachment URLs of new events are relative without a leading slash
    /// (`files/...`) for half of them, rather than `/files/...`.
    pub relative_urls: bool,
    /// Some grids, villages and workers are named with hostile text
    /// (see [`crate::hostile::name`]).
    pub hostile_names: bool,
}

impl Faults {
    /// The faults of the hostile profile ([`crate::hostile`]).
    pub fn hostile() -> Faults {
        crate::hostile::faults()
    }

    pub fn validate(&self) -> Result<(), String> {
        for (name, value) in [
            ("error_rate", self.error_rate),
            ("duplicate_rate", self.duplicate_rate),
            ("malformed_rate", self.malformed_rate),
            ("unknown_values", self.unknown_values),
            ("hostile_text", self.hostile_text),
        ] {
            if !(0.0..=1.0).contains(&value) {
                return Err(format!("{name} must be between 0 and 1, got {value}"));
            }
        }
        Ok(())
    }
}

/// A command to every open stream.
#[derive(Clone, Debug)]
pub enum StreamControl {
    /// End the stream without a word, as a load balancer would.
    Cut,
    /// Send `event: reset` with this reason, then end.
    Reset(String),
}

/// The faults in force and the dice that decide which request they hit.
pub struct FaultState {
    faults: Mutex<(Faults, ChaCha8Rng)>,
    pub streams: broadcast::Sender<StreamControl>,
}

/// What the middleware should do with one request.
pub enum Verdict {
    Pass,
    Fail,
    RateLimited { retry_after_s: u32 },
}

impl FaultState {
    pub fn new(faults: Faults, seed: u64) -> FaultState {
        FaultState {
            faults: Mutex::new((faults, ChaCha8Rng::seed_from_u64(seed ^ 0x4641_554c_5453))),
            streams: broadcast::channel(16).0,
        }
    }

    pub fn get(&self) -> Faults {
        self.faults.lock().expect("fault lock").0.clone()
    }

    pub fn set(&self, faults: Faults) {
        self.faults.lock().expect("fault lock").0 = faults;
    }

    /// Decides the fate of one API request (and counts down a 429 burst).
    pub fn judge(&self) -> (Verdict, u64) {
        let mut guard = self.faults.lock().expect("fault lock");
        let (faults, rng) = &mut *guard;
        let latency = faults.latency_ms;
        if faults.rate_limit_burst > 0 {
            faults.rate_limit_burst -= 1;
            return (
                Verdict::RateLimited {
                    retry_after_s: faults.retry_after_s.max(1),
                },
                latency,
            );
        }
        if faults.error_rate > 0.0 && rng.random_bool(faults.error_rate.min(1.0)) {
            return (Verdict::Fail, latency);
        }
        (Verdict::Pass, latency)
    }

    /// Whether this broadcast's response is to be dropped (and counts one down).
    pub fn take_broadcast_drop(&self) -> bool {
        let mut guard = self.faults.lock().expect("fault lock");
        let faults = &mut guard.0;
        if faults.drop_broadcast_responses == 0 {
            return false;
        }
        faults.drop_broadcast_responses -= 1;
        true
    }

    /// A roll of the dice at probability `p`.
    pub fn roll(&self, p: f64) -> bool {
        if p <= 0.0 {
            return false;
        }
        self.faults
            .lock()
            .expect("fault lock")
            .1
            .random_bool(p.min(1.0))
    }

    /// A number in `0..n`, to pick a kind of breakage.
    pub fn pick(&self, n: usize) -> usize {
        self.faults.lock().expect("fault lock").1.random_range(0..n)
    }
}

/// The unknown field added to objects under the `unknown_fields` fault.
pub const UNKNOWN_FIELD: &str = r#""x_platform_v14":{"trace":"upgrade-canary","tags":["新字段"]}"#;

/// Adds [`UNKNOWN_FIELD`] to a serialised JSON object.
pub fn with_unknown_field(json: &str) -> String {
    match json.strip_prefix('{') {
        Some(rest) if rest.trim_start().starts_with('}') => format!("{{{UNKNOWN_FIELD}{rest}"),
        Some(rest) => format!("{{{UNKNOWN_FIELD},{rest}"),
        None => json.to_owned(),
    }
}

/// Adds the unknown field to every object of every array in a response body.
pub fn add_unknown_fields(value: &mut serde_json::Value) {
    let field: serde_json::Value =
        serde_json::from_str(&format!("{{{UNKNOWN_FIELD}}}")).expect("valid field");
    let add = |v: &mut serde_json::Value| {
        if let (Some(obj), Some(extra)) = (v.as_object_mut(), field.as_object()) {
            for (k, x) in extra {
                obj.insert(k.clone(), x.clone());
            }
        }
    };
    if let Some(obj) = value.as_object_mut() {
        for (_, v) in obj.iter_mut() {
            if let Some(items) = v.as_array_mut() {
                items.iter_mut().for_each(add);
            }
        }
    }
    add(value);
}

/// A broken copy of a serialised event, of kind `kind` (0..4): wrong types,
/// a missing required field, an unknown state, or not JSON at all.
pub fn malformed(json: &str, kind: usize) -> String {
    let Ok(mut value) = serde_json::from_str::<serde_json::Value>(json) else {
        return json.to_owned();
    };
    match kind % 4 {
        0 => {
            value["severity"] = "high".into();
            value["revision"] = serde_json::Value::String(value["revision"].to_string());
        }
        1 => {
            if let Some(obj) = value.as_object_mut() {
                obj.remove("grid_id");
                obj.remove("reported_at");
            }
        }
        2 => value["state"] = "archived".into(),
        _ => {
            let mut text = value.to_string();
            text.truncate(text.len() / 2);
            return text;
        }
    }
    value.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_field_keeps_the_object_valid_json() {
        let v: serde_json::Value = serde_json::from_str(&with_unknown_field(r#"{"a":1}"#)).unwrap();
        assert_eq!(v["a"], 1);
        assert!(v.get("x_platform_v14").is_some());
        let empty: serde_json::Value = serde_json::from_str(&with_unknown_field("{}")).unwrap();
        assert!(empty.get("x_platform_v14").is_some());
    }

    #[test]
    fn every_malformed_copy_fails_a_strict_parse() {
        let json = r#"{"id":"SJ1","revision":1,"seq":1,"source":"risk","category":"safety.gas","severity":1,"state":"reported","grid_id":"G","reported_at":"2026-01-01T00:00:00+08:00","updated_at":"2026-01-01T00:00:00+08:00","title":"t"}"#;
        assert!(serde_json::from_str::<gridwall_domain::governance::Event>(json).is_ok());
        for kind in 0..4 {
            let broken = malformed(json, kind);
            assert!(
                serde_json::from_str::<gridwall_domain::governance::Event>(&broken).is_err(),
                "kind {kind} parsed: {broken}"
            );
        }
    }
}
