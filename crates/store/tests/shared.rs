//! Several instances on one store: change notices and the ingest leader's lock.

use std::time::Duration;

use gridwall_store::{AuditEntry, Change, Heard, Listener, Store};

use crate::support::{Fresh, at, on_both};

async fn next(listener: &mut Listener) -> anyhow::Result<Change> {
    match tokio::time::timeout(Duration::from_secs(5), listener.next()).await?? {
        Heard::Notice(notice) => Ok(notice.change),
        Heard::Reconnected => anyhow::bail!("the listener lost its connection"),
    }
}

async fn instances_hear_each_other_and_one_holds_the_lock(fresh: Fresh) -> anyhow::Result<()> {
    let a = &fresh.store;
    if !a.shared() {
        // One process on SQLite: nobody to tell, nothing to elect.
        assert!(a.listen().await?.is_none());
        assert!(a.leader_lock().await?.is_none());
        a.announce(Change::Acks).await?;
        return Ok(());
    }
    let b = Store::open(&fresh.url).await?;
    assert_ne!(a.origin(), b.origin());
    let mut hears_b = b.listen().await?.expect("a listener on PostgreSQL");

    // A's own notices are not given back to A; B hears them in order.
    let mut hears_a = a.listen().await?.expect("a listener on PostgreSQL");
    let revisions = Change::revisions(vec!["330282001001G01".into()], vec!["E1".into()]);
    a.announce(revisions.clone()).await?;
    a.record_audit(&AuditEntry {
        at: at(1_000),
        actor: "zhang".into(),
        action: "acknowledge_alert".into(),
        subject: "E1".into(),
        detail: String::new(),
    })
    .await?;
    assert_eq!(next(&mut hears_b).await?, revisions);
    assert_eq!(
        next(&mut hears_b).await?,
        Change::Act {
            action: "acknowledge_alert".into(),
            subject: "E1".into(),
            actor: "zhang".into(),
        },
        "an audited act is announced"
    );
    b.announce(Change::Acks).await?;
    assert_eq!(next(&mut hears_a).await?, Change::Acks, "A skipped its own");

    // One leader at a time; released, the lock goes to the next who asks.
    let lock = a
        .leader_lock()
        .await?
        .expect("the first asks, the first gets it");
    assert!(b.leader_lock().await?.is_none(), "held by A");
    assert!(
        a.leader_lock().await?.is_none(),
        "even A's second session waits"
    );
    lock.release().await;
    let mut lock = b.leader_lock().await?.expect("free again");
    assert!(lock.alive().await);
    // A session that ends without releasing (a killed process) frees it too.
    drop(lock);
    let mut got = None;
    for _ in 0..50 {
        got = a.leader_lock().await?;
        if got.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(got.is_some(), "a dropped session's lock was never freed");
    Ok(())
}

on_both!(instances_hear_each_other_and_one_holds_the_lock);
