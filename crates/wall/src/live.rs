//! The live picture of the city that every window is fed from.
//!
//! [`Live`] sits between ingest and the windows:
//! - as the ingest client's [`Sink`] ([`LiveSink`]) it lands each batch in the
//!   store and keeps the batch's [`Changes`];
//! - a flush loop coalesces those changes and broadcasts them as small
//!   [`WallEvent`]s (changed grids, new alerts), at most about ten times a
//!   second, so a burst of thousands of revisions is a few messages, never a
//!   reload; a change after a quiet spell goes out at once;
//! - slower loops advance the overdue clock, recompute the KPIs and redraw the
//!   charts (plotters SVG) on timers, not per event;
//! - a window that subscribes gets the current picture first
//!   ([`Live::snapshot`]), then the deltas.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use gridwall_charts as charts;
use gridwall_domain::clock::Clock;
use gridwall_ingest::Sink;
use gridwall_store::{
    Alert, Applied, Changes, GridState, KpiKey, KpiWindow, RawRecord, Scope, Store,
};
use time::OffsetDateTime;
use tokio::sync::{Notify, broadcast};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::feed::{
    AlertItem, ChartSet, ChartSvgs, FocusItem, GridStatus, KpiDefinition, KpiTile, WallEvent,
};

/// How often things are recomputed. Tests shorten them.
#[derive(Clone, Debug)]
pub struct Timings {
    /// Coalesced grid and alert deltas go out at most this often; the first
    /// change after a quiet spell goes out at once.
    pub flush: Duration,
    pub overdue: Duration,
    pub kpis: Duration,
    pub charts: Duration,
}

impl Default for Timings {
    fn default() -> Self {
        Timings {
            flush: Duration::from_millis(100),
            overdue: Duration::from_secs(5),
            kpis: Duration::from_secs(5),
            // Three small queries and six plotters drawings: cheap enough to
            // keep the charts within a quarter minute of the data.
            charts: Duration::from_secs(15),
        }
    }
}

/// Alerts kept for the ticker (and sent to a window that subscribes).
const TICKER_LEN: usize = 60;
/// Alerts of this severity or more stay pinned until an operator acknowledges them.
pub const PIN_SEVERITY: u8 = 3;
/// At most this many alerts are pinned at once (the oldest drop off).
const MAX_PINS: usize = 40;

#[derive(Default)]
struct Picture {
    grids: BTreeMap<String, GridStatus>,
    alerts: VecDeque<AlertItem>,
    kpis: Option<WallEvent>,
    charts: Option<WallEvent>,
    focus: Option<WallEvent>,
    /// The footing (peacetime or a plan in force) and any pending proposal.
    footing: Option<WallEvent>,
    /// Severe alerts not yet acknowledged, newest first.
    pinned: Vec<String>,
    /// The newest broadcast's board, with every grid (for a window that subscribes).
    broadcast: Option<WallEvent>,
}

#[derive(Default)]
struct Pending {
    grids: BTreeMap<String, GridStatus>,
    alerts: Vec<AlertItem>,
}

pub struct Live {
    store: Arc<Store>,
    clock: Clock,
    timings: Timings,
    events: broadcast::Sender<WallEvent>,
    /// std Mutexes: held for map updates only, never across an await.
    picture: Mutex<Picture>,
    pending: Mutex<Pending>,
    /// Rung by [`Live::record`]: something waits for the next flush.
    pending_signal: Notify,
    /// The last charts were drawn over no events (at start, before the first
    /// backfill landed): redraw as soon as data arrives, not a period later.
    charts_empty: std::sync::atomic::AtomicBool,
    /// Alerts of this severity or more are pinned: [`PIN_SEVERITY`] in
    /// peacetime, tighter while an emergency plan says so.
    pin_severity: std::sync::atomic::AtomicU8,
    /// Rung when acknowledgements from the feed landed in the store, so
    /// the broadcast board is recounted without waiting for its timer.
    acks_landed: Notify,
}

