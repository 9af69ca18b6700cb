//! The video network gateway (视联网), simulated: the half of the simulator that
//! serves `video-network-api.yaml`.
//!
//! Build a [`VideoSim`] from a [`VideoConfig`], the shared [`Clock`] and the
//! camera sites the caller derives from the city, then mount [`router`] on an
//! axum server. The crate owns no server and no background task of its own:
//! statuses are computed per moment, and the only tasks are the per-camera
//! frame producers that live exactly as long as somebody watches.
//!
//! - `catalogue`: which cameras exist (codes, names, kinds, analyses).
//! - `availability`: which are online at a moment (churn, faults, pins).
//! - `picture`: the synthetic street scene, captioned and JPEG-encoded.
//! - `live`: one frame producer per watched camera, shared by its viewers,
//!   and the MJPEG body with its injected faults.
//! - `hls`: three short H.264 reels, encoded on first demand, served as
//!   sliding live playlists to the cameras that offer HLS.
//! - `ledger`: concurrent streams per client, the cap and the peaks.
//! - `ptz`: poses of PTZ cameras and which console holds each.
//! - `hostile`: the catalogue's JSON under the hostile profile's faults.
//! - `http`: the `/vnet/v1` routes of the contract and the `/admin/video` routes.

mod availability;
mod catalogue;
mod config;
mod dice;
mod hls;
mod hostile;
mod http;
mod ledger;
mod live;
mod names;
mod picture;
mod ptz;
mod tokens;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use gridwall_domain::clock::Clock;
use gridwall_domain::video::{Camera, CameraStatus, VnetHealth, VnetHealthStatus};
use time::OffsetDateTime;
use tokio::sync::watch;

pub use catalogue::{CameraSite, sites_around_towns};
pub use config::{Faults, VideoConfig};
pub use http::{ClientId, router};
pub use ledger::{ClientStreams, StreamReport};
pub use live::StreamFault;

use availability::{Availability, Overrides};
use catalogue::Catalogue;

