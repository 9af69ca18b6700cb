//! Strict parsing of one governance record, and why a record was refused.
//!
//! Ingest must never stop on a bad record, so parsing returns the reason as a
//! value: a short `kind` to count and to log once per minute, and serde's or
//! the validator's message for the person reading the quarantine.

use gridwall_domain::governance::Event;
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
        }
    }
}

/// Parse one event strictly and check what serde cannot. Never panics.
pub fn parse_event(raw: &[u8]) -> Result<Event, Quarantined> {
    let event: Event = serde_json::from_slice(raw).map_err(|error| Quarantined {
        kind: classify(&error),
        message: error.to_string(),
    })?;
    event.validate().map_err(|invalid| Quarantined {
        kind: RejectKind::Invalid,
        message: invalid.to_string(),
    })?;
    Ok(event)
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
