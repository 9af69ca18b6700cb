//! [`Brain`]: every detector behind one door. Events go in as they arrive
//! ([`Brain::observe`]), the clock goes in as it runs ([`Brain::tick`]), and
//! warnings come out, each new or updated one once per call.
//!
//! The brain holds only what the detectors need: the baseline's counters,
//! the last three hours of events per place and series, the disputes of the
//! repeat window per address, the open incidents with a deadline, and the
//! ids seen recently (so a later revision of an event is not counted twice).
//! Nothing here reads the system clock: time is what the caller says.

use std::collections::{BTreeMap, HashMap, HashSet};

use gridwall_domain::governance::{Category, Event, EventState, Source};

use crate::baseline::Baseline;
use crate::places::Places;
use crate::rate::{self, Recent, Seen, Test};
use crate::repeats::{self, Addresses, Visit};
use crate::sensitivity::Sensitivity;
use crate::timeliness::{self, Deadlines, OpenIncident};
use crate::warning::{
    Episodes, Explanation, Kind, Level, MAX_EVENT_IDS, Place, PlaceLevel, Warning,
};

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

    /// Whether `grid` is rising in `series`: a looser test than a warning's.
    fn rising(&self, grid: &str, series: &str) -> Option<Test> {
        let place = Place::new(PlaceLevel::Grid, grid);
        rate::test(&self.baseline, &self.recent, &place, series, self.now)
            .filter(|t| t.observed >= 2 && t.p < self.sensitivity.cluster_alpha)
    }

    fn cluster(&mut self, grid: &str, town: &str, series: &[String]) -> Vec<Warning> {
        let s = self.sensitivity;
        let mut out = Vec::new();
        for series in series.iter().filter(|x| *x == "all" || *x == "fam:dispute") {
            if self.rising(grid, series).is_none() {
                continue;
            }
            // The connected rising grids around this one.
            let mut members: BTreeMap<String, Test> = BTreeMap::new();
            let mut queue = vec![grid.to_owned()];
            let mut visited: HashSet<String> = HashSet::from([grid.to_owned()]);
            while let Some(g) = queue.pop() {
                let Some(t) = self.rising(&g, series) else {
                    continue;
                };
                members.insert(g.clone(), t);
                for n in self.places.neighbours(&g) {
                    if visited.insert(n.clone()) {
                        queue.push(n.clone());
                    }
                }
            }
            if members.len() < s.cluster_grids {
                continue;
            }
            let observed: u32 = members.values().map(|t| t.observed).sum();
            let expected: f64 = members.values().map(|t| t.expected).sum();
            let p = rate::poisson_tail(observed, expected);
            if p >= s.alpha {
                continue;
            }
            let onset = members.values().map(|t| t.onset).min().unwrap_or(self.now);
            let mut sources: BTreeMap<String, u32> = BTreeMap::new();
            for (src, n) in members.values().flat_map(|t| t.sources.iter()) {
                *sources.entry(src.clone()).or_default() += n;
            }
            let mut sources: Vec<(String, u32)> = sources.into_iter().collect();
            sources.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            let mut event_ids: Vec<String> = members
                .values()
                .flat_map(|t| t.event_ids.iter().cloned())
                .collect();
            event_ids.truncate(MAX_EVENT_IDS);
            let names: Vec<&str> = members.keys().map(|g| self.places.name(g)).collect();
            let (series_zh, series_en) = series_words(series);
            let (src_zh, src_en) = rate::sources_text(&sources);
            let ratio = f64::from(observed) / expected.max(f64::MIN_POSITIVE);
            let town_name = self.places.name(town);
            let explanation = Explanation {
                zh: format!(
                    "{town_name}相邻{}个网格（{}）{series_zh}同时上升：共{observed}起，同期基线{expected:.2}起（{ratio:.1}倍，P={p:.1e}）；来源：{src_zh}。",
                    members.len(),
                    names.join("、"),
                ),
                en: format!(
                    "{town_name}: {} adjacent grids ({}) rising together in {series_en}: \
                     {observed} against a baseline of {expected:.2} ({ratio:.1}×, P={p:.1e}); sources: {src_en}.",
                    members.len(),
                    names.join(", "),
                ),
                baseline: expected,
                observed: f64::from(observed),
                ratio,
                p_value: Some(p),
                window_minutes: 60,
                sources,
                event_ids,
                grids: members.keys().cloned().collect(),
            };
            let key = format!("cluster|{town}|{series}");
            let level = p_level(p, s.alpha).max(Level::Yellow);
            out.push(self.episodes.hit(
                key,
                Kind::Cluster,
                level,
                Place::new(PlaceLevel::Town, town),
                onset,
                self.now,
                explanation,
            ));
        }
        out
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
        let span_days = (visits[n - 1].at - first) as f64 / DAY as f64;
        let address = event.address.trim();
        let explanation = Explanation {
            zh: format!(
                "同一地址（{address}）{days:.0}天内第{n}次发生纠纷，间隔{span_days:.1}天，有民转刑风险；首次：{}。",
                visits[0].id
            ),
            en: format!(
                "Disputes at the same address ({address}) for the {n}th time within {days:.0} days, \
                 {span_days:.1} days apart: a risk of a civil matter turning criminal; first: {}.",
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

    fn closure(&mut self, town: &str) -> Option<Warning> {
        let (n, missed) = self.deadlines.window(town, self.now);
        if n < u64::from(self.sensitivity.closure_min_due) || missed < 3 {
            return None;
        }
        let (share, history) = self.baseline.miss_share(town);
        if history < 100 {
            return None;
        }
        let p = timeliness::binomial_tail(missed, n, share);
        if p >= self.sensitivity.alpha {
            return None;
        }
        let met_now = 1.0 - missed as f64 / n as f64;
        let met_usual = 1.0 - share;
        let name = self.places.name(town);
        let explanation = Explanation {
            zh: format!(
                "{name}近24小时到期{n}件，按期办结率{:.0}%，低于常态{:.0}%（超期{missed}件，P={p:.1e}）。",
                met_now * 100.0,
                met_usual * 100.0
            ),
            en: format!(
                "{name}: {n} deadlines in the last 24 hours, {:.0}% met against the usual {:.0}% \
                 ({missed} missed, P={p:.1e}).",
                met_now * 100.0,
                met_usual * 100.0
            ),
            baseline: met_usual,
            observed: met_now,
            ratio: met_now / met_usual.max(f64::MIN_POSITIVE),
            p_value: Some(p),
            window_minutes: 24 * 60,
            sources: vec![],
            event_ids: vec![],
            grids: vec![],
        };
        Some(self.episodes.hit(
            format!("closure|{town}"),
            Kind::ClosureFalling,
            p_level(p, self.sensitivity.alpha),
            Place::new(PlaceLevel::Town, town),
            self.now - timeliness::CLOSURE_WINDOW,
            self.now,
            explanation,
        ))
    }

    fn overdue(&mut self) -> Vec<Warning> {
        let s = self.sensitivity;
        let horizon = self.now + i64::from(s.due_soon_minutes) * 60;
        let mut out = Vec::new();
        let towns: Vec<String> = self.places.towns().into_iter().map(str::to_owned).collect();
        for town in towns {
            let (overdue, soon) =
                self.deadlines
                    .pressing(&town, s.overdue_severity, self.now, horizon);
            if overdue.len() + soon.len() < s.overdue_min {
                self.last_pressing.remove(&town);
                continue;
            }
            let counts = (overdue.len(), soon.len());
            let key = format!("overdue|{town}");
            if self.last_pressing.insert(town.clone(), counts) == Some(counts) {
                // Unchanged; a hit keeps the episode alive without a message.
                if self.episodes.is_open(&key, self.now) {
                    self.episodes.touch(&key, self.now);
                    continue;
                }
            }
            let level = match overdue.len() {
                0 => Level::Blue,
                1..=4 => Level::Yellow,
                _ => Level::Orange,
            };
            let onset = overdue.first().or(soon.first()).map_or(self.now, |x| x.0);
            let name = self.places.name(&town);
            let total = overdue.len() + soon.len();
            let explanation = Explanation {
                zh: format!(
                    "{name}{}级及以上在办事件已超期{}件、{}分钟内到期{}件。",
                    s.overdue_severity,
                    overdue.len(),
                    s.due_soon_minutes,
                    soon.len()
                ),
                en: format!(
                    "{name}: {} open incidents of severity {}+ overdue and {} due within {} minutes.",
                    overdue.len(),
                    s.overdue_severity,
                    soon.len(),
                    s.due_soon_minutes
                ),
                baseline: s.overdue_min as f64,
                observed: total as f64,
                ratio: total as f64 / s.overdue_min.max(1) as f64,
                p_value: None,
                window_minutes: s.due_soon_minutes,
                sources: vec![],
                event_ids: overdue
                    .iter()
                    .chain(&soon)
                    .take(MAX_EVENT_IDS)
                    .map(|x| x.1.clone())
                    .collect(),
                grids: vec![],
            };
            out.push(self.episodes.hit(
                key,
                Kind::Overdue,
                level,
                Place::new(PlaceLevel::Town, town.clone()),
                onset,
                self.now,
                explanation,
            ));
        }
        out
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
