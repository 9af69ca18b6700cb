//! One event's whole life, planned when it is reported: the fixed facts of the
//! case and the dated steps through the contract's states.
//!
//! Planning the life up front keeps the generator simple and fast (a step is a
//! date and a state, emitted when the clock reaches it) and makes every
//! revision of an event derivable from the case alone.

use gridwall_domain::governance::{
    Attachment, AttachmentKind, Category, Event, EventState, HandlingLevel, LonLat,
    MediationOutcome, RiskColour, Severity, Source, TimelineEntry,
};
use rand::Rng;
use time::OffsetDateTime;

use crate::catalogue::{self, Profile};

/// The facts of an event that do not change between revisions.
#[derive(Clone, Debug)]
pub struct Case {
    pub id: String,
    pub source: Source,
    pub category: Category,
    pub severity: Severity,
    pub grid_id: String,
    pub micro_grid_id: Option<String>,
    pub location: Option<LonLat>,
    pub address: String,
    pub title: String,
    pub description: String,
    pub reported_by: Option<String>,
    /// Unix seconds.
    pub reported_at: i64,
    pub due_at: Option<i64>,
    pub risk_colour: Option<RiskColour>,
    pub mass_incident: bool,
    pub photos: u8,
    /// Photo URLs written `files/...` (relative, no leading slash), not `/files/...`.
    pub relative_photos: bool,
    pub camera_id: Option<String>,
    pub steps: Vec<Step>,
}

/// One revision: the state the event enters and what comes with it.
#[derive(Clone, Debug)]
pub struct Step {
    /// Unix seconds.
    pub at: i64,
    pub state: EventState,
    pub actor: &'static str,
    pub note: &'static str,
    pub assignee: Option<&'static str>,
    pub level: Option<HandlingLevel>,
    pub mediation: Option<MediationOutcome>,
}

impl Case {
    /// The event as revision `step + 1`, carrying feed position `seq`.
    pub fn event(&self, step: usize, seq: u64) -> Event {
        let s = &self.steps[step];
        Event {
            id: self.id.clone(),
            revision: step as u32 + 1,
            seq,
            source: self.source.clone(),
            category: self.category.clone(),
            severity: self.severity,
            state: s.state,
            grid_id: self.grid_id.clone(),
            micro_grid_id: self.micro_grid_id.clone(),
            location: self.location,
            address: self.address.clone(),
            title: self.title.clone(),
            description: self.description.clone(),
            reported_by: self.reported_by.clone(),
            reported_at: datetime(self.reported_at),
            updated_at: datetime(s.at),
            due_at: self.due_at.map(datetime),
            assignee: s.assignee.map(str::to_owned),
            mediation_outcome: s.mediation,
            handling_level: s.level,
            risk_colour: self.risk_colour,
            mass_incident: self.mass_incident,
            attachments: (1..=self.photos)
                .map(|n| Attachment {
                    kind: AttachmentKind::Photo,
                    url: format!(
                        "{}files/{}/{n}.jpg",
                        if self.relative_photos { "" } else { "/" },
                        self.id
                    ),
                })
                .collect(),
            camera_id: self.camera_id.clone(),
        }
    }

    /// The timeline up to and including `step`.
    pub fn timeline(&self, step: usize) -> Vec<TimelineEntry> {
        self.steps[..=step]
            .iter()
            .enumerate()
            .map(|(i, s)| TimelineEntry {
                revision: i as u32 + 1,
                at: datetime(s.at),
                state: s.state,
                actor: s.actor.to_owned(),
                note: s.note.to_owned(),
            })
            .collect()
    }
}

/// Unix seconds as a time in +08:00.
pub fn datetime(unix: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(unix)
        .expect("simulated times are within range")
        .to_offset(gridwall_domain::clock::CHINA_OFFSET)
}

/// How a case leaves the ordinary path, decided when it is reported.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Exit {
    Ordinary,
    Cancelled,
    Returned,
    Escalated,
    MediationFailed,
}

const PLATFORM: &str = "镇街社会治理中心";
const CITY: &str = "市社会治理中心";

