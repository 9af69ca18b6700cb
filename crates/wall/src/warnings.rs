//! The smart brain on the wall (智慧脑预警, issue 13): the detectors of
//! `gridwall-brain` fed from what ingest lands, their warnings kept in the
//! store and pushed to every window, and the acts on them (acknowledge,
//! hand over, feed back) in the signed-in person's name.
//!
//! Events reach the brain through [`WarningSink`], which wraps the ingest
//! sink: after a batch has landed, its records are parsed again (cheap next
//! to the transaction) and queued; [`EarlyWarnings::run`] drains the queue,
//! ticks the brain's clock, keeps new and updated warnings, saves the
//! baseline's counters and sends [`WallEvent::Warnings`]. The queue is a std
//! mutex held for a push or a swap, never across an await, so ingest never
//! waits on the detectors.
//!
//! At start the brain takes back what it keeps in memory from the store
//! (the disputes of the repeat window, the open deadlines), so a dispute
//! returning across a restart is still a repeat.
//!
//! The brain needs the city (grids, divisions, boundaries), which arrives
//! from the platform after start on a new installation; until it has, the
//! loop tries again each round and events wait in the queue (bounded: the
//! oldest are dropped past [`MAX_QUEUED`], the baseline having learnt them
//! from the store once the city is there). A plan in force tightens the
//! detectors: each round reads the footing and passes the plan's thresholds
//! as plain numbers.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use gridwall_brain::persist::{self, Body};
use gridwall_brain::{Brain, Footing, Places, Sensitivity, Warning};
use gridwall_domain::clock::Clock;
use gridwall_domain::governance::{Division, Event, Grid};
use gridwall_ingest::Sink;
use gridwall_store::{Applied, RawRecord, Store, StoredWarning, Transition, WarningState};
use serde::Serialize;
use time::OffsetDateTime;
use tokio::sync::broadcast;
use tokio_util::sync::CancellationToken;
use ts_rs::TS;

use crate::feed::WallEvent;
use crate::session::Person;

/// Events waiting for the brain, at most.
pub const MAX_QUEUED: usize = 200_000;
/// How often the loop runs (real time).
const ROUND: Duration = Duration::from_secs(5);

/// Events per source behind a warning.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct SourceCount {
    pub source: String,
    pub count: u32,
}

/// A warning as the UI shows it: what the brain said and where its
/// handling is. The explanation is ours; ids and names inside it are
/// upstream text, shown as text.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct WarningItem {
    pub id: String,
    /// rate, repeat, cluster, overdue or closure_falling.
    pub kind: String,
    /// 1 蓝 … 4 红.
    pub level: u8,
    /// grid, village or town.
    pub place_level: String,
    pub place_code: String,
    /// Platform times, RFC 3339.
    pub onset: String,
    pub raised_at: String,
    pub updated_at: String,
    pub explanation_zh: String,
    pub explanation_en: String,
    pub baseline: f64,
    pub observed: f64,
    pub ratio: f64,
    pub p_value: Option<f64>,
    pub window_minutes: u32,
    pub sources: Vec<SourceCount>,
    pub event_ids: Vec<String>,
    pub grids: Vec<String>,
    /// open (预警单), acknowledged, handed_over (交办单) or fed_back (反馈单).
    pub state: String,
    pub state_by: Option<String>,
    pub state_at: Option<String>,
    /// The hand-over's addressee and instruction, or the feedback.
    pub note: Option<String>,
}

fn time_text(unix: i64) -> String {
    OffsetDateTime::from_unix_timestamp(unix)
        .map(|t| crate::rfc3339(t.to_offset(gridwall_domain::clock::CHINA_OFFSET)))
        .unwrap_or_default()
}

