//! What the console sends and receives (exported to TypeScript with ts-rs).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use gridwall_store::Scope;

use crate::feed::KpiTile;
use crate::video::CameraTile;

/// A level of the drill-down.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum LevelKind {
    City,
    Town,
    Village,
    Grid,
    MicroGrid,
}

/// A place in the tree: a level and its code (empty for the city).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Place {
    pub level: LevelKind,
    pub id: String,
}

impl Place {
    pub fn city() -> Place {
        Place {
            level: LevelKind::City,
            id: String::new(),
        }
    }

    pub(crate) fn scope(&self) -> Scope {
        match self.level {
            LevelKind::City => Scope::City,
            LevelKind::Town => Scope::Town(self.id.clone()),
            LevelKind::Village => Scope::Village(self.id.clone()),
            LevelKind::Grid => Scope::Grid(self.id.clone()),
            LevelKind::MicroGrid => Scope::MicroGrid(self.id.clone()),
        }
    }

    /// Whether a grid id lies inside this place.
    pub(crate) fn holds_grid(&self, grid_id: &str) -> bool {
        match self.level {
            LevelKind::City => true,
            LevelKind::Town => grid_id.get(..9) == self.id.get(..9),
            LevelKind::Village => grid_id.get(..12) == Some(self.id.as_str()),
            LevelKind::Grid => grid_id == self.id,
            LevelKind::MicroGrid => {
                self.id.starts_with(grid_id) && self.id.len() == grid_id.len() + 3
            }
        }
    }
}

/// One step of the breadcrumbs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Crumb {
    pub place: Place,
    /// Upstream text: shown as text.
    pub name: String,
}

/// A child of the shown level with its open incidents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ChildRow {
    pub place: Place,
    pub name: String,
    #[ts(type = "number")]
    pub open: i64,
    #[ts(type = "number")]
    pub overdue: i64,
    /// Open incidents of severity 3 or 4.
    #[ts(type = "number")]
    pub severe: i64,
}

/// Open incidents of one source and severity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct BreakdownCell {
    pub source: String,
    pub severity: u8,
    #[ts(type = "number")]
    pub count: u64,
}

/// A grid worker as the console lists them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct WorkerRow {
    pub worker_id: String,
    pub name: String,
    /// `grid_leader`, `full_time`, `instructor`, `part_time` (or raw).
    pub role: String,
    #[serde(default)]
    pub grid_id: Option<String>,
    #[serde(default)]
    pub phone_masked: Option<String>,
    #[serde(default)]
    pub on_duty: bool,
    #[serde(default)]
    pub last_seen_at: Option<String>,
}

/// An incident in a list.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct IncidentRow {
    pub id: String,
    pub title: String,
    pub source: String,
    pub category: String,
    pub severity: u8,
    pub state: String,
    pub grid_id: String,
    pub grid_name: String,
    pub micro_grid_id: Option<String>,
    pub address: String,
    pub location: Option<[f64; 2]>,
    pub reported_at: String,
    pub updated_at: String,
    pub due_at: Option<String>,
    pub overdue: bool,
    pub is_open: bool,
}

/// The console's filters as the UI sends them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Filter {
    #[serde(default)]
    pub sources: Vec<String>,
    #[serde(default)]
    pub severities: Vec<u8>,
    #[serde(default)]
    pub states: Vec<String>,
    #[serde(default)]
    pub open_only: bool,
    #[serde(default)]
    pub overdue_only: bool,
    /// Reported within the last so many hours; none = open ones, or 30 days.
    #[serde(default)]
    pub window_hours: Option<u32>,
    /// How many rows of the list: none = the first page; the officer's
    /// "more" asks for longer lists, up to the console's limit.
    #[serde(default)]
    pub limit: Option<u32>,
}

/// Everything the console shows for one place.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct LevelView {
    pub place: Place,
    pub name: String,
    /// From the city down to this place, this place last.
    pub breadcrumbs: Vec<Crumb>,
    pub children: Vec<ChildRow>,
    #[ts(type = "number")]
    pub open: i64,
    #[ts(type = "number")]
    pub overdue: i64,
    #[ts(type = "[number, number, number, number]")]
    pub open_by_severity: [i64; 4],
    pub breakdown: Vec<BreakdownCell>,
    /// Today, 7 days and this year for this place.
    pub kpis: Vec<KpiTile>,
    /// Events reported per day over 30 days (SVG, both languages).
    pub chart_zh: String,
    pub chart_en: String,
    pub workers: Vec<WorkerRow>,
    pub workers_total: u32,
    pub workers_on_duty: u32,
    /// `platform` when asked live, `stored` when from the last sync.
    pub workers_from: String,
    /// Online first, at most 64 of them.
    pub cameras: Vec<CameraTile>,
    /// All the place's cameras, and how many of them are online.
    pub cameras_total: u32,
    pub cameras_online: u32,
    pub incidents: Vec<IncidentRow>,
    #[ts(type = "number")]
    pub incidents_total: u64,
    /// `[lon, lat]` to centre the map on.
    pub centre: Option<[f64; 2]>,
    pub at: String,
}

/// One step of an incident's closed loop.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct TimelineEntry {
    #[serde(default)]
    pub revision: Option<u32>,
    pub at: String,
    pub state: String,
    #[serde(default)]
    pub actor: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Attachment {
    pub kind: String,
    pub url: String,
}

/// An incident with everything the panel shows.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct IncidentDetail {
    pub incident: IncidentRow,
    pub description: String,
    pub assignee: Option<String>,
    pub handling_level: Option<String>,
    pub mediation_outcome: Option<String>,
    pub risk_colour: Option<String>,
    pub mass_incident: bool,
    pub reported_by: Option<String>,
    pub camera_id: Option<String>,
    pub attachments: Vec<Attachment>,
    pub timeline: Vec<TimelineEntry>,
    /// `platform` (with actors and notes) or `stored` (states and times only).
    pub timeline_from: String,
    pub breadcrumbs: Vec<Crumb>,
    /// Nearest online cameras to the incident, nearest first.
    pub cameras: Vec<CameraTile>,
    pub workers: Vec<WorkerRow>,
    /// Seconds until `due_at` at `at` (negative when overdue).
    #[ts(type = "number | null")]
    pub due_in_seconds: Option<i64>,
    pub at: String,
}

/// A search result.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct SearchHit {
    /// `incident`, `grid` or `worker`.
    pub kind: String,
    /// What the hit opens: the incident's grid, the grid, the worker's grid.
    pub place: Place,
    pub event_id: Option<String>,
    pub label: String,
    pub detail: String,
}

/// Errors a console call can end with.
#[derive(Debug, thiserror::Error)]
pub enum ConsoleError {
    #[error("{0} not found")]
    NotFound(String),
    #[error("{0}")]
    Invalid(String),
    #[error("the platform could not be reached: {0}")]
    Upstream(String),
    #[error("store: {0}")]
    Store(#[from] gridwall_store::Error),
}
