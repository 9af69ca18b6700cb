//! The stream round of the feed: read `GET /events/stream` from the cursor
//! (`Last-Event-ID`) and commit what it brings in batches, until the server
//! closes it, sends `reset`, or falls silent past the watchdog.

use gridwall_store::{RawRecord, parse_event};
use reqwest::StatusCode;
use reqwest::header::{ACCEPT, HeaderMap, HeaderName, HeaderValue};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::{FeedState, Ingest, StreamEnd};
use crate::health::Phase;
use crate::retry::unexpected;
use crate::sink::Sink;
use crate::sse::{Message, Parser};
use crate::{Error, Result};

const LAST_EVENT_ID: HeaderName = HeaderName::from_static("last-event-id");

impl<S: Sink> Ingest<S> {
    /// Reads the stream from the cursor until it ends; see [`StreamEnd`].
    pub(super) async fn stream(
        &self,
        state: &mut FeedState,
        cancel: &CancellationToken,
    ) -> Result<StreamEnd> {
        let url = self.config.governance("api/v1/events/stream")?;
        let mut headers = HeaderMap::new();
        headers.insert(ACCEPT, HeaderValue::from_static("text/event-stream"));
        if let Some(c) = state.cursor {
            headers.insert(LAST_EVENT_ID, HeaderValue::from(c));
        }
        let mut response = self
            .http
            .get(&url, self.config.token.as_ref(), &headers, None, cancel)
            .await?;
        if response.status() != StatusCode::OK {
            let status = response.status();
            let body = response.bytes().await.unwrap_or_default();
            return Err(unexpected(&url, status, &body));
        }
        tracing::debug!(cursor = ?state.cursor, "stream open");
        let mut parser = Parser::new();
        let mut batch = Batch::default();
        let mut messages = Vec::new();
        let mut delivered = 0usize;
        let mut last_byte = Instant::now();
        let mut repair_at = Instant::now() + self.config.repair_interval;
        self.tracker.set_progress(
            Phase::Live,
            state.cursor.unwrap_or(0),
            self.tracker.health().borrow().head_seq,
        );
        loop {
            let flush_at = batch.first_at.map(|t| t + self.config.batch_wait);
            tokio::select! {
                chunk = response.chunk() => match chunk {
                    Ok(Some(bytes)) => {
                        last_byte = Instant::now();
                        let invalid_before = parser.invalid_lines;
                        parser.feed(&bytes, &mut messages);
                        if parser.invalid_lines > invalid_before {
                            let more = parser.invalid_lines - invalid_before;
                            self.tracker.modify(|h| h.invalid_lines += more);
                        }
                        for message in messages.drain(..) {
                            delivered += 1;
                            if message.event == "reset" {
                                tracing::info!(data = %message.data, "the platform reset the stream");
                                self.flush(&mut batch, state).await?;
                                return Ok(StreamEnd::Reset);
                            }
                            batch.push(message, &self.config.upstream);
                            if batch.len() >= self.config.batch_max {
                                self.flush(&mut batch, state).await?;
                            }
                        }
                        // A record after a quiet spell lands with its chunk:
                        // the wait only gathers records that come close
                        // together (a burst still lands in few batches).
                        if batch.quiet_before(self.config.batch_wait) {
                            self.flush(&mut batch, state).await?;
                        }
                        if parser.overflowed() {
                            // What came before it is in the batch; the
                            // message itself is read from pages next round.
                            tracing::warn!(
                                limit = crate::sse::MAX_MESSAGE,
                                "a stream message over the size bound; reading on from pages"
                            );
                            self.tracker.modify(|h| h.oversized_messages += 1);
                            self.flush(&mut batch, state).await?;
                            return Ok(StreamEnd::Closed { delivered });
                        }
                    }
                    Ok(None) => {
                        self.flush(&mut batch, state).await?;
                        return Ok(StreamEnd::Closed { delivered });
                    }
                    Err(e) => {
                        tracing::info!(error = %e, "stream dropped");
                        self.flush(&mut batch, state).await?;
                        return Ok(StreamEnd::Closed { delivered });
                    }
                },
                () = tokio::time::sleep_until(flush_at.unwrap_or(last_byte)), if flush_at.is_some() => {
                    self.flush(&mut batch, state).await?;
                }
                () = tokio::time::sleep_until(last_byte + self.config.watchdog) => {
                    tracing::warn!(watchdog = ?self.config.watchdog, "no byte on the stream, not even a ping; reconnecting");
                    self.flush(&mut batch, state).await?;
                    return Ok(StreamEnd::Silent { delivered });
                }
                () = tokio::time::sleep_until(repair_at), if !state.holes.is_empty() => {
                    self.flush(&mut batch, state).await?;
                    self.repair(state, cancel).await?;
                    repair_at = Instant::now() + self.config.repair_interval;
                }
                () = cancel.cancelled() => {
                    self.flush(&mut batch, state).await?;
                    return Err(Error::Cancelled);
                }
            }
        }
    }

