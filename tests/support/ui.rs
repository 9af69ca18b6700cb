//! Acting on the page as a person would: press, click, type, sign in.

use std::time::Duration;

use anyhow::{Context, Result};
use fantoccini::Locator;

use crate::Wall;

/// Clicks the element matching `css` once it is there and enabled, as the
/// page's own click. WebDriver's element click was refused now and then,
/// with no message, on a console busy with its first load; what is under
/// test here is what the click does.
pub async fn press(wall: &Wall, css: &str) -> Result<()> {
    wall.wait_for_js(
        &format!("const e = document.querySelector({css:?}); return !!e && !e.disabled"),
        Duration::from_secs(10),
    )
    .await
    .with_context(|| format!("{css} is not there to click"))?;
    wall.js(&format!(
        "document.querySelector({css:?}).click(); return true"
    ))
    .await?;
    Ok(())
}

/// Clicks the page at `(x, y)` (CSS pixels of the viewport) with the
/// mouse, as a person clicks a canvas.
pub async fn click_at(wall: &Wall, x: f64, y: f64) -> Result<()> {
    use fantoccini::actions::{InputSource, MOUSE_BUTTON_LEFT, MouseActions, PointerAction};
    let click = MouseActions::new("mouse".into())
        .then(PointerAction::MoveTo {
            duration: None,
            x,
            y,
        })
        .then(PointerAction::Down {
            button: MOUSE_BUTTON_LEFT,
        })
        .then(PointerAction::Up {
            button: MOUSE_BUTTON_LEFT,
        });
    wall.client.perform_actions(click).await?;
    Ok(())
}

/// Types into the input matching `css`, replacing what it held.
pub async fn type_into(wall: &Wall, css: &str, text: &str) -> Result<()> {
    let input = wall.client.find(Locator::Css(css)).await?;
    input.clear().await?;
    input.send_keys(text).await?;
    Ok(())
}

/// Signs `(username, role, pin)` in on the console the session shows.
pub async fn sign_in(wall: &Wall, (user, _, pin): (&str, &str, &str)) -> Result<()> {
    wall.wait_for_js(
        "return !!document.querySelector('[data-testid=sign-in-open]')",
        Duration::from_secs(10),
    )
    .await
    .context("no sign-in button on the console")?;
    press(wall, "[data-testid=sign-in-open]").await?;
    type_into(wall, "[data-testid=sign-in-username]", user).await?;
    type_into(wall, "[data-testid=sign-in-pin]", pin).await?;
    press(wall, "[data-testid=sign-in-submit]").await?;
    wall.wait_for_js(
        &format!(
            "return document.querySelector('[data-testid=signed-in]')?.dataset.username === {user:?}"
        ),
        Duration::from_secs(10),
    )
    .await
    .with_context(|| format!("{user} was not signed in"))
}
