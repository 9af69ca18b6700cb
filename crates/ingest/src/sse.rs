//! Server-Sent Events, parsed by hand: the format is a few line rules (WHATWG
//! HTML, "event stream interpretation"), and owning them lets the client count
//! what it cannot read instead of losing it silently inside a crate. Chunks
//! may split lines and `\r\n` anywhere; the parser keeps what is pending.
//! One parser reads one connection: the BOM the format allows first is
//! dropped only there. `fuzz/` checks it against the spec's reading of the
//! whole stream, cut into chunks anywhere.
//!
//! Memory is bounded: a message (its pending line and the data gathered so
//! far) over [`MAX_MESSAGE`] bytes stops the parser for good
//! ([`Parser::overflowed`]). Messages completed before it are still handed
//! out; the caller drops the connection and reads the rest another way
//! (the feed reads the same span from pages), rather than buffer a server's
//! endless line until the machine runs out of memory.

/// The most a single message may hold: far above the largest event the
/// contract allows (free text is at most 8,000 characters per field).
pub const MAX_MESSAGE: usize = 16 << 20;

/// One dispatched message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    /// `event:` (the spec's default `message` when absent).
    pub event: String,
    /// The `data:` lines joined with `\n`.
    pub data: String,
    /// The last event ID in force when the message was dispatched.
    pub id: Option<String>,
}

/// The parser's state between chunks.
#[derive(Debug)]
pub struct Parser {
    line: Vec<u8>,
    /// The previous chunk ended in `\r`: a `\n` first in this one belongs to it.
    after_cr: bool,
    event: Option<String>,
    data: Option<String>,
    last_id: Option<String>,
    /// Lines that are not SSE (not UTF-8, or an unknown field), skipped.
    pub invalid_lines: u64,
    /// Comment lines (`: ping`) seen.
    pub comments: u64,
    /// A line has been completed: a BOM is dropped only before the first.
    past_first_line: bool,
    /// The bound on one message's bytes (see [`MAX_MESSAGE`]).
    limit: usize,
    /// A message went over the bound: nothing more is read.
    overflowed: bool,
}

impl Default for Parser {
    fn default() -> Parser {
        Parser::with_limit(MAX_MESSAGE)
    }
}

impl Parser {
    pub fn new() -> Parser {
        Parser::default()
    }

    /// A parser that stops at a message over `limit` bytes.
    pub fn with_limit(limit: usize) -> Parser {
        Parser {
            line: Vec::new(),
            after_cr: false,
            event: None,
            data: None,
            last_id: None,
            invalid_lines: 0,
            comments: 0,
            past_first_line: false,
            limit,
            overflowed: false,
        }
    }

    /// Whether a message went over the bound; the parser then ignores
    /// everything fed to it, and the connection should be dropped.
    pub fn overflowed(&self) -> bool {
        self.overflowed
    }

    /// The bytes the message being read holds so far.
    fn pending(&self) -> usize {
        self.line.len() + self.data.as_ref().map_or(0, String::len)
    }

    /// Feeds one chunk; complete messages are pushed onto `out`.
    pub fn feed(&mut self, chunk: &[u8], out: &mut Vec<Message>) {
        if self.overflowed {
            return;
        }
        let mut rest = chunk;
        if self.after_cr {
            self.after_cr = false;
            if let Some(stripped) = rest.strip_prefix(b"\n") {
                rest = stripped;
            }
        }
        while let Some(end) = rest.iter().position(|&b| b == b'\n' || b == b'\r') {
            if self.pending() + end > self.limit {
                self.overflow();
                return;
            }
            self.line.extend_from_slice(&rest[..end]);
            let line = std::mem::take(&mut self.line);
            self.line_done(&line, out);
            let was_cr = rest[end] == b'\r';
            rest = &rest[end + 1..];
            if was_cr {
                if rest.is_empty() {
                    self.after_cr = true;
                } else if rest[0] == b'\n' {
                    rest = &rest[1..];
                }
            }
        }
        if self.pending() + rest.len() > self.limit {
            self.overflow();
            return;
        }
        self.line.extend_from_slice(rest);
    }

