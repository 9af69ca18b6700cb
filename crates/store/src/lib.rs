//! The app's store of governance events (issue 4): SQLite embedded by
//! default, PostgreSQL when several consoles share one truth.
//!
//! - [`parse`]: strict parsing of one record into the domain [`Event`], or the
//!   reason it goes to quarantine.
//! - [`mod@write`]: the write path, one way: parse → land revisions → the newest
//!   row's difference ([`newest`]) → one writer per derived table. The live
//!   path ([`Store::apply`]) and the bulk path for first imports and long
//!   backfills ([`Store::apply_bulk`]); [`Store::refresh_overdue`].
//! - [`raw`]: raw revisions kept compactly (zstd with a shipped dictionary);
//!   [`retention`]: dropping old revisions of finished events, when asked.
//! - [`grid`]: the per-grid derived state and its colour rule.
//! - [`footing`]: emergency plans, the footing in force and the two-person
//!   proposals that switch it (issue 12).
//! - [`broadcast`]: broadcasts to grid workers and their acknowledgements,
//!   each counted once.
//! - [`query`]: reads for the wall and for tests (newest revisions, timeline,
//!   grid state, quarantine counts).
//! - [`audit`]: the hash-chained log of operators' acts, its verification
//!   and export.
//! - [`accounts`]: local accounts, their roles and sign-in with an
//!   Argon2id-hashed PIN.
//! - [`warnings`]: the smart brain's baseline counters and early warnings,
//!   with their handling (预警单 → 交办单 → 反馈单), audited (issue 13).
//!
//! **Invariant:** `grid_state` always equals what a full scan of `events` would
//! compute; it is only ever adjusted, inside the transaction that changes `events`.
//!
//! [`Event`]: gridwall_domain::governance::Event

pub mod accounts;
pub mod audit;
pub mod broadcast;
pub(crate) mod conn;
pub mod drill;
pub mod footing;
pub mod grid;
pub mod kpi;
pub mod list;
pub mod maintenance;
pub mod newest;
pub mod parse;
pub mod query;
pub mod raw;
pub mod reference;
pub mod retention;
pub mod rollup;
pub mod scenes;
pub mod series;
pub mod shared;
pub(crate) mod sql;
pub mod testing;
pub mod warnings;
pub mod write;

use std::collections::HashMap;
use std::path::Path;
use std::sync::Mutex;

use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{AnyPool, Executor};

pub use accounts::{Account, NewAccount, Pin, Role, SignIn};
pub use audit::AuditEntry;
pub use audit::chain::{AuditRow, AuditVerdict, RowSummary, Tampering};
pub use broadcast::{
    AckProgress, AckRow, BroadcastDraft, BroadcastStatus, GridProgress, GridRecipients,
    PlatformFigures, StoredBroadcast,
};
pub use drill::{Incident, IncidentFilter};
pub use footing::{Footing, Proposal, StoredPlan};
pub use grid::{GridState, StatusColour};
pub use kpi::{Kpi, KpiKey, KpiWindow};
pub use parse::{Quarantined, RejectKind, parse_event};
pub use query::{QuarantineCount, StoredRevision};
pub use rollup::{Level, Rollup};
pub use scenes::{Rotation, SavedScene};
pub use series::Scope;
pub use shared::{Change, Heard, LeaderLock, Listener, Notice};
pub use warnings::{Reported, StoredWarning, Transition, WarningState};
pub use write::{Alert, Applied, Changes, RawRecord};

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
    #[error("unsupported database URL {0:?}: use a file path, sqlite: or postgres://")]
    Url(String),
    #[error("there is already an account named {0:?}")]
    AccountExists(String),
    #[error("there is no account named {0:?}: `gridwall accounts list` shows them")]
    UnknownAccount(String),
    #[error("{0}")]
    InvalidAccount(String),
    #[error("could not hash the PIN: {0}")]
    PinHash(String),
    #[error("the store disagrees with itself: {0}; report this with the log")]
    Inconsistent(String),
    #[error("a stored revision cannot be read: {0}")]
    StoredRevision(String),
}

pub type Result<T> = std::result::Result<T, Error>;

/// Which engine holds the store.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// Embedded, one file in the app's data directory: the default.
    Sqlite,
    /// A server shared by several consoles ("one truth").
    Postgres,
}

