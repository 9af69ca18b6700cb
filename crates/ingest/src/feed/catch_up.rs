//! Catching up: paged backfill from the cursor (`GET /events?since=`), the
//! snapshot when the feed no longer has that position (410), and the holes
//! a snapshot jumped over, backfilled later (see [`super`] for the round).

use std::collections::HashSet;

use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde::Deserialize;
use serde_json::value::RawValue;
use tokio_util::sync::CancellationToken;

use gridwall_store::RawRecord;

use super::{FeedState, Hole, Ingest};
use crate::health::Phase;
use crate::retry::unexpected;
use crate::sink::Sink;
use crate::{Error, Result};

/// One page of `GET /events`.
#[derive(Deserialize)]
struct Page {
    events: Vec<Box<RawValue>>,
    next_since: Option<u64>,
    head_seq: u64,
}

/// The two fields of an event the client itself reads.
#[derive(Deserialize)]
struct Key {
    id: Option<String>,
    seq: Option<u64>,
}

impl Page {
    /// The page's events as records of `upstream`, for the sink.
    fn records(&self, upstream: &str) -> Vec<RawRecord> {
        self.events
            .iter()
            .map(|e| RawRecord::new(upstream, e.get().as_bytes()))
            .collect()
    }
}

fn key(raw: &str) -> Key {
    serde_json::from_str(raw).unwrap_or(Key {
        id: None,
        seq: None,
    })
}

impl<S: Sink> Ingest<S> {
    fn events_url(&self, query: &str) -> Result<String> {
        self.config.governance(&format!("api/v1/events?{query}"))
    }

    /// Backfills from the cursor to the head, or takes a snapshot when the
    /// feed answers 410. A backfill [`IngestConfig::bulk_threshold`] or more
    /// behind the head lands on the sink's bulk path, which is let go when
    /// the catch-up ends, reached the head or failed: its cache of newest
    /// rows must not outlive a round in which another instance (a new
    /// leader on a shared PostgreSQL) may write.
    pub(super) async fn catch_up(
        &self,
        state: &mut FeedState,
        cancel: &CancellationToken,
    ) -> Result<()> {
        let caught_up = self.catch_up_pages(state, cancel).await;
        self.sink.finish_bulk().await;
        caught_up
    }

    async fn catch_up_pages(
        &self,
        state: &mut FeedState,
        cancel: &CancellationToken,
    ) -> Result<()> {
        let start = state.cursor.unwrap_or(0);
        let mut since = start;
        // The next page, asked for while this one landed.
        let mut ahead: Option<Result<Option<Page>>> = None;
        loop {
            let fetched = match ahead.take() {
                Some(fetched) => fetched,
                None => self.page(since, cancel).await,
            };
            let Some(page) = fetched? else {
                tracing::info!(
                    since,
                    "the feed no longer has our position (410); taking a snapshot"
                );
                return self.snapshot(state, cancel).await;
            };
            self.tracker.head(page.head_seq);
            let newest_in_page = page.events.iter().filter_map(|e| key(e.get()).seq).max();
            let next = match page.next_since {
                Some(next) => next,
                None => newest_in_page.map_or(since, |n| n.max(since)),
            };
            let bulk = page.head_seq.saturating_sub(since) >= self.config.bulk_threshold;
            let records = page.records(&self.config.upstream);
            let following = page.next_since.filter(|&n| n > since);
            match following {
                // The platform's and the network's time for the next page
                // passes while the store lands this one. Landing stays one
                // page at a time, in order, each with its own cursor: a page
                // fetched ahead is only held, and dropped on an error.
                Some(n) => {
                    let (landed, fetched) = tokio::join!(
                        self.land(&records, Some(next), state, bulk),
                        self.page(n, cancel)
                    );
                    landed?;
                    ahead = Some(fetched);
                }
                None => {
                    self.land(&records, Some(next), state, bulk).await?;
                }
            }
            self.tracker.set_progress(
                Phase::Backfill,
                next.saturating_sub(start),
                Some(page.head_seq.saturating_sub(start)),
            );
            match following {
                Some(n) => since = n,
                None => return Ok(()),
            }
        }
    }

    /// One page of `GET /events?since=`, or `None` when the feed no longer
    /// has that position (410).
    async fn page(&self, since: u64, cancel: &CancellationToken) -> Result<Option<Page>> {
        let url = self.events_url(&format!("since={since}&limit={}", self.config.page_limit))?;
        let (status, _, body) = self
            .http
            .get_body(&url, self.config.token.as_ref(), &HeaderMap::new(), cancel)
            .await?;
        match status {
            StatusCode::OK => {}
            StatusCode::GONE => return Ok(None),
            other => return Err(unexpected(&url, other, &body)),
        }
        serde_json::from_slice(&body)
            .map(Some)
            .map_err(|e| Error::Body {
                url,
                detail: e.to_string(),
            })
    }

