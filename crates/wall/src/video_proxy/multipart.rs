//! The gateway's MJPEG streams are `multipart/x-mixed-replace`: cut them
//! into JPEG frames, whatever the chunking.

use bytes::{Buf, Bytes, BytesMut};

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

/// The most a part may take, headers and delimiters included, before the
/// stream is refused: a 4K JPEG at high quality is a few MB, and without a
/// limit a gateway sending garbage would be buffered until the hung timer.
pub const MAX_PART: usize = 16 << 20;

/// Why a stream cannot be cut into parts. The parser refuses the stream from
/// then on; the proxy drops the connection with this reason.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PartError {
    #[error("a part of the camera stream declares {declared} bytes, over the limit of {limit}")]
    Declared { declared: u64, limit: usize },
    #[error("the camera stream sent {limit} bytes without a whole part")]
    TooLong { limit: usize },
}

/// Cuts a multipart byte stream into its parts' bodies, whatever the chunking.
/// A part's length comes from its `Content-Length` header when it has one,
/// else from the next boundary.
///
/// Memory is bounded: bytes before a delimiter are dropped as they come
/// (a preamble, or garbage), and a part that would need more than the limit
/// buffered to be cut out is refused (`PartError`), the same way however
/// the stream was chunked.
pub struct Multipart {
    delimiter: Vec<u8>,
    buf: BytesMut,
    limit: usize,
    refused: Option<PartError>,
}

impl Multipart {
    pub fn new(boundary: &str) -> Self {
        Self::with_limit(boundary, MAX_PART)
    }

    /// A parser that refuses parts over `limit` bytes (see `MAX_PART`).
    pub fn with_limit(boundary: &str, limit: usize) -> Self {
        // Servers differ on whether the boundary line carries the leading
        // dashes; accept it with them, as the RFC says.
        let boundary = boundary.strip_prefix("--").unwrap_or(boundary);
        Self {
            delimiter: format!("--{boundary}").into_bytes(),
            buf: BytesMut::new(),
            limit,
            refused: None,
        }
    }

    pub fn push(&mut self, bytes: &[u8]) {
        if self.refused.is_none() {
            self.buf.extend_from_slice(bytes);
        }
    }

    /// Bytes held for a part not yet whole.
    pub fn buffered(&self) -> usize {
        self.buf.len()
    }

    /// The next whole part's body, if the bytes so far hold one.
    ///
    /// # Errors
    /// A part over the limit; every later call answers the same.
    pub fn next_part(&mut self) -> Result<Option<Bytes>, PartError> {
        if let Some(refused) = &self.refused {
            return Err(refused.clone());
        }
        let cut = self.cut();
        if let Err(refused) = &cut {
            self.refused = Some(refused.clone());
            self.buf = BytesMut::new();
        }
        cut
    }

    fn cut(&mut self) -> Result<Option<Bytes>, PartError> {
        loop {
            let Some(start) = find(&self.buf, &self.delimiter) else {
                // No delimiter: only a tail that may begin one is worth keeping.
                let keep = self.delimiter.len() - 1;
                if self.buf.len() > keep {
                    self.buf.advance(self.buf.len() - keep);
                }
                return Ok(None);
            };
            self.buf.advance(start);
            let Some((body_at, body_end)) = self.part_end()? else {
                // Whatever ends this part lies past what is buffered.
                if self.buf.len() >= self.limit {
                    return Err(PartError::TooLong { limit: self.limit });
                }
                return Ok(None);
            };
            let mut taken = self.buf.split_to(body_end);
            let body = taken.split_off(body_at).freeze();
            if body.is_empty() {
                continue;
            }
            return Ok(Some(body));
        }
    }

    /// Where the body of the part at the start of the buffer begins and
    /// ends, or `None` until the bytes say. Refuses a part whose end lies
    /// past the limit.
    fn part_end(&self) -> Result<Option<(usize, usize)>, PartError> {
        let within = |end: usize| {
            if end > self.limit {
                Err(PartError::TooLong { limit: self.limit })
            } else {
                Ok(())
            }
        };
        let headers_at = self.delimiter.len();
        let Some(end_of_headers) = find(&self.buf[headers_at..], b"\r\n\r\n") else {
            return Ok(None);
        };
        let end_of_headers = end_of_headers + headers_at;
        let body_at = end_of_headers + 4;
        within(body_at)?;
        let headers = &self.buf[headers_at..end_of_headers];
        if let Some(length) = std::str::from_utf8(headers).ok().and_then(content_length) {
            let body_end = usize::try_from(length)
                .ok()
                .and_then(|l| l.checked_add(body_at))
                .filter(|&end| end <= self.limit)
                .ok_or(PartError::Declared {
                    declared: length,
                    limit: self.limit,
                })?;
            return Ok((self.buf.len() >= body_end).then_some((body_at, body_end)));
        }
        let Some(next) = find(&self.buf[body_at..], &self.delimiter) else {
            return Ok(None);
        };
        let next = next + body_at;
        within(next + self.delimiter.len())?;
        // The CRLF before the next delimiter belongs to it, when the body
        // has room for one.
        let body_end = if self.buf[body_at..next].ends_with(b"\r\n") {
            next - 2
        } else {
            next
        };
        Ok(Some((body_at, body_end)))
    }
}

