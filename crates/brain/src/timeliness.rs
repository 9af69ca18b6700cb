//! Timeliness: open incidents near or past their deadline, and towns whose
//! share of deadlines met is falling.
//!
//! Deadlines are facts, not guesses, so the first warning is a rule: a town
//! warns when at least `overdue_min` of its open incidents of severity
//! `overdue_severity` or more are overdue or due within `due_soon_minutes`.
//! One warning per town, updated as incidents come and go.
//!
//! The closure rate is tested like the rates: every deadline reached is a
//! trial (met, or missed), the town's long-run share of misses is its
//! baseline (kept as two counters, persisted with the others), and the
//! misses of the last 24 hours are tested with the binomial tail
//! P(X ≥ misses | deadlines, baseline share) against `alpha`.

use std::collections::{HashMap, VecDeque};

use statrs::distribution::{Binomial, DiscreteCDF};

/// An open incident with a deadline.
#[derive(Clone, Debug)]
pub struct OpenIncident {
    pub town: String,
    pub grid_id: String,
    pub severity: u8,
    pub due_at: i64,
    /// Whether its missed deadline has been counted already.
    pub miss_counted: bool,
}

/// A deadline reached: met or missed, when.
#[derive(Clone, Copy, Debug)]
pub struct Deadline {
    pub at: i64,
    pub met: bool,
}

/// Incidents as (deadline, id), soonest first.
pub type ByDeadline = Vec<(i64, String)>;

/// Window of the closure-rate test.
pub const CLOSURE_WINDOW: i64 = 24 * 3_600;

/// P(X ≥ k) for X ~ Binomial(n, p).
pub fn binomial_tail(k: u64, n: u64, p: f64) -> f64 {
    if k == 0 {
        return 1.0;
    }
    match Binomial::new(p.clamp(0.0, 1.0), n) {
        Ok(b) => b.sf(k - 1).clamp(0.0, 1.0),
        Err(_) => 1.0,
    }
}

/// The open incidents and the recent deadlines of each town.
#[derive(Default)]
pub struct Deadlines {
    pub open: HashMap<String, OpenIncident>,
    pub recent: HashMap<String, VecDeque<Deadline>>,
}

impl Deadlines {
    /// Record a deadline of `town` reached at `at`.
    pub fn reached(&mut self, town: &str, at: i64, met: bool) {
        let list = self.recent.entry(town.to_owned()).or_default();
        list.push_back(Deadline { at, met });
        while list.front().is_some_and(|d| d.at <= at - CLOSURE_WINDOW) {
            list.pop_front();
        }
    }

    /// (deadlines, misses) of `town` within the window before `now`.
    pub fn window(&self, town: &str, now: i64) -> (u64, u64) {
        let Some(list) = self.recent.get(town) else {
            return (0, 0);
        };
        let within = list.iter().filter(|d| d.at > now - CLOSURE_WINDOW);
        within.fold((0, 0), |(n, k), d| (n + 1, k + u64::from(!d.met)))
    }

    /// Count the deadlines that passed by `now` on incidents still open;
    /// returns the towns touched.
    pub fn sweep(&mut self, now: i64) -> Vec<(String, i64)> {
        let mut missed = Vec::new();
        for inc in self.open.values_mut() {
            if !inc.miss_counted && inc.due_at < now {
                inc.miss_counted = true;
                missed.push((inc.town.clone(), inc.due_at));
            }
        }
        missed.sort();
        for (town, at) in &missed {
            self.reached(town, *at, false);
        }
        missed
    }

    /// The open incidents of `town` with severity ≥ `severity` due before
    /// `horizon`, as (overdue, due soon) id lists, soonest first.
    pub fn pressing(
        &self,
        town: &str,
        severity: u8,
        now: i64,
        horizon: i64,
    ) -> (ByDeadline, ByDeadline) {
        let mut overdue = Vec::new();
        let mut soon = Vec::new();
        for (id, inc) in &self.open {
            if inc.town != town || inc.severity < severity || inc.due_at >= horizon {
                continue;
            }
            if inc.due_at < now {
                overdue.push((inc.due_at, id.clone()));
            } else {
                soon.push((inc.due_at, id.clone()));
            }
        }
        overdue.sort();
        soon.sort();
        (overdue, soon)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_binomial_tail_matches_known_values() {
        // P(X ≥ 1 | 10, 0.1) = 1 - 0.9^10.
        let p = binomial_tail(1, 10, 0.1);
        assert!((p - (1.0 - 0.9f64.powi(10))).abs() < 1e-12, "{p}");
        assert_eq!(binomial_tail(0, 10, 0.1), 1.0);
        assert!(binomial_tail(10, 10, 0.05) < 1e-12);
    }

    #[test]
    fn a_missed_deadline_is_counted_once() {
        let mut d = Deadlines::default();
        d.open.insert(
            "E1".into(),
            OpenIncident {
                town: "T".into(),
                grid_id: "G".into(),
                severity: 2,
                due_at: 100,
                miss_counted: false,
            },
        );
        assert!(d.sweep(50).is_empty());
        assert_eq!(d.sweep(150).len(), 1);
        assert!(d.sweep(200).is_empty());
        assert_eq!(d.window("T", 200), (1, 1));
        let (overdue, soon) = d.pressing("T", 2, 200, 260);
        assert_eq!((overdue.len(), soon.len()), (1, 0));
    }
}