/// A stored warning as the UI shows it. A body that does not parse (written
/// by a newer version) shows with an empty explanation rather than not at all.
pub fn item(w: &StoredWarning) -> WarningItem {
    let body: Option<Body> = serde_json::from_str(&w.body).ok();
    let e = body.map(|b| b.explanation);
    WarningItem {
        id: w.id.clone(),
        kind: w.kind.clone(),
        level: w.level,
        place_level: w.place_level.clone(),
        place_code: w.place_code.clone(),
        onset: time_text(w.onset),
        raised_at: time_text(w.raised_at),
        updated_at: time_text(w.updated_at),
        explanation_zh: e.as_ref().map(|e| e.zh.clone()).unwrap_or_default(),
        explanation_en: e.as_ref().map(|e| e.en.clone()).unwrap_or_default(),
        baseline: e.as_ref().map_or(0.0, |e| e.baseline),
        observed: e.as_ref().map_or(0.0, |e| e.observed),
        ratio: e.as_ref().map_or(0.0, |e| e.ratio),
        p_value: e.as_ref().and_then(|e| e.p_value),
        window_minutes: e.as_ref().map_or(0, |e| e.window_minutes),
        sources: e
            .as_ref()
            .map(|e| {
                e.sources
                    .iter()
                    .map(|(source, count)| SourceCount {
                        source: source.clone(),
                        count: *count,
                    })
                    .collect()
            })
            .unwrap_or_default(),
        event_ids: e.as_ref().map(|e| e.event_ids.clone()).unwrap_or_default(),
        grids: e.map(|e| e.grids).unwrap_or_default(),
        state: w.state.as_str().to_owned(),
        state_by: w.state_by.clone(),
        state_at: w.state_at.map(time_text),
        note: w.note.clone(),
    }
}

