//! Checks on the COMMITTED city in `assets/city` (the files the simulator embeds), not on a fresh
//! generation: counts, identifiers, the division tree, and the geometric invariants (grids tile their
//! village, micro-grids tile their grid, nothing overlaps, centroids inside, all inside the county).
//! The last test regenerates the city in memory and compares it byte for byte with the committed files.
//!
//! Index:
//! - `divisions_*`: the real division tree.
//! - `grids_*`: the records of `grids.json`.
//! - `geometry_*`: the polygons of `geometry.geojson`, `villages.geojson` and `towns.geojson`.
//! - `regenerating_*`: determinism and drift.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use geo::{Area, BooleanOps, BoundingRect, Contains, MultiPolygon, Point};
use rstar::{AABB, RTree, primitives::GeomWithData, primitives::Rectangle};
use serde::Deserialize;

fn assets() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/city")
}

/// The geodata as laid beside the repository (`../shared/geodata` from the repository root).
fn geodata_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/geodata")
}

/// A committed file as text, gunzipping the ones stored as `NAME.gz`.
fn read(name: &str) -> String {
    let gz = assets().join(format!("{name}.gz"));
    if gz.exists() {
        use std::io::Read;
        let file =
            std::fs::File::open(&gz).unwrap_or_else(|e| panic!("cannot read {name}.gz: {e}"));
        let mut text = String::new();
        flate2::read::GzDecoder::new(file)
            .read_to_string(&mut text)
            .unwrap_or_else(|e| panic!("{name}.gz is not gzipped UTF-8: {e}"));
        return text;
    }
    std::fs::read_to_string(assets().join(name))
        .unwrap_or_else(|e| panic!("cannot read {name}: {e}"))
}

#[derive(Debug, Deserialize)]
struct Division {
    code: String,
    name: String,
    level: String,
    parent_code: Option<String>,
}

#[derive(Debug, Deserialize)]
struct MicroGridRecord {
    micro_grid_id: String,
    name: String,
}

#[derive(Debug, Deserialize)]
struct GridRecord {
    grid_id: String,
    name: String,
    village_code: String,
    town_code: String,
    kind: String,
    centroid: [f64; 2],
    population: u64,
    households: u64,
    micro_grids: Vec<MicroGridRecord>,
}

/// Everything loaded once for all tests.
struct City {
    divisions: Vec<Division>,
    grids: Vec<GridRecord>,
    grid_shapes: BTreeMap<String, MultiPolygon<f64>>,
    /// micro-grid id → (grid id, shape)
    micro_shapes: BTreeMap<String, (String, MultiPolygon<f64>)>,
    villages: BTreeMap<String, (String, MultiPolygon<f64>)>,
    towns: BTreeMap<String, MultiPolygon<f64>>,
}

fn shape(geometry: Option<geojson::Geometry>) -> MultiPolygon<f64> {
    match geo::Geometry::<f64>::try_from(geometry.expect("feature has a geometry"))
        .expect("convertible geometry")
    {
        geo::Geometry::Polygon(p) => MultiPolygon::new(vec![p]),
        geo::Geometry::MultiPolygon(mp) => mp,
        other => panic!("unexpected geometry {other:?}"),
    }
}

fn features(name: &str) -> Vec<geojson::Feature> {
    let collection: geojson::FeatureCollection = read(name).parse().expect("a FeatureCollection");
    collection.features
}

fn property(feature: &geojson::Feature, key: &str) -> String {
    feature
        .property(key)
        .and_then(|v| v.as_str())
        .unwrap_or_else(|| panic!("feature lacks {key}"))
        .to_string()
}

