//! Deterministic dice: every random choice of the simulator is a pure function
//! of the seed and what is being decided (a camera, a time slot, a stream).
//!
//! A stateful generator would make a camera's status at 09:30 depend on how
//! often somebody asked before; a hash does not, so the status at any moment
//! can be computed on demand, by any request, with no background task.

/// SplitMix64's finaliser: a well-mixed 64-bit hash of one word.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A hash of the seed and a few words naming the decision.
pub(crate) fn roll(seed: u64, words: &[u64]) -> u64 {
    words.iter().fold(mix(seed), |acc, &w| mix(acc ^ w))
}

/// A number in `[0, 1)` from [`roll`].
pub(crate) fn unit(seed: u64, words: &[u64]) -> f64 {
    (roll(seed, words) >> 11) as f64 / (1u64 << 53) as f64
}

/// An index in `0..n` from [`roll`].
pub(crate) fn pick(seed: u64, words: &[u64], n: usize) -> usize {
    (roll(seed, words) % n as u64) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_question_gets_the_same_answer_and_others_differ() {
        assert_eq!(roll(7, &[1, 2]), roll(7, &[1, 2]));
        assert_ne!(roll(7, &[1, 2]), roll(7, &[2, 1]));
        assert_ne!(roll(7, &[1, 2]), roll(8, &[1, 2]));
    }

    #[test]
    fn units_spread_over_the_interval() {
        let below_half = (0..10_000).filter(|&i| unit(1, &[i]) < 0.5).count();
        assert!((4_500..5_500).contains(&below_half), "{below_half}");
    }
}
