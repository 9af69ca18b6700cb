//! The administration commands run against a store in a temporary folder,
//! as `gridwall` would run them (the store's own tests cover PostgreSQL).

use clap::Parser;

use super::*;

struct Bench {
    store: Store,
    _dir: tempfile::TempDir,
}

async fn bench() -> Bench {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let path = dir.path().join("store.sqlite");
    let store = Store::open(path.to_str().expect("temp paths are UTF-8"))
        .await
        .expect("the store opens");
    Bench { store, _dir: dir }
}

fn session() -> Session {
    Session {
        actor: "cli:root".to_owned(),
        now: OffsetDateTime::from_unix_timestamp(1_764_900_000).expect("in range"),
    }
}

/// Parse a command line as `gridwall` would; its administration command.
fn command(args: &[&str]) -> Command {
    let cli = Cli::try_parse_from(std::iter::once("gridwall").chain(args.iter().copied()))
        .expect("the command line parses");
    cli.command.expect("an administration command")
}

/// Run `args` with `pin` on standard input; what it printed.
async fn gridwall(store: &Store, args: &[&str], pin: &str) -> Result<(Outcome, String)> {
    let mut out = Vec::new();
    let outcome = run(
        &command(args),
        store,
        &session(),
        &mut Lines(pin.as_bytes()),
        &mut out,
    )
    .await?;
    Ok((outcome, String::from_utf8(out).expect("UTF-8 output")))
}

/// Add an account with `pin` piped in, then disable it: two audited acts.
async fn add_then_disable(
    store: &Store,
    username: &str,
    role: &str,
    name: &str,
    pin: &str,
) -> Result<()> {
    let add = ["accounts", "add", username, "--role", role, "--name", name];
    gridwall(store, &add, pin).await?;
    gridwall(store, &["accounts", "disable", username], "").await?;
    Ok(())
}

#[test]
fn the_wall_flags_still_open_the_wall_and_global_flags_follow_a_command() {
    let cli = Cli::try_parse_from(["gridwall", "--windowed", "--size", "1600x900"]).unwrap();
    assert!(cli.command.is_none() && cli.windowed);
    let cli = Cli::try_parse_from([
        "gridwall",
        "accounts",
        "add",
        "zhang",
        "--role",
        "admin",
        "--name",
        "张三",
        "--data-dir",
        "/tmp/x",
    ])
    .unwrap();
    assert_eq!(
        cli.data_dir.as_deref(),
        Some(std::path::Path::new("/tmp/x"))
    );
    assert!(matches!(
        cli.command,
        Some(Command::Accounts(AccountsCommand::Add {
            role: Role::Admin,
            ..
        }))
    ));
    assert!(
        Cli::try_parse_from(["gridwall", "audit", "export"]).is_err(),
        "--csv is required"
    );
    assert!(
        Cli::try_parse_from([
            "gridwall", "accounts", "add", "x", "--role", "root", "--name", "x"
        ])
        .is_err()
    );
}

#[tokio::test]
async fn accounts_are_added_listed_disabled_and_each_change_is_audited() -> Result<()> {
    let bench = bench().await;
    let store = &bench.store;
    let (_, listed) = gridwall(store, &["accounts", "list"], "").await?;
    assert!(listed.starts_with("no accounts yet"), "{listed}");

    let add = [
        "accounts", "add", "zhang", "--role", "admin", "--name", "张三",
    ];
    let (outcome, printed) = gridwall(store, &add, "520131\n").await?;
    assert_eq!(
        (outcome, printed.as_str()),
        (Outcome::Done, "added zhang (张三, admin)\n")
    );
    assert!(matches!(
        gridwall(store, &add, "520131\n").await,
        Err(AdminError::Store(gridwall_store::Error::AccountExists(_)))
    ));
    assert!(matches!(
        gridwall(store, &add, "\n").await,
        Err(AdminError::NoPin)
    ));

    gridwall(store, &["accounts", "disable", "zhang"], "").await?;
    let (_, listed) = gridwall(store, &["accounts", "list"], "").await?;
    let lines: Vec<&str> = listed.lines().collect();
    assert_eq!(lines.len(), 2, "{listed}");
    assert!(
        lines[1].starts_with("zhang")
            && lines[1].contains("admin")
            && lines[1].contains("disabled")
    );
    assert!(lines[1].ends_with("张三"));
    assert_eq!(
        store.sign_in("zhang", &Pin::new("520131")).await?,
        gridwall_store::SignIn::Disabled,
        "the piped line, without its newline, is the PIN"
    );

    let rows = store.audit_rows().await?;
    let acts: Vec<(&str, &str, &str)> = rows
        .iter()
        .map(|r| {
            (
                r.entry.actor.as_str(),
                r.entry.action.as_str(),
                r.entry.subject.as_str(),
            )
        })
        .collect();
    assert_eq!(
        acts,
        [
            ("cli:root", "add_account", "zhang"),
            ("cli:root", "disable_account", "zhang")
        ]
    );
    assert!(!rows[0].entry.detail.contains("520131"));
    Ok(())
}

