use geo::{Area, BooleanOps, Contains, Distance, Euclidean, LineString, Point, polygon};
use gridwall_domain::governance::DivisionLevel;

use super::*;

/// A square `side` degrees wide with its lower left corner at (x, y), in Cixi.
fn square(x: f64, y: f64, side: f64) -> MultiPolygon<f64> {
    MultiPolygon(vec![polygon![
        (x: x, y: y), (x: x + side, y: y), (x: x + side, y: y + side), (x: x, y: y + side),
    ]])
}

fn rings(shape: &MultiPolygon<f64>) -> impl Iterator<Item = &LineString<f64>> {
    shape
        .iter()
        .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
}

const X: f64 = 121.2;
const Y: f64 = 30.2;

#[test]
fn two_adjacent_squares_are_one_polygon_with_no_edge_between_them() {
    let shape = dissolve(&[square(X, Y, 0.01), square(X + 0.01, Y, 0.01)]);
    assert_eq!(shape.0.len(), 1);
    assert!(shape.0[0].interiors().is_empty());
    assert!(
        (shape.unsigned_area() - 2e-4).abs() < 1e-9,
        "{}",
        shape.unsigned_area()
    );
    // Every vertex lies on the rectangle's border: none on the shared edge
    // inside it.
    let inner = geo::Rect::new((X + 1e-5, Y + 1e-5), (X + 0.02 - 1e-5, Y + 0.01 - 1e-5));
    for c in rings(&shape).flat_map(|r| r.coords()) {
        assert!(!inner.contains(c), "a vertex inside the union: {c:?}");
    }
}

#[test]
fn slivers_of_rounding_between_grids_close() {
    // 10 cm of gap between two grids, and a vertex of a third set 5 cm off
    // the edge it should lie on: a plain union keeps both as holes.
    let gap = 1e-6;
    let left = square(X, Y, 0.01);
    let right = square(X + 0.01 + gap, Y, 0.01);
    let top = MultiPolygon(vec![polygon![
        (x: X, y: Y + 0.01), (x: X + 0.01, y: Y + 0.01 + 5e-7), (x: X + 0.02 + gap, y: Y + 0.01),
        (x: X + 0.02 + gap, y: Y + 0.02), (x: X, y: Y + 0.02),
    ]]);
    let plain = geo::unary_union(&[left.clone(), right.clone(), top.clone()]);
    assert!(
        rings(&plain).count() > 1,
        "the sliver is there without closing"
    );
    let shape = dissolve(&[left, right, top]);
    assert_eq!(rings(&shape).count(), 1, "one ring, no sliver: {shape:?}");
}

/// A grid feature of the platform's geometry.
fn feature(grid_id: &str, geometry: Value) -> Value {
    json!({"type": "Feature", "properties": {"level": "grid", "grid_id": grid_id}, "geometry": geometry})
}

fn ring(x: f64, y: f64, side: f64, clockwise: bool) -> Value {
    let mut ring = vec![
        [x, y],
        [x + side, y],
        [x + side, y + side],
        [x, y + side],
        [x, y],
    ];
    if clockwise {
        ring.reverse();
    }
    json!([ring])
}

fn grid(grid_id: &str, town: &str, centroid: [f64; 2]) -> Grid {
    Grid {
        grid_id: grid_id.into(),
        name: format!("{grid_id}网格"),
        village_code: format!("{}001", &town[..9]),
        town_code: town.into(),
        kind: None,
        centroid: Some(centroid),
        population: Some(100),
        households: None,
        micro_grids: vec![],
    }
}

fn town(code: &str, name: &str) -> Division {
    Division {
        code: code.into(),
        name: name.into(),
        level: DivisionLevel::Town,
        parent_code: Some("330282000000".into()),
    }
}

#[test]
fn clockwise_rings_and_multipolygons_join_their_town() {
    // The clockwise grid comes first: unary_union takes its fill rule from
    // the first ring it sees.
    let geometry = json!({"type": "FeatureCollection", "features": [
        feature("A1", json!({"type": "Polygon", "coordinates": ring(X + 0.01, Y, 0.01, true)})),
        feature("A2", json!({"type": "Polygon", "coordinates": ring(X, Y, 0.01, false)})),
        feature("A3", json!({"type": "MultiPolygon", "coordinates": [
            ring(X + 0.02, Y, 0.01, false),
            ring(X + 0.05, Y, 0.01, true),
        ]})),
    ]});
    let grids = [
        grid("A1", "330282001000", [X + 0.015, Y + 0.005]),
        grid("A2", "330282001000", [X + 0.005, Y + 0.005]),
        grid("A3", "330282001000", [X + 0.025, Y + 0.005]),
    ];
    let outlines = TownOutlines::from_grids(
        &geometry.to_string(),
        &grids,
        &[town("330282001000", "浒山街道")],
    )
    .unwrap();
    assert_eq!(outlines.skipped, 0);
    assert_eq!(outlines.towns.len(), 1);
    let shape = &outlines.towns[0].shape;
    // The three adjacent squares as one, and A3's island apart.
    assert_eq!(shape.0.len(), 2, "{shape:?}");
    assert!(
        (shape.unsigned_area() - 4e-4).abs() < 1e-9,
        "{}",
        shape.unsigned_area()
    );
    assert!(shape.0.iter().all(|p| p.interiors().is_empty()));
    for g in &grids {
        assert!(shape.contains(&Coord::from(g.centroid.unwrap())));
    }
}

