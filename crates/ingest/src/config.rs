//! What the client needs, in one validated struct passed in whole.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use gridwall_domain::clock::Clock;

use crate::{Error, Result, address};

/// A bearer token. It prints as `***` in `Debug` and has no `Display`, so a
/// log line or an error message that formats the config cannot leak it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(token: impl Into<String>) -> Secret {
        Secret(token.into())
    }

    /// The token from the environment variable `name`, if set and not empty.
    pub fn from_env(name: &str) -> Option<Secret> {
        std::env::var(name)
            .ok()
            .filter(|t| !t.trim().is_empty())
            .map(Secret)
    }

    /// The token itself; only for building the `Authorization` header.
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// The client's settings. [`IngestConfig::new`] gives the production timings;
/// tests shorten them.
#[derive(Clone, Debug)]
pub struct IngestConfig {
    /// Base URL of the governance platform, e.g. `http://127.0.0.1:8700`.
    pub governance_url: String,
    /// Base URL of the video gateway; `None` skips the camera catalogue.
    pub video_url: Option<String>,
    pub token: Option<Secret>,
    pub video_token: Option<Secret>,
    /// Where the geometry and divisions are cached with their ETags.
    pub cache_dir: PathBuf,
    /// The name the store keeps this upstream's records and cursor under.
    pub upstream: String,
    /// The app's clock: stamps batches and health, never the system time.
    pub clock: Clock,
    /// A stream batch is committed at this many records...
    pub batch_max: usize,
    /// ...or this long after its first record, whichever comes first. A
    /// record that comes at least this long after the last batch landed
    /// does not wait: it lands with the chunk it came in.
    pub batch_wait: Duration,
    /// `limit` of a backfill page (1 to 5,000).
    pub page_limit: u32,
    /// A catch-up this many revisions or more behind the head (the first
    /// import, a long outage) lands through the sink's bulk path
    /// ([`crate::Sink::apply_bulk`]); a shorter one through the live path.
    pub bulk_threshold: u64,
    /// No byte on the stream for this long (pings included) means reconnect.
    pub watchdog: Duration,
    /// First retry delay after a 5xx or a dropped connection; doubles up to `backoff_cap`.
    pub backoff_base: Duration,
    pub backoff_cap: Duration,
    /// How often `/health` is asked for the head, to tell live from lagging.
    pub health_interval: Duration,
    /// Behind the head for longer than this is `lagging`.
    pub lag_threshold: Duration,
    /// How often seq ranges lost to a snapshot fallback are tried again.
    pub repair_interval: Duration,
    /// How often the camera catalogue is fetched again (statuses change,
    /// stream tokens expire); sooner when asked (`Ingest::cameras_stale`).
    pub camera_refresh: Duration,
}

impl IngestConfig {
    pub fn new(governance_url: impl Into<String>, cache_dir: impl Into<PathBuf>) -> IngestConfig {
        IngestConfig {
            governance_url: governance_url.into(),
            video_url: None,
            token: None,
            video_token: None,
            cache_dir: cache_dir.into(),
            upstream: "governance".to_owned(),
            clock: Clock::real(),
            batch_max: 500,
            batch_wait: Duration::from_millis(25),
            page_limit: 5_000,
            bulk_threshold: 20_000,
            watchdog: Duration::from_secs(30),
            backoff_base: Duration::from_millis(250),
            backoff_cap: Duration::from_secs(30),
            health_interval: Duration::from_secs(5),
            lag_threshold: Duration::from_secs(10),
            repair_interval: Duration::from_secs(60),
            camera_refresh: Duration::from_secs(300),
        }
    }

    /// Checks the settings once, so the loops can trust them.
    ///
    /// # Errors
    /// A URL that is not http(s), a zero batch or timing, a page limit out of range.
    pub fn validate(&self) -> Result<()> {
        for url in std::iter::once(&self.governance_url).chain(self.video_url.as_ref()) {
            let parsed = reqwest::Url::parse(url)
                .map_err(|e| Error::Config(format!("{url} is not a URL: {e}")))?;
            if !matches!(parsed.scheme(), "http" | "https") {
                return Err(Error::Config(format!("{url} must be an http or https URL")));
            }
        }
        if self.batch_max == 0 {
            return Err(Error::Config("batch_max must be at least 1".into()));
        }
        if !(1..=5_000).contains(&self.page_limit) {
            return Err(Error::Config("page_limit must be 1 to 5000".into()));
        }
        for (name, d) in [
            ("batch_wait", self.batch_wait),
            ("watchdog", self.watchdog),
            ("backoff_base", self.backoff_base),
            ("backoff_cap", self.backoff_cap),
            ("health_interval", self.health_interval),
            ("repair_interval", self.repair_interval),
        ] {
            if d.is_zero() {
                return Err(Error::Config(format!("{name} must be more than zero")));
            }
        }
        if self.upstream.trim().is_empty() {
            return Err(Error::Config("upstream must have a name".into()));
        }
        Ok(())
    }

    /// `path` on the governance platform: one of the client's own paths,
    /// written without a leading slash so a base under a prefix keeps it
    /// (see [`crate::address`]).
    pub(crate) fn governance(&self, path: &str) -> Result<String> {
        let base = address::base(&self.governance_url)?;
        Ok(address::resolve(&base, path)?.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_never_prints() {
        let mut config = IngestConfig::new("http://127.0.0.1:1", "/tmp/x");
        config.token = Some(Secret::new("s3cr3t-token"));
        let shown = format!("{config:?}");
        assert!(!shown.contains("s3cr3t"), "{shown}");
        assert!(shown.contains("***"));
    }

    #[test]
    fn validation_names_the_bad_setting() {
        let mut config = IngestConfig::new("ftp://host", "/tmp/x");
        assert!(config.validate().unwrap_err().to_string().contains("http"));
        config.governance_url = "http://127.0.0.1:1".into();
        config.page_limit = 0;
        assert!(
            config
                .validate()
                .unwrap_err()
                .to_string()
                .contains("page_limit")
        );
    }
}
