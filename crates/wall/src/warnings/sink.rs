//! The ingest sink with the brain listening.

use std::sync::Arc;

use gridwall_ingest::Sink;
use gridwall_store::{Applied, RawRecord};
use time::OffsetDateTime;

use super::EarlyWarnings;

/// The ingest sink with the brain listening. See the module docs.
#[derive(Clone)]
pub struct WarningSink<S> {
    pub(super) inner: S,
    pub(super) warnings: Arc<EarlyWarnings>,
}

impl<S: Sink> Sink for WarningSink<S> {
    async fn apply_from(
        &self,
        upstream: &str,
        batch: &[RawRecord],
        cursor: Option<u64>,
        now: OffsetDateTime,
    ) -> gridwall_ingest::Result<Applied> {
        let applied = self.inner.apply_from(upstream, batch, cursor, now).await?;
        self.warnings.queue(batch);
        Ok(applied)
    }

    async fn apply_bulk(
        &self,
        upstream: &str,
        batch: &[RawRecord],
        cursor: Option<u64>,
        now: OffsetDateTime,
    ) -> gridwall_ingest::Result<Applied> {
        let applied = self.inner.apply_bulk(upstream, batch, cursor, now).await?;
        self.warnings.queue(batch);
        Ok(applied)
    }

    async fn finish_bulk(&self) {
        self.inner.finish_bulk().await;
    }

    async fn cursor(&self, upstream: &str) -> gridwall_ingest::Result<Option<u64>> {
        self.inner.cursor(upstream).await
    }

    async fn replace_reference(
        &self,
        kind: &str,
        items: &[(String, String)],
    ) -> gridwall_ingest::Result<()> {
        self.inner.replace_reference(kind, items).await
    }

    async fn open_event_ids(&self) -> gridwall_ingest::Result<Vec<String>> {
        self.inner.open_event_ids().await
    }

    async fn acks(&self, upstream: &str, acks: &[Vec<u8>]) -> gridwall_ingest::Result<()> {
        self.inner.acks(upstream, acks).await
    }
}
