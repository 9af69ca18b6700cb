//! The camera catalogue: which cameras exist, where, of what kind, with which
//! analyses. Built once from the camera sites the caller derives from the city
//! (grid centroids, town centres); status is not stored here but computed per
//! moment by [`crate::availability`].

use std::collections::HashMap;

use gridwall_domain::video::{Camera, CameraKind, CameraStatus, CameraStreams};

use crate::dice;
use crate::names::camera_name;

/// A place where the city has put cameras.
#[derive(Clone, Debug, PartialEq)]
pub struct CameraSite {
    /// The grid the site lies in; body cameras are tied to it.
    pub grid_id: Option<String>,
    /// The town or street (镇/街道) the site lies in, e.g. `浒山街道`: the first
    /// part of every camera name there.
    pub area: String,
    /// `[lon, lat]`.
    pub position: [f64; 2],
    /// Town centres get more cameras, more PTZ domes and more street analyses.
    pub town_centre: bool,
}

/// Where a camera looks: pan and tilt in degrees, zoom as a magnification.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Pose {
    pub pan: f64,
    pub tilt: f64,
    pub zoom: f64,
}

/// One camera and what the simulator needs to know about it besides its record.
#[derive(Clone, Debug)]
pub(crate) struct Entry {
    /// The catalogue record, with `status` left at online; the served status
    /// comes from [`crate::availability`].
    pub camera: Camera,
    /// Where a PTZ camera starts and a fixed one always looks.
    pub home: Pose,
}

impl Entry {
    pub(crate) fn kind(&self) -> CameraKind {
        self.camera.kind
    }
}

/// All cameras, in a fixed order (the order of paging).
#[derive(Debug, Default)]
pub(crate) struct Catalogue {
    pub entries: Vec<Entry>,
    by_id: HashMap<String, usize>,
    /// How many cameras of each kind so far, to number drones and body cameras.
    serials: HashMap<CameraKind, usize>,
}

/// Analyses offered in town centres, with the share of cameras that run each.
const TOWN_TASKS: &[(&str, f64)] = &[
    ("street_vendor", 0.25),
    ("crowd_density", 0.2),
    ("illegal_parking", 0.2),
    ("garbage_overflow", 0.1),
    ("fire_smoke", 0.05),
];

/// Analyses offered elsewhere.
const RURAL_TASKS: &[(&str, f64)] = &[
    ("fire_smoke", 0.15),
    ("road_flooding", 0.08),
    ("garbage_overflow", 0.08),
];

/// Share of grids whose worker wears a camera.
const BODY_CAMERA_SHARE: f64 = 0.15;
/// Share of fixed street cameras that offer HLS beside MJPEG.
const FIXED_HLS_SHARE: f64 = 0.1;
/// One drone per this many cameras.
const CAMERAS_PER_DRONE: usize = 300;

/// Street cameras a site would get with no target to meet: `(fixed, ptz chance)`.
fn street_cameras(seed: u64, s: u64, town_centre: bool) -> (f64, f64) {
    if town_centre {
        (2.0 + dice::pick(seed, &[s, 10], 3) as f64, 0.6)
    } else {
        (
            1.0 + f64::from(u8::from(dice::unit(seed, &[s, 11]) < 0.4)),
            0.1,
        )
    }
}

/// `x` rounded up or down at random, keeping its mean.
fn round_at_random(x: f64, dice: f64) -> usize {
    x.floor() as usize + usize::from(dice < x.fract())
}

impl Catalogue {
    /// Builds a catalogue of about `target` cameras over `sites`: street
    /// cameras share out among the sites (town centres get about twice as many
    /// and most of the PTZ domes), one grid in seven has a body camera, and
    /// drones are spread evenly, one per 300 cameras.
    pub(crate) fn generate(seed: u64, sites: &[CameraSite], target: usize) -> Self {
        let mut catalogue = Catalogue::default();
        let mut names: HashMap<String, u32> = HashMap::new();
        let grids: std::collections::HashSet<&str> =
            sites.iter().filter_map(|s| s.grid_id.as_deref()).collect();
        let drones = (target / CAMERAS_PER_DRONE).max(1).min(sites.len());
        let body_expected = grids.len() as f64 * BODY_CAMERA_SHARE;
        let street_expected: f64 = (0..sites.len() as u64)
            .map(|s| {
                let (fixed, ptz) = street_cameras(seed, s, sites[s as usize].town_centre);
                fixed + ptz
            })
            .sum();
        let scale = ((target as f64 - body_expected - drones as f64).max(0.0)
            / street_expected.max(1.0))
        .max(0.0);
        let mut grids_seen = std::collections::HashSet::new();
        for (s, site) in sites.iter().enumerate() {
            let i = s as u64;
            let (fixed, ptz_chance) = street_cameras(seed, i, site.town_centre);
            let fixed = round_at_random(fixed * scale, dice::unit(seed, &[i, 14]));
            let ptz = usize::from(dice::unit(seed, &[i, 12]) < ptz_chance * scale);
            // A body camera belongs to a grid, however many sites the grid has.
            let first_of_grid = site
                .grid_id
                .as_deref()
                .is_some_and(|g| grids_seen.insert(g));
            let body = usize::from(first_of_grid && dice::unit(seed, &[i, 13]) < BODY_CAMERA_SHARE);
            let drone = usize::from(s * drones / sites.len() != (s + 1) * drones / sites.len());
            let kinds = std::iter::repeat_n(CameraKind::Fixed, fixed)
                .chain(std::iter::repeat_n(CameraKind::Ptz, ptz))
                .chain(std::iter::repeat_n(CameraKind::BodyWorn, body))
                .chain(std::iter::repeat_n(CameraKind::Drone, drone));
            for (k, kind) in kinds.enumerate() {
                catalogue.add(seed, site, i, k as u64, kind, &mut names);
            }
        }
        catalogue
    }

