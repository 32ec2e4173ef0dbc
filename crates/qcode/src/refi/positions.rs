//! Text positions in exchange files.
//!
//! The standard counts Unicode code points from 0, end exclusive; NVivo
//! counts UTF-16 code units. The two differ only
//! after a character above U+FFFF (an emoji, some CJK), which takes one code
//! point but two UTF-16 units; byte offsets are wrong for any accented
//! letter. qcode's own offsets are characters (code points) of the
//! normalised text (NFC, `\n` line ends), so import also maps offsets
//! counted on a text as stored (CRLF, decomposed accents) onto it.

use unicode_normalization::{UnicodeNormalization, is_nfc};

/// The unit of `startPosition` / `endPosition`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Positions {
    /// Unicode code points, as the standard says (QualCoder and most tools).
    Codepoints,
    /// UTF-16 code units, as NVivo counts them.
    Utf16,
}

impl crate::choice::Choice for Positions {
    const ALL: &'static [Positions] = &[Positions::Codepoints, Positions::Utf16];

    fn name(self) -> &'static str {
        match self {
            Positions::Codepoints => "codepoints",
            Positions::Utf16 => "utf16",
        }
    }

    fn help(self) -> Option<&'static str> {
        Some(match self {
            Positions::Codepoints => "Unicode code points, as the standard says (QualCoder and most tools)",
            Positions::Utf16 => "UTF-16 code units, as NVivo counts them",
        })
    }
}

impl Positions {
    /// The unit in words, for messages and project descriptions.
    pub fn describe(self) -> &'static str {
        match self {
            Positions::Codepoints => "Unicode code points",
            Positions::Utf16 => "UTF-16 code units",
        }
    }
}

/// Converts between character offsets of one text and either unit. Only
/// the characters above U+FFFF are remembered, so this is cheap for the
/// usual text that has none.
#[derive(Debug, Clone)]
pub struct Units {
    /// Character indices of the characters above U+FFFF, increasing.
    astral: Vec<usize>,
    chars: usize,
}

impl Units {
    /// The converter for `text`.
    pub fn new(text: &str) -> Units {
        let mut astral = Vec::new();
        let mut chars = 0;
        for c in text.chars() {
            if c.len_utf16() == 2 {
                astral.push(chars);
            }
            chars += 1;
        }
        Units { astral, chars }
    }

    /// True when code points and UTF-16 units disagree somewhere.
    pub fn has_astral(&self) -> bool {
        !self.astral.is_empty()
    }

    /// Length of the text in `unit`.
    pub fn len(&self, unit: Positions) -> usize {
        self.from_char(self.chars, unit)
    }

    /// The position, in `unit`, of character offset `c` (at most the length).
    pub fn from_char(&self, c: usize, unit: Positions) -> usize {
        match unit {
            Positions::Codepoints => c,
            Positions::Utf16 => c + self.astral.partition_point(|&a| a < c),
        }
    }

    /// The character offset of position `u` in `unit`; `None` past the end
    /// of the text or between the two halves of a surrogate pair.
    pub fn to_char(&self, u: usize, unit: Positions) -> Option<usize> {
        let c = match unit {
            Positions::Codepoints => u,
            Positions::Utf16 => {
                // The k-th astral character (0-based) starts at UTF-16
                // position astral[k] + k and takes two units: count those
                // that end at or before `u`.
                let (mut k, mut hi) = (0, self.astral.len());
                while k < hi {
                    let mid = (k + hi) / 2;
                    if self.astral[mid] + mid + 2 <= u {
                        k = mid + 1;
                    } else {
                        hi = mid;
                    }
                }
                if self.astral.get(k).is_some_and(|&a| a + k + 1 == u) {
                    return None;
                }
                u - k
            }
        };
        (c <= self.chars).then_some(c)
    }
}

/// Maps character offsets of `raw` onto the text [`crate::text::normalize`]
/// makes of it: CRLF and lone CR count as one `\n`, decomposed accents as
/// one composed letter. An offset between CR and LF maps to the line end.
pub fn to_normalized(raw: &str, offsets: &[usize]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..offsets.len()).collect();
    order.sort_by_key(|&i| offsets[i]);
    let mut out = vec![0; offsets.len()];
    let mut next = 0;
    let (mut raw_pos, mut norm_pos) = (0, 0);
    let mut rest = raw;
    loop {
        // Composition never crosses a line break, so each line can be
        // normalised on its own.
        let (line, ending, after) = split_line(rest);
        let line_chars = line.chars().count();
        let composed = is_nfc(line);
        let norm_len = if composed { line_chars } else { line.nfc().count() };
        let line_end = raw_pos + line_chars;
        while let Some(&i) = order.get(next) {
            let o = offsets[i];
            if o <= line_end {
                out[i] = if composed {
                    norm_pos + (o - raw_pos)
                } else {
                    let byte = line.char_indices().nth(o - raw_pos).map_or(line.len(), |(b, _)| b);
                    norm_pos + line[..byte].nfc().count()
                };
            } else if o < line_end + ending || ending == 0 {
                out[i] = norm_pos + norm_len;
            } else {
                break;
            }
            next += 1;
        }
        if ending == 0 {
            return out;
        }
        raw_pos = line_end + ending;
        norm_pos += norm_len + 1;
        rest = after;
    }
}

