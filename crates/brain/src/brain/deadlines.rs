//! Deadline warnings: a town's severe incidents near or past due, and its
//! closure rate against its own (see [`crate::timeliness`]).

use super::{Brain, p_level};
use crate::timeliness;
use crate::warning::{Explanation, Kind, Level, MAX_EVENT_IDS, Place, PlaceLevel, Warning};

impl Brain {
    pub(super) fn closure(&mut self, town: &str) -> Option<Warning> {
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

    pub(super) fn overdue(&mut self) -> Vec<Warning> {
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
