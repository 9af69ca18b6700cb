//! The duty officer's console (issue 7): drill-down from the city to an
//! incident, search, push to the wall, without a window.
//!
//! A [`Console`] answers each click with one [`LevelView`] or
//! [`IncidentDetail`], read from the store (indexed reads only, see
//! `gridwall_store::drill`) and from the reference data ingest synced
//! (division, grid and worker names, cameras), which it keeps in memory as a
//! [`Directory`] refreshed once a minute. Two things are asked of the
//! platform live, with the stored copy as fallback: an incident's timeline
//! (actors and notes exist only there) and a grid's workers on duty (the
//! stored list is as old as the last sync). Photos are fetched through Rust,
//! with the bearer token, from the platform's own origin only.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Deserialize;
use time::{OffsetDateTime, UtcOffset};
use tokio::sync::Mutex;

use gridwall_charts as charts;
use gridwall_domain::clock::Clock;
use gridwall_store::{AuditEntry, Incident, IncidentFilter, KpiWindow, Level, Store};

use crate::feed::FocusItem;
use crate::video::CameraTile;

mod directory;
mod incident;
mod level;
mod search;
mod types;

pub use directory::Directory;
pub use types::*;

/// The console's core: the store, the directory, the platform for live asks.
pub struct Console {
    store: Arc<Store>,
    clock: Clock,
    http: reqwest::Client,
    governance: url::Url,
    directory: Mutex<(Option<Arc<Directory>>, Instant)>,
}

/// How long a directory is used before it is rebuilt from the store.
const DIRECTORY_AGE: Duration = Duration::from_secs(60);
/// How long a live ask of the platform may take before the stored copy is used.
const LIVE_TIMEOUT: Duration = Duration::from_secs(3);
/// Largest photo fetched through Rust.
const PHOTO_LIMIT: usize = 16 * 1024 * 1024;
/// At most this many rows of a list reach the UI.
const LIST_LIMIT: usize = 300;
/// The incident list's first page: what an officer reads before scrolling,
/// and what every click on a place pays for (decoding rows is most of a
/// list's cost). "More" asks for longer lists, up to [`INCIDENTS_LIMIT`].
pub const INCIDENTS_FIRST_PAGE: usize = 50;
/// The longest incident list the console shows.
pub const INCIDENTS_LIMIT: usize = 1000;

/// The rows of the incident list `filter` asks for.
fn incidents_limit(filter: &Filter) -> usize {
    filter.limit.map_or(INCIDENTS_FIRST_PAGE, |n| {
        usize::try_from(n)
            .unwrap_or(INCIDENTS_LIMIT)
            .clamp(1, INCIDENTS_LIMIT)
    })
}

impl Console {
    pub fn new(
        store: Arc<Store>,
        clock: Clock,
        http: reqwest::Client,
        governance: url::Url,
    ) -> Console {
        Console {
            store,
            clock,
            http,
            // A directory, so the platform's relative URLs resolve under it
            // (see `gridwall_ingest::address`).
            governance: gridwall_ingest::address::as_directory(governance.clone())
                .unwrap_or(governance),
            directory: Mutex::new((None, Instant::now())),
        }
    }

    pub fn store(&self) -> &Arc<Store> {
        &self.store
    }

    /// The directory as last built, whatever its age (built now if there is
    /// none yet): for paths that must not wait on a rebuild, like a switch
    /// of the footing. Names, grids and cameras change rarely.
    pub async fn directory_cached(&self) -> Result<Arc<Directory>, ConsoleError> {
        if let (Some(directory), _) = &*self.directory.lock().await
            && directory.grid_count() > 0
        {
            return Ok(directory.clone());
        }
        self.directory().await
    }

    /// The directory, rebuilt when older than a minute or still empty.
    pub async fn directory(&self) -> Result<Arc<Directory>, ConsoleError> {
        let mut guard = self.directory.lock().await;
        // A directory missing part of the reference data (ingest syncs grids
        // before workers and cameras) is rebuilt after 5 s, not a minute.
        if let (Some(directory), built) = &*guard {
            let complete = directory.grid_count() > 0
                && !directory.workers.is_empty()
                && !directory.cameras.is_empty();
            let age = if complete {
                DIRECTORY_AGE
            } else {
                Duration::from_secs(5)
            };
            if built.elapsed() < age {
                return Ok(directory.clone());
            }
        }
        let divisions = self.store.reference("divisions").await?;
        let grids = self.store.reference("grids").await?;
        let workers = self.store.reference("workers").await?;
        let cameras = self.store.reference("cameras").await?;
        let directory = Arc::new(Directory::build(&divisions, &grids, &workers, &cameras));
        *guard = (Some(directory.clone()), Instant::now());
        Ok(directory)
    }

