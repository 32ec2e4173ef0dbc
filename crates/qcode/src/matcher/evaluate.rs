//! Applying a compiled codebook to one document: finding every term's hits
//! in one pass, grouping them by segment, then deciding per segment which
//! codes apply (`all`, `near`, `not`, `min_hits`, speaker scopes).

use std::sync::Arc;

use regex_automata::{Anchored, Input};

use super::fold::Folded;
use super::patterns::{self, RegexRule, find_all};
use super::words::{boundary_after, boundary_before, word_distance, word_end, word_start};
use super::{Applications, Applied, Hit, Matcher, Role, SCRATCH, Scratch};
use crate::codebook::SpeakerSet;
use crate::segment::Segment;

impl Matcher {
    /// Applies every code to every segment of one document. `masked` are the
    /// byte ranges never matched (speaker labels, timestamps: see
    /// [`crate::speakers::Attribution::masked`]); `segments` must be sorted
    /// and non-overlapping. Results are ordered by segment, then code.
    pub fn apply(&self, text: &str, masked: &[(usize, usize)], segments: &[Segment]) -> Applications {
        if segments.is_empty() {
            return Applications::default();
        }
        let mut scratch = SCRATCH.with(|s| std::mem::take(&mut *s.borrow_mut()));
        let folded = Folded::new_in(text, masked, std::mem::take(&mut scratch.folded));
        let mut hits = std::mem::take(&mut scratch.hits);
        hits.clear();
        let ft = folded.text.as_str();
        let mut original_ranges = std::mem::take(&mut scratch.original_ranges);
        original_ranges.clear();
        original_ranges.extend(segments.iter().map(|s| (s.start, s.end)));
        let mut folded_ranges = std::mem::take(&mut scratch.folded_ranges);
        folded_ranges.clear();
        if self.folded_scan.is_some() || self.confirms {
            let mut ends = folded.folded_offsets(original_ranges.iter().flat_map(|&(a, b)| [a, b]));
            folded_ranges.extend(std::iter::from_fn(|| Some((ends.next()?, ends.next()?))));
        }
        // `None`: the scan could not run, so any segment may match.
        let (mut folded_flags, mut original_flags) = patterns::scan(
            self.folded_scan.as_ref().map(|scan| (scan, ft, &folded_ranges[..])),
            self.original_scan
                .as_ref()
                .map(|scan| (scan, text, &original_ranges[..])),
        );
        KeywordHits {
            matcher: self,
            folded: &folded,
            text,
            segments,
            folded_ranges: &folded_ranges,
            last_segment: 0,
            captures: None,
            hits: &mut hits,
        }
        .find(&mut scratch.word_bits);
        let mut push = |segment: usize, slot: u32, start: usize, end: usize, folded_start: usize| {
            hits.push(self.hit(segment, slot, start, end, folded_start));
        };
        if !self.regexes.is_empty() {
            let on_folded = (true, ft, &folded_ranges, folded.folded_unicode_words, &self.folded_scan);
            let on_original = (
                false,
                text,
                &original_ranges,
                folded.original_unicode_words,
                &self.original_scan,
            );
            for (on_folded_text, hay, ranges, unicode_words, scan) in [on_folded, on_original] {
                let Some(scan) = scan else { continue };
                let flagged = if on_folded_text {
                    folded_flags.take().flatten()
                } else {
                    original_flags.take().flatten()
                };
                for (id, &rule) in scan.rules.iter().enumerate() {
                    let r = &self.regexes[rule];
                    let mut captures = None;
                    // Every match in a segment is a match of the scan's loose
                    // pattern, so none ends after the scan's last end there:
                    // the search stops at `end`.
                    let mut search = |k: usize, from: usize, end: usize| {
                        let first = |from: usize, to: usize| r.first(hay, from, to, unicode_words);
                        find_all(hay, from, end, first, |s, e| {
                            if !r.folded {
                                if !in_label(masked, s, e) {
                                    push(k, r.slot, s, e, 0);
                                }
                                return;
                            }
                            if r.term.is_some() && !term_accepts(r, &folded, text, s, e, &mut captures) {
                                return;
                            }
                            let (os, oe) = folded.original(text, s, e);
                            push(k, r.slot, os, oe, s);
                        });
                    };
                    match &flagged {
                        // No match there starts before the first possible end
                        // minus the longest match.
                        Some(flagged) => flagged[id].iter().for_each(|f| {
                            let (k, first_end) = (f.segment as usize, f.first_end as usize);
                            let from = r
                                .max_len
                                .map_or(ranges[k].0, |n| ranges[k].0.max(first_end.saturating_sub(n)));
                            search(k, from, f.last_end as usize)
                        }),
                        None => (0..ranges.len()).for_each(|k| search(k, ranges[k].0, ranges[k].1)),
                    }
                }
            }
        }
        // Grouped by segment, then by code; the order inside a group does
        // not matter (evaluation sorts what it keeps, and a hit found twice
        // counts once there). Segments are numbered densely, so a counting
        // sort groups the hits in two passes; each segment's few hits are
        // then sorted by code.
        let mut grouped = std::mem::take(&mut scratch.grouped);
        group_by_segment(&hits, segments.len(), &mut scratch.counts, &mut grouped);
        // A coded segment takes at least one hit, and so does each of its
        // spans: sized once, the vectors never grow (and copy) again.
        let mut out = Applications {
            applied: Vec::with_capacity(hits.len()),
            spans: Vec::with_capacity(hits.len()),
        };
        let mut support = Vec::new();
        let mut scopes = ScopeMemo::default();
        for in_segment in grouped.chunk_by_mut(|a, b| a.segment == b.segment) {
            in_segment.sort_unstable_by_key(|h| h.code);
            let seg = in_segment[0].segment as usize;
            let speaker = segments[seg].speaker.as_deref();
            let allowed = scopes.of(self.scopes.len(), &segments[seg].speaker);
            for group in in_segment.chunk_by(|a, b| a.code == b.code) {
                let code = group[0].code as usize;
                let scope = self.scope_of[code];
                let (speakers, skip) = &self.scopes[scope];
                if !*allowed[scope].get_or_insert_with(|| speaker_allowed(speakers, skip, speaker)) {
                    continue;
                }
                if let Some(applied) = self.evaluate(&folded.text, code, group, &mut support, &mut out.spans) {
                    out.applied.push(Applied {
                        segment: seg,
                        ..applied
                    });
                }
            }
        }
        SCRATCH.with(|s| {
            *s.borrow_mut() = Scratch {
                folded: folded.into_buffers(),
                hits,
                grouped,
                counts: scratch.counts,
                original_ranges,
                folded_ranges,
                word_bits: scratch.word_bits,
            }
        });
        out
    }

