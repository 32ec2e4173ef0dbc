//! `qcode words`: word and phrase frequencies, and keyness — which words
//! and two-word phrases set one set of passages (those coded with a code,
//! or one group of documents) apart from the rest — as a list of
//! candidate keywords.
//!
//! Words are counted accent-folded and lower-cased (`préstamo` and
//! `Prestamo` are one word), speaker labels left out, Spanish and English
//! stop words (the `stop-words` crate's ISO lists) dropped, and a phrase
//! is two neighbouring words of one passage, neither a stop word.
//! Keyness is Dunning's log-likelihood G² of a term's count in the target
//! against the reference, with Hardie's log ratio (the binary log of the
//! ratio of relative frequencies, 0.5 standing in for a zero count) as its
//! effect size. Each term says whether the code's rules already find it.

use std::collections::{HashMap, HashSet};

use crate::codebook::{Accents, Codebook, Term, parse_term};
use crate::develop::lint::covers;
use crate::matcher::fold_str;
use crate::pipeline::CodedDocument;
use crate::report::freq::GroupBy;
use crate::report::{Align, Footnotes, JsonObject, Provenance, Record, Records, Report, Style, Table, counted};

/// Which passages are the target; the others are the reference.
#[derive(Debug, Clone)]
pub enum Target {
    /// Passages coded with the code (index into the codebook) or a
    /// sub-code.
    Code(usize),
    /// Passages of the documents whose group (`--by`) has this value.
    Group(GroupBy, String),
}

/// Counts of one term.
#[derive(Debug, Clone, Copy, Default)]
struct Counts {
    target: u64,
    reference: u64,
}

impl Counts {
    fn add(&mut self, in_target: bool, n: u64) {
        if in_target {
            self.target += n;
        } else {
            self.reference += n;
        }
    }
}

/// A term's keyness.
#[derive(Debug, Clone, PartialEq)]
pub struct Keyness {
    /// The term, folded: one word or two.
    pub term: String,
    /// Occurrences in the target passages.
    pub target: u64,
    /// Occurrences in the reference passages.
    pub reference: u64,
    /// Log-likelihood G² (1 degree of freedom: 3.84 is p < 0.05, 10.83 is
    /// p < 0.001).
    pub g2: f64,
    /// log2 of the target's relative frequency over the reference's.
    pub log_ratio: f64,
    /// Whether the code's keywords or rule terms already find the term;
    /// `None` without a code.
    pub in_rules: Option<bool>,
}

/// Word and phrase counts of target and reference passages.
pub struct Words {
    target: Target,
    /// The target as named to the user.
    pub target_name: String,
    stop: HashSet<String>,
    counts: HashMap<String, Counts>,
    tokens: Counts,
    passages: Counts,
    /// Terms of the code's rules, with the code's accents, for `in_rules`.
    rule_terms: Option<(Vec<Term>, Accents)>,
    /// How many terms to list.
    pub top: usize,
    /// Fewest occurrences in the target for a term to be listed.
    pub min_count: u64,
}

impl Words {
    /// Counts for `target`, named `target_name` to the user; `codebook`
    /// gives the rules of a target code.
    pub fn new(codebook: &Codebook, target: Target, target_name: String, top: usize, min_count: u64) -> Words {
        let stop = ["es", "en"]
            .iter()
            .filter_map(|language| stop_words::lookup(language))
            .flatten()
            .map(|w| fold_str(w))
            .collect();
        let rule_terms = match &target {
            Target::Code(ci) => {
                let r = &codebook.codes[*ci].rules;
                let terms = r
                    .keywords
                    .iter()
                    .chain(r.all.iter().flatten())
                    .chain(r.near.iter().flat_map(|n| n.a.iter().chain(&n.b)))
                    .cloned()
                    .collect();
                Some((terms, r.accents))
            }
            Target::Group(..) => None,
        };
        Words {
            target,
            target_name,
            stop,
            counts: HashMap::new(),
            tokens: Counts::default(),
            passages: Counts::default(),
            rule_terms,
            top,
            min_count,
        }
    }

