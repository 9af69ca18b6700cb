//! How many pixels each kind of change repaints (issue 16): the X server's
//! own record of what the app drew into its window, through the DAMAGE
//! extension on the virtual display's root window (the way VNC servers learn
//! what to send), and the CPU the app, its web process and the X server spent.
//!
//! Read the two together. WebKitGTK without accelerated compositing draws the
//! rectangles it repainted into one image clipped to their region and copies
//! it to X in one composite, which DAMAGE reports as the region's bounding
//! box: two small changes at opposite corners are reported as the whole
//! window while costing almost nothing. A frame with more than about ten
//! dirty rectangles is different: WebKit then repaints their bounding box
//! whole (twelve small changes spread over the window cost as much CPU as
//! repainting it all). So the damaged area is an upper bound of what was
//! repainted, and the CPU figures say which it was.
//!
//! The app runs at 3840×2160 against the simulator at real speed. Each phase
//! lasts [`PHASE`]; damage reports closer than [`BURST_GAP_MS`] to each other
//! are one burst (one repaint of the window), whose area is the exact union of
//! its rectangles. Phases:
//!
//! - `quiet`: nothing injected (the simulator's own background, about one
//!   event a minute, the clock, the panels' timers, animations);
//! - `grid`: one severity-1 event a second into a quiet grid (a grid changes
//!   colour; severity 1 stays off the ticker);
//! - `ticker`: one severity-3 event a second (a ticker line and a grid);
//! - `video`: the video window alone (layout `video`), 16 live tiles.
//!
//! Per phase: bursts a second, megapixels repainted a second, a burst's area
//! p50/p95 (as a share of the window), the bursts that repaint ≥ 90 % of the
//! window, the repainted pixels a second inside each panel, and the CPU the
//! app's processes and the X server used.
//!
//! Asserts nothing.
//!
//!   cargo build -p gridwall -p gridwall-sim && cargo bench -p gridwall-suite --bench damage --profile dev
//!
//! `GRIDWALL_CONFIG` (a file with `[ui] compositing = true`) measures the
//! other rendering mode; `GRIDWALL_APP` another build of the app.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{Context, Result};
use gridwall_suite::{Launch, Sim, Wall, percentile, windows_config};
use serde_json::json;
use x11rb::connection::Connection;
use x11rb::protocol::Event;
use x11rb::protocol::damage::{ConnectionExt as _, ReportLevel};

const WIDTH: u32 = 3840;
const HEIGHT: u32 = 2160;
const PHASE: Duration = Duration::from_secs(20);
/// Reports this close (server milliseconds) belong to one repaint.
const BURST_GAP_MS: u32 = 4;

/// One damage report: server time (ms) and the rectangle.
type Report = (u32, [i32; 4]);

/// Listens to every damage report of display `name` on a thread of its own.
fn record(name: &str) -> Result<Arc<Mutex<Vec<Report>>>> {
    let (conn, screen) = x11rb::connect(Some(name)).context("connect to the display")?;
    let root = conn.setup().roots[screen].root;
    conn.damage_query_version(1, 1)?.reply()?;
    let damage = conn.generate_id()?;
    conn.damage_create(damage, root, ReportLevel::RAW_RECTANGLES)?;
    conn.flush()?;
    let reports = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&reports);
    std::thread::spawn(move || {
        while let Ok(event) = conn.wait_for_event() {
            if let Event::DamageNotify(n) = event {
                let a = n.area;
                let rect = [
                    i32::from(a.x),
                    i32::from(a.y),
                    i32::from(a.width),
                    i32::from(a.height),
                ];
                sink.lock().unwrap().push((n.timestamp, rect));
            }
        }
    });
    Ok(reports)
}

/// The exact union area of rectangles, on a one-bit-per-pixel canvas.
struct Union {
    bits: Vec<u64>,
}

impl Union {
    fn new() -> Self {
        Self {
            bits: vec![0; (WIDTH * HEIGHT) as usize / 64 + 1],
        }
    }

    /// Area of the union of `rects`, and of its part inside each of `regions`.
    fn area(&mut self, rects: &[[i32; 4]], regions: &[[i32; 4]]) -> (u64, Vec<u64>) {
        self.bits.iter_mut().for_each(|b| *b = 0);
        let mut area = 0;
        let mut inside = vec![0; regions.len()];
        for r in rects {
            let x0 = r[0].clamp(0, WIDTH as i32);
            let y0 = r[1].clamp(0, HEIGHT as i32);
            let x1 = (r[0] + r[2]).clamp(0, WIDTH as i32);
            let y1 = (r[1] + r[3]).clamp(0, HEIGHT as i32);
            for y in y0..y1 {
                for x in x0..x1 {
                    let i = (y as u32 * WIDTH + x as u32) as usize;
                    let (word, bit) = (i / 64, 1u64 << (i % 64));
                    if self.bits[word] & bit == 0 {
                        self.bits[word] |= bit;
                        area += 1;
                        for (k, g) in regions.iter().enumerate() {
                            if x >= g[0] && x < g[0] + g[2] && y >= g[1] && y < g[1] + g[3] {
                                inside[k] += 1;
                            }
                        }
                    }
                }
            }
        }
        (area, inside)
    }
}

