//! Runs the simulator's history, with scenarios, through our detectors and
//! the naive one, and scores what they raised against the ground truth.
//! Shared by the detection test and the benchmark (which includes this
//! file by path), so both measure the same thing.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use gridwall_brain::naive::{Naive, NaiveThresholds};
use gridwall_brain::{Brain, Kind, PlaceLevel, Places, Sensitivity, Warning};
use gridwall_sim::Simulator;
use gridwall_sim::scenarios::{self, GroundTruth, ScenarioKind};

const HOUR: i64 = 3_600;
const DAY: i64 = 86_400;
/// How often the brain's clock ticks, in simulated seconds.
const TICK: i64 = 300;

/// What one seed's run raised.
pub struct Run {
    pub truths: Vec<GroundTruth>,
    /// Every warning of ours raised in the evaluation period, first version per id.
    pub ours: Vec<Warning>,
    pub naive: Vec<Warning>,
    pub from: i64,
    pub to: i64,
}

/// `warm_days` of background to learn from, then `eval_days` with one
/// scenario of each of `kinds`, spread over the period.
pub fn run(
    places: &Places,
    sensitivity: Sensitivity,
    seed: u64,
    warm_days: i64,
    eval_days: i64,
    kinds: &[ScenarioKind],
) -> Run {
    let start = time::macros::datetime!(2026-09-07 00:00 +8);
    let sim = Simulator::builder()
        .seed(seed)
        .start(start)
        .warmup(Duration::ZERO)
        .build()
        .expect("the simulator builds");
    let from = start.unix_timestamp() + warm_days * DAY;
    let to = from + eval_days * DAY;
    // Onsets at a different hour of the day for each seed, a day clear of the end.
    let first = from + 2 * HOUR + (seed as i64 * 7_919) % (12 * HOUR);
    let spacing = ((to - DAY - first) / (kinds.len() as i64).max(1)).max(6 * HOUR);
    let planned = scenarios::plan_all(sim.city(), kinds, seed, first, spacing);
    let truths = planned.iter().map(|p| p.truth.clone()).collect();

    let mut brain = Brain::new(places.clone(), sensitivity, Default::default());
    brain.begin_learning(start.unix_timestamp());
    let mut naive = Naive::new(places.clone(), NaiveThresholds::default());
    let mut naive_seen: HashSet<String> = HashSet::new();
    let mut ours: HashMap<String, Warning> = HashMap::new();
    let mut theirs: HashMap<String, Warning> = HashMap::new();
    let mut next_tick = start.unix_timestamp() + TICK;
    let end = time::OffsetDateTime::from_unix_timestamp(to).expect("in range");
    let keep = |w: Vec<Warning>, into: &mut HashMap<String, Warning>| {
        for w in w {
            if w.raised_at >= from {
                into.entry(w.id.clone()).or_insert(w);
            }
        }
    };
    for (seq, revision) in sim.history_with(start, end, &planned) {
        let at = revision.at();
        while next_tick <= at {
            keep(brain.tick(next_tick), &mut ours);
            next_tick += TICK;
        }
        let event = revision.case.event(revision.step, seq);
        keep(brain.observe(&event, at), &mut ours);
        if at >= from && naive_seen.insert(event.id.clone()) {
            keep(naive.observe(&event, at), &mut theirs);
        } else if at < from {
            naive_seen.insert(event.id.clone());
        }
    }
    let mut ours: Vec<Warning> = ours.into_values().collect();
    ours.sort_by_key(|w| (w.raised_at, w.id.clone()));
    let mut naive: Vec<Warning> = theirs.into_values().collect();
    naive.sort_by_key(|w| (w.raised_at, w.id.clone()));
    Run {
        truths,
        ours,
        naive,
        from,
        to,
    }
}

