//! Matching: applying every rule of every code to a document in one pass.
//!
//! Why it is built this way:
//!
//! * The text is *folded* once per document (`fold`) — lower-cased,
//!   accents removed, every run of white space collapsed to one space,
//!   speaker labels turned into separators — into a buffer with a map from
//!   each folded byte back to the original byte. Keywords are folded the
//!   same way, so `prestamo` finds `Préstamo` and `pay the smuggler` finds
//!   `pay the\nsmuggler`.
//! * Keywords are found word by word (`anchors`): each is indexed by one
//!   of its words, and the text's words are looked up in that index, so the
//!   cost hardly grows with the number of keywords. The few keywords that
//!   have no such word (`*smuggl*`) go into one Aho-Corasick automaton.
//!   Word boundaries, wildcards (`hipotec*`) and accent requirements (`año`
//!   must not match `ano`) are checked in code around each candidate. A
//!   regex set with Unicode `\b` would be about a thousand times slower on
//!   accented text.
//! * A term with `*` inside a word (`patr*n`) is a regex, run only from the
//!   words that start with its literal start (`patr`), which are found with
//!   the keywords: reading the whole text for it would cost as much as all
//!   the keywords together.
//! * Regular-expression rules (`patterns`) are found in two steps: one
//!   automaton for all of them, without their word boundaries, tells in one
//!   pass which segments may hold a match of each; each rule's own regex
//!   then searches only those. The scans of the folded and of the original
//!   text walk in the same loop, so that their memory loads overlap.
//! * `all`, `near`, `not`, `min_hits` and speaker scopes are evaluated
//!   afterwards on the hits of each segment.

mod anchors;
mod compile;
mod evaluate;
mod fold;
mod patterns;
mod skip;
mod words;

use aho_corasick::AhoCorasick;

use self::anchors::Anchors;
use self::fold::{Buffers, Required};
pub use self::fold::{Folded, fold_char, fold_str};
use self::patterns::{RegexRule, RegexScan};
use crate::codebook::{Codebook, Rules, SpeakerSet};
use crate::error::Result;

/// Per thread, the buffers of the last document coded, reused by the next:
/// documents are large, and allocating (and the kernel zeroing) their
/// buffers anew each time costs more than folding some of them.
#[derive(Default)]
struct Scratch {
    folded: Buffers,
    hits: Vec<Hit>,
    /// The hits grouped by segment, and the counts that group them.
    grouped: Vec<Hit>,
    counts: Vec<u32>,
    original_ranges: Vec<(usize, usize)>,
    folded_ranges: Vec<(usize, usize)>,
    word_bits: Vec<u64>,
}

thread_local! {
    static SCRATCH: std::cell::RefCell<Scratch> = Default::default();
}

/// What a term is used for in its code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Keyword,
    Pattern,
    All(u16),
    NearA(u16),
    NearB(u16),
    Not,
}

/// One term of one rule of one code.
#[derive(Debug, Clone)]
struct Slot {
    code: u32,
    role: Role,
}

/// One use of a literal by a term.
#[derive(Debug, Clone)]
struct LiteralUse {
    slot: u32,
    open_start: bool,
    open_end: bool,
    required: Required,
    /// For a term with `*` inside its word, the literal is the word's
    /// start, and this is the term's regex (index into the regexes), run
    /// from there (see [`word_start_literal`]).
    confirm: Option<usize>,
}

/// A codebook compiled for matching. Build once, share across threads.
#[derive(Debug)]
pub struct Matcher {
    /// The keywords' folded literals, by the word that finds each.
    anchors: Anchors,
    /// The literals without such a word, and their literal ids.
    unanchored: Option<(AhoCorasick, Vec<usize>)>,
    uses: Vec<Vec<LiteralUse>>,
    regexes: Vec<RegexRule>,
    /// The scans of the regexes run on the folded and on the original text.
    folded_scan: Option<RegexScan>,
    /// Whether some literal is the start of a term run from there (see
    /// [`word_start_literal`]).
    confirms: bool,
    original_scan: Option<RegexScan>,
    slots: Vec<Slot>,
    codes: Vec<Rules>,
    /// The codes' distinct speaker scopes (`speakers`, `skip_speakers`):
    /// usually one or two, checked once per segment rather than per code.
    scopes: Vec<(SpeakerSet, SpeakerSet)>,
    /// Per code, its index into `scopes`.
    scope_of: Vec<usize>,
}

