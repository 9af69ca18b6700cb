//! [`Brain`]: every detector behind one door. Events go in as they arrive
//! ([`Brain::observe`]), the clock goes in as it runs ([`Brain::tick`]), and
//! warnings come out, each new or updated one once per call.
//!
//! The brain holds only what the detectors need: the baseline's counters,
//! the last three hours of events per place and series, the disputes of the
//! repeat window per address, the open incidents with a deadline, and the
//! ids seen recently (so a later revision of an event is not counted twice).
//! Nothing here reads the system clock: time is what the caller says.
//!
//! Rates and repeats are here; clusters in `cluster`, the deadline warnings
//! in `deadlines`.

mod cluster;
mod deadlines;

use std::collections::HashMap;

use gridwall_domain::governance::{Category, Event, EventState, Source};

use crate::baseline::Baseline;
use crate::places::Places;
use crate::rate::{self, Recent, Seen, Test};
use crate::repeats::{self, Addresses, Visit};
use crate::sensitivity::Sensitivity;
use crate::timeliness::{Deadlines, OpenIncident};
use crate::warning::{Episodes, Explanation, Kind, Level, MAX_EVENT_IDS, Place, Warning};

/// How long an id is remembered as already counted.
const SEEN_FOR: i64 = 35 * 24 * 3_600;
const DAY: i64 = 24 * 3_600;

/// Why an event was left out of the detectors (it still reaches the wall).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Ignored {
    /// Its grid is not in the reference data.
    pub unknown_grid: u64,
    /// Reported more than a day after the brain's clock.
    pub from_the_future: u64,
}

/// An event the store already holds, as the brain takes it back after a
/// restart (see [`Brain::remember`]).
#[derive(Clone, Debug)]
pub struct Remembered {
    pub id: String,
    pub grid_id: String,
    pub category: Category,
    pub severity: u8,
    pub address: String,
    pub reported_at: i64,
    pub open: bool,
    pub due_at: Option<i64>,
}

/// The series an event belongs to: all events, its source, and its family
/// of categories where that family is watched on its own (disputes).
pub fn series_of(source: &Source, category: &Category) -> Vec<String> {
    let mut out = vec!["all".to_owned(), format!("src:{}", source.as_str())];
    if category.family() == "dispute" {
        out.push("fam:dispute".to_owned());
    }
    out
}

/// A series in words, Chinese and English.
pub fn series_words(series: &str) -> (String, String) {
    match series.split_once(':') {
        Some(("src", s)) => {
            let source = gridwall_domain::governance::Source::parse(s);
            (format!("{}事件", source.label_zh()), format!("{s} events"))
        }
        Some(("fam", "dispute")) => ("矛盾纠纷".to_owned(), "disputes".to_owned()),
        _ => ("事件".to_owned(), "events".to_owned()),
    }
}

/// The detectors and their state. See the module docs.
pub struct Brain {
    places: Places,
    pub sensitivity: Sensitivity,
    baseline: Baseline,
    /// Events reported before this are history the baseline already holds.
    counted_from: i64,
    recent: Recent,
    addresses: Addresses,
    deadlines: Deadlines,
    episodes: Episodes,
    seen: HashMap<String, i64>,
    now: i64,
    /// Per town, the (overdue, due soon) counts last published, so an
    /// unchanged timeliness warning is not sent again every tick.
    last_pressing: HashMap<String, (usize, usize)>,
    pub ignored: Ignored,
}

impl Brain {
    /// A brain over `places`, resuming from `baseline` (empty on a new
    /// installation; see `crate::persist`).
    pub fn new(places: Places, sensitivity: Sensitivity, baseline: Baseline) -> Brain {
        let counted_from = baseline.observed_until().unwrap_or(i64::MIN);
        Brain {
            places,
            sensitivity,
            baseline,
            counted_from,
            recent: Recent::default(),
            addresses: Addresses::default(),
            deadlines: Deadlines::default(),
            episodes: Episodes::default(),
            seen: HashMap::new(),
            now: i64::MIN,
            last_pressing: HashMap::new(),
            ignored: Ignored::default(),
        }
    }

