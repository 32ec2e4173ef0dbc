//! What one line of a transcript is, read on its own: blank, a heading, a
//! rule, a timestamp standing alone, or text that may open with a speaker
//! label (a *candidate*: whether it is a label is decided for the whole
//! document in `decide`) or with a time marker.
//!
//! Everything here looks at one line and nothing else, so it is a pure
//! function of the line's bytes; the shapes it knows are listed in
//! [`Shape`]. A line is only parsed when its first character could open a
//! label, and a parse gives up at the first character no label holds: on
//! prose this costs a few bytes per line.

use super::Shape;

/// The longest name, in bytes, looked for before a colon or a closing mark.
const MAX_NAME_BYTES: usize = 4 * 60;
/// The most words a name has (a renamed Zoom participant has six).
const MAX_NAME_WORDS: usize = 8;
/// The most words of a name standing alone without any mark around it.
const MAX_ALONE_WORDS: usize = 5;
/// The longest line, in bytes, that may be a name standing alone.
const MAX_ALONE_BYTES: usize = 4 * 40;

/// Lower-case words that join the parts of a name (`María de la Luz`,
/// `Experiência do Entrevistado`, `Ludwig van Beethoven`).
const PARTICLES: &[&str] = &[
    "de", "del", "la", "las", "los", "le", "les", "da", "das", "do", "dos", "di", "du", "van", "von", "der", "den",
    "ter", "y", "e", "el",
];

/// Abbreviations that keep their full stop inside a name (`Sra. López`,
/// `Dr. Villalobos`, `Lic. Paredes`); compared without case.
const ABBREVIATIONS: &[&str] = &[
    "sr", "sra", "srta", "dr", "dra", "lic", "lcdo", "lcda", "ing", "prof", "profa", "mtro", "mtra", "pbro", "mr",
    "mrs", "ms", "st", "fr", "hno", "hna", "gral", "cap", "tte", "sgto", "cnel", "arq", "dña", "dn", "sto", "sta",
    "pe", "sgt", "lt", "col", "gen", "rev", "hon", "jr",
];

/// How a name is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum NameKind {
    /// Every word capitalised, a number, a joining particle or a dash:
    /// `Paty Velasco - Ramiro Esteban Cruz`, `Balsero 1`, `María de la Luz`.
    Strict,
    /// Some word in lower case that joins nothing (`Madre de familia`,
    /// `He told me`): a name only when the document uses it again.
    Loose,
}

/// A line that may open with a speaker label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Candidate {
    /// Byte range of the name, from the start of the line.
    pub name: (usize, usize),
    /// Where the label starts (after indentation).
    pub start: usize,
    /// Where the label ends, the blanks after it included; the line's
    /// length when the label stands alone.
    pub end: usize,
    /// A time written with the label, in milliseconds.
    pub time: Option<u64>,
    /// How the label is written.
    pub shape: Shape,
    /// Nothing but the label on the line: its passage starts on the next.
    pub alone: bool,
    /// How the name is written.
    pub kind: NameKind,
}

/// What a line is on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum LineKind {
    /// Empty or white space.
    Blank,
    /// A Markdown ATX heading (`## Antecedentes`).
    Heading,
    /// A line of `=` or `-` under a heading, or of `-`, `*`, `_` alone (a
    /// horizontal rule); `=`/`-` tell them apart by what comes before.
    Rule(u8),
    /// A timestamp alone (`[04:12]`, `00:05:00`, `(00:00 - 00:14)`).
    Time(u64),
    /// Anything else, which may open with a label or a time marker.
    Text {
        /// A speaker label it may open with.
        candidate: Option<Candidate>,
        /// A time opening the line (`[00:00:07] - `), and where the text
        /// after it starts.
        marker: Option<(u64, usize)>,
    },
}

