//! Broadcasts to grid workers (指令直达, issue 12): one instruction to every
//! worker in a scope, and every acknowledgement seen on the wall within
//! fifteen minutes.
//!
//! - `recipients`: who a scope reaches, per grid and town, from the workers list.
//! - `platform`: the POST with its idempotency key and retries; figures and
//!   acknowledgements read back from the platform.
//! - `board`: the progress every window shows, and whom to call.
//!
//! A send writes its draft (key, text, recipients per grid) to the store
//! before the first POST and records the act in the audit log, so that a
//! send cut short by a lost answer or a restart is resumed with the same
//! key and reaches nobody twice. While a broadcast is open, [`Broadcasts::run`]
//! polls its acknowledgements and figures every few seconds; the feed's
//! `ack` messages land through [`crate::live::LiveSink`]. Both paths write
//! to the same table, whose key counts each worker once, and the board is
//! recounted from it (at most twice a second) and pushed to every window.

pub mod board;
pub mod platform;
mod recipients;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::sync::Mutex;
use tokio_util::sync::CancellationToken;
use ts_rs::TS;

use gridwall_domain::clock::Clock;
use gridwall_domain::governance::{BroadcastAck, BroadcastScope, NewBroadcast};
use gridwall_store::{AckRow, AuditEntry, BroadcastDraft, BroadcastStatus, StoredBroadcast};

use crate::console::{Console, ConsoleError};
use crate::feed::WallEvent;
use crate::live::Live;
use board::time_of;
pub use platform::Retry;
use platform::{Platform, Posted};

/// Why a broadcast could not be previewed or sent.
#[derive(Debug, thiserror::Error)]
pub enum BroadcastError {
    /// Refused, by the app or by the platform: the text says why.
    #[error("{0}")]
    Invalid(String),
    /// The platform did not answer; the send goes on in the background.
    #[error(
        "the platform did not answer ({0}); the broadcast is kept and retried with the same key, so it cannot be sent twice"
    )]
    Unanswered(String),
    #[error("store: {0}")]
    Store(#[from] gridwall_store::Error),
    #[error("{0}")]
    Console(#[from] ConsoleError),
}

/// Who a broadcast is meant for, as the composer chooses.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, TS)]
#[ts(export)]
pub struct ScopeInput {
    #[serde(default)]
    pub all: bool,
    #[serde(default)]
    pub town_codes: Vec<String>,
    #[serde(default)]
    pub grid_ids: Vec<String>,
}

impl From<ScopeInput> for BroadcastScope {
    fn from(s: ScopeInput) -> Self {
        BroadcastScope {
            all: s.all,
            town_codes: if s.all { Vec::new() } else { s.town_codes },
            grid_ids: if s.all { Vec::new() } else { s.grid_ids },
        }
    }
}

/// The recipients of a scope before sending.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct RecipientPreview {
    pub total: u32,
    pub grids: u32,
    /// Largest first; the town `""` (instructors of several grids) last.
    pub towns: Vec<TownRecipients>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct TownRecipients {
    pub town_code: String,
    pub name: String,
    pub recipients: u32,
}

/// A broadcast in the console's list.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct BroadcastSummary {
    #[ts(type = "number")]
    pub local_id: i64,
    pub broadcast_id: Option<String>,
    pub title: String,
    /// `sending`, `sent` or `refused`.
    pub status: String,
    pub error: Option<String>,
    pub sent_by: String,
    /// RFC 3339 (platform time): written, and sent once answered.
    pub created_at: String,
    pub sent_at: Option<String>,
    pub recipients: Option<u32>,
    pub acked: u32,
    pub acked_within: u32,
    pub open: bool,
}

/// How often the core looks again. Tests shorten them.
#[derive(Clone, Debug)]
pub struct BroadcastTimings {
    /// Acks and figures asked of the platform while a broadcast is open.
    pub poll: Duration,
    /// At most one board push per this (the feed's acks wake it sooner).
    pub push: Duration,
    /// Unanswered sends are tried again this often.
    pub resume: Duration,
    pub retry: Retry,
}

impl Default for BroadcastTimings {
    fn default() -> Self {
        BroadcastTimings {
            poll: Duration::from_secs(3),
            push: Duration::from_millis(500),
            resume: Duration::from_secs(30),
            retry: Retry::default(),
        }
    }
}

/// A broadcast being followed, with where its acks are read from.
struct Followed {
    broadcast: StoredBroadcast,
    cursor: Option<String>,
}

/// Broadcasts sent from this app and their acknowledgements.
pub struct Broadcasts {
    console: Arc<Console>,
    live: Arc<Live>,
    clock: Clock,
    http: reqwest::Client,
    governance: url::Url,
    timings: BroadcastTimings,
    /// Open broadcasts by local id. A tokio Mutex, held for map updates only.
    followed: Mutex<HashMap<i64, Followed>>,
    /// Rung by a send, so the board shows it at once.
    sent: tokio::sync::Notify,
}

