//! The metadata header: a block of `Key: value` lines at the top of a
//! transcript (`Entrevistadora: Paula Rendón`, `Fecha: 10-04-2024`,
//! `Transcripción: https://…`), which researchers and tools write above
//! the interview. It is read into document attributes, like front matter,
//! instead of giving the interview a speaker called `Transcripción`.
//!
//! The header is the first block of the text (after a title: a heading, or
//! a line without a colon, on its own or opening the block) when it has at
//! least two lines and every line is `Key: value` with a key of one to four
//! words, a value that is not a sentence (it does not end with `.`, `?` or
//! `!`) and no key twice. A dialogue typed one turn per line at the top
//! fails these tests (its turns end as sentences and its speakers come
//! back); one that passes them is caught by the last: a header whose every
//! key is used again as a speaker label further down is a dialogue.
//! In Word and ODF documents, whose paragraphs are often one line each, the
//! header may be a run of one-line paragraphs; it then ends before the
//! first paragraph that is not `Key: value` or repeats a key.

use crate::text::line_ranges;

/// The longest key, in words.
const MAX_KEY_WORDS: usize = 4;
/// The longest value, in characters: longer ones are speech.
const MAX_VALUE_CHARS: usize = 150;
/// The most lines a header has.
const MAX_LINES: usize = 64;

/// A metadata header found.
pub(super) struct Header {
    /// Byte range of its lines.
    pub range: (usize, usize),
    /// Keys and values, in order.
    pub entries: Vec<(String, String)>,
}

/// `line` read as `Key: value` (a key in bold, `**Key:**`, is read too).
fn key_value(line: &str) -> Option<(&str, &str)> {
    let line = line.trim();
    let (key, value) = match line.strip_prefix("**") {
        Some(bold) => {
            let (key, rest) = bold.split_once("**")?;
            match key.strip_suffix(':') {
                Some(key) => (key, rest),
                None => (key, rest.strip_prefix(':')?),
            }
        }
        None => {
            let (key, rest) = line.split_once(':')?;
            (key, rest)
        }
    };
    let value = value.strip_prefix([' ', '\t', '\u{a0}'])?.trim();
    let words = key.split(' ').collect::<Vec<_>>();
    let key_ok = key.starts_with(char::is_alphabetic)
        && words.len() <= MAX_KEY_WORDS
        && words.iter().all(|w| {
            !w.is_empty()
                && w.chars()
                    .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | '(' | ')' | '\'' | '/'))
        });
    let value_ok = !value.is_empty() && !value.ends_with(['.', '?', '!']) && value.chars().count() <= MAX_VALUE_CHARS;
    (key_ok && value_ok).then_some((key, value))
}

/// The metadata header of `text`, if it has one; `headings` are the blocks
/// the format marks as headings.
pub(super) fn find(text: &str, paragraph_lines: bool, headings: &[usize]) -> Option<Header> {
    let blocks = first_blocks(text, if paragraph_lines { MAX_LINES } else { 2 });
    let is_key = |&(s, e): &(usize, usize)| key_value(&text[s..e]).is_some();
    // A title: a heading, or a one-line block without a key.
    let is_title = |k: usize, b: &[(usize, usize)]| {
        headings.contains(&k) || text[b[0].0..b[0].1].trim_start().starts_with('#') || (b.len() == 1 && !is_key(&b[0]))
    };
    let first = usize::from(blocks.first().is_some_and(|b| is_title(0, b)));
    let block = blocks.get(first)?;
    if headings.contains(&first) || block.len() > MAX_LINES {
        return None;
    }
    let mut lines: Vec<(usize, usize)> = Vec::new();
    if paragraph_lines {
        for b in blocks[first..]
            .iter()
            .take_while(|b| b.len() <= MAX_LINES && b.iter().all(is_key))
        {
            lines.extend(b);
        }
    } else {
        // A title line may open the header's block (`Interview 0064`).
        let skip = usize::from(first == 0 && block.len() >= 3 && !is_key(&block[0]));
        if !block[skip..].iter().all(is_key) {
            return None;
        }
        lines.extend(&block[skip..]);
    }
    // No key twice: a repeated key ends a run of paragraphs, and makes a
    // block no header.
    let mut entries: Vec<(String, String)> = Vec::new();
    for &(s, e) in &lines {
        let (key, value) = key_value(&text[s..e]).expect("a key line");
        if entries.iter().any(|(k, _)| k == key) {
            if !paragraph_lines {
                return None;
            }
            break;
        }
        entries.push((key.to_string(), value.to_string()));
    }
    if entries.len() < 2 {
        return None;
    }
    let range = (lines[0].0, lines[entries.len() - 1].1);
    (!keys_reused(&text[range.1..], &entries)).then_some(Header { range, entries })
}

