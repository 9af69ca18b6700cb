//! HLS through the proxy: a camera's playlists and segments, with every URI
//! in a playlist replaced by a number the page asks this proxy for.
//!
//! The page plays `{media_url}/hls/{camera}/live.m3u8` with hls.js. Each URI
//! the upstream playlist lists (segments, a variant playlist, an
//! `EXT-X-MAP` or `EXT-X-KEY` `URI="…"`) is resolved against the playlist's
//! own URL as RFC 3986 says — it may be relative, or absolute on another host
//! and port — and kept here under a number; the page gets the bare number,
//! relative to its playlist (`hls/{camera}/{n}`). So no upstream URL, and no
//! `token` in one, ever reaches the page, and a variant playlist fetched by
//! number is rewritten the same way.
//!
//! A camera playing HLS counts against the gateway's live stream cap like an
//! MJPEG stream while its playlist or segments were asked for within
//! [`HLS_ACTIVE`]: HLS is a string of short requests, not one connection, so
//! "open" means "recently asked". The last few segments are kept, so tiles
//! in several windows playing one camera cost one upstream fetch each.

use std::collections::VecDeque;
use std::time::Duration;

use bytes::Bytes;
use gridwall_ingest::address::{self, Url};
use tokio::time::Instant;

use super::{MediaError, VideoProxy, plain};

/// A camera whose HLS nobody asked for this long no longer counts as a live stream.
pub(super) const HLS_ACTIVE: Duration = Duration::from_secs(10);
/// A camera whose HLS nobody asked for this long is forgotten, numbers and all.
const HLS_FORGOTTEN: Duration = Duration::from_secs(300);
/// Numbered URIs kept per camera: several playlists' worth.
const URIS_KEPT: usize = 64;
/// Segment bodies kept per camera.
const SEGMENTS_KEPT: usize = 8;

/// The playlist name the page asks for first.
pub const LIVE_PLAYLIST: &str = "live.m3u8";
/// The content type of every playlist the proxy answers.
pub const PLAYLIST_TYPE: &str = "application/vnd.apple.mpegurl";

/// One camera's HLS as the page knows it.
pub(super) struct Session {
    last_asked: Instant,
    /// Upstream URLs the page knows by number, oldest first.
    uris: VecDeque<(u64, Url)>,
    /// Recent segment bodies by number, with their content type.
    segments: VecDeque<(u64, Bytes, &'static str)>,
}

impl Session {
    fn new(now: Instant) -> Self {
        Self {
            last_asked: now,
            uris: VecDeque::new(),
            segments: VecDeque::new(),
        }
    }

    pub(super) fn active(&self, now: Instant) -> bool {
        now.duration_since(self.last_asked) < HLS_ACTIVE
    }
}

/// What a numbered HLS resource turned out to be.
pub struct HlsBody {
    pub body: Bytes,
    pub content_type: &'static str,
}

impl VideoProxy {
    /// The camera's live playlist, its URIs replaced by numbers. Counts the
    /// camera as a live stream; [`MediaError::Cap`] when that would pass the cap.
    pub async fn hls_playlist(&self, camera_id: &str) -> Result<HlsBody, MediaError> {
        let reference = {
            let mut state = self.state();
            let reference = state
                .media
                .get(camera_id)
                .and_then(|m| m.hls.clone())
                .ok_or(MediaError::NotFound)?;
            let now = Instant::now();
            state
                .hls
                .retain(|_, s| now.duration_since(s.last_asked) < HLS_FORGOTTEN);
            let active = state.hls.get(camera_id).is_some_and(|s| s.active(now));
            if !active && state.live_streams(now) >= state.cap.unwrap_or(0) as usize {
                return Err(MediaError::Cap);
            }
            state
                .hls
                .entry(camera_id.to_owned())
                .or_insert_with(|| Session::new(now))
                .last_asked = now;
            reference
        };
        let url = self.resolve(&reference)?;
        self.fetch_hls(camera_id, url).await
    }