/// The panels of the page, in device pixels: (name, rectangle).
async fn regions(wall: &Wall) -> Result<Vec<(String, [i32; 4])>> {
    let found = wall
        .js("const r = window.devicePixelRatio || 1; \
             const out = [...document.querySelectorAll('section[data-testid], header, [data-testid=clock], [data-testid=video-tile]')]\
               .map((e, i) => { const b = e.getBoundingClientRect(); \
                 return [(e.dataset.testid || e.tagName.toLowerCase()) + (e.dataset.testid === 'video-tile' ? '-' + i : ''), \
                   [b.left * r, b.top * r, b.width * r, b.height * r].map(Math.round)]; }); \
             return out;")
        .await?;
    Ok(serde_json::from_value(found)?)
}

/// Summarises the reports of one phase.
fn summarise(phase: &str, reports: &[Report], regions: &[(String, [i32; 4])], seconds: f64) {
    let rects: Vec<[i32; 4]> = regions.iter().map(|r| r.1).collect();
    let mut union = Union::new();
    let mut areas = Vec::new();
    let mut per_region = vec![0u64; regions.len()];
    let mut start = 0;
    for i in 1..=reports.len() {
        let ends = i == reports.len() || reports[i].0.wrapping_sub(reports[i - 1].0) > BURST_GAP_MS;
        if ends {
            let burst: Vec<[i32; 4]> = reports[start..i].iter().map(|r| r.1).collect();
            let (area, inside) = union.area(&burst, &rects);
            areas.push(area as f64);
            per_region.iter_mut().zip(inside).for_each(|(t, a)| *t += a);
            start = i;
        }
    }
    let window = f64::from(WIDTH * HEIGHT);
    let total: f64 = areas.iter().sum();
    let whole = areas.iter().filter(|a| **a >= 0.9 * window).count();
    areas.sort_by(f64::total_cmp);
    println!(
        "{phase}: {:.1} bursts/s, {:.1} Mpx/s repainted, burst p50 {:.2} % p95 {:.2} % of the window, \
         {whole} whole-window bursts, {} reports",
        areas.len() as f64 / seconds,
        total / seconds / 1e6,
        percentile(&areas, 0.5) / window * 100.0,
        percentile(&areas, 0.95) / window * 100.0,
        reports.len(),
    );
    let mut named: Vec<(&str, f64)> = regions
        .iter()
        .zip(&per_region)
        .map(|((name, _), px)| (name.as_str(), *px as f64 / seconds / 1e3))
        .filter(|(_, kpx)| *kpx > 0.0)
        .collect();
    named.sort_by(|a, b| b.1.total_cmp(&a.1));
    for (name, kpx) in named {
        println!("    {name}: {kpx:.0} kpx/s");
    }
}

/// CPU time so far (clock ticks) of the app's processes, by role: the app
/// (UI process), WebKit's web process, and the X server that composites.
/// Found by name in /proc: the bench runs one app at a time.
fn cpu_ticks() -> [u64; 3] {
    let mut ticks = [0; 3];
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        // `pid (comm) state ...`: comm may hold spaces; fields follow the last ')'.
        let (Some(open), Some(close)) = (stat.find('('), stat.rfind(')')) else {
            continue;
        };
        let role = match &stat[open + 1..close] {
            "gridwall" => 0,
            "WebKitWebProces" => 1,
            "Xvfb" => 2,
            _ => continue,
        };
        let fields: Vec<&str> = stat[close + 2..].split(' ').collect();
        // utime and stime are fields 14 and 15 of stat, 12 and 13 after comm.
        let used: u64 = fields[11].parse().unwrap_or(0) + fields[12].parse::<u64>().unwrap_or(0);
        ticks[role] += used;
    }
    ticks
}

/// Records one phase while `during` runs, then summarises it.
async fn phase<F: std::future::Future<Output = Result<()>>>(
    name: &str,
    wall: &Wall,
    reports: &Mutex<Vec<Report>>,
    during: F,
) -> Result<()> {
    let regions = regions(wall).await?;
    reports.lock().unwrap().clear();
    let started = std::time::Instant::now();
    let cpu_before = cpu_ticks();
    during.await?;
    let cpu_after = cpu_ticks();
    let taken = std::mem::take(&mut *reports.lock().unwrap());
    let seconds = started.elapsed().as_secs_f64();
    summarise(name, &taken, &regions, seconds);
    // Clock ticks are 1/100 s on Linux: ticks per second = % of one core.
    let busy = |i: usize| (cpu_after[i] - cpu_before[i]) as f64 / seconds;
    println!(
        "    cpu: app {:.0} %, web process {:.0} %, X server {:.0} % of a core",
        busy(0),
        busy(1),
        busy(2)
    );
    Ok(())
}