    fn add(
        &mut self,
        seed: u64,
        site: &CameraSite,
        s: u64,
        k: u64,
        kind: CameraKind,
        names: &mut HashMap<String, u32>,
    ) {
        let index = self.entries.len();
        let n = s << 8 | k;
        let camera_id = camera_code(kind, index);
        let serial = self.serials.entry(kind).or_insert(0);
        *serial += 1;
        let serial = *serial;
        let mut name = camera_name(
            seed,
            &site.area,
            site.town_centre,
            kind,
            n,
            site.grid_id.as_deref(),
            serial,
        );
        // Two cameras at one corner facing the same way are told apart as the
        // city does it, with a number.
        let seen = names.entry(name.clone()).or_insert(0);
        *seen += 1;
        if *seen > 1 {
            name = format!("{name}{seen}");
        }
        let spread = if site.town_centre { 0.002 } else { 0.004 };
        let location = [
            site.position[0] + (dice::unit(seed, &[n, 20]) - 0.5) * spread,
            site.position[1] + (dice::unit(seed, &[n, 21]) - 0.5) * spread,
        ];
        let tasks: &[(&str, f64)] = match kind {
            CameraKind::Fixed | CameraKind::Ptz if site.town_centre => TOWN_TASKS,
            CameraKind::Fixed | CameraKind::Ptz => RURAL_TASKS,
            CameraKind::Drone => &[("fire_smoke", 1.0), ("crowd_density", 1.0)],
            CameraKind::BodyWorn | CameraKind::Other => &[],
        };
        let ai_tasks = tasks
            .iter()
            .enumerate()
            .filter(|(t, (_, share))| dice::unit(seed, &[n, 30 + *t as u64]) < *share)
            .map(|(_, (task, _))| (*task).to_owned())
            .collect();
        let base = format!("/vnet/v1/cameras/{camera_id}");
        // Drones and body cameras stream over mobile networks through HLS
        // only; some street cameras offer it beside MJPEG.
        let (mjpeg, hls) = match kind {
            CameraKind::Drone | CameraKind::BodyWorn => (false, true),
            CameraKind::Fixed => (true, dice::unit(seed, &[n, 50]) < FIXED_HLS_SHARE),
            CameraKind::Ptz | CameraKind::Other => (true, false),
        };
        let camera = Camera {
            name,
            kind,
            status: CameraStatus::Online,
            grid_id: site.grid_id.clone(),
            location: Some(location),
            streams: CameraStreams {
                snapshot: format!("{base}/snapshot.jpg"),
                mjpeg: mjpeg.then(|| format!("{base}/live.mjpeg")),
                hls: hls.then(|| format!("{base}/live.m3u8")),
            },
            ai_tasks,
            camera_id,
        };
        // Street cameras look along the street; a drone looks down on it.
        let (tilt_from, tilt_range) = if kind == CameraKind::Drone {
            (-12.0, 6.0)
        } else {
            (-1.0, 5.0)
        };
        let home = Pose {
            pan: dice::unit(seed, &[n, 40]) * 360.0,
            tilt: tilt_from - dice::unit(seed, &[n, 41]) * tilt_range,
            zoom: 1.0,
        };
        self.by_id.insert(camera.camera_id.clone(), index);
        self.entries.push(Entry { camera, home });
    }

    pub(crate) fn index_of(&self, camera_id: &str) -> Option<usize> {
        self.by_id.get(camera_id).copied()
    }

    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }
}

