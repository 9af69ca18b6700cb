//! The hostile profile: every "may" of both contracts at once (issue 18).
//!
//! `gridwall-sim --hostile`, [`crate::SimulatorBuilder::profile`] with
//! [`Profile::Hostile`], or `POST /admin/faults/hostile` (the run-time faults
//! only). Rates are low enough that a client which does the right thing keeps
//! up, high enough that one which relies on what the contracts do not promise
//! breaks within minutes. Every choice is drawn from the seed, so a failing
//! run repeats.
//!
//! What the contracts allow, and where the simulator does it under this profile:
//!
//! Governance platform (`governance-api.yaml`, delivery rules and schemas):
//! - The same (id, revision) may arrive more than once: `duplicate_rate` on
//!   pages and on the stream (`http/events.rs`, `http/stream.rs`).
//! - After a reconnect the stream replays from Last-Event-ID; the server may
//!   end the stream at any time: under this profile a message cut in the
//!   middle (`sse_framing`, `http/framing.rs`) or a reset ends it (the
//!   `stream_cut_after` fault, off here, ends streams on a count instead).
//! - A client mixing the stream with backfill can see an older revision after
//!   a newer one: `reorder_backfill` (`http/events.rs`).
//! - `seq` is a 64-bit integer: under this profile seqs start above 2^53
//!   ([`SEQ_BASE`], `feed.rs`), where a double (JavaScript's `number`,
//!   `serde_json::Value::as_f64`) can no longer hold them exactly.
//! - A `since` older than the retention window gets 410; the stream answers
//!   `reset` (its `id:` is the head: resuming from it skips the lost span):
//!   `reset_after` (`http/stream.rs`).
//! - Free text (title, description, address, names) is any Unicode, HTML-like
//!   text, up to 8,000 characters, or empty: `hostile_text` on events and
//!   `hostile_names` on grids, villages and workers, drawn from
//!   [`HOSTILE_TEXTS`] (controls, U+0000, a lone surrogate escaped in JSON,
//!   RTL overrides, astral planes, markup, combining marks, empty) and 8,000
//!   characters ([`crate::history::long_text`]).
//! - Unknown fields may appear in any object: `unknown_fields` (every route).
//! - Unknown enum values may appear in `category` and `source`: `unknown_values`.
//! - 429 carries Retry-After; 5xx and dropped connections happen:
//!   `rate_limit_burst`, `error_rate`, `drop_broadcast_responses`.
//! - Malformed records are not promised absent by any rule, and a client must
//!   not stop on one: `malformed_rate`.
//! - SSE (`text/event-stream`, WHATWG HTML "server-sent events"): any of CR,
//!   LF and CRLF ends a line, a BOM may open the stream, `data` may span
//!   several lines, `retry:` and comments may come anywhere, the space after
//!   the colon is optional: `sse_framing` (`http/framing.rs`).
//! - `next_page_token` is an opaque string: under `escaped_page_tokens` it
//!   holds characters a query must percent-encode (`http/city.rs`).
//! - Attachment `url` is a string, so relative with or without a leading
//!   slash: `relative_urls` (`case.rs`).
//! - Geometry is Polygon or MultiPolygon (GeoJSON allows either winding of a
//!   ring, and holes): [`geometry`] serves some grids as MultiPolygons (one
//!   with an exclave inside another grid's hole) and some rings clockwise.
//!
//! Video gateway (`video-network-api.yaml`), in `gridwall-sim-video`'s
//! `Faults::hostile`:
//! - Stream URLs are relative to the base, with or without a leading slash,
//!   and (RFC 3986 makes any reference resolvable) absolute on a second port:
//!   `varied_urls`, the media listener of [`crate::Running::media_addr`].
//! - A stream URL can answer 404/503, hang, or end mid-stream; cameras go
//!   offline at any time: `offline_fraction`, `unavailable_fraction`,
//!   `hang_fraction`, `cut_fraction`.
//! - Short-lived `token`s (401/403 means fetch the catalogue again): `token_ttl_secs`.
//! - Paged catalogue with opaque tokens: `escaped_page_tokens`.
//! - Camera names are free text; objects may gain fields; `kind` is an enum
//!   that a newer gateway may extend: `hostile_names`, `unknown_fields`,
//!   `unknown_kinds`.

use serde::{Deserialize, Serialize};

use crate::faults::Faults;

