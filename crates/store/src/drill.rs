//! Reads for the duty officer's console (issue 7): what a list filters by and
//! shows (the list itself is in [`crate::list`]), a scope's open incidents by
//! source and severity, one incident with its newest record, and search by
//! event id prefix or address fragment.
//!
//! Every read goes through an index: open events through the small partial
//! indexes `events_open` (and per place), time windows through
//! the `reported_at` indexes, id prefixes through the primary key (SQLite
//! `GLOB`) or a `text_pattern_ops` index (PostgreSQL), and address fragments
//! of three characters or more through trigrams (FTS5 on SQLite, pg_trgm on
//! PostgreSQL). Shorter fragments look among open events only.

use sqlx::Row;
use sqlx::any::AnyRow;

use crate::series::Scope;
use crate::{Backend, Result, Store};

/// What an incident list narrows to. Empty lists mean "any".
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IncidentFilter {
    /// Wire codes, e.g. `police_110`.
    pub sources: Vec<String>,
    pub severities: Vec<u8>,
    /// Wire codes, e.g. `in_progress`.
    pub states: Vec<String>,
    /// Only events not yet closed or cancelled.
    pub open_only: bool,
    /// Only events pending past their `due_at`.
    pub overdue_only: bool,
    /// Only events reported at or after this (unix seconds). Without it and
    /// without `open_only` a list covers the last [`DEFAULT_DAYS`] local
    /// days, so that no click ever asks for five years of rows.
    pub since: Option<i64>,
}

/// The window of a list that is neither open-only nor given one: today and
/// the 29 local days before it, the days of the 30-day chart.
pub const DEFAULT_DAYS: i64 = 30;

/// An event at its newest revision, as lists and search show it.
#[derive(Clone, Debug, PartialEq)]
pub struct Incident {
    pub id: String,
    pub revision: u32,
    pub title: String,
    pub source: String,
    pub category: String,
    pub severity: u8,
    pub state: String,
    pub grid_id: String,
    pub micro_grid_id: Option<String>,
    pub address: String,
    /// `[lon, lat]`.
    pub location: Option<[f64; 2]>,
    pub mediation_outcome: Option<String>,
    pub is_open: bool,
    pub overdue: bool,
    /// Unix seconds.
    pub reported_at: i64,
    pub updated_at: i64,
    pub due_at: Option<i64>,
}

pub(crate) const COLUMNS: &str = "id, revision, title, source, category, severity, state, grid_id, \
     micro_grid_id, address, lon, lat, mediation_outcome, is_open, overdue, reported_at, \
     updated_at, due_at";

impl Incident {
    pub(crate) fn from_row(row: &AnyRow) -> Result<Incident> {
        let revision: i64 = row.try_get("revision")?;
        let severity: i64 = row.try_get("severity")?;
        let lon: Option<f64> = row.try_get("lon")?;
        let lat: Option<f64> = row.try_get("lat")?;
        Ok(Incident {
            id: row.try_get("id")?,
            revision: u32::try_from(revision).unwrap_or(u32::MAX),
            title: row.try_get("title")?,
            source: row.try_get("source")?,
            category: row.try_get("category")?,
            severity: u8::try_from(severity.clamp(1, 4)).unwrap_or(1),
            state: row.try_get("state")?,
            grid_id: row.try_get("grid_id")?,
            micro_grid_id: row.try_get("micro_grid_id")?,
            address: row.try_get("address")?,
            location: lon.zip(lat).map(|(lon, lat)| [lon, lat]),
            mediation_outcome: row.try_get("mediation_outcome")?,
            is_open: row.try_get::<i64, _>("is_open")? != 0,
            overdue: row.try_get::<i64, _>("overdue")? != 0,
            reported_at: row.try_get("reported_at")?,
            updated_at: row.try_get("updated_at")?,
            due_at: row.try_get("due_at")?,
        })
    }
}

/// Values bound to a dynamically built query, in order.
pub(crate) enum Bind<'a> {
    Int(i64),
    Text(&'a str),
}

/// A WHERE clause under construction, numbering `$n` as it goes.
#[derive(Default)]
pub(crate) struct Where<'a> {
    pub(crate) sql: String,
    binds: Vec<Bind<'a>>,
}

