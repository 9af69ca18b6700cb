//! The brain in the store: the first baseline is learnt from the stored
//! history once, survives a restart, and warnings are kept, on both engines.

use std::time::Duration;

use gridwall_brain::persist::{self, Body};
use gridwall_brain::{Brain, Place, PlaceLevel, Sensitivity};
use gridwall_sim::Simulator;
use gridwall_store::{RawRecord, Store};
use time::macros::datetime;

use crate::support::{Fresh, city_places, on_both};

async fn brain_over(store: &Store) -> anyhow::Result<Brain> {
    let (_, places) = city_places();
    let baseline = persist::load_baseline(store).await?;
    Ok(Brain::new(places, Sensitivity::peacetime(), baseline))
}

async fn the_baseline_is_learnt_once_and_survives_a_restart(fresh: Fresh) -> anyhow::Result<()> {
    let sim = Simulator::builder()
        .seed(5)
        .warmup(Duration::ZERO)
        .build()?;
    let from = datetime!(2026-11-02 00:00 +08:00);
    let to = from + time::Duration::days(3);
    let mut records = Vec::new();
    let mut events = std::collections::BTreeSet::new();
    for (seq, revision) in sim.history(from, to) {
        let event = revision.case.event(revision.step, seq);
        events.insert(event.id.clone());
        records.push(RawRecord::new("zhili", serde_json::to_vec(&event)?));
    }
    for chunk in records.chunks(2_000) {
        fresh.store.apply(chunk, to).await?;
    }

    let mut brain = brain_over(&fresh.store).await?;
    let learnt = persist::learn_history(&fresh.store, &mut brain, to.unix_timestamp()).await?;
    assert_eq!(learnt, events.len() as u64, "every stored event is learnt");
    let town = Place::new(PlaceLevel::Town, "330282002000");
    let day = |b: &Brain| {
        b.baseline().expected(
            &town,
            "all",
            to.unix_timestamp(),
            to.unix_timestamp() + 86_400,
        )
    };
    let expected = day(&brain);
    assert!(expected > 1.0, "a town has events every day: {expected}");

    fresh.store.close().await;
    let store = Store::open(&fresh.url).await?;
    let mut again = brain_over(&store).await?;
    assert_eq!(
        persist::learn_history(&store, &mut again, to.unix_timestamp()).await?,
        0,
        "a baseline that exists is not learnt again"
    );
    assert_eq!(
        day(&again),
        expected,
        "the restart resumes the same baseline"
    );
    Ok(())
}

async fn warnings_are_kept_with_their_explanation(fresh: Fresh) -> anyhow::Result<()> {
    let (_, places) = city_places();
    let mut brain = Brain::new(places, Sensitivity::peacetime(), Default::default());
    brain.begin_learning(0);
    brain.finish_learning(7 * 86_400);
    // Four 110 disputes in ten minutes in one grid.
    let mut raised = Vec::new();
    for i in 0..4 {
        let t = 7 * 86_400 + 3_600 + i * 150;
        let event = crate::support::event(&format!("SJ{i}"), "330282002002G01", "police_110", t);
        raised.extend(brain.observe(&event, t));
    }
    let last = raised
        .last()
        .expect("four 110 disputes in one grid warn")
        .clone();
    assert!(
        raised.iter().all(|w| w.id == last.id),
        "one warning, updated"
    );
    assert_eq!(persist::record(&fresh.store, &raised).await?, 1);
    let stored = fresh.store.warning(&last.id).await?.expect("kept");
    let body: Body = serde_json::from_str(&stored.body)?;
    let (kept, said) = (&body.explanation, &last.explanation);
    assert_eq!((&kept.zh, &kept.en), (&said.zh, &said.en));
    assert_eq!(kept.event_ids, said.event_ids);
    assert_eq!(kept.sources, said.sources);
    // JSON keeps the figures to the last digit or so, not the last bit.
    assert!((kept.baseline - said.baseline).abs() < 1e-12);
    assert_eq!(stored.level, last.level.get());
    Ok(())
}

