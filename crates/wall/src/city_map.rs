//! The map's city, as each window asks for it once: the platform's grid
//! geometry as ingest cached it, the town outlines, and the grids' names, as
//! one JSON body `{"grids": FeatureCollection, "towns": FeatureCollection,
//! "names": [...]}`. Built as bytes: 3.5 MB of GeoJSON is not worth parsing
//! and writing again only to wrap it.

use std::path::PathBuf;
use std::sync::Arc;

use gridwall_store::Store;

/// The town outlines shipped with the app (the upstream contract has no town geometry).
const SHIPPED_TOWNS: &str = include_str!("../../../assets/city/towns.geojson");

/// Builds the map's body on request.
pub struct CityMap {
    store: Arc<Store>,
    /// Where ingest caches the grid geometry (`geometry.json`).
    geometry: PathBuf,
}

/// Why there is no map to send.
#[derive(Debug, thiserror::Error)]
pub enum CityMapError {
    /// Not synced from the platform yet; ask again.
    #[error("the grid geometry has not arrived from the platform yet")]
    NotYet,
    #[error("cannot read the cached geometry: {0}")]
    Cache(std::io::Error),
    #[error("cannot read the grid list: {0}")]
    Store(#[from] gridwall_store::Error),
}

impl CityMap {
    pub fn new(store: Arc<Store>, geometry: PathBuf) -> CityMap {
        CityMap { store, geometry }
    }

    /// The body, or [`CityMapError::NotYet`] until ingest has synced the geometry.
    pub async fn body(&self) -> Result<Vec<u8>, CityMapError> {
        let grids = match tokio::fs::read(&self.geometry).await {
            Ok(bytes) => bytes,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                return Err(CityMapError::NotYet);
            }
            Err(err) => return Err(CityMapError::Cache(err)),
        };
        let records = self.store.reference("grids").await?;
        let names: Vec<serde_json::Value> = records
            .iter()
            .filter_map(|(_, raw)| serde_json::from_str::<serde_json::Value>(raw).ok())
            .map(|grid| {
                serde_json::json!({
                    "grid_id": grid.get("grid_id"),
                    "name": grid.get("name"),
                    "centroid": grid.get("centroid"),
                })
            })
            .collect();
        let names = serde_json::to_vec(&names).expect("JSON values serialise");
        let towns = SHIPPED_TOWNS.as_bytes();
        let mut body = Vec::with_capacity(grids.len() + towns.len() + names.len() + 40);
        body.extend_from_slice(b"{\"grids\":");
        body.extend_from_slice(&grids);
        body.extend_from_slice(b",\"towns\":");
        body.extend_from_slice(towns);
        body.extend_from_slice(b",\"names\":");
        body.extend_from_slice(&names);
        body.push(b'}');
        Ok(body)
    }
}
