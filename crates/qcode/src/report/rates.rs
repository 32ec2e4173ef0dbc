//! Conversion rates the user gives (`qcode amounts --rates rates.csv`).
//!
//! qcode holds no exchange rates: which rate is right (official, the
//! street's, the one the smuggler used) is the researcher's call, and a
//! hidden rate would make a table impossible to check. A rates file is a
//! CSV with the columns
//!
//! * `currency`: the ISO 4217 code converted from (`GTQ`);
//! * `to`: the code converted to, the same on every row (`USD`);
//! * `rate`: how many `to` one `currency` is worth (`0.13`, with a `.`);
//! * `date` (optional): when the rate holds — a day (`2021-06-18`), a
//!   month (`2021-06`), a year (`2021`) or a named period (`closures`);
//!   empty: at any time.
//!
//! An amount takes the rate of its currency at its document's date: the
//! row for that day, else its month, else its year, else its period, else
//! the row without a date. An amount with no rate is left unconverted and
//! counted, never given a guessed rate.

use std::path::Path;

use super::{Field, Records};
use crate::amounts::CurrencyCode;
use crate::dates::{Date, Periods};
use crate::error::{Error, Result};
use crate::files::spreadsheet::CsvFile;

/// When a rate holds.
#[derive(Debug, Clone, PartialEq, Eq)]
enum When {
    Day(Date),
    Month(u16, u8),
    Year(u16),
    Period(crate::dates::Period),
    Always,
}

impl When {
    /// How specific the rate is: a day's rate beats a month's, and so on.
    fn rank(&self) -> u8 {
        match self {
            When::Day(_) => 4,
            When::Month(..) => 3,
            When::Year(_) => 2,
            When::Period(_) => 1,
            When::Always => 0,
        }
    }

    fn holds(&self, date: Option<Date>) -> bool {
        match (self, date) {
            (When::Always, _) => true,
            (_, None) => false,
            (When::Day(d), Some(date)) => *d == date,
            (When::Month(y, m), Some(date)) => (*y, *m) == (date.year, date.month),
            (When::Year(y), Some(date)) => *y == date.year,
            (When::Period(p), Some(date)) => p.contains(date),
        }
    }
}

/// One row of a rates file.
#[derive(Debug, Clone, PartialEq)]
pub struct Rate {
    /// The currency converted from.
    pub currency: CurrencyCode,
    /// How many of the target currency one unit is worth.
    pub rate: f64,
    /// The `date` cell as written; empty: at any time.
    pub date: String,
    /// The row's line in the file.
    pub line: usize,
    when: When,
}

/// The rates of a file, all to one currency.
#[derive(Debug, Clone, PartialEq)]
pub struct Rates {
    /// The rows, in file order.
    pub rates: Vec<Rate>,
    /// The currency converted to.
    pub to: CurrencyCode,
    /// The file, as named on the command line.
    pub source: String,
}

