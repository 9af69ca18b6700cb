//! The data of the wall's charts and KPI tiles, shared with the shift report.

use gridwall_charts as charts;
use gridwall_store::{KpiKey, Scope, Store};
use time::OffsetDateTime;

use crate::feed::{KpiDefinition, KpiTile};

/// The data of the wall's three charts over the city at `unix`, shared by the
/// wall and the shift report.
pub(crate) struct WallSeries {
    /// The local hour the 24-hour chart starts at.
    pub first_local_hour: u8,
    pub series: Vec<charts::SourceSeries>,
    /// The dispute-resolution rate per day over 30 days (days with decisions).
    pub rates: Vec<charts::DayRate>,
    pub top: Vec<(String, u64)>,
}

pub(crate) async fn wall_series(store: &Store, unix: i64) -> anyhow::Result<WallSeries> {
    let (first_hour, hours) = store.events_per_hour(unix, &Scope::City).await?;
    let per_day = store.resolution_per_day(unix, 30, None).await?;
    let top = store.top_categories(unix, &Scope::City).await?;
    let series = hours
        .into_iter()
        .map(|(source, counts)| charts::SourceSeries {
            source,
            counts: counts.to_vec(),
        })
        .collect();
    let first_local_hour =
        u8::try_from((first_hour + 8 * 3600).rem_euclid(86_400) / 3600).unwrap_or(0);
    let rates = per_day
        .iter()
        .filter(|(_, _, decided)| *decided > 0)
        .map(|(day, success, decided)| charts::DayRate {
            date: date_of(*day),
            rate: *success as f64 / *decided as f64,
        })
        .collect();
    Ok(WallSeries {
        first_local_hour,
        series,
        rates,
        top,
    })
}

/// `(local day, count)` pairs as the 30-day chart takes them.
pub(crate) fn day_counts(days: &[(i64, u64)]) -> Vec<charts::DayCount> {
    days.iter()
        .map(|(day, count)| charts::DayCount {
            date: date_of(*day),
            count: *count,
        })
        .collect()
}

/// A KPI as a tile shows it, with its definitions in both languages.
pub(crate) fn kpi_tile(kpi: &gridwall_store::Kpi) -> KpiTile {
    let (zh, en) = kpi.key.definition();
    KpiTile {
        key: kpi.key.as_str().to_owned(),
        window: kpi.window.as_str().to_owned(),
        value: kpi.value,
        numerator: kpi.numerator,
        denominator: kpi.denominator,
        target: kpi.key.target(),
        percent: kpi.key != KpiKey::MedianHandlingMinutes,
        zh: KpiDefinition::from(zh),
        en: KpiDefinition::from(en),
    }
}

pub(crate) fn date_of(day: i64) -> time::Date {
    OffsetDateTime::from_unix_timestamp(day * 86_400)
        .map(|t| t.date())
        .unwrap_or(time::Date::MIN)
}
