//! KPIs and rollups against values computed here, independently, from the
//! simulator's history: the newest revision of each event, the first time it
//! finished, its deadline.

use std::collections::BTreeMap;
use std::time::Duration;

use gridwall_domain::governance::{Event, EventState, MediationOutcome, Source};
use gridwall_sim::Simulator;
use gridwall_store::{KpiKey, KpiWindow, Level, RawRecord};
use time::macros::datetime;

use crate::support::{Fresh, on_both};

/// What the test knows of one event after the whole history.
struct Known {
    newest: Event,
    finished_at: Option<i64>,
}

fn local_day(unix: i64) -> i64 {
    (unix + 8 * 3600).div_euclid(86_400)
}

/// (numerator, denominator) of a ratio KPI over the events `in_window`,
/// written from the definitions in the store's docs, not from its code.
fn ratio(key: KpiKey, events: &[&Known], clock: i64) -> (i64, i64) {
    let mut num = 0;
    let mut den = 0;
    for known in events {
        let e = &known.newest;
        let outcome = e.mediation_outcome;
        let decided = matches!(
            outcome,
            Some(MediationOutcome::Success | MediationOutcome::Failed)
        );
        let success = outcome == Some(MediationOutcome::Success);
        let finished = matches!(e.state, EventState::Resolved | EventState::Closed);
        let (n, d) = match key {
            KpiKey::DisputeResolution => {
                let dispute = e.category.as_str().starts_with("dispute.");
                (dispute && success, dispute && decided)
            }
            KpiKey::PreLitigationMediation => {
                let lit = e.source == Source::Litigation;
                (lit && success, lit && decided)
            }
            KpiKey::Police110Handling => {
                let p110 = e.source == Source::Police110 && e.state != EventState::Cancelled;
                let pending = matches!(
                    e.state,
                    EventState::Reported
                        | EventState::Accepted
                        | EventState::Dispatched
                        | EventState::InProgress
                        | EventState::Returned
                        | EventState::Escalated
                );
                let overdue = pending && e.due_at.is_some_and(|due| due.unix_timestamp() < clock);
                let due = finished
                    || matches!(e.state, EventState::MediationFailed | EventState::Escalated)
                    || overdue;
                (p110 && finished, p110 && due)
            }
            KpiKey::Closure => (
                e.state == EventState::Closed,
                e.state != EventState::Cancelled,
            ),
            KpiKey::OnTime => match (known.finished_at, e.due_at) {
                (Some(at), Some(due)) => (at <= due.unix_timestamp(), true),
                _ => (false, false),
            },
            KpiKey::MedianHandlingMinutes => unreachable!("not a ratio"),
        };
        num += i64::from(n);
        den += i64::from(d);
    }
    (num, den)
}

