//! Issue 18: every text the contract allows lands the same on both engines,
//! raw records byte-exact, and no single record stops a batch.

use gridwall_store::{RawRecord, Store};
use sqlx::Row;

use crate::support::{Fresh, at, on_both, simple};

/// Free text of every Unicode class, written as it would be on the wire
/// (JSON string contents, escapes included).
fn classes() -> Vec<(&'static str, String)> {
    let long: String = "长".repeat(8_000);
    vec![
        ("controls", r"tab\tbell\u0007esc\u001bdel\u007f".to_owned()),
        ("nul", r"before\u0000after".to_owned()),
        ("lone_high", r"half \ud800 of a pair".to_owned()),
        ("lone_low", r"\udc00 trailing".to_owned()),
        ("high_at_end", r"ends in \udbff".to_owned()),
        ("pair", r"\ud83d\ude00 escaped astral".to_owned()),
        ("long", long),
        (
            "rtl",
            "\u{202e}override\u{202c} and \u{2067}isolate\u{2069}".to_owned(),
        ),
        ("astral", "𠜎𠜱𝄞🀄 raw astral".to_owned()),
        ("empty", String::new()),
        ("markup", r#"<script>alert(\"x\")</script>"#.to_owned()),
    ]
}

/// One event whose title, address and description all carry `text`, as the
/// exact bytes an upstream would send.
fn raw_event(id: &str, text: &str) -> RawRecord {
    let body = format!(
        r#"{{"id":"{id}","revision":1,"seq":1,"source":"grid_patrol","category":"city.parking","severity":1,"state":"reported","grid_id":"G1","reported_at":"2026-11-27T09:00:00+08:00","updated_at":"2026-11-27T09:00:00+08:00","title":"{text}","address":"{text}","description":"{text}","unknown_field":"{text}"}}"#
    );
    RawRecord::new("zhili", body)
}

async fn raw_of(store: &Store, id: &str) -> anyhow::Result<String> {
    let timeline = store.timeline(id).await?;
    anyhow::ensure!(
        timeline.len() == 1,
        "{id}: one revision, got {}",
        timeline.len()
    );
    Ok(timeline[0].raw.clone())
}

async fn titles(store: &Store) -> anyhow::Result<Vec<(String, String, String)>> {
    let rows = sqlx::query("SELECT id, title, address FROM events ORDER BY id")
        .fetch_all(store.pool())
        .await?;
    rows.iter()
        .map(|row| {
            Ok((
                row.try_get("id")?,
                row.try_get("title")?,
                row.try_get("address")?,
            ))
        })
        .collect()
}

async fn every_unicode_class_lands_byte_exact_and_the_same_on_both_engines(
    fresh: Fresh,
) -> anyhow::Result<()> {
    let store = &fresh.store;
    let batch: Vec<RawRecord> = classes()
        .iter()
        .map(|(name, text)| raw_event(&format!("U_{name}"), text))
        .collect();
    let applied = store.apply(&batch, at(0)).await?;
    assert_eq!(applied.quarantined, 0, "any text the contract allows lands");
    assert_eq!(applied.stored, batch.len());

    for (record, (name, _)) in batch.iter().zip(classes()) {
        let id = format!("U_{name}");
        assert_eq!(
            raw_of(store, &id).await?.as_bytes(),
            record.body.as_slice(),
            "{id}: the raw revision is byte-exact"
        );
    }

    // What the display columns hold is the same on both engines: these are
    // the values the SQLite and PostgreSQL runs each compare against.
    let mut expected: Vec<(String, String, String)> = classes()
        .into_iter()
        .map(|(name, _)| {
            let shown = match name {
                "controls" => "tab\tbell\u{7}esc\u{1b}del\u{7f}".to_owned(),
                "nul" => "before\u{fffd}after".to_owned(),
                "lone_high" => "half \u{fffd} of a pair".to_owned(),
                "lone_low" => "\u{fffd} trailing".to_owned(),
                "high_at_end" => "ends in \u{fffd}".to_owned(),
                "pair" => "😀 escaped astral".to_owned(),
                "long" => "长".repeat(8_000),
                "rtl" => "\u{202e}override\u{202c} and \u{2067}isolate\u{2069}".to_owned(),
                "astral" => "𠜎𠜱𝄞🀄 raw astral".to_owned(),
                "empty" => String::new(),
                "markup" => "<script>alert(\"x\")</script>".to_owned(),
                other => unreachable!("{other}"),
            };
            (format!("U_{name}"), shown.clone(), shown)
        })
        .collect();
    expected.sort();
    assert_eq!(titles(store).await?, expected);

    // Delivered again: all duplicates, nothing changes.
    let again = store.apply(&batch, at(0)).await?;
    assert_eq!(again.duplicate, batch.len());
    Ok(())
}

async fn a_record_the_engine_refuses_is_quarantined_and_the_rest_of_its_batch_lands(
    fresh: Fresh,
) -> anyhow::Result<()> {
    let store = &fresh.store;
    // An id no PostgreSQL B-tree can index (over 8 kB, and random so it does
    // not compress); SQLite takes it. Whatever an engine refuses must cost
    // that record only.
    let mut seed = 0x2545_f491_u32;
    let huge_id: String = (0..6_000)
        .map(|_| {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            char::from_u32(0x4e00 + seed % 0x5000).expect("a CJK ideograph")
        })
        .collect();
    let mut batch: Vec<RawRecord> = (1..=9)
        .map(|n| simple(&format!("E{n}"), 1).record())
        .collect();
    batch.insert(4, raw_event(&huge_id, "refused"));
    let applied = store.apply_from("zhili", &batch, Some(99), at(0)).await?;
    let ids: Vec<String> = store
        .newest()
        .await?
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    assert_eq!(
        store.cursor("zhili").await?,
        Some(99),
        "the cursor moves past it"
    );
    match store.backend() {
        gridwall_store::Backend::Postgres => {
            assert_eq!(applied.quarantined, 1);
            assert_eq!(applied.stored, 9);
            assert_eq!(ids.len(), 9, "every other record landed: {}", ids.len());
            let row = sqlx::query("SELECT kind, reason, raw FROM quarantine")
                .fetch_one(store.pool())
                .await?;
            assert_eq!(row.try_get::<String, _>("kind")?, "unstorable");
            let reason: String = row.try_get("reason")?;
            assert!(reason.contains("index"), "{reason}");
            assert_eq!(row.try_get::<Vec<u8>, _>("raw")?, batch[4].body);
        }
        gridwall_store::Backend::Sqlite => {
            assert_eq!(applied.quarantined, 0);
            assert_eq!(ids.len(), 10);
        }
    }
    Ok(())
}

on_both!(
    every_unicode_class_lands_byte_exact_and_the_same_on_both_engines,
    a_record_the_engine_refuses_is_quarantined_and_the_rest_of_its_batch_lands,
);
