//! Whether each upstream answers: the connection indicator's source.
//!
//! Until ingest keeps a live feed (and so knows lag), a link is judged by the
//! upstream's own health endpoint, polled every few seconds with a short
//! timeout. A link goes `down` only after two failures in a row, so a single
//! slow answer does not flash the wall red.

use std::time::Duration;

use serde::Deserialize;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;
use url::Url;

use gridwall_domain::clock::Clock;

use crate::feed::{LinkState, Links, UpstreamLink};

/// Where both upstreams were found at start.
#[derive(Debug, Clone)]
pub struct Upstreams {
    pub governance: Url,
    pub video: Url,
    pub simulated: bool,
}

/// How often health is asked, and how long an answer may take.
#[derive(Debug, Clone, Copy)]
pub struct Polling {
    pub every: Duration,
    pub timeout: Duration,
}

impl Default for Polling {
    fn default() -> Self {
        Self {
            every: Duration::from_secs(3),
            timeout: Duration::from_secs(2),
        }
    }
}

#[derive(Deserialize)]
struct Health {
    status: Option<String>,
}

/// Polls both health endpoints until cancelled, publishing every change.
pub async fn watch_links(
    upstreams: Upstreams,
    http: reqwest::Client,
    clock: Clock,
    polling: Polling,
    links: watch::Sender<Links>,
    cancel: CancellationToken,
) {
    let governance = join(&upstreams.governance, "api/v1/health");
    let video = join(&upstreams.video, "vnet/v1/health");
    let mut failures = [0u32; 2];
    let mut tick = tokio::time::interval(polling.every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = cancel.cancelled() => return,
            _ = tick.tick() => {}
        }
        let (g, v) = tokio::join!(
            probe(&http, governance.clone(), polling.timeout),
            probe(&http, video.clone(), polling.timeout)
        );
        let now = crate::rfc3339(clock.now());
        links.send_if_modified(|current| {
            let before = current.clone();
            judge(&mut current.governance, &mut failures[0], g, &now);
            judge(&mut current.video, &mut failures[1], v, &now);
            *current != before
        });
    }
}

/// `path` under `base`, as every upstream URL is made (`gridwall_ingest::address`).
fn join(base: &Url, path: &str) -> Url {
    use gridwall_ingest::address;
    address::as_directory(base.clone())
        .and_then(|base| address::resolve(&base, path).ok())
        .expect("a relative path joins any http base URL")
}

/// `Ok(degraded)` when the upstream answered.
async fn probe(http: &reqwest::Client, url: Url, timeout: Duration) -> Result<bool, String> {
    let response = http.get(url).timeout(timeout).send().await.map_err(|e| {
        if e.is_timeout() {
            "no answer in time".to_string()
        } else if e.is_connect() {
            "connection refused".to_string()
        } else {
            "request failed".to_string()
        }
    })?;
    let status = response.status();
    if !status.is_success() {
        return Err(format!("HTTP {}", status.as_u16()));
    }
    let health: Health = response
        .json()
        .await
        .map_err(|_| "health answer is not JSON".to_string())?;
    Ok(health.status.as_deref() == Some("degraded"))
}

fn judge(link: &mut UpstreamLink, failures: &mut u32, outcome: Result<bool, String>, now: &str) {
    match outcome {
        Ok(degraded) => {
            *failures = 0;
            link.state = if degraded {
                LinkState::Lagging
            } else {
                LinkState::Live
            };
            link.detail = degraded.then(|| "degraded".to_string());
            link.last_contact = Some(now.to_string());
        }
        Err(why) => {
            *failures += 1;
            if *failures >= 2 || link.state == LinkState::Connecting {
                link.state = LinkState::Down;
                link.detail = Some(why);
            }
        }
    }
}

/// The governance link as ingest sees it: live while the feed keeps up,
/// lagging (with the lag) when it falls behind the platform's head, down
/// when requests fail. Ingest knows more than a health probe: a cut stream
/// with a healthy `/health` is lagging, not live.
pub fn governance_link(health: &gridwall_ingest::health::Health, simulated: bool) -> UpstreamLink {
    use gridwall_ingest::health::LinkState as Ingest;
    let (state, lag_seconds, detail) = match health.state {
        Ingest::Starting => (LinkState::Connecting, None, None),
        Ingest::Live => (LinkState::Live, None, None),
        Ingest::Lagging { lag_seconds } => (
            LinkState::Lagging,
            Some(lag_seconds),
            Some(format!("behind the platform by {lag_seconds} s")),
        ),
        Ingest::Down => (
            LinkState::Down,
            None,
            Some("the change feed is not answering".to_owned()),
        ),
    };
    UpstreamLink {
        state,
        last_contact: health.last_contact.map(crate::rfc3339),
        detail,
        lag_seconds,
        sync: None,
        simulated,
    }
}

