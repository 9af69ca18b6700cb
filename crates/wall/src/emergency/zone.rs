//! A plan's scope resolved against the reference data: the grids it covers,
//! the cameras and the workforce there, and what each window shows.

use std::collections::BTreeSet;

use gridwall_store::{Footing, StoredPlan};

use super::plan::{Places, Plan};
use super::view::{FootingView, OnDuty, PlanSummary, WindowScreen};
use crate::console::Directory;
use crate::feed::Layout;

/// The zone's camera matrix holds at most this many (a 16-tile layout).
const ZONE_CAMERAS: usize = 16;
/// The zone screen's roster lists at most this many grid leaders.
const ROSTER: usize = 60;

impl Places for Directory {
    fn is_town(&self, code: &str) -> bool {
        Directory::is_town(self, code)
    }
    fn is_grid(&self, id: &str) -> bool {
        self.has_grid(id)
    }
}

/// Every grid the scope covers, sorted (empty without reference data).
pub(super) fn grids(plan: &Plan, directory: Option<&Directory>) -> Vec<String> {
    let Some(d) = directory else {
        return Vec::new();
    };
    let mut out = BTreeSet::new();
    for code in plan.scope.towns.iter().chain(&plan.scope.grids) {
        out.extend(d.grids_under(code));
    }
    out.into_iter().collect()
}

fn town_names(plan: &Plan, directory: Option<&Directory>) -> Vec<String> {
    plan.scope
        .towns
        .iter()
        .map(|code| directory.map_or_else(|| code.clone(), |d| d.name(code)))
        .collect()
}

/// What windows show while `plan` is in force, switched on as `footing` says.
pub(super) fn view(
    plan: &Plan,
    footing: &Footing,
    directory: Option<&Directory>,
    windows: &[(String, Layout)],
) -> FootingView {
    let grids = grids(plan, directory);
    let in_zone: BTreeSet<&str> = grids.iter().map(String::as_str).collect();
    let (mut workers, mut on_duty, mut leaders) = (0, 0, Vec::new());
    let mut cameras = Vec::new();
    if let Some(d) = directory {
        for w in d.workers() {
            let Some(grid) = w.grid_id.as_deref().filter(|g| in_zone.contains(g)) else {
                continue;
            };
            workers += 1;
            if w.on_duty {
                on_duty += 1;
                if w.role == "grid_leader" && leaders.len() < ROSTER {
                    leaders.push(OnDuty {
                        name: w.name.clone(),
                        grid: d.name(grid),
                        phone: w.phone_masked.clone(),
                    });
                }
            }
        }
        cameras = zone_cameras(d, &in_zone);
    }
    let screens = windows
        .iter()
        .map(|(label, layout)| WindowScreen {
            label: label.clone(),
            show: plan.screen_for(label, *layout),
            scene: plan
                .windows
                .iter()
                .find(|w| &w.label == label)
                .and_then(|w| w.scene.clone()),
        })
        .collect();
    FootingView {
        plan: plan.name.clone(),
        kind: plan.kind,
        drill: plan.is_drill(),
        description: plan.description.clone(),
        started_at: crate::console::local_rfc3339(footing.started_at),
        proposed_by: footing.proposed_by.clone(),
        confirmed_by: footing.confirmed_by.clone(),
        towns: town_names(plan, directory),
        grids,
        screens,
        cameras,
        pin_severity: plan.thresholds.pin_severity,
        due_soon_minutes: plan.thresholds.due_soon_minutes,
        templates: plan.broadcasts.clone(),
        workers,
        workers_on_duty: on_duty,
        leaders,
    }
}

/// The zone's online cameras, spread over its grids (one per grid in turn,
/// so a zone of many grids is not all one street), then the cameras nearest
/// the zone's first grid when the zone has too few of its own.
fn zone_cameras(d: &Directory, in_zone: &BTreeSet<&str>) -> Vec<String> {
    let mut by_grid: std::collections::BTreeMap<&str, Vec<&str>> = Default::default();
    for c in d.cameras().iter().filter(|c| c.online) {
        if let Some(grid) = c.grid_id.as_deref().filter(|g| in_zone.contains(g)) {
            by_grid.entry(grid).or_default().push(&c.camera_id);
        }
    }
    let mut out: Vec<String> = Vec::new();
    for round in 0.. {
        let before = out.len();
        for ids in by_grid.values() {
            if out.len() == ZONE_CAMERAS {
                return out;
            }
            if let Some(id) = ids.get(round) {
                out.push((*id).to_owned());
            }
        }
        if out.len() == before {
            break;
        }
    }
    if let Some(at) = in_zone.iter().find_map(|g| d.centroid(g)) {
        for c in crate::console::nearest_cameras(d.cameras(), at, ZONE_CAMERAS) {
            if out.len() == ZONE_CAMERAS {
                break;
            }
            if !out.contains(&c.camera_id) {
                out.push(c.camera_id);
            }
        }
    }
    out
}

/// A plan as the console's list shows it.
pub(super) fn summary(
    plan: &Plan,
    stored: &StoredPlan,
    directory: Option<&Directory>,
) -> PlanSummary {
    PlanSummary {
        name: plan.name.clone(),
        kind: plan.kind,
        description: plan.description.clone(),
        towns: town_names(plan, directory),
        grids: grids(plan, directory).len() as u32,
        pin_severity: plan.thresholds.pin_severity,
        templates: plan.broadcasts.clone(),
        toml: stored.plan_toml.clone(),
        updated_by: stored.updated_by.clone(),
    }
}