/// Plans the steps of a case reported at `t0`. Returns the steps and the due date.
pub fn plan<R: Rng + ?Sized>(
    rng: &mut R,
    source: &Source,
    category: &Category,
    severity: Severity,
    t0: i64,
) -> (Vec<Step>, i64) {
    let profile = catalogue::profile(category.as_str());
    let due = t0 + profile.due_minutes * 60;
    let exit = choose_exit(rng, source, category, severity);

    // How long to resolution: within the deadline, except for a few overdue cases.
    let (lo, hi) = profile.resolve_minutes;
    let mut minutes = (lo.ln() + rng.random::<f64>() * (hi.ln() - lo.ln())).exp();
    let overdue = rng.random_bool(0.04);
    let limit = profile.due_minutes as f64;
    if overdue {
        minutes = limit * rng.random_range(1.05..1.8);
    } else {
        minutes = minutes.min(limit * 0.95);
    }
    let total = (minutes * 60.0) as i64;

    let mut steps = Vec::with_capacity(8);
    // One second before, so that the first step lands exactly on t0.
    let mut at = t0 - 1;
    let reporter = catalogue::reporter_actor(source);
    let first_level = first_level(profile, source, severity);
    let push = |steps: &mut Vec<Step>, at: &mut i64, next: i64, state, actor, note| {
        *at = next.max(*at + 1);
        steps.push(Step {
            at: *at,
            state,
            actor,
            note,
            assignee: None,
            level: None,
            mediation: None,
        });
    };
    push(&mut steps, &mut at, t0, EventState::Reported, reporter, "");
    steps[0].level = Some(first_level);

    if exit == Exit::Returned {
        let back = t0 + rng.random_range(600..3_600);
        push(
            &mut steps,
            &mut at,
            back,
            EventState::Returned,
            PLATFORM,
            "信息不全，退回补充",
        );
        let again = at + rng.random_range(1_800..10_800);
        push(
            &mut steps,
            &mut at,
            again,
            EventState::Reported,
            reporter,
            "补充材料后重新上报",
        );
    }
    let start = at;
    let accept = start + (total / 25).clamp(30, 4 * 3_600);
    push(
        &mut steps,
        &mut at,
        accept,
        EventState::Accepted,
        PLATFORM,
        "已受理",
    );

    if exit == Exit::Cancelled {
        let when = at + rng.random_range(600..7_200);
        let note = if rng.random_bool(0.5) {
            "重复上报，予以撤销"
        } else {
            "经核实为误报"
        };
        push(
            &mut steps,
            &mut at,
            when,
            EventState::Cancelled,
            PLATFORM,
            note,
        );
        fill(&mut steps, profile, first_level, false);
        return (steps, due);
    }

    let dispute = category.is_dispute();
    if !profile.on_the_spot {
        let dispatch = start + (total / 10).clamp(60, 12 * 3_600);
        push(
            &mut steps,
            &mut at,
            dispatch,
            EventState::Dispatched,
            PLATFORM,
            "已派遣处置力量",
        );
    }
    let work = start + total / 5;
    push(
        &mut steps,
        &mut at,
        work,
        EventState::InProgress,
        profile.assignee,
        "正在处置",
    );
    let mut end = start + total;

    if exit == Exit::Escalated {
        let up = at + (end - at) / 3;
        push(
            &mut steps,
            &mut at,
            up,
            EventState::Escalated,
            PLATFORM,
            "超出镇街处置能力，上报市级",
        );
        let down = at + rng.random_range(1_800..4 * 3_600);
        push(
            &mut steps,
            &mut at,
            down,
            EventState::Dispatched,
            CITY,
            "市级协调，派遣职能部门",
        );
        let again = at + rng.random_range(600..3_600);
        push(
            &mut steps,
            &mut at,
            again,
            EventState::InProgress,
            profile.assignee,
            "市级督办处置",
        );
        end = end.max(at) + total / 2;
    }

    if exit == Exit::MediationFailed {
        push(
            &mut steps,
            &mut at,
            end,
            EventState::MediationFailed,
            profile.assignee,
            "调解不成，引导当事人依法诉讼",
        );
        let close = at + rng.random_range(86_400..3 * 86_400);
        push(
            &mut steps,
            &mut at,
            close,
            EventState::Closed,
            PLATFORM,
            "已告知诉讼途径，结案",
        );
    } else {
        let note = if dispute {
            "调解成功，双方达成协议"
        } else {
            "处置完毕"
        };
        push(
            &mut steps,
            &mut at,
            end,
            EventState::Resolved,
            profile.assignee,
            note,
        );
        let review = (total / 5).clamp(300, 86_400);
        let close = at + rng.random_range(review / 2..=review);
        push(
            &mut steps,
            &mut at,
            close,
            EventState::Closed,
            PLATFORM,
            "回访满意，结案",
        );
    }
    fill(&mut steps, profile, first_level, dispute);
    (steps, due)
}

