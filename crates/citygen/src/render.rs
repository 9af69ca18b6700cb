//! The overview map `docs/city-map.png`: grids filled in their town's colour, micro-grid borders
//! white, grid borders thin, village borders darker, town borders thick, town names at their label
//! points; and an inset of the five central streets, whose small grids the whole map cannot show.

use std::path::Path;

use anyhow::{Context, Result};
use geo::{BooleanOps, BoundingRect, Coord, MultiLineString, MultiPolygon, Rect};
use gridwall_citygen::City;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::FontStyle;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Where Debian's `fonts-noto-cjk` package installs its Chinese-capable sans font.
pub const DEFAULT_FONT: &str = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc";

const WIDTH: u32 = 1800;
const MARGIN: f64 = 30.0;
const SEA: RGBColor = RGBColor(214, 230, 240);

/// The central city shown in the inset: west, south, east, north (degrees).
const CENTRAL: [f64; 4] = [121.19, 30.153, 121.33, 30.237];

type Area<'a> = DrawingArea<BitMapBackend<'a>, Shift>;

/// Maps WGS-84 degrees to the pixels of one panel, keeping the ground's aspect ratio.
struct Frame {
    west: f64,
    north: f64,
    px_per_deg_lon: f64,
    px_per_deg_lat: f64,
}

impl Frame {
    /// A frame showing `rect` `width` pixels wide with `margin` around; also returns the height.
    fn fit(rect: Rect<f64>, width: u32, margin: f64) -> (Self, u32) {
        let lat_mid = (rect.min().y + rect.max().y) / 2.0;
        let px_per_deg_lon = (width as f64 - 2.0 * margin) / rect.width();
        let px_per_deg_lat = px_per_deg_lon / lat_mid.to_radians().cos();
        let height = (rect.height() * px_per_deg_lat + 2.0 * margin).ceil() as u32;
        let west = rect.min().x - margin / px_per_deg_lon;
        let north = rect.max().y + margin / px_per_deg_lat;
        (
            Self {
                west,
                north,
                px_per_deg_lon,
                px_per_deg_lat,
            },
            height,
        )
    }

