//! The live picture of the city that every window is fed from.
//!
//! [`Live`] sits between ingest and the windows:
//! - as the ingest client's [`Sink`](gridwall_ingest::Sink) ([`LiveSink`]) it lands each batch in the
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

use std::sync::atomic::{AtomicBool, Ordering};

use gridwall_charts as charts;
use gridwall_domain::clock::Clock;
use gridwall_store::{Change, Changes, KpiWindow, Store};
use tokio::sync::{Notify, broadcast};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::feed::{
    AlertItem, ChartSet, ChartSvgs, FocusItem, GridDue, GridStatus, UpstreamLink, WallEvent,
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
    /// The shared database's link, when the store is on PostgreSQL.
    database: Option<WallEvent>,
}

pub use picture::LiveStatus;
use picture::{Stored, alert_item, status};

impl Picture {
    /// Every grid and the whole ticker, as a window that subscribes gets them.
    fn stored_events(&self) -> Vec<WallEvent> {
        vec![
            WallEvent::Grids {
                grids: self.grids.values().cloned().collect(),
                full: true,
            },
            WallEvent::Alerts {
                alerts: self.alerts.iter().cloned().collect(),
                full: true,
            },
        ]
    }

    fn replace_from(&mut self, stored: Stored) {
        self.grids = stored.grids;
        self.alerts = stored.alerts;
        self.pinned = stored.pinned;
    }
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
    /// This instance ingests (always on SQLite; on PostgreSQL, the elected
    /// leader only): it alone sweeps the overdue clock and tells the others.
    leading: AtomicBool,
}

impl Live {
    /// The live picture over `store`, starting from what the store holds.
    pub async fn new(
        store: Arc<Store>,
        clock: Clock,
        timings: Timings,
    ) -> anyhow::Result<Arc<Live>> {
        let (events, _) = broadcast::channel(1024);
        let store_shared = store.shared();
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
            leading: AtomicBool::new(!store_shared),
        });
        let picture = live.read_picture().await?;
        live.lock_picture().replace_from(picture);
        Ok(live)
    }

    pub fn store(&self) -> &Arc<Store> {
        &self.store
    }

    /// Another instance landed revisions: reads the named grids and alerts
    /// (or everything) and shows them as if they had landed here.
    pub async fn heard_revisions(
        &self,
        grids: &[String],
        alerts: &[String],
        all: bool,
    ) -> anyhow::Result<()> {
        if all {
            return self.resync().await;
        }
        let grids: Vec<&str> = grids.iter().map(String::as_str).collect();
        let alerts: Vec<&str> = alerts.iter().map(String::as_str).collect();
        let changes = Changes {
            grids: self.store.grid_states_of(&grids).await?,
            alerts: self.store.alerts_of(&alerts).await?,
            ..Changes::default()
        };
        self.record(&changes);
        Ok(())
    }

    /// Tells the other instances on the same PostgreSQL what a batch (or
    /// the overdue sweep) changed. Nothing on SQLite.
    async fn announce(&self, changes: &Changes) {
        if !self.store.shared() || (changes.grids.is_empty() && changes.alerts.is_empty()) {
            return;
        }
        let change = Change::revisions(
            changes.grids.iter().map(|g| g.grid_id.clone()).collect(),
            changes.alerts.iter().map(|a| a.id.clone()).collect(),
        );
        if let Err(err) = self.store.announce(change).await {
            // The others re-read everything when they reconnect; a notice
            // that could not be sent means the database is away.
            tracing::warn!("cannot tell the other instances of a change: {err}");
        }
    }

    /// Each grid's next deadline, for the time-to-breach layer.
    pub async fn next_due(&self) -> anyhow::Result<Vec<GridDue>> {
        Ok(self
            .store
            .next_due_by_grid()
            .await?
            .into_iter()
            .filter_map(|(grid_id, due)| {
                let due_at = time::OffsetDateTime::from_unix_timestamp(due).ok()?;
                Some(GridDue {
                    grid_id,
                    due_at: crate::rfc3339(due_at),
                })
            })
            .collect())
    }

    /// Tells the other instances on the same PostgreSQL of `change`.
    pub async fn tell(&self, change: Change) {
        if let Err(err) = self.store.announce(change).await {
            tracing::warn!("cannot tell the other instances of a change: {err}");
        }
    }

    /// Whether this instance ingests (see [`Live::set_leading`]).
    pub fn leading(&self) -> bool {
        self.leading.load(Ordering::Relaxed)
    }

    /// This instance became the ingest leader, or stopped being it.
    pub fn set_leading(&self, leading: bool) {
        self.leading.store(leading, Ordering::Relaxed);
    }

    /// The shared database's link, shown on every window (stale when down).
    pub fn set_database(&self, link: UpstreamLink) {
        let event = WallEvent::Database(link);
        {
            let mut picture = self.lock_picture();
            if picture.database.as_ref() == Some(&event) {
                return;
            }
            picture.database = Some(event.clone());
        }
        let _ = self.events.send(event);
    }

    /// Acknowledgements of a broadcast landed (here or on another instance):
    /// the board is recounted.
    pub fn ring_acks(&self) {
        self.acks_landed.notify_one();
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
        let mut out = picture.stored_events();
        out.extend(picture.kpis.clone());
        out.extend(picture.charts.clone());
        out.extend(picture.focus.clone());
        out.extend(picture.footing.clone());
        out.push(WallEvent::Pins {
            ids: picture.pinned.clone(),
        });
        out.extend(picture.broadcast.clone());
        out.extend(picture.database.clone());
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
                // One instance sweeps (the one that ingests) and tells the rest.
                _ = overdue.tick(), if self.leading() => match self.store.refresh_overdue(self.clock.now()).await {
                    Ok(changes) => {
                        self.record(&changes);
                        self.announce(&changes).await;
                        Ok(())
                    }
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

mod picture;
mod series;
mod sink;
#[cfg(test)]
mod tests;

pub(crate) use series::{WallSeries, day_counts, kpi_tile, wall_series};
pub use sink::LiveSink;
