//! A scope's incident list (issue 17): overdue first, then the most severe,
//! then the newest report, the first page and the total that passed.
//!
//! Sorting a place's whole window to show its first page made a town's or
//! the city's list cost as much as its month of events (66,000 in the city).
//! A town's or the city's page is read group by group instead, each group in
//! index order and only as far as the page needs:
//!
//! 1. the overdue events, through the small `events_overdue` (the city) or
//!    the town's open events;
//! 2. then, severity by severity from 4 down to 1, the rest, newest first:
//!    the rare severities 3 and 4 through partial indexes of their own
//!    (`events_severity4`, `events_severity3_by_town`, …), the common ones
//!    through the `reported_at` indexes, where a page fills within a few
//!    hundred rows.
//!
//! The city's open incidents (about 4,000 at any time) are read so too,
//! through `events_open_by_severity`. A village, grid or micro-grid (a few
//! hundred events a month at most) and a town's open incidents (a few
//! hundred) are sorted in one read: five reads would cost them more. On
//! SQLite a village's window is sorted from `events_by_village`, which holds
//! the sort keys, and only its page's rows are read: a month's rows sit on
//! as many pages of `events`, each a disk read when the store is not in the
//! operating system's cache.
//!
//! The total of an unfiltered list is the sum of the place's daily counts
//! (the days of the 30-day chart, `crate::series`); a filtered list counts
//! its rows, bounded by the place's window.

use sqlx::Row;

use crate::drill::{COLUMNS, DEFAULT_DAYS, Incident, IncidentFilter, Where};
use crate::kpi::{day_start, local_day};
use crate::series::{By, Scope};
use crate::{Backend, Result, Store};

/// The longest page a caller may ask for.
const MOST: usize = 10_000;

/// The first instant of the default window at `now`: local midnight of the
/// first of its days.
pub fn default_since(now: i64) -> i64 {
    day_start(local_day(now) - DEFAULT_DAYS + 1)
}

/// Which part of the sort order a read covers.
#[derive(Clone, Copy)]
enum Group {
    Overdue,
    Severity(u8),
}

impl Store {
    /// The incidents of `scope` that pass `filter` at `now`: overdue first,
    /// then the most severe, then the newest report (ties by id); at most
    /// `limit`, with the total that passed.
    pub async fn incidents(
        &self,
        scope: &Scope,
        filter: &IncidentFilter,
        now: i64,
        limit: usize,
    ) -> Result<(Vec<Incident>, u64)> {
        let open_only = filter.open_only || filter.overdue_only;
        let since = match filter.since {
            Some(since) => Some(since),
            None if open_only => None,
            None => Some(default_since(now)),
        };
        let narrowed = open_only
            || filter.since.is_some()
            || !filter.sources.is_empty()
            || !filter.severities.is_empty()
            || !filter.states.is_empty();
        let total = match since {
            Some(since) if !narrowed => self.reported_since(scope, local_day(since)).await?,
            _ => {
                let w = narrowing(scope, filter, since, None);
                let index =
                    self.indexed_by(open_only.then(|| open_index(scope, filter.overdue_only)));
                let sql = format!(
                    "SELECT COUNT(*) AS n FROM events{index} WHERE 1 = 1{}",
                    w.sql
                );
                let n: i64 = w.query(&sql).fetch_one(&self.pool).await?.try_get("n")?;
                u64::try_from(n).unwrap_or(0)
            }
        };

        let limit = limit.min(MOST);
        if let Some(page) = self.village_page(scope, filter, since, limit).await? {
            return Ok((page, total));
        }
        // A village, grid or micro-grid has a few hundred events a month at
        // most, a town a few hundred open ones: one sort of those costs
        // less than five reads.
        let grouped = match scope {
            Scope::City => !filter.overdue_only,
            Scope::Town(_) => !open_only,
            Scope::Village(_) | Scope::Grid(_) | Scope::MicroGrid(_) => false,
        };
        let groups: Vec<Option<Group>> = if grouped {
            let mut groups = vec![Some(Group::Overdue)];
            if !filter.overdue_only {
                groups.extend(
                    (1..=4u8)
                        .rev()
                        .filter(|s| filter.severities.is_empty() || filter.severities.contains(s))
                        .map(|s| Some(Group::Severity(s))),
                );
            }
            groups
        } else {
            vec![None]
        };
        let mut page = Vec::new();
        for group in groups {
            let wanted = limit - page.len();
            if wanted == 0 {
                break;
            }
            let w = narrowing(scope, filter, since, group);
            let order = match group {
                None => "overdue DESC, severity DESC, reported_at DESC, id",
                Some(Group::Overdue) => "severity DESC, reported_at DESC, id",
                Some(Group::Severity(_)) => "reported_at DESC, id",
            };
            let index = self.indexed_by(match group {
                Some(group) => Some(index_for(scope, group, open_only)),
                None => open_only.then(|| open_index(scope, filter.overdue_only)),
            });
            let sql = format!(
                "SELECT {COLUMNS} FROM events{index} WHERE 1 = 1{} ORDER BY {order} LIMIT {wanted}",
                w.sql
            );
            for row in w.query(&sql).fetch_all(&self.pool).await? {
                page.push(Incident::from_row(&row)?);
            }
        }
        Ok((page, total))
    }

