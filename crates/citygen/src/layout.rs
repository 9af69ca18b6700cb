//! Putting the city together: towns in the county, villages in towns, grids in villages, micro-grids
//! in grids, each level a power diagram fitted inside its parent (see [`crate::power`]).
//!
//! Sites: towns sit at their seed points (converted from GCJ-02); the five development zones, which
//! have neither seed nor public boundary, are small discs at hand-chosen points next to the town each
//! belongs to, carved out of the county before the towns are laid. Communities start near their
//! town's seed and rural villages anywhere in the town, so the urban core sits around the town centre.
//! Grids and micro-grids start at random points and are relaxed into compact cells.
//!
//! Randomness: each town's villages and each village's grids and micro-grids draw from their own
//! stream of the seeded generator, so the draws of one place never depend on another's.

use geo::{
    Area as _, BooleanOps, BoundingRect, Contains, Coord, LineString, MultiPolygon, Point, Polygon,
};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::geodata::{DivisionRow, Geodata};
use crate::plan;
use crate::power::{Fit, Site, fit_cells, inside_point};
use crate::proj::LocalProjection;
use crate::{Area, City, Grid, MicroGrid};

/// Target area of each development zone's cell, km².
const ZONE_KM2: f64 = 4.0;

/// Hand-chosen WGS-84 points for the development zones, which have no seed: each next to the town it
/// is associated with (approximate; these units have no public boundary).
const ZONE_POINTS: [(&str, f64, f64); 5] = [
    // 慈东工业区, by the north-east coast between 掌起 and 龙山
    ("330282402000", 121.515, 30.152),
    // 高新区, north of the central city (坎墩/古塘)
    ("330282403000", 121.255, 30.240),
    // 环杭州湾创新中心, north of 宗汉
    ("330282404000", 121.212, 30.226),
    // 现代农业开发区, on the reclaimed land by the coast north-east of 附海
    ("330282405000", 121.440, 30.300),
    // 长三角商贸园区, between 周巷 and 长河
    ("330282406000", 121.140, 30.205),
];

/// The projection centre, near the middle of the county.
const PROJECTION_CENTRE: (f64, f64) = (121.33, 30.25);

fn rng_for(seed: u64, stream: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(stream);
    rng
}

/// A uniformly random point inside `region`.
fn random_point(region: &MultiPolygon<f64>, rng: &mut ChaCha8Rng) -> Coord<f64> {
    let rect = region.bounding_rect().expect("region is not empty");
    for _ in 0..10_000 {
        let c = Coord {
            x: rng.random_range(rect.min().x..=rect.max().x),
            y: rng.random_range(rect.min().y..=rect.max().y),
        };
        if region.contains(&Point::from(c)) {
            return c;
        }
    }
    inside_point(region).expect("region is not empty")
}

/// A random point inside `region`, normally distributed around `centre` with deviation `sigma` km.
fn random_point_near(
    region: &MultiPolygon<f64>,
    centre: Coord<f64>,
    sigma: f64,
    rng: &mut ChaCha8Rng,
) -> Coord<f64> {
    for _ in 0..1_000 {
        // Box-Muller.
        let (u1, u2): (f64, f64) = (
            rng.random_range(f64::EPSILON..1.0),
            rng.random_range(0.0..1.0),
        );
        let r = sigma * (-2.0 * u1.ln()).sqrt();
        let a = std::f64::consts::TAU * u2;
        let c = Coord {
            x: centre.x + r * a.cos(),
            y: centre.y + r * a.sin(),
        };
        if region.contains(&Point::from(c)) {
            return c;
        }
    }
    random_point(region, rng)
}

/// Scales `weights` to sum to `total`.
fn scaled(weights: &[f64], total: f64) -> Vec<f64> {
    let sum: f64 = weights.iter().sum();
    weights.iter().map(|w| w * total / sum).collect()
}

