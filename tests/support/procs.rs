//! The processes a bench started, sampled from `/proc`: CPU ticks, RSS and PSS,
//! grouped as the app (gridwall and its WebKit processes), the display,
//! WebDriver and the simulator.

use std::collections::HashMap;

/// Clock ticks per second of `/proc/*/stat` (`getconf CLK_TCK`; 100 on Linux).
pub const TICKS: f64 = 100.0;

#[derive(Clone, Debug)]
pub struct Proc {
    pub name: String,
    pub ppid: u32,
    pub ticks: u64,
    pub rss_kib: u64,
}

/// Every process on the machine, read from `/proc`.
pub fn processes() -> HashMap<u32, Proc> {
    let mut out = HashMap::new();
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return out;
    };
    for entry in dir.flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        let (Some(open), Some(close)) = (stat.find('('), stat.rfind(')')) else {
            continue;
        };
        let name = stat[open + 1..close].to_owned();
        let fields: Vec<&str> = stat[close + 2..].split(' ').collect();
        // After the name: state(0) ppid(1) ... utime(11) stime(12).
        let num = |i: usize| {
            fields
                .get(i)
                .and_then(|f| f.parse::<u64>().ok())
                .unwrap_or(0)
        };
        let rss_kib = kib_field(&format!("/proc/{pid}/status"), "VmRSS:").unwrap_or(0);
        out.insert(
            pid,
            Proc {
                name,
                ppid: num(1) as u32,
                ticks: num(11) + num(12),
                rss_kib,
            },
        );
    }
    out
}

/// The proportional set size of `pid` (`Pss` in `/proc/<pid>/smaps_rollup`):
/// its private pages, and each page it shares with other processes divided
/// by how many map it. Summed over processes it counts every page once,
/// where summed RSS counts a shared library once per process that maps it.
/// Costlier to read than RSS (the kernel walks the page tables).
pub fn pss_kib(pid: u32) -> Option<u64> {
    kib_field(&format!("/proc/{pid}/smaps_rollup"), "Pss:")
}

/// The value of the `name  N kB` line of a `/proc` file.
fn kib_field(path: &str, name: &str) -> Option<u64> {
    std::fs::read_to_string(path)
        .ok()?
        .lines()
        .find_map(|l| l.strip_prefix(name))
        .and_then(|v| v.trim().trim_end_matches(" kB").trim().parse().ok())
}

/// The processes below `root` (children, theirs, …), without `root`.
pub fn descendants(all: &HashMap<u32, Proc>, root: u32) -> Vec<u32> {
    let mut found = vec![root];
    let mut i = 0;
    while i < found.len() {
        let parent = found[i];
        found.extend(
            all.iter()
                .filter(|(_, p)| p.ppid == parent)
                .map(|(pid, _)| *pid),
        );
        i += 1;
    }
    found.retain(|pid| *pid != root);
    found
}

/// Which group a process is counted in.
pub fn group(name: &str) -> &'static str {
    match name {
        "Xvfb" => "display (Xvfb)",
        "gridwall-sim" => "simulator",
        "tauri-driver" | "WebKitWebDrive" | "WebKitWebDriver" => "webdriver",
        _ => "app",
    }
}
