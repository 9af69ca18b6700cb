//! One incident: its closed loop, cameras, the grid's workers and photos.

use super::*;

impl Console {
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
            self.live_timeline_retried(id),
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

    /// [`Console::live_timeline`], asked again after 0.3 s and 0.7 s more
    /// when it fails: a platform may answer 429 or 5xx at any time, and one
    /// such answer should not cost the officer the actors of the closed loop
    /// (the stored timeline has none).
    async fn live_timeline_retried(&self, id: &str) -> Result<Vec<TimelineEntry>, ConsoleError> {
        let mut outcome = self.live_timeline(id).await;
        for pause in [300, 700] {
            if outcome.is_ok() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(pause)).await;
            outcome = self.live_timeline(id).await;
        }
        outcome
    }

    async fn live_timeline(&self, id: &str) -> Result<Vec<TimelineEntry>, ConsoleError> {
        #[derive(Deserialize)]
        struct WithTimeline {
            #[serde(default)]
            timeline: Vec<serde_json::Value>,
        }
        let url = self.endpoint(&format!("api/v1/events/{}", urlencode(id)))?;
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
        let target = gridwall_ingest::address::resolve(&self.governance, url)
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
}
