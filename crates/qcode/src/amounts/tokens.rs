//! Cutting a stretch of text into the tokens the amount grammar reads:
//! numbers written in digits (with their separators already interpreted),
//! words (folded and classified), and single symbols.

use super::decimal::Decimal;
use super::lexicon::{Lex, classify, is_mark, pack, packed_len, read_word};
use super::scan::SIGNS;

/// One token, by byte offsets into the text.
#[derive(Clone, Copy, Debug)]
pub(super) struct Token {
    pub start: usize,
    pub end: usize,
    pub kind: Kind,
    /// Whether a line break lies between the previous token and this one.
    pub after_newline: bool,
    /// The folded word, packed (see `lexicon::pack`); 0 for other tokens
    /// and for words that are too long or not Spanish or English.
    pub folded: u128,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Kind {
    /// Digits with their separators, read as a number.
    Number(Decimal, Shape),
    /// Digits that are no amount whatever surrounds them: times (`10:30`),
    /// dates (`15/03/2020`, `15-03-2020`), numbers in three or more
    /// hyphenated parts (telephones), and malformed groupings (`1,50,000`).
    Junk,
    Word(Lex),
    Symbol(char),
}

/// How a number was written, for the rules about years.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Shape {
    /// Digits only, no separator.
    pub plain: bool,
    /// How many digits come before the first separator.
    pub leading_digits: usize,
}

impl Token {
    pub fn lex(&self) -> Lex {
        match self.kind {
            Kind::Word(lex) => lex,
            _ => Lex::Other,
        }
    }

    /// Whether this is the word `folded` (lower case, no accents, at most
    /// `lexicon::MAX_WORD` letters).
    pub fn is(&self, folded: &str) -> bool {
        // Lengths first: most words differ in length, and then the keyword
        // need not be packed.
        packed_len(self.folded) == folded.len() && self.folded == pack(folded.as_bytes())
    }

    /// Whether this is a word among `folded`.
    pub fn is_any(&self, folded: &[&str]) -> bool {
        folded.iter().any(|w| self.is(w))
    }

    pub fn is_symbol(&self, c: char) -> bool {
        self.kind == Kind::Symbol(c)
    }

    pub fn is_word(&self) -> bool {
        matches!(self.kind, Kind::Word(_))
    }

    pub fn is_number(&self) -> bool {
        matches!(self.kind, Kind::Number(..))
    }

    /// Whether the token is a mark (see `scan`): digits, a currency sign, or
    /// a word `lexicon::is_mark` accepts.
    pub fn is_mark(&self) -> bool {
        match self.kind {
            Kind::Number(..) | Kind::Junk => true,
            Kind::Symbol(c) => SIGNS.contains(c),
            Kind::Word(lex) => is_mark(lex),
        }
    }
}

/// Cuts a stretch of `text` into tokens, in `out` (cleared first): from
/// `start` (a character boundary) until `tokens_after` words or numbers
/// have passed since the last mark (see `scan`), the first mark ending at
/// `mark_end`. Returns where the stretch ends.
pub(super) fn tokenize(text: &str, start: usize, mark_end: usize, tokens_after: usize, out: &mut Vec<Token>) -> usize {
    out.clear();
    let bytes = text.as_bytes();
    let mut at = start;
    let mut after_newline = false;
    let mut since_mark = 0;
    while at < bytes.len() && since_mark < tokens_after {
        let b = bytes[at];
        if b.is_ascii_whitespace() {
            after_newline |= b == b'\n';
            at += 1;
            continue;
        }
        let c = if b.is_ascii() {
            char::from(b)
        } else {
            text[at..].chars().next().expect("tokens start on character boundaries")
        };
        if c.is_whitespace() {
            at += c.len_utf8();
            continue;
        }
        let mut token = Token {
            start: at,
            end: at + c.len_utf8(),
            kind: Kind::Symbol(c),
            after_newline,
            folded: 0,
        };
        if b.is_ascii_digit() {
            (token.end, token.kind) = number(bytes, at);
        } else if c.is_alphabetic() {
            word(text, &mut token);
        }
        if token.end <= mark_end || token.is_mark() {
            since_mark = 0;
        } else if !matches!(token.kind, Kind::Symbol(_)) {
            since_mark += 1;
        }
        out.push(token);
        at = token.end;
        after_newline = false;
    }
    at
}

