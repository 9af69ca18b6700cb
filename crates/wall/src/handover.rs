//! The shift handover report (交接班, issue 7): the figures of the shift
//! gathered from the store and drawn by `gridwall-report` as PDF or PNG.
//!
//! Shifts run 08:00–20:00 and 20:00–08:00 Cixi time; the report covers the
//! current shift from its start to the moment it is produced. Its figures:
//!
//! - reported: events reported during the shift;
//! - resolved / closed: of those, the ones now resolved / closed;
//! - open / overdue: across the city now;
//! - pending acknowledgements: events of severity 3 or more reported during
//!   the shift, still open, that no operator has acknowledged on the wall;
//! - broadcasts: each sent during the shift, its recipients, acknowledged,
//!   and the share acknowledged within 15 minutes.

use serde::Serialize;
use time::{OffsetDateTime, UtcOffset};
use ts_rs::TS;

use gridwall_charts as charts;
use gridwall_report as report;
use gridwall_store::{Incident, IncidentFilter, KpiKey, KpiWindow, Scope, Store};

use crate::console::Directory;
use crate::feed::Language;

/// The shift's figures, as the report prints them and the console shows them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ShiftFigures {
    #[ts(type = "number")]
    pub reported: u64,
    #[ts(type = "number")]
    pub resolved: u64,
    #[ts(type = "number")]
    pub closed: u64,
    #[ts(type = "number")]
    pub open: u64,
    #[ts(type = "number")]
    pub overdue: u64,
    #[ts(type = "number")]
    pub pending_acks: u64,
}

/// A produced report: where it was written and what it says.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct HandoverResult {
    pub path: String,
    /// `pdf` or `png`.
    pub format: String,
    pub shift_start: String,
    pub shift_end: String,
    pub figures: ShiftFigures,
}

/// At most this many incidents per table (the rest are counted).
const TABLE_ROWS: usize = 40;

fn local() -> UtcOffset {
    UtcOffset::from_hms(8, 0, 0).unwrap_or(UtcOffset::UTC)
}

/// The start of the shift that holds `now`.
pub fn shift_start(now: OffsetDateTime) -> OffsetDateTime {
    let here = now.to_offset(local());
    let at = |date: time::Date, hour: u8| {
        date.with_hms(hour, 0, 0)
            .map(|t| t.assume_offset(local()))
            .unwrap_or(here)
    };
    match here.hour() {
        8..=19 => at(here.date(), 8),
        20..=23 => at(here.date(), 20),
        _ => at(here.date().previous_day().unwrap_or(here.date()), 20),
    }
}

