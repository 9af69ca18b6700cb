//! H.264 in MPEG-TS segments from rendered RGB frames, by the system's
//! GStreamer (`gst-launch-1.0`, run as a child process).
//!
//! Why GStreamer's command-line tool rather than an encoder crate: the app
//! already needs GStreamer with `plugins-bad` for WebKitGTK to play H.264
//! (`scripts/setup` installs it), and that package brings `openh264enc`,
//! `mpegtsmux` and `hlssink`; the only new Debian package is the small
//! `gstreamer1.0-tools`. A Rust encoder crate (e.g. `openh264`, which builds
//! Cisco's C++ source) would add minutes to every clean build on two cores
//! and still need an MPEG-TS muxer written here. A child process also keeps
//! the encoder's crashes and threads out of the app that embeds the simulator.
//!
//! `hlssink` cuts the muxed stream at the key frames it asks the encoder
//! for, every [`super::SEGMENT_FRAMES`] frames, so each segment starts with an
//! IDR frame and plays on its own. (`hlssink2`, built on `splitmuxsink`,
//! sometimes never exits after end of stream here; `hlssink` did not hang in
//! our trials, and a child that does is killed once its playlist is complete.)

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;

use super::{FPS, SEGMENT_FRAMES};

/// Longest an encoding may take before it is abandoned.
const DEADLINE: Duration = Duration::from_secs(60);
/// How long a child whose playlist is complete may take to exit before it is killed.
const EXIT_GRACE: Duration = Duration::from_secs(2);
/// Bits per second asked of the encoder: sharp enough for 640×360 street scenes.
const BITRATE: u32 = 800_000;

/// What to tell the operator when the encoder cannot run.
const INSTALL: &str =
    "install gstreamer1.0-tools and gstreamer1.0-plugins-bad (scripts/setup does)";

/// Encodes `frames` (packed RGB, `width`×`height`, at [`FPS`]) into MPEG-TS
/// segments of [`SEGMENT_FRAMES`] frames each, with `program` (normally
/// `gst-launch-1.0`). The error says what went wrong and what to install.
pub(crate) fn encode(
    program: &Path,
    width: u16,
    height: u16,
    frames: impl Iterator<Item = Vec<u8>>,
) -> Result<Vec<Bytes>, String> {
    let dir = scratch_dir().map_err(|e| format!("cannot make a scratch folder: {e}"))?;
    let result = encode_in(&dir, program, width, height, frames);
    // Best effort: a leftover folder in the temp dir harms nobody.
    let _ = std::fs::remove_dir_all(&dir);
    result
}

fn scratch_dir() -> std::io::Result<PathBuf> {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let dir = std::env::temp_dir().join(format!(
        "gridwall-sim-hls-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

fn pipeline(width: u16, height: u16) -> Vec<String> {
    let target = SEGMENT_FRAMES / FPS;
    format!(
        "fdsrc fd=0 ! rawvideoparse width={width} height={height} format=rgb framerate={FPS}/1 \
         ! videoconvert ! video/x-raw,format=I420 \
         ! openh264enc gop-size={SEGMENT_FRAMES} bitrate={BITRATE} \
         ! h264parse ! mpegtsmux \
         ! hlssink target-duration={target} max-files=0 playlist-length=0 \
         location=segment%05d.ts playlist-location=reel.m3u8"
    )
    .split_whitespace()
    .map(str::to_owned)
    .collect()
}

fn encode_in(
    dir: &Path,
    program: &Path,
    width: u16,
    height: u16,
    frames: impl Iterator<Item = Vec<u8>>,
) -> Result<Vec<Bytes>, String> {
    let name = program.display();
    let mut child = Command::new(program)
        .arg("-q")
        .args(pipeline(width, height))
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => format!("{name} is not installed; {INSTALL}"),
            _ => format!("cannot run {name}: {e}"),
        })?;
    // Read on its own thread: a child blocked on a full stderr pipe would
    // stop reading its stdin, and the frames below would wait for ever.
    let mut stderr = child.stderr.take().expect("stderr is piped");
    let errors = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text
    });
    let mut stdin = child.stdin.take().expect("stdin is piped");
    for frame in frames {
        // A write fails when the child has quit (a missing element, say):
        // its exit status and stderr tell why, below.
        if stdin.write_all(&frame).is_err() {
            break;
        }
    }
    drop(stdin);
    let playlist = dir.join("reel.m3u8");
    let exited = wait(&mut child, &playlist);
    let complete = finished(&playlist);
    let errors = errors.join().unwrap_or_default();
    if !complete {
        let why = match exited {
            Some(status) => format!("exited with {status}"),
            None => format!("did not finish within {} s", DEADLINE.as_secs()),
        };
        let said = errors
            .lines()
            .find(|l| !l.trim().is_empty() && !l.starts_with("[OpenH264]"))
            .unwrap_or("nothing");
        return Err(format!(
            "the H.264 encoding ({name}) {why}, saying: {said}; {INSTALL}"
        ));
    }
    let listed = std::fs::read_to_string(&playlist)
        .map_err(|e| format!("cannot read the encoder's playlist: {e}"))?;
    listed
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|file| {
            std::fs::read(dir.join(file))
                .map(Bytes::from)
                .map_err(|e| format!("cannot read the encoded segment {file}: {e}"))
        })
        .collect()
}

/// Waits for the child to exit, killing it once its playlist is complete and
/// the grace has passed, or at the deadline. `None` when it had to be killed.
fn wait(child: &mut Child, playlist: &Path) -> Option<std::process::ExitStatus> {
    let start = Instant::now();
    let mut complete_since = None;
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            return Some(status);
        }
        if complete_since.is_none() && finished(playlist) {
            complete_since = Some(Instant::now());
        }
        let overdue = complete_since.is_some_and(|at| at.elapsed() > EXIT_GRACE)
            || start.elapsed() > DEADLINE;
        if overdue {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Whether the encoder wrote its whole playlist (it ends with `#EXT-X-ENDLIST`).
fn finished(playlist: &Path) -> bool {
    std::fs::read_to_string(playlist).is_ok_and(|text| text.contains("#EXT-X-ENDLIST"))
}
