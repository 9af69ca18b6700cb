//! The smart brain's early warnings (issue 13) as the store keeps them: the
//! detectors' baseline counters, and each warning with where the people
//! handling it are (预警单 → 交办单 → 反馈单).
//!
//! The store does not know what a warning says: `gridwall-brain` owns the
//! detectors and the meaning of counter scopes and of a warning's `body`
//! (JSON). The store owns the state machine of handling, and audits every
//! step of it in the same transaction as the step, so the log and the
//! warnings never disagree.

use sqlx::Row;
use time::OffsetDateTime;

use crate::audit::{self, AuditEntry};
use crate::sql::placeholders;
use crate::{Result, Store};

/// Where the people handling a warning are.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum WarningState {
    /// 预警单: raised, nobody has acted on it yet.
    Open,
    /// Seen and judged not to need a hand-over.
    Acknowledged,
    /// 交办单: handed over to a town or department to act on.
    HandedOver,
    /// 反馈单: the handler reported back.
    FedBack,
}

impl WarningState {
    pub fn as_str(self) -> &'static str {
        match self {
            WarningState::Open => "open",
            WarningState::Acknowledged => "acknowledged",
            WarningState::HandedOver => "handed_over",
            WarningState::FedBack => "fed_back",
        }
    }

    pub fn parse(raw: &str) -> Option<WarningState> {
        [
            WarningState::Open,
            WarningState::Acknowledged,
            WarningState::HandedOver,
            WarningState::FedBack,
        ]
        .into_iter()
        .find(|s| s.as_str() == raw)
    }

    /// The states a warning may move to `self` from.
    fn allowed_from(self) -> &'static [WarningState] {
        match self {
            WarningState::Open => &[],
            WarningState::Acknowledged => &[WarningState::Open],
            WarningState::HandedOver => &[WarningState::Open, WarningState::Acknowledged],
            WarningState::FedBack => &[WarningState::HandedOver],
        }
    }

    /// The audit log's action for moving to this state.
    fn action(self) -> &'static str {
        match self {
            WarningState::Open => "reopen_warning",
            WarningState::Acknowledged => "acknowledge_warning",
            WarningState::HandedOver => "hand_over_warning",
            WarningState::FedBack => "feed_back_warning",
        }
    }
}

/// One warning as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredWarning {
    pub id: String,
    pub kind: String,
    pub level: u8,
    pub place_level: String,
    pub place_code: String,
    pub onset: i64,
    pub raised_at: i64,
    pub updated_at: i64,
    /// What the brain said, as JSON.
    pub body: String,
    pub state: WarningState,
    /// Who moved it to `state`, when, and what they wrote (a hand-over's
    /// addressee and instruction, a feedback's summary).
    pub state_by: Option<String>,
    pub state_at: Option<i64>,
    pub note: Option<String>,
}

/// The outcome of asking to move a warning.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Transition {
    /// Moved (and audited); the warning as it is now (boxed: it is large
    /// beside the other outcomes).
    Done(Box<StoredWarning>),
    NotFound,
    /// Not from the state it is in (e.g. feedback on an open warning).
    NotAllowed(WarningState),
}

const COLUMNS: &str = "warning_id, kind, level, place_level, place_code, onset, raised_at, \
                       updated_at, body, state, state_by, state_at, note";

fn warning_of(row: &sqlx::any::AnyRow) -> Result<StoredWarning> {
    let state: String = row.try_get("state")?;
    let level: i64 = row.try_get("level")?;
    Ok(StoredWarning {
        id: row.try_get("warning_id")?,
        kind: row.try_get("kind")?,
        level: u8::try_from(level.clamp(0, 255)).unwrap_or(0),
        place_level: row.try_get("place_level")?,
        place_code: row.try_get("place_code")?,
        onset: row.try_get("onset")?,
        raised_at: row.try_get("raised_at")?,
        updated_at: row.try_get("updated_at")?,
        body: row.try_get("body")?,
        // Written only by this module; an unknown value reads as open so
        // the warning is not lost from the console.
        state: WarningState::parse(&state).unwrap_or(WarningState::Open),
        state_by: row.try_get("state_by")?,
        state_at: row.try_get("state_at")?,
        note: row.try_get("note")?,
    })
}

/// An event as the brain learns it from the store: for the baseline, and
/// for what it keeps in memory (recent disputes, open deadlines) across a
/// restart.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reported {
    pub id: String,
    pub grid_id: String,
    pub source: String,
    pub category: String,
    pub severity: i64,
    pub address: String,
    pub reported_at: i64,
    pub is_open: bool,
    pub due_at: Option<i64>,
}

const REPORTED: &str = "SELECT id, grid_id, source, category, severity, address, reported_at, is_open, due_at \
     FROM events";

fn reported_of(r: &sqlx::any::AnyRow) -> Result<Reported> {
    let is_open: i64 = r.try_get("is_open")?;
    Ok(Reported {
        id: r.try_get("id")?,
        grid_id: r.try_get("grid_id")?,
        source: r.try_get("source")?,
        category: r.try_get("category")?,
        severity: r.try_get("severity")?,
        address: r.try_get("address")?,
        reported_at: r.try_get("reported_at")?,
        is_open: is_open != 0,
        due_at: r.try_get("due_at")?,
    })
}

impl Store {
    /// The events reported in `[from, to)`, oldest first: a page of the
    /// history the brain learns its first baseline from.
    pub async fn reported_between(&self, from: i64, to: i64) -> Result<Vec<Reported>> {
        let rows = sqlx::query(&format!(
            "{REPORTED} WHERE reported_at >= $1 AND reported_at < $2 ORDER BY reported_at, id"
        ))
        .bind(from)
        .bind(to)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(reported_of).collect()
    }

