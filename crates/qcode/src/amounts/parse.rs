//! The amount grammar, run over the tokens of one stretch of text (see the
//! module documentation of `amounts` for the rules and their reasons).

use super::currency::{Currency, CurrencyCode};
use super::decimal::Decimal;
use super::lexicon::{Lang, Lex, pack};
use super::tokens::{Kind, Token};
use super::{Amount, ApproxKind, Approximation, WrittenCurrency};

/// Qualifiers, as folded and packed words, with the kind of approximation
/// they make.
type Qualifiers = &'static [(&'static [u128], ApproxKind)];

/// A folded word of a table, packed when compiled (see `lexicon::pack`).
const fn w(word: &str) -> u128 {
    pack(word.as_bytes())
}

/// Qualifiers before an amount.
const BEFORE: Qualifiers = {
    use ApproxKind::*;
    &[
        (&[w("mas"), w("o"), w("menos")], About),
        (&[w("alrededor"), w("de")], About),
        (&[w("cerca"), w("de")], About),
        (&[w("aproximadamente")], About),
        (&[w("aprox")], About),
        (&[w("unos")], About),
        (&[w("unas")], About),
        (&[w("como")], About),
        (&[w("casi")], Almost),
        (&[w("mas"), w("de")], AtLeast),
        (&[w("arriba"), w("de")], AtLeast),
        (&[w("por"), w("lo"), w("menos")], AtLeast),
        (&[w("al"), w("menos")], AtLeast),
        (&[w("menos"), w("de")], AtMost),
        (&[w("no"), w("mas"), w("de")], AtMost),
        (&[w("hasta")], AtMost),
        (&[w("a"), w("lo"), w("mucho")], AtMost),
        (&[w("more"), w("or"), w("less")], About),
        (&[w("about")], About),
        (&[w("around")], About),
        (&[w("roughly")], About),
        (&[w("approximately")], About),
        (&[w("approx")], About),
        (&[w("some")], About),
        (&[w("like")], About),
        (&[w("almost")], Almost),
        (&[w("nearly")], Almost),
        (&[w("over")], AtLeast),
        (&[w("more"), w("than")], AtLeast),
        (&[w("at"), w("least")], AtLeast),
        (&[w("less"), w("than")], AtMost),
        (&[w("under")], AtMost),
        (&[w("up"), w("to")], AtMost),
        (&[w("no"), w("more"), w("than")], AtMost),
    ]
};

/// Qualifiers between a number and its currency: `mil y pico de dólares`.
const BETWEEN: Qualifiers = &[
    (&[w("y"), w("pico")], ApproxKind::AtLeast),
    (&[w("y"), w("tantos")], ApproxKind::AtLeast),
];

/// Qualifiers after an amount.
const AFTER: Qualifiers = {
    use ApproxKind::*;
    &[
        (&[w("mas"), w("o"), w("menos")], About),
        (&[w("aproximadamente")], About),
        (&[w("aprox")], About),
        (&[w("o"), w("algo"), w("asi")], About),
        (&[w("o"), w("mas")], AtLeast),
        (&[w("o"), w("menos")], AtMost),
        (&[w("more"), w("or"), w("less")], About),
        (&[w("approximately")], About),
        (&[w("or"), w("so")], About),
        (&[w("or"), w("more")], AtLeast),
        (&[w("or"), w("less")], AtMost),
    ]
};

/// Articles: before a bare number below a thousand, they make it a day, an
/// hour, a shelter or a group of people (`el 15`, `a las 10`, `la 72`, `los
/// 3`); before thousands, a sum already named (`nos prestó los treinta
/// mil`).
const ARTICLES: &[&str] = &["el", "la", "los", "las", "lo", "the"];