#[tokio::test]
async fn verify_says_intact_or_names_the_row_and_fails() -> Result<()> {
    let bench = bench().await;
    let store = &bench.store;
    add_then_disable(store, "li", "duty_officer", "李四", "8675309").await?;
    let (outcome, printed) = gridwall(store, &["audit", "verify"], "").await?;
    assert_eq!(
        (outcome, printed.as_str()),
        (Outcome::Done, "audit log intact: 2 rows\n")
    );

    sqlx::query("UPDATE audit SET actor = 'someone else' WHERE seq = 2")
        .execute(store.pool())
        .await
        .map_err(gridwall_store::Error::from)?;
    let (outcome, printed) = gridwall(store, &["audit", "verify"], "").await?;
    assert_eq!(outcome, Outcome::Tampered);
    assert!(
        printed
            .starts_with("audit row 2 (at 2025-12-05T02:00:00Z, disable_account by someone else)"),
        "{printed}"
    );
    Ok(())
}

#[tokio::test]
async fn the_export_is_every_row_oldest_first_as_csv() -> Result<()> {
    let bench = bench().await;
    let store = &bench.store;
    add_then_disable(store, "wang", "operator", "王五, 夜班", "123456\r\n").await?;

    let (_, printed) = gridwall(store, &["audit", "export", "--csv"], "").await?;
    let file = bench._dir.path().join("audit.csv");
    let to_file = [
        "audit",
        "export",
        "--csv",
        "--output",
        file.to_str().unwrap(),
    ];
    let (_, said) = gridwall(store, &to_file, "").await?;
    assert!(said.starts_with("wrote 2 audit rows to "), "{said}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), printed);

    let mut csv = csv::Reader::from_reader(printed.as_bytes());
    assert_eq!(
        csv.headers()?,
        &csv::StringRecord::from(CSV_HEADER.to_vec())
    );
    let records: Vec<csv::StringRecord> = csv.records().collect::<std::result::Result<_, _>>()?;
    assert_eq!(records.len(), 2);
    assert_eq!(&records[0][0], "1");
    assert_eq!(&records[0][4], "add_account");
    assert_eq!(
        &records[0][6], "role operator, name 王五, 夜班",
        "a comma survives quoting"
    );
    assert_eq!(
        &records[1][7], &records[0][8],
        "each row carries the previous hash"
    );
    assert_eq!(&records[1][2], "2025-12-05T02:00:00Z");
    Ok(())
}

#[tokio::test]
async fn a_plan_exported_and_imported_again_is_the_same_text() -> Result<()> {
    let bench = bench().await;
    let dir = tempfile::tempdir().expect("a temporary folder");
    let sample = dir.path().join("typhoon.toml");
    std::fs::write(&sample, crate::emergency::plan::SAMPLES[0]).expect("written");
    let (_, said) = gridwall(
        &bench.store,
        &["plans", "import", sample.to_str().expect("UTF-8")],
        "",
    )
    .await?;
    assert!(said.starts_with("imported 台风防御Ⅱ级响应"), "{said}");
    let (_, listed) = gridwall(&bench.store, &["plans", "list"], "").await?;
    assert!(
        listed.contains("台风防御Ⅱ级响应\ttyphoon\tby cli:root"),
        "{listed}"
    );
    let (_, exported) = gridwall(&bench.store, &["plans", "export", "台风防御Ⅱ级响应"], "").await?;
    assert_eq!(exported, crate::emergency::plan::SAMPLES[0]);

    let broken = dir.path().join("broken.toml");
    std::fs::write(&broken, "name = \"x\"\nkind = \"flood\"\n").expect("written");
    let refused = gridwall(
        &bench.store,
        &["plans", "import", broken.to_str().expect("UTF-8")],
        "",
    )
    .await;
    assert!(
        matches!(
            refused,
            Err(AdminError::Plan(crate::emergency::PlanError::EmptyScope))
        ),
        "{refused:?}"
    );
    let saves = bench.store.audit("save_plan").await?;
    assert_eq!(saves.len(), 1, "one import, audited once");
    Ok(())
}
