//! Where a scan of the regular-expression rules may skip text.
//!
//! Most rules of a codebook count things: amounts (`\$\s?\d+`), years,
//! ages, dates, case numbers. Every match of such a rule holds a digit,
//! and only a few characters come before its first digit (`septiembre de
//! 2019`: fourteen). When that holds for every rule of a scan, the scan
//! need not read text far from any digit: a match starting there would
//! have to reach a digit further away than any rule allows. Interview
//! transcripts are mostly words, so the scan reads a fraction of them.
//!
//! The distance is counted in *units*: a character, or a whole run of white
//! space (`\s+` matches any run, however long, as one unit), so the bound
//! holds on the original text as on the folded one. Digits are those of
//! `\d`, in every script.

use std::sync::OnceLock;

use regex_syntax::hir::{Class, ClassUnicode, Hir, HirKind};

/// How far back from a digit a scan must start reading: at most `before`
/// units precede the first digit of any match of its rules, and every
/// match holds one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Skip {
    pub(super) before: usize,
}

impl Skip {
    /// The skip allowed by all of `sources` (regular expressions, searched
    /// case-insensitively), if any: none when some rule can match without
    /// a digit, has no bound before its first one, or has look-around
    /// (whose answer depends on the text before the point where the scan
    /// starts again).
    pub(super) fn of<'a>(sources: impl IntoIterator<Item = &'a str>) -> Option<Skip> {
        let mut before = 0;
        for source in sources {
            let hir = regex_syntax::ParserBuilder::new()
                .case_insensitive(true)
                .build()
                .parse(source)
                .ok()?;
            if !hir.properties().look_set().is_empty() {
                return None;
            }
            match reach(&hir) {
                Reach {
                    to_digit: Units::AtMost(n),
                    without_digit: Units::Never,
                } => before = before.max(n),
                _ => return None,
            }
        }
        Some(Skip { before })
    }
}

/// A number of units, bounded or not; `Never` when no match of the kind
/// asked about exists (see [`Reach`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Units {
    Never,
    AtMost(usize),
    Unbounded,
}

impl Units {
    /// One stretch followed by another.
    fn then(self, next: Units) -> Units {
        match (self, next) {
            (Units::Never, _) | (_, Units::Never) => Units::Never,
            (Units::AtMost(a), Units::AtMost(b)) => Units::AtMost(a + b),
            _ => Units::Unbounded,
        }
    }

    /// The longer of two possibilities.
    fn or(self, other: Units) -> Units {
        match (self, other) {
            (Units::Never, x) | (x, Units::Never) => x,
            (Units::AtMost(a), Units::AtMost(b)) => Units::AtMost(a.max(b)),
            _ => Units::Unbounded,
        }
    }

    /// This stretch repeated up to `times` times (`None`: any number).
    fn times(self, times: Option<u32>) -> Units {
        match (self, times) {
            (Units::AtMost(0), _) | (_, Some(0)) => Units::AtMost(0),
            (Units::AtMost(a), Some(n)) => Units::AtMost(a * n as usize),
            (Units::Never, _) => Units::Never,
            _ => Units::Unbounded,
        }
    }
}

/// What the matches of an expression look like, in units.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Reach {
    /// Among matches holding a digit, the most units before the first one.
    to_digit: Units,
    /// Among matches holding none, the most units in all.
    without_digit: Units,
}

