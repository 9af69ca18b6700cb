//! The audit log's hash chain (issue 12): an intact log verifies; editing,
//! deleting, inserting or swapping one row is found and the verdict names
//! that row; concurrent appends keep one chain; rows from before the chain
//! are chained once, on open, and never a forged one afterwards.

use std::sync::Arc;

use gridwall_store::audit::chain::{GENESIS, row_hash};
use gridwall_store::{AuditEntry, AuditRow, AuditVerdict, Store, Tampering};

use crate::support::{Fresh, at, on_both};

fn entry(n: i64) -> AuditEntry {
    AuditEntry {
        at: at(1_000 + n),
        actor: format!("值班员 {n}"),
        action: if n % 2 == 0 {
            "push_to_wall"
        } else {
            "acknowledge_alert"
        }
        .to_owned(),
        subject: format!("E{n}"),
        detail: format!("第 {n} 条"),
    }
}

/// A store holding six chained rows.
async fn six_rows(fresh: &Fresh) -> anyhow::Result<Vec<AuditRow>> {
    for n in 1..=6 {
        fresh.store.record_audit(&entry(n)).await?;
    }
    Ok(fresh.store.audit_rows().await?)
}

async fn execute(store: &Store, sql: &str) -> anyhow::Result<()> {
    sqlx::query(sql).execute(store.pool()).await?;
    Ok(())
}

/// Write every column of `row` but its key into the row `audit_id`.
async fn overwrite(store: &Store, audit_id: i64, row: &AuditRow) -> anyhow::Result<()> {
    sqlx::query(
        "UPDATE audit SET seq = $1, at = $2, actor = $3, action = $4, subject = $5, \
         detail = $6, prev_hash = $7, hash = $8 WHERE audit_id = $9",
    )
    .bind(row.seq)
    .bind(row.entry.at.unix_timestamp())
    .bind(row.entry.actor.as_str())
    .bind(row.entry.action.as_str())
    .bind(row.entry.subject.as_str())
    .bind(row.entry.detail.as_str())
    .bind(row.prev_hash.as_str())
    .bind(row.hash.as_str())
    .bind(audit_id)
    .execute(store.pool())
    .await?;
    Ok(())
}

async fn tampering(store: &Store) -> anyhow::Result<Tampering> {
    match store.verify_audit().await? {
        AuditVerdict::Tampered(tampering) => Ok(tampering),
        intact => anyhow::bail!("expected tampering, got {intact}"),
    }
}

async fn an_intact_log_verifies_and_exports_oldest_first(fresh: Fresh) -> anyhow::Result<()> {
    assert_eq!(
        fresh.store.verify_audit().await?,
        AuditVerdict::Intact { rows: 0 }
    );
    let rows = six_rows(&fresh).await?;
    let verdict = fresh.store.verify_audit().await?;
    assert_eq!(verdict, AuditVerdict::Intact { rows: 6 });
    assert_eq!(verdict.to_string(), "audit log intact: 6 rows");
    let seqs: Vec<_> = rows.iter().map(|row| row.seq).collect();
    assert_eq!(seqs, (1..=6).map(Some).collect::<Vec<_>>());
    assert_eq!(rows[0].entry, entry(1));
    assert_eq!(rows[0].prev_hash, GENESIS);
    for pair in rows.windows(2) {
        assert_eq!(pair[1].prev_hash, pair[0].hash);
    }
    Ok(())
}

async fn an_edited_row_is_named(fresh: Fresh) -> anyhow::Result<()> {
    six_rows(&fresh).await?;
    execute(&fresh.store, "UPDATE audit SET detail = '无' WHERE seq = 3").await?;
    let found = tampering(&fresh.store).await?;
    let Tampering::Edited { row } = &found else {
        anyhow::bail!("expected an edit, got {found}");
    };
    assert_eq!(row.seq, Some(3));
    assert_eq!(
        found.to_string(),
        "audit row 3 (at 1970-01-01T00:16:43Z, acknowledge_alert by 值班员 3): \
         its content was edited after it was written"
    );
    Ok(())
}

async fn a_deleted_row_is_named_in_the_middle_and_at_the_end(fresh: Fresh) -> anyhow::Result<()> {
    six_rows(&fresh).await?;
    execute(&fresh.store, "DELETE FROM audit WHERE seq = 6").await?;
    assert_eq!(
        tampering(&fresh.store).await?,
        Tampering::Removed {
            first: 6,
            last: 6,
            before: None
        }
    );
    execute(&fresh.store, "DELETE FROM audit WHERE seq = 3").await?;
    let found = tampering(&fresh.store).await?;
    let Tampering::Removed {
        first: 3,
        last: 3,
        before: Some(before),
    } = &found
    else {
        anyhow::bail!("expected row 3 removed, got {found}");
    };
    assert_eq!(before.seq, Some(4));
    assert!(found.to_string().starts_with("audit row 3 was removed"));
    Ok(())
}

