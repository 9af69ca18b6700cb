//! Deadlines: a town with severe incidents near or past due warns once and
//! updates as they change; a town missing far more deadlines than it usually
//! does warns of its falling closure rate; bad input is left out, counted,
//! and never stops the brain.

use gridwall_brain::{Brain, Footing, Kind, PlaceLevel, Sensitivity, Warning};
use gridwall_domain::governance::{Event, EventState, Severity};
use time::OffsetDateTime;

use crate::support::{city_places, event};

const GRID: &str = "330282002002G01";
const TOWN: &str = "330282002000";
const T0: i64 = 1_790_000_000;

fn at(t: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(t).expect("in range")
}

/// Revision `revision` of a case reported at `reported`, due at `due`.
fn case(
    id: &str,
    revision: u32,
    state: EventState,
    reported: i64,
    updated: i64,
    due: i64,
) -> Event {
    let mut e = event(id, GRID, "grid_patrol", reported);
    e.revision = revision;
    e.state = state;
    e.severity = Severity::MAJOR;
    e.updated_at = at(updated);
    e.due_at = Some(at(due));
    e
}

fn brain(sensitivity: Sensitivity) -> Brain {
    let (_, places) = city_places();
    let mut brain = Brain::new(places, sensitivity, Default::default());
    brain.begin_learning(T0 - 28 * 86_400);
    brain.finish_learning(T0);
    brain
}

fn of_kind(warnings: &[Warning], kind: Kind) -> Vec<&Warning> {
    warnings.iter().filter(|w| w.kind == kind).collect()
}

#[test]
fn severe_incidents_near_their_deadline_warn_their_town_once_and_update() {
    let mut brain = brain(Sensitivity::peacetime());
    for (i, due) in [T0 + 600, T0 + 1_800, T0 + 3_000].into_iter().enumerate() {
        brain.observe(
            &case(
                &format!("D{i}"),
                1,
                EventState::Reported,
                T0 - 7_200,
                T0 - 7_200,
                due,
            ),
            T0,
        );
    }
    let first = brain.tick(T0);
    let overdue = of_kind(&first, Kind::Overdue);
    assert_eq!(overdue.len(), 1, "one warning for the town: {first:?}");
    assert_eq!(overdue[0].place.level, PlaceLevel::Town);
    assert_eq!(overdue[0].place.code, TOWN);
    assert_eq!(overdue[0].explanation.event_ids, ["D0", "D1", "D2"]);
    assert!(
        of_kind(&brain.tick(T0 + 60), Kind::Overdue).is_empty(),
        "unchanged, not sent again"
    );
    // D0 passes its deadline: the same warning, updated.
    let later = brain.tick(T0 + 900);
    let updated = of_kind(&later, Kind::Overdue);
    assert_eq!(updated.len(), 1);
    assert_eq!(updated[0].id, overdue[0].id);
    assert!(
        updated[0].explanation.en.contains("1 open incidents"),
        "{}",
        updated[0].explanation.en
    );
    // Two close in time: below the threshold, no more warning.
    for id in ["D1", "D2"] {
        brain.observe(
            &case(id, 2, EventState::Closed, T0 - 7_200, T0 + 950, T0 + 3_000),
            T0 + 950,
        );
    }
    assert!(of_kind(&brain.tick(T0 + 1_000), Kind::Overdue).is_empty());
}

#[test]
fn a_footing_warns_of_a_single_severe_incident_due_within_its_horizon() {
    let footing = Sensitivity::for_footing(Footing {
        due_soon_minutes: 120,
        pin_severity: 2,
    });
    let mut brain = brain(footing);
    brain.observe(
        &case(
            "F0",
            1,
            EventState::Reported,
            T0 - 600,
            T0 - 600,
            T0 + 6_000,
        ),
        T0,
    );
    assert_eq!(of_kind(&brain.tick(T0), Kind::Overdue).len(), 1);
    let mut peace = self::brain(Sensitivity::peacetime());
    peace.observe(
        &case(
            "F0",
            1,
            EventState::Reported,
            T0 - 600,
            T0 - 600,
            T0 + 6_000,
        ),
        T0,
    );
    assert!(of_kind(&peace.tick(T0), Kind::Overdue).is_empty());
}

#[test]
fn a_town_missing_far_more_deadlines_than_usual_warns_of_its_closure_rate() {
    let mut brain = brain(Sensitivity::peacetime());
    let mut t = T0 - 20 * 86_400;
    // Twenty days of history: 200 deadlines, 196 met.
    for i in 0..200 {
        let id = format!("H{i}");
        let due = t + 3_600;
        brain.observe(&case(&id, 1, EventState::Reported, t, t, due), t);
        let closed = if i % 50 == 0 { due + 600 } else { due - 600 };
        brain.tick(closed.min(due + 1));
        brain.observe(&case(&id, 2, EventState::Closed, t, closed, due), closed);
        t += 8_640;
    }
    // A day like the others (one miss in twelve), then a bad one (eight).
    let day = |brain: &mut Brain, t: &mut i64, prefix: &str, missed: fn(i32) -> bool| {
        let mut raised = Vec::new();
        for i in 0..12 {
            let id = format!("{prefix}{i}");
            let due = *t + 3_600;
            brain.observe(&case(&id, 1, EventState::Reported, *t, *t, due), *t);
            let closed = if missed(i) { due + 1_800 } else { due - 600 };
            // In time order: the clock passes the deadline before a late
            // close, after an early one.
            let close = case(&id, 2, EventState::Closed, *t, closed, due);
            if closed < due {
                brain.observe(&close, closed);
            }
            raised.extend(brain.tick(due + 60));
            if closed >= due {
                brain.observe(&close, closed);
            }
            raised.extend(brain.tick(closed.max(due) + 120));
            *t += 7_200;
        }
        raised
    };
    let usual = day(&mut brain, &mut t, "U", |i| i == 5);
    assert!(
        of_kind(&usual, Kind::ClosureFalling).is_empty(),
        "a usual share of misses is no warning"
    );
    let raised = day(&mut brain, &mut t, "B", |i| i % 3 != 0);
    let falling = of_kind(&raised, Kind::ClosureFalling);
    let last = falling.last().expect("the falling closure rate is warned");
    assert_eq!(last.place.code, TOWN);
    assert!(
        falling.iter().all(|w| w.id == last.id),
        "one warning, updated"
    );
    assert!(last.explanation.observed < last.explanation.baseline);
}

#[test]
fn bad_input_is_left_out_and_counted_never_fatal() {
    let mut brain = brain(Sensitivity::peacetime());
    assert!(
        brain
            .observe(&event("X1", "no-such-grid", "police_110", T0), T0)
            .is_empty()
    );
    let future = event("X2", GRID, "police_110", T0 + 30 * 86_400);
    assert!(brain.observe(&future, T0).is_empty());
    let mut odd = event("X3", GRID, "drone_patrol", T0);
    odd.category = gridwall_domain::governance::Category::new("traffic.e_bike_helmet");
    odd.address = "\u{202E}\u{0000}".into();
    brain.observe(&odd, T0);
    brain.tick(T0 + 60);
    assert_eq!(brain.ignored.unknown_grid, 1);
    assert_eq!(brain.ignored.from_the_future, 1);
}
