//! Money amounts in Spanish and English interview text, as interviewees say
//! them: `unos 5 mil dólares`, `Q3,500`, `entre 3 y 4 mil`, `fifteen
//! hundred bucks`, `un millón y medio de pesos`.
//!
//! [`find_amounts`] takes text and returns every amount in it, in order,
//! without overlaps: its value (exact, see [`Decimal`]), or its low and
//! high ends for a range; its currency as written and, through
//! [`CurrencyDefaults`], as an ISO 4217 code; whether it is approximate
//! and by which words; and the byte span and words it came from. It is a
//! pure function: no I/O, no configuration, the same output for the same
//! text.
//!
//! # What is an amount
//!
//! A number, in digits (`12,500`, `3.5`), words (`dos mil quinientos`,
//! `twelve thousand`) or both (`3 mil`, `5k`, `10 grand`), that either
//!
//! 1. has a currency before or after it: `$`, `US$`, `U$S`, `C$`, `MX$`,
//!    `RD$`, `€`, `₡`, an ISO code (`USD`, `MXN`…), `Q`/`L`/`Lps` touching
//!    or one space before digits, or a currency word (`dólares`, `dollars`,
//!    `bucks`, `dls`, `quetzales`, `lempiras`, `pesos`, `varos`, `colones`,
//!    `córdobas`, `euros`), possibly with a nationality (`pesos
//!    mexicanos`, `US dollars`) and after `de` for millions (`un millón de
//!    dólares`, `1.500.000 de pesos`);
//! 2. or says `grand`, which is money by itself (the checks below on what
//!    surrounds a bare number still apply: `a grand total` is none);
//! 3. or is a *bare* number in a money context. Interviewees answer "¿Cuánto
//!    le cobró?" with "me cobró 5 mil", so a bare number counts when a money
//!    word (`cobrar`, `pagar`, `costar`, `deuda`, `préstamo`, `mordida`,
//!    `pasaje`, `cuota`, `charge`, `pay`, `cost`, `price`, `fee`, `loan`,
//!    `bribe`…, or a currency word, or another amount: `le dimos cinco mil
//!    al coyote y otros cinco mil`) stands at most five tokens before it in
//!    the same sentence and line, or `de` and a money word follow it (`300
//!    de pasaje`). Its currency is then `None`: nothing was written, and
//!    borrowing the currency of a neighbouring amount would be a guess.
//!    (A question and its answer on separate lines do not count: `How much
//!    did you pay?` / `A: 4,000.` gives nothing.)
//!    Because money words also stand near counts, dates and ages, a bare
//!    number must moreover
//!    * be followed by punctuation, the end of the text, a money word, or a
//!      function word (`por`, `cada`, `al`, `y`, `each`, `a`, `for`…), never
//!      by a noun: `pagamos 3 veces`, `cobraron a 20 personas`, `paid for 3
//!      months` are counts;
//!    * not follow a month, an address or route word, or an age word
//!      (`marzo 15`, `km 45`, `carretera 200`, `tenía 15`), nor an article
//!      when below a thousand (`la 72`, `el 15`, `a las 10`; but `nos prestó
//!      los treinta mil`);
//!    * be at least 10 (`pagamos los dos`, `paid three times`), or 100 when
//!      written in words (`we paid once`, where `once` is English; `paid more
//!      than ten`);
//!    * not be a year: a lone four-digit number from 1900 to 2099 is money
//!      only right after the money word or a qualifier (`cobraban 2000 por
//!      persona`, `pagamos unos 2000`), not in `pagamos en 2019`.
//!
//! Whatever the context, these are never amounts: percentages (`10%`, `10
//! por ciento`, `10 percent`), times and dates (`10:30`, `15/03/2020`,
//! `15-03-2020`), numbers in three or more hyphenated parts (telephones),
//! digits touching letters or signs other than a currency (`3er`, `15th`,
//! `5kg`, `200km`, `COVID-19`, `+52`, `#45`, `15-year-old`), malformed
//! groupings (`1,50,000`), question numbers at the start of a line (`Q1:`,
//! `Q12.`), and `ni un peso` ("not a single peso").
//!
//! # Separators
//!
//! * A space of any kind (space, no-break space U+00A0, narrow no-break
//!   space U+202F, thin space) is a thousands separator when exactly three
//!   digits follow it and at most three precede it: `40 000`, `1 250 000`.
//! * With both `,` and `.`, the last one is the decimal mark: `$1,250.50`,
//!   `1.250,50 €`.
//! * One of them repeated groups thousands: `1.500.000`, `1,500,000`.
//! * A single `,` or `.` followed by exactly three digits, after one to
//!   three digits not starting with 0, groups thousands: `1,500` and
//!   `12.500` are fifteen hundred and twelve thousand five hundred in either
//!   language. Mexico and Central America group with `,` and Spanish-style
//!   text with `.`; prices are never quoted to the tenth of a cent, so three
//!   digits after the mark are a thousands group. This holds before a
//!   multiplier too: `1.500 millones` is 1,500 million.
//! * Otherwise a single `,` or `.` is the decimal mark: `1,5`, `3.5 mil`,
//!   `3,5 millones`, `12,50`, `0,500`.
//!
//! # Number words
//!
//! Spanish: `un`/`uno`/`una` to `novecientos`, `veinti-` forms, tens with
//! `y` (`treinta y cinco`), `mil` (alone for a thousand: `mil quinientos`),
//! `millón`/`millones`, `billón` (10^12), `medio millón`, `un millón y
//! medio`. English: `one` to `ninety`, `twenty-five` or `twenty five`,
//! `hundred` after anything below a hundred (`fifteen hundred`), `and`
//! after `hundred`/`thousand` (`one hundred and fifty`), `thousand`,
//! `million`, `billion` (10^9), `a` for one before `hundred`/`thousand`/
//! `million`/`grand`/`dollar`/`buck`, `half a million`. Accents are
//! optional (`dieciséis`, `dieciseis`). `miles` is not a multiplier: `miles
//! de dólares` names no figure, and English `miles` are a distance.
//!
//! # Ranges and approximations
//!
//! `entre X y Y`, `between X and Y`, `de X a Y`, `desde X hasta Y`, `from
//! X to Y`, and `X o Y`, `X or Y`, `X a Y`, `X to Y`, `X-Y` (digits only)
//! give a range when low < high and the ends are not in two currencies
//! (`ten quetzales or twenty-five pesos` are two amounts). A low end without
//! a multiplier borrows the high end's when that keeps it lower: `entre 3 y
//! 4 mil` is 3000–4000, but `entre 500 y 4 mil` is 500–4000. `X y Y` is no
//! range (`3 y 4 mil` may be a sum).
//!
//! Qualifiers make an amount approximate and are part of its words:
//! before it, `unos`, `como`, `alrededor de`, `cerca de`, `más o menos`,
//! `aproximadamente`, `about`, `around`, `roughly`, `some`, `like`
//! ([`ApproxKind::About`]); `casi`, `almost`, `nearly` (`Almost`); `más
//! de`, `arriba de`, `por lo menos`, `over`, `more than`, `at least`
//! (`AtLeast`); `menos de`, `hasta`, `a lo mucho`, `under`, `up to`, `less
//! than` (`AtMost`). After the number: `y pico`, `y tantos` (`AtLeast`);
//! after the amount: `más o menos`, `o algo así`, `or so`, `o más`, `or
//! more`, `o menos`, `or less`. After a verb of rising, `up to` and `hasta`
//! say where a price went, not a bound: `it went up to $12,000` is exact.
//!
//! # Currencies
//!
//! `$` alone, `pesos` alone and `colones` mean different currencies in
//! different countries. The parser reports them unresolved
//! ([`Currency::DollarSign`], [`Currency::Pesos`], [`Currency::Colones`])
//! with the words as written; [`Amount::currency_code`] resolves them with
//! a [`CurrencyDefaults`]: by default `$` → USD, `pesos` → MXN, `colones` →
//! CRC, or per country with [`CurrencyDefaults::for_country`] (`$` in a
//! Mexican interview is MXN; `colones` in a Salvadoran one are SVC, the
//! colón El Salvador used until it adopted the dollar in 2001, which is
//! what speakers there mean by the word). When one amount has two marks
//! (`$5,000 dólares`), the more precise one counts.
//!
//! # Speed
//!
//! The text is read once by an Aho-Corasick automaton that finds the marks
//! (digits, currency signs, currency and money words); only the text around
//! them, from a few words before a mark (sixteen before a currency word) to
//! sixteen words after the last mark close to it, is cut into tokens and
//! parsed. An amount longer than that (more than about a dozen words before
//! its currency) is read from where the stretch starts.
//!
//! Text is expected in NFC (as qcode stores it): a decomposed accent is
//! folded when words are read, but a currency or money word written with
//! one is not found as a mark.
//!
//! [`find_amounts`]: crate::amounts::find_amounts
//! [`Decimal`]: crate::amounts::Decimal
//! [`CurrencyDefaults`]: crate::amounts::CurrencyDefaults
//! [`CurrencyDefaults::for_country`]: crate::amounts::CurrencyDefaults::for_country
//! [`ApproxKind::About`]: crate::amounts::ApproxKind::About
//! [`Currency::DollarSign`]: crate::amounts::Currency::DollarSign
//! [`Currency::Pesos`]: crate::amounts::Currency::Pesos
//! [`Currency::Colones`]: crate::amounts::Currency::Colones
//! [`Amount::currency_code`]: crate::amounts::Amount::currency_code