fn reach(hir: &Hir) -> Reach {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => Reach {
            to_digit: Units::Never,
            without_digit: Units::AtMost(0),
        },
        HirKind::Literal(literal) => match std::str::from_utf8(&literal.0) {
            Ok(text) => {
                let first = text.chars().position(is_digit);
                Reach {
                    to_digit: first.map_or(Units::Never, Units::AtMost),
                    without_digit: if first.is_some() {
                        Units::Never
                    } else {
                        Units::AtMost(text.chars().count())
                    },
                }
            }
            // Bytes that are no text hold no digit the scan would find.
            Err(_) => Reach {
                to_digit: Units::Never,
                without_digit: Units::AtMost(literal.0.len()),
            },
        },
        HirKind::Class(class) => {
            let (some_digit, only_digits) = match class {
                Class::Unicode(c) => {
                    let digits = &sets().digits;
                    let mut common = c.clone();
                    common.intersect(digits);
                    let mut rest = c.clone();
                    rest.difference(digits);
                    (common.iter().next().is_some(), rest.iter().next().is_none())
                }
                Class::Bytes(c) => {
                    let digit = |b: u8| b.is_ascii_digit();
                    let some = c.iter().any(|r| (r.start()..=r.end()).any(digit));
                    let only = c.iter().all(|r| (r.start()..=r.end()).all(digit));
                    (some, only)
                }
            };
            Reach {
                to_digit: if some_digit { Units::AtMost(0) } else { Units::Never },
                without_digit: if only_digits { Units::Never } else { Units::AtMost(1) },
            }
        }
        HirKind::Capture(capture) => reach(&capture.sub),
        HirKind::Repetition(rep) => {
            if rep.max == Some(0) {
                return reach(&Hir::empty());
            }
            let sub = reach(&rep.sub);
            // A run of white space is one unit, however many times it repeats.
            let without_one = if is_space(&rep.sub) {
                Units::AtMost(1)
            } else {
                sub.without_digit.times(rep.max)
            };
            let without_digit = match sub.without_digit {
                Units::Never if rep.min > 0 => Units::Never,
                Units::Never => Units::AtMost(0),
                _ => without_one,
            };
            // Repetitions without a digit, then the one with the first digit.
            let before_it = match sub.without_digit {
                Units::Never => Units::AtMost(0),
                w => w.times(rep.max.map(|m| m - 1)),
            };
            Reach {
                to_digit: before_it.then(sub.to_digit),
                without_digit,
            }
        }
        HirKind::Concat(parts) => {
            let mut so_far = Units::AtMost(0);
            let mut to_digit = Units::Never;
            for part in parts {
                let r = reach(part);
                to_digit = to_digit.or(so_far.then(r.to_digit));
                so_far = so_far.then(r.without_digit);
            }
            Reach {
                to_digit,
                without_digit: so_far,
            }
        }
        HirKind::Alternation(alternatives) => alternatives.iter().map(reach).fold(
            Reach {
                to_digit: Units::Never,
                without_digit: Units::Never,
            },
            |a, b| Reach {
                to_digit: a.to_digit.or(b.to_digit),
                without_digit: a.without_digit.or(b.without_digit),
            },
        ),
    }
}

/// Whether `hir` matches one white-space character and nothing else.
fn is_space(hir: &Hir) -> bool {
    match hir.kind() {
        HirKind::Capture(capture) => is_space(&capture.sub),
        HirKind::Class(Class::Unicode(c)) => {
            let mut rest = c.clone();
            rest.difference(&sets().spaces);
            rest.iter().next().is_none()
        }
        _ => false,
    }
}

/// The digits (`\d`) and the white space (`\s`) of the regex syntax, and
/// which bytes may start a digit outside ASCII.
struct Sets {
    digits: ClassUnicode,
    spaces: ClassUnicode,
    leads: [bool; 256],
}

fn sets() -> &'static Sets {
    static SETS: OnceLock<Sets> = OnceLock::new();
    SETS.get_or_init(|| {
        let class = |pattern: &str| match regex_syntax::parse(pattern).map(Hir::into_kind) {
            Ok(HirKind::Class(Class::Unicode(c))) => c,
            _ => unreachable!("`{pattern}` is a Unicode class"),
        };
        let digits = class(r"\d");
        let mut leads = [false; 256];
        for r in digits.iter().filter(|r| !r.end().is_ascii()) {
            let lead = |c: char| c.encode_utf8(&mut [0; 4]).as_bytes()[0];
            for b in lead(r.start().max('\u{80}'))..=lead(r.end()) {
                leads[usize::from(b)] = true;
            }
        }
        Sets {
            digits,
            spaces: class(r"\s"),
            leads,
        }
    })
}

