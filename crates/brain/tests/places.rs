//! Grid adjacency from the simulated city's boundaries (`assets/city`).

use gridwall_brain::Places;

use crate::support::city_places;

#[test]
fn every_grid_has_neighbours_and_adjacency_is_symmetric() {
    let (city, places): (_, Places) = city_places();
    let grids = city.grids();
    let mut total = 0;
    let mut across_villages = 0;
    for g in grids {
        let neighbours = places.neighbours(&g.grid_id);
        assert!(!neighbours.is_empty(), "{} has no neighbour", g.grid_id);
        for n in neighbours {
            assert!(
                places.neighbours(n).contains(&g.grid_id),
                "{} → {n} but not back",
                g.grid_id
            );
            if places.grid(n).map(|i| &i.village) != Some(&g.village_code) {
                across_villages += 1;
            }
        }
        total += neighbours.len();
    }
    let mean = total as f64 / grids.len() as f64;
    // A tiling of the plane has about six neighbours a cell on average.
    assert!((3.0..8.0).contains(&mean), "mean neighbours {mean}");
    assert!(
        across_villages > grids.len() / 4,
        "borders between villages are found too: {across_villages}"
    );
}
