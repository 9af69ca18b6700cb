//! What each screen is sent: the types that cross the IPC boundary and the
//! loop that feeds one window.
//!
//! Every type here derives `TS`; `cargo test` writes them to
//! `ui/src/bindings/`, which is committed and checked for drift, so the UI
//! never carries a hand-written copy of a Rust type.
//!
//! A window subscribes once and then receives small messages: the clock every
//! second, the state of the upstream links whenever it changes. Later work
//! adds grid deltas and alerts to [`WallEvent`]; it never reloads everything.

use serde::Serialize;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;
use ts_rs::TS;

use gridwall_domain::clock::Clock;

/// The language the UI speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub enum Language {
    #[serde(rename = "zh-CN")]
    ZhCn,
    #[serde(rename = "en")]
    En,
}

/// What a window shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Layout {
    /// The command-hall wall: map, ticker, KPI column, video area.
    Wall,
    /// A wall screen given over to the camera matrix.
    Video,
    /// A duty officer's console beside the wall.
    Console,
}

/// Everything a window needs to know about itself when it starts.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct WindowSetup {
    pub label: String,
    pub layout: Layout,
    pub language: Language,
    /// Kiosk mode hides the cursor and every affordance meant for a desk.
    pub kiosk: bool,
    /// When the wall dims at night (platform time); `null` = never.
    pub night: Option<NightDimming>,
    pub version: String,
    /// What the page last showed by the operator's hand, when it is
    /// reloaded (by the watchdog or the quiet hour); `null` at first start.
    pub view: Option<crate::view::PageView>,
}

/// Night dimming: from `from_minute` to `to_minute` of the platform's day
/// (wrapping past midnight when from > to) a veil takes `dim` off the brightness.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct NightDimming {
    pub from_minute: u16,
    pub to_minute: u16,
    pub dim: f64,
}

/// The state of one upstream link, as the connection indicator shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum LinkState {
    /// Not yet heard from since start.
    Connecting,
    Live,
    /// Answering, but behind.
    Lagging,
    Down,
}

/// One upstream's link.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct UpstreamLink {
    pub state: LinkState,
    /// RFC 3339 time of the last successful contact.
    pub last_contact: Option<String>,
    /// A short reason when the link is not live, for the operator (never a secret).
    pub detail: Option<String>,
    /// How far behind the upstream's head the app is, when lagging.
    #[ts(type = "number | null")]
    pub lag_seconds: Option<u64>,
    /// A long job in progress (reference sync, backfill, snapshot), shown
    /// beside the link; `None` once ingest follows the live feed.
    pub sync: Option<SyncProgress>,
    /// The embedded simulator rather than the city's system.
    pub simulated: bool,
}

impl UpstreamLink {
    pub fn connecting(simulated: bool) -> Self {
        Self {
            state: LinkState::Connecting,
            last_contact: None,
            detail: None,
            lag_seconds: None,
            sync: None,
            simulated,
        }
    }
}

/// How far a long ingest job got.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct SyncProgress {
    /// `starting`, `reference`, `backfill` or `snapshot`.
    pub phase: String,
    #[ts(type = "number")]
    pub done: u64,
    /// `null` while the total is unknown.
    #[ts(type = "number | null")]
    pub total: Option<u64>,
}

/// A grid's next deadline among its pending incidents not yet overdue: the
/// map's time-to-breach layer colours grids by how soon it comes.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct GridDue {
    pub grid_id: String,
    /// RFC 3339, platform time.
    pub due_at: String,
}

/// The app's own health, shown on the console's status line only.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct AppHealth {
    /// Windows reloaded because their page died or froze.
    #[ts(type = "number")]
    pub heals: u64,
    /// Background loops restarted after a panic.
    #[ts(type = "number")]
    pub restarts: u64,
}

/// Both upstreams.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct Links {
    pub governance: UpstreamLink,
    pub video: UpstreamLink,
}

/// A message to a window.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
pub enum WallEvent {
    /// The platform's time (simulated when the simulator runs faster than real time).
    Clock {
        now: String,
        speed: f64,
    },
    Links(Links),
    /// The shared database (PostgreSQL, several consoles): when it is down,
    /// this instance shows its last picture, stale since `last_contact`.
    Database(UpstreamLink),
    /// Grid statuses: every grid with events when `full` (on subscribe),
    /// otherwise only those that changed since the last message.
    Grids {
        grids: Vec<GridStatus>,
        full: bool,
    },
    /// New events for the ticker, newest first; `full` replaces the list.
    Alerts {
        alerts: Vec<AlertItem>,
        full: bool,
    },
    /// Every KPI over every window, computed at `at` (platform time).
    Kpis {
        kpis: Vec<KpiTile>,
        at: String,
    },
    /// The wall's charts as SVG, in both languages, drawn at `at`.
    Charts {
        charts: ChartSet,
        at: String,
    },
    /// A duty officer put a grid or an incident on the wall's focus area.
    Focus {
        focus: FocusItem,
    },
    /// The alerts pinned on every window (severity 3 or more, not yet
    /// acknowledged), newest first: the whole list each time it changes.
    Pins {
        ids: Vec<String>,
    },
    /// The saved video scenes or a window's rotation changed (by `by`):
    /// every matrix asks for its scenes again.
    Scenes {
        by: String,
    },
    /// The footing: `footing` is the plan in force (`null` in peacetime),
    /// `proposal` a switch waiting for its second person. Sent whole on
    /// every change.
    Footing {
        footing: Option<crate::emergency::FootingView>,
        proposal: Option<crate::emergency::ProposalView>,
    },
    /// The progress of the newest broadcast to grid workers: every figure
    /// each time, the grids' ratios all at once when `board.full`, else only
    /// those that changed. At most about two a second.
    Broadcast {
        board: BroadcastBoard,
    },
    /// The smart brain's own early warnings (issue 13), not upstream's: the
    /// ones raised, updated or acted on since the last message; `full`
    /// replaces the list.
    Warnings {
        warnings: Vec<crate::warnings::WarningItem>,
        full: bool,
    },
}