/// Words right before a bare number that make it a date, an age, an
/// address, a route, not money.
const NOT_MONEY_BEFORE: &[&str] = &[
    "numero",
    "num",
    "no",
    "km",
    "kms",
    "kilometro",
    "kilometros",
    "carretera",
    "ruta",
    "route",
    "highway",
    "calle",
    "street",
    "avenida",
    "avenue",
    "casa",
    "house",
    "linea",
    "line",
    "bus",
    "autobus",
    "camion",
    "cuarto",
    "room",
    "pagina",
    "page",
    "capitulo",
    "chapter",
    "mile",
    "miles",
    "milla",
    "millas",
    "year",
    "ano",
    "edad",
    "age",
    "aged",
    "tenia",
    "tenian",
    "cumplia",
    "cumpli",
    "cumplio",
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "setiembre",
    "octubre",
    "noviembre",
    "diciembre",
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// Words that may follow a bare amount: prepositions, conjunctions,
/// pronouns, `cada`, `each`, `a month`. Anything else after a bare number
/// (a noun: `personas`, `días`, `kilos`, `tries`) makes it a count.
const MAY_FOLLOW: &[&str] = &[
    "por",
    "para",
    "al",
    "a",
    "cada",
    "y",
    "e",
    "o",
    "u",
    "pero",
    "que",
    "mas",
    "en",
    "con",
    "nomas",
    "nada",
    "solo",
    "solamente",
    "tambien",
    "entonces",
    "pues",
    "porque",
    "cuando",
    "el",
    "la",
    "le",
    "les",
    "nos",
    "me",
    "lo",
    "mensuales",
    "semanales",
    "diarios",
    "despues",
    "antes",
    "ahora",
    "luego",
    "ya",
    "todavia",
    "the",
    "after",
    "before",
    "now",
    "already",
    "again",
    "for",
    "per",
    "each",
    "an",
    "to",
    "and",
    "or",
    "but",
    "in",
    "on",
    "at",
    "up",
    "upfront",
    "plus",
    "more",
    "just",
    "only",
    "then",
    "so",
    "because",
    "when",
    "that",
    "which",
    "back",
    "apiece",
    "monthly",
    "weekly",
    "with",
    "from",
    "we",
    "i",
    "he",
    "she",
    "they",
    "it",
    "you",
];

/// Symbols that may follow a bare amount: punctuation that ends a phrase.
const MAY_FOLLOW_SYMBOLS: &str = ",.;:?!)]\"'»”’…";

/// Symbols that may touch the first digit of an amount (opening
/// punctuation); any other (`-`, `+`, `#`, `/`, a letter) makes the
/// number part of something else: `COVID-19`, `+52`, `#45`, `A1`.
const MAY_TOUCH_BEFORE: &str = "([«\"'¿¡“‘~≈";

/// Verbs of rising (see `Parser::rising_to`).
const RISING: &[&str] = &[
    "went",
    "go",
    "goes",
    "going",
    "gone",
    "rose",
    "risen",
    "jumped",
    "climbed",
    "subio",
    "subieron",
    "subia",
    "subian",
    "llego",
    "llegaron",
    "llegaba",
    "llegaban",
    "aumento",
    "aumentaron",
];

/// How many tokens before a bare amount a money word may be.
const CONTEXT_TOKENS: usize = 5;

/// Bare amounts below this are counts far more often than money
/// (`pagamos los dos`, `paid three times`).
const BARE_MINIMUM: u64 = 10;

/// Bare amounts in words below this are counts or English words (`we paid
/// once`, `paid more than ten`).
const BARE_MINIMUM_IN_WORDS: u64 = 100;

/// What opens a range: `entre`/`between` (closed by `y`/`and`),
/// `de`/`desde`/`from` (closed by `a`/`hasta`/`to`).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Opener {
    Between,
    From,
}

/// A currency written at some tokens.
#[derive(Clone, Copy)]
struct CurrencyMark {
    currency: Currency,
    first: usize,
    /// One past the last token of the mark as written.
    last: usize,
    /// Where the amount goes on after the mark (past an abbreviation dot).
    next: usize,
}

/// A number read from digits and words.
#[derive(Clone, Copy, Debug)]
struct Number {
    value: Decimal,
    /// One past its last token.
    end: usize,
    /// The multiplier it ends with (`4 mil` → 1000): what `entre 3 y 4 mil`
    /// lends to its 3.
    trailing_scale: Option<Decimal>,
    /// It ends in a word for millions (`un millón`, `medio millón`).
    millions: bool,
    /// It is a lone four-digit number from 1900 to 2099.
    year_like: bool,
    /// It says `grand`, which is money by itself.
    grand: bool,
    /// A lone number word `un`/`una`/`uno`/`one`.
    one_word: bool,
    /// Written in words only, no digits.
    in_words: bool,
}

impl Number {
    /// Whether `de` may come between the number and its currency: after
    /// millions, in words or digits (`un millón de pesos`, `1.500.000 de
    /// pesos`).
    fn takes_de(&self) -> bool {
        self.millions || self.value >= pow10(6)
    }
}

/// Where the grammar of a number stands after a token.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Last {
    Start,
    Digits,
    Unit,
    Teen,
    Tens(Lang),
    Hundreds,
    Hundred,
    Scale(u8),
    Done,
}

/// The currency of a sign: `$`, `€`, `₡`.
fn sign_currency(sign: char) -> Option<Currency> {
    match sign {
        '$' => Some(Currency::DollarSign),
        '€' => Some(Currency::Code(CurrencyCode::Eur)),
        '₡' => Some(Currency::Colones),
        _ => None,
    }
}

fn pow10(exponent: u8) -> Decimal {
    Decimal::from_integer(10u64.pow(u32::from(exponent)))
}

/// The tokens of one stretch, and the text they come from.
pub(super) struct Parser<'a, 't> {
    pub text: &'t str,
    pub tokens: &'a [Token],
}

