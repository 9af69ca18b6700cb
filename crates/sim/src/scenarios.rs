//! Scenarios: known incidents injected into the normal background, with
//! their ground truth, so the wall's early warnings (issue 13) can be
//! measured rather than assumed.
//!
//! - [`ScenarioKind::Hotspot`]: disputes building over four hours in one
//!   grid (3, 4, 6 and 8 an hour).
//! - [`ScenarioKind::Repeat`]: a family dispute reported three times at one
//!   address over two to four days, written a little differently each time
//!   (full-width digits, "附近"); the onset is the second report, the first
//!   moment a repeat exists.
//! - [`ScenarioKind::Cluster`]: a labour dispute and gatherings across four
//!   neighbouring grids of one town (the seed grid and the three whose
//!   centres are nearest), two or three an hour in each for three hours.
//! - [`ScenarioKind::Surge`]: 110 hand-overs (source 警) in one town, six an
//!   hour for three hours, in grids across the town.
//!
//! A scenario is planned from its own seed, kind and onset alone, so the
//! same seed gives the same incident; its events are made by the generator
//! like any other (the contract's states, deadlines, texts) with a random
//! stream and id numbers of their own (from 90001 a day), so the background
//! around them is the same with or without scenarios.

use std::str::FromStr;

use gridwall_domain::governance::{Category, Severity, Source};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::city::{City, distance_m};
use crate::names;

/// What kind of incident a scenario injects.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScenarioKind {
    Hotspot,
    Repeat,
    Cluster,
    Surge,
}

impl ScenarioKind {
    pub const ALL: [ScenarioKind; 4] = [
        ScenarioKind::Hotspot,
        ScenarioKind::Repeat,
        ScenarioKind::Cluster,
        ScenarioKind::Surge,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ScenarioKind::Hotspot => "hotspot",
            ScenarioKind::Repeat => "repeat",
            ScenarioKind::Cluster => "cluster",
            ScenarioKind::Surge => "surge",
        }
    }
}

impl FromStr for ScenarioKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ScenarioKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| format!("unknown scenario {s:?}: use hotspot, repeat, cluster or surge"))
    }
}

/// What a scenario injected, where and when: what a detector should find.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroundTruth {
    /// `kind@onset`: names the scenario and its reports.
    pub id: String,
    pub kind: ScenarioKind,
    /// Unix seconds: from when the incident can be told apart.
    pub onset: i64,
    /// Unix seconds: the last injected report.
    pub end: i64,
    /// `grid` or `town`: the level the incident is at.
    pub place_level: String,
    /// The grid id or town code.
    pub place: String,
    pub town: String,
    /// Every grid that got an injected report.
    pub grids: Vec<String>,
    /// The repeat's address as first written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// The ids of the injected events, in report order.
    pub event_ids: Vec<String>,
}

/// One injected report, as the generator turns it into a case.
#[derive(Clone, Debug)]
pub struct Report {
    /// Unix seconds.
    pub at: i64,
    pub grid_id: String,
    pub source: Source,
    pub category: Category,
    pub severity: Option<Severity>,
    pub address: Option<String>,
    /// The scenario it belongs to ([`GroundTruth::id`]).
    pub scenario: String,
    /// Filled in by the generator: the id given to the event.
    pub id: String,
}

/// A planned scenario: its truth and its reports (ids still empty).
#[derive(Clone, Debug)]
pub struct Scenario {
    pub truth: GroundTruth,
    pub reports: Vec<Report>,
}

const HOUR: i64 = 3_600;

fn report(at: i64, grid_id: &str, source: Source, category: &str) -> Report {
    Report {
        scenario: String::new(),
        at,
        grid_id: grid_id.to_owned(),
        source,
        category: Category::new(category),
        severity: None,
        address: None,
        id: String::new(),
    }
}

/// `per_hour[h]` reports at random times in hour `h` after `onset`.
fn times<R: Rng>(rng: &mut R, onset: i64, per_hour: &[u32]) -> Vec<i64> {
    let mut out: Vec<i64> = per_hour
        .iter()
        .enumerate()
        .flat_map(|(h, &n)| (0..n).map(move |_| h as i64))
        .map(|h| onset + h * HOUR + rng.random_range(0..HOUR))
        .collect();
    out.sort_unstable();
    out
}

