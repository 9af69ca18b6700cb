//! The gateway's share of the simulator's hostile profile that is written
//! into the catalogue's JSON: names of every text class, unknown fields,
//! unknown camera kinds, and page tokens that need percent-encoding. (The
//! URL forms are in [`crate::VideoSim`]; the profile's list of what the
//! contracts allow is in `gridwall_sim::hostile`.)

use serde_json::Value;

use crate::config::Faults;

/// Camera names of every class of free text: markup, RTL override, astral
/// characters, controls, U+0000, a lone surrogate (written as an escape the
/// JSON encoder cannot produce, see [`escape_surrogates`]), and empty.
const NAMES: &[&str] = &[
    "<img src=x onerror=alert(1)>",
    "\u{202E}RTL覆盖\u{202C} ",
    "𠮷野家 𝕏 \u{1F600} ",
    "铃\u{0007}\u{001B}[31m红\u{001B}[0m\t",
    "空\u{0000}字符 ",
    "孤\u{FDD0}代理 ",
    "",
];

/// Stands for a lone surrogate in [`NAMES`].
const LONE_SURROGATE: char = '\u{FDD0}';

/// Tail of an escaped page token: every character a query must percent-encode.
pub(crate) const TOKEN_TAIL: &str = "/页 +&=?#%25é";

/// The camera object as served under the JSON-level faults in force.
pub(crate) fn camera(mut value: Value, index: usize, faults: &Faults) -> Value {
    if faults.hostile_names && index % 7 == 3 {
        let name = value["name"].as_str().unwrap_or_default().to_owned();
        value["name"] = match (index / 7) % (NAMES.len() + 1) {
            n if n == NAMES.len() => long(&name).into(),
            n if NAMES[n].is_empty() => "".into(),
            n => format!("{}{name}", NAMES[n]).into(),
        };
    }
    if faults.unknown_kinds && index % 23 == 5 && value["kind"] == "fixed" {
        value["kind"] = "thermal_fixed".into();
    }
    if faults.unknown_fields
        && let Some(object) = value.as_object_mut()
    {
        object.insert(
            "x_vnet_v3".into(),
            serde_json::json!({ "codec": "h265", "tags": ["新字段"] }),
        );
    }
    value
}

/// An 8,000-character name, the longest free text the platform allows.
fn long(start: &str) -> String {
    let mut text = start.to_owned();
    while text.chars().count() < 8_000 {
        text.push_str("摄像机名称很长。");
    }
    text.chars().take(8_000).collect()
}

/// Writes each [`LONE_SURROGATE`] of serialised JSON as `\ud83d`.
pub(crate) fn escape_surrogates(json: String) -> String {
    if json.contains(LONE_SURROGATE) {
        json.replace(LONE_SURROGATE, "\\ud83d")
    } else {
        json
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_class_appears_and_the_surrogate_is_an_escape() {
        let faults = Faults::hostile();
        let names: Vec<String> = (0..7 * 16)
            .map(|i| {
                let v = camera(
                    serde_json::json!({"name": "慈溪", "kind": "fixed"}),
                    i,
                    &faults,
                );
                escape_surrogates(v.to_string())
            })
            .collect();
        assert!(names.iter().any(|n| n.contains("\\ud83d")));
        assert!(names.iter().any(|n| n.contains("\\u0000")));
        assert!(names.iter().any(|n| n.contains(r#""name":"""#)));
        assert!(names.iter().any(|n| n.chars().count() > 8_000));
        assert!(names.iter().all(|n| n.contains("x_vnet_v3")));
        assert!(names.iter().any(|n| n.contains("thermal_fixed")));
    }
}