impl<'t> Parser<'_, 't> {
    /// Appends the amounts of the stretch to `out`, in order.
    pub fn amounts(&self, out: &mut Vec<Amount<'t>>) {
        let mut at = 0;
        let mut previous_end = 0;
        while at < self.tokens.len() {
            if !self.may_start(at) {
                at += 1;
                continue;
            }
            match self.amount_at(at, previous_end) {
                Some((amount, next)) => {
                    out.push(amount);
                    at = next;
                    previous_end = next;
                }
                None => at += 1,
            }
        }
    }

    /// Whether an amount may start at token `at`: a number, a currency
    /// sign, a number word, an ISO code, or a [`Lex::Lead`] word. A cheap
    /// test that spares the grammar most tokens.
    fn may_start(&self, at: usize) -> bool {
        match self.tokens[at].kind {
            Kind::Number(..) => true,
            Kind::Symbol(c) => sign_currency(c).is_some(),
            Kind::Word(lex) => !matches!(lex, Lex::Other | Lex::Money | Lex::Currency(_) | Lex::K | Lex::Grand),
            Kind::Junk => false,
        }
    }

    fn token(&self, at: usize) -> Option<&Token> {
        self.tokens.get(at)
    }

    fn lex(&self, at: usize) -> Lex {
        self.token(at).map_or(Lex::Other, Token::lex)
    }

    fn is(&self, at: usize, folded: &str) -> bool {
        self.token(at).is_some_and(|t| t.is(folded))
    }

    fn is_symbol(&self, at: usize, c: char) -> bool {
        self.token(at).is_some_and(|t| t.is_symbol(c))
    }

    /// Whether tokens `at` and `at + 1` touch (no space between).
    fn touching(&self, at: usize) -> bool {
        match (self.token(at), self.token(at + 1)) {
            (Some(a), Some(b)) => a.end == b.start,
            _ => false,
        }
    }

    fn text_of(&self, first: usize, last: usize) -> &'t str {
        &self.text[self.tokens[first].start..self.tokens[last - 1].end]
    }

    /// The amount that starts at token `at`, and the token after it. The
    /// tokens before `previous_end` belong to amounts already found.
    fn amount_at(&self, at: usize, previous_end: usize) -> Option<(Amount<'t>, usize)> {
        let mut next = at;
        let mut approximation = None;
        // Every qualifier before an amount starts with a lead word.
        let before = if self.lex(at) == Lex::Lead && !self.rising_to(at) {
            self.qualifier(at, BEFORE)
        } else {
            None
        };
        if let Some((kind, end)) = before {
            approximation = Some((kind, at, end));
            // A second qualifier may follow (`más o menos unos`); the first
            // one says what kind the amount is.
            next = self.qualifier(end, BEFORE).map_or(end, |(_, end)| end);
        }
        let opener = if self.token(next).is_some_and(|t| t.is_any(&["entre", "between"])) {
            Some(Opener::Between)
        } else if self.token(next).is_some_and(|t| t.is_any(&["de", "desde", "from"])) {
            Some(Opener::From)
        } else {
            None
        };
        if opener.is_some() {
            next += 1;
        }
        let sign = self.sign(next);
        let number_at = sign.map_or(next, |s| s.next);
        if self.inside_a_number(number_at) {
            return None;
        }
        let first = self.number(number_at, sign.is_some())?;
        if first.one_word && at > 0 && self.is(at - 1, "ni") {
            // `no tenía ni un peso`: not a single peso, no amount.
            return None;
        }
        let (low, high, mid, sign2) = match self.range(&first, sign, opener) {
            Some(range) => range,
            None if opener.is_some() => return None,
            None => (first.value, first, None, None),
        };
        let mut end = high.end;
        if self.percent_at(end) {
            return None;
        }
        if let Some((kind, tail_end)) = self.qualifier(end, BETWEEN) {
            approximation = approximation.or(Some((kind, end, tail_end)));
            end = tail_end;
        }
        let suffix = self.suffix(end, high.takes_de() || end != high.end);
        if let Some(mark) = suffix {
            end = mark.next;
        }
        if approximation.is_none()
            && let Some((kind, after_end)) = self.qualifier(end, AFTER)
        {
            approximation = Some((kind, end, after_end));
            end = after_end;
        }
        let currency = [sign, mid, sign2, suffix].into_iter().flatten().reduce(|chosen, mark| {
            if chosen.currency.more_precise_than(mark.currency) {
                chosen
            } else {
                mark
            }
        });
        if currency.is_none() && !self.bare_amount_ok(at, end, previous_end, &first, &high, approximation.is_some()) {
            return None;
        }
        let span = self.tokens[at].start..self.tokens[end - 1].end;
        let amount = Amount {
            words: &self.text[span.clone()],
            span,
            low,
            high: high.value,
            currency: currency.map(|mark| WrittenCurrency {
                currency: mark.currency,
                written: self.text_of(mark.first, mark.last),
            }),
            approximation: approximation.map(|(kind, first, last)| Approximation {
                kind,
                written: self.text_of(first, last),
            }),
        };
        Some((amount, end))
    }

    /// Whether `up to` or `hasta` at `at` follows a verb of rising: `went
    /// up to $12,000` says where a price went, not a bound.
    fn rising_to(&self, at: usize) -> bool {
        (self.is(at, "up") || self.is(at, "hasta")) && at > 0 && self.tokens[at - 1].is_any(RISING)
    }

    /// The longest qualifier of `table` at `at`, its kind and the token
    /// after it.
    fn qualifier(&self, at: usize, table: Qualifiers) -> Option<(ApproxKind, usize)> {
        let mut best: Option<(ApproxKind, usize)> = None;
        for (phrase, kind) in table {
            let matched = phrase
                .iter()
                .enumerate()
                .all(|(i, word)| self.token(at + i).is_some_and(|t| t.folded == *word));
            let end = at + phrase.len();
            if matched && best.is_none_or(|(_, best_end)| end > best_end) {
                best = Some((*kind, end));
            }
        }
        // `aprox.` keeps its abbreviation dot.
        best.map(|(kind, end)| {
            if self.is(end - 1, "aprox") && self.is_symbol(end, '.') && self.touching(end - 1) {
                (kind, end + 1)
            } else {
                (kind, end)
            }
        })
    }

    /// The second half of a range after `first`: the low end (`first`,
    /// multiplied as the high end is when it has no multiplier of its own:
    /// `entre 3 y 4 mil`), the high end, and the currency marks between.
    fn range(
        &self,
        first: &Number,
        sign: Option<CurrencyMark>,
        opener: Option<Opener>,
    ) -> Option<(Decimal, Number, Option<CurrencyMark>, Option<CurrencyMark>)> {
        let mid = self.suffix(first.end, first.takes_de());
        let at = mid.map_or(first.end, |m| m.next);
        let token = self.token(at)?;
        let words: &[&str] = match opener {
            Some(Opener::Between) => &["y", "and"],
            Some(Opener::From) => &["a", "hasta", "to"],
            None => &["o", "u", "or", "a", "to"],
        };
        let dash = ['-', '–', '—'].iter().any(|c| token.is_symbol(*c));
        let digits_both_sides = self.token(first.end - 1).is_some_and(Token::is_number)
            && (self.token(at + 1).is_some_and(Token::is_number) || self.sign(at + 1).is_some());
        if !(token.is_any(words) || (dash && digits_both_sides)) {
            return None;
        }
        let sign2 = self.sign(at + 1);
        let second = self.number(sign2.map_or(at + 1, |s| s.next), true)?;
        // A second number with no currency of its own must end like a bare
        // amount: `500 dólares a 20 personas` is no range. One with another
        // currency is another amount: `ten quetzales or twenty-five pesos`.
        let second_currency = sign2.or_else(|| self.suffix(second.end, second.takes_de()));
        match (sign.or(mid), second_currency) {
            (_, None) if !self.may_follow(second.end) => return None,
            (Some(a), Some(b))
                if a.currency != b.currency && ![a.currency, b.currency].contains(&Currency::DollarSign) =>
            {
                return None;
            }
            _ => {}
        }
        let low = match (first.trailing_scale, second.trailing_scale) {
            (None, Some(scale)) => first
                .value
                .checked_mul(scale)
                .filter(|scaled| *scaled < second.value)
                .unwrap_or(first.value),
            _ => first.value,
        };
        (low < second.value).then_some((low, second, mid, sign2))
    }

    /// A currency written before the number at `at`: `$`, `US$`, `U$S`,
    /// `C$`, `MX$`, `RD$`, `€`, `₡`, an ISO code, and `Q`, `L`, `Lps` before
    /// digits.
    fn sign(&self, at: usize) -> Option<CurrencyMark> {
        let token = self.token(at)?;
        let mark = |currency, last: usize| {
            Some(CurrencyMark {
                currency,
                first: at,
                last,
                next: last,
            })
        };
        if let Kind::Symbol(c) = token.kind
            && let Some(currency) = sign_currency(c)
        {
            return mark(currency, at + 1);
        }
        if let Kind::Word(Lex::Iso(code)) = token.kind {
            return mark(Currency::Code(code), at + 1);
        }
        if self.is_symbol(at + 1, '$') && self.touching(at) {
            if token.is("u") && self.is(at + 2, "s") && self.touching(at + 1) {
                return mark(Currency::Code(CurrencyCode::Usd), at + 3);
            }
            let letters = [
                ("us", CurrencyCode::Usd),
                ("mx", CurrencyCode::Mxn),
                ("rd", CurrencyCode::Dop),
                ("c", CurrencyCode::Nio),
            ];
            let (_, code) = letters.into_iter().find(|(word, _)| token.is(word))?;
            return mark(Currency::Code(code), at + 2);
        }
        // Q and L are letters before all else: only capitals, only before
        // digits (`Q500`, `Q. 500`, `L 5,000`), never `Q:` as a speaker.
        let written = &self.text[token.start..token.end];
        let code = match written {
            "Q" => CurrencyCode::Gtq,
            "L" => CurrencyCode::Hnl,
            _ if token.is("lps") => CurrencyCode::Hnl,
            _ => return None,
        };
        let dotted = self.is_symbol(at + 1, '.') && self.touching(at);
        let digits_at = if dotted { at + 2 } else { at + 1 };
        let before_digits = self.token(digits_at - 1)?.end;
        let digits = self.token(digits_at)?;
        let gap = &self.text[before_digits..digits.start];
        // `Q12. How much…`, `Q3:` at the start of a line number a question.
        let label = self.at_line_start(at)
            && self
                .token(digits_at + 1)
                .is_some_and(|t| t.is_symbol(':') || t.is_symbol('.') || t.is_symbol(')'));
        (digits.is_number() && gap.chars().count() <= 1 && !label).then_some(CurrencyMark {
            currency: Currency::Code(code),
            first: at,
            last: at + 1,
            next: digits_at,
        })
    }

    /// Whether only spaces stand between the start of its line and token
    /// `at`.
    fn at_line_start(&self, at: usize) -> bool {
        let before = &self.text.as_bytes()[..self.tokens[at].start];
        let spaces = before.iter().rev().take_while(|b| **b == b' ' || **b == b'\t').count();
        matches!(before[..before.len() - spaces].last(), None | Some(b'\n'))
    }

    /// A currency written after a number that ends at `at`: a currency word
    /// with its nationality (`pesos mexicanos`, `US dollars`), an ISO code,
    /// or a sign (`1.250,50 €`). `de` may come first after millions
    /// (`un millón de dólares`) when `de_allowed`.
    fn suffix(&self, at: usize, de_allowed: bool) -> Option<CurrencyMark> {
        let first = if de_allowed && self.is(at, "de") { at + 1 } else { at };
        let token = self.token(first)?;
        let mark = |currency, last| {
            Some(CurrencyMark {
                currency,
                first,
                last,
                next: last,
            })
        };
        match (token.kind, self.lex(first + 1)) {
            (Kind::Word(Lex::Nationality(nation)), Lex::Currency(currency)) => {
                mark(currency.narrowed(nation).unwrap_or(currency), first + 2)
            }
            (Kind::Word(Lex::Currency(currency)), Lex::Nationality(nation)) => match currency.narrowed(nation) {
                Some(narrowed) => mark(narrowed, first + 2),
                None => mark(currency, first + 1),
            },
            (Kind::Word(Lex::Currency(currency)), _) => mark(currency, first + 1),
            (Kind::Word(Lex::Iso(code)), _) => mark(Currency::Code(code), first + 1),
            (Kind::Symbol(c), _) if first == at => mark(sign_currency(c)?, first + 1),
            _ => None,
        }
    }

    /// Whether the number at `at` would start in the middle of another:
    /// `mil` in `los tres mil`, whose start was refused.
    fn inside_a_number(&self, at: usize) -> bool {
        at.checked_sub(1).is_some_and(|before| {
            matches!(
                self.lex(before),
                Lex::Unit(_)
                    | Lex::Teen(_)
                    | Lex::Tens(..)
                    | Lex::Hundreds(_)
                    | Lex::Hundred
                    | Lex::Scale(..)
                    | Lex::Half
            )
        })
    }

    /// Whether a percentage follows a number ending at `at`: `10%`,
    /// `10 por ciento`, `10 percent`.
    fn percent_at(&self, at: usize) -> bool {
        self.is_symbol(at, '%')
            || (self.is(at, "por") && (self.is(at + 1, "ciento") || self.is(at + 1, "cien")))
            || self
                .token(at)
                .is_some_and(|t| t.is_any(&["porciento", "percent", "pct"]))
            || (self.is(at, "per") && self.is(at + 1, "cent"))
    }

    /// The number starting at token `at`, in digits, words or both.
    /// `after_mark`: a currency sign or a range dash comes right before, so
    /// the number may touch it.
    fn number(&self, at: usize, after_mark: bool) -> Option<Number> {
        let mut reader = NumberReader::new();
        let mut next = at;
        let mut year_like = false;
        if let Some(Kind::Number(value, shape)) = self.token(at).map(|t| t.kind) {
            if !after_mark && !self.may_touch_before(at) {
                return None;
            }
            reader.add(value, Last::Digits)?;
            next = at + 1;
            if self.touching(at) {
                match self.lex(next) {
                    Lex::K => {
                        reader.scale(3)?;
                        reader.last = Last::Done;
                        next += 1;
                    }
                    Lex::Scale(..) | Lex::Currency(_) | Lex::Iso(_) => {}
                    // `15-year-old`, but `$5-million` and `US$500-US$600`.
                    _ if self.is_symbol(next, '-') && self.touching(next) => match self.token(next + 1).map(|t| t.kind)
                    {
                        Some(Kind::Word(Lex::Scale(..))) => next += 1,
                        Some(Kind::Word(_)) if self.sign(next + 1).is_none() => return None,
                        _ => {}
                    },
                    // `3er`, `5kg`, `200km`, `3º`, `15th`.
                    _ if self.token(next).is_some_and(Token::is_word) => return None,
                    _ => {}
                }
            }
            year_like = shape.plain && shape.leading_digits == 4 && (1900..=2099).contains(&value.units());
        } else if self.is(at, "a")
            && (matches!(self.lex(at + 1), Lex::Hundred | Lex::Scale(_, Lang::En) | Lex::Grand)
                || self.token(at + 1).is_some_and(|t| t.is_any(&["dollar", "buck"])))
        {
            // English `a hundred`, `a thousand`, `a grand`, `a dollar` (not
            // Spanish `a`, `cambiamos a dólares`).
            reader.add(Decimal::from_integer(1), Last::Unit)?;
            next = at + 1;
        } else if let Some(end) = self.half_million(at) {
            reader.big = Decimal::from_integer(500_000);
            reader.big_exponent = 6;
            reader.millions = true;
            reader.last = Last::Done;
            next = end;
        }
        while let Some(token) = self.token(next) {
            let Some(taken) = self.word(&mut reader, token, next) else {
                break;
            };
            next = taken;
        }
        let lone = next == at + 1;
        // `ciento` says a hundred only before more (`ciento diez`); alone it
        // is the end of `por ciento`.
        if reader.last == Last::Start || (lone && self.is(at, "ciento")) {
            return None;
        }
        Some(Number {
            value: reader.value()?,
            end: next,
            trailing_scale: reader.trailing_scale,
            millions: reader.millions,
            year_like: year_like && lone,
            grand: reader.grand,
            one_word: lone && self.lex(at) == Lex::Unit(1),
            in_words: !self.tokens[at..next].iter().any(Token::is_number),
        })
    }

    /// `medio millón` or `half a million` at `at`: the token after it.
    fn half_million(&self, at: usize) -> Option<usize> {
        if self.lex(at) != Lex::Half {
            return None;
        }
        let scale_at = if self.is(at + 1, "a") { at + 2 } else { at + 1 };
        (self.lex(scale_at) == Lex::Scale(6, Lang::Es) || self.lex(scale_at) == Lex::Scale(6, Lang::En))
            .then_some(scale_at + 1)
    }

    /// Feeds the token at `at` to `reader` if the grammar allows it there:
    /// the token after what was taken, or `None` (the number ends before
    /// `at`).
    fn word(&self, reader: &mut NumberReader, token: &Token, at: usize) -> Option<usize> {
        let last = reader.last;
        let chunk_start = matches!(last, Last::Start | Last::Hundreds | Last::Hundred | Last::Scale(_));
        let has_value = matches!(
            last,
            Last::Digits | Last::Unit | Last::Teen | Last::Tens(_) | Last::Hundreds | Last::Hundred
        );
        match token.kind {
            // Digits after a multiplier: `3 mil 500`, `2 millones 300 mil`.
            Kind::Number(value, _) => match last {
                Last::Scale(exponent) if value.is_integer() && value < pow10(exponent) => {
                    reader.add(value, Last::Digits)?;
                }
                _ => return None,
            },
            Kind::Word(Lex::Unit(n)) if chunk_start || last == Last::Tens(Lang::En) => {
                reader.add(Decimal::from_integer(n.into()), Last::Unit)?;
            }
            Kind::Word(Lex::Teen(n)) if chunk_start => reader.add(Decimal::from_integer(n.into()), Last::Teen)?,
            Kind::Word(Lex::Tens(n, lang)) if chunk_start => {
                reader.add(Decimal::from_integer(n.into()), Last::Tens(lang))?;
            }
            Kind::Word(Lex::Hundreds(n)) if matches!(last, Last::Start | Last::Scale(_)) => {
                reader.add(Decimal::from_integer(n.into()), Last::Hundreds)?;
            }
            // English `hundred` multiplies what is below a hundred:
            // `five hundred`, `fifteen hundred`.
            Kind::Word(Lex::Hundred) if has_value && reader.small < pow10(2) => {
                reader.scale(2)?;
                reader.last = Last::Hundred;
            }
            Kind::Word(Lex::Scale(exponent, lang)) => reader.scale_word(exponent, lang)?,
            Kind::Word(Lex::Grand) if has_value && reader.thousands.is_none() && reader.big == Decimal::ZERO => {
                reader.scale(3)?;
                reader.grand = true;
                reader.last = Last::Done;
            }
            Kind::Word(Lex::Other) | Kind::Symbol(_) => return self.joining_word(reader, at),
            _ => return None,
        }
        Some(at + 1)
    }

    /// A word that joins the parts of a number at `at` (`treinta y cinco`,
    /// `twenty-five`, `one hundred and fifty`, `un millón y medio`): the
    /// token after the part it joins, or `None`.
    fn joining_word(&self, reader: &mut NumberReader, at: usize) -> Option<usize> {
        let last = reader.last;
        let unit_after = || match self.lex(at + 1) {
            Lex::Unit(n) => Some(Decimal::from_integer(n.into())),
            _ => None,
        };
        if (self.is(at, "y") && last == Last::Tens(Lang::Es))
            || (self.is_symbol(at, '-') && last == Last::Tens(Lang::En) && self.touching(at))
        {
            reader.add(unit_after()?, Last::Unit)?;
            return Some(at + 2);
        }
        if let Last::Scale(exponent) = last
            && exponent >= 6
            && (self.is(at, "y") || self.is(at, "and"))
        {
            let half_at = if self.is(at + 1, "a") { at + 2 } else { at + 1 };
            if self.lex(half_at) != Lex::Half {
                return None;
            }
            let half = pow10(exponent).checked_mul(Decimal::new(5, 1)?)?;
            reader.big = reader.big.checked_add(half)?;
            reader.trailing_scale = None;
            reader.last = Last::Done;
            return Some(half_at + 1);
        }
        // `one hundred and fifty`, `three thousand and fifty`, but not the
        // `and` of `between three thousand and four thousand`.
        let chunk_after = matches!(self.lex(at + 1), Lex::Unit(_) | Lex::Teen(_) | Lex::Tens(..));
        let joins = match last {
            Last::Hundred => true,
            Last::Scale(_) => !self.scale_follows_chunk(at + 1),
            _ => false,
        };
        (self.is(at, "and") && chunk_after && joins).then_some(at + 1)
    }

    /// Whether the number words from `at` on are followed by a multiplier.
    fn scale_follows_chunk(&self, mut at: usize) -> bool {
        while matches!(self.lex(at), Lex::Unit(_) | Lex::Teen(_) | Lex::Tens(..)) || self.is_symbol(at, '-') {
            at += 1;
        }
        matches!(self.lex(at), Lex::Scale(..) | Lex::Hundred)
    }

    /// Whether the digits at `at` stand apart from what precedes them.
    fn may_touch_before(&self, at: usize) -> bool {
        at == 0
            || !self.touching(at - 1)
            || matches!(self.tokens[at - 1].kind, Kind::Symbol(c) if MAY_TOUCH_BEFORE.contains(c))
    }

    /// Whether what follows a bare amount ending at `at` lets it be money.
    fn may_follow(&self, at: usize) -> bool {
        let Some(token) = self.token(at) else {
            return true;
        };
        match token.kind {
            Kind::Symbol(c) => MAY_FOLLOW_SYMBOLS.contains(c),
            Kind::Word(Lex::Money) => true,
            Kind::Word(_) => token.is_any(MAY_FOLLOW) || self.money_word_after_de(at),
            Kind::Number(..) | Kind::Junk => false,
        }
    }

    /// `de` and a money word at `at`: `300 de pasaje`.
    fn money_word_after_de(&self, at: usize) -> bool {
        self.is(at, "de") && self.lex(at + 1) == Lex::Money
    }

    /// The checks for an amount with no currency, from token `at` to `end`
    /// (see the module documentation): a money word or an amount near, no
    /// trap before, a fitting word after, not a year, at least ten.
    fn bare_amount_ok(
        &self,
        at: usize,
        end: usize,
        previous_end: usize,
        first: &Number,
        high: &Number,
        qualified: bool,
    ) -> bool {
        let grand = first.grand || high.grand;
        if !grand && !self.money_context(at, previous_end) && !self.money_word_after_de(end) {
            return false;
        }
        let before = at.checked_sub(1).and_then(|b| self.token(b));
        let below_thousand = first.value < pow10(3);
        if before.is_some_and(|t| {
            t.is_any(NOT_MONEY_BEFORE)
                || (below_thousand && t.is_any(ARTICLES))
                || matches!(t.kind, Kind::Number(..) | Kind::Junk)
        }) {
            return false;
        }
        let just_after_money = before.is_some_and(|t| t.lex() == Lex::Money);
        let a_year = first.year_like && (high.end == first.end || high.year_like);
        if a_year && !just_after_money && !qualified {
            return false;
        }
        let minimum = if first.in_words && high.in_words {
            BARE_MINIMUM_IN_WORDS
        } else {
            BARE_MINIMUM
        };
        high.value >= Decimal::from_integer(minimum) && self.may_follow(end)
    }

    /// Whether a money word, a currency or an amount (one that ends at
    /// `previous_end`) lies at most [`CONTEXT_TOKENS`] tokens before token
    /// `at`, in the same sentence and line: `le dimos cinco mil al coyote y
    /// otros cinco mil`.
    fn money_context(&self, at: usize, previous_end: usize) -> bool {
        let mut seen = 0;
        let mut i = at;
        while i > 0 && seen < CONTEXT_TOKENS {
            if self.tokens[i].after_newline {
                return false;
            }
            i -= 1;
            if i < previous_end {
                return true;
            }
            let token = &self.tokens[i];
            match token.kind {
                Kind::Symbol(c) if ".?!;".contains(c) => return false,
                Kind::Symbol(_) => continue,
                Kind::Word(Lex::Money | Lex::Currency(_) | Lex::Iso(_)) => return true,
                _ => seen += 1,
            }
        }
        false
    }
}

