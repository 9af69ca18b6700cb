//! The camera matrix follows severe alerts without jumping with each one:
//! an alert's cameras stay for a dwell, an alert as severe waits its turn,
//! and a more severe one takes the matrix at once.

use std::time::Duration;

use anyhow::{Context, Result};
use gridwall_suite::{Launch, Sim, Wall};
use serde_json::json;

/// The matrix's state through its test hook: (focused grid, waiting grid).
async fn following(wall: &Wall) -> Result<(Option<String>, Option<String>)> {
    let s = wall.js("return window.__gridwallVideo.scene()").await?;
    let grid = |k: &str| s[k].as_str().map(str::to_owned);
    Ok((grid("focus"), grid("waiting")))
}

async fn wait_for(wall: &Wall, what: &str, grid: &str, within: u64) -> Result<()> {
    let reached = wall
        .wait_for_js(
            &format!("return window.__gridwallVideo.scene().{what} === '{grid}'"),
            Duration::from_secs(within),
        )
        .await;
    if reached.is_err() {
        let now = following(wall).await?;
        anyhow::bail!("the matrix's {what} never became {grid}: (focus, waiting) = {now:?}");
    }
    Ok(())
}

#[tokio::test]
async fn a_flood_of_severe_alerts_gives_each_alerts_cameras_a_dwell() -> Result<()> {
    let sim = Sim::start(&["--seed=5", "--warmup-hours=2"]).await?;
    let wall = Wall::launch(Launch::default().size(1920, 1080).against(&sim)).await?;
    wall.wait_for_live().await?;
    wall.wait_for_js(
        "return (window.__gridwallMap?.count() ?? 0) > 0 && !!window.__gridwallVideo \
         && window.__gridwallVideo.scene().cameras.length > 0",
        Duration::from_secs(60),
    )
    .await
    .context("the map and the matrix never came")?;
    // Four grids with cameras of their own.
    let page = sim.get("/vnet/v1/cameras?page_size=1000").await?;
    let mut grids: Vec<String> = Vec::new();
    for c in page["cameras"].as_array().context("cameras")? {
        if let Some(g) = c["grid_id"].as_str()
            && c["status"] == "online"
            && !grids.iter().any(|x| x == g)
        {
            grids.push(g.to_owned());
        }
    }
    let [a, b, c, d] = <[String; 4]>::try_from(grids.into_iter().take(4).collect::<Vec<_>>())
        .map_err(|_| anyhow::anyhow!("four grids with cameras"))?;
    // A dwell the test can wait out (the app's is 30 s).
    wall.js("window.__gridwallVideo.setAlertDwell(8000); return true")
        .await?;
    let inject = |grid: &str, severity: u8| {
        sim.inject(json!({
            "grid_id": grid, "source": "police_110", "category": "dispute.neighbour",
            "severity": severity, "title": format!("跟随测试 {grid}")
        }))
    };

    inject(&a, 3).await?;
    wait_for(&wall, "focus", &a, 15).await?;
    // As severe, within the dwell: it waits, the matrix stays.
    inject(&b, 3).await?;
    wait_for(&wall, "waiting", &b, 15).await?;
    assert_eq!(
        following(&wall).await?.0.as_deref(),
        Some(a.as_str()),
        "an alert as severe re-pointed the matrix within the dwell"
    );
    // More severe: at once, the one waiting still waiting.
    inject(&c, 4).await?;
    wait_for(&wall, "focus", &c, 15).await?;
    assert_eq!(following(&wall).await?.1.as_deref(), Some(b.as_str()));
    // The waiting one is the most severe, then the newest: a new
    // severity-3 alert waits behind the severity-4 one shown and is shown
    // when that one's dwell ends.
    inject(&d, 3).await?;
    wait_for(&wall, "waiting", &d, 15).await?;
    assert_eq!(following(&wall).await?.0.as_deref(), Some(c.as_str()));
    wait_for(&wall, "focus", &d, 30).await?;
    assert_eq!(
        following(&wall).await?.1,
        None,
        "nothing waits once it is shown"
    );
    wall.close().await
}
