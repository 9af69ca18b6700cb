//! PTZ commands to the gateway, from the console.

use super::{VideoProxy, plain};

/// Why a PTZ command did not move the camera.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PtzError {
    /// 409: the camera is not PTZ, or another console holds it; the gateway's words.
    #[error("{0}")]
    Refused(String),
    #[error("the camera is offline")]
    Offline,
    #[error("no such camera")]
    NotFound,
    #[error("the PTZ command failed: {0}")]
    Failed(String),
}

impl VideoProxy {
    /// Sends one PTZ command to `camera_id` (speed 4).
    pub async fn ptz(
        &self,
        camera_id: &str,
        action: gridwall_domain::video::PtzAction,
    ) -> Result<(), PtzError> {
        let command = gridwall_domain::video::PtzCommand {
            action,
            speed: Some(4),
            preset: None,
        };
        // The camera id as one path segment, percent-encoded as a path wants.
        let mut url = self
            .resolve("vnet/v1/cameras/")
            .map_err(|e| PtzError::Failed(e.to_string()))?;
        url.path_segments_mut()
            .map_err(|()| PtzError::Failed("the gateway URL cannot take a path".into()))?
            .pop_if_empty()
            .extend([camera_id, "ptz"]);
        let response = self
            .inner
            .http
            .post(url)
            .json(&command)
            .timeout(self.inner.timings.snapshot_timeout)
            .send()
            .await
            .map_err(|err| PtzError::Failed(plain(err)))?;
        match response.status().as_u16() {
            200..=299 => Ok(()),
            409 => {
                let body: serde_json::Value = response.json().await.unwrap_or_default();
                let detail = body["detail"]
                    .as_str()
                    .or(body["title"].as_str())
                    .unwrap_or("the camera is not PTZ, or another console holds it");
                Err(PtzError::Refused(detail.to_owned()))
            }
            503 => Err(PtzError::Offline),
            404 => Err(PtzError::NotFound),
            code => Err(PtzError::Failed(format!("the gateway answered {code}"))),
        }
    }
}
