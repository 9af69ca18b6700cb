//! Many instances on one PostgreSQL: a fresh database on the test server,
//! headless instances of the app, and a TCP relay that can cut one
//! instance off the database and let it back.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::{Context, Result};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

use crate::{Sim, app_binary};

/// A new, empty database on the test server; its URL.
pub async fn fresh_database() -> Result<String> {
    let server = gridwall_store::testing::postgres_server().map_err(anyhow::Error::msg)?;
    gridwall_store::testing::new_database(&server, "gw_e2e")
        .await
        .map_err(anyhow::Error::msg)
}

/// The app with no window (`--headless`), against `sim`, on `database`.
pub struct Headless {
    child: Child,
    pub data_dir: tempfile::TempDir,
}

impl Headless {
    pub fn start(sim: &Sim, database: &str) -> Result<Headless> {
        let data_dir = tempfile::TempDir::new()?;
        let child = Command::new(app_binary()?)
            .arg("--headless")
            .arg(format!("--data-dir={}", data_dir.path().display()))
            .arg(format!("--database={database}"))
            .arg(format!("--governance-url={}", sim.base_url()))
            .arg(format!("--video-url={}", sim.base_url()))
            .env("GRIDWALL_LOG", "info")
            .env_remove("DISPLAY")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .context("cannot start the app headless")?;
        Ok(Headless { child, data_dir })
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// SIGKILL: no shutdown, no lock released by the app itself.
    pub fn kill(&mut self) -> Result<()> {
        self.child.kill()?;
        self.child.wait()?;
        Ok(())
    }
}

impl Drop for Headless {
    fn drop(&mut self) {
        crate::stop(&mut self.child, Duration::from_secs(5));
    }
}

/// What an instance wrote last in `status.json` (`None` before the first).
pub fn status_in(data_dir: &std::path::Path) -> Option<serde_json::Value> {
    let text = std::fs::read_to_string(data_dir.join("status.json")).ok()?;
    serde_json::from_str(&text).ok()
}

/// A TCP relay in front of PostgreSQL for one instance: `cut` closes every
/// connection through it and refuses new ones until `restore`.
pub struct Relay {
    pub port: u16,
    open: Arc<AtomicBool>,
    cut: watch::Sender<u64>,
}

impl Relay {
    /// A relay to the server of `database_url`; the URL to give the instance.
    pub async fn start(database_url: &str) -> Result<(Relay, String)> {
        let after_at = database_url
            .split_once('@')
            .context("user@host in the URL")?
            .1;
        let (host_port, _) = after_at.split_once('/').context("a database in the URL")?;
        let upstream = host_port.to_owned();
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let port = listener.local_addr()?.port();
        let open = Arc::new(AtomicBool::new(true));
        let (cut, _) = watch::channel(0u64);
        let relay = Relay {
            port,
            open: open.clone(),
            cut: cut.clone(),
        };
        tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                if !open.load(Ordering::SeqCst) {
                    drop(client);
                    continue;
                }
                let upstream = upstream.clone();
                let mut cuts = cut.subscribe();
                tokio::spawn(async move {
                    let Ok(mut server) = TcpStream::connect(&upstream).await else {
                        return;
                    };
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut client, &mut server) => {}
                        _ = cuts.changed() => {}
                    }
                });
            }
        });
        let local = database_url.replacen(host_port, &format!("127.0.0.1:{port}"), 1);
        Ok((relay, local))
    }

    /// Every connection through the relay is closed, and new ones refused.
    pub fn cut(&self) {
        self.open.store(false, Ordering::SeqCst);
        self.cut.send_modify(|n| *n += 1);
    }

    pub fn restore(&self) {
        self.open.store(true, Ordering::SeqCst);
    }
}

/// Waits until `check` is true, polling every 200 ms.
pub async fn eventually(
    within: Duration,
    what: &str,
    mut check: impl FnMut() -> Result<bool>,
) -> Result<()> {
    let started = std::time::Instant::now();
    loop {
        if check()? {
            return Ok(());
        }
        anyhow::ensure!(started.elapsed() < within, "{what} (after {within:?})");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// The data folders of instances, for their `status.json`.
pub fn leaders(dirs: &[PathBuf]) -> Vec<usize> {
    dirs.iter()
        .enumerate()
        .filter(|(_, d)| status_in(d).is_some_and(|s| s["leading"] == serde_json::json!(true)))
        .map(|(i, _)| i)
        .collect()
}
