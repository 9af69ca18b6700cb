//! Local accounts (issue 12): created with a hashed PIN, listed, signed in
//! to, disabled and enabled again; bad names and short PINs refused.

use gridwall_store::{Error, NewAccount, Pin, Role, SignIn};
use sqlx::Row;

use crate::support::{Fresh, at, on_both};

fn zhang() -> NewAccount {
    NewAccount {
        username: "zhang".to_owned(),
        display_name: "张三".to_owned(),
        role: Role::DutyOfficer,
        pin: Pin::new("520131"),
    }
}

async fn accounts_sign_in_only_with_their_pin_while_enabled(fresh: Fresh) -> anyhow::Result<()> {
    let store = &fresh.store;
    let added = store.add_account(&zhang(), at(1_000)).await?;
    assert_eq!(
        (added.username.as_str(), added.role, added.disabled),
        ("zhang", Role::DutyOfficer, false)
    );
    let admin = NewAccount {
        username: "li".to_owned(),
        display_name: " 李四 ".to_owned(),
        role: Role::Admin,
        pin: Pin::new("correct horse"),
    };
    store.add_account(&admin, at(2_000)).await?;
    let listed = store.accounts().await?;
    assert_eq!(listed.len(), 2);
    assert_eq!(
        (listed[0].username.as_str(), listed[0].display_name.as_str()),
        ("li", "李四")
    );
    assert_eq!(listed[1], added);
    assert_eq!(store.account("zhang").await?, Some(added.clone()));

    assert_eq!(
        store.sign_in("zhang", &Pin::new("520131")).await?,
        SignIn::Ok(added.clone())
    );
    assert_eq!(
        store.sign_in("zhang", &Pin::new("520132")).await?,
        SignIn::WrongPin
    );
    assert_eq!(
        store.sign_in("wang", &Pin::new("520131")).await?,
        SignIn::Unknown
    );

    store.disable_account("zhang").await?;
    store.disable_account("zhang").await?;
    assert_eq!(
        store.sign_in("zhang", &Pin::new("520131")).await?,
        SignIn::Disabled
    );
    assert_eq!(
        store.sign_in("zhang", &Pin::new("000000")).await?,
        SignIn::WrongPin,
        "a disabled account is only told apart with its right PIN"
    );
    assert!(store.account("zhang").await?.is_some_and(|a| a.disabled));
    store.enable_account("zhang").await?;
    assert_eq!(
        store.sign_in("zhang", &Pin::new("520131")).await?,
        SignIn::Ok(added)
    );
    Ok(())
}

async fn only_an_argon2id_hash_of_the_pin_is_stored(fresh: Fresh) -> anyhow::Result<()> {
    fresh.store.add_account(&zhang(), at(0)).await?;
    let stored: String = sqlx::query("SELECT pin_hash FROM accounts WHERE username = 'zhang'")
        .fetch_one(fresh.store.pool())
        .await?
        .try_get("pin_hash")?;
    assert!(stored.starts_with("$argon2id$v=19$"), "{stored}");
    assert!(!stored.contains("520131"));
    Ok(())
}

async fn bad_accounts_are_refused(fresh: Fresh) -> anyhow::Result<()> {
    let store = &fresh.store;
    store.add_account(&zhang(), at(0)).await?;
    assert!(matches!(
        store.add_account(&zhang(), at(0)).await,
        Err(Error::AccountExists(name)) if name == "zhang"
    ));
    let short = NewAccount {
        username: "wang".to_owned(),
        pin: Pin::new("12345"),
        ..zhang()
    };
    let refused = store.add_account(&short, at(0)).await.unwrap_err();
    assert_eq!(
        refused.to_string(),
        "the PIN must have at least 6 characters"
    );
    for (username, display_name) in [("", "王五"), ("wang wu", "王五"), ("wang", "  ")] {
        let bad = NewAccount {
            username: username.to_owned(),
            display_name: display_name.to_owned(),
            ..zhang()
        };
        assert!(
            matches!(
                store.add_account(&bad, at(0)).await,
                Err(Error::InvalidAccount(_))
            ),
            "{username:?} {display_name:?}"
        );
    }
    assert!(matches!(
        store.disable_account("wang").await,
        Err(Error::UnknownAccount(name)) if name == "wang"
    ));
    assert_eq!(store.accounts().await?.len(), 1);
    Ok(())
}

on_both!(
    accounts_sign_in_only_with_their_pin_while_enabled,
    only_an_argon2id_hash_of_the_pin_is_stored,
    bad_accounts_are_refused
);
