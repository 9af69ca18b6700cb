//! A level of the tree (city to micro-grid): its rollup, children, KPIs,
//! chart, workforce, cameras and incident list.

use super::*;

impl Console {
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
            // "30 days" is the store's own window: today and the 29 days
            // before, the days of the 30-day chart (and its total is their sum).
            since: filter
                .window_hours
                .filter(|&hours| hours != 30 * 24)
                .map(|h| unix - i64::from(h) * 3600),
        };
        let (rows, total) = self
            .store
            .incidents(&place.scope(), &store_filter, unix, incidents_limit(filter))
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
    pub(super) async fn workers(
        &self,
        directory: &Directory,
        place: &Place,
    ) -> (Vec<WorkerRow>, String) {
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
        let mut url = self.endpoint("api/v1/workers")?;
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
}
