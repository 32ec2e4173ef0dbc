//! `qcode kwic`: every place a candidate keyword, wildcard, phrase or rule
//! matches, in its context, before it goes into the codebook.
//!
//! The candidates become codes of a derived codebook ([`KwicSetup::new`]):
//! one code per term, or one for a YAML rule snippet, with the accents and
//! speaker scope they would have in the codebook (or in the code named by
//! `--code`). The real matcher codes the corpus with them in the usual one
//! pass per document, so a hit here is a hit of `qcode code` once the term
//! is added. With a gold standard, the codebook's own codes are coded in
//! the same pass, which tells how many passages the term would add.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use super::with_codes;
use crate::codebook::{Code, Codebook, Rules, parse_term};
use crate::coding::Coding;
use crate::error::{Error, Result};
use crate::pipeline::CodedDocument;
use crate::report::freq::GroupBy;
use crate::report::{Align, Footnotes, JsonObject, Provenance, Record, Records, Report, Style, Table, counted};

/// The candidates, compiled into a codebook with the codebook's own codes
/// after them (when a preview needs them).
pub struct KwicSetup {
    /// The derived codebook: the candidates' codes first.
    pub codebook: Codebook,
    /// How each candidate is written, one per candidate code.
    pub candidates: Vec<String>,
    /// The index of the `--code` in the derived codebook, when the
    /// codebook's codes are coded too.
    pub target: Option<usize>,
}

impl KwicSetup {
    /// The candidates `terms` (keywords as a codebook writes them) and
    /// `rule` (a YAML snippet of a code's rule keys), matched as in `base`
    /// (its accents and default speaker scope; those of its code `code`
    /// when given). With `with_codes`, `base`'s codes are coded in the same
    /// pass (after the candidates), and `code` is the one previewed.
    pub fn new(
        base: &Codebook,
        terms: &[String],
        rule: Option<&str>,
        code: Option<&str>,
        with_codebook_codes: bool,
    ) -> Result<KwicSetup> {
        let scope_of = match code {
            Some(name) => Some(&base.codes[base.require(name)?]),
            None => None,
        };
        // A candidate is matched as a keyword of `scope_of`, or as a new
        // code of the codebook: the codebook's accents and skip_speakers.
        let template = |rules: Rules| -> Rules {
            match scope_of {
                Some(c) => Rules {
                    accents: c.rules.accents,
                    speakers: c.rules.speakers.clone(),
                    skip_speakers: c.rules.skip_speakers.clone(),
                    ..rules
                },
                None => rules,
            }
        };
        let mut codes = Vec::new();
        let mut candidates = Vec::new();
        for raw in terms {
            let term = parse_term(raw).map_err(|why| {
                Error::usage(format!("the term `{raw}` {why}"))
                    .hint("a term is one or more words; `*` stands for any letters inside a word, as in `hipotec*` or `*smuggl*`")
            })?;
            let rules = Rules {
                keywords: vec![term],
                min_hits: 1,
                accents: base.default_accents,
                skip_speakers: base.skip_speakers.clone(),
                ..Rules::default()
            };
            codes.push(candidate_code(codes.len(), raw, template(rules)));
            candidates.push(raw.clone());
        }
        if let Some(snippet) = rule {
            let rules = rule_snippet(snippet, base)?;
            codes.push(candidate_code(codes.len(), snippet.trim(), template(rules)));
            candidates.push(snippet.trim().to_string());
        }
        if codes.is_empty() {
            return Err(Error::usage("no term to look for")
                .hint("give one or more terms before the inputs (`qcode kwic \"coyote*\" samples/transcripts`), or a rule with --rule"));
        }
        let mut target = None;
        if with_codebook_codes {
            let shift = codes.len();
            if let Some(name) = code {
                target = Some(shift + base.require(name)?);
            }
            codes.extend(base.codes.iter().map(|c| Code {
                parent: c.parent.map(|p| p + shift),
                ..c.clone()
            }));
        }
        Ok(KwicSetup {
            codebook: with_codes(base, codes),
            candidates,
            target,
        })
    }
}

