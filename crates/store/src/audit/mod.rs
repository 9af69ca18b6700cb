//! The audit log: deliberate acts of operators, who and when, append-only
//! and hash-chained (issue 12), so that an edited, removed, inserted or
//! reordered row is found by [`Store::verify_audit`].
//!
//! - [`chain`]: what a row's hash covers, and the walk that judges the log.
//!
//! Every append goes through [`Store::record_audit`], which takes the next
//! place in the chain and the previous row's hash from `audit_head` and
//! moves the head, in one transaction. Appends are serialized so the chain
//! never forks: on PostgreSQL, where several consoles share one log, by an
//! advisory lock held to the end of the transaction; on SQLite by the write
//! lock, which the head's update takes as the transaction's first statement.

pub mod chain;

use sqlx::{Any, Row, Transaction};
use time::OffsetDateTime;

use crate::{Backend, Result, Store};
use chain::{AuditRow, AuditVerdict, Head};

/// The key of the PostgreSQL advisory lock that serializes appends (and the
/// reads of `verify_audit`), the same in every app instance: "GWAUDIT" in ASCII.
const APPEND_LOCK: i64 = 0x0047_5741_5544_4954;

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

/// On PostgreSQL, wait for the append lock; it is released when `tx` ends.
async fn lock_chain(tx: &mut Transaction<'_, Any>, backend: Backend) -> Result<()> {
    if backend == Backend::Postgres {
        // Selected from, not as a column: the lock function returns `void`,
        // a type the `Any` driver cannot decode.
        sqlx::query("SELECT CAST(1 AS BIGINT) FROM pg_advisory_xact_lock($1)")
            .bind(APPEND_LOCK)
            .fetch_one(&mut **tx)
            .await?;
    }
    Ok(())
}

/// The head as it is in `tx`.
async fn read_head(tx: &mut Transaction<'_, Any>) -> Result<Head> {
    let row = sqlx::query("SELECT seq, hash FROM audit_head WHERE singleton = 1")
        .fetch_optional(&mut **tx)
        .await?;
    Ok(match row {
        Some(row) => Head {
            seq: row.try_get("seq")?,
            hash: row.try_get("hash")?,
        },
        // A deleted head reads as an empty chain, so every row beyond it is
        // reported rather than the verification failing.
        None => Head {
            seq: 0,
            hash: chain::GENESIS.to_owned(),
        },
    })
}

