//! Names, the division tree, workers and cameras, built from the reference
//! records ingest stored and held in memory by the console.

use std::collections::HashMap;

use serde::Deserialize;

use super::types::{Crumb, LevelKind, Place, WorkerRow};
use crate::video::{self, CameraTile};

/// Names and reference lists, from the records ingest stored.
#[derive(Default)]
pub struct Directory {
    pub(super) names: HashMap<String, String>,
    /// Children of each division code (and of "" for the city), sorted.
    pub(super) children: HashMap<String, Vec<String>>,
    pub(super) centroids: HashMap<String, [f64; 2]>,
    /// Micro-grids of each grid.
    pub(super) micro: HashMap<String, Vec<(String, String)>>,
    pub(super) workers: Vec<WorkerRow>,
    pub(super) cameras: Vec<CameraTile>,
}

#[derive(Deserialize)]
struct RawDivision {
    code: String,
    name: String,
    level: String,
    #[serde(default)]
    parent_code: Option<String>,
}

#[derive(Deserialize)]
struct RawGrid {
    grid_id: String,
    name: String,
    village_code: String,
    #[serde(default)]
    centroid: Option<Vec<f64>>,
    #[serde(default)]
    micro_grids: Vec<RawMicro>,
}

#[derive(Deserialize)]
struct RawMicro {
    micro_grid_id: String,
    #[serde(default)]
    name: Option<String>,
}

impl Directory {
    /// Builds the directory from the stored reference records; a record that
    /// does not parse is skipped (counted in the log).
    pub fn build(
        divisions: &[(String, String)],
        grids: &[(String, String)],
        workers: &[(String, String)],
        cameras: &[(String, String)],
    ) -> Directory {
        let mut d = Directory::default();
        let mut skipped = 0usize;
        for (_, raw) in divisions {
            let Ok(division) = serde_json::from_str::<RawDivision>(raw) else {
                skipped += 1;
                continue;
            };
            let parent = match division.level.as_str() {
                "town" => Some(String::new()),
                "village" => division.parent_code.clone(),
                _ => None,
            };
            if let Some(parent) = parent {
                d.children
                    .entry(parent)
                    .or_default()
                    .push(division.code.clone());
            }
            d.names.insert(division.code, division.name);
        }
        for (_, raw) in grids {
            let Ok(grid) = serde_json::from_str::<RawGrid>(raw) else {
                skipped += 1;
                continue;
            };
            if let Some(&[lon, lat]) = grid
                .centroid
                .as_deref()
                .and_then(|c| <&[f64; 2]>::try_from(c).ok())
            {
                d.centroids.insert(grid.grid_id.clone(), [lon, lat]);
            }
            d.children
                .entry(grid.village_code.clone())
                .or_default()
                .push(grid.grid_id.clone());
            let micro = grid
                .micro_grids
                .into_iter()
                .map(|m| {
                    let name = m.name.unwrap_or_else(|| m.micro_grid_id.clone());
                    (m.micro_grid_id, name)
                })
                .collect();
            d.micro.insert(grid.grid_id.clone(), micro);
            d.names.insert(grid.grid_id, grid.name);
        }
        for list in d.children.values_mut() {
            list.sort();
            list.dedup();
        }
        for (_, raw) in workers {
            match serde_json::from_str::<WorkerRow>(raw) {
                Ok(worker) => d.workers.push(worker),
                Err(_) => skipped += 1,
            }
        }
        d.cameras = video::catalogue(cameras);
        if skipped > 0 {
            tracing::warn!(
                skipped,
                "reference records that do not parse were left out of the console"
            );
        }
        d
    }

    /// Whether `code` is a town (street, development zone).
    pub fn is_town(&self, code: &str) -> bool {
        self.children
            .get("")
            .is_some_and(|towns| towns.binary_search_by(|t| t.as_str().cmp(code)).is_ok())
    }

    /// Every grid under a town or village code (or the grid itself), sorted.
    pub fn grids_under(&self, code: &str) -> Vec<String> {
        if self.has_grid(code) {
            return vec![code.to_owned()];
        }
        let mut out = Vec::new();
        for child in self.children.get(code).into_iter().flatten() {
            out.extend(self.grids_under(child));
        }
        out
    }

