//! The map's city, as each window asks for it once: the platform's grid
//! geometry as ingest cached it, the town outlines, and the grids' names, as
//! one JSON body `{"grids": FeatureCollection, "towns": FeatureCollection,
//! "names": [...]}`. Built as bytes: 3.5 MB of GeoJSON is not worth parsing
//! and writing again only to wrap it.
//!
//! The contract has no town geometry. With the embedded simulator the map
//! draws the outlines shipped with it (`assets/city/towns.geojson`, generated
//! together with the simulator's grids, see `docs/city.md`). Against a real
//! platform those would be invented borders over real grids, so the towns
//! are the platform's own grids dissolved per town ([`crate::outlines`]),
//! made once per version of the geometry and grid list, off the async
//! workers, and kept.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::panic::AssertUnwindSafe;
use std::path::PathBuf;
use std::sync::Arc;

use gridwall_domain::governance::{Division, Grid};
use gridwall_store::Store;

use crate::config::{Config, Endpoint};
use crate::outlines::TownOutlines;

/// The simulator's town outlines, made with its grids by `citygen`.
const SHIPPED_TOWNS: &str = include_str!("../../../assets/city/towns.geojson");

/// Which town outlines the map draws.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TownBorders {
    /// The embedded simulator's own, shipped with the app.
    Shipped,
    /// The platform's grids dissolved per town.
    FromGrids,
}

impl TownBorders {
    /// Shipped outlines for the embedded simulator only: they fit its grids
    /// and no one else's.
    pub fn for_config(config: &Config) -> TownBorders {
        match config.governance {
            Endpoint::Embedded => TownBorders::Shipped,
            Endpoint::Url(_) => TownBorders::FromGrids,
        }
    }
}

/// Builds the map's body on request.
pub struct CityMap {
    store: Arc<Store>,
    /// Where ingest caches the grid geometry (`geometry.json`).
    geometry: PathBuf,
    borders: TownBorders,
    /// The derived towns (GeoJSON) with a hash of what they were made from.
    /// A tokio mutex, held while they are made: windows asking at once wait
    /// for the first one's outlines instead of making their own.
    derived: tokio::sync::Mutex<Option<(u64, Arc<str>)>>,
}

/// Why there is no map to send.
#[derive(Debug, thiserror::Error)]
pub enum CityMapError {
    /// Not synced from the platform yet; ask again.
    #[error("the {0} has not arrived from the platform yet")]
    NotYet(&'static str),
    #[error("cannot read the cached geometry: {0}")]
    Cache(std::io::Error),
    #[error("cannot read the reference data: {0}")]
    Store(#[from] gridwall_store::Error),
}

impl CityMap {
    pub fn new(store: Arc<Store>, geometry: PathBuf, borders: TownBorders) -> CityMap {
        CityMap {
            store,
            geometry,
            borders,
            derived: tokio::sync::Mutex::new(None),
        }
    }

    /// The body, or [`CityMapError::NotYet`] until ingest has synced the
    /// geometry (and, for derived towns, the grid list).
    pub async fn body(&self) -> Result<Vec<u8>, CityMapError> {
        let grids = match tokio::fs::read(&self.geometry).await {
            Ok(bytes) => bytes,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                return Err(CityMapError::NotYet("grid geometry"));
            }
            Err(err) => return Err(CityMapError::Cache(err)),
        };
        let records = self.store.reference("grids").await?;
        let (grids, towns) = match self.borders {
            TownBorders::Shipped => (grids, Arc::from(SHIPPED_TOWNS)),
            TownBorders::FromGrids => self.derived(grids, &records).await?,
        };
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
        let mut body = Vec::with_capacity(grids.len() + towns.len() + names.len() + 40);
        body.extend_from_slice(b"{\"grids\":");
        body.extend_from_slice(&grids);
        body.extend_from_slice(b",\"towns\":");
        body.extend_from_slice(towns.as_bytes());
        body.extend_from_slice(b",\"names\":");
        body.extend_from_slice(&names);
        body.push(b'}');
        Ok(body)
    }

    /// The towns dissolved from `geometry` and the grid list, made afresh
    /// only when either (or the divisions, for names) changed. Gives the
    /// geometry back.
    async fn derived(
        &self,
        geometry: Vec<u8>,
        grids: &[(String, String)],
    ) -> Result<(Vec<u8>, Arc<str>), CityMapError> {
        if grids.is_empty() {
            return Err(CityMapError::NotYet("grid list"));
        }
        let divisions = self.store.reference("divisions").await?;
        let mut hasher = DefaultHasher::new();
        geometry.hash(&mut hasher);
        grids.hash(&mut hasher);
        divisions.hash(&mut hasher);
        let key = hasher.finish();

        let mut derived = self.derived.lock().await;
        if let Some((made_from, towns)) = derived.as_ref()
            && *made_from == key
        {
            return Ok((geometry, towns.clone()));
        }
        let grids: Vec<Grid> = parse(grids);
        let divisions: Vec<Division> = parse(&divisions);
        // Up to a second or more of CPU in a debug build: off the async workers, which
        // also answer every window's first commands.
        let (geometry, towns) = tokio::task::spawn_blocking(move || {
            let started = std::time::Instant::now();
            let text = String::from_utf8_lossy(&geometry);
            // A geometry that trips up the overlay costs the borders, not the map.
            let made = std::panic::catch_unwind(AssertUnwindSafe(|| {
                TownOutlines::from_grids(&text, &grids, &divisions)
            }));
            let towns = match made {
                Ok(Ok(outlines)) => {
                    tracing::info!(
                        towns = outlines.towns.len(),
                        skipped = outlines.skipped,
                        took = ?started.elapsed(),
                        "town outlines dissolved from the platform's grids"
                    );
                    outlines.to_geojson()
                }
                // The map shows the grids it can read, with no town borders.
                Ok(Err(err)) => {
                    tracing::warn!("no town outlines: {err}");
                    TownOutlines::default().to_geojson()
                }
                Err(_) => {
                    tracing::error!("no town outlines: dissolving the grids panicked");
                    TownOutlines::default().to_geojson()
                }
            };
            drop(text);
            (geometry, Arc::<str>::from(towns))
        })
        .await
        .expect("the outlines' task catches its panics");
        *derived = Some((key, towns.clone()));
        Ok((geometry, towns))
    }
}

/// The records that parse as `T`; the others are left out.
fn parse<T: serde::de::DeserializeOwned>(records: &[(String, String)]) -> Vec<T> {
    records
        .iter()
        .filter_map(|(_, raw)| serde_json::from_str(raw).ok())
        .collect()
}
