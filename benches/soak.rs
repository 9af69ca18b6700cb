//! A day on the wall (issue 15): the app at 3840×2160 with a wall window
//! and a video window of 16 live tiles, its embedded simulator at 60× (24
//! simulated hours in 24 minutes), sampled once a second from `/proc`: the
//! RSS, PSS and CPU of all its processes (gridwall, WebKitWebProcess,
//! WebKitNetworkProcess, …; the embedded simulator is inside gridwall, so
//! its memory counts too). Summed RSS counts every shared page (the
//! libraries, the window buffers shared with X) once per process; summed PSS
//! counts it once, which is the memory the processes take together. Each
//! window's page records the gaps between its animation frames. Prints the figures, writes a CSV and a plot of memory
//! over time (plotters). Asserts nothing.
//!
//!   cargo build -p gridwall && cargo bench -p gridwall-suite --bench soak --profile dev
//!
//! `GRIDWALL_SOAK_MINUTES` (default 24) shortens or lengthens the day;
//! `GRIDWALL_SOAK_KILLS=3` SIGKILLs the app's web processes that many times,
//! evenly spaced, to show the watchdog's heals (WebDriver's session ends
//! with the first killed page, so that run reports memory and heals only);
//! `GRIDWALL_APP` measures another build. Output in `target/soak/`.
//!
//! `GRIDWALL_SOAK_SIM=external` runs the simulator as a process of its own
//! (`GRIDWALL_SIM` names its build) instead of inside the app, as a wall PC
//! against the city's platform runs: its memory and CPU are then not the
//! app's, and are printed apart.

use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use gridwall_suite::procs::{TICKS, descendants, group, processes, pss_kib};
use gridwall_suite::{Launch, Sim, Wall, percentile};
use plotters::prelude::*;

/// The page's frame-gap recorder: the longest gap, gaps over 2 s, and each
/// minute's longest gap.
const GAP_RECORDER: &str = "\
    const s = window.__soak = { max: 0, over2: 0, minute: 0, minutes: [], frames: 0 }; \
    let last = performance.now(); \
    const tick = (now) => { const gap = now - last; last = now; s.frames += 1; \
      if (gap > s.max) s.max = gap; if (gap > s.minute) s.minute = gap; \
      if (gap > 2000) s.over2 += 1; requestAnimationFrame(tick); }; \
    requestAnimationFrame(tick); \
    setInterval(() => { s.minutes.push(Math.round(s.minute)); s.minute = 0; }, 60000); \
    return true";

struct Sample {
    t_s: f64,
    /// Summed RSS of the app's processes.
    app_mib: f64,
    /// Summed PSS of the same processes: each shared page counted once.
    app_pss_mib: f64,
    webkit_mib: f64,
    cpu_cores: f64,
    /// The simulator's own process, when it runs apart (not the app's).
    sim_mib: f64,
}

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

/// SIGKILLs every WebKitWebProcess below `root`; how many.
fn kill_pages(root: u32) -> usize {
    let all = processes();
    let mut killed = 0;
    for pid in descendants(&all, root) {
        if all[&pid].name.starts_with("WebKitWebProces") {
            // SAFETY: kill(2) on a pid just read from /proc; no memory is shared.
            unsafe { libc::kill(pid as i32, libc::SIGKILL) };
            killed += 1;
        }
    }
    killed
}

