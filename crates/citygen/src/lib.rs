//! gridwall-citygen: builds the simulated city of Cixi once, from the real divisions in
//! `shared/geodata`, and writes it to `assets/city/` where the simulator embeds it.
//!
//! The division tree (1 county, 24 town-level units, 406 villages and communities) is real. Every
//! boundary below the county outline is SYNTHETIC: nested power diagrams (weighted Voronoi) clipped to
//! their parent, so that towns tile the county, villages their town, grids their village and
//! micro-grids their grid, with no gap and no overlap.
//!
//! Layout:
//! - [`geodata`] reads and checks the inputs; [`gcj02`] converts the town seed points to WGS-84.
//! - [`proj`] is the local kilometre projection all geometry is built in.
//! - [`power`] builds clipped power diagrams and fits them to target areas.
//! - [`plan`] decides the numbers: grids per village, micro-grids per grid, kinds, population.
//! - [`layout`] puts it together into a [`City`]; [`output`] writes the files.
//!
//! Errors are `anyhow` throughout: this is a one-shot tool whose only audience is the person running
//! it, so a message with context is all an error needs to be.

pub mod gcj02;
pub mod geodata;
pub mod layout;
pub mod output;
pub mod plan;
pub mod power;
pub mod proj;

use geo::{Coord, MultiPolygon};

pub use geodata::Geodata;
pub use layout::build;
pub use output::{CityFiles, write_files};
pub use plan::GridKind;

/// The seed used for the committed files.
pub const DEFAULT_SEED: u64 = 20_261_127;

/// A town- or village-level area of the city, in WGS-84.
#[derive(Debug, Clone)]
pub struct Area {
    pub code: String,
    pub name: String,
    pub parent_code: String,
    pub shape: MultiPolygon<f64>,
    /// A point inside the area, for labels.
    pub label_point: Coord<f64>,
}

/// A micro-grid, the smallest unit, in WGS-84.
#[derive(Debug, Clone)]
pub struct MicroGrid {
    pub micro_grid_id: String,
    pub name: String,
    pub shape: MultiPolygon<f64>,
}

/// A governance grid, in WGS-84.
#[derive(Debug, Clone)]
pub struct Grid {
    pub grid_id: String,
    pub name: String,
    pub village_code: String,
    pub town_code: String,
    pub kind: GridKind,
    /// A point inside the grid (its centroid where that lies inside).
    pub centroid: Coord<f64>,
    pub population: u64,
    pub households: u64,
    pub shape: MultiPolygon<f64>,
    pub micro_grids: Vec<MicroGrid>,
}

/// The whole generated city.
#[derive(Debug, Clone)]
pub struct City {
    pub geodata: Geodata,
    /// In code order, like the input.
    pub towns: Vec<Area>,
    /// In code order, like the input.
    pub villages: Vec<Area>,
    /// Ordered by grid id.
    pub grids: Vec<Grid>,
}
