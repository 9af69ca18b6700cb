//! The KPI counters: what each event's newest row adds to, their writer, and
//! the reads that turn them into KPIs.
//!
//! Every counter is kept per place, keyed like `event_days` (`''` the city,
//! `t:` + a town's code, `v:` + a village's), in two periods: per local day
//! (`kpi_days`, `kpi_handling_days`) for "today" and "7 days" of the city
//! and its towns, and per year (`kpi_years`, `kpi_handling_years`, keyed by
//! the year's first day) for "this year" of the city, its towns and
//! villages. So every KPI of those reads a few rows per day of a short
//! window, or one row per counter of the year, however long the history
//! (issue 17): a year of the city's handling times alone was a hundred
//! thousand (day, bucket) rows. A village's day windows (about five events
//! a day), a grid's and a micro-grid's count their events' newest rows with
//! the same rules: the villages' day counters were most of the counter
//! tables over five years and saved a read of a few dozen rows.

use std::collections::{BTreeMap, HashMap};
use std::hash::Hash;

use sqlx::Row;

use super::{Kpi, KpiWindow, assemble, day_start, local_day, year_of_day};
use crate::newest::{EVENT_COLUMNS, EventRow, Transition, moved_rows};
use crate::series::{Scope, day_places_of, places_of};
use crate::sql::{Statement, Value, placeholders};
use crate::{Backend, Result, Store};

/// The counters an event's newest row adds one to.
pub(crate) fn metrics_of(row: &EventRow) -> Vec<&'static str> {
    let mut out = Vec::with_capacity(6);
    let cancelled = row.state == "cancelled";
    if !cancelled {
        out.push("events");
    }
    if row.state == "closed" {
        out.push("closed");
    }
    let outcome = row.mediation_outcome.as_deref();
    let decided = matches!(outcome, Some("success" | "failed"));
    if row.category.starts_with("dispute.") && decided {
        out.push("dispute_decided");
        if outcome == Some("success") {
            out.push("dispute_success");
        }
    }
    if row.source == "litigation" && decided {
        out.push("lit_decided");
        if outcome == Some("success") {
            out.push("lit_success");
        }
    }
    if row.source == "police_110" && !cancelled {
        let handled = matches!(row.state.as_str(), "resolved" | "closed");
        if handled || matches!(row.state.as_str(), "mediation_failed" | "escalated") || row.overdue
        {
            out.push("p110_due");
        }
        if handled {
            out.push("p110_handled");
        }
    }
    if let (Some(finished), Some(due)) = (row.finished_at, row.due_at) {
        out.push("finished_due");
        if finished <= due {
            out.push("on_time");
        }
    }
    out
}

/// The handling-time bucket of a finished event.
pub(crate) fn handling_bucket(row: &EventRow) -> Option<i64> {
    row.finished_at
        .map(|finished| super::bucket_of(finished - row.reported_at))
}

/// Counter changes by (place, day or year, metric or bucket). Hashed, not
/// ordered, while a batch adds up (a batch moves tens of thousands of keys,
/// most back to zero); [`upserts`] sorts the few that moved.
type Moves<K> = HashMap<(String, i64, K), i64>;

/// Whether a change of an event's newest row leaves every counter where it
/// was: the same day, place, counters and handling bucket (most revisions:
/// an event dispatched, then in progress).
fn moves_nothing(old: &EventRow, new: &EventRow) -> bool {
    local_day(old.reported_at) == local_day(new.reported_at)
        && old.town_code == new.town_code
        && old.village_code == new.village_code
        && handling_bucket(old) == handling_bucket(new)
        && metrics_of(old) == metrics_of(new)
}

