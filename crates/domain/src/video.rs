//! Records of the video network gateway (`video-network-api.yaml`).
//!
//! The gateway's catalogue, its status events, its health and the PTZ command
//! body, as both the simulator writes them and the app's ingest reads them.
//! Reading is tolerant: unknown fields are ignored, unknown `kind` values are
//! kept as [`CameraKind::Other`], and optional fields may be missing or null,
//! because the contract says cameras, kinds and tasks can change under us.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// One camera of the catalogue (`#/components/schemas/Camera`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Camera {
    /// The 20-digit national camera code, e.g. `33028200001320000123`.
    pub camera_id: String,
    /// What the city calls it, e.g. `浒山街道·三北大街口 枪机`.
    pub name: String,
    pub kind: CameraKind,
    pub status: CameraStatus,
    #[serde(default)]
    pub grid_id: Option<String>,
    /// `[lon, lat]`.
    #[serde(default)]
    pub location: Option<[f64; 2]>,
    pub streams: CameraStreams,
    /// Analyses the gateway runs on this camera, e.g. `street_vendor`,
    /// `crowd_density`, `fire_smoke`: an open set, so plain strings.
    #[serde(default)]
    pub ai_tasks: Vec<String>,
}

/// What kind of device a camera is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CameraKind {
    /// A fixed street camera (枪机).
    Fixed,
    /// A pan-tilt-zoom dome (球机); only these accept PTZ commands.
    Ptz,
    /// A grid worker's body camera (执法记录仪).
    BodyWorn,
    /// A drone (无人机).
    Drone,
    /// A kind this build does not know yet.
    #[serde(other)]
    Other,
}

/// Whether the gateway can reach the camera right now.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CameraStatus {
    Online,
    Offline,
}

/// The forms in which a camera's media is offered, as URLs relative to the
/// gateway's base URL (they may carry a short-lived `token` query parameter).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CameraStreams {
    /// One JPEG; always offered.
    pub snapshot: String,
    #[serde(default)]
    pub mjpeg: Option<String>,
    #[serde(default)]
    pub hls: Option<String>,
}

/// One page of `GET /vnet/v1/cameras`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CameraPage {
    pub cameras: Vec<Camera>,
    /// Pass it back as `page_token` for the next page; null on the last one.
    #[serde(default)]
    pub next_page_token: Option<String>,
}

/// One `event: status` of `GET /vnet/v1/status/stream`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CameraStatusChange {
    pub camera_id: String,
    pub status: CameraStatus,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

/// `GET /vnet/v1/health`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VnetHealth {
    pub status: VnetHealthStatus,
    pub cameras_online: u32,
    pub cameras_total: u32,
    /// Live streams one client may hold at once; the next one answers 429.
    pub max_streams_per_client: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VnetHealthStatus {
    Ok,
    Degraded,
}

/// The body of `POST /vnet/v1/cameras/{camera_id}/ptz`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PtzCommand {
    pub action: PtzAction,
    /// 1 (slow) to 8 (fast); the gateway assumes 4 when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speed: Option<u8>,
    /// For [`PtzAction::Preset`]: which preset, 1 to 255.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preset: Option<u8>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PtzAction {
    Left,
    Right,
    Up,
    Down,
    ZoomIn,
    ZoomOut,
    Stop,
    Preset,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_camera_with_unknown_fields_and_kind_still_reads() {
        let json = r#"{
            "camera_id": "33028200001320000123",
            "name": "浒山街道·三北大街口 枪机",
            "kind": "thermal",
            "status": "online",
            "streams": { "snapshot": "/vnet/v1/cameras/33028200001320000123/snapshot.jpg" },
            "vendor": "somebody"
        }"#;
        let camera: Camera = serde_json::from_str(json).unwrap();
        assert_eq!(camera.kind, CameraKind::Other);
        assert_eq!(camera.grid_id, None);
        assert_eq!(camera.streams.mjpeg, None);
        assert!(camera.ai_tasks.is_empty());
    }

    #[test]
    fn a_status_change_reads_an_rfc3339_time() {
        let json = r#"{"camera_id":"1","status":"offline","at":"2026-11-27T09:30:00+08:00"}"#;
        let change: CameraStatusChange = serde_json::from_str(json).unwrap();
        assert_eq!(change.status, CameraStatus::Offline);
        assert_eq!(change.at.hour(), 9);
    }

    #[test]
    fn a_ptz_command_writes_snake_case_and_omits_what_is_absent() {
        let command = PtzCommand {
            action: PtzAction::ZoomIn,
            speed: Some(2),
            preset: None,
        };
        assert_eq!(
            serde_json::to_string(&command).unwrap(),
            r#"{"action":"zoom_in","speed":2}"#
        );
    }
}
