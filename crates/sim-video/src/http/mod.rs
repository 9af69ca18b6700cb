//! The HTTP face of the simulator: the contract's `/vnet/v1` routes ([`vnet`],
//! with the HLS playlists and segments in [`hls`]) and the `/admin/video` routes that tests and the operator of a simulator run
//! use to inject faults and read stream counts ([`admin`]).

mod admin;
mod hls;
mod vnet;

use std::convert::Infallible;
use std::net::SocketAddr;

use axum::Router;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::VideoSim;

/// All routes of the video gateway, ready to be merged into the binary's router.
///
/// Serve it with `into_make_service_with_connect_info::<SocketAddr>()` so that
/// clients without an `X-Client-Id` or bearer token are told apart by address.
pub fn router(sim: VideoSim) -> Router {
    vnet::routes()
        .merge(hls::routes())
        .merge(admin::routes())
        .with_state(sim)
}

/// Who a request comes from, for the per-client stream cap and PTZ holds:
/// the `X-Client-Id` header if present, else the bearer token, else the peer
/// address (`ip:127.0.0.1`; all clients on one host share it), else `unknown`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientId(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ClientId {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let header = |name| {
            parts
                .headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::trim)
        };
        if let Some(id) = header("x-client-id").filter(|id| !id.is_empty()) {
            return Ok(Self(format!("id:{id}")));
        }
        if let Some(token) =
            header(header::AUTHORIZATION.as_str()).and_then(|v| v.strip_prefix("Bearer "))
        {
            return Ok(Self(format!("token:{}", token.trim())));
        }
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip());
        Ok(Self(peer.map_or_else(
            || "unknown".to_owned(),
            |ip| format!("ip:{ip}"),
        )))
    }
}

/// An RFC 9457 problem, as the contracts answer errors.
#[derive(Debug, Serialize)]
pub(crate) struct Problem {
    #[serde(rename = "type")]
    kind: &'static str,
    title: &'static str,
    status: u16,
    detail: String,
    #[serde(skip)]
    retry_after: Option<u32>,
}

impl Problem {
    pub(crate) fn new(status: StatusCode, title: &'static str, detail: impl Into<String>) -> Self {
        Self {
            kind: "about:blank",
            title,
            status: status.as_u16(),
            detail: detail.into(),
            retry_after: None,
        }
    }

    /// Adds a `Retry-After` header, in seconds.
    pub(crate) fn retry_after(mut self, seconds: u32) -> Self {
        self.retry_after = Some(seconds);
        self
    }

    pub(crate) fn unknown_camera(camera_id: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "unknown camera",
            format!("no camera {camera_id} in the catalogue"),
        )
    }

    pub(crate) fn offline(camera_id: &str) -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "camera offline",
            format!("camera {camera_id} is offline"),
        )
        .retry_after(30)
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::to_vec(&self).expect("a problem serialises");
        let mut response = (
            status,
            [(header::CONTENT_TYPE, "application/problem+json")],
            body,
        )
            .into_response();
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, seconds.into());
        }
        response
    }
}
