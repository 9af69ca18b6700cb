//! Who a broadcast reaches, counted from the workers list the way the
//! platform counts: everyone, or the workers whose grid is one of the
//! scope's grids or lies in one of its towns. Instructors who cover several
//! grids have no grid of their own and are reached only by "everyone"; they
//! are counted under the grid (and town) `""`.

use std::collections::{BTreeMap, HashSet};

use gridwall_domain::governance::BroadcastScope;
use gridwall_store::GridRecipients;
use gridwall_store::broadcast::town_of;

use super::{BroadcastError, RecipientPreview, TownRecipients};
use crate::console::Directory;

/// Refuses a scope the platform would refuse, before anything is written.
pub(super) fn check_scope(
    scope: &BroadcastScope,
    directory: &Directory,
) -> Result<(), BroadcastError> {
    if scope.is_empty() {
        return Err(BroadcastError::Invalid(
            "choose who receives it: everyone, some towns or some grids".into(),
        ));
    }
    if scope.all {
        return Ok(());
    }
    let towns = directory.towns();
    if let Some(town) = scope.town_codes.iter().find(|t| !towns.contains(t)) {
        return Err(BroadcastError::Invalid(format!("unknown town code {town}")));
    }
    if let Some(grid) = scope.grid_ids.iter().find(|g| !directory.has_grid(g)) {
        return Err(BroadcastError::Invalid(format!("unknown grid id {grid}")));
    }
    Ok(())
}

/// The recipients of `scope` per grid, by grid id.
pub(super) fn per_grid(scope: &BroadcastScope, directory: &Directory) -> Vec<GridRecipients> {
    let towns: HashSet<&str> = scope.town_codes.iter().map(String::as_str).collect();
    let grids: HashSet<&str> = scope.grid_ids.iter().map(String::as_str).collect();
    let mut counts: BTreeMap<&str, i64> = BTreeMap::new();
    for worker in directory.workers() {
        let grid = worker.grid_id.as_deref().unwrap_or("");
        let reached = scope.all
            || (!grid.is_empty()
                && (grids.contains(grid) || towns.contains(town_of(grid).as_str())));
        if reached {
            *counts.entry(grid).or_default() += 1;
        }
    }
    counts
        .into_iter()
        .map(|(grid, recipients)| GridRecipients {
            grid_id: grid.to_owned(),
            town_code: town_of(grid),
            recipients,
        })
        .collect()
}

/// The count per town of [`per_grid`], with the towns' names, largest
/// first (the town `""` last).
pub(super) fn preview(grids: &[GridRecipients], directory: &Directory) -> RecipientPreview {
    let mut towns: BTreeMap<&str, u32> = BTreeMap::new();
    for grid in grids {
        *towns.entry(grid.town_code.as_str()).or_default() += count(grid.recipients);
    }
    let mut towns: Vec<TownRecipients> = towns
        .into_iter()
        .map(|(code, recipients)| TownRecipients {
            name: town_name(code, directory),
            town_code: code.to_owned(),
            recipients,
        })
        .collect();
    towns.sort_by(|a, b| town_order(&a.town_code, &b.town_code, b.recipients.cmp(&a.recipients)));
    RecipientPreview {
        total: towns.iter().map(|t| t.recipients).sum(),
        grids: grids.iter().filter(|g| !g.grid_id.is_empty()).count() as u32,
        towns,
    }
}

/// Towns in the order `by` gives, ties by code, the town `""` always last.
pub(super) fn town_order(a: &str, b: &str, by: std::cmp::Ordering) -> std::cmp::Ordering {
    a.is_empty().cmp(&b.is_empty()).then(by).then(a.cmp(b))
}

/// A town's name; `""` for the town `""` (the UI names it in its language).
pub(super) fn town_name(code: &str, directory: &Directory) -> String {
    if code.is_empty() {
        String::new()
    } else {
        directory.name(code)
    }
}

pub(super) fn count(n: i64) -> u32 {
    u32::try_from(n.max(0)).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn directory() -> Directory {
        let division = |code: &str, name: &str, level: &str, parent: &str| {
            (
                code.to_owned(),
                format!(
                    r#"{{"code":"{code}","name":"{name}","level":"{level}","parent_code":"{parent}"}}"#
                ),
            )
        };
        let divisions = [
            division("330282004000", "浒山街道", "town", "330282000000"),
            division("330282004001", "解放社区", "village", "330282004000"),
            division("330282101000", "观海卫镇", "town", "330282000000"),
            division("330282101001", "卫北村", "village", "330282101000"),
        ];
        let grid = |id: &str, village: &str| {
            (
                id.to_owned(),
                format!(
                    r#"{{"grid_id":"{id}","name":"{id}","village_code":"{village}","town_code":"x","micro_grids":[]}}"#
                ),
            )
        };
        let grids = [
            grid("330282004001G01", "330282004001"),
            grid("330282004001G02", "330282004001"),
            grid("330282101001G01", "330282101001"),
        ];
        let worker = |id: &str, role: &str, grid: Option<&str>| {
            let grid = grid.map_or("null".to_owned(), |g| format!("\"{g}\""));
            (
                id.to_owned(),
                format!(
                    r#"{{"worker_id":"{id}","name":"{id}","role":"{role}","grid_id":{grid},"phone_masked":"138****0000"}}"#
                ),
            )
        };
        let workers = [
            worker("W1", "grid_leader", Some("330282004001G01")),
            worker("W2", "part_time", Some("330282004001G01")),
            worker("W3", "grid_leader", Some("330282004001G02")),
            worker("W4", "grid_leader", Some("330282101001G01")),
            worker("W5", "instructor", None),
        ];
        Directory::build(&divisions, &grids, &workers, &[])
    }

    #[test]
    fn everyone_counts_instructors_without_a_grid_and_towns_do_not() {
        let d = directory();
        let all = per_grid(
            &BroadcastScope {
                all: true,
                ..BroadcastScope::default()
            },
            &d,
        );
        let everyone = preview(&all, &d);
        assert_eq!(everyone.total, 5);
        let names: Vec<(&str, u32)> = everyone
            .towns
            .iter()
            .map(|t| (t.name.as_str(), t.recipients))
            .collect();
        assert_eq!(names, [("浒山街道", 3), ("观海卫镇", 1), ("", 1)]);

        let some = BroadcastScope {
            town_codes: vec!["330282101000".into()],
            grid_ids: vec!["330282004001G02".into()],
            ..BroadcastScope::default()
        };
        check_scope(&some, &d).unwrap();
        let grids = per_grid(&some, &d);
        assert_eq!(preview(&grids, &d).total, 2);
        assert_eq!(preview(&grids, &d).grids, 2);
    }

    #[test]
    fn an_empty_or_unknown_scope_is_refused_with_a_reason() {
        let d = directory();
        assert!(check_scope(&BroadcastScope::default(), &d).is_err());
        let unknown = BroadcastScope {
            grid_ids: vec!["330282999001G01".into()],
            ..BroadcastScope::default()
        };
        let err = check_scope(&unknown, &d).unwrap_err().to_string();
        assert!(err.contains("330282999001G01"), "{err}");
    }
}
