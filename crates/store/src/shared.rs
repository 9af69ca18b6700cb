//! Many instances on one PostgreSQL: the change notices they send each other
//! and the lock that elects the one that ingests.
//!
//! - [`Notice`]s go through PostgreSQL's `LISTEN/NOTIFY` on [`CHANNEL`]: what
//!   changed and its key, never the rows (a payload is limited to 8,000
//!   bytes); the reader fetches what it needs. An act recorded in the audit
//!   log is announced in the audit row's own transaction, so a notice is
//!   never sent for an act that did not commit and never lost for one that did.
//! - The ingest leader holds a session-level advisory lock on a dedicated
//!   connection ([`LeaderLock`]): PostgreSQL releases it the moment that
//!   session ends, whether the process exited, was killed or lost the network.
//!
//! On SQLite (one PC, one process) there is nobody to tell: [`Store::announce`]
//! does nothing and [`Store::listen`] and [`Store::leader_lock`] return `None`.

use serde::{Deserialize, Serialize};
use sqlx::Connection;
use sqlx::postgres::{PgConnection, PgListener};

use crate::{Backend, Result, Store};

/// The notification channel every instance listens on.
pub const CHANNEL: &str = "gridwall_changes";

/// The advisory lock key of the ingest leader (any constant; "GW" + "ingest").
const LEADER_KEY: i64 = 0x4757_696e_6765_7374;

/// PostgreSQL refuses payloads of 8,000 bytes or more; keep a margin.
const MAX_PAYLOAD: usize = 7_600;

/// One change, as another instance hears of it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    /// The instance that made the change ([`Store::origin`]).
    pub origin: String,
    #[serde(flatten)]
    pub change: Change,
}

/// What changed, and its key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum Change {
    /// Ingest landed revisions: the grids whose counters moved and the new
    /// alerts, or `all` when there were too many to name in one notice.
    Revisions {
        #[serde(default)]
        grids: Vec<String>,
        #[serde(default)]
        alerts: Vec<String>,
        #[serde(default)]
        all: bool,
    },
    /// An act, as recorded in the audit log.
    Act {
        action: String,
        subject: String,
        actor: String,
    },
    /// Acknowledgements of broadcasts landed.
    Acks,
    /// Reference data of `kind` (`grids`, `cameras`, …) was replaced.
    Reference { kind: String },
    /// The video gateway refused a media URL on an instance that does not
    /// ingest: the leader fetches the camera catalogue again.
    CamerasStale,
    /// The smart brain (on the leader) raised or updated these warnings.
    Warnings { ids: Vec<String> },
}

impl Change {
    /// Revisions naming `grids` and `alerts`, or `all` when naming them
    /// would not fit in one notice.
    pub fn revisions(grids: Vec<String>, alerts: Vec<String>) -> Change {
        let size: usize = grids.iter().chain(&alerts).map(|id| id.len() + 3).sum();
        if size > MAX_PAYLOAD - 200 {
            Change::Revisions {
                grids: Vec::new(),
                alerts: Vec::new(),
                all: true,
            }
        } else {
            Change::Revisions {
                grids,
                alerts,
                all: false,
            }
        }
    }
}

impl Notice {
    /// The payload as sent; `None` if it would not fit (an act whose subject
    /// is absurdly long is then announced without it: readers re-read).
    fn payload(&self) -> String {
        let text = serde_json::to_string(self).unwrap_or_default();
        if text.len() <= MAX_PAYLOAD {
            return text;
        }
        let shorter = Notice {
            origin: self.origin.clone(),
            change: match &self.change {
                Change::Act { action, actor, .. } => Change::Act {
                    action: action.clone(),
                    subject: String::new(),
                    actor: actor.chars().take(200).collect(),
                },
                _ => Change::Revisions {
                    grids: Vec::new(),
                    alerts: Vec::new(),
                    all: true,
                },
            },
        };
        serde_json::to_string(&shorter).unwrap_or_default()
    }

    /// A payload read back; `None` for one this version does not know.
    pub fn parse(payload: &str) -> Option<Notice> {
        serde_json::from_str(payload).ok()
    }
}

/// The notices of every other instance, on a dedicated connection.
pub struct Listener {
    inner: PgListener,
    origin: String,
}

/// What [`Listener::next`] heard.
#[derive(Debug)]
pub enum Heard {
    Notice(Notice),
    /// The connection was lost and made again: notices may have been missed,
    /// so whatever the listener keeps must be read again in full.
    Reconnected,
}

impl Listener {
    /// The next notice from another instance (this instance's own are
    /// skipped, as are payloads this version cannot read). An error means
    /// the database cannot be reached; calling again tries to reconnect.
    pub async fn next(&mut self) -> Result<Heard> {
        loop {
            let Some(notification) = self.inner.try_recv().await? else {
                return Ok(Heard::Reconnected);
            };
            match Notice::parse(notification.payload()) {
                Some(notice) if notice.origin != self.origin => return Ok(Heard::Notice(notice)),
                Some(_) => {}
                None => tracing::debug!("a change notice this version does not read"),
            }
        }
    }
}