fn status(grid: &GridState) -> GridStatus {
    GridStatus {
        grid_id: grid.grid_id.clone(),
        colour: grid.colour.as_str().to_owned(),
        open: grid.open(),
        overdue: grid.overdue,
        severe: grid.open_by_severity[2] + grid.open_by_severity[3],
    }
}

fn alert_item(alert: &Alert) -> AlertItem {
    AlertItem {
        id: alert.id.clone(),
        grid_id: alert.grid_id.clone(),
        severity: alert.severity,
        source: alert.source.clone(),
        category: alert.category.clone(),
        title: alert.title.clone(),
        reported_at: crate::rfc3339(alert.reported_at),
    }
}

impl Live {
    /// The live picture over `store`, starting from what the store holds.
    pub async fn new(
        store: Arc<Store>,
        clock: Clock,
        timings: Timings,
    ) -> anyhow::Result<Arc<Live>> {
        let (events, _) = broadcast::channel(1024);
        let live = Arc::new(Live {
            store,
            clock,
            timings,
            events,
            picture: Mutex::default(),
            pending: Mutex::default(),
            pending_signal: Notify::new(),
            charts_empty: std::sync::atomic::AtomicBool::new(true),
            pin_severity: std::sync::atomic::AtomicU8::new(PIN_SEVERITY),
            acks_landed: Notify::new(),
        });
        let grids = live.store.grid_states().await?;
        let alerts = live.store.recent_alerts(TICKER_LEN).await?;
        // Pins survive a restart: the ticker's severe alerts of the last day
        // that nobody has acknowledged are pinned again.
        let ids: Vec<String> = alerts.iter().map(|a| a.id.clone()).collect();
        let acknowledged = live.store.acted_on("acknowledge_alert", &ids).await?;
        let day_ago = live.clock.now() - time::Duration::days(1);
        let pinned: Vec<String> = alerts
            .iter()
            .filter(|a| {
                a.severity >= PIN_SEVERITY
                    && a.reported_at > day_ago
                    && !acknowledged.contains(&a.id)
            })
            .map(|a| a.id.clone())
            .take(MAX_PINS)
            .collect();
        {
            let mut picture = live.lock_picture();
            picture.grids = grids
                .iter()
                .map(|g| (g.grid_id.clone(), status(g)))
                .collect();
            picture.alerts = alerts.iter().map(alert_item).collect();
            picture.pinned = pinned;
        }
        Ok(live)
    }

    pub fn store(&self) -> &Arc<Store> {
        &self.store
    }

    /// The sink to give the ingest client.
    pub fn sink(self: &Arc<Self>) -> LiveSink {
        LiveSink(self.clone())
    }

    fn lock_picture(&self) -> std::sync::MutexGuard<'_, Picture> {
        self.picture.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// What a window that just subscribed needs: every grid that has had an
    /// event, the ticker, the latest KPIs and charts.
    pub fn snapshot(&self) -> Vec<WallEvent> {
        let picture = self.lock_picture();
        let mut out = vec![
            WallEvent::Grids {
                grids: picture.grids.values().cloned().collect(),
                full: true,
            },
            WallEvent::Alerts {
                alerts: picture.alerts.iter().cloned().collect(),
                full: true,
            },
        ];
        out.extend(picture.kpis.clone());
        out.extend(picture.charts.clone());
        out.extend(picture.focus.clone());
        out.extend(picture.footing.clone());
        out.push(WallEvent::Pins {
            ids: picture.pinned.clone(),
        });
        out.extend(picture.broadcast.clone());
        out
    }

    /// Shows a broadcast's progress on every window: `delta` now (only the
    /// grids that changed), `full` to windows that subscribe later.
    pub fn push_broadcast(&self, full: WallEvent, delta: WallEvent) {
        self.lock_picture().broadcast = Some(full);
        let _ = self.events.send(delta);
    }

    /// Resolves when acknowledgements from the feed landed since the last call.
    pub async fn acks_landed(&self) {
        self.acks_landed.notified().await;
    }