fn city() -> &'static City {
    static CITY: OnceLock<City> = OnceLock::new();
    CITY.get_or_init(|| {
        #[derive(Deserialize)]
        struct Divisions {
            divisions: Vec<Division>,
        }
        #[derive(Deserialize)]
        struct Grids {
            grids: Vec<GridRecord>,
        }
        let divisions = serde_json::from_str::<Divisions>(&read("divisions.json"))
            .expect("divisions.json")
            .divisions;
        let grids = serde_json::from_str::<Grids>(&read("grids.json"))
            .expect("grids.json")
            .grids;
        let mut grid_shapes = BTreeMap::new();
        let mut micro_shapes = BTreeMap::new();
        for f in features("geometry.geojson") {
            match property(&f, "level").as_str() {
                "grid" => {
                    let id = property(&f, "grid_id");
                    assert!(
                        grid_shapes.insert(id.clone(), shape(f.geometry)).is_none(),
                        "grid {id} twice"
                    );
                }
                "micro_grid" => {
                    let id = property(&f, "micro_grid_id");
                    let grid = property(&f, "grid_id");
                    assert!(
                        micro_shapes
                            .insert(id.clone(), (grid, shape(f.geometry)))
                            .is_none(),
                        "micro-grid {id} twice"
                    );
                }
                other => panic!("unexpected level {other}"),
            }
        }
        let villages = features("villages.geojson")
            .into_iter()
            .map(|f| {
                (
                    property(&f, "code"),
                    (property(&f, "town_code"), shape(f.geometry)),
                )
            })
            .collect();
        let towns = features("towns.geojson")
            .into_iter()
            .map(|f| (property(&f, "code"), shape(f.geometry)))
            .collect();
        City {
            divisions,
            grids,
            grid_shapes,
            micro_shapes,
            villages,
            towns,
        }
    })
}

/// How much area rounding the coordinates to 6 decimals (about 0.1 m) may move across the border of
/// `shape`: a strip one rounding step wide along its perimeter. Where a vertex of one polygon lies on
/// the edge of another (a grid corner on its village's border), rounding moves it off that edge by up
/// to half a step, so neighbours may overlap by slivers this thin; a real overlap is far larger.
fn rounding_slack(shape: &MultiPolygon<f64>) -> f64 {
    let perimeter: f64 = shape
        .0
        .iter()
        .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
        .flat_map(|ring| ring.lines())
        .map(|line| line.dx().hypot(line.dy()))
        .sum();
    perimeter * 1e-6
}

/// `|a - b| <= tolerance × b`
fn close(a: f64, b: f64, tolerance: f64) -> bool {
    (a - b).abs() <= tolerance * b
}

#[test]
fn divisions_are_the_real_tree_parents_first() {
    let c = city();
    let count = |level: &str| c.divisions.iter().filter(|d| d.level == level).count();
    assert_eq!(
        (count("city"), count("town"), count("village")),
        (1, 24, 406)
    );
    assert_eq!(c.divisions.len(), 431);
    assert_eq!(c.divisions[0].code, "330282000000");
    assert_eq!(c.divisions[0].name, "慈溪市");
    assert_eq!(c.divisions[0].parent_code, None);
    let mut seen: BTreeMap<&str, &str> = BTreeMap::new();
    for d in &c.divisions {
        assert_eq!(d.code.len(), 12, "{}", d.code);
        if let Some(parent) = &d.parent_code {
            let parent_level = seen
                .get(parent.as_str())
                .unwrap_or_else(|| panic!("{} comes before its parent", d.code));
            let expected = match d.level.as_str() {
                "town" => "city",
                "village" => "town",
                other => panic!("{} has a parent but level {other}", d.code),
            };
            assert_eq!(*parent_level, expected, "{}", d.code);
        }
        assert!(seen.insert(&d.code, &d.level).is_none(), "{} twice", d.code);
    }
    assert!(
        c.divisions
            .iter()
            .any(|d| d.code == "330282004001" && d.level == "village")
    );
}

#[test]
fn divisions_and_grids_parse_as_the_contract_records() {
    use gridwall_domain::governance::{Division, DivisionLevel, Grid};
    #[derive(Deserialize)]
    struct Divisions {
        divisions: Vec<Division>,
    }
    #[derive(Deserialize)]
    struct Grids {
        grids: Vec<Grid>,
    }
    let divisions = serde_json::from_str::<Divisions>(&read("divisions.json"))
        .expect("contract Division records");
    assert_eq!(divisions.divisions[0].level, DivisionLevel::City);
    let grids = serde_json::from_str::<Grids>(&read("grids.json"))
        .expect("contract Grid records")
        .grids;
    assert_eq!(grids.len(), 1724);
    assert!(
        grids
            .iter()
            .all(|g| g.kind.is_some() && g.centroid.is_some() && g.population.is_some())
    );
}

