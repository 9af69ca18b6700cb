//! Why a camera's media cannot be had, as the webview is told, and the
//! text of a transport error without its URL (which may carry a token).

use serde::Serialize;

/// Why a camera's media cannot be had now. The webview shows the reason.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, Serialize)]
#[serde(rename_all = "snake_case", tag = "reason", content = "detail")]
pub enum MediaError {
    /// The gateway's per-client stream cap is reached (counted here, or its 429).
    #[error("the gateway's limit of concurrent live streams is reached")]
    Cap,
    /// The gateway answered 503: the camera is offline or the gateway busy.
    #[error("the camera is offline")]
    Offline,
    /// Not in the catalogue, no MJPEG offered, or a 404 from the gateway.
    #[error("the camera offers no such media")]
    NotFound,
    /// The stream stayed open and sent no frame for too long.
    #[error("the live stream stopped sending pictures")]
    Hung,
    /// The stream ended or broke.
    #[error("the live stream ended: {0}")]
    Failed(String),
    /// 401 or 403: the media URL's token is stale; the catalogue must be fetched again.
    #[error("the gateway refused the media URL ({0}); the catalogue is fetched again")]
    Unauthorized(u16),
}

impl MediaError {
    /// The short name the webview reads.
    pub fn reason(&self) -> &'static str {
        match self {
            Self::Cap => "cap",
            Self::Offline => "offline",
            Self::NotFound => "not_found",
            Self::Hung => "hung",
            Self::Failed(_) => "failed",
            Self::Unauthorized(_) => "unauthorized",
        }
    }

    /// The HTTP status the URI scheme answers with.
    pub fn status(&self) -> u16 {
        match self {
            Self::Cap => 429,
            Self::Offline => 503,
            Self::NotFound => 404,
            Self::Hung => 504,
            Self::Failed(_) => 502,
            Self::Unauthorized(_) => 403,
        }
    }

    pub(super) fn from_status(status: reqwest::StatusCode) -> Self {
        match status.as_u16() {
            429 => Self::Cap,
            503 => Self::Offline,
            404 => Self::NotFound,
            code @ (401 | 403) => Self::Unauthorized(code),
            code => Self::Failed(format!("the gateway answered {code}")),
        }
    }
}

/// An error's text with its causes, without the URL (which may carry a token).
pub(super) fn plain(err: reqwest::Error) -> String {
    let err = err.without_url();
    let mut text = err.to_string();
    let mut source = std::error::Error::source(&err);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
