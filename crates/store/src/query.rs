//! Reads: the newest revision of every event, one event's timeline, and the
//! quarantine counts. Per-grid state is read in [`crate::grid`].

use sqlx::Row;
use time::OffsetDateTime;

use crate::parse::parse_event;
use crate::{Error, Result, Store};

/// One stored revision of an event, for the incident timeline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredRevision {
    pub revision: u32,
    pub seq: i64,
    pub state: String,
    pub updated_at: OffsetDateTime,
    pub upstream: String,
    /// The record as it arrived, unknown fields included.
    pub raw: String,
}

/// How many records of one kind one upstream had refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QuarantineCount {
    pub upstream: String,
    pub kind: String,
    pub count: i64,
}

impl Store {
    /// `(id, newest revision)` of every event, by id.
    pub async fn newest(&self) -> Result<Vec<(String, u32)>> {
        let rows = sqlx::query("SELECT id, revision FROM events ORDER BY id")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|row| {
                let revision: i64 = row.try_get("revision")?;
                Ok((
                    row.try_get("id")?,
                    u32::try_from(revision).unwrap_or(u32::MAX),
                ))
            })
            .collect()
    }

    /// Every stored revision of event `id`, oldest first, each record as it
    /// arrived (byte for byte, however it is stored: see [`crate::raw`]).
    pub async fn timeline(&self, id: &str) -> Result<Vec<StoredRevision>> {
        let rows = sqlx::query(
            "SELECT revision, upstream, codec, raw FROM event_revisions \
             WHERE id = $1 ORDER BY revision",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        let mut timeline: Vec<StoredRevision> = Vec::with_capacity(rows.len());
        for row in &rows {
            let revision: i64 = row.try_get("revision")?;
            // A revision packed on its predecessor reads it first: the
            // rows come in revision order, so it is the last one read.
            let previous = timeline
                .last()
                .filter(|before| i64::from(before.revision) + 1 == revision)
                .map(|before| before.raw.as_str());
            let raw = crate::raw::unpack(row.try_get("codec")?, row.try_get("raw")?, previous)
                .map_err(Error::StoredRevision)?;
            // The record parsed when it landed; its seq, state and time
            // are read from it rather than kept twice.
            let event = parse_event(raw.as_bytes())
                .map_err(|refused| Error::StoredRevision(refused.message))?;
            timeline.push(StoredRevision {
                revision: u32::try_from(revision).unwrap_or(u32::MAX),
                seq: i64::try_from(event.seq).unwrap_or(i64::MAX),
                state: event.state.as_str().to_owned(),
                updated_at: event.updated_at.to_offset(time::UtcOffset::UTC),
                upstream: row.try_get("upstream")?,
                raw,
            });
        }
        Ok(timeline)
    }

    /// Refused records counted per upstream and kind.
    pub async fn quarantine_counts(&self) -> Result<Vec<QuarantineCount>> {
        let rows = sqlx::query(
            "SELECT upstream, kind, COUNT(*) AS count FROM quarantine \
             GROUP BY upstream, kind ORDER BY upstream, kind",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(QuarantineCount {
                    upstream: row.try_get("upstream")?,
                    kind: row.try_get("kind")?,
                    count: row.try_get("count")?,
                })
            })
            .collect()
    }
}

impl Store {
    /// The newest open events, newest report first: the ticker at start.
    pub async fn recent_alerts(&self, limit: usize) -> Result<Vec<crate::Alert>> {
        let rows = sqlx::query(
            "SELECT id, grid_id, severity, source, category, title, reported_at FROM events \
             WHERE is_open = 1 ORDER BY reported_at DESC, id LIMIT $1",
        )
        .bind(i64::try_from(limit).unwrap_or(i64::MAX))
        .fetch_all(&self.pool)
        .await?;
        alerts_from_rows(&rows)
    }

    /// The events `ids` as the ticker shows them, newest first (those still
    /// open: another instance's new alerts, named in its notice).
    pub async fn alerts_of(&self, ids: &[&str]) -> Result<Vec<crate::Alert>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT id, grid_id, severity, source, category, title, reported_at FROM events \
             WHERE is_open = 1 AND id IN ({}) ORDER BY reported_at DESC, id",
            crate::sql::in_list(self.backend, ids.len())
        );
        let mut query = sqlx::query(&sql);
        for id in ids {
            query = query.bind(*id);
        }
        alerts_from_rows(&query.fetch_all(&self.pool).await?)
    }
}

fn alerts_from_rows(rows: &[sqlx::any::AnyRow]) -> Result<Vec<crate::Alert>> {
    rows.iter()
        .map(|row| {
            let severity: i64 = row.try_get("severity")?;
            let reported_at: i64 = row.try_get("reported_at")?;
            Ok(crate::Alert {
                id: row.try_get("id")?,
                grid_id: row.try_get("grid_id")?,
                severity: u8::try_from(severity.clamp(1, 4)).unwrap_or(1),
                source: row.try_get("source")?,
                category: row.try_get("category")?,
                title: row.try_get("title")?,
                reported_at: OffsetDateTime::from_unix_timestamp(reported_at)
                    .unwrap_or(OffsetDateTime::UNIX_EPOCH)
                    .to_offset(time::UtcOffset::from_hms(8, 0, 0).unwrap_or(time::UtcOffset::UTC)),
            })
        })
        .collect()
}
