//! Wartime footing (平战转换): emergency plans and the two-person switch.
//!
//! - [`plan`]: a plan as data (TOML), validated once.
//! - [`view`]: what windows are told (exported to TypeScript).
//! - `zone`: the plan's scope resolved against the reference data: its
//!   grids, cameras and workforce.
//!
//! A duty officer proposes a switch (on into a plan, or back to peacetime);
//! a second signed-in person, another account, confirms it with their PIN
//! within [`CONFIRM_WITHIN`], or it lapses. Every step, and every refusal,
//! is audited. The store holds the footing and the proposals, so the state
//! survives a restart and every instance on a shared store sees the same one
//! ([`Emergency::refresh`]); the store decides each proposal once.
//!
//! Peacetime is never changed by a plan: layouts come from the
//! configuration, scenes and rotations from the store, and a plan only lays
//! a screen over them while it is in force. Switching back therefore
//! restores peacetime exactly as it was.

pub mod plan;
pub mod view;
mod zone;

use std::sync::Arc;
use std::time::Duration;

use time::OffsetDateTime;
use tokio_util::sync::CancellationToken;

use gridwall_domain::clock::Clock;
use gridwall_store::{AuditEntry, Footing, Proposal, Store, StoredPlan};

use crate::console::{Console, Directory};
use crate::feed::{Layout, WallEvent};
use crate::live::{Live, PIN_SEVERITY};
use crate::session::{self, Person, Role, SessionError};

pub use plan::{Plan, PlanError, PlanKind, Screen};
pub use view::{FootingView, PlanSummary, ProposalView, WindowScreen};

/// How long a proposal waits for its second person (real time).
pub const CONFIRM_WITHIN: Duration = Duration::from_secs(120);
/// How often the store is read again for changes made by another instance.
const REFRESH_EVERY: Duration = Duration::from_secs(2);