async fn write_head(tx: &mut Transaction<'_, Any>, head: &Head) -> Result<()> {
    sqlx::query("UPDATE audit_head SET seq = $1, hash = $2 WHERE singleton = 1")
        .bind(head.seq)
        .bind(head.hash.as_str())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Start a transaction that owns the end of the chain: no append can
/// interleave until it ends.
pub(crate) async fn begin_at_head(store: &Store) -> Result<(Transaction<'static, Any>, Head)> {
    let mut tx = store.pool.begin().await?;
    lock_chain(&mut tx, store.backend).await?;
    // A write first, so on SQLite this transaction holds the write lock from
    // its first statement (as BEGIN IMMEDIATE would) and two appends never
    // both read the same head. On PostgreSQL it also locks the head's row.
    sqlx::query("UPDATE audit_head SET seq = seq WHERE singleton = 1")
        .execute(&mut *tx)
        .await?;
    let head = read_head(&mut tx).await?;
    Ok((tx, head))
}

/// Chain the rows written before the log was a chain (they have an empty
/// hash), once: only while the chain is still empty. Later, a row with an
/// empty hash was written behind the store's back, and chaining it would
/// launder it; `verify_audit` reports it instead. Called by `Store::open`.
pub(crate) async fn adopt_unchained(store: &Store) -> Result<()> {
    let (mut tx, mut head) = begin_at_head(store).await?;
    let chained: i64 = sqlx::query("SELECT COUNT(*) AS n FROM audit WHERE hash <> ''")
        .fetch_one(&mut *tx)
        .await?
        .try_get("n")?;
    if head.seq != 0 || chained != 0 {
        return Ok(());
    }
    let rows = read_rows(&mut tx, "WHERE hash = ''").await?;
    for row in &rows {
        let seq = head.seq + 1;
        let hash = chain::row_hash(seq, &row.entry, &head.hash);
        sqlx::query("UPDATE audit SET seq = $1, prev_hash = $2, hash = $3 WHERE audit_id = $4")
            .bind(seq)
            .bind(head.hash.as_str())
            .bind(hash.as_str())
            .bind(row.audit_id)
            .execute(&mut *tx)
            .await?;
        head = Head { seq, hash };
    }
    if !rows.is_empty() {
        write_head(&mut tx, &head).await?;
        tracing::info!(
            rows = rows.len(),
            "chained the audit rows written before the hash chain"
        );
    }
    tx.commit().await?;
    Ok(())
}

/// Rows of the log matching `filter` (a WHERE clause without binds), in the
/// order they were written.
async fn read_rows(tx: &mut Transaction<'_, Any>, filter: &str) -> Result<Vec<AuditRow>> {
    let sql = format!(
        "SELECT audit_id, seq, at, actor, action, subject, detail, prev_hash, hash \
         FROM audit {filter} ORDER BY audit_id"
    );
    let rows = sqlx::query(&sql).fetch_all(&mut **tx).await?;
    rows.iter()
        .map(|row| {
            Ok(AuditRow {
                audit_id: row.try_get("audit_id")?,
                seq: row.try_get("seq")?,
                entry: entry_of(row)?,
                prev_hash: row.try_get("prev_hash")?,
                hash: row.try_get("hash")?,
            })
        })
        .collect()
}

fn entry_of(row: &sqlx::any::AnyRow) -> Result<AuditEntry> {
    Ok(AuditEntry {
        // Out of range only if edited by hand; the epoch then fails its hash.
        at: OffsetDateTime::from_unix_timestamp(row.try_get("at")?)
            .unwrap_or(OffsetDateTime::UNIX_EPOCH),
        actor: row.try_get("actor")?,
        action: row.try_get("action")?,
        subject: row.try_get("subject")?,
        detail: row.try_get("detail")?,
    })
}

/// Append `entry` in `tx`, which `begin_at_head` started, so an act and its
/// record commit together (a warning's state change and its audit row).
/// Other instances on the same PostgreSQL hear of the act when it commits.
pub(crate) async fn append(
    tx: &mut Transaction<'static, Any>,
    head: Head,
    entry: &AuditEntry,
    store: &Store,
) -> Result<()> {
    let seq = head.seq + 1;
    let hash = chain::row_hash(seq, entry, &head.hash);
    sqlx::query(
        "INSERT INTO audit (seq, at, actor, action, subject, detail, prev_hash, hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(seq)
    .bind(entry.at.unix_timestamp())
    .bind(entry.actor.as_str())
    .bind(entry.action.as_str())
    .bind(entry.subject.as_str())
    .bind(entry.detail.as_str())
    .bind(head.hash.as_str())
    .bind(hash.as_str())
    .execute(&mut **tx)
    .await?;
    write_head(tx, &Head { seq, hash }).await?;
    crate::shared::announce_in(tx, store, entry).await
}

impl Store {
    /// Append `entry` to the log, chained to the row before it.
    pub async fn record_audit(&self, entry: &AuditEntry) -> Result<()> {
        let (mut tx, head) = begin_at_head(self).await?;
        append(&mut tx, head, entry, self).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Every row of the log with its chain fields, oldest first (for export).
    pub async fn audit_rows(&self) -> Result<Vec<AuditRow>> {
        let mut tx = self.pool.begin().await?;
        let rows = read_rows(&mut tx, "").await?;
        tx.commit().await?;
        Ok(rows)
    }

    /// Walk the whole log against its chain and head; names the first row
    /// that was edited, removed, inserted or reordered. Reads one consistent
    /// state of the log (on PostgreSQL, appends wait until it has read).
    pub async fn verify_audit(&self) -> Result<AuditVerdict> {
        let mut tx = self.pool.begin().await?;
        // SQLite: the rows and the head are read in one transaction, one
        // snapshot. PostgreSQL reads each statement afresh, so the lock keeps
        // an append from landing between the two.
        lock_chain(&mut tx, self.backend).await?;
        let rows = read_rows(&mut tx, "").await?;
        let head = read_head(&mut tx).await?;
        tx.commit().await?;
        Ok(chain::walk(&rows, &head))
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
            let list = crate::sql::placeholders(self.backend, chunk.len(), 1);
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
        rows.iter().map(entry_of).collect()
    }
}