    /// Commits the batch with its cursor (see the module documentation for
    /// the seq before a refused last record).
    async fn flush(&self, batch: &mut Batch, state: &mut FeedState) -> Result<()> {
        if batch.is_empty() {
            return Ok(());
        }
        let current = state.cursor;
        let cursor = match (batch.last_id, batch.ends_on_event) {
            (Some(id), true)
                if batch
                    .events
                    .last()
                    .is_some_and(|r| parse_event(&r.body).is_err()) =>
            {
                Some(id.saturating_sub(1))
            }
            (Some(id), _) => Some(id),
            (None, _) => current,
        }
        .map(|c| c.max(current.unwrap_or(0)));
        if !batch.acks.is_empty() {
            self.sink.acks(&self.config.upstream, &batch.acks).await?;
            let n = batch.acks.len() as u64;
            self.tracker.modify(|h| h.acks += n);
        }
        self.land(&batch.events, cursor, state, false).await?;
        let head = self.tracker.health().borrow().head_seq;
        self.tracker
            .set_progress(Phase::Live, cursor.unwrap_or(0), head);
        *batch = Batch {
            landed_at: Some(Instant::now()),
            ..Batch::default()
        };
        Ok(())
    }
}

/// Stream messages waiting to be committed.
#[derive(Default)]
struct Batch {
    events: Vec<RawRecord>,
    acks: Vec<Vec<u8>>,
    /// The seq of the last message that carries one.
    last_id: Option<u64>,
    /// Whether the last message was an event (whose record might be refused).
    ends_on_event: bool,
    first_at: Option<Instant>,
    /// When the batch before this one landed (None before the first).
    landed_at: Option<Instant>,
}

impl Batch {
    fn len(&self) -> usize {
        self.events.len() + self.acks.len()
    }

    fn is_empty(&self) -> bool {
        self.len() == 0 && self.last_id.is_none()
    }

    /// Whether this batch holds something and the one before landed at
    /// least `wait` ago (or none did): then it need not wait for more.
    fn quiet_before(&self, wait: std::time::Duration) -> bool {
        !self.is_empty() && self.landed_at.is_none_or(|at| at.elapsed() >= wait)
    }

    fn push(&mut self, message: Message, upstream: &str) {
        self.first_at.get_or_insert_with(Instant::now);
        let id = message
            .id
            .as_deref()
            .and_then(|i| i.trim().parse::<u64>().ok());
        match message.event.as_str() {
            "event" => {
                self.events
                    .push(RawRecord::new(upstream, message.data.into_bytes()));
                self.ends_on_event = true;
            }
            "ack" => {
                self.acks.push(message.data.into_bytes());
                self.ends_on_event = false;
            }
            other => {
                tracing::debug!(
                    event = other,
                    "a stream message of a kind the contract does not name; skipped"
                );
                self.ends_on_event = false;
            }
        }
        if let Some(id) = id {
            self.last_id = Some(self.last_id.map_or(id, |l| l.max(id)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_batch_ends_on_the_highest_id_it_saw() {
        let mut batch = Batch::default();
        for (event, id) in [("event", "5"), ("ack", "6"), ("event", "7")] {
            batch.push(
                Message {
                    event: event.into(),
                    data: "{}".into(),
                    id: Some(id.into()),
                },
                "u",
            );
        }
        assert_eq!(batch.last_id, Some(7));
        assert!(batch.ends_on_event);
        assert_eq!(batch.len(), 3);
    }
}
