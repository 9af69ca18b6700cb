//! The seasonal baseline: how many events a place usually has, in a given
//! hour of the week, in a given series (all events, one source, disputes).
//!
//! ## The model
//!
//! Grids are small: a grid sees about one event a day, so its own counts per
//! hour of the week (168 cells) would be almost all zero for months. The
//! baseline is therefore multiplicative, the usual way of pooling sparse
//! seasonal counts:
//!
//! ```text
//! λ(place, series, h) = level(place, series) × shape(series, h)
//! level = (events of the place in the series + 1) / (hours observed + 1)
//! shape = (city's events of the series in hour-of-week h / times h was observed)
//!         / (city's events of the series / hours observed)
//! ```
//!
//! The place gives the level and the whole city the daily and weekly shape
//! of each series, which holds far more data. The `+1 / +1` is a prior of
//! one event in one hour: a new installation expects much (and so warns of
//! nothing) until it has watched, and a place with no events in a month is
//! still expected to have one now and then, so its first is no anomaly. A
//! larger prior (a pseudo-week) would bias busy places low by its weight: a
//! town expected at 80% of its rate raises false warnings every day.
//!
//! ## Kept incrementally
//!
//! Every figure above is a counter: [`Baseline::count`] adds one event to
//! three cells (the place's level, the city's hour-of-week cell and the
//! city's total), and [`Baseline::advance`] adds the hours the clock passes.
//! Nothing is ever rescanned. The counters changed since the last save are
//! collected in [`Baseline::take_deltas`], for the store to add to its copy
//! (`crate::persist`), so a restart resumes from where it was.

use std::collections::HashMap;

use crate::warning::Place;

/// Hours in a week: the seasonal cells.
pub const WEEK_HOURS: usize = 168;

/// Seconds in an hour.
const HOUR: i64 = 3_600;
/// China Standard Time, the city's clock, for the hour of the week.
const OFFSET: i64 = 8 * HOUR;

/// Hour of the week (Monday 00:00 local = 0) of unix time `t`.
pub fn hour_of_week(t: i64) -> usize {
    // 1970-01-01 was a Thursday: day 0 is weekday 3 from Monday.
    let hours = (t + OFFSET).div_euclid(HOUR);
    ((hours + 3 * 24).rem_euclid(WEEK_HOURS as i64)) as usize
}

/// What is counted: every event, one source, or a family of categories.
pub type Series = String;

/// One counter as the store keeps it: a scope and a slot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Counter {
    pub scope: String,
    pub slot: i64,
    pub count: i64,
}

/// The counters of the model. See the module docs.
#[derive(Clone, Debug)]
pub struct Baseline {
    /// Events per (place, series), over all hours observed.
    level: HashMap<(Place, Series), i64>,
    /// The city's events per series and hour of the week.
    shape: HashMap<Series, [i64; WEEK_HOURS]>,
    /// Times each hour of the week has been observed.
    hours: [i64; WEEK_HOURS],
    /// The first hour (unix seconds / 3600) not yet added to `hours`.
    next_hour: Option<i64>,
    /// Deadlines reached per town: [met, missed].
    deadlines: HashMap<String, [i64; 2]>,
    deltas: HashMap<(String, i64), i64>,
}

impl Default for Baseline {
    fn default() -> Self {
        Baseline {
            level: HashMap::new(),
            shape: HashMap::new(),
            hours: [0; WEEK_HOURS],
            next_hour: None,
            deadlines: HashMap::new(),
            deltas: HashMap::new(),
        }
    }
}

const HOURS_SCOPE: &str = "hours";
const CLOCK_SCOPE: &str = "clock";

fn level_scope(place: &Place, series: &str) -> String {
    format!("level|{}|{}|{series}", place.level.as_str(), place.code)
}

fn shape_scope(series: &str) -> String {
    format!("shape|{series}")
}