/// Parses one `ack` message of the stream; the reason when it is not a BroadcastAck.
pub fn parse_ack(raw: &[u8]) -> Result<AckRow, String> {
    let ack: BroadcastAck = serde_json::from_slice(raw).map_err(|e| e.to_string())?;
    if ack.broadcast_id.is_empty() || ack.worker_id.is_empty() {
        return Err("an ack names no broadcast or no worker".into());
    }
    Ok(platform::ack_row(ack))
}

impl Broadcasts {
    pub fn new(
        console: Arc<Console>,
        live: Arc<Live>,
        clock: Clock,
        http: reqwest::Client,
        governance: url::Url,
        timings: BroadcastTimings,
    ) -> Arc<Broadcasts> {
        Arc::new(Broadcasts {
            console,
            live,
            clock,
            http,
            governance,
            timings,
            followed: Mutex::default(),
            sent: tokio::sync::Notify::new(),
        })
    }

    fn platform(&self) -> Platform<'_> {
        Platform {
            http: &self.http,
            governance: &self.governance,
        }
    }

    /// How many workers `scope` reaches, per town.
    pub async fn preview(&self, scope: ScopeInput) -> Result<RecipientPreview, BroadcastError> {
        let directory = self.console.directory().await?;
        let scope = BroadcastScope::from(scope);
        recipients::check_scope(&scope, &directory)?;
        Ok(recipients::preview(
            &recipients::per_grid(&scope, &directory),
            &directory,
        ))
    }

    /// Sends a broadcast as `actor`: the draft and the audit entry first,
    /// then the POST with retries under its key.
    pub async fn send(
        &self,
        title: &str,
        body: &str,
        scope: ScopeInput,
        template: Option<String>,
        actor: &str,
    ) -> Result<BroadcastSummary, BroadcastError> {
        let title = title.trim();
        let chars = title.chars().count();
        if chars == 0 || chars > 200 {
            return Err(BroadcastError::Invalid(
                "a title of 1 to 200 characters is needed".into(),
            ));
        }
        if body.chars().count() > 8_000 {
            return Err(BroadcastError::Invalid(
                "the text is longer than 8,000 characters; shorten it".into(),
            ));
        }
        let directory = self.console.directory().await?;
        let scope = BroadcastScope::from(scope);
        recipients::check_scope(&scope, &directory)?;
        let grids = recipients::per_grid(&scope, &directory);
        let now = self.clock.now();
        // Chosen once, before the first try (uuid v4: unguessable, and no
        // two consoles sharing a PostgreSQL store pick the same one).
        let key = format!("gridwall-{}", uuid::Uuid::new_v4());
        let scope_json = serde_json::to_string(&scope).unwrap_or_else(|_| "{}".into());
        let store = self.live.store();
        let local_id = store
            .insert_broadcast_draft(&BroadcastDraft {
                idempotency_key: key.clone(),
                title: title.to_owned(),
                body: body.to_owned(),
                scope: scope_json.clone(),
                template,
                created_at: now.unix_timestamp(),
                sent_by: actor.to_owned(),
                grids: grids.clone(),
            })
            .await?;
        let total: i64 = grids.iter().map(|g| g.recipients).sum();
        store
            .record_audit(&AuditEntry {
                at: now,
                actor: actor.to_owned(),
                action: "send_broadcast".into(),
                subject: key,
                detail: format!("{title} · {scope_json} · {total} recipients"),
            })
            .await?;
        let draft = store
            .broadcast(local_id)
            .await?
            .ok_or_else(|| BroadcastError::Invalid("the draft vanished from the store".into()))?;
        self.deliver(draft).await
    }

    /// POSTs a stored draft under its key and records the outcome.
    async fn deliver(&self, draft: StoredBroadcast) -> Result<BroadcastSummary, BroadcastError> {
        let request = NewBroadcast {
            title: draft.title.clone(),
            body: draft.body.clone(),
            scope: serde_json::from_str(&draft.scope).unwrap_or_default(),
            require_ack: true,
            ack_deadline_s: board::DUE_S as u32,
            idempotency_key: Some(draft.idempotency_key.clone()),
        };
        let store = self.live.store();
        match self.platform().post(&request, &self.timings.retry).await {
            Posted::Sent(broadcast) => {
                store
                    .mark_broadcast_sent(draft.local_id, &platform::figures(&broadcast))
                    .await?;
                let sent = store.broadcast(draft.local_id).await?.unwrap_or(draft);
                tracing::info!(
                    broadcast = %broadcast.broadcast_id,
                    recipients = broadcast.recipients,
                    "broadcast sent"
                );
                self.followed.lock().await.insert(
                    sent.local_id,
                    Followed {
                        broadcast: sent.clone(),
                        cursor: None,
                    },
                );
                self.sent.notify_one();
                self.summary(&sent).await
            }
            Posted::Refused(reason) => {
                store
                    .mark_broadcast_refused(draft.local_id, &reason)
                    .await?;
                Err(BroadcastError::Invalid(reason))
            }
            Posted::Unanswered(why) => Err(BroadcastError::Unanswered(why)),
        }
    }

    /// The broadcasts of the last `hours`, newest first.
    pub async fn list(&self, hours: i64) -> Result<Vec<BroadcastSummary>, BroadcastError> {
        let since = self.clock.now().unix_timestamp() - hours * 3600;
        let mut out = Vec::new();
        for broadcast in self.live.store().broadcasts_since(since).await? {
            out.push(self.summary(&broadcast).await?);
        }
        Ok(out)
    }

    async fn summary(&self, b: &StoredBroadcast) -> Result<BroadcastSummary, BroadcastError> {
        let (acked, within) = match (&b.broadcast_id, b.sent_at) {
            (Some(id), Some(sent_at)) => {
                let p = self
                    .live
                    .store()
                    .broadcast_progress(b.local_id, id, sent_at, board::DUE_S)
                    .await?;
                (p.acked, p.acked_within)
            }
            _ => (0, 0),
        };
        Ok(BroadcastSummary {
            local_id: b.local_id,
            broadcast_id: b.broadcast_id.clone(),
            title: b.title.clone(),
            status: b.status.as_str().to_owned(),
            error: b.error.clone(),
            sent_by: b.sent_by.clone(),
            created_at: time_of(b.created_at),
            sent_at: b.sent_at.map(time_of),
            recipients: b.recipients.map(recipients::count),
            acked: recipients::count(acked),
            acked_within: recipients::count(within),
            open: board::is_open(b, self.clock.now().unix_timestamp()),
        })
    }

    /// Follows the open broadcasts and resumes unanswered sends until
    /// cancelled: polls acks and figures, pushes the board to every window.
    pub async fn run(self: Arc<Self>, cancel: CancellationToken) {
        if let Err(err) = self.reload().await {
            tracing::warn!("cannot read the broadcasts back from the store: {err}");
        }
        let resumer = {
            let me = self.clone();
            let cancel = cancel.clone();
            tokio::spawn(async move { me.resume_loop(cancel).await })
        };
        let mut poll = tokio::time::interval(self.timings.poll);
        poll.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        // The board is recounted on a beat of its own, so the reminders and
        // `open` change on time even when no ack arrives.
        let mut beat = tokio::time::interval(Duration::from_secs(5).max(self.timings.push));
        beat.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut pusher = Pusher::default();
        loop {
            tokio::select! {
                () = cancel.cancelled() => break,
                _ = poll.tick() => self.poll_open().await,
                () = self.live.acks_landed() => {}
                () = self.sent.notified() => {}
                _ = beat.tick() => {}
            }
            // Throttle: at most one push per `push`, whatever woke the loop.
            let wait = pusher.wait(self.timings.push);
            if !wait.is_zero() {
                tokio::select! {
                    () = cancel.cancelled() => break,
                    () = tokio::time::sleep(wait) => {}
                }
            }
            if let Err(err) = self.push_board(&mut pusher).await {
                tracing::warn!("broadcast board: {err}");
            }
        }
        resumer.abort();
    }

    /// Reads back the broadcasts still open (after a restart) and shows the newest.
    pub async fn reload(&self) -> Result<(), BroadcastError> {
        let now = self.clock.now().unix_timestamp();
        let since = now - 24 * 3600;
        let mut followed = self.followed.lock().await;
        for broadcast in self.live.store().broadcasts_since(since).await? {
            if broadcast.status == BroadcastStatus::Sent && board::is_open(&broadcast, now) {
                followed.insert(
                    broadcast.local_id,
                    Followed {
                        broadcast,
                        cursor: None,
                    },
                );
            }
        }
        Ok(())
    }

    async fn resume_loop(&self, cancel: CancellationToken) {
        loop {
            match self.live.store().unsent_broadcasts().await {
                Ok(unsent) => {
                    for draft in unsent {
                        tracing::info!(key = %draft.idempotency_key, "resuming a broadcast cut short");
                        if let Err(err) = self.deliver(draft).await {
                            tracing::warn!("resumed broadcast: {err}");
                        }
                    }
                }
                Err(err) => tracing::warn!("cannot read unsent broadcasts: {err}"),
            }
            tokio::select! {
                () = cancel.cancelled() => return,
                () = tokio::time::sleep(self.timings.resume) => {}
            }
        }
    }

    /// Asks the platform for each open broadcast's new acks and figures.
    /// The list is copied out first, so a send is never held up by a poll.
    async fn poll_open(&self) {
        let now = self.clock.now().unix_timestamp();
        let open: Vec<(i64, String, Option<String>)> = {
            let mut followed = self.followed.lock().await;
            followed.retain(|_, f| board::is_open(&f.broadcast, now));
            followed
                .values()
                .filter_map(|f| {
                    let id = f.broadcast.broadcast_id.clone()?;
                    Some((f.broadcast.local_id, id, f.cursor.clone()))
                })
                .collect()
        };
        let platform = self.platform();
        let store = self.live.store();
        for (local_id, id, cursor) in open {
            let cursor = match platform.acks(&id, cursor.clone()).await {
                Ok((rows, next)) => {
                    if let Err(err) = store.record_acks(&rows, now).await {
                        tracing::warn!("cannot store acks of {id}: {err}");
                    }
                    next
                }
                Err(err) => {
                    tracing::debug!("acks of {id} not read this time: {err}");
                    cursor
                }
            };
            let figures = match platform.figures(&id).await {
                Ok(figures) => {
                    if let Err(err) = store.update_broadcast_figures(&figures).await {
                        tracing::warn!("cannot store figures of {id}: {err}");
                    }
                    Some(figures)
                }
                Err(err) => {
                    tracing::debug!("figures of {id} not read this time: {err}");
                    None
                }
            };
            if let Some(f) = self.followed.lock().await.get_mut(&local_id) {
                f.cursor = cursor;
                if let Some(figures) = figures {
                    f.broadcast.recipients = Some(figures.recipients);
                    f.broadcast.platform_acked = Some(figures.acked);
                }
            }
        }
    }

    /// Recounts the newest broadcast and pushes its board.
    async fn push_board(&self, pusher: &mut Pusher) -> Result<(), BroadcastError> {
        let now = self.clock.now();
        let newest = {
            let followed = self.followed.lock().await;
            followed
                .values()
                .max_by_key(|f| f.broadcast.local_id)
                .map(|f| f.broadcast.clone())
        };
        let Some(broadcast) = newest.or_else(|| pusher.last.clone()) else {
            return Ok(());
        };
        let (Some(id), Some(sent_at)) = (&broadcast.broadcast_id, broadcast.sent_at) else {
            return Ok(());
        };
        let progress = self
            .live
            .store()
            .broadcast_progress(broadcast.local_id, id, sent_at, board::DUE_S)
            .await?;
        let directory = self.console.directory().await?;
        let full = board::board(&broadcast, &progress, &directory, now);
        if pusher.last.as_ref().map(|b| b.local_id) != Some(broadcast.local_id) {
            pusher.grids.clear();
        }
        let was_open = pusher.open;
        let delta = board::delta(&full, &mut pusher.grids);
        pusher.pushed_at = Some(tokio::time::Instant::now());
        pusher.open = full.open;
        pusher.last = full.open.then_some(broadcast);
        // A closed board goes out once, then stays as it was.
        if full.open || was_open {
            self.live.push_broadcast(
                WallEvent::Broadcast { board: full },
                WallEvent::Broadcast { board: delta },
            );
        }
        Ok(())
    }
}

