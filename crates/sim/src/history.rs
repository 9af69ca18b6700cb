//! The generator of the city's events: an endless, deterministic stream of
//! revisions in time order, from any start date.
//!
//! The live engine and the history writer share it. Arrivals are drawn per
//! five-minute slot (Poisson, with a daily and weekly rhythm per source); each
//! new case's whole life is planned at once and its steps wait in a heap until
//! their time comes. A step is released only once every slot that could hold an
//! earlier arrival has been drawn, so the output is in time order.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BinaryHeap, HashMap};
use std::sync::Arc;

use gridwall_domain::governance::{Category, RiskColour, Severity, Source};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use time::OffsetDateTime;

use crate::case::{self, Case};
use crate::catalogue::{self, DAILY_RATES};
use crate::city::City;
use crate::names;
use crate::scenarios::Report;
use crate::workforce::Workforce;

const SLOT: i64 = 300;

/// One revision as the generator releases it: step `step` of `case`.
#[derive(Clone, Debug)]
pub struct Revision {
    pub case: Arc<Case>,
    pub step: usize,
}

impl Revision {
    /// Unix seconds of this revision.
    pub fn at(&self) -> i64 {
        self.case.steps[self.step].at
    }

    pub fn revision(&self) -> u32 {
        self.step as u32 + 1
    }
}

/// What an admin asks to be reported now.
#[derive(Clone, Debug)]
pub struct Injection {
    pub grid_id: String,
    pub source: Source,
    pub category: Category,
    pub severity: Severity,
    pub title: String,
    pub description: Option<String>,
}

/// Changes the generator makes to new cases, for the data faults.
#[derive(Clone, Copy, Debug, Default)]
pub struct Mutations {
    /// Share of new cases given an unknown source or category.
    pub unknown_values: f64,
    /// Share of new cases given hostile free text (markup, 8,000 characters, odd Unicode).
    pub hostile_text: f64,
    /// Half of new cases point to their photos without a leading slash.
    pub relative_urls: bool,
}

struct Pending {
    at: i64,
    order: u64,
    case: Arc<Case>,
    step: usize,
}

impl PartialEq for Pending {
    fn eq(&self, other: &Self) -> bool {
        (self.at, self.order) == (other.at, other.order)
    }
}
impl Eq for Pending {}
impl PartialOrd for Pending {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Pending {
    // Reversed: BinaryHeap is a max-heap and the earliest step must come out first.
    fn cmp(&self, other: &Self) -> Ordering {
        (other.at, other.order).cmp(&(self.at, self.order))
    }
}

/// The event generator. See the module documentation.
pub struct Generator {
    rng: ChaCha8Rng,
    city: Arc<City>,
    workforce: Arc<Workforce>,
    /// Cumulative population weights over `city.grids()`, to pick a grid.
    grid_weights: Vec<f64>,
    /// Camera ids by grid id and by town code, for cases raised by video analysis.
    cameras: HashMap<String, Vec<String>>,
    /// Start of the first slot not yet drawn (unix seconds).
    drawn_until: i64,
    heap: BinaryHeap<Pending>,
    order: u64,
    /// Next event number of each day (days since the epoch, in +08:00).
    day_numbers: HashMap<i64, u32>,
    pub mutations: Mutations,
    /// Scenario reports waiting for their slot, by time and order of scheduling.
    scheduled: BTreeMap<(i64, u64), Report>,
    /// The scenarios' own random stream and id numbers, so the background
    /// is the same with or without them (see `crate::scenarios`).
    scenario_rng: ChaCha8Rng,
    scenario_numbers: HashMap<i64, u32>,
    /// Every scenario report made into a case so far, with its id.
    pub injected: Vec<Report>,
}

impl Generator {
    pub fn new(
        city: Arc<City>,
        workforce: Arc<Workforce>,
        seed: u64,
        start: OffsetDateTime,
    ) -> Self {
        let mut total = 0.0;
        let grid_weights = city
            .grids()
            .iter()
            .map(|g| {
                total += f64::from(g.population.unwrap_or(1_000).max(1));
                total
            })
            .collect();
        let start = start.unix_timestamp();
        Generator {
            rng: ChaCha8Rng::seed_from_u64(seed),
            city,
            workforce,
            grid_weights,
            cameras: HashMap::new(),
            drawn_until: start - start.rem_euclid(SLOT),
            heap: BinaryHeap::new(),
            order: 0,
            day_numbers: HashMap::new(),
            mutations: Mutations::default(),
            scheduled: BTreeMap::new(),
            scenario_rng: ChaCha8Rng::seed_from_u64(seed ^ 0x5CE7_A510),
            scenario_numbers: HashMap::new(),
            injected: Vec::new(),
        }
    }

