//! `qcode codebook test`: every code's `examples` must be coded by the
//! code's rules and none of its `counterexamples` may be, like the tests
//! of a program.
//!
//! An example is a passage read alone. Speaker scopes (`speakers`,
//! `skip_speakers`) are left out unless the example starts with a speaker
//! label (`"Interviewer: How much did the coyote charge?"`): an example
//! shows what the words of a code look like, and most are written without
//! saying who speaks. A code counts as coding a passage when it or one of
//! its sub-codes applies, as tables count a parent code.
//!
//! When an example is not coded, the reason is found by running the code's
//! rules again without their `not` terms, `min_hits` and scope, and each
//! `not` term as a keyword of its own; when a counterexample is coded, the
//! rules that fired are named ([`RuleFinder`]).

use super::{detached, passage, speaker_of, with_codes, without_scopes};
use crate::codebook::{Codebook, Example, Rules, SpeakerSet};
use crate::error::Result;
use crate::matcher::Matcher;
use crate::refi::xml::XmlWriter;
use crate::reliability::rules::RuleFinder;
use crate::report::{Footnotes, JsonObject, Provenance, Record, Records, Report, Style, Table, counted};

/// Whether a passage must be coded or must not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Written under `examples`: must be coded.
    Example,
    /// Written under `counterexamples`: must not be coded.
    Counterexample,
}

impl Kind {
    /// The word for it in outputs.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Example => "example",
            Kind::Counterexample => "counterexample",
        }
    }
}

/// Why an example was not coded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    /// None of the code's rules fired (nor, when it has any, its
    /// sub-codes').
    NoRuleFired {
        /// The code has sub-codes, which did not fire either.
        sub_codes: bool,
    },
    /// A rule fired, but this `not` term occurs in the passage.
    Vetoed(String),
    /// Rules fired, with fewer hits than the code's `min_hits`.
    BelowMinHits {
        /// Distinct places that supported the code.
        hits: usize,
        /// The code's `min_hits`.
        min_hits: u32,
    },
    /// A rule fired, but the code's speaker scope leaves this speaker out.
    OutOfScope(String),
}

impl std::fmt::Display for Reason {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        match self {
            Reason::NoRuleFired { sub_codes: false } => write!(f, "no rule fired"),
            Reason::NoRuleFired { sub_codes: true } => write!(f, "no rule of the code or its sub-codes fired"),
            Reason::Vetoed(term) => write!(f, "vetoed by `not` term `{term}`"),
            Reason::BelowMinHits { hits, min_hits } => {
                write!(f, "below min_hits: {} of {min_hits}", counted(hits, "hit"))
            }
            Reason::OutOfScope(speaker) => write!(f, "the code's speaker scope leaves out `{speaker}`"),
        }
    }
}

/// What a test found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Coded when it must be, not coded when it must not be.
    Pass,
    /// An example the code did not code, and why.
    NotCoded(Reason),
    /// A counterexample the code coded, with the rules that fired.
    Coded(Vec<String>),
}

impl Verdict {
    /// Why the test failed, in words; empty when it passed.
    pub fn reason(&self) -> String {
        match self {
            Verdict::Pass => String::new(),
            Verdict::NotCoded(reason) => format!("not coded: {reason}"),
            Verdict::Coded(rules) if rules.is_empty() => "coded".to_string(),
            Verdict::Coded(rules) => format!("coded by {}", rules.join(", ")),
        }
    }
}

/// One example or counterexample, tested.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Case {
    /// The code it belongs to.
    pub code: String,
    /// Whether it must be coded.
    pub kind: Kind,
    /// The passage as written.
    pub text: String,
    /// Its line in the codebook.
    pub line: u64,
    /// The speaker its label gives, if any.
    pub speaker: Option<String>,
    /// What the test found.
    pub verdict: Verdict,
}

/// The examples and counterexamples of a codebook, tested.
#[derive(Debug, Clone)]
pub struct TestRun {
    /// Where the codebook was read from.
    pub source: String,
    /// The codebook's name.
    pub name: String,
    /// Every case, code by code in codebook order, examples first.
    pub cases: Vec<Case>,
}

/// Per code, the derived codes that explain a failed example: the code's
/// rules alone, and each of its `not` terms as a keyword.
pub(super) struct Diagnosis {
    matcher: Matcher,
    /// Per code: the index of its rules alone, and of its first `not`
    /// term (the others follow); `None` for a code without rules.
    of_code: Vec<Option<(usize, usize)>>,
}

