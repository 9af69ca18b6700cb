//! The command centre's KPIs, each a ratio (or a median) over a window of
//! local days, kept as counters per place (the city, its towns and villages)
//! and day or year of `reported_at` that move with each event's newest
//! revision, like the grid counters (`kpi/counters.rs`).
//!
//! An event counts on the local (UTC+8) day it was reported, in its place, with
//! the state of its newest revision. So "today" is the events reported today
//! and how far they have got. Definitions ([`KpiKey::definition`]):
//!
//! | KPI | numerator | denominator |
//! |---|---|---|
//! | dispute resolution (矛盾纠纷化解成功率) | `dispute.*` events with mediation outcome success | `dispute.*` events with outcome success or failed |
//! | 110 non-police handling (110非警务警情处置率) | `police_110` events resolved or closed | `police_110` events resolved, closed, mediation failed or escalated, or pending past due |
//! | pre-litigation mediation (诉前调解成功率) | `litigation` events with outcome success | `litigation` events with outcome success or failed |
//! | closure (结案率) | events closed | events not cancelled |
//! | on time (按期办结率) | finished events finished by `due_at` | finished events with a `due_at` |
//! | median handling time (办理时长中位数) | median of finished − reported | finished events |
//!
//! "Finished" is the first time an event reached resolved or closed.
//! Handling times are counted in buckets of 15 minutes under a day, of an
//! hour under a week and of a day beyond ([`bucket_of`]); the median is the
//! middle of the bucket that holds the middle event, so it is exact to ±7.5
//! minutes under a day, ±30 minutes under a week, ±12 hours beyond. (One
//! width for all kept thousands of buckets a year for the city, most of them
//! the long tail.)

mod counters;

use std::collections::BTreeMap;

pub(crate) use counters::statements;

/// UTC+8: the local days every counter and window is kept in.
pub(crate) const LOCAL_OFFSET: i64 = 8 * 3600;
pub(crate) const DAY: i64 = 86_400;
/// The unit of handling-time buckets, in seconds: a quarter of an hour.
pub const BUCKET: i64 = 900;
/// Quarter-hours in a day and in a week: where buckets widen.
const QUARTERS_A_DAY: i64 = 96;
const QUARTERS_A_WEEK: i64 = 7 * QUARTERS_A_DAY;

/// The bucket of a handling time of `seconds`: the start of its bucket in
/// quarter-hours. The migration `kpi_by_place` maps old buckets the same way.
pub fn bucket_of(seconds: i64) -> i64 {
    let quarters = seconds.max(0) / BUCKET;
    quarters - quarters % bucket_width(quarters)
}

/// The width, in quarter-hours, of the bucket that starts at `bucket`.
fn bucket_width(bucket: i64) -> i64 {
    if bucket < QUARTERS_A_DAY {
        1
    } else if bucket < QUARTERS_A_WEEK {
        4
    } else {
        QUARTERS_A_DAY
    }
}

/// The local (UTC+8) day number of a unix time: days since 1970-01-01 local.
pub fn local_day(unix: i64) -> i64 {
    (unix + LOCAL_OFFSET).div_euclid(DAY)
}

/// The first unix second of local day `day`.
pub fn day_start(day: i64) -> i64 {
    day * DAY - LOCAL_OFFSET
}

/// The local day number of the first of January of the year that holds
/// local day `day`: the key of that year's counters.
pub fn year_of_day(day: i64) -> i64 {
    /// The Julian day of 1970-01-01.
    const EPOCH: i64 = 2_440_588;
    i32::try_from(EPOCH + day)
        .ok()
        .and_then(|julian| time::Date::from_julian_day(julian).ok())
        .and_then(|date| date.replace_ordinal(1).ok())
        .map_or(day, |jan1| i64::from(jan1.to_julian_day()) - EPOCH)
}

/// Which KPI.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KpiKey {
    DisputeResolution,
    Police110Handling,
    PreLitigationMediation,
    Closure,
    OnTime,
    MedianHandlingMinutes,
}

