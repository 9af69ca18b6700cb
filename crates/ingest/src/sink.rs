//! Where the client writes: the [`Sink`] trait, its impl for the app's
//! [`Store`], and [`MemorySink`] for tests and tools that need no database.
//!
//! The trait is the store's own surface (Rust 2024 async fns in traits, with
//! `Send` futures spelled out so the client can run on a multi-thread
//! runtime), so the store needs no adapter and a test sink no database.

use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::sync::Mutex;

use gridwall_store::{Applied, RawRecord, Store, parse_event};
use time::OffsetDateTime;

use crate::{Error, Result};

/// What the client needs from the place it keeps the city.
pub trait Sink: Send + Sync + 'static {
    /// Lands `batch` (raw event records; bad ones are quarantined, never an
    /// error) and saves `cursor` as where `upstream` resumes, atomically.
    fn apply_from(
        &self,
        upstream: &str,
        batch: &[RawRecord],
        cursor: Option<u64>,
        now: OffsetDateTime,
    ) -> impl Future<Output = Result<Applied>> + Send;

    /// [`Sink::apply_from`] for a long catch-up (the first import, a long
    /// outage): the same guarantees, on a path made for volume. By default
    /// the same as `apply_from`.
    fn apply_bulk(
        &self,
        upstream: &str,
        batch: &[RawRecord],
        cursor: Option<u64>,
        now: OffsetDateTime,
    ) -> impl Future<Output = Result<Applied>> + Send {
        self.apply_from(upstream, batch, cursor, now)
    }

    /// A long catch-up is over: whatever the bulk path held can go.
    fn finish_bulk(&self) -> impl Future<Output = ()> + Send {
        async {}
    }

    /// Where `upstream` resumes: the cursor saved with its last batch.
    fn cursor(&self, upstream: &str) -> impl Future<Output = Result<Option<u64>>> + Send;

    /// Replaces every reference record of `kind` (`divisions`, `grids`,
    /// `workers`, `cameras`) with `items`: (id, raw JSON).
    fn replace_reference(
        &self,
        kind: &str,
        items: &[(String, String)],
    ) -> impl Future<Output = Result<()>> + Send;

    /// Ids of the events whose newest revision held is neither closed nor
    /// cancelled. After a snapshot fallback, those missing from the snapshot
    /// closed while the client was away and are fetched one by one.
    fn open_event_ids(&self) -> impl Future<Output = Result<Vec<String>>> + Send;

    /// Broadcast acknowledgements from the stream, raw JSON. The default
    /// keeps none (the client still counts them in its health).
    fn acks(&self, upstream: &str, acks: &[Vec<u8>]) -> impl Future<Output = Result<()>> + Send {
        let _ = (upstream, acks);
        async { Ok(()) }
    }
}

impl Sink for Store {
    async fn apply_from(
        &self,
        upstream: &str,
        batch: &[RawRecord],
        cursor: Option<u64>,
        now: OffsetDateTime,
    ) -> Result<Applied> {
        Ok(Store::apply_from(self, upstream, batch, cursor, now).await?)
    }

    async fn apply_bulk(
        &self,
        upstream: &str,
        batch: &[RawRecord],
        cursor: Option<u64>,
        now: OffsetDateTime,
    ) -> Result<Applied> {
        Ok(Store::apply_bulk(self, upstream, batch, cursor, now).await?)
    }

    async fn finish_bulk(&self) {
        Store::finish_bulk(self).await;
    }

    async fn cursor(&self, upstream: &str) -> Result<Option<u64>> {
        Ok(Store::cursor(self, upstream).await?)
    }

    async fn replace_reference(&self, kind: &str, items: &[(String, String)]) -> Result<()> {
        Ok(Store::replace_reference(self, kind, items).await?)
    }

