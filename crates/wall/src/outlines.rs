//! Town outlines drawn from the platform's own grid geometry.
//!
//! The governance contract serves the boundary of every grid but of no town,
//! and the map draws town borders over the grids. The simulator ships the
//! outlines of the towns its generator made (`assets/city/towns.geojson`),
//! which fit the simulator's grids only. Against a real platform a town's
//! outline is the union of its grids (the grid list says which town each grid
//! belongs to), so borders lie where the platform's own grids meet.
//!
//! Grids are seldom a perfect tiling: neighbours cut separately and rounded
//! to six decimals leave slivers centimetres wide between them. A plain
//! union keeps each sliver as a hole or an inlet, which the wall would draw as
//! a line across the town (343 of them in the simulator's 24 towns). So every
//! grid is grown by [`CLOSE_DEG`] before the union and the union shrunk by as
//! much after it (a morphological closing): gaps narrower than twice that
//! close, and the outline stays within [`CLOSE_DEG`] of where the grids put it.
//!
//! The union and the offsets are geo's (`unary_union` and `Buffer`, both on
//! i_overlay), not polygon clipping of our own: robust overlay of thousands of
//! near-degenerate rings is a library's job, and the library is the one the
//! city generator already uses.

use std::collections::{BTreeMap, HashMap};

use geo::orient::{Direction, Orient};
use geo::{
    Area, Buffer, Contains, Coord, InteriorPoint, MapCoords, MultiPolygon, Polygon, unary_union,
};
use gridwall_domain::governance::{Division, Grid};
use serde::Deserialize;
use serde_json::{Value, json};

/// How far each grid is grown before the union and the union shrunk after
/// it, in degrees (about 0.5 m). The simulator's slivers close from 5e-7;
/// ten times that leaves room for a real GIS export's, and is still far
/// below a pixel of the wall's map.
pub const CLOSE_DEG: f64 = 5e-6;

/// Pieces smaller than this, in square degrees (about 1 m²), are left-overs
/// of the closing, not land: dropped.
const MIN_AREA: f64 = 4.0 * CLOSE_DEG * CLOSE_DEG;

/// One town as the map draws it.
#[derive(Clone, Debug)]
pub struct TownOutline {
    /// The town's division code, as in the grid list's `town_code`.
    pub code: String,
    /// From the divisions; empty when the platform has no division of that code.
    pub name: String,
    pub shape: MultiPolygon<f64>,
    /// Where the town's name goes: inside the outline.
    pub label: Coord<f64>,
}

/// Every town's outline, dissolved from the platform's grids.
#[derive(Clone, Debug, Default)]
pub struct TownOutlines {
    /// By town code.
    pub towns: Vec<TownOutline>,
    /// Grid features left out: not in the grid list, or without a polygon.
    pub skipped: usize,
}

