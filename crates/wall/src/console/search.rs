//! Search as the officer types, and the deliberate push to the wall.

use super::*;

impl Console {
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
        let focus = self.focus(kind, id, actor).await?;
        self.store
            .record_audit(&AuditEntry {
                at: self.now(),
                actor: actor.to_owned(),
                action: "push_to_wall".into(),
                subject: format!("{}:{}", focus.kind, focus.id),
                detail: focus.title.chars().take(200).collect(),
            })
            .await?;
        Ok(focus)
    }

    /// A grid or an incident as the wall's focus card shows it, pushed by
    /// `actor` (here, or on another console sharing the store).
    pub async fn focus(
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
        Ok(focus)
    }
}
