//! Broadcasts to grid workers (指令直达) and their acknowledgements.
//!
//! A broadcast is written as a draft, with its idempotency key and its
//! recipients per grid, *before* the first POST, so that a send cut short by
//! a crash is resumed with the same key and can never reach workers twice.
//! Acknowledgements arrive twice over (on the feed and from the acks
//! endpoint) and sometimes duplicated; their primary key
//! `(broadcast_id, worker_id)` with `ON CONFLICT DO NOTHING` counts each
//! worker once, on both engines. Progress is read back grouped by grid, a
//! few thousand rows at most, so the caller can sum towns and the city.

use std::collections::{HashMap, HashSet};

use sqlx::Row;

use crate::sql::placeholders;
use crate::{Result, Store};

/// A broadcast as the app keeps it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredBroadcast {
    pub local_id: i64,
    pub idempotency_key: String,
    pub title: String,
    pub body: String,
    /// The contract's scope object, as JSON.
    pub scope: String,
    pub template: Option<String>,
    pub broadcast_id: Option<String>,
    /// The platform's recipients and acknowledged count, as last read.
    pub recipients: Option<i64>,
    pub platform_acked: Option<i64>,
    /// Unix seconds.
    pub sent_at: Option<i64>,
    pub ack_deadline_at: Option<i64>,
    pub created_at: i64,
    pub sent_by: String,
    pub status: BroadcastStatus,
    /// Why the platform refused it.
    pub error: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BroadcastStatus {
    /// Written, not yet answered by the platform: resumed with its key at start.
    Sending,
    Sent,
    /// Answered 400: nothing reached any worker.
    Refused,
}

impl BroadcastStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            BroadcastStatus::Sending => "sending",
            BroadcastStatus::Sent => "sent",
            BroadcastStatus::Refused => "refused",
        }
    }

    fn parse(text: &str) -> BroadcastStatus {
        match text {
            "sent" => BroadcastStatus::Sent,
            "refused" => BroadcastStatus::Refused,
            _ => BroadcastStatus::Sending,
        }
    }
}

/// A broadcast about to be sent, with who it reaches.
#[derive(Clone, Debug)]
pub struct BroadcastDraft {
    pub idempotency_key: String,
    pub title: String,
    pub body: String,
    pub scope: String,
    pub template: Option<String>,
    pub created_at: i64,
    pub sent_by: String,
    pub grids: Vec<GridRecipients>,
}

/// How many workers of one grid a broadcast reaches.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GridRecipients {
    /// `""` for workers with no grid of their own (instructors of several).
    pub grid_id: String,
    pub town_code: String,
    pub recipients: i64,
}

/// The platform's answer to a POST (or a later GET).
#[derive(Clone, Debug)]
pub struct PlatformFigures {
    pub broadcast_id: String,
    pub recipients: i64,
    pub acked: i64,
    pub sent_at: i64,
    pub ack_deadline_at: i64,
}

/// One acknowledgement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AckRow {
    pub broadcast_id: String,
    pub worker_id: String,
    /// `""` when the worker has no grid.
    pub grid_id: String,
    /// Unix seconds.
    pub acked_at: i64,
}

/// A broadcast's acknowledgements counted once each, per grid.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AckProgress {
    pub acked: i64,
    /// Acknowledged by `sent_at + within` (the 15-minute bar).
    pub acked_within: i64,
    /// Per grid: recipients (0 for a grid outside the stored recipients)
    /// and acknowledgements, by grid id.
    pub grids: Vec<GridProgress>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GridProgress {
    pub grid_id: String,
    pub town_code: String,
    pub recipients: i64,
    pub acked: i64,
}

/// Rows per multi-row insert: 5 values a row, far below either engine's limit.
const CHUNK: usize = 500;

const COLUMNS: &str = "local_id, idempotency_key, title, body, scope, template, broadcast_id, \
     recipients, platform_acked, sent_at, ack_deadline_at, created_at, sent_by, status, error";

fn stored(row: &sqlx::any::AnyRow) -> Result<StoredBroadcast> {
    Ok(StoredBroadcast {
        local_id: row.try_get("local_id")?,
        idempotency_key: row.try_get("idempotency_key")?,
        title: row.try_get("title")?,
        body: row.try_get("body")?,
        scope: row.try_get("scope")?,
        template: row.try_get("template")?,
        broadcast_id: row.try_get("broadcast_id")?,
        recipients: row.try_get("recipients")?,
        platform_acked: row.try_get("platform_acked")?,
        sent_at: row.try_get("sent_at")?,
        ack_deadline_at: row.try_get("ack_deadline_at")?,
        created_at: row.try_get("created_at")?,
        sent_by: row.try_get("sent_by")?,
        status: BroadcastStatus::parse(&row.try_get::<String, _>("status")?),
        error: row.try_get("error")?,
    })
}

