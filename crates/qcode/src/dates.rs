//! Dates of documents: read from their attributes (front matter, an
//! attributes file, a metadata header), grouped by month, quarter, year or
//! named period, and compared in filters (`--where 'date>=2020-03-15'`).
//!
//! A study compares times — before and during the border closures of
//! 2020 — and its documents carry the date they were made as an attribute.
//! Dates are read in one form, ISO 8601 (`2020-03-15`, or `2020-03` and
//! `2020` for a month or a year, which stand for their first day; a time
//! after the day, `2020-03-15T09:30` or `2020-03-15 09:30:00`, is
//! ignored), because `03/04/2020` is the 3rd of April in Guatemala and the
//! 4th of March in an English-language field diary, and guessing would
//! put documents in the wrong period silently.
//!
//! Named periods (`periods:` in the codebook, or a small YAML file) are
//! declared once, each from its first day to the day it ends, that day
//! excluded, so that consecutive periods can share a bound
//! (`before: [.., 2020-03-15]`, `closures: [2020-03-15, 2021-01-31]`);
//! `..` leaves a bound open. Periods may not overlap: a date falls in one
//! period or in none.

use std::fmt;

use crate::error::{Error, Result};

/// The group of a document with no value for the date attribute.
pub const NO_DATE: &str = "(none)";
/// The group of a document whose date attribute is not a date.
pub const NOT_A_DATE: &str = "(not a date)";
/// The group of a dated document outside every named period.
pub const NO_PERIOD: &str = "(no period)";

/// A day of the Gregorian calendar.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    /// The year, 1 to 9999.
    pub year: u16,
    /// The month, 1 to 12.
    pub month: u8,
    /// The day of the month, from 1.
    pub day: u8,
}

impl Date {
    /// Reads an ISO 8601 date: `2020-03-15`, `2020-03` (its 1st), `2020`
    /// (1 January), with anything after `T` or a space following the day
    /// ignored (a time). `None` for anything else, days that do not exist
    /// (`2021-02-29`) included.
    pub fn parse(s: &str) -> Option<Date> {
        let s = s.trim();
        let day_part = match s.find(['T', ' ']) {
            Some(at) if at == 10 => &s[..at],
            Some(_) => return None,
            None => s,
        };
        let mut parts = day_part.split('-');
        let number = |p: Option<&str>, digits: usize| -> Option<Option<u16>> {
            match p {
                None => Some(None),
                Some(p) if p.len() == digits && p.bytes().all(|b| b.is_ascii_digit()) => p.parse().ok().map(Some),
                Some(_) => None,
            }
        };
        let year = number(parts.next(), 4)??;
        let month = number(parts.next(), 2)?.unwrap_or(1);
        let day = number(parts.next(), 2)?.unwrap_or(1);
        if parts.next().is_some() || year == 0 || !(1..=12).contains(&month) {
            return None;
        }
        let date = Date {
            year,
            month: month as u8,
            day: day as u8,
        };
        (day >= 1 && date.day <= days_in_month(year, date.month)).then_some(date)
    }

    /// The calendar quarter, 1 to 4.
    pub fn quarter(self) -> u8 {
        (self.month - 1) / 3 + 1
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// One named period: from its first day to its end, the end excluded;
/// `None` leaves a side open.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Period {
    /// The period's name, as declared.
    pub name: String,
    /// Its first day, if bounded.
    pub from: Option<Date>,
    /// The first day after it, if bounded.
    pub until: Option<Date>,
}

impl Period {
    /// The period `name` of the bounds as written: a date or `..`. The
    /// error says what is wrong with the bounds, without a place (the
    /// caller knows it).
    pub fn new(name: &str, from: &str, until: &str) -> Result<Period> {
        let bound = |written: &str, side: &str| -> Result<Option<Date>> {
            if written.trim() == ".." {
                return Ok(None);
            }
            Date::parse(written).map(Some).ok_or_else(|| {
                Error::new(format!("the {side} of period `{name}`, `{written}`, is not a date"))
                    .hint("write a date as YYYY-MM-DD (e.g. 2020-03-15), or `..` for an open end")
            })
        };
        let period = Period {
            name: name.to_string(),
            from: bound(from, "start")?,
            until: bound(until, "end")?,
        };
        if let (Some(f), Some(u)) = (period.from, period.until)
            && f >= u
        {
            return Err(Error::new(format!("period `{name}` ends ({u}) before it starts ({f})"))
                .hint("write the first day, then the day after the last: `[2020-03-15, 2021-01-31]`"));
        }
        Ok(period)
    }

    /// Whether `date` falls in the period.
    pub fn contains(&self, date: Date) -> bool {
        self.from.is_none_or(|f| f <= date) && self.until.is_none_or(|u| date < u)
    }

