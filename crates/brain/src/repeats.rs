//! Repeats: a dispute at an address that already had one within the window.
//! A family or neighbour dispute that comes back is the classic path from a
//! civil matter to a criminal one (民转刑), so the second report is itself
//! the warning, raised at once.
//!
//! The platform's records carry no parties, only the address the reporter
//! gave, so the address is the key, normalised so that the ways people
//! write one address meet: full-width letters and digits as ASCII, no
//! spaces or punctuation, 號 as 号, and trailing "附近"/"旁"/"对面" dropped.
//! An address too short to name one door (under six characters after
//! normalising, such as a bare village name) is not tracked: it would join
//! unrelated disputes.

use std::collections::{HashMap, VecDeque};

/// A dispute seen at a normalised address.
#[derive(Clone, Debug)]
pub struct Visit {
    pub at: i64,
    pub id: String,
    pub category: String,
    pub grid_id: String,
}

/// Shortest normalised address that is tracked.
pub const MIN_ADDRESS_CHARS: usize = 6;

/// The address as a key. See the module docs.
pub fn normalise(address: &str) -> Option<String> {
    let mut out = String::with_capacity(address.len());
    for c in address.chars() {
        let c = match c {
            // Full-width ASCII block to ASCII.
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '號' => '号',
            _ => c,
        };
        if c.is_whitespace()
            || c.is_ascii_punctuation()
            || "，。、；：（）【】《》“”‘’·".contains(c)
        {
            continue;
        }
        if c.is_control()
            || ('\u{200B}'..='\u{200F}').contains(&c)
            || ('\u{202A}'..='\u{202E}').contains(&c)
        {
            continue;
        }
        out.push(c.to_ascii_uppercase());
    }
    for tail in ["附近", "旁边", "旁", "对面"] {
        if let Some(stripped) = out.strip_suffix(tail) {
            out.truncate(stripped.len());
        }
    }
    (out.chars().count() >= MIN_ADDRESS_CHARS).then_some(out)
}

/// The disputes per normalised address within the window.
#[derive(Default)]
pub struct Addresses {
    visits: HashMap<String, VecDeque<Visit>>,
}

impl Addresses {
    /// Record a dispute; returns the visits at the address within `window`
    /// seconds before it, itself included, oldest first.
    pub fn record(&mut self, key: String, visit: Visit, window: i64) -> Vec<Visit> {
        let list = self.visits.entry(key).or_default();
        while list.front().is_some_and(|v| v.at < visit.at - window) {
            list.pop_front();
        }
        // The same event twice (a replay, or taken back from the store after
        // a restart) is one visit.
        if !list.iter().any(|v| v.id == visit.id) {
            let at = list.partition_point(|v| v.at <= visit.at);
            list.insert(at, visit);
        }
        list.iter().cloned().collect()
    }

    /// Forget addresses with nothing newer than `now - window`.
    pub fn prune(&mut self, now: i64, window: i64) {
        self.visits.retain(|_, l| {
            while l.front().is_some_and(|v| v.at < now - window) {
                l.pop_front();
            }
            !l.is_empty()
        });
    }

    pub fn len(&self) -> usize {
        self.visits.len()
    }

    pub fn is_empty(&self) -> bool {
        self.visits.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ways_of_writing_one_address_meet() {
        let a = normalise("坎墩街道 五姓村 新园路１２号").unwrap();
        assert_eq!(normalise("坎墩街道五姓村新园路12號附近").unwrap(), a);
        assert_eq!(normalise("坎墩街道五姓村新园路12号。").unwrap(), a);
        assert_ne!(normalise("坎墩街道五姓村新园路13号").unwrap(), a);
        assert_eq!(normalise("五姓村"), None, "too short to name a door");
        assert_eq!(normalise(""), None);
        assert_eq!(
            normalise("\u{202E}坎墩街道五姓村新园路12号\u{202C}").unwrap(),
            a,
            "direction marks are not part of an address"
        );
    }

    #[test]
    fn only_visits_within_the_window_count() {
        let mut a = Addresses::default();
        let v = |at, id: &str| Visit {
            at,
            id: id.into(),
            category: "dispute.family".into(),
            grid_id: "G".into(),
        };
        assert_eq!(a.record("k".into(), v(0, "a"), 100).len(), 1);
        assert_eq!(a.record("k".into(), v(50, "b"), 100).len(), 2);
        assert_eq!(
            a.record("k".into(), v(50, "b"), 100).len(),
            2,
            "a replay is one visit"
        );
        let third = a.record("k".into(), v(140, "c"), 100);
        assert_eq!(
            third.iter().map(|v| v.id.as_str()).collect::<Vec<_>>(),
            ["b", "c"]
        );
        a.prune(1_000, 100);
        assert!(a.is_empty());
    }
}
