//! The broadcast board: a broadcast's stored progress turned into what every
//! window shows, with the grids still silent and whom to call there.

use std::collections::{BTreeMap, HashMap};

use gridwall_store::{AckProgress, StoredBroadcast};
use time::OffsetDateTime;

use super::recipients::{count, town_name, town_order};
use crate::console::{Directory, WorkerRow};
use crate::feed::{BroadcastBoard, Contact, GridAcks, MissingGrid, TownAcks};

/// Every worker is held to acknowledge within this (the 15-minute bar).
pub const DUE_S: i64 = 15 * 60;
/// Reminders on the wall at T+5 and T+10 minutes while workers are silent.
pub const REMINDERS_S: [i64; 2] = [5 * 60, 10 * 60];
/// A broadcast is followed this long past the platform's deadline, for late acks.
pub const GRACE_S: i64 = 5 * 60;
/// Grids listed to call, at most.
const MISSING_LISTED: usize = 30;

pub(super) fn time_of(unix: i64) -> String {
    crate::console::local_rfc3339(unix)
}

/// Whether `broadcast` is still followed at `now` (unix seconds).
pub fn is_open(broadcast: &StoredBroadcast, now: i64) -> bool {
    let deadline = broadcast
        .ack_deadline_at
        .or(broadcast.sent_at.map(|s| s + DUE_S))
        .unwrap_or(i64::MIN);
    broadcast.broadcast_id.is_some() && now < deadline.saturating_add(GRACE_S)
}

/// The full board of `broadcast` (every grid's ratio).
pub fn board(
    broadcast: &StoredBroadcast,
    progress: &AckProgress,
    directory: &Directory,
    now: OffsetDateTime,
) -> BroadcastBoard {
    let unix = now.unix_timestamp();
    let sent_at = broadcast.sent_at.unwrap_or(broadcast.created_at);
    let stored_recipients: i64 = progress.grids.iter().map(|g| g.recipients).sum();
    // The platform's count is the truth; the stored split per grid is ours.
    let recipients = count(broadcast.recipients.unwrap_or(stored_recipients));
    let acked = count(progress.acked);

    let mut towns: BTreeMap<&str, (u32, u32)> = BTreeMap::new();
    for grid in &progress.grids {
        let town = towns.entry(grid.town_code.as_str()).or_default();
        town.0 += count(grid.acked);
        town.1 += count(grid.recipients);
    }
    let mut towns: Vec<TownAcks> = towns
        .into_iter()
        .map(|(code, (acked, recipients))| TownAcks {
            town_code: code.to_owned(),
            name: town_name(code, directory),
            acked,
            recipients,
        })
        .collect();
    // Towns furthest behind first, the instructors without a grid last.
    towns.sort_by(|a, b| {
        let behind = ratio(a.acked, a.recipients).total_cmp(&ratio(b.acked, b.recipients));
        town_order(&a.town_code, &b.town_code, behind)
    });

    let grids: Vec<GridAcks> = progress
        .grids
        .iter()
        .filter(|g| !g.grid_id.is_empty())
        .map(|g| GridAcks {
            grid_id: g.grid_id.clone(),
            acked: count(g.acked),
            recipients: count(g.recipients),
        })
        .collect();
    let mut silent: Vec<&GridAcks> = grids.iter().filter(|g| g.acked < g.recipients).collect();
    silent.sort_by(|a, b| {
        (b.recipients - b.acked)
            .cmp(&(a.recipients - a.acked))
            .then(a.grid_id.cmp(&b.grid_id))
    });
    let contacts = contacts(directory.workers());
    let missing = silent
        .iter()
        .take(MISSING_LISTED)
        .map(|g| {
            let (leader, instructor) = contacts
                .get(g.grid_id.as_str())
                .cloned()
                .unwrap_or_default();
            MissingGrid {
                grid_id: g.grid_id.clone(),
                name: directory.name(&g.grid_id),
                town: directory.name(&gridwall_store::broadcast::town_of(&g.grid_id)),
                missing: g.recipients - g.acked,
                recipients: g.recipients,
                leader,
                instructor,
            }
        })
        .collect();

    let behind = acked < recipients;
    BroadcastBoard {
        local_id: broadcast.local_id,
        broadcast_id: broadcast.broadcast_id.clone().unwrap_or_default(),
        title: broadcast.title.clone(),
        sent_at: time_of(sent_at),
        due_at: time_of(sent_at + DUE_S),
        ack_deadline_at: time_of(broadcast.ack_deadline_at.unwrap_or(sent_at + DUE_S)),
        open: is_open(broadcast, unix),
        recipients,
        acked,
        acked_within: count(progress.acked_within),
        towns,
        missing_grids: silent.len() as u32,
        missing,
        grids,
        full: true,
        reminder_5: behind && unix >= sent_at + REMINDERS_S[0],
        reminder_10: behind && unix >= sent_at + REMINDERS_S[1],
        at: crate::rfc3339(now),
    }
}

fn ratio(acked: u32, recipients: u32) -> f64 {
    if recipients == 0 {
        1.0
    } else {
        f64::from(acked) / f64::from(recipients)
    }
}