/// Reads `line` (without its `\n`).
pub(super) fn classify(line: &str) -> LineKind {
    let b = line.as_bytes();
    let indent = b.iter().take_while(|&&c| c == b' ' || c == b'\t').count();
    let Some(&first) = b.get(indent) else {
        return LineKind::Blank;
    };
    let text = |candidate, marker| LineKind::Text { candidate, marker };
    match first {
        b'#' => {
            let hashes = b[indent..].iter().take_while(|&&c| c == b'#').count();
            if hashes <= 6 && matches!(b.get(indent + hashes), None | Some(b' ' | b'\t')) {
                return LineKind::Heading;
            }
            text(None, None)
        }
        b'=' | b'-' | b'*' | b'_' => {
            let trimmed = line.trim_end().as_bytes();
            let marks = trimmed[indent..].iter().filter(|&&c| c != b' ').count();
            if marks >= 2 && trimmed[indent..].iter().all(|&c| c == first || c == b' ') {
                return LineKind::Rule(first);
            }
            if first == b'*' && b.get(indent + 1) == Some(&b'*') {
                return text(bold(line, indent), None);
            }
            text(None, None)
        }
        b'[' | b'(' | b'0'..=b'9' => timed(line, indent),
        b'<' => text(tag(line, indent), None),
        b'A'..=b'Z' | 0x80.. => text(plain(line, indent, None), None),
        _ => text(None, None),
    }
    .or_blank(line)
}

impl LineKind {
    /// `Blank` for a line of white space that is not ASCII (`\u{a0}`,
    /// `\u{3000}`), which the byte checks above take for text.
    fn or_blank(self, line: &str) -> LineKind {
        match self {
            LineKind::Text { candidate: None, .. } if line.trim().is_empty() => LineKind::Blank,
            other => other,
        }
    }
}

/// White space that may separate a label's parts: spaces, tabs and the
/// no-break space oTranscribe writes after its timestamps.
fn is_gap(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\u{a0}')
}

/// The length of the gap at the start of `s`.
fn gap_len(s: &str) -> usize {
    s.len() - s.trim_start_matches(is_gap).len()
}

/// A clock time at the start of `b`: `m:ss`, `mm:ss`, `h:mm:ss` or
/// `hh:mm:ss`, with an optional fraction of 1 to 3 digits after `.` or `,`.
/// Returns the milliseconds, its length and whether it has hours. A fourth
/// field (`01:23:45:21`, frames) or a digit right after is no time.
pub(crate) fn clock(b: &[u8]) -> Option<(u64, usize, bool)> {
    let digits = |at: usize| {
        b.get(at..)
            .map_or(0, |r| r.iter().take_while(|c| c.is_ascii_digit()).count())
    };
    let number = |at: usize, n: usize| -> u64 { b[at..at + n].iter().fold(0, |v, &c| v * 10 + u64::from(c - b'0')) };
    let first = digits(0);
    if !(1..=2).contains(&first) || b.get(first) != Some(&b':') || digits(first + 1) != 2 {
        return None;
    }
    let (mut seconds, second) = (number(0, first), number(first + 1, 2));
    let mut at = first + 3;
    let mut hours = false;
    let mut last = second;
    if b.get(at) == Some(&b':') && digits(at + 1) == 2 {
        last = number(at + 1, 2);
        seconds = seconds * 60 + second;
        hours = true;
        at += 3;
    }
    if second >= 60 || last >= 60 || (b.get(at) == Some(&b':') && b.get(at + 1).is_some_and(u8::is_ascii_digit)) {
        return None;
    }
    seconds = seconds * 60 + last;
    let mut millis = 0;
    if matches!(b.get(at), Some(b'.' | b',')) {
        let n = digits(at + 1);
        if (1..=3).contains(&n) {
            millis = number(at + 1, n) * 10u64.pow(3 - n as u32);
            at += 1 + n;
        }
    }
    if b.get(at).is_some_and(u8::is_ascii_digit) {
        return None;
    }
    Some((seconds * 1000 + millis, at, hours))
}

