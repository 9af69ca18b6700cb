//! For the tests of every crate that keeps a store: a fresh PostgreSQL
//! database on the throwaway test server (`scripts/postgres start`), so the
//! same behaviour can be checked on both engines.

use sqlx::Connection;

/// The variable naming the test server's URL (`postgres://…/<database>`),
/// as `scripts/postgres start` prints it and `scripts/test` exports it.
pub const POSTGRES_ENV: &str = "GRIDWALL_TEST_POSTGRES";

/// The test server's URL from [`POSTGRES_ENV`], or an error saying how to
/// start one.
pub fn postgres_server() -> Result<String, String> {
    std::env::var(POSTGRES_ENV).map_err(|_| {
        format!(
            "{POSTGRES_ENV} is not set: these tests run on PostgreSQL too. Start a server \
             with `scripts/postgres start` and export the URL it prints, or run the whole \
             suite with scripts/test"
        )
    })
}

/// Creates an empty database with a unique name (`<prefix>_<pid>_<n>_<ns>`)
/// on the server at `server`, and returns its URL. The server is a throwaway
/// one (`scripts/postgres stop` deletes it), so databases are not dropped.
pub async fn new_database(server: &str, prefix: &str) -> Result<String, String> {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    sqlx::any::install_default_drivers();
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let name = format!("{prefix}_{}_{n}_{nanos}", std::process::id());
    let (base, _) = server
        .rsplit_once('/')
        .ok_or_else(|| format!("{POSTGRES_ENV} must end in /<database>, got {server:?}"))?;
    let mut admin = sqlx::AnyConnection::connect(server)
        .await
        .map_err(|e| format!("cannot reach the test server: {e}"))?;
    sqlx::Executor::execute(&mut admin, format!("CREATE DATABASE {name}").as_str())
        .await
        .map_err(|e| format!("cannot create database {name}: {e}"))?;
    admin.close().await.ok();
    Ok(format!("{base}/{name}"))
}
