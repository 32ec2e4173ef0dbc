//! Values a code extracts from its passages: the named capture groups of
//! its patterns that its `extract:` lists (`(?P<amount>…)`, `(?P<route>…)`).
//!
//! Matching decides whether a code applies, in one pass for every code
//! (`matcher`); extraction runs afterwards, on the passages a code with
//! `extract:` was applied to, since it needs each pattern's groups, which
//! the combined scan does not keep. Each pattern runs without regard to
//! case and, as in matching, a pattern written without accents in a code
//! whose `accents` is not `exact` runs on the passage with its accents
//! removed (`dolares` finds `dólares`); the values are always the exact
//! words of the passage as written.

use regex::Regex;

use super::{Accents, Code};
use crate::text::{strip_accents, strip_accents_mapped};

/// The values of one field of a code in one passage.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Extracted {
    /// The field: a group name the code's `extract:` lists.
    pub field: String,
    /// The words each match captured, white space collapsed, distinct, in
    /// order of appearance.
    pub values: Vec<String>,
}

/// The patterns of the codes that extract fields, compiled once.
#[derive(Debug, Clone, Default)]
pub(crate) struct Extractors {
    /// Per code index, its patterns (only codes with `extract:`), each
    /// with whether it runs on the text without accents.
    by_code: Vec<(usize, Vec<(Regex, bool)>)>,
}

impl Extractors {
    /// The extractors of `codes`, whose patterns are known to compile.
    pub(crate) fn new(codes: &[Code]) -> Extractors {
        let by_code = codes
            .iter()
            .enumerate()
            .filter(|(_, c)| !c.extract.is_empty())
            .map(|(i, c)| {
                let regexes = c
                    .rules
                    .patterns
                    .iter()
                    .filter_map(|p| {
                        let folded = match c.rules.accents {
                            Accents::Exact => false,
                            Accents::Ignore => true,
                            Accents::Tolerant => p.is_ascii(),
                        };
                        let source = if folded { strip_accents(p) } else { p.clone() };
                        let regex = regex::RegexBuilder::new(&source).case_insensitive(true).build().ok()?;
                        Some((regex, folded))
                    })
                    .collect();
                (i, regexes)
            })
            .collect();
        Extractors { by_code }
    }

    /// The fields of code `code` (with its `extract` list `fields`) found
    /// in `text`; fields without a value are left out.
    pub(crate) fn extract(&self, code: usize, fields: &[String], text: &str) -> Vec<Extracted> {
        let Some((_, regexes)) = self.by_code.iter().find(|(c, _)| *c == code) else {
            return Vec::new();
        };
        let mut found: Vec<Extracted> = fields
            .iter()
            .map(|f| Extracted {
                field: f.clone(),
                values: Vec::new(),
            })
            .collect();
        let mut stripped: Option<(String, Vec<usize>)> = None;
        for (regex, folded) in regexes {
            let (hay, map) = if *folded {
                let (hay, map) = stripped.get_or_insert_with(|| strip_accents_mapped(text));
                (hay.as_str(), Some(map.as_slice()))
            } else {
                (text, None)
            };
            for caps in regex.captures_iter(hay) {
                for slot in &mut found {
                    let Some(m) = caps.name(&slot.field) else { continue };
                    let words = match map {
                        Some(map) => &text[map[m.start()]..map[m.end()]],
                        None => m.as_str(),
                    };
                    let value = words.split_whitespace().collect::<Vec<_>>().join(" ");
                    if !value.is_empty() && !slot.values.contains(&value) {
                        slot.values.push(value);
                    }
                }
            }
        }
        found.retain(|e| !e.values.is_empty());
        found
    }
}

#[cfg(test)]
mod tests {
    use crate::Codebook;

    #[test]
    fn named_groups_become_fields_with_the_passage_words() {
        let cb = Codebook::parse(
            "name: T\ncodes:\n  - name: prices\n    patterns: ['(?P<amount>\\d[\\d,.]*) (?P<currency>dolares|quetzales)', 'hasta (?P<place>[A-Z]\\w+)']\n    extract: [amount, currency, place]\n",
            "t.yaml",
        )
        .unwrap();
        let text = "Pagamos 3,500 Dólares hasta Tapachula y 200 quetzales, y otros 3,500 dólares.";
        let got = cb.extract(0, text);
        assert_eq!(got.len(), 3);
        assert_eq!(
            (got[0].field.as_str(), got[0].values.clone()),
            ("amount", vec!["3,500".to_string(), "200".to_string()])
        );
        // Written without accents, the pattern finds the accented word and
        // gives it as written.
        assert_eq!(got[1].values, ["Dólares", "quetzales", "dólares"]);
        assert_eq!(
            (got[2].field.as_str(), got[2].values.clone()),
            ("place", vec!["Tapachula".to_string()])
        );
        assert!(cb.extract(0, "nada").is_empty());
    }

    #[test]
    fn the_check_names_unknown_and_repeated_fields_with_their_place() {
        let e = Codebook::parse(
            "name: T\ncodes:\n  - name: prices\n    patterns: ['(?P<amount>\\d+) dólares']\n    extract: [amuont, amount, amount]\n  - name: ages\n    keywords: [años]\n    extract: [age]\n",
            "t.yaml",
        )
        .unwrap_err();
        let all: Vec<String> = e
            .each()
            .map(|e| {
                format!(
                    "{} @ {} ({})",
                    e.what,
                    e.place.clone().unwrap_or_default(),
                    e.hint.clone().unwrap_or_default()
                )
            })
            .collect();
        assert_eq!(all.len(), 3, "{all:#?}");
        assert!(
            all[0].contains("`amuont`") && all[0].contains("t.yaml:5:15") && all[0].contains("did you mean `amount`"),
            "{}",
            all[0]
        );
        assert!(
            all[1].contains("names `amount` twice") && all[1].contains("t.yaml:5:31"),
            "{}",
            all[1]
        );
        assert!(
            all[2].contains("code `ages`") && all[2].contains("(?P<age>"),
            "{}",
            all[2]
        );
    }
}