/// One hit of one term, in original byte offsets.
#[derive(Debug, Clone, Copy)]
struct Hit {
    segment: u32,
    code: u32,
    slot: u32,
    start: u32,
    end: u32,
    /// Start in the folded text (for word distances).
    folded_start: u32,
}

/// A code applied to a segment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    /// Index into the segments given to [`Matcher::apply`].
    pub segment: usize,
    /// Index into [`Codebook::codes`].
    pub code: usize,
    /// Number of distinct (non-overlapping) matches that supported the code.
    pub hits: usize,
    /// Where the byte ranges of those matches are in [`Applications::spans`]
    /// (one vector per document rather than one per coded segment).
    pub spans: std::ops::Range<usize>,
}

/// The codes applied to the segments of one document.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Applications {
    /// Ordered by segment, then code.
    pub applied: Vec<Applied>,
    /// Byte ranges of matches in the document text, by [`Applied::spans`].
    pub spans: Vec<(usize, usize)>,
}

impl Applications {
    /// The byte ranges of the matches that supported `applied`, in order.
    pub fn spans_of(&self, applied: &Applied) -> &[(usize, usize)] {
        &self.spans[applied.spans.clone()]
    }
}
impl Matcher {
    /// Compiles every rule of every code of `codebook`. Errors when a
    /// term's or pattern's regular expression, or the automaton of all the
    /// keywords, cannot be built (too large, say).
    pub fn new(codebook: &Codebook) -> Result<Matcher> {
        Matcher::build(codebook, true)
    }

    // `Matcher::apply`, which codes a document, is in `evaluate`.
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::segment::{self, Unit};
    use crate::speakers::{Preset, SpeakerRule, attribute};

    /// Codes `text` (paragraph unit) with a codebook given as YAML codes.
    fn run(codes_yaml: &str, text: &str) -> Vec<(String, usize, usize, Vec<String>)> {
        run_unit(codes_yaml, text, Unit::Paragraph)
    }

    fn run_unit(codes_yaml: &str, text: &str, unit: Unit) -> Vec<(String, usize, usize, Vec<String>)> {
        run_with(codes_yaml, text, unit, true)
    }

    fn run_with(
        codes_yaml: &str,
        text: &str,
        unit: Unit,
        from_word_starts: bool,
    ) -> Vec<(String, usize, usize, Vec<String>)> {
        let yaml = format!("name: T\ncodes:\n{codes_yaml}");
        let cb = Codebook::parse(&yaml, "t.yaml").unwrap();
        let m = Matcher::build(&cb, from_word_starts).unwrap();
        // Every `Name:` is a label: these tests are about matching.
        let read = attribute(text, None, &[], &SpeakerRule::Preset(Preset::Colon));
        let segs = segment::segment(text, unit, &read, 1);
        let applications = m.apply(text, &read.masked, &segs);
        applications
            .applied
            .iter()
            .map(|a| {
                let matched = applications
                    .spans_of(a)
                    .iter()
                    .map(|&(s, e)| text[s..e].to_string())
                    .collect();
                (cb.codes[a.code].name.clone(), segs[a.segment].index, a.hits, matched)
            })
            .collect()
    }

    fn codes_of(r: &[(String, usize, usize, Vec<String>)]) -> Vec<&str> {
        r.iter().map(|x| x.0.as_str()).collect()
    }

    #[test]
    fn keyword_case_insensitive_whole_word() {
        let r = run(
            "  - name: a\n    keywords: [coyote]\n",
            "The COYOTE came.\n\nCoyotes and coyoteros.",
        );
        assert_eq!(r, [("a".into(), 1, 1, vec!["COYOTE".into()])]);
    }

