//! One request with the contract's retry rules: 429 waits for Retry-After;
//! 5xx and dropped connections wait an exponential backoff with jitter (capped);
//! anything else is the caller's answer. Every wait ends early on cancel, and
//! no path retries without waiting, so an upstream in trouble is never hammered.

use std::sync::Arc;
use std::time::Duration;

use rand::Rng;
use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderValue, RETRY_AFTER};
use reqwest::{Response, StatusCode};
use tokio_util::sync::CancellationToken;

use crate::config::Secret;
use crate::health::Tracker;
use crate::{Error, IngestConfig, Result};

/// Exponential backoff with "equal jitter": half of the doubled delay is
/// fixed, half random, so retries spread out but never come back at once.
#[derive(Clone, Debug)]
pub struct Backoff {
    base: Duration,
    cap: Duration,
    attempt: u32,
}

impl Backoff {
    pub fn new(base: Duration, cap: Duration) -> Backoff {
        Backoff {
            base,
            cap,
            attempt: 0,
        }
    }

    /// The next delay; each call doubles the ceiling up to the cap.
    pub fn next_delay(&mut self) -> Duration {
        let ceiling = self
            .base
            .saturating_mul(1u32 << self.attempt.min(20))
            .min(self.cap);
        self.attempt = self.attempt.saturating_add(1);
        let half = ceiling / 2;
        half + rand::rng().random_range(Duration::ZERO..=half)
    }

    pub fn reset(&mut self) {
        self.attempt = 0;
    }
}

/// Sleeps `delay`, or returns `Cancelled` as soon as `cancel` fires.
pub async fn pause(delay: Duration, cancel: &CancellationToken) -> Result<()> {
    tokio::select! {
        () = tokio::time::sleep(delay) => Ok(()),
        () = cancel.cancelled() => Err(Error::Cancelled),
    }
}

/// The seconds of a Retry-After header (the HTTP-date form is not used by
/// the platform; it falls back to the backoff).
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let secs: u64 = headers
        .get(RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()?;
    Some(Duration::from_secs(secs))
}

/// The HTTP side of the client: one reqwest client, the retry timings, and
/// the tracker that hears of every contact and failure.
#[derive(Clone)]
pub(crate) struct Http {
    client: reqwest::Client,
    config: Arc<IngestConfig>,
    tracker: Arc<Tracker>,
}

impl Http {
    pub fn new(config: Arc<IngestConfig>, tracker: Arc<Tracker>) -> Result<Http> {
        let client = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .user_agent(concat!("gridwall-ingest/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Error::Config(format!("cannot build the HTTP client: {e}")))?;
        Ok(Http {
            client,
            config,
            tracker,
        })
    }

    pub fn config(&self) -> &IngestConfig {
        &self.config
    }

    /// GETs `url` until it answers something other than 429, 5xx or a dropped
    /// connection, and returns that answer with its head read (the body is the
    /// caller's). `timeout` bounds one attempt; `None` for a stream.
    pub async fn get(
        &self,
        url: &str,
        token: Option<&Secret>,
        extra: &HeaderMap,
        timeout: Option<Duration>,
        cancel: &CancellationToken,
    ) -> Result<Response> {
        let mut backoff = Backoff::new(self.config.backoff_base, self.config.backoff_cap);
        loop {
            let mut request = self.client.get(url).headers(extra.clone());
            if let Some(token) = token {
                let mut value = HeaderValue::from_str(&format!("Bearer {}", token.expose()))
                    .map_err(|_| {
                        Error::Config(
                            "the bearer token has characters a header cannot carry".into(),
                        )
                    })?;
                value.set_sensitive(true);
                request = request.header(AUTHORIZATION, value);
            }
            if let Some(timeout) = timeout {
                request = request.timeout(timeout);
            }
            let sent = tokio::select! {
                sent = request.send() => sent,
                () = cancel.cancelled() => return Err(Error::Cancelled),
            };
            let delay = match sent {
                Err(e) => {
                    self.tracker.failed();
                    let delay = backoff.next_delay();
                    // reqwest's error names the URL, never the headers.
                    tracing::warn!(%url, error = %e, ?delay, "request failed; retrying");
                    delay
                }
                Ok(response) if response.status() == StatusCode::TOO_MANY_REQUESTS => {
                    self.tracker.contact(self.config.clock.now());
                    let delay =
                        retry_after(response.headers()).unwrap_or_else(|| backoff.next_delay());
                    tracing::warn!(%url, ?delay, "rate limited (429); waiting as Retry-After asks");
                    delay
                }
                Ok(response) if response.status().is_server_error() => {
                    self.tracker.failed();
                    let delay = backoff.next_delay();
                    tracing::warn!(%url, status = response.status().as_u16(), ?delay, "upstream error; retrying");
                    delay
                }
                Ok(response) => {
                    self.tracker.contact(self.config.clock.now());
                    return Ok(response);
                }
            };
            pause(delay, cancel).await?;
        }
    }

    /// GETs `url` and reads the whole body, retrying (with the same rules) a
    /// body cut off in transfer. Returns the status, headers and bytes.
    pub async fn get_body(
        &self,
        url: &str,
        token: Option<&Secret>,
        extra: &HeaderMap,
        cancel: &CancellationToken,
    ) -> Result<(StatusCode, HeaderMap, Vec<u8>)> {
        let mut backoff = Backoff::new(self.config.backoff_base, self.config.backoff_cap);
        loop {
            let response = self
                .get(url, token, extra, Some(Duration::from_secs(120)), cancel)
                .await?;
            let status = response.status();
            let headers = response.headers().clone();
            let body = tokio::select! {
                body = response.bytes() => body,
                () = cancel.cancelled() => return Err(Error::Cancelled),
            };
            match body {
                Ok(bytes) => return Ok((status, headers, bytes.to_vec())),
                Err(e) => {
                    self.tracker.failed();
                    let delay = backoff.next_delay();
                    tracing::warn!(%url, error = %e, ?delay, "body cut off; retrying");
                    pause(delay, cancel).await?;
                }
            }
        }
    }
}

/// An answer the caller did not expect, as an error that names the URL and
/// the platform's problem detail (never the request headers).
pub(crate) fn unexpected(url: &str, status: StatusCode, body: &[u8]) -> Error {
    let detail = serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v.get("detail").and_then(|d| d.as_str()).map(str::to_owned))
        .unwrap_or_else(|| String::from_utf8_lossy(&body[..body.len().min(200)]).into_owned());
    Error::Upstream {
        url: url.to_owned(),
        status: status.as_u16(),
        detail,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_to_the_cap_and_never_waits_nothing() {
        let mut b = Backoff::new(Duration::from_millis(100), Duration::from_secs(1));
        let delays: Vec<Duration> = (0..8).map(|_| b.next_delay()).collect();
        assert!(delays[0] >= Duration::from_millis(50) && delays[0] <= Duration::from_millis(100));
        assert!(delays.iter().all(|d| *d >= Duration::from_millis(50)));
        assert!(delays[7] >= Duration::from_millis(500) && delays[7] <= Duration::from_secs(1));
        b.reset();
        assert!(b.next_delay() <= Duration::from_millis(100));
    }

    #[test]
    fn retry_after_reads_seconds() {
        let mut h = HeaderMap::new();
        h.insert(RETRY_AFTER, HeaderValue::from_static("7"));
        assert_eq!(retry_after(&h), Some(Duration::from_secs(7)));
        h.insert(
            RETRY_AFTER,
            HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"),
        );
        assert_eq!(retry_after(&h), None);
    }
}
