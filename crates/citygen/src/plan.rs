//! The numbers of the city that are not geometry: how many grids each village gets, how many
//! micro-grids each grid gets, each grid's kind, population and households, and the names.
//!
//! The rules follow `cixi_grid_allocation_suggested.csv` (a 社区/居委会 weighs 7, a 村 3.3, a virtual
//! unit 2) and the public figures in `SOURCES.md` (1,829,488 residents in 2020, most in the five
//! central streets). Everything random draws from the one seeded generator passed in, in a fixed order.

use rand::RngExt;
use rand_chacha::ChaCha8Rng;

/// Resident population of Cixi, 2020 census.
pub const TOTAL_POPULATION: u64 = 1_829_488;
/// Micro-grids in the whole city: six per grid on average.
pub const MICRO_GRIDS_PER_GRID: u32 = 6;
/// The five streets (街道) of the central city, where grids are small and dense.
pub const CENTRAL_STREETS: [&str; 5] = [
    "330282002000",
    "330282003000",
    "330282004000",
    "330282005000",
    "330282006000",
];

/// Weight of a village-level unit in sharing its town's grids (the CSV's rule of thumb).
pub fn grid_weight(village_kind: &str) -> f64 {
    match village_kind {
        "community" | "residents_committee" => 7.0,
        "village" => 3.3,
        _ => 2.0,
    }
}

/// Relative land per grid: urban units are compact, rural villages spread out. Used to size village
/// cells inside their town.
pub fn land_per_grid(village_kind: &str) -> f64 {
    match village_kind {
        "community" => 0.3,
        "residents_committee" => 0.4,
        _ => 1.0,
    }
}

/// Shares `total` in proportion to `weights`, each share at least `min_each`, by the largest-remainder
/// method (so the shares sum to exactly `total`).
pub fn largest_remainder(total: u64, weights: &[f64], min_each: u64) -> Vec<u64> {
    let sum: f64 = weights.iter().sum();
    let quotas: Vec<f64> = weights.iter().map(|w| total as f64 * w / sum).collect();
    let mut shares: Vec<u64> = quotas
        .iter()
        .map(|q| (q.floor() as u64).max(min_each))
        .collect();
    let mut assigned: u64 = shares.iter().sum();
    while assigned < total {
        let i = (0..shares.len())
            .max_by(|&a, &b| {
                (quotas[a] - shares[a] as f64)
                    .total_cmp(&(quotas[b] - shares[b] as f64))
                    .then(b.cmp(&a))
            })
            .expect("weights are not empty");
        shares[i] += 1;
        assigned += 1;
    }
    while assigned > total {
        let i = (0..shares.len())
            .filter(|&i| shares[i] > min_each)
            .min_by(|&a, &b| {
                (quotas[a] - shares[a] as f64)
                    .total_cmp(&(quotas[b] - shares[b] as f64))
                    .then(a.cmp(&b))
            })
            .expect("total is at least min_each per share");
        shares[i] -= 1;
        assigned -= 1;
    }
    shares
}

/// What a grid mostly is (the contract's open set).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GridKind {
    Residential,
    Rural,
    Industrial,
    Commercial,
    School,
    Mixed,
}

impl GridKind {
    pub fn as_str(self) -> &'static str {
        match self {
            GridKind::Residential => "residential",
            GridKind::Rural => "rural",
            GridKind::Industrial => "industrial",
            GridKind::Commercial => "commercial",
            GridKind::School => "school",
            GridKind::Mixed => "mixed",
        }
    }

    /// People per grid relative to an average grid.
    fn population_factor(self) -> f64 {
        match self {
            GridKind::Residential => 1.35,
            GridKind::Mixed => 1.1,
            GridKind::Commercial => 0.8,
            GridKind::Rural => 0.85,
            GridKind::Industrial => 0.6,
            GridKind::School => 0.5,
        }
    }

    /// Range of people per household: factory dormitories hold single workers, villages larger families.
    fn household_size(self) -> (f64, f64) {
        match self {
            GridKind::Industrial => (1.6, 2.3),
            GridKind::School => (2.0, 2.6),
            GridKind::Rural => (2.8, 3.4),
            _ => (2.4, 2.9),
        }
    }
}

/// Draws a grid's kind from its village's kind: communities mostly residential, commercial or mixed;
/// villages mostly rural or industrial; a few schools; development zones industrial.
pub fn draw_kind(village_kind: &str, rng: &mut ChaCha8Rng) -> GridKind {
    use GridKind::*;
    let table: &[(GridKind, u32)] = match village_kind {
        "community" | "residents_committee" => &[
            (Residential, 62),
            (Commercial, 16),
            (Mixed, 19),
            (School, 3),
        ],
        "village" => &[(Rural, 66), (Industrial, 25), (Mixed, 8), (School, 1)],
        "virtual" => &[(Industrial, 70), (Commercial, 20), (Mixed, 10)],
        _ => &[(Rural, 80), (Mixed, 20)],
    };
    let total: u32 = table.iter().map(|(_, w)| w).sum();
    let mut pick = rng.random_range(0..total);
    for &(kind, w) in table {
        if pick < w {
            return kind;
        }
        pick -= w;
    }
    unreachable!("pick is below the table's total")
}

/// Relative population weight of one grid.
pub fn population_weight(
    kind: GridKind,
    town_code: &str,
    town_kind: &str,
    rng: &mut ChaCha8Rng,
) -> f64 {
    // Calibrated loosely on the public figures in SOURCES.md (观海卫 about 200k residents, 横河
    // about 118k with migrants, 长河 60k): central grids hold somewhat more people than town grids.
    let place = if CENTRAL_STREETS.contains(&town_code) {
        1.15
    } else if town_kind == "special_zone" {
        0.5
    } else {
        1.0
    };
    kind.population_factor() * place * rng.random_range(0.75..1.25)
}

/// Households for a grid of `population` people.
pub fn households(kind: GridKind, population: u64, rng: &mut ChaCha8Rng) -> u64 {
    let (lo, hi) = kind.household_size();
    ((population as f64 / rng.random_range(lo..hi)).round() as u64).max(1)
}

/// Micro-grid counts per grid: 4 to 8 each, then nudged one at a time until the city holds exactly
/// `MICRO_GRIDS_PER_GRID` per grid on average.
pub fn micro_grid_counts(grids: usize, rng: &mut ChaCha8Rng) -> Vec<u32> {
    let mut counts: Vec<u32> = (0..grids).map(|_| rng.random_range(4..=8)).collect();
    let target = MICRO_GRIDS_PER_GRID * grids as u32;
    let mut total: u32 = counts.iter().sum();
    while total != target {
        let i = rng.random_range(0..grids);
        if total < target && counts[i] < 9 {
            counts[i] += 1;
            total += 1;
        } else if total > target && counts[i] > 3 {
            counts[i] -= 1;
            total -= 1;
        }
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn largest_remainder_hits_the_total_and_the_minimum() {
        let shares = largest_remainder(10, &[7.0, 3.3, 3.3, 0.01], 1);
        assert_eq!(shares.iter().sum::<u64>(), 10);
        assert!(shares.iter().all(|&s| s >= 1));
        assert!(shares[0] > shares[1]);
    }

    #[test]
    fn micro_grid_counts_average_six() {
        use rand::SeedableRng;
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let counts = micro_grid_counts(1724, &mut rng);
        assert_eq!(counts.iter().sum::<u32>(), 10_344);
        assert!(counts.iter().all(|&c| (3..=9).contains(&c)));
    }
}
