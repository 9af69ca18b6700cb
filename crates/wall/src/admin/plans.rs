//! `gridwall plans`: emergency plans as files, so a centre can prepare them
//! in advance and keep them in version control. Import checks the plan's
//! shape (the towns and grids are checked against the platform's reference
//! data when an admin imports it in the console, which has them).

use std::io::Write;
use std::path::PathBuf;

use clap::Subcommand;

use gridwall_store::{Store, StoredPlan};

use super::{AdminError, Result, Session, audit, print};
use crate::emergency::Plan;

#[derive(Debug, Subcommand)]
pub enum PlansCommand {
    /// Every plan in the store, with its kind and who last changed it.
    List,
    /// Write a plan's TOML, as stored (default: standard output).
    Export {
        name: String,
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
    /// Add a plan from a TOML file, or replace the plan of the same name.
    Import { file: PathBuf },
}

pub(super) async fn run(
    command: &PlansCommand,
    store: &Store,
    session: &Session,
    out: &mut dyn Write,
) -> Result<()> {
    match command {
        PlansCommand::List => {
            let plans = store.plans().await?;
            if plans.is_empty() {
                return print(out, format_args!("no plans yet\n"));
            }
            for stored in plans {
                let kind = Plan::parse(&stored.plan_toml, None)
                    .map(|p| format!("{:?}", p.kind).to_lowercase())
                    .unwrap_or_else(|e| format!("does not parse: {e}"));
                print(
                    out,
                    format_args!("{}\t{kind}\tby {}\n", stored.name, stored.updated_by),
                )?;
            }
        }
        PlansCommand::Export { name, output } => {
            let stored = store
                .plans()
                .await?
                .into_iter()
                .find(|p| &p.name == name)
                .ok_or_else(|| AdminError::NoPlan(name.clone()))?;
            match output {
                Some(path) => {
                    std::fs::write(path, &stored.plan_toml).map_err(|source| {
                        AdminError::Write {
                            what: path.display().to_string(),
                            source,
                        }
                    })?;
                    print(out, format_args!("wrote {name} to {}\n", path.display()))?;
                }
                None => print(out, format_args!("{}", stored.plan_toml))?,
            }
        }
        PlansCommand::Import { file } => {
            let text = std::fs::read_to_string(file).map_err(|source| AdminError::Read {
                what: file.display().to_string(),
                source,
            })?;
            let plan = Plan::parse(&text, None)?;
            store
                .save_plan(&StoredPlan {
                    name: plan.name.clone(),
                    plan_toml: text,
                    updated_at: session.now.unix_timestamp(),
                    updated_by: session.actor.clone(),
                })
                .await?;
            audit(store, session, "save_plan", &plan.name, String::new()).await?;
            print(out, format_args!("imported {}\n", plan.name))?;
        }
    }
    Ok(())
}