    fn px(&self, c: Coord<f64>) -> (i32, i32) {
        (
            ((c.x - self.west) * self.px_per_deg_lon).round() as i32,
            ((self.north - c.y) * self.px_per_deg_lat).round() as i32,
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

/// What one panel shows: everything, or only what lies in a window.
struct Panel<'p, 'b> {
    area: &'p Area<'b>,
    frame: Frame,
    window: Option<geo::Polygon<f64>>,
}

impl Panel<'_, '_> {
    /// Fills the outer rings of `shape` (cut to the window).
    fn fill(&self, shape: &MultiPolygon<f64>, colour: RGBColor) -> Result<()> {
        let shape = match &self.window {
            Some(w) => shape.intersection(w),
            None => shape.clone(),
        };
        for polygon in &shape.0 {
            let ring: Vec<(i32, i32)> = polygon
                .exterior()
                .0
                .iter()
                .map(|&c| self.frame.px(c))
                .collect();
            self.area
                .draw(&Polygon::new(ring, colour.filled()))
                .context("cannot fill")?;
        }
        Ok(())
    }

    /// Strokes every ring of `shape` (cut to the window, so no border runs along the window's edge).
    fn stroke(&self, shape: &MultiPolygon<f64>, style: ShapeStyle) -> Result<()> {
        let rings: Vec<geo::LineString<f64>> = shape
            .0
            .iter()
            .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
            .cloned()
            .collect();
        let lines = match &self.window {
            Some(w) => w.clip(&MultiLineString::new(rings), false),
            None => MultiLineString::new(rings),
        };
        for line in &lines.0 {
            let points: Vec<(i32, i32)> = line.0.iter().map(|&c| self.frame.px(c)).collect();
            self.area
                .draw(&PathElement::new(points, style))
                .context("cannot stroke")?;
        }
        Ok(())
    }

    fn draw_city(&self, city: &City, labels: bool, label_size: u32) -> Result<()> {
        self.area.fill(&SEA).context("cannot draw the map")?;
        let town_index = |code: &str| {
            city.towns
                .iter()
                .position(|t| t.code == code)
                .expect("grid's town exists")
        };
        // Grids are in code order, so the development zones (4xx), which may sit in a hole of a
        // town, are filled last and on top.
        for (i, grid) in city.grids.iter().enumerate() {
            let variation = ((i * 7919) % 13) as f64 / 12.0 - 0.5;
            self.fill(
                &grid.shape,
                town_colour(town_index(&grid.town_code), variation),
            )?;
        }
        let micro = RGBColor(255, 255, 255).mix(0.55).stroke_width(1);
        for m in city.grids.iter().flat_map(|g| &g.micro_grids) {
            self.stroke(&m.shape, micro)?;
        }
        for grid in &city.grids {
            self.stroke(&grid.shape, RGBColor(90, 90, 90).stroke_width(1))?;
        }
        for village in &city.villages {
            self.stroke(&village.shape, RGBColor(40, 40, 40).stroke_width(2))?;
        }
        for town in &city.towns {
            self.stroke(&town.shape, BLACK.stroke_width(5))?;
        }
        if labels {
            let centred = Pos::new(HPos::Center, VPos::Center);
            let town_label = TextStyle::from(("cjk", label_size).into_font())
                .color(&BLACK)
                .pos(centred);
            let zone_label = TextStyle::from(("cjk", label_size * 3 / 4).into_font())
                .color(&RGBColor(60, 0, 60))
                .pos(centred);
            for (town, row) in city.towns.iter().zip(&city.geodata.towns) {
                let point = geo::Point::from(town.label_point);
                if self
                    .window
                    .as_ref()
                    .is_some_and(|w| !geo::Contains::contains(w, &point))
                {
                    continue;
                }
                let style = if row.kind == "special_zone" {
                    &zone_label
                } else {
                    &town_label
                };
                let at = self.frame.px(town.label_point);
                self.area
                    .draw(&Text::new(town.name.clone(), at, style.clone()))
                    .context("cannot label")?;
            }
        }
        Ok(())
    }
}

/// Draws the map to `path`: the whole county with an inset of the central city, or only `window`
/// (WGS-84) for a close-up. Town names need a CJK font at `font`; without one the map has no labels.
pub fn draw_map(city: &City, path: &Path, font: &Path, window: Option<Rect<f64>>) -> Result<()> {
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
    let whole = city
        .geodata
        .outline
        .bounding_rect()
        .expect("the county is not empty");
    let (frame, height) = Frame::fit(window.unwrap_or(whole), WIDTH, MARGIN);
    let root = BitMapBackend::new(path, (WIDTH, height)).into_drawing_area();
    let main = Panel {
        area: &root,
        frame,
        window: window.map(|w| w.to_polygon()),
    };
    main.draw_city(city, labels, 26)?;

    if window.is_none() {
        // The inset sits in the empty sea at the top right; its size is a fraction of the map's so
        // that it stays clear of the coast at any WIDTH.
        let [w, s, e, n] = CENTRAL;
        let central = Rect::new(Coord { x: w, y: s }, Coord { x: e, y: n });
        let inset_width = WIDTH * 39 / 100;
        let (frame, inset_height) = Frame::fit(central, inset_width, 0.0);
        let left = WIDTH * 60 / 100;
        let top = WIDTH * 25 / 1000;
        let inset_area = root
            .clone()
            .shrink((left, top), (inset_width, inset_height));
        let inset = Panel {
            area: &inset_area,
            frame,
            window: Some(central.to_polygon()),
        };
        inset.draw_city(city, labels, 24)?;
        let border = [(0, 0), (inset_width as i32 - 1, inset_height as i32 - 1)];
        inset_area
            .draw(&Rectangle::new(border, BLACK.stroke_width(3)))
            .context("cannot frame")?;
        // Mark the inset's window on the main map.
        let corners = [main.frame.px(central.min()), main.frame.px(central.max())];
        root.draw(&Rectangle::new(
            corners,
            RGBColor(200, 0, 0).stroke_width(3),
        ))
        .context("cannot mark")?;
        if labels {
            let caption = TextStyle::from(("cjk", 24).into_font()).color(&BLACK);
            let at = (left as i32, (top + inset_height + 8) as i32);
            root.draw(&Text::new("中心城区（红框）放大".to_string(), at, caption))
                .context("cannot caption")?;
        }
    }
    if labels {
        let title = TextStyle::from(("cjk", 34).into_font()).color(&BLACK);
        root.draw(&Text::new(
            "慈溪市 模拟网格 · 镇街以下边界为合成数据".to_string(),
            (36, 24),
            title,
        ))
        .context("cannot draw the title")?;
    }
    root.present().context("cannot write the map")?;
    Ok(())
}
