//! Rate anomalies: a place's recent count of a series tested against its
//! seasonal baseline ([`crate::baseline`]).
//!
//! ## The test, and why
//!
//! Events arrive independently of each other at a rate that depends on the
//! place and the hour, which is what a Poisson process is; the count over a
//! window is then Poisson with mean μ = the baseline's expected count over
//! the window. The tail probability P(X ≥ n | μ) says how surprising `n` is.
//! A warning needs both `P < alpha` and `n ≥ min_count`: the second guards
//! the very small μ of a grid's rare series, where two events would already
//! be "improbable" yet mean little.
//!
//! Two windows are tested on every event: the last hour, to catch a sudden
//! surge within the hour, and the last three hours, to catch a build-up too
//! slow for any single hour to stand out. EWMA or CUSUM charts would also
//! accumulate small shifts, but they need a roughly normal count per step,
//! which a grid's one event a day is not; the exact Poisson tail is right at
//! any count and its `alpha` reads directly as a false-alarm rate per test.
//!
//! Only the tail is computed here, with statrs.

use std::collections::{BTreeMap, HashMap, VecDeque};

use statrs::distribution::{DiscreteCDF, Poisson};

use crate::baseline::Baseline;
use crate::warning::{Explanation, MAX_EVENT_IDS, Place};

/// The windows tested, in seconds.
pub const WINDOWS: [i64; 2] = [3_600, 3 * 3_600];
/// The longest window: what the recent lists keep.
pub const LONGEST: i64 = 3 * 3_600;

/// P(X ≥ n) for X ~ Poisson(mu); 1 for n = 0, and for a mean that is not
/// a positive finite number (no baseline, no surprise).
pub fn poisson_tail(n: u32, mu: f64) -> f64 {
    if n == 0 {
        return 1.0;
    }
    match Poisson::new(mu) {
        Ok(p) => p.sf(u64::from(n) - 1).clamp(0.0, 1.0),
        Err(_) => 1.0,
    }
}

/// One recent event of a series at a place.
#[derive(Clone, Debug)]
pub struct Seen {
    pub at: i64,
    pub id: String,
    pub source: String,
}

/// The recent events of each (place, series), at most [`LONGEST`] old.
#[derive(Default)]
pub struct Recent {
    lists: HashMap<(Place, String), VecDeque<Seen>>,
}

impl Recent {
    pub fn push(&mut self, place: &Place, series: &str, seen: Seen) {
        let list = self
            .lists
            .entry((place.clone(), series.to_owned()))
            .or_default();
        // Nearly always appended; a late report is put in its place.
        let at = list.partition_point(|s| s.at <= seen.at);
        list.insert(at, seen);
    }