/// Whether every key opens a later line of the text as a label (`Key:`,
/// `**Key:**`, `**Key**:`), which makes the block a dialogue. Each key is
/// looked for with a vectorised substring search, which stops at its first
/// use; the search stops at the first key never used.
fn keys_reused(rest: &str, entries: &[(String, String)]) -> bool {
    let rest = rest.as_bytes();
    entries.iter().all(|(key, _)| {
        let forms = [format!("\n{key}:"), format!("\n**{key}:**"), format!("\n**{key}**:")];
        forms
            .iter()
            .any(|form| memchr::memmem::find(rest, form.as_bytes()).is_some())
    })
}

/// The line ranges of the first `count` blocks (runs of non-blank lines)
/// of `text`; a block longer than [`MAX_LINES`] is cut there and ends the
/// list, since no header is that long.
fn first_blocks(text: &str, count: usize) -> Vec<Vec<(usize, usize)>> {
    let mut blocks = Vec::new();
    let mut current: Vec<(usize, usize)> = Vec::new();
    for (start, end) in line_ranges(text) {
        if text[start..end].trim().is_empty() {
            if !current.is_empty() {
                blocks.push(std::mem::take(&mut current));
                if blocks.len() == count {
                    return blocks;
                }
            }
            continue;
        }
        current.push((start, end));
        if current.len() > MAX_LINES {
            break;
        }
    }
    if !current.is_empty() {
        blocks.push(current);
    }
    blocks
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(text: &str, paragraph_lines: bool) -> Option<(String, Vec<(String, String)>)> {
        find(text, paragraph_lines, &[]).map(|h| (text[h.range.0..h.range.1].to_string(), h.entries))
    }

    fn keys(text: &str, paragraph_lines: bool) -> Vec<String> {
        header(text, paragraph_lines).map_or(Vec::new(), |h| h.1.into_iter().map(|(k, _)| k).collect())
    }

    #[test]
    fn a_header_block_at_the_top() {
        let text = "Entrevistadora: Paula Rendón\nHora: 10:30\nTranscripción: https://a.org/t/48\n\nEntrevistadora: ¿Cuántos años?\n\nEntrevistado: Veintidós.\n";
        let (lines, entries) = header(text, false).unwrap();
        assert_eq!(
            lines,
            "Entrevistadora: Paula Rendón\nHora: 10:30\nTranscripción: https://a.org/t/48"
        );
        assert_eq!(entries[1], ("Hora".to_string(), "10:30".to_string()));
        assert_eq!(entries[2].1, "https://a.org/t/48");
    }

    #[test]
    fn after_a_title() {
        assert_eq!(
            keys(
                "# Interview B-07\n\nInterviewer: Sam\nDate: 10-04-2024\n\nInterviewer: Hi.\n",
                false
            ),
            ["Interviewer", "Date"]
        );
        assert_eq!(
            keys("Interview 0064\nDate: 10/4/2014\nLocation: Houston\n\nQ: Hi?\n", false),
            ["Date", "Location"]
        );
        assert_eq!(
            keys("**Date:** 2021\n**Place**: Tapachula\n\nQ: Hi?\n", false),
            ["Date", "Place"]
        );
    }

    #[test]
    fn dialogue_is_no_header() {
        // sentences, and a key twice
        assert!(header("P: ¿Cuántos años tiene?\nR: Diecisiete.\nP: ¿Y?\n", false).is_none());
        // every key comes back as a label
        assert!(header("P: Buenos días\nR: Buenos días\n\nP: ¿Cómo está?\n\nR: Bien.\n", false).is_none());
        // one line is not a header, nor is a block with prose in it
        assert!(header("Fecha: hoy\n\nE: ¿Sí?\n", false).is_none());
        assert!(header("Fecha: hoy\nLlegamos tarde y no había nadie.\n", false).is_none());
    }

    #[test]
    fn word_paragraphs_one_line_each() {
        let text = "Entrevista 3\n\nFecha: hoy\n\nLugar: Tapachula\n\nEntrevistadora: Ana\n\nEntrevistadora: Buenos días\n\nMigrante: Buenos días.\n";
        assert_eq!(keys(text, true), ["Fecha", "Lugar", "Entrevistadora"]);
        assert!(header(text, false).is_none());
    }
}