/// The code of the `i`th candidate, written `raw`.
fn candidate_code(i: usize, raw: &str, rules: Rules) -> Code {
    Code {
        name: format!("candidate_{}", i + 1),
        label: raw.to_string(),
        description: String::new(),
        include: String::new(),
        exclude: String::new(),
        examples: Vec::new(),
        counterexamples: Vec::new(),
        extract: Vec::new(),
        color: None,
        parent: None,
        depth: 0,
        rules,
        line: 0,
        path: format!("candidate_{}", i + 1),
    }
}

/// The rules of a YAML snippet of a code's rule keys (`near: …`), read as
/// a code of a codebook with `base`'s accents and speakers; problems are
/// located in the snippet itself.
pub fn rule_snippet(snippet: &str, base: &Codebook) -> Result<Rules> {
    const SOURCE: &str = "--rule";
    // The snippet's lines go first, indented as a code's keys, so that its
    // lines keep their numbers; its columns move by `INDENT`.
    const INDENT: usize = 4;
    let quote = |s: &str| serde_json::to_string(s).expect("strings serialise");
    let mut yaml = String::from("codes:\n  - name: rule\n");
    for line in snippet.lines() {
        yaml.push_str(&" ".repeat(INDENT));
        yaml.push_str(line);
        yaml.push('\n');
    }
    yaml.push_str(&format!(
        "name: kwic\naccents: {}\nskip_speakers: [{}]\n",
        base.default_accents.as_str(),
        base.skip_speakers
            .patterns
            .iter()
            .map(|p| quote(p))
            .collect::<Vec<_>>()
            .join(", ")
    ));
    let codebook = Codebook::parse(&yaml, SOURCE).map_err(|e| relocate(e, SOURCE, INDENT))?;
    let rules = codebook.codes[0].rules.clone();
    if rules.is_empty() {
        return Err(
            Error::usage("the rule given with --rule has no keywords, patterns, `all` or `near`").hint(
                "write a rule as in a codebook, e.g. --rule 'near: [{terms: [\"pag*\", \"coyote*\"], within: 8}]'",
            ),
        );
    }
    Ok(rules)
}

/// `e` with places in the wrapped snippet moved back to the snippet's own
/// lines (two wrapper lines before it) and columns (`indent` more).
fn relocate(e: Error, source: &str, indent: usize) -> Error {
    let mut all: Vec<Error> = e.each().cloned().collect();
    for one in &mut all {
        one.more.clear();
        let Some(place) = &one.place else { continue };
        let mut parts = place.rsplitn(3, ':');
        let (column, line) = (parts.next(), parts.next());
        if let (Some(Ok(column)), Some(Ok(line))) = (column.map(str::parse::<usize>), line.map(str::parse::<usize>)) {
            let line = line.saturating_sub(2).max(1);
            let column = column.saturating_sub(indent).max(1);
            one.place = Some(format!("{source}:{line}:{column}"));
        }
        one.what = one.what.replace("code `rule`: ", "");
    }
    Error::all(all).unwrap_or(e)
}

/// One match of a candidate, in its context.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KwicHit {
    /// Which candidate matched (index into [`Kwic::candidates`]).
    pub candidate: usize,
    /// The document's id.
    pub document: String,
    /// The passage's number in its document (as `qcode code` writes it).
    pub segment: usize,
    /// The line of the match.
    pub line: usize,
    /// Who speaks the passage; empty when nobody.
    pub speaker: String,
    /// The group of `--by`.
    pub group: String,
    /// The passage's text before the match, on one line, cut to the width.
    pub left: String,
    /// The text matched, on one line.
    pub matched: String,
    /// The passage's text after the match, on one line, cut to the width.
    pub right: String,
    /// Where the match starts, in characters of the document.
    pub start_char: usize,
    /// Where it ends (exclusive).
    pub end_char: usize,
}

/// What a candidate would do to a code, against a human gold standard.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PreviewCounts {
    /// Passages the candidate matches, in documents the human coded.
    pub passages: usize,
    /// Of those, the passages the human coded with the code.
    pub human: usize,
    /// Passages the human coded with the code that the codebook misses and
    /// the candidate finds: true positives it would add.
    pub adds_right: usize,
    /// Passages neither the human nor the codebook coded with the code
    /// that the candidate finds: false positives it would add.
    pub adds_wrong: usize,
}

/// A precision preview against a gold standard.
struct Preview {
    code: String,
    /// The passages the human coded with the code (or a sub-code).
    gold: HashSet<(String, usize)>,
    /// The documents the human coded at all: only they are compared.
    documents: HashSet<String>,
    /// Per code of the derived codebook, whether it counts as the code.
    counts_as_code: Vec<bool>,
    per_candidate: Vec<PreviewCounts>,
}