/// A time in brackets or parentheses at the start of `s`: `[04:12]`,
/// `(01:12)`, `[00:00:15.02]`, or a range `(00:00 - 00:14)` (its start).
/// Returns the milliseconds and the length.
fn bracketed_time(s: &str) -> Option<(u64, usize)> {
    let b = s.as_bytes();
    let close = match b.first()? {
        b'[' => b']',
        b'(' => b')',
        _ => return None,
    };
    let (millis, len, _) = clock(&b[1..])?;
    let mut at = 1 + len;
    if b.get(at) != Some(&close) {
        // a range: `start - end`
        let rest = &s[at..];
        let after = rest.trim_start_matches(is_gap);
        let after = after.strip_prefix(['-', '–'])?.trim_start_matches(is_gap);
        let (_, end_len, _) = clock(after.as_bytes())?;
        at = s.len() - after.len() + end_len;
        if b.get(at) != Some(&close) {
            return None;
        }
    }
    Some((millis, at + 1))
}

/// A time alone at the start of `s`, bracketed or bare, with the blanks
/// after it reaching the end of the line.
fn time_alone(s: &str) -> Option<u64> {
    let (millis, len) = bracketed_time(s).or_else(|| clock(s.as_bytes()).map(|(m, l, _)| (m, l)))?;
    s[len..].trim_matches(is_gap).is_empty().then_some(millis)
}

/// A line opening with a digit, `[` or `(`: a timestamp alone, a time
/// before a label (`[00:12:31] R1:`, `00:00:02.0Moderadora:`,
/// `[00:00:15.02] - Speaker 1`), a time marker opening the text
/// (`[00:00:07] - Empecé…`), or a bracketed name (`[Speaker 2]`).
fn timed(line: &str, indent: usize) -> LineKind {
    let s = &line[indent..];
    let (millis, len, bracketed, hours) = match bracketed_time(s) {
        Some((m, l)) => (m, l, true, true),
        None => match clock(s.as_bytes()) {
            Some((m, l, hours)) => (m, l, false, hours),
            None => {
                let candidate = if s.starts_with('[') {
                    bracket(line, indent)
                } else {
                    None
                };
                return LineKind::Text {
                    candidate,
                    marker: None,
                };
            }
        },
    };
    let rest = &s[len..];
    if rest.trim_matches(is_gap).is_empty() {
        return LineKind::Time(millis);
    }
    // A bare time without hours opening a line is a clock time in speech
    // (`10:30 salimos`), never a label's or a marker's.
    if !bracketed && !hours {
        return LineKind::Text {
            candidate: None,
            marker: None,
        };
    }
    let mut at = indent + len + gap_len(rest);
    let gapped = at > indent + len;
    if let Some(dash) = line[at..].strip_prefix(['-', '–'])
        && dash.starts_with(is_gap)
    {
        at = line.len() - dash.len() + gap_len(dash);
    }
    let separated = at > indent + len;
    // MAXQDA writes the name right after the time (`00:03:40.5Name:`).
    let glued = !gapped && !bracketed && line[at..].starts_with(|c: char| c.is_uppercase());
    let mut candidate = None;
    if separated || glued {
        candidate = plain(line, at, Some(millis)).or_else(|| {
            bold(line, at).map(|c| Candidate {
                time: Some(millis),
                ..c
            })
        });
        if let Some(c) = &mut candidate {
            c.start = indent;
            if c.shape == Shape::NameAlone {
                // `[00:00:15.02] - Speaker 1`: a name with its time.
                c.shape = Shape::TimedHeader;
            }
        }
    }
    let marker = separated.then_some((millis, at));
    LineKind::Text { candidate, marker }
}

/// What ends a name being read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stop {
    /// `:` (the colon of `Name:`).
    Colon,
    /// The end of the line.
    End,
    /// ` (`: a time in parentheses may follow (`Name (00:00):`).
    Paren,
    /// A wider gap, or a single space before a time: a time alone may
    /// follow (`Name  0:03`, `Name [0:03]`).
    Gap,
    /// The closing mark the caller stops at (`*`, `]`, `>`).
    Close,
}

