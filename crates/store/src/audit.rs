//! The audit log: deliberate acts of operators, who and when, append-only.

use sqlx::Row;
use time::OffsetDateTime;

use crate::{Result, Store};

/// One act.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditEntry {
    pub at: OffsetDateTime,
    pub actor: String,
    /// e.g. `acknowledge_alert`, `push_to_wall`.
    pub action: String,
    /// What it was done to: an event id, a grid id.
    pub subject: String,
    pub detail: String,
}

impl Store {
    pub async fn record_audit(&self, entry: &AuditEntry) -> Result<()> {
        sqlx::query(
            "INSERT INTO audit (at, actor, action, subject, detail) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(entry.at.unix_timestamp())
        .bind(entry.actor.as_str())
        .bind(entry.action.as_str())
        .bind(entry.subject.as_str())
        .bind(entry.detail.as_str())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Which of `subjects` have had `action` done to them (e.g. which alerts
    /// were acknowledged): an index lookup per chunk, however long the log.
    pub async fn acted_on(
        &self,
        action: &str,
        subjects: &[String],
    ) -> Result<std::collections::HashSet<String>> {
        let mut found = std::collections::HashSet::new();
        for chunk in subjects.chunks(500) {
            let list = crate::ingest::placeholders(self.backend, chunk.len(), 1);
            let action_at = match self.backend {
                crate::Backend::Sqlite => "?".to_owned(),
                _ => format!("${}", chunk.len() + 1),
            };
            let sql = format!(
                "SELECT DISTINCT subject FROM audit WHERE subject IN ({list}) AND action = {action_at}"
            );
            let mut query = sqlx::query(&sql);
            for subject in chunk {
                query = query.bind(subject.as_str());
            }
            for row in query.bind(action).fetch_all(&self.pool).await? {
                found.insert(row.try_get("subject")?);
            }
        }
        Ok(found)
    }

    /// Every entry of `action`, oldest first.
    pub async fn audit(&self, action: &str) -> Result<Vec<AuditEntry>> {
        let rows = sqlx::query(
            "SELECT at, actor, action, subject, detail FROM audit WHERE action = $1 \
             ORDER BY at, audit_id",
        )
        .bind(action)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(AuditEntry {
                    at: OffsetDateTime::from_unix_timestamp(row.try_get("at")?)
                        .unwrap_or(OffsetDateTime::UNIX_EPOCH),
                    actor: row.try_get("actor")?,
                    action: row.try_get("action")?,
                    subject: row.try_get("subject")?,
                    detail: row.try_get("detail")?,
                })
            })
            .collect()
    }
}