    /// The open events with a deadline, whenever reported, soonest due first.
    pub async fn open_with_deadline(&self) -> Result<Vec<Reported>> {
        let rows = sqlx::query(&format!(
            "{REPORTED} WHERE is_open = 1 AND due_at IS NOT NULL ORDER BY due_at, id"
        ))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(reported_of).collect()
    }

    /// The earliest report stored, if any.
    pub async fn first_reported(&self) -> Result<Option<i64>> {
        let row = sqlx::query("SELECT MIN(reported_at) AS first FROM events")
            .fetch_one(&self.pool)
            .await?;
        Ok(row.try_get::<Option<i64>, _>("first")?)
    }

    /// Every baseline counter as (scope, slot, amount).
    pub async fn warning_counters(&self) -> Result<Vec<(String, i64, i64)>> {
        let rows = sqlx::query("SELECT scope, slot, amount FROM warning_counters")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get("scope")?,
                    r.try_get("slot")?,
                    r.try_get("amount")?,
                ))
            })
            .collect()
    }

    /// Add `add` to the counters (creating them at zero) and set `set`, in
    /// one transaction. Each (scope, slot) at most once per list.
    pub async fn save_warning_counters(
        &self,
        add: &[(String, i64, i64)],
        set: &[(String, i64, i64)],
    ) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        for (rows, how) in [
            (add, "warning_counters.amount + excluded.amount"),
            (set, "excluded.amount"),
        ] {
            for chunk in rows.chunks(500) {
                let sql = format!(
                    "INSERT INTO warning_counters (scope, slot, amount) VALUES {} \
                     ON CONFLICT (scope, slot) DO UPDATE SET amount = {how}",
                    placeholders(self.backend, chunk.len(), 3)
                );
                let mut query = sqlx::query(&sql);
                for (scope, slot, amount) in chunk {
                    query = query.bind(scope.as_str()).bind(*slot).bind(*amount);
                }
                query.execute(&mut *tx).await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    /// Insert a warning, or update what the brain says of it (level, time,
    /// body) without touching where its handling is. Returns whether it is new.
    pub async fn upsert_warning(&self, w: &StoredWarning) -> Result<bool> {
        let mut tx = self.pool.begin().await?;
        let exists = sqlx::query("SELECT 1 AS one FROM warnings WHERE warning_id = $1")
            .bind(w.id.as_str())
            .fetch_optional(&mut *tx)
            .await?
            .is_some();
        if exists {
            sqlx::query(
                "UPDATE warnings SET level = $2, updated_at = $3, body = $4 WHERE warning_id = $1",
            )
            .bind(w.id.as_str())
            .bind(i64::from(w.level))
            .bind(w.updated_at)
            .bind(w.body.as_str())
            .execute(&mut *tx)
            .await?;
        } else {
            sqlx::query(&format!(
                "INSERT INTO warnings ({COLUMNS}) VALUES \
                 ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, NULL, NULL, NULL)"
            ))
            .bind(w.id.as_str())
            .bind(w.kind.as_str())
            .bind(i64::from(w.level))
            .bind(w.place_level.as_str())
            .bind(w.place_code.as_str())
            .bind(w.onset)
            .bind(w.raised_at)
            .bind(w.updated_at)
            .bind(w.body.as_str())
            .bind(WarningState::Open.as_str())
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(!exists)
    }

    /// One warning by id.
    pub async fn warning(&self, id: &str) -> Result<Option<StoredWarning>> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM warnings WHERE warning_id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(warning_of).transpose()
    }

    /// Warnings updated at or after `since`, newest first, at most `limit`.
    pub async fn warnings(&self, since: i64, limit: usize) -> Result<Vec<StoredWarning>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM warnings WHERE updated_at >= $1 \
             ORDER BY updated_at DESC, warning_id LIMIT $2"
        ))
        .bind(since)
        .bind(i64::try_from(limit).unwrap_or(i64::MAX))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(warning_of).collect()
    }

    /// Move a warning to `to` in `actor`'s name at `at`, with `note`, and
    /// audit it in the same transaction. Two consoles acting at once: the
    /// first wins, the second is told the state it found.
    pub async fn move_warning(
        &self,
        id: &str,
        to: WarningState,
        actor: &str,
        at: OffsetDateTime,
        note: &str,
    ) -> Result<Transition> {
        // The chain's transaction (it serialises appends) holds the update too.
        let (mut tx, head) = audit::begin_at_head(self).await?;
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM warnings WHERE warning_id = $1"
        ))
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(current) = row.as_ref().map(warning_of).transpose()? else {
            return Ok(Transition::NotFound);
        };
        if !to.allowed_from().contains(&current.state) {
            return Ok(Transition::NotAllowed(current.state));
        }
        let note = (!note.is_empty()).then_some(note);
        sqlx::query(
            "UPDATE warnings SET state = $2, state_by = $3, state_at = $4, note = $5 \
             WHERE warning_id = $1 AND state = $6",
        )
        .bind(id)
        .bind(to.as_str())
        .bind(actor)
        .bind(at.unix_timestamp())
        .bind(note)
        .bind(current.state.as_str())
        .execute(&mut *tx)
        .await?;
        let entry = AuditEntry {
            at,
            actor: actor.to_owned(),
            action: to.action().to_owned(),
            subject: id.to_owned(),
            detail: note.unwrap_or_default().to_owned(),
        };
        audit::append(&mut tx, head, &entry, self).await?;
        tx.commit().await?;
        Ok(Transition::Done(Box::new(StoredWarning {
            state: to,
            state_by: Some(actor.to_owned()),
            state_at: Some(at.unix_timestamp()),
            note: note.map(str::to_owned),
            ..current
        })))
    }
}