impl Diagnosis {
    pub(super) fn new(codebook: &Codebook) -> Result<Diagnosis> {
        let mut codes = Vec::new();
        let mut of_code = Vec::new();
        for code in &codebook.codes {
            let r = &code.rules;
            if r.is_empty() {
                of_code.push(None);
                continue;
            }
            of_code.push(Some((codes.len(), codes.len() + 1)));
            let mut alone = detached(code);
            alone.rules = Rules {
                not: Vec::new(),
                min_hits: 1,
                speakers: SpeakerSet::default(),
                skip_speakers: SpeakerSet::default(),
                ..r.clone()
            };
            codes.push(alone);
            for term in &r.not {
                let mut veto = detached(code);
                veto.rules = Rules {
                    keywords: vec![term.clone()],
                    min_hits: 1,
                    accents: r.accents,
                    ..Rules::default()
                };
                codes.push(veto);
            }
        }
        let derived = with_codes(codebook, codes);
        Ok(Diagnosis {
            matcher: Matcher::new(&derived)?,
            of_code,
        })
    }

    /// Why code `ci` did not code `text`.
    pub(super) fn reason(&self, codebook: &Codebook, ci: usize, text: &str, speaker: Option<&str>) -> Result<Reason> {
        let has_children = codebook.codes.iter().any(|c| c.parent == Some(ci));
        let Some((alone, first_not)) = self.of_code[ci] else {
            return Ok(Reason::NoRuleFired { sub_codes: true });
        };
        let rule = codebook.speaker_rule()?.for_fragments();
        let (read, segments) = passage(text, &rule, &codebook.people);
        let applied = self.matcher.apply(text, &read.masked, &segments).applied;
        let Some(hits) = applied.iter().find(|a| a.code == alone).map(|a| a.hits) else {
            return Ok(Reason::NoRuleFired {
                sub_codes: has_children,
            });
        };
        let rules = &codebook.codes[ci].rules;
        if let Some(veto) = applied
            .iter()
            .find(|a| a.code >= first_not && a.code < first_not + rules.not.len())
        {
            return Ok(Reason::Vetoed(rules.not[veto.code - first_not].raw.clone()));
        }
        if hits < rules.min_hits as usize {
            return Ok(Reason::BelowMinHits {
                hits,
                min_hits: rules.min_hits,
            });
        }
        Ok(Reason::OutOfScope(speaker.unwrap_or_default().to_string()))
    }
}

impl TestRun {
    /// Tests every example and counterexample of `codebook`.
    pub fn run(codebook: &Codebook) -> Result<TestRun> {
        let rule = codebook.speaker_rule()?.for_fragments();
        let scoped = Matcher::new(codebook)?;
        let unscoped_codebook = without_scopes(codebook);
        let unscoped = Matcher::new(&unscoped_codebook)?;
        let diagnosis = Diagnosis::new(codebook)?;
        let mut scoped_finder = RuleFinder::new(codebook)?;
        let mut unscoped_finder = RuleFinder::new(&unscoped_codebook)?;
        let mut cases = Vec::new();
        for (ci, code) in codebook.codes.iter().enumerate() {
            let written = (code.examples.iter().map(|e| (Kind::Example, e)))
                .chain(code.counterexamples.iter().map(|e| (Kind::Counterexample, e)));
            for (kind, Example { text, line }) in written {
                let (read, segments) = passage(text, &rule, &codebook.people);
                let speaker = speaker_of(&segments);
                let matcher = if speaker.is_some() { &scoped } else { &unscoped };
                let applied = matcher.apply(text, &read.masked, &segments).applied;
                let coded = applied.iter().any(|a| codebook.ancestry(a.code).any(|c| c == ci));
                let verdict = match (kind, coded) {
                    (Kind::Example, true) | (Kind::Counterexample, false) => Verdict::Pass,
                    (Kind::Example, false) => {
                        Verdict::NotCoded(diagnosis.reason(codebook, ci, text, speaker.as_deref())?)
                    }
                    (Kind::Counterexample, true) => {
                        let finder = if speaker.is_some() {
                            &mut scoped_finder
                        } else {
                            &mut unscoped_finder
                        };
                        Verdict::Coded(finder.rules(&code.name, text, speaker.as_deref().unwrap_or_default())?)
                    }
                };
                cases.push(Case {
                    code: code.name.clone(),
                    kind,
                    text: text.clone(),
                    line: *line,
                    speaker: speaker.map(|s| s.to_string()),
                    verdict,
                });
            }
        }
        Ok(TestRun {
            source: codebook.source.clone(),
            name: codebook.name.clone(),
            cases,
        })
    }

