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
            governance,
            directory: Mutex::new((None, Instant::now())),
        }
    }

    pub fn store(&self) -> &Arc<Store> {
        &self.store
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

    /// Everything shown for `place` under `filter`.
    pub async fn level(&self, place: &Place, filter: &Filter) -> Result<LevelView, ConsoleError> {
        validate(place)?;
        let directory = self.directory().await?;
        let now = self.now();
        let unix = now.unix_timestamp();
        let scope = place.scope();

        // Every part at once: the store's pool has four connections, and the
        // platform's answer about workers overlaps the store's work.
        let overdue_only = IncidentFilter {
            overdue_only: true,
            ..IncidentFilter::default()
        };
        // The three KPI windows in one read of the place's events.
        let (children, breakdown, (_, overdue), windows, per_day, workers, listed) = tokio::try_join!(
            self.children(&directory, place),
            async { Ok::<_, ConsoleError>(self.store.open_breakdown(&scope).await?) },
            async {
                Ok::<_, ConsoleError>(self.store.incidents(&scope, &overdue_only, unix, 0).await?)
            },
            async {
                Ok::<_, ConsoleError>(
                    self.store
                        .kpis_in_windows(unix, &KpiWindow::ALL, &scope)
                        .await?,
                )
            },
            async { Ok::<_, ConsoleError>(self.store.events_per_day(unix, 30, &scope).await?) },
            async { Ok::<_, ConsoleError>(self.workers(&directory, place).await) },
            self.incidents(&directory, place, filter),
        )?;
        let mut open_by_severity = [0i64; 4];
        for (_, severity, n) in &breakdown {
            open_by_severity[usize::from(severity.clamp(&1, &4) - 1)] +=
                i64::try_from(*n).unwrap_or(0);
        }
        let kpis: Vec<_> = windows
            .iter()
            .flatten()
            .map(crate::live::kpi_tile)
            .collect();

        let counts = crate::live::day_counts(&per_day);
        let chart = |lang| {
            let theme = charts::Theme::new(900, 420)
                .with_language(lang)
                .with_text_scale(1.4);
            charts::events_30d(&counts, &theme)
        };

        let (workers, workers_from) = workers;
        let workers_total = u32::try_from(workers.len()).unwrap_or(u32::MAX);
        let workers_on_duty =
            u32::try_from(workers.iter().filter(|w| w.on_duty).count()).unwrap_or(u32::MAX);
        let mut workers = workers;
        workers.sort_by(|a, b| {
            b.on_duty
                .cmp(&a.on_duty)
                .then_with(|| role_rank(&a.role).cmp(&role_rank(&b.role)))
                .then_with(|| a.name.cmp(&b.name))
        });
        workers.truncate(LIST_LIMIT);

        let mut cameras: Vec<CameraTile> = directory
            .cameras
            .iter()
            .filter(|c| c.grid_id.as_deref().is_some_and(|g| place.holds_grid(g)))
            .cloned()
            .collect();
        cameras.sort_by(|a, b| {
            b.online
                .cmp(&a.online)
                .then_with(|| a.camera_id.cmp(&b.camera_id))
        });
        let cameras_total = u32::try_from(cameras.len()).unwrap_or(u32::MAX);
        let cameras_online =
            u32::try_from(cameras.iter().filter(|c| c.online).count()).unwrap_or(u32::MAX);
        cameras.truncate(64);

        let (incidents, incidents_total) = listed;
        Ok(LevelView {
            name: directory.name(&place.id),
            breadcrumbs: directory.breadcrumbs(place),
            place: place.clone(),
            children,
            open: open_by_severity.iter().sum(),
            overdue: i64::try_from(overdue).unwrap_or(i64::MAX),
            open_by_severity,
            breakdown: breakdown
                .into_iter()
                .map(|(source, severity, count)| BreakdownCell {
                    source,
                    severity,
                    count,
                })
                .collect(),
            kpis,
            chart_zh: chart(charts::Lang::Zh),
            chart_en: chart(charts::Lang::En),
            workers,
            workers_total,
            workers_on_duty,
            workers_from,
            cameras,
            cameras_total,
            cameras_online,
            incidents,
            incidents_total,
            centre: directory.centre(place),
            at: crate::rfc3339(now),
        })
    }

    /// The incidents of `place` under `filter` (the list alone, for a filter change).
    pub async fn incidents(
        &self,
        directory: &Directory,
        place: &Place,
        filter: &Filter,
    ) -> Result<(Vec<IncidentRow>, u64), ConsoleError> {
        validate(place)?;
        let unix = self.now().unix_timestamp();
        let store_filter = IncidentFilter {
            sources: filter.sources.clone(),
            severities: filter.severities.clone(),
            states: filter.states.clone(),
            open_only: filter.open_only,
            overdue_only: filter.overdue_only,
            since: filter.window_hours.map(|h| unix - i64::from(h) * 3600),
        };
        let (rows, total) = self
            .store
            .incidents(&place.scope(), &store_filter, unix, LIST_LIMIT)
            .await?;
        Ok((rows.iter().map(|i| row(directory, i)).collect(), total))
    }

    async fn children(
        &self,
        directory: &Directory,
        place: &Place,
    ) -> Result<Vec<ChildRow>, ConsoleError> {
        let places = directory.children_of(place);
        let mut counts: HashMap<String, (i64, i64, i64)> = HashMap::new();
        match place.level {
            LevelKind::City | LevelKind::Town => {
                let level = if place.level == LevelKind::City {
                    Level::Town
                } else {
                    Level::Village
                };
                for r in self.store.rollups(level).await? {
                    let s = r.open_by_severity;
                    counts.insert(r.code, (s.iter().sum(), r.overdue, s[2] + s[3]));
                }
            }
            LevelKind::Village => {
                for g in self.store.grid_states().await? {
                    if place.holds_grid(&g.grid_id) {
                        let s = g.open_by_severity;
                        counts.insert(g.grid_id.clone(), (s.iter().sum(), g.overdue, s[2] + s[3]));
                    }
                }
            }
            LevelKind::Grid => {
                let open = IncidentFilter {
                    open_only: true,
                    ..IncidentFilter::default()
                };
                let (rows, _) = self
                    .store
                    .incidents(&place.scope(), &open, self.now().unix_timestamp(), 10_000)
                    .await?;
                for i in rows {
                    if let Some(micro) = i.micro_grid_id {
                        let entry = counts.entry(micro).or_default();
                        entry.0 += 1;
                        entry.1 += i64::from(i.overdue);
                        entry.2 += i64::from(i.severity >= 3);
                    }
                }
            }
            LevelKind::MicroGrid => {}
        }
        Ok(places
            .into_iter()
            .map(|p| {
                let (open, overdue, severe) = counts.get(&p.id).copied().unwrap_or_default();
                ChildRow {
                    name: directory.name(&p.id),
                    place: p,
                    open,
                    overdue,
                    severe,
                }
            })
            .collect())
    }

    /// The workforce of `place`: asked live for a grid or micro-grid, else
    /// the stored list.
    async fn workers(&self, directory: &Directory, place: &Place) -> (Vec<WorkerRow>, String) {
        if matches!(place.level, LevelKind::Grid | LevelKind::MicroGrid) {
            let grid = place.id.get(..15).unwrap_or(&place.id);
            match self.live_workers(grid).await {
                Ok(workers) => return (workers, "platform".into()),
                Err(err) => tracing::debug!(grid, "workers from the stored list: {err}"),
            }
        }
        let workers = directory
            .workers
            .iter()
            .filter(|w| w.grid_id.as_deref().is_some_and(|g| place.holds_grid(g)))
            .cloned()
            .collect();
        (workers, "stored".into())
    }

    async fn live_workers(&self, grid: &str) -> Result<Vec<WorkerRow>, ConsoleError> {
        #[derive(Deserialize)]
        struct Page {
            workers: Vec<serde_json::Value>,
        }
        let mut url = self.endpoint("/api/v1/workers")?;
        url.query_pairs_mut()
            .append_pair("grid_id", grid)
            .append_pair("page_size", "1000");
        let page: Page = self.get_json(url).await?;
        Ok(page
            .workers
            .into_iter()
            .filter_map(|w| serde_json::from_value(w).ok())
            .collect())
    }

    /// One incident with its closed loop, cameras and the grid's workers.
    pub async fn incident(&self, id: &str) -> Result<IncidentDetail, ConsoleError> {
        if id.is_empty() || id.len() > 100 {
            return Err(ConsoleError::Invalid("not an event id".into()));
        }
        let directory = self.directory().await?;
        let (incident, raw) = self
            .store
            .incident(id)
            .await?
            .ok_or_else(|| ConsoleError::NotFound(format!("event {id}")))?;
        let record: serde_json::Value = serde_json::from_str(&raw).unwrap_or_default();
        let text = |key: &str| record.get(key).and_then(|v| v.as_str()).map(str::to_owned);

        let grid_place = Place {
            level: LevelKind::Grid,
            id: incident.grid_id.clone(),
        };
        // The platform's two answers (timeline, workers on duty) at once.
        let (asked_timeline, (mut workers, _)) = tokio::join!(
            self.live_timeline(id),
            self.workers(&directory, &grid_place)
        );
        let (timeline, timeline_from) = match asked_timeline {
            Ok(timeline) if !timeline.is_empty() => (timeline, "platform".to_owned()),
            outcome => {
                if let Err(err) = outcome {
                    tracing::debug!(event = id, "timeline from the store: {err}");
                }
                let stored = self
                    .store
                    .timeline(id)
                    .await?
                    .into_iter()
                    .map(|r| TimelineEntry {
                        revision: Some(r.revision),
                        at: local_rfc3339(r.updated_at.unix_timestamp()),
                        state: r.state,
                        actor: None,
                        note: None,
                    })
                    .collect();
                (stored, "stored".to_owned())
            }
        };
        let attachments = record
            .get("attachments")
            .and_then(|a| serde_json::from_value::<Vec<Attachment>>(a.clone()).ok())
            .unwrap_or_default();
        let location = incident
            .location
            .or_else(|| directory.centroids.get(&incident.grid_id).copied());
        let cameras = location
            .map(|at| nearest_cameras(&directory.cameras, at, 6))
            .unwrap_or_default();
        workers.sort_by(|a, b| {
            b.on_duty
                .cmp(&a.on_duty)
                .then_with(|| role_rank(&a.role).cmp(&role_rank(&b.role)))
        });
        let place = match &incident.micro_grid_id {
            Some(micro) => Place {
                level: LevelKind::MicroGrid,
                id: micro.clone(),
            },
            None => grid_place,
        };
        let now = self.now();
        Ok(IncidentDetail {
            due_in_seconds: incident.due_at.map(|due| due - now.unix_timestamp()),
            breadcrumbs: directory.breadcrumbs(&place),
            incident: row(&directory, &incident),
            description: text("description").unwrap_or_default(),
            assignee: text("assignee"),
            handling_level: text("handling_level"),
            mediation_outcome: incident.mediation_outcome.clone(),
            risk_colour: text("risk_colour"),
            mass_incident: record
                .get("mass_incident")
                .and_then(|v| v.as_bool())
                .unwrap_or(false),
            reported_by: text("reported_by"),
            camera_id: text("camera_id"),
            attachments,
            timeline,
            timeline_from,
            cameras,
            workers,
            at: crate::rfc3339(now),
        })
    }

    async fn live_timeline(&self, id: &str) -> Result<Vec<TimelineEntry>, ConsoleError> {
        #[derive(Deserialize)]
        struct WithTimeline {
            #[serde(default)]
            timeline: Vec<serde_json::Value>,
        }
        let url = self.endpoint(&format!("/api/v1/events/{}", urlencode(id)))?;
        let event: WithTimeline = self.get_json(url).await?;
        Ok(event
            .timeline
            .into_iter()
            .filter_map(|entry| serde_json::from_value::<TimelineEntry>(entry).ok())
            .collect())
    }

    /// A photo of an incident, fetched from the platform (relative URLs are
    /// the platform's; absolute ones must be on its origin): (MIME type, bytes).
    pub async fn photo(&self, url: &str) -> Result<(String, Vec<u8>), ConsoleError> {
        let target = self
            .governance
            .join(url)
            .map_err(|_| ConsoleError::Invalid("not a photo URL".into()))?;
        if target.origin() != self.governance.origin() {
            return Err(ConsoleError::Invalid(
                "photos are fetched from the governance platform only".into(),
            ));
        }
        let response = self
            .http
            .get(target)
            .timeout(Duration::from_secs(10))
            .send()
            .await
            .map_err(|e| ConsoleError::Upstream(e.to_string()))?;
        if response.status() == reqwest::StatusCode::NOT_FOUND {
            return Err(ConsoleError::NotFound("photo".into()));
        }
        if !response.status().is_success() {
            return Err(ConsoleError::Upstream(format!(
                "HTTP {}",
                response.status()
            )));
        }
        let mime = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_owned();
        if !matches!(
            mime.as_str(),
            "image/jpeg" | "image/png" | "image/webp" | "image/gif"
        ) {
            return Err(ConsoleError::Invalid(format!("not a picture: {mime:?}")));
        }
        let bytes = response
            .bytes()
            .await
            .map_err(|e| ConsoleError::Upstream(e.to_string()))?;
        if bytes.len() > PHOTO_LIMIT {
            return Err(ConsoleError::Invalid("photo too large".into()));
        }
        Ok((mime, bytes.to_vec()))
    }

    /// Incidents by id prefix or address, grids and workers by name.
    pub async fn search(&self, query: &str) -> Result<Vec<SearchHit>, ConsoleError> {
        let query = query.trim();
        if query.is_empty() {
            return Ok(Vec::new());
        }
        if query.chars().count() > 100 {
            return Err(ConsoleError::Invalid("search text too long".into()));
        }
        let directory = self.directory().await?;
        let mut hits = Vec::new();
        for incident in self.store.search_events(query, 12).await? {
            hits.push(SearchHit {
                kind: "incident".into(),
                place: Place {
                    level: LevelKind::Grid,
                    id: incident.grid_id.clone(),
                },
                event_id: Some(incident.id.clone()),
                label: format!("{} {}", incident.id, incident.title),
                detail: format!(
                    "{} · {}",
                    incident.address,
                    directory.name(&incident.grid_id)
                ),
            });
        }
        // About 1,700 grids and 15,000 workers: a scan of names in memory is
        // well under a millisecond.
        let mut grids: Vec<SearchHit> = directory
            .centroids
            .keys()
            .filter_map(|id| {
                let name = directory.names.get(id)?;
                name.contains(query).then(|| SearchHit {
                    kind: "grid".into(),
                    place: Place {
                        level: LevelKind::Grid,
                        id: id.clone(),
                    },
                    event_id: None,
                    label: name.clone(),
                    detail: directory.name(id.get(..12).unwrap_or(id)),
                })
            })
            .collect();
        grids.sort_by(|a, b| a.label.cmp(&b.label));
        grids.truncate(10);
        hits.extend(grids);
        let workers = directory
            .workers
            .iter()
            .filter(|w| w.name.contains(query))
            .filter_map(|w| {
                let grid = w.grid_id.clone()?;
                Some(SearchHit {
                    kind: "worker".into(),
                    event_id: None,
                    label: w.name.clone(),
                    detail: format!(
                        "{} · {}",
                        directory.name(&grid),
                        w.phone_masked.clone().unwrap_or_default()
                    ),
                    place: Place {
                        level: LevelKind::Grid,
                        id: grid,
                    },
                })
            })
            .take(10);
        hits.extend(workers);
        Ok(hits)
    }

    /// Puts a grid or an incident on the wall: audited, then returned for
    /// the wall's feed.
    pub async fn push_to_wall(
        &self,
        kind: &str,
        id: &str,
        actor: &str,
    ) -> Result<FocusItem, ConsoleError> {
        let directory = self.directory().await?;
        let now = self.now();
        let focus = match kind {
            "grid" => {
                if !directory.names.contains_key(id) || !directory.centroids.contains_key(id) {
                    return Err(ConsoleError::NotFound(format!("grid {id}")));
                }
                FocusItem {
                    kind: "grid".into(),
                    id: id.to_owned(),
                    grid_id: id.to_owned(),
                    title: directory.name(id),
                    place: place_line(&directory, id),
                    severity: None,
                    location: directory.centroids.get(id).copied(),
                    by: actor.to_owned(),
                    at: crate::rfc3339(now),
                }
            }
            "incident" => {
                let (incident, _) = self
                    .store
                    .incident(id)
                    .await?
                    .ok_or_else(|| ConsoleError::NotFound(format!("event {id}")))?;
                FocusItem {
                    kind: "incident".into(),
                    id: incident.id.clone(),
                    place: place_line(&directory, &incident.grid_id),
                    location: incident
                        .location
                        .or_else(|| directory.centroids.get(&incident.grid_id).copied()),
                    grid_id: incident.grid_id,
                    title: incident.title,
                    severity: Some(incident.severity),
                    by: actor.to_owned(),
                    at: crate::rfc3339(now),
                }
            }
            other => {
                return Err(ConsoleError::Invalid(format!(
                    "cannot push a {other:?} to the wall"
                )));
            }
        };
        self.store
            .record_audit(&AuditEntry {
                at: now,
                actor: actor.to_owned(),
                action: "push_to_wall".into(),
                subject: format!("{}:{}", focus.kind, focus.id),
                detail: focus.title.chars().take(200).collect(),
            })
            .await?;
        Ok(focus)
    }

    fn endpoint(&self, path: &str) -> Result<url::Url, ConsoleError> {
        self.governance
            .join(path)
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