fn is_digit(c: char) -> bool {
    c.is_ascii_digit() || (!c.is_ascii() && sets().digits.iter().any(|r| r.start() <= c && c <= r.end()))
}

/// The first digit of `text` from byte `from` on (a character boundary):
/// its start and end.
pub(super) fn next_digit(text: &[u8], from: usize) -> Option<(usize, usize)> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let leads = &sets().leads;
    let mut at = from;
    loop {
        // Eight bytes at a time: which are ASCII digits, and which are not
        // ASCII (a digit of another script may start there).
        let Some(&block) = text[at..].first_chunk::<8>() else {
            return text[at..]
                .iter()
                .position(|b| b.is_ascii_digit() || leads[usize::from(*b)])
                .and_then(|i| {
                    let i = at + i;
                    digit_at(text, i).or_else(|| next_digit(text, i + 1))
                });
        };
        let x = u64::from_le_bytes(block);
        // Each byte minus '0' is below 10 exactly for the digits (bytes
        // with the high bit set are marked apart).
        let y = (x & !HIGH) ^ (ONES * 0x30);
        let ten_or_more = (y + ONES * (0x80 - 10)) & HIGH;
        let mut found = (!ten_or_more & HIGH & !x) | (x & HIGH);
        while found != 0 {
            let i = at + found.trailing_zeros() as usize / 8;
            found &= found - 1;
            let b = text[i];
            if b.is_ascii_digit() {
                return Some((i, i + 1));
            }
            if leads[usize::from(b)]
                && let Some(digit) = digit_at(text, i)
            {
                return Some(digit);
            }
        }
        at += 8;
    }
}

/// The digit at byte `at`, if a character starts there and is a digit.
fn digit_at(text: &[u8], at: usize) -> Option<(usize, usize)> {
    let len = match text[at] {
        b if b.is_ascii() => 1,
        b if b >= 0xF0 => 4,
        b if b >= 0xE0 => 3,
        b if b >= 0xC0 => 2,
        _ => return None,
    };
    let c = std::str::from_utf8(text.get(at..at + len)?).ok()?.chars().next()?;
    is_digit(c).then_some((at, at + len))
}

/// The byte offset `units` units before byte `at` (a character boundary) of
/// `text`, not before `floor`: each step back passes one character, or a
/// whole run of white space.
pub(super) fn units_before(text: &[u8], at: usize, units: usize, floor: usize) -> usize {
    let mut at = at;
    for _ in 0..units {
        if at <= floor {
            return floor;
        }
        // Most characters are ASCII letters, passed in one step.
        let last = text[at - 1];
        if last.is_ascii() && !is_ascii_space(last) {
            at -= 1;
            continue;
        }
        let (start, space) = char_before(text, at);
        at = start;
        if space {
            while at > floor {
                let (start, space) = char_before(text, at);
                if !space {
                    break;
                }
                at = start;
            }
        }
    }
    at.max(floor)
}

/// White space in ASCII, as `char::is_whitespace` has it (with the
/// vertical tab, which `u8::is_ascii_whitespace` leaves out).
fn is_ascii_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
}