    /// `GET /events?state=open`, plus the newest revision of every event the
    /// sink holds as open that the snapshot lacks, landed in one batch with
    /// the snapshot's head as the cursor.
    async fn snapshot(&self, state: &mut FeedState, cancel: &CancellationToken) -> Result<()> {
        self.tracker.modify(|h| h.snapshots += 1);
        self.tracker.set_progress(Phase::Snapshot, 0, None);
        let url = self.events_url("state=open")?;
        let token = self.config.token.as_ref();
        let (status, _, body) = self
            .http
            .get_body(&url, token, &HeaderMap::new(), cancel)
            .await?;
        if status != StatusCode::OK {
            return Err(unexpected(&url, status, &body));
        }
        let page: Page = serde_json::from_slice(&body).map_err(|e| Error::Body {
            url: url.clone(),
            detail: e.to_string(),
        })?;
        self.tracker.head(page.head_seq);
        let mut in_snapshot = HashSet::new();
        let mut records = Vec::with_capacity(page.events.len());
        for raw in &page.events {
            if let Some(id) = key(raw.get()).id {
                in_snapshot.insert(id);
            }
            records.push(RawRecord::new(&self.config.upstream, raw.get().as_bytes()));
        }
        let gone_quiet: Vec<String> = self
            .sink
            .open_event_ids()
            .await?
            .into_iter()
            .filter(|id| !in_snapshot.contains(id))
            .collect();
        let total = gone_quiet.len() as u64;
        for (i, id) in gone_quiet.iter().enumerate() {
            if let Some(record) = self.one_event(id, cancel).await? {
                records.push(record);
            }
            self.tracker
                .set_progress(Phase::Snapshot, i as u64 + 1, Some(total));
        }
        let head = page.head_seq;
        let from = state.cursor.unwrap_or(0);
        self.land(&records, Some(head), state, false).await?;
        tracing::info!(
            open = page.events.len(),
            refreshed = gone_quiet.len(),
            head,
            "snapshot landed"
        );
        if from < head {
            state.add_hole(Hole { from, to: head });
        }
        Ok(())
    }

    /// One event at its newest revision, without its timeline; `None` if the
    /// platform no longer knows it.
    async fn one_event(&self, id: &str, cancel: &CancellationToken) -> Result<Option<RawRecord>> {
        let mut url = reqwest::Url::parse(&self.config.governance("api/v1/events/")?)
            .map_err(|e| Error::Config(e.to_string()))?;
        url.path_segments_mut()
            .map_err(|()| Error::Config("the governance URL cannot take a path".into()))?
            .pop_if_empty()
            .push(id);
        let (status, _, body) = self
            .http
            .get_body(
                url.as_str(),
                self.config.token.as_ref(),
                &HeaderMap::new(),
                cancel,
            )
            .await?;
        match status {
            StatusCode::OK => {
                let mut value: serde_json::Value = match serde_json::from_slice(&body) {
                    Ok(v) => v,
                    // Not JSON: the store quarantines it as it came.
                    Err(_) => return Ok(Some(RawRecord::new(&self.config.upstream, body))),
                };
                if let Some(obj) = value.as_object_mut() {
                    obj.remove("timeline");
                }
                Ok(Some(RawRecord::new(
                    &self.config.upstream,
                    value.to_string(),
                )))
            }
            StatusCode::NOT_FOUND => Ok(None),
            other => Err(unexpected(url.as_str(), other, &body)),
        }
    }

    /// Tries each hole once: a feed that answers for it again is paged
    /// through to the hole's end (the cursor does not move); a 410 keeps it.
    pub(super) async fn repair(
        &self,
        state: &mut FeedState,
        cancel: &CancellationToken,
    ) -> Result<()> {
        let holes = std::mem::take(&mut state.holes);
        for (i, hole) in holes.iter().enumerate() {
            match self.fill(*hole, cancel).await {
                Ok(true) => {
                    tracing::info!(?hole, "a seq range skipped by a snapshot was backfilled")
                }
                Ok(false) => state.holes.push(*hole),
                Err(e) => {
                    state.holes.extend_from_slice(&holes[i..]);
                    return Err(e);
                }
            }
        }
        Ok(())
    }

    /// Backfills `(from, to]` without moving the cursor; false on 410.
    async fn fill(&self, hole: Hole, cancel: &CancellationToken) -> Result<bool> {
        let mut since = hole.from;
        while since < hole.to {
            let Some(page) = self.page(since, cancel).await? else {
                return Ok(false);
            };
            let records = page.records(&self.config.upstream);
            let applied = self
                .sink
                .apply_from(
                    &self.config.upstream,
                    &records,
                    None,
                    self.config.clock.now(),
                )
                .await?;
            self.tracker.applied(&applied, records.len());
            match page.next_since {
                Some(n) if n > since => since = n,
                _ => break,
            }
        }
        Ok(true)
    }
}