#[tokio::main]
async fn main() -> Result<()> {
    let minutes = env_u64("GRIDWALL_SOAK_MINUTES", 24);
    let kills = env_u64("GRIDWALL_SOAK_KILLS", 0);
    let dir = tempfile::TempDir::new()?;
    let config = dir.path().join("soak.toml");
    std::fs::write(
        &config,
        "[[window]]\nlabel = \"wall\"\nlayout = \"wall\"\n\n\
         [[window]]\nlabel = \"video\"\nlayout = \"video\"\nfullscreen = false\n\
         width = 3840\nheight = 2160\n",
    )?;
    let external = std::env::var("GRIDWALL_SOAK_SIM").is_ok_and(|v| v == "external");
    let sim = if external {
        Some(Sim::start(&["--speed=60"]).await?)
    } else {
        None
    };
    let launch = Launch::default().size(3840, 2160).config(&config);
    let launch = match &sim {
        Some(sim) => launch.against(sim),
        None => launch.arg("--sim-speed=60"),
    };
    let wall = Wall::launch(launch).await?;
    wall.wait_for_live().await?;
    wall.switch_to_layout("video").await?;
    wall.wait_for_js(
        "return !!window.__gridwallVideo && \
         document.querySelectorAll('[data-testid=video-tile][data-mode=live]').length > 0",
        Duration::from_secs(120),
    )
    .await
    .context("no tile went live")?;
    wall.js(
        "window.__gridwallVideo.followAlerts(false); window.__gridwallVideo.hold(true); \
         window.__gridwallVideo.setLayout('16'); return true",
    )
    .await?;
    wall.js(GAP_RECORDER).await?;
    wall.switch_to_layout("wall").await?;
    wall.js(GAP_RECORDER).await?;

    let me = std::process::id();
    let app_pid = {
        let all = processes();
        descendants(&all, me)
            .into_iter()
            .find(|pid| all[pid].name == "gridwall")
            .context("the app's process")?
    };
    let total = minutes * 60;
    let kill_at: Vec<u64> = (1..=kills).map(|k| k * total / (kills + 1)).collect();
    let mut killed = 0;
    // After each kill: when it happened (also in wall-clock ms) and how
    // many pages had subscribed, until both windows' pages have subscribed
    // again; then until both say they are whole again (their own clock).
    let mut healing: Option<(Instant, u64)> = None;
    let mut back_after: Vec<f64> = Vec::new();
    let mut whole_pending: Option<u64> = None;
    let mut whole_after: Vec<String> = Vec::new();
    let subscribed = || {
        gridwall_suite::cluster::status_in(wall.data_dir.path())
            .and_then(|s| s["pages_subscribed"].as_u64())
            .unwrap_or(0)
    };
    let mut samples = Vec::new();
    let mut previous = processes();
    let started = Instant::now();
    for second in 1..=total {
        // Sleep to the next whole second since the start, so the samples
        // stay a second apart however long a sample takes.
        let next = Duration::from_secs(second);
        tokio::time::sleep(next.saturating_sub(started.elapsed())).await;
        if kill_at.contains(&second) {
            healing = Some((Instant::now(), subscribed()));
            whole_pending = Some(epoch_ms());
            killed += kill_pages(app_pid);
            println!("{second} s: killed the app's web processes ({killed} so far)");
        }
        if let Some((at, before)) = healing
            && subscribed() >= before + 2
        {
            let secs = at.elapsed().as_secs_f64();
            println!("{second} s: both pages subscribed again {secs:.1} s after the kill");
            back_after.push(secs);
            healing = None;
        }
        if let Some(killed_at) = whole_pending
            && let Some(whole) = whole_again(wall.data_dir.path(), killed_at)
        {
            println!("{second} s: both pages whole again: {whole}");
            whole_after.push(whole);
            whole_pending = None;
        }
        let now = processes();
        let (mut ticks, mut app_kib, mut webkit_kib, mut sim_kib) = (0, 0, 0, 0);
        let mut pss_kib_sum = 0;
        // Each WebKit process's RSS, by pid: which window's page grows.
        let mut each_webkit: Vec<String> = Vec::new();
        for pid in descendants(&now, me) {
            let p = &now[&pid];
            if group(&p.name) == "simulator" {
                sim_kib += p.rss_kib;
            }
            if group(&p.name) != "app" {
                continue;
            }
            ticks += p
                .ticks
                .saturating_sub(previous.get(&pid).map_or(0, |q| q.ticks));
            app_kib += p.rss_kib;
            pss_kib_sum += pss_kib(pid).unwrap_or(0);
            if p.name.starts_with("WebKit") {
                webkit_kib += p.rss_kib;
                each_webkit.push(format!("{} {pid} {:.0}", p.name, p.rss_kib as f64 / 1024.0));
            }
        }
        samples.push(Sample {
            t_s: started.elapsed().as_secs_f64(),
            app_mib: app_kib as f64 / 1024.0,
            app_pss_mib: pss_kib_sum as f64 / 1024.0,
            webkit_mib: webkit_kib as f64 / 1024.0,
            cpu_cores: ticks as f64 / TICKS,
            sim_mib: sim_kib as f64 / 1024.0,
        });
        previous = now;
        if second % 60 == 0 {
            let s = samples.last().expect("one sample a second");
            each_webkit.sort();
            println!(
                "{:>3} min: RSS {:.0} MiB (WebKit {:.0}: {}), PSS {:.0} MiB, {:.2} cores",
                second / 60,
                s.app_mib,
                s.webkit_mib,
                each_webkit.join(", "),
                s.app_pss_mib,
                s.cpu_cores
            );
        }
    }

    let status = gridwall_suite::cluster::status_in(wall.data_dir.path()).unwrap_or_default();
    report(&samples, minutes, kills, killed, &status);
    if kills > 0 {
        println!(
            "pages back after each kill (s, to the second): {back_after:.1?}{}",
            if healing.is_some() {
                "; the last never came back"
            } else {
                ""
            }
        );
        println!(
            "pages whole again after each kill (their own clocks): {whole_after:?}{}",
            if whole_pending.is_some() {
                "; the last never came back whole"
            } else {
                ""
            }
        );
    }
    if killed == 0 {
        for window in ["video", "wall"] {
            wall.switch_to_layout(window).await?;
            let gaps = wall.js("return window.__soak").await?;
            if window == "video" {
                let live = wall
                    .js("return document.querySelectorAll('[data-testid=video-tile][data-mode=live]').length")
                    .await?;
                println!("video window: {live} tiles live at the end");
            }
            println!(
                "{window} window: frames {}, longest gap {:.0} ms, gaps over 2 s {}, longest per minute {}",
                gaps["frames"],
                gaps["max"].as_f64().unwrap_or(f64::NAN),
                gaps["over2"],
                gaps["minutes"]
            );
        }
        if let Err(err) = wall.screenshot("soak-end-3840x2160").await {
            println!("no screenshot: {err}");
        }
    }
    wall.close().await
}