    fn hit(&self, segment: usize, slot: u32, start: usize, end: usize, folded_start: usize) -> Hit {
        Hit {
            segment: segment as u32,
            code: self.slots[slot as usize].code,
            slot,
            start: start as u32,
            end: end as u32,
            folded_start: folded_start as u32,
        }
    }

    /// Decides whether `code` applies to `segment` given its hits there.
    /// `support` is scratch space, reused across calls.
    /// The spans of its matches go to `spans`.
    fn evaluate(
        &self,
        folded: &str,
        code: usize,
        hits: &[Hit],
        support: &mut Vec<(u32, u32)>,
        spans: &mut Vec<(usize, usize)>,
    ) -> Option<Applied> {
        let rules = &self.codes[code];
        let role = |h: &Hit| self.slots[h.slot as usize].role;
        if hits.iter().any(|h| role(h) == Role::Not) {
            return None;
        }
        support.clear();
        support.extend(
            hits.iter()
                .filter(|h| matches!(role(h), Role::Keyword | Role::Pattern))
                .map(|h| (h.start, h.end)),
        );
        if !rules.all.is_empty() {
            let found = (0..rules.all.len()).all(|i| hits.iter().any(|h| role(h) == Role::All(i as u16)));
            if found {
                support.extend(
                    hits.iter()
                        .filter(|h| matches!(role(h), Role::All(_)))
                        .map(|h| (h.start, h.end)),
                );
            }
        }
        for (i, near) in rules.near.iter().enumerate() {
            let i = i as u16;
            let with = |r: Role| hits.iter().filter(move |h| role(h) == r);
            for x in with(Role::NearA(i)) {
                for y in with(Role::NearB(i)) {
                    if (x.start, x.end) != (y.start, y.end)
                        && word_distance(folded, x.folded_start as usize, y.folded_start as usize, near.within)
                            <= near.within
                    {
                        support.push((x.start, x.end));
                        support.push((y.start, y.end));
                    }
                }
            }
        }
        // Leftmost-longest, non-overlapping: a word matched by two terms
        // counts once.
        support.sort_unstable_by(|x, y| x.0.cmp(&y.0).then(y.1.cmp(&x.1)));
        let first = spans.len();
        for &(s, e) in support.iter() {
            let (s, e) = (s as usize, e as usize);
            if spans.len() == first || spans.last().is_some_and(|&(_, le)| s >= le) {
                spans.push((s, e));
            }
        }
        let hits = spans.len() - first;
        if hits == 0 || hits < rules.min_hits as usize {
            spans.truncate(first);
            return None;
        }
        Some(Applied {
            segment: 0,
            code,
            hits,
            spans: first..spans.len(),
        })
    }
}

