//! The city the simulator governs: divisions, grids and their boundaries.
//!
//! Loaded once from the JSON files `citygen` writes to `assets/city/` (embedded
//! in the binary, so the simulator needs no files at run time), or from any
//! files of the same shape (tests use a small fixture). Everything else — the
//! workforce, camera sites, addresses of events — is derived from this.

use std::collections::HashMap;

use axum::body::Bytes;
use gridwall_domain::governance::{Division, DivisionLevel, Grid, LonLat};
use serde::Deserialize;

use crate::{Error, Result};

/// The city files built into the simulator.
mod embedded {
    pub const DIVISIONS: &str = include_str!("../../../assets/city/divisions.json");
    pub const GRIDS: &str = include_str!("../../../assets/city/grids.json");
    /// Gzipped in the repository (3.6 MB as text); unpacked once at start.
    pub const GEOMETRY_GZ: &[u8] = include_bytes!("../../../assets/city/geometry.geojson.gz");
    pub const TOWNS: &str = include_str!("../../../assets/city/towns.geojson");
}

/// Divisions, grids and boundaries, indexed for the generator and the server.
#[derive(Clone, Debug)]
pub struct City {
    divisions: Vec<Division>,
    grids: Vec<Grid>,
    /// Served as it is, so kept as bytes that clone for free.
    geometry: Bytes,
    names: HashMap<String, String>,
    grid_index: HashMap<String, usize>,
    town_centres: HashMap<String, LonLat>,
    divisions_etag: String,
    geometry_etag: String,
}

/// A place the city has put cameras, for the video half of the simulator.
#[derive(Clone, Debug, PartialEq)]
pub struct CameraSite {
    pub grid_id: String,
    /// The town or street the site lies in, e.g. 浒山街道.
    pub town_name: String,
    pub position: LonLat,
    /// Within about 1.5 km of the town's population-weighted centre.
    pub near_town_centre: bool,
}

#[derive(Deserialize)]
struct DivisionsFile {
    divisions: Vec<Division>,
}

#[derive(Deserialize)]
struct GridsFile {
    grids: Vec<Grid>,
}

fn gunzip(bytes: &[u8]) -> Result<String> {
    use std::io::Read;
    let mut text = String::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_string(&mut text)
        .map_err(|e| Error::City(format!("embedded geometry does not unpack: {e}")))?;
    Ok(text)
}

impl City {
    /// The city built into the binary.
    pub fn embedded() -> Result<City> {
        let geometry = gunzip(embedded::GEOMETRY_GZ)?;
        let mut city = City::from_json(embedded::DIVISIONS, embedded::GRIDS, &geometry)?;
        city.use_town_seats(embedded::TOWNS)?;
        Ok(city)
    }

    /// Takes town centres from a `towns.geojson` (properties `code` and
    /// `centroid`, the town's seat) instead of the population-weighted mean.
    pub fn use_town_seats(&mut self, towns_geojson: &str) -> Result<()> {
        #[derive(Deserialize)]
        struct Towns {
            features: Vec<Feature>,
        }
        #[derive(Deserialize)]
        struct Feature {
            properties: Props,
        }
        #[derive(Deserialize)]
        struct Props {
            code: String,
            centroid: LonLat,
        }
        let towns: Towns =
            serde_json::from_str(towns_geojson).map_err(|e| Error::City(format!("towns: {e}")))?;
        for feature in towns.features {
            self.town_centres
                .insert(feature.properties.code, feature.properties.centroid);
        }
        Ok(())
    }

    /// A small city from the test fixture (two towns, twelve grids).
    pub fn fixture() -> Result<City> {
        City::from_json(
            include_str!("../tests/fixtures/city/divisions.json"),
            include_str!("../tests/fixtures/city/grids.json"),
            include_str!("../tests/fixtures/city/geometry.geojson"),
        )
    }

    /// A city from files of the `assets/city` shapes: `{"divisions": [...]}`,
    /// `{"grids": [...]}` and a GeoJSON FeatureCollection served as it is.
    pub fn from_json(divisions: &str, grids: &str, geometry: &str) -> Result<City> {
        let divisions: DivisionsFile =
            serde_json::from_str(divisions).map_err(|e| Error::City(format!("divisions: {e}")))?;
        let grids: GridsFile =
            serde_json::from_str(grids).map_err(|e| Error::City(format!("grids: {e}")))?;
        let mut grids = grids.grids;
        grids.sort_by(|a, b| a.grid_id.cmp(&b.grid_id));
        if grids.is_empty() {
            return Err(Error::City("the city has no grids".into()));
        }
        let names = divisions
            .divisions
            .iter()
            .map(|d| (d.code.clone(), d.name.clone()))
            .collect();
        let grid_index = grids
            .iter()
            .enumerate()
            .map(|(i, g)| (g.grid_id.clone(), i))
            .collect();
        let divisions_json = serde_json::to_vec(&divisions.divisions).expect("divisions serialize");
        let mut city = City {
            divisions_etag: etag(&divisions_json),
            geometry_etag: etag(geometry.as_bytes()),
            divisions: divisions.divisions,
            grids,
            geometry: Bytes::from(geometry.to_owned()),
            names,
            grid_index,
            town_centres: HashMap::new(),
        };
        city.town_centres = city.compute_town_centres();
        Ok(city)
    }