/// A number being read: millions and above, the thousands of the current
/// group, and what is below a thousand (or the digits).
struct NumberReader {
    big: Decimal,
    /// The smallest multiplier of a million or more used so far: the next
    /// must be smaller (`dos mil millones trescientos mil`).
    big_exponent: u8,
    thousands: Option<Decimal>,
    small: Decimal,
    last: Last,
    trailing_scale: Option<Decimal>,
    millions: bool,
    grand: bool,
}

impl NumberReader {
    fn new() -> NumberReader {
        NumberReader {
            big: Decimal::ZERO,
            big_exponent: u8::MAX,
            thousands: None,
            small: Decimal::ZERO,
            last: Last::Start,
            trailing_scale: None,
            millions: false,
            grand: false,
        }
    }

    fn add(&mut self, value: Decimal, last: Last) -> Option<()> {
        self.small = self.small.checked_add(value)?;
        self.last = last;
        self.trailing_scale = None;
        self.millions = false;
        Some(())
    }

    /// Multiplies what is below a thousand by `10^exponent` (`k`, `grand`).
    fn scale(&mut self, exponent: u8) -> Option<()> {
        self.small = self.small.checked_mul(pow10(exponent))?;
        self.trailing_scale = Some(pow10(exponent));
        Some(())
    }

