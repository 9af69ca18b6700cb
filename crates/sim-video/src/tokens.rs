//! Short-lived tokens on stream URLs, when the `token_ttl_secs` fault asks for
//! them: the contract warns that URLs may carry a `token` and that a 401/403
//! on a stream means "fetch the catalogue again", and a client can only prove
//! it survives that against a gateway that does it.
//!
//! A token names when it was issued (milliseconds of real time since the
//! simulator started), the revocation generation, and a hash of both with the
//! camera and the seed, so it cannot be made up or moved to another camera.
//! Real time, like the PTZ hold: a client's refresh pace does not speed up
//! with the simulated clock.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crate::dice;

const TAG: u64 = 0x70c3;

#[derive(Debug)]
pub(crate) struct Tokens {
    started: Instant,
    generation: AtomicU64,
}

/// Why a media request's token was refused.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// No token, or not one this gateway issued for this camera: 401.
    Invalid,
    /// Expired or revoked: 403.
    Stale,
}

impl Tokens {
    pub(crate) fn new() -> Self {
        Self {
            started: Instant::now(),
            generation: AtomicU64::new(0),
        }
    }

    pub(crate) fn issue(&self, seed: u64, index: usize) -> String {
        let issued = self.started.elapsed().as_millis() as u64;
        let generation = self.generation.load(Ordering::Relaxed);
        let mac = dice::roll(seed, &[TAG, index as u64, issued, generation]);
        format!("{issued}-{generation}-{mac:016x}")
    }

    pub(crate) fn check(
        &self,
        seed: u64,
        index: usize,
        token: Option<&str>,
        ttl: Duration,
    ) -> Result<(), Refusal> {
        let mut parts = token.ok_or(Refusal::Invalid)?.split('-');
        let (Some(issued), Some(generation), Some(mac), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(Refusal::Invalid);
        };
        let (Ok(issued), Ok(generation), Ok(mac)) = (
            issued.parse::<u64>(),
            generation.parse::<u64>(),
            u64::from_str_radix(mac, 16),
        ) else {
            return Err(Refusal::Invalid);
        };
        if mac != dice::roll(seed, &[TAG, index as u64, issued, generation]) {
            return Err(Refusal::Invalid);
        }
        let age = Duration::from_millis(
            (self.started.elapsed().as_millis() as u64).saturating_sub(issued),
        );
        if generation != self.generation.load(Ordering::Relaxed) || age > ttl {
            return Err(Refusal::Stale);
        }
        Ok(())
    }

    /// Makes every token issued so far stale.
    pub(crate) fn revoke_all(&self) {
        self.generation.fetch_add(1, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TTL: Duration = Duration::from_secs(60);

    #[test]
    fn a_token_opens_its_own_camera_only_until_revoked() {
        let tokens = Tokens::new();
        let token = tokens.issue(1, 5);
        assert_eq!(tokens.check(1, 5, Some(&token), TTL), Ok(()));
        assert_eq!(tokens.check(1, 6, Some(&token), TTL), Err(Refusal::Invalid));
        assert_eq!(tokens.check(1, 5, None, TTL), Err(Refusal::Invalid));
        assert_eq!(
            tokens.check(1, 5, Some("1-0-00ff"), TTL),
            Err(Refusal::Invalid)
        );
        tokens.revoke_all();
        assert_eq!(tokens.check(1, 5, Some(&token), TTL), Err(Refusal::Stale));
        assert_eq!(tokens.check(1, 5, Some(&tokens.issue(1, 5)), TTL), Ok(()));
    }

    #[test]
    fn a_token_expires() {
        let tokens = Tokens::new();
        let token = tokens.issue(1, 5);
        std::thread::sleep(Duration::from_millis(5));
        assert_eq!(
            tokens.check(1, 5, Some(&token), Duration::from_millis(1)),
            Err(Refusal::Stale)
        );
    }
}