/// Whether the match `[s, e)` (folded) of a term's regex is a match of the
/// term: whole words, and the accents it requires (checked on the pieces
/// of the regex's own match; `captures` is scratch space).
fn term_accepts(
    r: &RegexRule,
    folded: &Folded,
    text: &str,
    s: usize,
    e: usize,
    captures: &mut Option<regex_automata::util::captures::Captures>,
) -> bool {
    let ft = folded.text.as_str();
    if !boundary_before(ft, s) || !boundary_after(ft, e) {
        return false;
    }
    let required = r.term.as_deref().unwrap_or_default();
    if required.is_empty() {
        return true;
    }
    let caps = captures.get_or_insert_with(|| r.regex.create_captures());
    r.regex
        .search_captures(&Input::new(ft).range(s..e).anchored(Anchored::Yes), caps);
    required.iter().enumerate().all(|(i, need)| {
        caps.get_group(i + 1)
            .is_none_or(|g| accents_ok(folded, text, g.start, need))
    })
}

/// The keyword hits of one document.
struct KeywordHits<'a> {
    matcher: &'a Matcher,
    folded: &'a Folded,
    text: &'a str,
    segments: &'a [Segment],
    /// The segments' folded byte ranges, when some term is run from its
    /// literal start (see [`word_start_literal`]).
    folded_ranges: &'a [(usize, usize)],
    /// The segment of the last hit.
    last_segment: usize,
    /// Scratch space for [`term_accepts`].
    captures: Option<regex_automata::util::captures::Captures>,
    hits: &'a mut Vec<Hit>,
}

impl KeywordHits<'_> {
    /// Finds every keyword: by their words, and the rest by the automaton.
    fn find(&mut self, word_bits: &mut Vec<u64>) {
        let matcher = self.matcher;
        let folded = self.folded.text.as_bytes();
        matcher
            .anchors
            .scan(folded, word_bits, |literal, start| self.found(literal, start));
        if let Some((automaton, ids)) = &matcher.unanchored {
            for m in automaton.find_overlapping_iter(folded) {
                self.found(ids[m.pattern().as_usize()], m.start());
            }
        }
    }

    /// Keeps the uses of `literal` that accept it at folded byte `start`.
    fn found(&mut self, literal: usize, start: usize) {
        let (ft, text) = (self.folded.text.as_str(), self.text);
        let end = start + self.matcher.anchors.len(literal);
        for u in &self.matcher.uses[literal] {
            if let Some(rule) = u.confirm {
                self.confirm(rule, u.slot, start);
                continue;
            }
            let (mut s, mut e) = (start, end);
            if u.open_start {
                s = word_start(ft, s);
            } else if !boundary_before(ft, s) {
                continue;
            }
            if u.open_end {
                e = word_end(ft, e);
            } else if !boundary_after(ft, e) {
                continue;
            }
            if !accents_ok(self.folded, text, start, &u.required) {
                continue;
            }
            let (os, oe) = self.folded.original(text, s, e);
            if let Some(segment) = segment_of(self.segments, os, oe, &mut self.last_segment) {
                self.hits.push(self.matcher.hit(segment, u.slot, os, oe, s));
            }
        }
    }
}

impl KeywordHits<'_> {
    /// Runs the regex of the term in `slot` from folded byte `start`, where
    /// a word starts with the term's literal start, to the end of the
    /// segment (see [`word_start_literal`]).
    fn confirm(&mut self, rule: usize, slot: u32, start: usize) {
        let (folded, text) = (self.folded, self.text);
        let ft = folded.text.as_str();
        if !boundary_before(ft, start) {
            return;
        }
        let (os, _) = folded.original(text, start, start + 1);
        let Some(segment) = segment_of(self.segments, os, os + 1, &mut self.last_segment) else {
            return;
        };
        let r = &self.matcher.regexes[rule];
        let end = self.folded_ranges[segment].1.max(start);
        let input = Input::new(ft).range(start..end).anchored(Anchored::Yes);
        let Some(e) = r.regex.search(&input).map(|m| m.end()) else {
            return;
        };
        if term_accepts(r, folded, text, start, e, &mut self.captures) {
            let (os, oe) = folded.original(text, start, e);
            self.hits.push(self.matcher.hit(segment, slot, os, oe, start));
        }
    }
}

