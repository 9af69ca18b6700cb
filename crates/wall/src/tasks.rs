//! Background work that ends when asked, within a bound.
//!
//! Every loop is `async fn run(.., cancel: CancellationToken)` spawned here;
//! shutdown cancels them all and waits a bounded time, so a stuck upstream
//! connection cannot hold the app open after the operator closes it.

use std::future::Future;
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
}

impl Tasks {
    pub fn new(runtime: tokio::runtime::Handle) -> Self {
        Self {
            cancel: CancellationToken::new(),
            tracker: TaskTracker::new(),
            runtime,
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

    /// Cancels everything and waits up to `bound`. Returns whether all tasks ended.
    pub async fn shutdown(&self, bound: Duration) -> bool {
        self.cancel.cancel();
        self.tracker.close();
        tokio::time::timeout(bound, self.tracker.wait())
            .await
            .is_ok()
    }
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
}