async fn kpis_equal_an_independent_computation(fresh: Fresh) -> anyhow::Result<()> {
    let store = &fresh.store;
    let sim = Simulator::builder()
        .seed(11)
        .warmup(Duration::ZERO)
        .build()?;
    let from = datetime!(2026-11-21 00:00 +08:00);
    let to = datetime!(2026-11-27 15:00 +08:00);
    let mut known: BTreeMap<String, Known> = BTreeMap::new();
    let mut batch = Vec::new();
    for (seq, revision) in sim.history(from, to) {
        let event = revision.case.event(revision.step, seq);
        let finished = matches!(event.state, EventState::Resolved | EventState::Closed)
            .then(|| event.updated_at.unix_timestamp());
        let entry = known.entry(event.id.clone()).or_insert(Known {
            newest: event.clone(),
            finished_at: None,
        });
        if event.revision >= entry.newest.revision {
            entry.newest = event.clone();
        }
        entry.finished_at = match (entry.finished_at, finished) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        batch.push(RawRecord::new("zhili", serde_json::to_vec(&event)?));
        if batch.len() == 700 {
            store.apply(&batch, to).await?;
            batch.clear();
        }
    }
    store.apply(&batch, to).await?;
    let clock = to.unix_timestamp();
    assert!(known.len() > 5_000, "six and a half days of Cixi");

    let today = local_day(clock);
    for window in KpiWindow::ALL {
        let first = match window {
            KpiWindow::Today => today,
            KpiWindow::SevenDays => today - 6,
            KpiWindow::ThisYear => local_day(datetime!(2026-01-01 00:00 +08:00).unix_timestamp()),
        };
        let in_window: Vec<&Known> = known
            .values()
            .filter(|k| local_day(k.newest.reported_at.unix_timestamp()) >= first)
            .collect();
        let kpis = store.kpis(clock, window, None).await?;
        for kpi in &kpis {
            assert_eq!((kpi.first_day, kpi.last_day), (first, today), "{window:?}");
            if kpi.key == KpiKey::MedianHandlingMinutes {
                let mut minutes: Vec<f64> = in_window
                    .iter()
                    .filter_map(|k| {
                        k.finished_at.map(|at| {
                            (at - k.newest.reported_at.unix_timestamp()).max(0) as f64 / 60.0
                        })
                    })
                    .collect();
                minutes.sort_by(f64::total_cmp);
                assert_eq!(kpi.numerator as usize, minutes.len(), "{window:?} finished");
                let exact = minutes[(minutes.len() - 1) / 2];
                let got = kpi.value.expect("finished events exist");
                assert!(
                    (got - exact).abs() <= 7.5,
                    "{window:?} median {got} min against {exact} min"
                );
            } else {
                let (num, den) = ratio(kpi.key, &in_window, clock);
                assert_eq!(
                    (kpi.numerator, kpi.denominator),
                    (num, den),
                    "{:?} over {window:?}",
                    kpi.key
                );
                // Mediation takes days: today may have no outcome yet.
                if window != KpiWindow::Today {
                    assert!(den > 0, "{:?} over {window:?} has data", kpi.key);
                }
            }
        }
    }

    // One town: its share of the city.
    let town = "330282004000";
    let town_kpis = store.kpis(clock, KpiWindow::SevenDays, Some(town)).await?;
    let in_town: Vec<&Known> = known
        .values()
        .filter(|k| {
            k.newest.grid_id.starts_with(&town[..9])
                && local_day(k.newest.reported_at.unix_timestamp()) >= today - 6
        })
        .collect();
    let closure = town_kpis
        .iter()
        .find(|k| k.key == KpiKey::Closure)
        .expect("closure");
    assert_eq!(
        (closure.numerator, closure.denominator),
        ratio(KpiKey::Closure, &in_town, clock)
    );

    // One village, every window: its counters against its events.
    let village = "330282004001";
    let windows = store
        .kpis_in_windows(
            clock,
            &KpiWindow::ALL,
            &gridwall_store::Scope::Village(village.into()),
        )
        .await?;
    for (window, kpis) in KpiWindow::ALL.iter().zip(&windows) {
        let first = kpis[0].first_day;
        let in_village: Vec<&Known> = known
            .values()
            .filter(|k| {
                k.newest.grid_id.starts_with(village)
                    && local_day(k.newest.reported_at.unix_timestamp()) >= first
            })
            .collect();
        if *window != KpiWindow::Today {
            assert!(!in_village.is_empty(), "{window:?}: the village has events");
        }
        for kpi in kpis {
            if kpi.key == KpiKey::MedianHandlingMinutes {
                let finished = in_village
                    .iter()
                    .filter(|k| k.finished_at.is_some())
                    .count();
                assert_eq!(kpi.numerator as usize, finished, "{window:?} finished");
            } else {
                assert_eq!(
                    (kpi.numerator, kpi.denominator),
                    ratio(kpi.key, &in_village, clock),
                    "the village's {:?} over {window:?}",
                    kpi.key
                );
            }
        }
    }

    // Rollups: open events per town and for the city.
    let mut open_by_town: BTreeMap<String, i64> = BTreeMap::new();
    for k in known.values() {
        if !matches!(k.newest.state, EventState::Closed | EventState::Cancelled) {
            *open_by_town
                .entry(format!("{}000", &k.newest.grid_id[..9]))
                .or_default() += 1;
        }
    }
    let towns = store.rollups(Level::Town).await?;
    let got: BTreeMap<String, i64> = towns
        .iter()
        .filter(|r| r.open_by_severity.iter().sum::<i64>() > 0)
        .map(|r| (r.code.clone(), r.open_by_severity.iter().sum()))
        .collect();
    assert_eq!(got, open_by_town);
    let city = store.rollups(Level::City).await?;
    assert_eq!(
        city[0].open_by_severity.iter().sum::<i64>(),
        open_by_town.values().sum::<i64>()
    );
    Ok(())
}

on_both!(kpis_equal_an_independent_computation);