    /// An operator acknowledged `id`: it is unpinned on every window.
    pub fn acknowledge(&self, id: &str) {
        let ids = {
            let mut picture = self.lock_picture();
            let before = picture.pinned.len();
            picture.pinned.retain(|p| p != id);
            if picture.pinned.len() == before {
                return;
            }
            picture.pinned.clone()
        };
        let _ = self.events.send(WallEvent::Pins { ids });
    }

    /// Puts `focus` on every wall window, now and for windows that open later.
    pub fn push_focus(&self, focus: FocusItem) {
        let event = WallEvent::Focus { focus };
        self.lock_picture().focus = Some(event.clone());
        let _ = self.events.send(event);
    }

    /// Puts the footing on every window, now and for windows that open later.
    pub fn set_footing(&self, event: WallEvent) {
        self.lock_picture().footing = Some(event.clone());
        let _ = self.events.send(event);
    }

    /// Pins alerts of `severity` or more from now on (an emergency plan's
    /// threshold, or peacetime's [`PIN_SEVERITY`] again).
    pub fn set_pin_severity(&self, severity: u8) {
        self.pin_severity
            .store(severity, std::sync::atomic::Ordering::Relaxed);
    }

    /// Tells every window that the video scenes changed.
    pub fn scenes_changed(&self, by: &str) {
        let _ = self.events.send(WallEvent::Scenes { by: by.to_owned() });
    }

    pub fn subscribe(&self) -> broadcast::Receiver<WallEvent> {
        self.events.subscribe()
    }

    /// Keep a batch's changes until the next flush.
    pub fn record(&self, changes: &Changes) {
        if changes.grids.is_empty() && changes.alerts.is_empty() {
            return;
        }
        let mut pending = self.pending.lock().unwrap_or_else(|p| p.into_inner());
        for grid in &changes.grids {
            pending.grids.insert(grid.grid_id.clone(), status(grid));
        }
        pending.alerts.extend(changes.alerts.iter().map(alert_item));
        self.pending_signal.notify_one();
    }

    /// Send what gathered since the last flush, as one message per kind.
    /// Returns whether anything was sent.
    pub fn flush(&self) -> bool {
        let pending = std::mem::take(&mut *self.pending.lock().unwrap_or_else(|p| p.into_inner()));
        if pending.grids.is_empty() && pending.alerts.is_empty() {
            return false;
        }
        let mut alerts = pending.alerts;
        alerts.sort_by(|a, b| b.reported_at.cmp(&a.reported_at));
        alerts.truncate(TICKER_LEN);
        let (mut pins_changed, mut pins) = (false, None);
        let pin_severity = self.pin_severity.load(std::sync::atomic::Ordering::Relaxed);
        {
            let mut picture = self.lock_picture();
            for (id, grid) in &pending.grids {
                picture.grids.insert(id.clone(), grid.clone());
            }
            for alert in alerts.iter().rev() {
                picture.alerts.push_front(alert.clone());
                if alert.severity >= pin_severity && !picture.pinned.contains(&alert.id) {
                    picture.pinned.insert(0, alert.id.clone());
                    pins_changed = true;
                }
            }
            picture.alerts.truncate(TICKER_LEN);
            picture.pinned.truncate(MAX_PINS);
            if pins_changed {
                pins = Some(picture.pinned.clone());
            }
        }
        if !pending.grids.is_empty() {
            let _ = self.events.send(WallEvent::Grids {
                grids: pending.grids.into_values().collect(),
                full: false,
            });
        }
        if !alerts.is_empty() {
            let _ = self.events.send(WallEvent::Alerts {
                alerts,
                full: false,
            });
        }
        if let Some(ids) = pins {
            let _ = self.events.send(WallEvent::Pins { ids });
        }
        true
    }

    /// Recompute the KPI tiles and broadcast them.
    pub async fn refresh_kpis(&self) -> anyhow::Result<()> {
        let now = self.clock.now();
        let mut tiles = Vec::new();
        for window in KpiWindow::ALL {
            for kpi in self.store.kpis(now.unix_timestamp(), window, None).await? {
                tiles.push(kpi_tile(&kpi));
            }
        }
        let event = WallEvent::Kpis {
            kpis: tiles,
            at: crate::rfc3339(now),
        };
        self.lock_picture().kpis = Some(event.clone());
        let _ = self.events.send(event);
        Ok(())
    }

