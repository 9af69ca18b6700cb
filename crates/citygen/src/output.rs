//! Writing the city as the files the simulator embeds: `divisions.json` and `grids.json` (the shapes
//! of the governance contract), `geometry.geojson` (every grid and micro-grid), and the smaller
//! `towns.geojson` and `villages.geojson` for map labels.
//!
//! Coordinates are rounded to 6 decimals (about 0.1 m). Shared vertices round identically, so the
//! tiling survives; consecutive duplicates left by rounding are removed. JSON arrays hold one record
//! per line so the committed files diff readably.

use std::path::Path;

use anyhow::{Context, Result};
use geo::orient::{Direction, Orient};
use geo::{Coord, LineString, MultiPolygon};
use serde::Serialize;
use serde_json::{Value, json};

use crate::City;
use crate::geodata::COUNTY_CODE;

/// The five files, as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CityFiles {
    pub divisions: String,
    pub grids: String,
    pub geometry: String,
    pub towns: String,
    pub villages: String,
}

impl CityFiles {
    /// `(file name, contents)` of every file.
    pub fn named(&self) -> [(&'static str, &str); 5] {
        [
            ("divisions.json", &self.divisions),
            ("grids.json", &self.grids),
            ("geometry.geojson", &self.geometry),
            ("towns.geojson", &self.towns),
            ("villages.geojson", &self.villages),
        ]
    }
}

/// Rounds a coordinate to 6 decimals.
pub fn round6(v: f64) -> f64 {
    (v * 1e6).round() / 1e6
}

fn point(c: Coord<f64>) -> [f64; 2] {
    [round6(c.x), round6(c.y)]
}

/// A ring rounded, without the consecutive duplicates rounding leaves; `None` if it collapses.
fn rounded_ring(ring: &LineString<f64>) -> Option<Vec<[f64; 2]>> {
    let mut out: Vec<[f64; 2]> = Vec::with_capacity(ring.0.len());
    for &c in &ring.0 {
        let p = point(c);
        if out.last() != Some(&p) {
            out.push(p);
        }
    }
    (out.len() >= 4).then_some(out)
}

/// A GeoJSON geometry (Polygon for one piece, MultiPolygon otherwise), rounded, exteriors
/// counter-clockwise as RFC 7946 asks.
fn geometry(shape: &MultiPolygon<f64>) -> Value {
    let polygons: Vec<Vec<Vec<[f64; 2]>>> = shape
        .orient(Direction::Default)
        .0
        .iter()
        .filter_map(|polygon| {
            // A ring that rounding collapses (fewer than four positions) is a sliver; a polygon
            // whose outer ring collapses goes with it.
            let exterior = rounded_ring(polygon.exterior())?;
            Some(
                std::iter::once(exterior)
                    .chain(polygon.interiors().iter().filter_map(rounded_ring))
                    .collect(),
            )
        })
        .collect();
    if polygons.len() == 1 {
        json!({"type": "Polygon", "coordinates": polygons[0]})
    } else {
        json!({"type": "MultiPolygon", "coordinates": polygons})
    }
}

fn feature(properties: Value, shape: &MultiPolygon<f64>) -> Value {
    json!({"type": "Feature", "properties": properties, "geometry": geometry(shape)})
}

/// `{"<key>":[` one item per line `]}`.
fn one_per_line<T: Serialize>(head: &str, items: &[T], tail: &str) -> String {
    let mut out = String::from(head);
    out.push('\n');
    for (i, item) in items.iter().enumerate() {
        out.push_str(&serde_json::to_string(item).expect("records serialize"));
        if i + 1 < items.len() {
            out.push(',');
        }
        out.push('\n');
    }
    out.push_str(tail);
    out.push('\n');
    out
}

fn feature_collection(features: &[Value]) -> String {
    one_per_line(
        r#"{"type":"FeatureCollection","features":["#,
        features,
        "]}",
    )
}

#[derive(Serialize)]
struct DivisionOut<'a> {
    code: &'a str,
    name: &'a str,
    level: &'a str,
    parent_code: Option<&'a str>,
}

#[derive(Serialize)]
struct MicroGridOut<'a> {
    micro_grid_id: &'a str,
    name: &'a str,
}

