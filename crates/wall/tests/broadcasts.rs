//! Broadcasts against the simulated platform over real HTTP, its clock at
//! 60× (fifteen minutes in fifteen seconds): the app (ingest through the
//! live sink, the console's directory, the broadcast core) follows one
//! broadcast to everyone until nearly every worker acknowledged, counting
//! exactly what the platform counts; a POST whose answer is lost after the
//! platform committed it is retried under its key and sends once.

use std::sync::Arc;
use std::time::Duration;

use gridwall_ingest::{Ingest, IngestConfig};
use gridwall_sim::faults::Faults;
use gridwall_sim::{Running, Simulator};
use gridwall_store::Store;
use gridwall_wall::broadcast::{BroadcastTimings, Broadcasts, Retry, ScopeInput};
use gridwall_wall::console::Console;
use gridwall_wall::feed::WallEvent;
use gridwall_wall::live::{Live, Timings};
use tokio_util::sync::CancellationToken;

struct App {
    sim: Running,
    store: Arc<Store>,
    live: Arc<Live>,
    broadcasts: Arc<Broadcasts>,
    console: Arc<Console>,
    http: reqwest::Client,
    _dir: tempfile::TempDir,
    _cancel: tokio_util::sync::DropGuard,
}

async fn app(speed: f64) -> App {
    let cancel = CancellationToken::new();
    let sim = Simulator::builder()
        .seed(12)
        .speed(speed)
        .start(time::macros::datetime!(2026-12-05 14:00 +8))
        .warmup(Duration::from_secs(600))
        .ping_interval(Duration::from_millis(500))
        .video(None)
        .build()
        .expect("simulator builds")
        .serve("127.0.0.1:0".parse().unwrap(), cancel.clone())
        .await
        .expect("simulator serves");
    let clock = sim.clock().clone();
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(
        Store::open(dir.path().join("store.sqlite").to_str().unwrap())
            .await
            .unwrap(),
    );
    let live = Live::new(store.clone(), clock.clone(), Timings::default())
        .await
        .unwrap();
    let mut config = IngestConfig::new(sim.base_url(), dir.path().join("cache"));
    config.clock = clock.clone();
    config.batch_wait = Duration::from_millis(50);
    config.watchdog = Duration::from_secs(5);
    let ingest = Arc::new(Ingest::new(config, Arc::new(live.sink())).unwrap());
    tokio::spawn({
        let cancel = cancel.clone();
        async move { ingest.run(cancel).await }
    });
    let http = reqwest::Client::new();
    let url = url::Url::parse(&sim.base_url()).unwrap();
    let console = Arc::new(Console::new(
        store.clone(),
        clock.clone(),
        http.clone(),
        url.clone(),
    ));
    // The reference sync brings the workers the recipients are counted from.
    let workers = sim.shared().workforce.all().len();
    eventually(60, "the workers list never synced", async || {
        (store.reference("workers").await.unwrap().len() == workers).then_some(())
    })
    .await;
    let broadcasts = Broadcasts::new(
        console.clone(),
        live.clone(),
        clock,
        http.clone(),
        url,
        BroadcastTimings {
            poll: Duration::from_millis(700),
            push: Duration::from_millis(200),
            resume: Duration::from_secs(2),
            retry: Retry {
                first: Duration::from_millis(100),
                max: Duration::from_millis(400),
                tries: 6,
                timeout: Duration::from_secs(5),
            },
        },
    );
    tokio::spawn(broadcasts.clone().run(cancel.clone()));
    App {
        sim,
        store,
        live,
        broadcasts,
        console,
        http,
        _dir: dir,
        _cancel: cancel.drop_guard(),
    }
}

impl App {
    async fn platform(&self, path: &str) -> reqwest::Response {
        self.http
            .get(format!("{}{path}", self.sim.base_url()))
            .send()
            .await
            .unwrap()
    }

    /// The platform's figures of `id`: (recipients, acked).
    async fn figures(&self, id: &str) -> (u64, u64) {
        let b: serde_json::Value = self
            .platform(&format!("/api/v1/broadcasts/{id}"))
            .await
            .json()
            .await
            .unwrap();
        (
            b["recipients"].as_u64().unwrap(),
            b["acked"].as_u64().unwrap(),
        )
    }
}

