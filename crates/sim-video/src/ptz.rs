//! PTZ cameras' poses and the consoles that hold them.
//!
//! A move is applied at once, so the next frame shows it. The console that
//! moved a camera last holds it for `ptz_hold`; another console's command in
//! that time is refused (409), as a real gateway keeps two operators from
//! fighting over one dome.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use gridwall_domain::video::{PtzAction, PtzCommand};

use crate::catalogue::Pose;
use crate::dice;

#[derive(Debug, Default)]
pub(crate) struct Desk {
    // A std mutex: held to read or change one pose, never across an await.
    cameras: Mutex<HashMap<usize, Held>>,
}

#[derive(Clone, Debug)]
struct Held {
    pose: Pose,
    holder: Option<(String, Instant)>,
}

/// Another console holds the camera.
#[derive(Debug)]
pub(crate) struct HeldBy(pub String);

const MIN_TILT: f64 = -60.0;
const MAX_TILT: f64 = 20.0;
const MAX_ZOOM: f64 = 20.0;

impl Desk {
    /// Where camera `index` looks now: where it was moved, or `home`.
    pub(crate) fn pose(&self, index: usize, home: Pose) -> Pose {
        self.cameras
            .lock()
            .expect("ptz lock poisoned")
            .get(&index)
            .map_or(home, |held| held.pose)
    }

    /// Applies `command` from `client`, unless another client holds the camera.
    pub(crate) fn command(
        &self,
        seed: u64,
        index: usize,
        home: Pose,
        client: &str,
        command: PtzCommand,
        hold: Duration,
    ) -> Result<(), HeldBy> {
        let now = Instant::now();
        let mut cameras = self.cameras.lock().expect("ptz lock poisoned");
        let held = cameras.entry(index).or_insert(Held {
            pose: home,
            holder: None,
        });
        if let Some((holder, since)) = &held.holder
            && holder != client
            && now.duration_since(*since) < hold
        {
            return Err(HeldBy(holder.clone()));
        }
        held.pose = moved(seed, index, held.pose, command);
        held.holder = Some((client.to_owned(), now));
        Ok(())
    }
}

/// The pose after `command`; speed 1–8 scales the step.
fn moved(seed: u64, index: usize, pose: Pose, command: PtzCommand) -> Pose {
    let speed = f64::from(command.speed.unwrap_or(4).clamp(1, 8));
    // Steps shrink as the zoom grows, as on a real console.
    let step = 2.5 * speed / pose.zoom;
    let mut next = pose;
    match command.action {
        PtzAction::Left => next.pan = (pose.pan - step).rem_euclid(360.0),
        PtzAction::Right => next.pan = (pose.pan + step).rem_euclid(360.0),
        PtzAction::Up => next.tilt = (pose.tilt + step).min(MAX_TILT),
        PtzAction::Down => next.tilt = (pose.tilt - step).max(MIN_TILT),
        PtzAction::ZoomIn => next.zoom = (pose.zoom * (1.0 + 0.1 * speed)).min(MAX_ZOOM),
        PtzAction::ZoomOut => next.zoom = (pose.zoom / (1.0 + 0.1 * speed)).max(1.0),
        PtzAction::Stop => {}
        PtzAction::Preset => {
            let preset = u64::from(command.preset.unwrap_or(1));
            let words = [index as u64, 0x9e5e7, preset];
            next = Pose {
                pan: dice::unit(seed, &words) * 360.0,
                tilt: -2.0 - dice::unit(seed, &[words[0], words[1], words[2], 1]) * 13.0,
                zoom: 1.0 + dice::unit(seed, &[words[0], words[1], words[2], 2]) * 3.0,
            };
        }
    }
    next
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOME: Pose = Pose {
        pan: 10.0,
        tilt: -5.0,
        zoom: 1.0,
    };

    fn command(action: PtzAction) -> PtzCommand {
        PtzCommand {
            action,
            speed: None,
            preset: None,
        }
    }

    #[test]
    fn the_holder_keeps_the_camera_until_the_hold_runs_out() {
        let desk = Desk::default();
        let hold = Duration::from_millis(50);
        desk.command(1, 0, HOME, "a", command(PtzAction::Left), hold)
            .unwrap();
        assert!(
            desk.command(1, 0, HOME, "b", command(PtzAction::Right), hold)
                .is_err()
        );
        desk.command(1, 0, HOME, "a", command(PtzAction::Right), hold)
            .unwrap();
        std::thread::sleep(hold);
        desk.command(1, 0, HOME, "b", command(PtzAction::Up), hold)
            .unwrap();
    }

    #[test]
    fn moves_change_the_pose_within_limits() {
        let desk = Desk::default();
        let hold = Duration::from_secs(1);
        desk.command(1, 0, HOME, "a", command(PtzAction::Left), hold)
            .unwrap();
        assert_eq!(desk.pose(0, HOME).pan, 0.0);
        for _ in 0..100 {
            desk.command(1, 0, HOME, "a", command(PtzAction::ZoomIn), hold)
                .unwrap();
        }
        assert_eq!(desk.pose(0, HOME).zoom, MAX_ZOOM);
        assert_eq!(desk.pose(1, HOME), HOME, "other cameras stay at home");
    }
}