#[test]
fn grids_are_1724_with_at_least_10000_micro_grids() {
    let c = city();
    assert_eq!(c.grids.len(), 1724);
    let micro: usize = c.grids.iter().map(|g| g.micro_grids.len()).sum();
    assert!(micro >= 10_000, "{micro} micro-grids");
    assert_eq!(c.grid_shapes.len(), 1724);
    assert_eq!(c.micro_shapes.len(), micro);
}

#[test]
fn grids_ids_follow_the_contract_and_are_ordered() {
    let c = city();
    assert!(
        c.grids.windows(2).all(|w| w[0].grid_id < w[1].grid_id),
        "grids.json is not ordered by grid_id"
    );
    for g in &c.grids {
        let (village, number) = g.grid_id.split_once('G').expect("grid id has a G");
        assert_eq!(village, g.village_code);
        assert!(
            number.len() == 2 && number.chars().all(|ch| ch.is_ascii_digit()),
            "{}",
            g.grid_id
        );
        assert!(g.name.contains("网格"), "{}", g.name);
        assert!(!g.micro_grids.is_empty(), "{} has no micro-grid", g.grid_id);
        for m in &g.micro_grids {
            let (grid, number) = m
                .micro_grid_id
                .split_once('M')
                .expect("micro-grid id has an M");
            assert_eq!(grid, g.grid_id);
            assert!(
                number.len() == 2 && number.chars().all(|ch| ch.is_ascii_digit()),
                "{}",
                m.micro_grid_id
            );
            assert!(m.name.contains("微网格"), "{}", m.name);
        }
        assert!(
            c.grid_shapes.contains_key(&g.grid_id),
            "{} has no polygon",
            g.grid_id
        );
    }
}

#[test]
fn grids_belong_to_real_villages_and_every_village_has_one() {
    let c = city();
    let village_town: BTreeMap<&str, &str> = c
        .divisions
        .iter()
        .filter(|d| d.level == "village")
        .map(|d| {
            (
                d.code.as_str(),
                d.parent_code.as_deref().expect("village has a parent"),
            )
        })
        .collect();
    let mut with_grids = BTreeSet::new();
    for g in &c.grids {
        let town = village_town
            .get(g.village_code.as_str())
            .unwrap_or_else(|| panic!("{} has no village", g.grid_id));
        assert_eq!(*town, g.town_code, "{}", g.grid_id);
        with_grids.insert(g.village_code.as_str());
    }
    assert_eq!(with_grids.len(), 406, "villages without a grid");
}

#[test]
fn grids_have_plausible_kinds_and_people() {
    let c = city();
    let kinds: BTreeSet<&str> = c.grids.iter().map(|g| g.kind.as_str()).collect();
    let allowed = [
        "residential",
        "rural",
        "industrial",
        "commercial",
        "school",
        "mixed",
    ];
    assert!(kinds.iter().all(|k| allowed.contains(k)), "{kinds:?}");
    assert_eq!(kinds.len(), allowed.len(), "every kind occurs: {kinds:?}");
    let population: u64 = c.grids.iter().map(|g| g.population).sum();
    assert_eq!(population, 1_829_488, "Cixi's 2020 resident population");
    for g in &c.grids {
        assert!(
            g.population > 0 && g.households > 0 && g.households < g.population,
            "{}",
            g.grid_id
        );
    }
    // Communities are mostly urban grids, villages mostly rural or industrial.
    let share = |village_word: &str, kinds: &[&str]| {
        let of: Vec<&GridRecord> = c
            .grids
            .iter()
            .filter(|g| g.name.contains(village_word))
            .collect();
        of.iter()
            .filter(|g| kinds.contains(&g.kind.as_str()))
            .count() as f64
            / of.len() as f64
    };
    assert!(share("社区第", &["residential", "commercial", "mixed"]) > 0.8);
    assert!(share("村第", &["rural", "industrial"]) > 0.8);
}