/// What can go wrong when driving the simulator.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("no camera {0} in the catalogue")]
    UnknownCamera(String),
    #[error("{name} must be between 0 and 1, got {value}")]
    Fraction { name: &'static str, value: f64 },
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The simulated gateway. Cloning is cheap and every clone is the same gateway.
#[derive(Clone)]
pub struct VideoSim {
    shared: Arc<Shared>,
}

struct Shared {
    config: VideoConfig,
    clock: Clock,
    /// When the simulator started, on its clock; traffic moves from here.
    epoch: OffsetDateTime,
    catalogue: Catalogue,
    overrides: Overrides,
    // Read on every media request, written by the admin: a std RwLock, never
    // held across an await.
    faults: RwLock<Faults>,
    ptz: ptz::Desk,
    ledger: ledger::Ledger,
    feeds: live::Feeds,
    /// One channel per camera through which the admin orders its streams to fail.
    orders: Vec<watch::Sender<live::Order>>,
    /// Counts media requests, so that fault dice differ from one request to the next.
    requests: AtomicU64,
    tokens: tokens::Tokens,
    hls: hls::Library,
    /// Set by [`VideoSim::close_streams`]: every stream ends.
    closing: watch::Sender<bool>,
    /// `http://host:port` of a second listener serving the media, for the
    /// absolute URLs of the `varied_urls` fault.
    media_base: RwLock<Option<String>>,
}

impl VideoSim {
    /// A gateway with a camera catalogue generated from `sites`.
    ///
    /// # Panics
    /// If `config.faults` holds a fraction outside `[0, 1]`.
    pub fn new(config: VideoConfig, clock: Clock, sites: &[CameraSite]) -> Self {
        config
            .faults
            .validate()
            .expect("invalid faults in the video simulator's config");
        let catalogue = Catalogue::generate(config.seed, sites, config.cameras);
        let orders = (0..catalogue.len())
            .map(|_| watch::channel(live::Order::default()).0)
            .collect();
        Self {
            shared: Arc::new(Shared {
                epoch: clock.now(),
                faults: RwLock::new(config.faults.clone()),
                ptz: ptz::Desk::default(),
                ledger: ledger::Ledger::default(),
                feeds: live::Feeds::default(),
                overrides: Overrides::default(),
                requests: AtomicU64::new(0),
                closing: watch::channel(false).0,
                tokens: tokens::Tokens::new(),
                media_base: RwLock::new(None),
                hls: hls::Library::new(config.hls_encoder.clone()),
                orders,
                catalogue,
                clock,
                config,
            }),
        }
    }

    /// The whole catalogue with the current statuses, in paging order.
    pub fn cameras(&self) -> Vec<Camera> {
        let statuses = self.availability().all(self.shared.clock.now());
        self.shared
            .catalogue
            .entries
            .iter()
            .zip(statuses)
            .enumerate()
            .map(|(index, (entry, status))| {
                self.with_tokens(
                    index,
                    Camera {
                        status,
                        ..entry.camera.clone()
                    },
                )
            })
            .collect()
    }

    /// Where a second listener serves this gateway's routes too (`http://host:port`,
    /// no trailing slash); under the `varied_urls` fault a third of the
    /// cameras' media URLs point there, absolute.
    pub fn set_media_base(&self, base: Option<String>) {
        *self.shared.media_base.write().expect("media base lock") = base;
    }

    /// The media URLs of camera `index` as served: in the form the
    /// `varied_urls` fault picks for it, with a fresh token when tokens are on.
    fn with_tokens(&self, index: usize, mut camera: Camera) -> Camera {
        let faults = self.faults();
        if faults.varied_urls {
            let base = self
                .shared
                .media_base
                .read()
                .expect("media base lock")
                .clone();
            let form = |url: &mut String| match (index % 3, &base) {
                (1, _) => *url = url.trim_start_matches('/').to_owned(),
                (2, Some(base)) => *url = format!("{base}{url}"),
                _ => {}
            };
            form(&mut camera.streams.snapshot);
            camera.streams.mjpeg.iter_mut().for_each(form);
        }
        if faults.token_ttl_secs > 0 {
            let token = self.shared.tokens.issue(self.shared.config.seed, index);
            camera.streams.snapshot = format!("{}?token={token}", camera.streams.snapshot);
            for url in [&mut camera.streams.mjpeg, &mut camera.streams.hls]
                .into_iter()
                .flatten()
            {
                *url = format!("{url}?token={token}");
            }
        }
        camera
    }

    /// Makes every stream token issued so far stale (403), as a gateway does
    /// when it rotates its keys.
    pub fn revoke_tokens(&self) {
        self.shared.tokens.revoke_all();
    }

    /// One camera with its current status.
    pub fn camera(&self, camera_id: &str) -> Option<Camera> {
        let index = self.shared.catalogue.index_of(camera_id)?;
        let camera = Camera {
            status: self.status(index),
            ..self.shared.catalogue.entries[index].camera.clone()
        };
        Some(self.with_tokens(index, camera))
    }

    /// What `/vnet/v1/health` answers.
    pub fn health(&self) -> VnetHealth {
        let statuses = self.availability().all(self.shared.clock.now());
        let online = statuses
            .iter()
            .filter(|s| **s == CameraStatus::Online)
            .count();
        let total = statuses.len();
        let faults = self.faults();
        // Degraded when a tenth of the cameras are gone or requests are failing on purpose.
        let degraded = online * 10 < total * 9 || faults.unavailable_fraction > 0.0;
        VnetHealth {
            status: if degraded {
                VnetHealthStatus::Degraded
            } else {
                VnetHealthStatus::Ok
            },
            cameras_online: online as u32,
            cameras_total: total as u32,
            max_streams_per_client: self.shared.config.max_streams_per_client,
        }
    }

    /// The faults in force.
    pub fn faults(&self) -> Faults {
        self.shared
            .faults
            .read()
            .expect("faults lock poisoned")
            .clone()
    }

    /// Replaces the faults in force; streams already open keep the fate they drew.
    pub fn set_faults(&self, faults: Faults) -> Result<()> {
        faults.validate()?;
        *self.shared.faults.write().expect("faults lock poisoned") = faults;
        Ok(())
    }

    /// Pins a camera online or offline, or with `None` lets it follow the
    /// simulation again. Its open streams end when it goes offline.
    pub fn pin_status(&self, camera_id: &str, status: Option<CameraStatus>) -> Result<()> {
        let index = self.index(camera_id)?;
        self.shared.overrides.pin(index, status);
        Ok(())
    }

    /// Makes every live stream of a camera fail now, the way `fault` says.
    pub fn fail_streams(&self, camera_id: &str, fault: StreamFault) -> Result<()> {
        let index = self.index(camera_id)?;
        self.shared.orders[index].send_modify(|order| {
            order.generation += 1;
            order.fault = fault;
        });
        Ok(())
    }

    /// Ends every live stream and status stream, now and from now on, so that
    /// a server's graceful shutdown is not held open by streams that never end.
    pub fn close_streams(&self) {
        self.shared.closing.send_replace(true);
    }

    fn closing(&self) -> bool {
        *self.shared.closing.borrow()
    }

    /// Concurrent live streams per client now, and the most each has held.
    pub fn stream_report(&self) -> StreamReport {
        self.shared
            .ledger
            .report(self.shared.config.max_streams_per_client)
    }

    /// Forgets peaks and refusals, keeping the streams open now: for a test
    /// that shares a simulator with the tests before it.
    pub fn reset_stream_report(&self) {
        self.shared.ledger.reset();
    }

    /// Renders one frame of a camera as a JPEG, whatever its status (CPU-bound:
    /// async callers run it on a blocking thread).
    pub fn render_frame(&self, camera_id: &str) -> Result<Vec<u8>> {
        Ok(self.render(self.index(camera_id)?, &mut None))
    }

    fn index(&self, camera_id: &str) -> Result<usize> {
        self.shared
            .catalogue
            .index_of(camera_id)
            .ok_or_else(|| Error::UnknownCamera(camera_id.to_owned()))
    }

    fn availability(&self) -> Availability<'_> {
        Availability {
            seed: self.shared.config.seed,
            catalogue: &self.shared.catalogue,
            offline_fraction: self.faults().offline_fraction,
            overrides: &self.shared.overrides,
        }
    }

    fn status(&self, index: usize) -> CameraStatus {
        self.availability().status(index, self.shared.clock.now())
    }

    /// Renders camera `index` now, reusing and updating a live feed's `backdrop`.
    fn render(&self, index: usize, backdrop: &mut Option<picture::Backdrop>) -> Vec<u8> {
        let entry = &self.shared.catalogue.entries[index];
        let now = self.shared.clock.now();
        let motion = (now - self.shared.epoch).as_seconds_f64() / self.shared.clock.speed();
        let shot = picture::Shot {
            camera_id: &entry.camera.camera_id,
            kind: entry.kind(),
            scene: dice::roll(self.shared.config.seed, &[index as u64, 0x5ce7e]),
            pose: self.shared.ptz.pose(index, entry.home),
            at: now,
            motion,
        };
        let config = &self.shared.config;
        picture::render(
            &shot,
            picture::Format {
                width: config.frame_width,
                height: config.frame_height,
                quality: config.jpeg_quality,
            },
            backdrop,
        )
    }

    /// A fresh number in `[0, 1)` for a fault decision about one request.
    fn request_dice(&self) -> f64 {
        let n = self.shared.requests.fetch_add(1, Ordering::Relaxed);
        dice::unit(self.shared.config.seed, &[0x4e9, n])
    }
}
