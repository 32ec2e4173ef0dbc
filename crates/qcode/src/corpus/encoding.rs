//! Turning a file's bytes into text, whatever encoding it was saved in.
//!
//! Transcripts arrive as UTF-8 from current tools, as UTF-16 from Windows
//! ("Unicode" in Notepad, some Word exports) and as Windows-1252 or
//! ISO-8859-1 from older Spanish-language projects. The rule, in order:
//!
//! 1. a byte-order mark decides (UTF-8, UTF-16LE, UTF-16BE), and is dropped;
//! 2. a forced UTF-16 (`--encoding utf-16le`) is used as asked;
//! 3. UTF-16 without a BOM is recognised by its pattern of zero bytes (the
//!    detector below never guesses UTF-16);
//! 4. valid UTF-8 is UTF-8, whatever `--encoding` says: a folder of UTF-8
//!    transcripts with one old file in Windows-1252 is read right with
//!    `--encoding windows-1252`, which then applies to that file alone;
//! 5. `--encoding NAME` (a forced encoding) is used for the other files;
//! 6. anything else goes to `chardetng` (Firefox's detector), and the guess
//!    is reported as a warning naming the file, so a wrong guess is noticed
//!    and fixed with `--encoding`.
//!
//! Decoding is strict: a byte sequence that is invalid in the chosen encoding
//! is an error giving its byte offset, never a silent `�`. Text holding NUL
//! characters is binary data, not a transcript, and is refused.

use std::borrow::Cow;
use std::path::Path;

use encoding_rs::{DecoderResult, Encoding, UTF_8, UTF_16BE, UTF_16LE};

use crate::error::{Error, Result};

/// Text decoded from a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    /// The text, without its byte-order mark; not yet normalised (see
    /// [`crate::text`]).
    pub text: String,
    /// The encoding it was read as.
    pub encoding: &'static Encoding,
    /// Set when the encoding was guessed: a warning naming the file.
    pub note: Option<String>,
}

/// Examples of encoding names, for error messages.
const EXAMPLES: &str = "utf-8, windows-1252, iso-8859-1, iso-8859-15, utf-16le, utf-16be, macintosh";

/// The encoding called `name` (a WHATWG label, case-insensitive).
pub fn parse_label(name: &str) -> Result<&'static Encoding> {
    match Encoding::for_label(name.trim().as_bytes()) {
        Some(enc) if enc != encoding_rs::REPLACEMENT => Ok(enc),
        _ => Err(Error::new(format!("unknown encoding `{name}`"))
            .hint(format!("give one of the usual names, e.g. {EXAMPLES}"))),
    }
}

/// Decodes a file's bytes following the rule of this module. Given owned
/// bytes (a `Vec<u8>`), UTF-8 text becomes the `String` without a copy.
pub fn decode<'a>(path: &Path, bytes: impl Into<Cow<'a, [u8]>>, forced: Option<&'static Encoding>) -> Result<Decoded> {
    let mut bytes = bytes.into();
    let is_utf16 = |e: &'static Encoding| e == UTF_16LE || e == UTF_16BE;
    let (encoding, bom_len, note) = if let Some((enc, bom_len)) = Encoding::for_bom(&bytes) {
        (enc, bom_len, None)
    } else if let Some(enc) = forced.filter(|e| is_utf16(e)) {
        (enc, 0, implausible(path, enc, &bytes))
    } else if let Some(enc) = utf16_without_bom(&bytes) {
        let note = format!(
            "{}: read as {} (recognised without a byte-order mark); if the text looks wrong, give its encoding with --encoding NAME",
            path.display(),
            enc.name()
        );
        (enc, 0, Some(note))
    } else {
        // Valid UTF-8 is UTF-8: checking it is converting it.
        match utf8_string(bytes.into_owned()) {
            Ok(text) => return checked(path, text, UTF_8, None),
            Err(not_utf8) => bytes = Cow::Owned(not_utf8),
        }
        match forced {
            Some(enc) => (enc, 0, implausible(path, enc, &bytes)),
            None => {
                let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
                detector.feed(&bytes, true);
                let enc = detector.guess(None, chardetng::Utf8Detection::Deny);
                let note = format!(
                    "{}: not UTF-8; read as {} (a guess); if accents look wrong, give the right encoding with \
                     --encoding NAME (it applies only to files that are not UTF-8), or save the file as UTF-8",
                    path.display(),
                    enc.name()
                );
                (enc, 0, Some(note))
            }
        }
    };
    let text = strict(path, encoding, bytes, bom_len)?;
    checked(path, text, encoding, note)
}

