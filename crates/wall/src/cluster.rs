//! Many consoles, one truth: every instance of the app pointed at one
//! PostgreSQL shows the same picture, and only one of them ingests.
//!
//! - [`lead`] elects the ingest leader through an advisory lock held on a
//!   connection of its own ([`gridwall_store::LeaderLock`]). The leader
//!   checks that connection every [`CHECK_EVERY`] and stops ingesting the
//!   moment it fails (PostgreSQL has released the lock, and another instance
//!   may hold it); the others try for the lock every [`CHECK_EVERY`], so a
//!   killed leader is replaced within a few seconds. The new leader resumes
//!   from the cursor stored with the last batch (a batch and its cursor
//!   commit together), so nothing is lost, and a batch the old leader was
//!   landing is only ever duplicated, which the store absorbs.
//! - [`Follower::run`] listens to the others' change notices
//!   ([`gridwall_store::Notice`]) and fetches what they name: revisions
//!   (grid colours, the ticker, pins), acts from the audit log
//!   (acknowledgements, pushes to the wall, scenes and rotations, the
//!   footing, broadcasts), broadcast acknowledgements, reference data.
//! - An instance that loses the database keeps its last picture, shows
//!   every window stale with the time since ([`Live::set_database`]),
//!   reconnects with backoff and then reads everything again: it cannot know
//!   which notices it missed.
//!
//! On SQLite there is one process and nothing to elect or hear: [`lead`]
//! just ingests and [`Follower::run`] returns at once.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use gridwall_domain::clock::Clock;
use gridwall_store::{Change, Heard, Notice, Store};
use tokio::sync::{Notify, watch};
use tokio_util::sync::CancellationToken;

use crate::broadcast::Broadcasts;
use crate::console::Console;
use crate::emergency::Emergency;
use crate::feed::{LinkState, UpstreamLink};
use crate::live::Live;
use crate::warnings::EarlyWarnings;

/// How often the leader checks its lock's connection, and how often the
/// others try for the lock.
pub const CHECK_EVERY: Duration = Duration::from_secs(2);
/// A check that takes longer than this counts as a lost connection.
const CHECK_WITHIN: Duration = Duration::from_secs(3);
/// How often a follower makes sure the database still answers (a cut that
/// drops packets rather than connections is not noticed otherwise).
const PING_EVERY: Duration = Duration::from_secs(3);
/// Reconnection backoff: from the first to the cap, doubling.
const BACKOFF: (Duration, Duration) = (Duration::from_millis(500), Duration::from_secs(15));

/// Runs `ingest` while this instance is the leader, until `cancel`. On
/// SQLite it is always the leader.
pub async fn lead<F, Fut>(store: Arc<Store>, live: Arc<Live>, ingest: F, cancel: CancellationToken)
where
    F: Fn(CancellationToken) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    if !store.shared() {
        live.set_leading(true);
        ingest(cancel).await;
        return;
    }
    loop {
        match store.leader_lock().await {
            Ok(Some(mut lock)) => {
                tracing::info!("this instance ingests for every console on the database (leader)");
                live.set_leading(true);
                let term = cancel.child_token();
                let mut running = tokio::spawn(ingest(term.clone()));
                let term_ended = loop {
                    tokio::select! {
                        () = cancel.cancelled() => break Term::Cancelled,
                        ended = &mut running => break Term::IngestEnded(ended.err()),
                        () = tokio::time::sleep(CHECK_EVERY) => {}
                    }
                    let alive = tokio::time::timeout(CHECK_WITHIN, lock.alive())
                        .await
                        .unwrap_or(false);
                    if !alive {
                        tracing::warn!("lost the database: this instance no longer ingests");
                        break Term::Lost;
                    }
                };
                term.cancel();
                if !matches!(term_ended, Term::IngestEnded(_)) {
                    // Waits for the batch in hand to commit (or fail).
                    let _ = running.await;
                }
                live.set_leading(false);
                match term_ended {
                    Term::Cancelled => {
                        lock.release().await;
                        return;
                    }
                    Term::Lost => {}
                    // A panic in ingest: the lock goes back, so this or another
                    // instance ingests again after the next check.
                    Term::IngestEnded(failed) => {
                        if let Some(err) = failed {
                            tracing::error!("ingest stopped: {err}; handing the lead back");
                        }
                        lock.release().await;
                    }
                }
            }
            Ok(None) => {}
            Err(err) => tracing::debug!("cannot try for the ingest lock: {err}"),
        }
        tokio::select! {
            () = cancel.cancelled() => return,
            () = tokio::time::sleep(CHECK_EVERY) => {}
        }
    }
}

/// How a leader's term ended.
enum Term {
    Cancelled,
    /// The lock's session failed: another instance may hold the lock now.
    Lost,
    /// Ingest returned or panicked (with its join error).
    IngestEnded(Option<tokio::task::JoinError>),
}

/// What an instance refreshes when another one changed something.
pub struct Follower {
    pub live: Arc<Live>,
    pub console: Arc<Console>,
    pub emergency: Arc<Emergency>,
    pub broadcasts: Arc<Broadcasts>,
    pub warnings: Arc<EarlyWarnings>,
    /// The platform's clock, for the database link's last contact.
    pub clock: Clock,
    /// Rung (on the leader) when another instance's media URL was refused.
    pub cameras_stale: Arc<Notify>,
    /// Bumped when the leader stored a new camera catalogue.
    pub cameras_synced: watch::Sender<u64>,
}

