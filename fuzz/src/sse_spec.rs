//! The oracle of the SSE target: WHATWG HTML's "event stream interpretation"
//! applied to a whole stream at once, as plainly as the spec words it, with
//! the two choices the app's parser documents on top: a line that is not
//! UTF-8 is counted and skipped (the spec would decode it lossily), and so
//! are unknown fields and an `id` the spec ignores.

use crate::sse::Message;

/// What the app's parser reports for a whole stream.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Outcome {
    pub messages: Vec<Message>,
    pub invalid_lines: u64,
    pub comments: u64,
}

/// The spec's reading of `stream`; a last line without its end is pending,
/// not read.
pub fn interpret(stream: &[u8]) -> Outcome {
    let stream = stream.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(stream);
    let mut outcome = Outcome::default();
    let mut event_type = String::new();
    let mut data = String::new();
    let mut has_data = false;
    let mut last_id: Option<String> = None;
    for line in complete_lines(stream) {
        if line.is_empty() {
            // Dispatch: only when a `data` field was seen.
            if has_data {
                outcome.messages.push(Message {
                    event: if event_type.is_empty() {
                        "message".to_owned()
                    } else {
                        event_type.clone()
                    },
                    data: data.strip_suffix('\n').unwrap_or(&data).to_owned(),
                    id: last_id.clone(),
                });
            }
            event_type.clear();
            data.clear();
            has_data = false;
            continue;
        }
        let Ok(line) = std::str::from_utf8(line) else {
            outcome.invalid_lines += 1;
            continue;
        };
        if line.starts_with(':') {
            outcome.comments += 1;
            continue;
        }
        let (field, value) = match line.find(':') {
            Some(at) => {
                let value = &line[at + 1..];
                (&line[..at], value.strip_prefix(' ').unwrap_or(value))
            }
            None => (line, ""),
        };
        match field {
            "event" => event_type = value.to_owned(),
            "data" => {
                data.push_str(value);
                data.push('\n');
                has_data = true;
            }
            "id" if !value.contains('\0') => last_id = Some(value.to_owned()),
            "retry" => {}
            _ => outcome.invalid_lines += 1,
        }
    }
    outcome
}

/// The lines of `stream` that end in CRLF, LF or CR; the rest is pending.
fn complete_lines(stream: &[u8]) -> Vec<&[u8]> {
    let mut lines = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < stream.len() {
        match stream[i] {
            b'\n' => {
                lines.push(&stream[start..i]);
                start = i + 1;
            }
            b'\r' => {
                lines.push(&stream[start..i]);
                if stream.get(i + 1) == Some(&b'\n') {
                    i += 1;
                }
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    lines
}
