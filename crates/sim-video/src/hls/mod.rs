//! Live HLS: a few short reels of real H.264, encoded once, played as
//! sliding live playlists.
//!
//! Drones and body cameras offer only HLS, as such cameras commonly do, and
//! a share of fixed street cameras offer it beside MJPEG (see
//! `catalogue`). Encoding a stream per camera would cost a core per handful
//! of cameras, so there are three reels — a drone looking down on a road,
//! a body camera swaying with its wearer's walk, a street corner — each
//! [`SEGMENTS_PER_LOOP`] segments long, rendered from the same synthetic
//! scene as the snapshots and encoded on first demand (about a second of
//! CPU each; a simulator nobody asks for HLS encodes nothing). Every camera
//! of a kind plays its kind's reel.
//!
//! The live playlist is a function of the time since the simulator started:
//! a window of [`WINDOW`] segments that advances by one every segment
//! duration, `#EXT-X-MEDIA-SEQUENCE` counting up for ever, and an
//! `#EXT-X-DISCONTINUITY` where the reel wraps (its timestamps start again).
//! Segment URIs are relative to the playlist, `hls/{sequence}.ts`, with the
//! request's `token` when tokens are on.

mod encode;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use gridwall_domain::video::CameraKind;
use tokio::sync::OnceCell;

use crate::VideoSim;
use crate::catalogue::Pose;
use crate::dice;
use crate::picture;

/// Frames per second of every reel.
pub(crate) const FPS: u32 = 10;
/// Frames per segment (2 s): one key frame each, so a player can start at any.
pub(crate) const SEGMENT_FRAMES: u32 = 20;
/// Segments per reel: a 12 s loop.
pub(crate) const SEGMENTS_PER_LOOP: u64 = 6;
/// Segments in the live playlist.
pub(crate) const WINDOW: u64 = 5;

/// How long one segment plays.
pub(crate) fn segment_duration() -> Duration {
    Duration::from_millis(u64::from(SEGMENT_FRAMES) * 1_000 / u64::from(FPS))
}

/// The three reels cameras share.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Reel {
    Drone,
    Walk,
    Street,
}

impl Reel {
    pub(crate) fn of(kind: CameraKind) -> Self {
        match kind {
            CameraKind::Drone => Self::Drone,
            CameraKind::BodyWorn => Self::Walk,
            CameraKind::Fixed | CameraKind::Ptz | CameraKind::Other => Self::Street,
        }
    }

    fn index(self) -> usize {
        self as usize
    }

    /// The caption on the reel's frames (Latin only: the frame font has no Chinese).
    fn caption(self) -> &'static str {
        match self {
            Self::Drone => "HLS DRONE",
            Self::Walk => "HLS BODY CAMERA",
            Self::Street => "HLS STREET",
        }
    }

    fn kind(self) -> CameraKind {
        match self {
            Self::Drone => CameraKind::Drone,
            Self::Walk => CameraKind::BodyWorn,
            Self::Street => CameraKind::Fixed,
        }
    }

    /// A drone looks steeply down on the road; the others along it.
    fn pose(self) -> Pose {
        let (pan, tilt) = match self {
            Self::Drone => (120.0, -14.0),
            Self::Walk => (30.0, -3.0),
            Self::Street => (250.0, -4.0),
        };
        Pose {
            pan,
            tilt,
            zoom: 1.0,
        }
    }
}

/// One encoded reel: its segments in order.
pub(crate) struct Clip {
    segments: Vec<Bytes>,
}

impl Clip {
    /// The segment a live sequence number plays.
    pub(crate) fn segment(&self, sequence: u64) -> Bytes {
        self.segments[(sequence % self.segments.len() as u64) as usize].clone()
    }
}

/// The reels, encoded on first demand and kept; and when the simulator
/// started, which the live window counts from.
pub(crate) struct Library {
    started: Instant,
    encoder: PathBuf,
    /// An error is kept too: the encoder is not tried again for every request.
    reels: [OnceCell<Result<Arc<Clip>, String>>; 3],
}

impl Library {
    /// `encoder` is the GStreamer launcher to run (`gst-launch-1.0` on the `PATH`).
    pub(crate) fn new(encoder: PathBuf) -> Self {
        Self {
            started: Instant::now(),
            encoder,
            reels: Default::default(),
        }
    }

    pub(crate) fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }

    /// The reel, encoding it first if nobody has asked before.
    pub(crate) async fn clip(&self, sim: &VideoSim, reel: Reel) -> Result<Arc<Clip>, String> {
        self.reels[reel.index()]
            .get_or_init(|| async {
                let sim = sim.clone();
                let encoder = self.encoder.clone();
                let started = Instant::now();
                let encoded =
                    tokio::task::spawn_blocking(move || encode_reel(&sim, &encoder, reel))
                        .await
                        .unwrap_or_else(|e| Err(format!("the encoding task failed: {e}")));
                match &encoded {
                    Ok(clip) => tracing::info!(
                        ?reel,
                        segments = clip.segments.len(),
                        took = ?started.elapsed(),
                        "encoded the HLS reel"
                    ),
                    Err(error) => {
                        tracing::warn!("HLS is off: cameras answer 404 for live.m3u8: {error}")
                    }
                }
                encoded
            })
            .await
            .clone()
    }
}

