//! The overview map `docs/city-map.png`: grids filled in their town's colour, grid borders thin,
//! town borders thick, town names at their label points.

use std::path::Path;

use anyhow::{Context, Result};
use geo::{BoundingRect, Coord, MultiPolygon, Rect};
use gridwall_citygen::City;
use plotters::prelude::*;
use plotters::style::FontStyle;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Where Debian's `fonts-noto-cjk` package installs its Chinese-capable sans font.
pub const DEFAULT_FONT: &str = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc";

const WIDTH: u32 = 2000;

/// Maps WGS-84 degrees to pixels, keeping the ground's aspect ratio.
struct Frame {
    min: Coord<f64>,
    max_lat: f64,
    px_per_deg_lon: f64,
    px_per_deg_lat: f64,
}

impl Frame {
    fn new(rect: Rect<f64>) -> (Self, u32) {
        let margin = 30.0;
        let lat_mid = (rect.min().y + rect.max().y) / 2.0;
        let px_per_deg_lon = (WIDTH as f64 - 2.0 * margin) / rect.width();
        let px_per_deg_lat = px_per_deg_lon / lat_mid.to_radians().cos();
        let height = (rect.height() * px_per_deg_lat + 2.0 * margin).ceil() as u32;
        let min = Coord {
            x: rect.min().x - margin / px_per_deg_lon,
            y: rect.min().y,
        };
        let max_lat = rect.max().y + margin / px_per_deg_lat;
        (
            Self {
                min,
                max_lat,
                px_per_deg_lon,
                px_per_deg_lat,
            },
            height,
        )
    }

    fn px(&self, c: Coord<f64>) -> (i32, i32) {
        (
            ((c.x - self.min.x) * self.px_per_deg_lon).round() as i32,
            ((self.max_lat - c.y) * self.px_per_deg_lat).round() as i32,
        )
    }
}

/// A distinct soft colour per town index, with a small per-grid variation in lightness.
fn town_colour(town: usize, variation: f64) -> RGBColor {
    // Golden-ratio steps around the hue circle keep neighbouring indices apart.
    let hue = (town as f64 * 0.618_034).fract();
    let rgb = HSLColor(hue, 0.55, 0.72 + 0.10 * variation).to_rgba();
    RGBColor(rgb.0, rgb.1, rgb.2)
}

/// Outer rings in pixels, for filling.
fn exteriors(shape: &MultiPolygon<f64>, frame: &Frame) -> Vec<Vec<(i32, i32)>> {
    shape
        .0
        .iter()
        .map(|p| p.exterior().0.iter().map(|&c| frame.px(c)).collect())
        .collect()
}

/// Every ring (outer and holes) in pixels, for borders.
fn rings(shape: &MultiPolygon<f64>, frame: &Frame) -> Vec<Vec<(i32, i32)>> {
    shape
        .0
        .iter()
        .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
        .map(|ring| ring.0.iter().map(|&c| frame.px(c)).collect())
        .collect()
}

/// Draws the map to `path`, of the whole county or of `window` (WGS-84). Town names need a CJK font
/// at `font`; without one the map has no labels.
pub fn draw_map(city: &City, path: &Path, font: &Path, window: Option<Rect<f64>>) -> Result<()> {
    let whole = city
        .geodata
        .outline
        .bounding_rect()
        .expect("the county is not empty");
    let (frame, height) = Frame::new(window.unwrap_or(whole));
    let labels = match std::fs::read(font) {
        Ok(bytes) => plotters::style::register_font(
            "cjk",
            FontStyle::Normal,
            Box::leak(bytes.into_boxed_slice()),
        )
        .is_ok(),
        Err(_) => false,
    };
    if !labels {
        eprintln!(
            "no usable font at {}: the map has no labels",
            font.display()
        );
    }
    let root = BitMapBackend::new(path, (WIDTH, height)).into_drawing_area();
    root.fill(&RGBColor(214, 230, 240))
        .context("cannot draw the map")?;

    let town_index = |code: &str| {
        city.towns
            .iter()
            .position(|t| t.code == code)
            .expect("grid's town exists")
    };
    for (i, grid) in city.grids.iter().enumerate() {
        let variation = ((i * 7919) % 13) as f64 / 12.0 - 0.5;
        let colour = town_colour(town_index(&grid.town_code), variation);
        // Grids are in code order, so the development zones (4xx), which may sit in a hole of a
        // town, are filled last and on top.
        for ring in exteriors(&grid.shape, &frame) {
            root.draw(&Polygon::new(ring, colour.filled()))
                .context("cannot draw a grid")?;
        }
    }
    let micro_style = RGBColor(255, 255, 255).mix(0.55).stroke_width(1);
    for grid in &city.grids {
        for micro in &grid.micro_grids {
            for ring in rings(&micro.shape, &frame) {
                root.draw(&PathElement::new(ring, micro_style))
                    .context("cannot draw a micro-grid")?;
            }
        }
    }
    let grid_style = RGBColor(90, 90, 90).stroke_width(1);
    for grid in &city.grids {
        for ring in rings(&grid.shape, &frame) {
            root.draw(&PathElement::new(ring, grid_style))
                .context("cannot draw a grid border")?;
        }
    }
    let village_style = RGBColor(40, 40, 40).stroke_width(2);
    for village in &city.villages {
        for ring in rings(&village.shape, &frame) {
            root.draw(&PathElement::new(ring, village_style))
                .context("cannot draw a village border")?;
        }
    }
    let town_style = BLACK.stroke_width(5);
    for town in &city.towns {
        for ring in rings(&town.shape, &frame) {
            root.draw(&PathElement::new(ring, town_style))
                .context("cannot draw a town border")?;
        }
    }
    if labels {
        let style = TextStyle::from(("cjk", 30).into_font())
            .color(&BLACK)
            .pos(Pos::new(HPos::Center, VPos::Center));
        for town in &city.towns {
            let at = frame.px(town.label_point);
            root.draw(&Text::new(town.name.clone(), at, style.clone()))
                .context("cannot draw a label")?;
        }
        let title = TextStyle::from(("cjk", 36).into_font()).color(&BLACK);
        root.draw(&Text::new(
            "慈溪市 模拟网格（镇街以下边界为合成数据）".to_string(),
            (40, 30),
            title,
        ))
        .context("cannot draw the title")?;
    }
    root.present().context("cannot write the map")?;
    Ok(())
}
