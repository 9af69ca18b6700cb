//! The walking skeleton, seen as an operator sees it.

use std::time::Duration;

use gridwall_suite::{Launch, Wall};

#[tokio::test]
async fn the_wall_shows_its_title_in_chinese_with_the_frame_of_the_layout() -> anyhow::Result<()> {
    let wall = Wall::launch(Launch::default()).await?;
    assert_eq!(
        wall.text("[data-testid=title]").await?,
        "慈溪市社会治理中心"
    );
    for panel in [
        "panel-map",
        "panel-ticker",
        "panel-kpi",
        "panel-trend",
        "panel-video",
    ] {
        let shown = wall.js(&format!("const r = document.querySelector('[data-testid={panel}]').getBoundingClientRect(); return r.width > 200 && r.height > 150;")).await?;
        assert_eq!(shown, true, "{panel} is laid out at a visible size");
    }
    // The window has the configured size, and nothing overflows into scrollbars.
    let size = wall.js("return [window.innerWidth, window.innerHeight, document.documentElement.scrollWidth <= window.innerWidth, document.documentElement.scrollHeight <= window.innerHeight]").await?;
    assert_eq!(size, serde_json::json!([1920, 1080, true, true]));
    // The title is drawn in a CJK font, not as boxes: its glyphs are as wide as they are tall.
    let glyph = wall.js("const h = document.querySelector('[data-testid=title]'); const r = h.getBoundingClientRect(); return r.width / h.textContent.length / parseFloat(getComputedStyle(h).fontSize);").await?;
    let ratio = glyph.as_f64().unwrap_or(0.0);
    assert!(
        (1.0..1.6).contains(&ratio),
        "each title character takes about one em plus letter spacing, got {ratio}"
    );
    wall.screenshot("skeleton-wall-1920x1080").await?;
    wall.close().await
}

#[tokio::test]
async fn the_clock_pushed_from_rust_over_a_channel_appears_and_advances() -> anyhow::Result<()> {
    let wall = Wall::launch(Launch::default().arg("--sim-speed=60")).await?;
    wall.wait_for_js(
        "return document.querySelector('[data-testid=clock]').dataset.now !== ''",
        Duration::from_secs(15),
    )
    .await?;
    let first = wall
        .attr("[data-testid=clock]", "data-now")
        .await?
        .unwrap_or_default();
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let later = wall
        .attr("[data-testid=clock]", "data-now")
        .await?
        .unwrap_or_default();
    let parse =
        |s: &str| time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339);
    let advanced = parse(&later)? - parse(&first)?;
    assert!(
        advanced >= time::Duration::seconds(60),
        "at 60× the platform clock moved at least a minute in 2.5 s, moved {advanced}"
    );
    assert!(
        first.ends_with("+08:00"),
        "the platform's time is China Standard Time: {first}"
    );
    let shown = wall.text("[data-testid=clock] .time").await?;
    assert_eq!(shown.len(), 8, "the clock shows HH:MM:SS, got {shown:?}");
    assert!(
        wall.text("[data-testid=speed]").await?.contains("60"),
        "an accelerated clock says so"
    );
    wall.close().await
}

#[tokio::test]
async fn the_connection_indicator_shows_the_embedded_simulator_live() -> anyhow::Result<()> {
    let wall = Wall::launch(Launch::default()).await?;
    wall.wait_for_live().await?;
    assert_eq!(
        wall.text("[data-testid=link-governance] .state").await?,
        "在线"
    );
    assert_eq!(
        wall.text("[data-testid=simulated]").await?,
        "模拟数据",
        "a simulated city is labelled as such on the wall"
    );
    wall.close().await
}

#[tokio::test]
async fn an_unreachable_upstream_shows_as_down() -> anyhow::Result<()> {
    // Port 9 on loopback: nothing listens there.
    let wall = Wall::launch(
        Launch::default()
            .arg("--governance-url=http://127.0.0.1:9")
            .arg("--video-url=http://127.0.0.1:9"),
    )
    .await?;
    wall.wait_for_js(
        "return document.querySelector('[data-testid=link-governance]').dataset.state === 'down'",
        Duration::from_secs(20),
    )
    .await?;
    assert_eq!(
        wall.text("[data-testid=link-governance] .state").await?,
        "中断"
    );
    assert!(
        wall.js("return document.querySelector('[data-testid=simulated]') === null")
            .await?
            == true,
        "real upstreams are not labelled simulated"
    );
    wall.screenshot("skeleton-upstream-down").await?;
    wall.close().await
}

#[tokio::test]
async fn clicking_the_language_switch_turns_the_wall_into_english_and_back() -> anyhow::Result<()> {
    let wall = Wall::launch(Launch::default()).await?;
    wall.wait_for_live().await?;
    wall.click("[data-testid=lang-switch]").await?;
    assert_eq!(
        wall.text("[data-testid=title]").await?,
        "Cixi Social Governance Centre"
    );
    assert_eq!(wall.js("return document.documentElement.lang").await?, "en");
    wall.screenshot("skeleton-english").await?;
    wall.click("[data-testid=lang-switch]").await?;
    assert_eq!(
        wall.text("[data-testid=title]").await?,
        "慈溪市社会治理中心"
    );
    wall.close().await
}

#[tokio::test]
async fn english_can_be_chosen_at_start() -> anyhow::Result<()> {
    let wall = Wall::launch(Launch::default().arg("--lang=en")).await?;
    assert_eq!(
        wall.text("[data-testid=title]").await?,
        "Cixi Social Governance Centre"
    );
    wall.close().await
}

#[tokio::test]
async fn the_wall_fills_a_4k_panel() -> anyhow::Result<()> {
    let wall = Wall::launch(Launch::default().size(3840, 2160)).await?;
    wall.wait_for_live().await?;
    let size = wall
        .js("return [window.innerWidth, window.innerHeight]")
        .await?;
    assert_eq!(size, serde_json::json!([3840, 2160]));
    // Type scales with the screen: the title is at least 80 px tall on a 4K panel, readable at 3 m.
    let px = wall.js("return parseFloat(getComputedStyle(document.querySelector('[data-testid=title]')).fontSize)").await?;
    assert!(
        px.as_f64().unwrap_or(0.0) >= 80.0,
        "title font size {px} px"
    );
    wall.screenshot("skeleton-wall-3840x2160").await?;
    wall.close().await
}

#[tokio::test]
async fn by_default_the_wall_covers_its_whole_monitor_even_without_a_window_manager()
-> anyhow::Result<()> {
    // Xvfb runs no window manager, as a kiosk X session may not: the window
    // must cover the screen by itself, not rely on the full-screen request.
    let wall = Wall::launch(Launch::default().size(1600, 900).as_configured()).await?;
    let size = wall
        .js("return [window.innerWidth, window.innerHeight, window.screenX, window.screenY]")
        .await?;
    assert_eq!(size, serde_json::json!([1600, 900, 0, 0]));
    wall.close().await
}
