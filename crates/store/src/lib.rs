//! The app's store of governance events (issue 4), on SQLite for now.
//!
//! - [`parse`]: strict parsing of one record into the domain [`Event`], or the
//!   reason it goes to quarantine.
//! - [`ingest`]: [`Store::apply`], one transaction per batch: every revision is
//!   kept, the newest one per event is upserted, and per-grid state is adjusted
//!   by the difference between the old and the new newest revision.
//! - [`grid`]: the per-grid derived state and its colour rule; [`Store::refresh_overdue`].
//! - [`query`]: reads for the wall and for tests (newest revisions, timeline,
//!   grid state, quarantine counts).
//!
//! **Invariant:** `grid_state` always equals what a full scan of `events` would
//! compute; it is only ever adjusted, inside the transaction that changes `events`.
//!
//! [`Event`]: gridwall_domain::governance::Event

pub mod grid;
pub mod ingest;
pub mod parse;
pub mod query;

use std::collections::HashMap;
use std::path::Path;
use std::str::FromStr;
use std::sync::Mutex;
use std::time::Duration;

use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

pub use grid::{GridState, StatusColour};
pub use ingest::{Applied, RawRecord};
pub use parse::{Quarantined, RejectKind, parse_event};
pub use query::{QuarantineCount, StoredRevision};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("could not create the data directory {path}: {source}")]
    DataDir {
        path: String,
        source: std::io::Error,
    },
    #[error("could not migrate the database schema: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

pub type Result<T> = std::result::Result<T, Error>;

/// The store: a connection pool and the quarantine log's rate limiter.
pub struct Store {
    pool: SqlitePool,
    logged: OncePerMinute,
}

impl Store {
    /// Open (creating if needed) the SQLite database at `url_or_path` (a
    /// `sqlite:` URL or a file path), in WAL mode, and bring its schema up to
    /// date. For a file path, missing parent directories are created, so the
    /// app can pass a path inside a data directory that does not exist yet.
    pub async fn open(url_or_path: &str) -> Result<Store> {
        let options = if url_or_path.starts_with("sqlite:") {
            SqliteConnectOptions::from_str(url_or_path)?
        } else {
            if let Some(parent) = Path::new(url_or_path).parent() {
                std::fs::create_dir_all(parent).map_err(|source| Error::DataDir {
                    path: parent.display().to_string(),
                    source,
                })?;
            }
            SqliteConnectOptions::new().filename(url_or_path)
        };
        let options = options
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // With WAL, NORMAL loses at most the last transactions on power
            // loss, never consistency; the upstream feed replays them.
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5));
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await?;
        sqlx::migrate!("./migrations").run(&pool).await?;
        Ok(Store {
            pool,
            logged: OncePerMinute::default(),
        })
    }

    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }
}

/// Whether a quarantined record of a kind should be logged: once per kind per
/// minute of `now`, so a flood of bad records stays one line a minute.
#[derive(Default)]
pub(crate) struct OncePerMinute {
    /// Per kind, the minute (unix seconds / 60) it was last logged. A std
    /// mutex: it is held for one map lookup, never across an await.
    last: Mutex<HashMap<RejectKind, i64>>,
}

impl OncePerMinute {
    pub(crate) fn allow(&self, kind: RejectKind, now: i64) -> bool {
        let minute = now.div_euclid(60);
        let mut last = self
            .last
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        last.insert(kind, minute) != Some(minute)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_is_logged_once_a_minute() {
        let limiter = OncePerMinute::default();
        assert!(limiter.allow(RejectKind::NotJson, 120));
        assert!(!limiter.allow(RejectKind::NotJson, 179));
        assert!(
            limiter.allow(RejectKind::BadEnum, 150),
            "another kind has its own minute"
        );
        assert!(limiter.allow(RejectKind::NotJson, 180));
        assert!(!limiter.allow(RejectKind::NotJson, 181));
    }
}
