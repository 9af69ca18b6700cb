//! The grid geometry as the contract allows it to come: Polygon or
//! MultiPolygon, rings wound either way, holes.
//!
//! The city's own boundaries are all counter-clockwise Polygons. Here one grid
//! in five is wound clockwise, one in seven is a one-part MultiPolygon, and one
//! in a hundred gives up a square around its middle, as a hole, to the
//! next grid, whose MultiPolygon gains that square as an exclave (a block of
//! one community's houses inside another's, as real grids have).

use serde_json::{Value, json};

type Ring = Vec<[f64; 2]>;

/// The hostile form of a FeatureCollection of grid boundaries. Features that
/// are not Polygons, and anything unparseable, pass unchanged.
pub fn geometry(geojson: &str) -> String {
    let Ok(mut collection) = serde_json::from_str::<Value>(geojson) else {
        return geojson.to_owned();
    };
    let Some(features) = collection.get_mut("features").and_then(Value::as_array_mut) else {
        return geojson.to_owned();
    };
    let grids: Vec<usize> = (0..features.len())
        .filter(|&i| {
            features[i]["properties"]["level"] == "grid" && polygon(&features[i]).is_some()
        })
        .collect();
    // Exclaves first, while every grid is still a plain Polygon.
    for pair in grids.chunks(2).step_by(50) {
        let [a, b] = pair else { continue };
        let Some(outer) = polygon(&features[*a]).and_then(|rings| rings.into_iter().next()) else {
            continue;
        };
        let Some(square) = inner_square(&outer) else {
            continue;
        };
        let mut hole = square.clone();
        wind(&mut hole, false);
        push_ring(&mut features[*a], hole);
        let rings = polygon(&features[*b]).expect("b is a polygon");
        let mut exclave = square;
        wind(&mut exclave, true);
        features[*b]["geometry"] = json!({
            "type": "MultiPolygon",
            "coordinates": [rings, [exclave]],
        });
    }
    for (n, &i) in grids.iter().enumerate() {
        if n % 5 == 1 {
            if let Some(mut rings) = polygon(&features[i]) {
                wind(&mut rings[0], false);
                features[i]["geometry"]["coordinates"] = json!(rings);
            }
        } else if n % 7 == 3
            && let Some(rings) = polygon(&features[i])
        {
            features[i]["geometry"] = json!({ "type": "MultiPolygon", "coordinates": [rings] });
        }
    }
    collection.to_string()
}

/// The rings of a Polygon feature.
fn polygon(feature: &Value) -> Option<Vec<Ring>> {
    if feature["geometry"]["type"] != "Polygon" {
        return None;
    }
    serde_json::from_value(feature["geometry"]["coordinates"].clone()).ok()
}

fn push_ring(feature: &mut Value, ring: Ring) {
    if let Some(rings) = feature["geometry"]["coordinates"].as_array_mut() {
        rings.push(json!(ring));
    }
}

/// Twice the signed area: positive when counter-clockwise.
fn signed_area(ring: &Ring) -> f64 {
    ring.windows(2)
        .map(|w| w[0][0] * w[1][1] - w[1][0] * w[0][1])
        .sum()
}

/// Winds `ring` counter-clockwise (`ccw`) or clockwise.
fn wind(ring: &mut Ring, ccw: bool) {
    if (signed_area(ring) > 0.0) != ccw {
        ring.reverse();
    }
}

fn inside(point: [f64; 2], ring: &Ring) -> bool {
    let mut inside = false;
    for w in ring.windows(2) {
        let ([x1, y1], [x2, y2]) = (w[0], w[1]);
        if (y1 > point[1]) != (y2 > point[1])
            && point[0] < x1 + (point[1] - y1) / (y2 - y1) * (x2 - x1)
        {
            inside = !inside;
        }
    }
    inside
}

