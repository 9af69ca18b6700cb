//! One batch through the write pipeline, on whichever connection holds its
//! transaction (see [`crate::write`] for the stages).

use std::collections::{HashMap, HashSet};

use gridwall_domain::governance::Event;

use crate::conn::Conn;
use crate::newest::{self, EVENT_COLUMNS, EventRow, Transition};
use crate::parse::{Quarantined, parse_event};
use crate::sql::{Statement, in_list, ladder};
use crate::write::cache::{Known, LastRecords, NewestCache};
use crate::write::land::{self, Arrived};
use crate::write::{Alert, Applied, Changes, RawRecord, copy, overdue, sort_alerts};
use crate::{Backend, Error, Result, grid, kpi, raw, series};

/// A batch parsed, before its transaction.
pub(crate) struct Parsed<'a> {
    pub good: Vec<(Event, &'a RawRecord)>,
    pub bad: Vec<(&'a RawRecord, Quarantined)>,
    /// Records repeating an `(id, revision)` earlier in the batch.
    pub repeated: usize,
}

/// Parse every record: with packing, most of a batch's CPU, so it runs
/// before the transaction (and, for a large batch, on both cores: see
/// [`on_two_threads`]).
pub(crate) fn parse(batch: &[RawRecord]) -> Parsed<'_> {
    let mut parsed = Parsed {
        good: Vec::with_capacity(batch.len()),
        bad: Vec::new(),
        repeated: 0,
    };
    let mut seen = HashSet::with_capacity(batch.len());
    let results = on_two_threads(batch, |record| parse_event(&record.body));
    for (record, result) in batch.iter().zip(results) {
        match result {
            Ok(event) => {
                if seen.insert((event.id.clone(), event.revision)) {
                    parsed.good.push((event, record));
                } else {
                    parsed.repeated += 1;
                }
            }
            Err(refused) => parsed.bad.push((record, refused)),
        }
    }
    parsed
}

/// `f` of each item, a large slice in two halves on two threads.
fn on_two_threads<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    if items.len() < 1_000 {
        return items.iter().map(&f).collect();
    }
    let (first, second) = items.split_at(items.len() / 2);
    std::thread::scope(|scope| {
        let other = scope.spawn(|| second.iter().map(&f).collect::<Vec<_>>());
        let mut out: Vec<R> = first.iter().map(&f).collect();
        match other.join() {
            Ok(rest) => out.extend(rest),
            Err(_) => out.extend(second.iter().map(&f)),
        }
        out
    })
}

/// Pack each revision for storage: on its event's previous revision when
/// that record is at hand (landing in this batch, or remembered in `last`),
/// else on the dictionary.
fn pack<'a>(revisions: &[(&'a Event, &'a RawRecord)], last: &LastRecords) -> Vec<Arrived<'a>> {
    let mut order: Vec<usize> = (0..revisions.len()).collect();
    order.sort_by_key(|&i| (&revisions[i].0.id, revisions[i].0.revision));
    let mut previous: Vec<Option<&[u8]>> = vec![None; revisions.len()];
    for (k, &i) in order.iter().enumerate() {
        let (event, _) = revisions[i];
        let revision = i64::from(event.revision);
        let in_batch = k
            .checked_sub(1)
            .map(|k| revisions[order[k]])
            .filter(|(before, _)| before.id == event.id && before.revision + 1 == event.revision);
        previous[i] = match in_batch {
            Some((_, record)) => Some(record.body.as_slice()),
            None => last.previous(&event.id, revision),
        };
    }
    let jobs: Vec<(usize, Option<&[u8]>)> = previous.into_iter().enumerate().collect();
    let packed = on_two_threads(&jobs, |(i, previous)| {
        raw::pack(&revisions[*i].1.body, *previous)
    });
    revisions
        .iter()
        .zip(packed)
        .map(|((event, record), (codec, raw))| Arrived {
            event,
            record,
            codec,
            raw,
        })
        .collect()
}

/// What a batch left, for its caller to finish after the commit.
pub(crate) struct Landed {
    /// Counts, new alerts and `became_overdue`; the grids are read after.
    pub applied: Applied,
    /// The grids whose counters moved.
    pub grids: Vec<String>,
    /// Every `events` row this transaction read or wrote, in order: for the
    /// bulk import's cache, once committed.
    pub rows: Vec<EventRow>,
    /// The revisions stored as new, above their event's newest row: (id,
    /// revision, record), for [`LastRecords`] once committed.
    pub records: Vec<(String, i64, Vec<u8>)>,
}

