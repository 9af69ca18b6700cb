//! A warning as the windows show it, with the divisions it concerns.

use std::collections::{BTreeSet, HashMap};

use gridwall_brain::persist::Body;
use gridwall_domain::governance::Grid;
use gridwall_store::StoredWarning;
use serde::Serialize;
use time::OffsetDateTime;
use ts_rs::TS;

/// Each grid's village and town, from the platform's grid list: a warning
/// names its grids, and the console shows it at every level above them.
#[derive(Debug, Default)]
pub struct Parents(HashMap<String, (String, String)>);

impl Parents {
    pub fn new(grids: &[Grid]) -> Parents {
        Parents(
            grids
                .iter()
                .map(|g| {
                    (
                        g.grid_id.clone(),
                        (g.village_code.clone(), g.town_code.clone()),
                    )
                })
                .collect(),
        )
    }

    /// The villages and towns of `grids` and of the place itself.
    fn above(
        &self,
        place_level: &str,
        place_code: &str,
        grids: &[String],
    ) -> (Vec<String>, Vec<String>) {
        let mut villages = BTreeSet::new();
        let mut towns = BTreeSet::new();
        match place_level {
            "village" => {
                villages.insert(place_code.to_owned());
            }
            "town" => {
                towns.insert(place_code.to_owned());
            }
            _ => {}
        }
        for grid in grids {
            if let Some((village, town)) = self.0.get(grid) {
                villages.insert(village.clone());
                towns.insert(town.clone());
            }
        }
        (villages.into_iter().collect(), towns.into_iter().collect())
    }
}

/// Events per source behind a warning.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct SourceCount {
    pub source: String,
    pub count: u32,
}

/// A warning as the UI shows it: what the brain said and where its
/// handling is. The explanation is ours; ids and names inside it are
/// upstream text, shown as text.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct WarningItem {
    pub id: String,
    /// rate, repeat, cluster, overdue or closure_falling.
    pub kind: String,
    /// 1 蓝 … 4 红.
    pub level: u8,
    /// grid, village or town.
    pub place_level: String,
    pub place_code: String,
    /// Platform times, RFC 3339.
    pub onset: String,
    pub raised_at: String,
    pub updated_at: String,
    pub explanation_zh: String,
    pub explanation_en: String,
    pub baseline: f64,
    pub observed: f64,
    pub ratio: f64,
    pub p_value: Option<f64>,
    pub window_minutes: u32,
    pub sources: Vec<SourceCount>,
    pub event_ids: Vec<String>,
    pub grids: Vec<String>,
    /// The villages and towns it concerns (its grids' and its own place's),
    /// so the console shows it at every level above its grids.
    pub villages: Vec<String>,
    pub towns: Vec<String>,
    /// open (预警单), acknowledged, handed_over (交办单) or fed_back (反馈单).
    pub state: String,
    pub state_by: Option<String>,
    pub state_at: Option<String>,
    /// The hand-over's addressee and instruction, or the feedback.
    pub note: Option<String>,
}

fn time_text(unix: i64) -> String {
    OffsetDateTime::from_unix_timestamp(unix)
        .map(|t| crate::rfc3339(t.to_offset(gridwall_domain::clock::CHINA_OFFSET)))
        .unwrap_or_default()
}

/// A stored warning as the UI shows it. A body that does not parse (written
/// by a newer version) shows with an empty explanation rather than not at all.
pub fn item(w: &StoredWarning, parents: &Parents) -> WarningItem {
    let body: Option<Body> = serde_json::from_str(&w.body).ok();
    let e = body.map(|b| b.explanation);
    let mut grids = e.as_ref().map(|e| e.grids.clone()).unwrap_or_default();
    if w.place_level == "grid" && !grids.contains(&w.place_code) {
        grids.insert(0, w.place_code.clone());
    }
    let (villages, towns) = parents.above(&w.place_level, &w.place_code, &grids);
    WarningItem {
        id: w.id.clone(),
        kind: w.kind.clone(),
        level: w.level,
        place_level: w.place_level.clone(),
        place_code: w.place_code.clone(),
        onset: time_text(w.onset),
        raised_at: time_text(w.raised_at),
        updated_at: time_text(w.updated_at),
        explanation_zh: e.as_ref().map(|e| e.zh.clone()).unwrap_or_default(),
        explanation_en: e.as_ref().map(|e| e.en.clone()).unwrap_or_default(),
        baseline: e.as_ref().map_or(0.0, |e| e.baseline),
        observed: e.as_ref().map_or(0.0, |e| e.observed),
        ratio: e.as_ref().map_or(0.0, |e| e.ratio),
        p_value: e.as_ref().and_then(|e| e.p_value),
        window_minutes: e.as_ref().map_or(0, |e| e.window_minutes),
        sources: e
            .as_ref()
            .map(|e| {
                e.sources
                    .iter()
                    .map(|(source, count)| SourceCount {
                        source: source.clone(),
                        count: *count,
                    })
                    .collect()
            })
            .unwrap_or_default(),
        event_ids: e.as_ref().map(|e| e.event_ids.clone()).unwrap_or_default(),
        grids,
        villages,
        towns,
        state: w.state.as_str().to_owned(),
        state_by: w.state_by.clone(),
        state_at: w.state_at.map(time_text),
        note: w.note.clone(),
    }
}
