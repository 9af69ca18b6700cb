//! A simulated year from the history generator reproduces Cixi's published
//! figures within ±10%, asserted from the generated revisions themselves.

use std::collections::HashMap;

use gridwall_domain::governance::{EventState, MediationOutcome, Source};
use gridwall_sim::Simulator;

#[test]
fn a_simulated_year_reproduces_the_published_figures() {
    let sim = Simulator::builder().seed(11).build().unwrap();
    let from = time::macros::datetime!(2025-01-01 00:00 +8);
    let to = time::macros::datetime!(2026-01-01 00:00 +8);
    let days = 365.0;

    let mut events = 0u64;
    let mut revisions = 0u64;
    let mut by_source: HashMap<Source, u64> = HashMap::new();
    let mut by_hour = [0u64; 24];
    let mut by_weekday = [0u64; 7];
    let (mut disputes, mut disputes_settled) = (0u64, 0u64);
    let (mut police, mut police_handled) = (0u64, 0u64);
    let (mut litigation, mut litigation_settled) = (0u64, 0u64);
    let (mut finished, mut overdue, mut escalated, mut returned) = (0u64, 0u64, 0u64, 0u64);
    let mut vendor_minutes = Vec::new();
    let mut last_seq = 0;

    // Run on past the year so that every case reported in it can finish.
    let end = to.unix_timestamp();
    for (seq, revision) in sim.history(from, to + time::Duration::days(120)) {
        assert!(seq > last_seq, "seqs strictly increase");
        last_seq = seq;
        let case = &revision.case;
        if case.reported_at >= end {
            continue;
        }
        revisions += 1;
        if revision.step == 0 {
            events += 1;
            *by_source.entry(case.source.clone()).or_default() += 1;
            let local = gridwall_sim::case::datetime(case.reported_at);
            by_hour[local.hour() as usize] += 1;
            by_weekday[local.weekday().number_days_from_monday() as usize] += 1;
        }
        if revision.step + 1 != case.steps.len() {
            continue;
        }
        // The case's last revision: judge how it went.
        finished += 1;
        let states: Vec<EventState> = case.steps.iter().map(|s| s.state).collect();
        escalated += u64::from(states.contains(&EventState::Escalated));
        returned += u64::from(states.contains(&EventState::Returned));
        let resolved = case.steps.iter().find(|s| s.state == EventState::Resolved);
        if let (Some(r), Some(due)) = (resolved, case.due_at) {
            overdue += u64::from(r.at > due);
        }
        let settled = case
            .steps
            .iter()
            .any(|s| s.mediation == Some(MediationOutcome::Success));
        let cancelled = states.contains(&EventState::Cancelled);
        if case.category.is_dispute() && !cancelled {
            match case.source {
                Source::Litigation => {
                    litigation += 1;
                    litigation_settled += u64::from(settled);
                }
                _ => {
                    disputes += 1;
                    disputes_settled += u64::from(settled);
                }
            }
        }
        if case.source == Source::Police110 && !cancelled {
            police += 1;
            police_handled += u64::from(resolved.is_some());
        }
        if case.category.as_str() == "city.street_vendor"
            && let Some(r) = resolved
        {
            vendor_minutes.push((r.at - case.reported_at) / 60);
        }
    }

    let within = |value: f64, target: f64| (value - target).abs() <= target * 0.10;
    let per_day = events as f64 / days;
    assert!(within(per_day, 2_200.0), "{per_day:.0} events a day");
    let rate = |s: Source| *by_source.get(&s).unwrap_or(&0) as f64 / days;
    assert!(
        within(rate(Source::Police110), 32.0),
        "{:.1} police_110 a day",
        rate(Source::Police110)
    );
    assert!(
        within(rate(Source::Litigation), 3.0),
        "{:.2} litigation a day",
        rate(Source::Litigation)
    );
    let patrol = by_source[&Source::GridPatrol];
    assert!(
        by_source.values().all(|&n| n <= patrol),
        "grid patrols find the most"
    );
    for source in Source::KNOWN {
        assert!(
            by_source.get(&source).copied().unwrap_or(0) > 0,
            "{source} occurs"
        );
    }
    // Daily rhythm: mid-morning is far busier than the small hours.
    assert!(by_hour[10] > by_hour[3] * 5, "{by_hour:?}");
    // Weekly rhythm: offices and patrols work less on Sundays.
    let weekday_mean = by_weekday[..5].iter().sum::<u64>() as f64 / 5.0;
    assert!(weekday_mean > by_weekday[6] as f64 * 1.15, "{by_weekday:?}");

    let share = |n: u64, d: u64| n as f64 / d.max(1) as f64;
    assert!(
        share(disputes_settled, disputes) >= 0.98,
        "disputes settled {:.4}",
        share(disputes_settled, disputes)
    );
    assert!(
        share(police_handled, police) > 0.99,
        "110 handled {:.4}",
        share(police_handled, police)
    );
    let lit = share(litigation_settled, litigation);
    assert!(
        within(lit, 0.30),
        "pre-litigation mediation success {lit:.3}"
    );
    // Town-platform closure: every case that has run its course ends closed or cancelled.
    assert_eq!(
        finished, events,
        "every case of the year ends closed or cancelled"
    );
    assert!(
        overdue > 0 && share(overdue, finished) < 0.10,
        "overdue {overdue}"
    );
    assert!(escalated > 0 && returned > 0);
    vendor_minutes.sort_unstable();
    let median = vendor_minutes[vendor_minutes.len() / 2];
    assert!(
        median <= 15,
        "street vendors handled in a median {median} min"
    );
    eprintln!(
        "a year: {events} events, {revisions} revisions, {per_day:.0} a day; 110 {:.1}/day, \
         litigation {:.2}/day; disputes settled {:.4}, 110 handled {:.4}, pre-litigation {lit:.3}; \
         overdue {:.4}, escalated {:.4}, returned {:.4}; street vendor median {median} min",
        rate(Source::Police110),
        rate(Source::Litigation),
        share(disputes_settled, disputes),
        share(police_handled, police),
        share(overdue, finished),
        share(escalated, finished),
        share(returned, finished),
    );
}
