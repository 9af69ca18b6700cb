//! The newest rows of a bulk import, in memory: what `events` holds for the
//! events the import is busy with, so a batch need not read them back.
//!
//! A history arrives in seq order, so an event's revisions come close
//! together and it is rarely touched again once closed or cancelled. The
//! cache keeps the rows of open events, and of the others only a hash of
//! the id (8 bytes, not a row): about 60 MB for the 4 million events of
//! five years. An import that starts on an empty store therefore knows
//! without asking that an id it has never seen is a new event; a hash
//! collision, or an import that started on a store holding events, asks
//! `events` for what the cache does not know.
//!
//! The cache only ever takes rows that a committed transaction wrote or
//! read, and every writer of `events` in this process hands it its rows
//! (the live path and the overdue sweep included), so it never disagrees
//! with the table.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasher, RandomState};

use crate::newest::EventRow;

/// What a lookup in the cache found.
pub(crate) enum Known<'a> {
    /// The event's newest row.
    Row(&'a EventRow),
    /// Certainly not in `events`.
    Absent,
    /// Ask the table.
    Unknown,
}

pub(crate) struct NewestCache {
    open: HashMap<String, EventRow>,
    /// Hashes of the ids of events whose newest row is closed or cancelled.
    finished: HashSet<u64>,
    hasher: RandomState,
    /// Whether every event in `events` is in `open` or `finished` (the
    /// import started on an empty table).
    complete: bool,
}

impl NewestCache {
    /// A cache for a store whose `events` table is empty (`complete`) or not.
    pub fn new(complete: bool) -> NewestCache {
        NewestCache {
            open: HashMap::new(),
            finished: HashSet::new(),
            hasher: RandomState::new(),
            complete,
        }
    }

    fn hash(&self, id: &str) -> u64 {
        self.hasher.hash_one(id)
    }

    pub fn get(&self, id: &str) -> Known<'_> {
        if let Some(row) = self.open.get(id) {
            return Known::Row(row);
        }
        if self.complete && !self.finished.contains(&self.hash(id)) {
            Known::Absent
        } else {
            Known::Unknown
        }
    }

    /// Take rows a committed transaction left in `events`, in the order
    /// they were written (a later row of one event replaces an earlier one).
    pub fn absorb(&mut self, rows: Vec<EventRow>) {
        for row in rows {
            if row.is_open {
                self.open.insert(row.id.clone(), row);
            } else {
                self.open.remove(&row.id);
                let hash = self.hash(&row.id);
                self.finished.insert(hash);
            }
        }
    }

    /// Events held as rows, and as hashes.
    pub fn len(&self) -> (usize, usize) {
        (self.open.len(), self.finished.len())
    }
}

/// The stored record of each open event's newest revision, so that the next
/// revision can be packed on it ([`crate::raw::ZSTD_PREVIOUS`]). Kept by the
/// one writer of the store for both paths; at most [`MAX_RECORDS`] (about
/// 85 MB of the platform's records): past that a revision is packed on the
/// dictionary alone, as after a restart, which costs bytes, never
/// correctness.
#[derive(Default)]
pub(crate) struct LastRecords {
    records: HashMap<String, (i64, Vec<u8>)>,
}

const MAX_RECORDS: usize = 100_000;

impl LastRecords {
    /// The stored record of `revision - 1` of event `id`, if remembered.
    pub fn previous(&self, id: &str, revision: i64) -> Option<&[u8]> {
        match self.records.get(id) {
            Some((stored, record)) if *stored + 1 == revision => Some(record),
            _ => None,
        }
    }

    /// Remember the records a committed batch stored as new revisions
    /// (id, revision, record), and forget the events it left finished.
    pub fn absorb(&mut self, stored: Vec<(String, i64, Vec<u8>)>, rows: &[EventRow]) {
        for (id, revision, record) in stored {
            let room = self.records.len() < MAX_RECORDS;
            match self.records.get_mut(&id) {
                Some(entry) if entry.0 < revision => *entry = (revision, record),
                Some(_) => {}
                None if room => {
                    self.records.insert(id, (revision, record));
                }
                None => {}
            }
        }
        for row in rows.iter().filter(|row| !row.is_open) {
            self.records.remove(&row.id);
        }
    }
}
