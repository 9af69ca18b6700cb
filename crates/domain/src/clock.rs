//! Time, passed in.
//!
//! Logic never calls `SystemTime::now()` itself: it asks a [`Clock`]. The real
//! clock runs at speed 1; the simulator and tests run it faster (60× turns an
//! hour into a minute) so that lifecycles, SLAs and acknowledgements can be
//! watched in a short test.

use std::sync::Arc;
use std::time::{Duration, Instant};

use time::OffsetDateTime;

/// A clock that maps real elapsed time onto simulated time at a fixed speed.
///
/// Cloning is cheap and every clone reads the same time.
#[derive(Clone, Debug)]
pub struct Clock {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    started_real: Instant,
    started_at: OffsetDateTime,
    speed: f64,
}

impl Clock {
    /// Real time, at speed 1, in the platform's offset (+08:00).
    pub fn real() -> Self {
        Self::starting_at(OffsetDateTime::now_utc(), 1.0)
    }

    /// A clock that reads `start` now and then runs `speed` times faster than real time.
    ///
    /// # Panics
    /// If `speed` is not a finite positive number.
    pub fn starting_at(start: OffsetDateTime, speed: f64) -> Self {
        assert!(
            speed.is_finite() && speed > 0.0,
            "clock speed must be positive, got {speed}"
        );
        Self {
            inner: Arc::new(Inner {
                started_real: Instant::now(),
                started_at: start.to_offset(CHINA_OFFSET),
                speed,
            }),
        }
    }

    /// Real time from now, accelerated `speed` times.
    pub fn accelerated(speed: f64) -> Self {
        Self::starting_at(OffsetDateTime::now_utc(), speed)
    }

    /// The current simulated time, in +08:00.
    pub fn now(&self) -> OffsetDateTime {
        let real = self.inner.started_real.elapsed();
        self.inner.started_at + real.mul_f64(self.inner.speed)
    }

    /// How many simulated seconds pass per real second.
    pub fn speed(&self) -> f64 {
        self.inner.speed
    }

    /// The real duration to wait for `simulated` to pass on this clock.
    pub fn real_duration(&self, simulated: Duration) -> Duration {
        simulated.div_f64(self.inner.speed)
    }
}

/// China Standard Time, the offset the platform writes in every timestamp.
pub const CHINA_OFFSET: time::UtcOffset = time::macros::offset!(+8);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_accelerated_clock_runs_faster_than_real_time() {
        let clock = Clock::accelerated(3600.0);
        let before = clock.now();
        std::thread::sleep(Duration::from_millis(20));
        // 20 ms at 3600× is 72 simulated seconds.
        assert!(clock.now() - before >= time::Duration::seconds(60));
    }

    #[test]
    fn times_are_written_in_china_standard_time() {
        assert_eq!(Clock::real().now().offset(), CHINA_OFFSET);
    }

    #[test]
    fn real_duration_divides_by_speed() {
        let clock = Clock::accelerated(60.0);
        assert_eq!(
            clock.real_duration(Duration::from_secs(60)),
            Duration::from_secs(1)
        );
    }
}