/// Carries assignee, handling level and mediation outcome forward through the steps.
fn fill(steps: &mut [Step], profile: &Profile, first_level: HandlingLevel, dispute: bool) {
    let mut level = first_level;
    let mut assignee = None;
    let mut mediation = None;
    for step in steps {
        match step.state {
            EventState::Dispatched | EventState::InProgress => {
                assignee = Some(profile.assignee);
                if dispute && mediation.is_none() {
                    mediation = Some(MediationOutcome::Pending);
                }
            }
            EventState::Escalated => level = HandlingLevel::City,
            EventState::Resolved if dispute => mediation = Some(MediationOutcome::Success),
            EventState::MediationFailed => mediation = Some(MediationOutcome::Failed),
            _ => {}
        }
        step.level = Some(level);
        step.assignee = assignee;
        step.mediation = mediation;
    }
}

fn first_level(profile: &Profile, source: &Source, severity: Severity) -> HandlingLevel {
    if source.is_four_sources() || severity >= Severity::SERIOUS {
        HandlingLevel::Town
    } else {
        profile.level
    }
}

fn choose_exit<R: Rng + ?Sized>(
    rng: &mut R,
    source: &Source,
    category: &Category,
    severity: Severity,
) -> Exit {
    if category.is_dispute() {
        let failure = match source {
            Source::Litigation => 0.70,
            Source::Police110 => 0.004,
            _ => 0.012,
        };
        if rng.random_bool(failure) {
            return Exit::MediationFailed;
        }
    }
    let escalate = if severity >= Severity::SERIOUS {
        0.10
    } else if matches!(source, Source::Petition | Source::Risk) {
        0.05
    } else {
        0.01
    };
    let roll: f64 = rng.random();
    let returnable = matches!(
        source,
        Source::GridPatrol | Source::Hotline12345 | Source::VideoAi
    );
    if roll < escalate {
        Exit::Escalated
    } else if roll < escalate + 0.015 {
        Exit::Cancelled
    } else if returnable && roll < escalate + 0.035 {
        Exit::Returned
    } else {
        Exit::Ordinary
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn every_plan_ends_closed_or_cancelled_with_increasing_times() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        for profile in catalogue::PROFILES {
            for source in [Source::GridPatrol, Source::Litigation, Source::Police110] {
                for _ in 0..200 {
                    let category = Category::new(profile.code);
                    let (steps, due) =
                        plan(&mut rng, &source, &category, Severity::ORDINARY, 1_000);
                    assert!(due > 1_000);
                    assert!(steps.windows(2).all(|w| w[0].at < w[1].at));
                    assert!(steps.last().unwrap().state.is_terminal());
                    assert!(
                        steps[..steps.len() - 1]
                            .iter()
                            .all(|s| !s.state.is_terminal())
                    );
                }
            }
        }
    }

    #[test]
    fn a_street_vendor_is_handled_within_fifteen_minutes() {
        let mut rng = ChaCha8Rng::seed_from_u64(2);
        let category = Category::new(Category::CITY_STREET_VENDOR);
        let mut within = 0;
        for _ in 0..1_000 {
            let (steps, _) = plan(&mut rng, &Source::VideoAi, &category, Severity::ORDINARY, 0);
            if let Some(resolved) = steps.iter().find(|s| s.state == EventState::Resolved) {
                within += usize::from(resolved.at - steps[0].at <= 15 * 60);
            }
        }
        assert!(within > 850, "only {within} of 1000 within 15 minutes");
    }
}