impl<'a> Where<'a> {
    fn next(&self) -> usize {
        self.binds.len() + 1
    }

    pub(crate) fn int(&mut self, clause: &str, value: i64) {
        let n = self.next();
        self.sql.push_str(&clause.replace("$?", &format!("${n}")));
        self.binds.push(Bind::Int(value));
    }

    pub(crate) fn text_in(&mut self, column: &str, values: impl IntoIterator<Item = &'a str>) {
        let values: Vec<&str> = values.into_iter().collect();
        if values.is_empty() {
            return;
        }
        let list: Vec<String> = (0..values.len())
            .map(|i| format!("${}", self.next() + i))
            .collect();
        self.sql
            .push_str(&format!(" AND {column} IN ({})", list.join(", ")));
        self.binds.extend(values.into_iter().map(Bind::Text));
    }

    pub(crate) fn scope(&mut self, scope: &'a Scope) {
        let (condition, values) = scope.condition(self.next());
        self.sql.push_str(&condition);
        self.binds.extend(values.into_iter().map(Bind::Text));
    }

    pub(crate) fn query<'q>(
        &'q self,
        sql: &'q str,
    ) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>
    where
        'a: 'q,
    {
        let mut query = sqlx::query(sql);
        for bind in &self.binds {
            query = match bind {
                Bind::Int(v) => query.bind(*v),
                Bind::Text(v) => query.bind(*v),
            };
        }
        query
    }
}

