//! Wartime footing (平战转换): emergency plans, the footing in force, and
//! the two-person proposals that switch it.
//!
//! The store keeps what the wall crate decided; the rules (who may propose,
//! who may confirm, when a proposal lapses) are the wall crate's. What the
//! store guarantees is that a proposal is decided once: [`Store::decide_proposal`]
//! changes only a pending row, so two consoles confirming at once (or a
//! confirmation racing the lapse) cannot both win, on either engine.

use sqlx::Row;

use crate::{Result, Store};

/// A plan as an admin wrote it (TOML text; the wall crate parses it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredPlan {
    pub name: String,
    pub plan_toml: String,
    /// Unix seconds.
    pub updated_at: i64,
    pub updated_by: String,
}

/// The plan in force, with the text it had when it was switched on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Footing {
    pub plan_name: String,
    pub plan_toml: String,
    /// Unix seconds, platform time.
    pub started_at: i64,
    pub proposed_by: String,
    pub confirmed_by: String,
}

/// A proposal to switch on (`on`, naming a plan) or back to peacetime (`off`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Proposal {
    pub id: i64,
    /// `on` or `off`.
    pub action: String,
    pub plan_name: String,
    pub proposed_by: String,
    /// Unix seconds, real time (people have real minutes to confirm).
    pub proposed_at: i64,
    pub expires_at: i64,
    /// `pending`, `confirmed`, `cancelled` or `lapsed`.
    pub status: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<i64>,
}

const PROPOSAL_COLUMNS: &str = "proposal_id, action, plan_name, proposed_by, proposed_at, \
     expires_at, status, decided_by, decided_at";

fn proposal(row: &sqlx::any::AnyRow) -> Result<Proposal> {
    Ok(Proposal {
        id: row.try_get("proposal_id")?,
        action: row.try_get("action")?,
        plan_name: row.try_get("plan_name")?,
        proposed_by: row.try_get("proposed_by")?,
        proposed_at: row.try_get("proposed_at")?,
        expires_at: row.try_get("expires_at")?,
        status: row.try_get("status")?,
        decided_by: row.try_get("decided_by")?,
        decided_at: row.try_get("decided_at")?,
    })
}

impl Store {
    /// Saves `plan` under its name, replacing any plan of that name.
    pub async fn save_plan(&self, plan: &StoredPlan) -> Result<()> {
        sqlx::query(
            "INSERT INTO emergency_plans (name, plan_toml, updated_at, updated_by) \
             VALUES ($1, $2, $3, $4) \
             ON CONFLICT (name) DO UPDATE SET plan_toml = excluded.plan_toml, \
             updated_at = excluded.updated_at, updated_by = excluded.updated_by",
        )
        .bind(&plan.name)
        .bind(&plan.plan_toml)
        .bind(plan.updated_at)
        .bind(&plan.updated_by)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Deletes the plan called `name`; whether there was one. A footing in
    /// force keeps its own copy of the plan's text.
    pub async fn delete_plan(&self, name: &str) -> Result<bool> {
        let done = sqlx::query("DELETE FROM emergency_plans WHERE name = $1")
            .bind(name)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Every plan, by name.
    pub async fn plans(&self) -> Result<Vec<StoredPlan>> {
        let rows = sqlx::query(
            "SELECT name, plan_toml, updated_at, updated_by FROM emergency_plans ORDER BY name",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(StoredPlan {
                    name: row.try_get("name")?,
                    plan_toml: row.try_get("plan_toml")?,
                    updated_at: row.try_get("updated_at")?,
                    updated_by: row.try_get("updated_by")?,
                })
            })
            .collect()
    }

    /// The footing in force, or `None` in peacetime.
    pub async fn footing(&self) -> Result<Option<Footing>> {
        let row = sqlx::query(
            "SELECT plan_name, plan_toml, started_at, proposed_by, confirmed_by \
             FROM emergency_footing WHERE footing_id = 1",
        )
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| {
            Ok(Footing {
                plan_name: row.try_get("plan_name")?,
                plan_toml: row.try_get("plan_toml")?,
                started_at: row.try_get("started_at")?,
                proposed_by: row.try_get("proposed_by")?,
                confirmed_by: row.try_get("confirmed_by")?,
            })
        })
        .transpose()
    }

    /// Adds a pending proposal and returns it. Fails (a unique violation)
    /// while another proposal is pending: one decision at a time.
    pub async fn propose(
        &self,
        action: &str,
        plan_name: &str,
        proposed_by: &str,
        proposed_at: i64,
        expires_at: i64,
    ) -> Result<Proposal> {
        let row = sqlx::query(&format!(
            "INSERT INTO emergency_proposals \
             (action, plan_name, proposed_by, proposed_at, expires_at, status) \
             VALUES ($1, $2, $3, $4, $5, 'pending') RETURNING {PROPOSAL_COLUMNS}"
        ))
        .bind(action)
        .bind(plan_name)
        .bind(proposed_by)
        .bind(proposed_at)
        .bind(expires_at)
        .fetch_one(&self.pool)
        .await?;
        proposal(&row)
    }

    /// The pending proposal, if any.
    pub async fn pending_proposal(&self) -> Result<Option<Proposal>> {
        let row = sqlx::query(&format!(
            "SELECT {PROPOSAL_COLUMNS} FROM emergency_proposals WHERE status = 'pending'"
        ))
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(proposal).transpose()
    }

    /// Every proposal, newest first, at most `limit`.
    pub async fn proposals(&self, limit: i64) -> Result<Vec<Proposal>> {
        let rows = sqlx::query(&format!(
            "SELECT {PROPOSAL_COLUMNS} FROM emergency_proposals \
             ORDER BY proposal_id DESC LIMIT $1"
        ))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(proposal).collect()
    }

    /// Decides proposal `id` as `status` (`cancelled` or `lapsed`) if it is
    /// still pending; whether this call decided it.
    pub async fn decide_proposal(
        &self,
        id: i64,
        status: &str,
        decided_by: &str,
        decided_at: i64,
    ) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE emergency_proposals SET status = $1, decided_by = $2, decided_at = $3 \
             WHERE proposal_id = $4 AND status = 'pending'",
        )
        .bind(status)
        .bind(decided_by)
        .bind(decided_at)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Confirms proposal `id` and puts `footing` in force (or, with `None`,
    /// returns to peacetime), in one transaction: whether this call won. A
    /// proposal that is no longer pending changes nothing.
    pub async fn confirm_proposal(
        &self,
        id: i64,
        decided_by: &str,
        decided_at: i64,
        footing: Option<&Footing>,
    ) -> Result<bool> {
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query(
            "UPDATE emergency_proposals SET status = 'confirmed', decided_by = $1, \
             decided_at = $2 WHERE proposal_id = $3 AND status = 'pending'",
        )
        .bind(decided_by)
        .bind(decided_at)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            tx.rollback().await?;
            return Ok(false);
        }
        sqlx::query("DELETE FROM emergency_footing")
            .execute(&mut *tx)
            .await?;
        if let Some(f) = footing {
            sqlx::query(
                "INSERT INTO emergency_footing \
                 (footing_id, plan_name, plan_toml, started_at, proposed_by, confirmed_by) \
                 VALUES (1, $1, $2, $3, $4, $5)",
            )
            .bind(&f.plan_name)
            .bind(&f.plan_toml)
            .bind(f.started_at)
            .bind(&f.proposed_by)
            .bind(&f.confirmed_by)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(true)
    }
}