/// Where the character ending at byte `at` (> 0) starts, and whether it is
/// white space. Only ASCII and a few lead bytes (U+0085, U+00A0, U+1680,
/// U+2000 to U+3000) can start white space: other characters are passed
/// without being decoded.
fn char_before(text: &[u8], at: usize) -> (usize, bool) {
    let last = text[at - 1];
    if last.is_ascii() {
        return (at - 1, is_ascii_space(last));
    }
    let start = (at.saturating_sub(4)..at)
        .rev()
        .find(|&i| text[i] & 0xC0 != 0x80)
        .unwrap_or(at - 1);
    let space = matches!(text[start], 0xC2 | 0xE1 | 0xE2 | 0xE3)
        && std::str::from_utf8(&text[start..at])
            .ok()
            .and_then(|s| s.chars().next())
            .is_some_and(char::is_whitespace);
    (start, space)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn before(pattern: &str) -> Option<usize> {
        Skip::of([pattern]).map(|s| s.before)
    }

    #[test]
    fn rules_that_count_things_allow_a_skip() {
        assert_eq!(before(r"\$\s?\d[\d,]*(?:\.\d\d)?"), Some(2));
        assert_eq!(before(r"(?:enero|septiembre)\s+de\s+\d{4}"), Some(14));
        assert_eq!(before(r"niñ[oa]s?\s+de\s+\d+"), Some(9));
        assert_eq!(before(r"\d{1,2}\s?(?:años|years old)"), Some(0));
        assert_eq!(before(r"(?:a\d|b\d)+x"), Some(1));
        assert_eq!(before(r"(?:ab)?(?:cd){0,3}\d"), Some(8));
        assert_eq!(before(r"٣ de"), Some(0));
        // Every rule of the scan must allow it; the bound is the largest.
        assert_eq!(Skip::of([r"km\.? ?\d+", r"\d+ mil"]), Some(Skip { before: 4 }));
    }

    #[test]
    fn rules_that_may_match_without_a_digit_or_far_from_one_do_not() {
        for pattern in [
            r"\w+\d",
            r"[a-z]*\d",
            r"\d|ninguno",
            r"x?",
            r"(?:ab)+\d",
            r"[\s,]+\d",
            r"(?m)^\d",
            r"\b\d+\b",
            r"(?-u:\xD9\xA3)",
            r"[",
        ] {
            assert_eq!(before(pattern), None, "{pattern}");
        }
        assert_eq!(Skip::of([r"\d+", r"coyote"]), None);
    }

    #[test]
    fn digits_of_every_script_are_found() {
        let text = "año ’ é — un ٣ y 7".as_bytes();
        let (s, e) = next_digit(text, 0).unwrap();
        assert_eq!(std::str::from_utf8(&text[s..e]).unwrap(), "٣");
        let (s, _) = next_digit(text, e).unwrap();
        assert_eq!(text[s], b'7');
        assert_eq!(next_digit(text, s + 1), None);
        assert_eq!(next_digit(b"", 0), None);
    }

    #[test]
    fn runs_of_white_space_are_one_unit() {
        let text = "hace \n\t  5 años".as_bytes();
        let five = text.iter().position(|&b| b == b'5').unwrap();
        assert_eq!(units_before(text, five, 1, 0), 4);
        assert_eq!(units_before(text, five, 5, 0), 0);
        assert_eq!(units_before(text, five, 50, 2), 2);
        let accented = "niña 1".as_bytes();
        assert_eq!(units_before(accented, 6, 3, 0), 2);
        // No-break and ideographic spaces are white space; ’ and — are not.
        let spaced = "a’—\u{a0} \u{3000}\u{2003}9".as_bytes();
        let nine = spaced.len() - 1;
        assert_eq!(units_before(spaced, nine, 1, 0), 7);
        assert_eq!(units_before(spaced, nine, 3, 0), 1);
    }

    /// White space is told apart, in and outside ASCII, as `char` does.
    #[test]
    fn white_space_is_white_space_as_char_says() {
        for c in (0..0x3100).filter_map(char::from_u32) {
            let text = format!("x{c}");
            let (start, space) = char_before(text.as_bytes(), text.len());
            assert_eq!((start, space), (1, c.is_whitespace()), "{c:?}");
        }
    }

    proptest::proptest! {
        /// The digit search agrees with a character-by-character one.
        #[test]
        fn digits_are_found_as_characters_are_read(s in "[a-z0-9 éñ٣’\u{ff15}]{0,40}", from in 0usize..40) {
            let from = (0..=from.min(s.len())).rev().find(|&i| s.is_char_boundary(i)).unwrap();
            let want = s[from..].char_indices().find(|&(_, c)| is_digit(c)).map(|(i, c)| (from + i, from + i + c.len_utf8()));
            proptest::prop_assert_eq!(next_digit(s.as_bytes(), from), want);
        }
    }
}