/// The matches of every candidate over a corpus, counted by group.
pub struct Kwic {
    /// The candidates as written.
    pub candidates: Vec<String>,
    width: usize,
    by: GroupBy,
    /// Every match, in input order.
    pub hits: Vec<KwicHit>,
    /// Per group and candidate: matches and passages.
    counts: BTreeMap<(String, usize), (usize, usize)>,
    documents: usize,
    preview: Option<Preview>,
}

impl Kwic {
    /// An empty concordance of `setup`'s candidates: contexts of `width`
    /// characters each side, counts by `by`.
    pub fn new(setup: &KwicSetup, width: usize, by: GroupBy) -> Kwic {
        Kwic {
            candidates: setup.candidates.clone(),
            width,
            by,
            hits: Vec::new(),
            counts: BTreeMap::new(),
            documents: 0,
            preview: None,
        }
    }

    /// Adds a precision preview of the code `setup` targets against the
    /// `gold` codings (a human's).
    pub fn preview(&mut self, setup: &KwicSetup, gold: &[Coding]) -> Result<()> {
        let Some(target) = setup.target else {
            return Err(
                Error::usage("a preview against the gold standard needs the code it is for")
                    .hint("add --code NAME (a code of the codebook given with -c)"),
            );
        };
        let code = setup.codebook.codes[target].name.clone();
        let counts_as_code = (0..setup.codebook.codes.len())
            .map(|c| setup.codebook.ancestry(c).any(|a| a == target))
            .collect();
        let gold_passages = gold
            .iter()
            .filter(|c| c.code == code || c.code_path.split('/').any(|part| part == code))
            .map(|c| (c.document.clone(), c.segment))
            .collect();
        self.preview = Some(Preview {
            code,
            gold: gold_passages,
            documents: gold.iter().map(|c| c.document.clone()).collect(),
            counts_as_code,
            per_candidate: vec![PreviewCounts::default(); self.candidates.len()],
        });
        Ok(())
    }

    /// Adds the matches of one coded document.
    pub fn add(&mut self, coded: &CodedDocument) {
        self.documents += 1;
        let n = self.candidates.len();
        let doc = &coded.doc;
        let text = doc.text.as_str();
        // Per passage, whether the codebook codes it with the previewed code.
        let coded_as_code: BTreeSet<usize> = match &self.preview {
            Some(p) => coded
                .applied
                .iter()
                .filter(|a| p.counts_as_code[a.code])
                .map(|a| a.segment)
                .collect(),
            None => BTreeSet::new(),
        };
        for applied in coded.applied.iter().filter(|a| a.code < n) {
            let segment = &coded.segments[applied.segment];
            let speaker = segment.speaker.as_deref().unwrap_or_default();
            let group = self.by.group_of(&doc.id, &doc.attributes, speaker).to_string();
            let spans = &coded.spans[applied.spans.clone()];
            let count = self.counts.entry((group.clone(), applied.code)).or_default();
            count.0 += spans.len();
            count.1 += 1;
            for &(start, end) in spans {
                let before = &text[segment.start..start];
                let start_char = segment.start_char + before.chars().count();
                let matched = &text[start..end];
                self.hits.push(KwicHit {
                    candidate: applied.code,
                    document: doc.id.clone(),
                    segment: segment.index,
                    line: segment.start_line + before.matches('\n').count(),
                    speaker: speaker.to_string(),
                    group: group.clone(),
                    left: cut_left(before, self.width),
                    matched: one_line(matched),
                    right: cut_right(&text[end..segment.end], self.width),
                    start_char,
                    end_char: start_char + matched.chars().count(),
                });
            }
            if let Some(p) = &mut self.preview
                && p.documents.contains(&doc.id)
            {
                let counts = &mut p.per_candidate[applied.code];
                let human = p.gold.contains(&(doc.id.clone(), segment.index));
                let already = coded_as_code.contains(&applied.segment);
                counts.passages += 1;
                counts.human += usize::from(human);
                counts.adds_right += usize::from(human && !already);
                counts.adds_wrong += usize::from(!human && !already);
            }
        }
    }

    fn label(&self, candidate: usize) -> &str {
        &self.candidates[candidate]
    }
}