/// A regular polygon of `km2` square kilometres centred on `centre`.
fn disc(centre: Coord<f64>, km2: f64) -> MultiPolygon<f64> {
    const SIDES: usize = 16;
    let angle = std::f64::consts::TAU / SIDES as f64;
    let radius = (2.0 * km2 / (SIDES as f64 * angle.sin())).sqrt();
    let ring: Vec<Coord<f64>> = (0..=SIDES)
        .map(|k| {
            let a = angle * (k % SIDES) as f64;
            Coord {
                x: centre.x + radius * a.cos(),
                y: centre.y + radius * a.sin(),
            }
        })
        .collect();
    MultiPolygon::new(vec![Polygon::new(LineString::new(ring), vec![])])
}

/// The town-level cells, in town order, and a centre point for each.
///
/// The development zones are small discs of `ZONE_KM2` around their hand-chosen points, carved out of
/// the county first (a zone inside a town leaves a hole in it, as a zone carved out of a town would).
/// The remaining land is a power diagram of the town seeds, with fixed sites and weights fitted to
/// the suggested areas scaled to that land.
pub fn towns(
    geodata: &Geodata,
    proj: &LocalProjection,
    county: &MultiPolygon<f64>,
) -> Vec<(Coord<f64>, MultiPolygon<f64>)> {
    let zones: Vec<(&str, Coord<f64>, MultiPolygon<f64>)> = ZONE_POINTS
        .iter()
        .map(|&(code, lon, lat)| {
            let at = proj.forward(Coord { x: lon, y: lat });
            assert!(
                county.contains(&Point::from(at)),
                "the point of zone {code} lies outside the county"
            );
            (code, at, county.intersection(&disc(at, ZONE_KM2)))
        })
        .collect();
    let land = zones
        .iter()
        .fold(county.clone(), |land, (_, _, zone)| land.difference(zone));

    let seeded: Vec<&DivisionRow> = geodata
        .towns
        .iter()
        .filter(|t| geodata.seeds_wgs84.contains_key(&t.code))
        .collect();
    assert_eq!(
        seeded.len() + zones.len(),
        geodata.towns.len(),
        "every town has either a seed or a zone point"
    );
    let mut sites: Vec<Site> = seeded
        .iter()
        .map(|t| {
            let at = proj.forward(geodata.seeds_wgs84[&t.code]);
            assert!(
                land.contains(&Point::from(at)),
                "the seed of {} lies outside the county's land",
                t.name
            );
            Site { at, weight: 0.0 }
        })
        .collect();
    let suggested: Vec<f64> = seeded
        .iter()
        .map(|t| geodata.allocation[&t.code].synthetic_area_km2)
        .collect();
    let targets = scaled(&suggested, land.unsigned_area());
    let cells = fit_cells(
        &land,
        &mut sites,
        &targets,
        Fit {
            rounds: 80,
            relax: false,
        },
    );

    geodata
        .towns
        .iter()
        .map(
            |town| match seeded.iter().position(|t| t.code == town.code) {
                Some(i) => (sites[i].at, cells[i].clone()),
                None => {
                    let (_, at, shape) = zones
                        .iter()
                        .find(|(code, _, _)| *code == town.code)
                        .expect("zone point exists");
                    (*at, shape.clone())
                }
            },
        )
        .collect()
}

/// One village's cell and the grids to make in it, before geometry is unprojected.
struct VillageCell<'a> {
    row: &'a DivisionRow,
    town_code: &'a str,
    town_kind: &'a str,
    shape: MultiPolygon<f64>,
    grids: u64,
}

/// Builds the city from the geodata, deterministically from `seed`.
pub fn build(geodata: &Geodata, seed: u64) -> City {
    let proj = LocalProjection::new(PROJECTION_CENTRE.0, PROJECTION_CENTRE.1);
    let county = proj.forward_shape(&geodata.outline);
    let towns = towns(geodata, &proj, &county);
    let village_cells = villages(geodata, &towns, seed);
    let grids = grids(&village_cells, seed, &proj);

    let villages = village_cells
        .iter()
        .map(|v| area(v.row, &v.shape, None, &proj))
        .collect();
    // A town's label goes on its seed (its seat, roughly) where the seed lies inside it.
    let towns = geodata
        .towns
        .iter()
        .zip(&towns)
        .map(|(row, (seed, shape))| area(row, shape, Some(*seed), &proj))
        .collect();
    City {
        geodata: geodata.clone(),
        towns,
        villages,
        grids,
    }
}

