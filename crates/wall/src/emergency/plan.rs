//! An emergency plan (应急预案) as data: what the wall becomes when the
//! centre goes onto a war footing for it.
//!
//! Plans are TOML so that a centre can prepare them in advance and keep them
//! in version control; the store keeps the text as written, so an export is
//! the import. [`Plan::parse`] is the one gate: a plan that passes it can be
//! switched on without further checks.

use serde::{Deserialize, Serialize};

/// The kind of event a plan is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum PlanKind {
    Typhoon,
    Flood,
    MassGathering,
    PublicHealth,
    /// An exercise: runs like the real thing, with 演练 on every window.
    Drill,
}

/// What one window shows while the plan is in force.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Screen {
    /// The event zone: the map zoomed to the plan's scope, its alerts and
    /// the workforce on duty there.
    Zone,
    /// The camera matrix on the zone's cameras (or a saved scene).
    Cameras,
    /// The broadcast board: acknowledgements arriving.
    Broadcast,
    /// The peacetime wall, unchanged.
    Wall,
    /// The duty officer's console, unchanged.
    Console,
}

/// Where the plan applies: whole towns, single grids, or both.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scope {
    /// Town (street, zone) division codes, e.g. `330282107000` for 观海卫镇.
    #[serde(default)]
    pub towns: Vec<String>,
    #[serde(default)]
    pub grids: Vec<String>,
}

/// One window's part in the plan, by the label it has in the configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WindowPlan {
    pub label: String,
    pub show: Screen,
    /// For `cameras`: a saved scene by name; without one, the zone's cameras.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scene: Option<String>,
}

/// Alert thresholds while the plan is in force.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Thresholds {
    /// Alerts of this severity or more are pinned until acknowledged
    /// (peacetime: 3, 重大).
    #[serde(default = "default_pin_severity")]
    pub pin_severity: u8,
    /// Incidents this close to their deadline already count as due soon
    /// (peacetime: 60 minutes).
    #[serde(default = "default_due_soon_minutes")]
    pub due_soon_minutes: u32,
}

/// Peacetime's pin threshold: 重大 and 特别重大.
pub const PEACETIME_PIN_SEVERITY: u8 = 3;
/// Peacetime's "due soon" warning.
pub const PEACETIME_DUE_SOON_MINUTES: u32 = 60;

fn default_pin_severity() -> u8 {
    PEACETIME_PIN_SEVERITY
}

fn default_due_soon_minutes() -> u32 {
    PEACETIME_DUE_SOON_MINUTES
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            pin_severity: PEACETIME_PIN_SEVERITY,
            due_soon_minutes: PEACETIME_DUE_SOON_MINUTES,
        }
    }
}

/// A ready-made instruction for the broadcast composer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct BroadcastTemplate {
    pub title: String,
    pub body: String,
}

/// An emergency plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Plan {
    pub name: String,
    pub kind: PlanKind,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub scope: Scope,
    #[serde(default)]
    pub thresholds: Thresholds,
    #[serde(default, rename = "window")]
    pub windows: Vec<WindowPlan>,
    #[serde(default, rename = "broadcast")]
    pub broadcasts: Vec<BroadcastTemplate>,
}

/// Why a plan's text was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PlanError {
    #[error("the plan is not valid TOML: {0}")]
    Toml(String),
    #[error("the plan needs a name of 1 to 60 characters")]
    Name,
    #[error("the plan's scope names no town and no grid: give at least one")]
    EmptyScope,
    #[error("unknown town code {0:?} in the plan's scope")]
    UnknownTown(String),
    #[error("unknown grid id {0:?} in the plan's scope")]
    UnknownGrid(String),
    #[error("pin_severity must be 1 to 4, not {0}")]
    PinSeverity(u8),
    #[error("window {0:?} is given twice")]
    DuplicateWindow(String),
    #[error("a broadcast template needs a title of 1 to 200 characters and a body of at most 8000")]
    Template,
}

/// What the plan's scope may name: the towns and grids the platform knows.
pub trait Places {
    fn is_town(&self, code: &str) -> bool;
    fn is_grid(&self, id: &str) -> bool;
}