    /// Schedule scenario reports; each becomes a case in its slot (a time
    /// already drawn is taken as the next slot's start). Reports for a grid
    /// not in the city are skipped.
    pub fn schedule_reports(&mut self, reports: impl IntoIterator<Item = Report>) {
        for report in reports {
            let at = report.at.max(self.drawn_until);
            self.schedule_report(Report { at, ..report });
        }
    }

    fn schedule_report(&mut self, report: Report) {
        if self.city.grid_position(&report.grid_id).is_none() {
            return;
        }
        self.order += 1;
        self.scheduled.insert((report.at, self.order), report);
    }

    /// Schedule reports while the simulator runs (`POST /admin/scenarios`):
    /// a report due before `now` is made at `now`, and those that fall in
    /// slots already drawn become cases at once, so they arrive at their
    /// time and not at the next slot's.
    pub fn inject_reports(&mut self, reports: impl IntoIterator<Item = Report>, now: i64) {
        for report in reports {
            let at = report.at.max(now);
            self.schedule_report(Report { at, ..report });
        }
        self.release_scheduled(self.drawn_until);
    }

    /// Make the scheduled reports of `[.., until)` into cases.
    fn release_scheduled(&mut self, until: i64) {
        while let Some(entry) = self.scheduled.first_entry() {
            if entry.key().0 >= until {
                break;
            }
            let mut report = entry.remove();
            let grid = self
                .city
                .grid_position(&report.grid_id)
                .expect("checked when scheduled");
            let local = case::datetime(report.at);
            let day = (report.at + 8 * 3_600).div_euclid(86_400);
            let number = self.scenario_numbers.entry(day).or_insert(90_000);
            *number += 1;
            let id = format!(
                "SJ{:04}{:02}{:02}{:05}",
                local.year(),
                u8::from(local.month()),
                local.day(),
                *number
            );
            std::mem::swap(&mut self.rng, &mut self.scenario_rng);
            let mut case = self.case_with_id(
                id,
                grid,
                report.source.clone(),
                report.category.clone(),
                report.at,
            );
            std::mem::swap(&mut self.rng, &mut self.scenario_rng);
            if let Some(severity) = report.severity {
                case.severity = severity;
            }
            if let Some(address) = &report.address {
                case.description = case.description.replace(&case.address, address);
                case.address = address.clone();
            }
            report.id = case.id.clone();
            self.injected.push(report);
            let case = Arc::new(case);
            self.schedule(&case);
        }
    }

    /// Cameras that video-analysis cases may name, by grid id and by town code.
    pub fn set_cameras(&mut self, cameras: HashMap<String, Vec<String>>) {
        self.cameras = cameras;
    }

    /// The next revision due at or before `until` (unix seconds), if any.
    pub fn next_until(&mut self, until: i64) -> Option<Revision> {
        loop {
            if let Some(top) = self.heap.peek()
                && top.at < self.drawn_until
            {
                if top.at > until {
                    return None;
                }
                let p = self.heap.pop().expect("peeked");
                return Some(Revision {
                    case: p.case,
                    step: p.step,
                });
            }
            if self.drawn_until > until {
                return None;
            }
            self.draw_slot();
        }
    }

    /// Reports a case now (`at`, unix seconds) and returns it; its steps follow
    /// through [`Generator::next_until`] like any other case's.
    pub fn inject(&mut self, injection: Injection, at: i64) -> Arc<Case> {
        let grid = self
            .city
            .grid_position(&injection.grid_id)
            .unwrap_or_default();
        let mut case = self.new_case(grid, injection.source, injection.category, at);
        case.severity = injection.severity;
        case.title = injection.title;
        if let Some(description) = injection.description {
            case.description = description;
        }
        let case = Arc::new(case);
        self.schedule(&case);
        case
    }

    fn schedule(&mut self, case: &Arc<Case>) {
        for step in 0..case.steps.len() {
            self.order += 1;
            self.heap.push(Pending {
                at: case.steps[step].at,
                order: self.order,
                case: Arc::clone(case),
                step,
            });
        }
    }

    fn draw_slot(&mut self) {
        let start = self.drawn_until;
        self.drawn_until += SLOT;
        let local = case::datetime(start);
        let weekday = local.weekday().number_days_from_monday() as usize;
        let hour = local.hour() as usize;
        let mut arrivals: Vec<(i64, Source)> = Vec::new();
        for (source, daily) in &DAILY_RATES {
            let lambda =
                catalogue::hourly_rate(source, *daily, weekday, hour) * SLOT as f64 / 3_600.0;
            for _ in 0..poisson(&mut self.rng, lambda) {
                arrivals.push((start + self.rng.random_range(0..SLOT), source.clone()));
            }
        }
        arrivals.sort_by_key(|(at, _)| *at);
        for (at, source) in arrivals {
            let grid = self.pick_grid();
            let category = self.pick_category(&source, grid);
            let case = self.new_case(grid, source, category, at);
            let case = Arc::new(case);
            self.schedule(&case);
        }
        self.release_scheduled(self.drawn_until);
    }

