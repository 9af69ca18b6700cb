//! The map as the brain needs it: each grid's village and town, the names
//! to write in explanations, and which grids are neighbours.
//!
//! Adjacency comes from the grid boundaries the platform serves
//! (`/reference/geometry`, GeoJSON): two grids are neighbours when they share
//! a stretch of border, that is when two distinct points of one's boundary
//! lie on the other's (within [`SNAP_DEG`]). Vertices are tested against
//! the other grid's edges, not its vertices, because grids on either side of
//! a village border are cut separately and need not share vertices; the
//! tolerance absorbs the slivers of rounding between them. A single shared
//! point (grids touching at a corner) is not a border. Candidate pairs come
//! from a sweep over bounding boxes, so only grids that nearly touch are
//! compared.

use std::collections::{BTreeSet, HashMap};

use gridwall_domain::governance::{Division, Grid};
use serde_json::Value;

use crate::Result;
use crate::warning::{Place, PlaceLevel};

/// How close two vertices must be to count as the same point: about 5 m.
pub const SNAP_DEG: f64 = 5e-5;

/// Where a grid sits in the tree.
#[derive(Clone, Debug)]
pub struct GridInfo {
    pub village: String,
    pub town: String,
}

/// Grids, their parents, names and neighbours.
#[derive(Clone, Debug, Default)]
pub struct Places {
    grids: HashMap<String, GridInfo>,
    names: HashMap<String, String>,
    neighbours: HashMap<String, Vec<String>>,
}

impl Places {
    /// From the reference data. `geometry` is the platform's GeoJSON
    /// FeatureCollection; features other than grids (micro-grids) are skipped,
    /// and a feature without coordinates is ignored, never fatal.
    pub fn new(divisions: &[Division], grids: &[Grid], geometry: &str) -> Result<Places> {
        let mut places = Places::default();
        for d in divisions {
            places.names.insert(d.code.clone(), d.name.clone());
        }
        for g in grids {
            places.names.insert(g.grid_id.clone(), g.name.clone());
            places.grids.insert(
                g.grid_id.clone(),
                GridInfo {
                    village: g.village_code.clone(),
                    town: g.town_code.clone(),
                },
            );
        }
        let collection: Value = serde_json::from_str(geometry)?;
        let mut borders: Vec<(String, Vec<[f64; 2]>)> = Vec::new();
        for feature in collection["features"].as_array().into_iter().flatten() {
            let props = &feature["properties"];
            if props["level"].as_str() != Some("grid") {
                continue;
            }
            let Some(id) = props["grid_id"].as_str() else {
                continue;
            };
            let mut points = Vec::new();
            collect_points(&feature["geometry"]["coordinates"], &mut points);
            borders.push((id.to_owned(), points));
        }
        places.neighbours = adjacency(&borders);
        Ok(places)
    }

    /// The village and town of a grid, if the grid is known.
    pub fn grid(&self, grid_id: &str) -> Option<&GridInfo> {
        self.grids.get(grid_id)
    }

    /// The grid, its village and its town.
    pub fn chain(&self, grid_id: &str) -> Option<[Place; 3]> {
        let info = self.grids.get(grid_id)?;
        Some([
            Place::new(PlaceLevel::Grid, grid_id),
            Place::new(PlaceLevel::Village, info.village.clone()),
            Place::new(PlaceLevel::Town, info.town.clone()),
        ])
    }

    /// The grid ids that share a border with `grid_id`, sorted.
    pub fn neighbours(&self, grid_id: &str) -> &[String] {
        self.neighbours.get(grid_id).map_or(&[], Vec::as_slice)
    }

    /// A place's name, or its code when the reference data has none.
    pub fn name<'a>(&'a self, code: &'a str) -> &'a str {
        self.names.get(code).map_or(code, String::as_str)
    }

    /// The town of a place (itself for a town), where known.
    pub fn town_of<'a>(&'a self, place: &'a Place) -> Option<&'a str> {
        match place.level {
            PlaceLevel::Town => Some(&place.code),
            PlaceLevel::Grid => self.grids.get(&place.code).map(|g| g.town.as_str()),
            PlaceLevel::Village => self
                .grids
                .values()
                .find(|g| g.village == place.code)
                .map(|g| g.town.as_str()),
        }
    }

    /// Every town with at least one grid.
    pub fn towns(&self) -> BTreeSet<&str> {
        self.grids.values().map(|g| g.town.as_str()).collect()
    }
}

/// Every `[lon, lat]` pair in a GeoJSON coordinates tree (Polygon or MultiPolygon).
fn collect_points(value: &Value, out: &mut Vec<[f64; 2]>) {
    let Some(items) = value.as_array() else {
        return;
    };
    if let [Value::Number(lon), Value::Number(lat), ..] = items.as_slice() {
        if let (Some(lon), Some(lat)) = (lon.as_f64(), lat.as_f64())
            && lon.is_finite()
            && lat.is_finite()
        {
            out.push([lon, lat]);
        }
        return;
    }
    for item in items {
        collect_points(item, out);
    }
}