/// Each grid's leader and instructor (the first of each listed).
fn contacts(workers: &[WorkerRow]) -> HashMap<&str, (Option<Contact>, Option<Contact>)> {
    let mut out: HashMap<&str, (Option<Contact>, Option<Contact>)> = HashMap::new();
    for worker in workers {
        let Some(grid) = worker.grid_id.as_deref() else {
            continue;
        };
        let contact = || Contact {
            name: worker.name.clone(),
            phone_masked: worker.phone_masked.clone(),
        };
        let slot = out.entry(grid).or_default();
        match worker.role.as_str() {
            "grid_leader" if slot.0.is_none() => slot.0 = Some(contact()),
            "instructor" if slot.1.is_none() => slot.1 = Some(contact()),
            _ => {}
        }
    }
    out
}

/// The board with only the grids whose figures differ from `sent` (what
/// windows already have), and `sent` brought up to date.
pub fn delta(full: &BroadcastBoard, sent: &mut HashMap<String, (u32, u32)>) -> BroadcastBoard {
    let mut board = full.clone();
    board.full = false;
    board.grids.retain(|g| {
        let now = (g.acked, g.recipients);
        sent.insert(g.grid_id.clone(), now) != Some(now)
    });
    board
}

#[cfg(test)]
mod tests {
    use super::*;
    use gridwall_store::{BroadcastStatus, GridProgress};

    fn broadcast() -> StoredBroadcast {
        StoredBroadcast {
            local_id: 1,
            idempotency_key: "k".into(),
            title: "台风防御".into(),
            body: String::new(),
            scope: "{}".into(),
            template: None,
            broadcast_id: Some("GB1".into()),
            recipients: Some(5),
            platform_acked: Some(2),
            sent_at: Some(1_000),
            ack_deadline_at: Some(1_900),
            created_at: 999,
            sent_by: "officer".into(),
            status: BroadcastStatus::Sent,
            error: None,
        }
    }

    fn progress() -> AckProgress {
        let grid = |id: &str, town: &str, recipients, acked| GridProgress {
            grid_id: id.into(),
            town_code: town.into(),
            recipients,
            acked,
        };
        AckProgress {
            acked: 2,
            acked_within: 2,
            grids: vec![
                grid("330282004001G01", "330282004000", 2, 2),
                grid("330282004001G02", "330282004000", 2, 0),
                grid("", "", 1, 0),
            ],
        }
    }

    fn directory() -> Directory {
        let workers = [
            (
                "W1".to_owned(),
                r#"{"worker_id":"W1","name":"张伟","role":"grid_leader","grid_id":"330282004001G02","phone_masked":"138****1234"}"#.to_owned(),
            ),
            (
                "W2".to_owned(),
                r#"{"worker_id":"W2","name":"李娜","role":"instructor","grid_id":"330282004001G02"}"#.to_owned(),
            ),
        ];
        Directory::build(&[], &[], &workers, &[])
    }

    #[test]
    fn the_board_lists_silent_grids_with_whom_to_call_and_raises_reminders_in_time() {
        let at = |unix| OffsetDateTime::from_unix_timestamp(unix).unwrap();
        let board = board(&broadcast(), &progress(), &directory(), at(1_000 + 299));
        assert_eq!((board.acked, board.recipients), (2, 5));
        assert!(!board.reminder_5);
        assert_eq!(board.missing_grids, 1, "the instructors' '' is no grid");
        let missing = &board.missing[0];
        assert_eq!(missing.grid_id, "330282004001G02");
        assert_eq!(missing.missing, 2);
        assert_eq!(missing.leader.as_ref().unwrap().name, "张伟");
        assert_eq!(
            missing.leader.as_ref().unwrap().phone_masked.as_deref(),
            Some("138****1234")
        );
        assert_eq!(missing.instructor.as_ref().unwrap().name, "李娜");
        assert_eq!(
            board.towns.last().unwrap().town_code,
            "",
            "instructors last"
        );

        let later = super::board(&broadcast(), &progress(), &directory(), at(1_000 + 600));
        assert!(later.reminder_5 && later.reminder_10 && later.open);
        let closed = super::board(&broadcast(), &progress(), &directory(), at(1_900 + GRACE_S));
        assert!(!closed.open);
    }

    #[test]
    fn a_delta_carries_only_the_grids_that_changed() {
        let at = OffsetDateTime::from_unix_timestamp(1_100).unwrap();
        let full = board(&broadcast(), &progress(), &directory(), at);
        let mut sent = HashMap::new();
        assert_eq!(delta(&full, &mut sent).grids.len(), 2);
        assert!(delta(&full, &mut sent).grids.is_empty());
        let mut more = progress();
        more.grids[1].acked = 1;
        let next = board(&broadcast(), &more, &directory(), at);
        let changed = delta(&next, &mut sent);
        assert_eq!(changed.grids.len(), 1);
        assert_eq!(changed.grids[0].grid_id, "330282004001G02");
        assert!(!changed.full);
    }
}
