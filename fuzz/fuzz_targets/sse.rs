//! The SSE parser, fed a stream cut into chunks at fuzzer-chosen points:
//! whatever the cuts, it reads what the WHATWG spec reads from the whole
//! stream (`sse_spec`), messages, ids and counts alike.

#![no_main]

use gridwall_fuzz::sse::Parser;
use gridwall_fuzz::{chunked, sse_spec};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (chunks, stream) = chunked(data);
    let mut parser = Parser::new();
    let mut messages = Vec::new();
    for chunk in chunks {
        parser.feed(chunk, &mut messages);
    }
    let got = sse_spec::Outcome {
        messages,
        invalid_lines: parser.invalid_lines,
        comments: parser.comments,
    };
    assert_eq!(got, sse_spec::interpret(stream));
});
