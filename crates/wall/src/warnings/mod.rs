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

use gridwall_brain::persist;
use gridwall_brain::{Brain, Footing, Places, Sensitivity, Warning};
use gridwall_domain::clock::Clock;
use gridwall_domain::governance::{Division, Event, Grid};
use gridwall_ingest::Sink;
use gridwall_store::{RawRecord, Store, StoredWarning, Transition, WarningState};
use tokio::sync::broadcast;
use tokio_util::sync::CancellationToken;

use crate::feed::WallEvent;
use crate::session::Person;

/// Events waiting for the brain, at most.
pub const MAX_QUEUED: usize = 200_000;
/// How often the loop runs (real time).
const ROUND: Duration = Duration::from_secs(5);

mod item;
mod sink;
#[cfg(test)]
mod tests;

pub use item::{Parents, SourceCount, WarningItem, item};
pub use sink::WarningSink;

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
    /// Each grid's village and town, once the city has arrived.
    parents: std::sync::RwLock<Arc<Parents>>,
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
            parents: std::sync::RwLock::new(Arc::new(Parents::default())),
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
    ///
    /// What waits in the queue is left out of what the brain takes back
    /// from the store: the round observes it next, as new.
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
            Places::new(&divisions, &grids, &geometry).map(|places| (places, Parents::new(&grids)))
        })
        .await??;
        let (places, parents) = places;
        *self.parents.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(parents);
        let baseline = persist::load_baseline(&self.store).await?;
        let mut brain = Brain::new(places, Sensitivity::peacetime(), baseline);
        let now = self.clock.now().unix_timestamp();
        let learnt = persist::learn_history(&self.store, &mut brain, now).await?;
        let pending: std::collections::HashSet<String> = self
            .queue
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .map(|e| e.id.clone())
            .collect();
        let recalled = persist::restore_recent(&self.store, &mut brain, now, &pending).await?;
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
                items.push(self.item(&stored));
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

    fn item(&self, w: &StoredWarning) -> WarningItem {
        let parents = self
            .parents
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        item(w, &parents)
    }

    /// Another instance raised, updated or acted on warnings `ids`: shown
    /// here as if this instance had.
    pub async fn heard(&self, ids: &[String]) -> Result<(), WarningError> {
        let mut items = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(stored) = self.store.warning(id).await? {
                items.push(self.item(&stored));
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
        Ok(stored.iter().map(|w| self.item(w)).collect())
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
                let item = self.item(&w);
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