/// Reads a name at the start of `s`, stopping at `close` when given. The
/// name's first character is an upper-case letter; its words hold letters,
/// digits and `.`, `-`, `_`, `'`, `’`, joined by single spaces (a lone `-`
/// or `–` may stand between them); a word ending with `.` inside the name
/// is an abbreviation (`Sra.`) or an initial (`J.`), else a sentence ends
/// there and this is no name. With `strict`, a lower-case word that joins
/// nothing ends the reading. Returns the name's length, what stopped it and
/// how it is written.
fn name(s: &str, close: Option<char>, strict: bool) -> Option<(usize, Stop, NameKind)> {
    let b = s.as_bytes();
    if !s.chars().next()?.is_uppercase() {
        return None;
    }
    let mut kind = NameKind::Strict;
    let mut words = 0;
    let mut word_start = 0;
    loop {
        // one word, read byte by byte where it is ASCII
        let mut end = word_start;
        while let Some(&c) = b.get(end) {
            if c < 0x80 {
                if !(c.is_ascii_alphanumeric() || matches!(c, b'.' | b'-' | b'_' | b'\'')) {
                    break;
                }
                end += 1;
            } else {
                let ch = s[end..].chars().next()?;
                if !(ch.is_alphanumeric() || matches!(ch, '’' | '–')) {
                    break;
                }
                end += ch.len_utf8();
            }
        }
        if end == word_start || end > MAX_NAME_BYTES {
            return None;
        }
        let word = &s[word_start..end];
        let dash = word == "-" || word == "–";
        if !dash {
            words += 1;
            if words > MAX_NAME_WORDS {
                return None;
            }
            let lead = word.chars().next()?;
            if !(lead.is_uppercase() || lead.is_ascii_digit() || PARTICLES.contains(&word)) {
                if strict || !lead.is_lowercase() {
                    return None;
                }
                kind = NameKind::Loose;
            }
        }
        let stop = match s[end..].chars().next() {
            None => Some(Stop::End),
            Some(':') => Some(Stop::Colon),
            Some(c) if Some(c) == close => Some(Stop::Close),
            Some('\t' | '\u{a0}') => Some(Stop::Gap),
            Some(' ') => {
                let after = &s[end + 1..];
                match after.chars().next() {
                    Some(' ' | '\t' | '\u{a0}' | '[') => Some(Stop::Gap),
                    Some('(') => Some(Stop::Paren),
                    Some(c) if c.is_ascii_digit() && time_alone(after).is_some() => Some(Stop::Gap),
                    Some(_) => None,
                    None => Some(Stop::End),
                }
            }
            Some(_) => return None,
        };
        // A full stop inside the name ends a sentence unless it ends an
        // abbreviation or an initial.
        if let Some(stem) = word.strip_suffix('.')
            && !(stem.chars().count() == 1 || ABBREVIATIONS.iter().any(|a| a.eq_ignore_ascii_case(stem)))
        {
            return None;
        }
        match stop {
            Some(stop) => {
                if dash {
                    return None; // a name does not end with a dash
                }
                return Some((end, stop, kind));
            }
            None => word_start = end + 1, // after the space
        }
    }
}

/// After a label's colon at `at` (the byte after `:`): the colon must be
/// followed by a blank or the end of the line; then an optional time in
/// brackets (`Name: [00:00:05] words`). Returns where the label ends, the
/// time and whether the label stands alone.
fn after_colon(line: &str, at: usize) -> Option<(usize, Option<u64>, bool)> {
    let rest = &line[at..];
    if !(rest.is_empty() || rest.starts_with(is_gap)) {
        return None;
    }
    let mut end = at + gap_len(rest);
    let mut time = None;
    if let Some((millis, len)) = bracketed_time(&line[end..])
        && line[end + len..].chars().next().is_none_or(is_gap)
    {
        time = Some(millis);
        end += len;
        end += gap_len(&line[end..]);
    }
    let alone = line[end..].trim_end().is_empty();
    Some((if alone { line.len() } else { end }, time, alone))
}

