//! Photos attached to events (`attachments[].url` = `/files/<event id>/<n>.jpg`).
//!
//! The contract gives attachments only as URLs on the platform; the simulator
//! serves a picture for each, drawn from the event id so the same URL always
//! gives the same bytes: a street scene in daylight with a few blocks for
//! buildings, a road and a marker where "the photo" points. The console fetches
//! these through Rust with the bearer token, as it would the platform's.

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::{AppState, problem};

const WIDTH: u16 = 640;
const HEIGHT: u16 = 480;

pub async fn photo(
    State(shared): State<AppState>,
    Path((id, name)): Path<(String, String)>,
) -> Response {
    let Some(n) = name.strip_suffix(".jpg").and_then(|n| n.parse::<u8>().ok()) else {
        return problem(
            StatusCode::NOT_FOUND,
            "no such file",
            format!("no file {name}"),
        );
    };
    let photos = shared
        .feed
        .read()
        .expect("feed lock")
        .event(&id)
        .map(|event| event.event.attachments.len());
    match photos {
        Some(count) if (1..=count).contains(&usize::from(n)) => {
            ([(header::CONTENT_TYPE, "image/jpeg")], picture(&id, n)).into_response()
        }
        _ => problem(
            StatusCode::NOT_FOUND,
            "no such file",
            format!("event {id} has no photo {n}"),
        ),
    }
}

/// A deterministic 640×480 JPEG for photo `n` of event `id`.
pub fn picture(id: &str, n: u8) -> Vec<u8> {
    let mut seed = id
        .bytes()
        .chain([n])
        .fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
        });
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let (w, h) = (usize::from(WIDTH), usize::from(HEIGHT));
    let mut pixels = vec![0u8; w * h * 3];
    let horizon = h * 11 / 20;
    let mut put = |x: usize, y: usize, rgb: [u8; 3]| {
        let i = (y * w + x) * 3;
        pixels[i..i + 3].copy_from_slice(&rgb);
    };
    for y in 0..h {
        for x in 0..w {
            let rgb = if y < horizon {
                let t = (y * 60 / horizon) as u8;
                [120 + t, 170 + t / 2, 220]
            } else {
                let t = ((y - horizon) * 40 / (h - horizon)) as u8;
                [90 + t, 90 + t, 95 + t]
            };
            put(x, y, rgb);
        }
    }
    // Buildings along the horizon.
    let mut x = 0;
    while x < w {
        let width = 40 + (next() % 90) as usize;
        let height = 60 + (next() % 160) as usize;
        let shade = 110 + (next() % 90) as u8;
        let tint = (next() % 3) as usize;
        let mut colour = [shade, shade, shade];
        colour[tint] = colour[tint].saturating_add(25);
        for yy in horizon.saturating_sub(height)..horizon {
            for xx in x..(x + width).min(w) {
                let window = (xx - x) % 14 < 6 && (horizon - yy) % 18 < 8 && (horizon - yy) > 12;
                put(xx, yy, if window { [60, 70, 90] } else { colour });
            }
        }
        x += width + 4;
    }
    // The road's centre line and a marker where the matter is.
    for yy in (horizon + 70)..(horizon + 76).min(h) {
        for xx in (0..w).filter(|xx| xx % 60 < 34) {
            put(xx, yy, [235, 225, 120]);
        }
    }
    let (cx, cy) = (
        120 + (next() % 400) as usize,
        horizon + 20 + (next() % 120) as usize,
    );
    for yy in cy.saturating_sub(26)..(cy + 26).min(h) {
        for xx in cx.saturating_sub(26)..(cx + 26).min(w) {
            let (dx, dy) = (xx as i64 - cx as i64, yy as i64 - cy as i64);
            let r2 = dx * dx + dy * dy;
            if (400..676).contains(&r2) {
                put(xx, yy, [230, 50, 40]);
            }
        }
    }
    let mut jpeg = Vec::with_capacity(w * h / 4);
    jpeg_encoder::Encoder::new(&mut jpeg, 80)
        .encode(&pixels, WIDTH, HEIGHT, jpeg_encoder::ColorType::Rgb)
        .expect("encoding into memory cannot fail for a valid frame size");
    jpeg
}
