//! Camera pictures: a synthetic street scene rendered into RGB and encoded as
//! a baseline JPEG.
//!
//! The world is a panorama described in angles (degrees of pan around the
//! camera, degrees of elevation above the horizon): buildings with windows
//! against a sky that follows the time of day, a road with lane marks, cars
//! and a pedestrian moving along it. A camera's pose picks the window onto
//! that panorama, so a PTZ move visibly shifts or magnifies the view. The
//! camera id and the simulated time are written on every frame.

mod text;

use gridwall_domain::video::CameraKind;
use time::OffsetDateTime;

use crate::catalogue::Pose;
use crate::dice;

/// Everything a frame depends on.
pub(crate) struct Shot<'a> {
    pub camera_id: &'a str,
    pub kind: CameraKind,
    /// Seeds the buildings and traffic of this camera's panorama.
    pub scene: u64,
    pub pose: Pose,
    /// The simulated time written on the frame; it also sets day or night.
    pub at: OffsetDateTime,
    /// Seconds at the pace of real time, which moves traffic: at a clock 60
    /// times faster, cars would otherwise jump across the frame between frames.
    pub motion: f64,
}

/// Frame size and encoding quality.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Format {
    pub width: u16,
    pub height: u16,
    pub quality: u8,
}

/// The still part of a frame (buildings, sky, road) as last painted for one
/// camera, kept by a live feed so that each new frame only repaints what moves.
pub(crate) struct Backdrop {
    key: (u64, u64, u64, u64, u8),
    pixels: Vec<u8>,
}

/// Renders `shot` and encodes it as a JPEG, reusing `backdrop` when the view
/// and the light have not changed since it was painted (and updating it if they have).
pub(crate) fn render(shot: &Shot, format: Format, backdrop: &mut Option<Backdrop>) -> Vec<u8> {
    let pixels = paint(shot, format.width, format.height, backdrop);
    let mut jpeg = Vec::with_capacity(pixels.len() / 8);
    jpeg_encoder::Encoder::new(&mut jpeg, format.quality)
        .encode(
            &pixels,
            format.width,
            format.height,
            jpeg_encoder::ColorType::Rgb,
        )
        .expect("encoding into memory cannot fail for a valid frame size");
    jpeg
}

/// Renders `shot` as packed 8-bit RGB rows (what a video encoder takes), with
/// `backdrop` as for [`render`].
pub(crate) fn paint(
    shot: &Shot,
    width: u16,
    height: u16,
    backdrop: &mut Option<Backdrop>,
) -> Vec<u8> {
    let mut canvas = Canvas::new(usize::from(width), usize::from(height));
    let view = View::of(shot, canvas.width);
    let light = light_at(shot.at);
    let key = (
        shot.scene,
        view.pan.to_bits(),
        shot.pose.tilt.to_bits(),
        view.degrees_per_pixel.to_bits(),
        light.kind,
    );
    match backdrop {
        Some(kept) if kept.key == key && kept.pixels.len() == canvas.pixels.len() => {
            canvas.pixels.copy_from_slice(&kept.pixels);
        }
        _ => {
            paint_still(&mut canvas, shot.scene, &view, &light);
            *backdrop = Some(Backdrop {
                key,
                pixels: canvas.pixels.clone(),
            });
        }
    }
    paint_movers(&mut canvas, shot, &view);
    paint_captions(&mut canvas, shot);
    canvas.pixels
}

/// An RGB pixel buffer.
pub(crate) struct Canvas {
    width: usize,
    height: usize,
    pixels: Vec<u8>,
}

impl Canvas {
    fn new(width: usize, height: usize) -> Self {
        Self {
            width,
            height,
            pixels: vec![0; width * height * 3],
        }
    }

    fn set(&mut self, x: usize, y: usize, rgb: [u8; 3]) {
        let at = (y * self.width + x) * 3;
        self.pixels[at..at + 3].copy_from_slice(&rgb);
    }

