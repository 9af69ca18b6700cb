//! A place's incident list, read group by group (issue 17), shows the same
//! page and total as sorting the place's whole window would, at every level
//! and under every kind of filter, over days of the simulator's history.

use gridwall_store::{IncidentFilter, Scope, Store};
use time::macros::datetime;

use crate::support::{Fresh, Rev, at, land_history, on_both};

/// The page and total of one sort over the whole window: what the console
/// showed before the list was read in groups.
async fn sorted_whole(
    store: &Store,
    scope: &Scope,
    filter: &IncidentFilter,
    since: Option<i64>,
    limit: usize,
) -> anyhow::Result<(Vec<String>, i64)> {
    let mut sql = String::from(" WHERE 1 = 1");
    if filter.open_only || filter.overdue_only {
        sql.push_str(" AND is_open = 1");
    }
    if filter.overdue_only {
        sql.push_str(" AND overdue = 1");
    }
    if let Some(since) = since {
        sql.push_str(&format!(" AND reported_at >= {since}"));
    }
    match scope {
        Scope::City => {}
        Scope::Town(code) => sql.push_str(&format!(" AND town_code = '{code}'")),
        Scope::Village(code) => sql.push_str(&format!(" AND village_code = '{code}'")),
        Scope::Grid(id) => sql.push_str(&format!(" AND grid_id = '{id}'")),
        Scope::MicroGrid(id) => sql.push_str(&format!(" AND micro_grid_id = '{id}'")),
    }
    let quoted = |values: &[String]| {
        values
            .iter()
            .map(|v| format!("'{v}'"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if !filter.sources.is_empty() {
        sql.push_str(&format!(" AND source IN ({})", quoted(&filter.sources)));
    }
    if !filter.states.is_empty() {
        sql.push_str(&format!(" AND state IN ({})", quoted(&filter.states)));
    }
    if !filter.severities.is_empty() {
        let list: Vec<String> = filter.severities.iter().map(u8::to_string).collect();
        sql.push_str(&format!(" AND severity IN ({})", list.join(", ")));
    }
    let ids: Vec<String> = sqlx::query_scalar(&format!(
        "SELECT id FROM events{sql} \
         ORDER BY overdue DESC, severity DESC, reported_at DESC, id LIMIT {limit}"
    ))
    .fetch_all(store.pool())
    .await?;
    let total: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM events{sql}"))
        .fetch_one(store.pool())
        .await?;
    Ok((ids, total))
}

async fn lists_read_in_groups_equal_one_sort_of_the_window(fresh: Fresh) -> anyhow::Result<()> {
    let store = &fresh.store;
    let from = datetime!(2026-11-24 00:00 +08:00);
    let to = datetime!(2026-11-27 15:00 +08:00);
    land_history(store, 17, from, to).await?;
    let now = to.unix_timestamp();
    // The default window starts at local midnight 29 days before today.
    let window_start = datetime!(2026-10-29 00:00 +08:00).unix_timestamp();

    let (grid, village, town): (String, String, String) = sqlx::query_as(
        "SELECT grid_id, village_code, town_code FROM events \
         GROUP BY grid_id, village_code, town_code ORDER BY COUNT(*) DESC LIMIT 1",
    )
    .fetch_one(store.pool())
    .await?;
    let scopes = [
        Scope::City,
        Scope::Town(town),
        Scope::Village(village),
        Scope::Grid(grid),
    ];
    let overdue = IncidentFilter {
        overdue_only: true,
        ..IncidentFilter::default()
    };
    let filters = [
        IncidentFilter::default(),
        IncidentFilter {
            open_only: true,
            ..IncidentFilter::default()
        },
        overdue.clone(),
        IncidentFilter {
            severities: vec![2, 4],
            ..IncidentFilter::default()
        },
        IncidentFilter {
            sources: vec!["police_110".into(), "petition".into()],
            states: vec!["closed".into(), "in_progress".into(), "dispatched".into()],
            ..IncidentFilter::default()
        },
        IncidentFilter {
            since: Some(now - 30 * 3600),
            ..IncidentFilter::default()
        },
    ];
    let mut pages = 0;
    for scope in &scopes {
        for filter in &filters {
            let since = match filter.since {
                Some(since) => Some(since),
                None if filter.open_only || filter.overdue_only => None,
                None => Some(window_start),
            };
            for limit in [0, 1, 7, 50, 300] {
                let (page, total) = store.incidents(scope, filter, now, limit).await?;
                let got: Vec<String> = page.into_iter().map(|i| i.id).collect();
                let (want, want_total) = sorted_whole(store, scope, filter, since, limit).await?;
                assert_eq!(got, want, "{scope:?} {filter:?} limit {limit}");
                assert_eq!(total as i64, want_total, "{scope:?} {filter:?} total");
                pages += usize::from(!got.is_empty());
            }
        }
        // The unfiltered total is the 30-day chart's sum.
        let (_, total) = store
            .incidents(scope, &IncidentFilter::default(), now, 0)
            .await?;
        let chart: u64 = store
            .events_per_day(now, 30, scope)
            .await?
            .iter()
            .map(|(_, n)| n)
            .sum();
        assert_eq!(
            total, chart,
            "{scope:?}: the list's total against its chart"
        );
    }
    assert!(pages >= 64, "most lists have rows ({pages} of 96)");
    let (city_overdue, _) = store.incidents(&Scope::City, &overdue, now, 300).await?;
    assert!(
        !city_overdue.is_empty(),
        "the history leaves overdue events"
    );
    Ok(())
}

/// Rows tied on every key the village's index holds (overdue, severity,
/// report time) are ordered by id, wherever the page is cut among them.
async fn a_village_page_cut_among_ties_is_ordered_by_id(fresh: Fresh) -> anyhow::Result<()> {
    let store = &fresh.store;
    // Twelve events of one village, all reported at the same instant: four
    // of severity 3, then eight of severity 1, their ids not in arrival order.
    let ids: Vec<String> = [7, 3, 11, 1, 9, 5, 12, 2, 8, 4, 10, 6]
        .iter()
        .map(|n| format!("E{n:02}"))
        .collect();
    let batch: Vec<_> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| {
            Rev {
                id,
                revision: 1,
                grid_id: "330282004001G01",
                severity: if i < 4 { 3 } else { 1 },
                state: "reported",
                updated_at: 60,
                due_at: None,
            }
            .record()
        })
        .collect();
    store.apply(&batch, at(120)).await?;
    let mut want: Vec<(u8, &String)> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| (if i < 4 { 3 } else { 1 }, id))
        .collect();
    want.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
    let want: Vec<String> = want.into_iter().map(|(_, id)| id.clone()).collect();
    let village = Scope::Village("330282004001".into());
    let filter = IncidentFilter {
        since: Some(-60),
        ..IncidentFilter::default()
    };
    for limit in 0..=13 {
        let (page, total) = store.incidents(&village, &filter, 120, limit).await?;
        let got: Vec<String> = page.into_iter().map(|i| i.id).collect();
        assert_eq!(got, want[..limit.min(12)], "a page of {limit}");
        assert_eq!(total, 12);
    }
    Ok(())
}

on_both!(
    lists_read_in_groups_equal_one_sort_of_the_window,
    a_village_page_cut_among_ties_is_ordered_by_id
);