    /// Redraw the three wall charts in both languages and broadcast them.
    pub async fn refresh_charts(&self) -> anyhow::Result<()> {
        let now = self.clock.now();
        let unix = now.unix_timestamp();
        let WallSeries {
            first_local_hour,
            series,
            rates,
            top,
        } = wall_series(&self.store, unix).await?;
        self.charts_empty
            .store(series.is_empty(), std::sync::atomic::Ordering::Relaxed);
        let draw = |lang| {
            // About the trend panel's shape; text twice the default, so tick
            // labels are about 1 rem on the wall (readable at three metres).
            let theme = charts::Theme::new(960, 800)
                .with_language(lang)
                .with_text_scale(2.0);
            ChartSvgs {
                events_per_hour: charts::events_per_hour(first_local_hour, &series, &theme),
                resolution_30d: charts::resolution_rate_30d(&rates, 0.98, &theme),
                top_categories: charts::top_categories(&top, &theme),
            }
        };
        let event = WallEvent::Charts {
            charts: ChartSet {
                zh: draw(charts::Lang::Zh),
                en: draw(charts::Lang::En),
            },
            at: crate::rfc3339(now),
        };
        self.lock_picture().charts = Some(event.clone());
        let _ = self.events.send(event);
        Ok(())
    }

    /// The loops: flush deltas, advance overdue, KPIs, charts. Ends on cancel.
    pub async fn run(self: Arc<Self>, cancel: CancellationToken) {
        // A flush is due when something is pending, but never sooner than
        // `flush` after the last one: a lone event is not held back by a
        // timer, a burst is still coalesced.
        let mut last_flush = Instant::now() - self.timings.flush;
        let mut due: Option<Instant> = None;
        let mut overdue = tokio::time::interval(self.timings.overdue);
        let mut kpis = tokio::time::interval(self.timings.kpis);
        let mut charts = tokio::time::interval(self.timings.charts);
        for tick in [&mut overdue, &mut kpis, &mut charts] {
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        }
        loop {
            let result = tokio::select! {
                _ = cancel.cancelled() => return,
                _ = self.pending_signal.notified(), if due.is_none() => {
                    due = Some((last_flush + self.timings.flush).max(Instant::now()));
                    Ok(())
                }
                _ = tokio::time::sleep_until(due.unwrap_or(last_flush)), if due.is_some() => {
                    due = None;
                    last_flush = Instant::now();
                    let sent = self.flush();
                    if sent && self.charts_empty.load(std::sync::atomic::Ordering::Relaxed) {
                        self.refresh_charts().await
                    } else {
                        Ok(())
                    }
                }
                _ = overdue.tick() => match self.store.refresh_overdue(self.clock.now()).await {
                    Ok(changes) => { self.record(&changes); Ok(()) }
                    Err(err) => Err(anyhow::Error::from(err)),
                },
                _ = kpis.tick() => self.refresh_kpis().await,
                _ = charts.tick() => self.refresh_charts().await,
            };
            if let Err(err) = result {
                // The store is local; an error here is worth a line, and the
                // next tick tries again. The wall keeps showing what it has.
                tracing::warn!("live picture: {err:#}");
            }
        }
    }
}

/// The calendar date of a local day number.
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

/// The ingest client's sink: the store, plus the live picture's changes.
#[derive(Clone)]
pub struct LiveSink(Arc<Live>);

impl Sink for LiveSink {
    async fn apply_from(
        &self,
        upstream: &str,
        batch: &[RawRecord],
        cursor: Option<u64>,
        now: OffsetDateTime,
    ) -> gridwall_ingest::Result<Applied> {
        let applied = Sink::apply_from(&*self.0.store, upstream, batch, cursor, now).await?;
        self.0.record(&applied.changes);
        Ok(applied)
    }

    async fn cursor(&self, upstream: &str) -> gridwall_ingest::Result<Option<u64>> {
        Sink::cursor(&*self.0.store, upstream).await
    }