    /// `mil`/`thousand`, `millones`/`million`, `billion`, `billón`, if the
    /// grammar allows it here.
    fn scale_word(&mut self, exponent: u8, lang: Lang) -> Option<()> {
        let has_value = matches!(
            self.last,
            Last::Digits | Last::Unit | Last::Teen | Last::Tens(_) | Last::Hundreds | Last::Hundred
        );
        if exponent == 3 {
            // Spanish says `mil` for a thousand, with no `un` before it.
            let bare_mil = lang == Lang::Es && matches!(self.last, Last::Start | Last::Scale(6..));
            if self.thousands.is_some() || !(has_value || bare_mil) {
                return None;
            }
            let count = if has_value {
                self.small
            } else {
                Decimal::from_integer(1)
            };
            self.thousands = Some(count.checked_mul(pow10(3))?);
            self.small = Decimal::ZERO;
            self.millions = false;
        } else {
            if exponent >= self.big_exponent || !(has_value || self.last == Last::Scale(3)) {
                return None;
            }
            let count = self.thousands.unwrap_or(Decimal::ZERO).checked_add(self.small)?;
            self.big = self.big.checked_add(count.checked_mul(pow10(exponent))?)?;
            self.big_exponent = exponent;
            self.thousands = None;
            self.small = Decimal::ZERO;
            self.millions = true;
        }
        self.trailing_scale = Some(pow10(exponent));
        self.last = Last::Scale(exponent);
        Some(())
    }

    fn value(&self) -> Option<Decimal> {
        self.big
            .checked_add(self.thousands.unwrap_or(Decimal::ZERO))?
            .checked_add(self.small)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::amounts::lexicon::{classify, fold, pack};

    #[test]
    fn every_sign_that_marks_an_amount_names_a_currency() {
        for sign in crate::amounts::scan::SIGNS.chars() {
            assert!(sign_currency(sign).is_some(), "{sign}");
        }
    }

    #[test]
    fn every_word_an_amount_starts_with_is_a_lead() {
        let openers = ["entre", "between", "de", "desde", "from"];
        let sign_letters = ["q", "l", "lps", "u", "mx", "rd", "c", "a"];
        for (phrase, _) in BEFORE {
            assert_eq!(classify(phrase[0]), Lex::Lead, "{:?}", phrase[0].to_le_bytes());
        }
        for word in openers.into_iter().chain(sign_letters) {
            assert_eq!(classify(pack(&fold(word).unwrap())), Lex::Lead, "{word}");
        }
        assert_eq!(
            classify(pack(b"us")),
            Lex::Nationality(CurrencyCode::Usd),
            "`us` starts `US$`"
        );
    }
}