/// Reads the word starting at `token.start` into `token`.
fn word(text: &str, token: &mut Token) {
    let (len, folded) = read_word(&text[token.start..]);
    token.end = token.start + len;
    token.folded = folded.unwrap_or(0);
    token.kind = Kind::Word(folded.map_or(Lex::Other, classify));
}

/// At most this many digit groups in one number: enough for
/// `1.000.000.000.000,00`.
const MAX_GROUPS: usize = 8;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Separator {
    Comma,
    Dot,
    /// A space, no-break space (U+00A0), narrow no-break space (U+202F) or
    /// thin space (U+2009): only ever a thousands separator.
    Space,
}

/// The separator at `at` and its length in bytes.
fn separator_at(bytes: &[u8], at: usize) -> Option<(Separator, usize)> {
    match bytes.get(at..)? {
        [b',', ..] => Some((Separator::Comma, 1)),
        [b'.', ..] => Some((Separator::Dot, 1)),
        [b' ', ..] => Some((Separator::Space, 1)),
        [0xC2, 0xA0, ..] => Some((Separator::Space, 2)),
        [0xE2, 0x80, 0xAF | 0x89, ..] => Some((Separator::Space, 3)),
        _ => None,
    }
}

fn digits_end(bytes: &[u8], from: usize) -> usize {
    from + bytes[from..].iter().take_while(|b| b.is_ascii_digit()).count()
}

/// Reads the number starting at `start` (a digit): its end and its kind.
fn number(bytes: &[u8], start: usize) -> (usize, Kind) {
    if let Some(end) = junk_end(bytes, start) {
        return (end, Kind::Junk);
    }
    let mut groups = [(0usize, 0usize); MAX_GROUPS];
    let mut separators = [Separator::Space; MAX_GROUPS];
    let mut end = digits_end(bytes, start);
    groups[0] = (start, end);
    let mut count = 1;
    while count < MAX_GROUPS {
        let Some((separator, len)) = separator_at(bytes, end) else {
            break;
        };
        let next = end + len;
        if !bytes.get(next).is_some_and(u8::is_ascii_digit) {
            break;
        }
        let next_end = digits_end(bytes, next);
        let (prev_start, prev_end) = groups[count - 1];
        // A space groups only whole thousands (`40 000`), never `pagué 3
        // veces 20` nor a year and a count.
        if separator == Separator::Space && (next_end - next != 3 || prev_end - prev_start > 3) {
            break;
        }
        groups[count] = (next, next_end);
        separators[count - 1] = separator;
        count += 1;
        end = next_end;
    }
    let groups = &groups[..count];
    let separators = &separators[..count - 1];
    let kind = match decimal_mark(bytes, groups, separators) {
        Ok(mark) => value(bytes, groups, mark).map_or(Kind::Junk, |value| {
            let shape = Shape {
                plain: count == 1,
                leading_digits: groups[0].1 - groups[0].0,
            };
            Kind::Number(value, shape)
        }),
        Err(()) => Kind::Junk,
    };
    (end, kind)
}

/// How far [`junk_end`] looks: enough for `+52-55-1234-5678` or
/// `2020-03-15T10:30`.
const JUNK_LOOKAHEAD: usize = 32;