#[derive(Debug, thiserror::Error)]
pub enum EmergencyError {
    #[error(transparent)]
    Session(#[from] SessionError),
    #[error(transparent)]
    Plan(#[from] PlanError),
    #[error("no plan called {0:?}")]
    NoPlan(String),
    #[error("a switch is already waiting for confirmation: confirm it, cancel it or let it lapse")]
    Pending,
    #[error("already on the footing of {0:?}: switch back to peacetime first")]
    AlreadyOn(String),
    #[error("already in peacetime")]
    AlreadyPeace,
    #[error("this proposal is no longer waiting (confirmed, cancelled or lapsed)")]
    Gone,
    #[error("a second person must confirm: {0} proposed this switch")]
    SamePerson(String),
    #[error("only {0} or an admin may cancel this proposal")]
    NotProposer(String),
    #[error("store error: {0}")]
    Store(#[from] gridwall_store::Error),
}

pub type Result<T> = std::result::Result<T, EmergencyError>;

/// The footing in force and the proposal pending, as last read.
#[derive(Default, Clone, PartialEq)]
struct Current {
    footing: Option<Footing>,
    proposal: Option<Proposal>,
}

pub struct Emergency {
    store: Arc<Store>,
    live: Arc<Live>,
    console: Arc<Console>,
    /// Platform time: audit entries and when a footing began.
    platform: Clock,
    /// Real time: people have two real minutes to confirm, whatever speed
    /// the platform's clock runs at.
    people: Clock,
    /// Every configured window and its peacetime layout.
    windows: Vec<(String, Layout)>,
    /// Held across the store's calls so this instance decides one thing at
    /// a time (the store guards against other instances).
    current: tokio::sync::Mutex<Published>,
}

/// What was last read and told to the windows.
#[derive(Default)]
struct Published {
    current: Current,
    view: Option<FootingView>,
    /// The directory the zone was resolved with.
    directory: Option<Arc<Directory>>,
    /// Whether windows were told at all (the first refresh always tells).
    told: bool,
}

impl Emergency {
    /// Reads the footing from the store (putting the sample plans there on
    /// first start) and tells every window.
    pub async fn start(
        store: Arc<Store>,
        live: Arc<Live>,
        console: Arc<Console>,
        platform: Clock,
        people: Clock,
        windows: Vec<(String, Layout)>,
    ) -> Result<Arc<Emergency>> {
        if store.plans().await?.is_empty() {
            for text in plan::SAMPLES {
                let sample = Plan::parse(text, None)?;
                store
                    .save_plan(&StoredPlan {
                        name: sample.name,
                        plan_toml: text.to_owned(),
                        updated_at: platform.now().unix_timestamp(),
                        updated_by: "gridwall (sample)".to_owned(),
                    })
                    .await?;
            }
        }
        let emergency = Arc::new(Emergency {
            store,
            live,
            console,
            platform,
            people,
            windows,
            current: tokio::sync::Mutex::default(),
        });
        emergency.refresh().await?;
        Ok(emergency)
    }

    /// Reads the footing and the pending proposal again, lapses a proposal
    /// past its time, and tells every window when anything changed (or when
    /// the zone could not be resolved before the reference data arrived).
    pub async fn refresh(&self) -> Result<()> {
        let mut guard = self.current.lock().await;
        if let Some(p) = self.store.pending_proposal().await?
            && self.people.now().unix_timestamp() >= p.expires_at
            && self
                .store
                .decide_proposal(
                    p.id,
                    "lapsed",
                    "gridwall",
                    self.people.now().unix_timestamp(),
                )
                .await?
        {
            self.audit("gridwall", "proposal_lapsed", &p.plan_name, &p.action)
                .await?;
        }
        let fresh = Current {
            footing: self.store.footing().await?,
            proposal: self.store.pending_proposal().await?,
        };
        // A zone resolved before the reference data arrived is resolved
        // again: before the grids, or before the cameras (ingest syncs
        // grids first; a footing switched on in between kept no cameras).
        let unresolved = guard.current.footing.is_some()
            && match (&guard.view, &guard.directory) {
                (Some(v), Some(used)) if !v.grids.is_empty() => {
                    v.cameras.is_empty()
                        && self
                            .console
                            .directory()
                            .await
                            .is_ok_and(|now| !Arc::ptr_eq(&now, used))
                }
                _ => true,
            };
        if !guard.told || fresh != guard.current || unresolved {
            let (view, directory) = self.view_of(&fresh).await;
            self.publish(&fresh, view.clone());
            *guard = Published {
                current: fresh,
                view,
                directory,
                told: true,
            };
        }
        Ok(())
    }

    /// Refreshes every `REFRESH_EVERY` (2 s) until cancelled.
    pub async fn run(self: Arc<Self>, cancel: CancellationToken) {
        loop {
            tokio::select! {
                () = cancel.cancelled() => return,
                () = tokio::time::sleep(REFRESH_EVERY) => {}
            }
            if let Err(err) = self.refresh().await {
                tracing::warn!("cannot read the emergency footing: {err}");
            }
        }
    }

    fn publish(&self, current: &Current, footing: Option<FootingView>) {
        let severity = footing.as_ref().map_or(PIN_SEVERITY, |f| f.pin_severity);
        self.live.set_pin_severity(severity);
        let proposal = current.proposal.as_ref().map(|p| ProposalView {
            id: p.id,
            action: p.action.clone(),
            plan: p.plan_name.clone(),
            proposed_by: p.proposed_by.clone(),
            expires_at: crate::rfc3339(
                OffsetDateTime::from_unix_timestamp(p.expires_at)
                    .unwrap_or(OffsetDateTime::UNIX_EPOCH),
            ),
        });
        self.live
            .set_footing(WallEvent::Footing { footing, proposal });
    }

    /// The footing's view, with the directory its zone was resolved with.
    async fn view_of(&self, current: &Current) -> (Option<FootingView>, Option<Arc<Directory>>) {
        let Some(footing) = current.footing.as_ref() else {
            return (None, None);
        };
        let plan = match Plan::parse(&footing.plan_toml, None) {
            Ok(plan) => plan,
            Err(err) => {
                // Checked when it was switched on; a hand-edited row is the
                // only way here. Show the footing without a zone.
                tracing::error!(plan = %footing.plan_name, "the plan in force does not parse: {err}");
                return (None, None);
            }
        };
        let directory = match self.console.directory_cached().await {
            Ok(directory) => Some(directory),
            Err(err) => {
                tracing::warn!("cannot resolve the plan's zone yet: {err}");
                None
            }
        };
        let view = zone::view(&plan, footing, directory.as_deref(), &self.windows);
        (Some(view), directory)
    }

    /// The current footing as windows see it (`None` in peacetime).
    pub async fn footing(&self) -> Option<FootingView> {
        self.current.lock().await.view.clone()
    }

    /// Every plan, by name.
    pub async fn plans(&self) -> Result<Vec<PlanSummary>> {
        let directory = self.console.directory().await.ok();
        let mut out = Vec::new();
        for stored in self.store.plans().await? {
            match Plan::parse(&stored.plan_toml, None) {
                Ok(plan) => out.push(zone::summary(&plan, &stored, directory.as_deref())),
                Err(err) => {
                    tracing::warn!(plan = %stored.name, "a stored plan does not parse: {err}")
                }
            }
        }
        Ok(out)
    }

    /// Imports (or replaces) a plan from its TOML: admins only, audited.
    pub async fn save_plan(&self, text: &str, by: &Person) -> Result<PlanSummary> {
        by.require(Role::Admin)?;
        let directory = self.console.directory().await.ok();
        let places = directory
            .as_deref()
            .filter(|d| d.grid_count() > 0)
            .map(|d| d as &dyn plan::Places);
        let plan = Plan::parse(text, places)?;
        let stored = StoredPlan {
            name: plan.name.clone(),
            plan_toml: text.to_owned(),
            updated_at: self.platform.now().unix_timestamp(),
            updated_by: by.username.clone(),
        };
        self.store.save_plan(&stored).await?;
        self.audit(by.actor(), "save_plan", &plan.name, "").await?;
        Ok(zone::summary(&plan, &stored, directory.as_deref()))
    }

    /// Deletes a plan: admins only, audited. A plan in force stays in force.
    pub async fn delete_plan(&self, name: &str, by: &Person) -> Result<()> {
        by.require(Role::Admin)?;
        if !self.store.delete_plan(name).await? {
            return Err(EmergencyError::NoPlan(name.to_owned()));
        }
        self.audit(by.actor(), "delete_plan", name, "").await
    }

    /// The plan's TOML as stored (what an import of it would need).
    pub async fn export_plan(&self, name: &str) -> Result<String> {
        self.store
            .plans()
            .await?
            .into_iter()
            .find(|p| p.name == name)
            .map(|p| p.plan_toml)
            .ok_or_else(|| EmergencyError::NoPlan(name.to_owned()))
    }

    /// Proposes switching into `plan` (`Some`) or back to peacetime
    /// (`None`): duty officers and admins, audited. It waits for a second
    /// person for [`CONFIRM_WITHIN`].
    pub async fn propose(&self, plan: Option<&str>, by: &Person) -> Result<ProposalView> {
        by.require(Role::DutyOfficer)?;
        let guard = self.current.lock().await;
        let footing = self.store.footing().await?;
        let (action, plan_name) = match (plan, &footing) {
            (Some(_), Some(f)) => return Err(EmergencyError::AlreadyOn(f.plan_name.clone())),
            (None, None) => return Err(EmergencyError::AlreadyPeace),
            (Some(name), None) => {
                if !self.store.plans().await?.iter().any(|p| p.name == name) {
                    return Err(EmergencyError::NoPlan(name.to_owned()));
                }
                ("on", name.to_owned())
            }
            (None, Some(f)) => ("off", f.plan_name.clone()),
        };
        if self.store.pending_proposal().await?.is_some() {
            return Err(EmergencyError::Pending);
        }
        let now = self.people.now().unix_timestamp();
        let expires = now + CONFIRM_WITHIN.as_secs() as i64;
        let proposal = self
            .store
            .propose(action, &plan_name, by.actor(), now, expires)
            .await
            // Another instance proposed between the check and the insert.
            .map_err(|_| EmergencyError::Pending)?;
        self.audit(by.actor(), "propose_switch", &plan_name, action)
            .await?;
        drop(guard);
        self.refresh().await?;
        Ok(ProposalView {
            id: proposal.id,
            action: proposal.action,
            plan: proposal.plan_name,
            proposed_by: proposal.proposed_by,
            expires_at: crate::rfc3339(
                OffsetDateTime::from_unix_timestamp(expires).unwrap_or(OffsetDateTime::UNIX_EPOCH),
            ),
        })
    }

    /// A second person confirms proposal `id` with their own PIN. Refused,
    /// and audited, when the PIN is wrong, the account is an operator's or
    /// the proposer's own, or the proposal is no longer waiting.
    pub async fn confirm(&self, id: i64, username: &str, pin: &str) -> Result<()> {
        let person = match session::check(&self.store, username, pin).await {
            Ok(person) => person,
            Err(err) => {
                self.refuse(username, id, &err.to_string()).await?;
                return Err(err.into());
            }
        };
        if let Err(err) = person.require(Role::DutyOfficer) {
            self.refuse(username, id, &err.to_string()).await?;
            return Err(err.into());
        }
        let guard = self.current.lock().await;
        let Some(proposal) = self.store.pending_proposal().await?.filter(|p| p.id == id) else {
            return Err(EmergencyError::Gone);
        };
        if proposal.proposed_by == person.username {
            let err = EmergencyError::SamePerson(proposal.proposed_by.clone());
            self.refuse(username, id, &err.to_string()).await?;
            return Err(err);
        }
        let now = self.people.now().unix_timestamp();
        if now >= proposal.expires_at {
            drop(guard);
            self.refresh().await?;
            return Err(EmergencyError::Gone);
        }
        let footing = if proposal.action == "on" {
            let stored = self
                .store
                .plans()
                .await?
                .into_iter()
                .find(|p| p.name == proposal.plan_name)
                .ok_or_else(|| EmergencyError::NoPlan(proposal.plan_name.clone()))?;
            Some(Footing {
                plan_name: stored.name,
                plan_toml: stored.plan_toml,
                started_at: self.platform.now().unix_timestamp(),
                proposed_by: proposal.proposed_by.clone(),
                confirmed_by: person.username.clone(),
            })
        } else {
            None
        };
        if !self
            .store
            .confirm_proposal(id, &person.username, now, footing.as_ref())
            .await?
        {
            return Err(EmergencyError::Gone);
        }
        let action = if footing.is_some() {
            "switch_on"
        } else {
            "switch_off"
        };
        let detail = format!("proposed by {}", proposal.proposed_by);
        self.audit(person.actor(), action, &proposal.plan_name, &detail)
            .await?;
        drop(guard);
        self.refresh().await
    }

    /// Withdraws a pending proposal: its proposer or an admin, audited.
    pub async fn cancel(&self, id: i64, by: &Person) -> Result<()> {
        let guard = self.current.lock().await;
        let Some(proposal) = self.store.pending_proposal().await?.filter(|p| p.id == id) else {
            return Err(EmergencyError::Gone);
        };
        if proposal.proposed_by != by.username && by.role != Role::Admin {
            return Err(EmergencyError::NotProposer(proposal.proposed_by));
        }
        let now = self.people.now().unix_timestamp();
        if !self
            .store
            .decide_proposal(id, "cancelled", by.actor(), now)
            .await?
        {
            return Err(EmergencyError::Gone);
        }
        self.audit(
            by.actor(),
            "cancel_proposal",
            &proposal.plan_name,
            &proposal.action,
        )
        .await?;
        drop(guard);
        self.refresh().await
    }

    async fn refuse(&self, username: &str, id: i64, why: &str) -> Result<()> {
        // The name as typed, shortened: a refusal must not fill the log.
        let who: String = username.chars().take(60).collect();
        self.audit(&who, "confirm_refused", &format!("proposal {id}"), why)
            .await
    }

    async fn audit(&self, actor: &str, action: &str, subject: &str, detail: &str) -> Result<()> {
        self.store
            .record_audit(&AuditEntry {
                at: self.platform.now(),
                actor: actor.to_owned(),
                action: action.to_owned(),
                subject: subject.to_owned(),
                detail: detail.to_owned(),
            })
            .await?;
        Ok(())
    }
}
