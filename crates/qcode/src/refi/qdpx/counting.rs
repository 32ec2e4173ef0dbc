//! How an exporter counted text positions: in Unicode code points or UTF-16
//! units, with a CRLF line break as one character or two. Known exporters
//! are taken at their habit; for others, the counting under which the
//! selections best fit their texts wins.

use std::borrow::Cow;

use super::import::Source;
use crate::refi::positions::{Positions, Units};

/// How an exporter counted positions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Counting {
    pub(super) unit: Positions,
    /// A CRLF line break counted as one character.
    pub(super) crlf_as_one: bool,
}

/// The counting of known exporters, as their exports show it.
pub(super) fn counting_of(origin: &str) -> Option<Counting> {
    let o = origin.to_lowercase();
    let (unit, crlf_as_one) = if o.contains("nvivo") {
        (Positions::Utf16, false)
    } else if o.contains("atlas.ti") || o.contains("qualcoder") {
        (Positions::Codepoints, true)
    } else if o.starts_with("qcode") {
        (
            if o.contains("utf-16") {
                Positions::Utf16
            } else {
                Positions::Codepoints
            },
            false,
        )
    } else {
        return None;
    };
    Some(Counting { unit, crlf_as_one })
}

/// Picks how positions are counted: the override, else the exporter's
/// known habit, else (when the texts make it matter) the counting under
/// which the selections fit their texts best; the standard on a tie.
pub(super) fn decide(origin: &str, flag: Option<Positions>, sources: &[Source]) -> (Counting, String) {
    let known = counting_of(origin);
    let texts = || sources.iter().filter_map(|s| s.text.as_deref());
    let units = match flag.or(known.map(|k| k.unit)) {
        Some(u) => vec![u],
        None if texts().any(|t| Units::new(t).has_astral()) => vec![Positions::Codepoints, Positions::Utf16],
        None => vec![Positions::Codepoints],
    };
    let has_cr = texts().any(|t| t.contains('\r'));
    let crlf = match known {
        Some(k) => vec![k.crlf_as_one],
        None if has_cr => vec![false, true],
        None => vec![false],
    };
    let candidates: Vec<Counting> = units
        .iter()
        .flat_map(|&unit| crlf.iter().map(move |&crlf_as_one| Counting { unit, crlf_as_one }))
        .collect();
    let guessed = candidates.len() > 1;
    let mut best = candidates[0];
    if guessed {
        let mut best_score = fit(sources, best);
        for &c in &candidates[1..] {
            let score = fit(sources, c);
            if score > best_score {
                (best, best_score) = (c, score);
            }
        }
    }
    let from = if origin.is_empty() {
        "no origin given".to_string()
    } else {
        format!("origin \"{origin}\"")
    };
    let reason = if flag.is_some() {
        "as --positions says".to_string()
    } else if known.is_some() {
        format!("as this exporter counts: {from}")
    } else if guessed {
        format!("guessed from where the selections start and end: {from}")
    } else {
        format!("as the standard says: {from}")
    };
    let line_breaks = match (has_cr, best.crlf_as_one) {
        (false, _) => "",
        (true, true) => ", a CRLF line break counted as one",
        (true, false) => ", a CRLF line break counted as two",
    };
    (best, format!("{}{line_breaks} ({reason})", best.unit.describe()))
}

/// The text positions count in: with CRLF counted once, its line breaks
/// as single `\n`s.
pub(super) fn counted_text(raw: &str, counting: Counting) -> Cow<'_, str> {
    if counting.crlf_as_one && raw.contains('\r') {
        Cow::Owned(raw.replace("\r\n", "\n").replace('\r', "\n"))
    } else {
        Cow::Borrowed(raw)
    }
}

/// How well selections fit their texts under a counting: more selections
/// whose `name` quotes their text, then fewer that fall outside the text
/// or cut a word in two.
fn fit(sources: &[Source], counting: Counting) -> (usize, isize) {
    let collapse = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let (mut quoted, mut bad) = (0, 0isize);
    for s in sources {
        let Some(raw) = &s.text else { continue };
        let text = counted_text(raw, counting);
        let chars: Vec<char> = text.chars().collect();
        let units = Units::new(&text);
        let cuts = |p: usize| p > 0 && p < chars.len() && chars[p - 1].is_alphanumeric() && chars[p].is_alphanumeric();
        for sel in &s.selections {
            let (Some(a), Some(b)) = (sel.start, sel.end) else {
                continue;
            };
            match (units.to_char(a, counting.unit), units.to_char(b, counting.unit)) {
                (Some(a), Some(b)) if a < b => {
                    let slice: String = chars[a..b].iter().collect();
                    if sel.name.as_deref().is_some_and(|n| collapse(n) == collapse(&slice)) {
                        quoted += 1;
                    }
                    bad += isize::from(cuts(a)) + isize::from(cuts(b));
                }
                (Some(_), Some(_)) => {}
                _ => bad += 1,
            }
        }
    }
    (quoted, -bad)
}