/// Text on one line: every run of white space one space.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The last `width` characters of `text` on one line, `…` first when cut.
fn cut_left(text: &str, width: usize) -> String {
    let mut line = one_line(text);
    if text.ends_with(char::is_whitespace) && !line.is_empty() {
        line.push(' ');
    }
    let n = line.chars().count();
    if n <= width {
        return line;
    }
    let kept: String = line.chars().skip(n - width + 1).collect();
    format!("…{kept}")
}

/// The first `width` characters of `text` on one line, `…` last when cut.
fn cut_right(text: &str, width: usize) -> String {
    let mut line = one_line(text);
    if text.starts_with(char::is_whitespace) && !line.is_empty() {
        line.insert(0, ' ');
    }
    if line.chars().count() <= width {
        return line;
    }
    let kept: String = line.chars().take(width.saturating_sub(1)).collect();
    format!("{kept}…")
}

const HIT_FIELDS: &[&str] = &[
    "candidate",
    "document",
    "segment",
    "line",
    "speaker",
    "group",
    "left",
    "match",
    "right",
    "start_char",
    "end_char",
];
const COUNT_FIELDS: &[&str] = &["group", "candidate", "hits", "passages"];
const PREVIEW_FIELDS: &[&str] = &[
    "candidate",
    "code",
    "passages",
    "human_coded",
    "precision",
    "adds_true_positives",
    "adds_false_positives",
];

impl Kwic {
    fn hit_record(&self, h: &KwicHit) -> Record {
        let mut r = Record::new(HIT_FIELDS);
        r.text(self.label(h.candidate))
            .text(&h.document)
            .int(h.segment)
            .int(h.line)
            .text(&h.speaker)
            .text(&h.group)
            .text(&h.left)
            .text(&h.matched)
            .text(&h.right)
            .int(h.start_char)
            .int(h.end_char);
        r
    }

    fn count_records(&self) -> Vec<Record> {
        self.counts
            .iter()
            .map(|((group, candidate), (hits, passages))| {
                let mut r = Record::new(COUNT_FIELDS);
                r.text(group).text(self.label(*candidate)).int(*hits).int(*passages);
                r
            })
            .collect()
    }

    fn preview_records(&self) -> Vec<Record> {
        let Some(p) = &self.preview else { return Vec::new() };
        p.per_candidate
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let mut r = Record::new(PREVIEW_FIELDS);
                r.text(self.label(i))
                    .text(&p.code)
                    .int(c.passages)
                    .int(c.human)
                    .num((c.passages > 0).then(|| c.human as f64 / c.passages as f64))
                    .int(c.adds_right)
                    .int(c.adds_wrong);
                r
            })
            .collect()
    }

    /// The preview's counts for each candidate, when there is a preview.
    pub fn preview_counts(&self) -> Option<&[PreviewCounts]> {
        self.preview.as_ref().map(|p| p.per_candidate.as_slice())
    }

    fn render(table: &Table, style: Style) -> String {
        if style.markdown {
            format!("\n{}\n", table.render_markdown())
        } else {
            format!("{}\n", table.render_terminal(style.width))
        }
    }
}

impl Report for Kwic {
    fn summary(&self, _style: Style) -> Vec<String> {
        let passages: usize = self.counts.values().map(|c| c.1).sum();
        vec![format!(
            "{} of {} in {} ({} read)",
            counted(self.hits.len(), "hit"),
            counted(self.candidates.len(), "candidate"),
            counted(passages, "passage"),
            counted(self.documents, "document")
        )]
    }

    fn table(&self, _notes: &mut Footnotes, _style: Style) -> Option<Table> {
        let several = self.candidates.len() > 1;
        let mut header = Vec::new();
        if several {
            header.push(("candidate".to_string(), Align::Left));
        }
        for (name, align) in [
            ("document", Align::Left),
            ("line", Align::Right),
            ("speaker", Align::Left),
            ("left", Align::Right),
            ("match", Align::Left),
            ("right", Align::Left),
        ] {
            header.push((name.to_string(), align));
        }
        let mut table = Table::new(header);
        for h in &self.hits {
            let mut row = Vec::new();
            if several {
                row.push(self.label(h.candidate).to_string());
            }
            row.extend([
                h.document.clone(),
                h.line.to_string(),
                h.speaker.clone(),
                h.left.clone(),
                h.matched.clone(),
                h.right.clone(),
            ]);
            table.push(row);
        }
        Some(table)
    }