    fn overlaps(&self, other: &Period) -> bool {
        let starts_before_other_ends = match (self.from, other.until) {
            (Some(f), Some(u)) => f < u,
            _ => true,
        };
        let ends_after_other_starts = match (self.until, other.from) {
            (Some(u), Some(f)) => f < u,
            _ => true,
        };
        starts_before_other_ends && ends_after_other_starts
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let side = |d: Option<Date>| d.map_or("..".to_string(), |d| d.to_string());
        write!(f, "{}: [{}, {})", self.name, side(self.from), side(self.until))
    }
}

/// Named periods, in the order declared, none overlapping another.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Periods {
    periods: Vec<Period>,
}

impl Periods {
    /// The periods, checked: names distinct, no two overlapping.
    pub fn new(periods: Vec<Period>) -> Result<Periods> {
        for (i, p) in periods.iter().enumerate() {
            for q in &periods[..i] {
                if q.name == p.name {
                    return Err(Error::new(format!("period `{}` is declared twice", p.name))
                        .hint("give every period a name of its own"));
                }
                if q.overlaps(p) {
                    return Err(Error::new(format!(
                        "periods `{}` and `{}` overlap ({q} and {p})",
                        q.name, p.name
                    ))
                    .hint("a period ends on the day the next one starts, that day excluded: `before: [.., 2020-03-15]`, `closures: [2020-03-15, 2021-01-31]`"));
                }
            }
        }
        Ok(Periods { periods })
    }

    /// Whether no period is declared.
    pub fn is_empty(&self) -> bool {
        self.periods.is_empty()
    }

    /// The periods, in the order declared.
    pub fn iter(&self) -> impl Iterator<Item = &Period> {
        self.periods.iter()
    }

    /// The period `date` falls in.
    pub fn of(&self, date: Date) -> Option<&Period> {
        self.periods.iter().find(|p| p.contains(date))
    }

    /// The period named `name`.
    pub fn named(&self, name: &str) -> Option<&Period> {
        self.periods.iter().find(|p| p.name == name)
    }

    /// Where the group `name` sorts among a grouping's columns: periods in
    /// the order declared, then the groups of documents without one.
    pub fn rank(&self, name: &str) -> usize {
        self.periods
            .iter()
            .position(|p| p.name == name)
            .unwrap_or(self.periods.len())
    }
}

/// How dates are grouped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Bucket {
    /// `2021-06`.
    Month,
    /// `2021-Q2`.
    Quarter,
    /// `2021`.
    Year,
    /// The named period the date falls in.
    Period(Periods),
}

/// A grouping of documents by a date attribute: `--by date:month`,
/// `--by interview_date:year`, `--by period` (`date:period`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DateGrouping {
    /// The attribute that holds the date.
    pub attribute: String,
    /// How dates are grouped.
    pub bucket: Bucket,
}

/// The attribute `--by period` reads when it names none.
pub const DATE_ATTRIBUTE: &str = "date";

impl DateGrouping {
    /// The date grouping `by` names (`ATTRIBUTE:month|quarter|year|period`
    /// or `period`), with `periods` for a grouping by period; `Ok(None)`
    /// when `by` names no date grouping, an error when it groups by period
    /// and no periods are declared.
    pub fn parse(by: &str, periods: Option<&Periods>) -> Result<Option<DateGrouping>> {
        let (attribute, bucket) = match by.rsplit_once(':') {
            Some((attribute, bucket)) if !attribute.is_empty() => (attribute, bucket),
            _ if by == "period" => (DATE_ATTRIBUTE, "period"),
            _ => return Ok(None),
        };
        let bucket = match bucket {
            "month" => Bucket::Month,
            "quarter" => Bucket::Quarter,
            "year" => Bucket::Year,
            "period" => match periods {
                Some(p) if !p.is_empty() => Bucket::Period(p.clone()),
                _ => {
                    return Err(Error::usage(format!("`--by {by}` groups by period, but no periods are declared"))
                        .hint("declare them in the codebook (`periods: {before: [.., 2020-03-15], closures: [2020-03-15, 2021-01-31]}`) or in a file given with --periods FILE.yaml"));
                }
            },
            other => {
                return Err(
                    Error::usage(format!("`--by {by}`: `{other}` is no way of grouping dates")).hint(format!(
                        "write `--by {attribute}:month`, `:quarter`, `:year` or `:period`"
                    )),
                );
            }
        };
        Ok(Some(DateGrouping {
            attribute: attribute.to_string(),
            bucket,
        }))
    }

    /// The group of a document whose date attribute holds `value` (`None`:
    /// the document has no such attribute): `2021-06`, `2021-Q2`, `2021`,
    /// a period's name, or [`NO_DATE`], [`NOT_A_DATE`], [`NO_PERIOD`].
    pub fn group(&self, value: Option<&str>) -> String {
        let Some(value) = value.filter(|v| !v.trim().is_empty()) else {
            return NO_DATE.to_string();
        };
        let Some(date) = Date::parse(value) else {
            return NOT_A_DATE.to_string();
        };
        match &self.bucket {
            Bucket::Month => format!("{:04}-{:02}", date.year, date.month),
            Bucket::Quarter => format!("{:04}-Q{}", date.year, date.quarter()),
            Bucket::Year => format!("{:04}", date.year),
            Bucket::Period(periods) => periods.of(date).map_or(NO_PERIOD.to_string(), |p| p.name.clone()),
        }
    }