impl Follower {
    /// Listens to the other instances until `cancel` (PostgreSQL only).
    pub async fn run(self: Arc<Self>, cancel: CancellationToken) {
        let store = self.live.store().clone();
        if !store.shared() {
            return;
        }
        let mut link = UpstreamLink::connecting(false);
        let mut delay = BACKOFF.0;
        loop {
            let outcome = tokio::select! {
                () = cancel.cancelled() => return,
                outcome = self.session(&store, &mut link, &mut delay) => outcome,
            };
            link.state = LinkState::Down;
            link.detail = Some(outcome);
            self.live.set_database(link.clone());
            tokio::select! {
                () = cancel.cancelled() => return,
                () = tokio::time::sleep(delay) => {}
            }
            delay = (delay * 2).min(BACKOFF.1);
        }
    }

    /// One connection's life: connect, read everything, then follow the
    /// notices until the connection fails. Returns why it ended.
    async fn session(
        &self,
        store: &Store,
        link: &mut UpstreamLink,
        delay: &mut Duration,
    ) -> String {
        let mut listener = match store.listen().await {
            Ok(Some(listener)) => listener,
            Ok(None) => return "not a shared database".into(),
            Err(err) => return format!("cannot reach the database: {}", short(&err)),
        };
        if let Err(err) = self.resync().await {
            return format!("cannot read the picture again: {err:#}");
        }
        *delay = BACKOFF.0;
        link.state = LinkState::Live;
        link.detail = None;
        link.last_contact = Some(crate::rfc3339(self.clock.now()));
        self.live.set_database(link.clone());
        let mut ping = tokio::time::interval(PING_EVERY);
        ping.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                heard = listener.next() => match heard {
                    Ok(Heard::Notice(notice)) => {
                        if let Err(err) = self.apply(notice).await {
                            tracing::warn!("cannot follow another instance's change: {err:#}");
                        }
                    }
                    Ok(Heard::Reconnected) => return "the database connection was lost".into(),
                    Err(err) => return format!("the database connection failed: {}", short(&err)),
                },
                _ = ping.tick() => {
                    let answered = tokio::time::timeout(CHECK_WITHIN, store.ping()).await;
                    match answered {
                        Ok(Ok(())) => {}
                        Ok(Err(err)) => return format!("the database does not answer: {}", short(&err)),
                        Err(_) => return "the database does not answer".into(),
                    }
                }
            }
            link.last_contact = Some(crate::rfc3339(self.clock.now()));
        }
    }

    /// Everything another instance may have changed while this one was not
    /// listening.
    async fn resync(&self) -> anyhow::Result<()> {
        self.live.resync().await?;
        self.emergency.refresh().await?;
        self.broadcasts.reload().await?;
        self.live.ring_acks();
        self.live.scenes_changed("");
        self.cameras_synced.send_modify(|n| *n += 1);
        self.warnings.resend().await?;
        Ok(())
    }

    async fn apply(&self, notice: Notice) -> anyhow::Result<()> {
        match notice.change {
            Change::Revisions { grids, alerts, all } => {
                self.live.heard_revisions(&grids, &alerts, all).await?;
            }
            Change::Act {
                action,
                subject,
                actor,
            } => self.heard_act(&action, &subject, &actor).await?,
            Change::Acks => self.live.ring_acks(),
            Change::Reference { kind } => {
                if kind == "cameras" {
                    self.cameras_synced.send_modify(|n| *n += 1);
                }
                if kind == "grids" {
                    self.live.add_quiet_grids().await?;
                }
            }
            Change::CamerasStale => {
                if self.live.leading() {
                    self.cameras_stale.notify_one();
                }
            }
            Change::Warnings { ids } => self.warnings.heard(&ids).await?,
        }
        Ok(())
    }

    async fn heard_act(&self, action: &str, subject: &str, actor: &str) -> anyhow::Result<()> {
        match action {
            "acknowledge_alert" => self.live.acknowledge(subject),
            "push_to_wall" => {
                if let Some((kind, id)) = subject.split_once(':') {
                    let focus = self.console.focus(kind, id, actor).await?;
                    self.live.push_focus(focus);
                }
            }
            "save_scene" | "delete_scene" | "set_rotation" => self.live.scenes_changed(actor),
            "acknowledge_warning"
            | "hand_over_warning"
            | "feed_back_warning"
            | "reopen_warning" => {
                self.warnings.heard(&[subject.to_owned()]).await?;
            }
            "send_broadcast" => {
                self.broadcasts.reload().await?;
                self.live.ring_acks();
            }
            // Sign-ins, accounts and plans change nothing on the wall; the
            // footing's acts (proposals, confirmations, lapses) and anything
            // newer are read from the store.
            _ => self.emergency.refresh().await?,
        }
        Ok(())
    }
}

/// A database error in one line, without the URL (which may hold a password).
fn short(err: &gridwall_store::Error) -> String {
    let text = err.to_string();
    text.lines()
        .next()
        .unwrap_or_default()
        .chars()
        .take(160)
        .collect()
}
