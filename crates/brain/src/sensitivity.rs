//! How easily the brain warns: one parameter struct for every detector, with
//! peacetime's values and the tightening a wartime footing asks for.
//!
//! The detectors take a [`Sensitivity`], not a plan: the wall reads the plan
//! in force and passes [`Sensitivity::for_footing`] the plan's thresholds as
//! plain numbers ([`Footing`]), so this crate knows nothing of plans.

/// The thresholds of every detector.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Sensitivity {
    /// A rate or cluster warns when its Poisson tail probability is below this.
    pub alpha: f64,
    /// A grid counts as "rising" for a cluster below this tail probability.
    pub cluster_alpha: f64,
    /// Fewest events in a window for a rate warning.
    pub min_count: u32,
    /// Fewest adjacent rising grids for a cluster.
    pub cluster_grids: usize,
    /// Disputes at one address again within this many days are a repeat.
    pub repeat_window_days: u32,
    /// Incidents this close to their deadline count as due soon.
    pub due_soon_minutes: u32,
    /// Fewest open incidents (severity ≥ [`Sensitivity::overdue_severity`])
    /// due soon or overdue in a town for a timeliness warning.
    pub overdue_min: usize,
    /// Only incidents of this severity or more make a timeliness warning.
    pub overdue_severity: u8,
    /// Fewest deadlines reached in 24 hours before a town's closure rate is judged.
    pub closure_min_due: u32,
}

/// The part of an emergency plan the brain listens to, as plain numbers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Footing {
    /// The plan's "due soon" horizon, in minutes.
    pub due_soon_minutes: u32,
    /// The plan's pin threshold (severity 1..=4).
    pub pin_severity: u8,
}

impl Sensitivity {
    /// Peacetime. `alpha` is chosen for at most about one false warning per
    /// town per day on the simulated background (see `docs/benchmarks.md`):
    /// a town sees about 90 events a day, each tested in about 15 series and
    /// windows, so 1e-5 a test leaves a wide margin for their correlation.
    pub fn peacetime() -> Sensitivity {
        Sensitivity {
            alpha: 1e-5,
            cluster_alpha: 1e-2,
            min_count: 3,
            cluster_grids: 3,
            repeat_window_days: 30,
            due_soon_minutes: 60,
            overdue_min: 3,
            overdue_severity: 2,
            closure_min_due: 10,
        }
    }

    /// Tightened for a plan in force: warn ten times as readily, on one event
    /// fewer, on two rising grids, remember repeats for twice as long, and
    /// take the plan's own due-soon horizon and pin severity.
    pub fn for_footing(footing: Footing) -> Sensitivity {
        let peace = Sensitivity::peacetime();
        Sensitivity {
            alpha: peace.alpha * 10.0,
            cluster_alpha: peace.cluster_alpha * 2.0,
            min_count: peace.min_count - 1,
            cluster_grids: peace.cluster_grids - 1,
            repeat_window_days: peace.repeat_window_days * 2,
            due_soon_minutes: footing.due_soon_minutes.max(peace.due_soon_minutes),
            overdue_min: 1,
            overdue_severity: footing.pin_severity.clamp(1, 4),
            closure_min_due: peace.closure_min_due / 2,
        }
    }
}

impl Default for Sensitivity {
    fn default() -> Self {
        Sensitivity::peacetime()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_footing_never_loosens_a_threshold() {
        let peace = Sensitivity::peacetime();
        let war = Sensitivity::for_footing(Footing {
            due_soon_minutes: 120,
            pin_severity: 2,
        });
        assert!(war.alpha > peace.alpha);
        assert!(war.cluster_alpha > peace.cluster_alpha);
        assert!(war.min_count < peace.min_count);
        assert!(war.cluster_grids < peace.cluster_grids);
        assert!(war.repeat_window_days > peace.repeat_window_days);
        assert_eq!(war.due_soon_minutes, 120);
        assert!(war.overdue_min < peace.overdue_min);
        let short = Sensitivity::for_footing(Footing {
            due_soon_minutes: 10,
            pin_severity: 9,
        });
        assert_eq!(short.due_soon_minutes, 60, "a plan only tightens");
        assert_eq!(short.overdue_severity, 4, "severity is clamped to 1..=4");
    }
}
