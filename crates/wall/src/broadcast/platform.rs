//! The broadcast endpoints of the governance platform: the POST with its
//! retries, a broadcast's figures and its acknowledgements page by page.
//!
//! The POST carries an idempotency key chosen before the first try, so every
//! retry is safe: a lost response (the contract says a server may commit
//! and then drop the connection), a timeout, a 5xx or a 429 are retried with
//! the same key and backoff, and the platform answers a known key with the
//! broadcast it already sent. Only a 4xx other than 429 is final.

use std::time::Duration;

use gridwall_domain::governance::{Broadcast, BroadcastAck, NewBroadcast, Problem};
use gridwall_store::{AckRow, PlatformFigures};
use serde::Deserialize;

/// How a POST ended.
#[derive(Debug)]
pub(super) enum Posted {
    Sent(Broadcast),
    /// The platform refused it (a 4xx): why, for the officer.
    Refused(String),
    /// No answer after every try; the key is kept and the send resumed later.
    Unanswered(String),
}

/// Backoff between tries of a POST; after the last, `Posted::Unanswered`.
#[derive(Clone, Debug)]
pub struct Retry {
    pub first: Duration,
    pub max: Duration,
    pub tries: u32,
    /// Each try's own limit (a lost response is seen as a timeout).
    pub timeout: Duration,
}

impl Default for Retry {
    fn default() -> Self {
        // 0.5 + 1 + 2 + 4 + 4 + 4 s between six tries: about 15 s, while
        // the officer waits on the confirm step; later the background retries.
        Retry {
            first: Duration::from_millis(500),
            max: Duration::from_secs(4),
            tries: 6,
            timeout: Duration::from_secs(10),
        }
    }
}

pub(super) struct Platform<'a> {
    pub http: &'a reqwest::Client,
    pub governance: &'a url::Url,
}

fn segment(id: &str) -> String {
    url::form_urlencoded::byte_serialize(id.as_bytes()).collect()
}

impl Platform<'_> {
    fn url(&self, path: &str) -> Result<url::Url, String> {
        self.governance.join(path).map_err(|e| e.to_string())
    }

    pub async fn post(&self, request: &NewBroadcast, retry: &Retry) -> Posted {
        let url = match self.url("/api/v1/broadcasts") {
            Ok(url) => url,
            Err(e) => return Posted::Unanswered(e),
        };
        let mut wait = retry.first;
        let mut last = String::new();
        for attempt in 1..=retry.tries.max(1) {
            let mut pause = wait;
            match self
                .http
                .post(url.clone())
                .timeout(retry.timeout)
                .json(request)
                .send()
                .await
            {
                Ok(response) if response.status().is_success() => {
                    match response.json::<Broadcast>().await {
                        Ok(broadcast) => return Posted::Sent(broadcast),
                        // The body was lost on the way: as good as no answer.
                        Err(e) => last = format!("the answer was cut off ({e})"),
                    }
                }
                Ok(response) if response.status().as_u16() == 429 => {
                    if let Some(secs) = response
                        .headers()
                        .get(reqwest::header::RETRY_AFTER)
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| v.trim().parse::<u64>().ok())
                    {
                        pause = Duration::from_secs(secs.min(60));
                    }
                    last = "the platform is busy (429)".into();
                }
                Ok(response) if response.status().is_client_error() => {
                    let status = response.status();
                    let text = response.text().await.unwrap_or_default();
                    return Posted::Refused(refusal(status, &text));
                }
                Ok(response) => last = format!("the platform answered {}", response.status()),
                Err(e) => last = format!("no answer ({e})"),
            }
            tracing::info!(
                attempt,
                key = request.idempotency_key.as_deref().unwrap_or(""),
                "broadcast not yet answered: {last}; retrying with the same key"
            );
            if attempt < retry.tries {
                tokio::time::sleep(pause).await;
                wait = (wait * 2).min(retry.max);
            }
        }
        Posted::Unanswered(last)
    }

    /// The platform's figures of a broadcast.
    pub async fn figures(&self, id: &str) -> Result<PlatformFigures, String> {
        let url = self.url(&format!("/api/v1/broadcasts/{}", segment(id)))?;
        let broadcast: Broadcast = self.get(url).await?;
        Ok(figures(&broadcast))
    }

    /// Acknowledgements from cursor `after` to the end, and the cursor to
    /// ask from next time. The platform gives no cursor on its last page, so
    /// the next poll starts again at that page's own cursor (its acks come
    /// twice and count once).
    pub async fn acks(
        &self,
        id: &str,
        after: Option<String>,
    ) -> Result<(Vec<AckRow>, Option<String>), String> {
        #[derive(Deserialize)]
        struct Page {
            #[serde(default)]
            acks: Vec<BroadcastAck>,
            #[serde(default)]
            next_after: Option<String>,
        }
        let mut rows = Vec::new();
        let mut cursor = after;
        // A bound on pages per poll (5,000 acks each at most): the next poll goes on.
        for _ in 0..50 {
            let mut url = self.url(&format!("/api/v1/broadcasts/{}/acks", segment(id)))?;
            if let Some(after) = &cursor {
                url.query_pairs_mut().append_pair("after", after);
            }
            let page: Page = self.get(url).await?;
            rows.extend(page.acks.into_iter().map(ack_row));
            match page.next_after {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
        Ok((rows, cursor))
    }

    async fn get<T: serde::de::DeserializeOwned>(&self, url: url::Url) -> Result<T, String> {
        let response = self
            .http
            .get(url)
            .timeout(Duration::from_secs(10))
            .send()
            .await
            .map_err(|e| e.to_string())?;
        if !response.status().is_success() {
            return Err(format!("HTTP {}", response.status()));
        }
        response.json().await.map_err(|e| e.to_string())
    }
}

/// What the officer reads when the platform refuses: the problem's detail
/// (data, shown as text), else its title, else the status.
fn refusal(status: reqwest::StatusCode, body: &str) -> String {
    match serde_json::from_str::<Problem>(body) {
        Ok(problem) => {
            let detail = problem.detail.unwrap_or_default();
            if detail.is_empty() {
                format!("the platform refused the broadcast: {}", problem.title)
            } else {
                format!("the platform refused the broadcast: {detail}")
            }
        }
        Err(_) => format!("the platform refused the broadcast ({status})"),
    }
}

pub(super) fn figures(b: &Broadcast) -> PlatformFigures {
    PlatformFigures {
        broadcast_id: b.broadcast_id.clone(),
        recipients: i64::from(b.recipients),
        acked: i64::from(b.acked),
        sent_at: b.sent_at.unix_timestamp(),
        ack_deadline_at: b.ack_deadline_at.unix_timestamp(),
    }
}

pub(super) fn ack_row(ack: BroadcastAck) -> AckRow {
    AckRow {
        broadcast_id: ack.broadcast_id,
        worker_id: ack.worker_id,
        grid_id: ack.grid_id.unwrap_or_default(),
        acked_at: ack.acked_at.unix_timestamp(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_problem_reads_as_its_detail() {
        let body =
            r#"{"type":"x","title":"bad broadcast","status":400,"detail":"unknown town code 1"}"#;
        assert_eq!(
            refusal(reqwest::StatusCode::BAD_REQUEST, body),
            "the platform refused the broadcast: unknown town code 1"
        );
        assert_eq!(
            refusal(reqwest::StatusCode::BAD_REQUEST, "<html>"),
            "the platform refused the broadcast (400 Bad Request)"
        );
    }
}