    /// Adds the passages of one coded document.
    pub fn add(&mut self, coded: &CodedDocument, codebook: &Codebook) {
        let doc = &coded.doc;
        let coded_with: HashSet<usize> = match &self.target {
            Target::Code(ci) => coded
                .applied
                .iter()
                .filter(|a| codebook.ancestry(a.code).any(|c| c == *ci))
                .map(|a| a.segment)
                .collect(),
            Target::Group(..) => HashSet::new(),
        };
        for (k, segment) in coded.segments.iter().enumerate() {
            let in_target = match &self.target {
                Target::Code(_) => coded_with.contains(&k),
                Target::Group(by, value) => {
                    let speaker = segment.speaker.as_deref().unwrap_or_default();
                    by.group_of(&doc.id, &doc.attributes, speaker)
                        .eq_ignore_ascii_case(value)
                }
            };
            let text = without_label(&doc.text[segment.start..segment.end], segment.speaker.as_deref());
            let words: Vec<String> = fold_str(text)
                .split(|c: char| !c.is_alphanumeric())
                .filter(|w| !w.is_empty() && w.chars().any(char::is_alphabetic))
                .map(str::to_string)
                .collect();
            self.passages.add(in_target, 1);
            self.tokens.add(in_target, words.len() as u64);
            let kept = |w: &String| !self.stop.contains(w) && w.chars().count() > 1;
            let mut terms: Vec<String> = words.iter().filter(|w| kept(w)).cloned().collect();
            terms.extend(
                words
                    .windows(2)
                    .filter(|pair| kept(&pair[0]) && kept(&pair[1]))
                    .map(|pair| format!("{} {}", pair[0], pair[1])),
            );
            for term in terms {
                self.counts.entry(term).or_default().add(in_target, 1);
            }
        }
    }

    /// The terms over-represented in the target, strongest first (by G²,
    /// then by term), at most `top`.
    pub fn keyness(&self) -> Vec<Keyness> {
        let (c, d) = (self.tokens.target as f64, self.tokens.reference as f64);
        let mut out: Vec<Keyness> = self
            .counts
            .iter()
            .filter(|(_, n)| n.target >= self.min_count)
            .map(|(term, n)| {
                let (a, b) = (n.target as f64, n.reference as f64);
                Keyness {
                    term: term.clone(),
                    target: n.target,
                    reference: n.reference,
                    g2: log_likelihood(a, b, c, d),
                    log_ratio: log_ratio(a, b, c, d),
                    in_rules: self.in_rules(term),
                }
            })
            .filter(|k| k.log_ratio > 0.0)
            .collect();
        out.sort_by(|x, y| y.g2.total_cmp(&x.g2).then_with(|| x.term.cmp(&y.term)));
        out.truncate(self.top);
        out
    }

    /// Whether a term of the code's rules finds `term`.
    fn in_rules(&self, term: &str) -> Option<bool> {
        let (rules, accents) = self.rule_terms.as_ref()?;
        let term = parse_term(term).ok()?;
        Some(rules.iter().any(|r| covers(r, &term, *accents)))
    }
}

/// The passage's text without its speaker label, which is never a word of
/// what is said.
fn without_label<'a>(text: &'a str, speaker: Option<&str>) -> &'a str {
    match speaker {
        Some(s) => text
            .strip_prefix(s)
            .and_then(|rest| rest.strip_prefix(':'))
            .unwrap_or(text),
        None => text,
    }
}

/// Dunning's log-likelihood G² of `a` occurrences in `c` tokens against `b`
/// in `d`.
pub fn log_likelihood(a: f64, b: f64, c: f64, d: f64) -> f64 {
    let total = c + d;
    if total == 0.0 {
        return 0.0;
    }
    let e1 = c * (a + b) / total;
    let e2 = d * (a + b) / total;
    let term = |o: f64, e: f64| if o > 0.0 && e > 0.0 { o * (o / e).ln() } else { 0.0 };
    2.0 * (term(a, e1) + term(b, e2))
}

