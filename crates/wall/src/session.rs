//! Who is signed in on this PC, and what their role lets them do.
//!
//! One person at a time per app process: the wall PC's console is where they
//! sign in, and every window of the process acts in their name (the wall
//! windows themselves have no keyboard). A second person never takes the
//! session over: a two-person confirmation checks the second person's PIN in
//! place ([`crate::emergency`]).
//!
//! PINs are checked by the store (argon2 hashes); nothing here keeps one.

use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use gridwall_store::Store;
use time::OffsetDateTime;

/// A role, from least to most trusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Role {
    /// Watches the wall, acknowledges alerts.
    Operator,
    /// Drills in, pushes to the wall, sends broadcasts, proposes a switch.
    DutyOfficer,
    /// Manages accounts and plans.
    Admin,
}

/// A signed-in person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Person {
    pub username: String,
    pub display_name: String,
    pub role: Role,
}

impl Person {
    /// How the audit log names them: the account, which is unique.
    pub fn actor(&self) -> &str {
        &self.username
    }

    /// Refuses unless the person's role is at least `needed`.
    pub fn require(&self, needed: Role) -> Result<(), SessionError> {
        if self.role >= needed {
            Ok(())
        } else {
            Err(SessionError::Role(needed))
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    #[error("sign in on the console first")]
    SignedOut,
    #[error("wrong user name or PIN")]
    Refused,
    #[error("this account is disabled: ask an admin")]
    Disabled,
    #[error("this needs the {0:?} role or higher")]
    Role(Role),
    #[error("cannot check the PIN: {0}")]
    Store(#[from] gridwall_store::Error),
}

/// The person signed in on this process, if any.
#[derive(Default)]
pub struct Sessions {
    // A std Mutex: held for a clone or a swap, never across an await.
    current: Mutex<Option<Person>>,
}

impl Sessions {
    pub fn current(&self) -> Option<Person> {
        self.current.lock().expect("session lock poisoned").clone()
    }

    /// The signed-in person, or an error telling the user to sign in.
    pub fn person(&self) -> Result<Person, SessionError> {
        self.current().ok_or(SessionError::SignedOut)
    }

    /// The audit log's actor for an act from `window`: the signed-in
    /// person, or the window itself when nobody is signed in (a wall
    /// window's acknowledgement, which needs no keyboard).
    pub fn actor(&self, window: &str) -> String {
        match self.current() {
            Some(person) => person.username,
            None => format!("wall:{window}"),
        }
    }

    pub fn set(&self, person: Option<Person>) {
        *self.current.lock().expect("session lock poisoned") = person;
    }

    /// Signs `username` in at `window` if the PIN is right, replacing whoever
    /// was signed in. Both a sign-in and a refusal are audited.
    pub async fn sign_in(
        &self,
        store: &Store,
        at: OffsetDateTime,
        username: &str,
        pin: &str,
        window: &str,
    ) -> Result<Person, SessionError> {
        match check(store, username, pin).await {
            Ok(person) => {
                audit(store, at, person.actor(), "sign_in", window, "").await?;
                self.set(Some(person.clone()));
                Ok(person)
            }
            Err(err @ (SessionError::Refused | SessionError::Disabled)) => {
                // The name as typed, shortened: a refusal must not fill the log.
                let typed: String = username.chars().take(60).collect();
                audit(
                    store,
                    at,
                    &typed,
                    "sign_in_refused",
                    window,
                    &err.to_string(),
                )
                .await?;
                Err(err)
            }
            Err(err) => Err(err),
        }
    }

    /// Signs the current person out (audited); nothing when nobody is in.
    pub async fn sign_out(
        &self,
        store: &Store,
        at: OffsetDateTime,
        window: &str,
    ) -> Result<(), SessionError> {
        let Some(person) = self.current() else {
            return Ok(());
        };
        audit(store, at, person.actor(), "sign_out", window, "").await?;
        self.set(None);
        Ok(())
    }
}

async fn audit(
    store: &Store,
    at: OffsetDateTime,
    actor: &str,
    action: &str,
    subject: &str,
    detail: &str,
) -> Result<(), SessionError> {
    store
        .record_audit(&gridwall_store::AuditEntry {
            at,
            actor: actor.to_owned(),
            action: action.to_owned(),
            subject: subject.to_owned(),
            detail: detail.to_owned(),
        })
        .await?;
    Ok(())
}

/// Checks `username` and `pin` against the store's accounts.
pub async fn check(store: &Store, username: &str, pin: &str) -> Result<Person, SessionError> {
    use gridwall_store::accounts::SignIn;
    let pin = gridwall_store::accounts::Pin::new(pin);
    match store.sign_in(username, &pin).await? {
        SignIn::Ok(account) => Ok(Person {
            username: account.username,
            display_name: account.display_name,
            role: match account.role {
                gridwall_store::accounts::Role::Operator => Role::Operator,
                gridwall_store::accounts::Role::DutyOfficer => Role::DutyOfficer,
                gridwall_store::accounts::Role::Admin => Role::Admin,
            },
        }),
        SignIn::Disabled => Err(SessionError::Disabled),
        SignIn::WrongPin | SignIn::Unknown => Err(SessionError::Refused),
    }
}
