//! Raw revisions kept compactly (issue 17): each record as it arrived,
//! compressed on its own with zstd and a dictionary trained on the
//! governance platform's records, which ships inside the app
//! (`assets/revisions-1.dict`, made by `examples/train_dictionary.rs`).
//!
//! A record is a few hundred bytes of JSON: too small for zstd to find
//! much to share within it, but the field names, the enum values, the
//! address and title phrasing repeat across records, and a dictionary
//! holds them once for all. Each revision stays its own frame, so reading
//! one back (the incident timeline, the shift report, re-derivation) costs
//! one small decompression and no neighbour.
//!
//! `event_revisions.codec` says how `raw` is stored, so a store keeps
//! working when a later version trains a new dictionary (a new codec
//! number; the old dictionary stays in the binary for reading):
//!
//! - `PLAIN`: the bytes as they arrived (rows from before this codec);
//! - `ZSTD_1`: a zstd frame made with dictionary 1, without the
//!   dictionary id in the header (the codec says which);
//! - `ZSTD_PREVIOUS`: a zstd frame made with the record of the event's
//!   previous revision (`revision - 1`, as stored) as its dictionary. A
//!   revision repeats most of the one before it (title, address,
//!   description, attachments), so what remains is the fields that changed.
//!   Used when the writer has that record at hand (see
//!   `write::cache::LastRecords`); reading it back needs the previous one
//!   first, which the timeline reads anyway.

use std::cell::RefCell;
use std::sync::OnceLock;

use zstd::bulk::{Compressor, Decompressor};
use zstd::dict::{DecoderDictionary, EncoderDictionary};
use zstd::zstd_safe::CParameter;

/// The bytes as they arrived.
pub(crate) const PLAIN: i64 = 0;
/// A zstd frame made with [`DICTIONARY_1`].
pub(crate) const ZSTD_1: i64 = 1;
/// A zstd frame made with the previous revision's record as its dictionary.
pub(crate) const ZSTD_PREVIOUS: i64 = 2;

/// Trained on a simulated year of the platform's records.
const DICTIONARY_1: &[u8] = include_bytes!("../assets/revisions-1.dict");

/// zstd's default level: on records this small a higher one gains a few
/// per cent for several times the CPU (measured by `train_dictionary`).
const LEVEL: i32 = 3;

fn encoder_dictionary() -> &'static EncoderDictionary<'static> {
    static DICTIONARY: OnceLock<EncoderDictionary<'static>> = OnceLock::new();
    DICTIONARY.get_or_init(|| EncoderDictionary::copy(DICTIONARY_1, LEVEL))
}

fn decoder_dictionary() -> &'static DecoderDictionary<'static> {
    static DICTIONARY: OnceLock<DecoderDictionary<'static>> = OnceLock::new();
    DICTIONARY.get_or_init(|| DecoderDictionary::copy(DICTIONARY_1))
}

thread_local! {
    // One compression context per thread, made once: a context is tens of
    // kilobytes of tables, too much to set up for each record.
    static COMPRESSOR: RefCell<Option<Compressor<'static>>> = const { RefCell::new(None) };
    static DECOMPRESSOR: RefCell<Option<Decompressor<'static>>> = const { RefCell::new(None) };
}

fn new_compressor() -> std::io::Result<Compressor<'static>> {
    let mut compressor = Compressor::with_prepared_dictionary(encoder_dictionary())?;
    // The codec column names the dictionary: four bytes a row saved.
    compressor.set_parameter(CParameter::DictIdFlag(false))?;
    Ok(compressor)
}