impl KpiKey {
    pub const ALL: [KpiKey; 6] = [
        KpiKey::DisputeResolution,
        KpiKey::Police110Handling,
        KpiKey::PreLitigationMediation,
        KpiKey::Closure,
        KpiKey::OnTime,
        KpiKey::MedianHandlingMinutes,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            KpiKey::DisputeResolution => "dispute_resolution",
            KpiKey::Police110Handling => "police_110_handling",
            KpiKey::PreLitigationMediation => "pre_litigation_mediation",
            KpiKey::Closure => "closure",
            KpiKey::OnTime => "on_time",
            KpiKey::MedianHandlingMinutes => "median_handling_minutes",
        }
    }

    /// The counters behind a ratio: (numerator, denominator).
    fn counters(self) -> Option<(&'static str, &'static str)> {
        match self {
            KpiKey::DisputeResolution => Some(("dispute_success", "dispute_decided")),
            KpiKey::Police110Handling => Some(("p110_handled", "p110_due")),
            KpiKey::PreLitigationMediation => Some(("lit_success", "lit_decided")),
            KpiKey::Closure => Some(("closed", "events")),
            KpiKey::OnTime => Some(("on_time", "finished_due")),
            KpiKey::MedianHandlingMinutes => None,
        }
    }

    /// The target the centre is held to, where there is one (a ratio).
    pub fn target(self) -> Option<f64> {
        match self {
            KpiKey::DisputeResolution => Some(0.98),
            KpiKey::Police110Handling => Some(0.99),
            _ => None,
        }
    }

    /// (numerator, denominator) in words, Chinese and English.
    pub fn definition(self) -> (Definition, Definition) {
        let d = |name, numerator, denominator| Definition {
            name,
            numerator,
            denominator,
        };
        match self {
            KpiKey::DisputeResolution => (
                d(
                    "矛盾纠纷化解成功率",
                    "调解成功的纠纷类事件",
                    "已有调解结果（成功或失败）的纠纷类事件",
                ),
                d(
                    "Dispute resolution rate",
                    "dispute events mediated successfully",
                    "dispute events with a mediation outcome (success or failed)",
                ),
            ),
            KpiKey::Police110Handling => (
                d(
                    "110非警务警情处置率",
                    "已办结或已结案的110移交事件",
                    "已办结、已结案、调解失败、已上报，或超期未办的110移交事件",
                ),
                d(
                    "110 non-police handling rate",
                    "110 hand-overs resolved or closed",
                    "110 hand-overs resolved, closed, mediation failed, escalated, or pending past due",
                ),
            ),
            KpiKey::PreLitigationMediation => (
                d(
                    "诉前调解成功率",
                    "调解成功的诉源事件",
                    "已有调解结果的诉源事件",
                ),
                d(
                    "Pre-litigation mediation success rate",
                    "litigation-source events mediated successfully",
                    "litigation-source events with a mediation outcome",
                ),
            ),
            KpiKey::Closure => (
                d("结案率", "已结案事件", "全部事件（不含撤销）"),
                d(
                    "Closure rate",
                    "events closed",
                    "all events except cancelled",
                ),
            ),
            KpiKey::OnTime => (
                d(
                    "按期办结率",
                    "在办理时限前办结的事件",
                    "已办结且有办理时限的事件",
                ),
                d(
                    "On-time rate",
                    "finished events finished by their deadline",
                    "finished events that have a deadline",
                ),
            ),
            KpiKey::MedianHandlingMinutes => (
                d(
                    "办理时长中位数（分钟）",
                    "从上报到办结的时长的中位数",
                    "已办结事件",
                ),
                d(
                    "Median handling time (minutes)",
                    "median of reported-to-finished time",
                    "finished events",
                ),
            ),
        }
    }
}

/// A KPI's definition in one language.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Definition {
    pub name: &'static str,
    pub numerator: &'static str,
    pub denominator: &'static str,
}

/// The window a KPI is taken over, ending on (and including) `today`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KpiWindow {
    Today,
    SevenDays,
    ThisYear,
}

impl KpiWindow {
    pub const ALL: [KpiWindow; 3] = [KpiWindow::Today, KpiWindow::SevenDays, KpiWindow::ThisYear];

    pub fn as_str(self) -> &'static str {
        match self {
            KpiWindow::Today => "today",
            KpiWindow::SevenDays => "7d",
            KpiWindow::ThisYear => "year",
        }
    }

    /// First and last local day of the window that ends at `now` (unix).
    pub fn days(self, now: i64) -> (i64, i64) {
        let today = local_day(now);
        match self {
            KpiWindow::Today => (today, today),
            KpiWindow::SevenDays => (today - 6, today),
            KpiWindow::ThisYear => {
                let local = time::OffsetDateTime::from_unix_timestamp(now + LOCAL_OFFSET)
                    .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
                let jan1 = local
                    .replace_ordinal(1)
                    .unwrap_or(local)
                    .replace_time(time::Time::MIDNIGHT);
                (jan1.unix_timestamp().div_euclid(DAY), today)
            }
        }
    }
}

