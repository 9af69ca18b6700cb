//! Wartime footing (issue 12), end to end: a two-person switch into the
//! typhoon plan re-lays every window and back; a drill marks every window;
//! one person alone, or a wrong PIN, cannot switch, and both are audited;
//! the footing survives a restart.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};

use gridwall_suite::ui::{press, sign_in, type_into};
use gridwall_suite::{Launch, Sim, Wall, add_accounts, hall_config};

const ZHANG: (&str, &str, &str) = ("zhang", "duty_officer", "246810");
const LI: (&str, &str, &str) = ("li", "duty_officer", "135790");
const WANG: (&str, &str, &str) = ("wang", "operator", "112233");

/// Proposes switching into `plan` (or back, with `None`) from the open console.
async fn propose(wall: &Wall, plan: Option<&str>) -> Result<()> {
    if wall
        .js("return !document.querySelector('[data-testid=footing-panel]')")
        .await?
        .as_bool()
        == Some(true)
    {
        press(wall, "[data-testid=footing-open]").await?;
    }
    let button = match plan {
        Some(name) => format!("[data-testid=plan][data-name={name:?}] [data-testid=propose-on]"),
        None => "[data-testid=propose-off]".to_owned(),
    };
    wall.wait_for_js(
        &format!("const b = document.querySelector({button:?}); return !!b && !b.disabled"),
        Duration::from_secs(20),
    )
    .await
    .context("the proposal button never became available")?;
    press(wall, &button).await?;
    wall.wait_for_js(
        "return !!document.querySelector('[data-testid=confirm-dialog]')",
        Duration::from_secs(10),
    )
    .await
    .context("no confirmation dialog after the proposal")
}

/// Types a second person's name and PIN into the confirmation dialog.
async fn confirm_as(wall: &Wall, user: &str, pin: &str) -> Result<()> {
    type_into(wall, "[data-testid=confirm-username]", user).await?;
    type_into(wall, "[data-testid=confirm-pin]", pin).await?;
    press(wall, "[data-testid=confirm-submit]").await
}

/// Every window's shown layout, by label order of the session's handles.
async fn layouts(wall: &Wall) -> Result<Vec<String>> {
    let mut out = Vec::new();
    let current = wall.client.window().await?;
    for handle in wall.client.windows().await? {
        wall.client.switch_to_window(handle).await?;
        let shown = wall
            .js("return document.querySelector('[data-testid=screen]')?.dataset.layout ?? ''")
            .await?;
        out.push(shown.as_str().unwrap_or_default().to_owned());
    }
    wall.client.switch_to_window(current).await?;
    out.sort();
    Ok(out)
}

