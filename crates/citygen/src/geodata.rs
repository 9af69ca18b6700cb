//! Reading the Cixi geodata subset (`shared/geodata`): the real divisions, the real county outline
//! (WGS-84), the approximate town seed points (GCJ-02) and the suggested grid allocation.
//!
//! Everything is checked on the way in (counts, parents, seeds inside the outline) so that a changed
//! input fails loudly here rather than producing a subtly wrong city.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result, bail, ensure};
use geo::{Coord, MultiPolygon};
use serde::Deserialize;

use crate::gcj02::gcj02_to_wgs84;

/// Code of the county-level city, the root of the division tree.
pub const COUNTY_CODE: &str = "330282000000";

/// One row of `cixi_divisions.csv`.
#[derive(Debug, Clone, Deserialize)]
pub struct DivisionRow {
    pub code: String,
    pub name: String,
    /// county, town or village
    pub level: String,
    pub parent_code: String,
    /// For towns: street / town / special_zone. For villages: village / community /
    /// residents_committee / virtual / other.
    pub kind: String,
    pub short_name: String,
}

/// One row of `cixi_grid_allocation_suggested.csv` (only the columns used).
#[derive(Debug, Clone, Deserialize)]
pub struct AllocationRow {
    pub town_code: String,
    pub town_name: String,
    pub synthetic_area_km2: f64,
    pub suggested_grids: u32,
}

#[derive(Debug, Clone)]
struct SeedRow {
    code: String,
    lon_gcj02: f64,
    lat_gcj02: f64,
}

/// The input, validated.
#[derive(Debug, Clone)]
pub struct Geodata {
    pub county: DivisionRow,
    /// Town-level units in file order (which is code order).
    pub towns: Vec<DivisionRow>,
    /// Village-level units in file order (which is code order).
    pub villages: Vec<DivisionRow>,
    /// Keyed by town code.
    pub allocation: BTreeMap<String, AllocationRow>,
    /// Town seed points converted to WGS-84 `(lon, lat)`, keyed by town code. Development zones have none.
    pub seeds_wgs84: BTreeMap<String, Coord<f64>>,
    /// The county outline, WGS-84.
    pub outline: MultiPolygon<f64>,
}

fn read_csv<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<Vec<T>> {
    let mut reader =
        csv::Reader::from_path(path).with_context(|| format!("cannot open {}", path.display()))?;
    reader
        .deserialize()
        .collect::<std::result::Result<Vec<T>, _>>()
        .with_context(|| format!("cannot parse {}", path.display()))
}

impl Geodata {
    /// Reads and checks the geodata directory (the one holding `SOURCES.md`).
    pub fn load(dir: &Path) -> Result<Self> {
        let rows: Vec<DivisionRow> = read_csv(&dir.join("cixi_divisions.csv"))?;
        let county = rows
            .iter()
            .find(|r| r.level == "county")
            .cloned()
            .context("cixi_divisions.csv has no county row")?;
        ensure!(
            county.code == COUNTY_CODE,
            "unexpected county code {}",
            county.code
        );
        let towns: Vec<DivisionRow> = rows.iter().filter(|r| r.level == "town").cloned().collect();
        let villages: Vec<DivisionRow> = rows
            .iter()
            .filter(|r| r.level == "village")
            .cloned()
            .collect();
        ensure!(
            towns.len() == 24,
            "expected 24 town-level units, found {}",
            towns.len()
        );
        ensure!(
            villages.len() == 406,
            "expected 406 village-level units, found {}",
            villages.len()
        );
        for town in &towns {
            ensure!(
                town.parent_code == COUNTY_CODE,
                "town {} is not under the county",
                town.code
            );
        }
        for village in &villages {
            ensure!(
                towns.iter().any(|t| t.code == village.parent_code),
                "village {} has unknown parent {}",
                village.code,
                village.parent_code
            );
        }
        for town in &towns {
            ensure!(
                villages.iter().any(|v| v.parent_code == town.code),
                "town {} has no village-level unit",
                town.code
            );
        }

        let allocation: BTreeMap<String, AllocationRow> =
            read_csv::<AllocationRow>(&dir.join("cixi_grid_allocation_suggested.csv"))?
                .into_iter()
                .map(|r| (r.town_code.clone(), r))
                .collect();
        for town in &towns {
            ensure!(
                allocation.contains_key(&town.code),
                "no grid allocation for town {}",
                town.code
            );
        }
        let total: u32 = allocation.values().map(|a| a.suggested_grids).sum();
        ensure!(
            total == 1724,
            "suggested grids sum to {total}, expected 1724"
        );

        let seeds_wgs84 = read_seeds(&dir.join("cixi_town_seeds_approx.csv"))?
            .into_iter()
            .map(|s| {
                let (lon, lat) = gcj02_to_wgs84(s.lon_gcj02, s.lat_gcj02);
                (s.code, Coord { x: lon, y: lat })
            })
            .collect();

        let outline = read_outline(&dir.join("cixi_boundary_wgs84.geojson"))?;
        Ok(Self {
            county,
            towns,
            villages,
            allocation,
            seeds_wgs84,
            outline,
        })
    }

    /// The village-level units of one town, in code order.
    pub fn villages_of<'a>(
        &'a self,
        town_code: &'a str,
    ) -> impl Iterator<Item = &'a DivisionRow> + 'a {
        self.villages
            .iter()
            .filter(move |v| v.parent_code == town_code)
    }
}

/// The seeds file's last column (`basis`) is free text with unquoted commas, so rows are read
/// flexibly and only the leading columns are used.
fn read_seeds(path: &Path) -> Result<Vec<SeedRow>> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(path)
        .with_context(|| format!("cannot open {}", path.display()))?;
    let header = reader.headers()?.clone();
    ensure!(
        header
            .iter()
            .take(4)
            .eq(["code", "name", "lon_gcj02", "lat_gcj02"]),
        "unexpected columns in {}",
        path.display()
    );
    let mut seeds = Vec::new();
    for record in reader.records() {
        let record = record.with_context(|| format!("cannot parse {}", path.display()))?;
        let number = |i: usize| -> Result<f64> {
            record
                .get(i)
                .context("short row")?
                .parse()
                .with_context(|| format!("bad coordinate in {}", path.display()))
        };
        seeds.push(SeedRow {
            code: record.get(0).context("short row")?.to_string(),
            lon_gcj02: number(2)?,
            lat_gcj02: number(3)?,
        });
    }
    Ok(seeds)
}

fn read_outline(path: &Path) -> Result<MultiPolygon<f64>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let collection: geojson::FeatureCollection = text
        .parse()
        .with_context(|| format!("{} is not a GeoJSON FeatureCollection", path.display()))?;
    let feature = collection
        .features
        .first()
        .context("the outline file has no feature")?;
    let geometry = feature
        .geometry
        .clone()
        .context("the outline feature has no geometry")?;
    let shape: geo::Geometry<f64> = geometry
        .try_into()
        .context("the outline geometry is not convertible")?;
    match shape {
        geo::Geometry::MultiPolygon(mp) => Ok(mp),
        geo::Geometry::Polygon(p) => Ok(MultiPolygon::new(vec![p])),
        _ => bail!("the outline is not a polygon"),
    }
}