/// Why an act on a warning was refused.
#[derive(Debug, thiserror::Error)]
pub enum WarningError {
    #[error("there is no warning {0}")]
    NotFound(String),
    #[error("the warning is {0} already: reload the list to see who acted on it")]
    NotAllowed(&'static str),
    #[error("say to whom the warning is handed over")]
    NoAddressee,
    #[error(transparent)]
    Store(#[from] gridwall_store::Error),
}

/// The brain, its queue and its channel. See the module docs.
pub struct EarlyWarnings {
    store: Arc<Store>,
    clock: Clock,
    /// Where ingest caches the grid geometry (`geometry.json`).
    geometry: PathBuf,
    /// None until the city has arrived. A tokio mutex: held across the
    /// store's awaits by the loop only.
    brain: tokio::sync::Mutex<Option<Brain>>,
    queue: Mutex<Vec<Event>>,
    events: broadcast::Sender<WallEvent>,
}

impl EarlyWarnings {
    pub fn new(store: Arc<Store>, clock: Clock, geometry: PathBuf) -> Arc<EarlyWarnings> {
        Arc::new(EarlyWarnings {
            store,
            clock,
            geometry,
            brain: tokio::sync::Mutex::new(None),
            queue: Mutex::new(Vec::new()),
            events: broadcast::channel(64).0,
        })
    }

    /// `inner` (the ingest sink), with every landed batch queued for the brain.
    pub fn sink<S: Sink>(self: &Arc<Self>, inner: S) -> WarningSink<S> {
        WarningSink {
            inner,
            warnings: self.clone(),
        }
    }

    /// [`WallEvent::Warnings`] as warnings are raised, updated or acted on.
    pub fn subscribe(&self) -> broadcast::Receiver<WallEvent> {
        self.events.subscribe()
    }

    fn queue(&self, batch: &[RawRecord]) {
        let events: Vec<Event> = batch
            .iter()
            .filter_map(|r| gridwall_store::parse_event(&r.body).ok())
            .collect();
        let mut queue = self.queue.lock().unwrap_or_else(|p| p.into_inner());
        queue.extend(events);
        if queue.len() > MAX_QUEUED {
            let excess = queue.len() - MAX_QUEUED;
            queue.drain(..excess);
        }
    }

    /// The brain over the city the store holds, if it holds one yet.
    async fn load(&self) -> anyhow::Result<Option<Brain>> {
        let divisions = self.store.reference("divisions").await?;
        let grids = self.store.reference("grids").await?;
        let Ok(geometry) = tokio::fs::read_to_string(&self.geometry).await else {
            return Ok(None);
        };
        if grids.is_empty() {
            return Ok(None);
        }
        // Parsing 1,724 grids and their geometry and working out which touch
        // is seconds of CPU: off the async workers, which at start-up also
        // answer every window's first commands.
        let places = tokio::task::spawn_blocking(move || {
            let divisions: Vec<Division> = divisions
                .iter()
                .filter_map(|(_, raw)| serde_json::from_str(raw).ok())
                .collect();
            let grids: Vec<Grid> = grids
                .iter()
                .filter_map(|(_, raw)| serde_json::from_str(raw).ok())
                .collect();
            Places::new(&divisions, &grids, &geometry)
        })
        .await??;
        let baseline = persist::load_baseline(&self.store).await?;
        let mut brain = Brain::new(places, Sensitivity::peacetime(), baseline);
        let now = self.clock.now().unix_timestamp();
        let learnt = persist::learn_history(&self.store, &mut brain, now).await?;
        let recalled = persist::restore_recent(&self.store, &mut brain, now).await?;
        tracing::info!(learnt, recalled, "early warnings: the brain is ready");
        Ok(Some(brain))
    }

    /// The sensitivity of the footing in force.
    async fn sensitivity(&self) -> anyhow::Result<Sensitivity> {
        Ok(match self.store.footing().await? {
            Some(f) => match crate::emergency::plan::Plan::parse(&f.plan_toml, None) {
                Ok(plan) => Sensitivity::for_footing(Footing {
                    due_soon_minutes: plan.thresholds.due_soon_minutes,
                    pin_severity: plan.thresholds.pin_severity,
                }),
                // The plan was valid when switched on; if it no longer
                // parses, tighten as a plan with peacetime's numbers would.
                Err(_) => Sensitivity::for_footing(Footing {
                    due_soon_minutes: 60,
                    pin_severity: 3,
                }),
            },
            None => Sensitivity::peacetime(),
        })
    }

    /// One round: observe what landed, tick, keep and publish.
    pub async fn round(&self) -> anyhow::Result<()> {
        let mut guard = self.brain.lock().await;
        if guard.is_none() {
            *guard = self.load().await?;
        }
        let Some(brain) = guard.as_mut() else {
            return Ok(());
        };
        brain.sensitivity = self.sensitivity().await?;
        let now = self.clock.now().unix_timestamp();
        let events = std::mem::take(&mut *self.queue.lock().unwrap_or_else(|p| p.into_inner()));
        let mut raised: Vec<Warning> = Vec::new();
        for event in &events {
            raised.extend(brain.observe(event, now));
        }
        raised.extend(brain.tick(now));
        persist::save_baseline(&self.store, brain).await?;
        drop(guard);
        // Only the newest version of each warning of this round.
        raised.reverse();
        let mut seen = std::collections::HashSet::new();
        raised.retain(|w| seen.insert(w.id.clone()));
        if raised.is_empty() {
            return Ok(());
        }
        persist::record(&self.store, &raised).await?;
        let mut items = Vec::with_capacity(raised.len());
        for w in &raised {
            if let Some(stored) = self.store.warning(&w.id).await? {
                items.push(item(&stored));
            }
        }
        let _ = self.events.send(WallEvent::Warnings {
            warnings: items,
            full: false,
        });
        // Other instances on a shared database show them too.
        let ids: Vec<String> = raised.iter().map(|w| w.id.clone()).collect();
        if self.store.shared() && !ids.is_empty() {
            let change = gridwall_store::Change::Warnings { ids };
            if let Err(err) = self.store.announce(change).await {
                tracing::warn!("cannot tell the other instances of new warnings: {err}");
            }
        }
        Ok(())
    }

    /// Another instance raised, updated or acted on warnings `ids`: shown
    /// here as if this instance had.
    pub async fn heard(&self, ids: &[String]) -> Result<(), WarningError> {
        let mut items = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(stored) = self.store.warning(id).await? {
                items.push(item(&stored));
            }
        }
        if !items.is_empty() {
            let _ = self.events.send(WallEvent::Warnings {
                warnings: items,
                full: false,
            });
        }
        Ok(())
    }

    /// Every window's list again, whole (after a cut from the database).
    pub async fn resend(&self) -> Result<(), WarningError> {
        let warnings = self.list(24).await?;
        let _ = self.events.send(WallEvent::Warnings {
            warnings,
            full: true,
        });
        Ok(())
    }

    /// Rounds every few seconds until cancelled.
    pub async fn run(self: Arc<Self>, cancel: CancellationToken) {
        let mut every = tokio::time::interval(ROUND);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = cancel.cancelled() => return,
                _ = every.tick() => {
                    if let Err(err) = self.round().await {
                        tracing::warn!("early warnings: {err:#}");
                    }
                }
            }
        }
    }

    /// Warnings updated within the last `hours`, newest first.
    pub async fn list(&self, hours: u32) -> Result<Vec<WarningItem>, WarningError> {
        let since = self.clock.now().unix_timestamp() - i64::from(hours) * 3_600;
        let stored = self.store.warnings(since, 500).await?;
        Ok(stored.iter().map(item).collect())
    }

    async fn act(
        &self,
        id: &str,
        to: WarningState,
        by: &Person,
        note: &str,
    ) -> Result<WarningItem, WarningError> {
        let at = self.clock.now();
        match self
            .store
            .move_warning(id, to, by.actor(), at, note)
            .await?
        {
            Transition::Done(w) => {
                let item = item(&w);
                let _ = self.events.send(WallEvent::Warnings {
                    warnings: vec![item.clone()],
                    full: false,
                });
                Ok(item)
            }
            Transition::NotFound => Err(WarningError::NotFound(id.to_owned())),
            Transition::NotAllowed(state) => Err(WarningError::NotAllowed(state.as_str())),
        }
    }

    /// Seen, no hand-over needed.
    pub async fn acknowledge(
        &self,
        id: &str,
        by: &Person,
        note: &str,
    ) -> Result<WarningItem, WarningError> {
        self.act(id, WarningState::Acknowledged, by, note).await
    }

    /// 交办单: handed over to `to` with `instruction`.
    pub async fn hand_over(
        &self,
        id: &str,
        by: &Person,
        to: &str,
        instruction: &str,
    ) -> Result<WarningItem, WarningError> {
        let to = to.trim();
        if to.is_empty() {
            return Err(WarningError::NoAddressee);
        }
        let note = if instruction.trim().is_empty() {
            to.to_owned()
        } else {
            format!("{to}：{}", instruction.trim())
        };
        self.act(id, WarningState::HandedOver, by, &note).await
    }

    /// 反馈单: the handler's feedback on a handed-over warning.
    pub async fn feed_back(
        &self,
        id: &str,
        by: &Person,
        feedback: &str,
    ) -> Result<WarningItem, WarningError> {
        self.act(id, WarningState::FedBack, by, feedback.trim())
            .await
    }
}

