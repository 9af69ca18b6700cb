//! Background work that ends when asked, within a bound.
//!
//! Every loop is `async fn run(.., cancel: CancellationToken)` spawned here;
//! shutdown cancels them all and waits a bounded time, so a stuck upstream
//! connection cannot hold the app open after the operator closes it.

use std::future::Future;
use std::time::Duration;

use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

#[derive(Clone, Default)]
pub struct Tasks {
    cancel: CancellationToken,
    tracker: TaskTracker,
}

impl Tasks {
    pub fn new() -> Self {
        Self::default()
    }

    /// A token that is cancelled at shutdown, for loops to watch.
    pub fn token(&self) -> CancellationToken {
        self.cancel.clone()
    }

    /// Spawns `f(token)` on the current tokio runtime.
    pub fn spawn<F, Fut>(&self, f: F)
    where
        F: FnOnce(CancellationToken) -> Fut,
        Fut: Future<Output = ()> + Send + 'static,
    {
        self.tracker.spawn(f(self.cancel.clone()));
    }

    /// Spawns on an explicit runtime handle (the shell's callbacks may run off-runtime).
    pub fn spawn_on<F, Fut>(&self, handle: &tokio::runtime::Handle, f: F)
    where
        F: FnOnce(CancellationToken) -> Fut,
        Fut: Future<Output = ()> + Send + 'static,
    {
        self.tracker.spawn_on(f(self.cancel.clone()), handle);
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
        let tasks = Tasks::new();
        tasks.spawn(|cancel| async move { cancel.cancelled().await });
        assert!(tasks.shutdown(Duration::from_secs(1)).await);

        let stuck = Tasks::new();
        stuck.spawn(|_| async { tokio::time::sleep(Duration::from_secs(3600)).await });
        assert!(!stuck.shutdown(Duration::from_millis(50)).await);
    }
}
