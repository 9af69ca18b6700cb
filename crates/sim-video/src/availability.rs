//! Which cameras are online at a given moment.
//!
//! Status is a pure function of the simulated time, the seed, the faults in
//! force and the admin's overrides, so health, the catalogue, the media routes
//! and every status stream agree without a background task. Each camera lives
//! through slots of simulated time (shorter for body cameras and drones) and is
//! offline in a slot with a probability that depends on its kind; the slots of
//! different cameras are out of phase, so changes trickle in rather than arrive
//! in bursts.

use std::collections::HashMap;
use std::sync::Mutex;

use gridwall_domain::video::{CameraKind, CameraStatus};
use time::OffsetDateTime;

use crate::catalogue::Catalogue;
use crate::dice;

/// Per kind: length of a slot in simulated seconds, and the chance to be offline in it.
fn churn(kind: CameraKind) -> (i64, f64) {
    match kind {
        CameraKind::Fixed | CameraKind::Other => (40 * 60, 0.02),
        CameraKind::Ptz => (40 * 60, 0.03),
        // Body cameras are off when their worker is off duty or out of signal.
        CameraKind::BodyWorn => (25 * 60, 0.25),
        // Drones fly now and then.
        CameraKind::Drone => (15 * 60, 0.6),
    }
}

/// Statuses the admin has pinned, overriding churn and faults.
#[derive(Debug, Default)]
pub(crate) struct Overrides {
    // A std mutex: held for a lookup, never across an await.
    pinned: Mutex<HashMap<usize, CameraStatus>>,
}

impl Overrides {
    pub(crate) fn pin(&self, index: usize, status: Option<CameraStatus>) {
        let mut pinned = self.pinned.lock().expect("overrides lock poisoned");
        match status {
            Some(status) => pinned.insert(index, status),
            None => pinned.remove(&index),
        };
    }

    fn get(&self, index: usize) -> Option<CameraStatus> {
        self.pinned
            .lock()
            .expect("overrides lock poisoned")
            .get(&index)
            .copied()
    }

    fn snapshot(&self) -> HashMap<usize, CameraStatus> {
        self.pinned.lock().expect("overrides lock poisoned").clone()
    }
}

/// The inputs of a status decision other than the camera and the time.
pub(crate) struct Availability<'a> {
    pub seed: u64,
    pub catalogue: &'a Catalogue,
    pub offline_fraction: f64,
    pub overrides: &'a Overrides,
}

impl Availability<'_> {
    /// The status of one camera at `at`.
    pub(crate) fn status(&self, index: usize, at: OffsetDateTime) -> CameraStatus {
        self.overrides
            .get(index)
            .unwrap_or_else(|| self.unpinned(index, at))
    }

    /// Statuses of all cameras at `at`, in catalogue order.
    pub(crate) fn all(&self, at: OffsetDateTime) -> Vec<CameraStatus> {
        let pinned = self.overrides.snapshot();
        (0..self.catalogue.len())
            .map(|i| {
                pinned
                    .get(&i)
                    .copied()
                    .unwrap_or_else(|| self.unpinned(i, at))
            })
            .collect()
    }

    fn unpinned(&self, index: usize, at: OffsetDateTime) -> CameraStatus {
        let i = index as u64;
        if dice::unit(self.seed, &[i, 0xfa17]) < self.offline_fraction {
            return CameraStatus::Offline;
        }
        let (slot_len, chance) = churn(self.catalogue.entries[index].kind());
        let phase = dice::roll(self.seed, &[i, 0x5107]) % slot_len as u64;
        let slot = (at.unix_timestamp() + phase as i64).div_euclid(slot_len);
        if dice::unit(self.seed, &[i, 0x5107, slot as u64]) < chance {
            CameraStatus::Offline
        } else {
            CameraStatus::Online
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::sites_around_towns;

    fn offline_share(a: &Availability, at: OffsetDateTime) -> f64 {
        let all = a.all(at);
        all.iter().filter(|s| **s == CameraStatus::Offline).count() as f64 / all.len() as f64
    }

    #[test]
    fn a_few_percent_are_offline_and_which_ones_changes_over_time() {
        let catalogue = Catalogue::generate(1, &sites_around_towns(1, 40), 1_500);
        let overrides = Overrides::default();
        let a = Availability {
            seed: 1,
            catalogue: &catalogue,
            offline_fraction: 0.0,
            overrides: &overrides,
        };
        let t0 = time::macros::datetime!(2026-11-27 09:00 +8);
        let share = offline_share(&a, t0);
        assert!((0.01..0.1).contains(&share), "{share}");
        let later = a.all(t0 + time::Duration::hours(2));
        assert_ne!(a.all(t0), later);
    }

    #[test]
    fn the_offline_fault_takes_its_share_and_a_pin_wins_over_it() {
        let catalogue = Catalogue::generate(1, &sites_around_towns(1, 40), 1_500);
        let overrides = Overrides::default();
        let a = Availability {
            seed: 1,
            catalogue: &catalogue,
            offline_fraction: 0.5,
            overrides: &overrides,
        };
        let t0 = time::macros::datetime!(2026-11-27 09:00 +8);
        assert!(offline_share(&a, t0) > 0.45);
        let offline = a
            .all(t0)
            .iter()
            .position(|s| *s == CameraStatus::Offline)
            .unwrap();
        overrides.pin(offline, Some(CameraStatus::Online));
        assert_eq!(a.status(offline, t0), CameraStatus::Online);
    }
}