    pub fn divisions(&self) -> &[Division] {
        &self.divisions
    }

    pub fn towns(&self) -> impl Iterator<Item = &Division> {
        self.divisions
            .iter()
            .filter(|d| d.level == DivisionLevel::Town)
    }

    /// Grids sorted by id: the order of paging and of worker numbering.
    pub fn grids(&self) -> &[Grid] {
        &self.grids
    }

    pub fn grid(&self, grid_id: &str) -> Option<&Grid> {
        self.grid_index.get(grid_id).map(|&i| &self.grids[i])
    }

    pub fn grid_position(&self, grid_id: &str) -> Option<usize> {
        self.grid_index.get(grid_id).copied()
    }

    /// The name of a division by code, or the code itself if unknown.
    pub fn name_of<'a>(&'a self, code: &'a str) -> &'a str {
        self.names.get(code).map(String::as_str).unwrap_or(code)
    }

    /// This city with its boundaries served as `geojson` instead.
    pub fn with_geometry(mut self, geojson: String) -> City {
        self.geometry_etag = etag(geojson.as_bytes());
        self.geometry = Bytes::from(geojson);
        self
    }

    /// The raw GeoJSON of every grid and micro-grid boundary.
    pub fn geometry(&self) -> &Bytes {
        &self.geometry
    }

    pub fn divisions_etag(&self) -> &str {
        &self.divisions_etag
    }

    pub fn geometry_etag(&self) -> &str {
        &self.geometry_etag
    }

    /// A grid's centroid, or the centre of Cixi if the file gave none.
    pub fn centroid(&self, grid: &Grid) -> LonLat {
        grid.centroid.unwrap_or(CIXI_CENTRE)
    }

    /// Camera sites: one or more per grid by kind (busy places get more),
    /// marked when they lie near their town's centre.
    pub fn camera_sites(&self) -> Vec<CameraSite> {
        let mut sites = Vec::new();
        for (i, grid) in self.grids.iter().enumerate() {
            let count = match grid.kind.as_deref() {
                Some("commercial") => 3,
                Some("residential" | "school" | "industrial" | "mixed") => 2,
                _ => 1,
            };
            let centroid = self.centroid(grid);
            let centre = self.town_centres.get(&grid.town_code).copied();
            for n in 0..count {
                // A fixed spiral around the centroid: deterministic without a generator.
                let angle = (i * 7 + n * 3) as f64 * 0.9;
                let radius = 0.0015 * (n as f64 + 0.5);
                let position = [
                    centroid[0] + radius * angle.cos(),
                    centroid[1] + radius * angle.sin(),
                ];
                let near = centre.is_some_and(|c| distance_m(c, position) < 1_500.0);
                sites.push(CameraSite {
                    grid_id: grid.grid_id.clone(),
                    town_name: self.name_of(&grid.town_code).to_owned(),
                    position,
                    near_town_centre: near,
                });
            }
        }
        sites
    }

    fn compute_town_centres(&self) -> HashMap<String, LonLat> {
        let mut sums: HashMap<&str, (f64, f64, f64)> = HashMap::new();
        for grid in &self.grids {
            let [lon, lat] = self.centroid(grid);
            let weight = f64::from(grid.population.unwrap_or(1).max(1));
            let entry = sums.entry(&grid.town_code).or_default();
            entry.0 += lon * weight;
            entry.1 += lat * weight;
            entry.2 += weight;
        }
        sums.into_iter()
            .map(|(code, (lon, lat, w))| (code.to_owned(), [lon / w, lat / w]))
            .collect()
    }
}

/// The city government on 三北大街, used where a grid has no centroid.
const CIXI_CENTRE: LonLat = [121.2481, 30.1771];

/// Equirectangular distance in metres: exact enough within one city.
pub fn distance_m(a: LonLat, b: LonLat) -> f64 {
    let lat = ((a[1] + b[1]) / 2.0).to_radians();
    let dx = (a[0] - b[0]).to_radians() * lat.cos();
    let dy = (a[1] - b[1]).to_radians();
    (dx * dx + dy * dy).sqrt() * 6_371_000.0
}

/// A strong ETag from a stable 64-bit FNV-1a hash of the body.
pub(crate) fn etag(bytes: &[u8]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("\"{hash:016x}-{}\"", bytes.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_city_is_cixi() {
        let city = City::embedded().unwrap();
        assert_eq!(city.grids().len(), 1_724);
        assert_eq!(city.towns().count(), 24);
        let grid = &city.grids()[0];
        assert_eq!(city.grid(&grid.grid_id), Some(grid));
    }

    #[test]
    fn every_grid_has_a_camera_site_and_some_are_near_a_town_centre() {
        let city = City::embedded().unwrap();
        let sites = city.camera_sites();
        for grid in city.grids() {
            assert!(sites.iter().any(|s| s.grid_id == grid.grid_id));
        }
        assert!(sites.iter().any(|s| s.near_town_centre));
    }
}
