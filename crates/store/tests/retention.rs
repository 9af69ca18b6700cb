//! Retention of raw revisions (issue 17): old, finished events keep only
//! their newest revision; everything the wall shows stays as it was.

use gridwall_store::{KpiWindow, Level, Scope};

use crate::support::{Fresh, Rev, at, on_both};

const DAY: i64 = 86_400;

fn rev<'a>(id: &'a str, revision: u32, state: &'a str, updated_at: i64) -> Rev<'a> {
    Rev {
        id,
        revision,
        grid_id: "330282004001G01",
        severity: 2,
        state,
        updated_at,
        due_at: None,
    }
}

async fn pruning_keeps_the_newest_revision_of_old_finished_events(
    fresh: Fresh,
) -> anyhow::Result<()> {
    let store = &fresh.store;
    let now = 400 * DAY;
    let records = vec![
        // Closed a year ago: pruned to its newest revision.
        rev("OLD", 1, "reported", DAY).record(),
        rev("OLD", 2, "in_progress", 2 * DAY).record(),
        rev("OLD", 3, "closed", 3 * DAY).record(),
        // As old, but still open: kept whole.
        rev("OPEN", 1, "reported", DAY).record(),
        rev("OPEN", 2, "in_progress", 2 * DAY).record(),
        // Closed last week: kept whole.
        rev("NEW", 1, "reported", now - 9 * DAY).record(),
        rev("NEW", 2, "closed", now - 8 * DAY).record(),
    ];
    store.apply(&records, at(now)).await?;
    let rollups = store.rollups(Level::Town).await?;
    let kpis = store
        .kpis_in(now, KpiWindow::ThisYear, &Scope::City)
        .await?;
    let series = store.events_per_day(now, 401, &Scope::City).await?;
    let (_, newest_record) = store.incident("OLD").await?.expect("stored");

    let dropped = store.prune_revisions(at(now - 30 * DAY)).await?;
    assert_eq!(dropped, 2, "revisions 1 and 2 of the old closed event");
    let old: Vec<u32> = store
        .timeline("OLD")
        .await?
        .iter()
        .map(|r| r.revision)
        .collect();
    assert_eq!(old, [3]);
    assert_eq!(store.timeline("OPEN").await?.len(), 2);
    assert_eq!(store.timeline("NEW").await?.len(), 2);
    let (_, record) = store.incident("OLD").await?.expect("still there");
    assert_eq!(
        record, newest_record,
        "the incident shows its newest record"
    );

    assert_eq!(store.rollups(Level::Town).await?, rollups);
    assert_eq!(
        store
            .kpis_in(now, KpiWindow::ThisYear, &Scope::City)
            .await?,
        kpis
    );
    assert_eq!(store.events_per_day(now, 401, &Scope::City).await?, series);
    assert_eq!(
        store.prune_revisions(at(now - 30 * DAY)).await?,
        0,
        "a second run finds nothing to drop"
    );
    Ok(())
}

on_both!(pruning_keeps_the_newest_revision_of_old_finished_events);