    fn details(&self, style: Style) -> String {
        let mut counts = Table::new(vec![
            (self.by.name().to_string(), Align::Left),
            ("candidate".to_string(), Align::Left),
            ("hits".to_string(), Align::Right),
            ("passages".to_string(), Align::Right),
        ]);
        for ((group, candidate), (hits, passages)) in &self.counts {
            counts.push(vec![
                group.clone(),
                self.label(*candidate).to_string(),
                hits.to_string(),
                passages.to_string(),
            ]);
        }
        let mut s = format!("\nHits by {}:\n", self.by.name());
        s.push_str(&Self::render(&counts, style));
        if let Some(p) = &self.preview {
            let mut table = Table::new(vec![
                ("candidate".to_string(), Align::Left),
                ("passages".to_string(), Align::Right),
                (format!("coded {} by the human", p.code), Align::Right),
                ("precision".to_string(), Align::Right),
                ("would add (right)".to_string(), Align::Right),
                ("would add (wrong)".to_string(), Align::Right),
            ]);
            for (i, c) in p.per_candidate.iter().enumerate() {
                let precision = if c.passages == 0 {
                    "–".to_string()
                } else {
                    format!("{:.4}", c.human as f64 / c.passages as f64)
                };
                table.push(vec![
                    self.label(i).to_string(),
                    c.passages.to_string(),
                    c.human.to_string(),
                    precision,
                    c.adds_right.to_string(),
                    c.adds_wrong.to_string(),
                ]);
            }
            s.push_str(&format!(
                "\nAgainst the gold standard, for code `{}` (documents the human coded only):\n",
                p.code
            ));
            s.push_str(&Self::render(&table, style));
            s.push_str(&format!(
                "precision: passages the human coded {} / passages hit; would add: passages the codebook does not code {} yet, the human did (right) or did not (wrong)\n",
                p.code, p.code
            ));
        }
        s
    }

    fn records(&self) -> Records {
        Records::new(HIT_FIELDS, self.hits.iter().map(|h| self.hit_record(h)).collect())
    }

    fn json(&self, provenance: &Provenance, warnings: &[String]) -> JsonObject {
        let mut json = JsonObject::new()
            .value("provenance", provenance)
            .value("candidates", &self.candidates)
            .value("by", self.by.name())
            .records("hits", self.hits.iter().map(|h| self.hit_record(h)).collect())
            .records("counts", self.count_records());
        if self.preview.is_some() {
            json = json.records("preview", self.preview_records());
        }
        json.value("warnings", warnings)
    }

    fn sheets(&self) -> Vec<crate::report::xlsx::Sheet> {
        let mut sheets = vec![
            crate::report::xlsx::Sheet::new("hits", self.records()),
            crate::report::xlsx::Sheet::new("counts", Records::new(COUNT_FIELDS, self.count_records())),
        ];
        if self.preview.is_some() {
            sheets.push(crate::report::xlsx::Sheet::new(
                "preview",
                Records::new(PREVIEW_FIELDS, self.preview_records()),
            ));
        }
        sheets
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contexts_are_cut_to_the_width() {
        assert_eq!(cut_left("El coyote\nnos dijo ", 40), "El coyote nos dijo ");
        assert_eq!(cut_left("abcdefghij", 5), "…ghij");
        assert_eq!(cut_right(" que pagáramos   ya", 40), " que pagáramos ya");
        assert_eq!(cut_right("abcdefghij", 5), "abcd…");
    }

    #[test]
    fn a_rule_snippet_is_read_as_a_code_and_located_in_itself() {
        let base = Codebook::parse("name: T\ncodes:\n  - name: a\n    keywords: [x]\n", "cb.yaml").unwrap();
        let rules = rule_snippet(
            "near:\n  - terms: [[\"pag*\", \"cobr*\"], coyote]\n    within: 5",
            &base,
        )
        .unwrap();
        assert_eq!(rules.near.len(), 1);
        let e = rule_snippet("near:\n  - terms: [a, b]\n    within: many", &base).unwrap_err();
        assert_eq!(e.place.as_deref(), Some("--rule:3:13"));
        assert_eq!(e.what, "`within` must be a whole number of at least 1, not `many`");
    }
}
