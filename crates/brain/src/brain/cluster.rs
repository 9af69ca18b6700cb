//! Clusters: adjacent grids rising together (群发). A grid "rises" on a
//! looser test than a warning's ([`Sensitivity::cluster_alpha`], two events
//! at least); the rising grids connected to the one an event landed in,
//! through the adjacency of [`crate::places`], are tested together: their
//! summed count against their summed baseline, at the warning's `alpha`.
//! One warning per town and series, with its member grids.
//!
//! [`Sensitivity::cluster_alpha`]: crate::Sensitivity::cluster_alpha

use std::collections::{BTreeMap, HashSet};

use super::{Brain, p_level, series_words};
use crate::rate::{self, Test};
use crate::warning::{Explanation, Kind, Level, MAX_EVENT_IDS, Place, PlaceLevel, Warning};

impl Brain {
    /// Whether `grid` is rising in `series`: a looser test than a warning's.
    pub(super) fn rising(&self, grid: &str, series: &str) -> Option<Test> {
        let place = Place::new(PlaceLevel::Grid, grid);
        rate::test(&self.baseline, &self.recent, &place, series, self.now)
            .filter(|t| t.observed >= 2 && t.p < self.sensitivity.cluster_alpha)
    }

    pub(super) fn cluster(&mut self, grid: &str, town: &str, series: &[String]) -> Vec<Warning> {
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
}