    async fn open_event_ids(&self) -> Result<Vec<String>> {
        // The store has no query for this yet; `events.is_open` is its own
        // documented column (1 unless closed or cancelled), read through its pool.
        sqlx::query_scalar::<_, String>("SELECT id FROM events WHERE is_open = 1")
            .fetch_all(self.pool())
            .await
            .map_err(|e| Error::Store(gridwall_store::Error::from(e)))
    }
}

/// A sink in memory with the store's rules: every revision kept once, the
/// newest per event, refused records counted with their bytes.
#[derive(Default)]
pub struct MemorySink {
    /// A std mutex: held for a batch's bookkeeping, never across an await.
    inner: Mutex<Memory>,
}

#[derive(Default)]
struct Memory {
    revisions: HashSet<(String, u32)>,
    newest: HashMap<String, (u32, bool)>,
    quarantined: Vec<Vec<u8>>,
    cursors: HashMap<String, u64>,
    reference: HashMap<String, Vec<(String, String)>>,
    acks: Vec<Vec<u8>>,
    /// The sizes of the batches landed with at least one record, in order.
    batches: Vec<usize>,
}

impl MemorySink {
    pub fn new() -> MemorySink {
        MemorySink::default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Memory> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Every event's newest revision, sorted by id (what `Store::newest` gives).
    pub fn newest(&self) -> Vec<(String, u32)> {
        let mut newest: Vec<(String, u32)> = self
            .lock()
            .newest
            .iter()
            .map(|(id, (rev, _))| (id.clone(), *rev))
            .collect();
        newest.sort();
        newest
    }

    pub fn quarantined(&self) -> usize {
        self.lock().quarantined.len()
    }

    pub fn reference(&self, kind: &str) -> Vec<(String, String)> {
        self.lock().reference.get(kind).cloned().unwrap_or_default()
    }

    pub fn acks(&self) -> usize {
        self.lock().acks.len()
    }

    /// How many records each batch with any held, in the order they landed.
    pub fn batches(&self) -> Vec<usize> {
        self.lock().batches.clone()
    }
}

impl Sink for MemorySink {
    async fn apply_from(
        &self,
        upstream: &str,
        batch: &[RawRecord],
        cursor: Option<u64>,
        _now: OffsetDateTime,
    ) -> Result<Applied> {
        let mut memory = self.lock();
        let mut applied = Applied::default();
        if !batch.is_empty() {
            memory.batches.push(batch.len());
        }
        for record in batch {
            match parse_event(&record.body) {
                Ok(event) => {
                    if !memory.revisions.insert((event.id.clone(), event.revision)) {
                        applied.duplicate += 1;
                        continue;
                    }
                    applied.stored += 1;
                    let open = !event.state.is_terminal();
                    let newest = memory.newest.entry(event.id).or_insert((0, open));
                    if event.revision > newest.0 {
                        *newest = (event.revision, open);
                        applied.advanced += 1;
                    }
                }
                Err(_) => {
                    memory.quarantined.push(record.body.clone());
                    applied.quarantined += 1;
                }
            }
        }
        if let Some(cursor) = cursor {
            memory.cursors.insert(upstream.to_owned(), cursor);
        }
        Ok(applied)
    }

    async fn cursor(&self, upstream: &str) -> Result<Option<u64>> {
        Ok(self.lock().cursors.get(upstream).copied())
    }

    async fn replace_reference(&self, kind: &str, items: &[(String, String)]) -> Result<()> {
        self.lock()
            .reference
            .insert(kind.to_owned(), items.to_vec());
        Ok(())
    }

    async fn open_event_ids(&self) -> Result<Vec<String>> {
        Ok(self
            .lock()
            .newest
            .iter()
            .filter(|(_, (_, open))| *open)
            .map(|(id, _)| id.clone())
            .collect())
    }

    async fn acks(&self, _upstream: &str, acks: &[Vec<u8>]) -> Result<()> {
        self.lock().acks.extend_from_slice(acks);
        Ok(())
    }
}
