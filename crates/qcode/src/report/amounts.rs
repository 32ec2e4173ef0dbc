//! The money amounts of a corpus (`qcode amounts`): every amount quoted in
//! its passages, with where it was said and by whom, and summaries per
//! currency and group.
//!
//! Amounts are found in each document's text once ([`find_amounts`]) and
//! placed in the segment that holds them, so every row names the document,
//! passage, lines and speaker a reader checks it against. With a code
//! (`--code prices`), only the passages coded with it or with one of its
//! sub-codes count; without one, every passage but those of the speakers
//! the codebook skips (`skip_speakers`: the interviewer, whose questions
//! ask about amounts rather than quote them).
//!
//! A summary (`--by`) gives, per group and currency, the count, median,
//! quartiles, minimum and maximum. A range (`entre 3 y 4 mil`) counts by its
//! midpoint, an approximate amount (`unos 5 mil`) by its value. Quartiles
//! are computed by linear interpolation between the order statistics
//! (Hyndman and Fan's type 7, the default of R's `quantile` and of pandas),
//! so the figures can be checked in either. Amounts without a written
//! currency (`me cobró 5 mil`) are summarised apart, as `(none)`: their
//! currency is unknown, so they are never mixed with another.
//!
//! Conversion to one currency happens only with rates the user gives
//! ([`Rates`]); the report lists the rates it used.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use indexmap::IndexMap;

use super::freq::{GroupBy, NONE};
use super::xlsx::Sheet;
use super::{Align, Field, Footnotes, JsonObject, Provenance, Records, Report, Style, Table, counted, line_range};
use crate::amounts::{CurrencyCode, CurrencySettings, Decimal, find_amounts};
use crate::codebook::Codebook;
use crate::pipeline::CodedDocument;
use crate::text::{CharCounter, count_bytes};

pub use super::rates::{Rate, Rates};

/// One amount found, with its passage.
#[derive(Debug, Clone)]
pub struct AmountRow {
    /// The document's id.
    pub document: String,
    /// The passage's 1-based segment number.
    pub segment: usize,
    /// The line the amount starts on, in the source file (for subtitles,
    /// whose text is rebuilt from cues, the passage's first line).
    pub start_line: usize,
    /// The line it ends on (for subtitles, the passage's last line).
    pub end_line: usize,
    /// Where the amount starts, in characters of the document text.
    pub start_char: usize,
    /// Where it ends, end exclusive.
    pub end_char: usize,
    /// The passage's speaker; empty when nobody speaks it.
    pub speaker: String,
    /// The exact words of the amount.
    pub words: String,
    /// The value, or the low end of a range.
    pub low: Decimal,
    /// The high end of a range; equal to `low` for a single value.
    pub high: Decimal,
    /// The ISO 4217 code; `None` when no currency was written.
    pub currency: Option<CurrencyCode>,
    /// The currency as written (`$`, `dólares`); empty when none was.
    pub currency_written: String,
    /// How the amount is approximate (`about`, `at-least`…) and the words
    /// that say so; `None` when exact.
    pub approximate: Option<(String, String)>,
    /// The group of `--by`; empty without it.
    pub group: String,
    /// The value in the rates' currency and the rate used, when converted.
    pub converted: Option<(f64, usize)>,
    /// The document's attributes.
    pub attributes: Arc<IndexMap<String, String>>,
}

impl AmountRow {
    /// The value a summary counts: the value, or a range's midpoint.
    pub fn value(&self) -> f64 {
        (to_f64(self.low) + to_f64(self.high)) / 2.0
    }

    /// The value as written in tables: `5000`, or `3000–4000` for a range.
    pub fn value_text(&self) -> String {
        if self.low == self.high {
            self.low.to_string()
        } else {
            format!("{}–{}", self.low, self.high)
        }
    }

    fn currency_text(&self) -> String {
        self.currency.map_or(NONE.to_string(), |c| c.to_string())
    }
}

fn to_f64(d: Decimal) -> f64 {
    d.units() as f64 / 10f64.powi(d.scale() as i32)
}