/// Plans a scenario of `kind` starting at `onset` (unix seconds) in `city`.
pub fn plan(city: &City, kind: ScenarioKind, seed: u64, onset: i64) -> Scenario {
    let mut rng = ChaCha8Rng::seed_from_u64(
        seed ^ 0x5CE7_A510 ^ (kind as u64).wrapping_mul(0x9E37_79B9) ^ onset as u64,
    );
    let grids = city.grids();
    let grid = &grids[rng.random_range(0..grids.len())];
    let town = grid.town_code.clone();
    let mut address = None;
    let (place_level, place, reports) = match kind {
        ScenarioKind::Hotspot => {
            let sources = [Source::GridPatrol, Source::Hotline12345, Source::Police110];
            let categories = [Category::DISPUTE_NEIGHBOUR, Category::DISPUTE_PROPERTY];
            let reports = times(&mut rng, onset, &[3, 4, 6, 8])
                .into_iter()
                .map(|at| {
                    let source = sources[rng.random_range(0..sources.len())].clone();
                    let category = categories[rng.random_range(0..categories.len())];
                    report(at, &grid.grid_id, source, category)
                })
                .collect();
            ("grid", grid.grid_id.clone(), reports)
        }
        ScenarioKind::Repeat => {
            let village = names::spoken_village(city.name_of(&grid.village_code));
            let road = names::road(&mut rng);
            let number: u32 = rng.random_range(1..400);
            let town_name = city.name_of(&town);
            let plain = format!("{town_name}{village}{road}{number}号");
            let full_width: String = number
                .to_string()
                .chars()
                .map(|c| char::from_u32(c as u32 + 0xFEE0).unwrap_or(c))
                .collect();
            let written = [
                plain.clone(),
                format!("{town_name} {village}{road}{full_width}号"),
                format!("{plain}附近"),
            ];
            let first = onset - rng.random_range(12 * HOUR..48 * HOUR);
            let third = onset + rng.random_range(6 * HOUR..24 * HOUR);
            let sources = [Source::GridPatrol, Source::Police110, Source::Hotline12345];
            let reports = [first, onset, third]
                .into_iter()
                .zip(written)
                .zip(sources)
                .map(|((at, written), source)| Report {
                    address: Some(written),
                    severity: Severity::new(2),
                    ..report(at, &grid.grid_id, source, Category::DISPUTE_FAMILY)
                })
                .collect();
            address = Some(plain);
            ("grid", grid.grid_id.clone(), reports)
        }
        ScenarioKind::Cluster => {
            let centre = city.centroid(grid);
            let mut near: Vec<(f64, &str)> = grids
                .iter()
                .filter(|g| g.town_code == town && g.grid_id != grid.grid_id)
                .map(|g| (distance_m(centre, city.centroid(g)), g.grid_id.as_str()))
                .collect();
            near.sort_by(|a, b| a.0.total_cmp(&b.0));
            let members: Vec<&str> = std::iter::once(grid.grid_id.as_str())
                .chain(near.iter().take(3).map(|(_, id)| *id))
                .collect();
            let categories = [Category::DISPUTE_LABOUR, Category::PUBLIC_ORDER_GATHERING];
            let sources = [Source::GridPatrol, Source::Police110, Source::VideoAi];
            let mut reports = Vec::new();
            for member in &members {
                let per_hour = [2, 2, rng.random_range(2..=3)];
                for at in times(&mut rng, onset, &per_hour) {
                    let source = sources[rng.random_range(0..sources.len())].clone();
                    let category = categories[rng.random_range(0..categories.len())];
                    reports.push(report(at, member, source, category));
                }
            }
            reports.sort_by_key(|r| r.at);
            ("town", town.clone(), reports)
        }
        ScenarioKind::Surge => {
            let in_town: Vec<&str> = grids
                .iter()
                .filter(|g| g.town_code == town)
                .map(|g| g.grid_id.as_str())
                .collect();
            let categories = [
                Category::DISPUTE_NEIGHBOUR,
                Category::DISPUTE_FAMILY,
                Category::DISPUTE_LABOUR,
            ];
            let reports = times(&mut rng, onset, &[6, 6, 6])
                .into_iter()
                .map(|at| {
                    let grid = in_town[rng.random_range(0..in_town.len())];
                    let category = categories[rng.random_range(0..categories.len())];
                    report(at, grid, Source::Police110, category)
                })
                .collect();
            ("town", town.clone(), reports)
        }
    };
    let mut grids_hit: Vec<String> = reports.iter().map(|r: &Report| r.grid_id.clone()).collect();
    grids_hit.sort();
    grids_hit.dedup();
    let end = reports.iter().map(|r| r.at).max().unwrap_or(onset);
    let id = format!("{}@{onset}", kind.as_str());
    let reports = reports
        .into_iter()
        .map(|r| Report {
            scenario: id.clone(),
            ..r
        })
        .collect();
    Scenario {
        truth: GroundTruth {
            id,
            kind,
            onset,
            end,
            place_level: place_level.to_owned(),
            place,
            town,
            grids: grids_hit,
            address,
            event_ids: Vec::new(),
        },
        reports,
    }
}