    pub fn places(&self) -> &Places {
        &self.places
    }

    pub fn baseline(&self) -> &Baseline {
        &self.baseline
    }

    pub fn baseline_mut(&mut self) -> &mut Baseline {
        &mut self.baseline
    }

    /// Start learning the stored history from `from` (unix seconds): the
    /// hours before it are not counted as observed.
    pub fn begin_learning(&mut self, from: i64) {
        if self.baseline.is_empty() {
            self.baseline.advance(from);
        }
    }

    /// Count an event of the stored history, reported at `t`, into the
    /// baseline only: how a new installation learns its city
    /// (`crate::persist::learn_history`).
    pub fn learn(&mut self, grid_id: &str, source: &Source, category: &Category, t: i64) {
        let Some(chain) = self.places.chain(grid_id) else {
            self.ignored.unknown_grid += 1;
            return;
        };
        for series in series_of(source, category) {
            for (i, place) in chain.iter().enumerate() {
                self.baseline.count(place, &series, t, i == 0);
            }
        }
    }

    /// Take back, after a restart, what the brain keeps in memory of an
    /// event the store holds, as of `now`: the event as already counted, a
    /// dispute within the repeat window at its address, an open deadline.
    /// Nothing is counted again and nothing warns; a deadline already past
    /// is not counted as missed a second time.
    pub fn remember(&mut self, r: &Remembered, now: i64) {
        let Some(info) = self.places.grid(&r.grid_id) else {
            self.ignored.unknown_grid += 1;
            return;
        };
        let town = info.town.clone();
        if r.reported_at > now - SEEN_FOR {
            self.seen.insert(r.id.clone(), r.reported_at);
        }
        let window = i64::from(self.sensitivity.repeat_window_days) * DAY;
        if r.category.family() == "dispute"
            && r.reported_at >= now - window
            && let Some(key) = repeats::normalise(&r.address)
        {
            let visit = Visit {
                at: r.reported_at,
                id: r.id.clone(),
                category: r.category.as_str().to_owned(),
                grid_id: r.grid_id.clone(),
            };
            self.addresses.record(key, visit, window);
        }
        if let (true, Some(due)) = (r.open, r.due_at) {
            self.deadlines.open.insert(
                r.id.clone(),
                OpenIncident {
                    town,
                    grid_id: r.grid_id.clone(),
                    severity: r.severity,
                    due_at: due,
                    miss_counted: due < now,
                },
            );
        }
    }

    /// The history is learnt up to `to`: those hours are observed, and a
    /// live event reported before `to` is not counted again.
    pub fn finish_learning(&mut self, to: i64) {
        self.baseline.advance(to);
        self.counted_from = self.counted_from.max(to);
    }

    /// One revision as it arrives, at `now` (unix seconds). Returns the
    /// warnings it raised or updated.
    pub fn observe(&mut self, event: &Event, now: i64) -> Vec<Warning> {
        self.now = self.now.max(now);
        let Some(chain) = self.places.chain(&event.grid_id) else {
            self.ignored.unknown_grid += 1;
            return Vec::new();
        };
        let reported = event.reported_at.unix_timestamp();
        if reported > self.now + DAY {
            self.ignored.from_the_future += 1;
            return Vec::new();
        }
        self.track_deadline(event, &chain[2].code);
        let first_time = !self.seen.contains_key(&event.id);
        if !first_time || reported <= self.now - SEEN_FOR {
            return Vec::new();
        }
        self.seen.insert(event.id.clone(), reported);
        let series = series_of(&event.source, &event.category);
        if reported >= self.counted_from {
            for s in &series {
                for (i, place) in chain.iter().enumerate() {
                    self.baseline.count(place, s, reported, i == 0);
                }
            }
        }
        if reported <= self.now - rate::LONGEST {
            return Vec::new();
        }
        let seen = Seen {
            at: reported,
            id: event.id.clone(),
            source: event.source.as_str().to_owned(),
        };
        for s in &series {
            for place in &chain {
                self.recent.push(place, s, seen.clone());
            }
        }
        let mut out = self.rates(&chain, &series);
        out.extend(self.cluster(&event.grid_id, &chain[2].code, &series));
        out.extend(self.repeat(event, &chain[0]));
        out
    }