    /// Fills a rectangle, clipped to the canvas.
    pub(crate) fn fill_rect(&mut self, x: usize, y: usize, w: usize, h: usize, rgb: [u8; 3]) {
        for yy in y..(y + h).min(self.height) {
            for xx in x..(x + w).min(self.width) {
                self.set(xx, yy, rgb);
            }
        }
    }
}

/// Horizontal field of view at zoom 1, in degrees.
const FIELD_OF_VIEW: f64 = 60.0;
/// Width of one building lot on the panorama, in degrees.
const LOT: f64 = 7.0;

struct Light {
    /// 0 day, 1 dusk or dawn, 2 night.
    kind: u8,
    sky_top: [u8; 3],
    sky_bottom: [u8; 3],
    night: bool,
}

fn light_at(at: OffsetDateTime) -> Light {
    let hour = f64::from(at.hour()) + f64::from(at.minute()) / 60.0;
    if (7.0..17.0).contains(&hour) {
        Light {
            kind: 0,
            sky_top: [70, 130, 200],
            sky_bottom: [170, 200, 230],
            night: false,
        }
    } else if (5.5..7.0).contains(&hour) || (17.0..18.5).contains(&hour) {
        Light {
            kind: 1,
            sky_top: [60, 70, 120],
            sky_bottom: [230, 150, 90],
            night: false,
        }
    } else {
        Light {
            kind: 2,
            sky_top: [8, 10, 28],
            sky_bottom: [30, 34, 60],
            night: true,
        }
    }
}

/// A building lot: its height in degrees (0 for a gap) and wall colour.
fn lot(scene: u64, index: i64) -> (f64, [u8; 3]) {
    let i = index as u64;
    if dice::unit(scene, &[i, 1]) < 0.15 {
        return (0.0, [0; 3]);
    }
    const WALLS: [[u8; 3]; 6] = [
        [150, 145, 140],
        [120, 110, 105],
        [180, 175, 160],
        [95, 105, 120],
        [165, 130, 110],
        [200, 200, 195],
    ];
    (
        6.0 + dice::unit(scene, &[i, 2]) * 20.0,
        WALLS[dice::pick(scene, &[i, 3], WALLS.len())],
    )
}

/// Something moving along the road: where it is (pan degrees) and its box in elevation.
struct Mover {
    centre: f64,
    half_width: f64,
    low: f64,
    high: f64,
    rgb: [u8; 3],
}

fn movers(shot: &Shot) -> Vec<Mover> {
    let base = dice::unit(shot.scene, &[9]) * 360.0;
    let colours = [
        [200, 30, 30],
        [240, 240, 240],
        [30, 60, 160],
        [20, 20, 20],
        [230, 200, 40],
    ];
    let colour = |k: u64| colours[dice::pick(shot.scene, &[10, k], colours.len())];
    let t = shot.motion;
    // Cars in the near lane and, the other way, in the far lane, spaced so that
    // one is usually in view; a pedestrian on the pavement.
    let near = (0..4u32).map(|k| Mover {
        centre: base + f64::from(k) * 90.0 + t * 4.0,
        half_width: 4.0,
        low: -12.5,
        high: -8.0,
        rgb: colour(u64::from(k)),
    });
    let far = (0..3u32).map(|k| Mover {
        centre: base + 45.0 + f64::from(k) * 120.0 - t * 3.0,
        half_width: 2.5,
        low: -5.5,
        high: -3.0,
        rgb: colour(10 + u64::from(k)),
    });
    let walker = Mover {
        centre: base + 60.0 + t * 0.6,
        half_width: 0.3,
        low: -1.8,
        high: 0.6,
        rgb: [60, 90, 60],
    };
    near.chain(far).chain(std::iter::once(walker)).collect()
}

/// Degrees from `a` to `b` around the circle, in (-180, 180].
fn angle_between(a: f64, b: f64) -> f64 {
    let d = (b - a).rem_euclid(360.0);
    if d > 180.0 { d - 360.0 } else { d }
}

fn mix(a: [u8; 3], b: [u8; 3], t: f64) -> [u8; 3] {
    let t = t.clamp(0.0, 1.0);
    std::array::from_fn(|i| (f64::from(a[i]) * (1.0 - t) + f64::from(b[i]) * t) as u8)
}