    /// The cases that failed.
    pub fn failures(&self) -> impl Iterator<Item = &Case> {
        self.cases.iter().filter(|c| c.verdict != Verdict::Pass)
    }

    /// How many cases passed.
    pub fn passed(&self) -> usize {
        self.cases.len() - self.failures().count()
    }

    /// The line that sums the run up, as a test runner ends.
    pub fn summary_line(&self) -> String {
        let failed = self.cases.len() - self.passed();
        let examples = self.cases.iter().filter(|c| c.kind == Kind::Example).count();
        format!(
            "codebook test: {} passed, {} failed ({}, {}): {}",
            self.passed(),
            failed,
            counted(examples, "example"),
            counted(self.cases.len() - examples, "counterexample"),
            if failed == 0 { "ok" } else { "FAILED" }
        )
    }

    /// The run as a JUnit XML report, the format CI systems show as tests:
    /// one test suite for the codebook, one test case per passage.
    pub fn junit(&self) -> Vec<u8> {
        let total = self.cases.len().to_string();
        let failed = (self.cases.len() - self.passed()).to_string();
        let mut w = XmlWriter::new();
        w.open(
            "testsuites",
            &[
                ("name", "qcode codebook test"),
                ("tests", &total),
                ("failures", &failed),
            ],
        );
        w.open(
            "testsuite",
            &[
                ("name", &self.name),
                ("tests", &total),
                ("failures", &failed),
                ("errors", "0"),
            ],
        );
        for case in &self.cases {
            let name = format!("{} on line {}: {}", case.kind.as_str(), case.line, one_line(&case.text));
            let class = format!("{}.{}", self.source, case.code);
            let attributes = [("classname", class.as_str()), ("name", name.as_str())];
            if case.verdict == Verdict::Pass {
                w.empty("testcase", &attributes);
            } else {
                w.open("testcase", &attributes);
                let reason = case.verdict.reason();
                w.empty("failure", &[("message", &reason), ("type", case.kind.as_str())]);
                w.close("testcase");
            }
        }
        w.close("testsuite");
        w.close("testsuites");
        w.finish()
    }
}

/// A passage on one line: runs of white space as one space.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

const FIELDS: &[&str] = &["code", "kind", "line", "speaker", "text", "result", "reason"];

impl TestRun {
    fn record(case: &Case) -> Record {
        let mut r = Record::new(FIELDS);
        r.text(&case.code)
            .text(case.kind.as_str())
            .int(case.line as usize)
            .opt_text(case.speaker.clone())
            .text(&case.text)
            .text(if case.verdict == Verdict::Pass { "pass" } else { "fail" })
            .text(case.verdict.reason());
        r
    }

    /// A failing case as a test runner prints it.
    fn failure_line(&self, case: &Case, markdown: bool) -> String {
        let text = one_line(&case.text);
        let (code, text) = if markdown {
            (format!("`{}`", case.code), format!("“{text}”"))
        } else {
            (case.code.clone(), format!("\"{text}\""))
        };
        format!(
            "FAIL {code} ({}:{}): {} {} {}",
            self.source,
            case.line,
            case.kind.as_str(),
            text,
            case.verdict.reason()
        )
    }
}

impl Report for TestRun {
    fn table(&self, _notes: &mut Footnotes, _style: Style) -> Option<Table> {
        None
    }

    fn details(&self, style: Style) -> String {
        let mut s = String::new();
        for case in self.failures() {
            if style.markdown {
                s.push_str(&format!("- {}\n", self.failure_line(case, true)));
            } else {
                s.push_str(&format!("{}\n", self.failure_line(case, false)));
            }
        }
        if style.markdown && !s.is_empty() {
            s.insert(0, '\n');
            s.push('\n');
        }
        s.push_str(&self.summary_line());
        s.push('\n');
        s
    }

    fn records(&self) -> Records {
        Records::new(FIELDS, self.cases.iter().map(Self::record).collect())
    }