/// The 20-digit national code: Cixi's division code 330282, base unit `00`,
/// industry `00`, a device type (131 fixed, 132 PTZ, 133 body camera, 134 drone;
/// chosen to make kinds readable in a code, not quoted from the standard),
/// network `0`, and a 6-digit serial.
fn camera_code(kind: CameraKind, index: usize) -> String {
    let device = match kind {
        CameraKind::Fixed | CameraKind::Other => 131,
        CameraKind::Ptz => 132,
        CameraKind::BodyWorn => 133,
        CameraKind::Drone => 134,
    };
    format!("3302820000{device}0{:06}", index + 1)
}

/// Town and street centres of Cixi (GCJ-02, approximate; from the project's
/// shared geodata `cixi_town_seeds_approx.csv`), for callers without a city.
const TOWN_SEEDS: &[(&str, f64, f64)] = &[
    ("宗汉街道", 121.2250, 30.1900),
    ("坎墩街道", 121.2850, 30.2250),
    ("浒山街道", 121.2664, 30.1696),
    ("白沙路街道", 121.2481, 30.1771),
    ("古塘街道", 121.2600, 30.1950),
    ("掌起镇", 121.4650, 30.1350),
    ("观海卫镇", 121.4102, 30.1679),
    ("附海镇", 121.3950, 30.2400),
    ("桥头镇", 121.3450, 30.1550),
    ("匡堰镇", 121.3050, 30.1350),
    ("逍林镇", 121.3250, 30.1950),
    ("新浦镇", 121.3650, 30.2250),
    ("胜山镇", 121.3100, 30.2350),
    ("横河镇", 121.2400, 30.1300),
    ("崇寿镇", 121.2050, 30.2550),
    ("庵东镇", 121.1800, 30.3000),
    ("长河镇", 121.1700, 30.2050),
    ("周巷镇", 121.1250, 30.1800),
    ("龙山镇", 121.5450, 30.1050),
];

/// Camera sites scattered around Cixi's town centres, `per_town` for each of
/// its 19 towns and streets, a quarter of them in the centre: a stand-in city
/// for tests, benchmarks and a simulator run without generated grids.
pub fn sites_around_towns(seed: u64, per_town: usize) -> Vec<CameraSite> {
    let mut sites = Vec::with_capacity(TOWN_SEEDS.len() * per_town);
    for (t, (area, lon, lat)) in TOWN_SEEDS.iter().enumerate() {
        for i in 0..per_town {
            let town_centre = i < per_town.div_ceil(4);
            let reach = if town_centre { 0.01 } else { 0.05 };
            let words = [t as u64, i as u64];
            sites.push(CameraSite {
                grid_id: Some(format!("3302820000{t:02}G{:02}", i % 100)),
                area: (*area).to_owned(),
                position: [
                    lon + (dice::unit(seed, &[words[0], words[1], 1]) - 0.5) * reach,
                    lat + (dice::unit(seed, &[words[0], words[1], 2]) - 0.5) * reach,
                ],
                town_centre,
            });
        }
    }
    sites
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_city_sized_set_of_sites_gets_a_few_thousand_cameras_of_every_kind() {
        let catalogue = Catalogue::generate(1, &sites_around_towns(1, 91), 3_600);
        let count = |kind| {
            catalogue
                .entries
                .iter()
                .filter(|e| e.kind() == kind)
                .count()
        };
        assert!(
            (3_000..=4_500).contains(&catalogue.len()),
            "{}",
            catalogue.len()
        );
        assert!(count(CameraKind::Fixed) > count(CameraKind::Ptz));
        assert!(count(CameraKind::Ptz) > count(CameraKind::Drone));
        assert!(count(CameraKind::BodyWorn) > 0 && count(CameraKind::Drone) > 0);
    }

    #[test]
    fn the_total_follows_the_target_whatever_the_number_of_sites() {
        for per_town in [20, 91, 200] {
            let catalogue = Catalogue::generate(1, &sites_around_towns(1, per_town), 3_600);
            assert!(
                (3_300..=3_900).contains(&catalogue.len()),
                "{per_town}: {}",
                catalogue.len()
            );
        }
    }

    #[test]
    fn codes_are_unique_twenty_digit_cixi_codes() {
        let catalogue = Catalogue::generate(1, &sites_around_towns(1, 20), 800);
        for entry in &catalogue.entries {
            let id = &entry.camera.camera_id;
            assert_eq!(id.len(), 20, "{id}");
            assert!(
                id.starts_with("330282") && id.bytes().all(|b| b.is_ascii_digit()),
                "{id}"
            );
            assert_eq!(
                catalogue
                    .index_of(id)
                    .map(|i| &catalogue.entries[i].camera.camera_id),
                Some(id)
            );
        }
        let names: std::collections::HashSet<_> =
            catalogue.entries.iter().map(|e| &e.camera.name).collect();
        assert_eq!(names.len(), catalogue.len(), "names are unique");
    }
}