/// How hostile a simulator is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Profile {
    /// The default: a well-behaved platform (faults only where asked for).
    #[default]
    Plain,
    /// Every "may" of both contracts, at once (this module).
    Hostile,
}

/// The first seq under the hostile profile: 2^53 + 1, the first integer a
/// double cannot hold (it rounds to 2^53), so a client that parses seqs as
/// doubles sees two revisions share a seq at once.
pub const SEQ_BASE: u64 = (1 << 53) + 1;

/// Stands for a lone UTF-16 surrogate in generated text; written as the
/// escape `\ud83d` (a high surrogate with no partner) wherever it is served
/// as JSON. A noncharacter, so no real text contains it.
pub const LONE_SURROGATE: char = '\u{FDD0}';

/// Free text of every class the contract allows, one per entry.
pub const HOSTILE_TEXTS: &[&str] = &[
    "<img src=x onerror=alert(1)>",
    "<script>alert('wall')</script>",
    "\u{202E}RTL覆盖\u{202C} ",
    "\u{2067}\u{05E9}\u{05DC}\u{05D5}\u{05DD}\u{2069} ",
    "👨\u{200D}👩\u{200D}👧 家庭 🔥🚒 ",
    "𠮷野家 𝕏 \u{1F600} ",
    "Z\u{0351}\u{0358}a\u{0337}\u{0330}l\u{0334}g\u{0335}o\u{0336} ",
    "铃\u{0007}\u{001B}[31m红\u{001B}[0m\t制表\u{0085}\u{2028} ",
    "空\u{0000}字符 ",
    "孤\u{FDD0}代理 ",
    "",
];

/// The faults of the hostile profile (everything switchable at run time).
pub fn faults() -> Faults {
    Faults {
        error_rate: 0.03,
        latency_ms: 0,
        rate_limit_burst: 2,
        retry_after_s: 1,
        duplicate_rate: 0.05,
        reorder_backfill: true,
        malformed_rate: 0.01,
        unknown_fields: true,
        unknown_values: 0.1,
        hostile_text: 0.2,
        // Streams end at the framing's cuts mid-message (one message in 300)
        // and, when they last, at a reset.
        stream_cut_after: None,
        all_gone: false,
        drop_broadcast_responses: 1,
        sse_framing: true,
        escaped_page_tokens: true,
        reset_after: Some(500),
        relative_urls: true,
        hostile_names: true,
    }
}

/// Writes every [`LONE_SURROGATE`] in serialised JSON as the escape of a
/// lone high surrogate. Text without one is returned as it is.
pub fn escape_surrogates(json: String) -> String {
    if json.contains(LONE_SURROGATE) {
        json.replace(LONE_SURROGATE, "\\ud83d")
    } else {
        json
    }
}

/// A stable small number from `id`, to pick which records get which breakage
/// the same way on every request (a sync must see one name per grid).
pub fn pick(id: &str, n: usize) -> usize {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in id.bytes() {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    (hash % n as u64) as usize
}

/// The name a record is served with under `hostile_names`: one in eight gets
/// a hostile prefix (one in 64, 8,000 characters). `None` keeps the name.
pub fn name(id: &str, name: &str) -> Option<String> {
    match pick(id, 64) {
        0 => Some(crate::history::long_text(name)),
        n if n % 8 == 1 => Some(format!(
            "{}{name}",
            HOSTILE_TEXTS[pick(&format!("{id}/t"), HOSTILE_TEXTS.len())]
        )),
        _ => None,
    }
}

mod geometry;
pub use geometry::geometry;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lone_surrogate_is_written_as_an_escape_serde_refuses() {
        let json =
            escape_surrogates(serde_json::to_string(&format!("a{LONE_SURROGATE}b")).unwrap());
        assert_eq!(json, "\"a\\ud83db\"");
        assert!(serde_json::from_str::<String>(&json).is_err());
    }

    #[test]
    fn seq_base_is_past_what_a_double_holds() {
        assert_ne!(SEQ_BASE as f64 as u64, SEQ_BASE);
    }

    #[test]
    fn hostile_names_are_stable_and_some() {
        let ids: Vec<String> = (0..200).map(|n| format!("330282{n:06}G01")).collect();
        let changed = ids.iter().filter(|id| name(id, "网格").is_some()).count();
        assert!((10..60).contains(&changed), "{changed} of 200");
        assert_eq!(name(&ids[3], "x"), name(&ids[3], "x"));
    }
}