/// `bytes` as a `String` without a copy if they are UTF-8, else the bytes
/// back. The check reads every byte of every document: `simdutf8` does it
/// with vector instructions, several times faster than the standard
/// library's on accented text.
fn utf8_string(bytes: Vec<u8>) -> std::result::Result<String, Vec<u8>> {
    if simdutf8::basic::from_utf8(&bytes).is_err() {
        return Err(bytes);
    }
    // SAFETY: `simdutf8` has just checked that the bytes are valid UTF-8,
    // which is all `from_utf8_unchecked` requires.
    Ok(unsafe { String::from_utf8_unchecked(bytes) })
}

/// The decoded text, unless it holds NUL characters.
fn checked(path: &Path, text: String, encoding: &'static Encoding, note: Option<String>) -> Result<Decoded> {
    // `memchr` rather than `str::find`: vector instructions, on every byte
    // of every document.
    if let Some(at) = memchr::memchr(0, text.as_bytes()) {
        return Err(Error::new(format!(
            "the file holds binary data (a NUL character at character {}), not text",
            text[..at].chars().count()
        ))
        .in_file(path)
        .hint("give transcripts as text, .docx, .odt, .vtt, .srt or .pdf files; if this is text, save it as UTF-8"));
    }
    Ok(Decoded { text, encoding, note })
}

/// Decodes `bytes` after their first `skipped` (a byte-order mark) without
/// replacement characters, or says at which byte it fails.
fn strict(path: &Path, encoding: &'static Encoding, mut bytes: Cow<[u8]>, skipped: usize) -> Result<String> {
    if encoding == UTF_8 {
        // The fast path, and the common one.
        match utf8_string(bytes.into_owned()) {
            Ok(mut text) => {
                text.drain(..skipped);
                return Ok(text);
            }
            // The decoder below finds the offending byte.
            Err(not_utf8) => bytes = Cow::Owned(not_utf8),
        }
    }
    let body = &bytes[skipped..];
    let mut decoder = encoding.new_decoder_without_bom_handling();
    let capacity = decoder
        .max_utf8_buffer_length_without_replacement(body.len())
        .unwrap_or(body.len());
    let mut out = String::with_capacity(capacity);
    let mut read = 0;
    loop {
        let (result, n) = decoder.decode_to_string_without_replacement(&body[read..], &mut out, true);
        read += n;
        match result {
            DecoderResult::InputEmpty => return Ok(out),
            DecoderResult::OutputFull => out.reserve(body.len() - read + 16),
            DecoderResult::Malformed(bad, after) => {
                let at = read - after as usize - bad as usize;
                return Err(undecodable(path, encoding, body, at, skipped));
            }
        }
    }
}

fn undecodable(path: &Path, encoding: &'static Encoding, body: &[u8], at: usize, skipped: usize) -> Error {
    let line = if encoding.is_ascii_compatible() {
        format!(" (line {})", 1 + body[..at].iter().filter(|&&b| b == b'\n').count())
    } else {
        String::new()
    };
    let hint = if encoding == UTF_8 {
        "save the file as UTF-8 (in most editors: Save As… → Encoding: UTF-8), or give its encoding with --encoding NAME".to_string()
    } else {
        format!("give the file's real encoding with --encoding NAME (e.g. {EXAMPLES}), or save it as UTF-8")
    };
    let name = if encoding == UTF_8 { "UTF-8" } else { encoding.name() };
    Error::new(format!(
        "the file is not valid {name} text: byte offset {}{line} holds the byte 0x{:02X}",
        at + skipped,
        body[at]
    ))
    .in_file(path)
    .hint(hint)
}

/// A warning when the bytes do not look like text in the encoding that
/// `--encoding` forces: one flag covers the whole run, and a file in another
/// encoding would decode without error into the wrong letters.
fn implausible(path: &Path, forced: &'static Encoding, bytes: &[u8]) -> Option<String> {
    // Valid UTF-8 never gets here (it is read as UTF-8): only a forced
    // UTF-16 can be at odds with the bytes in a way worth a word.
    let is_utf16 = forced == UTF_16LE || forced == UTF_16BE;
    let looks_like = (is_utf16 && utf16_without_bom(bytes) != Some(forced))
        .then(|| "it lacks the zero bytes of English or Spanish text in UTF-16 (one in every other byte)".to_string());
    looks_like.map(|why| {
        format!(
            "{}: read as {} because of --encoding, but {why}; check the text, or leave --encoding out to let qcode detect each file's encoding",
            path.display(),
            forced.name()
        )
    })
}

/// UTF-16 without a BOM: in Latin-script text every other byte is zero.
fn utf16_without_bom(bytes: &[u8]) -> Option<&'static Encoding> {
    let sample = &bytes[..bytes.len().min(4096) & !1];
    let pairs = sample.len() / 2;
    if pairs < 2 {
        return None;
    }
    let zeros = |parity: usize| sample.iter().skip(parity).step_by(2).filter(|&&b| b == 0).count();
    let (even, odd) = (zeros(0), zeros(1));
    let mostly = |n: usize| n * 10 >= pairs * 7;
    let rarely = |n: usize| n * 20 <= pairs;
    if mostly(odd) && rarely(even) {
        Some(UTF_16LE)
    } else if mostly(even) && rarely(odd) {
        Some(UTF_16BE)
    } else {
        None
    }
}