impl Rates {
    /// Reads a rates file; `periods` are the named periods its `date`
    /// column may name.
    pub fn load(path: &Path, periods: &Periods) -> Result<Rates> {
        let file = CsvFile::open(path)?;
        let mut table = file.table()?;
        let headers = table.headers().to_vec();
        let col = |name: &str| headers.iter().position(|h| h.eq_ignore_ascii_case(name));
        let (Some(currency_col), Some(to_col), Some(rate_col)) = (col("currency"), col("to"), col("rate")) else {
            return Err(Error::new("the rates file lacks a column: it needs `currency`, `to` and `rate`")
                .at(format!("{}:1", path.display()))
                .hint(format!(
                    "write a header `currency,to,rate,date` (date optional), e.g. the row `GTQ,USD,0.13,2021`; found: {}",
                    headers.join(", ")
                )));
        };
        let date_col = col("date");
        let mut rates: Vec<Rate> = Vec::new();
        let mut to: Option<CurrencyCode> = None;
        for (row, record) in table.by_ref().enumerate() {
            let record = record?;
            let line = record.position().map_or(row + 2, |p| p.line() as usize);
            let at = || format!("{}:{line}", path.display());
            let cell = |c: usize| record.get(c).unwrap_or_default().trim();
            let code = |c: usize, name: &str| {
                cell(c).parse::<CurrencyCode>().map_err(|e| {
                    Error::new(format!("column `{name}`: {}", e.what))
                        .at(at())
                        .hint(e.hint.unwrap_or_default())
                })
            };
            let currency = code(currency_col, "currency")?;
            let target = code(to_col, "to")?;
            match to {
                Some(t) if t != target => {
                    return Err(
                        Error::new(format!("this row converts to {target}, an earlier one to {t}"))
                            .at(at())
                            .hint("convert to one currency: give every row the same `to`"),
                    );
                }
                _ => to = Some(target),
            }
            if currency == target {
                return Err(Error::new(format!("this row converts {currency} to itself"))
                    .at(at())
                    .hint("leave it out: amounts already in the target currency are kept as they are"));
            }
            let rate = cell(rate_col)
                .parse::<f64>()
                .ok()
                .filter(|r| r.is_finite() && *r > 0.0)
                .ok_or_else(|| {
                    Error::new(format!("the rate `{}` is not a positive number", cell(rate_col)))
                        .at(at())
                        .hint("write how many units of `to` one unit of `currency` is worth, with a `.` for decimals: 0.13")
                })?;
            let date = date_col.map(cell).unwrap_or_default().to_string();
            let when = when_of(&date, periods).ok_or_else(|| {
                Error::new(format!("`{date}` in column `date` is neither a date nor a period"))
                    .at(at())
                    .hint(if periods.is_empty() {
                        "write a day (2021-06-18), a month (2021-06) or a year (2021), or leave it empty for any time; periods are declared with `periods:`".to_string()
                    } else {
                        let names: Vec<&str> = periods.iter().map(|p| p.name.as_str()).collect();
                        format!("write a day (2021-06-18), a month (2021-06), a year (2021) or one of the periods {}, or leave it empty", names.join(", "))
                    })
            })?;
            if let Some(same) = rates.iter().find(|r| r.currency == currency && r.when == when) {
                return Err(Error::new(format!(
                    "a second rate for {currency} at `{date}` (the first is on line {})",
                    same.line
                ))
                .at(at())
                .hint("keep one rate per currency and date"));
            }
            rates.push(Rate {
                currency,
                rate,
                date,
                line,
                when,
            });
        }
        let to = to.ok_or_else(|| {
            Error::new("the rates file has no rates")
                .at(path.display().to_string())
                .hint("add a row per currency: `GTQ,USD,0.13,2021`")
        })?;
        Ok(Rates {
            rates,
            to,
            source: path.display().to_string(),
        })
    }

    /// The index of the rate for `currency` at the date written `date` (a
    /// document's date attribute), if any.
    pub fn find(&self, currency: CurrencyCode, date: Option<&str>) -> Option<usize> {
        let date = date.and_then(Date::parse);
        self.rates
            .iter()
            .enumerate()
            .filter(|(_, r)| r.currency == currency && r.when.holds(date))
            .max_by_key(|(_, r)| r.when.rank())
            .map(|(i, _)| i)
    }

    /// A rate in words: `1 GTQ = 0.13 USD (2021)`; [`usize::MAX`] stands
    /// for amounts already in the target currency.
    pub fn describe(&self, i: usize) -> String {
        let Some(r) = self.rates.get(i) else {
            return format!("already in {}", self.to);
        };
        let when = if r.date.is_empty() {
            String::new()
        } else {
            format!(" ({})", r.date)
        };
        format!("1 {} = {} {}{when}", r.currency, r.rate, self.to)
    }