    fn json(&self, provenance: &Provenance, warnings: &[String]) -> JsonObject {
        JsonObject::new()
            .value("provenance", provenance)
            .value("passed", self.passed())
            .value("failed", self.cases.len() - self.passed())
            .records("cases", self.cases.iter().map(Self::record).collect())
            .value("warnings", warnings)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(codes: &str) -> TestRun {
        let cb = Codebook::parse(&format!("name: T\ncodes:\n{codes}"), "cb.yaml").unwrap();
        TestRun::run(&cb).unwrap()
    }

    fn verdicts(run: &TestRun) -> Vec<(String, Kind, String)> {
        run.cases
            .iter()
            .map(|c| (c.text.clone(), c.kind, c.verdict.reason()))
            .collect()
    }

    #[test]
    fn every_reason_is_told() {
        let run = run(concat!(
            "  - name: a\n    keywords: [coyote, pollero]\n    not: [animal]\n    min_hits: 2\n",
            "    examples: [\"El coyote y el pollero.\", \"Un río.\", \"El coyote, un animal, y el pollero.\", \"El coyote.\"]\n",
            "    counterexamples: [\"Un animal.\", \"Coyote y pollero.\"]\n",
        ));
        let want = [
            ("El coyote y el pollero.", Kind::Example, ""),
            ("Un río.", Kind::Example, "not coded: no rule fired"),
            (
                "El coyote, un animal, y el pollero.",
                Kind::Example,
                "not coded: vetoed by `not` term `animal`",
            ),
            ("El coyote.", Kind::Example, "not coded: below min_hits: 1 hit of 2"),
            ("Un animal.", Kind::Counterexample, ""),
            (
                "Coyote y pollero.",
                Kind::Counterexample,
                "coded by keyword `coyote`, keyword `pollero`",
            ),
        ];
        let got = verdicts(&run);
        assert_eq!(got.len(), want.len());
        for (g, w) in got.iter().zip(want) {
            assert_eq!((g.0.as_str(), g.1, g.2.as_str()), w);
        }
        assert_eq!(run.passed(), 2);
        assert!(
            run.summary_line()
                .ends_with("2 passed, 4 failed (4 examples, 2 counterexamples): FAILED")
        );
    }

    #[test]
    fn speaker_scopes_apply_only_to_examples_that_name_a_speaker() {
        let run = run(concat!(
            "  - name: a\n    keywords: [coyote]\n    skip_speakers: [Interviewer]\n",
            "    examples: [\"The coyote came.\", \"Interviewer: The coyote?\", \"P03: The coyote came.\"]\n",
        ));
        let reasons: Vec<String> = run.cases.iter().map(|c| c.verdict.reason()).collect();
        assert_eq!(
            reasons,
            ["", "not coded: the code's speaker scope leaves out `Interviewer`", ""]
        );
        assert_eq!(run.cases[1].speaker.as_deref(), Some("Interviewer"));
    }

    #[test]
    fn a_parent_codes_what_its_sub_codes_code() {
        let run = run(concat!(
            "  - name: debt\n    examples: [\"El prestamista.\", \"Nada.\"]\n",
            "    counterexamples: [\"Otro prestamista.\"]\n",
            "    children:\n      - name: lenders\n        keywords: [prestamista]\n",
        ));
        let reasons: Vec<String> = run.cases.iter().map(|c| c.verdict.reason()).collect();
        assert_eq!(
            reasons,
            [
                "",
                "not coded: no rule of the code or its sub-codes fired",
                "coded by `lenders`: keyword `prestamista`"
            ]
        );
    }

    #[test]
    fn junit_names_each_case() {
        let run = run("  - name: a\n    keywords: [coyote]\n    examples: [\"El coyote.\", \"Nada & más.\"]\n");
        let xml = String::from_utf8(run.junit()).unwrap();
        assert!(
            xml.contains(r#"<testsuite name="T" tests="2" failures="1" errors="0">"#),
            "{xml}"
        );
        assert!(
            xml.contains(r#"<testcase classname="cb.yaml.a" name="example on line 5: El coyote."/>"#),
            "{xml}"
        );
        assert!(
            xml.contains(r#"<failure message="not coded: no rule fired" type="example"/>"#),
            "{xml}"
        );
        assert!(xml.contains("Nada &amp; más."), "{xml}");
    }
}