/// The KPI counters' writer: the statements that move the four counter
/// tables by `transitions`, each counter once, in key order.
pub(crate) fn statements(backend: Backend, transitions: &[Transition]) -> Vec<Statement<'static>> {
    let mut days: Moves<&'static str> = HashMap::new();
    let mut years: Moves<&'static str> = HashMap::new();
    let mut handling_days: Moves<i64> = HashMap::new();
    let mut handling_years: Moves<i64> = HashMap::new();
    for (row, by) in moved_rows(transitions, moves_nothing) {
        let day = local_day(row.reported_at);
        let year = year_of_day(day);
        let metrics = metrics_of(row);
        let bucket = handling_bucket(row);
        for place in day_places_of(row) {
            for &metric in &metrics {
                *days.entry((place.clone(), day, metric)).or_default() += by;
            }
            if let Some(bucket) = bucket {
                *handling_days.entry((place, day, bucket)).or_default() += by;
            }
        }
        for place in places_of(row) {
            for &metric in &metrics {
                *years.entry((place.clone(), year, metric)).or_default() += by;
            }
            if let Some(bucket) = bucket {
                *handling_years.entry((place, year, bucket)).or_default() += by;
            }
        }
    }
    let mut out = upserts(backend, "kpi_days", "day", "metric", days);
    out.extend(upserts(backend, "kpi_years", "year", "metric", years));
    out.extend(upserts(
        backend,
        "kpi_handling_days",
        "day",
        "bucket",
        handling_days,
    ));
    out.extend(upserts(
        backend,
        "kpi_handling_years",
        "year",
        "bucket",
        handling_years,
    ));
    out
}

/// `INSERT … ON CONFLICT DO UPDATE SET n = n + excluded.n` for every
/// counter that moved, 500 rows a statement.
fn upserts<K>(
    backend: Backend,
    table: &str,
    period: &str,
    what: &str,
    moves: Moves<K>,
) -> Vec<Statement<'static>>
where
    K: Into<Value<'static>> + Ord + Hash,
{
    let mut moves: Vec<_> = moves.into_iter().filter(|(_, n)| *n != 0).collect();
    moves.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    let mut out = Vec::new();
    let mut rest = moves.into_iter().peekable();
    while rest.peek().is_some() {
        let chunk: Vec<_> = rest.by_ref().take(500).collect();
        let sql = format!(
            "INSERT INTO {table} AS k (scope, {period}, {what}, n) VALUES {} \
             ON CONFLICT (scope, {period}, {what}) DO UPDATE SET n = k.n + excluded.n",
            placeholders(backend, chunk.len(), 4)
        );
        let mut statement = Statement::new(sql);
        for ((place, when, key), n) in chunk {
            statement = statement.bind(place).bind(when).bind(key).bind(n);
        }
        out.push(statement);
    }
    out
}

impl Store {
    /// Every KPI over `window` ending at `now`, for the city or one town.
    pub async fn kpis(&self, now: i64, window: KpiWindow, town: Option<&str>) -> Result<Vec<Kpi>> {
        let place = town.map_or_else(String::new, |code| format!("t:{code}"));
        self.kpis_of(now, window, &place).await
    }

    /// Every KPI over `window` ending at `now`, for any scope.
    pub async fn kpis_in(&self, now: i64, window: KpiWindow, scope: &Scope) -> Result<Vec<Kpi>> {
        Ok(self
            .kpis_in_windows(now, &[window], scope)
            .await?
            .pop()
            .unwrap_or_default())
    }

    /// [`Store::kpis_in`] for several windows, one list per window in the
    /// order asked. A window the store keeps counters for (every window of
    /// the city and a town, a village's year) reads them; the other windows
    /// of a village, a grid or a micro-grid read its events once, over the
    /// span of those windows, and count them into each window they fall in.
    pub async fn kpis_in_windows(
        &self,
        now: i64,
        windows: &[KpiWindow],
        scope: &Scope,
    ) -> Result<Vec<Vec<Kpi>>> {
        let counted = |window: KpiWindow| {
            scope.has_day_counters()
                || (matches!(scope, Scope::Village(_)) && window == KpiWindow::ThisYear)
        };
        let place = scope.key();
        let from_counters = windows
            .iter()
            .filter(|&&w| counted(w))
            .map(|&window| self.kpis_of(now, window, &place));
        let uncounted: Vec<KpiWindow> = windows.iter().copied().filter(|&w| !counted(w)).collect();
        let (kept, counted_now) = futures_util::future::try_join(
            futures_util::future::try_join_all(from_counters),
            self.kpis_from_events(now, &uncounted, scope),
        )
        .await?;
        // Back in the order asked: each list is in the order of its windows.
        let (mut kept, mut counted_now) = (kept.into_iter(), counted_now.into_iter());
        Ok(windows
            .iter()
            .map(|&w| {
                let next = if counted(w) {
                    kept.next()
                } else {
                    counted_now.next()
                };
                next.unwrap_or_default()
            })
            .collect())
    }