/// One KPI over one window.
#[derive(Clone, Debug, PartialEq)]
pub struct Kpi {
    pub key: KpiKey,
    pub window: KpiWindow,
    pub first_day: i64,
    pub last_day: i64,
    /// For the median: the number of finished events in the window.
    pub numerator: i64,
    pub denominator: i64,
    /// The ratio (0..=1), or the median in minutes; `None` when the
    /// denominator is zero (shown as "—", not as 0% or 100%).
    pub value: Option<f64>,
}

/// The KPIs from the counters and the handling-time histogram of a window.
pub(crate) fn assemble(
    window: KpiWindow,
    first: i64,
    last: i64,
    counters: &BTreeMap<String, i64>,
    histogram: &BTreeMap<i64, i64>,
) -> Vec<Kpi> {
    KpiKey::ALL
        .iter()
        .map(|&key| {
            let (numerator, denominator, value) = match key.counters() {
                Some((num, den)) => {
                    let numerator = counters.get(num).copied().unwrap_or(0);
                    let denominator = counters.get(den).copied().unwrap_or(0);
                    let value = (denominator > 0).then(|| numerator as f64 / denominator as f64);
                    (numerator, denominator, value)
                }
                None => {
                    let count: i64 = histogram.values().sum();
                    (count, count, median_minutes(histogram))
                }
            };
            Kpi {
                key,
                window,
                first_day: first,
                last_day: last,
                numerator,
                denominator,
                value,
            }
        })
        .collect()
}

/// The median of a bucketed histogram, in minutes: the middle of the bucket
/// holding the lower middle element.
pub fn median_minutes(histogram: &BTreeMap<i64, i64>) -> Option<f64> {
    let count: i64 = histogram.values().sum();
    if count == 0 {
        return None;
    }
    let middle = (count - 1) / 2;
    let mut seen = 0;
    for (&bucket, &n) in histogram {
        seen += n;
        if seen > middle {
            let middle_of_bucket = bucket as f64 + bucket_width(bucket) as f64 / 2.0;
            return Some(middle_of_bucket * BUCKET as f64 / 60.0);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_days_turn_at_midnight_in_cixi() {
        // 2026-11-27 00:00 +08:00 is 2026-11-26 16:00 UTC.
        let midnight = 1_795_708_800;
        assert_eq!(local_day(midnight), local_day(midnight + DAY - 1));
        assert_eq!(local_day(midnight) - 1, local_day(midnight - 1));
    }

    #[test]
    fn a_day_belongs_to_the_year_of_its_local_date() {
        let jan1 = local_day(1_767_196_800); // 2026-01-01 00:00 +08:00
        assert_eq!(year_of_day(jan1), jan1);
        assert_eq!(year_of_day(jan1 + 330), jan1);
        assert_eq!(year_of_day(jan1 - 1), jan1 - 365, "2025 had 365 days");
    }

    #[test]
    fn this_year_starts_on_january_first_local() {
        // 2026-01-01 00:30 +08:00 is still 2025-12-31 in UTC.
        let early = 1_767_198_600;
        let (first, last) = KpiWindow::ThisYear.days(early);
        assert_eq!(first, last, "the first of January is a one-day year so far");
    }

    #[test]
    fn median_takes_the_middle_bucket() {
        let histogram = BTreeMap::from([(0, 1), (4, 1), (8, 1)]);
        assert_eq!(median_minutes(&histogram), Some(67.5));
        assert_eq!(median_minutes(&BTreeMap::new()), None);
        // Past a day, the middle of an hour; past a week, of a day.
        assert_eq!(median_minutes(&BTreeMap::from([(100, 1)])), Some(1_530.0));
        assert_eq!(median_minutes(&BTreeMap::from([(672, 1)])), Some(10_800.0));
    }

    #[test]
    fn buckets_widen_past_a_day_and_a_week() {
        assert_eq!(bucket_of(-5), 0);
        assert_eq!(bucket_of(20 * 60), 1, "20 minutes: the second quarter");
        assert_eq!(bucket_of(23 * 3600 + 59 * 60), 95);
        assert_eq!(
            bucket_of(25 * 3600 + 50 * 60),
            100,
            "25 h 50: the hour from 25 h"
        );
        assert_eq!(
            bucket_of(8 * 86_400 + 3600),
            768,
            "8 days: the day from 8 days"
        );
    }
}
