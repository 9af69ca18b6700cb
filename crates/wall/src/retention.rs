//! The retention setting (issue 17): `[store] keep_revisions_years = N`.
//! Off by default. When set, the ingesting instance drops, a few times a
//! day, every revision but the newest of incidents that finished more than
//! N years ago ([`gridwall_store::Store::prune_revisions`]; the README's
//! "Retention" says what is kept and what is lost).

use std::sync::Arc;
use std::time::Duration;

use gridwall_domain::clock::Clock;
use time::OffsetDateTime;
use tokio_util::sync::CancellationToken;

use crate::live::Live;
use crate::upkeep::on_the_leader;

/// The first pass waits this long after start: not in the first import's way.
const FIRST_PASS: Duration = Duration::from_secs(10 * 60);
/// Then one pass this often (each is a walk over `events`, a chunk per
/// transaction, so the writer is never held for long).
const EVERY: Duration = Duration::from_secs(6 * 3600);

/// The newest `updated_at` whose finished incidents lose their older
/// revisions: `years` calendar years before `now` (29 February falls back
/// to the 28th).
pub fn cutoff(now: OffsetDateTime, years: u32) -> OffsetDateTime {
    let year = now.year() - i32::try_from(years).unwrap_or(i32::MAX / 2);
    now.replace_year(year)
        .or_else(|_| now.replace_day(28).and_then(|d| d.replace_year(year)))
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// Prunes on the instance that ingests, `years` after finishing, until cancelled.
pub async fn run(live: Arc<Live>, clock: Clock, years: u32, cancel: CancellationToken) {
    tracing::info!(years, "retention of raw revisions is on");
    on_the_leader(&live, FIRST_PASS, EVERY, &cancel, || async {
        let before = cutoff(clock.now(), years);
        match live.store().prune_revisions(before).await {
            Ok(dropped) => {
                tracing::info!(dropped, %before, "retention: older revisions of finished incidents dropped")
            }
            Err(err) => tracing::warn!("retention: {err}"),
        }
    })
    .await;
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn the_cutoff_is_whole_calendar_years_back() {
        assert_eq!(
            cutoff(datetime!(2026-12-06 04:00 +8), 3),
            datetime!(2023-12-06 04:00 +8)
        );
        assert_eq!(
            cutoff(datetime!(2028-02-29 12:00 UTC), 1),
            datetime!(2027-02-28 12:00 UTC),
            "a leap day falls back to the 28th"
        );
        assert_eq!(cutoff(datetime!(2026-01-01 0:00 UTC), 100).year(), 1926);
    }
}
