//! What the brain says: a [`Warning`] with its kind, level, place and
//! explanation, and the [`Episodes`] that keep one ongoing anomaly one
//! warning.
//!
//! A detector fires on every event that keeps an anomaly alive; the wall
//! must not see a new warning each time. So each detector names the anomaly
//! by a *key* (kind, place and what is measured) and [`Episodes`] turns a
//! key into a stable warning id: the key and the onset of the episode. While
//! the key keeps firing within [`COOL_DOWN_S`] of its last hit, the same id is
//! updated; after a quiet spell a new episode (a new id) begins.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

/// How long a key must stay quiet before its next hit opens a new warning.
pub const COOL_DOWN_S: i64 = 3 * 3_600;

/// What kind of early warning.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A place's event rate breaks from its seasonal baseline.
    Rate,
    /// Disputes again at the same address within the window (民转刑 risk).
    Repeat,
    /// Adjacent grids rising together (群发).
    Cluster,
    /// Open incidents of a town near or past their deadline.
    Overdue,
    /// A town closing fewer incidents on time than it usually does.
    ClosureFalling,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Rate => "rate",
            Kind::Repeat => "repeat",
            Kind::Cluster => "cluster",
            Kind::Overdue => "overdue",
            Kind::ClosureFalling => "closure_falling",
        }
    }

    pub fn parse(raw: &str) -> Option<Kind> {
        [
            Kind::Rate,
            Kind::Repeat,
            Kind::Cluster,
            Kind::Overdue,
            Kind::ClosureFalling,
        ]
        .into_iter()
        .find(|k| k.as_str() == raw)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Kind::Rate => "异常上升",
            Kind::Repeat => "重复纠纷",
            Kind::Cluster => "片区群发",
            Kind::Overdue => "临期超期",
            Kind::ClosureFalling => "办结率下降",
        }
    }

    /// Whether the kind is a statistical guess that ground truth can score
    /// (rate, repeat, cluster), rather than a fact read off deadlines.
    pub fn is_anomaly(self) -> bool {
        matches!(self, Kind::Rate | Kind::Repeat | Kind::Cluster)
    }
}

/// The four colours of the national warning scale, 蓝 < 黄 < 橙 < 红.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Blue = 1,
    Yellow = 2,
    Orange = 3,
    Red = 4,
}

impl Level {
    pub fn get(self) -> u8 {
        self as u8
    }

    pub fn from_u8(n: u8) -> Level {
        match n {
            0 | 1 => Level::Blue,
            2 => Level::Yellow,
            3 => Level::Orange,
            _ => Level::Red,
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Level::Blue => "蓝色",
            Level::Yellow => "黄色",
            Level::Orange => "橙色",
            Level::Red => "红色",
        }
    }
}

/// The level of the administrative tree a place is at.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlaceLevel {
    Grid,
    Village,
    Town,
}

impl PlaceLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            PlaceLevel::Grid => "grid",
            PlaceLevel::Village => "village",
            PlaceLevel::Town => "town",
        }
    }

    pub fn parse(raw: &str) -> Option<PlaceLevel> {
        [PlaceLevel::Grid, PlaceLevel::Village, PlaceLevel::Town]
            .into_iter()
            .find(|l| l.as_str() == raw)
    }
}

/// A grid, village or town, by its upstream id (grid id or division code).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Place {
    pub level: PlaceLevel,
    pub code: String,
}

impl Place {
    pub fn new(level: PlaceLevel, code: impl Into<String>) -> Place {
        Place {
            level,
            code: code.into(),
        }
    }
}

/// Why the warning was raised, in figures and in words.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Explanation {
    pub zh: String,
    pub en: String,
    /// What was expected over the window (events, or a share for closures).
    pub baseline: f64,
    /// What was seen over the window.
    pub observed: f64,
    /// Observed over baseline.
    pub ratio: f64,
    /// The test's tail probability, where there is a test.
    pub p_value: Option<f64>,
    pub window_minutes: u32,
    /// Events per source (wire value) that drove it, most first.
    pub sources: Vec<(String, u32)>,
    /// The events behind it, oldest first (at most [`MAX_EVENT_IDS`]).
    pub event_ids: Vec<String>,
    /// The grids involved (a cluster's members; a repeat's grid).
    #[serde(default)]
    pub grids: Vec<String>,
}

