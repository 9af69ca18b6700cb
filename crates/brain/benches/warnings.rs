//! How good the early warnings are (issue 13): over many seeds, a month of
//! simulated background to learn from, then days with one scenario of each
//! kind injected (hotspot, repeat, cluster, surge), run through our
//! detectors and through the naive baseline (a fixed threshold on counts)
//! in the same run. Prints recall (at all, and within an hour of onset),
//! precision, false warnings per town per day and time-to-detect (p50, p90).
//! No timing is asserted; the figures go into `docs/benchmarks.md`.
//!
//! `cargo bench -p gridwall-brain --bench warnings` (release), or with
//! `--profile dev` on a busy machine; `BRAIN_SEEDS=N` sets how many seeds
//! (default 16), `BRAIN_EVAL_DAYS` the days scored per seed (default 6),
//! `BRAIN_ALPHA` the rate and cluster tests' alpha (default peacetime's), to
//! see the trade between false warnings and time-to-detect.

#[path = "../tests/support/run.rs"]
#[allow(dead_code)]
mod run;

use gridwall_brain::{Places, Sensitivity};
use gridwall_sim::city::City;
use gridwall_sim::scenarios::ScenarioKind;
use run::Score;

const WARM_DAYS: i64 = 28;

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn print(name: &str, s: &Score) {
    let minutes = |q| {
        s.delay_minutes(q)
            .map_or("—".to_owned(), |m| format!("{m:.0} min"))
    };
    println!(
        "| {name} | {:.2} | {:.2} | {:.2} | {:.2} | {} | {} | {} |",
        s.recall(),
        s.recall_within_hour(),
        s.precision(),
        s.false_per_town_day(),
        minutes(0.5),
        minutes(0.9),
        s.warnings,
    );
}

fn main() {
    let seeds = env("BRAIN_SEEDS", 16);
    let eval_days = env("BRAIN_EVAL_DAYS", 6) as i64;
    let city = City::embedded().expect("the embedded city loads");
    let geometry = std::str::from_utf8(city.geometry()).expect("geometry is UTF-8");
    let places = Places::new(city.divisions(), city.grids(), geometry).expect("geometry parses");
    let mut sensitivity = Sensitivity::peacetime();
    if let Some(alpha) = std::env::var("BRAIN_ALPHA")
        .ok()
        .and_then(|a| a.parse::<f64>().ok())
        .filter(|a| *a > 0.0 && *a < 1.0)
    {
        sensitivity.alpha = alpha;
    }
    let started = std::time::Instant::now();
    // Two seeds at a time: the machine has two cores.
    let runs: Vec<run::Run> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..2u64)
            .map(|lane| {
                let places = &places;
                let sensitivity = &sensitivity;
                scope.spawn(move || {
                    (1..=seeds)
                        .filter(|s| s % 2 == lane)
                        .map(|seed| {
                            run::run(
                                places,
                                *sensitivity,
                                seed,
                                WARM_DAYS,
                                eval_days,
                                &ScenarioKind::ALL,
                            )
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("a run panicked"))
            .collect()
    });
    let mut ours = Score::default();
    let mut naive = Score::default();
    if std::env::var_os("BRAIN_SHOW_FALSE").is_some() {
        for r in &runs {
            for w in r.ours.iter().filter(|w| w.kind.is_anomaly()) {
                if !run::explained(&places, w, &r.truths) {
                    eprintln!("false: {} {}", w.id, w.explanation.en);
                }
            }
        }
    }
    for r in &runs {
        ours.add(&places, r, false);
        naive.add(&places, r, true);
    }
    println!(
        "{seeds} seeds × ({WARM_DAYS} days learnt + {eval_days} days scored), alpha {:.0e}, {} towns, {} scenarios, {:.0} town-days scored; {:.0} s",
        sensitivity.alpha,
        places.towns().len(),
        ours.truths,
        ours.town_days,
        started.elapsed().as_secs_f64()
    );
    println!();
    println!(
        "| detector | recall | recall ≤ 1 h | precision | false / town / day | time-to-detect p50 | p90 | warnings |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    print("ours (seasonal Poisson, repeats, clusters)", &ours);
    print("naive (fixed counts an hour)", &naive);
    println!();
    println!(
        "| scenario | ours: detected ≤ 1 h | ours: median minutes | naive: detected ≤ 1 h | naive: median minutes |"
    );
    println!("|---|---|---|---|---|");
    let median = |s: &Score, kind| {
        let mut d = s.kind_delays.get(&kind).cloned().unwrap_or_default();
        d.sort_unstable();
        d.get(d.len() / 2).map_or("—".to_owned(), |m| m.to_string())
    };
    for kind in ScenarioKind::ALL {
        let (n, a) = ours.by_kind.get(&kind).copied().unwrap_or_default();
        let (_, b) = naive.by_kind.get(&kind).copied().unwrap_or_default();
        println!(
            "| {} | {a}/{n} | {} | {b}/{n} | {} |",
            kind.as_str(),
            median(&ours, kind),
            median(&naive, kind)
        );
    }
    println!();
    println!(
        "false warnings by kind: ours {:?}; naive {:?}",
        ours.false_by_kind, naive.false_by_kind
    );
    let per_town_day = |n: usize| n as f64 / ours.town_days.max(1.0);
    println!(
        "deadline warnings (not scored), per town per day: {}",
        ours.deadline_warnings
            .iter()
            .map(|(k, n)| format!("{k} {:.2}", per_town_day(*n)))
            .collect::<Vec<_>>()
            .join(", ")
    );
}