impl Baseline {
    /// From the store's counters. A counter whose scope is not understood is
    /// skipped (a newer version may have written it), never fatal.
    pub fn from_counters(counters: &[Counter]) -> Baseline {
        let mut b = Baseline::default();
        for c in counters {
            let parts: Vec<&str> = c.scope.split('|').collect();
            let slot = usize::try_from(c.slot).ok().filter(|&s| s < WEEK_HOURS);
            match (parts.as_slice(), slot) {
                ([HOURS_SCOPE], Some(slot)) => b.hours[slot] = c.count,
                ([CLOCK_SCOPE], _) => b.next_hour = Some(c.count),
                (["shape", series], Some(slot)) => {
                    b.shape
                        .entry((*series).to_owned())
                        .or_insert([0; WEEK_HOURS])[slot] = c.count
                }
                (["deadlines", town], Some(slot @ 0..=1)) => {
                    b.deadlines.entry((*town).to_owned()).or_default()[slot] = c.count
                }
                (["level", level, code, series], _) => {
                    if let Some(level) = crate::warning::PlaceLevel::parse(level) {
                        b.level
                            .insert((Place::new(level, *code), (*series).to_owned()), c.count);
                    }
                }
                _ => {}
            }
        }
        b
    }

    /// Whether the baseline has never seen an hour (a new installation).
    pub fn is_empty(&self) -> bool {
        self.next_hour.is_none()
    }

    /// The first hour not yet observed, as unix seconds.
    pub fn observed_until(&self) -> Option<i64> {
        self.next_hour.map(|h| h * HOUR)
    }

    /// Mark every whole hour before `t` as observed.
    pub fn advance(&mut self, t: i64) {
        let until = t.div_euclid(HOUR);
        let Some(mut next) = self.next_hour else {
            self.next_hour = Some(until);
            *self.deltas.entry((CLOCK_SCOPE.to_owned(), 0)).or_default() = until;
            return;
        };
        if until <= next {
            return;
        }
        while next < until {
            let how = hour_of_week(next * HOUR);
            self.hours[how] += 1;
            *self
                .deltas
                .entry((HOURS_SCOPE.to_owned(), how as i64))
                .or_default() += 1;
            next += 1;
        }
        self.next_hour = Some(next);
        *self.deltas.entry((CLOCK_SCOPE.to_owned(), 0)).or_default() = next;
    }

    /// Count one event of `series` at `place`, reported at `t`. The city's
    /// shape is counted once per event, by the caller passing `city_too`
    /// for one of the event's places only.
    pub fn count(&mut self, place: &Place, series: &str, t: i64, city_too: bool) {
        *self
            .level
            .entry((place.clone(), series.to_owned()))
            .or_default() += 1;
        *self
            .deltas
            .entry((level_scope(place, series), 0))
            .or_default() += 1;
        if city_too {
            let how = hour_of_week(t);
            self.shape
                .entry(series.to_owned())
                .or_insert([0; WEEK_HOURS])[how] += 1;
            *self
                .deltas
                .entry((shape_scope(series), how as i64))
                .or_default() += 1;
        }
    }

    fn total_hours(&self) -> i64 {
        self.hours.iter().sum()
    }

    /// Count a deadline of `town` reached, met or missed.
    pub fn count_deadline(&mut self, town: &str, met: bool) {
        let slot = usize::from(!met);
        self.deadlines.entry(town.to_owned()).or_default()[slot] += 1;
        *self
            .deltas
            .entry((format!("deadlines|{town}"), slot as i64))
            .or_default() += 1;
    }

    /// The long-run share of `town`'s deadlines missed, with a prior of one
    /// met and one missed (so a new town starts at one half, not at zero),
    /// and how many deadlines it rests on.
    pub fn miss_share(&self, town: &str) -> (f64, i64) {
        let [met, missed] = self.deadlines.get(town).copied().unwrap_or_default();
        (
            (missed as f64 + 1.0) / ((met + missed) as f64 + 2.0),
            met + missed,
        )
    }

    /// Expected events per hour of `series` at `place` in the hour holding `t`.
    pub fn rate(&self, place: &Place, series: &str, t: i64) -> f64 {
        let hours = self.total_hours() as f64;
        let n = self
            .level
            .get(&(place.clone(), series.to_owned()))
            .copied()
            .unwrap_or(0) as f64;
        let level = (n + 1.0) / (hours + 1.0);
        level * self.shape_factor(series, t)
    }