mod currency;
mod decimal;
mod lexicon;
mod parse;
mod scan;
mod tokens;

#[cfg(test)]
mod tests;

use std::fmt;
use std::ops::Range;

pub use currency::{Currency, CurrencyCode, CurrencyDefaults, CurrencySettings};
pub use decimal::Decimal;

/// One money amount found in a text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Amount<'t> {
    /// Byte offsets of the amount in the text, qualifiers and currency
    /// included; always on character boundaries.
    pub span: Range<usize>,
    /// The words the amount came from: the text of `span`.
    pub words: &'t str,
    /// The value, or the low end of a range.
    pub low: Decimal,
    /// The high end of a range; equal to `low` for a single value.
    pub high: Decimal,
    /// The currency as written, or `None` for a bare number (see the module
    /// documentation).
    pub currency: Option<WrittenCurrency<'t>>,
    /// The qualifier that makes the amount approximate, if any.
    pub approximation: Option<Approximation<'t>>,
}

impl Amount<'_> {
    /// Whether the amount is a range (`entre 3 y 4 mil`).
    pub fn is_range(&self) -> bool {
        self.low != self.high
    }

    /// The ISO 4217 code of the amount's currency under `defaults`, or
    /// `None` when no currency was written.
    pub fn currency_code(&self, defaults: &CurrencyDefaults) -> Option<CurrencyCode> {
        self.currency.map(|c| defaults.resolve(c.currency))
    }
}

