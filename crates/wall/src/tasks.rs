//! Background work that ends when asked, within a bound.
//!
//! Every loop is `async fn run(.., cancel: CancellationToken)` spawned here;
//! shutdown cancels them all and waits a bounded time, so a stuck upstream
//! connection cannot hold the app open after the operator closes it.
//!
//! A loop spawned with [`Tasks::supervise`] that panics is logged and started
//! again after a backoff (1 s, doubling to a minute): the wall runs for
//! months, and one loop's bug must not stop the others or the app.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

/// The app's background tasks, all on one runtime.
///
/// The runtime handle is kept so that tasks can be spawned from anywhere,
/// including the GUI thread's callbacks, which run outside tokio.
#[derive(Clone)]
pub struct Tasks {
    cancel: CancellationToken,
    tracker: TaskTracker,
    runtime: tokio::runtime::Handle,
    /// How many times a supervised loop was restarted after a panic.
    restarts: Arc<AtomicU64>,
}

/// The first wait before a panicked loop is started again, and the longest.
const RESTART_BACKOFF: (Duration, Duration) = (Duration::from_secs(1), Duration::from_secs(60));

impl Tasks {
    pub fn new(runtime: tokio::runtime::Handle) -> Self {
        Self {
            cancel: CancellationToken::new(),
            tracker: TaskTracker::new(),
            runtime,
            restarts: Arc::default(),
        }
    }

    /// A token that is cancelled at shutdown, for loops to watch.
    pub fn token(&self) -> CancellationToken {
        self.cancel.clone()
    }

    /// Spawns `f(token)` on the app's runtime.
    pub fn spawn<F, Fut>(&self, f: F)
    where
        F: FnOnce(CancellationToken) -> Fut,
        Fut: Future<Output = ()> + Send + 'static,
    {
        self.tracker.spawn_on(f(self.cancel.clone()), &self.runtime);
    }

    /// Spawns the loop `f(token)` and starts it again, after a backoff,
    /// each time it panics; a loop that returns is done. `name` is for the log.
    pub fn supervise<F, Fut>(&self, name: &'static str, f: F)
    where
        F: Fn(CancellationToken) -> Fut + Send + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let cancel = self.cancel.clone();
        let restarts = self.restarts.clone();
        let runtime = self.runtime.clone();
        self.tracker.spawn_on(
            async move {
                let mut wait = RESTART_BACKOFF.0;
                loop {
                    let run = runtime.spawn(f(cancel.clone()));
                    let panic = match run.await {
                        Ok(()) => return,
                        Err(err) if err.is_panic() => panic_text(err.into_panic()),
                        Err(_) => return, // aborted: the runtime is going away
                    };
                    if cancel.is_cancelled() {
                        return;
                    }
                    let count = restarts.fetch_add(1, Ordering::Relaxed) + 1;
                    tracing::error!(task = name, restarts = count, retry_in = ?wait, "a background loop panicked: {panic}");
                    tokio::select! {
                        () = cancel.cancelled() => return,
                        () = tokio::time::sleep(wait) => {}
                    }
                    wait = (wait * 2).min(RESTART_BACKOFF.1);
                }
            },
            &self.runtime,
        );
    }

    /// How many times supervised loops were restarted after a panic.
    pub fn restarts(&self) -> u64 {
        self.restarts.load(Ordering::Relaxed)
    }

    /// Cancels everything and waits up to `bound`. Returns whether all tasks ended.
    pub async fn shutdown(&self, bound: Duration) -> bool {
        self.cancel.cancel();
        self.tracker.close();
        tokio::time::timeout(bound, self.tracker.wait())
            .await
            .is_ok()
    }
}

/// A panic's message, when it has one.
fn panic_text(payload: Box<dyn std::any::Any + Send>) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(no message)".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn shutdown_waits_for_cooperative_tasks_and_gives_up_on_stuck_ones() {
        let tasks = Tasks::new(tokio::runtime::Handle::current());
        tasks.spawn(|cancel| async move { cancel.cancelled().await });
        assert!(tasks.shutdown(Duration::from_secs(1)).await);

        let stuck = Tasks::new(tokio::runtime::Handle::current());
        stuck.spawn(|_| async { tokio::time::sleep(Duration::from_secs(3600)).await });
        assert!(!stuck.shutdown(Duration::from_millis(50)).await);
    }

    #[tokio::test(start_paused = true)]
    async fn a_loop_that_panics_is_started_again_and_the_others_go_on() {
        let tasks = Tasks::new(tokio::runtime::Handle::current());
        let runs = Arc::new(AtomicU64::new(0));
        let counted = runs.clone();
        tasks.supervise("flaky", move |cancel| {
            let run = counted.fetch_add(1, Ordering::Relaxed) + 1;
            async move {
                assert!(run > 2, "run {run} fails");
                cancel.cancelled().await;
            }
        });
        let (alive_tx, mut alive) = tokio::sync::mpsc::channel(8);
        tasks.spawn(move |cancel| async move {
            loop {
                tokio::select! {
                    () = cancel.cancelled() => return,
                    () = tokio::time::sleep(Duration::from_secs(1)) => { let _ = alive_tx.send(()).await; }
                }
            }
        });
        // Backoff 1 s then 2 s: by 10 s the third run is up.
        tokio::time::sleep(Duration::from_secs(10)).await;
        assert_eq!(
            runs.load(Ordering::Relaxed),
            3,
            "started again after each panic"
        );
        assert_eq!(tasks.restarts(), 2);
        assert!(alive.try_recv().is_ok(), "the other loops went on");
        assert!(
            tasks.shutdown(Duration::from_secs(1)).await,
            "and all end when asked"
        );
        assert_eq!(runs.load(Ordering::Relaxed), 3, "not restarted at shutdown");
    }
}
