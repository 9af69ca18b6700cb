//! The map's town borders (issue 18, item 3): against a real platform they
//! are the platform's own grids dissolved per town, not the towns the
//! simulator's generator made; with the embedded simulator, its own.

use std::sync::Arc;
use std::time::Duration;

use geo::{Contains, Point};
use gridwall_domain::governance::Grid;
use gridwall_ingest::{Ingest, IngestConfig};
use gridwall_sim::Simulator;
use gridwall_sim::city::City;
use gridwall_store::Store;
use gridwall_wall::city_map::{CityMap, TownBorders};
use gridwall_wall::config::{Cli, Config};
use serde_json::Value;
use tokio_util::sync::CancellationToken;

const SHIPPED_TOWNS: &str = include_str!("../../../assets/city/towns.geojson");

/// The map for `config` after ingest synced the reference data of the
/// platform at `url` into a fresh store, with that store and the platform's
/// grid list.
async fn city_map(
    config: &Config,
    url: &str,
    dir: &std::path::Path,
) -> (CityMap, Arc<Store>, Vec<Grid>) {
    let store = Arc::new(
        Store::open(dir.join("s.sqlite").to_str().unwrap())
            .await
            .unwrap(),
    );
    let cache = dir.join("cache");
    let ingest = Ingest::new(IngestConfig::new(url, &cache), store.clone()).unwrap();
    ingest
        .sync_reference(&CancellationToken::new())
        .await
        .unwrap();
    let grids = store
        .reference("grids")
        .await
        .unwrap()
        .iter()
        .map(|(_, raw)| serde_json::from_str(raw).unwrap())
        .collect();
    let map = CityMap::new(
        store.clone(),
        cache.join("geometry.json"),
        TownBorders::for_config(config),
    );
    (map, store, grids)
}

async fn body(map: &CityMap) -> Value {
    serde_json::from_slice(&map.body().await.unwrap()).unwrap()
}

/// Which town's outline holds `grid`'s centre, checking that only one does.
fn town_of(body: &Value, grid: &Grid) -> String {
    let centre = Point::from(grid.centroid.unwrap());
    let holding: Vec<&Value> = body["towns"]["features"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|town| shape(town).contains(&centre))
        .collect();
    assert_eq!(holding.len(), 1, "{} lies in one town", grid.grid_id);
    holding[0]["properties"]["code"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn shape(feature: &Value) -> geo::Geometry<f64> {
    serde_json::from_value::<geojson::Geometry>(feature["geometry"].clone())
        .unwrap()
        .try_into()
        .unwrap()
}

#[tokio::test]
async fn against_a_platform_the_towns_are_its_grids_dissolved() {
    // A platform whose grids are not the generated Cixi's: the simulator
    // serving its small fixture city (two towns of six square grids each)
    // on a port of its own, as a real upstream would be.
    let cancel = CancellationToken::new();
    let sim = Simulator::builder()
        .city(City::fixture().unwrap())
        .warmup(Duration::ZERO)
        .video(None)
        .build()
        .unwrap()
        .serve("127.0.0.1:0".parse().unwrap(), cancel.clone())
        .await
        .unwrap();
    let cli = Cli {
        governance_url: Some(sim.base_url()),
        video_url: Some(sim.base_url()),
        ..Cli::default()
    };
    let config = Config::load(&cli).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (map, store, grids) = city_map(&config, &sim.base_url(), dir.path()).await;
    let body = body(&map).await;

    let shipped: Value = serde_json::from_str(SHIPPED_TOWNS).unwrap();
    // (Not assert_ne: it would print both collections, 17 kB each.)
    assert!(
        body["towns"] != shipped,
        "the simulator's generated towns were served, not the platform's own"
    );
    let towns = body["towns"]["features"].as_array().unwrap();
    let codes: Vec<&str> = towns
        .iter()
        .map(|t| t["properties"]["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        ["330282004000", "330282107000"],
        "the platform's two towns"
    );
    let names: Vec<&str> = towns
        .iter()
        .map(|t| t["properties"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["浒山街道", "观海卫镇"], "named from its divisions");
    // Each grid's centre lies in its own town's outline and no other.
    assert_eq!(grids.len(), 12);
    for grid in &grids {
        assert_eq!(town_of(&body, grid), grid.town_code);
    }

    // The platform moves a grid to the other town: the next window's map
    // follows, though the geometry did not change.
    let mut moved = grids.clone();
    moved[0].town_code = "330282107000".into();
    let records: Vec<(String, String)> = moved
        .iter()
        .map(|g| (g.grid_id.clone(), serde_json::to_string(g).unwrap()))
        .collect();
    store.replace_reference("grids", &records).await.unwrap();
    let after = self::body(&map).await;
    assert_eq!(town_of(&after, &moved[0]), "330282107000");
    assert_eq!(town_of(&after, &moved[1]), "330282004000");
    cancel.cancel();
}

#[tokio::test]
async fn with_the_embedded_simulator_its_shipped_towns_are_drawn() {
    let cancel = CancellationToken::new();
    let sim = Simulator::builder()
        .warmup(Duration::ZERO)
        .video(None)
        .build()
        .unwrap()
        .serve("127.0.0.1:0".parse().unwrap(), cancel.clone())
        .await
        .unwrap();
    // The default configuration: the simulator built into the app (served
    // here on its own port only because the test has no app around it).
    let config = Config::load(&Cli::default()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (map, _, _) = city_map(&config, &sim.base_url(), dir.path()).await;
    let shipped: Value = serde_json::from_str(SHIPPED_TOWNS).unwrap();
    assert!(
        body(&map).await["towns"] == shipped,
        "not the shipped towns"
    );
    cancel.cancel();
}
