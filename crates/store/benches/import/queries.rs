//! Every console and wall query over an imported store, p50/p99 each: what
//! a duty officer's click or the wall's refresh asks of the store.

use std::time::{Duration, Instant};

use gridwall_store::{IncidentFilter, KpiWindow, Level, Scope, Store};

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

async fn time_query<F, Fut>(label: &str, runs: usize, mut f: F) -> anyhow::Result<()>
where
    F: FnMut(usize) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<()>>,
{
    // One untimed round, so the first run does not pay for a cold page cache alone.
    f(0).await?;
    let mut times = Vec::with_capacity(runs);
    for i in 0..runs {
        let started = Instant::now();
        f(i).await?;
        times.push(started.elapsed());
    }
    times.sort();
    println!(
        "  | {label} | {:.2} ms | {:.2} ms |",
        percentile(&times, 0.5),
        percentile(&times, 0.99)
    );
    Ok(())
}

/// Places to ask about, sampled from the store.
pub struct Places {
    pub grids: Vec<String>,
    pub micro_grids: Vec<String>,
    pub ids: Vec<String>,
    pub addresses: Vec<String>,
}

impl Places {
    pub async fn sample(store: &Store) -> anyhow::Result<Places> {
        let grids: Vec<String> = sqlx::query_scalar(
            "SELECT grid_id FROM grid_state WHERE SUBSTR(grid_id, 13, 1) = 'G' ORDER BY grid_id",
        )
        .fetch_all(store.pool())
        .await?;
        let grids: Vec<String> = grids.into_iter().step_by(17).collect();
        let mut micro_grids = Vec::new();
        let mut ids = Vec::new();
        let mut addresses = Vec::new();
        for grid in grids.iter().take(60) {
            let rows: Vec<(String, Option<String>, String)> = sqlx::query_as(
                "SELECT id, micro_grid_id, address FROM events WHERE grid_id = $1 LIMIT 3",
            )
            .bind(grid)
            .fetch_all(store.pool())
            .await?;
            for (id, micro, address) in rows {
                ids.push(id);
                micro_grids.extend(micro);
                // A fragment from the middle of an address, as an officer types it.
                let chars: Vec<char> = address.chars().collect();
                if chars.len() >= 6 {
                    addresses.push(chars[2..6].iter().collect());
                }
            }
        }
        Ok(Places {
            grids,
            micro_grids,
            ids,
            addresses,
        })
    }

    fn village(&self, i: usize) -> String {
        self.grids[i % self.grids.len()][..12].to_owned()
    }

    fn town(&self, i: usize) -> String {
        format!("{}000", &self.grids[i % self.grids.len()][..9])
    }
}

/// The place a run asks about, by run number.
type ScopeOf<'a> = Box<dyn Fn(usize) -> Scope + 'a>;

/// A level's panel as the console asks for it (`gridwall_wall::console::level`):
/// the open breakdown, the overdue count, three KPI windows, the 30-day
/// series and the first page of its open incidents, all at once.
async fn panel(store: &Store, scope: Scope, now: i64, page: usize) -> anyhow::Result<()> {
    let overdue = IncidentFilter {
        overdue_only: true,
        ..IncidentFilter::default()
    };
    // The console opens a place on its open incidents.
    let open = IncidentFilter {
        open_only: true,
        ..IncidentFilter::default()
    };
    tokio::try_join!(
        store.open_breakdown(&scope),
        store.incidents(&scope, &overdue, now, 0),
        store.kpis_in_windows(now, &KpiWindow::ALL, &scope),
        store.events_per_day(now, 30, &scope),
        store.incidents(&scope, &open, now, page),
    )?;
    Ok(())
}