/// A long job as the UI shows it; `None` when ingest is live.
pub fn sync_progress(
    progress: &gridwall_ingest::health::Progress,
) -> Option<crate::feed::SyncProgress> {
    use gridwall_ingest::health::Phase;
    let phase = match progress.phase {
        Phase::Live => return None,
        Phase::Starting => "starting",
        Phase::Reference => "reference",
        Phase::Backfill => "backfill",
        Phase::Snapshot => "snapshot",
    };
    Some(crate::feed::SyncProgress {
        phase: phase.to_owned(),
        done: progress.done,
        total: progress.total,
    })
}

/// Publishes `polled` (both probes) with the governance link replaced by
/// ingest's view once ingest has started, and ingest's progress on a long
/// job, on every change of any of them.
pub async fn merge_ingest_health(
    mut polled: watch::Receiver<Links>,
    mut health: watch::Receiver<gridwall_ingest::health::Health>,
    mut progress: watch::Receiver<gridwall_ingest::health::Progress>,
    out: watch::Sender<Links>,
    cancel: CancellationToken,
) {
    loop {
        let mut links = polled.borrow_and_update().clone();
        let ingest = health.borrow_and_update().clone();
        if ingest.state != gridwall_ingest::health::LinkState::Starting {
            links.governance = governance_link(&ingest, links.governance.simulated);
        }
        links.governance.sync = sync_progress(&progress.borrow_and_update());
        out.send_if_modified(|current| {
            let changed = *current != links;
            *current = links;
            changed
        });
        tokio::select! {
            _ = cancel.cancelled() => return,
            changed = polled.changed() => if changed.is_err() { return },
            changed = health.changed() => if changed.is_err() { return },
            changed = progress.changed() => if changed.is_err() { return },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_failure_is_forgiven_two_are_not() {
        let mut link = UpstreamLink::connecting(false);
        let mut failures = 0;
        judge(&mut link, &mut failures, Ok(false), "t0");
        assert_eq!(link.state, LinkState::Live);
        judge(&mut link, &mut failures, Err("HTTP 503".into()), "t1");
        assert_eq!(link.state, LinkState::Live);
        judge(&mut link, &mut failures, Err("HTTP 503".into()), "t2");
        assert_eq!(link.state, LinkState::Down);
        assert_eq!(link.detail.as_deref(), Some("HTTP 503"));
        assert_eq!(link.last_contact.as_deref(), Some("t0"));
        judge(&mut link, &mut failures, Ok(true), "t3");
        assert_eq!(link.state, LinkState::Lagging);
    }

    #[test]
    fn health_paths_join_bases_with_and_without_a_trailing_slash() {
        let a = join(&Url::parse("http://127.0.0.1:9/").unwrap(), "api/v1/health");
        let b = join(
            &Url::parse("https://zhili.example.gov.cn/gw").unwrap(),
            "api/v1/health",
        );
        assert_eq!(a.as_str(), "http://127.0.0.1:9/api/v1/health");
        assert_eq!(b.as_str(), "https://zhili.example.gov.cn/gw/api/v1/health");
    }

    #[tokio::test]
    async fn a_live_server_then_a_dead_one_is_seen() {
        use axum::{Json, Router, routing::get};
        let app = Router::new()
            .route(
                "/api/v1/health",
                get(|| async { Json(serde_json::json!({"status": "ok"})) }),
            )
            .route(
                "/vnet/v1/health",
                get(|| async { Json(serde_json::json!({"status": "degraded"})) }),
            );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = Url::parse(&format!("http://{}/", listener.local_addr().unwrap())).unwrap();
        let server_cancel = CancellationToken::new();
        let stop = server_cancel.clone();
        let server = tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(stop.cancelled_owned())
                .await
                .unwrap();
        });

        let (tx, mut rx) = watch::channel(Links {
            governance: UpstreamLink::connecting(true),
            video: UpstreamLink::connecting(true),
        });
        let cancel = CancellationToken::new();
        let polling = Polling {
            every: Duration::from_millis(50),
            timeout: Duration::from_millis(500),
        };
        let upstreams = Upstreams {
            governance: base.clone(),
            video: base,
            simulated: true,
        };
        let task = tokio::spawn(watch_links(
            upstreams,
            reqwest::Client::new(),
            Clock::real(),
            polling,
            tx,
            cancel.clone(),
        ));

        let wait = |rx: &mut watch::Receiver<Links>, want: LinkState| {
            let mut rx = rx.clone();
            async move {
                tokio::time::timeout(
                    Duration::from_secs(10),
                    rx.wait_for(|l| l.governance.state == want),
                )
                .await
                .expect("link state reached in time")
                .unwrap()
                .clone()
            }
        };
        let live = wait(&mut rx, LinkState::Live).await;
        assert_eq!(live.video.state, LinkState::Lagging);
        server_cancel.cancel();
        server.await.unwrap();
        let down = wait(&mut rx, LinkState::Down).await;
        assert!(down.governance.detail.is_some());
        cancel.cancel();
        task.await.unwrap();
    }
}