    fn overflow(&mut self) {
        self.overflowed = true;
        self.line = Vec::new();
        self.data = None;
        self.event = None;
    }

    fn line_done(&mut self, line: &[u8], out: &mut Vec<Message>) {
        // The spec drops one U+FEFF that opens the stream; the line buffer
        // holds all of it however the chunks split it.
        let line = match self.past_first_line {
            true => line,
            false => line.strip_prefix("\u{FEFF}".as_bytes()).unwrap_or(line),
        };
        self.past_first_line = true;
        if line.is_empty() {
            self.dispatch(out);
            return;
        }
        let Ok(line) = std::str::from_utf8(line) else {
            self.invalid_lines += 1;
            return;
        };
        if line.starts_with(':') {
            self.comments += 1;
            return;
        }
        let (field, value) = match line.split_once(':') {
            Some((f, v)) => (f, v.strip_prefix(' ').unwrap_or(v)),
            None => (line, ""),
        };
        match field {
            "event" => self.event = Some(value.to_owned()),
            "data" => match &mut self.data {
                Some(data) => {
                    data.push('\n');
                    data.push_str(value);
                }
                None => self.data = Some(value.to_owned()),
            },
            "id" if !value.contains('\0') => self.last_id = Some(value.to_owned()),
            "retry" => {}
            _ => self.invalid_lines += 1,
        }
    }