    fn pick_grid(&mut self) -> usize {
        let total = *self.grid_weights.last().expect("a city has grids");
        let x = self.rng.random::<f64>() * total;
        self.grid_weights
            .partition_point(|&w| w <= x)
            .min(self.grid_weights.len() - 1)
    }

    fn pick_category(&mut self, source: &Source, grid: usize) -> Category {
        let table = match source {
            Source::GridPatrol => {
                catalogue::grid_categories(self.city.grids()[grid].kind.as_deref())
            }
            other => catalogue::source_categories(other),
        };
        Category::new(weighted(&mut self.rng, table))
    }

    fn next_id(&mut self, at: i64) -> String {
        let local = case::datetime(at);
        let day = (at + 8 * 3_600).div_euclid(86_400);
        let number = self.day_numbers.entry(day).or_insert(0);
        *number += 1;
        let n = *number;
        if self.day_numbers.len() > 8 {
            self.day_numbers.retain(|&d, _| d >= day - 3);
        }
        format!(
            "SJ{:04}{:02}{:02}{:05}",
            local.year(),
            u8::from(local.month()),
            local.day(),
            n
        )
    }

    fn new_case(&mut self, grid: usize, source: Source, category: Category, at: i64) -> Case {
        let id = self.next_id(at);
        self.case_with_id(id, grid, source, category, at)
    }

    fn case_with_id(
        &mut self,
        id: String,
        grid: usize,
        source: Source,
        category: Category,
        at: i64,
    ) -> Case {
        let rng = &mut self.rng;
        let grid = &self.city.grids()[grid];
        let profile = catalogue::profile(category.as_str());
        let severity = severity(rng, &source, &category);
        let (steps, due) = case::plan(rng, &source, &category, severity, at);
        let village = names::spoken_village(self.city.name_of(&grid.village_code));
        let town = self.city.name_of(&grid.town_code);
        let road = names::road(rng);
        let address = format!("{town}{village}{road}{}号", rng.random_range(1..400));
        let phrase = names::pick(rng, profile.phrases);
        let title = format!("{village}{}{phrase}", names::place(rng));
        let detail = names::pick(rng, profile.details);
        let description = format!(
            "{}报告：{address}附近{phrase}，{detail}。",
            catalogue::reporter_actor(&source)
        );
        let centroid = self.city.centroid(grid);
        // Six decimals (about 0.1 m), as the platform writes coordinates.
        let round = |x: f64| (x * 1e6).round() / 1e6;
        let location = [
            round(centroid[0] + rng.random_range(-0.003..0.003)),
            round(centroid[1] + rng.random_range(-0.002..0.002)),
        ];
        let micro_grid_id = (!grid.micro_grids.is_empty()).then(|| {
            grid.micro_grids[rng.random_range(0..grid.micro_grids.len())]
                .micro_grid_id
                .clone()
        });
        let reported_by = match source {
            Source::GridPatrol | Source::ProxyService => self
                .workforce
                .reporter(&grid.grid_id, rng)
                .map(|w| w.worker_id.clone()),
            _ => None,
        };
        let camera_id = (source == Source::VideoAi).then(|| {
            let ids = self
                .cameras
                .get(&grid.grid_id)
                .or_else(|| self.cameras.get(&grid.town_code))
                .filter(|ids| !ids.is_empty());
            match ids {
                Some(ids) => ids[rng.random_range(0..ids.len())].clone(),
                None => format!("{}C01", grid.grid_id),
            }
        });
        let risk_colour = (source.is_four_sources() || category.family() == "safety").then(|| {
            match severity.get() {
                1 => RiskColour::Blue,
                2 => RiskColour::Yellow,
                _ => RiskColour::Red,
            }
        });
        let mass_incident = rng.random_bool(match (&source, category.as_str()) {
            (_, Category::PUBLIC_ORDER_GATHERING) => 0.6,
            (Source::Petition, _) => 0.2,
            (_, Category::DISPUTE_LABOUR) => 0.1,
            _ => 0.005,
        });
        let photos = match source {
            Source::GridPatrol | Source::VideoAi => rng.random_range(1..=3),
            _ => 0,
        };
        let mut case = Case {
            id,
            source,
            category,
            severity,
            grid_id: grid.grid_id.clone(),
            micro_grid_id,
            location: Some(location),
            address,
            title,
            description,
            reported_by,
            reported_at: at,
            due_at: Some(due),
            risk_colour,
            mass_incident,
            photos,
            relative_photos: false,
            camera_id,
            steps,
        };
        self.mutate(&mut case);
        case
    }