/// Hardie's log ratio: log2 of `a/c` over `b/d`, 0.5 in place of a zero
/// count.
pub fn log_ratio(a: f64, b: f64, c: f64, d: f64) -> f64 {
    if c == 0.0 || d == 0.0 {
        return 0.0;
    }
    let a = if a == 0.0 { 0.5 } else { a };
    let b = if b == 0.0 { 0.5 } else { b };
    ((a / c) / (b / d)).log2()
}

const FIELDS: &[&str] = &["term", "target", "reference", "g2", "log_ratio", "in_rules"];

impl Words {
    fn record(k: &Keyness) -> Record {
        let mut r = Record::new(FIELDS);
        r.text(&k.term)
            .push(crate::report::Field::Int(k.target))
            .push(crate::report::Field::Int(k.reference))
            .push(crate::report::Field::Decimal(k.g2, 2))
            .push(crate::report::Field::Decimal(k.log_ratio, 2))
            .opt_text(k.in_rules.map(|b| if b { "yes" } else { "no" }.to_string()));
        r
    }
}

impl Report for Words {
    fn summary(&self, _style: Style) -> Vec<String> {
        vec![format!(
            "target: {} — {} ({} words); reference: the other {} ({} words)",
            self.target_name,
            counted(self.passages.target, "passage"),
            self.tokens.target,
            counted(self.passages.reference, "passage"),
            self.tokens.reference
        )]
    }

    fn table(&self, _notes: &mut Footnotes, _style: Style) -> Option<Table> {
        let mut table = Table::new(vec![
            ("term".into(), Align::Left),
            ("target".into(), Align::Right),
            ("reference".into(), Align::Right),
            ("G²".into(), Align::Right),
            ("log ratio".into(), Align::Right),
            ("in rules".into(), Align::Left),
        ]);
        for k in self.keyness() {
            table.push(vec![
                k.term.clone(),
                k.target.to_string(),
                k.reference.to_string(),
                format!("{:.2}", k.g2),
                format!("{:.2}", k.log_ratio),
                k.in_rules.map_or("–", |b| if b { "yes" } else { "no" }).to_string(),
            ]);
        }
        Some(table)
    }

    fn legend(&self) -> Vec<String> {
        vec![
            "target, reference: occurrences (words and two-word phrases, accent-folded, without stop words)".to_string(),
            "G²: log-likelihood, 1 degree of freedom (3.84: p < 0.05; 10.83: p < 0.001); log ratio: log2 of the relative frequencies' ratio (1: twice as frequent in the target)".to_string(),
            "in rules: whether a keyword or rule term of the code already finds the term".to_string(),
        ]
    }

    fn records(&self) -> Records {
        Records::new(FIELDS, self.keyness().iter().map(Self::record).collect())
    }

    fn json(&self, provenance: &Provenance, warnings: &[String]) -> JsonObject {
        JsonObject::new()
            .value("provenance", provenance)
            .value("target", &self.target_name)
            .value("target_passages", self.passages.target)
            .value("reference_passages", self.passages.reference)
            .value("target_words", self.tokens.target)
            .value("reference_words", self.tokens.reference)
            .records("terms", self.keyness().iter().map(Self::record).collect())
            .value("warnings", warnings)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_likelihood_and_log_ratio_by_hand() {
        // 10 in 1000 words against 10 in 10000: expected 1.818 and 18.18, so
        // G² = 2 (10 ln 5.5 + 10 ln 0.55) = 22.138.
        let g2 = log_likelihood(10.0, 10.0, 1000.0, 10000.0);
        let want = 2.0
            * (10.0 * (10.0_f64 / (20.0 * 1000.0 / 11000.0)).ln()
                + 10.0 * (10.0_f64 / (20.0 * 10000.0 / 11000.0)).ln());
        assert!((g2 - want).abs() < 1e-9, "{g2}");
        assert!((g2 - 22.1382).abs() < 1e-3, "{g2}");
        assert!((log_ratio(10.0, 10.0, 1000.0, 10000.0) - 10f64.log2()).abs() < 1e-12);
        assert!(
            (log_ratio(4.0, 0.0, 100.0, 100.0) - 3.0).abs() < 1e-12,
            "0.5 for a zero count"
        );
        assert_eq!(log_likelihood(0.0, 0.0, 0.0, 0.0), 0.0);
    }
}
