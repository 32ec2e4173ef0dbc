//! Which rules of a code fire on a passage, so that an audit can name the
//! rule behind each false positive ("keyword `coyote*`", "`pag*` near
//! `coyote*`").
//!
//! The matcher reports that a code applies, not which rule made it apply.
//! Rather than re-implement matching, each rule of the code is compiled as
//! a code of its own (keeping the code's `not` terms, speaker scope and
//! accent setting, and dropping `min_hits`, which concerns all rules
//! together) and the real matcher runs them over the passage.

use std::collections::HashMap;
use std::sync::Arc;

use crate::codebook::{Code, Codebook, Rules, alternatives_text};
use crate::error::Result;
use crate::matcher::Matcher;
use crate::segment::{self, Unit};
use crate::speakers::{SpeakerRule, attribute};

/// Finds the rules that fire, compiling each code's rules once.
pub struct RuleFinder<'a> {
    codebook: &'a Codebook,
    speakers: SpeakerRule,
    compiled: HashMap<usize, (Matcher, Vec<String>)>,
}

/// One code per rule of `code`, with a description of the rule.
pub(crate) fn single_rules(code: &Code) -> Vec<(String, Rules)> {
    let r = &code.rules;
    let base = Rules {
        not: r.not.clone(),
        speakers: r.speakers.clone(),
        skip_speakers: r.skip_speakers.clone(),
        accents: r.accents,
        ..Rules::default()
    };
    let quote = |s: &str| format!("`{s}`");
    let mut out = Vec::new();
    for k in &r.keywords {
        out.push((
            format!("keyword {}", quote(&k.raw)),
            Rules {
                keywords: vec![k.clone()],
                ..base.clone()
            },
        ));
    }
    for p in &r.patterns {
        out.push((
            format!("pattern {}", quote(p)),
            Rules {
                patterns: vec![p.clone()],
                ..base.clone()
            },
        ));
    }
    if !r.all.is_empty() {
        let terms: Vec<String> = r.all.iter().map(|g| quote(&alternatives_text(g))).collect();
        out.push((
            format!("all of {}", terms.join(", ")),
            Rules {
                all: r.all.clone(),
                ..base.clone()
            },
        ));
    }
    for n in &r.near {
        out.push((
            format!(
                "{} near {} (within {} words)",
                quote(&alternatives_text(&n.a)),
                quote(&alternatives_text(&n.b)),
                n.within
            ),
            Rules {
                near: vec![n.clone()],
                ..base.clone()
            },
        ));
    }
    out
}

impl<'a> RuleFinder<'a> {
    /// A finder for the rules of `codebook`; each code's rules are compiled
    /// the first time they are asked for. An error when the codebook's
    /// speaker pattern does not compile.
    pub fn new(codebook: &'a Codebook) -> Result<RuleFinder<'a>> {
        // A passage read alone holds no evidence of its document's labels.
        let speakers = codebook.speaker_rule()?.for_fragments();
        Ok(RuleFinder {
            codebook,
            speakers,
            compiled: HashMap::new(),
        })
    }

    /// The rules of `code` and of its sub-codes (which a parent code counts
    /// as its own) that fire on `text` said by `speaker` (empty: unknown),
    /// in codebook order; a sub-code's rule is named with its code,
    /// "`lenders_interest`: keyword `prestamista`". Empty when the code is
    /// not in the codebook or no rule fires on the text alone.
    pub fn rules(&mut self, code: &str, text: &str, speaker: &str) -> Result<Vec<String>> {
        let Some(ci) = self.codebook.find(code) else {
            return Ok(Vec::new());
        };
        if !self.compiled.contains_key(&ci) {
            let mut names = Vec::new();
            let mut codes = Vec::new();
            for (di, descendant) in self.codebook.codes.iter().enumerate() {
                if !self.codebook.ancestry(di).any(|a| a == ci) {
                    continue;
                }
                for (name, rules) in single_rules(descendant) {
                    names.push(if di == ci {
                        name
                    } else {
                        format!("`{}`: {name}", descendant.name)
                    });
                    codes.push(Code {
                        parent: None,
                        depth: 0,
                        rules,
                        ..descendant.clone()
                    });
                }
            }
            let mut cb = self.codebook.clone();
            cb.codes = codes;
            self.compiled.insert(ci, (Matcher::new(&cb)?, names));
        }
        let (matcher, names) = &self.compiled[&ci];
        let read = attribute(text, None, &[], &self.speakers);
        let mut segments = segment::segment(text, Unit::Document, &read, 1);
        if !speaker.is_empty() {
            let speaker: Arc<str> = speaker.into();
            for s in &mut segments {
                s.speaker = Some(speaker.clone());
            }
        }
        Ok(matcher
            .apply(text, &read.masked, &segments)
            .applied
            .iter()
            .map(|a| names[a.code].clone())
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CB: &str = r#"name: t
codes:
  - name: prices
    keywords: ["coyote*", "pay the smuggler"]
    patterns: ['\$\s?\d+']
    near:
      - terms: ["pag*", "pollero*"]
        within: 4
    not: [movie]
    skip_speakers: [Interviewer]
"#;

    #[test]
    fn names_each_rule_that_fires() {
        let cb = Codebook::parse(CB, "cb.yaml").unwrap();
        let mut f = RuleFinder::new(&cb).unwrap();
        let rules = f
            .rules(
                "prices",
                "P1: We had to pay the smuggler $300 and pagamos al pollero.",
                "",
            )
            .unwrap();
        assert_eq!(
            rules,
            [
                "keyword `pay the smuggler`",
                "pattern `\\$\\s?\\d+`",
                "`pag*` near `pollero*` (within 4 words)"
            ]
        );
        assert_eq!(
            f.rules("prices", "the coyotes came", "P1").unwrap(),
            ["keyword `coyote*`"]
        );
        // `not` and the speaker scope still apply.
        assert!(f.rules("prices", "a coyote movie", "").unwrap().is_empty());
        assert!(f.rules("prices", "the coyote", "Interviewer").unwrap().is_empty());
        assert!(f.rules("unknown", "coyote", "").unwrap().is_empty());
    }

    #[test]
    fn a_parent_names_the_rules_of_its_sub_codes() {
        let cb = Codebook::parse(
            "name: t\ncodes:\n  - name: debt\n    keywords: [deuda]\n    children:\n      - name: lenders\n        keywords: [prestamista]\n",
            "cb.yaml",
        )
        .unwrap();
        let mut f = RuleFinder::new(&cb).unwrap();
        assert_eq!(
            f.rules("debt", "la deuda con el prestamista", "").unwrap(),
            ["keyword `deuda`", "`lenders`: keyword `prestamista`"]
        );
        assert_eq!(
            f.rules("lenders", "la deuda con el prestamista", "").unwrap(),
            ["keyword `prestamista`"]
        );
    }
}