/// One event a second of `severity` into the quiet grids, for a phase.
async fn inject(sim: &Sim, grids: &[String], severity: u8) -> Result<()> {
    let deadline = tokio::time::Instant::now() + PHASE;
    for grid in grids.iter().cycle() {
        if tokio::time::Instant::now() >= deadline {
            break;
        }
        sim.inject(json!({
            "grid_id": grid, "source": "grid_patrol", "category": "city.parking",
            "severity": severity, "title": "重绘测试"
        }))
        .await?;
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    Ok(())
}

#[tokio::main]
async fn main() -> Result<()> {
    // `GRIDWALL_DAMAGE_DISPLAY=:N`: only record that display for one phase
    // (another program's window, e.g. MiniBrowser on a test page).
    if let Ok(display) = std::env::var("GRIDWALL_DAMAGE_DISPLAY") {
        let reports = record(&display)?;
        tokio::time::sleep(PHASE).await;
        let taken = std::mem::take(&mut *reports.lock().unwrap());
        summarise(&display, &taken, &[], PHASE.as_secs_f64());
        for (t, r) in taken.iter().take(12) {
            println!("    {t} {r:?}");
        }
        return Ok(());
    }
    let sim = Sim::start(&["--seed=9", "--warmup-hours=6"]).await?;
    let dir = tempfile::TempDir::new()?;
    let launch = Launch::default().size(WIDTH, HEIGHT).against(&sim);
    let wall = Wall::launch(launch).await?;
    wall.wait_for_live().await?;
    wall.wait_for_js(
        "return (window.__gridwallMap?.count() ?? 0) > 0",
        Duration::from_secs(60),
    )
    .await?;
    tokio::time::sleep(Duration::from_secs(10)).await;
    let reports = record(&wall.display.name())?;
    // `GRIDWALL_DAMAGE_PROBES=file`: lines of `name<TAB>script`, each run
    // in the page in turn (cumulatively) and the quiet wall measured after
    // it: to find what on the page makes the damage large.
    if let Ok(file) = std::env::var("GRIDWALL_DAMAGE_PROBES") {
        // `GRIDWALL_DAMAGE_PROBE_SEVERITY=N`: each probe's phase injects one
        // event of severity N a second, as the `grid`/`ticker` phases do.
        let severity: Option<u8> = std::env::var("GRIDWALL_DAMAGE_PROBE_SEVERITY")
            .ok()
            .and_then(|s| s.parse().ok());
        let quiet = sim.quiet_grids(&wall).await?;
        for line in std::fs::read_to_string(file)?
            .lines()
            .filter(|l| !l.trim().is_empty())
        {
            let (name, script) = line.split_once('\t').context("name<TAB>script")?;
            // A script may answer (e.g. what a MutationObserver saw): shown.
            let answer = wall.js(script).await?;
            if !answer.is_null() {
                println!("{name} answered: {answer}");
            }
            tokio::time::sleep(Duration::from_secs(2)).await;
            match severity {
                Some(severity) => {
                    phase(name, &wall, &reports, inject(&sim, &quiet, severity)).await?
                }
                None => {
                    phase(
                        name,
                        &wall,
                        &reports,
                        tokio::time::sleep(PHASE / 2).map_ok(),
                    )
                    .await?
                }
            }
        }
        return wall.close().await;
    }
    let quiet = sim.quiet_grids(&wall).await?;
    let (low, high) = quiet.split_at(quiet.len() / 2);
    phase("quiet", &wall, &reports, tokio::time::sleep(PHASE).map_ok()).await?;
    phase("grid", &wall, &reports, inject(&sim, low, 1)).await?;
    phase("ticker", &wall, &reports, inject(&sim, high, 3)).await?;
    wall.close().await?;

    // The video window alone, 16 live tiles.
    let launch = Launch::default()
        .size(WIDTH, HEIGHT)
        .against(&sim)
        .config(&windows_config(dir.path(), &["video"])?);
    let video = Wall::launch(launch).await?;
    video.wait_for_live().await?;
    video
        .wait_for_js(
            "return document.querySelectorAll('[data-testid=video-tile][data-mode=live]').length > 0",
            Duration::from_secs(90),
        )
        .await
        .context("no tile went live")?;
    video
        .js(
            "window.__gridwallVideo.followAlerts(false); window.__gridwallVideo.hold(true); \
             window.__gridwallVideo.setLayout('16'); return true",
        )
        .await?;
    tokio::time::sleep(Duration::from_secs(15)).await;
    let reports = record(&video.display.name())?;
    phase(
        "video",
        &video,
        &reports,
        tokio::time::sleep(PHASE).map_ok(),
    )
    .await?;
    video.close().await
}

/// `sleep(..).map_ok()`: a timer as a phase's work.
trait MapOk: std::future::Future<Output = ()> + Sized {
    async fn map_ok(self) -> Result<()> {
        self.await;
        Ok(())
    }
}

impl<F: std::future::Future<Output = ()>> MapOk for F {}