    /// The clock at `now`: hours observed, deadlines passed, timeliness and
    /// closure warnings, and forgetting what no detector needs any more.
    pub fn tick(&mut self, now: i64) -> Vec<Warning> {
        self.now = self.now.max(now);
        let now = self.now;
        self.baseline.advance(now);
        let missed = self.deadlines.sweep(now);
        let mut touched: Vec<String> = Vec::new();
        for (town, _) in missed {
            self.baseline.count_deadline(&town, false);
            touched.push(town);
        }
        touched.dedup();
        let mut out: Vec<Warning> = touched
            .iter()
            .filter_map(|town| self.closure(town))
            .collect();
        out.extend(self.overdue());
        self.recent.prune(now);
        let window = i64::from(self.sensitivity.repeat_window_days) * DAY;
        self.addresses.prune(now, window);
        self.seen.retain(|_, &mut at| at > now - SEEN_FOR);
        self.episodes.expire(now);
        out
    }

    fn track_deadline(&mut self, event: &Event, town: &str) {
        let finished = matches!(
            event.state,
            EventState::Resolved | EventState::Closed | EventState::Cancelled
        );
        if finished {
            if let Some(inc) = self.deadlines.open.remove(&event.id)
                && !inc.miss_counted
                && event.state != EventState::Cancelled
            {
                let met = event.updated_at.unix_timestamp() <= inc.due_at;
                self.baseline.count_deadline(town, met);
                self.deadlines
                    .reached(town, event.updated_at.unix_timestamp(), met);
            }
            return;
        }
        let Some(due) = event.due_at else {
            return;
        };
        let due = due.unix_timestamp();
        let entry = self
            .deadlines
            .open
            .entry(event.id.clone())
            .or_insert_with(|| OpenIncident {
                town: town.to_owned(),
                grid_id: event.grid_id.clone(),
                severity: event.severity.get(),
                due_at: due,
                miss_counted: false,
            });
        entry.severity = event.severity.get();
        if entry.due_at != due {
            entry.due_at = due;
            entry.miss_counted = false;
        }
    }

    fn rates(&mut self, chain: &[Place; 3], series: &[String]) -> Vec<Warning> {
        let s = self.sensitivity;
        let mut hits: Vec<(String, Place, String, Test)> = Vec::new();
        for place in chain {
            for series in series {
                let Some(t) = rate::test(&self.baseline, &self.recent, place, series, self.now)
                else {
                    continue;
                };
                if t.p < s.alpha && t.observed >= s.min_count {
                    let key = format!("rate|{}|{}|{series}", place.level.as_str(), place.code);
                    hits.push((key, place.clone(), series.clone(), t));
                }
            }
        }
        // One anomaly, one warning: update the episodes already open among
        // the hits; if none is, open one for the most surprising hit (the
        // finest place on a tie), not one per place and series.
        let open: Vec<usize> = (0..hits.len())
            .filter(|&i| self.episodes.is_open(&hits[i].0, self.now))
            .collect();
        let chosen = if open.is_empty() {
            hits.iter()
                .enumerate()
                .min_by(|a, b| {
                    a.1.3
                        .p
                        .total_cmp(&b.1.3.p)
                        .then(a.1.1.level.cmp(&b.1.1.level))
                })
                .map(|(i, _)| vec![i])
                .unwrap_or_default()
        } else {
            open
        };
        chosen
            .into_iter()
            .map(|i| {
                let (key, place, series, t) = hits[i].clone();
                let (zh, en) = series_words(&series);
                let explanation = rate::explain(&t, self.places.name(&place.code), &zh, &en);
                let level = p_level(t.p, s.alpha);
                self.episodes.hit(
                    key,
                    Kind::Rate,
                    level,
                    place,
                    t.onset,
                    self.now,
                    explanation,
                )
            })
            .collect()
    }