    async fn replace_reference(
        &self,
        kind: &str,
        items: &[(String, String)],
    ) -> gridwall_ingest::Result<()> {
        Sink::replace_reference(&*self.0.store, kind, items).await
    }

    async fn open_event_ids(&self) -> gridwall_ingest::Result<Vec<String>> {
        Sink::open_event_ids(&*self.0.store).await
    }

    /// Lands the stream's acknowledgements, each worker once; one that is
    /// not a BroadcastAck is quarantined with its reason and the feed goes on.
    /// Acks of broadcasts another console sent are kept too.
    async fn acks(&self, upstream: &str, acks: &[Vec<u8>]) -> gridwall_ingest::Result<()> {
        let store = &self.0.store;
        let now = self.0.clock.now().unix_timestamp();
        let mut rows = Vec::with_capacity(acks.len());
        for raw in acks {
            match crate::broadcast::parse_ack(raw) {
                Ok(row) => rows.push(row),
                Err(reason) => {
                    tracing::warn!(%upstream, %reason, "quarantined an ack that is not a BroadcastAck");
                    store
                        .quarantine_raw(upstream, "bad_ack", &reason, now, raw)
                        .await
                        .map_err(gridwall_ingest::Error::Store)?;
                }
            }
        }
        if store
            .record_acks(&rows, now)
            .await
            .map_err(gridwall_ingest::Error::Store)?
            > 0
        {
            self.0.acks_landed.notify_one();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gridwall_store::StatusColour;

    fn grid(id: &str, open: i64) -> GridState {
        GridState {
            grid_id: id.to_owned(),
            open_by_severity: [open, 0, 0, 0],
            overdue: 0,
            newest_event_at: None,
            colour: if open > 0 {
                StatusColour::Amber
            } else {
                StatusColour::Green
            },
        }
    }

    #[tokio::test]
    async fn a_burst_of_batches_goes_out_as_one_message_with_the_last_state_of_each_grid() {
        let (_dir, live) = live_on_a_fresh_store(Timings::default()).await;
        let mut rx = live.subscribe();
        for n in 0..5_000 {
            live.record(&Changes {
                grids: vec![grid(&format!("G{}", n % 100), n)],
                ..Changes::default()
            });
        }
        assert!(live.flush(), "something was pending");
        assert!(!live.flush(), "nothing left after a flush");
        let WallEvent::Grids { grids, full } = rx.recv().await.unwrap() else {
            panic!("expected grids");
        };
        assert!(!full);
        assert_eq!(grids.len(), 100, "one entry per grid");
        let g7 = grids.iter().find(|g| g.grid_id == "G7").unwrap();
        assert_eq!(g7.open, 4_907, "the last state wins");
        assert!(rx.try_recv().is_err(), "one message for the whole burst");

        // A window subscribing now gets the picture first.
        let snapshot = live.snapshot();
        assert!(
            matches!(&snapshot[0], WallEvent::Grids { grids, full: true } if grids.len() == 100)
        );
    }

    /// A live picture over an empty store in a temp dir (kept while the dir lives).
    async fn live_on_a_fresh_store(timings: Timings) -> (tempfile::TempDir, Arc<Live>) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("s.sqlite").to_str().unwrap())
            .await
            .unwrap();
        let live = Live::new(Arc::new(store), Clock::real(), timings)
            .await
            .unwrap();
        (dir, live)
    }

    /// The next grids message, skipping KPIs, charts and the rest.
    async fn next_grids(rx: &mut broadcast::Receiver<WallEvent>) -> Vec<GridStatus> {
        loop {
            if let WallEvent::Grids { grids, .. } = rx.recv().await.unwrap() {
                return grids;
            }
        }
    }

