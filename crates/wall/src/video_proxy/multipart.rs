//! The gateway's MJPEG streams are `multipart/x-mixed-replace`: cut them
//! into JPEG frames, whatever the chunking.

use bytes::{Bytes, BytesMut};

/// The boundary of a `multipart/x-mixed-replace; boundary=...` content type.
pub fn boundary_of(content_type: &str) -> Option<String> {
    let mut params = content_type.split(';');
    let kind = params.next()?.trim();
    if !kind.eq_ignore_ascii_case("multipart/x-mixed-replace") {
        return None;
    }
    params.find_map(|p| {
        let (key, value) = p.split_once('=')?;
        key.trim()
            .eq_ignore_ascii_case("boundary")
            .then(|| value.trim().trim_matches('"').to_owned())
            .filter(|b| !b.is_empty())
    })
}

/// Cuts a multipart byte stream into its parts' bodies, whatever the chunking.
/// A part's length comes from its `Content-Length` header when it has one,
/// else from the next boundary.
pub struct Multipart {
    delimiter: Vec<u8>,
    buf: BytesMut,
}

impl Multipart {
    pub fn new(boundary: &str) -> Self {
        // Servers differ on whether the boundary line carries the leading
        // dashes; accept it with them, as the RFC says.
        let boundary = boundary.strip_prefix("--").unwrap_or(boundary);
        Self {
            delimiter: format!("--{boundary}").into_bytes(),
            buf: BytesMut::new(),
        }
    }

    pub fn push(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    /// The next whole part's body, if the bytes so far hold one.
    pub fn next_part(&mut self) -> Option<Bytes> {
        loop {
            let start = find(&self.buf, &self.delimiter)?;
            let headers_at = start + self.delimiter.len();
            let end_of_headers = find(&self.buf[headers_at..], b"\r\n\r\n")? + headers_at;
            let headers = &self.buf[headers_at..end_of_headers];
            let body_at = end_of_headers + 4;
            let length = std::str::from_utf8(headers).ok().and_then(content_length);
            let body_end = match length {
                Some(length) => {
                    if self.buf.len() < body_at + length {
                        return None;
                    }
                    body_at + length
                }
                None => {
                    let next = find(&self.buf[body_at..], &self.delimiter)? + body_at;
                    // The CRLF before the next delimiter belongs to it.
                    if self.buf[..next].ends_with(b"\r\n") {
                        next - 2
                    } else {
                        next
                    }
                }
            };
            let mut taken = self.buf.split_to(body_end);
            let body = taken.split_off(body_at).freeze();
            if body.is_empty() {
                continue;
            }
            return Some(body);
        }
    }
}

fn content_length(headers: &str) -> Option<usize> {
    headers.split("\r\n").find_map(|line| {
        let (name, value) = line.split_once(':')?;
        name.trim()
            .eq_ignore_ascii_case("content-length")
            .then(|| value.trim().parse().ok())
            .flatten()
    })
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn part(jpeg: &[u8], with_length: bool) -> Vec<u8> {
        let mut out = b"--frame\r\nContent-Type: image/jpeg\r\n".to_vec();
        if with_length {
            out.extend_from_slice(format!("Content-Length: {}\r\n", jpeg.len()).as_bytes());
        }
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(jpeg);
        out.extend_from_slice(b"\r\n");
        out
    }

    #[test]
    fn parts_come_out_whole_whatever_the_chunking() {
        for with_length in [true, false] {
            let mut stream = Vec::new();
            let frames: Vec<Vec<u8>> = (0..5u8)
                .map(|i| vec![0xff, 0xd8, i, b'-', b'-', 0xff, 0xd9])
                .collect();
            for f in &frames {
                stream.extend(part(f, with_length));
            }
            stream.extend_from_slice(b"--frame\r\n");
            for chunk_size in [1, 3, 7, 64, stream.len()] {
                let mut parts = Multipart::new("frame");
                let mut got = Vec::new();
                for chunk in stream.chunks(chunk_size) {
                    parts.push(chunk);
                    while let Some(p) = parts.next_part() {
                        got.push(p.to_vec());
                    }
                }
                assert_eq!(got, frames, "chunks of {chunk_size}, length {with_length}");
            }
        }
    }

    #[test]
    fn a_part_cut_in_the_middle_is_not_a_frame() {
        let mut parts = Multipart::new("frame");
        let whole = part(b"\xff\xd8abcdef\xff\xd9", true);
        parts.push(&whole[..whole.len() - 6]);
        assert!(parts.next_part().is_none());
    }

    #[test]
    fn the_boundary_comes_from_the_content_type() {
        assert_eq!(
            boundary_of("multipart/x-mixed-replace; boundary=gridwallframe").as_deref(),
            Some("gridwallframe")
        );
        assert_eq!(
            boundary_of("multipart/x-mixed-replace;boundary=\"a b\"").as_deref(),
            Some("a b")
        );
        assert_eq!(boundary_of("image/jpeg"), None);
        assert_eq!(boundary_of("multipart/x-mixed-replace"), None);
    }
}