#[test]
fn grids_are_denser_in_the_central_streets() {
    let c = city();
    let central = [
        "330282002000",
        "330282003000",
        "330282004000",
        "330282005000",
        "330282006000",
    ];
    let density = |is_central: bool| {
        let grids = c
            .grids
            .iter()
            .filter(|g| central.contains(&g.town_code.as_str()) == is_central);
        let (people, area) = grids.fold((0.0, 0.0), |(p, a), g| {
            (
                p + g.population as f64,
                a + c.grid_shapes[&g.grid_id].unsigned_area(),
            )
        });
        people / area
    };
    assert!(
        density(true) > 5.0 * density(false),
        "central {} vs elsewhere {}",
        density(true),
        density(false)
    );
}

#[test]
fn geometry_rings_are_valid_geojson() {
    // RFC 7946: closed rings of at least four positions, exteriors counter-clockwise; and no repeated
    // consecutive positions, which some renderers choke on. Read as plain JSON, since converting to
    // geo types would close open rings silently.
    for name in ["geometry.geojson", "towns.geojson", "villages.geojson"] {
        let collection: serde_json::Value = serde_json::from_str(&read(name)).expect("valid JSON");
        for feature in collection["features"].as_array().expect("features") {
            let geometry = &feature["geometry"];
            let polygons = match geometry["type"].as_str() {
                Some("Polygon") => vec![geometry["coordinates"].clone()],
                Some("MultiPolygon") => geometry["coordinates"]
                    .as_array()
                    .expect("polygons")
                    .clone(),
                other => panic!("{name}: geometry type {other:?}"),
            };
            for polygon in &polygons {
                for (k, ring) in polygon.as_array().expect("rings").iter().enumerate() {
                    let points: Vec<(f64, f64)> = ring
                        .as_array()
                        .expect("positions")
                        .iter()
                        .map(|p| (p[0].as_f64().expect("lon"), p[1].as_f64().expect("lat")))
                        .collect();
                    assert!(
                        points.len() >= 4,
                        "{name}: a ring of {} positions",
                        points.len()
                    );
                    assert_eq!(points.first(), points.last(), "{name}: an open ring");
                    assert!(
                        points.windows(2).all(|w| w[0] != w[1]),
                        "{name}: repeated positions"
                    );
                    let twice_area: f64 = points
                        .windows(2)
                        .map(|w| w[0].0 * w[1].1 - w[1].0 * w[0].1)
                        .sum();
                    assert!(
                        (k == 0) == (twice_area > 0.0),
                        "{name}: ring {k} winds the wrong way"
                    );
                }
            }
        }
    }
}

#[test]
fn geometry_grids_do_not_overlap() {
    let c = city();
    let boxes: Vec<GeomWithData<Rectangle<[f64; 2]>, &str>> = c
        .grid_shapes
        .iter()
        .map(|(id, s)| {
            let r = s.bounding_rect().expect("grid is not empty");
            GeomWithData::new(
                Rectangle::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]),
                id.as_str(),
            )
        })
        .collect();
    let tree = RTree::bulk_load(boxes.clone());
    let mut pairs = 0;
    for b in &boxes {
        let envelope = AABB::from_corners(b.geom().lower(), b.geom().upper());
        for other in tree.locate_in_envelope_intersecting(&envelope) {
            if other.data <= b.data {
                continue;
            }
            pairs += 1;
            let (a, o) = (&c.grid_shapes[b.data], &c.grid_shapes[other.data]);
            let overlap = a.intersection(o).unsigned_area();
            let slack = rounding_slack(a).min(rounding_slack(o));
            assert!(
                overlap <= slack,
                "{} and {} overlap by {overlap:.2e} (slack {slack:.2e})",
                b.data,
                other.data
            );
        }
    }
    assert!(
        pairs > 1724,
        "only {pairs} neighbouring pairs were compared"
    );
}

#[test]
fn geometry_grids_tile_their_village() {
    let c = city();
    assert_eq!(c.villages.len(), 406);
    let mut sums: BTreeMap<&str, f64> = BTreeMap::new();
    for g in &c.grids {
        *sums.entry(g.village_code.as_str()).or_default() +=
            c.grid_shapes[&g.grid_id].unsigned_area();
    }
    for (code, (_, village)) in &c.villages {
        let area = village.unsigned_area();
        assert!(
            close(sums[code.as_str()], area, 1e-3),
            "grids of {code} cover {} of {area}",
            sums[code.as_str()]
        );
    }
    for g in &c.grids {
        let shape = &c.grid_shapes[&g.grid_id];
        let outside = shape.unsigned_area()
            - shape
                .intersection(&c.villages[&g.village_code].1)
                .unsigned_area();
        assert!(
            outside <= rounding_slack(shape),
            "{} sticks out of its village by {outside:.2e}",
            g.grid_id
        );
    }
}