/// The geometry could not be read at all.
#[derive(Debug, thiserror::Error)]
#[error("the grid geometry is not a GeoJSON FeatureCollection: {0}")]
pub struct OutlineError(#[from] serde_json::Error);

/// The one part of a feature read eagerly; the geometry only of grids.
#[derive(Deserialize)]
struct Feature {
    #[serde(default)]
    properties: Option<HashMap<String, Value>>,
    #[serde(default)]
    geometry: Option<Value>,
}

#[derive(Deserialize)]
struct Collection {
    features: Vec<Feature>,
}

impl TownOutlines {
    /// Dissolves the grids of `geometry` (the platform's FeatureCollection:
    /// grids and micro-grids, Polygon or MultiPolygon, either winding) per
    /// town of `grids`, named from `divisions`. A feature that cannot be used
    /// is counted in `skipped`, never fatal: the wall shows what it can.
    ///
    /// CPU-bound (0.5 to 1.3 s for 1,724 grids in a debug build): call it off
    /// the async workers.
    pub fn from_grids(
        geometry: &str,
        grids: &[Grid],
        divisions: &[Division],
    ) -> Result<TownOutlines, OutlineError> {
        let town_of: HashMap<&str, &Grid> = grids.iter().map(|g| (g.grid_id.as_str(), g)).collect();
        let collection: Collection = serde_json::from_str(geometry)?;
        let mut parts: BTreeMap<&str, Vec<MultiPolygon<f64>>> = BTreeMap::new();
        let mut skipped = 0;
        for feature in collection.features {
            let Some(props) = feature.properties else {
                skipped += 1;
                continue;
            };
            if props.get("level").and_then(Value::as_str) != Some("grid") {
                continue;
            }
            let grid = props
                .get("grid_id")
                .and_then(Value::as_str)
                .and_then(|id| town_of.get(id));
            match (grid, feature.geometry.and_then(polygons)) {
                (Some(grid), Some(shape)) => parts
                    .entry(grid.town_code.as_str())
                    .or_default()
                    .push(shape),
                _ => skipped += 1,
            }
        }
        let names: HashMap<&str, &str> = divisions
            .iter()
            .map(|d| (d.code.as_str(), d.name.as_str()))
            .collect();
        let towns = parts
            .into_iter()
            .filter_map(|(code, parts)| {
                let shape = dissolve(&parts);
                let mine = grids.iter().filter(|g| g.town_code == code);
                let label = label_point(&shape, mine)?;
                Some(TownOutline {
                    code: code.to_owned(),
                    name: names.get(code).copied().unwrap_or_default().to_owned(),
                    shape,
                    label,
                })
            })
            .collect();
        Ok(TownOutlines { towns, skipped })
    }

    /// As the map reads `towns.geojson`: a FeatureCollection whose features
    /// carry `code`, `name` and `centroid` (the label point, `[lon, lat]`),
    /// coordinates rounded to 6 decimals (about 0.1 m) as the platform's are.
    pub fn to_geojson(&self) -> String {
        let round = |v: f64| (v * 1e6).round() / 1e6;
        let features: Vec<Value> = self
            .towns
            .iter()
            .map(|town| {
                let shape = town.shape.map_coords(|c| Coord {
                    x: round(c.x),
                    y: round(c.y),
                });
                json!({
                    "type": "Feature",
                    "properties": {
                        "code": town.code,
                        "name": town.name,
                        "centroid": [round(town.label.x), round(town.label.y)],
                    },
                    "geometry": geojson::Geometry::new(geojson::GeometryValue::from(&shape)),
                })
            })
            .collect();
        json!({ "type": "FeatureCollection", "features": features }).to_string()
    }
}

/// A feature's geometry as a MultiPolygon, if it is a Polygon or MultiPolygon.
fn polygons(geometry: Value) -> Option<MultiPolygon<f64>> {
    let geometry: geojson::Geometry = serde_json::from_value(geometry).ok()?;
    match geo::Geometry::<f64>::try_from(geometry).ok()? {
        geo::Geometry::Polygon(p) => Some(MultiPolygon(vec![p])),
        geo::Geometry::MultiPolygon(m) => Some(m),
        _ => None,
    }
}

/// The union of `parts` with the slivers between them closed (see the
/// module docs), exterior rings counter-clockwise.
pub fn dissolve(parts: &[MultiPolygon<f64>]) -> MultiPolygon<f64> {
    // unary_union takes its fill rule from the first ring's winding, so every
    // part is wound the standard way first, or a clockwise grid could count
    // as a hole in its town. (buffer's output happens to be wound so too;
    // this does not lean on it.)
    let grown: Vec<MultiPolygon<f64>> = parts
        .iter()
        .map(|p| p.orient(Direction::Default).buffer(CLOSE_DEG))
        .collect();
    let shape = unary_union(&grown).buffer(-CLOSE_DEG);
    let kept = shape
        .into_iter()
        .filter(|p| p.unsigned_area() >= MIN_AREA)
        .map(|p| {
            let (exterior, holes) = p.into_inner();
            let holes = holes
                .into_iter()
                .filter(|h| Polygon::new(h.clone(), vec![]).unsigned_area() >= MIN_AREA)
                .collect();
            Polygon::new(exterior, holes)
        })
        .collect();
    MultiPolygon(kept).orient(Direction::Default)
}

/// The town's population-weighted centre of its grids when that lies inside
/// the outline (near the town's seat, as the shipped outlines' labels are);
/// otherwise a point surely inside. None for an empty outline.
fn label_point<'a>(
    shape: &MultiPolygon<f64>,
    grids: impl Iterator<Item = &'a Grid>,
) -> Option<Coord<f64>> {
    let (mut x, mut y, mut w) = (0.0, 0.0, 0.0);
    for grid in grids {
        if let Some([lon, lat]) = grid.centroid {
            let weight = f64::from(grid.population.unwrap_or(1).max(1));
            x += lon * weight;
            y += lat * weight;
            w += weight;
        }
    }
    if w > 0.0 {
        let centre = Coord { x: x / w, y: y / w };
        if shape.contains(&centre) {
            return Some(centre);
        }
    }
    shape.interior_point().map(|p| p.0)
}

#[cfg(test)]
#[path = "outlines_tests.rs"]
mod tests;
