//! Helpers shared by the tests: a store in a fresh temporary file and
//! builders for event records.

use gridwall_store::{RawRecord, Store};
use serde_json::{Value, json};
use tempfile::TempDir;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// A store and the directory that holds its file (deleted on drop).
pub struct Fresh {
    pub store: Store,
    _dir: TempDir,
}

pub async fn fresh() -> anyhow::Result<Fresh> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("store.sqlite");
    let store = Store::open(path.to_str().expect("temp paths are UTF-8")).await?;
    Ok(Fresh { store, _dir: dir })
}

/// Unix seconds as a time.
pub fn at(unix: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(unix).expect("test times are in range")
}

fn rfc3339(unix: i64) -> String {
    at(unix).format(&Rfc3339).expect("test times format")
}

/// One revision of an event with the fields the store looks at.
pub struct Rev<'a> {
    pub id: &'a str,
    pub revision: u32,
    pub grid_id: &'a str,
    pub severity: u8,
    pub state: &'a str,
    pub updated_at: i64,
    pub due_at: Option<i64>,
}

impl Rev<'_> {
    pub fn json(&self) -> Value {
        let mut value = json!({
            "id": self.id, "revision": self.revision, "seq": u64::from(self.revision) * 10,
            "source": "grid_patrol", "category": "city.parking", "severity": self.severity,
            "state": self.state, "grid_id": self.grid_id,
            "reported_at": rfc3339(0), "updated_at": rfc3339(self.updated_at),
            "title": format!("事件 {} 第 {} 版", self.id, self.revision)
        });
        if let Some(due) = self.due_at {
            value["due_at"] = json!(rfc3339(due));
        }
        value
    }

    pub fn record(&self) -> RawRecord {
        record(&self.json())
    }
}

/// A simple open revision: severity 1, reported, in grid G1.
pub fn simple(id: &str, revision: u32) -> Rev<'_> {
    Rev {
        id,
        revision,
        grid_id: "G1",
        severity: 1,
        state: "reported",
        updated_at: i64::from(revision) * 60,
        due_at: None,
    }
}

pub fn record(value: &Value) -> RawRecord {
    RawRecord::new("zhili", value.to_string())
}