    /// The events of `[now - window, now]`, oldest first.
    pub fn within(&self, place: &Place, series: &str, now: i64, window: i64) -> Vec<&Seen> {
        self.lists
            .get(&(place.clone(), series.to_owned()))
            .map(|l| {
                l.iter()
                    .filter(|s| s.at > now - window && s.at <= now)
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Drop what no window reaches any more.
    pub fn prune(&mut self, now: i64) {
        self.lists.retain(|_, l| {
            while l.front().is_some_and(|s| s.at <= now - LONGEST) {
                l.pop_front();
            }
            !l.is_empty()
        });
    }
}

/// The outcome of one window's test.
#[derive(Clone, Debug)]
pub struct Test {
    pub window: i64,
    pub observed: u32,
    pub expected: f64,
    pub p: f64,
    pub onset: i64,
    pub sources: Vec<(String, u32)>,
    pub event_ids: Vec<String>,
}

/// Tests each window of `series` at `place` at `now`; the most surprising.
pub fn test(
    baseline: &Baseline,
    recent: &Recent,
    place: &Place,
    series: &str,
    now: i64,
) -> Option<Test> {
    WINDOWS
        .iter()
        .filter_map(|&window| {
            let seen = recent.within(place, series, now, window);
            let first = seen.first()?;
            let observed = seen.len() as u32;
            let expected = baseline.expected(place, series, now - window, now);
            Some(Test {
                window,
                observed,
                expected,
                p: poisson_tail(observed, expected),
                onset: first.at,
                sources: by_source(&seen),
                event_ids: seen
                    .iter()
                    .take(MAX_EVENT_IDS)
                    .map(|s| s.id.clone())
                    .collect(),
            })
        })
        .min_by(|a, b| a.p.total_cmp(&b.p))
}

/// Events per source, most first, then by name.
pub fn by_source(seen: &[&Seen]) -> Vec<(String, u32)> {
    let mut counts: BTreeMap<&str, u32> = BTreeMap::new();
    for s in seen {
        *counts.entry(&s.source).or_default() += 1;
    }
    let mut out: Vec<(String, u32)> = counts.into_iter().map(|(s, n)| (s.to_owned(), n)).collect();
    out.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    out
}

/// Sources as "警源·110非警务 4起、网格巡查 1起" and "police_110 4, grid_patrol 1".
pub fn sources_text(sources: &[(String, u32)]) -> (String, String) {
    let zh = sources
        .iter()
        .map(|(s, n)| {
            let label = gridwall_domain::governance::Source::parse(s);
            format!("{} {n}起", label.label_zh())
        })
        .collect::<Vec<_>>()
        .join("、");
    let en = sources
        .iter()
        .map(|(s, n)| format!("{s} {n}"))
        .collect::<Vec<_>>()
        .join(", ");
    (zh, en)
}

/// The explanation of a rate warning.
pub fn explain(t: &Test, place_name: &str, series_zh: &str, series_en: &str) -> Explanation {
    let minutes = (t.window / 60) as u32;
    let ratio = if t.expected > 0.0 {
        f64::from(t.observed) / t.expected
    } else {
        f64::INFINITY
    };
    let (src_zh, src_en) = sources_text(&t.sources);
    let span_zh = if t.window == 3_600 {
        "近1小时".to_owned()
    } else {
        format!("近{}小时", t.window / 3_600)
    };
    let span_en = if t.window == 3_600 {
        "the last hour".to_owned()
    } else {
        format!("the last {} hours", t.window / 3_600)
    };
    Explanation {
        zh: format!(
            "{place_name}{span_zh}{series_zh}{}起，同期基线{:.2}起（{:.1}倍，P={:.1e}）；来源：{src_zh}。",
            t.observed, t.expected, ratio, t.p
        ),
        en: format!(
            "{place_name}: {} {series_en} in {span_en} against a seasonal baseline of {:.2} \
             ({:.1}×, P={:.1e}); sources: {src_en}.",
            t.observed, t.expected, ratio, t.p
        ),
        baseline: t.expected,
        observed: f64::from(t.observed),
        ratio,
        p_value: Some(t.p),
        window_minutes: minutes,
        sources: t.sources.clone(),
        event_ids: t.event_ids.clone(),
        grids: vec![],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_poisson_tail_matches_known_values() {
        // P(X ≥ 1 | 1) = 1 - e^-1; P(X ≥ 3 | 0.05) = 1 - e^-0.05 (1 + 0.05 + 0.00125).
        assert!((poisson_tail(1, 1.0) - (1.0 - (-1.0f64).exp())).abs() < 1e-12);
        let p = poisson_tail(3, 0.05);
        let exact = 1.0 - (-0.05f64).exp() * (1.0 + 0.05 + 0.00125);
        assert!((p - exact).abs() < 1e-12, "{p} vs {exact}");
        assert_eq!(poisson_tail(0, 0.5), 1.0);
        assert_eq!(poisson_tail(4, 0.0), 1.0, "no baseline, no test");
        assert_eq!(poisson_tail(4, f64::NAN), 1.0);
    }
}
