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
//! - [`PLAIN`]: the bytes as they arrived (rows from before this codec);
//! - [`ZSTD_1`]: a zstd frame made with dictionary 1, without the
//!   dictionary id in the header (the codec says which).

use std::cell::RefCell;
use std::sync::OnceLock;

use zstd::bulk::{Compressor, Decompressor};
use zstd::dict::{DecoderDictionary, EncoderDictionary};
use zstd::zstd_safe::CParameter;

/// The bytes as they arrived.
pub(crate) const PLAIN: i64 = 0;
/// A zstd frame made with [`DICTIONARY_1`].
pub(crate) const ZSTD_1: i64 = 1;

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

/// `raw` as it is to be stored: (codec, bytes).
pub(crate) fn pack(raw: &[u8]) -> (i64, Vec<u8>) {
    let packed = COMPRESSOR.with(|cell| {
        let mut cell = cell.borrow_mut();
        if cell.is_none() {
            *cell = new_compressor().ok();
        }
        cell.as_mut()?.compress(raw).ok()
    });
    match packed {
        Some(bytes) => (ZSTD_1, bytes),
        // zstd refused (it does not on any input; out of memory, say):
        // keep the record as it came rather than lose it.
        None => (PLAIN, raw.to_vec()),
    }
}

/// The record as it arrived, from its stored form.
pub(crate) fn unpack(codec: i64, stored: Vec<u8>) -> Result<String, String> {
    let bytes = match codec {
        PLAIN => stored,
        ZSTD_1 => {
            let size = zstd::zstd_safe::get_frame_content_size(&stored)
                .ok()
                .flatten()
                .ok_or("a stored revision has no content size in its zstd frame")?;
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
                    .decompress(&stored, usize::try_from(size).unwrap_or(usize::MAX))
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
        let (codec, stored) = pack(record.as_bytes());
        assert_eq!(codec, ZSTD_1);
        assert_eq!(unpack(codec, stored).as_deref(), Ok(record));
        assert_eq!(
            unpack(PLAIN, record.as_bytes().to_vec()).as_deref(),
            Ok(record)
        );
    }

    #[test]
    fn an_unknown_codec_is_an_error_not_garbage() {
        assert!(unpack(99, vec![1, 2, 3]).is_err());
        assert!(unpack(ZSTD_1, vec![1, 2, 3]).is_err());
    }
}
