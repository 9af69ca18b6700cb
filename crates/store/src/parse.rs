//! Strict parsing of one governance record, and why a record was refused.
//!
//! Ingest must never stop on a bad record, so parsing returns the reason as a
//! value: a short `kind` to count and to log once per minute, and serde's or
//! the validator's message for the person reading the quarantine.
//!
//! The contract allows any text in free-text fields, and the parsed event is
//! what both engines store, so two classes of text are made storable here,
//! the same way for SQLite and PostgreSQL (issue 18). The record's raw bytes
//! are kept exactly as they came in either case.
//!
//! - **U+0000** (written `\u0000` in JSON) is refused by PostgreSQL's `text`
//!   type, which SQLite keeps: every U+0000 in a parsed string becomes U+FFFD,
//!   the replacement character, so the wall shows that something stood there
//!   and both engines hold the same. The raw revision keeps the escape, six
//!   ASCII characters any `text` column takes (an unescaped NUL byte is not
//!   JSON and such a record is quarantined, as bytes).
//! - **A lone UTF-16 surrogate** escaped in JSON (`\ud800` with no partner) is
//!   no character at all and serde_json refuses the record. Rather than lose an
//!   event for a broken title, such escapes become `\ufffd` and the record is
//!   parsed again, as browsers show broken UTF-16.

use std::borrow::Cow;

use gridwall_domain::governance::{Event, Source};
use serde_json::error::Category as JsonCategory;

/// A record the store refused, with why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Quarantined {
    pub kind: RejectKind,
    pub message: String,
}

/// The reason, coarse enough to count.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RejectKind {
    /// Not JSON at all (syntax error, truncated, not UTF-8).
    NotJson,
    /// A required field is absent.
    MissingField,
    /// A field has the wrong JSON type (a string where a number belongs, ...).
    WrongType,
    /// A closed enum (`state`, `handling_level`, ...) holds a value it does not know.
    BadEnum,
    /// The right type but a value the contract rules out (severity 7, a bad date).
    BadValue,
    /// Parsed, but `Event::validate` refused it (empty id, revision 0, ...).
    Invalid,
    /// Parsed and valid, but the database engine refused to store it (on
    /// PostgreSQL, e.g. an id too long for a B-tree index). Found by landing
    /// the batch that carried it in halves; see [`crate::write`].
    Unstorable,
}

impl RejectKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RejectKind::NotJson => "not_json",
            RejectKind::MissingField => "missing_field",
            RejectKind::WrongType => "wrong_type",
            RejectKind::BadEnum => "bad_enum",
            RejectKind::BadValue => "bad_value",
            RejectKind::Invalid => "invalid",
            RejectKind::Unstorable => "unstorable",
        }
    }
}

/// Parse one event strictly and check what serde cannot; its strings come
/// back storable (see the module's notes). Never panics.
pub fn parse_event(raw: &[u8]) -> Result<Event, Quarantined> {
    let refused = |error: serde_json::Error| Quarantined {
        kind: classify(&error),
        message: storable(error.to_string()),
    };
    let event: Event = match serde_json::from_slice(raw) {
        Ok(event) => event,
        Err(error) => match mend_surrogates(raw) {
            Some(mended) => serde_json::from_slice(&mended).map_err(refused)?,
            None => return Err(refused(error)),
        },
    };
    event.validate().map_err(|invalid| Quarantined {
        kind: RejectKind::Invalid,
        message: storable(invalid.to_string()),
    })?;
    Ok(storable_event(event))
}

/// `text` with every U+0000 replaced by U+FFFD: what PostgreSQL's `text` can hold.
pub fn storable(text: String) -> String {
    if text.contains('\0') {
        text.replace('\0', "\u{fffd}")
    } else {
        text
    }
}

fn storable_event(mut event: Event) -> Event {
    fn fix(text: &mut String) {
        if text.contains('\0') {
            *text = storable(std::mem::take(text));
        }
    }
    for text in [
        &mut event.id,
        &mut event.grid_id,
        &mut event.address,
        &mut event.title,
        &mut event.description,
        &mut event.category.0,
    ] {
        fix(text);
    }
    for text in [
        &mut event.micro_grid_id,
        &mut event.reported_by,
        &mut event.assignee,
        &mut event.camera_id,
    ]
    .into_iter()
    .flatten()
    {
        fix(text);
    }
    if let Source::Other(text) = &mut event.source {
        fix(text);
    }
    for attachment in &mut event.attachments {
        fix(&mut attachment.url);
    }
    event
}

