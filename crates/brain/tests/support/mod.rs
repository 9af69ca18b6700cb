//! Helpers shared by the tests: the simulated city as the brain sees it,
//! a fresh store on either engine, and (`run`) the scenarios run through
//! the detectors and scored.

// Shared with the benchmark, which uses all of it; the tests use part.
#[allow(dead_code)]
pub mod run;

use gridwall_brain::Places;
use gridwall_sim::city::City;

/// The embedded city and the brain's view of it.
pub fn city_places() -> (City, Places) {
    let city = City::embedded().expect("the embedded city loads");
    let geometry = std::str::from_utf8(city.geometry()).expect("geometry is UTF-8");
    let places = Places::new(city.divisions(), city.grids(), geometry).expect("geometry parses");
    (city, places)
}

/// Which engine a test runs on.
#[derive(Clone, Copy, Debug)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// A store on a fresh database: a SQLite file in a temporary directory, or
/// a new database on the test PostgreSQL server named by
/// `GRIDWALL_TEST_POSTGRES` (as the store's own tests do).
pub struct Fresh {
    pub store: gridwall_store::Store,
    pub url: String,
    _dir: Option<tempfile::TempDir>,
}

pub async fn fresh(engine: Engine) -> anyhow::Result<Fresh> {
    match engine {
        Engine::Sqlite => {
            let dir = tempfile::tempdir()?;
            let url = dir
                .path()
                .join("store.sqlite")
                .to_str()
                .expect("temp paths are UTF-8")
                .to_owned();
            Ok(Fresh {
                store: gridwall_store::Store::open(&url).await?,
                url,
                _dir: Some(dir),
            })
        }
        Engine::Postgres => {
            let server = gridwall_store::testing::postgres_server().map_err(anyhow::Error::msg)?;
            let url = gridwall_store::testing::new_database(&server, "gwb")
                .await
                .map_err(anyhow::Error::msg)?;
            Ok(Fresh {
                store: gridwall_store::Store::open(&url).await?,
                url,
                _dir: None,
            })
        }
    }
}

/// Runs an async test on SQLite and on PostgreSQL: `<test>::sqlite`, `<test>::postgres`.
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

/// A first revision of an event: a dispute from `source` in `grid_id`,
/// reported at `t` (unix seconds), due a day later.
pub fn event(id: &str, grid_id: &str, source: &str, t: i64) -> gridwall_domain::governance::Event {
    let at = time::OffsetDateTime::from_unix_timestamp(t).expect("test times are in range");
    serde_json::from_value(serde_json::json!({
        "id": id, "revision": 1, "seq": 1, "source": source,
        "category": "dispute.neighbour", "severity": 1, "state": "reported",
        "grid_id": grid_id, "address": format!("{id}号"), "title": "邻里纠纷",
        "reported_at": at.format(&time::format_description::well_known::Rfc3339).expect("formats"),
        "updated_at": at.format(&time::format_description::well_known::Rfc3339).expect("formats"),
    }))
    .expect("a valid event")
}
