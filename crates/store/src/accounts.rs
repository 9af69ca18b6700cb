//! Local accounts of the console (issue 12): who may sign in, with which
//! role, and the check of their PIN.
//!
//! A PIN is kept only as an Argon2id PHC string (RustCrypto's `argon2`, its
//! default parameters, a fresh random salt per account), compared in
//! constant time by the library. Hashing is slow and memory-hard on
//! purpose, so it runs on tokio's blocking pool, never on a worker thread.
//! Sign-in spends one hash whatever the outcome, so its time does not tell
//! whether an account exists; and a disabled account is only reported as
//! such to someone who gave its right PIN.
//!
//! Accounts are disabled, never deleted: the audit log names them as actors.
//! Recording who signed in or changed an account is the caller's, in the
//! audit log, with the actor it knows.

use std::fmt;
use std::str::FromStr;
use std::sync::OnceLock;

use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use sqlx::Row;
use time::OffsetDateTime;

use crate::{Error, Result, Store};

/// The shortest PIN accepted.
pub const MIN_PIN_CHARS: usize = 6;
const MAX_PIN_CHARS: usize = 128;
const MAX_NAME_CHARS: usize = 64;

/// What an account may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    /// Watches the wall and acknowledges alerts.
    Operator,
    /// Also drills in, pushes to the wall, sends broadcasts, proposes a switch.
    DutyOfficer,
    /// Also manages accounts and plans.
    Admin,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Operator, Role::DutyOfficer, Role::Admin];

    /// As stored and as typed on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Operator => "operator",
            Role::DutyOfficer => "duty_officer",
            Role::Admin => "admin",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<Role, String> {
        match s.trim().replace('-', "_").as_str() {
            "operator" => Ok(Role::Operator),
            "duty_officer" => Ok(Role::DutyOfficer),
            "admin" => Ok(Role::Admin),
            _ => Err(format!(
                "unknown role {s:?}: use operator, duty_officer or admin"
            )),
        }
    }
}

/// A PIN or password in clear, as typed. It never prints: its `Debug` is
/// `Pin(***)` and it has no `Display`.
#[derive(Clone)]
pub struct Pin(String);

impl Pin {
    pub fn new(clear: impl Into<String>) -> Pin {
        Pin(clear.into())
    }

    fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

impl fmt::Debug for Pin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Pin(***)")
    }
}

/// An account as stored, without its PIN hash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Account {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub disabled: bool,
    pub created_at: OffsetDateTime,
}

/// An account to create.
#[derive(Clone, Debug)]
pub struct NewAccount {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub pin: Pin,
}

/// The outcome of a sign-in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SignIn {
    Ok(Account),
    /// The account exists and the PIN is not its PIN (disabled or not).
    WrongPin,
    /// The right PIN of a disabled account.
    Disabled,
    /// No account of that name.
    Unknown,
}

fn check_new(account: &NewAccount) -> Result<()> {
    let invalid = |why: String| Err(Error::InvalidAccount(why));
    let username = &account.username;
    if username.is_empty()
        || username.chars().count() > MAX_NAME_CHARS
        || username
            .chars()
            .any(|c| c.is_whitespace() || c.is_control())
    {
        return invalid(format!(
            "username {username:?} must be 1 to {MAX_NAME_CHARS} characters with no spaces"
        ));
    }
    let name = account.display_name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
        return invalid(format!(
            "display name {:?} must be 1 to {MAX_NAME_CHARS} characters",
            account.display_name
        ));
    }
    let pin_chars = account.pin.0.chars().count();
    if pin_chars < MIN_PIN_CHARS {
        return invalid(format!(
            "the PIN must have at least {MIN_PIN_CHARS} characters"
        ));
    }
    if pin_chars > MAX_PIN_CHARS {
        return invalid(format!(
            "the PIN must have at most {MAX_PIN_CHARS} characters"
        ));
    }
    Ok(())
}

/// Run `work` (an Argon2 hash) on the blocking pool.
async fn off_the_runtime<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|err| Error::PinHash(format!("the hashing task failed: {err}")))
}

fn hash_pin(pin: &Pin) -> Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(pin.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|err| Error::PinHash(err.to_string()))
}

/// Whether `pin` is the PIN hashed in `phc`.
fn pin_matches(pin: &Pin, phc: &str) -> Result<bool> {
    let parsed = PasswordHash::new(phc).map_err(|err| Error::PinHash(err.to_string()))?;
    match Argon2::default().verify_password(pin.as_bytes(), &parsed) {
        Ok(()) => Ok(true),
        Err(argon2::password_hash::Error::Password) => Ok(false),
        Err(err) => Err(Error::PinHash(err.to_string())),
    }
}

/// A hash of no one's PIN, made once, that sign-in checks unknown names
/// against so they cost the same time as known ones.
fn decoy_hash() -> Result<&'static str> {
    static DECOY: OnceLock<String> = OnceLock::new();
    if let Some(hash) = DECOY.get() {
        return Ok(hash);
    }
    let hash = hash_pin(&Pin::new(SaltString::generate(&mut OsRng).as_str()))?;
    Ok(DECOY.get_or_init(|| hash))
}