/// Rows of a list page: the console's first page (`INCIDENTS_FIRST_PAGE`
/// in gridwall-wall, 50); `GRIDWALL_BENCH_PAGE` times another length (300
/// was the console's list before it had pages).
fn page() -> usize {
    std::env::var("GRIDWALL_BENCH_PAGE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(50)
}

pub async fn run(store: &Store, now: i64, runs: usize) -> anyhow::Result<()> {
    let places = Places::sample(store).await?;
    // Read once: the timed closures only copy it.
    let page = page();
    println!("  lists of {page} rows");
    println!("  | query | p50 | p99 |");
    println!("  |---|---|---|");
    let open = IncidentFilter {
        open_only: true,
        ..IncidentFilter::default()
    };
    time_query("a grid's open incidents", runs, |i| {
        let scope = Scope::Grid(places.grids[i % places.grids.len()].clone());
        let open = &open;
        async move {
            store.incidents(&scope, open, now, page).await?;
            Ok(())
        }
    })
    .await?;
    time_query("a village's panel", runs, |i| {
        panel(store, Scope::Village(places.village(i)), now, page)
    })
    .await?;
    time_query("a town's panel", runs, |i| {
        panel(store, Scope::Town(places.town(i)), now, page)
    })
    .await?;
    time_query("the city's panel", runs, |_| {
        panel(store, Scope::City, now, page)
    })
    .await?;
    // The panel's parts, one level at a time: where its time goes.
    let panels: [(&str, ScopeOf); 3] = [
        (
            "a village's",
            Box::new(|i| Scope::Village(places.village(i))),
        ),
        ("a town's", Box::new(|i| Scope::Town(places.town(i)))),
        ("the city's", Box::new(|_| Scope::City)),
    ];
    for (whose, scope) in &panels {
        time_query(
            &format!("{whose} KPIs (today, 7 days, the year)"),
            runs,
            |i| {
                let scope = scope(i);
                async move {
                    store.kpis_in_windows(now, &KpiWindow::ALL, &scope).await?;
                    Ok(())
                }
            },
        )
        .await?;
        time_query(
            &format!("{whose} open incidents (first page, and the count)"),
            runs,
            |i| {
                let scope = scope(i);
                let open = IncidentFilter {
                    open_only: true,
                    ..IncidentFilter::default()
                };
                async move {
                    store.incidents(&scope, &open, now, page).await?;
                    Ok(())
                }
            },
        )
        .await?;
        time_query(
            &format!("{whose} 30-day list (first page, and the count)"),
            runs,
            |i| {
                let scope = scope(i);
                async move {
                    store
                        .incidents(&scope, &IncidentFilter::default(), now, page)
                        .await?;
                    Ok(())
                }
            },
        )
        .await?;
        time_query(
            &format!("{whose} open breakdown and overdue count"),
            runs,
            |i| {
                let scope = scope(i);
                let overdue = IncidentFilter {
                    overdue_only: true,
                    ..IncidentFilter::default()
                };
                async move {
                    store.open_breakdown(&scope).await?;
                    store.incidents(&scope, &overdue, now, 0).await?;
                    Ok(())
                }
            },
        )
        .await?;
    }
    time_query("rollup of every town", runs, |_| async move {
        store.rollups(Level::Town).await?;
        Ok(())
    })
    .await?;
    time_query("the city rollup", runs, |_| async move {
        store.rollups(Level::City).await?;
        Ok(())
    })
    .await?;
    let levels: [(&str, ScopeOf); 5] = [
        ("the city's 30-day series", Box::new(|_| Scope::City)),
        (
            "a town's 30-day series",
            Box::new(|i| Scope::Town(places.town(i))),
        ),
        (
            "a village's 30-day series",
            Box::new(|i| Scope::Village(places.village(i))),
        ),
        (
            "a grid's 30-day series",
            Box::new(|i| Scope::Grid(places.grids[i % places.grids.len()].clone())),
        ),
        (
            "a micro-grid's 30-day series",
            Box::new(|i| {
                Scope::MicroGrid(places.micro_grids[i % places.micro_grids.len().max(1)].clone())
            }),
        ),
    ];
    for (label, scope) in &levels {
        time_query(label, runs, |i| {
            let scope = scope(i);
            async move {
                store.events_per_day(now, 30, &scope).await?;
                Ok(())
            }
        })
        .await?;
    }
    time_query("an incident's timeline", runs, |i| {
        let id = places.ids[i % places.ids.len()].clone();
        async move {
            store.timeline(&id).await?;
            Ok(())
        }
    })
    .await?;
    time_query("an incident (newest record)", runs, |i| {
        let id = places.ids[i % places.ids.len()].clone();
        async move {
            store.incident(&id).await?;
            Ok(())
        }
    })
    .await?;
    time_query("search by id prefix", runs, |i| {
        let id = &places.ids[i % places.ids.len()];
        let prefix = id[..id.len().saturating_sub(2)].to_owned();
        async move {
            store.search_events(&prefix, 12).await?;
            Ok(())
        }
    })
    .await?;
    time_query("search by address fragment", runs, |i| {
        let fragment = places.addresses[i % places.addresses.len()].clone();
        async move {
            store.search_events(&fragment, 12).await?;
            Ok(())
        }
    })
    .await?;
    println!(
        "  (search by name is the console's in-memory directory, not the store: see \
         `gridwall_wall::console::search`)"
    );
    Ok(())
}