impl Plan {
    /// Parses and checks a plan. `places` is `None` before the reference data
    /// has arrived: codes are then checked only for shape.
    pub fn parse(text: &str, places: Option<&dyn Places>) -> Result<Plan, PlanError> {
        let plan: Plan = toml::from_str(text).map_err(|e| PlanError::Toml(e.to_string()))?;
        let name_len = plan.name.trim().chars().count();
        if name_len == 0 || name_len > 60 {
            return Err(PlanError::Name);
        }
        if plan.scope.towns.is_empty() && plan.scope.grids.is_empty() {
            return Err(PlanError::EmptyScope);
        }
        if let Some(places) = places {
            if let Some(town) = plan.scope.towns.iter().find(|t| !places.is_town(t)) {
                return Err(PlanError::UnknownTown(town.clone()));
            }
            if let Some(grid) = plan.scope.grids.iter().find(|g| !places.is_grid(g)) {
                return Err(PlanError::UnknownGrid(grid.clone()));
            }
        }
        if !(1..=4).contains(&plan.thresholds.pin_severity) {
            return Err(PlanError::PinSeverity(plan.thresholds.pin_severity));
        }
        let mut labels: Vec<&str> = plan.windows.iter().map(|w| w.label.as_str()).collect();
        labels.sort_unstable();
        if let Some(pair) = labels.windows(2).find(|p| p[0] == p[1]) {
            return Err(PlanError::DuplicateWindow(pair[0].to_owned()));
        }
        for t in &plan.broadcasts {
            let title = t.title.chars().count();
            if title == 0 || title > 200 || t.body.chars().count() > 8_000 {
                return Err(PlanError::Template);
            }
        }
        Ok(plan)
    }

    pub fn is_drill(&self) -> bool {
        self.kind == PlanKind::Drill
    }

    /// What the window `label` shows under this plan; `peacetime` is what
    /// its configuration shows. Windows the plan does not name follow their
    /// kind: a wall shows the zone, a video screen the zone's cameras, a
    /// console stays a console.
    pub fn screen_for(&self, label: &str, peacetime: crate::feed::Layout) -> Screen {
        use crate::feed::Layout;
        if let Some(w) = self.windows.iter().find(|w| w.label == label) {
            return w.show;
        }
        match peacetime {
            Layout::Wall => Screen::Zone,
            Layout::Video => Screen::Cameras,
            Layout::Console => Screen::Console,
        }
    }
}

/// The sample plans the app ships: put in the store on first start, so a
/// new centre has something to switch to and something to copy.
pub const SAMPLES: [&str; 2] = [
    include_str!("../../../../assets/plans/typhoon.toml"),
    include_str!("../../../../assets/plans/drill.toml"),
];

#[cfg(test)]
mod tests {
    use super::*;

    struct Cixi;
    impl Places for Cixi {
        fn is_town(&self, code: &str) -> bool {
            code.starts_with("330282") && code.ends_with("000")
        }
        fn is_grid(&self, id: &str) -> bool {
            id.contains('G')
        }
    }

    #[test]
    fn the_sample_plans_parse() {
        let typhoon = Plan::parse(SAMPLES[0], Some(&Cixi)).unwrap();
        assert_eq!(typhoon.kind, PlanKind::Typhoon);
        assert!(!typhoon.scope.towns.is_empty());
        assert!(typhoon.thresholds.pin_severity < PEACETIME_PIN_SEVERITY);
        assert!(!typhoon.broadcasts.is_empty());
        let drill = Plan::parse(SAMPLES[1], Some(&Cixi)).unwrap();
        assert!(drill.is_drill());
    }

    #[test]
    fn a_bad_plan_says_what_is_wrong() {
        let base = "name = \"x\"\nkind = \"flood\"\n";
        assert_eq!(Plan::parse(base, None), Err(PlanError::EmptyScope));
        let town = format!("{base}[scope]\ntowns = [\"999\"]\n");
        assert_eq!(
            Plan::parse(&town, Some(&Cixi)),
            Err(PlanError::UnknownTown("999".into()))
        );
        let severity =
            format!("{base}[scope]\ntowns = [\"330282107000\"]\n[thresholds]\npin_severity = 0\n");
        assert_eq!(
            Plan::parse(&severity, Some(&Cixi)),
            Err(PlanError::PinSeverity(0))
        );
        let twice = format!(
            "{base}[scope]\ngrids = [\"1G01\"]\n[[window]]\nlabel = \"a\"\nshow = \"zone\"\n\
             [[window]]\nlabel = \"a\"\nshow = \"cameras\"\n"
        );
        assert_eq!(
            Plan::parse(&twice, Some(&Cixi)),
            Err(PlanError::DuplicateWindow("a".into()))
        );
        assert!(matches!(
            Plan::parse("name = \"x\"\nkind = \"meteor\"\n", None),
            Err(PlanError::Toml(_))
        ));
    }

    #[test]
    fn unnamed_windows_follow_their_kind() {
        use crate::feed::Layout;
        let plan = Plan::parse(SAMPLES[0], None).unwrap();
        assert_eq!(plan.screen_for("nobody", Layout::Wall), Screen::Zone);
        assert_eq!(plan.screen_for("nobody", Layout::Video), Screen::Cameras);
        assert_eq!(plan.screen_for("nobody", Layout::Console), Screen::Console);
    }
}
