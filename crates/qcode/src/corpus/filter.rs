//! Choosing documents by their attributes (`--where country=Honduras`), so
//! that every command can look at a part of the corpus — the interviews of
//! one country, the period before the closures — without moving files.
//!
//! A condition is `ATTRIBUTE=VALUE` or `ATTRIBUTE!=VALUE`; a value may list
//! alternatives separated by commas (`country=Honduras,Guatemala`: either).
//! Several conditions must all hold. Values are compared without regard to
//! case or surrounding spaces, since attributes are typed by hand in front
//! matter and spreadsheets. A document without the attribute has no value:
//! `=` never holds for it and `!=` always does.

use std::collections::BTreeSet;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use indexmap::IndexMap;

use super::{AttributeTable, Document};
use crate::error::{Error, Result};

/// One condition on an attribute.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Condition {
    attribute: String,
    /// The values allowed (`=`) or refused (`!=`), trimmed and lower-cased.
    values: Vec<String>,
    negated: bool,
    /// As written, for messages.
    written: String,
}

/// The conditions documents must meet; empty: every document.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DocumentFilter {
    conditions: Vec<Condition>,
}

impl DocumentFilter {
    /// The filter of the conditions written in `conditions`
    /// (`country=Honduras`, `role!=interviewer`).
    pub fn parse(conditions: &[String]) -> Result<DocumentFilter> {
        let parsed = conditions
            .iter()
            .map(|written| {
                let (attribute, value, negated) = match written.split_once("!=") {
                    Some((a, v)) => (a, v, true),
                    None => match written.split_once('=') {
                        Some((a, v)) => (a, v, false),
                        None => {
                            return Err(Error::usage(format!("`--where {written}` is not a condition"))
                                .hint("write ATTRIBUTE=VALUE or ATTRIBUTE!=VALUE, e.g. --where country=Honduras"));
                        }
                    },
                };
                let attribute = attribute.trim();
                if attribute.is_empty() {
                    return Err(Error::usage(format!("`--where {written}` names no attribute"))
                        .hint("write ATTRIBUTE=VALUE, e.g. --where country=Honduras"));
                }
                Ok(Condition {
                    attribute: attribute.to_string(),
                    values: value.split(',').map(|v| v.trim().to_lowercase()).collect(),
                    negated,
                    written: written.clone(),
                })
            })
            .collect::<Result<_>>()?;
        Ok(DocumentFilter { conditions: parsed })
    }

    /// Whether there are no conditions.
    pub fn is_empty(&self) -> bool {
        self.conditions.is_empty()
    }

    /// Whether a document with these attributes meets every condition.
    pub fn keeps(&self, attributes: &IndexMap<String, String>) -> bool {
        self.conditions.iter().all(|c| {
            let value = attributes.get(&c.attribute).map(|v| v.trim().to_lowercase());
            let listed = value.is_some_and(|v| c.values.contains(&v));
            listed != c.negated
        })
    }

    /// After a run that kept no document, the error that says why: an
    /// attribute no document has (with the closest one, and the list of
    /// those seen), or conditions no document meets.
    pub fn nothing_kept(&self, seen: &BTreeSet<String>) -> Error {
        let names: Vec<&str> = seen.iter().map(String::as_str).collect();
        let known = if names.is_empty() {
            "the documents have no attributes: give them in front matter or with --attributes FILE.csv".to_string()
        } else {
            format!("the documents' attributes are: {}", names.join(", "))
        };
        if let Some(c) = self.conditions.iter().find(|c| !seen.contains(&c.attribute)) {
            let suggestion = crate::text::closest(&c.attribute, names.iter().copied())
                .map(|best| format!("did you mean `{best}`? "))
                .unwrap_or_default();
            return Error::usage(format!(
                "no document has the attribute `{}` (`--where {}`)",
                c.attribute, c.written
            ))
            .hint(format!("{suggestion}{known}"));
        }
        let written: Vec<&str> = self.conditions.iter().map(|c| c.written.as_str()).collect();
        Error::usage(format!(
            "no document meets `--where {}`",
            written.join("` and `--where ")
        ))
        .hint(format!("check the values (their case does not matter); {known}"))
    }
}