    fn dispatch(&mut self, out: &mut Vec<Message>) {
        let event = self.event.take().filter(|e| !e.is_empty());
        if let Some(data) = self.data.take() {
            out.push(Message {
                event: event.unwrap_or_else(|| "message".to_owned()),
                data,
                id: self.last_id.clone(),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_in_pieces(text: &[u8], piece: usize) -> (Vec<Message>, Parser) {
        let mut parser = Parser::new();
        let mut out = Vec::new();
        for chunk in text.chunks(piece) {
            parser.feed(chunk, &mut out);
        }
        (out, parser)
    }

    #[test]
    fn messages_survive_any_chunking_and_line_ending() {
        let text = b": ping\r\n\r\nevent: event\r\nid: 7\r\ndata: {\"a\":1}\r\n\r\nevent: ack\nid: 8\ndata: x\ndata: y\n\n";
        for piece in 1..text.len() {
            let (out, parser) = parse_in_pieces(text, piece);
            assert_eq!(out.len(), 2, "piece {piece}");
            assert_eq!(out[0].event, "event");
            assert_eq!(out[0].id.as_deref(), Some("7"));
            assert_eq!(out[0].data, "{\"a\":1}");
            assert_eq!(out[1].data, "x\ny");
            assert_eq!(parser.comments, 1);
            assert_eq!(parser.invalid_lines, 0);
        }
    }

    #[test]
    fn a_bom_opening_the_stream_is_dropped_in_any_chunking() {
        // Issue 18: the simulator's hostile framing opens each stream with a
        // BOM and goes straight into a field, as the format allows.
        let text = "\u{FEFF}event: event\rid: 9\rdata: {}\r\r".as_bytes();
        for piece in 1..text.len() {
            let (out, parser) = parse_in_pieces(text, piece);
            assert_eq!(out.len(), 1, "piece {piece}");
            assert_eq!(out[0].event, "event", "piece {piece}");
            assert_eq!(parser.invalid_lines, 0, "piece {piece}");
        }
    }

    #[test]
    fn lines_that_are_not_sse_are_counted_and_skipped() {
        let (out, parser) = parse_in_pieces(b"garbage here\n\xff\xfe\ndata: ok\n\n", 3);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].event, "message");
        assert_eq!(parser.invalid_lines, 2);
    }

    /// Found by fuzzing (`fuzz/regressions/sse/`): the spec's type for an
    /// empty `event:` is `message`, as for none.
    #[test]
    fn an_empty_event_type_is_a_message() {
        let (out, _) = parse_in_pieces(b"event:\ndata: x\n\nevent: \ndata: y\n\n", 100);
        let types: Vec<&str> = out.iter().map(|m| m.event.as_str()).collect();
        assert_eq!(types, ["message", "message"]);
    }

    /// The spec strips one leading byte order mark from the stream; kept, it
    /// made the first line an unknown field and lost the first message.
    #[test]
    fn a_leading_byte_order_mark_is_skipped_whatever_the_chunking() {
        let text = b"\xEF\xBB\xBFdata: first\n\n\xEF\xBB\xBFdata: second\n\n";
        for piece in 1..text.len() {
            let (out, parser) = parse_in_pieces(text, piece);
            assert_eq!(out.len(), 1, "piece {piece}");
            assert_eq!(out[0].data, "first");
            assert_eq!(
                parser.invalid_lines, 1,
                "only the stream's first byte order mark is skipped"
            );
        }
    }

    /// The committed fuzz inputs (`fuzz/seeds/sse/`, `fuzz/regressions/sse/`,
    /// see `fuzz/README.md`) read the same whatever the chunking.
    #[test]
    fn committed_fuzz_inputs_read_the_same_whatever_the_chunking() {
        let inputs = fuzz_inputs("sse");
        assert!(inputs.len() >= 3, "the seeds are committed");
        for (name, stream) in inputs {
            let (whole, parser) = parse_in_pieces(&stream, stream.len().max(1));
            let counts = (parser.invalid_lines, parser.comments);
            for piece in [1, 2, 3, 5, 8, 13, 64, 251] {
                let (out, parser) = parse_in_pieces(&stream, piece);
                assert_eq!(out, whole, "{name} in pieces of {piece}");
                assert_eq!((parser.invalid_lines, parser.comments), counts, "{name}");
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

    /// Issue 18: a server may send a line that never ends. Unbounded, the
    /// parser buffered it until the machine ran out of memory.
    #[test]
    fn a_message_over_the_bound_stops_the_parser_and_its_buffer_stays_bounded() {
        let limit = 1000;
        let mut text = b"data: first\n\nid: 2\ndata: ".to_vec();
        text.extend(std::iter::repeat_n(b'x', 5 * limit));
        text.extend(b"\n\ndata: after\n\n");
        for piece in [1, 7, 64, 999, 4096, text.len()] {
            let mut parser = Parser::with_limit(limit);
            let mut out = Vec::new();
            for chunk in text.chunks(piece) {
                parser.feed(chunk, &mut out);
                assert!(
                    parser.pending() <= limit,
                    "piece {piece}: {} bytes held",
                    parser.pending()
                );
            }
            assert!(parser.overflowed(), "piece {piece}");
            let data: Vec<&str> = out.iter().map(|m| m.data.as_str()).collect();
            assert_eq!(
                data,
                ["first"],
                "piece {piece}: only what came before the long message"
            );
        }
        // Many data lines that each fit add up to the same bound.
        let mut parser = Parser::with_limit(limit);
        let mut out = Vec::new();
        for _ in 0..100 {
            parser.feed(
                b"data: 0123456789012345678901234567890123456789\n",
                &mut out,
            );
        }
        assert!(parser.overflowed());
        assert!(out.is_empty());
        // At the bound, not over it, a message is read.
        let mut parser = Parser::with_limit(limit);
        let line = format!("data: {}\n\n", "y".repeat(limit - 6));
        parser.feed(line.as_bytes(), &mut out);
        assert!(!parser.overflowed());
        assert_eq!(out.len(), 1);
    }

    #[test]
    fn a_message_without_data_is_not_dispatched_and_ids_carry_over() {
        let (out, _) = parse_in_pieces(b"id: 3\nevent: x\n\ndata: a\n\n", 100);
        assert_eq!(out.len(), 1);
        assert_eq!(
            out[0].event, "message",
            "the event type does not outlive its message"
        );
        assert_eq!(out[0].id.as_deref(), Some("3"));
    }
}