    #[test]
    fn wildcards_prefix_suffix_infix() {
        let r = run(
            "  - name: a\n    keywords: [\"hipotec*\"]\n  - name: b\n    keywords: [\"*smuggl*\"]\n  - name: c\n    keywords: [\"*ción\"]\n",
            "Hipotecaron la casa. Una hipoteca.\n\nPeople-smugglers and smuggling.\n\nLa migración y la detención.",
        );
        assert_eq!(r[0], ("a".into(), 1, 2, vec!["Hipotecaron".into(), "hipoteca".into()]));
        assert_eq!(r[1], ("b".into(), 2, 2, vec!["smugglers".into(), "smuggling".into()]));
        assert_eq!(r[2], ("c".into(), 3, 2, vec!["migración".into(), "detención".into()]));
    }

    #[test]
    fn inner_wildcard() {
        let r = run(
            "  - name: a\n    keywords: [\"p*ero\"]\n",
            "El pollero y el pasero. Un perro.",
        );
        assert_eq!(r[0].3, ["pollero", "pasero"]);
        // `*` stands for letters and digits, not for `_`.
        assert!(run("  - name: a\n    keywords: [\"p*ero\"]\n", "El p_ero.").is_empty());
        // Found from the words that start with `patr`.
        let r = run(
            "  - name: a\n    keywords: [\"patr*n\"]\n",
            "El patrón, xpatron, patronato y PATRON.",
        );
        assert_eq!(r[0].3, ["patrón", "PATRON"]);
    }

    #[test]
    fn phrase_across_line_breaks() {
        let r = run(
            "  - name: a\n    keywords: [\"pay the smuggler\"]\n",
            "We had to pay the\nsmuggler   twice.",
        );
        assert_eq!(r[0].3, ["pay the\nsmuggler"]);
    }

    #[test]
    fn phrase_does_not_cross_speakers() {
        let cb = "  - name: a\n    keywords: [\"pay the smuggler\"]\n";
        assert!(run(cb, "P03: We had to pay the\nP04: smuggler, yes.").is_empty());
        assert_eq!(run(cb, "P03: We had to pay the\nsmuggler, yes.").len(), 1);
    }

    #[test]
    fn phrase_does_not_cross_paragraphs() {
        let r = run(
            "  - name: a\n    keywords: [\"pay the smuggler\"]\n",
            "We had to pay the\n\nsmuggler twice.",
        );
        assert!(r.is_empty());
    }

    #[test]
    fn accents_one_way() {
        let cb = "  - name: loan\n    keywords: [prestamo]\n  - name: year\n    keywords: [año]\n  - name: more\n    keywords: [más]\n";
        let r = run(
            cb,
            "Un préstamo y otro prestamo.\n\nEl ano.\n\nEl año.\n\nMas o menos.\n\nMÁS dinero.",
        );
        assert_eq!(r[0], ("loan".into(), 1, 2, vec!["préstamo".into(), "prestamo".into()]));
        assert_eq!(codes_of(&r), ["loan", "year", "more"]);
        assert_eq!(r[1].1, 3);
        assert_eq!(r[2].1, 5);
    }

    #[test]
    fn accents_exact_and_ignore() {
        let cb = "  - name: exact\n    accents: exact\n    keywords: [prestamo]\n  - name: ignore\n    accents: ignore\n    keywords: [año]\n";
        let r = run(cb, "Un préstamo.\n\nEl ano.");
        assert_eq!(codes_of(&r), ["ignore"]);
        let r = run(cb, "Un prestamo.");
        assert_eq!(codes_of(&r), ["exact"]);
    }

    #[test]
    fn decomposed_text_matches_after_normalisation() {
        let text = crate::text::normalize("Un pre\u{301}stamo y el an\u{303}o.");
        let r = run("  - name: a\n    keywords: [préstamo, año]\n", &text);
        assert_eq!(r[0].2, 2);
    }

    #[test]
    fn patterns_match_amounts() {
        let r = run(
            "  - name: price\n    patterns: ['\\$\\s?\\d[\\d,]*']\n",
            "They asked $3,500 and then $ 200.",
        );
        assert_eq!(r[0].3, ["$3,500", "$ 200"]);
    }

    #[test]
    fn all_requires_every_term() {
        let cb = "  - name: a\n    all: [deuda, coyote]\n";
        assert!(run(cb, "La deuda.").is_empty());
        let r = run(cb, "La deuda con el coyote.");
        assert_eq!(r[0].2, 2);
    }

