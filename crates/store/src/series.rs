//! Time series for the charts: events per day and the week's top categories
//! from `event_days`, counters per day, category and scope kept by this
//! module's writer (issue 17: bounded by the days asked for, not by the
//! history); events per hour from `events` through the `reported_at`
//! indexes (a day holds about two thousand events); the 30-day resolution
//! rate from the KPI counters.
//!
//! A `Scope` narrows every series to a town, a village or a grid, for the
//! duty officer's drill-down; `Scope::City` is the wall's.

use std::collections::{BTreeMap, HashMap};

use sqlx::Row;

use crate::kpi::local_day;
use crate::newest::{EventRow, Transition, moved_rows};
use crate::sql::{Statement, placeholders};
use crate::{Backend, Result, Store};

/// Where a series is taken.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scope {
    City,
    Town(String),
    Village(String),
    Grid(String),
    /// A micro-grid: its id is the grid's id + `M` + two digits.
    MicroGrid(String),
}

impl Scope {
    /// The extra condition (with its bound values, numbered from
    /// `next_param`) for `events`.
    pub(crate) fn condition(&self, next_param: usize) -> (String, Vec<&str>) {
        let n = next_param;
        match self {
            Scope::City => (String::new(), vec![]),
            Scope::Town(code) => (format!(" AND town_code = ${n}"), vec![code]),
            Scope::Village(code) => (format!(" AND village_code = ${n}"), vec![code]),
            Scope::Grid(id) => (format!(" AND grid_id = ${n}"), vec![id]),
            // Through the grid's index: the micro-grid's id starts with its grid's.
            Scope::MicroGrid(id) => (
                format!(" AND grid_id = ${n} AND micro_grid_id = ${}", n + 1),
                vec![id.get(..id.len().saturating_sub(3)).unwrap_or(id), id],
            ),
        }
    }
}

impl Scope {
    /// The scope's key in `event_days`.
    pub(crate) fn key(&self) -> String {
        match self {
            Scope::City => String::new(),
            Scope::Town(code) => format!("t:{code}"),
            Scope::Village(code) => format!("v:{code}"),
            Scope::Grid(id) => format!("g:{id}"),
            Scope::MicroGrid(id) => format!("m:{id}"),
        }
    }
}

/// The keys of the city, town and village an event row counts in (the
/// places the KPI counters are kept for, too).
pub(crate) fn places_of(row: &EventRow) -> Vec<String> {
    let mut keys = vec![String::new()];
    if !row.town_code.is_empty() {
        keys.push(format!("t:{}", row.town_code));
    }
    if !row.village_code.is_empty() {
        keys.push(format!("v:{}", row.village_code));
    }
    keys
}

/// The keys of every scope an event row counts in.
fn scopes_of(row: &EventRow) -> Vec<String> {
    let mut keys = places_of(row);
    keys.push(format!("g:{}", row.grid_id));
    if let Some(micro) = &row.micro_grid_id {
        keys.push(format!("m:{micro}"));
    }
    keys
}

/// Whether two rows of one event count in the same `event_days` rows.
fn same_count(old: &EventRow, new: &EventRow) -> bool {
    local_day(old.reported_at) == local_day(new.reported_at)
        && old.category == new.category
        && old.town_code == new.town_code
        && old.village_code == new.village_code
        && old.grid_id == new.grid_id
        && old.micro_grid_id == new.micro_grid_id
}

/// The daily series' writer: the statements that move `event_days` by
/// `transitions`. Only a new event, or a revision that moves one to another
/// day, category or place, changes a count.
pub(crate) fn statements(backend: Backend, transitions: &[Transition]) -> Vec<Statement<'static>> {
    // Hashed while a batch adds up; the few counts that moved are sorted.
    let mut counts: HashMap<(String, i64, &str), i64> = HashMap::new();
    for (row, by) in moved_rows(transitions, same_count) {
        let day = local_day(row.reported_at);
        for scope in scopes_of(row) {
            *counts
                .entry((scope, day, row.category.as_str()))
                .or_default() += by;
        }
    }
    let mut counts: Vec<_> = counts.into_iter().filter(|(_, n)| *n != 0).collect();
    counts.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    counts
        .chunks(500)
        .map(|chunk| {
            let sql = format!(
                "INSERT INTO event_days AS d (scope, day, category, n) VALUES {} \
                 ON CONFLICT (scope, day, category) DO UPDATE SET n = d.n + excluded.n",
                placeholders(backend, chunk.len(), 4)
            );
            let mut statement = Statement::new(sql);
            for ((scope, day, category), n) in chunk {
                statement = statement
                    .bind(scope.clone())
                    .bind(*day)
                    .bind((*category).to_owned())
                    .bind(*n);
            }
            statement
        })
        .collect()
}

