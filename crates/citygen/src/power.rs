//! Power diagrams (weighted Voronoi) clipped to a parent region, and fitting them to target areas.
//!
//! Every level of the city (towns in the county, villages in a town, grids in a village, micro-grids in
//! a grid) is one power diagram of that level's sites, clipped to the parent's shape. A power diagram
//! is used rather than a plain Voronoi diagram because its weights let each cell reach a target area
//! (a town's rough size, a community smaller than a rural village) while the cells still tile the
//! parent exactly: every pair of neighbouring cells shares one straight bisector.
//!
//! The Voronoi crates (`voronoice`, `spade`) build unweighted diagrams only, so the convex cell of each
//! site is built here as the intersection of its half-planes (the sites per parent are few, at most
//! about fifty, so the quadratic cost is nothing), and `geo`'s boolean operations clip it to the parent.

use geo::{
    Area, BooleanOps, BoundingRect, Centroid, Contains, Coord, InteriorPoint, LineString,
    MultiPolygon, Polygon,
};

/// Pieces smaller than this (km², i.e. 0.1 m²) are numerical slivers of the clipping and are dropped.
const SLIVER_KM2: f64 = 1e-7;

/// A site of a power diagram: a point and its weight (km², the square of a "radius bonus").
#[derive(Debug, Clone, Copy)]
pub struct Site {
    pub at: Coord<f64>,
    pub weight: f64,
}

/// Clips the convex polygon `poly` to the half-plane `a·p <= b`.
fn clip_half_plane(poly: &[Coord<f64>], a: Coord<f64>, b: f64) -> Vec<Coord<f64>> {
    let side = |p: Coord<f64>| a.x * p.x + a.y * p.y - b;
    let mut out = Vec::with_capacity(poly.len() + 1);
    for (i, &p) in poly.iter().enumerate() {
        let q = poly[(i + 1) % poly.len()];
        let (sp, sq) = (side(p), side(q));
        if sp <= 0.0 {
            out.push(p);
        }
        if (sp < 0.0 && sq > 0.0) || (sp > 0.0 && sq < 0.0) {
            let t = sp / (sp - sq);
            out.push(Coord {
                x: p.x + t * (q.x - p.x),
                y: p.y + t * (q.y - p.y),
            });
        }
    }
    out
}

/// The convex power cell of site `i` within `frame` (a convex polygon covering the region).
fn convex_cell(i: usize, sites: &[Site], frame: &[Coord<f64>]) -> Vec<Coord<f64>> {
    let pi = sites[i].at;
    let mut cell = frame.to_vec();
    for (j, sj) in sites.iter().enumerate() {
        if j == i || cell.len() < 3 {
            continue;
        }
        let pj = sj.at;
        // |x-pi|² - wi <= |x-pj|² - wj  <=>  2x·(pj-pi) <= |pj|² - |pi|² - wj + wi
        let a = Coord {
            x: 2.0 * (pj.x - pi.x),
            y: 2.0 * (pj.y - pi.y),
        };
        let b =
            (pj.x * pj.x + pj.y * pj.y) - (pi.x * pi.x + pi.y * pi.y) - sj.weight + sites[i].weight;
        cell = clip_half_plane(&cell, a, b);
    }
    cell
}

/// The cells of `sites` within `region`, in site order. A cell may be empty (a site whose weight is
/// too low) or have several pieces (where the region is concave).
pub fn power_cells(region: &MultiPolygon<f64>, sites: &[Site]) -> Vec<MultiPolygon<f64>> {
    (0..sites.len())
        .map(|i| cell_of(region, sites, i))
        .collect()
}

/// The cell of site `i` alone (see [`power_cells`]).
pub fn cell_of(region: &MultiPolygon<f64>, sites: &[Site], i: usize) -> MultiPolygon<f64> {
    let Some(rect) = region.bounding_rect() else {
        return MultiPolygon::new(vec![]);
    };
    let pad = (rect.width() + rect.height()) * 0.5 + 1.0;
    let (lo, hi) = (rect.min(), rect.max());
    let frame = [
        Coord {
            x: lo.x - pad,
            y: lo.y - pad,
        },
        Coord {
            x: hi.x + pad,
            y: lo.y - pad,
        },
        Coord {
            x: hi.x + pad,
            y: hi.y + pad,
        },
        Coord {
            x: lo.x - pad,
            y: hi.y + pad,
        },
    ];
    let mut ring = convex_cell(i, sites, &frame);
    if ring.len() < 3 {
        return MultiPolygon::new(vec![]);
    }
    ring.push(ring[0]);
    let clipped = region.intersection(&Polygon::new(LineString::new(ring), vec![]));
    MultiPolygon::new(
        clipped
            .0
            .into_iter()
            .filter(|p| p.unsigned_area() > SLIVER_KM2)
            .collect(),
    )
}