/// Which part of the panorama a frame shows.
struct View {
    pan: f64,
    tilt: f64,
    degrees_per_pixel: f64,
}

impl View {
    fn of(shot: &Shot, width: usize) -> Self {
        let zoom = shot.pose.zoom.clamp(1.0, 20.0);
        let mut pan = shot.pose.pan;
        if shot.kind == CameraKind::BodyWorn {
            // A body camera sways with the walk of its wearer.
            pan += (shot.motion * 2.1).sin() * 2.0;
        }
        Self {
            pan,
            tilt: shot.pose.tilt,
            degrees_per_pixel: FIELD_OF_VIEW / zoom / width as f64,
        }
    }

    /// The pan angle of column `x`.
    fn angle(&self, x: f64, width: usize) -> f64 {
        self.pan + (x - width as f64 / 2.0) * self.degrees_per_pixel
    }

    /// The elevation of row `y`.
    fn elevation(&self, y: f64, height: usize) -> f64 {
        self.tilt + (height as f64 / 2.0 - y) * self.degrees_per_pixel
    }
}

/// Buildings, sky, pavements and road: everything that does not move.
fn paint_still(canvas: &mut Canvas, scene: u64, view: &View, light: &Light) {
    let (w, h) = (canvas.width, canvas.height);
    let elevations: Vec<f64> = (0..h).map(|y| view.elevation(y as f64, h)).collect();
    for x in 0..w {
        let a = view.angle(x as f64, w);
        let lot_index = (a / LOT).floor() as i64;
        let (height, wall) = lot(scene, lot_index);
        let in_lot = a / LOT - lot_index as f64;
        let window_col = (a * 1.2).rem_euclid(1.0) < 0.5 && (0.08..0.92).contains(&in_lot);
        let dash = (a * 0.5).rem_euclid(1.0) < 0.5;
        for (y, &e) in elevations.iter().enumerate() {
            let rgb = if e >= 0.0 && e < height {
                let window = window_col && e.rem_euclid(1.5) < 0.7 && e > 1.0;
                match (window, light.night) {
                    (true, true)
                        if dice::unit(scene, &[lot_index as u64, (e / 1.5) as u64]) < 0.5 =>
                    {
                        [250, 220, 130]
                    }
                    (true, _) => [60, 70, 85],
                    (false, true) => mix(wall, [0, 0, 0], 0.75),
                    (false, false) => wall,
                }
            } else if e >= 0.0 {
                mix(light.sky_bottom, light.sky_top, e / 25.0)
            } else if e > -2.0 || (-17.0..=-14.0).contains(&e) {
                // The far and the near pavement.
                if light.night {
                    [50, 50, 55]
                } else {
                    [150, 150, 140]
                }
            } else if e > -14.0 {
                let road = if light.night {
                    [35, 35, 40]
                } else {
                    [80, 80, 85]
                };
                if (-6.6..-6.2).contains(&e) && dash {
                    [230, 230, 230]
                } else {
                    road
                }
            } else if light.night {
                [20, 40, 20]
            } else {
                [70, 120, 60]
            };
            canvas.set(x, y, rgb);
        }
    }
}

/// Cars and the pedestrian, over the still part.
fn paint_movers(canvas: &mut Canvas, shot: &Shot, view: &View) {
    let (w, h) = (canvas.width as f64, canvas.height as f64);
    let to_x = |angle: f64| w / 2.0 + angle / view.degrees_per_pixel;
    let to_y = |elevation: f64| h / 2.0 - (elevation - view.tilt) / view.degrees_per_pixel;
    // Clipped to the canvas; `as usize` saturates negative values at 0.
    let span =
        |from: f64, to: f64, limit: f64| (from.max(0.0) as usize, to.min(limit).max(0.0) as usize);
    for m in movers(shot) {
        let offset = angle_between(view.pan, m.centre);
        let (x0, x1) = span(to_x(offset - m.half_width), to_x(offset + m.half_width), w);
        let (y0, y1) = span(to_y(m.high), to_y(m.low), h);
        if x0 >= x1 || y0 >= y1 {
            continue;
        }
        canvas.fill_rect(x0, y0, x1 - x0, y1 - y0, m.rgb);
        if m.half_width > 1.0 {
            // A car's upper third is glass, short of its ends.
            let (g0, g1) = span(
                to_x(offset - m.half_width * 0.6),
                to_x(offset + m.half_width * 0.6),
                w,
            );
            let glass_bottom = to_y(m.high - (m.high - m.low) / 3.0).min(h).max(0.0) as usize;
            if g0 < g1 && y0 < glass_bottom {
                canvas.fill_rect(g0, y0, g1 - g0, glass_bottom - y0, [45, 55, 70]);
            }
        }
    }
}

