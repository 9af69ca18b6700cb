//! A store from before the KPI counters were kept per place (issue 17) gets
//! them from its old per-town counters and its events when it is opened: the
//! migration's backfill yields the very counters the writer keeps.

use gridwall_store::{Backend, Store};
use time::macros::datetime;

use crate::support::{Fresh, land_history, on_both};

const SQLITE: &str = include_str!("../migrations/sqlite/20261207090100_kpi_by_place.sql");
const POSTGRES: &str = include_str!("../migrations/postgres/20261207090100_kpi_by_place.sql");

/// Every counter of the four tables, in key order.
async fn counters(store: &Store) -> anyhow::Result<Vec<(String, String, i64, i64, i64)>> {
    let mut all = Vec::new();
    for (table, period, what) in [
        ("kpi_days", "day", "CAST(0 AS BIGINT)"),
        ("kpi_years", "year", "CAST(0 AS BIGINT)"),
        ("kpi_handling_days", "day", "bucket"),
        ("kpi_handling_years", "year", "bucket"),
    ] {
        let metric = if what == "bucket" { "''" } else { "metric" };
        let rows: Vec<(String, String, i64, i64, i64)> = sqlx::query_as(&format!(
            "SELECT '{table}', scope || '/' || {metric}, {period}, {what}, n FROM {table} \
             WHERE n <> 0 ORDER BY 2, 3, 4"
        ))
        .fetch_all(store.pool())
        .await?;
        all.extend(rows);
    }
    Ok(all)
}

async fn an_old_store_gets_the_counters_the_writer_keeps(fresh: Fresh) -> anyhow::Result<()> {
    let store = &fresh.store;
    // Across a new year, so that two years' counters are kept.
    let from = datetime!(2025-12-30 00:00 +08:00);
    let to = datetime!(2026-01-02 12:00 +08:00);
    land_history(store, 23, from, to).await?;
    let kept = counters(store).await?;
    assert!(
        kept.iter()
            .any(|c| c.0 == "kpi_years" && c.1.starts_with("v:"))
            && kept
                .iter()
                .any(|c| c.0 == "kpi_handling_days" && c.1.starts_with("t:")),
        "the writer keeps counters for villages and towns"
    );
    assert!(
        !kept
            .iter()
            .any(|c| c.0.ends_with("_days") && c.1.starts_with("v:")),
        "villages keep no day counters"
    );
    let years: std::collections::BTreeSet<i64> = kept
        .iter()
        .filter(|c| c.0 == "kpi_years")
        .map(|c| c.2)
        .collect();
    assert_eq!(years.len(), 2, "2025 and 2026");

    // The store as it was: per-town counters of the days, nothing else.
    let pool = store.pool();
    for sql in [
        "CREATE TABLE kpi_daily (day BIGINT NOT NULL, town_code TEXT NOT NULL, \
         metric TEXT NOT NULL, n BIGINT NOT NULL, PRIMARY KEY (day, town_code, metric))",
        "CREATE TABLE kpi_handling (day BIGINT NOT NULL, town_code TEXT NOT NULL, \
         bucket BIGINT NOT NULL, n BIGINT NOT NULL, PRIMARY KEY (day, town_code, bucket))",
        "INSERT INTO kpi_daily SELECT day, SUBSTR(scope, 3), metric, n FROM kpi_days \
         WHERE scope LIKE 't:%'",
        // Old buckets were quarter-hours throughout: the last quarter of
        // each wider bucket stands for them, and must map back to its start.
        "INSERT INTO kpi_handling SELECT day, SUBSTR(scope, 3), \
         bucket + CASE WHEN bucket < 96 THEN 0 WHEN bucket < 672 THEN 3 ELSE 95 END, n \
         FROM kpi_handling_days WHERE scope LIKE 't:%'",
        "DROP TABLE kpi_days",
        "DROP TABLE kpi_years",
        "DROP TABLE kpi_handling_days",
        "DROP TABLE kpi_handling_years",
    ] {
        sqlx::query(sql).execute(pool).await?;
    }
    // The migration, statement by statement.
    let migration = match store.backend() {
        Backend::Sqlite => SQLITE,
        Backend::Postgres => POSTGRES,
    };
    let statements = migration
        .lines()
        .filter(|line| !line.trim_start().starts_with("--"))
        .collect::<Vec<_>>()
        .join("\n");
    // One connection, as the migrator runs it: the temporary table is its own.
    let mut tx = pool.begin().await?;
    for statement in statements
        .split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        sqlx::query(statement).execute(&mut *tx).await?;
    }
    tx.commit().await?;
    // The villages' day counters it backfills, the next migration
    // (20261207130000) deletes: villages count their days from events now.
    let backfilled: Vec<_> = counters(store)
        .await?
        .into_iter()
        .filter(|c| !(c.0.ends_with("_days") && c.1.starts_with("v:")))
        .collect();
    assert_eq!(backfilled, kept);
    Ok(())
}

on_both!(an_old_store_gets_the_counters_the_writer_keeps);
