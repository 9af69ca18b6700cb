//! The event parser: every record either parses into an event the store can
//! hold or is refused with a kind and a message; a parsed event written
//! back as JSON parses again to the same event.

#![no_main]

use gridwall_fuzz::parse::{RejectKind, parse_event};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

/// Whether any string (or key) in `value` holds U+0000.
fn holds_nul(value: &Value) -> bool {
    match value {
        Value::String(s) => s.contains('\0'),
        Value::Array(items) => items.iter().any(holds_nul),
        Value::Object(fields) => fields.iter().any(|(k, v)| k.contains('\0') || holds_nul(v)),
        _ => false,
    }
}

fuzz_target!(|data: &[u8]| {
    match parse_event(data) {
        Ok(event) => {
            assert!(event.validate().is_ok(), "a parsed event must be valid");
            let written = serde_json::to_vec(&event).expect("a parsed event must serialise");
            assert!(!written.contains(&0), "JSON escapes control characters");
            let again = parse_event(&written).expect("a written event must parse again");
            assert_eq!(again, event, "the event must survive its own JSON");
            let value: Value = serde_json::from_slice(&written).expect("JSON");
            assert!(
                !holds_nul(&value),
                "a parsed event holds no U+0000 (PostgreSQL's text refuses it)"
            );
        }
        Err(refused) => {
            assert!(!refused.message.is_empty(), "a refusal needs a reason");
            assert_ne!(
                refused.kind,
                RejectKind::Unstorable,
                "only the database engine says unstorable"
            );
        }
    }
});
