//! GCJ-02 ("Mars coordinates") to WGS-84, for the town seed points.
//!
//! Chinese web maps publish points in GCJ-02, an obfuscated datum offset from WGS-84 by a few hundred
//! metres. The forward formula (WGS-84 → GCJ-02) is widely published; it has no closed-form inverse, so
//! [`gcj02_to_wgs84`] inverts it by fixed-point iteration. The formula itself is an approximation of the
//! official transform, good to a few metres, which is far finer than the hand-placed seeds it is used on.

use std::f64::consts::PI;

/// Semi-major axis of the Krasovsky 1940 ellipsoid that the formula uses.
const A: f64 = 6_378_245.0;
/// Its first eccentricity squared.
const EE: f64 = 0.006_693_421_622_965_943;

fn offset_lat(x: f64, y: f64) -> f64 {
    let mut ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * x.abs().sqrt();
    ret += (20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin()) * 2.0 / 3.0;
    ret += (20.0 * (y * PI).sin() + 40.0 * (y / 3.0 * PI).sin()) * 2.0 / 3.0;
    ret += (160.0 * (y / 12.0 * PI).sin() + 320.0 * (y * PI / 30.0).sin()) * 2.0 / 3.0;
    ret
}

fn offset_lon(x: f64, y: f64) -> f64 {
    let mut ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * x.abs().sqrt();
    ret += (20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin()) * 2.0 / 3.0;
    ret += (20.0 * (x * PI).sin() + 40.0 * (x / 3.0 * PI).sin()) * 2.0 / 3.0;
    ret += (150.0 * (x / 12.0 * PI).sin() + 300.0 * (x / 30.0 * PI).sin()) * 2.0 / 3.0;
    ret
}

/// WGS-84 `(lon, lat)` to GCJ-02 `(lon, lat)`, in degrees (the published forward formula).
pub fn wgs84_to_gcj02(lon: f64, lat: f64) -> (f64, f64) {
    let dlat = offset_lat(lon - 105.0, lat - 35.0);
    let dlon = offset_lon(lon - 105.0, lat - 35.0);
    let radlat = lat / 180.0 * PI;
    let magic = 1.0 - EE * radlat.sin() * radlat.sin();
    let sqrt_magic = magic.sqrt();
    let dlat = (dlat * 180.0) / ((A * (1.0 - EE)) / (magic * sqrt_magic) * PI);
    let dlon = (dlon * 180.0) / (A / sqrt_magic * radlat.cos() * PI);
    (lon + dlon, lat + dlat)
}

/// GCJ-02 `(lon, lat)` to WGS-84 `(lon, lat)`, in degrees: the forward formula inverted by iteration
/// until the round trip is within 1e-9° (about 0.1 mm).
pub fn gcj02_to_wgs84(lon: f64, lat: f64) -> (f64, f64) {
    let (mut wlon, mut wlat) = (lon, lat);
    for _ in 0..30 {
        let (glon, glat) = wgs84_to_gcj02(wlon, wlat);
        let (elon, elat) = (glon - lon, glat - lat);
        wlon -= elon;
        wlat -= elat;
        if elon.abs() < 1e-9 && elat.abs() < 1e-9 {
            break;
        }
    }
    (wlon, wlat)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guanhaiwei_seed_maps_back_to_its_wikipedia_point() {
        // The seeds file says its 观海卫镇 point is Wikipedia's WGS-84 coordinate shifted to GCJ-02.
        let (lon, lat) = gcj02_to_wgs84(121.4102, 30.1679);
        assert!((lon - 121.40568).abs() < 2e-4, "lon {lon}");
        assert!((lat - 30.17017).abs() < 2e-4, "lat {lat}");
    }

    #[test]
    fn shift_in_cixi_is_a_few_hundred_metres_west_and_north() {
        let (lon, lat) = gcj02_to_wgs84(121.25, 30.18);
        let east_m = (lon - 121.25) * 111_320.0 * 30.18_f64.to_radians().cos();
        let north_m = (lat - 30.18) * 110_574.0;
        assert!((-480.0..-380.0).contains(&east_m), "east {east_m}");
        assert!((210.0..310.0).contains(&north_m), "north {north_m}");
        let (glon, glat) = wgs84_to_gcj02(lon, lat);
        assert!((glon - 121.25).abs() < 1e-8 && (glat - 30.18).abs() < 1e-8);
    }
}