    #[test]
    fn all_takes_groups_of_alternatives() {
        let cb = "  - name: a\n    all: [[\"child*\", \"niñ*\"], [\"path*\", vereda]]\n";
        assert_eq!(run(cb, "Los niños por la vereda.")[0].3, ["niños", "vereda"]);
        assert_eq!(run(cb, "Children on the paths.").len(), 1);
        assert!(run(cb, "Los niños y las niñas.").is_empty(), "one group is not enough");
        assert!(run(cb, "Paths and veredas.").is_empty());
        // Plain terms and groups mix: a plain term is a group of one.
        let cb = "  - name: a\n    all: [deuda, [coyote, pollero]]\n";
        assert_eq!(run(cb, "La deuda con el pollero.").len(), 1);
        assert!(run(cb, "La deuda.").is_empty());
    }

    #[test]
    fn near_takes_alternatives_on_either_side() {
        let cb =
            "  - name: a\n    near:\n      - terms: [[\"pag*\", \"cobr*\"], [coyote, pollero]]\n        within: 3\n";
        assert_eq!(run(cb, "Al pollero le pagamos.")[0].3, ["pollero", "pagamos"]);
        assert_eq!(run(cb, "El coyote cobró.").len(), 1);
        assert!(run(cb, "Pagamos al final todo lo del coyote.").is_empty());
        assert!(
            run(cb, "El coyote y el pollero.").is_empty(),
            "both words from one side"
        );
    }

    #[test]
    fn near_within_n_words() {
        let cb = "  - name: a\n    near:\n      - terms: [coyote, \"pag*\"]\n        within: 3\n";
        assert_eq!(run(cb, "Al coyote le pagamos.").len(), 1);
        assert_eq!(run(cb, "Pagamos al final todo lo del coyote.").len(), 0);
        assert_eq!(run(cb, "Pagamos al coyote.").len(), 1);
    }

    #[test]
    fn not_vetoes() {
        let cb = "  - name: a\n    keywords: [coyote]\n    not: [animal]\n";
        assert!(run(cb, "El coyote es un animal.").is_empty());
        assert_eq!(run(cb, "El coyote cobra.").len(), 1);
    }

    #[test]
    fn min_hits() {
        let cb = "  - name: a\n    keywords: [coyote, pollero]\n    min_hits: 2\n";
        assert!(run(cb, "El coyote.").is_empty());
        assert_eq!(run(cb, "El coyote, o pollero.")[0].2, 2);
    }

    #[test]
    fn speakers_and_skip_speakers() {
        let text = "Interviewer: How much did the coyote charge?\n\nP03: The coyote asked a lot.\n\nP04: A coyote too.";
        let r = run(
            "  - name: a\n    keywords: [coyote]\n    skip_speakers: [interviewer]\n",
            text,
        );
        assert_eq!(r.iter().map(|x| x.1).collect::<Vec<_>>(), [2, 3]);
        let r = run("  - name: a\n    keywords: [coyote]\n    speakers: [P03]\n", text);
        assert_eq!(r.iter().map(|x| x.1).collect::<Vec<_>>(), [2]);
    }

    /// Each speaker's answer is remembered per document, so it must be each
    /// speaker's own: speakers alternate, return, have accented names, and
    /// codes with different scopes share segments.
    #[test]
    fn speaker_scopes_are_answered_per_speaker() {
        let text = "Un coyote, antes de toda etiqueta.\n\nSra. López: El coyote cobró mucho.\n\n\
                    Entrevistadora: ¿Y el coyote?\n\nSra. López: Otro coyote.\n\nDon Ñaño: Un coyote más.";
        let codes = "  - name: a\n    keywords: [coyote]\n    speakers: [\"sra. lópez\", \"don*\"]\n  \
                     - name: b\n    keywords: [coyote]\n    skip_speakers: [entrevistadora]\n";
        let r = run(codes, text);
        let pairs: Vec<(&str, usize)> = r.iter().map(|x| (x.0.as_str(), x.1)).collect();
        assert_eq!(
            pairs,
            [("b", 1), ("a", 2), ("b", 2), ("a", 4), ("b", 4), ("a", 5), ("b", 5)]
        );
    }

    #[test]
    fn speaker_labels_are_never_matched() {
        let r = run(
            "  - name: a\n    keywords: [prestamista]\n",
            "Prestamista: Yo presto dinero.",
        );
        assert!(r.is_empty());
    }