/// After a name and a gap: a time alone to the end of the line (`Name
/// 0:03`, `Name [0:03]`, `[Name] 10:31:05`). Returns the time.
fn time_to_end(rest: &str) -> Option<u64> {
    let s = rest.trim_start_matches(is_gap);
    if s.len() == rest.len() && !rest.is_empty() {
        return None;
    }
    time_alone(s)
}

/// A plain name at `line[at..]`: `Name: words`, `Name:` alone, `Name
/// (00:00): words`, `Name  0:03` alone, or a name alone. `time` is a time
/// already read before it.
fn plain(line: &str, at: usize, time: Option<u64>) -> Option<Candidate> {
    let s = &line[at..];
    // Cheap refusal of prose: without a colon, a label is a name alone or a
    // name and a time alone, so a short line or one ending with a time;
    // and a strict name.
    let head = &s.as_bytes()[..s.len().min(MAX_NAME_BYTES + 2)];
    let colon = memchr::memchr(b':', head).is_some();
    if !colon {
        let end = s.trim_end_matches(is_gap).as_bytes();
        let timed = end
            .last()
            .is_some_and(|&c| c.is_ascii_digit() || c == b']' || c == b')');
        if !timed && end.len() > MAX_ALONE_BYTES {
            return None;
        }
    }
    let (len, stop, kind) = name(s, None, !colon)?;
    let name_range = (at, at + len);
    let candidate = |end: usize, time: Option<u64>, shape: Shape, alone: bool| Candidate {
        name: name_range,
        start: at,
        end,
        time,
        shape,
        alone,
        kind,
    };
    match stop {
        Stop::Colon => {
            let (end, after, alone) = after_colon(line, at + len + 1)?;
            let time = time.or(after);
            let shape = if alone { Shape::ColonAlone } else { Shape::Colon };
            Some(candidate(end, time, shape, alone))
        }
        Stop::Paren => {
            // `Name (00:00):` (Rev): the time, then the colon.
            let open = at + len + 1;
            let (millis, tlen) = bracketed_time(&line[open..])?;
            if line.as_bytes().get(open + tlen) != Some(&b':') {
                return None;
            }
            let (end, _, alone) = after_colon(line, open + tlen + 1)?;
            let shape = if alone { Shape::TimedHeader } else { Shape::Colon };
            Some(candidate(end, Some(millis), shape, alone))
        }
        Stop::Gap if !line[at + len..].trim().is_empty() => {
            let millis = time_to_end(&line[at + len..])?;
            Some(candidate(line.len(), Some(millis), Shape::TimedHeader, true))
        }
        Stop::End | Stop::Gap => {
            let words = s[..len].split(' ').filter(|w| !matches!(*w, "-" | "–")).count();
            (words <= MAX_ALONE_WORDS && kind == NameKind::Strict)
                .then(|| candidate(line.len(), time, Shape::NameAlone, true))
        }
        Stop::Close => None,
    }
}

/// A name between marks at `line[at..]`: `open`, the name, `close`.
/// Returns the name's range, where the text after the closing mark starts,
/// whether a colon ended the name inside the marks, and how it is written.
fn enclosed(line: &str, at: usize, open: &str, close: &str) -> Option<((usize, usize), usize, bool, NameKind)> {
    let inner = at + open.len();
    let s = line.get(inner..)?;
    let (len, stop, kind) = name(s, close.chars().next(), false)?;
    let colon = stop == Stop::Colon;
    let after = inner + len + usize::from(colon);
    line[after..]
        .starts_with(close)
        .then_some(((inner, inner + len), after + close.len(), colon, kind))
}