/// The amounts of a corpus, and how to summarise them.
#[derive(Debug, Default)]
pub struct AmountsReport {
    /// Every amount, in input order.
    pub rows: Vec<AmountRow>,
    /// The grouping of the summary, if any.
    pub by: Option<GroupBy>,
    /// The code whose passages are read (`--code`), if any.
    pub code: Option<String>,
    /// The conversion rates, if given.
    pub rates: Option<Rates>,
    /// The attribute that dates documents, for rates.
    pub date_attribute: String,
    /// Documents read.
    pub documents: usize,
    /// Passages read (all, or those coded with the code).
    pub passages: usize,
    /// The attribute names met, in order, for the CSV's columns.
    pub attribute_names: Vec<String>,
    /// Per rate of [`Rates`], how many amounts it converted.
    pub rate_uses: BTreeMap<usize, usize>,
    /// Amounts in a currency without a rate, per currency.
    pub unconverted: BTreeMap<String, usize>,
}

impl AmountsReport {
    /// Adds the amounts of one document coded with `codebook`: those of the
    /// passages coded with `code` (or a sub-code) when given, else of
    /// every passage. Returns a warning about the document's currencies,
    /// if any.
    pub fn add_coded(
        &mut self,
        coded: &CodedDocument,
        codebook: &Codebook,
        code: Option<usize>,
        currencies: &CurrencySettings,
    ) -> Option<String> {
        let doc = &coded.doc;
        self.documents += 1;
        for name in doc.attributes.keys() {
            if !self.attribute_names.contains(name) {
                self.attribute_names.push(name.clone());
            }
        }
        let wanted: Vec<bool> = match code {
            // The codebook's skipped speakers (the interviewer) ask about
            // amounts rather than quote them.
            None => coded
                .segments
                .iter()
                .map(|s| {
                    !s.speaker
                        .as_deref()
                        .is_some_and(|sp| codebook.skip_speakers.contains(sp))
                })
                .collect(),
            Some(code) => {
                let mut wanted = vec![false; coded.segments.len()];
                for a in &coded.applied {
                    if codebook.ancestry(a.code).any(|c| c == code) {
                        wanted[a.segment] = true;
                    }
                }
                wanted
            }
        };
        self.passages += wanted.iter().filter(|w| **w).count();
        if !wanted.contains(&true) {
            return None;
        }
        let (readings, warning) = currencies.for_document(&doc.attributes);
        let warning = warning.map(|w| format!("{}: {w}", doc.id));
        let attributes = Arc::new(doc.attributes.clone());
        let date = doc.attributes.get(&self.date_attribute).map(String::as_str);
        let mut chars = CharCounter::new(&doc.text);
        for amount in find_amounts(&doc.text) {
            // The segment that holds the amount: the last to start at or
            // before it, if the amount ends inside it.
            let after = coded.segments.partition_point(|s| s.start <= amount.span.start);
            let Some(i) = after.checked_sub(1) else { continue };
            let seg = &coded.segments[i];
            if amount.span.end > seg.end || !wanted[i] {
                continue;
            }
            // The amount's own lines, counted from its passage's first line
            // where text lines are the file's (not in subtitles).
            let (start_line, end_line) = if doc.cues.is_empty() {
                let newlines = |from: usize, to: usize| count_bytes(&doc.text.as_bytes()[from..to], |b| b == b'\n');
                let start = seg.start_line + newlines(seg.start, amount.span.start);
                (start, start + newlines(amount.span.start, amount.span.end))
            } else {
                (seg.start_line, seg.end_line)
            };
            let currency = amount.currency_code(&readings);
            let group = self
                .by
                .as_ref()
                .map(|by| {
                    by.group_of(&doc.id, &doc.attributes, seg.speaker.as_deref().unwrap_or(""))
                        .into_owned()
                })
                .unwrap_or_default();
            let mut row = AmountRow {
                document: doc.id.clone(),
                segment: seg.index,
                start_line,
                end_line,
                start_char: chars.char_at(amount.span.start),
                end_char: chars.char_at(amount.span.end),
                speaker: seg.speaker.as_deref().unwrap_or_default().to_string(),
                words: amount.words.split_whitespace().collect::<Vec<_>>().join(" "),
                low: amount.low,
                high: amount.high,
                currency,
                currency_written: amount.currency.map(|c| c.written.to_string()).unwrap_or_default(),
                approximate: amount
                    .approximation
                    .map(|a| (a.kind.to_string(), a.written.to_string())),
                group,
                converted: None,
                attributes: attributes.clone(),
            };
            if let (Some(rates), Some(currency)) = (&self.rates, currency) {
                match rates.find(currency, date) {
                    Some(r) => {
                        row.converted = Some((row.value() * rates.rates[r].rate, r));
                        *self.rate_uses.entry(r).or_default() += 1;
                    }
                    None if currency != rates.to => {
                        *self.unconverted.entry(currency.to_string()).or_default() += 1;
                    }
                    None => row.converted = Some((row.value(), usize::MAX)),
                }
            }
            self.rows.push(row);
        }
        warning
    }