/// The ingest leader's lock, held by a session of its own.
pub struct LeaderLock {
    conn: PgConnection,
}

impl LeaderLock {
    /// Whether the session that holds the lock is still there. When it is
    /// not, PostgreSQL has released the lock and another instance may hold
    /// it: stop ingesting at once.
    pub async fn alive(&mut self) -> bool {
        sqlx::query("SELECT 1")
            .execute(&mut self.conn)
            .await
            .is_ok()
    }

    /// Releases the lock (at shutdown), so another instance takes over at once.
    pub async fn release(mut self) {
        let _ = sqlx::query("SELECT pg_advisory_unlock($1)")
            .bind(LEADER_KEY)
            .execute(&mut self.conn)
            .await;
        let _ = self.conn.close().await;
    }
}

impl Store {
    /// This instance's name in the notices it sends.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// Tells every other instance on the same PostgreSQL about `change`.
    /// Nothing on SQLite.
    pub async fn announce(&self, change: Change) -> Result<()> {
        if self.backend != Backend::Postgres {
            return Ok(());
        }
        let notice = Notice {
            origin: self.origin.clone(),
            change,
        };
        sqlx::query("SELECT pg_notify($1, $2)")
            .bind(CHANNEL)
            .bind(notice.payload())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Starts listening to the other instances' notices (PostgreSQL only).
    pub async fn listen(&self) -> Result<Option<Listener>> {
        let Some(url) = self.postgres_url() else {
            return Ok(None);
        };
        let mut inner = PgListener::connect(url).await?;
        inner.listen(CHANNEL).await?;
        Ok(Some(Listener {
            inner,
            origin: self.origin.clone(),
        }))
    }

    /// Tries to become the ingest leader: `Some` when this instance now
    /// holds the lock, `None` when another does or on SQLite (where
    /// [`Store::shared`] is false and the one process always ingests).
    pub async fn leader_lock(&self) -> Result<Option<LeaderLock>> {
        let Some(url) = self.postgres_url() else {
            return Ok(None);
        };
        let mut conn = PgConnection::connect(url).await?;
        // A leader cut off by the network (not killed) would keep the lock
        // until TCP gave up on it, for hours. Its session pings every few
        // seconds; silent for 10 s, the server ends it and frees the lock.
        // (PostgreSQL 14 and newer; older servers ignore it and rely on TCP.)
        let _ = sqlx::query("SET idle_session_timeout = '10s'")
            .execute(&mut conn)
            .await;
        let got: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
            .bind(LEADER_KEY)
            .fetch_one(&mut conn)
            .await?;
        if got {
            Ok(Some(LeaderLock { conn }))
        } else {
            let _ = conn.close().await;
            Ok(None)
        }
    }

    /// Whether the database answers.
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Whether other instances may share this store (PostgreSQL).
    pub fn shared(&self) -> bool {
        self.backend == Backend::Postgres
    }

    fn postgres_url(&self) -> Option<&str> {
        (self.backend == Backend::Postgres).then_some(self.url.as_str())
    }
}

/// Announces an audited act inside the transaction that records it.
pub(crate) async fn announce_in(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    store: &Store,
    entry: &crate::AuditEntry,
) -> Result<()> {
    if store.backend != Backend::Postgres {
        return Ok(());
    }
    let notice = Notice {
        origin: store.origin.clone(),
        change: Change::Act {
            action: entry.action.clone(),
            subject: entry.subject.clone(),
            actor: entry.actor.clone(),
        },
    };
    sqlx::query("SELECT pg_notify($1, $2)")
        .bind(CHANNEL)
        .bind(notice.payload())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notices_read_back_and_too_many_grids_become_all() {
        let notice = Notice {
            origin: "a".into(),
            change: Change::revisions(vec!["G1".into()], vec!["E1".into()]),
        };
        assert_eq!(Notice::parse(&notice.payload()), Some(notice));
        let many = (0..2_000).map(|n| format!("330282{n:09}")).collect();
        assert!(matches!(
            Change::revisions(many, Vec::new()),
            Change::Revisions { all: true, .. }
        ));
        let act = Notice {
            origin: "a".into(),
            change: Change::Act {
                action: "acknowledge_alert".into(),
                subject: "x".repeat(10_000),
                actor: "zhang".into(),
            },
        };
        assert!(act.payload().len() < MAX_PAYLOAD);
        assert_eq!(
            Notice::parse("{\"origin\":\"a\",\"change\":\"future\"}"),
            None
        );
    }
}