/// `**Name:** words`, `**Name**: words`, `**Name**` alone, `**Name**  0:00`
/// alone, `**Name** [0:00] words`.
fn bold(line: &str, at: usize) -> Option<Candidate> {
    let (name, mut after, colon_inside, kind) = enclosed(line, at, "**", "**")?;
    let candidate = |end: usize, time: Option<u64>, shape: Shape, alone: bool| Candidate {
        name,
        start: at,
        end,
        time,
        shape,
        alone,
        kind,
    };
    let colon = colon_inside || line[after..].starts_with(':');
    if colon {
        after += usize::from(!colon_inside);
        let (end, time, alone) = after_colon(line, after)?;
        let shape = if alone { Shape::BoldAlone } else { Shape::Bold };
        return Some(candidate(end, time, shape, alone));
    }
    let rest = &line[after..];
    if rest.trim().is_empty() {
        return Some(candidate(line.len(), None, Shape::BoldAlone, true));
    }
    if let Some(millis) = time_to_end(rest) {
        return Some(candidate(line.len(), Some(millis), Shape::TimedHeader, true));
    }
    // `**Kim** [0:00] words`
    let gap = gap_len(rest);
    let (millis, len) = bracketed_time(&rest[gap..]).filter(|_| gap > 0)?;
    let end = after + gap + len;
    let blanks = gap_len(&line[end..]);
    (blanks > 0).then(|| candidate(end + blanks, Some(millis), Shape::BoldTimed, false))
}

/// `[Speaker 2]` alone, or `[Name] 10:31:05` alone (Zoom's saved captions).
fn bracket(line: &str, at: usize) -> Option<Candidate> {
    let (name, after, colon, kind) = enclosed(line, at, "[", "]")?;
    if colon {
        return None;
    }
    let rest = &line[after..];
    let (time, shape) = if rest.trim().is_empty() {
        (None, Shape::BracketAlone)
    } else {
        (Some(time_to_end(rest)?), Shape::TimedHeader)
    };
    Some(Candidate {
        name,
        start: at,
        end: line.len(),
        time,
        shape,
        alone: true,
        kind,
    })
}

/// `<Name> words`: a name in angle brackets (not an HTML tag, whose name is
/// in lower case and has attributes).
fn tag(line: &str, at: usize) -> Option<Candidate> {
    let (name, after, colon, kind) = enclosed(line, at, "<", ">")?;
    if colon {
        return None;
    }
    let rest = &line[after..];
    let alone = rest.trim().is_empty();
    if !alone && !rest.starts_with(is_gap) {
        return None;
    }
    let end = if alone { line.len() } else { after + gap_len(rest) };
    Some(Candidate {
        name,
        start: at,
        end,
        time: None,
        shape: Shape::Tag,
        alone,
        kind,
    })
}

/// A subtitle cue's speaker prefix: `Name: words`, `- Name: words` (a
/// dialogue dash) or `[NAME] words` (captions for the deaf, where a name in
/// brackets is in capitals and `[risas]` is a sound). Returns the name's
/// byte range and where the words start.
pub(crate) fn cue_prefix(line: &str) -> Option<((usize, usize), usize)> {
    let mut at = 0;
    if let Some(rest) = line.strip_prefix(['-', '–'])
        && rest.starts_with(is_gap)
    {
        at = line.len() - rest.len() + gap_len(rest);
    }
    if line[at..].starts_with('[') {
        let (name, after, colon, _) = enclosed(line, at, "[", "]")?;
        let capitals = !line[name.0..name.1].chars().any(char::is_lowercase);
        return (!colon && capitals).then(|| (name, after + gap_len(&line[after..])));
    }
    let (len, stop, _) = name(&line[at..], None, false)?;
    if stop != Stop::Colon {
        return None;
    }
    let (end, _, _) = after_colon(line, at + len + 1)?;
    Some(((at, at + len), end.min(line.len())))
}