/// Events as the store holds them: a dispute at `address`, severity 2,
/// reported at `reported`, due at `due`, still open.
fn stored_dispute(id: &str, address: &str, reported: i64, due: i64) -> RawRecord {
    let mut event = crate::support::event(id, "330282002002G01", "police_110", reported);
    event.address = address.to_owned();
    event.severity = gridwall_domain::governance::Severity::MAJOR;
    event.due_at = Some(time::OffsetDateTime::from_unix_timestamp(due).unwrap());
    RawRecord::new("zhili", serde_json::to_vec(&event).unwrap())
}

async fn a_restart_keeps_recent_disputes_and_open_deadlines(fresh: Fresh) -> anyhow::Result<()> {
    let now = 1_790_000_000;
    let address = "宗汉街道曙光社区新园路12号";
    let batch = [
        stored_dispute("R1", address, now - 5 * 86_400, now + 1_200),
        stored_dispute("R2", "宗汉街道曙光社区新园路40号", now - 3_600, now + 1_500),
        stored_dispute("R3", "宗汉街道曙光社区新园路41号", now - 3_600, now + 1_800),
    ];
    fresh
        .store
        .apply(&batch, time::OffsetDateTime::from_unix_timestamp(now)?)
        .await?;
    // The app restarts: a brain with no memory, then what the store holds.
    let mut brain = brain_over(&fresh.store).await?;
    persist::learn_history(&fresh.store, &mut brain, now).await?;
    assert_eq!(
        persist::restore_recent(&fresh.store, &mut brain, now, &Default::default()).await?,
        3
    );
    let deadlines = brain.tick(now);
    let overdue: Vec<_> = deadlines
        .iter()
        .filter(|w| w.kind == gridwall_brain::Kind::Overdue)
        .collect();
    assert_eq!(overdue.len(), 1, "the three open deadlines are known again");
    assert_eq!(overdue[0].explanation.event_ids, ["R1", "R2", "R3"]);
    // The same family comes back to the same door after the restart.
    let again = crate::support::event("R4", "330282002002G01", "grid_patrol", now + 60);
    let mut again = again;
    again.address = format!("{address}附近");
    let raised = brain.observe(&again, now + 60);
    let repeat = raised
        .iter()
        .find(|w| w.kind == gridwall_brain::Kind::Repeat)
        .expect("a dispute returning across a restart is a repeat");
    assert_eq!(repeat.explanation.event_ids, ["R1", "R4"]);
    Ok(())
}

/// A dispute that lands while the brain starts (in the store, and still in
/// the loop's queue) is observed as new: the repeat it makes is warned.
async fn a_dispute_landing_while_the_brain_starts_is_still_a_repeat(
    fresh: Fresh,
) -> anyhow::Result<()> {
    let now = 1_790_000_000;
    let address = "宗汉街道曙光社区新园路12号";
    let batch = [
        stored_dispute("P1", address, now - 3_600, now + 7_200),
        stored_dispute("P2", address, now - 30, now + 7_200),
    ];
    fresh
        .store
        .apply(&batch, time::OffsetDateTime::from_unix_timestamp(now)?)
        .await?;
    let mut brain = brain_over(&fresh.store).await?;
    persist::learn_history(&fresh.store, &mut brain, now).await?;
    let pending = std::collections::HashSet::from(["P2".to_owned()]);
    assert_eq!(
        persist::restore_recent(&fresh.store, &mut brain, now, &pending).await?,
        1,
        "the queued dispute is left to the loop"
    );
    let queued: gridwall_domain::governance::Event = serde_json::from_slice(&batch[1].body)?;
    let raised = brain.observe(&queued, now);
    let repeat = raised
        .iter()
        .find(|w| w.kind == gridwall_brain::Kind::Repeat)
        .expect("the second dispute at the door is a repeat");
    assert_eq!(repeat.explanation.event_ids, ["P1", "P2"]);
    Ok(())
}

on_both!(
    the_baseline_is_learnt_once_and_survives_a_restart,
    warnings_are_kept_with_their_explanation,
    a_restart_keeps_recent_disputes_and_open_deadlines,
    a_dispute_landing_while_the_brain_starts_is_still_a_repeat,
);
