//! Helpers shared by the tests: a store in a fresh temporary file and
//! builders for event records.

use gridwall_store::{RawRecord, Store};
use serde_json::{Value, json};
use tempfile::TempDir;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// A store on a fresh database: a SQLite file in a temporary directory
/// (deleted on drop), or a new database on the test PostgreSQL server.
pub struct Fresh {
    pub store: Store,
    /// What the store was opened with, to open it again.
    pub url: String,
    _dir: Option<TempDir>,
}

/// Which engine a test runs on.
#[derive(Clone, Copy, Debug)]
pub enum Engine {
    Sqlite,
    Postgres,
}

pub async fn fresh(engine: Engine) -> anyhow::Result<Fresh> {
    match engine {
        Engine::Sqlite => {
            let dir = tempfile::tempdir()?;
            let path = dir.path().join("store.sqlite");
            let url = path.to_str().expect("temp paths are UTF-8").to_owned();
            let store = Store::open(&url).await?;
            Ok(Fresh {
                store,
                url,
                _dir: Some(dir),
            })
        }
        Engine::Postgres => {
            let server = gridwall_store::testing::postgres_server().map_err(anyhow::Error::msg)?;
            let url = gridwall_store::testing::new_database(&server, "gw")
                .await
                .map_err(anyhow::Error::msg)?;
            Ok(Fresh {
                store: Store::open(&url).await?,
                url,
                _dir: None,
            })
        }
    }
}

/// Run each named test (an `async fn(Fresh) -> anyhow::Result<()>`) on both
/// engines: `name::sqlite` and `name::postgres`.
macro_rules! on_both {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                use crate::support::{Engine, fresh};

                #[tokio::test]
                async fn sqlite() -> anyhow::Result<()> {
                    super::$name(fresh(Engine::Sqlite).await?).await
                }

                #[tokio::test]
                async fn postgres() -> anyhow::Result<()> {
                    super::$name(fresh(Engine::Postgres).await?).await
                }
            }
        )*
    };
}
pub(crate) use on_both;

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

/// Lands the simulator's history (seed `seed`) from `from` to `to` in
/// batches of 1,000, with the store's clock at `to`.
pub async fn land_history(
    store: &gridwall_store::Store,
    seed: u64,
    from: OffsetDateTime,
    to: OffsetDateTime,
) -> anyhow::Result<()> {
    let sim = gridwall_sim::Simulator::builder()
        .seed(seed)
        .warmup(std::time::Duration::ZERO)
        .build()?;
    let mut batch = Vec::new();
    for (seq, revision) in sim.history(from, to) {
        let event = revision.case.event(revision.step, seq);
        batch.push(gridwall_store::RawRecord::new(
            "zhili",
            serde_json::to_vec(&event)?,
        ));
        if batch.len() == 1_000 {
            store.apply(&batch, to).await?;
            batch.clear();
        }
    }
    store.apply(&batch, to).await?;
    Ok(())
}