async fn an_inserted_row_is_named(fresh: Fresh) -> anyhow::Result<()> {
    six_rows(&fresh).await?;
    // Written as the table looked before the chain: no place, no hash.
    execute(
        &fresh.store,
        "INSERT INTO audit (at, actor, action, subject, detail) \
         VALUES (1003, '值班员 9', 'push_to_wall', 'E9', '')",
    )
    .await?;
    let found = tampering(&fresh.store).await?;
    let Tampering::Inserted { row } = &found else {
        anyhow::bail!("expected an insert, got {found}");
    };
    assert_eq!((row.seq, row.actor.as_str()), (None, "值班员 9"));

    // Reopening does not chain it: only rows from before the chain are.
    Store::open(&fresh.url).await?.close().await;
    assert_eq!(tampering(&fresh.store).await?, found);

    // One made to look chained, in the next place, is past the head.
    execute(&fresh.store, "DELETE FROM audit WHERE seq IS NULL").await?;
    // By someone who knows the hashing and links it properly.
    let newest = fresh.store.audit_rows().await?.remove(5);
    let hash = row_hash(7, &newest.entry, &newest.hash);
    sqlx::query(
        "INSERT INTO audit (seq, at, actor, action, subject, detail, prev_hash, hash) \
         VALUES (7, $1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(newest.entry.at.unix_timestamp())
    .bind(newest.entry.actor.as_str())
    .bind(newest.entry.action.as_str())
    .bind(newest.entry.subject.as_str())
    .bind(newest.entry.detail.as_str())
    .bind(newest.hash.as_str())
    .bind(hash.as_str())
    .execute(fresh.store.pool())
    .await?;
    let found = tampering(&fresh.store).await?;
    let Tampering::Inserted { row } = &found else {
        anyhow::bail!("expected an insert, got {found}");
    };
    assert_eq!(row.seq, Some(7));
    Ok(())
}

async fn swapped_rows_are_named(fresh: Fresh) -> anyhow::Result<()> {
    let rows = six_rows(&fresh).await?;
    let (third, fourth) = (&rows[2], &rows[3]);

    // The contents exchanged, the chain columns left in place.
    let with_content = |row: &AuditRow, from: &AuditRow| AuditRow {
        entry: from.entry.clone(),
        ..row.clone()
    };
    overwrite(&fresh.store, third.audit_id, &with_content(third, fourth)).await?;
    overwrite(&fresh.store, fourth.audit_id, &with_content(fourth, third)).await?;
    let found = tampering(&fresh.store).await?;
    let Tampering::Swapped { row, with } = &found else {
        anyhow::bail!("expected a swap, got {found}");
    };
    assert_eq!((row.seq, with.seq), (Some(3), Some(4)));

    // Whole rows exchanged, place and hashes too: the order is wrong.
    // (The place goes through NULL first: two rows cannot share one.)
    overwrite(
        &fresh.store,
        third.audit_id,
        &AuditRow {
            seq: None,
            ..fourth.clone()
        },
    )
    .await?;
    overwrite(&fresh.store, fourth.audit_id, third).await?;
    overwrite(&fresh.store, third.audit_id, fourth).await?;
    let found = tampering(&fresh.store).await?;
    let Tampering::Reordered { row, after } = &found else {
        anyhow::bail!("expected a reorder, got {found}");
    };
    assert_eq!((row.seq, after.seq), (Some(3), Some(4)));
    Ok(())
}

async fn concurrent_appends_keep_one_chain(fresh: Fresh) -> anyhow::Result<()> {
    let store = Arc::new(fresh.store);
    let mut writers = tokio::task::JoinSet::new();
    for writer in 0..6 {
        let store = store.clone();
        writers.spawn(async move {
            for n in 0..15 {
                store.record_audit(&entry(writer * 100 + n)).await?;
            }
            anyhow::Ok(())
        });
    }
    while let Some(done) = writers.join_next().await {
        done??;
    }
    assert_eq!(
        store.verify_audit().await?,
        AuditVerdict::Intact { rows: 90 }
    );
    Ok(())
}

async fn rows_from_before_the_chain_are_chained_once_on_open(fresh: Fresh) -> anyhow::Result<()> {
    // As an older app left them: no place in the chain, no hash.
    for n in 1..=3 {
        sqlx::query(
            "INSERT INTO audit (at, actor, action, subject, detail) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(entry(n).at.unix_timestamp())
        .bind(entry(n).actor)
        .bind(entry(n).action)
        .bind(entry(n).subject)
        .bind(entry(n).detail)
        .execute(fresh.store.pool())
        .await?;
    }
    fresh.store.close().await;
    let store = Store::open(&fresh.url).await?;
    assert_eq!(
        store.verify_audit().await?,
        AuditVerdict::Intact { rows: 3 }
    );
    store.record_audit(&entry(4)).await?;
    assert_eq!(
        store.verify_audit().await?,
        AuditVerdict::Intact { rows: 4 }
    );
    let rows = store.audit_rows().await?;
    assert_eq!(rows[0].entry, entry(1), "oldest first, as written");
    Ok(())
}

on_both!(
    an_intact_log_verifies_and_exports_oldest_first,
    an_edited_row_is_named,
    a_deleted_row_is_named_in_the_middle_and_at_the_end,
    an_inserted_row_is_named,
    swapped_rows_are_named,
    concurrent_appends_keep_one_chain,
    rows_from_before_the_chain_are_chained_once_on_open
);