#[derive(Serialize)]
struct GridOut<'a> {
    grid_id: &'a str,
    name: &'a str,
    village_code: &'a str,
    town_code: &'a str,
    kind: &'a str,
    centroid: [f64; 2],
    population: u64,
    households: u64,
    micro_grids: Vec<MicroGridOut<'a>>,
}

/// Renders the city as file contents.
pub fn render(city: &City) -> CityFiles {
    let county = &city.geodata.county;
    let mut divisions = vec![DivisionOut {
        code: COUNTY_CODE,
        name: &county.name,
        level: "city",
        parent_code: None,
    }];
    divisions.extend(city.towns.iter().map(|t| DivisionOut {
        code: &t.code,
        name: &t.name,
        level: "town",
        parent_code: Some(&t.parent_code),
    }));
    divisions.extend(city.villages.iter().map(|v| DivisionOut {
        code: &v.code,
        name: &v.name,
        level: "village",
        parent_code: Some(&v.parent_code),
    }));

    let grids: Vec<GridOut> = city
        .grids
        .iter()
        .map(|g| GridOut {
            grid_id: &g.grid_id,
            name: &g.name,
            village_code: &g.village_code,
            town_code: &g.town_code,
            kind: g.kind.as_str(),
            centroid: point(g.centroid),
            population: g.population,
            households: g.households,
            micro_grids: g
                .micro_grids
                .iter()
                .map(|m| MicroGridOut {
                    micro_grid_id: &m.micro_grid_id,
                    name: &m.name,
                })
                .collect(),
        })
        .collect();

    let mut geometry_features = Vec::new();
    for g in &city.grids {
        geometry_features.push(feature(
            json!({"level": "grid", "grid_id": g.grid_id}),
            &g.shape,
        ));
    }
    for g in &city.grids {
        for m in &g.micro_grids {
            geometry_features.push(feature(
                json!({"level": "micro_grid", "micro_grid_id": m.micro_grid_id, "grid_id": g.grid_id}),
                &m.shape,
            ));
        }
    }
    let towns: Vec<Value> = city
        .towns
        .iter()
        .map(|t| {
            feature(
                json!({"code": t.code, "name": t.name, "centroid": point(t.label_point)}),
                &t.shape,
            )
        })
        .collect();
    let villages: Vec<Value> = city
        .villages
        .iter()
        .map(|v| {
            feature(
                json!({"code": v.code, "name": v.name, "town_code": v.parent_code}),
                &v.shape,
            )
        })
        .collect();

    CityFiles {
        divisions: one_per_line(r#"{"divisions":["#, &divisions, "]}"),
        grids: one_per_line(r#"{"grids":["#, &grids, "]}"),
        geometry: feature_collection(&geometry_features),
        towns: feature_collection(&towns),
        villages: feature_collection(&villages),
    }
}

/// Files committed gzipped. The geometry is mostly GeoJSON's Feature wrapper
/// and the properties the contract asks of each of its 12,068 features: 3.6 MB
/// as text, 0.36 MB gzipped, which keeps the committed city near 1.5 MB.
pub const GZIPPED: &[&str] = &["geometry.geojson"];

/// The name and bytes a file is stored under: `NAME.gz` for the gzipped ones.
pub fn stored(name: &str, text: &str) -> (String, Vec<u8>) {
    if GZIPPED.contains(&name) {
        (format!("{name}.gz"), gzip(text.as_bytes()))
    } else {
        (name.to_string(), text.as_bytes().to_vec())
    }
}

/// Gzip with a fixed header (no file name, time 0), so the bytes depend on the text alone.
pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut encoder = flate2::GzBuilder::new()
        .mtime(0)
        .write(Vec::new(), flate2::Compression::best());
    encoder
        .write_all(bytes)
        .expect("writing to a Vec cannot fail");
    encoder.finish().expect("writing to a Vec cannot fail")
}

/// Writes the files into `dir`, creating it if needed.
pub fn write_files(files: &CityFiles, dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    for (name, text) in files.named() {
        let (name, bytes) = stored(name, text);
        let path = dir.join(name);
        std::fs::write(&path, bytes).with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(())
}