/// The ingest sink with the brain listening. See the module docs.
#[derive(Clone)]
pub struct WarningSink<S> {
    inner: S,
    warnings: Arc<EarlyWarnings>,
}

impl<S: Sink> Sink for WarningSink<S> {
    async fn apply_from(
        &self,
        upstream: &str,
        batch: &[RawRecord],
        cursor: Option<u64>,
        now: OffsetDateTime,
    ) -> gridwall_ingest::Result<Applied> {
        let applied = self.inner.apply_from(upstream, batch, cursor, now).await?;
        self.warnings.queue(batch);
        Ok(applied)
    }

    async fn cursor(&self, upstream: &str) -> gridwall_ingest::Result<Option<u64>> {
        self.inner.cursor(upstream).await
    }

    async fn replace_reference(
        &self,
        kind: &str,
        items: &[(String, String)],
    ) -> gridwall_ingest::Result<()> {
        self.inner.replace_reference(kind, items).await
    }

    async fn open_event_ids(&self) -> gridwall_ingest::Result<Vec<String>> {
        self.inner.open_event_ids().await
    }

    async fn acks(&self, upstream: &str, acks: &[Vec<u8>]) -> gridwall_ingest::Result<()> {
        self.inner.acks(upstream, acks).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::Role;

    fn person(username: &str, role: Role) -> Person {
        Person {
            username: username.to_owned(),
            display_name: username.to_owned(),
            role,
        }
    }

    fn record(id: &str, grid: &str, at: OffsetDateTime) -> RawRecord {
        let at = crate::rfc3339(at);
        let event = serde_json::json!({
            "id": id, "revision": 1, "seq": 1, "source": "police_110",
            "category": "dispute.neighbour", "severity": 2, "state": "reported",
            "grid_id": grid, "address": "宗汉街道曙光社区新城大道1号", "title": "邻里纠纷",
            "reported_at": at, "updated_at": at,
        });
        RawRecord::new("zhili", serde_json::to_vec(&event).unwrap())
    }

    /// Three days of the simulator's city and history in a fresh store, the
    /// geometry where ingest caches it; the end of the history.
    async fn city_store(dir: &std::path::Path) -> (Arc<Store>, PathBuf, OffsetDateTime) {
        let store = Arc::new(
            Store::open(dir.join("s.sqlite").to_str().unwrap())
                .await
                .unwrap(),
        );
        let sim = gridwall_sim::Simulator::builder()
            .seed(4)
            .warmup(Duration::ZERO)
            .video(None)
            .build()
            .unwrap();
        let city = sim.city();
        let as_raw = |items: Vec<(String, String)>| items;
        let divisions = as_raw(
            city.divisions()
                .iter()
                .map(|d| (d.code.clone(), serde_json::to_string(d).unwrap()))
                .collect(),
        );
        let grids = as_raw(
            city.grids()
                .iter()
                .map(|g| (g.grid_id.clone(), serde_json::to_string(g).unwrap()))
                .collect(),
        );
        store
            .replace_reference("divisions", &divisions)
            .await
            .unwrap();
        store.replace_reference("grids", &grids).await.unwrap();
        let geometry = dir.join("geometry.json");
        std::fs::write(&geometry, city.geometry()).unwrap();
        let from = time::macros::datetime!(2026-11-02 00:00 +08:00);
        let to = from + time::Duration::days(3);
        let records: Vec<RawRecord> = sim
            .history(from, to)
            .map(|(seq, r)| {
                RawRecord::new(
                    "zhili",
                    serde_json::to_vec(&r.case.event(r.step, seq)).unwrap(),
                )
            })
            .collect();
        for chunk in records.chunks(5_000) {
            store.apply(chunk, to).await.unwrap();
        }
        (store, geometry, to)
    }

    #[tokio::test]
    async fn a_surge_through_the_sink_is_warned_kept_pushed_and_handled_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let (store, geometry, end) = city_store(dir.path()).await;
        let clock = Clock::starting_at(end + time::Duration::minutes(30), 1.0);
        let warnings = EarlyWarnings::new(store.clone(), clock, geometry);
        let mut pushed = warnings.subscribe();
        warnings.round().await.unwrap();
        assert!(warnings.list(24).await.unwrap().is_empty(), "a quiet city");

        // Five 110 disputes in one grid within twenty minutes, through the sink.
        let sink_store = Store::open(dir.path().join("s.sqlite").to_str().unwrap())
            .await
            .unwrap();
        let sink = warnings.sink(sink_store);
        let batch: Vec<RawRecord> = (0..5)
            .map(|i| {
                let at = end + time::Duration::minutes(5 + 4 * i);
                record(&format!("SJX{i}"), "330282002002G01", at)
            })
            .chain([RawRecord::new("zhili", b"{not json".to_vec())])
            .collect();
        sink.apply_from("zhili", &batch, None, end).await.unwrap();
        warnings.round().await.unwrap();

        let listed = warnings.list(24).await.unwrap();
        let rate = listed
            .iter()
            .find(|w| w.kind == "rate")
            .expect("a rate warning for the surge");
        assert_eq!(rate.state, "open");
        assert!(
            rate.explanation_zh.contains("起"),
            "{}",
            rate.explanation_zh
        );
        assert!(rate.event_ids.contains(&"SJX0".to_owned()));
        let Ok(WallEvent::Warnings { warnings: sent, .. }) = pushed.try_recv() else {
            panic!("the warning was pushed to the windows");
        };
        assert!(sent.iter().any(|w| w.id == rate.id));

        let officer = person("zhang", Role::DutyOfficer);
        assert!(matches!(
            warnings.feed_back(&rate.id, &officer, "已处置").await,
            Err(WarningError::NotAllowed("open"))
        ));
        assert!(matches!(
            warnings.hand_over(&rate.id, &officer, "  ", "").await,
            Err(WarningError::NoAddressee)
        ));
        let handed = warnings
            .hand_over(&rate.id, &officer, "宗汉街道综治中心", "立即核查")
            .await
            .unwrap();
        assert_eq!(handed.state, "handed_over");
        assert_eq!(handed.note.as_deref(), Some("宗汉街道综治中心：立即核查"));
        let back = warnings
            .feed_back(&rate.id, &person("li", Role::Operator), "已调解")
            .await
            .unwrap();
        assert_eq!(back.state, "fed_back");
        assert_eq!(back.state_by.as_deref(), Some("li"));
        let audit = store.audit("hand_over_warning").await.unwrap();
        assert_eq!(audit.len(), 1);
        assert_eq!(audit[0].actor, "zhang");
        assert!(matches!(
            warnings.acknowledge("nope", &officer, "").await,
            Err(WarningError::NotFound(_))
        ));
    }
}