    /// The summary: per group and currency (the rates' currency for
    /// converted amounts), the statistics of their values.
    pub fn summary_rows(&self) -> Vec<SummaryRow> {
        // Per group and currency, the values and the rates that made them.
        let mut cells: BTreeMap<(String, String), (Vec<f64>, BTreeSet<usize>)> = BTreeMap::new();
        for row in &self.rows {
            let (currency, value) = match (&self.rates, row.converted) {
                (Some(rates), Some((value, _))) => (rates.to.to_string(), value),
                _ => (row.currency_text(), row.value()),
            };
            let cell = cells.entry((row.group.clone(), currency)).or_default();
            cell.0.push(value);
            if let Some((_, rate)) = row.converted {
                cell.1.insert(rate);
            }
        }
        let mut groups: Vec<String> = cells.keys().map(|(g, _)| g.clone()).collect();
        groups.dedup();
        match &self.by {
            Some(by) => by.sort_groups(&mut groups),
            None => groups.sort(),
        }
        let mut out = Vec::new();
        for g in &groups {
            for ((group, currency), (values, rates)) in cells.range((g.clone(), String::new())..) {
                if group != g {
                    break;
                }
                let mut row = SummaryRow::new(group.clone(), currency.clone(), values.clone());
                if let Some(table) = &self.rates {
                    row.rates = rates.iter().map(|&r| table.describe(r)).collect();
                }
                out.push(row);
            }
        }
        out
    }

    fn converting(&self) -> bool {
        self.rates.is_some()
    }
}

/// The statistics of one group's amounts in one currency.
#[derive(Debug, Clone, PartialEq)]
pub struct SummaryRow {
    /// The group (empty without `--by`).
    pub group: String,
    /// The ISO code, or `(none)` for amounts without a written currency.
    pub currency: String,
    /// How many amounts.
    pub count: usize,
    /// The smallest value.
    pub min: f64,
    /// The first quartile (type 7).
    pub q1: f64,
    /// The median.
    pub median: f64,
    /// The third quartile (type 7).
    pub q3: f64,
    /// The largest value.
    pub max: f64,
    /// With rates, those that converted the amounts (in the order of the
    /// rates file), `already in …` for amounts in the target currency.
    pub rates: Vec<String>,
}

impl SummaryRow {
    fn new(group: String, currency: String, mut values: Vec<f64>) -> SummaryRow {
        values.sort_by(f64::total_cmp);
        SummaryRow {
            group,
            currency,
            count: values.len(),
            min: values[0],
            q1: quantile(&values, 0.25),
            median: quantile(&values, 0.5),
            q3: quantile(&values, 0.75),
            max: values[values.len() - 1],
            rates: Vec::new(),
        }
    }
}

/// The `p` quantile of sorted, non-empty `values` by linear interpolation
/// between order statistics (type 7 of Hyndman and Fan).
pub fn quantile(values: &[f64], p: f64) -> f64 {
    let h = (values.len() - 1) as f64 * p;
    let below = h.floor() as usize;
    let above = (below + 1).min(values.len() - 1);
    values[below] + (h - below as f64) * (values[above] - values[below])
}

/// A number for people: at most two decimals, no trailing zeros, no
/// thousands separator (so that it reads back as a number anywhere).
fn number(v: f64) -> String {
    let s = format!("{v:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".to_string() } else { s.to_string() }
}

const SUMMARY_FIELDS: &[&str] = &["group", "currency", "count", "min", "q1", "median", "q3", "max"];

