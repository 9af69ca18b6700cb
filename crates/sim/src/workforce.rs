//! The grid workforce: who works in which grid, generated from the seed.
//!
//! Cixi's published figures fix the counts: one grid leader and one full-time
//! worker per grid (1,724 each), 1,778 instructors (some cover several grids
//! and carry no grid id) and 10,419 part-time workers spread by population.
//! With a smaller city (a test fixture) the counts scale with the grid count.

use std::collections::HashMap;

use gridwall_domain::governance::{Role, Worker};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use time::{Duration, OffsetDateTime};

use crate::city::City;
use crate::names;

const GRIDS: f64 = 1_724.0;
const INSTRUCTORS: f64 = 1_778.0;
const PART_TIME: f64 = 10_419.0;

/// Every worker, in a fixed order (the order of paging), with lookups by grid.
#[derive(Debug)]
pub struct Workforce {
    workers: Vec<Worker>,
    by_grid: HashMap<String, Vec<usize>>,
}

impl Workforce {
    /// Generates the workforce as it stands at `now` (duty status, last check-in).
    pub fn generate(city: &City, seed: u64, now: OffsetDateTime) -> Workforce {
        let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5747_4f52_4b45_5253);
        let grids = city.grids();
        let n = grids.len() as f64;
        let instructors = (n * INSTRUCTORS / GRIDS).round() as usize;
        let part_time = (n * PART_TIME / GRIDS).round() as usize;
        let total_population: f64 = grids
            .iter()
            .map(|g| f64::from(g.population.unwrap_or(1).max(1)))
            .sum();

        let mut workers = Vec::with_capacity(grids.len() * 2 + instructors + part_time);
        let mut part_time_left = part_time;
        for (i, grid) in grids.iter().enumerate() {
            let centroid = city.centroid(grid);
            let mut add = |role: Role, grid_id: Option<&str>, rng: &mut ChaCha8Rng| {
                let on_duty = rng.random_bool(match role {
                    Role::GridLeader | Role::FullTime => 0.85,
                    Role::Instructor => 0.5,
                    Role::PartTime => 0.35,
                });
                let seen_minutes_ago = if on_duty {
                    rng.random_range(0..30)
                } else {
                    rng.random_range(60..3 * 24 * 60)
                };
                let round = |x: f64| (x * 1e6).round() / 1e6;
                let position = [
                    round(centroid[0] + rng.random_range(-0.004..0.004)),
                    round(centroid[1] + rng.random_range(-0.003..0.003)),
                ];
                workers.push(Worker {
                    worker_id: format!("W{:06}", workers.len() + 1),
                    name: names::person(rng),
                    role,
                    grid_id: grid_id.map(str::to_owned),
                    phone_masked: Some(names::masked_phone(rng)),
                    on_duty: Some(on_duty),
                    last_seen_at: Some(now - Duration::minutes(seen_minutes_ago)),
                    position: Some(position),
                });
            };
            let grid_id = Some(grid.grid_id.as_str());
            add(Role::GridLeader, grid_id, &mut rng);
            add(Role::FullTime, grid_id, &mut rng);
            // Instructors: one per grid, the surplus (and a share of the rest)
            // covering several grids and so carrying no grid id.
            if i < instructors {
                let covers_several = rng.random_bool(0.12);
                add(
                    Role::Instructor,
                    (!covers_several).then_some(grid.grid_id.as_str()),
                    &mut rng,
                );
            }
            let share = f64::from(grid.population.unwrap_or(1).max(1)) / total_population;
            let here = if i + 1 == grids.len() {
                part_time_left
            } else {
                ((share * part_time as f64).round() as usize).min(part_time_left)
            };
            part_time_left -= here;
            for _ in 0..here {
                add(Role::PartTime, grid_id, &mut rng);
            }
        }
        for i in grids.len()..instructors {
            let grid = &grids[i % grids.len()];
            let centroid = city.centroid(grid);
            workers.push(Worker {
                worker_id: format!("W{:06}", workers.len() + 1),
                name: names::person(&mut rng),
                role: Role::Instructor,
                grid_id: None,
                phone_masked: Some(names::masked_phone(&mut rng)),
                on_duty: Some(rng.random_bool(0.5)),
                last_seen_at: Some(now - Duration::minutes(rng.random_range(0..600))),
                position: Some(centroid),
            });
        }

        let mut by_grid: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, worker) in workers.iter().enumerate() {
            if let Some(grid_id) = &worker.grid_id {
                by_grid.entry(grid_id.clone()).or_default().push(i);
            }
        }
        Workforce { workers, by_grid }
    }

    pub fn all(&self) -> &[Worker] {
        &self.workers
    }

    /// Workers whose grid is `grid_id`, in paging order.
    pub fn in_grid(&self, grid_id: &str) -> impl Iterator<Item = &Worker> {
        self.by_grid
            .get(grid_id)
            .into_iter()
            .flatten()
            .map(|&i| &self.workers[i])
    }

    /// A worker of the grid who reports what they find on patrol.
    pub fn reporter<R: Rng + ?Sized>(&self, grid_id: &str, rng: &mut R) -> Option<&Worker> {
        let ids = self.by_grid.get(grid_id)?;
        Some(&self.workers[ids[rng.random_range(0..ids.len())]])
    }

    pub fn count(&self, role: Role) -> usize {
        self.workers.iter().filter(|w| w.role == role).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_scale_to_cixis_published_figures() {
        let city = City::embedded().unwrap();
        let now = OffsetDateTime::UNIX_EPOCH;
        let workforce = Workforce::generate(&city, 7, now);
        // The embedded city is the whole of Cixi: the published figures exactly.
        assert_eq!(workforce.count(Role::GridLeader), 1_724);
        assert_eq!(workforce.count(Role::Instructor), 1_778);
        assert_eq!(workforce.count(Role::PartTime), 10_419);
        let small = City::fixture().unwrap();
        let workforce = Workforce::generate(&small, 7, now);
        let city = small;
        let n = city.grids().len() as f64;
        assert_eq!(workforce.count(Role::GridLeader), city.grids().len());
        assert_eq!(workforce.count(Role::FullTime), city.grids().len());
        assert_eq!(
            workforce.count(Role::Instructor),
            (n * INSTRUCTORS / GRIDS).round() as usize
        );
        assert_eq!(
            workforce.count(Role::PartTime),
            (n * PART_TIME / GRIDS).round() as usize
        );
    }

    #[test]
    fn the_same_seed_gives_the_same_workforce() {
        let city = City::embedded().unwrap();
        let now = OffsetDateTime::UNIX_EPOCH;
        let a = Workforce::generate(&city, 7, now);
        let b = Workforce::generate(&city, 7, now);
        assert_eq!(a.all(), b.all());
        assert!(a.all()[0].phone_masked.as_deref().unwrap().contains("****"));
    }
}