impl Store {
    /// Open incidents of `scope` counted by `(source, severity)`, most first.
    pub async fn open_breakdown(&self, scope: &Scope) -> Result<Vec<(String, u8, u64)>> {
        let mut w = Where::default();
        w.scope(scope);
        // The city's and a town's open events by place, source and severity
        // are an index of their own: counting reads it alone, where the
        // index of open events by time would visit every open row.
        let index = matches!(scope, Scope::City | Scope::Town(_)).then_some("events_open_by_town");
        let sql = format!(
            "SELECT source, severity, COUNT(*) AS n FROM events{} WHERE is_open = 1{} \
             GROUP BY source, severity ORDER BY n DESC, source, severity",
            self.indexed_by(index),
            w.sql
        );
        w.query(&sql)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|row| {
                let severity: i64 = row.try_get("severity")?;
                let n: i64 = row.try_get("n")?;
                Ok((
                    row.try_get("source")?,
                    u8::try_from(severity.clamp(1, 4)).unwrap_or(1),
                    u64::try_from(n).unwrap_or(0),
                ))
            })
            .collect()
    }

    /// One incident at its newest revision, with that revision's record as
    /// it arrived (description, assignee, attachments and unknown fields).
    pub async fn incident(&self, id: &str) -> Result<Option<(Incident, String)>> {
        let columns = COLUMNS
            .split(", ")
            .map(|c| format!("e.{c}"))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "SELECT {columns}, r.codec, r.raw FROM events e \
             JOIN event_revisions r ON r.id = e.id AND r.revision = e.revision WHERE e.id = $1"
        );
        let Some(row) = sqlx::query(&sql)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
        else {
            return Ok(None);
        };
        let incident = Incident::from_row(&row)?;
        let codec: i64 = row.try_get("codec")?;
        let raw = if codec == crate::raw::ZSTD_PREVIOUS {
            // Packed on the revision before it: read the event's timeline.
            let timeline = self.timeline(id).await?;
            timeline
                .into_iter()
                .rev()
                .find(|r| r.revision == incident.revision)
                .map(|r| r.raw)
                .ok_or_else(|| {
                    crate::Error::StoredRevision(format!("{id} lost its newest record"))
                })?
        } else {
            crate::raw::unpack(codec, row.try_get("raw")?, None)
                .map_err(crate::Error::StoredRevision)?
        };
        Ok(Some((incident, raw)))
    }

    /// Events whose id starts with `query` (ids are letters and digits;
    /// matched in upper case) or whose address contains it, newest first,
    /// at most `limit`. An id match comes before address matches.
    pub async fn search_events(&self, query: &str, limit: usize) -> Result<Vec<Incident>> {
        let query = query.trim();
        if query.is_empty() || limit == 0 {
            return Ok(Vec::new());
        }
        let limit = limit.min(200);
        let mut found: Vec<Incident> = Vec::new();
        if query.chars().all(|c| c.is_ascii_alphanumeric()) {
            let prefix = query.to_ascii_uppercase();
            let (sql, order, binds) = match self.backend {
                // GLOB is case-sensitive, so SQLite reads the primary key in order.
                Backend::Sqlite => ("id GLOB $1", "id DESC", vec![format!("{prefix}*")]),
                // The prefix index (text_pattern_ops) in its own order, which
                // for ASCII ids is the primary key's: under a UTF-8 collation
                // PostgreSQL may otherwise walk the primary key backwards
                // through every newer id, filtering (70 ms at p99 over 60 days).
                // The range is spelled out: from a statement's sixth run on,
                // PostgreSQL may plan it once for any pattern, and a `LIKE $1`
                // alone then bounds nothing (the whole index, read backwards:
                // 0.4-2.4 s a search over five years). Ids are ASCII letters
                // and digits, all below DEL.
                Backend::Postgres => (
                    "id ~>=~ $1 AND id ~<~ $2 AND id LIKE $3",
                    "id USING ~>~",
                    vec![
                        prefix.clone(),
                        format!("{prefix}\u{7f}"),
                        format!("{prefix}%"),
                    ],
                ),
            };
            let sql =
                format!("SELECT {COLUMNS} FROM events WHERE {sql} ORDER BY {order} LIMIT {limit}");
            let mut statement = sqlx::query(&sql);
            for bind in binds {
                statement = statement.bind(bind);
            }
            for row in statement.fetch_all(&self.pool).await? {
                found.push(Incident::from_row(&row)?);
            }
        }
        let remaining = limit - found.len().min(limit);
        if remaining > 0 {
            for incident in self.search_address(query, remaining).await? {
                if !found.iter().any(|f| f.id == incident.id) {
                    found.push(incident);
                }
            }
        }
        Ok(found)
    }

    async fn search_address(&self, fragment: &str, limit: usize) -> Result<Vec<Incident>> {
        let rows = if fragment.chars().count() < 3 {
            // Below a trigram: only the few thousand open events are looked at.
            let sql = format!(
                "SELECT {COLUMNS} FROM events WHERE is_open = 1 AND address LIKE $1 ESCAPE '\\' \
                 ORDER BY reported_at DESC LIMIT {limit}"
            );
            sqlx::query(&sql)
                .bind(format!("%{}%", escape_like(fragment)))
                .fetch_all(&self.pool)
                .await?
        } else {
            match self.backend {
                Backend::Sqlite => {
                    // Newest first by rowid: FTS5 walks its index backwards
                    // and stops at the limit, however common the fragment.
                    let sql = format!(
                        "SELECT {COLUMNS} FROM events WHERE rowid IN \
                         (SELECT rowid FROM events_address WHERE events_address MATCH $1 \
                          ORDER BY rowid DESC LIMIT {limit}) \
                         ORDER BY reported_at DESC"
                    );
                    sqlx::query(&sql)
                        .bind(format!("\"{}\"", fragment.replace('"', "\"\"")))
                        .fetch_all(&self.pool)
                        .await?
                }
                Backend::Postgres => {
                    let sql = format!(
                        "SELECT {COLUMNS} FROM events WHERE address LIKE $1 ESCAPE '\\' \
                         ORDER BY reported_at DESC LIMIT {limit}"
                    );
                    sqlx::query(&sql)
                        .bind(format!("%{}%", escape_like(fragment)))
                        .fetch_all(&self.pool)
                        .await?
                }
            }
        };
        rows.iter().map(Incident::from_row).collect()
    }
}

/// `fragment` with LIKE's wildcards taken literally (escape character `\`).
fn escape_like(fragment: &str) -> String {
    let mut out = String::with_capacity(fragment.len());
    for c in fragment.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_wildcards_are_literal() {
        assert_eq!(escape_like("50%_a\\b"), "50\\%\\_a\\\\b");
        assert_eq!(escape_like("浒山街道"), "浒山街道");
    }
}