    pub fn centroid(&self, grid: &str) -> Option<[f64; 2]> {
        self.centroids.get(grid).copied()
    }

    pub fn cameras(&self) -> &[CameraTile] {
        &self.cameras
    }

    /// The name of a division, grid or micro-grid; the code when unknown.
    pub fn name(&self, code: &str) -> String {
        if code.is_empty() {
            return "慈溪市".to_owned();
        }
        if let Some(name) = self.names.get(code) {
            return name.clone();
        }
        if let Some(grid) = code.get(..code.len().saturating_sub(3))
            && let Some(micro) = self.micro.get(grid)
            && let Some((_, name)) = micro.iter().find(|(id, _)| id == code)
        {
            return name.clone();
        }
        code.to_owned()
    }

    /// From the city down to `place`.
    pub fn breadcrumbs(&self, place: &Place) -> Vec<Crumb> {
        let id = place.id.as_str();
        let mut out = vec![Crumb {
            place: Place::city(),
            name: self.name(""),
        }];
        let town = |code: &str| format!("{}000", code.get(..9).unwrap_or(code));
        let mut push = |level, code: String| {
            out.push(Crumb {
                name: self.name(&code),
                place: Place { level, id: code },
            })
        };
        match place.level {
            LevelKind::City => {}
            LevelKind::Town => push(LevelKind::Town, id.to_owned()),
            LevelKind::Village => {
                push(LevelKind::Town, town(id));
                push(LevelKind::Village, id.to_owned());
            }
            LevelKind::Grid | LevelKind::MicroGrid => {
                push(LevelKind::Town, town(id));
                push(LevelKind::Village, id.get(..12).unwrap_or(id).to_owned());
                let grid = id.get(..15).unwrap_or(id).to_owned();
                push(LevelKind::Grid, grid);
                if place.level == LevelKind::MicroGrid {
                    push(LevelKind::MicroGrid, id.to_owned());
                }
            }
        }
        out
    }

    pub(super) fn children_of(&self, place: &Place) -> Vec<Place> {
        let (level, ids): (LevelKind, Vec<String>) = match place.level {
            LevelKind::City => (
                LevelKind::Town,
                self.children.get("").cloned().unwrap_or_default(),
            ),
            LevelKind::Town => (
                LevelKind::Village,
                self.children.get(&place.id).cloned().unwrap_or_default(),
            ),
            LevelKind::Village => (
                LevelKind::Grid,
                self.children.get(&place.id).cloned().unwrap_or_default(),
            ),
            LevelKind::Grid => (
                LevelKind::MicroGrid,
                self.micro
                    .get(&place.id)
                    .map(|m| m.iter().map(|(id, _)| id.clone()).collect())
                    .unwrap_or_default(),
            ),
            LevelKind::MicroGrid => (LevelKind::MicroGrid, Vec::new()),
        };
        ids.into_iter().map(|id| Place { level, id }).collect()
    }

    /// The centre of a place: its grid's centroid, or the mean of its grids'.
    pub(super) fn centre(&self, place: &Place) -> Option<[f64; 2]> {
        let grid = place.id.get(..15).unwrap_or(&place.id);
        if matches!(place.level, LevelKind::Grid | LevelKind::MicroGrid) {
            return self.centroids.get(grid).copied();
        }
        let (mut lon, mut lat, mut n) = (0.0, 0.0, 0.0);
        for (id, c) in &self.centroids {
            if place.holds_grid(id) {
                lon += c[0];
                lat += c[1];
                n += 1.0;
            }
        }
        (n > 0.0).then(|| [lon / n, lat / n])
    }

    pub fn grid_count(&self) -> usize {
        self.centroids.len()
    }

    /// The whole workforce, as last synced.
    pub fn workers(&self) -> &[WorkerRow] {
        &self.workers
    }

    /// The codes of every town (and street), sorted.
    pub fn towns(&self) -> &[String] {
        self.children.get("").map(Vec::as_slice).unwrap_or_default()
    }

    /// Whether `grid_id` is a grid of the city.
    pub fn has_grid(&self, grid_id: &str) -> bool {
        self.micro.contains_key(grid_id)
    }
}