    fn now(&self) -> OffsetDateTime {
        self.clock.now()
    }

    /// One of our own paths on the platform, written without a leading slash.
    fn endpoint(&self, path: &str) -> Result<url::Url, ConsoleError> {
        gridwall_ingest::address::resolve(&self.governance, path)
            .map_err(|e| ConsoleError::Invalid(e.to_string()))
    }

    async fn get_json<T: serde::de::DeserializeOwned>(
        &self,
        url: url::Url,
    ) -> Result<T, ConsoleError> {
        let response = self
            .http
            .get(url)
            .timeout(LIVE_TIMEOUT)
            .send()
            .await
            .map_err(|e| ConsoleError::Upstream(e.to_string()))?;
        if !response.status().is_success() {
            return Err(ConsoleError::Upstream(format!(
                "HTTP {}",
                response.status()
            )));
        }
        response
            .json()
            .await
            .map_err(|e| ConsoleError::Upstream(e.to_string()))
    }
}

fn validate(place: &Place) -> Result<(), ConsoleError> {
    let ok = match place.level {
        LevelKind::City => place.id.is_empty(),
        _ => {
            !place.id.is_empty()
                && place.id.len() <= 40
                && place.id.chars().all(|c| c.is_ascii_alphanumeric())
        }
    };
    if ok {
        Ok(())
    } else {
        Err(ConsoleError::Invalid(format!(
            "not a place: {:?} {:?}",
            place.level, place.id
        )))
    }
}

/// Workers listed leader first, then full-time, instructors, part-time.
fn role_rank(role: &str) -> u8 {
    match role {
        "grid_leader" => 0,
        "full_time" => 1,
        "instructor" => 2,
        "part_time" => 3,
        _ => 4,
    }
}

/// `town › village` of a grid, for the wall's focus card.
fn place_line(directory: &Directory, grid_id: &str) -> String {
    let town = format!("{}000", grid_id.get(..9).unwrap_or(grid_id));
    format!(
        "{} › {}",
        directory.name(&town),
        directory.name(grid_id.get(..12).unwrap_or(grid_id))
    )
}

fn row(directory: &Directory, i: &Incident) -> IncidentRow {
    IncidentRow {
        id: i.id.clone(),
        title: i.title.clone(),
        source: i.source.clone(),
        category: i.category.clone(),
        severity: i.severity,
        state: i.state.clone(),
        grid_name: directory.name(&i.grid_id),
        grid_id: i.grid_id.clone(),
        micro_grid_id: i.micro_grid_id.clone(),
        address: i.address.clone(),
        location: i.location,
        reported_at: local_rfc3339(i.reported_at),
        updated_at: local_rfc3339(i.updated_at),
        due_at: i.due_at.map(local_rfc3339),
        overdue: i.overdue,
        is_open: i.is_open,
    }
}

/// A unix time as RFC 3339 in Cixi's offset (+08:00), as the platform writes.
pub fn local_rfc3339(unix: i64) -> String {
    let offset = UtcOffset::from_hms(8, 0, 0).unwrap_or(UtcOffset::UTC);
    crate::rfc3339(
        OffsetDateTime::from_unix_timestamp(unix)
            .unwrap_or(OffsetDateTime::UNIX_EPOCH)
            .to_offset(offset),
    )
}

/// The `n` online cameras nearest to `at` (`[lon, lat]`), nearest first.
pub fn nearest_cameras(cameras: &[CameraTile], at: [f64; 2], n: usize) -> Vec<CameraTile> {
    // Equirectangular distance: exact enough across one county.
    let cos_lat = at[1].to_radians().cos();
    let mut near: Vec<(f64, &CameraTile)> = cameras
        .iter()
        .filter(|c| c.online)
        .filter_map(|c| {
            let [lon, lat] = c.location?;
            let dx = (lon - at[0]) * cos_lat;
            let dy = lat - at[1];
            Some((dx * dx + dy * dy, c))
        })
        .collect();
    near.sort_by(|a, b| {
        a.0.total_cmp(&b.0)
            .then_with(|| a.1.camera_id.cmp(&b.1.camera_id))
    });
    near.into_iter().take(n).map(|(_, c)| c.clone()).collect()
}