fn epoch_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// Once both windows' pages say they were whole after `killed_at` (ms
/// since the epoch): how long after it each was, and the video window's
/// pictures, as text.
fn whole_again(data_dir: &std::path::Path, killed_at: u64) -> Option<String> {
    let status = gridwall_suite::cluster::status_in(data_dir)?;
    let mut parts = Vec::new();
    for window in ["wall", "video"] {
        let page = &status["pages"][window];
        let at = page["whole_at_ms"].as_u64().filter(|&at| at > killed_at)?;
        parts.push(format!(
            "{window} {:.1} s ({} of {} tiles with a picture)",
            (at - killed_at) as f64 / 1000.0,
            page["pictures"],
            page["tiles"]
        ));
    }
    Some(parts.join(", "))
}

fn report(samples: &[Sample], minutes: u64, kills: u64, killed: usize, status: &serde_json::Value) {
    println!();
    println!(
        "soak: {minutes} min at 60× ({minutes} simulated hours), {kills} planned kills, {killed} web processes killed"
    );
    let base = memory_summary("app RSS (all processes, summed)", samples, minutes, |s| {
        s.app_mib
    });
    memory_summary(
        "app PSS (all processes, each shared page once)",
        samples,
        minutes,
        |s| s.app_pss_mib,
    );
    let mut cpu: Vec<f64> = samples.iter().map(|s| s.cpu_cores).collect();
    cpu.sort_by(f64::total_cmp);
    let sim_last = samples.last().map_or(0.0, |s| s.sim_mib);
    if sim_last > 0.0 {
        println!("simulator apart (not counted above): {sim_last:.0} MiB at the end");
    }
    println!(
        "app CPU: p50 {:.2}, p90 {:.2}, max {:.2} cores",
        percentile(&cpu, 0.5),
        percentile(&cpu, 0.9),
        percentile(&cpu, 1.0)
    );
    println!(
        "heals (status.json): {}, quiet reloads {}, pages subscribed {}",
        status["heals"], status["quiet_reloads"], status["pages_subscribed"]
    );
    let out = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/soak");
    if let Err(err) = write_outputs(&out, samples, kills, base) {
        println!("cannot write the CSV and plot: {err:#}");
    }
}