impl AmountsReport {
    fn amount_records(&self) -> Records {
        let mut fields: Vec<String> = [
            "document",
            "segment",
            "start_line",
            "end_line",
            "start_char",
            "end_char",
            "speaker",
            "words",
            "value",
            "low",
            "high",
            "currency",
            "currency_written",
            "approximate",
            "approximate_words",
        ]
        .map(String::from)
        .to_vec();
        if let Some(rates) = &self.rates {
            fields.push(format!("value_{}", rates.to.as_str().to_lowercase()));
            fields.push("rate".to_string());
        }
        if let Some(by) = &self.by {
            fields.push(format!("group_{}", by.name().replace(':', "_")));
        }
        fields.extend(self.attribute_names.iter().cloned());
        let text = |s: &str| Field::Text((!s.is_empty()).then(|| s.to_string()));
        let rows = self
            .rows
            .iter()
            .map(|r| {
                let mut row = vec![
                    Field::Text(Some(r.document.clone())),
                    Field::Int(r.segment as u64),
                    Field::Int(r.start_line as u64),
                    Field::Int(r.end_line as u64),
                    Field::Int(r.start_char as u64),
                    Field::Int(r.end_char as u64),
                    text(&r.speaker),
                    Field::Text(Some(r.words.clone())),
                    Field::Num(Some(r.value())),
                    Field::Num(Some(to_f64(r.low))),
                    Field::Num(Some(to_f64(r.high))),
                    Field::Text(r.currency.map(|c| c.to_string())),
                    text(&r.currency_written),
                    Field::Text(r.approximate.as_ref().map(|a| a.0.clone())),
                    Field::Text(r.approximate.as_ref().map(|a| a.1.clone())),
                ];
                if let Some(rates) = &self.rates {
                    row.push(Field::Num(r.converted.map(|c| c.0)));
                    row.push(Field::Text(r.converted.map(|(_, i)| rates.describe(i))));
                }
                if self.by.is_some() {
                    row.push(Field::Text(Some(r.group.clone())));
                }
                row.extend(
                    self.attribute_names
                        .iter()
                        .map(|a| text(r.attributes.get(a).map_or("", String::as_str))),
                );
                row
            })
            .collect();
        Records { fields, rows }
    }

    fn summary_records(&self) -> Records {
        let rows = self
            .summary_rows()
            .into_iter()
            .map(|s| {
                let mut row = vec![
                    Field::Text(Some(s.group)),
                    Field::Text(Some(s.currency)),
                    Field::Int(s.count as u64),
                    Field::Num(Some(s.min)),
                    Field::Num(Some(s.q1)),
                    Field::Num(Some(s.median)),
                    Field::Num(Some(s.q3)),
                    Field::Num(Some(s.max)),
                ];
                if self.converting() {
                    row.push(Field::List(s.rates));
                }
                row
            })
            .collect();
        let mut fields: Vec<String> = SUMMARY_FIELDS.iter().map(|f| f.to_string()).collect();
        if self.converting() {
            fields.push("rates".to_string());
        }
        Records { fields, rows }
    }

    fn rate_lines(&self) -> Vec<String> {
        let Some(rates) = &self.rates else { return Vec::new() };
        let mut lines = Vec::new();
        if self.rate_uses.is_empty() {
            lines.push(format!("no rate of {} applied to any amount", rates.source));
        } else {
            let used: Vec<String> = self
                .rate_uses
                .iter()
                .map(|(&r, &n)| format!("{} ({})", rates.describe(r), counted(n, "amount")))
                .collect();
            lines.push(format!("rates used, from {}: {}", rates.source, used.join("; ")));
        }
        if !self.unconverted.is_empty() {
            let missing: Vec<String> = self
                .unconverted
                .iter()
                .map(|(c, n)| format!("{} in {c}", counted(n, "amount")))
                .collect();
            lines.push(format!(
                "not converted, for want of a rate at their document's `{}`: {}",
                self.date_attribute,
                missing.join(", ")
            ));
        }
        lines
    }
}

impl Report for AmountsReport {
    fn summary(&self, _style: Style) -> Vec<String> {
        let mut lines = vec![format!(
            "{} in {} of {}{}",
            counted(self.rows.len(), "amount"),
            counted(self.passages, "passage"),
            counted(self.documents, "document"),
            self.code
                .as_ref()
                .map(|c| format!(" (passages coded `{c}`)"))
                .unwrap_or_default()
        )];
        lines.extend(self.rate_lines());
        lines
    }