/// What the windows were last sent.
#[derive(Default)]
struct Pusher {
    pushed_at: Option<tokio::time::Instant>,
    grids: HashMap<String, (u32, u32)>,
    last: Option<StoredBroadcast>,
    open: bool,
}

impl Pusher {
    fn wait(&self, every: Duration) -> Duration {
        self.pushed_at
            .map(|at| every.saturating_sub(at.elapsed()))
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ack_that_is_not_a_broadcast_ack_is_refused_with_a_reason() {
        let ok = br#"{"broadcast_id":"GB1","worker_id":"W1","grid_id":null,"acked_at":"2026-12-05T10:00:00+08:00","x":1}"#;
        let row = parse_ack(ok).unwrap();
        assert_eq!((row.worker_id.as_str(), row.grid_id.as_str()), ("W1", ""));
        for bad in [
            &b"{not json"[..],
            br#"{"broadcast_id":"GB1","acked_at":"2026-12-05T10:00:00+08:00"}"#,
            br#"{"broadcast_id":"GB1","worker_id":"W1","acked_at":"yesterday"}"#,
            br#"{"broadcast_id":"","worker_id":"W1","acked_at":"2026-12-05T10:00:00+08:00"}"#,
        ] {
            assert!(parse_ack(bad).is_err(), "{}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn everyone_wins_over_lists() {
        let scope = BroadcastScope::from(ScopeInput {
            all: true,
            town_codes: vec!["1".into()],
            grid_ids: vec![],
        });
        assert!(scope.all && scope.town_codes.is_empty());
    }
}
