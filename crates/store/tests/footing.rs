//! Emergency plans, the footing in force and the proposals that switch it.

use gridwall_store::{Footing, StoredPlan};

use crate::support::{Fresh, on_both};

fn plan(name: &str, text: &str) -> StoredPlan {
    StoredPlan {
        name: name.to_owned(),
        plan_toml: text.to_owned(),
        updated_at: 1_000,
        updated_by: "admin".to_owned(),
    }
}

async fn plans_are_kept_replaced_and_deleted(fresh: Fresh) -> anyhow::Result<()> {
    let store = &fresh.store;
    let typhoon = plan("台风", "name = \"台风\"\n");
    let drill = plan("演练", "name = \"演练\"\n# 注释 «»\n");
    store.save_plan(&typhoon).await?;
    store.save_plan(&drill).await?;
    assert_eq!(store.plans().await?, vec![typhoon.clone(), drill.clone()]);
    let edited = StoredPlan {
        updated_at: 2_000,
        ..plan("台风", "name = \"台风\"\nkind = \"typhoon\"\n")
    };
    store.save_plan(&edited).await?;
    assert_eq!(store.plans().await?, vec![edited, drill.clone()]);
    assert!(store.delete_plan("台风").await?);
    assert!(!store.delete_plan("台风").await?, "already gone");
    assert_eq!(store.plans().await?, vec![drill]);
    Ok(())
}

async fn a_proposal_is_decided_once(fresh: Fresh) -> anyhow::Result<()> {
    let store = &fresh.store;
    assert_eq!(store.footing().await?, None);
    let first = store.propose("on", "台风", "zhang", 100, 220).await?;
    assert_eq!(first.status, "pending");
    assert_eq!(store.pending_proposal().await?, Some(first.clone()));
    assert!(
        store.propose("on", "演练", "li", 101, 221).await.is_err(),
        "a second pending proposal is refused"
    );

    let footing = Footing {
        plan_name: "台风".to_owned(),
        plan_toml: "name = \"台风\"\n".to_owned(),
        started_at: 5_000,
        proposed_by: "zhang".to_owned(),
        confirmed_by: "li".to_owned(),
    };
    assert!(
        store
            .confirm_proposal(first.id, "li", 150, Some(&footing))
            .await?
    );
    assert!(
        !store
            .confirm_proposal(first.id, "wang", 151, Some(&footing))
            .await?,
        "decided already"
    );
    assert!(
        !store
            .decide_proposal(first.id, "lapsed", "clock", 300)
            .await?
    );
    assert_eq!(store.footing().await?, Some(footing.clone()));
    assert_eq!(store.pending_proposal().await?, None);

    // Back to peacetime: a new proposal, confirmed with no footing.
    let off = store.propose("off", "台风", "li", 400, 520).await?;
    let lapsed = store.propose("off", "台风", "li", 401, 521).await;
    assert!(lapsed.is_err());
    assert!(
        store
            .decide_proposal(off.id, "lapsed", "clock", 600)
            .await?
    );
    assert_eq!(
        store.footing().await?,
        Some(footing),
        "a lapsed proposal changes nothing"
    );
    let off = store.propose("off", "台风", "li", 700, 820).await?;
    assert!(store.confirm_proposal(off.id, "zhang", 710, None).await?);
    assert_eq!(store.footing().await?, None);

    let history = store.proposals(10).await?;
    let statuses: Vec<&str> = history.iter().map(|p| p.status.as_str()).collect();
    assert_eq!(statuses, ["confirmed", "lapsed", "confirmed"]);
    assert_eq!(history[0].decided_by.as_deref(), Some("zhang"));
    Ok(())
}

on_both!(
    plans_are_kept_replaced_and_deleted,
    a_proposal_is_decided_once
);
