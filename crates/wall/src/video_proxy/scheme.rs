//! The `gridwall-video:` URI scheme: what the webview asks of the proxy.

use bytes::Bytes;

use tokio::time::Instant;

use super::{Frame, HlsBody, LIVE_PLAYLIST, MediaError, Poll, VideoProxy};

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

    /// A long poll's answer with no body: the next frame's number (`200`),
    /// or none in time (`204`).
    fn number(status: u16, seq: Option<u64>) -> Self {
        Self {
            status,
            content_type: "text/plain; charset=utf-8",
            seq,
            reason: None,
            body: Bytes::new(),
        }
    }

    fn hls(answer: HlsBody) -> Self {
        Self {
            status: 200,
            content_type: answer.content_type,
            seq: None,
            reason: None,
            body: answer.body,
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
    /// - `/live/{camera_id}?after={seq}`: the number of the next frame
    ///   (`200`, an empty body), or `204` when none came in time (ask
    ///   again), or the error;
    /// - `/frame/{camera_id}/{seq}`: that frame's JPEG (or a newer one), for
    ///   the tile's `<img src>`: the picture goes to the webview's image
    ///   loader, and no `Blob` per frame waits for the page's collector;
    /// - `/snapshot/{camera_id}`: one JPEG, or the error;
    /// - `/hls/{camera_id}/live.m3u8`: the camera's HLS playlist, its URIs
    ///   replaced by numbers; `/hls/{camera_id}/{number}`: what it listed.
    pub async fn answer(&self, path: &str, query: Option<&str>) -> MediaAnswer {
        const EXPECTED: &str =
            "expected /live/{camera}, /frame/{camera}/{seq}, /snapshot/{camera} or /hls/{camera}/…";
        let mut segments = path.trim_start_matches('/').splitn(2, '/');
        let (Some(kind), Some(camera)) = (segments.next(), segments.next()) else {
            return MediaAnswer::bad(EXPECTED);
        };
        match kind {
            "hls" => {
                let Some((camera, resource)) = camera.split_once('/') else {
                    return MediaAnswer::bad(EXPECTED);
                };
                let answer = if resource == LIVE_PLAYLIST {
                    self.hls_playlist(camera).await
                } else if let Ok(number) = resource.parse::<u64>() {
                    self.hls_resource(camera, number).await
                } else {
                    return MediaAnswer::bad("an HLS resource is live.m3u8 or a number");
                };
                match answer {
                    Ok(answer) => MediaAnswer::hls(answer),
                    Err(error) => MediaAnswer::error(&error),
                }
            }
            "frame" => {
                let Some((camera, seq)) = camera.split_once('/') else {
                    return MediaAnswer::bad(EXPECTED);
                };
                let Ok(seq) = seq.parse::<u64>() else {
                    return MediaAnswer::bad("a frame is named by its number");
                };
                match self.held_frame(camera, seq) {
                    Ok(frame) => MediaAnswer::jpeg(frame.jpeg, Some(frame.seq)),
                    Err(error) => MediaAnswer::error(&error),
                }
            }
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
                    Ok(Poll::Frame(frame)) => MediaAnswer::number(200, Some(frame.seq)),
                    Ok(Poll::NotYet) => MediaAnswer::number(204, None),
                    Err(error) => MediaAnswer::error(&error),
                }
            }
            _ => MediaAnswer::bad(EXPECTED),
        }
    }

    /// The frame `seq` of `camera_id`'s open stream, or the newer one it
    /// holds now; the stream counts as watched. An error when the stream
    /// closed meanwhile (the viewer's next poll says why).
    pub fn held_frame(&self, camera_id: &str, seq: u64) -> Result<Frame, MediaError> {
        let feed = self.state().feeds.get(camera_id).cloned();
        let gone = || MediaError::Failed("the stream holds no such frame".into());
        let feed = feed.ok_or_else(gone)?;
        *feed.last_asked.lock().expect("feed lock poisoned") = Instant::now();
        let frame = feed.frames.borrow().frame.clone();
        frame.filter(|f| f.seq >= seq).ok_or_else(gone)
    }
}