/// The first `Some` of `check`, asked every 50 ms for at most `secs` (else `why`).
async fn eventually<T>(secs: u64, why: &str, mut check: impl AsyncFnMut() -> Option<T>) -> T {
    let waited = tokio::time::timeout(Duration::from_secs(secs), async {
        loop {
            if let Some(found) = check().await {
                return found;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await;
    waited.expect(why)
}

/// Every worker the platform lists as having acknowledged `id`.
async fn platform_acks(app: &App, id: &str) -> std::collections::HashSet<String> {
    let mut workers = std::collections::HashSet::new();
    let mut after: Option<String> = None;
    loop {
        let path = match &after {
            Some(a) => format!("/api/v1/broadcasts/{id}/acks?after={a}"),
            None => format!("/api/v1/broadcasts/{id}/acks"),
        };
        let page: serde_json::Value = app.platform(&path).await.json().await.unwrap();
        for ack in page["acks"].as_array().unwrap() {
            workers.insert(ack["worker_id"].as_str().unwrap().to_owned());
        }
        match page["next_after"].as_str() {
            Some(a) => after = Some(a.to_owned()),
            None => return workers,
        }
    }
}

fn everyone() -> ScopeInput {
    ScopeInput {
        all: true,
        ..ScopeInput::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broadcast_to_everyone_is_acknowledged_and_counted_as_the_platform_counts() {
    let app = app(60.0).await;
    let mut events = app.live.subscribe();
    let workers = app.sim.shared().workforce.all().len() as u32;
    let preview = app.broadcasts.preview(everyone()).await.unwrap();
    assert_eq!(preview.total, workers, "the preview counts every worker");

    let started = std::time::Instant::now();
    let sent = app
        .broadcasts
        .send(
            "台风“海葵”防御指令",
            "<script>alert(1)</script>请立即组织低洼地带人员转移。",
            everyone(),
            Some("typhoon".into()),
            "值班长@test",
        )
        .await
        .unwrap();
    let id = sent.broadcast_id.clone().unwrap();
    assert_eq!(sent.recipients, Some(workers), "the platform's recipients");
    let audit = app.store.audit("send_broadcast").await.unwrap();
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].actor, "值班长@test");

    // Until the deadline: at every check, the app's count reaches what the
    // platform had just counted, and never exceeds what it counts after.
    let deadline = app.sim.clock().now() + time::Duration::minutes(16);
    let mut checks = 0;
    while app.sim.clock().now() < deadline {
        let (_, before) = app.figures(&id).await;
        let caught_up = eventually(10, "the app fell 10 s behind the platform", async || {
            let ours = app.store.ack_count(&id).await.unwrap() as u64;
            (ours >= before).then_some(ours)
        })
        .await;
        let (_, after) = app.figures(&id).await;
        assert!(
            caught_up <= after,
            "the app counted {caught_up}, the platform only {after}: an ack counted twice"
        );
        checks += 1;
        tokio::time::sleep(Duration::from_millis(700)).await;
    }
    assert!(checks >= 10, "only {checks} checks");

    // Past the deadline: nearly everyone, and the same workers as the platform.
    let (recipients, acked) = app.figures(&id).await;
    assert!(
        acked as f64 >= 0.99 * recipients as f64,
        "{acked} of {recipients} acknowledged"
    );
    // The same workers: every ack the platform lists is stored, and the
    // store holds none the platform does not count (late acks keep coming,
    // so the platform is read first and counted again after).
    let platform_workers = platform_acks(&app, &id).await;
    let ours = eventually(
        10,
        "an ack the platform lists never reached the store",
        async || {
            let ours = app.store.acked_workers(&id).await.unwrap();
            ours.is_superset(&platform_workers).then_some(ours)
        },
    )
    .await;
    let (_, acked_after) = app.figures(&id).await;
    assert!(
        ours.len() as u64 <= acked_after,
        "an ack stored twice or invented"
    );

    // The wall was shown the same figures, a few messages a second at most.
    let mut boards = Vec::new();
    while let Ok(event) = events.try_recv() {
        if let WallEvent::Broadcast { board } = event {
            boards.push(board);
        }
    }
    assert!(!boards.is_empty(), "no board reached the windows");
    // Throttled to one per `push` (200 ms here), not one per ack.
    let most = started.elapsed().as_millis() / 200 + 2;
    assert!(
        boards.len() as u128 <= most,
        "{} board messages in {:?}",
        boards.len(),
        started.elapsed()
    );
    let last = boards.last().unwrap();
    assert_eq!(last.recipients, workers);
    assert!(
        last.acked as u64 <= acked_after,
        "the board never counts more than the platform"
    );
    assert!(
        boards.iter().any(|b| b.reminder_5),
        "the T+5 reminder showed"
    );
    let per_town: u32 = last.towns.iter().map(|t| t.recipients).sum();
    let stored: i64 = app
        .store
        .broadcast_grids(sent.local_id)
        .await
        .unwrap()
        .iter()
        .map(|g| g.recipients)
        .sum();
    assert_eq!(stored, i64::from(workers));
    assert_eq!(
        per_town, workers,
        "the towns add up to the platform's recipients"
    );

    // Everything survives a restart: the list is read back from the store.
    let listed = app.broadcasts.list(24).await.unwrap();
    assert_eq!(listed.len(), 1);
    let (_, acked_now) = app.figures(&id).await;
    assert!((acked..=acked_now).contains(&u64::from(listed[0].acked)));

    // The shift handover report lists it.
    let directory = app.console.directory().await.unwrap();
    let (report, _) = gridwall_wall::handover::gather(
        &app.store,
        &directory,
        app.sim.clock().now(),
        gridwall_wall::feed::Language::ZhCn,
        "值班长@test",
    )
    .await
    .unwrap();
    assert_eq!(report.broadcasts.len(), 1);
    let line = &report.broadcasts[0];
    assert_eq!(line.recipients, u64::from(workers));
    assert!(line.acked_within <= line.acked && line.acked >= acked);
    assert!(line.acked_within as f64 >= 0.99 * f64::from(workers));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_post_whose_answer_is_lost_after_commit_is_retried_and_sends_once() {
    let app = app(1.0).await;
    app.sim
        .shared()
        .set_faults(Faults {
            drop_broadcast_responses: 2,
            ..Faults::default()
        })
        .unwrap();
    let towns = app.broadcasts.preview(everyone()).await.unwrap().towns;
    let town = towns[0].town_code.clone();
    let sent = app
        .broadcasts
        .send(
            "防汛巡查",
            "请检查排水设施。",
            ScopeInput {
                town_codes: vec![town],
                ..ScopeInput::default()
            },
            None,
            "值班长@test",
        )
        .await
        .expect("sent after two lost answers");
    assert_eq!(sent.broadcast_id.as_deref(), Some("GB00000001"));
    assert_eq!(sent.recipients, Some(towns[0].recipients));
    assert_eq!(
        app.platform("/api/v1/broadcasts/GB00000002")
            .await
            .status()
            .as_u16(),
        404,
        "the platform holds exactly one broadcast"
    );
    assert_eq!(app.sim.shared().faults.get().drop_broadcast_responses, 0);

    // A refusal is final and says why.
    let refused = app
        .broadcasts
        .send("", "x", everyone(), None, "值班长@test")
        .await
        .unwrap_err();
    assert!(refused.to_string().contains("title"), "{refused}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_send_cut_short_by_a_restart_is_resumed_with_its_key() {
    let app = app(1.0).await;
    // What a send leaves behind when the app stops before any answer: the
    // draft, its key and recipients, status `sending`.
    let local_id = app
        .store
        .insert_broadcast_draft(&gridwall_store::BroadcastDraft {
            idempotency_key: "gridwall-restart".into(),
            title: "台风防御".into(),
            body: "请转移人员。".into(),
            scope: r#"{"all":true}"#.into(),
            template: None,
            created_at: app.sim.clock().now().unix_timestamp(),
            sent_by: "值班长@test".into(),
            grids: Vec::new(),
        })
        .await
        .unwrap();
    let resumed = eventually(15, "the unanswered send was never resumed", async || {
        app.store
            .broadcast(local_id)
            .await
            .unwrap()
            .unwrap()
            .broadcast_id
    })
    .await;
    assert_eq!(resumed, "GB00000001");
    assert_eq!(
        app.platform("/api/v1/broadcasts/GB00000002")
            .await
            .status()
            .as_u16(),
        404
    );
}
