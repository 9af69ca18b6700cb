//! The administration commands of the `gridwall` binary (issue 12):
//! `accounts add|list|disable|enable` and `audit verify|export`.
//!
//! They open the store the wall would open (the same `--config`,
//! `--data-dir` and `--database`), need no display, and start neither a
//! window nor the simulator: a centre creates its first admin before anyone
//! signs in, and checks the audit log from a shell. There is no default
//! account and no default PIN. Changes to accounts are themselves audited,
//! with the actor `cli:<os user>`.
//!
//! [`main`] is what the shell calls; [`run`] does the work with the store,
//! the clock, the PIN source and the output passed in, so tests call it.

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use gridwall_store::{Account, AuditEntry, AuditVerdict, NewAccount, Pin, Role, Store};

use crate::config::{Cli, Config, ConfigError, redact_database};

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Local accounts of the console: add, list, disable, enable.
    #[command(subcommand)]
    Accounts(AccountsCommand),
    /// The hash-chained audit log: verify it (exit 1 if tampered), export it.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Emergency plans as TOML files: list, export, import.
    #[command(subcommand)]
    Plans(plans::PlansCommand),
}

#[derive(Debug, Subcommand)]
pub enum AccountsCommand {
    /// Create an account. Its PIN (6 characters or more) is asked twice on
    /// a terminal, or read as one line from standard input.
    Add {
        username: String,
        /// operator, duty_officer or admin.
        #[arg(long)]
        role: Role,
        /// The name shown on the console, e.g. "张三".
        #[arg(long)]
        name: String,
    },
    /// Every account, with its role and whether it is disabled.
    List,
    /// Stop an account from signing in (it stays, as the audit log names it).
    Disable { username: String },
    /// Let a disabled account sign in again.
    Enable { username: String },
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Check the whole log against its hash chain; name the first row that
    /// was edited, removed, inserted or reordered.
    Verify,
    /// Write every row, oldest first, with its chain fields.
    Export {
        /// As CSV (the one format there is).
        #[arg(long, required = true)]
        csv: bool,
        /// File to write (default: standard output).
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
}

#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("cannot open the store at {database}: {source}")]
    Open {
        database: String,
        source: gridwall_store::Error,
    },
    #[error(transparent)]
    Store(#[from] gridwall_store::Error),
    #[error("no PIN given: type it at the prompt, or pipe it as one line on standard input")]
    NoPin,
    #[error("the two PINs differ; nothing was changed")]
    PinsDiffer,
    #[error("could not read the PIN: {0}")]
    ReadPin(std::io::Error),
    #[error("could not write {what}: {source}")]
    Write {
        what: String,
        source: std::io::Error,
    },
    #[error("could not write the CSV: {0}")]
    Csv(#[from] csv::Error),
    #[error("could not read {what}: {source}")]
    Read {
        what: String,
        source: std::io::Error,
    },
    #[error(transparent)]
    Plan(#[from] crate::emergency::PlanError),
    #[error("no plan called {0:?}: `gridwall plans list` shows them")]
    NoPlan(String),
}

pub type Result<T> = std::result::Result<T, AdminError>;

/// Who runs a command and when: the audit log's actor and time.
#[derive(Clone, Debug)]
pub struct Session {
    pub actor: String,
    pub now: OffsetDateTime,
}

impl Session {
    /// `cli:<os user>`, now.
    pub fn from_environment() -> Session {
        let user = ["USER", "LOGNAME", "USERNAME"]
            .iter()
            .find_map(|name| std::env::var(name).ok().filter(|v| !v.is_empty()))
            .or_else(process_uid)
            .unwrap_or_else(|| "unknown".to_owned());
        Session {
            actor: format!("cli:{user}"),
            now: OffsetDateTime::now_utc(),
        }
    }
}

/// `uid N` of this process, for shells that set no USER (cron, `su -c`,
/// containers): /proc/self belongs to the process's user.
#[cfg(target_os = "linux")]
fn process_uid() -> Option<String> {
    use std::os::unix::fs::MetadataExt;
    let uid = std::fs::metadata("/proc/self").ok()?.uid();
    Some(format!("uid {uid}"))
}

#[cfg(not(target_os = "linux"))]
fn process_uid() -> Option<String> {
    None
}

/// Where `accounts add` gets its PIN.
pub trait PinSource {
    fn pin(&mut self) -> Result<Pin>;
}

/// The process's standard input: on a terminal, a prompt without echo,
/// twice; otherwise one line, so a script or a test can pipe it.
pub struct StandardInput;

impl PinSource for StandardInput {
    fn pin(&mut self) -> Result<Pin> {
        if !std::io::stdin().is_terminal() {
            return Lines(std::io::stdin().lock()).pin();
        }
        let first = rpassword::prompt_password("PIN: ").map_err(AdminError::ReadPin)?;
        let again = rpassword::prompt_password("PIN again: ").map_err(AdminError::ReadPin)?;
        if first != again {
            return Err(AdminError::PinsDiffer);
        }
        non_empty(first)
    }
}

/// One line of a reader (its line ending dropped).
pub struct Lines<R>(pub R);

impl<R: BufRead> PinSource for Lines<R> {
    fn pin(&mut self) -> Result<Pin> {
        let mut line = String::new();
        self.0.read_line(&mut line).map_err(AdminError::ReadPin)?;
        let len = line.trim_end_matches(['\n', '\r']).len();
        line.truncate(len);
        non_empty(line)
    }
}

fn non_empty(pin: String) -> Result<Pin> {
    if pin.is_empty() {
        return Err(AdminError::NoPin);
    }
    Ok(Pin::new(pin))
}

/// How a command ended, for the exit status.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Done,
    /// `audit verify` found the log tampered with (exit status 1).
    Tampered,
}

/// Run `command` from the command line: load the configuration, open the
/// store, run, print errors. Exit status 0 when done, 1 when the audit log
/// was tampered with, 2 on any error.
pub fn main(cli: &Cli, command: &Command) -> ExitCode {
    let outcome = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|source| AdminError::Write {
            what: "(starting the runtime)".to_owned(),
            source,
        })
        .and_then(|runtime| runtime.block_on(open_and_run(cli, command)));
    match outcome {
        Ok(Outcome::Done) => ExitCode::SUCCESS,
        Ok(Outcome::Tampered) => ExitCode::from(1),
        Err(err) => {
            eprintln!("gridwall: {err}");
            ExitCode::from(2)
        }
    }
}

async fn open_and_run(cli: &Cli, command: &Command) -> Result<Outcome> {
    let config = Config::load(cli)?;
    let database = config.database_or_default(&config.data_dir_or_default());
    let store = Store::open(&database)
        .await
        .map_err(|source| AdminError::Open {
            database: redact_database(&database),
            source,
        })?;
    let session = Session::from_environment();
    let outcome = run(
        command,
        &store,
        &session,
        &mut StandardInput,
        &mut std::io::stdout().lock(),
    )
    .await;
    store.close().await;
    outcome
}

/// Run `command` against `store`, writing what it prints to `out`.
pub async fn run(
    command: &Command,
    store: &Store,
    session: &Session,
    pins: &mut dyn PinSource,
    out: &mut dyn Write,
) -> Result<Outcome> {
    match command {
        Command::Accounts(AccountsCommand::Add {
            username,
            role,
            name,
        }) => {
            let new = NewAccount {
                username: username.clone(),
                display_name: name.clone(),
                role: *role,
                pin: pins.pin()?,
            };
            let account = store.add_account(&new, session.now).await?;
            let detail = format!("role {}, name {}", account.role, account.display_name);
            audit(store, session, "add_account", username, detail).await?;
            print(out, format_args!("added {}\n", describe(&account)))?;
        }
        Command::Accounts(AccountsCommand::List) => list(store, out).await?,
        Command::Accounts(AccountsCommand::Disable { username }) => {
            store.disable_account(username).await?;
            audit(store, session, "disable_account", username, String::new()).await?;
            print(out, format_args!("disabled {username}\n"))?;
        }
        Command::Accounts(AccountsCommand::Enable { username }) => {
            store.enable_account(username).await?;
            audit(store, session, "enable_account", username, String::new()).await?;
            print(out, format_args!("enabled {username}\n"))?;
        }
        Command::Audit(AuditCommand::Verify) => {
            let verdict = store.verify_audit().await?;
            print(out, format_args!("{verdict}\n"))?;
            if let AuditVerdict::Tampered(_) = verdict {
                return Ok(Outcome::Tampered);
            }
        }
        Command::Plans(command) => plans::run(command, store, session, out).await?,
        Command::Audit(AuditCommand::Export { csv: _, output }) => match output {
            Some(path) => {
                let write_error = |source| AdminError::Write {
                    what: path.display().to_string(),
                    source,
                };
                let file = std::fs::File::create(path).map_err(write_error)?;
                let mut file = std::io::BufWriter::new(file);
                let rows = export_csv(store, &mut file).await?;
                file.flush().map_err(write_error)?;
                print(
                    out,
                    format_args!("wrote {rows} audit rows to {}\n", path.display()),
                )?;
            }
            None => {
                export_csv(store, out).await?;
            }
        },
    }
    Ok(Outcome::Done)
}

fn print(out: &mut dyn Write, text: std::fmt::Arguments<'_>) -> Result<()> {
    out.write_fmt(text).map_err(|source| AdminError::Write {
        what: "the output".to_owned(),
        source,
    })
}

async fn audit(
    store: &Store,
    session: &Session,
    action: &str,
    subject: &str,
    detail: String,
) -> Result<()> {
    store
        .record_audit(&AuditEntry {
            at: session.now,
            actor: session.actor.clone(),
            action: action.to_owned(),
            subject: subject.to_owned(),
            detail,
        })
        .await?;
    Ok(())
}

fn rfc3339(at: OffsetDateTime) -> String {
    at.format(&Rfc3339).unwrap_or_else(|_| at.to_string())
}

fn describe(account: &Account) -> String {
    format!(
        "{} ({}, {})",
        account.username, account.display_name, account.role
    )
}

async fn list(store: &Store, out: &mut dyn Write) -> Result<()> {
    let accounts = store.accounts().await?;
    if accounts.is_empty() {
        return print(
            out,
            format_args!(
                "no accounts yet: add the first admin with `gridwall accounts add <username> --role admin --name <name>`\n"
            ),
        );
    }
    print(
        out,
        format_args!(
            "{:<20} {:<13} {:<9} {:<21} name\n",
            "username", "role", "state", "created"
        ),
    )?;
    for account in accounts {
        let state = if account.disabled {
            "disabled"
        } else {
            "active"
        };
        print(
            out,
            format_args!(
                "{:<20} {:<13} {:<9} {:<21} {}\n",
                account.username,
                account.role.as_str(),
                state,
                rfc3339(account.created_at),
                account.display_name
            ),
        )?;
    }
    Ok(())
}

/// The columns of the export, in order.
pub const CSV_HEADER: [&str; 9] = [
    "seq",
    "audit_id",
    "at",
    "actor",
    "action",
    "subject",
    "detail",
    "prev_hash",
    "hash",
];

/// Write every audit row, oldest first, as CSV to `out`; how many.
pub async fn export_csv(store: &Store, out: &mut dyn Write) -> Result<usize> {
    let rows = store.audit_rows().await?;
    let mut csv = csv::Writer::from_writer(out);
    csv.write_record(CSV_HEADER)?;
    for row in &rows {
        csv.write_record([
            row.seq.map(|seq| seq.to_string()).unwrap_or_default(),
            row.audit_id.to_string(),
            rfc3339(row.entry.at),
            row.entry.actor.clone(),
            row.entry.action.clone(),
            row.entry.subject.clone(),
            row.entry.detail.clone(),
            row.prev_hash.clone(),
            row.hash.clone(),
        ])?;
    }
    csv.flush().map_err(|source| AdminError::Write {
        what: "the CSV".to_owned(),
        source,
    })?;
    Ok(rows.len())
}

mod plans;
#[cfg(test)]
mod tests;
