//! The `gridwall-citygen` command: reads the geodata, builds the city, writes `assets/city/` and the
//! overview map. Run it from the repository root; it is run by hand, never by a build.

mod render;

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Result;
use clap::Parser;
use gridwall_citygen::{DEFAULT_SEED, Geodata, build, output};

/// Generates the simulated city of Cixi (synthetic grids inside real divisions).
#[derive(Debug, Parser)]
struct Args {
    /// The geodata directory (the one with cixi_divisions.csv).
    #[arg(long, default_value = "../shared/geodata")]
    geodata: PathBuf,
    /// Where the city files go.
    #[arg(long, default_value = "assets/city")]
    out: PathBuf,
    /// The overview map to draw (PNG); empty to skip it.
    #[arg(long, default_value = "docs/city-map.png")]
    map: PathBuf,
    /// A CJK font for the map's town names; codes are drawn instead if it cannot be read.
    #[arg(long, default_value = render::DEFAULT_FONT)]
    font: PathBuf,
    /// Draw only this window of the map: west,south,east,north in degrees (for close-ups).
    #[arg(long, value_delimiter = ',')]
    map_window: Option<Vec<f64>>,
    /// Seed of the random generator; the same seed gives the same bytes.
    #[arg(long, default_value_t = DEFAULT_SEED)]
    seed: u64,
}

fn main() -> Result<()> {
    let args = Args::parse();
    let started = Instant::now();
    let geodata = Geodata::load(&args.geodata)?;
    let city = build(&geodata, args.seed);
    let files = output::render(&city);
    output::write_files(&files, &args.out)?;
    println!("generated in {:.1} s", started.elapsed().as_secs_f64());
    println!(
        "{} towns, {} villages, {} grids, {} micro-grids",
        city.towns.len(),
        city.villages.len(),
        city.grids.len(),
        city.grids
            .iter()
            .map(|g| g.micro_grids.len())
            .sum::<usize>()
    );
    for (name, text) in files.named() {
        let (name, bytes) = gridwall_citygen::output::stored(name, text);
        println!(
            "{:>10} bytes  {}",
            bytes.len(),
            args.out.join(name).display()
        );
    }
    if !args.map.as_os_str().is_empty() {
        let window = match args.map_window.as_deref() {
            None => None,
            Some(&[w, s, e, n]) => Some(geo::Rect::new(
                geo::Coord { x: w, y: s },
                geo::Coord { x: e, y: n },
            )),
            Some(_) => anyhow::bail!("--map-window takes four numbers: west,south,east,north"),
        };
        render::draw_map(&city, &args.map, &args.font, window)?;
        println!("map: {}", args.map.display());
    }
    Ok(())
}