/// The truths of `scenarios` with the ids the generator gave their events.
pub fn with_event_ids(scenarios: &[GroundTruth], injected: &[Report]) -> Vec<GroundTruth> {
    scenarios
        .iter()
        .map(|t| GroundTruth {
            event_ids: injected
                .iter()
                .filter(|r| r.scenario == t.id)
                .map(|r| r.id.clone())
                .collect(),
            ..t.clone()
        })
        .collect()
}

/// Plans one scenario of each of `kinds`, the first at `first_onset` and
/// each next `spacing` seconds later.
pub fn plan_all(
    city: &City,
    kinds: &[ScenarioKind],
    seed: u64,
    first_onset: i64,
    spacing: i64,
) -> Vec<Scenario> {
    kinds
        .iter()
        .enumerate()
        .map(|(i, &kind)| plan(city, kind, seed, first_onset + i as i64 * spacing))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scenario_is_the_same_for_the_same_seed_and_in_its_place() {
        let city = City::fixture().unwrap();
        for kind in ScenarioKind::ALL {
            let a = plan(&city, kind, 7, 1_780_000_000);
            let b = plan(&city, kind, 7, 1_780_000_000);
            assert_eq!(a.truth, b.truth);
            assert_eq!(a.reports.len(), b.reports.len());
            assert!(!a.reports.is_empty());
            assert!(
                a.reports.windows(2).all(|w| w[0].at <= w[1].at),
                "in time order"
            );
            for r in &a.reports {
                let grid = city.grid(&r.grid_id).expect("a grid of the city");
                assert_eq!(grid.town_code, a.truth.town, "{kind:?} stays in its town");
            }
            assert!(a.truth.onset <= a.truth.end);
        }
        let other = plan(&city, ScenarioKind::Hotspot, 8, 1_780_000_000);
        assert_ne!(
            other.reports.iter().map(|r| r.at).collect::<Vec<_>>(),
            plan(&city, ScenarioKind::Hotspot, 7, 1_780_000_000)
                .reports
                .iter()
                .map(|r| r.at)
                .collect::<Vec<_>>()
        );
    }

    #[test]
    fn the_background_is_the_same_with_or_without_scenarios() {
        use crate::history::{Generator, History};
        use crate::workforce::Workforce;
        use std::sync::Arc;

        let city = Arc::new(City::fixture().unwrap());
        let start = time::macros::datetime!(2026-03-01 00:00 +8);
        let workforce = Arc::new(Workforce::generate(&city, 3, start));
        let run = |scenarios: &[Scenario]| {
            let mut g = Generator::new(Arc::clone(&city), Arc::clone(&workforce), 3, start);
            g.schedule_reports(scenarios.iter().flat_map(|s| s.reports.iter().cloned()));
            let mut history = History::new(g, start + time::Duration::days(3));
            let all: Vec<(String, u32, i64)> = history
                .by_ref()
                .map(|(_, r)| (r.case.id.clone(), r.revision(), r.at()))
                .collect();
            (all, history.injected().to_vec())
        };
        let (plain, none) = run(&[]);
        assert!(none.is_empty());
        let planned = plan_all(
            &city,
            &ScenarioKind::ALL,
            3,
            start.unix_timestamp() + 86_400,
            6 * HOUR,
        );
        let (with, injected) = run(&planned);
        let injected_ids: Vec<&str> = injected.iter().map(|r| r.id.as_str()).collect();
        let background: Vec<_> = with
            .iter()
            .filter(|(id, _, _)| !injected_ids.contains(&id.as_str()))
            .cloned()
            .collect();
        assert_eq!(background, plain, "the background is untouched");
        let reports: usize = planned.iter().map(|p| p.reports.len()).sum();
        assert_eq!(injected.len(), reports, "every report became an event");
        let truths = with_event_ids(
            &planned.iter().map(|p| p.truth.clone()).collect::<Vec<_>>(),
            &injected,
        );
        assert!(truths.iter().all(|t| !t.event_ids.is_empty()));
    }

    #[test]
    fn kinds_parse_from_their_names() {
        for kind in ScenarioKind::ALL {
            assert_eq!(kind.as_str().parse::<ScenarioKind>(), Ok(kind));
        }
        assert!("typhoon".parse::<ScenarioKind>().is_err());
    }
}
