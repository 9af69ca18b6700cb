//! What the binary's command line (or a test) can set: the gateway's limits and
//! the faults it injects. Parsed once by the caller and passed in whole.

use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// The simulated gateway's settings.
#[derive(Clone, Debug)]
pub struct VideoConfig {
    /// Drives the catalogue, the outages and every other random choice.
    pub seed: u64,
    /// About how many cameras to spread over the sites, whatever their number.
    pub cameras: usize,
    /// Concurrent live streams one client may hold; the next answers 429.
    pub max_streams_per_client: u32,
    /// How long (real time) the last console to move a PTZ camera holds it
    /// against other consoles. Real, not simulated, time: it is about people
    /// at desks, not about the city, so it must not shrink when the clock runs fast.
    pub ptz_hold: Duration,
    /// Frame size of snapshots and MJPEG parts.
    pub frame_width: u16,
    pub frame_height: u16,
    /// JPEG quality, 1–100.
    pub jpeg_quality: u8,
    /// Faults in force from the start; the admin routes change them later.
    pub faults: Faults,
    /// The GStreamer launcher that encodes the HLS reels (`gst-launch-1.0`,
    /// found on the `PATH`). When it cannot run, the simulator still serves
    /// everything else and answers 404 for HLS, saying why in its log.
    pub hls_encoder: PathBuf,
}

impl Default for VideoConfig {
    fn default() -> Self {
        Self {
            seed: 1,
            cameras: 3_600,
            max_streams_per_client: 16,
            ptz_hold: Duration::from_secs(30),
            frame_width: 640,
            frame_height: 360,
            jpeg_quality: 70,
            faults: Faults::default(),
            hls_encoder: PathBuf::from("gst-launch-1.0"),
        }
    }
}

/// Faults the gateway injects, on top of the natural churn of cameras going
/// offline and coming back. Fractions are in `[0, 1]`; all zero means none.
///
/// Which camera or stream is hit is decided by the seed, so a run repeats.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Faults {
    /// Share of all cameras forced offline. Raising it only adds cameras: the
    /// ones offline at 0.1 are still offline at 0.2.
    pub offline_fraction: f64,
    /// Share of snapshot and stream requests answered 503 although the camera is online.
    pub unavailable_fraction: f64,
    /// Share of new live streams that stop sending after a few frames without closing.
    pub hang_fraction: f64,
    /// Share of new live streams that end inside a JPEG part after a few frames.
    pub cut_fraction: f64,
    /// How many whole frames a hanging or cut stream sends first.
    pub frames_before_fault: u32,
    /// When above 0, the catalogue's media URLs carry a `token` that lasts this
    /// many seconds (real time); a snapshot or stream request without a valid
    /// token answers 401, with an expired or revoked one 403.
    pub token_ttl_secs: u64,
    /// Media URLs of the catalogue come in three forms, by camera: rooted
    /// (`/vnet/v1/...`), relative without a leading slash (`vnet/v1/...`),
    /// and absolute on the media listener's own port where one is set
    /// ([`crate::VideoSim::set_media_base`]). RFC 3986 resolves all three.
    pub varied_urls: bool,
    /// Catalogue page tokens hold characters a query must percent-encode.
    pub escaped_page_tokens: bool,
    /// Every camera object gains a field the contract does not name.
    pub unknown_fields: bool,
    /// Some fixed cameras have a `kind` the contract does not list yet.
    pub unknown_kinds: bool,
    /// Some cameras are named with hostile text (markup, controls, RTL,
    /// astral characters, a lone surrogate escaped in JSON, 8,000 characters).
    pub hostile_names: bool,
}

impl Default for Faults {
    fn default() -> Self {
        Self {
            offline_fraction: 0.0,
            unavailable_fraction: 0.0,
            hang_fraction: 0.0,
            cut_fraction: 0.0,
            frames_before_fault: 5,
            token_ttl_secs: 0,
            varied_urls: false,
            escaped_page_tokens: false,
            unknown_fields: false,
            unknown_kinds: false,
            hostile_names: false,
        }
    }
}

impl Faults {
    /// The gateway's part of the simulator's hostile profile: what the
    /// contract says a client must survive, all at once, at rates a client
    /// doing the right thing keeps up with.
    pub fn hostile() -> Self {
        Self {
            offline_fraction: 0.05,
            unavailable_fraction: 0.02,
            hang_fraction: 0.02,
            cut_fraction: 0.02,
            frames_before_fault: 20,
            token_ttl_secs: 600,
            varied_urls: true,
            escaped_page_tokens: true,
            unknown_fields: true,
            unknown_kinds: true,
            hostile_names: true,
        }
    }

    /// Checks that every fraction is a fraction.
    pub fn validate(&self) -> crate::Result<()> {
        for (name, value) in [
            ("offline_fraction", self.offline_fraction),
            ("unavailable_fraction", self.unavailable_fraction),
            ("hang_fraction", self.hang_fraction),
            ("cut_fraction", self.cut_fraction),
        ] {
            if !(0.0..=1.0).contains(&value) {
                return Err(crate::Error::Fraction { name, value });
            }
        }
        Ok(())
    }
}