/// The f4 time mark closing a line (`… #00:00:12-3#`): its milliseconds
/// (the digit after `-` is tenths of a second) and where it starts.
pub(super) fn closing_mark(line: &str) -> Option<(u64, usize)> {
    let trimmed = line.trim_end();
    let body = trimmed.strip_suffix('#')?;
    let open = body.rfind('#')?;
    let mark = &body[open + 1..];
    let (whole, tenths) = mark.rsplit_once('-')?;
    let (millis, len, hours) = clock(whole.as_bytes())?;
    if len != whole.len() || !hours || tenths.len() != 1 || !tenths.as_bytes()[0].is_ascii_digit() {
        return None;
    }
    Some((millis + 100 * u64::from(tenths.as_bytes()[0] - b'0'), open))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn candidate(line: &str) -> Option<(String, Shape, Option<u64>, bool, &str)> {
        match classify(line) {
            LineKind::Text { candidate: Some(c), .. } => Some((
                line[c.name.0..c.name.1].to_string(),
                c.shape,
                c.time,
                c.alone,
                &line[c.end..],
            )),
            _ => None,
        }
    }

    #[test]
    fn clocks() {
        assert_eq!(clock(b"0:03"), Some((3_000, 4, false)));
        assert_eq!(clock(b"12:31 x"), Some((751_000, 5, false)));
        assert_eq!(clock(b"1:02:03.5"), Some((3_723_500, 9, true)));
        assert_eq!(clock(b"00:00:15.02]"), Some((15_020, 11, true)));
        assert_eq!(clock(b"00:03:40.5Name"), Some((220_500, 10, true)));
        assert_eq!(clock(b"01:23:45:21"), None, "frames are no time");
        assert_eq!(clock(b"10:61"), None);
        assert_eq!(clock(b"123:00"), None);
        assert_eq!(clock(b"1:2"), None);
        assert_eq!(bracketed_time("(00:00 - 00:14)"), Some((0, 15)));
        assert_eq!(bracketed_time("[04:12] x"), Some((252_000, 7)));
    }

    #[test]
    fn labels_of_every_shape() {
        let cases: &[(&str, &str, Shape, Option<u64>, bool)] = &[
            ("Interviewer: hello", "Interviewer", Shape::Colon, None, false),
            ("Sra. López: claro", "Sra. López", Shape::Colon, None, false),
            ("María de la Luz: yo", "María de la Luz", Shape::Colon, None, false),
            (
                "Paty Velasco - Ramiro Esteban Cruz: Sí",
                "Paty Velasco - Ramiro Esteban Cruz",
                Shape::Colon,
                None,
                false,
            ),
            ("ENTREVISTADOR:", "ENTREVISTADOR", Shape::ColonAlone, None, true),
            ("[00:12:31] R1: we left", "R1", Shape::Colon, Some(751_000), false),
            (
                "00:00:02.0Moderadora: Gracias",
                "Moderadora",
                Shape::Colon,
                Some(2_000),
                false,
            ),
            ("0:00:05\u{a0}E: ¿Cómo?", "E", Shape::Colon, Some(5_000), false),
            (
                "Entrevistadora: [00:00:05] ¿Me?",
                "Entrevistadora",
                Shape::Colon,
                Some(5_000),
                false,
            ),
            (
                "Carmen Ibarra (00:00:04): Thank",
                "Carmen Ibarra",
                Shape::Colon,
                Some(4_000),
                false,
            ),
            ("Speaker 1 (00:00):", "Speaker 1", Shape::TimedHeader, Some(0), true),
            (
                "Daniela Ortiz  0:02  ",
                "Daniela Ortiz",
                Shape::TimedHeader,
                Some(2_000),
                true,
            ),
            ("Ana López   0:04", "Ana López", Shape::TimedHeader, Some(4_000), true),
            (
                "[Lucía Montaño] 10:31:05",
                "Lucía Montaño",
                Shape::TimedHeader,
                Some(37_865_000),
                true,
            ),
            (
                "[00:00:04.37] - Speaker 2",
                "Speaker 2",
                Shape::TimedHeader,
                Some(4_370),
                true,
            ),
            ("**Kim**  0:00  ", "Kim", Shape::TimedHeader, Some(0), true),
            ("**Kim** [0:12] Today", "Kim", Shape::BoldTimed, Some(12_000), false),
            ("**Entrevistadora:** ¿Qué?", "Entrevistadora", Shape::Bold, None, false),
            ("**Wilmer**: Once días", "Wilmer", Shape::Bold, None, false),
            ("**Doña Rosa**", "Doña Rosa", Shape::BoldAlone, None, true),
            ("[Speaker 1]", "Speaker 1", Shape::BracketAlone, None, true),
            ("<Fabiola> Por otra", "Fabiola", Shape::Tag, None, false),
            ("MARÍA ELENA", "MARÍA ELENA", Shape::NameAlone, None, true),
            ("SPEAKER_01", "SPEAKER_01", Shape::NameAlone, None, true),
        ];
        for &(line, name, shape, time, alone) in cases {
            let got = candidate(line).unwrap_or_else(|| panic!("{line:?} is a candidate"));
            assert_eq!(
                (got.0.as_str(), got.1, got.2, got.3),
                (name, shape, time, alone),
                "{line:?}"
            );
        }
        assert_eq!(candidate("Sra. López: claro").unwrap().4, "claro");
        assert_eq!(candidate("[00:12:31] R1: we left").unwrap().4, "we left");
        assert_eq!(candidate("**Kim** [0:12] Today").unwrap().4, "Today");
    }

    #[test]
    fn prose_is_no_candidate() {
        for line in [
            "COMAR. A driver said: “they sell the places”",
            "Tapachula. She said: the bus",
            "10:30 salimos de Tecún",
            "14:00 hrs: llegó la Guardia",
            "https://noticias.example.org/2020",
            "Nota:la foto no es de ese día.",
            "- Balsa: 25 pesos",
            "1. Coyote: nombre omitido",
            "<div class=\"transcript\">",
            "the smuggler said: pay",
            "One two three four five six seven eight nine: x",
            "ENTREVISTA 7 — TECÚN UMÁN",
            "Interviewer : space before the colon",
            "[inaudible] P03: not a timestamp",
        ] {
            assert_eq!(candidate(line), None, "{line:?}");
        }
        // Lower-case words make a loose name, a label only if it recurs.
        let LineKind::Text { candidate: Some(c), .. } = classify("Madre de familia: sí") else {
            panic!()
        };
        assert_eq!(c.kind, NameKind::Loose);
    }

    #[test]
    fn line_kinds() {
        assert_eq!(classify(""), LineKind::Blank);
        assert_eq!(classify(" \t\u{a0}"), LineKind::Blank);
        assert_eq!(classify("## Antecedentes:"), LineKind::Heading);
        assert_eq!(
            classify("#hashtag"),
            LineKind::Text {
                candidate: None,
                marker: None
            }
        );
        assert_eq!(classify("==========="), LineKind::Rule(b'='));
        assert_eq!(classify("* * *"), LineKind::Rule(b'*'));
        assert_eq!(classify("[04:12]"), LineKind::Time(252_000));
        assert_eq!(classify("(00:14 - 00:31)"), LineKind::Time(14_000));
        assert_eq!(classify("00:05:00"), LineKind::Time(300_000));
        assert_eq!(
            classify("[00:00:07] - Empecé a los catorce, cuando"),
            LineKind::Text {
                candidate: None,
                marker: Some((7_000, 13))
            }
        );
    }

    #[test]
    fn f4_marks_close_lines() {
        let line = "I: ¿Qué cambió? #00:00:25-0#";
        assert_eq!(closing_mark(line), Some((25_000, line.find('#').unwrap())));
        assert_eq!(closing_mark("B: ok #00:00:48-4#  "), Some((48_400, 6)));
        assert_eq!(closing_mark("#hashtag#"), None);
        assert_eq!(closing_mark("no mark"), None);
    }
}