/// The village cells of every town, in code order: grids shared by the CSV's weights, cells sized by
/// grids × land per grid.
fn villages<'a>(
    geodata: &'a Geodata,
    towns: &[(Coord<f64>, MultiPolygon<f64>)],
    seed: u64,
) -> Vec<VillageCell<'a>> {
    let mut village_cells = Vec::new();
    for (t, (town, (seed_point, region))) in geodata.towns.iter().zip(towns).enumerate() {
        let mut rng = rng_for(seed, 1_000 + t as u64);
        let villages: Vec<&DivisionRow> = geodata.villages_of(&town.code).collect();
        let weights: Vec<f64> = villages
            .iter()
            .map(|v| plan::grid_weight(&v.kind))
            .collect();
        let suggested = geodata.allocation[&town.code].suggested_grids as u64;
        let grids = plan::largest_remainder(suggested, &weights, 1);
        let centre = if region.contains(&Point::from(*seed_point)) {
            *seed_point
        } else {
            inside_point(region).expect("town cell is not empty")
        };
        let sigma = region.unsigned_area().sqrt() / 5.0;
        let mut sites: Vec<Site> = villages
            .iter()
            .map(|v| {
                let at = match v.kind.as_str() {
                    "community" | "residents_committee" => {
                        random_point_near(region, centre, sigma, &mut rng)
                    }
                    _ => random_point(region, &mut rng),
                };
                Site { at, weight: 0.0 }
            })
            .collect();
        let land: Vec<f64> = villages
            .iter()
            .zip(&grids)
            .map(|(v, &g)| g as f64 * plan::land_per_grid(&v.kind) * rng.random_range(0.8..1.25))
            .collect();
        let targets = scaled(&land, region.unsigned_area());
        let cells = fit_cells(
            region,
            &mut sites,
            &targets,
            Fit {
                rounds: 12,
                relax: true,
            },
        );
        for ((row, shape), grids) in villages.into_iter().zip(cells).zip(grids) {
            village_cells.push(VillageCell {
                row,
                town_code: &town.code,
                town_kind: &town.kind,
                shape,
                grids,
            });
        }
    }
    village_cells
}

/// `n` relaxed cells tiling `region`, their sizes drawn from `spread` (relative to each other).
fn relaxed_cells(
    region: &MultiPolygon<f64>,
    n: usize,
    spread: std::ops::Range<f64>,
    rounds: usize,
    rng: &mut ChaCha8Rng,
) -> Vec<MultiPolygon<f64>> {
    let mut sites: Vec<Site> = (0..n)
        .map(|_| Site {
            at: random_point(region, rng),
            weight: 0.0,
        })
        .collect();
    let sizes: Vec<f64> = (0..n).map(|_| rng.random_range(spread.clone())).collect();
    let targets = scaled(&sizes, region.unsigned_area());
    fit_cells(
        region,
        &mut sites,
        &targets,
        Fit {
            rounds,
            relax: true,
        },
    )
}

