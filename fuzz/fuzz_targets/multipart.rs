//! The MJPEG multipart parser, fed a stream cut into chunks at
//! fuzzer-chosen points: the parts it cuts, and whether and why it refuses
//! the stream, do not depend on the cuts; between chunks it never holds more
//! than its limit. Half the inputs run with a limit of 64 bytes rather than
//! the proxy's, so the refusals are reached within libFuzzer's input sizes.

#![no_main]

use gridwall_fuzz::chunked;
use gridwall_fuzz::multipart::{MAX_PART, Multipart, PartError};
use libfuzzer_sys::fuzz_target;

const BOUNDARY: &str = "gridwallframe";

fn cut(chunks: &[&[u8]], limit: usize) -> (Vec<Vec<u8>>, Option<PartError>) {
    let mut parser = Multipart::with_limit(BOUNDARY, limit);
    let mut parts = Vec::new();
    for chunk in chunks {
        parser.push(chunk);
        loop {
            match parser.next_part() {
                Ok(Some(part)) => {
                    assert!(!part.is_empty(), "an empty part is no frame");
                    parts.push(part.to_vec());
                }
                Ok(None) => break,
                Err(refused) => {
                    assert!(!refused.to_string().is_empty());
                    assert_eq!(parser.buffered(), 0, "a refused stream holds nothing");
                    return (parts, Some(refused));
                }
            }
        }
        assert!(
            parser.buffered() <= limit.max(BOUNDARY.len() + 2),
            "buffered {} over the limit {limit}",
            parser.buffered()
        );
    }
    (parts, None)
}

fuzz_target!(|data: &[u8]| {
    let (chunks, stream) = chunked(data);
    // The first byte's value over 33 (its remainder is the number of cuts).
    let small = data.first().is_some_and(|&b| (b / 33) % 2 == 1);
    let limit = if small { 64 } else { MAX_PART };
    assert_eq!(cut(&chunks, limit), cut(&[stream], limit), "limit {limit}");
});