    #[tokio::test]
    async fn a_change_after_a_quiet_spell_goes_out_at_once_and_the_next_waits_its_turn() {
        let hour = Duration::from_secs(3600);
        let timings = Timings {
            flush: Duration::from_secs(5),
            overdue: hour,
            kpis: hour,
            charts: hour,
        };
        let (_dir, live) = live_on_a_fresh_store(timings).await;
        let mut rx = live.subscribe();
        let cancel = CancellationToken::new();
        tokio::spawn(live.clone().run(cancel.clone()));
        let one = |open| Changes {
            grids: vec![grid("G1", open)],
            ..Changes::default()
        };

        live.record(&one(1));
        let first = tokio::time::timeout(Duration::from_secs(2), next_grids(&mut rx))
            .await
            .expect("a lone change is not held back by the flush period");
        assert_eq!(first[0].open, 1);

        // Within the period the next changes wait, and go out as one.
        live.record(&one(2));
        live.record(&one(3));
        assert!(
            tokio::time::timeout(Duration::from_secs(1), next_grids(&mut rx))
                .await
                .is_err(),
            "a second message within the flush period"
        );
        let second = tokio::time::timeout(Duration::from_secs(6), next_grids(&mut rx))
            .await
            .expect("the held changes never went out");
        assert_eq!(
            (second.len(), second[0].open),
            (1, 3),
            "coalesced, last wins"
        );
        cancel.cancel();
    }

    #[tokio::test]
    async fn acks_from_the_feed_land_once_and_a_malformed_one_is_quarantined_not_fatal() {
        let (_dir, live) = live_on_a_fresh_store(Timings::default()).await;
        let sink = live.sink();
        let ack = |worker: &str| {
            format!(
                r#"{{"broadcast_id":"GB00000009","worker_id":"{worker}","grid_id":"330282004001G01","acked_at":"2026-12-05T14:02:00+08:00"}}"#
            )
            .into_bytes()
        };
        let batch = vec![
            ack("W1"),
            b"{\"broadcast_id\":\"GB00000009\",\"acked_at\":7".to_vec(),
            ack("W1"),
            ack("W2"),
        ];
        Sink::acks(&sink, "governance", &batch).await.unwrap();
        Sink::acks(&sink, "governance", &batch[..1]).await.unwrap();
        assert_eq!(live.store().ack_count("GB00000009").await.unwrap(), 2);
        let quarantined = live.store().quarantine_counts().await.unwrap();
        assert_eq!(quarantined.len(), 1);
        assert_eq!(
            (quarantined[0].kind.as_str(), quarantined[0].count),
            ("bad_ack", 1)
        );
        // New acks ring the broadcast board.
        tokio::time::timeout(Duration::from_secs(1), live.acks_landed())
            .await
            .expect("the board was not told");
    }

    #[tokio::test]
    async fn severe_alerts_stay_pinned_on_every_window_until_acknowledged() {
        let (_dir, live) = live_on_a_fresh_store(Timings::default()).await;
        let mut rx = live.subscribe();
        let alert = |id: &str, severity: u8| gridwall_store::Alert {
            id: id.to_owned(),
            grid_id: "G1".to_owned(),
            severity,
            source: "police_110".to_owned(),
            category: "dispute.neighbour".to_owned(),
            title: id.to_owned(),
            reported_at: Clock::real().now(),
        };
        live.record(&Changes {
            alerts: vec![
                alert("ordinary", 2),
                alert("serious", 3),
                alert("critical", 4),
            ],
            ..Changes::default()
        });
        live.flush();
        let pins = loop {
            if let WallEvent::Pins { ids } = rx.recv().await.unwrap() {
                break ids;
            }
        };
        let mut sorted = pins.clone();
        sorted.sort();
        assert_eq!(sorted, ["critical", "serious"], "severity 3 and 4 only");
        // A window that opens later gets the same pins.
        assert!(
            live.snapshot()
                .iter()
                .any(|e| matches!(e, WallEvent::Pins { ids } if ids.len() == 2))
        );

        live.acknowledge("serious");
        let WallEvent::Pins { ids } = rx.recv().await.unwrap() else {
            panic!("expected pins");
        };
        assert_eq!(ids, ["critical"]);
        live.acknowledge("serious");
        assert!(
            rx.try_recv().is_err(),
            "acknowledging twice changes nothing"
        );
    }
}
