//! The upkeep of a long-lived PostgreSQL store: the partial indexes of open
//! events, rebuilt when thin, answer as before; SQLite needs none.

use gridwall_store::{IncidentFilter, Scope};
use time::macros::datetime;

use crate::support::{Fresh, land_history, on_both};

async fn thin_indexes_are_rebuilt_and_answer_as_before(fresh: Fresh) -> anyhow::Result<()> {
    let store = &fresh.store;
    let to = datetime!(2026-11-27 15:00 +08:00);
    // Days of events opening and closing: entries in and out of the indexes.
    land_history(store, 5, datetime!(2026-11-24 00:00 +08:00), to).await?;
    let now = to.unix_timestamp();
    let overdue = IncidentFilter {
        overdue_only: true,
        ..IncidentFilter::default()
    };
    let read = || async {
        let breakdown = store.open_breakdown(&Scope::City).await?;
        let (open, total) = store
            .incidents(
                &Scope::City,
                &IncidentFilter {
                    open_only: true,
                    ..IncidentFilter::default()
                },
                now,
                300,
            )
            .await?;
        let (late, _) = store.incidents(&Scope::City, &overdue, now, 300).await?;
        let ids = |v: Vec<gridwall_store::drill::Incident>| {
            v.into_iter().map(|i| i.id).collect::<Vec<_>>()
        };
        anyhow::Ok((breakdown, ids(open), total, ids(late)))
    };
    let before = read().await?;
    assert!(!before.1.is_empty(), "the history leaves open events");

    let all = store.rebuild_thin_indexes(0.0).await?;
    if store.backend() == gridwall_store::Backend::Postgres {
        let names: Vec<&str> = all.iter().map(|r| r.index.as_str()).collect();
        for index in [
            "events_open",
            "events_open_by_grid",
            "events_overdue",
            "events_due",
        ] {
            assert!(names.contains(&index), "{index} rebuilt: {names:?}");
        }
        assert!(all.iter().all(|r| r.pages_after >= 1), "{all:?}");
    } else {
        assert!(all.is_empty(), "nothing to do on SQLite");
    }
    assert_eq!(
        read().await?,
        before,
        "the same answers from the rebuilt indexes"
    );
    // Compact now: by the default rule none is thin.
    assert_eq!(store.rebuild_thin_indexes(1.0).await?, Vec::new());
    Ok(())
}

on_both!(thin_indexes_are_rebuilt_and_answer_as_before);
