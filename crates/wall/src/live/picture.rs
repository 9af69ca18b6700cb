//! The picture as the store holds it (read at start, after a cut from the
//! shared database, and when the grid list arrives), and the instance's
//! status in brief.

use std::collections::{BTreeMap, VecDeque};
use std::sync::atomic::Ordering;

use gridwall_domain::clock::CHINA_OFFSET;
use gridwall_store::{Alert, GridState};

use super::{Live, MAX_PINS, TICKER_LEN};
use crate::feed::{AlertItem, GridStatus, UpstreamLink, WallEvent};

/// What an instance shows, in brief ([`Live::status`]).
#[derive(Clone, Debug, serde::Serialize)]
pub struct LiveStatus {
    /// This instance ingests.
    pub leading: bool,
    /// The shared database's link (`None` on SQLite).
    pub database: Option<UpstreamLink>,
    /// Grids with events, and their open events in all.
    pub grids: usize,
    pub open: i64,
    /// Severe alerts pinned until acknowledged, newest first.
    pub pinned: Vec<String>,
    /// What a duty officer last pushed to the wall (`kind:id`).
    pub focus: Option<String>,
    /// The emergency plan in force, and a switch waiting for its second
    /// person (`on <plan>` or `off <plan>`).
    pub footing: Option<String>,
    pub proposal: Option<String>,
}

/// The part of the picture read from the store.
pub(super) struct Stored {
    pub(super) grids: BTreeMap<String, GridStatus>,
    pub(super) alerts: VecDeque<AlertItem>,
    pub(super) pinned: Vec<String>,
}

pub(super) fn status(grid: &GridState) -> GridStatus {
    GridStatus {
        grid_id: grid.grid_id.clone(),
        colour: grid.colour.as_str().to_owned(),
        open: grid.open(),
        overdue: grid.overdue,
        severe: grid.open_by_severity[2] + grid.open_by_severity[3],
    }
}

/// A grid of the platform's list that has had no event yet: nothing open,
/// green like any other quiet grid (not "no data", which the legend does
/// not name).
fn quiet(grid_id: String) -> GridStatus {
    GridStatus {
        grid_id,
        colour: "green".to_owned(),
        open: 0,
        overdue: 0,
        severe: 0,
    }
}

pub(super) fn alert_item(alert: &Alert) -> AlertItem {
    AlertItem {
        id: alert.id.clone(),
        grid_id: alert.grid_id.clone(),
        severity: alert.severity,
        source: alert.source.clone(),
        category: alert.category.clone(),
        title: alert.title.clone(),
        // The platform may write any offset: the windows read +08:00.
        reported_at: crate::rfc3339(alert.reported_at.to_offset(CHINA_OFFSET)),
    }
}

impl Live {
    /// What the store says the picture is: every grid, the ticker, and the
    /// pins (the ticker's severe alerts of the last day that nobody has
    /// acknowledged: pins survive a restart, and another console's acts).
    pub(super) async fn read_picture(&self) -> anyhow::Result<Stored> {
        let grids = self.store.grid_states().await?;
        let alerts = self.store.recent_alerts(TICKER_LEN).await?;
        let ids: Vec<String> = alerts.iter().map(|a| a.id.clone()).collect();
        let acknowledged = self.store.acted_on("acknowledge_alert", &ids).await?;
        let day_ago = self.clock.now() - time::Duration::days(1);
        let pin_severity = self.pin_severity.load(Ordering::Relaxed);
        let pinned = alerts
            .iter()
            .filter(|a| {
                a.severity >= pin_severity
                    && a.reported_at > day_ago
                    && !acknowledged.contains(&a.id)
            })
            .map(|a| a.id.clone())
            .take(MAX_PINS)
            .collect();
        let mut grids: BTreeMap<String, GridStatus> = grids
            .iter()
            .map(|g| (g.grid_id.clone(), status(g)))
            .collect();
        for id in self.grid_ids().await? {
            grids.entry(id.clone()).or_insert_with(|| quiet(id));
        }
        Ok(Stored {
            grids,
            alerts: alerts.iter().map(alert_item).collect(),
            pinned,
        })
    }

    /// The ids of the platform's grid list as the store holds it.
    async fn grid_ids(&self) -> anyhow::Result<Vec<String>> {
        Ok(self
            .store
            .reference("grids")
            .await?
            .into_iter()
            .map(|(id, _)| id)
            .collect())
    }

    /// The grid list has arrived (or changed): its grids that the picture
    /// does not know yet are quiet, and shown so in every window.
    pub async fn add_quiet_grids(&self) -> anyhow::Result<()> {
        let ids = self.grid_ids().await?;
        let added: Vec<GridStatus> = {
            let mut picture = self.lock_picture();
            let mut added = Vec::new();
            for id in ids {
                if let std::collections::btree_map::Entry::Vacant(slot) = picture.grids.entry(id) {
                    let status = quiet(slot.key().clone());
                    added.push(slot.insert(status).clone());
                }
            }
            added
        };
        if !added.is_empty() {
            let _ = self.events.send(WallEvent::Grids {
                grids: added,
                full: false,
            });
        }
        Ok(())
    }

    /// Reads the whole picture from the store again and sends it to every
    /// window, as when it subscribed: after this instance was cut from the
    /// shared database, it cannot know which notices it missed.
    pub async fn resync(&self) -> anyhow::Result<()> {
        let stored = self.read_picture().await?;
        // What was pending is in the store too, and older than what was read.
        drop(std::mem::take(
            &mut *self.pending.lock().unwrap_or_else(|p| p.into_inner()),
        ));
        let events = {
            let mut picture = self.lock_picture();
            picture.replace_from(stored);
            let mut events = picture.stored_events();
            events.push(WallEvent::Pins {
                ids: picture.pinned.clone(),
            });
            events
        };
        for event in events {
            let _ = self.events.send(event);
        }
        Ok(())
    }

    /// What this instance shows, in brief: for a headless instance's
    /// `status.json` (monitoring, and the tests of many instances).
    pub fn status(&self) -> LiveStatus {
        let picture = self.lock_picture();
        let database = match &picture.database {
            Some(WallEvent::Database(link)) => Some(link.clone()),
            _ => None,
        };
        let focus = match &picture.focus {
            Some(WallEvent::Focus { focus }) => Some(format!("{}:{}", focus.kind, focus.id)),
            _ => None,
        };
        let (footing, proposal) = match &picture.footing {
            Some(WallEvent::Footing { footing, proposal }) => (
                footing.as_ref().map(|f| f.plan.clone()),
                proposal
                    .as_ref()
                    .map(|p| format!("{} {}", p.action, p.plan)),
            ),
            _ => (None, None),
        };
        LiveStatus {
            leading: self.leading(),
            database,
            grids: picture.grids.len(),
            open: picture.grids.values().map(|g| g.open).sum(),
            pinned: picture.pinned.clone(),
            focus,
            footing,
            proposal,
        }
    }
}