    fn repeat(&mut self, event: &Event, grid: &Place) -> Option<Warning> {
        if event.category.family() != "dispute" {
            return None;
        }
        let key = repeats::normalise(&event.address)?;
        let window = i64::from(self.sensitivity.repeat_window_days) * DAY;
        let visit = Visit {
            at: event.reported_at.unix_timestamp(),
            id: event.id.clone(),
            category: event.category.as_str().to_owned(),
            grid_id: event.grid_id.clone(),
        };
        let visits = self.addresses.record(key.clone(), visit, window);
        if visits.len() < 2 {
            return None;
        }
        let n = visits.len();
        let days = f64::from(self.sensitivity.repeat_window_days);
        let level = match (n, event.severity.get()) {
            (_, 3..) => Level::Red,
            (3.., _) => Level::Orange,
            _ => Level::Yellow,
        };
        let first = visits[0].at;
        let (span_zh, span_en) = span_words(visits[n - 1].at - first);
        let address = event.address.trim();
        let explanation = Explanation {
            zh: format!(
                "同一地址（{address}）{days:.0}天内第{n}次发生纠纷，距首次{span_zh}，有民转刑风险；首次：{}。",
                visits[0].id
            ),
            en: format!(
                "Dispute no. {n} at the same address ({address}) within {days:.0} days, \
                 {span_en} after the first: a risk of a civil matter turning criminal; first: {}.",
                visits[0].id
            ),
            baseline: 1.0,
            observed: n as f64,
            ratio: n as f64,
            p_value: None,
            window_minutes: (self.sensitivity.repeat_window_days * 24 * 60),
            sources: vec![(event.source.as_str().to_owned(), n as u32)],
            event_ids: visits
                .iter()
                .take(MAX_EVENT_IDS)
                .map(|v| v.id.clone())
                .collect(),
            grids: vec![grid.code.clone()],
        };
        Some(self.episodes.hit(
            format!("repeat|{key}"),
            Kind::Repeat,
            level,
            grid.clone(),
            first,
            self.now,
            explanation,
        ))
    }
}

/// The colour of a tail probability `p` against the threshold `alpha`:
/// each further factor of a thousand is one colour up.
pub fn p_level(p: f64, alpha: f64) -> Level {
    if p < alpha * 1e-9 {
        Level::Red
    } else if p < alpha * 1e-6 {
        Level::Orange
    } else if p < alpha * 1e-3 {
        Level::Yellow
    } else {
        Level::Blue
    }
}

/// How long after the first a repeat came, in the unit a reader expects:
/// minutes under an hour, hours under a day, days (one decimal) beyond.
fn span_words(seconds: i64) -> (String, String) {
    let seconds = seconds.max(0);
    if seconds < 3_600 {
        let minutes = (seconds / 60).max(1);
        (format!("{minutes}分钟"), format!("{minutes} min"))
    } else if seconds < DAY {
        let hours = seconds as f64 / 3_600.0;
        (format!("{hours:.1}小时"), format!("{hours:.1} h"))
    } else {
        let days = seconds as f64 / DAY as f64;
        (format!("{days:.1}天"), format!("{days:.1} days"))
    }
}

#[cfg(test)]
mod tests {
    use super::span_words;

    #[test]
    fn a_repeat_span_reads_in_minutes_hours_or_days() {
        assert_eq!(span_words(20).0, "1分钟", "never zero");
        assert_eq!(span_words(25 * 60), ("25分钟".into(), "25 min".into()));
        assert_eq!(span_words(5 * 3_600).0, "5.0小时");
        assert_eq!(span_words(36 * 3_600), ("1.5天".into(), "1.5 days".into()));
    }
}