    /// A resource the camera's playlist listed, by the number the page got.
    pub async fn hls_resource(&self, camera_id: &str, number: u64) -> Result<HlsBody, MediaError> {
        let url = {
            let mut state = self.state();
            let session = state.hls.get_mut(camera_id).ok_or(MediaError::NotFound)?;
            session.last_asked = Instant::now();
            if let Some((_, body, content_type)) =
                session.segments.iter().find(|(n, _, _)| *n == number)
            {
                return Ok(HlsBody {
                    body: body.clone(),
                    content_type,
                });
            }
            session
                .uris
                .iter()
                .find(|(n, _)| *n == number)
                .map(|(_, url)| url.clone())
                .ok_or(MediaError::NotFound)?
        };
        let fetched = self.fetch_hls(camera_id, url).await?;
        if fetched.content_type != PLAYLIST_TYPE
            && let Some(session) = self.state().hls.get_mut(camera_id)
        {
            session
                .segments
                .push_back((number, fetched.body.clone(), fetched.content_type));
            while session.segments.len() > SEGMENTS_KEPT {
                session.segments.pop_front();
            }
        }
        Ok(fetched)
    }

    /// GETs `url`; a playlist comes back rewritten, anything else as it came.
    async fn fetch_hls(&self, camera_id: &str, url: Url) -> Result<HlsBody, MediaError> {
        let response = self.get_ok(url).await?;
        // Redirects followed: URIs in a playlist are relative to where it is.
        let base = response.url().clone();
        let declared = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_ascii_lowercase)
            .unwrap_or_default();
        let body = response
            .bytes()
            .await
            .map_err(|err| MediaError::Failed(plain(err)))?;
        if !(declared.contains("mpegurl") || body.starts_with(b"#EXTM3U")) {
            return Ok(HlsBody {
                body,
                content_type: media_type(&declared),
            });
        }
        let text = std::str::from_utf8(&body)
            .map_err(|_| MediaError::Failed("the playlist is not UTF-8".into()))?;
        let rewritten = rewrite(text, &base, |url| self.number(camera_id, url))?;
        Ok(HlsBody {
            body: Bytes::from(rewritten),
            content_type: PLAYLIST_TYPE,
        })
    }

    /// The number the page knows `url` by, a new one if it has none yet.
    fn number(&self, camera_id: &str, url: Url) -> String {
        let mut state = self.state();
        let session = state
            .hls
            .entry(camera_id.to_owned())
            .or_insert_with(|| Session::new(Instant::now()));
        if let Some((n, _)) = session.uris.iter().find(|(_, known)| *known == url) {
            return n.to_string();
        }
        let n = self
            .inner
            .seq
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst)
            + 1;
        session.uris.push_back((n, url));
        while session.uris.len() > URIS_KEPT {
            session.uris.pop_front();
        }
        n.to_string()
    }
}

/// The content type the page gets for a segment: the upstream's when it is
/// one a player knows, else bytes (hls.js looks at the bytes anyway).
fn media_type(declared: &str) -> &'static str {
    let essence = declared.split(';').next().unwrap_or("").trim();
    match essence {
        "video/mp2t" => "video/mp2t",
        "video/mp4" | "video/iso.segment" => "video/mp4",
        "audio/aac" => "audio/aac",
        "audio/mp4" => "audio/mp4",
        _ => "application/octet-stream",
    }
}

/// `playlist` with every URI (a line of its own, or a `URI="…"` attribute)
/// resolved against `base` and replaced by what `name` makes of it.
pub(super) fn rewrite(
    playlist: &str,
    base: &Url,
    mut name: impl FnMut(Url) -> String,
) -> Result<String, MediaError> {
    let mut resolve = |reference: &str| {
        address::resolve(base, reference)
            .map(&mut name)
            .map_err(|_| {
                MediaError::Failed("the playlist lists a URI that does not resolve".into())
            })
    };
    let mut out = String::with_capacity(playlist.len());
    for line in playlist.lines() {
        let trimmed = line.trim();
        if trimmed.is_empty() {
            out.push('\n');
            continue;
        }
        if !trimmed.starts_with('#') {
            out.push_str(&resolve(trimmed)?);
        } else if let Some(start) = uri_attribute(trimmed) {
            let value_end = trimmed[start..]
                .find('"')
                .map(|end| start + end)
                .ok_or_else(|| MediaError::Failed("a playlist tag has an unclosed URI".into()))?;
            out.push_str(&trimmed[..start]);
            out.push_str(&resolve(&trimmed[start..value_end])?);
            out.push_str(&trimmed[value_end..]);
        } else {
            out.push_str(trimmed);
        }
        out.push('\n');
    }
    Ok(out)
}