    /// How busy the hour holding `t` is for `series`, relative to its average
    /// hour (1.0 with no data).
    fn shape_factor(&self, series: &str, t: i64) -> f64 {
        let Some(cells) = self.shape.get(series) else {
            return 1.0;
        };
        let how = hour_of_week(t);
        let total: i64 = cells.iter().sum();
        let hours = self.total_hours();
        if total < WEEK_HOURS as i64 || hours == 0 || self.hours[how] == 0 {
            // Too little to tell one hour from another yet.
            return 1.0;
        }
        // A pseudo-count of one event in the cell keeps an hour never seen
        // busy from being expected at zero.
        let here = (cells[how] as f64 + 1.0) / self.hours[how] as f64;
        let mean = total as f64 / hours as f64;
        here / mean
    }

    /// Expected events of `series` at `place` over `[from, to)`, hour by hour.
    pub fn expected(&self, place: &Place, series: &str, from: i64, to: i64) -> f64 {
        let mut sum = 0.0;
        let mut t = from;
        while t < to {
            let hour_end = (t.div_euclid(HOUR) + 1) * HOUR;
            let end = hour_end.min(to);
            sum += self.rate(place, series, t) * (end - t) as f64 / HOUR as f64;
            t = end;
        }
        sum
    }

    /// The counters changed since the last call: amounts to add, except the
    /// clock, which is a value to set.
    pub fn take_deltas(&mut self) -> Vec<Counter> {
        let mut out: Vec<Counter> = self
            .deltas
            .drain()
            .map(|((scope, slot), count)| Counter { scope, slot, count })
            .collect();
        out.sort_by(|a, b| (&a.scope, a.slot).cmp(&(&b.scope, b.slot)));
        out
    }

    /// Whether `scope` is the clock (set, not added).
    pub fn is_clock(scope: &str) -> bool {
        scope == CLOCK_SCOPE
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::warning::PlaceLevel;

    #[test]
    fn hour_of_week_starts_on_monday_midnight_in_china() {
        // 2026-03-02 00:00 +08:00 was a Monday.
        let monday = 1_772_380_800;
        assert_eq!(hour_of_week(monday), 0);
        assert_eq!(hour_of_week(monday - 1), WEEK_HOURS - 1);
        assert_eq!(hour_of_week(monday + 25 * HOUR), 25);
    }

    #[test]
    fn the_expected_rate_follows_the_place_and_the_city_shape() {
        let g = Place::new(PlaceLevel::Grid, "G");
        let mut b = Baseline::default();
        let start = 1_772_380_800;
        b.advance(start);
        // Four weeks: the grid has seven events each day at 10:00, another
        // grid seven at 03:00; every other hour is quiet.
        let other = Place::new(PlaceLevel::Grid, "H");
        for day in 0..28 {
            let t = start + day * 24 * HOUR;
            for _ in 0..7 {
                b.count(&g, "all", t + 10 * HOUR, true);
                b.count(&other, "all", t + 3 * HOUR, true);
            }
        }
        b.advance(start + 28 * 24 * HOUR);
        let per_hour = b.rate(&g, "all", start + 10 * HOUR);
        let quiet = b.rate(&g, "all", start + 12 * HOUR);
        assert!(per_hour > 5.0 * quiet, "{per_hour} vs {quiet}");
        let day: f64 = b.expected(&g, "all", start, start + 24 * HOUR);
        // Seven a day, though not all at 10:00: the place's level follows
        // the city's shape, busy at 03:00 too, and quiet hours keep a
        // pseudo-count.
        assert!((5.0..12.0).contains(&day), "about seven a day: {day}");
        let restored = Baseline::from_counters(&b.take_deltas());
        assert_eq!(restored.rate(&g, "all", start + 10 * HOUR), per_hour);
        assert!(b.take_deltas().is_empty(), "deltas are taken once");
    }
}
