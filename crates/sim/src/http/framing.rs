//! How stream messages become bytes: through axum's `Sse` (one framing, LF
//! line ends), or under the `sse_framing` fault written by hand in every
//! framing the WHATWG event-stream format allows, so a client that parses
//! only what axum writes is caught here rather than by a real platform.
//!
//! A hand-framed stream opens with a BOM, straight followed by whatever
//! comes first (often the first message's `event:` line); then each
//! message picks its line end (LF, CR or CRLF), whether its fields have
//! a space after the colon, whether a comment or `retry:` precedes or
//! follows it, the order of `event:` and `id:`, and whether its
//! data is spread over several `data:` lines (pretty-printed JSON, which the
//! client joins with LF and parses the same). About one message in 300 is
//! cut in the middle and the stream ends there, as a dropped connection
//! leaves it: the client must drop that half message and resume from the
//! last whole one.

use std::convert::Infallible;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{HeaderValue, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;

/// One message of the change stream.
pub struct Frame {
    pub event: &'static str,
    pub id: u64,
    pub data: String,
}

/// Whether a frame got out.
#[derive(PartialEq, Eq)]
pub enum Sent {
    Whole,
    /// Written only in part; the stream is over.
    Cut,
    /// The client is gone.
    Gone,
}

/// The writing end of one stream.
pub enum Out {
    Sse(mpsc::Sender<Result<Event, Infallible>>),
    Raw {
        tx: mpsc::Sender<Result<Bytes, Infallible>>,
        // Boxed: the generator's state is large beside a sender.
        framer: Box<Framer>,
    },
}

impl Out {
    /// A stream and the response that carries it; hand-framed when `seed` is given.
    pub fn open(ping: Duration, seed: Option<u64>) -> (Out, Response) {
        match seed {
            None => {
                let (tx, rx) = mpsc::channel(256);
                let response = Sse::new(ReceiverStream::new(rx))
                    .keep_alive(KeepAlive::new().interval(ping).text("ping"))
                    .into_response();
                (Out::Sse(tx), response)
            }
            Some(seed) => {
                let (tx, rx) = mpsc::channel(256);
                let mut response = Body::from_stream(ReceiverStream::new(rx)).into_response();
                let h = response.headers_mut();
                h.insert(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("text/event-stream"),
                );
                h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
                let framer = Box::new(Framer::new(seed));
                (Out::Raw { tx, framer }, response)
            }
        }
    }

    pub async fn send(&mut self, frame: Frame) -> Sent {
        match self {
            Out::Sse(tx) => {
                let event = Event::default()
                    .event(frame.event)
                    .id(frame.id.to_string())
                    .data(frame.data);
                match tx.send(Ok(event)).await {
                    Ok(()) => Sent::Whole,
                    Err(_) => Sent::Gone,
                }
            }
            Out::Raw { tx, framer } => {
                let (bytes, cut) = framer.message(&frame);
                match tx.send(Ok(bytes)).await {
                    Err(_) => Sent::Gone,
                    Ok(()) if cut => Sent::Cut,
                    Ok(()) => Sent::Whole,
                }
            }
        }
    }

    /// A `: ping` comment, for hand-framed streams (axum's keep-alive pings the other kind).
    pub async fn ping(&mut self) -> bool {
        match self {
            Out::Sse(_) => true,
            Out::Raw { tx, framer } => tx.send(Ok(framer.comment("ping"))).await.is_ok(),
        }
    }

    pub fn hand_framed(&self) -> bool {
        matches!(self, Out::Raw { .. })
    }

    pub async fn closed(&self) {
        match self {
            Out::Sse(tx) => tx.closed().await,
            Out::Raw { tx, .. } => tx.closed().await,
        }
    }
}

/// Writes messages in a framing drawn from its seed.
pub struct Framer {
    rng: ChaCha8Rng,
    opened: bool,
}

const ENDS: [&str; 3] = ["\n", "\r", "\r\n"];

impl Framer {
    pub fn new(seed: u64) -> Framer {
        Framer {
            rng: ChaCha8Rng::seed_from_u64(seed),
            opened: false,
        }
    }

    /// The bytes of one message, and whether they stop short of its end.
    pub fn message(&mut self, frame: &Frame) -> (Bytes, bool) {
        let end = ENDS[self.rng.random_range(0..ENDS.len())];
        let sep = if self.rng.random_bool(0.5) { ": " } else { ":" };
        let mut out = self.preamble();
        if self.rng.random_bool(0.1) {
            out.push_str(&format!("retry{sep}1500{end}"));
        }
        if self.rng.random_bool(0.2) {
            out.push_str(&format!(":comment before {}{end}", frame.id));
        }
        let fields = [
            format!("event{sep}{}{end}", frame.event),
            format!("id{sep}{}{end}", frame.id),
        ];
        let id_first = self.rng.random_bool(0.5);
        if id_first {
            out.push_str(&fields[1]);
            out.push_str(&fields[0]);
        } else {
            out.push_str(&fields[0]);
            out.push_str(&fields[1]);
        }
        let multi_line = self.rng.random_bool(0.3);
        let pretty = multi_line
            .then(|| serde_json::from_str::<serde_json::Value>(&frame.data).ok())
            .flatten()
            .and_then(|v| serde_json::to_string_pretty(&v).ok())
            .map(crate::hostile::escape_surrogates);
        for line in pretty.as_deref().unwrap_or(&frame.data).split('\n') {
            out.push_str(&format!("data{sep}{line}{end}"));
        }
        if self.rng.random_bool(0.1) {
            out.push_str(&format!("retry{sep}2000{end}"));
        }
        out.push_str(end);
        if self.rng.random_bool(1.0 / 300.0) {
            let mut cut = out.len() / 2;
            while !out.is_char_boundary(cut) {
                cut -= 1;
            }
            out.truncate(cut);
            return (Bytes::from(out), true);
        }
        (Bytes::from(out), false)
    }

    pub fn comment(&mut self, text: &str) -> Bytes {
        let end = ENDS[self.rng.random_range(0..ENDS.len())];
        let mut out = self.preamble();
        out.push_str(&format!(":{text}{end}{end}"));
        Bytes::from(out)
    }

    /// What opens the stream, once: the BOM, straight followed by whatever
    /// comes first (a parser that does not drop it loses that line).
    fn preamble(&mut self) -> String {
        if std::mem::replace(&mut self.opened, true) {
            String::new()
        } else {
            "\u{FEFF}".to_owned()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The spec's parsing rules, small and strict, to check the framer against.
    fn parse(bytes: &[u8]) -> Vec<(String, String, String)> {
        let text = std::str::from_utf8(bytes).unwrap();
        let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
        let text = text.replace("\r\n", "\n").replace('\r', "\n");
        let mut out = Vec::new();
        let (mut event, mut id, mut data): (String, String, Option<String>) =
            (String::new(), String::new(), None);
        for line in text.split('\n') {
            if line.is_empty() {
                if let Some(d) = data.take() {
                    out.push((std::mem::take(&mut event), id.clone(), d));
                }
                continue;
            }
            if line.starts_with(':') {
                continue;
            }
            let (f, v) = line.split_once(':').unwrap_or((line, ""));
            let v = v.strip_prefix(' ').unwrap_or(v).to_owned();
            match f {
                "event" => event = v,
                "id" => id = v,
                "data" => data = Some(data.map_or(v.clone(), |d| format!("{d}\n{v}"))),
                "retry" => {}
                other => panic!("unknown field {other:?}"),
            }
        }
        out
    }

    #[test]
    fn every_framing_parses_back_to_the_same_messages() {
        let mut framer = Framer::new(7);
        let mut bytes = Vec::new();
        let mut sent = Vec::new();
        let mut ends = std::collections::HashSet::new();
        let mut cuts = 0;
        for n in 0..2_000u64 {
            let data = format!(r#"{{"id":"SJ{n}","title":"第{n}件\n"}}"#);
            let (b, cut) = framer.message(&Frame {
                event: "event",
                id: n,
                data: data.clone(),
            });
            if cut {
                // A stream ends at a cut; the next message starts a new one.
                cuts += 1;
                framer = Framer::new(n);
                continue;
            }
            for end in ["\r\n", "\r", "\n"] {
                if std::str::from_utf8(&b).unwrap().contains(end) {
                    ends.insert(end);
                }
            }
            bytes.extend_from_slice(&b);
            sent.push((n, data));
        }
        assert_eq!(ends.len(), 3, "LF, CR and CRLF all used");
        assert!(cuts > 0, "some messages are cut");
        // Parse stream by stream: a BOM only counts at a stream's start, so
        // split where one was written.
        let text = String::from_utf8(bytes).unwrap();
        let mut got = Vec::new();
        for part in text.split('\u{FEFF}').filter(|p| !p.is_empty()) {
            got.extend(parse(part.as_bytes()));
        }
        assert_eq!(got.len(), sent.len());
        for ((event, id, data), (n, sent)) in got.iter().zip(&sent) {
            assert_eq!(event, "event");
            assert_eq!(id, &n.to_string());
            let a: serde_json::Value = serde_json::from_str(data).unwrap();
            let b: serde_json::Value = serde_json::from_str(sent).unwrap();
            assert_eq!(a, b);
        }
    }
}