/// How to fit a diagram to its targets.
#[derive(Debug, Clone, Copy)]
pub struct Fit {
    /// Rounds of weight adjustment.
    pub rounds: usize,
    /// Move each site to its cell's centre every round (Lloyd relaxation), for rounder cells. Off for
    /// towns, whose sites are the given seed points.
    pub relax: bool,
}

/// A point of `shape` to stand for it: the centroid if it lies inside, otherwise an interior point.
pub fn inside_point(shape: &MultiPolygon<f64>) -> Option<Coord<f64>> {
    let centroid = shape.centroid()?;
    if shape.contains(&centroid) {
        return Some(centroid.0);
    }
    shape.interior_point().map(|p| p.0)
}

/// Adjusts the weights (and, when relaxing, the positions) of `sites` so that their cells in `region`
/// come near `targets` (km², summing to the region's area), and returns the final cells. Every
/// returned cell is non-empty: if fitting leaves a cell empty, the weights are pulled back toward zero,
/// where each site (lying inside the region) owns at least the space around itself.
pub fn fit_cells(
    region: &MultiPolygon<f64>,
    sites: &mut [Site],
    targets: &[f64],
    fit: Fit,
) -> Vec<MultiPolygon<f64>> {
    assert_eq!(sites.len(), targets.len());
    if sites.len() == 1 {
        return vec![region.clone()];
    }
    for _ in 0..fit.rounds {
        let cells = power_cells(region, sites);
        let areas: Vec<f64> = cells.iter().map(|c| c.unsigned_area()).collect();
        let max_weight = sites.iter().map(|s| s.weight).fold(f64::MIN, f64::max);
        // Jacobi-Newton on each weight: the slope dA/dw of a cell depends on how close its neighbours
        // are, so it is measured (one extra cell per site) rather than assumed. The half step keeps two
        // neighbours, both moving their shared edge at once, from overshooting.
        let steps: Vec<f64> = (0..sites.len())
            .map(|i| {
                let (area, target) = (areas[i], targets[i]);
                if area <= 0.0 {
                    return target + 0.5 * (max_weight - sites[i].weight);
                }
                let eps = 0.02 * target;
                let mut probe = sites.to_vec();
                probe[i].weight += eps;
                let slope = (cell_of(region, &probe, i).unsigned_area() - area) / eps;
                0.5 * (target - area) / slope.max(0.05)
            })
            .collect();
        for ((site, step), cell) in sites.iter_mut().zip(steps).zip(&cells) {
            site.weight += step;
            if fit.relax
                && let Some(c) = inside_point(cell)
            {
                site.at = c;
            }
        }
        let mean = sites.iter().map(|s| s.weight).sum::<f64>() / sites.len() as f64;
        for s in sites.iter_mut() {
            s.weight -= mean;
        }
    }
    for _ in 0..40 {
        let cells = power_cells(region, sites);
        if cells
            .iter()
            .zip(targets)
            .all(|(c, t)| c.unsigned_area() > 0.05 * t)
        {
            return cells;
        }
        for s in sites.iter_mut() {
            s.weight *= 0.5;
        }
    }
    for s in sites.iter_mut() {
        s.weight = 0.0;
    }
    power_cells(region, sites)
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{Intersects, polygon};

    fn square(size: f64) -> MultiPolygon<f64> {
        MultiPolygon::new(vec![
            polygon![(x: 0.0, y: 0.0), (x: size, y: 0.0), (x: size, y: size), (x: 0.0, y: size)],
        ])
    }

    #[test]
    fn cells_tile_the_region_without_overlap() {
        let region = square(10.0);
        let sites: Vec<Site> = [(1.0, 1.0), (8.0, 2.0), (5.0, 5.0), (2.0, 9.0), (9.0, 9.0)]
            .iter()
            .map(|&(x, y)| Site {
                at: Coord { x, y },
                weight: 0.0,
            })
            .collect();
        let cells = power_cells(&region, &sites);
        let total: f64 = cells.iter().map(|c| c.unsigned_area()).sum();
        assert!((total - 100.0).abs() < 1e-6, "total {total}");
        for (i, a) in cells.iter().enumerate() {
            for b in &cells[i + 1..] {
                assert!(a.intersection(b).unsigned_area() < 1e-6);
            }
        }
        for (site, cell) in sites.iter().zip(&cells) {
            assert!(cell.intersects(&geo::Point::from(site.at)));
        }
    }

    #[test]
    fn fitting_reaches_unequal_targets() {
        let region = square(10.0);
        let mut sites: Vec<Site> = [(2.0, 2.0), (8.0, 2.0), (5.0, 8.0)]
            .iter()
            .map(|&(x, y)| Site {
                at: Coord { x, y },
                weight: 0.0,
            })
            .collect();
        let targets = [60.0, 25.0, 15.0];
        let cells = fit_cells(
            &region,
            &mut sites,
            &targets,
            Fit {
                rounds: 60,
                relax: true,
            },
        );
        for (cell, target) in cells.iter().zip(targets) {
            let area = cell.unsigned_area();
            assert!(
                (area - target).abs() < 0.05 * target,
                "area {area} target {target}"
            );
        }
    }
}