/// The town code of a grid id (village code + `G` + two digits).
pub fn town_of(grid_id: &str) -> String {
    match grid_id.get(..9) {
        Some(prefix) if grid_id.len() >= 12 => format!("{prefix}000"),
        _ => String::new(),
    }
}

impl Store {
    /// Writes `draft` (status `sending`) with its recipients per grid, in one
    /// transaction; returns its local id. A key already written returns the
    /// broadcast that holds it, unchanged.
    pub async fn insert_broadcast_draft(&self, draft: &BroadcastDraft) -> Result<i64> {
        if let Some(existing) = self.broadcast_by_key(&draft.idempotency_key).await? {
            return Ok(existing.local_id);
        }
        let mut tx = self.pool.begin().await?;
        let local_id: i64 = sqlx::query_scalar(
            "INSERT INTO broadcasts (idempotency_key, title, body, scope, template, created_at, \
             sent_by, status) VALUES ($1, $2, $3, $4, $5, $6, $7, 'sending') RETURNING local_id",
        )
        .bind(&draft.idempotency_key)
        .bind(&draft.title)
        .bind(&draft.body)
        .bind(&draft.scope)
        .bind(draft.template.as_deref())
        .bind(draft.created_at)
        .bind(&draft.sent_by)
        .fetch_one(&mut *tx)
        .await?;
        for chunk in draft.grids.chunks(CHUNK) {
            let sql = format!(
                "INSERT INTO broadcast_grids (local_id, grid_id, town_code, recipients) VALUES {}",
                placeholders(self.backend, chunk.len(), 4)
            );
            let mut query = sqlx::query(&sql);
            for grid in chunk {
                query = query
                    .bind(local_id)
                    .bind(grid.grid_id.as_str())
                    .bind(grid.town_code.as_str())
                    .bind(grid.recipients);
            }
            query.execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(local_id)
    }

    /// The platform answered: the broadcast is sent, with its figures.
    pub async fn mark_broadcast_sent(
        &self,
        local_id: i64,
        figures: &PlatformFigures,
    ) -> Result<()> {
        sqlx::query(
            "UPDATE broadcasts SET broadcast_id = $1, recipients = $2, platform_acked = $3, \
             sent_at = $4, ack_deadline_at = $5, status = 'sent', error = NULL WHERE local_id = $6",
        )
        .bind(&figures.broadcast_id)
        .bind(figures.recipients)
        .bind(figures.acked)
        .bind(figures.sent_at)
        .bind(figures.ack_deadline_at)
        .bind(local_id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The platform refused the broadcast (`reason` is for the officer).
    pub async fn mark_broadcast_refused(&self, local_id: i64, reason: &str) -> Result<()> {
        sqlx::query("UPDATE broadcasts SET status = 'refused', error = $1 WHERE local_id = $2")
            .bind(reason)
            .bind(local_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The platform's figures read again (`GET /broadcasts/{id}`).
    pub async fn update_broadcast_figures(&self, figures: &PlatformFigures) -> Result<()> {
        sqlx::query(
            "UPDATE broadcasts SET recipients = $1, platform_acked = $2 WHERE broadcast_id = $3",
        )
        .bind(figures.recipients)
        .bind(figures.acked)
        .bind(&figures.broadcast_id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn broadcast_by_key(&self, key: &str) -> Result<Option<StoredBroadcast>> {
        let sql = format!("SELECT {COLUMNS} FROM broadcasts WHERE idempotency_key = $1");
        let row = sqlx::query(&sql)
            .bind(key)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(stored).transpose()
    }

    pub async fn broadcast(&self, local_id: i64) -> Result<Option<StoredBroadcast>> {
        let sql = format!("SELECT {COLUMNS} FROM broadcasts WHERE local_id = $1");
        let row = sqlx::query(&sql)
            .bind(local_id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(stored).transpose()
    }

    /// Broadcasts written at or after `since` (unix seconds), newest first.
    pub async fn broadcasts_since(&self, since: i64) -> Result<Vec<StoredBroadcast>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM broadcasts WHERE created_at >= $1 \
             ORDER BY created_at DESC, local_id DESC"
        );
        let rows = sqlx::query(&sql).bind(since).fetch_all(&self.pool).await?;
        rows.iter().map(stored).collect()
    }

    /// Broadcasts written but never answered (a send cut short), oldest first.
    pub async fn unsent_broadcasts(&self) -> Result<Vec<StoredBroadcast>> {
        let sql =
            format!("SELECT {COLUMNS} FROM broadcasts WHERE status = 'sending' ORDER BY local_id");
        let rows = sqlx::query(&sql).fetch_all(&self.pool).await?;
        rows.iter().map(stored).collect()
    }

    /// Who a broadcast reaches, per grid.
    pub async fn broadcast_grids(&self, local_id: i64) -> Result<Vec<GridRecipients>> {
        let rows = sqlx::query(
            "SELECT grid_id, town_code, recipients FROM broadcast_grids WHERE local_id = $1 \
             ORDER BY grid_id",
        )
        .bind(local_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(GridRecipients {
                    grid_id: row.try_get("grid_id")?,
                    town_code: row.try_get("town_code")?,
                    recipients: row.try_get("recipients")?,
                })
            })
            .collect()
    }

    /// Lands acknowledgements, each `(broadcast, worker)` once however often
    /// it arrives; returns how many were new. `received_at` is unix seconds.
    pub async fn record_acks(&self, acks: &[AckRow], received_at: i64) -> Result<u64> {
        // Duplicates inside one batch are dropped here, so each statement
        // only ever conflicts with rows already committed.
        let mut seen = HashSet::with_capacity(acks.len());
        let unique: Vec<&AckRow> = acks
            .iter()
            .filter(|a| seen.insert((a.broadcast_id.as_str(), a.worker_id.as_str())))
            .collect();
        if unique.is_empty() {
            return Ok(0);
        }
        let mut tx = self.pool.begin().await?;
        let mut new = 0;
        for chunk in unique.chunks(CHUNK) {
            let sql = format!(
                "INSERT INTO broadcast_acks (broadcast_id, worker_id, grid_id, acked_at, \
                 received_at) VALUES {} ON CONFLICT (broadcast_id, worker_id) DO NOTHING",
                placeholders(self.backend, chunk.len(), 5)
            );
            let mut query = sqlx::query(&sql);
            for ack in chunk {
                query = query
                    .bind(ack.broadcast_id.as_str())
                    .bind(ack.worker_id.as_str())
                    .bind(ack.grid_id.as_str())
                    .bind(ack.acked_at)
                    .bind(received_at);
            }
            new += query.execute(&mut *tx).await?.rows_affected();
        }
        tx.commit().await?;
        Ok(new)
    }

    /// How many workers acknowledged `broadcast_id`, each once.
    pub async fn ack_count(&self, broadcast_id: &str) -> Result<i64> {
        Ok(
            sqlx::query_scalar("SELECT COUNT(*) FROM broadcast_acks WHERE broadcast_id = $1")
                .bind(broadcast_id)
                .fetch_one(&self.pool)
                .await?,
        )
    }

    /// Every worker who acknowledged `broadcast_id`.
    pub async fn acked_workers(&self, broadcast_id: &str) -> Result<HashSet<String>> {
        let rows = sqlx::query("SELECT worker_id FROM broadcast_acks WHERE broadcast_id = $1")
            .bind(broadcast_id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|row| Ok(row.try_get("worker_id")?))
            .collect()
    }

    /// The progress of the broadcast `local_id` (sent as `broadcast_id` at
    /// `sent_at`): acknowledgements overall, within `within_s` seconds of
    /// sending, and per grid beside its recipients.
    pub async fn broadcast_progress(
        &self,
        local_id: i64,
        broadcast_id: &str,
        sent_at: i64,
        within_s: i64,
    ) -> Result<AckProgress> {
        let mut grids: HashMap<String, GridProgress> = self
            .broadcast_grids(local_id)
            .await?
            .into_iter()
            .map(|g| {
                (
                    g.grid_id.clone(),
                    GridProgress {
                        grid_id: g.grid_id,
                        town_code: g.town_code,
                        recipients: g.recipients,
                        acked: 0,
                    },
                )
            })
            .collect();
        let rows = sqlx::query(
            "SELECT grid_id, COUNT(*) AS acked, \
             SUM(CASE WHEN acked_at <= $1 THEN 1 ELSE 0 END) AS within \
             FROM broadcast_acks WHERE broadcast_id = $2 GROUP BY grid_id",
        )
        .bind(sent_at + within_s)
        .bind(broadcast_id)
        .fetch_all(&self.pool)
        .await?;
        let mut progress = AckProgress::default();
        for row in &rows {
            let grid_id: String = row.try_get("grid_id")?;
            let acked: i64 = row.try_get("acked")?;
            let within: i64 = row.try_get("within")?;
            progress.acked += acked;
            progress.acked_within += within;
            grids
                .entry(grid_id.clone())
                .or_insert_with(|| GridProgress {
                    town_code: town_of(&grid_id),
                    grid_id,
                    recipients: 0,
                    acked: 0,
                })
                .acked += acked;
        }
        progress.grids = grids.into_values().collect();
        progress.grids.sort_by(|a, b| a.grid_id.cmp(&b.grid_id));
        Ok(progress)
    }

    /// Keeps a record that could not be read (an ack that is not a
    /// BroadcastAck), with its reason, beside the events' quarantine.
    pub async fn quarantine_raw(
        &self,
        upstream: &str,
        kind: &str,
        reason: &str,
        now: i64,
        raw: &[u8],
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO quarantine (upstream, kind, reason, received_at, raw) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(upstream)
        .bind(kind)
        .bind(reason)
        .bind(now)
        .bind(raw)
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_grid_id_names_its_town() {
        assert_eq!(town_of("330282004001G03"), "330282004000");
        assert_eq!(town_of(""), "");
        assert_eq!(town_of("short"), "");
    }
}