/// Distance from `p` to the segment `a`–`b`, in degrees.
fn to_segment(p: [f64; 2], a: [f64; 2], b: [f64; 2]) -> f64 {
    let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
    let len2 = dx * dx + dy * dy;
    let t = if len2 > 0.0 {
        (((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let (x, y) = (a[0] + t * dx - p[0], a[1] + t * dy - p[1]);
    (x * x + y * y).sqrt()
}

/// The vertices of `a` on the boundary of `b` (within the tolerance).
fn touching(a: &[[f64; 2]], b: &[[f64; 2]], out: &mut Vec<[f64; 2]>) {
    out.extend(a.iter().copied().filter(|&p| {
        b.windows(2)
            .any(|seg| to_segment(p, seg[0], seg[1]) <= SNAP_DEG)
    }));
}

/// Whether the points hold two that are further apart than the tolerance.
fn two_apart(points: &[[f64; 2]]) -> bool {
    let Some(first) = points.first() else {
        return false;
    };
    points
        .iter()
        .any(|p| (p[0] - first[0]).hypot(p[1] - first[1]) > SNAP_DEG)
}

/// Grids sharing a stretch of border. See the module docs.
fn adjacency(borders: &[(String, Vec<[f64; 2]>)]) -> HashMap<String, Vec<String>> {
    // Bounding boxes, swept along longitude, give the candidate pairs.
    let mut boxes: Vec<(usize, [f64; 4])> = borders
        .iter()
        .enumerate()
        .filter(|(_, (_, points))| !points.is_empty())
        .map(|(i, (_, points))| {
            let mut bb = [f64::MAX, f64::MAX, f64::MIN, f64::MIN];
            for p in points {
                bb = [
                    bb[0].min(p[0]),
                    bb[1].min(p[1]),
                    bb[2].max(p[0]),
                    bb[3].max(p[1]),
                ];
            }
            (i, bb)
        })
        .collect();
    boxes.sort_by(|a, b| a.1[0].total_cmp(&b.1[0]));
    let mut neighbours: HashMap<String, Vec<String>> = HashMap::new();
    for (k, (i, a)) in boxes.iter().enumerate() {
        for (j, b) in &boxes[k + 1..] {
            if b[0] > a[2] + SNAP_DEG {
                break;
            }
            if b[1] > a[3] + SNAP_DEG || a[1] > b[3] + SNAP_DEG {
                continue;
            }
            let (pa, pb) = (&borders[*i].1, &borders[*j].1);
            // Both ways: where the vertices along a border differ, the
            // stretch's two ends are each a vertex of one grid or the other.
            let mut shared = Vec::new();
            touching(pa, pb, &mut shared);
            touching(pb, pa, &mut shared);
            if two_apart(&shared) {
                let (x, y) = (&borders[*i].0, &borders[*j].0);
                neighbours.entry(x.clone()).or_default().push(y.clone());
                neighbours.entry(y.clone()).or_default().push(x.clone());
            }
        }
    }
    for list in neighbours.values_mut() {
        list.sort();
        list.dedup();
    }
    neighbours
}

#[cfg(test)]
mod tests {
    use super::*;

    fn square(id: &str, x: f64, y: f64) -> String {
        format!(
            r#"{{"type":"Feature","properties":{{"level":"grid","grid_id":"{id}"}},
               "geometry":{{"type":"Polygon","coordinates":[[[{x},{y}],[{x1},{y}],[{x1},{y1}],[{x},{y1}],[{x},{y}]]]}}}}"#,
            x1 = x + 0.01,
            y1 = y + 0.01
        )
    }

    #[test]
    fn grids_sharing_a_side_are_neighbours_and_a_corner_is_not() {
        // A B
        // . C   (C touches A only at a corner)
        let fc = format!(
            r#"{{"type":"FeatureCollection","features":[{},{},{},
               {{"type":"Feature","properties":{{"level":"micro_grid","grid_id":"A"}},"geometry":null}},
               {{"type":"Feature","properties":{{"level":"grid","grid_id":"broken"}},"geometry":{{"coordinates":[["x"]]}}}}]}}"#,
            square("A", 121.0, 30.01),
            // A sliver of rounding off: still a shared side.
            square("B", 121.010_001, 30.01),
            square("C", 121.01, 30.0),
        );
        let places = Places::new(&[], &[], &fc).unwrap();
        assert_eq!(places.neighbours("A"), ["B"]);
        assert_eq!(places.neighbours("B"), ["A", "C"]);
        assert_eq!(places.neighbours("C"), ["B"]);
        assert!(places.neighbours("broken").is_empty());
    }

    #[test]
    fn geometry_that_is_not_json_is_an_error_not_a_panic() {
        assert!(Places::new(&[], &[], "{not json").is_err());
    }
}