    /// A village's page on SQLite, sorted from `events_by_village` alone
    /// (its entries hold the sort keys and the row's place): only the
    /// page's rows are read, not the window's. The window's keys are cut at
    /// the page's last row, keeping every row tied with it on the keys (the
    /// id, which the index lacks, orders those). `None` where the index does
    /// not hold what the filter asks (sources, states, openness), and on
    /// PostgreSQL, which plans from its statistics.
    async fn village_page(
        &self,
        scope: &Scope,
        filter: &IncidentFilter,
        since: Option<i64>,
        limit: usize,
    ) -> Result<Option<Vec<Incident>>> {
        let covered = filter.sources.is_empty()
            && filter.states.is_empty()
            && !filter.open_only
            && !filter.overdue_only;
        if !matches!(scope, Scope::Village(_)) || !covered || self.backend != Backend::Sqlite {
            return Ok(None);
        }
        if limit == 0 {
            return Ok(Some(Vec::new()));
        }
        let w = narrowing(scope, filter, since, None);
        let sql = format!(
            "WITH k AS (SELECT rowid AS r, overdue, severity, reported_at \
               FROM events INDEXED BY events_by_village WHERE 1 = 1{}), \
             cut AS (SELECT overdue, severity, reported_at FROM k \
               ORDER BY overdue DESC, severity DESC, reported_at DESC LIMIT 1 OFFSET {}) \
             SELECT {COLUMNS} FROM events WHERE rowid IN (SELECT r FROM k \
               WHERE NOT EXISTS (SELECT 1 FROM cut) \
               OR (overdue, severity, reported_at) >= (SELECT overdue, severity, reported_at FROM cut)) \
             ORDER BY overdue DESC, severity DESC, reported_at DESC, id LIMIT {limit}",
            w.sql,
            limit - 1
        );
        let mut page = Vec::new();
        for row in w.query(&sql).fetch_all(&self.pool).await? {
            page.push(Incident::from_row(&row)?);
        }
        Ok(Some(page))
    }

    /// ` INDEXED BY index` on SQLite, where one is given; nothing on
    /// PostgreSQL, which plans from its statistics.
    pub(crate) fn indexed_by(&self, index: Option<&str>) -> String {
        match (self.backend, index) {
            (Backend::Sqlite, Some(index)) => format!(" INDEXED BY {index}"),
            _ => String::new(),
        }
    }

    /// Events reported in `scope` from local day `first_day` on, from the
    /// daily counts.
    async fn reported_since(&self, scope: &Scope, first_day: i64) -> Result<u64> {
        let mut total = 0u64;
        for row in self.day_counts(scope, By::Day, first_day, None).await? {
            let n: i64 = row.try_get("n")?;
            total += u64::try_from(n).unwrap_or(0);
        }
        Ok(total)
    }
}

/// The index a group of a town's or the city's list is read through. Without statistics its planner took the city's severe events to
/// find a town's, or a town's month to find its few overdue ones; PostgreSQL
/// plans from its statistics.
fn index_for(scope: &Scope, group: Group, open_only: bool) -> &'static str {
    let town = matches!(scope, Scope::Town(_));
    match (group, town) {
        (Group::Overdue, false) => "events_overdue",
        (Group::Severity(_), false) if open_only => "events_open_by_severity",
        (Group::Overdue, true) => "events_open_by_town",
        (Group::Severity(4), false) => "events_severity4",
        (Group::Severity(3), false) => "events_severity3",
        (_, false) => "events_by_reported",
        (Group::Severity(4), true) => "events_severity4_by_town",
        (Group::Severity(3), true) => "events_severity3_by_town",
        (_, true) => "events_by_town",
    }
}

/// The index of a place's open (or the city's overdue) events, for its
/// open or overdue list and their count: without statistics SQLite counted the city's open events
/// by scanning a covering index of every event (38 ms in the sqlite3 tool
/// over a year, 0.2 ms through `events_open`).
fn open_index(scope: &Scope, overdue_only: bool) -> &'static str {
    match scope {
        Scope::City if overdue_only => "events_overdue",
        Scope::City => "events_open",
        Scope::Town(_) => "events_open_by_town",
        Scope::Village(_) => "events_open_by_village",
        Scope::Grid(_) | Scope::MicroGrid(_) => "events_open_by_grid",
    }
}

/// The WHERE clause of `filter` in `scope` from `since`, narrowed to one
/// `group` of the sort order where given.
fn narrowing<'a>(
    scope: &'a Scope,
    filter: &'a IncidentFilter,
    since: Option<i64>,
    group: Option<Group>,
) -> Where<'a> {
    let mut w = Where::default();
    match group {
        // Overdue events are pending, so open: the open events' indexes hold them.
        Some(Group::Overdue) => w.sql.push_str(" AND is_open = 1 AND overdue = 1"),
        _ if filter.overdue_only => w.sql.push_str(" AND is_open = 1 AND overdue = 1"),
        _ if filter.open_only => w.sql.push_str(" AND is_open = 1"),
        _ => {}
    }
    if let Some(Group::Severity(severity)) = group {
        w.sql.push_str(" AND overdue = 0");
        // A small integer of ours, inlined: the term the partial indexes of
        // severities 3 and 4 are declared with.
        w.sql.push_str(&format!(" AND severity = {severity}"));
    }
    if let Some(since) = since {
        w.int(" AND reported_at >= $?", since);
    }
    w.scope(scope);
    w.text_in("source", filter.sources.iter().map(String::as_str));
    // A severity group is one severity already.
    if !matches!(group, Some(Group::Severity(_))) && !filter.severities.is_empty() {
        let severities: Vec<String> = filter.severities.iter().map(u8::to_string).collect();
        // Small integers from the UI's checkboxes: inlined, never user text.
        w.sql
            .push_str(&format!(" AND severity IN ({})", severities.join(", ")));
    }
    w.text_in("state", filter.states.iter().map(String::as_str));
    w
}