/// `raw` with every lone surrogate escape inside a JSON string replaced by
/// `\ufffd`; `None` when it has none. Works on bytes: in UTF-8 no byte of a
/// multi-byte character is a quote or a backslash, so strings and escapes are
/// found without decoding. Reference records (names) are mended with it by
/// ingest before they are stored, since every reader parses them with serde.
pub fn mend_surrogates(raw: &[u8]) -> Option<Vec<u8>> {
    let mut out: Cow<[u8]> = Cow::Borrowed(raw);
    let mut in_string = false;
    let mut i = 0;
    while i < raw.len() {
        match (in_string, raw[i]) {
            (false, b'"') => in_string = true,
            (true, b'"') => in_string = false,
            (true, b'\\') => {
                let lone = match escaped_unit(raw, i) {
                    Some(0xD800..=0xDBFF) => {
                        if matches!(escaped_unit(raw, i + 6), Some(0xDC00..=0xDFFF)) {
                            i += 12;
                            continue;
                        }
                        true
                    }
                    Some(0xDC00..=0xDFFF) => true,
                    Some(_) => false,
                    // Another escape: skip the byte after the backslash too.
                    None => {
                        i += 2;
                        continue;
                    }
                };
                if lone {
                    let out = out.to_mut();
                    // Same length, so offsets in `raw` and `out` agree.
                    out[i..i + 6].copy_from_slice(b"\\ufffd");
                }
                i += 6;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    match out {
        Cow::Owned(mended) => Some(mended),
        Cow::Borrowed(_) => None,
    }
}

/// The UTF-16 unit of a `\uXXXX` escape starting at `at`.
fn escaped_unit(raw: &[u8], at: usize) -> Option<u16> {
    let escape = raw.get(at..at + 6)?;
    if !escape.starts_with(b"\\u") || !escape[2..].iter().all(u8::is_ascii_hexdigit) {
        return None;
    }
    u16::from_str_radix(std::str::from_utf8(&escape[2..]).ok()?, 16).ok()
}

/// serde_json tells syntax from data errors; within data errors only the
/// message says which, and serde's wording of these is stable.
fn classify(error: &serde_json::Error) -> RejectKind {
    match error.classify() {
        JsonCategory::Io | JsonCategory::Syntax | JsonCategory::Eof => RejectKind::NotJson,
        JsonCategory::Data => {
            let message = error.to_string();
            if message.starts_with("missing field") {
                RejectKind::MissingField
            } else if message.starts_with("invalid type") {
                RejectKind::WrongType
            } else if message.starts_with("unknown variant") {
                RejectKind::BadEnum
            } else {
                RejectKind::BadValue
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::{Value, json};

    fn event_json() -> Value {
        json!({
            "id": "SJ1", "revision": 1, "seq": 1,
            "source": "grid_patrol", "category": "city.parking", "severity": 1,
            "state": "reported", "grid_id": "G1",
            "reported_at": "2026-11-27T09:00:00+08:00", "updated_at": "2026-11-27T09:00:00+08:00",
            "title": "t"
        })
    }

    fn kind_of(value: Value) -> RejectKind {
        parse_event(value.to_string().as_bytes()).unwrap_err().kind
    }

    #[test]
    fn each_failure_has_its_kind() {
        assert_eq!(
            parse_event(b"{\"id\":").unwrap_err().kind,
            RejectKind::NotJson
        );
        assert_eq!(
            parse_event(b"\xff\xfe").unwrap_err().kind,
            RejectKind::NotJson
        );
        let mut missing = event_json();
        missing.as_object_mut().unwrap().remove("grid_id");
        assert_eq!(kind_of(missing), RejectKind::MissingField);
        let mut wrong = event_json();
        wrong["seq"] = json!("one");
        assert_eq!(kind_of(wrong), RejectKind::WrongType);
        let mut state = event_json();
        state["state"] = json!("archived");
        assert_eq!(kind_of(state), RejectKind::BadEnum);
        let mut severity = event_json();
        severity["severity"] = json!(7);
        assert_eq!(kind_of(severity), RejectKind::BadValue);
        let mut empty = event_json();
        empty["id"] = json!("");
        assert_eq!(kind_of(empty), RejectKind::Invalid);
        assert!(parse_event(event_json().to_string().as_bytes()).is_ok());
    }

    #[test]
    fn lone_surrogates_become_replacement_characters_and_pairs_stay() {
        assert_eq!(mend_surrogates(br#"{"a":"\ud83d\ude00"}"#), None);
        assert_eq!(
            mend_surrogates(br#"{"a":"\\ud800"}"#),
            None,
            "an escaped backslash"
        );
        assert_eq!(
            mend_surrogates(br#"{"a":"x\ud800y\udc00\ud800"}"#).as_deref(),
            Some(&br#"{"a":"x\ufffdy\ufffd\ufffd"}"#[..])
        );
        assert_eq!(
            mend_surrogates(br#"{"a":"\ud800\ud83d\ude00"}"#).as_deref(),
            Some(&br#"{"a":"\ufffd\ud83d\ude00"}"#[..])
        );
        let mut event = event_json();
        event["title"] = json!("placeholder");
        let raw = event.to_string().replace("placeholder", r"a\u0000b \udfff");
        let parsed = parse_event(raw.as_bytes()).expect("mended and parsed");
        assert_eq!(parsed.title, "a\u{fffd}b \u{fffd}");
    }

    /// Found by fuzzing (`fuzz/regressions/event/`): serde_json's default
    /// float parsing may land a unit off on a long mantissa, so an event
    /// read back from its own JSON had moved.
    #[test]
    fn coordinates_survive_the_events_own_json() {
        let mut event = event_json();
        event["location"] = json!("placeholder");
        let long = "121.20633333333333333333333333333333333333333333333333333333333344";
        let raw = event
            .to_string()
            .replace("\"placeholder\"", &format!("[{long},30.083436]"));
        let parsed = parse_event(raw.as_bytes()).expect("a valid event");
        let written = serde_json::to_vec(&parsed).expect("serialises");
        let again = parse_event(&written).expect("parses again");
        assert_eq!(again.location, parsed.location);
        assert_eq!(parsed.location, Some([121.20633333333333, 30.083436]));
    }

    /// The committed fuzz inputs (`fuzz/seeds/event/`,
    /// `fuzz/regressions/event/`, see `fuzz/README.md`): each parses into an
    /// event that survives its own JSON, or is refused with a reason.
    #[test]
    fn committed_fuzz_inputs_parse_or_are_refused_with_a_reason() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz");
        let (mut parsed, mut refused) = (0, 0);
        for dir in ["seeds", "regressions"] {
            let Ok(entries) = std::fs::read_dir(root.join(dir).join("event")) else {
                continue;
            };
            for entry in entries {
                let path = entry.expect("a readable fuzz input").path();
                let raw = std::fs::read(&path).expect("a readable fuzz input");
                match parse_event(&raw) {
                    Ok(event) => {
                        let written = serde_json::to_vec(&event).expect("serialises");
                        assert_eq!(parse_event(&written), Ok(event), "{}", path.display());
                        parsed += 1;
                    }
                    Err(why) => {
                        assert!(!why.message.is_empty(), "{}", path.display());
                        refused += 1;
                    }
                }
            }
        }
        assert!(
            parsed >= 20 && refused >= 4,
            "{parsed} parsed, {refused} refused"
        );
    }

    fn arbitrary_json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            any::<f64>().prop_map(Value::from),
            ".*".prop_map(Value::from),
        ];
        leaf.prop_recursive(4, 64, 8, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..8).prop_map(Value::from),
                prop::collection::hash_map(".*", inner, 0..8)
                    .prop_map(|map| Value::Object(map.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
            let _ = parse_event(&bytes);
        }

        #[test]
        fn arbitrary_json_never_panics(value in arbitrary_json()) {
            let _ = parse_event(value.to_string().as_bytes());
        }

        /// A valid event with one field replaced by anything: parses or is
        /// refused with a reason, never panics.
        #[test]
        fn a_valid_event_with_one_field_replaced_never_panics(
            field in prop::sample::select(vec![
                "id", "revision", "seq", "source", "category", "severity", "state",
                "grid_id", "reported_at", "updated_at", "due_at", "location", "attachments",
            ]),
            value in arbitrary_json(),
        ) {
            let mut event = event_json();
            event[field] = value;
            if let Err(refused) = parse_event(event.to_string().as_bytes()) {
                prop_assert!(!refused.message.is_empty());
            }
        }
    }
}
