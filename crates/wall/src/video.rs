//! The camera matrix's data: the catalogue as the UI needs it, and the
//! gateway's per-client stream cap.
//!
//! Ingest keeps the raw catalogue in the store (reference kind `cameras`);
//! [`catalogue`] turns those records into the few fields a tile shows.
//! The webview never fetches from the gateway: it asks the app's media scheme
//! at [`VideoCatalogue::media_url`] (see [`crate::video_proxy`]), which knows
//! the gateway's relative media URLs and its token.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// One camera as a tile needs it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct CameraTile {
    pub camera_id: String,
    /// Free text from the gateway: shown as text only.
    pub name: String,
    /// `fixed`, `ptz`, `body_worn`, `drone` (an unknown one is passed on raw).
    pub kind: String,
    /// As the catalogue last said; the tile finds out the rest by trying.
    pub online: bool,
    pub grid_id: Option<String>,
    /// `[lon, lat]`.
    pub location: Option<[f64; 2]>,
    /// Relative to the gateway (may carry a `token` query parameter); only
    /// the proxy fetches it.
    #[ts(skip)]
    #[serde(skip)]
    pub snapshot: String,
    /// Whether the camera offers live MJPEG.
    pub live: bool,
    /// Relative to the gateway, like `snapshot`.
    #[ts(skip)]
    #[serde(skip)]
    pub mjpeg: Option<String>,
    /// Whether the camera offers live HLS (a tile plays it when the camera
    /// offers no MJPEG: drones and body cameras, typically).
    pub hls: bool,
    /// The HLS playlist's URL, relative to the gateway like `snapshot`.
    #[ts(skip)]
    #[serde(skip)]
    pub hls_playlist: Option<String>,
}

/// What the matrix starts from: cameras, where to fetch their media, and how
/// many live streams the gateway allows this client (all windows together).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct VideoCatalogue {
    /// Where the webview fetches media: the app's own scheme
    /// (`{media_url}/live/{camera_id}?after={seq}`, `{media_url}/snapshot/{camera_id}`).
    pub media_url: String,
    /// `max_streams_per_client` from the gateway's health; `None` when the
    /// gateway did not answer (the UI then opens no live stream at all).
    pub max_streams: Option<u32>,
    pub cameras: Vec<CameraTile>,
}

#[derive(Deserialize)]
struct RawCamera {
    camera_id: String,
    name: String,
    kind: String,
    status: String,
    #[serde(default)]
    grid_id: Option<String>,
    #[serde(default)]
    location: Option<Vec<f64>>,
    streams: RawStreams,
}

#[derive(Deserialize)]
struct RawStreams {
    snapshot: String,
    #[serde(default)]
    mjpeg: Option<String>,
    #[serde(default)]
    hls: Option<String>,
}

/// The tiles of the stored catalogue records `(id, raw JSON)`, sorted by
/// camera id so every window picks the same default scene. A record that
/// does not parse is skipped with a warning: one bad camera must not empty
/// the matrix.
pub fn catalogue(records: &[(String, String)]) -> Vec<CameraTile> {
    let mut tiles: Vec<CameraTile> = records
        .iter()
        .filter_map(|(id, raw)| match serde_json::from_str::<RawCamera>(raw) {
            Ok(camera) => Some(tile(camera)),
            Err(err) => {
                tracing::warn!(camera = %id, "skipping a camera that does not parse: {err}");
                None
            }
        })
        .collect();
    tiles.sort_by(|a, b| a.camera_id.cmp(&b.camera_id));
    tiles
}

fn tile(camera: RawCamera) -> CameraTile {
    let location = match camera.location.as_deref() {
        Some([lon, lat]) if lon.is_finite() && lat.is_finite() => Some([*lon, *lat]),
        _ => None,
    };
    CameraTile {
        camera_id: camera.camera_id,
        name: camera.name,
        kind: camera.kind,
        online: camera.status == "online",
        grid_id: camera.grid_id,
        location,
        snapshot: camera.streams.snapshot,
        live: camera
            .streams
            .mjpeg
            .as_ref()
            .is_some_and(|url| !url.is_empty()),
        mjpeg: camera.streams.mjpeg.filter(|url| !url.is_empty()),
        hls: camera
            .streams
            .hls
            .as_ref()
            .is_some_and(|url| !url.is_empty()),
        hls_playlist: camera.streams.hls.filter(|url| !url.is_empty()),
    }
}

/// `max_streams_per_client` from a `/vnet/v1/health` body, if it has one.
pub fn stream_cap(health: &serde_json::Value) -> Option<u32> {
    health
        .get("max_streams_per_client")?
        .as_u64()
        .and_then(|n| u32::try_from(n).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(id: &str, status: &str, mjpeg: serde_json::Value) -> (String, String) {
        let raw = serde_json::json!({
            "camera_id": id, "name": "<b>北门</b>", "kind": "ptz", "status": status,
            "grid_id": null, "location": [121.25, 30.17],
            "streams": { "snapshot": format!("/vnet/v1/cameras/{id}/snapshot.jpg"), "mjpeg": mjpeg, "hls": null },
            "ai_tasks": []
        });
        (id.to_owned(), raw.to_string())
    }

    #[test]
    fn tiles_keep_what_the_ui_needs_sorted_by_id_and_skip_bad_records() {
        let records = vec![
            record("2", "offline", serde_json::Value::Null),
            ("3".to_owned(), "{\"camera_id\": 3}".to_owned()),
            record("1", "online", "/vnet/v1/cameras/1/live.mjpeg".into()),
        ];
        let tiles = catalogue(&records);
        assert_eq!(
            tiles.len(),
            2,
            "the record without the required fields is skipped"
        );
        assert_eq!(tiles[0].camera_id, "1");
        assert!(tiles[0].online);
        assert!(tiles[0].live);
        assert!(!tiles[1].live);
        assert_eq!(
            tiles[0].mjpeg.as_deref(),
            Some("/vnet/v1/cameras/1/live.mjpeg")
        );
        assert_eq!(tiles[0].location, Some([121.25, 30.17]));
        assert_eq!(tiles[0].name, "<b>北门</b>", "names are passed on as given");
        assert!(!tiles[1].online);
        assert_eq!(tiles[1].mjpeg, None);
        assert!(!tiles[0].hls && tiles[0].hls_playlist.is_none());
    }

    #[test]
    fn a_camera_that_offers_only_hls_keeps_its_playlist() {
        let (id, raw) = record("9", "online", serde_json::Value::Null);
        let raw = raw.replace(
            "\"hls\":null",
            "\"hls\":\"/vnet/v1/cameras/9/live.m3u8?token=t\"",
        );
        let tiles = catalogue(&[(id, raw)]);
        assert!(!tiles[0].live);
        assert!(tiles[0].hls);
        assert_eq!(
            tiles[0].hls_playlist.as_deref(),
            Some("/vnet/v1/cameras/9/live.m3u8?token=t")
        );
    }

    #[test]
    fn the_cap_comes_from_health_or_not_at_all() {
        let health = serde_json::json!({"status": "ok", "max_streams_per_client": 16});
        assert_eq!(stream_cap(&health), Some(16));
        assert_eq!(stream_cap(&serde_json::json!({"status": "ok"})), None);
        assert_eq!(
            stream_cap(&serde_json::json!({"max_streams_per_client": -1})),
            None
        );
    }
}
