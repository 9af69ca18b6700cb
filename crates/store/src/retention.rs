//! Retention of raw revisions (issue 17): off unless asked for.
//!
//! Every revision is kept by default: the incident timeline shows each step
//! of every incident, however old. [`Store::prune_revisions`] drops the
//! revisions of old, finished incidents but their newest: their rows in
//! `events` and every derived counter (grid state, KPIs, daily series)
//! stay, so the wall, the rollups, the KPIs and the charts do not change.
//! What is lost is the step-by-step timeline of those incidents (the
//! incident view still shows the newest record), and recomputing derived
//! state from the revisions alone (the first time an event finished is
//! then only in `events.finished_at`).

use sqlx::Row;
use time::OffsetDateTime;

use crate::sql::in_list;
use crate::{Error, Result, Store};

/// Events looked at per transaction: the writer is never held for long.
const CHUNK: usize = 2_000;

impl Store {
    /// Drop every revision but the newest of each event that is closed or
    /// cancelled and last changed before `before`. Returns how many
    /// revisions went. Walks `events` in id order, a chunk per transaction.
    pub async fn prune_revisions(&self, before: OffsetDateTime) -> Result<u64> {
        let before = before.unix_timestamp();
        let mut after = String::new();
        let mut dropped = 0u64;
        loop {
            let rows = sqlx::query(&format!(
                "SELECT id, revision FROM events WHERE id > $1 AND is_open = 0 \
                 AND updated_at < $2 AND revision > 1 ORDER BY id LIMIT {CHUNK}"
            ))
            .bind(&after)
            .bind(before)
            .fetch_all(&self.pool)
            .await?;
            let Some(last) = rows.last() else {
                return Ok(dropped);
            };
            after = last.try_get("id")?;
            let _writer = self.writer.lock().await;
            let ids: Vec<String> = rows
                .iter()
                .map(|row| row.try_get("id"))
                .collect::<std::result::Result<_, _>>()?;
            // A newest revision packed on the one before it is packed again
            // on the dictionary alone before its predecessor goes.
            let sql = format!(
                "SELECT r.id, r.revision FROM event_revisions r \
                 JOIN events e ON e.id = r.id AND e.revision = r.revision \
                 WHERE r.codec = {} AND r.id IN ({})",
                crate::raw::ZSTD_PREVIOUS,
                in_list(self.backend, ids.len())
            );
            let mut query = sqlx::query(&sql);
            for id in &ids {
                query = query.bind(id);
            }
            let mut repacked = Vec::new();
            for row in query.fetch_all(&self.pool).await? {
                let id: String = row.try_get("id")?;
                let revision: i64 = row.try_get("revision")?;
                let record = self
                    .timeline(&id)
                    .await?
                    .into_iter()
                    .find(|r| i64::from(r.revision) == revision)
                    .map(|r| r.raw)
                    .ok_or_else(|| Error::StoredRevision(format!("{id} lost its newest record")))?;
                repacked.push((id, revision, crate::raw::pack(record.as_bytes(), None)));
            }
            let mut tx = self.pool.begin().await?;
            for (id, revision, (codec, raw)) in &repacked {
                sqlx::query(
                    "UPDATE event_revisions SET codec = $1, raw = $2 WHERE id = $3 AND revision = $4",
                )
                .bind(*codec)
                .bind(raw.as_slice())
                .bind(id)
                .bind(*revision)
                .execute(&mut *tx)
                .await?;
            }
            // One statement per chunk: the newest revision of each id is
            // the one `events` names, read again inside the transaction.
            let sql = format!(
                "DELETE FROM event_revisions WHERE id IN ({}) AND revision < \
                 (SELECT e.revision FROM events e WHERE e.id = event_revisions.id)",
                in_list(self.backend, ids.len())
            );
            let mut query = sqlx::query(&sql);
            for id in &ids {
                query = query.bind(id);
            }
            dropped += query.execute(&mut *tx).await?.rows_affected();
            tx.commit().await?;
        }
    }
}