/// The store: a connection pool and the quarantine log's rate limiter.
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    logged: OncePerMinute,
    /// The URL it was opened with (PostgreSQL: for the listener and the
    /// leader's lock, which need connections of their own). May hold a
    /// password: never logged.
    url: String,
    /// This instance's name in the change notices it sends (`shared`).
    origin: String,
    /// The one writer of `events` at a time in this process: the bulk
    /// path's session while one is open, and the records revisions are
    /// packed on (see [`write`]). A tokio mutex: it is held across a
    /// batch's transaction.
    writer: tokio::sync::Mutex<write::Writer>,
}

impl Store {
    /// Open (creating if needed) the store at `url_or_path` and bring its
    /// schema up to date:
    /// - a file path or a `sqlite:` URL: SQLite in WAL mode; for a path,
    ///   missing parent directories are created, so the app can pass a path
    ///   inside a data directory that does not exist yet;
    /// - a `postgres://` or `postgresql://` URL: that PostgreSQL database,
    ///   which must exist (the schema is created in it).
    pub async fn open(url_or_path: &str) -> Result<Store> {
        install_default_drivers();
        let (url, backend) =
            if url_or_path.starts_with("postgres://") || url_or_path.starts_with("postgresql://") {
                (url_or_path.to_owned(), Backend::Postgres)
            } else if url_or_path.starts_with("sqlite:") {
                (url_or_path.to_owned(), Backend::Sqlite)
            } else if url_or_path.contains("://") {
                return Err(Error::Url(url_or_path.to_owned()));
            } else {
                let path = Path::new(url_or_path);
                if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                    std::fs::create_dir_all(parent).map_err(|source| Error::DataDir {
                        path: parent.display().to_string(),
                        source,
                    })?;
                }
                (format!("sqlite://{url_or_path}?mode=rwc"), Backend::Sqlite)
            };
        let pool = AnyPoolOptions::new()
            .max_connections(if backend == Backend::Sqlite { 4 } else { 8 })
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // With WAL, NORMAL loses at most the last transactions
                        // on power loss, never consistency; the upstream feed
                        // replays them.
                        conn.execute(
                            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                             PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON; \
                             PRAGMA cache_size = -65536;",
                        )
                        .await?;
                    }
                    Ok(())
                })
            })
            .connect(&url)
            .await?;
        match backend {
            Backend::Sqlite => sqlx::migrate!("./migrations/sqlite").run(&pool).await?,
            Backend::Postgres => sqlx::migrate!("./migrations/postgres").run(&pool).await?,
        }
        let store = Store {
            pool,
            backend,
            logged: OncePerMinute::default(),
            url,
            origin: instance_name(),
            writer: tokio::sync::Mutex::new(write::Writer::default()),
        };
        audit::adopt_unchained(&store).await?;
        if backend == Backend::Postgres && !store.trigrams_see_chinese().await? {
            tracing::warn!(
                "this database's LC_CTYPE takes no trigrams from Chinese text: searching \
                 incidents by address reads every event (create the database with a UTF-8 \
                 LC_CTYPE, e.g. C.UTF-8 or zh_CN.UTF-8)"
            );
        }
        Ok(store)
    }

    /// Whether the address search's trigram index sees Chinese characters:
    /// always on SQLite (FTS5's trigrams are of code points); on PostgreSQL
    /// only under a database whose LC_CTYPE classes them as letters (not the
    /// plain C locale).
    pub async fn trigrams_see_chinese(&self) -> Result<bool> {
        match self.backend {
            Backend::Sqlite => Ok(true),
            Backend::Postgres => {
                let n: i32 =
                    sqlx::query_scalar("SELECT CAST(cardinality(show_trgm('慈溪市')) AS INTEGER)")
                        .fetch_one(&self.pool)
                        .await?;
                Ok(n > 0)
            }
        }
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Close the pool, waiting for connections to finish (and SQLite to
    /// checkpoint its WAL).
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// A name for this instance among the others on one PostgreSQL: its process
/// id and the nanoseconds it opened the store at, so two processes (even
/// with one pid on two machines) never share one.
fn instance_name() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!("{}-{nanos:09}", std::process::id())
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
