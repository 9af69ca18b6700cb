//! The simulator as its own process, for tests that drive it.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::{Wall, app_binary, free_port, terminate};

/// Whether the suite runs against the simulator's hostile profile
/// (`GRIDWALL_TEST_HOSTILE=1`, scripts/test's hostile pass): every
/// simulator a test starts then does every "may" of both contracts.
pub fn hostile() -> bool {
    std::env::var("GRIDWALL_TEST_HOSTILE").is_ok_and(|v| !v.is_empty() && v != "0")
}

/// The simulator as its own process on a free port, for tests that act on
/// it (inject events, switch faults) while the app is pointed at it.
pub struct Sim {
    child: Child,
    pub port: u16,
    http: reqwest::Client,
}

impl Sim {
    /// Starts `gridwall-sim` (built beside the app) with `args` and waits
    /// until it answers.
    pub async fn start(args: &[&str]) -> Result<Sim> {
        // `GRIDWALL_SIM` names another simulator build (benchmarks run a
        // release one, so that the simulator does not starve the app).
        let binary = match std::env::var_os("GRIDWALL_SIM") {
            Some(path) => PathBuf::from(path),
            None => app_binary()?.with_file_name("gridwall-sim"),
        };
        let port = free_port();
        let child = Command::new(&binary)
            .arg(format!("--port={port}"))
            .args(hostile().then_some("--hostile"))
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .with_context(|| format!("cannot start {}", binary.display()))?;
        let sim = Sim {
            child,
            port,
            http: reqwest::Client::new(),
        };
        let started = Instant::now();
        while sim
            .http
            .get(sim.url("/api/v1/health"))
            .send()
            .await
            .is_err()
        {
            if started.elapsed() > Duration::from_secs(30) {
                bail!("the simulator did not answer within 30 s");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Ok(sim)
    }

    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url())
    }

    /// A contract route's JSON, read as a client must: a 429, a 5xx or a
    /// dropped answer is asked again (the hostile profile does all three),
    /// and a lone surrogate escaped in a string (which the contract allows
    /// and serde refuses) is read as U+FFFD, as ingest reads it.
    pub async fn get(&self, path: &str) -> Result<serde_json::Value> {
        self.get_with(path, &[]).await
    }

    /// [`Sim::get`] with query parameters, percent-encoded as they must be
    /// (the hostile profile's page tokens hold `&`, `#`, `%` and spaces).
    pub async fn get_with(&self, path: &str, query: &[(&str, &str)]) -> Result<serde_json::Value> {
        let mut tries = 0;
        loop {
            tries += 1;
            let answer = async {
                let bytes = self
                    .http
                    .get(self.url(path))
                    .query(query)
                    .send()
                    .await?
                    .error_for_status()?
                    .bytes()
                    .await?;
                let bytes = gridwall_store::parse::mend_surrogates(&bytes)
                    .unwrap_or_else(|| bytes.to_vec());
                anyhow::Ok(serde_json::from_slice(&bytes)?)
            }
            .await;
            match answer {
                Ok(value) => return Ok(value),
                Err(err) if tries >= 30 => {
                    return Err(err.context(format!("GET {path}, {tries} tries")));
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
            }
        }
    }

    /// Reports an event now (`POST /admin/events`); returns the answer.
    pub async fn inject(&self, body: serde_json::Value) -> Result<serde_json::Value> {
        self.post("/admin/events", body).await
    }

    /// Any admin POST with a JSON body; returns the answer.
    pub async fn post(&self, path: &str, body: serde_json::Value) -> Result<serde_json::Value> {
        Ok(self
            .http
            .post(self.url(path))
            .json(&body)
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?)
    }

    /// Replaces the simulator's faults (`PUT /admin/faults`).
    pub async fn faults(&self, faults: serde_json::Value) -> Result<()> {
        self.admin(reqwest::Method::PUT, "/admin/faults", Some(faults))
            .await
    }
}

impl Sim {
    /// Grids of the simulator's first page that the wall's map shows quiet
    /// (green: nothing open, or no status yet): where an injected event is
    /// the only open one.
    pub async fn quiet_grids(&self, wall: &Wall) -> Result<Vec<String>> {
        let page = self.get("/api/v1/grids?page_size=500").await?;
        let ids: Vec<String> = page["grids"]
            .as_array()
            .context("a page of grids")?
            .iter()
            .filter_map(|g| g["grid_id"].as_str().map(str::to_owned))
            .collect();
        let quiet = wall
            .js(&format!(
                "return {ids:?}.filter((id) => [null, 'green'].includes(window.__gridwallMap.colourOf(id)))"
            ))
            .await?;
        Ok(serde_json::from_value(quiet)?)
    }

    /// Makes camera `camera`'s open streams fail with `fault` (`end`,
    /// `hang`; `POST /admin/video/cameras/{id}/streams/fail`).
    pub async fn fail_camera_streams(&self, camera: &str, fault: &str) -> Result<()> {
        let path = format!("/admin/video/cameras/{camera}/streams/fail");
        let body = serde_json::json!({ "fault": fault });
        self.admin(reqwest::Method::POST, &path, Some(body)).await
    }

    /// Replaces the video gateway's faults (`PUT /admin/video/faults`).
    pub async fn video_faults(&self, faults: serde_json::Value) -> Result<()> {
        self.admin(reqwest::Method::PUT, "/admin/video/faults", Some(faults))
            .await
    }

    /// Revokes every media token handed out so far (`POST /admin/video/tokens/revoke`).
    pub async fn revoke_video_tokens(&self) -> Result<()> {
        self.admin(reqwest::Method::POST, "/admin/video/tokens/revoke", None)
            .await
    }

    /// Ends every open change stream (`POST /admin/faults/cut-streams`).
    pub async fn cut_streams(&self) -> Result<()> {
        self.admin(reqwest::Method::POST, "/admin/faults/cut-streams", None)
            .await
    }

    /// One of the simulator's admin requests, which must succeed.
    async fn admin(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> Result<()> {
        let mut request = self.http.request(method, self.url(path));
        if let Some(body) = body {
            request = request.json(&body);
        }
        request.send().await?.error_for_status()?;
        Ok(())
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        terminate(&self.child);
        let _ = self.child.wait();
    }
}