/// The end of a time, date or telephone number starting at `start`, if
/// that is what is there: digits followed by `:` or `/` and a digit, or
/// three or more groups of digits joined by hyphens.
fn junk_end(bytes: &[u8], start: usize) -> Option<usize> {
    // Times, dates and telephone numbers are short; looking further would
    // read a long run of digits and dots again from each of its numbers.
    let run_end = start
        + bytes[start..]
            .iter()
            .take(JUNK_LOOKAHEAD)
            .take_while(|b| b.is_ascii_digit() || b".,:/-".contains(b))
            .count();
    let run = &bytes[start..run_end];
    let joins = |sep: u8| {
        run.windows(3)
            .filter(|w| w[0].is_ascii_digit() && w[1] == sep && w[2].is_ascii_digit())
            .count()
    };
    let digits = digits_end(bytes, start) - start;
    let clock_or_date = matches!(run.get(digits..digits + 2), Some([b':' | b'/', d]) if d.is_ascii_digit());
    if clock_or_date || joins(b'-') >= 2 {
        // The run may end in punctuation: `a las 10:30.`
        let trimmed = run.iter().rposition(u8::is_ascii_digit).map_or(0, |p| p + 1);
        Some(start + trimmed)
    } else {
        None
    }
}

/// Which separator, if any, is the decimal mark; `Err` if the grouping is
/// malformed.
///
/// * Spaces always group thousands.
/// * With both `,` and `.`, the last one is the decimal mark (`1,250.50`,
///   `1.250,50`) and the other groups thousands.
/// * One `,` or `.` repeated groups thousands (`1.500.000`).
/// * A single `,` or `.` groups thousands when exactly three digits follow
///   and one to three nonzero-led digits precede it with no space grouping
///   (`1,500`, `12.500`: amounts of money are seldom quoted to the tenth
///   of a cent); otherwise it is the decimal mark (`1,5`, `3.5`, `12,50`,
///   `0.500`, `40 000,50`).
fn decimal_mark(bytes: &[u8], groups: &[(usize, usize)], separators: &[Separator]) -> Result<Option<usize>, ()> {
    let is_mark = |s: &Separator| *s != Separator::Space;
    let marks = separators.iter().filter(|s| is_mark(s)).count();
    let Some(last) = separators.iter().rposition(is_mark) else {
        return grouping_ok(groups, separators.len()).then_some(None).ok_or(());
    };
    let both_kinds = separators.contains(&Separator::Comma) && separators.contains(&Separator::Dot);
    let len = |(s, e): (usize, usize)| e - s;
    // `1,500`, `12.500`: one mark before three digits, after one to three
    // not led by a zero.
    let lone_thousands =
        separators.len() == 1 && len(groups[1]) == 3 && (1..=3).contains(&len(groups[0])) && bytes[groups[0].0] != b'0';
    let decimal = if both_kinds {
        let mark = separators[last];
        if separators[..last].contains(&mark) {
            return Err(());
        }
        Some(last)
    } else if marks > 1 || lone_thousands {
        None
    } else {
        Some(last)
    };
    match decimal {
        Some(mark) if mark + 1 != separators.len() => Err(()),
        Some(mark) => grouping_ok(groups, mark).then_some(Some(mark)).ok_or(()),
        None => grouping_ok(groups, separators.len()).then_some(None).ok_or(()),
    }
}

/// Whether the first `separators` separators group thousands properly:
/// one to three digits first, then groups of three.
fn grouping_ok(groups: &[(usize, usize)], separators: usize) -> bool {
    let len = |(s, e): (usize, usize)| e - s;
    separators == 0 || ((1..=3).contains(&len(groups[0])) && groups[1..=separators].iter().all(|g| len(*g) == 3))
}

