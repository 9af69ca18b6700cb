//! What windows are told about the footing: the types that cross the IPC
//! boundary (exported to TypeScript).

use serde::Serialize;
use ts_rs::TS;

use super::plan::{BroadcastTemplate, PlanKind, Screen};

/// The plan in force, as every window needs it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct FootingView {
    pub plan: String,
    pub kind: PlanKind,
    /// A drill: 演练 on every window while it lasts.
    pub drill: bool,
    pub description: String,
    /// RFC 3339, platform time.
    pub started_at: String,
    pub proposed_by: String,
    pub confirmed_by: String,
    /// The scope's towns by name, for the banner.
    pub towns: Vec<String>,
    /// Every grid in the scope (the map zooms to them and outlines them).
    pub grids: Vec<String>,
    /// What each configured window shows.
    pub screens: Vec<WindowScreen>,
    /// The zone's cameras, nearest the scope first (for `cameras` screens
    /// without a scene of their own).
    pub cameras: Vec<String>,
    pub pin_severity: u8,
    pub due_soon_minutes: u32,
    pub templates: Vec<BroadcastTemplate>,
    /// Grid workers in the scope, and how many of them are on duty.
    pub workers: u32,
    pub workers_on_duty: u32,
    /// Grid leaders on duty in the scope, for the zone screen's roster.
    pub leaders: Vec<OnDuty>,
}

/// One window's screen under the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct WindowScreen {
    pub label: String,
    pub show: Screen,
    /// For `cameras`: a saved scene by name.
    pub scene: Option<String>,
}

/// A worker on duty in the zone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct OnDuty {
    pub name: String,
    pub grid: String,
    pub phone: Option<String>,
}

/// A proposal waiting for its second person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ProposalView {
    #[ts(type = "number")]
    pub id: i64,
    /// `on` or `off`.
    pub action: String,
    pub plan: String,
    pub proposed_by: String,
    /// RFC 3339, real time: when it lapses unless confirmed.
    pub expires_at: String,
}

/// A plan in the console's list.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct PlanSummary {
    pub name: String,
    pub kind: PlanKind,
    pub description: String,
    pub towns: Vec<String>,
    #[ts(type = "number")]
    pub grids: u32,
    pub pin_severity: u8,
    pub templates: Vec<BroadcastTemplate>,
    /// The plan as TOML (what export writes).
    pub toml: String,
    pub updated_by: String,
}
