//! Flat records: one row of a report with a fixed, documented list of
//! snake_case field names, written as a JSON object (fields in schema
//! order) or as a CSV row.
//!
//! Scripts rely on these names, so every report declares its schema once as
//! a `const` list of names and fills values in the same order; the JSON and
//! CSV writers both read that one list. An undefined coefficient is `null`
//! in JSON and an empty cell in CSV, with its reason in the `<name>_reason`
//! field beside it. Numbers are written with full precision (the shortest
//! decimal that reads back as the same `f64`), never formula-guarded; text
//! cells are guarded against spreadsheet formula injection.

use std::borrow::Cow;
use std::io::Write;

use serde::ser::{Serialize, SerializeMap, Serializer};

use crate::error::{Error, Result};
use crate::files::spreadsheet::CsvOut;
use crate::stats::Coef;

use super::Table;

/// One value of a record.
#[derive(Debug, Clone, PartialEq)]
pub enum Field {
    /// A count.
    Int(u64),
    /// A number, or `null`.
    Num(Option<f64>),
    /// Text, or `null`.
    Text(Option<String>),
    /// A number shown with a fixed number of decimals (a percentage such
    /// as `94.4`): so written in CSV, a number in JSON and spreadsheets.
    Decimal(f64, usize),
    /// A list of strings (joined with `; ` in CSV).
    List(Vec<String>),
}

/// A row: values in the order of its schema's field names.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    fields: &'static [&'static str],
    values: Vec<Field>,
}

impl Record {
    /// An empty record of the given schema.
    pub fn new(fields: &'static [&'static str]) -> Record {
        Record {
            fields,
            values: Vec::with_capacity(fields.len()),
        }
    }

    /// Appends the next field's value.
    pub fn push(&mut self, value: Field) -> &mut Record {
        debug_assert!(
            self.values.len() < self.fields.len(),
            "more values than fields in {:?}",
            self.fields
        );
        self.values.push(value);
        self
    }

    /// Appends a count.
    pub fn int(&mut self, v: usize) -> &mut Record {
        self.push(Field::Int(v as u64))
    }

    /// Appends a number; `None` is `null` in JSON and an empty cell in CSV.
    pub fn num(&mut self, v: Option<f64>) -> &mut Record {
        self.push(Field::Num(v))
    }

    /// Appends text.
    pub fn text(&mut self, v: impl Into<String>) -> &mut Record {
        self.push(Field::Text(Some(v.into())))
    }

    /// Appends text; `None` is `null` in JSON and an empty cell in CSV.
    pub fn opt_text(&mut self, v: Option<String>) -> &mut Record {
        self.push(Field::Text(v))
    }

    /// A coefficient and its reason: two fields, `<name>` and `<name>_reason`.
    pub fn coef(&mut self, c: Coef) -> &mut Record {
        self.num(c.value());
        self.opt_text(c.reason().map(|r| r.message().to_string()))
    }

    fn check(&self) {
        debug_assert_eq!(
            self.values.len(),
            self.fields.len(),
            "record filled with {} values for fields {:?}",
            self.values.len(),
            self.fields
        );
    }
}

impl Serialize for Field {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        match self {
            Field::Int(v) => s.serialize_u64(*v),
            Field::Num(Some(v)) => s.serialize_f64(*v),
            Field::Decimal(v, _) => s.serialize_f64(*v),
            Field::Num(None) | Field::Text(None) => s.serialize_none(),
            Field::Text(Some(t)) => s.serialize_str(t),
            Field::List(items) => items.serialize(s),
        }
    }
}

impl Serialize for Record {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        self.check();
        let mut map = s.serialize_map(Some(self.fields.len()))?;
        for (k, v) in self.fields.iter().zip(&self.values) {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

/// Records are a JSON list of objects, their keys in field order.
impl Serialize for Records {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        struct Row<'a>(&'a [String], &'a [Field]);
        impl Serialize for Row<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
                let mut map = s.serialize_map(Some(self.0.len()))?;
                for (k, v) in self.0.iter().zip(self.1) {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
        }
        let mut seq = s.serialize_seq(Some(self.rows.len()))?;
        for row in &self.rows {
            seq.serialize_element(&Row(&self.fields, row))?;
        }
        seq.end()
    }
}

/// A JSON object whose keys keep the order they were added in, for a
/// report's whole output: serde_json's own maps sort their keys, which
/// would scramble the records' schema order.
#[derive(Debug, Clone, Default)]
pub struct JsonObject(Vec<(Cow<'static, str>, JsonItem)>);

#[derive(Debug, Clone)]
enum JsonItem {
    Value(serde_json::Value),
    Records(Vec<Record>),
}

impl JsonObject {
    /// An object without keys.
    pub fn new() -> JsonObject {
        JsonObject::default()
    }

    /// Adds a plain value (its own maps, if any, have sorted keys).
    pub fn value(mut self, key: &'static str, v: impl Serialize) -> JsonObject {
        let v = serde_json::to_value(v).expect("report values serialise");
        self.0.push((Cow::Borrowed(key), JsonItem::Value(v)));
        self
    }

    /// Adds a value under a key made at run time.
    pub fn entry(mut self, key: String, v: serde_json::Value) -> JsonObject {
        self.0.push((Cow::Owned(key), JsonItem::Value(v)));
        self
    }

    /// Adds a list of records, each in its schema's order.
    pub fn records(mut self, key: &'static str, records: Vec<Record>) -> JsonObject {
        self.0.push((Cow::Borrowed(key), JsonItem::Records(records)));
        self
    }
}

impl Serialize for JsonObject {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            match v {
                JsonItem::Value(v) => map.serialize_entry(k, v)?,
                JsonItem::Records(r) => map.serialize_entry(k, r)?,
            }
        }
        map.end()
    }
}

/// Records and their field names: the report for programs, written as a
/// CSV table whose header is the field names.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Records {
    /// The column names.
    pub fields: Vec<String>,
    /// One row per record, a value per field.
    pub rows: Vec<Vec<Field>>,
}