#[test]
fn geometry_micro_grids_tile_their_grid() {
    let c = city();
    for g in &c.grids {
        let grid = &c.grid_shapes[&g.grid_id];
        let micro: Vec<&MultiPolygon<f64>> = g
            .micro_grids
            .iter()
            .map(|m| {
                let (owner, shape) = &c.micro_shapes[&m.micro_grid_id];
                assert_eq!(owner, &g.grid_id);
                shape
            })
            .collect();
        let sum: f64 = micro.iter().map(|m| m.unsigned_area()).sum();
        assert!(
            close(sum, grid.unsigned_area(), 1e-3),
            "micro-grids of {} cover {sum} of {}",
            g.grid_id,
            grid.unsigned_area()
        );
        for (i, m) in micro.iter().enumerate() {
            let outside = m.unsigned_area() - m.intersection(grid).unsigned_area();
            assert!(
                outside <= rounding_slack(m),
                "a micro-grid of {} sticks out by {outside:.2e}",
                g.grid_id
            );
            for other in &micro[i + 1..] {
                let overlap = m.intersection(*other).unsigned_area();
                assert!(
                    overlap <= rounding_slack(m),
                    "micro-grids of {} overlap by {overlap:.2e}",
                    g.grid_id
                );
            }
        }
    }
}

#[test]
fn geometry_centroids_lie_inside_their_grid() {
    let c = city();
    for g in &c.grids {
        let point = Point::new(g.centroid[0], g.centroid[1]);
        assert!(
            c.grid_shapes[&g.grid_id].contains(&point),
            "centroid of {} is outside it",
            g.grid_id
        );
    }
}

#[test]
fn geometry_towns_tile_the_county_outline() {
    let c = city();
    assert_eq!(c.towns.len(), 24);
    let dir = geodata_dir();
    if !dir.exists() {
        eprintln!(
            "SKIPPED: no geodata at {}; the county outline comes from there",
            dir.display()
        );
        return;
    }
    let geodata = gridwall_citygen::Geodata::load(&dir).expect("geodata loads");
    let county = &geodata.outline;
    let county_area = county.unsigned_area();
    let towns: f64 = c.towns.values().map(|t| t.unsigned_area()).sum();
    assert!(
        close(towns, county_area, 1e-3),
        "towns cover {towns} of {county_area}"
    );
    for (code, town) in &c.towns {
        let outside = town.unsigned_area() - town.intersection(county).unsigned_area();
        assert!(
            outside <= rounding_slack(town),
            "town {code} sticks out of the county by {outside:.2e}"
        );
    }
    for (code, (_, village)) in &c.villages {
        let outside = village.unsigned_area() - village.intersection(county).unsigned_area();
        assert!(
            outside <= rounding_slack(village),
            "village {code} sticks out of the county by {outside:.2e}"
        );
    }
    let grids: f64 = c.grid_shapes.values().map(|g| g.unsigned_area()).sum();
    assert!(
        close(grids, county_area, 1e-3),
        "grids cover {grids} of {county_area}"
    );
}

#[test]
fn regenerating_with_the_default_seed_gives_the_committed_bytes() {
    let dir = geodata_dir();
    if !dir.exists() {
        eprintln!("SKIPPED: no geodata at {}", dir.display());
        return;
    }
    let geodata = gridwall_citygen::Geodata::load(&dir).expect("geodata loads");
    let files = gridwall_citygen::output::render(&gridwall_citygen::build(
        &geodata,
        gridwall_citygen::DEFAULT_SEED,
    ));
    for (name, text) in files.named() {
        assert!(
            text == read(name),
            "{name} differs from a fresh generation: regenerate and commit, or find the nondeterminism"
        );
    }
}