    /// The KPIs of `scope` over `windows`, counted from its events' newest
    /// rows, read once over the span of all the windows.
    async fn kpis_from_events(
        &self,
        now: i64,
        windows: &[KpiWindow],
        scope: &Scope,
    ) -> Result<Vec<Vec<Kpi>>> {
        let spans: Vec<(i64, i64)> = windows.iter().map(|w| w.days(now)).collect();
        let (Some(first), Some(last)) = (
            spans.iter().map(|s| s.0).min(),
            spans.iter().map(|s| s.1).max(),
        ) else {
            return Ok(Vec::new());
        };
        let start = day_start(first);
        let end = day_start(last + 1);
        let (condition, values) = scope.condition(3);
        let index = self.indexed_by(Some(scope.span_index()));
        let sql = format!(
            "SELECT {EVENT_COLUMNS} FROM events{index} \
             WHERE reported_at >= $1 AND reported_at < $2{condition}"
        );
        let mut query = sqlx::query(&sql).bind(start).bind(end);
        for value in values {
            query = query.bind(value);
        }
        let mut counters: Vec<BTreeMap<String, i64>> = vec![BTreeMap::new(); windows.len()];
        let mut histograms: Vec<BTreeMap<i64, i64>> = vec![BTreeMap::new(); windows.len()];
        for row in query.fetch_all(&self.pool).await? {
            let row = EventRow::from_row(&row)?;
            let day = local_day(row.reported_at);
            let metrics = metrics_of(&row);
            let bucket = handling_bucket(&row);
            for (i, &(from, to)) in spans.iter().enumerate() {
                if day < from || day > to {
                    continue;
                }
                for metric in &metrics {
                    *counters[i].entry((*metric).to_owned()).or_default() += 1;
                }
                if let Some(bucket) = bucket {
                    *histograms[i].entry(bucket).or_default() += 1;
                }
            }
        }
        Ok(windows
            .iter()
            .zip(&spans)
            .zip(counters.iter().zip(&histograms))
            .map(|((&window, &(from, to)), (counters, histogram))| {
                assemble(window, from, to, counters, histogram)
            })
            .collect())
    }

    /// The KPIs of one place (a key of the counter tables) over `window`:
    /// this year from the year's counters, shorter windows from the days'.
    /// The year's counters hold every event reported in the year, so an
    /// event an upstream dated after `now` counts in "this year" too.
    async fn kpis_of(&self, now: i64, window: KpiWindow, place: &str) -> Result<Vec<Kpi>> {
        let (first, last) = window.days(now);
        let (metrics, buckets, period) = match window {
            KpiWindow::ThisYear => ("kpi_years", "kpi_handling_years", "year = $2"),
            KpiWindow::Today | KpiWindow::SevenDays => {
                ("kpi_days", "kpi_handling_days", "day >= $2 AND day <= $3")
            }
        };
        // SUM over BIGINT is NUMERIC on PostgreSQL: cast back.
        let counters_sql = format!(
            "SELECT metric, CAST(SUM(n) AS BIGINT) AS n FROM {metrics} \
             WHERE scope = $1 AND {period} GROUP BY metric"
        );
        let histogram_sql = format!(
            "SELECT bucket, CAST(SUM(n) AS BIGINT) AS n FROM {buckets} \
             WHERE scope = $1 AND {period} GROUP BY bucket"
        );
        let ask = |sql| {
            let mut query = sqlx::query(sql).bind(place).bind(first);
            if window != KpiWindow::ThisYear {
                query = query.bind(last);
            }
            query.fetch_all(&self.pool)
        };
        let (counter_rows, bucket_rows) =
            futures_util::future::try_join(ask(&counters_sql), ask(&histogram_sql)).await?;
        let mut counters: BTreeMap<String, i64> = BTreeMap::new();
        for row in counter_rows {
            counters.insert(row.try_get("metric")?, row.try_get("n")?);
        }
        let mut histogram = BTreeMap::new();
        for row in bucket_rows {
            let n: i64 = row.try_get("n")?;
            if n > 0 {
                histogram.insert(row.try_get("bucket")?, n);
            }
        }
        Ok(assemble(window, first, last, &counters, &histogram))
    }
}