/// Whether `w` is the detection `truth` asks for: the right kind at the
/// right place (see `docs/benchmarks.md`).
pub fn detects(places: &Places, w: &Warning, truth: &GroundTruth) -> bool {
    if w.raised_at < truth.onset - HOUR || w.raised_at > truth.end + 3 * HOUR {
        return false;
    }
    let in_town = places.town_of(&w.place) == Some(truth.town.as_str());
    let grid_or_village = match w.place.level {
        PlaceLevel::Grid => truth.grids.contains(&w.place.code),
        PlaceLevel::Village => truth
            .grids
            .iter()
            .any(|g| places.grid(g).map(|i| i.village.as_str()) == Some(w.place.code.as_str())),
        PlaceLevel::Town => false,
    };
    match truth.kind {
        ScenarioKind::Hotspot => w.kind == Kind::Rate && grid_or_village,
        ScenarioKind::Repeat => w.kind == Kind::Repeat && w.place.code == truth.place,
        ScenarioKind::Cluster => w.kind == Kind::Cluster && in_town,
        // The naive detector has no notion of source: any rate warning in
        // the town counts for it as for us.
        ScenarioKind::Surge => w.kind == Kind::Rate && in_town,
    }
}

/// Whether `w` is explained by some truth: in its town, in its time.
pub fn explained(places: &Places, w: &Warning, truths: &[GroundTruth]) -> bool {
    truths.iter().any(|t| {
        w.raised_at >= t.onset - HOUR
            && w.raised_at <= t.end + 3 * HOUR
            && places.town_of(&w.place) == Some(t.town.as_str())
    })
}

/// The figures of one detector over runs.
#[derive(Default, Debug)]
pub struct Score {
    pub truths: usize,
    pub detected: usize,
    pub within_hour: usize,
    pub warnings: usize,
    pub false_warnings: usize,
    pub town_days: f64,
    /// Seconds from onset to the first detection, of each detected truth.
    pub delays: Vec<i64>,
    /// Per scenario kind: (truths, detected within the hour).
    pub by_kind: HashMap<ScenarioKind, (usize, usize)>,
    /// Per scenario kind: the minutes to detect, of each detected truth.
    pub kind_delays: HashMap<ScenarioKind, Vec<i64>>,
    /// False warnings per warning kind.
    pub false_by_kind: std::collections::BTreeMap<&'static str, usize>,
    /// Deadline warnings (not scored: facts, not guesses) per kind.
    pub deadline_warnings: std::collections::BTreeMap<&'static str, usize>,
}

impl Score {
    pub fn add(&mut self, places: &Places, run: &Run, naive: bool) {
        let all = if naive { &run.naive } else { &run.ours };
        for w in all.iter().filter(|w| !w.kind.is_anomaly()) {
            *self.deadline_warnings.entry(w.kind.as_str()).or_default() += 1;
        }
        let warnings: Vec<&Warning> = all.iter().filter(|w| w.kind.is_anomaly()).collect();
        for truth in &run.truths {
            self.truths += 1;
            let kind = self.by_kind.entry(truth.kind).or_default();
            kind.0 += 1;
            let first = warnings
                .iter()
                .filter(|w| detects(places, w, truth))
                .map(|w| w.raised_at)
                .min();
            if let Some(at) = first {
                let delay = (at - truth.onset).max(0);
                self.detected += 1;
                self.delays.push(delay);
                self.kind_delays
                    .entry(truth.kind)
                    .or_default()
                    .push(delay / 60);
                if delay <= HOUR {
                    self.within_hour += 1;
                    kind.1 += 1;
                }
            }
        }
        self.warnings += warnings.len();
        for w in warnings
            .iter()
            .filter(|w| !explained(places, w, &run.truths))
        {
            self.false_warnings += 1;
            *self.false_by_kind.entry(w.kind.as_str()).or_default() += 1;
        }
        self.town_days += places.towns().len() as f64 * (run.to - run.from) as f64 / DAY as f64;
    }

    pub fn recall(&self) -> f64 {
        self.detected as f64 / self.truths.max(1) as f64
    }

    pub fn recall_within_hour(&self) -> f64 {
        self.within_hour as f64 / self.truths.max(1) as f64
    }

    pub fn precision(&self) -> f64 {
        (self.warnings - self.false_warnings) as f64 / self.warnings.max(1) as f64
    }

    pub fn false_per_town_day(&self) -> f64 {
        self.false_warnings as f64 / self.town_days.max(1.0)
    }

    /// The `q` quantile of time-to-detect, in minutes.
    pub fn delay_minutes(&self, q: f64) -> Option<f64> {
        let mut d = self.delays.clone();
        if d.is_empty() {
            return None;
        }
        d.sort_unstable();
        let i = ((d.len() - 1) as f64 * q).round() as usize;
        Some(d[i] as f64 / 60.0)
    }
}
