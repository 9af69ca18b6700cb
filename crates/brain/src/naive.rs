//! The naive detector the benchmark measures ours against: a fixed
//! threshold on counts, as a spreadsheet rule would be written ("warn when a
//! grid has 3 events in an hour, a town 15"), with no baseline, no season
//! and no notion of source. It shares [`Episodes`], so its warnings are
//! counted the same way as ours.

use gridwall_domain::governance::Event;

use crate::places::Places;
use crate::rate::{Recent, Seen};
use crate::warning::{Episodes, Explanation, Kind, Level, Warning};

/// Counts in one hour that raise a warning, per level of place.
#[derive(Clone, Copy, Debug)]
pub struct NaiveThresholds {
    pub grid: usize,
    pub village: usize,
    pub town: usize,
}

impl Default for NaiveThresholds {
    /// Set so a grid's, a village's and a town's ordinary busiest hour stay
    /// under the line: about four times their mean hourly count at noon.
    fn default() -> Self {
        NaiveThresholds {
            grid: 3,
            village: 8,
            town: 25,
        }
    }
}

/// See the module docs.
pub struct Naive {
    places: Places,
    thresholds: NaiveThresholds,
    recent: Recent,
    episodes: Episodes,
}

impl Naive {
    pub fn new(places: Places, thresholds: NaiveThresholds) -> Naive {
        Naive {
            places,
            thresholds,
            recent: Recent::default(),
            episodes: Episodes::default(),
        }
    }

    /// A newly reported event at `now`; revisions after the first are the
    /// caller's to skip.
    pub fn observe(&mut self, event: &Event, now: i64) -> Vec<Warning> {
        let Some(chain) = self.places.chain(&event.grid_id) else {
            return Vec::new();
        };
        let seen = Seen {
            at: event.reported_at.unix_timestamp(),
            id: event.id.clone(),
            source: event.source.as_str().to_owned(),
        };
        let limits = [
            self.thresholds.grid,
            self.thresholds.village,
            self.thresholds.town,
        ];
        let mut out = Vec::new();
        for (place, limit) in chain.iter().zip(limits) {
            self.recent.push(place, "all", seen.clone());
            let within = self.recent.within(place, "all", now, 3_600);
            if within.len() >= limit {
                let onset = within.first().map_or(now, |s| s.at);
                let n = within.len();
                let explanation = Explanation {
                    zh: format!("近1小时{n}起，超过固定阈值{limit}起。"),
                    en: format!(
                        "{n} events in the last hour, over the fixed threshold of {limit}."
                    ),
                    baseline: limit as f64,
                    observed: n as f64,
                    ratio: n as f64 / limit as f64,
                    p_value: None,
                    window_minutes: 60,
                    sources: vec![],
                    event_ids: within.iter().map(|s| s.id.clone()).collect(),
                    grids: vec![],
                };
                out.push(self.episodes.hit(
                    format!("naive|{}|{}", place.level.as_str(), place.code),
                    Kind::Rate,
                    Level::Yellow,
                    place.clone(),
                    onset,
                    now,
                    explanation,
                ));
            }
        }
        self.recent.prune(now);
        out
    }
}