fn paint_captions(canvas: &mut Canvas, shot: &Shot) {
    const WHITE: [u8; 3] = [255, 255, 255];
    const SHADE: [u8; 3] = [0, 0, 0];
    let scale = if canvas.width >= 480 { 2 } else { 1 };
    let line = 8 * scale;
    text::draw(
        canvas,
        line / 2,
        line / 2,
        scale,
        shot.camera_id,
        WHITE,
        SHADE,
    );
    let at = shot.at;
    let stamp = format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second()
    );
    let bottom = canvas.height.saturating_sub(line + line / 2);
    text::draw(canvas, line / 2, bottom, scale, &stamp, WHITE, SHADE);
    if shot.kind == CameraKind::Ptz {
        let pose = shot.pose;
        let caption = format!(
            "P{:05.1} T{:+05.1} Z{:.1}",
            pose.pan.rem_euclid(360.0),
            pose.tilt,
            pose.zoom
        );
        let x = canvas
            .width
            .saturating_sub(caption.len() * text::advance(scale) + line / 2);
        text::draw(canvas, x, bottom, scale, &caption, WHITE, SHADE);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shot_at(at: OffsetDateTime, pose: Pose) -> Vec<u8> {
        let shot = Shot {
            camera_id: "33028200001310000001",
            kind: CameraKind::Ptz,
            scene: 5,
            pose,
            at,
            motion: 3.0,
        };
        render(
            &shot,
            Format {
                width: 320,
                height: 180,
                quality: 70,
            },
            &mut None,
        )
    }

    fn decode(jpeg: &[u8]) -> (u16, u16, Vec<u8>) {
        let mut decoder = jpeg_decoder::Decoder::new(jpeg);
        let pixels = decoder.decode().unwrap();
        let info = decoder.info().unwrap();
        (info.width, info.height, pixels)
    }

    const POSE: Pose = Pose {
        pan: 40.0,
        tilt: -3.0,
        zoom: 1.0,
    };

    #[test]
    fn a_frame_is_a_jpeg_of_the_requested_size() {
        let (width, height, _) =
            decode(&shot_at(time::macros::datetime!(2026-11-27 10:00 +8), POSE));
        assert_eq!((width, height), (320, 180));
    }

    #[test]
    fn night_frames_are_darker_than_day_frames() {
        let brightness = |jpeg: Vec<u8>| {
            let pixels = decode(&jpeg).2;
            pixels.iter().map(|&v| f64::from(v)).sum::<f64>() / pixels.len() as f64
        };
        let day = brightness(shot_at(time::macros::datetime!(2026-11-27 10:00 +8), POSE));
        let night = brightness(shot_at(time::macros::datetime!(2026-11-27 23:00 +8), POSE));
        assert!(night < day * 0.6, "day {day}, night {night}");
    }

    #[test]
    fn zooming_in_changes_the_view() {
        let at = time::macros::datetime!(2026-11-27 10:00 +8);
        let wide = decode(&shot_at(at, POSE)).2;
        let close = decode(&shot_at(at, Pose { zoom: 3.0, ..POSE })).2;
        let difference = wide
            .iter()
            .zip(&close)
            .map(|(a, b)| f64::from(a.abs_diff(*b)))
            .sum::<f64>()
            / wide.len() as f64;
        assert!(difference > 3.0, "{difference}");
    }
}