/// How many event ids a warning carries; the console can list the rest.
pub const MAX_EVENT_IDS: usize = 30;

/// One early warning. The id is stable for one episode of one anomaly.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Warning {
    pub id: String,
    pub kind: Kind,
    pub level: Level,
    pub place: Place,
    /// Unix seconds: when the anomaly began (the first event behind it).
    pub onset: i64,
    /// Unix seconds: when this episode was first raised.
    pub raised_at: i64,
    /// Unix seconds: this version of it.
    pub updated_at: i64,
    pub explanation: Explanation,
}

struct Episode {
    id: String,
    onset: i64,
    raised_at: i64,
    last_hit: i64,
    level: Level,
}

/// Stable ids for recurring hits of the same key. See the module docs.
#[derive(Default)]
pub struct Episodes {
    open: HashMap<String, Episode>,
}

impl Episodes {
    /// A hit of `key` at `now`; returns the warning to publish, with the
    /// episode's id, first onset and first raise time. The level never drops
    /// within an episode, so a warning does not flicker between colours.
    #[allow(clippy::too_many_arguments)] // Each is one field of the warning.
    pub fn hit(
        &mut self,
        key: String,
        kind: Kind,
        level: Level,
        place: Place,
        onset: i64,
        now: i64,
        explanation: Explanation,
    ) -> Warning {
        let episode = match self.open.get_mut(&key) {
            Some(e) if now - e.last_hit <= COOL_DOWN_S => e,
            _ => {
                let id = format!("{key}@{onset}");
                self.open.insert(
                    key.clone(),
                    Episode {
                        id,
                        onset,
                        raised_at: now,
                        last_hit: now,
                        level,
                    },
                );
                self.open.get_mut(&key).expect("just inserted")
            }
        };
        episode.last_hit = now;
        episode.level = episode.level.max(level);
        Warning {
            id: episode.id.clone(),
            kind,
            level: episode.level,
            place,
            onset: episode.onset,
            raised_at: episode.raised_at,
            updated_at: now,
            explanation,
        }
    }

    /// Whether a hit of `key` at `now` would continue an open episode.
    pub fn is_open(&self, key: &str, now: i64) -> bool {
        self.open
            .get(key)
            .is_some_and(|e| now - e.last_hit <= COOL_DOWN_S)
    }

    /// Keep an episode alive without publishing it again.
    pub fn touch(&mut self, key: &str, now: i64) {
        if let Some(e) = self.open.get_mut(key) {
            e.last_hit = now;
        }
    }

    /// Forget episodes quiet for longer than the cool-down.
    pub fn expire(&mut self, now: i64) {
        self.open.retain(|_, e| now - e.last_hit <= COOL_DOWN_S);
    }

    pub fn len(&self) -> usize {
        self.open.len()
    }

    pub fn is_empty(&self) -> bool {
        self.open.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn explain() -> Explanation {
        Explanation {
            zh: String::new(),
            en: String::new(),
            baseline: 0.0,
            observed: 0.0,
            ratio: 0.0,
            p_value: None,
            window_minutes: 60,
            sources: vec![],
            event_ids: vec![],
            grids: vec![],
        }
    }

    #[test]
    fn an_ongoing_anomaly_is_one_warning_and_a_later_one_is_another() {
        let mut e = Episodes::default();
        let place = Place::new(PlaceLevel::Grid, "G1");
        let hit = |e: &mut Episodes, now, level| {
            e.hit(
                "rate:G1".into(),
                Kind::Rate,
                level,
                place.clone(),
                now - 600,
                now,
                explain(),
            )
        };
        let first = hit(&mut e, 1_000, Level::Yellow);
        let again = hit(&mut e, 2_000, Level::Blue);
        assert_eq!(first.id, again.id);
        assert_eq!(again.onset, first.onset, "the onset is the episode's");
        assert_eq!(again.level, Level::Yellow, "the level does not drop");
        let later = hit(&mut e, 2_000 + COOL_DOWN_S + 1, Level::Blue);
        assert_ne!(later.id, first.id);
        e.expire(2_000 + 3 * COOL_DOWN_S);
        assert!(e.is_empty());
    }
}