    /// The grouping as `--by` takes it.
    pub fn name(&self) -> String {
        let bucket = match self.bucket {
            Bucket::Month => "month",
            Bucket::Quarter => "quarter",
            Bucket::Year => "year",
            Bucket::Period(_) => "period",
        };
        format!("{}:{bucket}", self.attribute)
    }

    /// Sorts group names: periods in the order declared, dates in time
    /// order, and the groups without a date last.
    pub fn sort(&self, groups: &mut [String]) {
        let odd = |g: &str| [NO_PERIOD, NOT_A_DATE, NO_DATE].iter().position(|o| *o == g);
        groups.sort_by(|a, b| {
            let key = |g: &String| match &self.bucket {
                Bucket::Period(p) => (odd(g), p.rank(g), String::new()),
                _ => (odd(g), 0, g.clone()),
            };
            key(a).cmp(&key(b))
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    #[test]
    fn dates_are_read_in_iso_form_only() {
        assert_eq!(d("2020-03-15").to_string(), "2020-03-15");
        assert_eq!(d("2020-03").to_string(), "2020-03-01");
        assert_eq!(d(" 2020 ").to_string(), "2020-01-01");
        assert_eq!(d("2021-03-15 09:30:00").to_string(), "2021-03-15");
        assert_eq!(d("2021-03-15T09:30").to_string(), "2021-03-15");
        assert_eq!(d("2024-02-29").day, 29);
        for bad in [
            "15/03/2020",
            "2021-02-29",
            "2021-13-01",
            "2021-3-1",
            "20210315",
            "2021-03-15x",
            "marzo",
            "",
            "0000-01-01",
            "2021-03 09:00",
        ] {
            assert_eq!(Date::parse(bad), None, "{bad}");
        }
        assert_eq!(d("2021-05-20").quarter(), 2);
    }

    fn closures() -> Periods {
        Periods::new(vec![
            Period::new("before", "..", "2020-03-15").unwrap(),
            Period::new("closures", "2020-03-15", "2021-01-31").unwrap(),
            Period::new("after", "2021-01-31", "..").unwrap(),
        ])
        .unwrap()
    }

    #[test]
    fn periods_include_their_start_and_exclude_their_end() {
        let p = closures();
        assert_eq!(p.of(d("2020-03-14")).unwrap().name, "before");
        assert_eq!(p.of(d("2020-03-15")).unwrap().name, "closures");
        assert_eq!(p.of(d("2021-01-30")).unwrap().name, "closures");
        assert_eq!(p.of(d("2021-01-31")).unwrap().name, "after");
    }

    #[test]
    fn overlapping_reversed_or_repeated_periods_are_refused() {
        let a = Period::new("a", "2020-01-01", "2020-06-01").unwrap();
        let b = Period::new("b", "2020-05-01", "..").unwrap();
        let e = Periods::new(vec![a.clone(), b]).unwrap_err();
        assert!(e.what.contains("overlap"), "{e}");
        assert!(
            Periods::new(vec![a.clone(), a.clone()])
                .unwrap_err()
                .what
                .contains("twice")
        );
        assert!(
            Period::new("x", "2021-01-01", "2020-01-01")
                .unwrap_err()
                .what
                .contains("before it starts")
        );
        assert!(Period::new("x", "March", "..").unwrap_err().what.contains("not a date"));
        let open = Period::new("all", "..", "..").unwrap();
        assert!(Periods::new(vec![open, a]).is_err());
    }

    #[test]
    fn groupings_name_months_quarters_years_and_periods() {
        let by = |s: &str| DateGrouping::parse(s, Some(&closures())).unwrap().unwrap();
        assert_eq!(by("date:month").group(Some("2021-06-18")), "2021-06");
        assert_eq!(by("date:quarter").group(Some("2021-06-18")), "2021-Q2");
        assert_eq!(by("fecha:year").group(Some("2021-06-18")), "2021");
        assert_eq!(by("period").group(Some("2020-10-08")), "closures");
        assert_eq!(by("period").attribute, "date");
        assert_eq!(by("date:year").group(None), NO_DATE);
        assert_eq!(by("date:year").group(Some("ayer")), NOT_A_DATE);
        assert_eq!(DateGrouping::parse("country", None).unwrap(), None);
        assert!(DateGrouping::parse("date:week", None).is_err());
        assert!(DateGrouping::parse("period", None).is_err());
        let mut groups: Vec<String> = ["after", NO_DATE, "before", "closures"].map(String::from).to_vec();
        by("period").sort(&mut groups);
        assert_eq!(groups, ["before", "closures", "after", NO_DATE]);
        let mut years: Vec<String> = [NOT_A_DATE, "2022", "2020"].map(String::from).to_vec();
        by("date:year").sort(&mut years);
        assert_eq!(years, ["2020", "2022", NOT_A_DATE]);
    }
}
