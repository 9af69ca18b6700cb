//! Time series for the charts: events per day and the week's top categories,
//! events per hour, and the 30-day resolution rate from the KPI counters.
//!
//! Per-day counts of the city and its towns come from `event_days`, counters
//! per day, category and place kept by this module's writer (issue 17:
//! bounded by the days asked for, not by the history; a town has about a
//! hundred events a day). A village, grid or micro-grid has a few events a
//! day, so its days are counted from `events` through the place's
//! `reported_at` index, which costs what the answer holds: counters for the
//! 12,000 small places were most of `event_days` and a tenth of a five-year
//! store. Events per hour come from `events` at every level (a day holds
//! about two thousand events).
//!
//! A `Scope` narrows every series to a town, a village or a grid, for the
//! duty officer's drill-down; `Scope::City` is the wall's.

use std::collections::{BTreeMap, HashMap};

use sqlx::Row;
use sqlx::any::AnyRow;

use crate::kpi::{DAY, LOCAL_OFFSET, day_start, local_day};
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
    /// Whether the store keeps per-day counters (`event_days`, `kpi_days`)
    /// for this scope: the city and its towns. Smaller places count their
    /// few events of a window from `events`.
    pub(crate) fn has_day_counters(&self) -> bool {
        matches!(self, Scope::City | Scope::Town(_))
    }

    /// The index that reads this scope's events over a span of
    /// `reported_at` (named for SQLite's `INDEXED BY`: without statistics its
    /// planner may walk the city's span to find a village's few events).
    pub(crate) fn span_index(&self) -> &'static str {
        match self {
            Scope::City => "events_by_reported",
            Scope::Town(_) => "events_by_town",
            Scope::Village(_) => "events_by_village",
            Scope::Grid(_) | Scope::MicroGrid(_) => "events_by_grid_reported",
        }
    }

    /// The scope's key in `event_days` and the KPI counters.
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

/// The keys of the scopes with per-day counters an event row counts in:
/// the city and its town.
pub(crate) fn day_places_of(row: &EventRow) -> Vec<String> {
    let mut keys = vec![String::new()];
    if !row.town_code.is_empty() {
        keys.push(format!("t:{}", row.town_code));
    }
    keys
}

/// The keys of the city, town and village an event row counts in: the
/// places the year's KPI counters are kept for.
pub(crate) fn places_of(row: &EventRow) -> Vec<String> {
    let mut keys = day_places_of(row);
    if !row.village_code.is_empty() {
        keys.push(format!("v:{}", row.village_code));
    }
    keys
}

/// Whether two rows of one event count in the same `event_days` rows.
fn same_count(old: &EventRow, new: &EventRow) -> bool {
    local_day(old.reported_at) == local_day(new.reported_at)
        && old.category == new.category
        && old.town_code == new.town_code
}

/// The daily series' writer: the statements that move `event_days` by
/// `transitions`. Only a new event, or a revision that moves one to another
/// day, category or place, changes a count.
pub(crate) fn statements(backend: Backend, transitions: &[Transition]) -> Vec<Statement<'static>> {
    // Hashed while a batch adds up; the few counts that moved are sorted.
    let mut counts: HashMap<(String, i64, &str), i64> = HashMap::new();
    for (row, by) in moved_rows(transitions, same_count) {
        let day = local_day(row.reported_at);
        for scope in day_places_of(row) {
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
        let index = self.indexed_by(Some(scope.span_index()));
        // Counted in SQL, per source and hour.
        let sql = format!(
            "SELECT source, (reported_at - $1) / 3600 AS hour, COUNT(*) AS n FROM events{index} \
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
        let mut counts = vec![0u64; usize::try_from(days).unwrap_or(0)];
        for row in self
            .day_counts(scope, By::Day, first_day, Some(today))
            .await?
        {
            let day: i64 = row.try_get("k")?;
            let n: i64 = row.try_get("n")?;
            let n = u64::try_from(n).unwrap_or(0);
            if let Some(slot) = usize::try_from(day - first_day)
                .ok()
                .and_then(|d| counts.get_mut(d))
            {
                *slot += n;
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
        let mut top = Vec::new();
        for row in self
            .day_counts(scope, By::Category, first_day, None)
            .await?
        {
            let n: i64 = row.try_get("n")?;
            if n > 0 {
                top.push((row.try_get("k")?, u64::try_from(n).unwrap_or(0)));
            }
        }
        // Most first, ties by category.
        top.sort_by(|a: &(String, u64), b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        Ok(top)
    }

    /// Events reported in `scope` from `first_day` through `last_day` (no
    /// end: every later day, so that an event an upstream dated ahead counts
    /// too), counted per local day or per category: rows of `k` (the day's
    /// number or the category) and `n`. From `event_days` for the city and a
    /// town, from `events` for a smaller place.
    pub(crate) async fn day_counts(
        &self,
        scope: &Scope,
        by: By,
        first_day: i64,
        last_day: Option<i64>,
    ) -> Result<Vec<AnyRow>> {
        if scope.has_day_counters() {
            let key = match by {
                By::Day => "day",
                By::Category => "category",
            };
            let until = if last_day.is_some() {
                " AND day <= $3"
            } else {
                ""
            };
            // SUM over BIGINT is NUMERIC on PostgreSQL: cast back.
            let sql = format!(
                "SELECT {key} AS k, CAST(SUM(n) AS BIGINT) AS n FROM event_days \
                 WHERE scope = $1 AND day >= $2{until} GROUP BY {key}"
            );
            let mut query = sqlx::query(&sql).bind(scope.key()).bind(first_day);
            if let Some(last) = last_day {
                query = query.bind(last);
            }
            return Ok(query.fetch_all(&self.pool).await?);
        }
        // The local day as `local_day` computes it (reported_at is after 1970).
        let key = match by {
            By::Day => format!("(reported_at + {LOCAL_OFFSET}) / {DAY}"),
            By::Category => "category".to_owned(),
        };
        let (condition, values) = scope.condition(3);
        let index = self.indexed_by(Some(scope.span_index()));
        let sql = format!(
            "SELECT {key} AS k, COUNT(*) AS n FROM events{index} \
             WHERE reported_at >= $1 AND reported_at < $2{condition} GROUP BY {key}"
        );
        let end = last_day.map_or(i64::MAX, |last| day_start(last + 1));
        let mut query = sqlx::query(&sql).bind(day_start(first_day)).bind(end);
        for value in values {
            query = query.bind(value);
        }
        Ok(query.fetch_all(&self.pool).await?)
    }
}

/// What [`Store::day_counts`] counts per.
#[derive(Clone, Copy)]
pub(crate) enum By {
    Day,
    Category,
}
