//! The detectors on the simulator's scenarios (issue 13): every kind of
//! injected incident is found in its place within the hour, and a normal
//! background raises few warnings. The figures over many seeds are the
//! benchmark's (`benches/warnings.rs`, `docs/benchmarks.md`).

use gridwall_brain::{Footing, Sensitivity, Warning};
use gridwall_sim::scenarios::ScenarioKind;

use crate::support::city_places;
use crate::support::run::{Score, detects, run};

fn summary(warnings: &[Warning]) -> String {
    warnings
        .iter()
        .filter(|w| w.kind.is_anomaly())
        .map(|w| {
            format!(
                "{:?} {:?} {} at {}",
                w.kind, w.place.level, w.place.code, w.raised_at
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn each_scenario_is_detected_in_its_place_within_the_hour() {
    let (_, places) = city_places();
    for seed in [1, 2] {
        let run = run(
            &places,
            Sensitivity::peacetime(),
            seed,
            14,
            4,
            &ScenarioKind::ALL,
        );
        assert_eq!(run.truths.len(), 4);
        for truth in &run.truths {
            let first = run
                .ours
                .iter()
                .filter(|w| detects(&places, w, truth))
                .map(|w| w.raised_at)
                .min();
            let Some(at) = first else {
                panic!(
                    "seed {seed}: {:?} in {} at {} not detected; warned:\n{}",
                    truth.kind,
                    truth.place,
                    truth.onset,
                    summary(&run.ours)
                );
            };
            assert!(
                at - truth.onset <= 3_600,
                "seed {seed}: {:?} detected {} min after onset",
                truth.kind,
                (at - truth.onset) / 60
            );
        }
    }
}

#[test]
fn a_normal_background_raises_few_warnings_and_a_footing_more() {
    let (_, places) = city_places();
    let peace = run(&places, Sensitivity::peacetime(), 3, 14, 3, &[]);
    let mut score = Score::default();
    score.add(&places, &peace, false);
    assert_eq!(score.truths, 0);
    assert!(
        score.false_per_town_day() <= 0.5,
        "{} false warnings in {} town-days:\n{}",
        score.false_warnings,
        score.town_days,
        summary(&peace.ours)
    );
    let war = run(
        &places,
        Sensitivity::for_footing(Footing {
            due_soon_minutes: 120,
            pin_severity: 2,
        }),
        3,
        14,
        3,
        &[],
    );
    let anomalies = |ws: &[Warning]| ws.iter().filter(|w| w.kind.is_anomaly()).count();
    assert!(
        anomalies(&war.ours) > anomalies(&peace.ours),
        "a footing warns more readily on the same background: {} vs {}",
        anomalies(&war.ours),
        anomalies(&peace.ours)
    );
}