/// `hits` in segment order, into `into` (a counting sort: `segments` is
/// the number of segments, and `counts` scratch space). Hits of one
/// segment keep their order.
fn group_by_segment(hits: &[Hit], segments: usize, counts: &mut Vec<u32>, into: &mut Vec<Hit>) {
    counts.clear();
    counts.resize(segments + 1, 0);
    for h in hits {
        counts[h.segment as usize + 1] += 1;
    }
    for k in 0..segments {
        counts[k + 1] += counts[k];
    }
    into.clear();
    let Some(&any) = hits.first() else { return };
    into.resize(hits.len(), any);
    for h in hits {
        let at = &mut counts[h.segment as usize];
        into[*at as usize] = *h;
        *at += 1;
    }
}

/// Per speaker of one document, whether each speaker scope allows them,
/// found on first need. A document has few speakers and many segments, and
/// a name that is not plain ASCII is lower-cased for each check.
#[derive(Default)]
struct ScopeMemo {
    /// Per speaker met (`None`: no label), the answer of each scope.
    speakers: Vec<(Option<Arc<str>>, Answers)>,
}

/// Per speaker scope, whether it allows a speaker; `None` until asked.
type Answers = Vec<Option<bool>>;

impl ScopeMemo {
    /// The answers for `speaker`, one per scope (of `scopes`).
    fn of(&mut self, scopes: usize, speaker: &Option<Arc<str>>) -> &mut Answers {
        // Segments of one speaker share one name (see `segment::intern`), so
        // comparing pointers usually settles it.
        let same = |known: &Option<Arc<str>>| match (known, speaker) {
            (Some(a), Some(b)) => Arc::ptr_eq(a, b) || a == b,
            (None, None) => true,
            _ => false,
        };
        let at = match self.speakers.iter().position(|(known, _)| same(known)) {
            Some(at) => at,
            None => {
                self.speakers.push((speaker.clone(), vec![None; scopes]));
                self.speakers.len() - 1
            }
        };
        &mut self.speakers[at].1
    }
}

/// Whether a passage by `speaker` (`None`: no speaker label) may be coded
/// with a code limited to `speakers` (empty: anyone) and never `skip`.
fn speaker_allowed(speakers: &SpeakerSet, skip: &SpeakerSet, speaker: Option<&str>) -> bool {
    match speaker {
        Some(speaker) => !skip.contains(speaker) && (speakers.is_empty() || speakers.contains(speaker)),
        None => speakers.is_empty(),
    }
}

/// Whether `[start, end)` overlaps a masked range (they are sorted).
fn in_label(masked: &[(usize, usize)], start: usize, end: usize) -> bool {
    let i = masked.partition_point(|l| l.1 <= start);
    masked.get(i).is_some_and(|l| l.0 < end)
}

/// The index of the segment that wholly contains `[start, end)`. `last` is
/// the previous answer: matches come in text order, so it is usually the
/// answer again, or the next segment.
fn segment_of(segments: &[Segment], start: usize, end: usize, last: &mut usize) -> Option<usize> {
    let starts_in = |k: usize| segments[k].start <= start && segments.get(k + 1).is_none_or(|n| n.start > start);
    let i = if *last < segments.len() && starts_in(*last) {
        *last
    } else if *last + 1 < segments.len() && starts_in(*last + 1) {
        *last + 1
    } else {
        segments.partition_point(|s| s.start <= start).checked_sub(1)?
    };
    *last = i;
    (end <= segments[i].end).then_some(i)
}

/// Checks the accent requirements of a literal matched at folded `start`.
fn accents_ok(folded: &Folded, original: &str, start: usize, required: &[Option<char>]) -> bool {
    let mut at = start;
    for need in required {
        let c = folded.text[at..].chars().next().expect("literal inside text");
        if let Some(need) = need {
            let o = folded.original_char(original, at);
            if o.to_lowercase().next() != Some(*need) {
                return false;
            }
        }
        at += c.len_utf8();
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The counting sort groups hits as a stable sort by segment would.
        #[test]
        fn hits_are_grouped_as_a_stable_sort_by_segment(
            keys in proptest::collection::vec((0u32..12, 0u32..5), 0..80)
        ) {
            let hits: Vec<Hit> = keys
                .iter()
                .enumerate()
                .map(|(i, &(segment, code))| Hit { segment, code, slot: i as u32, start: 0, end: 0, folded_start: 0 })
                .collect();
            let (mut counts, mut grouped) = (Vec::new(), Vec::new());
            group_by_segment(&hits, 12, &mut counts, &mut grouped);
            let mut want = hits.clone();
            want.sort_by_key(|h| h.segment);
            let ids = |v: &[Hit]| v.iter().map(|h| (h.segment, h.slot)).collect::<Vec<_>>();
            proptest::prop_assert_eq!(ids(&grouped), ids(&want));
        }
    }
}
