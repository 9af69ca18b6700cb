//! The bulk path's session: a connection of its own, typed for its engine,
//! and the cache of newest rows, kept from the first [`Store::apply_bulk`]
//! to [`Store::finish_bulk`].
//!
//! A typed connection binds each value as it is (no `Any` value made and
//! converted per bind) and keeps every statement it prepared, so the
//! ladder-sized inserts of [`crate::sql::ladder`] are prepared once for a
//! whole import.

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::PgConnection;
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqliteSynchronous};
use sqlx::{ConnectOptions, Connection};

use crate::conn::Conn;
use crate::newest::EventRow;
use crate::write::batch::{self, Landed, Parsed};
use crate::write::cache::{LastRecords, NewestCache};
use crate::{Backend, Result, Store};

/// The tables a bulk import writes, whose statistics the planner reads.
const ANALYZE: &str = "ANALYZE events, event_revisions, event_days, grid_state, \
     kpi_days, kpi_years, kpi_handling_days, kpi_handling_years";

enum BulkConn {
    Sqlite(SqliteConnection),
    Postgres(PgConnection),
}

pub(crate) struct BulkSession {
    conn: BulkConn,
    cache: NewestCache,
}

impl BulkSession {
    pub async fn open(store: &Store) -> Result<BulkSession> {
        let conn = match store.backend {
            Backend::Sqlite => {
                // The pool's settings (see `Store::open`), and a larger page
                // cache: an import touches the newest pages of every index.
                let options = SqliteConnectOptions::from_str(&store.url)?
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .busy_timeout(Duration::from_secs(5))
                    .foreign_keys(true)
                    .pragma("cache_size", "-131072")
                    .statement_cache_capacity(256);
                BulkConn::Sqlite(options.connect().await?)
            }
            Backend::Postgres => {
                let mut conn = PgConnection::connect(&store.url).await?;
                sqlx::Executor::execute(&mut conn, super::copy::CREATE_STAGING).await?;
                BulkConn::Postgres(conn)
            }
        };
        let events: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM (SELECT 1 FROM events LIMIT 1) AS e")
                .fetch_one(&store.pool)
                .await?;
        tracing::info!(empty = events == 0, "bulk import session opened");
        Ok(BulkSession {
            conn,
            cache: NewestCache::new(events == 0),
        })
    }

    /// Land `parsed` in one transaction on this session's connection. The
    /// caller hands the committed rows to [`BulkSession::absorb`].
    pub async fn land(
        &mut self,
        backend: Backend,
        parsed: &Parsed<'_>,
        cursor: Option<(&str, u64)>,
        now: i64,
        last: &LastRecords,
    ) -> Result<Landed> {
        let cache = Some(&self.cache);
        let landed = match &mut self.conn {
            BulkConn::Sqlite(c) => {
                let mut tx = c.begin().await?;
                let landed = batch::land(
                    &mut Conn::Sqlite(&mut tx),
                    backend,
                    parsed,
                    cursor,
                    now,
                    cache,
                    last,
                )
                .await?;
                tx.commit().await?;
                landed
            }
            BulkConn::Postgres(c) => {
                let mut tx = c.begin().await?;
                let landed = batch::land(
                    &mut Conn::Postgres(&mut tx),
                    backend,
                    parsed,
                    cursor,
                    now,
                    cache,
                    last,
                )
                .await?;
                tx.commit().await?;
                landed
            }
        };
        Ok(landed)
    }

    /// Rows another writer of this store committed.
    pub fn absorb(&mut self, rows: Vec<EventRow>) {
        self.cache.absorb(rows);
    }

    pub async fn close(self) {
        let (open, finished) = self.cache.len();
        tracing::info!(open, finished, "bulk import session closed");
        let closed = match self.conn {
            BulkConn::Sqlite(c) => c.close().await,
            BulkConn::Postgres(mut c) => {
                // After a bulk import PostgreSQL plans the console's queries
                // without statistics until autovacuum samples the tables, a
                // minute or more later. Sample them now. (The panels stay
                // slower for that minute all the same while autovacuum
                // vacuums the new rows: docs/benchmarks.md.)
                let started = std::time::Instant::now();
                match sqlx::Executor::execute(&mut c, ANALYZE).await {
                    Ok(_) => tracing::info!(
                        ms = started.elapsed().as_millis(),
                        "statistics sampled after the bulk import"
                    ),
                    Err(error) => {
                        tracing::warn!(%error, "sampling statistics after the bulk import")
                    }
                }
                c.close().await
            }
        };
        if let Err(error) = closed {
            tracing::warn!(%error, "closing the bulk import's connection");
        }
    }
}