/// The value of digit groups whose decimal mark follows group `mark`.
fn value(bytes: &[u8], groups: &[(usize, usize)], mark: Option<usize>) -> Option<Decimal> {
    let mut units: u64 = 0;
    let mut scale = 0;
    for (i, &(s, e)) in groups.iter().enumerate() {
        for &digit in &bytes[s..e] {
            units = units.checked_mul(10)?.checked_add(u64::from(digit - b'0'))?;
        }
        if mark.is_some_and(|m| i > m) {
            scale += u32::try_from(e - s).ok()?;
        }
    }
    Decimal::new(units, scale)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(text: &str) -> Vec<Token> {
        let mut out = Vec::new();
        tokenize(text, 0, 0, usize::MAX, &mut out);
        out
    }

    fn number_of(text: &str) -> Option<String> {
        match tokens(text)[0].kind {
            Kind::Number(v, _) => Some(v.to_string()),
            _ => None,
        }
    }

    #[test]
    fn separators_are_read_by_the_documented_rule() {
        let cases = [
            ("12,500", "12500"),
            ("1.500", "1500"),
            ("40 000", "40000"),
            ("40\u{a0}000", "40000"),
            ("1\u{202f}250\u{202f}000", "1250000"),
            ("3.5", "3.50"),
            ("3,5", "3.50"),
            ("$1,250.50", ""),
            ("1,250.50", "1250.50"),
            ("1.250,50", "1250.50"),
            ("1.500.000", "1500000"),
            ("1,500,000.25", "1500000.25"),
            ("0,500", "0.50"),
            ("1234.567", "1234.567"),
            ("40 000,50", "40000.50"),
            ("2019", "2019"),
        ];
        for (text, want) in cases {
            let got = number_of(text.trim_start_matches('$'));
            if !want.is_empty() {
                assert_eq!(got.as_deref(), Some(want), "{text}");
            }
        }
    }

    #[test]
    fn malformed_numbers_times_dates_and_phones_are_junk() {
        for text in [
            "1,50,000",
            "1.250.50",
            "1,500.000.5",
            "10:30",
            "15/03/2020",
            "555-123-4567",
            "15-03-2020",
        ] {
            let t = tokens(text);
            assert_eq!(t[0].kind, Kind::Junk, "{text}");
            assert_eq!(t[0].end, text.len(), "{text}");
        }
        // A time at the end of a sentence keeps its full stop apart.
        let t = tokens("a las 10:30.");
        assert_eq!(t[2].kind, Kind::Junk);
        assert!(t[3].is_symbol('.'));
    }

    #[test]
    fn a_space_groups_only_three_digits_after_at_most_three() {
        let t = tokens("en 2019 500 personas");
        assert!(matches!(t[1].kind, Kind::Number(v, _) if v == Decimal::from_integer(2019)));
        assert!(matches!(t[2].kind, Kind::Number(v, _) if v == Decimal::from_integer(500)));
        assert_eq!(tokens("3 50")[0].end, 1);
    }

    #[test]
    fn words_are_folded_and_classified() {
        let t = tokens("Nos cobraron DÓLARES, 5k");
        assert!(t[1].is("cobraron"));
        assert_eq!(t[1].lex(), Lex::Money);
        assert!(t[2].is("dolares"));
        assert!(t[3].is_symbol(','));
        assert!(t[4].is_number());
        assert_eq!(t[5].lex(), Lex::K);
        assert_eq!(t[5].start, t[4].end);
        let t = tokens("a\nb");
        assert!(t[1].after_newline && !t[0].after_newline);
    }

    #[test]
    fn a_stretch_ends_after_enough_tokens_without_a_mark() {
        let text = "uno dos pagamos tres cuatro, cinco 5 seis siete ocho";
        let mut out = Vec::new();
        let mark_end = text.find("pagamos").unwrap() + "pagamos".len();
        // `5` is a mark: the count starts again after it.
        let end = tokenize(text, 0, mark_end, 4, &mut out);
        assert_eq!(&text[..end], "uno dos pagamos tres cuatro, cinco 5 seis siete ocho");
        let end = tokenize(text, 0, mark_end, 2, &mut out);
        assert_eq!(&text[..end], "uno dos pagamos tres cuatro");
    }
}