fn account_of(row: &sqlx::any::AnyRow) -> Result<Account> {
    let role: String = row.try_get("role")?;
    Ok(Account {
        username: row.try_get("username")?,
        display_name: row.try_get("display_name")?,
        // The table's CHECK allows only the three roles; anything else was
        // written by hand, and the least power is the safe reading.
        role: role.parse().unwrap_or(Role::Operator),
        disabled: row.try_get::<i64, _>("disabled")? != 0,
        created_at: OffsetDateTime::from_unix_timestamp(row.try_get("created_at")?)
            .unwrap_or(OffsetDateTime::UNIX_EPOCH),
    })
}

const ACCOUNT_COLUMNS: &str = "username, display_name, role, disabled, created_at";

impl Store {
    /// Create an account; `now` is its creation time. Refuses a name that
    /// is taken, a blank name and a PIN shorter than [`MIN_PIN_CHARS`].
    pub async fn add_account(&self, new: &NewAccount, now: OffsetDateTime) -> Result<Account> {
        check_new(new)?;
        let pin = new.pin.clone();
        let pin_hash = off_the_runtime(move || hash_pin(&pin)).await??;
        let account = Account {
            username: new.username.clone(),
            display_name: new.display_name.trim().to_owned(),
            role: new.role,
            disabled: false,
            created_at: now,
        };
        let done = sqlx::query(
            "INSERT INTO accounts (username, display_name, role, pin_hash, disabled, created_at) \
             VALUES ($1, $2, $3, $4, 0, $5) ON CONFLICT (username) DO NOTHING",
        )
        .bind(account.username.as_str())
        .bind(account.display_name.as_str())
        .bind(account.role.as_str())
        .bind(pin_hash)
        .bind(now.unix_timestamp())
        .execute(&self.pool)
        .await?;
        if done.rows_affected() == 0 {
            return Err(Error::AccountExists(account.username));
        }
        Ok(account)
    }

    /// Every account, by username.
    pub async fn accounts(&self) -> Result<Vec<Account>> {
        let sql = format!("SELECT {ACCOUNT_COLUMNS} FROM accounts ORDER BY username");
        let rows = sqlx::query(&sql).fetch_all(&self.pool).await?;
        rows.iter().map(account_of).collect()
    }

    pub async fn account(&self, username: &str) -> Result<Option<Account>> {
        let sql = format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE username = $1");
        let row = sqlx::query(&sql)
            .bind(username)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(account_of).transpose()
    }

    /// Disable an account: it can no longer sign in. Doing it twice is fine.
    pub async fn disable_account(&self, username: &str) -> Result<()> {
        self.set_disabled(username, true).await
    }

    pub async fn enable_account(&self, username: &str) -> Result<()> {
        self.set_disabled(username, false).await
    }

    async fn set_disabled(&self, username: &str, disabled: bool) -> Result<()> {
        let done = sqlx::query("UPDATE accounts SET disabled = $1 WHERE username = $2")
            .bind(i64::from(disabled))
            .bind(username)
            .execute(&self.pool)
            .await?;
        if done.rows_affected() == 0 {
            return Err(Error::UnknownAccount(username.to_owned()));
        }
        Ok(())
    }

    /// Check `pin` against the account called `username`.
    pub async fn sign_in(&self, username: &str, pin: &Pin) -> Result<SignIn> {
        let sql = format!("SELECT {ACCOUNT_COLUMNS}, pin_hash FROM accounts WHERE username = $1");
        let row = sqlx::query(&sql)
            .bind(username)
            .fetch_optional(&self.pool)
            .await?;
        let pin = pin.clone();
        let Some(row) = row else {
            off_the_runtime(move || pin_matches(&pin, decoy_hash()?)).await??;
            return Ok(SignIn::Unknown);
        };
        let account = account_of(&row)?;
        let phc: String = row.try_get("pin_hash")?;
        if !off_the_runtime(move || pin_matches(&pin, &phc)).await?? {
            return Ok(SignIn::WrongPin);
        }
        Ok(if account.disabled {
            SignIn::Disabled
        } else {
            SignIn::Ok(account)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pin_never_prints() {
        let new = NewAccount {
            username: "zhang".to_owned(),
            display_name: "张三".to_owned(),
            role: Role::Admin,
            pin: Pin::new("314159"),
        };
        let printed = format!("{new:?}");
        assert!(!printed.contains("314159"), "{printed}");
        assert!(printed.contains("Pin(***)"));
    }

    #[test]
    fn hashes_are_salted_phc_strings_that_verify() {
        let pin = Pin::new("271828");
        let (a, b) = (hash_pin(&pin).unwrap(), hash_pin(&pin).unwrap());
        assert!(a.starts_with("$argon2id$v=19$"), "{a}");
        assert_ne!(a, b, "each hash has its own salt");
        assert!(pin_matches(&pin, &a).unwrap());
        assert!(!pin_matches(&Pin::new("271829"), &a).unwrap());
    }

    #[test]
    fn roles_read_as_written_and_with_a_dash() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
        }
        assert_eq!("duty-officer".parse::<Role>(), Ok(Role::DutyOfficer));
        assert!("root".parse::<Role>().is_err());
    }
}
