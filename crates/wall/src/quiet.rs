//! The quiet-hour reload (issue 15): memory hygiene for a wall that runs for
//! months. Once a day at a configured minute of platform time every window
//! is reloaded; the pages take their state back from Rust. Off by default.
//!
//! This is the decision only (when is it due); the Tauri shell reloads.

use gridwall_domain::clock::CHINA_OFFSET;
use time::OffsetDateTime;

/// When the next reload is due, given the last day one ran.
#[derive(Debug)]
pub struct QuietHour {
    /// Minute of the day (platform time, +08:00).
    at_minute: u16,
    /// The platform day (days since 1970 in +08:00) of the last reload, or
    /// of the start when it began past the minute: never on the first look.
    done_day: Option<i64>,
}

fn day_and_minute(now: OffsetDateTime) -> (i64, u16) {
    let local = now.to_offset(CHINA_OFFSET);
    let day = (local.unix_timestamp() + i64::from(CHINA_OFFSET.whole_seconds())).div_euclid(86_400);
    (
        day,
        u16::from(local.hour()) * 60 + u16::from(local.minute()),
    )
}

impl QuietHour {
    /// Reloads at `at_minute` each day from `now` on. Started past today's
    /// minute, the first reload is tomorrow's: a wall does not blink as it opens.
    pub fn new(at_minute: u16, now: OffsetDateTime) -> QuietHour {
        let (day, minute) = day_and_minute(now);
        QuietHour {
            at_minute,
            done_day: (minute >= at_minute).then_some(day),
        }
    }

    /// True once per platform day, at the first look at or past the minute.
    pub fn due(&mut self, now: OffsetDateTime) -> bool {
        let (day, minute) = day_and_minute(now);
        if minute < self.at_minute || self.done_day == Some(day) {
            return false;
        }
        self.done_day = Some(day);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn once_a_day_at_its_minute_in_platform_time_and_not_as_the_wall_opens() {
        // Started at 10:00 in Cixi with the reload at 04:00: not today.
        let mut q = QuietHour::new(240, datetime!(2026-12-05 10:00 +8));
        assert!(!q.due(datetime!(2026-12-05 10:01 +8)));
        assert!(!q.due(datetime!(2026-12-06 03:59 +8)));
        assert!(q.due(datetime!(2026-12-06 04:00 +8)));
        assert!(!q.due(datetime!(2026-12-06 04:00:30 +8)), "once");
        assert!(!q.due(datetime!(2026-12-06 23:00 +8)));
        // A look that comes late (the PC slept) still reloads that day.
        assert!(q.due(datetime!(2026-12-07 09:30 +8)));
        // The minute is platform time whatever offset the clock is read in.
        let mut utc = QuietHour::new(240, datetime!(2026-12-05 02:00 UTC));
        assert!(!utc.due(datetime!(2026-12-05 19:59 UTC)));
        assert!(utc.due(datetime!(2026-12-05 20:00 UTC)), "04:00 in Cixi");
    }

    #[test]
    fn started_before_the_minute_it_reloads_the_same_day() {
        let mut q = QuietHour::new(240, datetime!(2026-12-05 01:00 +8));
        assert!(q.due(datetime!(2026-12-05 04:02 +8)));
    }
}