/// Prints the minute-5 mean, the last minute's mean and the peak after
/// minute 5 of one memory figure; returns the minute-5 mean.
fn memory_summary(
    what: &str,
    samples: &[Sample],
    minutes: u64,
    of: impl Fn(&Sample) -> f64,
) -> f64 {
    let at = |min: f64| -> Vec<f64> {
        samples
            .iter()
            .filter(|s| s.t_s >= min * 60.0 && s.t_s < (min + 1.0) * 60.0)
            .map(&of)
            .collect()
    };
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len().max(1) as f64;
    let base = mean(&at(5.0));
    let last = mean(&at(minutes as f64 - 1.0));
    let peak_after5 = samples
        .iter()
        .filter(|s| s.t_s >= 300.0)
        .map(&of)
        .fold(f64::NAN, f64::max);
    let peak = samples.iter().map(&of).fold(f64::NAN, f64::max);
    println!(
        "{what}: minute 5 mean {base:.0} MiB, last minute mean {last:.0} MiB ({:+.1} %), \
         peak after minute 5 {peak_after5:.0} MiB ({:+.1} % over minute 5), peak {peak:.0} MiB",
        100.0 * (last - base) / base,
        100.0 * (peak_after5 - base) / base,
    );
    base
}

fn write_outputs(out: &std::path::Path, samples: &[Sample], kills: u64, base: f64) -> Result<()> {
    std::fs::create_dir_all(out)?;
    let csv: String =
        std::iter::once("t_s,app_rss_mib,webkit_rss_mib,app_pss_mib,cpu_cores\n".to_owned())
            .chain(samples.iter().map(|s| {
                format!(
                    "{:.1},{:.1},{:.1},{:.1},{:.2}\n",
                    s.t_s, s.app_mib, s.webkit_mib, s.app_pss_mib, s.cpu_cores
                )
            }))
            .collect();
    let name = if kills == 0 { "soak" } else { "soak-kills" };
    std::fs::write(out.join(format!("{name}.csv")), csv)?;
    if let Ok(bytes) = std::fs::read("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf") {
        let _ = plotters::style::register_font(
            "sans-serif",
            plotters::style::FontStyle::Normal,
            Box::leak(bytes.into_boxed_slice()),
        );
    }
    let png = out.join(format!("{name}-memory.png"));
    let root = BitMapBackend::new(&png, (1600, 800)).into_drawing_area();
    root.fill(&WHITE)?;
    let end = samples.last().map_or(1.0, |s| s.t_s / 60.0);
    let top = samples
        .iter()
        .map(|s| s.app_mib)
        .fold(1.10 * base, f64::max)
        .max(1300.0)
        * 1.05;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            format!(
                "GridWall at 3840x2160, wall + 16 live tiles, simulator at 60x{}: memory of all processes",
                if kills == 0 { String::new() } else { format!(", {kills} page kills") }
            ),
            ("sans-serif", 26),
        )
        .margin(20)
        .x_label_area_size(50)
        .y_label_area_size(80)
        .build_cartesian_2d(0.0..end, 0.0..top)?;
    chart
        .configure_mesh()
        .x_desc("minutes (1 minute = 1 simulated hour)")
        .y_desc("MiB")
        .label_style(("sans-serif", 20))
        .draw()?;
    chart
        .draw_series(LineSeries::new(
            samples.iter().map(|s| (s.t_s / 60.0, s.app_mib)),
            BLUE.stroke_width(2),
        ))?
        .label("all processes, summed RSS")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], BLUE.stroke_width(2)));
    chart
        .draw_series(LineSeries::new(
            samples.iter().map(|s| (s.t_s / 60.0, s.app_pss_mib)),
            MAGENTA.stroke_width(2),
        ))?
        .label("all processes, summed PSS")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], MAGENTA.stroke_width(2)));
    chart
        .draw_series(LineSeries::new(
            samples.iter().map(|s| (s.t_s / 60.0, s.webkit_mib)),
            GREEN.stroke_width(2),
        ))?
        .label("WebKit processes, RSS")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], GREEN.stroke_width(2)));
    let limit = 1.10 * base;
    chart
        .draw_series(LineSeries::new(
            [(5.0, limit), (end, limit)],
            RED.stroke_width(1),
        ))?
        .label("aim: minute 5 + 10 % (RSS)")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], RED.stroke_width(1)));
    chart
        .draw_series(LineSeries::new(
            [(0.0, 1228.8), (end, 1228.8)],
            BLACK.stroke_width(1),
        ))?
        .label("aim: 1.2 GB")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], BLACK.stroke_width(1)));
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::LowerRight)
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .label_font(("sans-serif", 20))
        .draw()?;
    root.present()?;
    println!("wrote {} and {name}.csv", png.display());
    Ok(())
}
