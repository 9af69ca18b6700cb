//! One setting's text to its validated value: the pieces of
//! [`super::Config::from_sources`] that read a single key.

use url::Url;

use super::file::FileWindow;
use super::{ConfigError, Endpoint, WindowConfig, invalid};
use crate::feed::{Layout, NightDimming};

/// `"HH:MM"` as minutes since midnight.
fn minute_of_day(hhmm: &str) -> Option<u16> {
    let (h, m) = hhmm.trim().split_once(':')?;
    let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
    (h < 24 && m < 60).then_some(h * 60 + m)
}

/// `ui.quiet_reload`: `"HH:MM"` (platform time) or `"off"`; off by default.
pub(super) fn quiet_reload(at: Option<&str>) -> Result<Option<u16>, ConfigError> {
    match at.map(str::trim) {
        None => Ok(None),
        Some(off) if off.eq_ignore_ascii_case("off") => Ok(None),
        Some(at) => minute_of_day(at)
            .map(Some)
            .ok_or_else(|| invalid("ui.quiet_reload", at, "must be HH:MM (e.g. 04:00) or off")),
    }
}

/// `ui.night` and `ui.night_dim`: a span of the day in platform time and
/// how dark the veil is. The default dims by a quarter from 23:00 to 06:00.
pub(super) fn night_dimming(
    span: Option<&str>,
    dim: Option<f64>,
) -> Result<Option<NightDimming>, ConfigError> {
    let dim = dim.unwrap_or(0.25);
    if !(0.05..=0.8).contains(&dim) {
        return Err(invalid("ui.night_dim", dim, "must be between 0.05 and 0.8"));
    }
    let span = span.unwrap_or("23:00-06:00").trim();
    if span.eq_ignore_ascii_case("off") {
        return Ok(None);
    }
    let minute = minute_of_day;
    let parsed = span
        .split_once('-')
        .and_then(|(from, to)| Some((minute(from)?, minute(to)?)))
        .filter(|(from, to)| from != to);
    let Some((from_minute, to_minute)) = parsed else {
        return Err(invalid(
            "ui.night",
            span,
            "must be HH:MM-HH:MM (e.g. 23:00-06:00) or off",
        ));
    };
    Ok(Some(NightDimming {
        from_minute,
        to_minute,
        dim,
    }))
}

pub(super) fn endpoint(key: &str, value: Option<&str>) -> Result<Endpoint, ConfigError> {
    match value.unwrap_or("embedded") {
        "embedded" => Ok(Endpoint::Embedded),
        text => {
            let url = Url::parse(text).map_err(|e| {
                invalid(
                    key,
                    text,
                    format!("is not a URL ({e}); use http(s)://host[:port] or `embedded`"),
                )
            })?;
            if !matches!(url.scheme(), "http" | "https") {
                return Err(invalid(
                    key,
                    text,
                    "must be an http or https URL, or `embedded`",
                ));
            }
            Ok(Endpoint::Url(url))
        }
    }
}

pub(super) fn check_size(key: &str, w: u32, h: u32) -> Result<(), ConfigError> {
    let ok = |v: u32| (320..=16_384).contains(&v);
    if ok(w) && ok(h) {
        Ok(())
    } else {
        Err(invalid(
            key,
            format!("{w}x{h}"),
            "width and height must be between 320 and 16384 pixels",
        ))
    }
}

pub(super) fn window(i: usize, w: FileWindow) -> Result<WindowConfig, ConfigError> {
    let key = |field: &str| format!("window[{i}].{field}");
    if w.label.is_empty()
        || !w
            .label
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(invalid(
            key("label"),
            &w.label,
            "use letters, digits, - and _ only",
        ));
    }
    let layout = match w.layout.as_deref().unwrap_or("wall") {
        "wall" => Layout::Wall,
        "video" => Layout::Video,
        "console" => Layout::Console,
        other => {
            return Err(invalid(
                key("layout"),
                other,
                "must be wall, video or console",
            ));
        }
    };
    let size = match (w.width, w.height) {
        (Some(width), Some(height)) => {
            check_size(&key("width"), width, height)?;
            Some((width, height))
        }
        (None, None) => None,
        _ => {
            return Err(invalid(
                key("width"),
                (w.width, w.height),
                "give both width and height, or neither",
            ));
        }
    };
    let position = match (w.x, w.y) {
        (Some(x), Some(y)) => Some((x, y)),
        (None, None) => None,
        _ => {
            return Err(invalid(
                key("x"),
                (w.x, w.y),
                "give both x and y, or neither",
            ));
        }
    };
    Ok(WindowConfig {
        label: w.label,
        layout,
        monitor: w.monitor,
        position,
        size,
        fullscreen: w.fullscreen.unwrap_or(layout != Layout::Console),
    })
}
