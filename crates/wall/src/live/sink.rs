//! The ingest client's sink: the store, plus the live picture's changes.

use std::sync::Arc;

use gridwall_ingest::Sink;
use gridwall_store::{Applied, Change, RawRecord};
use time::OffsetDateTime;

use super::Live;

/// The ingest client's sink: the store, plus the live picture's changes.
#[derive(Clone)]
pub struct LiveSink(pub(super) Arc<Live>);

impl Sink for LiveSink {
    async fn apply_from(
        &self,
        upstream: &str,
        batch: &[RawRecord],
        cursor: Option<u64>,
        now: OffsetDateTime,
    ) -> gridwall_ingest::Result<Applied> {
        let applied = Sink::apply_from(&*self.0.store, upstream, batch, cursor, now).await?;
        self.0.record(&applied.changes);
        self.0.announce(&applied.changes).await;
        Ok(applied)
    }

    /// A long catch-up on the store's bulk path; the wall hears of it as
    /// of any batch.
    async fn apply_bulk(
        &self,
        upstream: &str,
        batch: &[RawRecord],
        cursor: Option<u64>,
        now: OffsetDateTime,
    ) -> gridwall_ingest::Result<Applied> {
        let applied = Sink::apply_bulk(&*self.0.store, upstream, batch, cursor, now).await?;
        self.0.record(&applied.changes);
        self.0.announce(&applied.changes).await;
        Ok(applied)
    }

    async fn finish_bulk(&self) {
        Sink::finish_bulk(&*self.0.store).await;
    }

    async fn cursor(&self, upstream: &str) -> gridwall_ingest::Result<Option<u64>> {
        Sink::cursor(&*self.0.store, upstream).await
    }

    async fn replace_reference(
        &self,
        kind: &str,
        items: &[(String, String)],
    ) -> gridwall_ingest::Result<()> {
        Sink::replace_reference(&*self.0.store, kind, items).await?;
        if kind == "grids"
            && let Err(err) = self.0.add_quiet_grids().await
        {
            tracing::warn!("cannot show the new grid list's quiet grids: {err:#}");
        }
        self.0
            .tell(Change::Reference {
                kind: kind.to_owned(),
            })
            .await;
        Ok(())
    }

    async fn open_event_ids(&self) -> gridwall_ingest::Result<Vec<String>> {
        Sink::open_event_ids(&*self.0.store).await
    }

    /// Lands the stream's acknowledgements, each worker once; one that is
    /// not a BroadcastAck is quarantined with its reason and the feed goes on.
    /// Acks of broadcasts another console sent are kept too.
    async fn acks(&self, upstream: &str, acks: &[Vec<u8>]) -> gridwall_ingest::Result<()> {
        let store = &self.0.store;
        let now = self.0.clock.now().unix_timestamp();
        let mut rows = Vec::with_capacity(acks.len());
        for raw in acks {
            match crate::broadcast::parse_ack(raw) {
                Ok(row) => rows.push(row),
                Err(reason) => {
                    tracing::warn!(%upstream, %reason, "quarantined an ack that is not a BroadcastAck");
                    store
                        .quarantine_raw(upstream, "bad_ack", &reason, now, raw)
                        .await
                        .map_err(gridwall_ingest::Error::Store)?;
                }
            }
        }
        if store
            .record_acks(&rows, now)
            .await
            .map_err(gridwall_ingest::Error::Store)?
            > 0
        {
            self.0.acks_landed.notify_one();
            self.0.tell(Change::Acks).await;
        }
        Ok(())
    }
}