/// The first line of `s`, the length in characters of its line break (0 at
/// the end of the text) and the rest.
fn split_line(s: &str) -> (&str, usize, &str) {
    match s.find(['\r', '\n']) {
        None => (s, 0, ""),
        Some(i) if s[i..].starts_with("\r\n") => (&s[..i], 2, &s[i + 2..]),
        Some(i) => (&s[..i], 1, &s[i + 1..]),
    }
}

/// Byte offsets and 1-based line numbers of character offsets of `text`
/// (offsets past the end give the end).
pub fn locate(text: &str, chars: &[usize]) -> Vec<(usize, usize)> {
    let mut order: Vec<usize> = (0..chars.len()).collect();
    order.sort_by_key(|&i| chars[i]);
    let mut out = vec![(text.len(), 1 + text.matches('\n').count()); chars.len()];
    let mut next = 0;
    let mut line = 1;
    for (n, (byte, c)) in text.char_indices().enumerate() {
        while let Some(&i) = order.get(next) {
            if chars[i] > n {
                break;
            }
            out[i] = (byte, line);
            next += 1;
        }
        if c == '\n' {
            line += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::normalize;

    #[test]
    fn utf16_round_trip_around_an_emoji() {
        let text = "a🚌b";
        let u = Units::new(text);
        assert!(u.has_astral());
        assert_eq!(u.len(Positions::Utf16), 4);
        assert_eq!(u.len(Positions::Codepoints), 3);
        assert_eq!(
            (0..=3).map(|c| u.from_char(c, Positions::Utf16)).collect::<Vec<_>>(),
            [0, 1, 3, 4]
        );
        assert_eq!(u.to_char(3, Positions::Utf16), Some(2));
        assert_eq!(u.to_char(2, Positions::Utf16), None, "inside the surrogate pair");
        assert_eq!(u.to_char(4, Positions::Utf16), Some(3));
        assert_eq!(u.to_char(5, Positions::Utf16), None);
        assert_eq!(u.to_char(3, Positions::Codepoints), Some(3));
        assert_eq!(u.to_char(4, Positions::Codepoints), None);
    }

    #[test]
    fn many_emoji_convert_both_ways() {
        let text = "🚌a🚌🚌b🚌";
        let u = Units::new(text);
        for c in 0..=text.chars().count() {
            assert_eq!(u.to_char(u.from_char(c, Positions::Utf16), Positions::Utf16), Some(c));
        }
        let halves: Vec<usize> = (0..=u.len(Positions::Utf16))
            .filter(|&p| u.to_char(p, Positions::Utf16).is_none())
            .collect();
        assert_eq!(halves, [1, 4, 6, 9]);
    }

    #[test]
    fn spanish_counts_the_same_in_both_units_but_not_in_bytes() {
        // The note's example: `¿` at code point 34, UTF-16 unit 35, byte 38.
        let text = "Yo no tenía dinero para el bus 🚌, ¿sabes?\n";
        let u = Units::new(text);
        let c = text.chars().position(|c| c == '¿').unwrap();
        assert_eq!(c, 34);
        assert_eq!(u.from_char(c, Positions::Utf16), 35);
        assert_eq!(text.find('¿'), Some(38));
        let tenia = text.chars().position(|c| c == 'í').unwrap();
        assert_eq!(u.from_char(tenia, Positions::Utf16), tenia);
    }

    #[test]
    fn offsets_follow_line_endings_and_composition() {
        let raw = "Sí\r\nque\rpre\u{301}stamo\n🚌 fin";
        let norm = normalize(raw);
        assert_eq!(norm, "Sí\nque\npréstamo\n🚌 fin");
        let raw_chars: Vec<char> = raw.chars().collect();
        let at = |s: &str| {
            let needle: Vec<char> = s.chars().collect();
            raw_chars
                .windows(needle.len())
                .position(|w| w == needle.as_slice())
                .unwrap()
        };
        let offsets = [0, at("que"), at("pre"), at("stamo"), at("🚌"), raw_chars.len(), 3];
        let mapped = to_normalized(raw, &offsets);
        let norm_chars: Vec<char> = norm.chars().collect();
        let from = |o: usize| norm_chars[o..].iter().take(3).collect::<String>();
        assert_eq!(mapped[0], 0);
        assert_eq!(from(mapped[1]), "que");
        assert_eq!(from(mapped[2]), "pré");
        assert_eq!(from(mapped[3]), "sta", "after the composed é");
        assert_eq!(from(mapped[4]), "🚌 f");
        assert_eq!(mapped[5], norm_chars.len());
        assert_eq!(mapped[6], 2, "between CR and LF: the line end");
    }

    #[test]
    fn normalized_length_matches_normalize() {
        for raw in ["", "\r\n", "a\r\r\nb\n", "e\u{301}\r\nu\u{308}", "x\n\n"] {
            let n = raw.chars().count();
            assert_eq!(to_normalized(raw, &[n]), [normalize(raw).chars().count()], "{raw:?}");
        }
    }

    #[test]
    fn locate_gives_bytes_and_lines() {
        let text = "añ\nb🚌\nc";
        assert_eq!(
            locate(text, &[0, 2, 3, 5, 8, 99]),
            [(0, 1), (3, 1), (4, 2), (9, 2), (11, 3), (11, 3)]
        );
    }
}