const HOUR: i64 = 3600;

impl Store {
    /// Events reported per local hour and source over the 24 hours ending
    /// with the hour that holds `now`: (first hour's start, per source 24 counts).
    pub async fn events_per_hour(
        &self,
        now: i64,
        scope: &Scope,
    ) -> Result<(i64, BTreeMap<String, [u64; 24]>)> {
        let first = (now.div_euclid(HOUR) - 23) * HOUR;
        let (condition, values) = scope.condition(3);
        // Counted in SQL, per source and hour: the rows never leave the index.
        let sql = format!(
            "SELECT source, (reported_at - $1) / 3600 AS hour, COUNT(*) AS n FROM events \
             WHERE reported_at >= $1 AND reported_at < $2{condition} GROUP BY source, hour"
        );
        let mut query = sqlx::query(&sql).bind(first).bind(first + 24 * HOUR);
        for value in values {
            query = query.bind(value);
        }
        let mut series: BTreeMap<String, [u64; 24]> = BTreeMap::new();
        for row in query.fetch_all(&self.pool).await? {
            let hour: i64 = row.try_get("hour")?;
            let n: i64 = row.try_get("n")?;
            let hour = usize::try_from(hour).unwrap_or(0).min(23);
            series.entry(row.try_get("source")?).or_insert([0; 24])[hour] +=
                u64::try_from(n).unwrap_or(0);
        }
        Ok((first, series))
    }

    /// Events reported per local day over the `days` days ending today.
    /// Returns (local day number, count), oldest first, zeros included.
    pub async fn events_per_day(
        &self,
        now: i64,
        days: i64,
        scope: &Scope,
    ) -> Result<Vec<(i64, u64)>> {
        let today = local_day(now);
        let first_day = today - days + 1;
        let query = sqlx::query(
            "SELECT day, CAST(SUM(n) AS BIGINT) AS n FROM event_days \
             WHERE scope = $1 AND day >= $2 AND day <= $3 GROUP BY day",
        )
        .bind(scope.key())
        .bind(first_day)
        .bind(today);
        let mut counts = vec![0u64; usize::try_from(days).unwrap_or(0)];
        for row in query.fetch_all(&self.pool).await? {
            let day: i64 = row.try_get("day")?;
            let n: i64 = row.try_get("n")?;
            if let Some(slot) = usize::try_from(day - first_day)
                .ok()
                .and_then(|d| counts.get_mut(d))
            {
                *slot += u64::try_from(n).unwrap_or(0);
            }
        }
        Ok(counts
            .into_iter()
            .enumerate()
            .map(|(i, n)| (first_day + i as i64, n))
            .collect())
    }

    /// The dispute-resolution rate per local day over the `days` days ending
    /// today, from the KPI counters: (day, success, decided). A town narrows it.
    pub async fn resolution_per_day(
        &self,
        now: i64,
        days: i64,
        town: Option<&str>,
    ) -> Result<Vec<(i64, i64, i64)>> {
        let today = local_day(now);
        let first_day = today - days + 1;
        let place = town.map_or_else(String::new, |code| format!("t:{code}"));
        let query = sqlx::query(
            "SELECT day, metric, n FROM kpi_days WHERE scope = $1 AND day >= $2 AND day <= $3 \
             AND metric IN ('dispute_success', 'dispute_decided')",
        )
        .bind(place)
        .bind(first_day)
        .bind(today);
        let mut by_day: BTreeMap<i64, (i64, i64)> =
            (first_day..=today).map(|day| (day, (0, 0))).collect();
        for row in query.fetch_all(&self.pool).await? {
            let day: i64 = row.try_get("day")?;
            let metric: String = row.try_get("metric")?;
            let n: i64 = row.try_get("n")?;
            if let Some(entry) = by_day.get_mut(&day) {
                if metric == "dispute_success" {
                    entry.0 = n;
                } else {
                    entry.1 = n;
                }
            }
        }
        Ok(by_day.into_iter().map(|(d, (s, t))| (d, s, t)).collect())
    }

    /// Events per category reported over the 7 days ending today, most first.
    pub async fn top_categories(&self, now: i64, scope: &Scope) -> Result<Vec<(String, u64)>> {
        let first_day = local_day(now) - 6;
        let query = sqlx::query(
            "SELECT category, CAST(SUM(n) AS BIGINT) AS n FROM event_days \
             WHERE scope = $1 AND day >= $2 GROUP BY category HAVING SUM(n) > 0 \
             ORDER BY n DESC, category",
        )
        .bind(scope.key())
        .bind(first_day);
        query
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|row| {
                let n: i64 = row.try_get("n")?;
                Ok((row.try_get("category")?, u64::try_from(n).unwrap_or(0)))
            })
            .collect()
    }
}
