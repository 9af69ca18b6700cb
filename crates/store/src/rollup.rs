//! Rollups of the grid counters per village, town and the city.
//!
//! The grid counters are already derived incrementally; a rollup sums at most
//! the city's 1,724 `grid_state` rows, grouped by the division prefix of the
//! grid id (`<12-digit village>G<NN>`, town = village's first nine digits and
//! `000`), so it needs no reference data and stays correct as grids appear.

use sqlx::Row;

use crate::{Result, Store};

/// A level of the administrative tree.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Level {
    City,
    Town,
    Village,
}

/// One division's totals.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rollup {
    /// The division code; empty for the city.
    pub code: String,
    pub grids_with_events: i64,
    pub open_by_severity: [i64; 4],
    pub overdue: i64,
    /// Grids whose colour is red, amber.
    pub red_grids: i64,
    pub amber_grids: i64,
}

impl Store {
    /// Totals for every division of `level` (one row for the city), by code.
    pub async fn rollups(&self, level: Level) -> Result<Vec<Rollup>> {
        // Both engines have SUBSTR(text, start, length) and `||`.
        let code = match level {
            Level::City => "''",
            Level::Village => "SUBSTR(grid_id, 1, 12)",
            Level::Town => "SUBSTR(grid_id, 1, 9) || '000'",
        };
        // Grid ids off the contract's pattern are left out of towns and
        // villages but still count for the city.
        let filter = match level {
            Level::City => "",
            _ => "WHERE SUBSTR(grid_id, 13, 1) = 'G'",
        };
        let sql = format!(
            "SELECT {code} AS code, COUNT(*) AS grids, \
             CAST(SUM(open_severity_1) AS BIGINT) AS s1, CAST(SUM(open_severity_2) AS BIGINT) AS s2, \
             CAST(SUM(open_severity_3) AS BIGINT) AS s3, CAST(SUM(open_severity_4) AS BIGINT) AS s4, \
             CAST(SUM(overdue) AS BIGINT) AS overdue, \
             CAST(SUM(CASE WHEN colour = 'red' THEN 1 ELSE 0 END) AS BIGINT) AS red, \
             CAST(SUM(CASE WHEN colour = 'amber' THEN 1 ELSE 0 END) AS BIGINT) AS amber \
             FROM grid_state {filter} GROUP BY 1 ORDER BY 1"
        );
        let rows = sqlx::query(&sql).fetch_all(&self.pool).await?;
        rows.iter()
            .map(|row| {
                Ok(Rollup {
                    code: row.try_get("code")?,
                    grids_with_events: row.try_get("grids")?,
                    open_by_severity: [
                        row.try_get("s1")?,
                        row.try_get("s2")?,
                        row.try_get("s3")?,
                        row.try_get("s4")?,
                    ],
                    overdue: row.try_get("overdue")?,
                    red_grids: row.try_get("red")?,
                    amber_grids: row.try_get("amber")?,
                })
            })
            .collect()
    }
}