/// A broadcast's live progress, as the broadcast board and the map show it.
/// Title and names are upstream or officer text: shown as text.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct BroadcastBoard {
    #[ts(type = "number")]
    pub local_id: i64,
    pub broadcast_id: String,
    pub title: String,
    /// Platform time, RFC 3339.
    pub sent_at: String,
    /// `sent_at` + 15 minutes: the bar every worker is held to (the countdown).
    pub due_at: String,
    /// The platform's own deadline for acknowledgements.
    pub ack_deadline_at: String,
    /// Still followed (before the platform's deadline plus a grace).
    pub open: bool,
    /// The platform's count of recipients.
    pub recipients: u32,
    /// Workers who acknowledged, each counted once.
    pub acked: u32,
    /// Of them, within 15 minutes of `sent_at`.
    pub acked_within: u32,
    pub towns: Vec<TownAcks>,
    /// Per grid ratios: every grid when `full`, otherwise those that changed.
    pub grids: Vec<GridAcks>,
    pub full: bool,
    /// The grids with the most workers still silent, most first (at most 30).
    pub missing: Vec<MissingGrid>,
    /// How many grids have someone still silent.
    pub missing_grids: u32,
    /// Passed T+5 or T+10 minutes with workers still silent: the wall shows a reminder.
    pub reminder_5: bool,
    pub reminder_10: bool,
    /// When these figures were read (platform time).
    pub at: String,
}

/// One town's acknowledgements (the town `""` holds instructors of several grids).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct TownAcks {
    pub town_code: String,
    pub name: String,
    pub acked: u32,
    pub recipients: u32,
}

/// One grid's acknowledgement ratio, for the map.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct GridAcks {
    pub grid_id: String,
    pub acked: u32,
    pub recipients: u32,
}

/// A grid with workers still silent, and whom to call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct MissingGrid {
    pub grid_id: String,
    pub name: String,
    pub town: String,
    pub missing: u32,
    pub recipients: u32,
    pub leader: Option<Contact>,
    pub instructor: Option<Contact>,
}

/// A worker to phone: name and the masked number the platform gives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Contact {
    pub name: String,
    pub phone_masked: Option<String>,
}

/// What a duty officer pushed to the wall (an audited act, issue 7).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct FocusItem {
    /// `grid` or `incident`.
    pub kind: String,
    /// The grid id or the event id.
    pub id: String,
    pub grid_id: String,
    /// The grid's name, or the incident's title (upstream text: shown as text).
    pub title: String,
    /// The grid's breadcrumb, e.g. `浒山街道 › 解放社区`.
    pub place: String,
    pub severity: Option<u8>,
    /// `[lon, lat]`: the incident's location or the grid's centroid.
    pub location: Option<[f64; 2]>,
    /// Who pushed it (`user@window`) and when (platform time).
    pub by: String,
    pub at: String,
}

/// One grid's live status, as the map colours it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct GridStatus {
    pub grid_id: String,
    /// `green`, `amber` or `red` (see the store's colour rule).
    pub colour: String,
    #[ts(type = "number")]
    pub open: i64,
    #[ts(type = "number")]
    pub overdue: i64,
    /// Open events of severity 3 or 4.
    #[ts(type = "number")]
    pub severe: i64,
}

/// A new event on the ticker. Free text is data: the UI shows it as text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct AlertItem {
    pub id: String,
    pub grid_id: String,
    pub severity: u8,
    /// The wire value (an unknown one is shown raw).
    pub source: String,
    pub category: String,
    pub title: String,
    pub reported_at: String,
}

/// A KPI's definition in one language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct KpiDefinition {
    pub name: String,
    pub numerator: String,
    pub denominator: String,
}

impl From<gridwall_store::kpi::Definition> for KpiDefinition {
    fn from(d: gridwall_store::kpi::Definition) -> Self {
        KpiDefinition {
            name: d.name.to_owned(),
            numerator: d.numerator.to_owned(),
            denominator: d.denominator.to_owned(),
        }
    }
}