/// A closed square around the ring's vertex mean, 30% (else 15%) of its
/// smaller half-extent across, if it lies wholly inside the ring (no corner
/// out, no vertex in): big enough to click on a 1080p map of the city.
pub(crate) fn inner_square(ring: &Ring) -> Option<Ring> {
    [0.3, 0.15].into_iter().find_map(|f| square_of(ring, f))
}

fn square_of(ring: &Ring, factor: f64) -> Option<Ring> {
    let n = ring.len().saturating_sub(1).max(1) as f64;
    let cx = ring.iter().take(ring.len() - 1).map(|p| p[0]).sum::<f64>() / n;
    let cy = ring.iter().take(ring.len() - 1).map(|p| p[1]).sum::<f64>() / n;
    let (mut w, mut h) = (0f64, 0f64);
    for p in ring {
        w = w.max((p[0] - cx).abs());
        h = h.max((p[1] - cy).abs());
    }
    let r = w.min(h) * factor;
    if r <= 0.0 {
        return None;
    }
    let square = vec![
        [cx - r, cy - r],
        [cx + r, cy - r],
        [cx + r, cy + r],
        [cx - r, cy + r],
        [cx - r, cy - r],
    ];
    let corners_in = square.iter().all(|&p| inside(p, ring));
    let no_vertex_in = ring
        .iter()
        .all(|p| !(p[0] > cx - r && p[0] < cx + r && p[1] > cy - r && p[1] < cy + r));
    (corners_in && no_vertex_in).then_some(square)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_city_comes_as_multipolygons_clockwise_rings_and_an_exclave_in_a_hole() {
        let city = crate::city::City::embedded().unwrap();
        let text = std::str::from_utf8(city.geometry()).unwrap();
        let hostile: Value = serde_json::from_str(&geometry(text)).unwrap();
        let features = hostile["features"].as_array().unwrap();
        let plain: Value = serde_json::from_str(text).unwrap();
        assert_eq!(features.len(), plain["features"].as_array().unwrap().len());
        let (mut multi, mut clockwise, mut exclaves, mut holes) = (0, 0, 0, 0);
        for f in features {
            let g = &f["geometry"];
            let polygons: Vec<Vec<Ring>> = match g["type"].as_str().unwrap() {
                "Polygon" => vec![serde_json::from_value(g["coordinates"].clone()).unwrap()],
                _ => {
                    multi += 1;
                    serde_json::from_value(g["coordinates"].clone()).unwrap()
                }
            };
            let square = |r: &Ring| r.len() == 5 && r[0][1] == r[1][1] && r[1][0] == r[2][0];
            if f["properties"]["level"] == "grid"
                && polygons.len() > 1
                && square(&polygons.last().unwrap()[0])
            {
                exclaves += 1;
                // The exclave lies inside the hole of another grid.
                let square = &polygons.last().unwrap()[0];
                let centre = [
                    (square[0][0] + square[2][0]) / 2.0,
                    (square[0][1] + square[2][1]) / 2.0,
                ];
                let owner = features.iter().find(|o| {
                    let coordinates = o["geometry"]["coordinates"].clone();
                    let parts: Vec<Vec<Ring>> = match o["geometry"]["type"].as_str() {
                        Some("Polygon") => serde_json::from_value(coordinates).map(|p| vec![p]),
                        _ => serde_json::from_value(coordinates),
                    }
                    .unwrap_or_default();
                    parts
                        .iter()
                        .any(|r| r.len() == 2 && inside(centre, &r[0]) && inside(centre, &r[1]))
                });
                assert!(owner.is_some(), "an exclave without its hole");
            }
            for rings in &polygons {
                holes += rings.len() - 1;
                if signed_area(&rings[0]) < 0.0 {
                    clockwise += 1;
                }
            }
        }
        assert!(multi > 100, "{multi} multipolygons");
        assert!(clockwise > 100, "{clockwise} clockwise outer rings");
        assert!(
            exclaves >= 5 && holes >= exclaves,
            "{exclaves} exclaves, {holes} holes"
        );
    }
}