/// Where the value of a tag's `URI="…"` attribute starts (after the quote).
fn uri_attribute(tag: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(at) = tag[from..].find("URI=\"") {
        let at = from + at;
        // `URI` itself, not the tail of another attribute's name.
        if matches!(tag[..at].chars().last(), Some(':' | ',')) {
            return Some(at + "URI=\"".len());
        }
        from = at + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numbered(playlist: &str, base: &str) -> (String, Vec<String>) {
        let mut seen = Vec::new();
        let base = Url::parse(base).unwrap();
        let text = rewrite(playlist, &base, |url| {
            seen.push(url.to_string());
            (seen.len()).to_string()
        })
        .unwrap();
        (text, seen)
    }

    #[test]
    fn segment_uris_resolve_against_the_playlist_and_become_bare_numbers() {
        let playlist = "#EXTM3U\n#EXT-X-MEDIA-SEQUENCE:7\n#EXTINF:2.000,\nhls/7.ts?token=s3cret\n\
                        #EXT-X-DISCONTINUITY\n#EXTINF:2.000,\n/media/8.ts?token=s3cret\n\
                        #EXTINF:2.000,\nhttp://10.0.0.9:8554/seg/9.ts?token=s3cret\n";
        let (text, seen) = numbered(
            playlist,
            "http://127.0.0.2:9000/vnet/v1/cameras/1/live.m3u8?token=s3cret",
        );
        assert_eq!(
            seen,
            [
                "http://127.0.0.2:9000/vnet/v1/cameras/1/hls/7.ts?token=s3cret",
                "http://127.0.0.2:9000/media/8.ts?token=s3cret",
                "http://10.0.0.9:8554/seg/9.ts?token=s3cret",
            ]
        );
        assert_eq!(
            text,
            "#EXTM3U\n#EXT-X-MEDIA-SEQUENCE:7\n#EXTINF:2.000,\n1\n\
             #EXT-X-DISCONTINUITY\n#EXTINF:2.000,\n2\n#EXTINF:2.000,\n3\n"
        );
        assert!(!text.contains("token") && !text.contains("http"));
    }

    #[test]
    fn uri_attributes_are_rewritten_and_other_attributes_kept() {
        let playlist = "#EXTM3U\n#EXT-X-MAP:URI=\"init.mp4?token=t\",BYTERANGE=\"720@0\"\n\
                        #EXT-X-KEY:METHOD=AES-128,URI=\"https://keys.example/k?token=t\",IV=0x1\n\
                        #EXT-X-SESSION-DATA:DATA-ID=\"x\",XURI=\"keep\"\n";
        let (text, seen) = numbered(playlist, "http://h/c/live.m3u8");
        assert_eq!(
            seen,
            [
                "http://h/c/init.mp4?token=t",
                "https://keys.example/k?token=t"
            ]
        );
        assert!(
            text.contains("#EXT-X-MAP:URI=\"1\",BYTERANGE=\"720@0\"\n"),
            "{text}"
        );
        assert!(
            text.contains("#EXT-X-KEY:METHOD=AES-128,URI=\"2\",IV=0x1\n"),
            "{text}"
        );
        assert!(text.contains("XURI=\"keep\""), "{text}");
    }

    #[test]
    fn a_variant_playlist_is_rewritten_like_a_media_playlist() {
        let playlist = "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=800000,RESOLUTION=640x360\n\
                        low/index.m3u8?token=t\n";
        let (text, seen) = numbered(playlist, "http://h/c/live.m3u8?token=t");
        assert_eq!(seen, ["http://h/c/low/index.m3u8?token=t"]);
        assert!(text.ends_with("RESOLUTION=640x360\n1\n"), "{text}");
    }

    #[test]
    fn segment_types_a_player_knows_pass_and_others_are_bytes() {
        assert_eq!(media_type("video/mp2t; charset=binary"), "video/mp2t");
        assert_eq!(media_type("video/mp2t"), "video/mp2t");
        assert_eq!(media_type("text/html"), "application/octet-stream");
    }
}
