//! Reference data from the upstreams: divisions, grids, workers, cameras,
//! kept as the records arrived and replaced wholesale per kind on each sync.

use sqlx::Row;

use crate::parse::storable;
use crate::sql::placeholders;
use crate::{Result, Store};

impl Store {
    /// Replace every record of `kind` with `items` (id, raw JSON), in one
    /// transaction: readers see the old set or the new one, never a mix.
    pub async fn replace_reference(&self, kind: &str, items: &[(String, String)]) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM reference WHERE kind = $1")
            .bind(kind)
            .execute(&mut *tx)
            .await?;
        // The last record wins when an id repeats (PostgreSQL refuses to
        // touch one row twice in a statement, so dedup first).
        // An id is stored as events' ids are (U+0000 as U+FFFD, see
        // `crate::parse`), so one camera cannot stop a sync on PostgreSQL.
        let mut latest = std::collections::BTreeMap::new();
        for (id, raw) in items {
            latest.insert(storable(id.clone()), raw.as_str());
        }
        let rows: Vec<_> = latest.into_iter().collect();
        for chunk in rows.chunks(1000) {
            let sql = format!(
                "INSERT INTO reference (kind, id, raw) VALUES {}",
                placeholders(self.backend, chunk.len(), 3)
            );
            let mut query = sqlx::query(&sql);
            for (id, raw) in chunk {
                query = query.bind(kind).bind(id.as_str()).bind(*raw);
            }
            query.execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Every record of `kind` as (id, raw JSON), by id.
    pub async fn reference(&self, kind: &str) -> Result<Vec<(String, String)>> {
        let rows = sqlx::query("SELECT id, raw FROM reference WHERE kind = $1 ORDER BY id")
            .bind(kind)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|row| Ok((row.try_get("id")?, row.try_get("raw")?)))
            .collect()
    }
}
