//! Upkeep of a long-lived PostgreSQL store (issue 17).
//!
//! The partial indexes of open (and pending, and overdue) events hold a few
//! thousand entries at any time, but every event enters them when reported
//! and leaves when it closes. PostgreSQL's B-trees give a page back only
//! when it is wholly empty, so over years they spread thin: over the
//! simulator's five years `events_open_by_village` had 1,585 pages for 3,983
//! entries, and counting the city's open events by source and severity read
//! 2,275 buffers (4.9 ms); rebuilt (2.5 s, concurrently), 1.1 ms. SQLite
//! merges thin pages as it deletes, so there is nothing to do there.

use sqlx::Row;

use crate::{Backend, Result, Store};

/// The partial indexes whose entries come and go with events' states.
const CHURNING: &[&str] = &[
    "events_open",
    "events_open_by_town",
    "events_open_by_village",
    "events_open_by_grid",
    "events_open_by_severity",
    "events_overdue",
    "events_due",
];

/// An index is rebuilt when it has more pages than this many entries a page
/// would need, plus a floor: a compact one holds a few hundred a page.
const ENTRIES_A_PAGE: f64 = 50.0;
const FLOOR_PAGES: f64 = 64.0;

/// One index rebuilt: its name and its pages before and after.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rebuilt {
    pub index: String,
    pub pages_before: i64,
    pub pages_after: i64,
}

impl Store {
    /// On PostgreSQL, rebuild (`REINDEX CONCURRENTLY`: reads and writes go
    /// on) each churning partial index that has spread thinner than
    /// `slack` times a compact one (1.0 is the default rule above; 0.0
    /// rebuilds them all). Nothing on SQLite. An index that cannot be
    /// rebuilt now is left as it is and logged; the next pass tries again.
    pub async fn rebuild_thin_indexes(&self, slack: f64) -> Result<Vec<Rebuilt>> {
        if self.backend != Backend::Postgres {
            return Ok(Vec::new());
        }
        let mut rebuilt = Vec::new();
        for index in CHURNING {
            let Some((pages, entries)) = self.index_pages(index).await? else {
                continue;
            };
            let compact = FLOOR_PAGES + entries.max(0.0) / ENTRIES_A_PAGE;
            if (pages as f64) <= slack * compact {
                continue;
            }
            // An identifier of ours, from the list above.
            let sql = format!("REINDEX INDEX CONCURRENTLY {index}");
            if let Err(error) = sqlx::query(&sql).execute(&self.pool).await {
                tracing::warn!(index, %error, "rebuilding a thin index");
                continue;
            }
            let after = self.index_pages(index).await?.map_or(0, |(p, _)| p);
            rebuilt.push(Rebuilt {
                index: (*index).to_owned(),
                pages_before: pages,
                pages_after: after,
            });
        }
        Ok(rebuilt)
    }

    /// An index's pages and the entries the planner believes it holds.
    async fn index_pages(&self, index: &str) -> Result<Option<(i64, f64)>> {
        let row = sqlx::query(
            "SELECT CAST(pg_relation_size(c.oid) / 8192 AS BIGINT) AS pages, \
             CAST(GREATEST(c.reltuples, 0) AS DOUBLE PRECISION) AS entries \
             FROM pg_class c WHERE c.relname = $1 AND c.relkind = 'i'",
        )
        .bind(index)
        .fetch_optional(&self.pool)
        .await?;
        Ok(match row {
            Some(row) => Some((row.try_get("pages")?, row.try_get("entries")?)),
            None => None,
        })
    }
}