/// Renders and encodes one reel (CPU-bound: runs on a blocking thread).
fn encode_reel(sim: &VideoSim, encoder: &std::path::Path, reel: Reel) -> Result<Arc<Clip>, String> {
    let config = &sim.shared.config;
    let (width, height) = (config.frame_width, config.frame_height);
    let at = sim.shared.clock.now();
    let scene = dice::roll(config.seed, &[reel.index() as u64, 0x4e15]);
    let total = u64::from(SEGMENT_FRAMES) * SEGMENTS_PER_LOOP;
    let mut backdrop = None;
    let frames = (0..total).map(move |n| {
        let seconds = n as f64 / f64::from(FPS);
        let shot = picture::Shot {
            camera_id: reel.caption(),
            kind: reel.kind(),
            scene,
            pose: reel.pose(),
            at: at + time::Duration::seconds_f64(seconds),
            motion: seconds,
        };
        picture::paint(&shot, width, height, &mut backdrop)
    });
    let segments = encode::encode(encoder, width, height, frames)?;
    if segments.len() as u64 != SEGMENTS_PER_LOOP {
        return Err(format!(
            "the encoder cut {} segments instead of {SEGMENTS_PER_LOOP}",
            segments.len()
        ));
    }
    Ok(Arc::new(Clip { segments }))
}

/// The sequence numbers of the segments listed `elapsed` after the start:
/// the newest is the last whole segment, and the window starts full.
pub(crate) fn window(elapsed: Duration) -> std::ops::RangeInclusive<u64> {
    let newest = (elapsed.as_millis() / segment_duration().as_millis()) as u64 + WINDOW - 1;
    newest + 1 - WINDOW..=newest
}

/// Whether segment `sequence` may be fetched at `elapsed`: listed now, or
/// listed within the last window (a player that read an older playlist).
pub(crate) fn servable(sequence: u64, elapsed: Duration) -> bool {
    let listed = window(elapsed);
    sequence <= *listed.end() && sequence + WINDOW >= *listed.start()
}

/// The live media playlist at `elapsed`, with `token` on every segment URI.
pub(crate) fn playlist(elapsed: Duration, token: Option<&str>) -> String {
    use std::fmt::Write as _;
    let listed = window(elapsed);
    let first = *listed.start();
    let seconds = segment_duration().as_secs_f64();
    let mut text = String::with_capacity(512);
    text.push_str("#EXTM3U\n#EXT-X-VERSION:3\n");
    let _ = writeln!(text, "#EXT-X-TARGETDURATION:{}", seconds.ceil() as u64);
    let _ = writeln!(text, "#EXT-X-MEDIA-SEQUENCE:{first}");
    // Each pass of the reel is one discontinuity further on.
    let _ = writeln!(
        text,
        "#EXT-X-DISCONTINUITY-SEQUENCE:{}",
        first / SEGMENTS_PER_LOOP
    );
    for sequence in listed {
        if sequence != first && sequence % SEGMENTS_PER_LOOP == 0 {
            text.push_str("#EXT-X-DISCONTINUITY\n");
        }
        let _ = writeln!(text, "#EXTINF:{seconds:.3},");
        match token {
            Some(token) => {
                let _ = writeln!(text, "hls/{sequence}.ts?token={token}");
            }
            None => {
                let _ = writeln!(text, "hls/{sequence}.ts");
            }
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sequences(text: &str) -> Vec<u64> {
        text.lines()
            .filter_map(|l| l.strip_prefix("hls/"))
            .map(|l| l.split('.').next().unwrap().parse().unwrap())
            .collect()
    }

    fn tag(text: &str, name: &str) -> u64 {
        text.lines()
            .find_map(|l| l.strip_prefix(name))
            .unwrap()
            .parse()
            .unwrap()
    }

    #[test]
    fn the_window_is_full_from_the_start_and_slides_one_segment_per_duration() {
        let at_start = playlist(Duration::ZERO, None);
        assert_eq!(sequences(&at_start), [0, 1, 2, 3, 4]);
        assert_eq!(tag(&at_start, "#EXT-X-MEDIA-SEQUENCE:"), 0);
        let later = playlist(segment_duration() * 3 + Duration::from_millis(10), None);
        assert_eq!(sequences(&later), [3, 4, 5, 6, 7]);
        assert_eq!(tag(&later, "#EXT-X-MEDIA-SEQUENCE:"), 3);
    }

    #[test]
    fn a_discontinuity_marks_where_the_reel_starts_again() {
        let text = playlist(segment_duration() * 3, None);
        let lines: Vec<&str> = text.lines().collect();
        let at = lines
            .iter()
            .position(|l| *l == "#EXT-X-DISCONTINUITY")
            .unwrap();
        assert_eq!(lines[at + 2], format!("hls/{SEGMENTS_PER_LOOP}.ts"));
        assert_eq!(text.matches("#EXT-X-DISCONTINUITY\n").count(), 1);
        // Once the wrap is the first segment, the count moves to the header.
        let text = playlist(segment_duration() * SEGMENTS_PER_LOOP as u32, None);
        assert_eq!(sequences(&text)[0], SEGMENTS_PER_LOOP);
        assert_eq!(tag(&text, "#EXT-X-DISCONTINUITY-SEQUENCE:"), 1);
        assert_eq!(text.matches("#EXT-X-DISCONTINUITY\n").count(), 0);
    }

    #[test]
    fn segment_uris_are_relative_and_carry_the_token() {
        let text = playlist(Duration::ZERO, Some("abc"));
        assert!(text.contains("\nhls/0.ts?token=abc\n"), "{text}");
        assert!(text.starts_with("#EXTM3U\n"));
    }

    #[test]
    fn a_segment_long_gone_or_not_yet_made_is_not_served() {
        let at = segment_duration() * 20;
        let listed = window(at);
        assert!(servable(*listed.start(), at) && servable(*listed.end(), at));
        assert!(servable(listed.start() - WINDOW, at));
        assert!(!servable(listed.start() - WINDOW - 1, at));
        assert!(!servable(listed.end() + 1, at));
    }
}