fn urlencode(segment: &str) -> String {
    url::form_urlencoded::byte_serialize(segment.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn directory() -> Directory {
        let divisions = [
            (
                "330282004000".to_owned(),
                r#"{"code":"330282004000","name":"浒山街道","level":"town","parent_code":"330282000000"}"#.to_owned(),
            ),
            (
                "330282004001".to_owned(),
                r#"{"code":"330282004001","name":"解放社区","level":"village","parent_code":"330282004000"}"#.to_owned(),
            ),
            ("bad".to_owned(), "{not json".to_owned()),
        ];
        let grids = [(
            "330282004001G01".to_owned(),
            r#"{"grid_id":"330282004001G01","name":"解放一网格","village_code":"330282004001","town_code":"330282004000","centroid":[121.24,30.17],"micro_grids":[{"micro_grid_id":"330282004001G01M01","name":"一号微网格"}]}"#.to_owned(),
        )];
        let workers = [(
            "W1".to_owned(),
            r#"{"worker_id":"W1","name":"张三","role":"grid_leader","grid_id":"330282004001G01","on_duty":true,"extra":1}"#.to_owned(),
        )];
        Directory::build(&divisions, &grids, &workers, &[])
    }

    #[test]
    fn breadcrumbs_name_every_level_down_to_a_micro_grid() {
        let d = directory();
        let crumbs = d.breadcrumbs(&Place {
            level: LevelKind::MicroGrid,
            id: "330282004001G01M01".into(),
        });
        let names: Vec<&str> = crumbs.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            names,
            ["慈溪市", "浒山街道", "解放社区", "解放一网格", "一号微网格"]
        );
        assert_eq!(crumbs[1].place.id, "330282004000");
        assert_eq!(crumbs[3].place.level, LevelKind::Grid);
    }

    #[test]
    fn children_follow_the_tree() {
        let d = directory();
        let towns = d.children_of(&Place::city());
        assert_eq!(towns.len(), 1);
        assert_eq!(towns[0].level, LevelKind::Town);
        let grids = d.children_of(&Place {
            level: LevelKind::Village,
            id: "330282004001".into(),
        });
        assert_eq!(grids[0].id, "330282004001G01");
        assert_eq!(d.workers.len(), 1, "unknown worker fields are ignored");
    }

    #[test]
    fn the_incident_list_is_its_first_page_unless_more_is_asked() {
        let asked = |limit| {
            incidents_limit(&Filter {
                limit,
                ..Filter::default()
            })
        };
        assert_eq!(asked(None), INCIDENTS_FIRST_PAGE);
        assert_eq!(asked(Some(150)), 150);
        assert_eq!(asked(Some(0)), 1);
        assert_eq!(asked(Some(u32::MAX)), INCIDENTS_LIMIT);
    }

    #[test]
    fn places_hold_their_grids_only() {
        let town = Place {
            level: LevelKind::Town,
            id: "330282004000".into(),
        };
        assert!(town.holds_grid("330282004001G01"));
        assert!(!town.holds_grid("330282101002G03"));
        let micro = Place {
            level: LevelKind::MicroGrid,
            id: "330282004001G01M01".into(),
        };
        assert!(micro.holds_grid("330282004001G01"));
        assert!(!micro.holds_grid("330282004001G02"));
    }

    #[test]
    fn places_with_odd_ids_are_refused() {
        assert!(validate(&Place::city()).is_ok());
        assert!(
            validate(&Place {
                level: LevelKind::Grid,
                id: "x' OR 1=1".into()
            })
            .is_err()
        );
        assert!(
            validate(&Place {
                level: LevelKind::City,
                id: "330282004000".into()
            })
            .is_err()
        );
    }

    #[test]
    fn nearest_cameras_are_online_and_ordered() {
        let camera = |id: &str, lon: f64, online: bool| CameraTile {
            camera_id: id.into(),
            name: id.into(),
            kind: "fixed".into(),
            online,
            grid_id: None,
            location: Some([lon, 30.0]),
            snapshot: String::new(),
            live: false,
            mjpeg: None,
            hls: false,
            hls_playlist: None,
        };
        let cameras = [
            camera("far", 121.3, true),
            camera("off", 121.2001, false),
            camera("near", 121.201, true),
        ];
        let near = nearest_cameras(&cameras, [121.2, 30.0], 5);
        let ids: Vec<&str> = near.iter().map(|c| c.camera_id.as_str()).collect();
        assert_eq!(ids, ["near", "far"]);
    }
}