/// One KPI over one window.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct KpiTile {
    pub key: String,
    /// `today`, `7d` or `year`.
    pub window: String,
    /// A ratio 0..1 (`percent`), or minutes; null without data.
    pub value: Option<f64>,
    #[ts(type = "number")]
    pub numerator: i64,
    #[ts(type = "number")]
    pub denominator: i64,
    pub target: Option<f64>,
    pub percent: bool,
    pub zh: KpiDefinition,
    pub en: KpiDefinition,
}

/// The wall's three charts in one language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ChartSvgs {
    pub events_per_hour: String,
    pub resolution_30d: String,
    pub top_categories: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ChartSet {
    pub zh: ChartSvgs,
    pub en: ChartSvgs,
}

/// An error as the UI receives it: a stable code to branch on and a message to show.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct CommandError {
    pub code: ErrorCode,
    pub message: String,
}

#[derive(Debug, Clone, Copy, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ErrorCode {
    NotFound,
    Invalid,
    /// The upstream refused because of the state of things (a PTZ camera
    /// held by another console, or not PTZ at all).
    Conflict,
    /// Nobody is signed in, or a user name and PIN were refused.
    Unauthorized,
    /// The signed-in person's role does not allow it.
    Forbidden,
    Internal,
}

/// Feeds one window until it goes away or the app shuts down.
///
/// `send` returns `false` once the window has gone; the loop then ends. The
/// clock goes out at every whole second of real time, links as they change,
/// and with a `live` picture its snapshot first, then its deltas. A window
/// that falls behind the deltas gets the snapshot again rather than a gap.
pub async fn feed_window(
    clock: Clock,
    mut links: watch::Receiver<Links>,
    live: Option<std::sync::Arc<crate::live::Live>>,
    send: impl Fn(WallEvent) -> bool,
    cancel: CancellationToken,
) {
    let clock_event = |clock: &Clock| WallEvent::Clock {
        now: crate::rfc3339(clock.now()),
        speed: clock.speed(),
    };
    let current = links.borrow_and_update().clone();
    if !send(clock_event(&clock)) || !send(WallEvent::Links(current)) {
        return;
    }
    let mut deltas = match &live {
        Some(live) => {
            let rx = live.subscribe();
            if !live.snapshot().into_iter().all(&send) {
                return;
            }
            Some(rx)
        }
        None => None,
    };
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        let event = tokio::select! {
            _ = cancel.cancelled() => return,
            _ = tick.tick() => clock_event(&clock),
            changed = links.changed() => match changed {
                Ok(()) => WallEvent::Links(links.borrow_and_update().clone()),
                Err(_) => return,
            },
            delta = async {
                match deltas.as_mut() {
                    Some(rx) => rx.recv().await,
                    None => std::future::pending().await,
                }
            } => match delta {
                Ok(event) => event,
                Err(tokio::sync::broadcast::error::RecvError::Lagged(missed)) => {
                    tracing::debug!(missed, "window behind the live deltas: resending the snapshot");
                    let Some(live) = &live else { return };
                    if !live.snapshot().into_iter().all(&send) {
                        return;
                    }
                    continue;
                }
                Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
            },
        };
        if !send(event) {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use super::*;

    #[tokio::test]
    async fn a_window_gets_the_clock_and_every_link_change_then_stops_when_gone() {
        let clock = Clock::accelerated(60.0);
        let links = Links {
            governance: UpstreamLink::connecting(true),
            video: UpstreamLink::connecting(true),
        };
        let (tx, rx) = watch::channel(links.clone());
        let (seen_tx, mut seen) = tokio::sync::mpsc::unbounded_channel();
        let sent = Arc::new(Mutex::new(0));
        let count = sent.clone();
        let task = tokio::spawn(feed_window(
            clock,
            rx,
            None,
            move |e| {
                seen_tx.send(e).unwrap();
                let mut n = count.lock().unwrap();
                *n += 1;
                *n < 4
            },
            CancellationToken::new(),
        ));
        let first = seen.recv().await.unwrap();
        assert!(
            matches!(first, WallEvent::Clock { speed, .. } if speed == 60.0),
            "{first:?}"
        );
        assert_eq!(seen.recv().await.unwrap(), WallEvent::Links(links.clone()));

        let mut live = links;
        live.governance.state = LinkState::Live;
        tx.send(live.clone()).unwrap();
        tokio::time::timeout(std::time::Duration::from_secs(5), task)
            .await
            .unwrap()
            .unwrap();
        let rest: Vec<_> = std::iter::from_fn(|| seen.try_recv().ok()).collect();
        assert!(
            rest.contains(&WallEvent::Links(live)),
            "the change reached the window: {rest:?}"
        );
        assert_eq!(
            *sent.lock().unwrap(),
            4,
            "the loop ended once the window was gone"
        );
    }

    #[test]
    fn events_serialise_with_a_kind_tag_as_the_ui_expects() {
        let json = serde_json::to_value(WallEvent::Clock {
            now: "2026-11-27T08:00:00+08:00".into(),
            speed: 1.0,
        })
        .unwrap();
        assert_eq!(json["kind"], "clock");
        let json = serde_json::to_value(Language::ZhCn).unwrap();
        assert_eq!(json, "zh-CN");
    }
}
