//! The store's upkeep on a shared PostgreSQL (issue 17): once a day the
//! ingesting instance rebuilds the partial indexes of open events that
//! have spread thin ([`gridwall_store::Store::rebuild_thin_indexes`]). On
//! SQLite a pass does nothing.

use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use crate::live::Live;

/// The first pass waits this long after start: not in the first import's way.
const FIRST_PASS: Duration = Duration::from_secs(15 * 60);
/// Then one pass a day (a few seconds a rebuilt index over five years).
const EVERY: Duration = Duration::from_secs(24 * 3600);

/// Keeps the store in shape on the instance that ingests, until cancelled.
pub async fn run(live: Arc<Live>, cancel: CancellationToken) {
    on_the_leader(&live, FIRST_PASS, EVERY, &cancel, || async {
        match live.store().rebuild_thin_indexes(1.0).await {
            Ok(rebuilt) => {
                for r in rebuilt {
                    tracing::info!(
                        index = %r.index,
                        pages_before = r.pages_before,
                        pages_after = r.pages_after,
                        "upkeep: a thin index rebuilt"
                    );
                }
            }
            Err(err) => tracing::warn!("upkeep: {err}"),
        }
    })
    .await;
}

/// Runs `pass` `first` after start and then every `every`, on whichever
/// instance is the ingest leader at the time (the others skip their turn),
/// until cancelled: the store's periodic chores (this upkeep, retention).
pub(crate) async fn on_the_leader<F, Fut>(
    live: &Live,
    first: Duration,
    every: Duration,
    cancel: &CancellationToken,
    mut pass: F,
) where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let mut next = tokio::time::Instant::now() + first;
    loop {
        tokio::select! {
            () = cancel.cancelled() => return,
            () = tokio::time::sleep_until(next) => {}
        }
        next = tokio::time::Instant::now() + every;
        if live.leading() {
            pass().await;
        }
    }
}
