//! What the fuzz targets share: the parsers under test, compiled from their
//! own source files, and the properties each target asserts.
//!
//! The parsers are included by path rather than through their crates: the
//! crates around them (the store with sqlx, the wall with reqwest and geo)
//! would cost a sanitizer build of most of the app for three files that
//! need only `bytes`, `thiserror`, `serde_json` and the domain types. The
//! three files import nothing of their own crates, which keeps this honest:
//! a fuzz build that no longer compiles says one of them started to.

#![allow(dead_code)]

#[path = "../../crates/ingest/src/sse.rs"]
pub mod sse;

#[path = "../../crates/wall/src/video_proxy/multipart.rs"]
pub mod multipart;

#[path = "../../crates/store/src/parse.rs"]
pub mod parse;

pub mod sse_spec;

/// Splits a fuzz input into the cut points of its chunking and the stream.
///
/// The first byte is the number of cuts (at most 32), the next two bytes
/// per cut its position (little-endian, modulo the stream's length plus one);
/// the rest is the stream. A seed made of `0x00` and a captured stream is
/// that stream fed whole.
pub fn chunked(data: &[u8]) -> (Vec<&[u8]>, &[u8]) {
    let Some((&n, rest)) = data.split_first() else {
        return (Vec::new(), data);
    };
    let n = usize::from(n % 33);
    let header = (2 * n).min(rest.len());
    let (positions, stream) = rest.split_at(header);
    let mut cuts: Vec<usize> = positions
        .chunks_exact(2)
        .map(|p| usize::from(u16::from_le_bytes([p[0], p[1]])) % (stream.len() + 1))
        .collect();
    cuts.sort_unstable();
    cuts.dedup();
    let mut chunks = Vec::with_capacity(cuts.len() + 1);
    let mut from = 0;
    for cut in cuts {
        chunks.push(&stream[from..cut]);
        from = cut;
    }
    chunks.push(&stream[from..]);
    (chunks, stream)
}
