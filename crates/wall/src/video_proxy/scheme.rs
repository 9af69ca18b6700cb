//! The `gridwall-video:` URI scheme: what the webview asks of the proxy.

use bytes::Bytes;

use super::{MediaError, Poll, VideoProxy};

/// The URI scheme the shell serves media on, and the webview's base URL for it
/// (WebKitGTK spells custom schemes `scheme://localhost/`).
pub const SCHEME: &str = "gridwall-video";
pub const MEDIA_BASE: &str = "gridwall-video://localhost";

/// An answer of the media scheme, for the shell to turn into an HTTP response.
#[derive(Clone, Debug)]
pub struct MediaAnswer {
    pub status: u16,
    pub content_type: &'static str,
    /// The frame's number, for the viewer's next `after`.
    pub seq: Option<u64>,
    /// Why there is no media ([`MediaError::reason`]), on errors.
    pub reason: Option<&'static str>,
    pub body: Bytes,
}

impl MediaAnswer {
    fn jpeg(body: Bytes, seq: Option<u64>) -> Self {
        Self {
            status: 200,
            content_type: "image/jpeg",
            seq,
            reason: None,
            body,
        }
    }

    fn error(error: &MediaError) -> Self {
        Self {
            status: error.status(),
            content_type: "text/plain; charset=utf-8",
            seq: None,
            reason: Some(error.reason()),
            body: Bytes::from(error.to_string()),
        }
    }

    fn bad(message: &'static str) -> Self {
        Self {
            status: 400,
            content_type: "text/plain; charset=utf-8",
            seq: None,
            reason: Some("bad_request"),
            body: Bytes::from_static(message.as_bytes()),
        }
    }
}

impl VideoProxy {
    /// Answers one request of the media scheme, by its path and query:
    ///
    /// - `/live/{camera_id}?after={seq}`: the next frame (`200`, with its
    ///   number), or `204` when none came in time (ask again), or the error;
    /// - `/snapshot/{camera_id}`: one JPEG, or the error.
    pub async fn answer(&self, path: &str, query: Option<&str>) -> MediaAnswer {
        let mut segments = path.trim_start_matches('/').splitn(2, '/');
        let (Some(kind), Some(camera)) = (segments.next(), segments.next()) else {
            return MediaAnswer::bad("expected /live/{camera} or /snapshot/{camera}");
        };
        match kind {
            "snapshot" => match self.snapshot(camera).await {
                Ok(jpeg) => MediaAnswer::jpeg(jpeg, None),
                Err(error) => MediaAnswer::error(&error),
            },
            "live" => {
                let after = query
                    .unwrap_or_default()
                    .split('&')
                    .find_map(|p| p.strip_prefix("after="))
                    .map_or(Ok(0), str::parse::<u64>);
                let Ok(after) = after else {
                    return MediaAnswer::bad("after must be a frame number");
                };
                match self.next_frame(camera, after).await {
                    Ok(Poll::Frame(frame)) => MediaAnswer::jpeg(frame.jpeg, Some(frame.seq)),
                    Ok(Poll::NotYet) => MediaAnswer {
                        status: 204,
                        content_type: "text/plain; charset=utf-8",
                        seq: None,
                        reason: None,
                        body: Bytes::new(),
                    },
                    Err(error) => MediaAnswer::error(&error),
                }
            }
            _ => MediaAnswer::bad("expected /live/{camera} or /snapshot/{camera}"),
        }
    }
}
