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
//!
//! A date attribute is compared with `<`, `<=`, `>` and `>=`
//! (`date>=2020-03-15`), both sides read as ISO dates ([`crate::dates`]):
//! comparing the text would put `2020-3-9` after `2020-10-01`. A document
//! whose attribute is missing or not a date meets no comparison.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;
use std::sync::atomic::{self, AtomicUsize};

use indexmap::IndexMap;

use super::{AttributeTable, Document};
use crate::dates::Date;
use crate::error::{Error, Result};

/// The error for a `--where` that is no condition.
fn not_a_condition(written: &str) -> Error {
    Error::usage(format!("`--where {written}` is not a condition")).hint(
        "write ATTRIBUTE=VALUE or ATTRIBUTE!=VALUE (e.g. --where country=Honduras), or compare a date: --where 'date>=2020-03-15'",
    )
}

/// One condition on an attribute.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Condition {
    attribute: String,
    test: Test,
    /// As written, for messages.
    written: String,
}

/// What a condition asks of its attribute's value.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Test {
    /// One of the values (`=`) or none of them (`!=`), trimmed and
    /// lower-cased.
    Listed { values: Vec<String>, negated: bool },
    /// A date before, at or after this one.
    Date {
        order: Ordering,
        or_equal: bool,
        date: Date,
    },
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
                let Some(at) = written.find(['=', '!', '<', '>']) else {
                    return Err(not_a_condition(written));
                };
                let (attribute, rest) = written.split_at(at);
                let (operator, value) = ["!=", "<=", ">=", "=", "<", ">"]
                    .into_iter()
                    .find_map(|op| rest.strip_prefix(op).map(|v| (op, v)))
                    .ok_or_else(|| not_a_condition(written))?;
                let attribute = attribute.trim();
                if attribute.is_empty() {
                    return Err(Error::usage(format!("`--where {written}` names no attribute"))
                        .hint("write ATTRIBUTE=VALUE, e.g. --where country=Honduras"));
                }
                let test = match operator {
                    "=" | "!=" => Test::Listed {
                        values: value.split(',').map(|v| v.trim().to_lowercase()).collect(),
                        negated: operator == "!=",
                    },
                    _ => {
                        let date = Date::parse(value).ok_or_else(|| {
                            Error::usage(format!("`--where {written}` compares with `{}`, which is not a date", value.trim()))
                                .hint(format!("`{operator}` compares dates written YYYY-MM-DD, e.g. --where '{attribute}{operator}2020-03-15' (quoted, for the shell)"))
                        })?;
                        Test::Date {
                            order: if operator.starts_with('<') { Ordering::Less } else { Ordering::Greater },
                            or_equal: operator.ends_with('='),
                            date,
                        }
                    }
                };
                Ok(Condition {
                    attribute: attribute.to_string(),
                    test,
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
            let value = attributes.get(&c.attribute);
            match &c.test {
                Test::Listed { values, negated } => {
                    let listed = value.is_some_and(|v| values.contains(&v.trim().to_lowercase()));
                    listed != *negated
                }
                Test::Date { order, or_equal, date } => value.and_then(|v| Date::parse(v)).is_some_and(|d| {
                    let found = d.cmp(date);
                    found == *order || (*or_equal && found == Ordering::Equal)
                }),
            }
        })
    }

    /// The first date attribute a comparison reads that `attributes` gives
    /// in a form that is no date, and its value.
    fn unreadable_date<'v>(&'v self, attributes: &'v IndexMap<String, String>) -> Option<(&'v str, &'v str)> {
        self.conditions.iter().find_map(|c| {
            let value = attributes.get(&c.attribute)?;
            let unreadable =
                matches!(c.test, Test::Date { .. }) && !value.trim().is_empty() && Date::parse(value).is_none();
            unreadable.then_some((c.attribute.as_str(), value.as_str()))
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
    /// Per document whose date a comparison could not read, the attribute
    /// and its value.
    undated: Mutex<BTreeMap<String, (String, String)>>,
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
            undated: Mutex::new(BTreeMap::new()),
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
        if let Some((attribute, value)) = self.filter.unreadable_date(&doc.attributes) {
            let mut undated = self.undated.lock().unwrap_or_else(|e| e.into_inner());
            undated.insert(doc.id.clone(), (attribute.to_string(), value.to_string()));
        }
        let keeps = self.filter.keeps(&doc.attributes);
        if keeps {
            self.kept.fetch_add(1, atomic::Ordering::Relaxed);
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

    /// A warning about the documents whose date a `--where` comparison
    /// could not read (they meet no comparison), naming the first.
    pub fn undated_warning(&self) -> Option<String> {
        let undated = self.undated.lock().unwrap_or_else(|e| e.into_inner());
        let (id, (attribute, value)) = undated.iter().next()?;
        Some(format!(
            "{}: `{attribute}` is not a date written YYYY-MM-DD (`{value}`{}), so `--where` comparisons of dates leave {} out",
            if undated.len() == 1 {
                id.clone()
            } else {
                format!("{} documents", undated.len())
            },
            if undated.len() == 1 {
                String::new()
            } else {
                format!(" in {id}, the first")
            },
            if undated.len() == 1 { "it" } else { "them" }
        ))
    }

    /// An error when a filter kept no document (see
    /// [`DocumentFilter::nothing_kept`]).
    pub fn finish(&self) -> Result<()> {
        if self.filter.is_empty() || self.kept.load(atomic::Ordering::Relaxed) > 0 {
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
    fn dates_compare_as_dates() {
        let during = filter(&["date>=2020-03-15", "date < 2021-01-31"]);
        assert!(during.keeps(&attrs(&[("date", "2020-03-15")])));
        assert!(during.keeps(&attrs(&[("date", "2021-01-30 18:00")])));
        assert!(!during.keeps(&attrs(&[("date", "2021-01-31")])));
        assert!(!during.keeps(&attrs(&[("date", "2020-03-14")])));
        assert!(!during.keeps(&attrs(&[("date", "March 2020")])), "not a date");
        assert!(!during.keeps(&attrs(&[])), "no date");
        let after = filter(&["fecha>2020-12"]);
        assert!(after.keeps(&attrs(&[("fecha", "2020-12-02")])));
        assert!(!after.keeps(&attrs(&[("fecha", "2020-12")])));
        assert!(filter(&["date<=2020"]).keeps(&attrs(&[("date", "2020-01-01")])));
        assert_eq!(
            during.unreadable_date(&attrs(&[("date", "March 2020")])),
            Some(("date", "March 2020"))
        );
        assert_eq!(during.unreadable_date(&attrs(&[("date", "2020-04-01")])), None);
        let e = DocumentFilter::parse(&["date>=March".to_string()]).unwrap_err();
        assert!(e.what.contains("not a date"), "{e}");
        assert!(
            DocumentFilter::parse(&["date=>2020-01-01".to_string()]).is_ok(),
            "`=` then a value"
        );
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
