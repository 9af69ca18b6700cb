//! The shift handover report (交接班) produced by the real app against a
//! simulator: the PDF and the PNG are written, and the figures they print
//! equal the store's, counted here independently with SQL.

use std::time::Duration;

use anyhow::{Context, Result};
use gridwall_suite::{Launch, Sim, Wall};
use serde_json::{Value, json};
use sqlx::Row;

/// The figures the report prints, counted straight from the store's tables.
async fn figures_in_store(store: &gridwall_store::Store, since: i64) -> Result<Value> {
    let count = |sql: String| async move {
        let n: i64 = sqlx::query(&sql)
            .fetch_one(store.pool())
            .await?
            .try_get("n")?;
        anyhow::Ok(n)
    };
    let acked: Vec<String> = store
        .audit("acknowledge_alert")
        .await?
        .into_iter()
        .map(|e| format!("'{}'", e.subject.replace('\'', "''")))
        .collect();
    let not_acked = if acked.is_empty() {
        String::new()
    } else {
        format!(" AND id NOT IN ({})", acked.join(", "))
    };
    Ok(json!({
        "reported": count(format!("SELECT COUNT(*) AS n FROM events WHERE reported_at >= {since}")).await?,
        "resolved": count(format!("SELECT COUNT(*) AS n FROM events WHERE reported_at >= {since} AND state = 'resolved'")).await?,
        "closed": count(format!("SELECT COUNT(*) AS n FROM events WHERE reported_at >= {since} AND state = 'closed'")).await?,
        "open": count("SELECT COUNT(*) AS n FROM events WHERE state NOT IN ('closed', 'cancelled')".into()).await?,
        "overdue": count("SELECT COUNT(*) AS n FROM events WHERE overdue = 1".into()).await?,
        "pending_acks": count(format!(
            "SELECT COUNT(*) AS n FROM events WHERE reported_at >= {since} AND severity >= 3 \
             AND state NOT IN ('closed', 'cancelled'){not_acked}"
        )).await?,
    }))
}

async fn handover(wall: &Wall, format: &str) -> Result<Value> {
    let answer = wall
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             window.__TAURI_INTERNALS__.invoke('handover', { format: arguments[0] })
               .then((r) => done({ ok: r }), (e) => done({ err: e }));",
            vec![json!(format)],
        )
        .await?;
    answer
        .get("ok")
        .cloned()
        .with_context(|| format!("the handover command failed: {answer}"))
}

#[tokio::test]
async fn the_handover_report_is_written_and_its_figures_equal_the_store() -> Result<()> {
    let sim = Sim::start(&["--seed=11", "--warmup-hours=30"]).await?;
    let wall = Wall::launch(Launch::default().size(1600, 1000).against(&sim)).await?;
    wall.wait_for_live().await?;
    wall.wait_for_js(
        "return document.querySelectorAll('[data-testid=alert]').length > 0",
        Duration::from_secs(60),
    )
    .await?;
    let store = gridwall_store::Store::open(
        &wall
            .data_dir
            .path()
            .join("store.sqlite")
            .display()
            .to_string(),
    )
    .await?;
    // The backlog must be in the store before the feed is held: a shift that
    // began minutes ago has only the newest events, which come last.
    let head = sim.get("/api/v1/events?since=0&limit=1").await?["head_seq"]
        .as_u64()
        .context("the simulator's head_seq")?;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
    while store.cursor("governance").await?.unwrap_or(0) < head {
        anyhow::ensure!(
            tokio::time::Instant::now() < deadline,
            "the app did not catch up with the simulator's head {head}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    // Hold the feed still, so that the report and the count below see the
    // same events: every API call fails and the change stream is cut.
    sim.faults(json!({ "error_rate": 1.0 })).await?;
    sim.cut_streams().await?;
    tokio::time::sleep(Duration::from_secs(3)).await;
    // Overdue still follows the clock: take the store's figures before and
    // after the report and compare only when they agree.
    let mut compared = false;
    for _ in 0..3 {
        let pdf = handover(&wall, "pdf").await?;
        let since = time::OffsetDateTime::parse(
            pdf["shift_start"].as_str().context("shift start")?,
            &time::format_description::well_known::Rfc3339,
        )?
        .unix_timestamp();
        let before = figures_in_store(&store, since).await?;
        let again = handover(&wall, "pdf").await?;
        let after = figures_in_store(&store, since).await?;
        if before != after || pdf["figures"] != again["figures"] {
            continue;
        }
        assert_eq!(
            again["figures"], before,
            "the report prints the store's figures"
        );
        // The open incidents of the warm-up are there at any hour; reports of
        // the shift itself only once it has run for a while (about 80 an hour).
        assert!(
            before["open"].as_i64() > Some(0),
            "open incidents: {before}"
        );
        if time::OffsetDateTime::now_utc().unix_timestamp() - since > 1800 {
            assert!(
                before["reported"].as_i64() > Some(0),
                "a shift of half an hour has reports: {before}"
            );
        }
        let bytes = std::fs::read(again["path"].as_str().context("a path")?)?;
        assert!(bytes.starts_with(b"%PDF-"), "a PDF file");
        compared = true;
        break;
    }
    assert!(compared, "the store kept changing under the report");

    let png = handover(&wall, "png").await?;
    let path = png["path"].as_str().context("a path")?;
    assert!(path.ends_with(".png"));
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(path)?));
    let info = decoder.read_info()?.info().clone();
    assert_eq!(info.width, 794 * 2, "an A4 page wide at scale 2");
    assert!(info.height >= 1123 * 2, "at least one page tall");
    std::fs::copy(path, gridwall_suite::screenshot_dir().join("handover.png"))?;

    let bad = wall
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             window.__TAURI_INTERNALS__.invoke('handover', { format: 'docx' })
               .then((r) => done({ ok: r }), (e) => done({ err: e }));",
            vec![],
        )
        .await?;
    assert_eq!(
        bad["err"]["code"], "invalid",
        "an unknown format is refused: {bad}"
    );
    wall.close().await
}