#[test]
fn grids_of_two_towns_make_two_features_as_the_map_reads_them() {
    let geometry = json!({"type": "FeatureCollection", "features": [
        feature("A1", json!({"type": "Polygon", "coordinates": ring(X, Y, 0.01, false)})),
        feature("B1", json!({"type": "Polygon", "coordinates": ring(X + 0.01, Y, 0.01, false)})),
        feature("B2", json!({"type": "Polygon", "coordinates": ring(X + 0.01, Y + 0.01, 0.01, false)})),
        // Micro-grids are not grids; an unknown grid and a line are skipped.
        {"type": "Feature", "properties": {"level": "micro_grid", "grid_id": "A1", "micro_grid_id": "A1M01"},
         "geometry": {"type": "Polygon", "coordinates": ring(X, Y, 0.005, false)}},
        feature("C1", json!({"type": "Polygon", "coordinates": ring(X + 0.1, Y, 0.01, false)})),
        feature("B3", json!({"type": "LineString", "coordinates": [[X, Y], [X + 1.0, Y]]})),
    ]});
    let grids = [
        grid("A1", "330282001000", [X + 0.005, Y + 0.005]),
        grid("B1", "330282002000", [X + 0.015, Y + 0.005]),
        grid("B2", "330282002000", [X + 0.015, Y + 0.015]),
        grid("B3", "330282002000", [X + 0.5, Y + 0.005]),
    ];
    let divisions = [
        town("330282001000", "浒山街道"),
        town("330282002000", "宗汉街道"),
    ];
    let outlines = TownOutlines::from_grids(&geometry.to_string(), &grids, &divisions).unwrap();
    assert_eq!(
        outlines.skipped, 2,
        "C1 is not in the grid list; B3 is a line"
    );

    let collection: Value = serde_json::from_str(&outlines.to_geojson()).unwrap();
    assert_eq!(collection["type"], "FeatureCollection");
    let features = collection["features"].as_array().unwrap();
    assert_eq!(features.len(), 2);
    let props: Vec<(&str, &str)> = features
        .iter()
        .map(|f| {
            let p = &f["properties"];
            (p["code"].as_str().unwrap(), p["name"].as_str().unwrap())
        })
        .collect();
    assert_eq!(
        props,
        [("330282001000", "浒山街道"), ("330282002000", "宗汉街道")]
    );
    for f in features {
        let shape: geo::Geometry<f64> =
            serde_json::from_value::<geojson::Geometry>(f["geometry"].clone())
                .unwrap()
                .try_into()
                .unwrap();
        let label: [f64; 2] = serde_json::from_value(f["properties"]["centroid"].clone()).unwrap();
        assert!(shape.contains(&Point::from(label)), "the label is inside");
    }
    // B's label is the mean of its grids' centres: on the edge between them,
    // inside the town.
    assert_eq!(
        outlines.towns[1].label,
        Coord {
            x: X + 0.015,
            y: Y + 0.01
        }
    );
}

#[test]
fn geometry_that_is_not_a_collection_is_an_error_not_a_panic() {
    assert!(TownOutlines::from_grids("[1, 2]", &[], &[]).is_err());
    assert!(TownOutlines::from_grids("not json", &[], &[]).is_err());
}

/// The simulator's city dissolved per town against the outlines citygen
/// made for the same towns: the same pieces and holes, every vertex on
/// their border, and no sliver left inside a town.
#[test]
fn the_simulators_grids_dissolve_into_its_towns_without_slivers() {
    let city = gridwall_sim::city::City::embedded().unwrap();
    let geometry = std::str::from_utf8(city.geometry()).unwrap();
    let started = std::time::Instant::now();
    let outlines = TownOutlines::from_grids(geometry, city.grids(), city.divisions()).unwrap();
    println!("1,724 grids dissolved in {:?}", started.elapsed());
    assert_eq!(outlines.skipped, 0);
    assert_eq!(outlines.towns.len(), 24);

    let shipped: Value =
        serde_json::from_str(include_str!("../../../assets/city/towns.geojson")).unwrap();
    for (town, feature) in outlines
        .towns
        .iter()
        .zip(shipped["features"].as_array().unwrap())
    {
        assert_eq!(town.code, feature["properties"]["code"].as_str().unwrap());
        assert_eq!(town.name, feature["properties"]["name"].as_str().unwrap());
        let expected = polygons(feature["geometry"].clone()).unwrap();
        assert_eq!(
            town.shape.0.len(),
            expected.0.len(),
            "{}: pieces",
            town.name
        );
        let holes = |s: &MultiPolygon<f64>| s.iter().map(|p| p.interiors().len()).sum::<usize>();
        assert_eq!(holes(&town.shape), holes(&expected), "{}: holes", town.name);
        let off = town.shape.xor(&expected).unsigned_area() / expected.unsigned_area();
        assert!(off < 1e-4, "{}: {off:e} of the area differs", town.name);
        // A sliver's vertices lie inside the town, far from its border.
        let border: Vec<&LineString<f64>> = rings(&expected).collect();
        for c in rings(&town.shape).flat_map(|r| r.coords()) {
            let d = border
                .iter()
                .map(|r| Euclidean.distance(&Point::from(*c), *r))
                .fold(f64::INFINITY, f64::min);
            assert!(
                d < 2.0 * CLOSE_DEG,
                "{}: a vertex {d:e}° off the border at {c:?}",
                town.name
            );
        }
        assert!(
            town.shape.contains(&town.label),
            "{}: label outside",
            town.name
        );
    }
}