fn content_length(headers: &str) -> Option<u64> {
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
                    while let Some(p) = parts.next_part().unwrap() {
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
        assert_eq!(parts.next_part(), Ok(None));
    }

    fn cut_all(parts: &mut Multipart, chunks: &[&[u8]]) -> (Vec<Vec<u8>>, Option<PartError>) {
        let mut got = Vec::new();
        for chunk in chunks {
            parts.push(chunk);
            loop {
                match parts.next_part() {
                    Ok(Some(p)) => got.push(p.to_vec()),
                    Ok(None) => break,
                    Err(refused) => return (got, Some(refused)),
                }
            }
        }
        (got, None)
    }

    /// Found by fuzzing (`fuzz/regressions/multipart/`): a part with no
    /// headers and no body, its CRLF shared with the next delimiter, made
    /// the body end before it began, and the proxy's task panicked.
    #[test]
    fn an_empty_part_before_the_next_delimiter_is_skipped() {
        let stream = b"--frame\r\n\r\n--frame\r\n\r\n\xff\xd8\xff\xd9\r\n--frame\r\n";
        let (got, refused) = cut_all(&mut Multipart::new("frame"), &[stream]);
        assert_eq!(got, [b"\xff\xd8\xff\xd9".to_vec()]);
        assert_eq!(refused, None);
    }

    /// A declared length past the limit (or past `usize`, which overflowed
    /// the body's end) refuses the stream at once, with the figure.
    #[test]
    fn a_declared_length_over_the_limit_refuses_the_stream() {
        for declared in [u64::MAX, 16_777_216] {
            let head = format!("--frame\r\nContent-Length: {declared}\r\n\r\nJPEG");
            let (got, refused) = cut_all(&mut Multipart::new("frame"), &[head.as_bytes()]);
            assert!(got.is_empty());
            assert_eq!(
                refused,
                Some(PartError::Declared {
                    declared,
                    limit: MAX_PART
                })
            );
        }
    }

    /// A gateway sending garbage, or a part that never ends, is not buffered
    /// without end: the garbage is dropped as it comes, the endless part is
    /// refused once it passes the limit.
    #[test]
    fn endless_garbage_is_not_buffered() {
        let garbage = vec![b'-'; 64 << 10];
        let mut parts = Multipart::with_limit("frame", 1 << 20);
        for _ in 0..64 {
            parts.push(&garbage);
            assert_eq!(parts.next_part(), Ok(None));
            assert!(parts.buffered() < 8, "buffered {}", parts.buffered());
        }
        parts.push(b"--frame\r\n\r\n");
        let (got, refused) = cut_all(&mut parts, &[&garbage[..]; 16]);
        assert!(got.is_empty());
        assert_eq!(refused, Some(PartError::TooLong { limit: 1 << 20 }));
        assert_eq!(parts.buffered(), 0);
    }

    /// The committed fuzz inputs (`fuzz/seeds/multipart/` and
    /// `fuzz/regressions/multipart/`, see `fuzz/README.md`) cut the same
    /// whatever the chunking, under a small limit too, and never hold
    /// more than the limit between chunks.
    #[test]
    fn committed_fuzz_inputs_cut_the_same_whatever_the_chunking() {
        let inputs = fuzz_inputs("multipart");
        assert!(inputs.len() >= 3, "the seeds are committed");
        for (name, stream) in inputs {
            for limit in [64, MAX_PART] {
                let whole = cut_all(
                    &mut Multipart::with_limit("gridwallframe", limit),
                    &[&stream],
                );
                for piece in [1, 2, 3, 5, 8, 13, 64, 251] {
                    let chunks: Vec<&[u8]> = stream.chunks(piece).collect();
                    let mut parts = Multipart::with_limit("gridwallframe", limit);
                    let mut got = (Vec::new(), None);
                    for chunk in chunks {
                        let (more, refused) = cut_all(&mut parts, &[chunk]);
                        got.0.extend(more);
                        if refused.is_some() {
                            got.1 = refused;
                            break;
                        }
                        assert!(
                            parts.buffered() <= limit,
                            "{name}: buffered {}",
                            parts.buffered()
                        );
                    }
                    assert_eq!(got, whole, "{name} in pieces of {piece}, limit {limit}");
                }
            }
        }
    }

    fn fuzz_inputs(target: &str) -> Vec<(String, Vec<u8>)> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz");
        let mut inputs = Vec::new();
        for dir in ["seeds", "regressions"] {
            let Ok(entries) = std::fs::read_dir(root.join(dir).join(target)) else {
                continue;
            };
            for entry in entries {
                let path = entry.expect("a readable fuzz input").path();
                let bytes = std::fs::read(&path).expect("a readable fuzz input");
                inputs.push((path.display().to_string(), bytes));
            }
        }
        inputs
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