/// Land `parsed` (with the cursor, if any) in the transaction on `conn`.
/// `cache` knows some stored rows; the others are read from `events`.
pub(crate) async fn land(
    conn: &mut Conn<'_>,
    backend: Backend,
    parsed: &Parsed<'_>,
    cursor: Option<(&str, u64)>,
    now: i64,
    cache: Option<&NewestCache>,
    last: &LastRecords,
) -> Result<Landed> {
    let mut applied = Applied {
        duplicate: parsed.repeated,
        quarantined: parsed.bad.len(),
        ..Applied::default()
    };
    let mut rows = Vec::new();

    // Time first: the clock's write takes SQLite's write lock.
    let (clock, swept) = overdue::sweep(conn, now).await?;
    conn.execute_all(&land::quarantined(backend, &parsed.bad, now))
        .await?;

    // The newest row stored for each event of the batch.
    let mut stored: HashMap<String, EventRow> = swept
        .iter()
        .map(|t| (t.new.id.clone(), t.new.clone()))
        .collect();
    rows.extend(stored.values().cloned());
    let mut ask: Vec<&str> = Vec::new();
    for (event, _) in &parsed.good {
        let id = event.id.as_str();
        if stored.contains_key(id) {
            continue;
        }
        match cache.map_or(Known::Unknown, |c| c.get(id)) {
            Known::Row(row) => {
                stored.insert(id.to_owned(), row.clone());
            }
            Known::Absent => {}
            Known::Unknown => ask.push(id),
        }
    }
    ask.sort_unstable();
    ask.dedup();
    for range in ladder(ask.len()) {
        let chunk = &ask[range];
        let mut statement = Statement::new(format!(
            "SELECT {EVENT_COLUMNS} FROM events WHERE id IN ({})",
            in_list(backend, chunk.len())
        ));
        for id in chunk {
            statement = statement.bind(*id);
        }
        for row in conn.fetch_events(&statement).await? {
            rows.push(row.clone());
            stored.insert(row.id.clone(), row);
        }
    }

    // Revisions above their event's newest are new; the others may be
    // stored already, and only the engine knows.
    let mut certain: Vec<(&Event, &RawRecord)> = Vec::new();
    let mut uncertain: Vec<(&Event, &RawRecord)> = Vec::new();
    for (event, record) in &parsed.good {
        let newest = stored.get(&event.id).map(|row| row.revision);
        if newest.is_none_or(|newest| i64::from(event.revision) > newest) {
            certain.push((event, record));
        } else {
            uncertain.push((event, record));
        }
    }
    let mut landed: Vec<&Event> = certain.iter().map(|(event, _)| *event).collect();
    let certain = pack(&certain, last);
    let uncertain = pack(&uncertain, &LastRecords::default());
    let certain_refs: Vec<&Arrived> = certain.iter().collect();
    let inserted = match conn {
        Conn::Postgres(pg) => {
            let rows = certain.iter().map(land::revision_values);
            copy::copy_in(pg, land::REVISIONS, rows).await?
        }
        _ => {
            let mut inserted = 0;
            for statement in land::new_revisions(backend, &certain_refs) {
                inserted += conn.execute(&statement).await?;
            }
            inserted
        }
    };
    if inserted != certain.len() as u64 {
        return Err(Error::Inconsistent(
            "a revision above its event's newest row was already stored".into(),
        ));
    }
    for arrived in &uncertain {
        if conn
            .execute(&land::maybe_new_revision(backend, arrived))
            .await?
            == 1
        {
            landed.push(arrived.event);
        }
    }
    applied.stored = landed.len();
    applied.duplicate += parsed.good.len() - landed.len();

    // The newest rows, and every derived table moved by their changes.
    let decision = newest::decide(&landed, &stored, clock);
    match conn {
        Conn::Postgres(pg) => {
            let rows = decision
                .upserts
                .iter()
                .map(|(e, r)| newest::upsert_values(e, r));
            let target = format!("events_staging ({})", newest::UPSERT_COLUMNS);
            copy::copy_in(pg, &target, rows).await?;
            conn.execute(&Statement::new(format!(
                "INSERT INTO events ({columns}) SELECT {columns} FROM events_staging {}",
                newest::ON_CONFLICT,
                columns = newest::UPSERT_COLUMNS
            )))
            .await?;
        }
        _ => {
            conn.execute_all(&newest::upserts(backend, &decision))
                .await?
        }
    }
    conn.execute_all(&newest::finished(&decision)).await?;
    applied.advanced = decision.upserts.len();
    let mut transitions: Vec<Transition> = swept;
    transitions.extend(decision.transitions.iter().cloned());
    let (grid_statements, grids) = grid::statements(backend, &transitions);
    conn.execute_all(&grid_statements).await?;
    conn.execute_all(&kpi::statements(backend, &transitions))
        .await?;
    conn.execute_all(&series::statements(backend, &transitions))
        .await?;

    if let Some((upstream, seq)) = cursor {
        conn.execute(&land::cursor(upstream, seq)).await?;
    }

    let mut alerts: Vec<Alert> = decision
        .first_seen
        .iter()
        .map(|&i| {
            let (event, row) = &decision.upserts[i];
            Alert {
                id: event.id.clone(),
                grid_id: event.grid_id.clone(),
                severity: event.severity.get(),
                source: row.source.clone(),
                category: row.category.clone(),
                title: event.title.clone(),
                reported_at: event.reported_at,
            }
        })
        .collect();
    sort_alerts(&mut alerts);
    applied.changes = Changes {
        grids: Vec::new(),
        alerts,
        became_overdue: transitions.iter().filter(|t| t.became_overdue()).count(),
    };
    rows.extend(decision.upserts.into_iter().map(|(_, row)| row));
    rows.extend(decision.finished);
    let records = certain
        .iter()
        .map(|a| {
            let revision = i64::from(a.event.revision);
            (a.event.id.clone(), revision, a.record.body.clone())
        })
        .collect();
    Ok(Landed {
        applied,
        grids,
        rows,
        records,
    })
}