/// True when the start of a file is binary data rather than text in some
/// encoding: NUL bytes that neither a BOM nor the UTF-16 pattern explain.
pub fn looks_binary(prefix: &[u8]) -> bool {
    Encoding::for_bom(prefix).is_none() && utf16_without_bom(prefix).is_none() && prefix.contains(&0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16le(s: &str) -> Vec<u8> {
        s.encode_utf16().flat_map(|u| u.to_le_bytes()).collect()
    }

    #[test]
    fn utf16_without_bom_is_recognised() {
        let d = decode(Path::new("x.txt"), utf16le("Año de la pandemia"), None).unwrap();
        assert_eq!(d.text, "Año de la pandemia");
        assert_eq!(d.encoding, UTF_16LE);
        assert!(d.note.unwrap().contains("UTF-16LE"));
    }

    #[test]
    fn binary_prefixes() {
        assert!(looks_binary(b"PK\x03\x04\x14\x00\x00\x00"));
        assert!(!looks_binary(b"plain text"));
        assert!(!looks_binary(&utf16le("hola que tal")));
        assert!(!looks_binary(b"\xFF\xFEh\x00"));
    }

    #[test]
    fn a_forced_encoding_that_does_not_fit_is_reported() {
        let path = Path::new("t.txt");
        let latin1 = b"Pagu\xe9 al coyote.\nY al prestamista.\n\n";
        let d = decode(path, latin1, Some(UTF_16BE)).unwrap();
        assert!(d.note.unwrap().contains("read as UTF-16BE because of --encoding"));
        // Valid UTF-8 stays UTF-8 whatever --encoding says: the flag is for
        // the files that are not.
        let d = decode(path, "Pagué.".as_bytes(), Some(encoding_rs::WINDOWS_1252)).unwrap();
        assert_eq!((d.text.as_str(), d.encoding, d.note), ("Pagué.", UTF_8, None));
        let d = decode(path, latin1, Some(encoding_rs::WINDOWS_1252)).unwrap();
        assert_eq!(
            (d.text.as_str(), d.note),
            ("Pagué al coyote.\nY al prestamista.\n\n", None)
        );
        let d = decode(path, utf16le("Pagué al coyote."), Some(UTF_16LE)).unwrap();
        assert_eq!((d.text.as_str(), d.note), ("Pagué al coyote.", None));
    }

    #[test]
    fn labels() {
        assert_eq!(parse_label("Latin1").unwrap(), encoding_rs::WINDOWS_1252);
        assert_eq!(parse_label(" utf-16 ").unwrap(), UTF_16LE);
        let e = parse_label("klingon").unwrap_err();
        assert!(e.hint.unwrap().contains("windows-1252"));
        assert!(parse_label("iso-2022-kr").is_err());
    }

    #[test]
    fn malformed_offset_counts_the_bom() {
        // UTF-8 BOM, "ab", then an invalid byte
        let e = decode(Path::new("x.txt"), b"\xEF\xBB\xBFab\xFFc", None).unwrap_err();
        assert!(
            e.what.contains("byte offset 5 (line 1) holds the byte 0xFF"),
            "{}",
            e.what
        );
    }

    mod utf8 {
        use super::utf8_string;
        use proptest::prelude::*;

        /// A byte that is no character on its own: continuation bytes,
        /// lead bytes of surrogates and overlong forms, bytes never valid.
        fn odd_byte() -> impl Strategy<Value = u8> {
            prop_oneof![
                Just(0x80u8),
                Just(0xBF),
                Just(0xC0),
                Just(0xC3),
                Just(0xE2),
                Just(0xED),
                Just(0xF0),
                Just(0xF4),
                Just(0xF5),
                Just(0xFF),
                any::<u8>()
            ]
        }

        proptest! {
            /// The vectorised check accepts exactly what the standard
            /// library accepts, on text mixed with stray and cut bytes.
            #[test]
            fn utf8_is_checked_as_the_standard_library_checks(
                parts in prop::collection::vec(
                    prop_oneof![
                        "[a-zé€🙏 \n]{0,40}".prop_map(String::into_bytes),
                        prop::collection::vec(odd_byte(), 0..4),
                    ],
                    0..12,
                )
            ) {
                let bytes: Vec<u8> = parts.concat();
                let want = String::from_utf8(bytes.clone()).map_err(|e| e.into_bytes());
                prop_assert_eq!(utf8_string(bytes), want);
            }
        }
    }
}