/// The documents a run takes and the attributes they get: the attributes
/// file's added first, then the filter applied. Shared by the threads of a
/// run; it remembers the attribute names it met, to explain a filter that
/// keeps nothing.
#[derive(Debug)]
pub struct Selection<'a> {
    attributes: Option<&'a AttributeTable>,
    filter: &'a DocumentFilter,
    seen: Mutex<BTreeSet<String>>,
    kept: AtomicUsize,
    /// The ids of the documents the filter left out.
    refused: Mutex<BTreeSet<String>>,
}

impl<'a> Selection<'a> {
    /// Documents with `attributes` added, kept by `filter`.
    pub fn new(attributes: Option<&'a AttributeTable>, filter: &'a DocumentFilter) -> Selection<'a> {
        Selection {
            attributes,
            filter,
            seen: Mutex::new(BTreeSet::new()),
            kept: AtomicUsize::new(0),
            refused: Mutex::new(BTreeSet::new()),
        }
    }

    /// Adds the attributes file's attributes to `doc`; whether the filter
    /// keeps it.
    pub fn take(&self, doc: &mut Document) -> bool {
        if let Some(table) = self.attributes {
            table.apply(doc);
        }
        if self.filter.is_empty() {
            return true;
        }
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        for name in doc.attributes.keys() {
            if !seen.contains(name) {
                seen.insert(name.clone());
            }
        }
        drop(seen);
        let keeps = self.filter.keeps(&doc.attributes);
        if keeps {
            self.kept.fetch_add(1, Ordering::Relaxed);
        } else {
            let mut refused = self.refused.lock().unwrap_or_else(|e| e.into_inner());
            refused.insert(doc.id.clone());
        }
        keeps
    }

    /// Whether the filter left out the document `id`.
    pub fn refused(&self, id: &str) -> bool {
        self.refused.lock().unwrap_or_else(|e| e.into_inner()).contains(id)
    }

    /// An error when a filter kept no document (see
    /// [`DocumentFilter::nothing_kept`]).
    pub fn finish(&self) -> Result<()> {
        if self.filter.is_empty() || self.kept.load(Ordering::Relaxed) > 0 {
            return Ok(());
        }
        Err(self
            .filter
            .nothing_kept(&self.seen.lock().unwrap_or_else(|e| e.into_inner())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attrs(pairs: &[(&str, &str)]) -> IndexMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    fn filter(conditions: &[&str]) -> DocumentFilter {
        DocumentFilter::parse(&conditions.iter().map(|c| c.to_string()).collect::<Vec<_>>()).unwrap()
    }

    #[test]
    fn conditions_all_hold_and_values_compare_without_case() {
        let f = filter(&["country=Honduras, Guatemala", "role!=official"]);
        assert!(f.keeps(&attrs(&[("country", "honduras"), ("role", "migrant")])));
        assert!(
            f.keeps(&attrs(&[("country", " Guatemala ")])),
            "no role is not `official`"
        );
        assert!(!f.keeps(&attrs(&[("country", "Mexico")])));
        assert!(!f.keeps(&attrs(&[("country", "Honduras"), ("role", "Official")])));
        assert!(!f.keeps(&attrs(&[])), "no country is not Honduras");
        assert!(filter(&[]).keeps(&attrs(&[])));
    }

    #[test]
    fn bad_conditions_and_empty_runs_say_why() {
        let e = DocumentFilter::parse(&["country".to_string()]).unwrap_err();
        assert!(e.what.contains("is not a condition"), "{e}");
        let e = DocumentFilter::parse(&["=x".to_string()]).unwrap_err();
        assert!(e.what.contains("names no attribute"), "{e}");
        let seen: BTreeSet<String> = ["country".to_string(), "role".to_string()].into_iter().collect();
        let e = filter(&["contry=Honduras"]).nothing_kept(&seen);
        assert!(e.what.contains("no document has the attribute `contry`"), "{e}");
        assert!(e.hint.unwrap().starts_with("did you mean `country`?"));
        let e = filter(&["country=Peru"]).nothing_kept(&seen);
        assert!(e.what.contains("no document meets `--where country=Peru`"), "{e}");
    }
}