/// Every grid with its micro-grids, kind, people and centroid, ordered by grid id.
fn grids(village_cells: &[VillageCell], seed: u64, proj: &LocalProjection) -> Vec<Grid> {
    let total: usize = village_cells.iter().map(|v| v.grids as usize).sum();
    let micro_counts = plan::micro_grid_counts(total, &mut rng_for(seed, 2));
    let mut next_micro = micro_counts.iter();
    let mut attr_rng = rng_for(seed, 3);
    let mut grids: Vec<Grid> = Vec::with_capacity(total);
    let mut population_weights: Vec<f64> = Vec::with_capacity(total);
    for (v, village) in village_cells.iter().enumerate() {
        let mut rng = rng_for(seed, 10_000 + v as u64);
        let cells = relaxed_cells(
            &village.shape,
            village.grids as usize,
            0.7..1.3,
            10,
            &mut rng,
        );
        for (g, cell) in cells.into_iter().enumerate() {
            let number = g + 1;
            let grid_id = format!("{}G{number:02}", village.row.code);
            let m = *next_micro.next().expect("one micro-grid count per grid") as usize;
            let micro_grids = relaxed_cells(&cell, m, 0.8..1.2, 6, &mut rng)
                .into_iter()
                .enumerate()
                .map(|(k, micro)| MicroGrid {
                    micro_grid_id: format!("{grid_id}M{:02}", k + 1),
                    name: format!("第{number}网格第{}微网格", k + 1),
                    shape: proj.inverse_shape(&micro),
                })
                .collect();
            let kind = plan::draw_kind(&village.row.kind, &mut attr_rng);
            let weight =
                plan::population_weight(kind, village.town_code, village.town_kind, &mut attr_rng);
            population_weights.push(weight);
            grids.push(Grid {
                name: format!("{}第{number}网格", village.row.short_name),
                grid_id,
                village_code: village.row.code.clone(),
                town_code: village.town_code.to_string(),
                kind,
                centroid: proj.inverse(inside_point(&cell).expect("grid cell is not empty")),
                population: 0,
                households: 0,
                shape: proj.inverse_shape(&cell),
                micro_grids,
            });
        }
    }
    let populations = plan::largest_remainder(plan::TOTAL_POPULATION, &population_weights, 30);
    for (grid, population) in grids.iter_mut().zip(populations) {
        grid.population = population;
        grid.households = plan::households(grid.kind, population, &mut attr_rng);
    }
    grids.sort_by(|a, b| a.grid_id.cmp(&b.grid_id));
    grids
}

/// The output record of a town or village; its label point is `preferred` if that lies inside.
fn area(
    row: &DivisionRow,
    shape: &MultiPolygon<f64>,
    preferred: Option<Coord<f64>>,
    proj: &LocalProjection,
) -> Area {
    let label = preferred
        .filter(|&p| shape.contains(&Point::from(p)))
        .or_else(|| inside_point(shape))
        .expect("area is not empty");
    Area {
        code: row.code.clone(),
        name: row.name.clone(),
        parent_code: row.parent_code.clone(),
        shape: proj.inverse_shape(shape),
        label_point: proj.inverse(label),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn towns_reach_their_suggested_areas_and_zones_stay_small() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/geodata");
        if !dir.exists() {
            eprintln!("SKIPPED: no geodata at {}", dir.display());
            return;
        }
        let g = Geodata::load(&dir).expect("geodata loads");
        let proj = LocalProjection::new(PROJECTION_CENTRE.0, PROJECTION_CENTRE.1);
        let county = proj.forward_shape(&g.outline);
        let cells = towns(&g, &proj, &county);
        let is_zone = |code: &str| ZONE_POINTS.iter().any(|(z, _, _)| *z == code);
        let zones: f64 = g
            .towns
            .iter()
            .zip(&cells)
            .filter(|(t, _)| is_zone(&t.code))
            .map(|(_, (_, c))| c.unsigned_area())
            .sum();
        let land = county.unsigned_area() - zones;
        let suggested: f64 = g.allocation.values().map(|a| a.synthetic_area_km2).sum();
        for (town, (_, cell)) in g.towns.iter().zip(&cells) {
            let area = cell.unsigned_area();
            if is_zone(&town.code) {
                // A zone by the coast loses the part of its disc that lies in the sea.
                assert!(
                    area > 0.5 * ZONE_KM2 && area < ZONE_KM2 + 1e-6,
                    "{} has {area:.1} km²",
                    town.name
                );
                continue;
            }
            let target = g.allocation[&town.code].synthetic_area_km2 * land / suggested;
            assert!(
                (area - target).abs() < 0.03 * target,
                "{} has {area:.1} km², wants {target:.1}",
                town.name
            );
        }
    }
}