/// Waits until the windows show exactly `want` (sorted); how long it took.
async fn wait_for_layouts(wall: &Wall, want: &[&str], within: Duration) -> Result<Duration> {
    let started = Instant::now();
    let mut want: Vec<String> = want.iter().map(|s| (*s).to_owned()).collect();
    want.sort();
    loop {
        let seen = layouts(wall).await?;
        if seen == want {
            return Ok(started.elapsed());
        }
        if started.elapsed() > within {
            anyhow::bail!("the windows show {seen:?}, not {want:?}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn audit_actions(database: &Path) -> Result<Vec<(String, String, String)>> {
    let store =
        gridwall_store::Store::open(database.to_str().context("temp paths are UTF-8")?).await?;
    let mut out = Vec::new();
    for action in [
        "sign_in",
        "sign_in_refused",
        "propose_switch",
        "confirm_refused",
        "switch_on",
        "switch_off",
    ] {
        for entry in store.audit(action).await? {
            out.push((entry.action, entry.actor, entry.detail));
        }
    }
    Ok(out)
}

#[tokio::test]
async fn a_two_person_switch_re_lays_every_window_and_back() -> Result<()> {
    let sim = Sim::start(&["--seed=12"]).await?;
    let dir = tempfile::TempDir::new()?;
    let config = hall_config(dir.path())?;
    let database = dir.path().join("store.sqlite");
    add_accounts(&database, &[ZHANG, LI, WANG]).await?;
    let wall = Wall::launch(
        Launch::default()
            .size(1920, 1080)
            .against(&sim)
            .config(&config)
            .arg(format!("--database={}", database.display())),
    )
    .await?;
    wall.wait_for_live().await?;
    wall_at_peace(&wall).await?;

    wall.switch_to_layout("console").await?;
    // An operator may not propose.
    sign_in(&wall, WANG).await?;
    press(&wall, "[data-testid=footing-open]").await?;
    wall.wait_for_js(
        "return document.querySelectorAll('[data-testid=plan]').length === 2",
        Duration::from_secs(20),
    )
    .await
    .context("the console does not list the two sample plans")?;
    assert_eq!(
        wall.js("return document.querySelector('[data-testid=propose-on]').disabled")
            .await?,
        true,
        "an operator's proposal button is disabled"
    );
    press(&wall, "[data-testid=sign-out]").await?;
    sign_in(&wall, ZHANG).await?;
    propose(&wall, Some("台风防御Ⅱ级响应")).await?;
    wall.screenshot("footing-confirm-dialog-1920x1080").await?;

    // One person alone cannot confirm; nor can a wrong PIN.
    confirm_as(&wall, ZHANG.0, ZHANG.2).await?;
    wall.wait_for_js(
        "return !!document.querySelector('[data-testid=confirm-error]')",
        Duration::from_secs(10),
    )
    .await
    .context("confirming one's own proposal showed no error")?;
    confirm_as(&wall, LI.0, "000000").await?;
    wall.wait_for_js(
        "return /PIN/.test(document.querySelector('[data-testid=confirm-error]')?.textContent ?? '')",
        Duration::from_secs(10),
    )
    .await
    .context("a wrong PIN showed no error")?;
    assert_eq!(
        layouts(&wall).await?,
        ["console", "video", "wall", "wall"],
        "refusals switch nothing"
    );

    confirm_as(&wall, LI.0, LI.2).await?;
    let took = wait_for_layouts(
        &wall,
        &["console", "zone", "cameras", "broadcast"],
        Duration::from_secs(15),
    )
    .await?;
    eprintln!("every window re-laid {took:?} after the confirmation was clicked");
    let banner = wall.texts("[data-testid=footing-banner]").await?.join(" ");
    assert!(
        banner.contains("台风防御Ⅱ级响应"),
        "the console shows the plan's banner: {banner:?}"
    );

    // The wall: the zone, its workforce and the banner with the scope.
    wall.switch_to_layout("zone").await?;
    wall.wait_for_js(
        "return Number(document.querySelector('[data-testid=zone-on-duty]')?.textContent) > 0",
        Duration::from_secs(20),
    )
    .await
    .context("the zone screen shows nobody on duty")?;
    let banner = wall.texts("[data-testid=footing-banner]").await?.join(" ");
    assert!(
        banner.contains("观海卫镇"),
        "the scope in the banner: {banner:?}"
    );
    assert_eq!(
        wall.js("return !!document.querySelector('[data-testid=drill-watermark]')")
            .await?,
        false,
        "a real plan is not a drill"
    );
    // The plan pins 较大 (severity 2) alerts, which peacetime does not.
    let injected = sim
        .inject(serde_json::json!({
            "grid_id": "330282107015G01", "source": "risk", "category": "safety.flood",
            "severity": 2, "title": "海塘漫水险情"
        }))
        .await?;
    let id = injected["id"].as_str().context("an event id")?.to_owned();
    wall.wait_for_js(
        &format!(
            "return document.querySelector('[data-testid=alert][data-id=\"{id}\"]')?.dataset.pinned === 'true'"
        ),
        Duration::from_secs(20),
    )
    .await
    .context("a severity-2 alert is not pinned under the typhoon plan")?;
    tokio::time::sleep(Duration::from_secs(2)).await;
    wall.screenshot("footing-typhoon-wall-1920x1080").await?;
    wall.switch_to_layout("cameras").await?;
    wall.wait_for_js(
        "return !!window.__gridwallVideo && window.__gridwallVideo.scene().zone === true \
         && window.__gridwallVideo.scene().cameras.length > 0",
        Duration::from_secs(30),
    )
    .await
    .context("the video window does not show the zone's cameras")?;

    // Back to peacetime: proposed by li this time, confirmed by zhang.
    wall.switch_to_layout("console").await?;
    press(&wall, "[data-testid=sign-out]").await?;
    sign_in(&wall, LI).await?;
    propose(&wall, None).await?;
    confirm_as(&wall, ZHANG.0, ZHANG.2).await?;
    wait_for_layouts(
        &wall,
        &["console", "wall", "video", "wall"],
        Duration::from_secs(15),
    )
    .await?;
    wall.switch_to_layout("video").await?;
    wall.wait_for_js(
        "return window.__gridwallVideo?.scene().zone === false",
        Duration::from_secs(10),
    )
    .await
    .context("the video window did not go back to its rotation")?;
    assert!(
        wall.js("return !document.querySelector('[data-testid=footing-banner]')")
            .await?
            .as_bool()
            == Some(true),
        "no banner in peacetime"
    );

    let audit = audit_actions(&database).await?;
    let count = |action: &str| audit.iter().filter(|(a, ..)| a == action).count();
    assert_eq!(count("propose_switch"), 2, "{audit:?}");
    assert_eq!(count("switch_on"), 1, "{audit:?}");
    assert_eq!(count("switch_off"), 1, "{audit:?}");
    assert_eq!(count("confirm_refused"), 2, "self and wrong PIN: {audit:?}");
    assert!(
        audit
            .iter()
            .any(|(a, actor, _)| a == "switch_on" && actor == "li"),
        "the switch is recorded in the confirmer's name: {audit:?}"
    );
    wall.close().await?;
    Ok(())
}

/// Peacetime: each window shows its configured layout and no banner.
async fn wall_at_peace(wall: &Wall) -> Result<()> {
    wait_for_layouts(
        wall,
        &["console", "wall", "video", "wall"],
        Duration::from_secs(30),
    )
    .await
    .map(|_| ())
}

#[tokio::test]
async fn a_drill_marks_every_window_and_survives_a_restart() -> Result<()> {
    let sim = Sim::start(&["--seed=13"]).await?;
    let dir = tempfile::TempDir::new()?;
    let config = hall_config(dir.path())?;
    let database = dir.path().join("store.sqlite");
    add_accounts(&database, &[ZHANG, LI]).await?;
    let launch = || {
        Launch::default()
            .size(1920, 1080)
            .against(&sim)
            .config(&config)
            .arg(format!("--database={}", database.display()))
    };
    let wall = Wall::launch(launch()).await?;
    wall.wait_for_live().await?;
    wall.switch_to_layout("console").await?;
    sign_in(&wall, ZHANG).await?;
    propose(&wall, Some("平战转换综合演练")).await?;
    confirm_as(&wall, LI.0, LI.2).await?;
    wait_for_layouts(
        &wall,
        &["console", "zone", "cameras", "broadcast"],
        Duration::from_secs(15),
    )
    .await?;
    for layout in ["console", "zone", "cameras", "broadcast"] {
        wall.switch_to_layout(layout).await?;
        wall.wait_for_js(
            "return !!document.querySelector('[data-testid=drill-watermark]')",
            Duration::from_secs(5),
        )
        .await
        .with_context(|| format!("no drill watermark on the {layout} window"))?;
    }
    wall.switch_to_layout("zone").await?;
    tokio::time::sleep(Duration::from_secs(2)).await;
    wall.screenshot("footing-drill-watermark-1920x1080").await?;
    wall.close().await?;

    // A restart on the same store comes back on the drill's footing.
    let wall = Wall::launch(launch()).await?;
    wait_for_layouts(
        &wall,
        &["console", "zone", "cameras", "broadcast"],
        Duration::from_secs(30),
    )
    .await
    .context("after a restart the windows are not on the drill's footing")?;
    wall.switch_to_layout("zone").await?;
    let banner = wall.texts("[data-testid=footing-banner]").await?;
    assert!(
        banner.iter().any(|b| b.contains("平战转换综合演练")),
        "{banner:?}"
    );
    wall.close().await?;
    Ok(())
}

/// Switches into `plan` through the commands the console's buttons call:
/// zhang proposes, li confirms.
async fn switch_on(wall: &Wall, plan: &str) -> Result<()> {
    wall.invoke(
        "sign_in",
        serde_json::json!({ "username": ZHANG.0, "pin": ZHANG.2 }),
    )
    .await?;
    let proposal = wall
        .invoke("propose_switch", serde_json::json!({ "plan": plan }))
        .await?;
    wall.invoke(
        "confirm_switch",
        serde_json::json!({ "id": proposal["id"], "username": LI.0, "pin": LI.2 }),
    )
    .await?;
    Ok(())
}

/// The wall at its own size under the typhoon plan: the zone fills the
/// 4K screen, the video screen shows the zone's cameras. The switch goes
/// through the same commands the console's buttons call.
#[tokio::test]
async fn the_typhoon_plan_at_4k() -> Result<()> {
    let sim = Sim::start(&["--seed=14", "--warmup-hours=12"]).await?;
    let dir = tempfile::TempDir::new()?;
    let config = dir.path().join("wall.toml");
    std::fs::write(
        &config,
        "[[window]]\nlabel = \"wall\"\nlayout = \"wall\"\n\n\
         [[window]]\nlabel = \"video\"\nlayout = \"video\"\nfullscreen = false\n",
    )?;
    let database = dir.path().join("store.sqlite");
    add_accounts(&database, &[ZHANG, LI]).await?;
    let wall = Wall::launch(
        Launch::default()
            .size(3840, 2160)
            .against(&sim)
            .config(&config)
            .arg(format!("--database={}", database.display())),
    )
    .await?;
    wall.wait_for_live().await?;
    switch_on(&wall, "台风防御Ⅱ级响应").await?;
    wait_for_layouts(&wall, &["zone", "cameras"], Duration::from_secs(15)).await?;
    wall.switch_to_layout("zone").await?;
    wall.wait_for_js(
        "return Number(document.querySelector('[data-testid=zone-on-duty]')?.textContent) > 0 \
         && (window.__gridwallMap?.count() ?? 0) > 0",
        Duration::from_secs(30),
    )
    .await
    .context("the zone screen never filled")?;
    // Let the map's zoom animation and the zone's camera tiles settle.
    tokio::time::sleep(Duration::from_secs(4)).await;
    assert_eq!(
        wall.attr("[data-testid=grid-map]", "data-zone")
            .await?
            .as_deref(),
        Some("709"),
        "the map veils every grid outside the plan's seven towns"
    );
    wall.screenshot("footing-typhoon-wall-3840x2160").await?;
    wall.close().await?;
    Ok(())
}

/// Under the typhoon plan, a duty officer sends the plan's own instruction
/// to every grid worker from the console's composer; the board screen counts
/// the acknowledgements as they arrive, and the count never passes the
/// platform's. The embedded simulator runs at 20×, so the 15 minutes pass in
/// 45 s.
#[tokio::test]
async fn a_broadcast_under_the_plan_is_counted_on_the_board() -> Result<()> {
    let dir = tempfile::TempDir::new()?;
    let config = dir.path().join("hall.toml");
    std::fs::write(
        &config,
        "[[window]]\nlabel = \"board\"\nlayout = \"wall\"\nfullscreen = false\n\n\
         [[window]]\nlabel = \"console\"\nlayout = \"console\"\nfullscreen = false\n",
    )?;
    let database = dir.path().join("store.sqlite");
    add_accounts(&database, &[ZHANG, LI]).await?;
    let wall = Wall::launch(
        Launch::default()
            .size(1920, 1080)
            .config(&config)
            .arg("--sim-speed=20")
            .arg(format!("--database={}", database.display())),
    )
    .await?;
    wall.wait_for_live().await?;
    switch_on(&wall, "台风防御Ⅱ级响应").await?;
    wait_for_layouts(&wall, &["broadcast", "console"], Duration::from_secs(15)).await?;

    // The composer offers the plan's own instruction first.
    wall.switch_to_layout("console").await?;
    press(&wall, "[data-testid=broadcast-toggle]").await?;
    wall.wait_for_js(
        "return document.querySelector('[data-testid=broadcast-template] option[value=\"plan-0\"]')?.textContent === '台风防御紧急通知'",
        Duration::from_secs(10),
    )
    .await
    .context("the composer does not offer the plan's template")?;
    wall.js(
        "const s = document.querySelector('[data-testid=broadcast-template]'); \
         s.value = 'plan-0'; s.dispatchEvent(new Event('change', { bubbles: true })); return true",
    )
    .await?;
    press(&wall, "[data-testid=scope-all]").await?;
    wall.wait_for_js(
        "return Number(document.querySelector('[data-testid=broadcast-preview]')?.dataset.total) > 10000",
        Duration::from_secs(20),
    )
    .await
    .context("no recipient count before sending")?;
    press(&wall, "[data-testid=broadcast-next]").await?;
    press(&wall, "[data-testid=broadcast-send]").await?;
    wall.wait_for_js(
        "return !!document.querySelector('[data-testid=broadcast-sent]')",
        Duration::from_secs(30),
    )
    .await
    .context("the broadcast was not sent")?;

    // The board screen: acknowledgements arrive and are counted.
    wall.switch_to_layout("broadcast").await?;
    let count = |text: &str| -> Option<(u64, u64)> {
        let digits = |s: &str| s.chars().filter(char::is_ascii_digit).collect::<String>();
        let (a, r) = text.split_once('/')?;
        let r = r.split_whitespace().next()?;
        Some((digits(a).parse().ok()?, digits(r).parse().ok()?))
    };
    let mut shot = false;
    let started = Instant::now();
    let (acked, recipients) = loop {
        let text = wall
            .text("[data-testid=broadcast-count]")
            .await
            .unwrap_or_default();
        if let Some((acked, recipients)) = count(&text) {
            if !shot && acked * 2 > recipients {
                wall.screenshot("footing-broadcast-board-1920x1080").await?;
                shot = true;
            }
            if acked * 100 >= recipients * 99 {
                break (acked, recipients);
            }
        }
        anyhow::ensure!(
            started.elapsed() < Duration::from_secs(120),
            "the board shows {text:?} after two minutes"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    assert!(recipients > 10_000, "every grid worker: {recipients}");
    assert!(acked <= recipients);
    let store = gridwall_store::Store::open(database.to_str().context("UTF-8")?).await?;
    let sends = store.audit("send_broadcast").await?;
    assert_eq!(sends.len(), 1, "one send, audited");
    assert_eq!(sends[0].actor, "zhang", "in the signed-in officer's name");
    wall.close().await?;
    Ok(())
}