impl Records {
    /// Records of one schema.
    pub fn new(fields: &[&str], records: Vec<Record>) -> Records {
        Records {
            fields: fields.iter().map(|f| f.to_string()).collect(),
            rows: records
                .into_iter()
                .map(|r| {
                    r.check();
                    debug_assert_eq!(r.fields, fields);
                    r.values
                })
                .collect(),
        }
    }

    /// A table of text, every cell a text value.
    pub fn text(table: &Table) -> Records {
        Records {
            fields: table.header.clone(),
            rows: table
                .rows
                .iter()
                .map(|row| row.iter().map(|c| Field::Text(Some(c.clone()))).collect())
                .collect(),
        }
    }

    /// Writes the records as CSV, the header first (written even when there
    /// are no records, so a script always finds the columns). Text is
    /// guarded against spreadsheet formulas, the header's included;
    /// numbers are not (a negative kappa stays a number).
    pub fn write_csv(&self, out: impl Write) -> Result<()> {
        let mut csv = CsvOut::new(out, self.fields.iter().map(String::as_str))?;
        for row in &self.rows {
            for value in row {
                match value {
                    Field::Int(v) => csv.number(v)?,
                    Field::Num(Some(v)) => csv.number(v)?,
                    Field::Decimal(v, places) => csv.number(format!("{v:.places$}"))?,
                    Field::Num(None) | Field::Text(None) => csv.text("")?,
                    Field::Text(Some(t)) => csv.text(t)?,
                    Field::List(items) => csv.text(&items.join("; "))?,
                }
            }
            csv.end_row()?;
        }
        csv.into_inner()?.flush().map_err(Error::write)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::Reason;

    const FIELDS: &[&str] = &["code", "n", "kappa", "kappa_reason", "terms"];

    fn sample() -> Record {
        let mut r = Record::new(FIELDS);
        r.text("=x")
            .int(3)
            .coef(Coef::Undefined(Reason::NoVariation))
            .push(Field::List(vec!["a".into(), "b".into()]));
        r
    }

    #[test]
    fn json_keeps_schema_order_and_nulls() {
        let json = serde_json::to_string(&sample()).unwrap();
        assert_eq!(
            json,
            r#"{"code":"=x","n":3,"kappa":null,"kappa_reason":"no variation: every coder used one category (1 − Pe = 0)","terms":["a","b"]}"#
        );
    }

    #[test]
    fn json_object_keeps_insertion_order() {
        let o = JsonObject::new()
            .value("z", 1)
            .records("rows", vec![sample()])
            .value("a", [2]);
        let json = serde_json::to_string(&o).unwrap();
        assert!(json.starts_with(r#"{"z":1,"rows":[{"code":"=x","n":3,"#), "{json}");
        assert!(json.ends_with(r#""a":[2]}"#), "{json}");
    }

    #[test]
    fn csv_guards_text_not_numbers() {
        let mut neg = Record::new(FIELDS);
        neg.text("c").int(1).coef(Coef::Value(-0.25)).push(Field::List(vec![]));
        let mut out = Vec::new();
        Records::new(FIELDS, vec![sample(), neg]).write_csv(&mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(
            text,
            "code,n,kappa,kappa_reason,terms\n'=x,3,,no variation: every coder used one category (1 − Pe = 0),a; b\nc,1,-0.25,,\n"
        );
        let mut empty = Vec::new();
        Records::new(FIELDS, Vec::new()).write_csv(&mut empty).unwrap();
        assert_eq!(String::from_utf8(empty).unwrap(), "code,n,kappa,kappa_reason,terms\n");
    }
}