/// A currency as the text writes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WrittenCurrency<'t> {
    /// What it names, possibly ambiguous.
    pub currency: Currency,
    /// The sign or words, as written: `$`, `US$`, `dólares`, `pesos
    /// mexicanos`, `Q` (without an abbreviation dot).
    pub written: &'t str,
}

/// A qualifier that makes an amount approximate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Approximation<'t> {
    /// Which way the amount is approximate.
    pub kind: ApproxKind,
    /// The qualifier as written: `unos`, `más o menos`, `y pico`, `about`.
    pub written: &'t str,
}

/// Which way an approximate amount may differ from its value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ApproxKind {
    /// Around the value: `unos`, `como`, `about`, `or so`.
    About,
    /// A little below: `casi`, `almost`, `nearly`.
    Almost,
    /// The value or more: `más de`, `y pico`, `over`, `at least`.
    AtLeast,
    /// The value or less: `menos de`, `hasta`, `under`, `up to`.
    AtMost,
}

impl ApproxKind {
    /// A short lower-case name: `about`, `almost`, `at-least`, `at-most`.
    pub fn as_str(self) -> &'static str {
        match self {
            ApproxKind::About => "about",
            ApproxKind::Almost => "almost",
            ApproxKind::AtLeast => "at-least",
            ApproxKind::AtMost => "at-most",
        }
    }
}

impl fmt::Display for ApproxKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Every money amount in `text`, in order of position, none overlapping
/// another (see the module documentation for what counts).
pub fn find_amounts(text: &str) -> Vec<Amount<'_>> {
    let mut amounts = Vec::new();
    let mut tokens = Vec::new();
    let mut read_to = 0;
    while let Some(mark) = scan::next_mark(text, read_to) {
        let start = scan::words_back(text, mark.range.start, mark.words_before, read_to);
        read_to = tokens::tokenize(text, start, mark.range.end, scan::TOKENS_AFTER, &mut tokens);
        parse::Parser { text, tokens: &tokens }.amounts(&mut amounts);
    }
    amounts
}