    fn mutate(&mut self, case: &mut Case) {
        let m = self.mutations;
        if m.unknown_values > 0.0 && self.rng.random_bool(m.unknown_values.min(1.0)) {
            if self.rng.random_bool(0.5) {
                case.source = Source::Other("drone_patrol".into());
            } else {
                case.category = Category::new("traffic.e_bike_helmet");
            }
        }
        if m.hostile_text > 0.0 && self.rng.random_bool(m.hostile_text.min(1.0)) {
            // One free-text field of the three, with one class of text.
            let texts = crate::hostile::HOSTILE_TEXTS;
            let n = self.rng.random_range(0..texts.len() + 1);
            let field = match self.rng.random_range(0..3) {
                0 => &mut case.title,
                1 => &mut case.address,
                _ => &mut case.description,
            };
            match texts.get(n) {
                // The contract allows empty free text; the wall must too.
                Some(&"") => field.clear(),
                Some(text) => *field = format!("{text}{field}"),
                None => *field = long_text(field),
            }
        }
        if m.relative_urls && self.rng.random_bool(0.5) {
            case.relative_photos = true;
        }
    }
}

/// A description of exactly 8,000 characters, the contract's longest.
pub fn long_text(start: &str) -> String {
    let mut text: String = start.chars().take(100).collect();
    let filler = "长文本测试。";
    while text.chars().count() < 8_000 {
        text.push_str(filler);
    }
    text.chars().take(8_000).collect()
}

fn severity<R: Rng + ?Sized>(rng: &mut R, source: &Source, category: &Category) -> Severity {
    let weights: [u32; 4] = if category.family() == "safety"
        || category.as_str() == Category::PUBLIC_ORDER_GATHERING
        || matches!(source, Source::Petition | Source::Risk)
    {
        [600, 280, 100, 20]
    } else {
        [860, 100, 35, 5]
    };
    let total: u32 = weights.iter().sum();
    let mut x = rng.random_range(0..total);
    for (i, w) in weights.iter().enumerate() {
        if x < *w {
            return Severity::new(i as u8 + 1).expect("1..=4");
        }
        x -= w;
    }
    Severity::ORDINARY
}

fn weighted<R: Rng + ?Sized>(rng: &mut R, table: &'static [(&'static str, u32)]) -> &'static str {
    let total: u32 = table.iter().map(|(_, w)| w).sum();
    let mut x = rng.random_range(0..total);
    for (code, w) in table {
        if x < *w {
            return code;
        }
        x -= w;
    }
    table[0].0
}

/// A Poisson draw: exact for small means, a rounded normal for large ones.
fn poisson<R: Rng + ?Sized>(rng: &mut R, lambda: f64) -> u32 {
    if lambda <= 0.0 {
        return 0;
    }
    if lambda < 30.0 {
        let limit = (-lambda).exp();
        let mut k = 0;
        let mut p: f64 = rng.random();
        while p > limit {
            k += 1;
            p *= rng.random::<f64>();
        }
        k
    } else {
        let u1: f64 = rng.random::<f64>().max(f64::MIN_POSITIVE);
        let u2: f64 = rng.random();
        let z = (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos();
        (lambda + lambda.sqrt() * z).round().max(0.0) as u32
    }
}

/// Every revision from `start` to `end`, numbered with seqs from 1, as an
/// iterator: the fast path for benchmarks and for the figures tests.
pub struct History {
    generator: Generator,
    end: i64,
    seq: u64,
}

impl History {
    pub fn new(generator: Generator, end: OffsetDateTime) -> History {
        History {
            generator,
            end: end.unix_timestamp(),
            seq: 0,
        }
    }

    /// The scenario reports made into events so far, with their ids.
    pub fn injected(&self) -> &[Report] {
        &self.generator.injected
    }
}

impl Iterator for History {
    /// The seq and the revision.
    type Item = (u64, Revision);

    fn next(&mut self) -> Option<Self::Item> {
        let revision = self.generator.next_until(self.end)?;
        self.seq += 1;
        Some((self.seq, revision))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day_of(seed: u64) -> Vec<(String, u32, i64)> {
        let city = std::sync::Arc::new(City::fixture().unwrap());
        let start = time::macros::datetime!(2026-03-01 00:00 +8);
        let workforce = std::sync::Arc::new(Workforce::generate(&city, seed, start));
        let generator = Generator::new(city, workforce, seed, start);
        History::new(generator, start + time::Duration::days(1))
            .map(|(_, r)| (r.case.id.clone(), r.revision(), r.at()))
            .collect()
    }

    #[test]
    fn the_same_seed_gives_the_same_history_and_another_seed_does_not() {
        let a = day_of(3);
        assert_eq!(a, day_of(3));
        assert_ne!(a, day_of(4));
        assert!(
            a.windows(2).all(|w| w[0].2 <= w[1].2),
            "revisions come in time order"
        );
    }
}