    fn table(&self, _notes: &mut Footnotes, _style: Style) -> Option<Table> {
        if let Some(by) = &self.by {
            let header = [
                (by.name().to_string(), Align::Left),
                ("currency".to_string(), Align::Left),
                ("amounts".to_string(), Align::Right),
                ("min".to_string(), Align::Right),
                ("Q1".to_string(), Align::Right),
                ("median".to_string(), Align::Right),
                ("Q3".to_string(), Align::Right),
                ("max".to_string(), Align::Right),
            ];
            let mut t = Table::new(header.to_vec());
            for s in self.summary_rows() {
                t.push(vec![
                    s.group,
                    s.currency,
                    s.count.to_string(),
                    number(s.min),
                    number(s.q1),
                    number(s.median),
                    number(s.q3),
                    number(s.max),
                ]);
            }
            return Some(t);
        }
        let mut header: Vec<(String, Align)> = [
            ("document", Align::Left),
            ("lines", Align::Right),
            ("speaker", Align::Left),
            ("value", Align::Right),
            ("currency", Align::Left),
            ("approx.", Align::Left),
            ("words", Align::Left),
        ]
        .map(|(h, a)| (h.to_string(), a))
        .to_vec();
        if let Some(rates) = &self.rates {
            header.push((rates.to.to_string(), Align::Right));
        }
        let mut t = Table::new(header);
        for r in &self.rows {
            let mut row = vec![
                r.document.clone(),
                line_range(r.start_line, r.end_line),
                r.speaker.clone(),
                r.value_text(),
                r.currency_text(),
                r.approximate.as_ref().map_or(String::new(), |a| a.0.clone()),
                r.words.clone(),
            ];
            if self.converting() {
                row.push(r.converted.map_or(String::new(), |c| number(c.0)));
            }
            t.push(row);
        }
        Some(t)
    }

    fn legend(&self) -> Vec<String> {
        let mut lines = Vec::new();
        if self.by.is_some() {
            lines.push(
                "a range counts by its midpoint, an approximate amount by its value; Q1, median and Q3 by linear \
                 interpolation (type 7, as R's quantile() and pandas); (none) under currency: no currency written"
                    .to_string(),
            );
        } else {
            lines.push(
                "value: a range as low–high; currency: ISO 4217, (none) when none is written; approx.: about, \
                 almost, at-least or at-most; words: as the passage writes them"
                    .to_string(),
            );
        }
        lines
    }

    fn records(&self) -> Records {
        if self.by.is_some() {
            self.summary_records()
        } else {
            self.amount_records()
        }
    }

    fn json(&self, provenance: &Provenance, warnings: &[String]) -> JsonObject {
        let mut json = JsonObject::new().value("about", provenance);
        if let Some(code) = &self.code {
            json = json.value("code", code);
        }
        if let Some(by) = &self.by {
            json = json
                .value("by", by.name())
                .value("summary", records_json(&self.summary_records()));
        }
        if let Some(rates) = &self.rates {
            json = json
                .value("rates_used", self.rate_lines())
                .value("converted_to", rates.to.as_str());
        }
        json.value("amounts", records_json(&self.amount_records()))
            .value("warnings", warnings)
    }

    fn sheets(&self) -> Vec<Sheet> {
        let mut sheets = Vec::new();
        if self.by.is_some() {
            sheets.push(Sheet::new("summary", self.summary_records()));
        }
        sheets.push(Sheet::new("amounts", self.amount_records()));
        if let Some(rates) = &self.rates {
            sheets.push(Sheet::new("rates", rates.records()));
        }
        sheets
    }
}

/// Records as a JSON list of objects keyed by field name.
fn records_json(records: &Records) -> serde_json::Value {
    records
        .rows
        .iter()
        .map(|row| {
            let object: serde_json::Map<String, serde_json::Value> = records
                .fields
                .iter()
                .zip(row)
                .map(|(f, v)| (f.clone(), serde_json::to_value(v).expect("fields serialise")))
                .collect();
            serde_json::Value::Object(object)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quartiles_interpolate_as_r_and_pandas_do() {
        // R: quantile(c(1, 2, 4, 10)) gives 1.75, 3, 5.5.
        let v = [1.0, 2.0, 4.0, 10.0];
        assert_eq!(quantile(&v, 0.25), 1.75);
        assert_eq!(quantile(&v, 0.5), 3.0);
        assert_eq!(quantile(&v, 0.75), 5.5);
        assert_eq!(quantile(&[7.0], 0.25), 7.0);
        let s = SummaryRow::new("g".into(), "USD".into(), vec![800.0, 100.0, 2000.0]);
        assert_eq!(
            (s.min, s.q1, s.median, s.q3, s.max),
            (100.0, 450.0, 800.0, 1400.0, 2000.0)
        );
        assert_eq!(number(1250.5), "1250.5");
        assert_eq!(number(3000.0), "3000");
        assert_eq!(number(0.126), "0.13");
    }
}