    #[test]
    fn overlapping_terms_count_once() {
        let r = run(
            "  - name: a\n    keywords: [smuggler, \"pay the smuggler\"]\n",
            "We pay the smuggler.",
        );
        assert_eq!(r[0].2, 1);
        assert_eq!(r[0].3, ["pay the smuggler"]);
    }

    #[test]
    fn sentence_unit_keeps_speaker() {
        let r = run_unit(
            "  - name: a\n    keywords: [coyote]\n    skip_speakers: [Interviewer]\n",
            "Interviewer: Was there a coyote? Tell me.\n\nP03: Yes. The coyote came.",
            Unit::Sentence,
        );
        assert_eq!(r.len(), 1);
    }

    #[test]
    fn patterns_match_inside_a_paragraph_next_to_a_break() {
        let cb = "  - name: a\n    patterns: ['\\d+\\s+\\w+']\n";
        let r = run(cb, "Pagué 5\n\n3 dólares.");
        assert_eq!(r, [("a".into(), 2, 1, vec!["3 dólares".into()])]);
        let cb = "  - name: a\n    accents: exact\n    patterns: ['\\d+\\s+\\w+']\n";
        assert_eq!(run(cb, "Pagué 5\n\n3 dólares.").len(), 1);
        let cb = "  - name: a\n    accents: exact\n    patterns: ['\\b\\d+\\s+\\w+\\b']\n";
        assert_eq!(run(cb, "Pagué 5\n\n3 dólares.").len(), 1);
    }

    proptest::proptest! {
        /// Terms with `*` inside a word find the same matches from the
        /// words that start with their literal start as by a scan of the
        /// whole text.
        #[test]
        fn inner_wildcards_from_word_starts_equal_the_scan(
            parts in proptest::collection::vec(
                "patr[oó]n|PATRÓN|patronato|xpatron|patrn|patr|n|αpatron|compañero|companero|comp[a-z]{0,4}ro|[a-z]{1,5}| |\n\n|, |_|Ana: |ñ",
                0..30,
            ),
            term in "patr\\*n|patr\\*n\\*|\\*atr\\*n|compa\\*ro|compañ\\*ro|pat\\*o\\*",
            accents in "tolerant|exact|ignore",
            unit in proptest::sample::select(vec![Unit::Paragraph, Unit::Sentence, Unit::Line]),
        ) {
            let text = parts.concat();
            let cb = format!("  - name: a\n    accents: {accents}\n    keywords: [\"{term}\"]\n");
            proptest::prop_assert_eq!(run_with(&cb, &text, unit, true), run_with(&cb, &text, unit, false));
        }
    }

    #[test]
    fn inner_wildcards_keep_accent_rules() {
        let r = run(
            "  - name: a\n    keywords: [\"compañ*ro\"]\n",
            "Un companero.\n\nUn compañero.",
        );
        assert_eq!(r, [("a".into(), 2, 1, vec!["compañero".into()])]);
        let cb = "  - name: a\n    accents: exact\n    keywords: [\"presta*o\"]\n";
        assert!(run(cb, "Un préstamo.").is_empty());
        assert_eq!(run(cb, "Un prestamo.").len(), 1);
        // Written without accents, the term matches with or without them.
        assert_eq!(
            run("  - name: a\n    keywords: [\"presta*o\"]\n", "Un préstamo.").len(),
            1
        );
    }

    #[test]
    fn word_boundaries_in_patterns_respect_unicode_letters() {
        // `ñ` is a word character: no boundary between it and `o`.
        let cb = "  - name: a\n    accents: exact\n    patterns: ['\\bo\\b']\n";
        assert!(run(cb, "niño").is_empty());
        assert_eq!(run(cb, "o sea").len(), 1);
        // The same for letters outside the folding table (Thai).
        assert!(run(cb, "กo").is_empty());
        let cb = "  - name: a\n    patterns: ['\\bano\\b']\n";
        // Folded: `año` becomes `ano`, and boundaries hold either way.
        assert_eq!(run(cb, "el año pasado").len(), 1);
        assert!(run(cb, "el añoso").is_empty());
    }
}