/// `raw` as it is to be stored, given the stored record of the event's
/// previous revision if the writer has it: (codec, bytes).
pub(crate) fn pack(raw: &[u8], previous: Option<&[u8]>) -> (i64, Vec<u8>) {
    let packed = COMPRESSOR.with(|cell| {
        let mut cell = cell.borrow_mut();
        if cell.is_none() {
            *cell = new_compressor().ok();
        }
        let compressor = cell.as_mut()?;
        match previous {
            Some(previous) => compressor
                .compress_with_prefix(raw, previous)
                .ok()
                .map(|bytes| (ZSTD_PREVIOUS, bytes)),
            None => compressor.compress(raw).ok().map(|bytes| (ZSTD_1, bytes)),
        }
    });
    match packed {
        Some(packed) => packed,
        // zstd refused (it does not on any input; out of memory, say):
        // keep the record as it came rather than lose it.
        None => (PLAIN, raw.to_vec()),
    }
}

fn content_size(stored: &[u8]) -> Result<usize, String> {
    let size = zstd::zstd_safe::get_frame_content_size(stored)
        .ok()
        .flatten()
        .ok_or("a stored revision has no content size in its zstd frame")?;
    usize::try_from(size).map_err(|e| e.to_string())
}

/// The record as it arrived, from its stored form and, for
/// [`ZSTD_PREVIOUS`], the previous revision's record.
pub(crate) fn unpack(
    codec: i64,
    stored: Vec<u8>,
    previous: Option<&str>,
) -> Result<String, String> {
    let bytes = match codec {
        PLAIN => stored,
        ZSTD_PREVIOUS => {
            let previous =
                previous.ok_or("a stored revision needs its previous revision, which is gone")?;
            let mut out = Vec::with_capacity(content_size(&stored)?);
            let mut context = zstd::zstd_safe::DCtx::create();
            context
                .ref_prefix(previous.as_bytes())
                .map_err(|code| format!("zstd error {code}"))?;
            context
                .decompress(&mut out, &stored)
                .map_err(|code| format!("a stored revision does not decompress: {code}"))?;
            out
        }
        ZSTD_1 => {
            let size = content_size(&stored)?;
            DECOMPRESSOR.with(|cell| {
                let mut cell = cell.borrow_mut();
                if cell.is_none() {
                    *cell = Some(
                        Decompressor::with_prepared_dictionary(decoder_dictionary())
                            .map_err(|e| e.to_string())?,
                    );
                }
                let decompressor = cell.as_mut().ok_or("no decompressor")?;
                decompressor
                    .decompress(&stored, size)
                    .map_err(|e| format!("a stored revision does not decompress: {e}"))
            })?
        }
        other => return Err(format!("unknown codec {other} for a stored revision")),
    };
    String::from_utf8(bytes).map_err(|_| "a stored revision is not UTF-8".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_comes_back_byte_for_byte() {
        let record = r#"{"id":"E1","revision":2,"title":"浒山街道 事件","x_unknown":[1,2]}"#;
        let (codec, stored) = pack(record.as_bytes(), None);
        assert_eq!(codec, ZSTD_1);
        assert_eq!(unpack(codec, stored, None).as_deref(), Ok(record));
        assert_eq!(
            unpack(PLAIN, record.as_bytes().to_vec(), None).as_deref(),
            Ok(record)
        );
    }

    #[test]
    fn a_revision_packed_on_its_predecessor_needs_it_back() {
        let first = r#"{"id":"E1","revision":1,"state":"reported","description":"楼道堆放杂物，影响通行，居民多次反映。"}"#;
        let second = r#"{"id":"E1","revision":2,"state":"accepted","description":"楼道堆放杂物，影响通行，居民多次反映。"}"#;
        let (codec, stored) = pack(second.as_bytes(), Some(first.as_bytes()));
        assert_eq!(codec, ZSTD_PREVIOUS);
        assert!(stored.len() < pack(second.as_bytes(), None).1.len());
        assert_eq!(
            unpack(codec, stored.clone(), Some(first)).as_deref(),
            Ok(second)
        );
        assert!(unpack(codec, stored, None).is_err());
    }

    #[test]
    fn an_unknown_codec_is_an_error_not_garbage() {
        assert!(unpack(99, vec![1, 2, 3], None).is_err());
        assert!(unpack(ZSTD_1, vec![1, 2, 3], None).is_err());
    }
}