    /// The rates as records, for a workbook's sheet.
    pub fn records(&self) -> Records {
        Records {
            fields: ["currency", "to", "rate", "date", "line"].map(String::from).to_vec(),
            rows: self
                .rates
                .iter()
                .map(|r| {
                    vec![
                        Field::Text(Some(r.currency.to_string())),
                        Field::Text(Some(self.to.to_string())),
                        Field::Num(Some(r.rate)),
                        Field::Text((!r.date.is_empty()).then(|| r.date.clone())),
                        Field::Int(r.line as u64),
                    ]
                })
                .collect(),
        }
    }
}

/// When the `date` cell `written` says a rate holds.
fn when_of(written: &str, periods: &Periods) -> Option<When> {
    if written.is_empty() {
        return Some(When::Always);
    }
    if let Some(p) = periods.named(written) {
        return Some(When::Period(p.clone()));
    }
    let date = Date::parse(written)?;
    Some(match written.len() {
        4 => When::Year(date.year),
        7 => When::Month(date.year, date.month),
        10 => When::Day(date),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dates::Period;

    fn load(csv: &str) -> Result<Rates> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("rates.csv");
        std::fs::write(&path, csv).unwrap();
        let periods = Periods::new(vec![Period::new("closures", "2020-03-15", "2021-01-31").unwrap()]).unwrap();
        Rates::load(&path, &periods)
    }

    #[test]
    fn the_most_specific_rate_applies() {
        let r = load("currency,to,rate,date\nGTQ,USD,0.13,\nGTQ,USD,0.128,2021\nGTQ,USD,0.125,2021-06\nGTQ,USD,0.12,closures\nMXN,USD,0.05,2021-06-18\n").unwrap();
        assert_eq!(r.to, CurrencyCode::Usd);
        assert_eq!(r.find(CurrencyCode::Gtq, Some("2021-06-18")), Some(2));
        assert_eq!(
            r.find(CurrencyCode::Gtq, Some("2021-01-18")),
            Some(1),
            "the year beats the period"
        );
        assert_eq!(r.find(CurrencyCode::Gtq, Some("2020-10-01")), Some(3));
        assert_eq!(r.find(CurrencyCode::Gtq, Some("2019-10-01")), Some(0));
        assert_eq!(r.find(CurrencyCode::Gtq, None), Some(0));
        assert_eq!(r.find(CurrencyCode::Mxn, Some("2021-06-17")), None);
        assert_eq!(r.find(CurrencyCode::Hnl, Some("2021-06-17")), None);
        assert_eq!(r.describe(1), "1 GTQ = 0.128 USD (2021)");
    }

    #[test]
    fn bad_rows_are_located_errors() {
        let e = load("currency,to,rate\nGTQ,USD,0.13\nHNL,EUR,0.04\n").unwrap_err();
        assert!(
            e.what.contains("converts to EUR") && e.place.as_deref().unwrap_or_default().ends_with("rates.csv:3"),
            "{e}"
        );
        let e = load("currency,to,rate\nGTQ,USD,-1\n").unwrap_err();
        assert!(e.what.contains("not a positive number"), "{e}");
        let e = load("currency,to,rate,date\nGTQ,USD,0.1,ayer\n").unwrap_err();
        assert!(
            e.what.contains("neither a date nor a period")
                && e.hint.as_deref().unwrap_or_default().contains("closures"),
            "{e}"
        );
        let e = load("currency,to,rate\nGTQ,USD,0.1\nGTQ,USD,0.2\n").unwrap_err();
        assert!(e.what.contains("second rate") && e.what.contains("line 2"), "{e}");
        let e = load("moneda,a,tasa\n").unwrap_err();
        assert!(e.what.contains("lacks a column"), "{e}");
        let e = load("currency,to,rate\nXYZ,USD,1\n").unwrap_err();
        assert!(e.what.contains("`XYZ`"), "{e}");
        assert!(load("currency,to,rate\n").unwrap_err().what.contains("no rates"));
    }
}
