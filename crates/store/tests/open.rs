//! Opening the store: WAL mode, a missing data directory is created, and a
//! reopened file keeps what it held.

use gridwall_store::Store;
use sqlx::Row;

use crate::support::{at, simple};

#[tokio::test]
async fn a_reopened_store_keeps_its_events_and_runs_in_wal_mode() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    // The data directory does not exist yet: opening creates it.
    let path = dir
        .path()
        .join("data")
        .join("gridwall")
        .join("store.sqlite");
    let path = path.to_str().expect("temp paths are UTF-8");
    {
        let store = Store::open(path).await?;
        store.apply(&[simple("E1", 2).record()], at(0)).await?;
        store.pool().close().await;
    }
    let store = Store::open(&format!("sqlite:{path}")).await?;
    assert_eq!(store.newest().await?, vec![("E1".to_owned(), 2)]);
    let mode: String = sqlx::query("PRAGMA journal_mode")
        .fetch_one(store.pool())
        .await?
        .try_get(0)?;
    assert_eq!(mode, "wal");
    let applied = store.apply(&[simple("E1", 1).record()], at(0)).await?;
    assert_eq!(
        (applied.stored, applied.advanced),
        (1, 0),
        "the newest revision survived the reopen"
    );
    Ok(())
}