/// Gathers the shift ending at `now` and draws it.
pub async fn gather(
    store: &Store,
    directory: &Directory,
    now: OffsetDateTime,
    language: Language,
    generated_by: &str,
) -> anyhow::Result<(report::Handover, ShiftFigures)> {
    let start = shift_start(now);
    let unix = now.unix_timestamp();
    let since = start.unix_timestamp();
    let lang = match language {
        Language::En => charts::Lang::En,
        _ => charts::Lang::Zh,
    };
    let count = |filter: IncidentFilter| async move {
        anyhow::Ok(store.incidents(&Scope::City, &filter, unix, 0).await?.1)
    };
    let in_shift = IncidentFilter {
        since: Some(since),
        ..IncidentFilter::default()
    };
    let reported = count(in_shift.clone()).await?;
    let resolved = count(IncidentFilter {
        states: vec!["resolved".into()],
        ..in_shift.clone()
    })
    .await?;
    let closed = count(IncidentFilter {
        states: vec!["closed".into()],
        ..in_shift.clone()
    })
    .await?;
    let (open, open_total) = store
        .incidents(
            &Scope::City,
            &IncidentFilter {
                open_only: true,
                ..IncidentFilter::default()
            },
            unix,
            TABLE_ROWS,
        )
        .await?;
    let (overdue, overdue_total) = store
        .incidents(
            &Scope::City,
            &IncidentFilter {
                overdue_only: true,
                ..IncidentFilter::default()
            },
            unix,
            TABLE_ROWS,
        )
        .await?;

    let (severe, _) = store
        .incidents(
            &Scope::City,
            &IncidentFilter {
                severities: vec![3, 4],
                open_only: true,
                since: Some(since),
                ..IncidentFilter::default()
            },
            unix,
            10_000,
        )
        .await?;
    let ids: Vec<String> = severe.iter().map(|i| i.id.clone()).collect();
    let acknowledged = store.acted_on("acknowledge_alert", &ids).await?;
    let mut pending: Vec<&Incident> = severe
        .iter()
        .filter(|i| !acknowledged.contains(&i.id))
        .collect();
    pending.sort_by_key(|i| std::cmp::Reverse(i.reported_at));

    let figures = ShiftFigures {
        reported,
        resolved,
        closed,
        open: open_total,
        overdue: overdue_total,
        pending_acks: pending.len() as u64,
    };

    let mut kpis = Vec::new();
    for kpi in store.kpis(unix, KpiWindow::Today, None).await? {
        let (zh, en) = kpi.key.definition();
        let definition = if lang == charts::Lang::En { en } else { zh };
        kpis.push(report::KpiLine {
            label: definition.name.to_owned(),
            value: kpi.value,
            unit: if kpi.key == KpiKey::MedianHandlingMinutes {
                report::KpiUnit::Minutes
            } else {
                report::KpiUnit::Percent
            },
            target: kpi.key.target(),
            numerator: u64::try_from(kpi.numerator).unwrap_or(0),
            denominator: u64::try_from(kpi.denominator).unwrap_or(0),
            window: if lang == charts::Lang::En {
                "today"
            } else {
                "今日"
            }
            .to_owned(),
        });
    }

    let line = |i: &Incident| report::IncidentLine {
        id: i.id.clone(),
        title: i.title.clone(),
        source: i.source.clone(),
        category: i.category.clone(),
        severity: i.severity,
        state: i.state.clone(),
        grid: directory.name(&i.grid_id),
        address: i.address.clone(),
        reported_at: at(i.reported_at),
        due_at: i.due_at.map(at),
        overdue: i.overdue,
    };

    let theme = report::chart_theme(lang);
    let crate::live::WallSeries {
        first_local_hour,
        series,
        rates,
        top,
    } = crate::live::wall_series(store, unix).await?;
    let days = crate::live::day_counts(&store.events_per_day(unix, 30, &Scope::City).await?);
    let caption = |zh: &str, en: &str| if lang == charts::Lang::En { en } else { zh }.to_owned();
    let report_charts = vec![
        report::ReportChart {
            caption: caption(
                "近24小时各来源事件数（按小时）",
                "Events per hour by source, 24 h",
            ),
            svg: charts::events_per_hour(first_local_hour, &series, &theme),
        },
        report::ReportChart {
            caption: caption(
                "近30天矛盾纠纷化解成功率",
                "Dispute resolution rate, 30 days",
            ),
            svg: charts::resolution_rate_30d(&rates, 0.98, &theme),
        },
        report::ReportChart {
            caption: caption("近7天事件类别前十", "Top categories, 7 days"),
            svg: charts::top_categories(&top, &theme),
        },
        report::ReportChart {
            caption: caption("近30天每日事件数", "Events per day, 30 days"),
            svg: charts::events_30d(&days, &theme),
        },
    ];

    let handover = report::Handover {
        lang,
        centre: caption("慈溪市社会治理中心", "Cixi Social Governance Centre"),
        shift_start: start,
        shift_end: now.to_offset(local()),
        generated_at: now.to_offset(local()),
        generated_by: generated_by.to_owned(),
        totals: report::Totals {
            reported: figures.reported,
            resolved: figures.resolved,
            closed: figures.closed,
            open: figures.open,
            overdue: figures.overdue,
            pending_acks: figures.pending_acks,
        },
        kpis,
        open: open.iter().map(line).collect(),
        open_total,
        overdue: overdue.iter().map(line).collect(),
        overdue_total,
        pending_acks: pending
            .iter()
            .take(TABLE_ROWS)
            .map(|i| report::AckLine {
                event_id: i.id.clone(),
                title: i.title.clone(),
                severity: i.severity,
                at: at(i.reported_at),
            })
            .collect(),
        broadcasts: shift_broadcasts(store, since).await?,
        charts: report_charts,
    };
    Ok((handover, figures))
}

/// The broadcasts sent during the shift (from `since`), oldest first, with
/// their acknowledgements as the store counts them.
async fn shift_broadcasts(store: &Store, since: i64) -> anyhow::Result<Vec<report::BroadcastLine>> {
    let mut lines = Vec::new();
    for b in store.broadcasts_since(since).await?.into_iter().rev() {
        let (Some(id), Some(sent_at)) = (&b.broadcast_id, b.sent_at) else {
            continue;
        };
        let progress = store
            .broadcast_progress(b.local_id, id, sent_at, crate::broadcast::board::DUE_S)
            .await?;
        let recipients = b
            .recipients
            .unwrap_or_else(|| progress.grids.iter().map(|g| g.recipients).sum());
        lines.push(report::BroadcastLine {
            title: b.title,
            sent_at: at(sent_at),
            recipients: u64::try_from(recipients).unwrap_or(0),
            acked: u64::try_from(progress.acked).unwrap_or(0),
            acked_within: u64::try_from(progress.acked_within).unwrap_or(0),
        });
    }
    Ok(lines)
}

/// `handover-YYYYMMDD-HHMMSS.<format>`, stamped in Cixi time.
pub fn file_name(now: OffsetDateTime, format: &str) -> String {
    let stamp = now
        .to_offset(local())
        .format(time::macros::format_description!(
            "[year][month][day]-[hour][minute][second]"
        ))
        .unwrap_or_default();
    format!("handover-{stamp}.{format}")
}

fn at(unix: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(unix)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
        .to_offset(local())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn files_are_stamped_in_cixi_time() {
        assert_eq!(
            file_name(datetime!(2026-11-27 12:05:09 UTC), "pdf"),
            "handover-20261127-200509.pdf"
        );
    }

    #[test]
    fn shifts_turn_at_eight_and_twenty_cixi_time() {
        assert_eq!(
            shift_start(datetime!(2026-11-27 09:30 +08:00)),
            datetime!(2026-11-27 08:00 +08:00)
        );
        assert_eq!(
            shift_start(datetime!(2026-11-27 21:00 +08:00)),
            datetime!(2026-11-27 20:00 +08:00)
        );
        assert_eq!(
            shift_start(datetime!(2026-11-28 03:00 +08:00)),
            datetime!(2026-11-27 20:00 +08:00)
        );
        // The same instant given in UTC.
        assert_eq!(
            shift_start(datetime!(2026-11-27 23:30 UTC)),
            datetime!(2026-11-28 08:00 +08:00) - time::Duration::hours(12)
        );
    }
}
