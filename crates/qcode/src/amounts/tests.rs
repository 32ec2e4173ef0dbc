//! Tests of the whole module: the phrasing table (`phrasings.tsv`), currency
//! defaults applied to found amounts, and properties over generated text.

use proptest::prelude::*;

use super::*;

/// One expected amount of a phrasing, as the table writes it.
#[derive(Debug, PartialEq, Eq)]
struct Expected {
    words: String,
    value: String,
    written: String,
    iso: String,
    approx: String,
}

/// An amount found, written like a table row, to compare and to print.
fn as_row(amount: &Amount<'_>) -> Expected {
    let value = if amount.is_range() {
        format!("{}..{}", amount.low, amount.high)
    } else {
        amount.low.to_string()
    };
    Expected {
        words: amount.words.to_string(),
        value,
        written: amount.currency.map_or("-".to_string(), |c| c.written.to_string()),
        iso: amount
            .currency_code(&CurrencyDefaults::default())
            .map_or("-".to_string(), |c| c.to_string()),
        approx: amount
            .approximation
            .map_or("-".to_string(), |a| format!("{}:{}", a.kind, a.written)),
    }
}

/// `\u{…}` escapes and `\n` of the table, turned into characters.
fn unescape(cell: &str) -> String {
    let mut out = String::new();
    let mut rest = cell;
    while let Some(at) = rest.find('\\') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        if let Some(after) = rest.strip_prefix("\\n") {
            out.push('\n');
            rest = after;
        } else if let Some(after) = rest.strip_prefix("\\u{") {
            let close = after.find('}').expect("a closed \\u{…} escape");
            let code = u32::from_str_radix(&after[..close], 16).expect("a hexadecimal \\u{…} escape");
            out.push(char::from_u32(code).expect("a valid \\u{…} character"));
            rest = &after[close + 1..];
        } else {
            panic!("unknown escape in the phrasing table: {rest}");
        }
    }
    out.push_str(rest);
    out
}

/// The phrasings of the table with their expected amounts, in order.
fn phrasing_table() -> Vec<(usize, String, Vec<Expected>)> {
    let mut phrasings: Vec<(usize, String, Vec<Expected>)> = Vec::new();
    for (index, line) in include_str!("phrasings.tsv").lines().enumerate() {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let cells: Vec<&str> = line.split('\t').collect();
        let line_number = index + 1;
        assert_eq!(
            cells.len(),
            6,
            "phrasings.tsv:{line_number}: six tab-separated columns expected"
        );
        if cells[0] != "\"" {
            phrasings.push((line_number, unescape(cells[0]), Vec::new()));
        }
        let (_, _, expected) = phrasings.last_mut().expect("a `\"` row follows a phrasing");
        if cells[1] != "-" {
            expected.push(Expected {
                words: unescape(cells[1]),
                value: cells[2].to_string(),
                written: cells[3].to_string(),
                iso: cells[4].to_string(),
                approx: cells[5].to_string(),
            });
        }
    }
    phrasings
}

#[test]
fn phrasings() {
    let table = phrasing_table();
    assert!(table.len() >= 80, "the table holds {} phrasings", table.len());
    let traps = table.iter().filter(|(_, _, expected)| expected.is_empty()).count();
    assert!(traps >= 30, "the table holds {traps} traps");
    let mut mismatches = Vec::new();
    for (line, text, expected) in &table {
        let found: Vec<Expected> = find_amounts(text).iter().map(as_row).collect();
        if &found != expected {
            mismatches.push(format!(
                "phrasings.tsv:{line}: {text:?}\n  expected {expected:?}\n  found    {found:?}"
            ));
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} of {} phrasings differ:\n{}",
        mismatches.len(),
        table.len(),
        mismatches.join("\n")
    );
}

#[test]
fn the_country_decides_what_a_dollar_sign_and_pesos_are() {
    let text = "Nos cobraron $3,000 y luego 500 pesos.";
    let found = find_amounts(text);
    let codes = |defaults: CurrencyDefaults| -> Vec<Option<CurrencyCode>> {
        found.iter().map(|a| a.currency_code(&defaults)).collect()
    };
    let usd = CurrencyCode::Usd;
    let mxn = CurrencyCode::Mxn;
    assert_eq!(codes(CurrencyDefaults::default()), [Some(usd), Some(mxn)]);
    assert_eq!(
        codes(CurrencyDefaults::for_country("México").unwrap()),
        [Some(mxn), Some(mxn)]
    );
    assert_eq!(
        codes(CurrencyDefaults::for_country("Honduras").unwrap()),
        [Some(usd), Some(mxn)]
    );
    let colombia = CurrencyDefaults::for_country("Colombia").unwrap();
    assert_eq!(codes(colombia), [Some(CurrencyCode::Cop), Some(CurrencyCode::Cop)]);
    let custom = CurrencyDefaults {
        pesos: CurrencyCode::Dop,
        ..CurrencyDefaults::default()
    };
    assert_eq!(codes(custom), [Some(usd), Some(CurrencyCode::Dop)]);
    // What was written stays as written whatever the defaults.
    assert_eq!(found[0].currency.unwrap().currency, Currency::DollarSign);
    assert_eq!(found[1].currency.unwrap().currency, Currency::Pesos);
}

#[test]
fn spans_point_into_the_text() {
    let text = "Primero pagamos 2 mil dólares. Después, en Tapachula, unos $300 y el pasaje de 80 pesos.";
    let found = find_amounts(text);
    let words: Vec<&str> = found.iter().map(|a| a.words).collect();
    assert_eq!(words, ["2 mil dólares", "unos $300", "80 pesos"]);
    for amount in &found {
        assert_eq!(&text[amount.span.clone()], amount.words);
    }
}

#[test]
fn amounts_far_apart_in_a_long_text_are_all_found() {
    let filler = "y caminamos por el monte toda la noche sin parar ".repeat(40);
    let text = format!("{filler}nos cobraron 500 dólares {filler}y después 3 mil quetzales {filler}");
    let values: Vec<String> = find_amounts(&text).iter().map(|a| a.low.to_string()).collect();
    assert_eq!(values, ["500", "3000"]);
}

#[test]
fn long_runs_without_spaces_are_read_once() {
    // Each of these would be read again from each of its numbers or marks
    // if a look-ahead or a walk back were unbounded: quadratic time.
    let size = 200_000;
    let runs = [
        "1.".repeat(size / 2),
        "1-".repeat(size / 2),
        "12:".repeat(size / 3),
        "x.".repeat(20).repeat(size / 40) + "5",
        "x.x.x.x.x.x.x.x.x.x.x.x.x.x.x.x.x.x.5.".repeat(size / 38),
        "1".repeat(size),
        "mil ".repeat(size / 4),
        "$".repeat(size),
    ];
    for run in &runs {
        // No currency, no money word: nothing to find, in linear time.
        assert_eq!(find_amounts(run), [], "{}…", &run[..40]);
    }
    // Quetzal amounts all along one long line, each found once.
    let quetzales = "Q5 ".repeat(size / 3);
    assert_eq!(find_amounts(&quetzales).len(), size / 3);
}

/// `n` in Spanish words, as an interviewee would say it.
fn spanish(n: u64) -> String {
    const UNITS: [&str; 30] = [
        "",
        "uno",
        "dos",
        "tres",
        "cuatro",
        "cinco",
        "seis",
        "siete",
        "ocho",
        "nueve",
        "diez",
        "once",
        "doce",
        "trece",
        "catorce",
        "quince",
        "dieciséis",
        "diecisiete",
        "dieciocho",
        "diecinueve",
        "veinte",
        "veintiuno",
        "veintidós",
        "veintitrés",
        "veinticuatro",
        "veinticinco",
        "veintiséis",
        "veintisiete",
        "veintiocho",
        "veintinueve",
    ];
    const TENS: [&str; 10] = [
        "",
        "",
        "",
        "treinta",
        "cuarenta",
        "cincuenta",
        "sesenta",
        "setenta",
        "ochenta",
        "noventa",
    ];
    const HUNDREDS: [&str; 10] = [
        "",
        "ciento",
        "doscientos",
        "trescientos",
        "cuatrocientos",
        "quinientos",
        "seiscientos",
        "setecientos",
        "ochocientos",
        "novecientos",
    ];
    fn below_thousand(n: u64) -> String {
        let (h, rest) = ((n / 100) as usize, (n % 100) as usize);
        let mut words = Vec::new();
        match h {
            0 => {}
            1 if rest == 0 => words.push("cien".to_string()),
            _ => words.push(HUNDREDS[h].to_string()),
        }
        if rest >= 30 {
            words.push(TENS[rest / 10].to_string());
            if rest % 10 > 0 {
                words.push(format!("y {}", UNITS[rest % 10]));
            }
        } else if rest > 0 {
            words.push(UNITS[rest].to_string());
        }
        words.join(" ")
    }
    let (millions, thousands, rest) = (n / 1_000_000, (n / 1000) % 1000, n % 1000);
    let mut words = Vec::new();
    match millions {
        0 => {}
        1 => words.push("un millón".to_string()),
        m => words.push(format!("{} millones", below_thousand(m))),
    }
    match thousands {
        0 => {}
        1 => words.push("mil".to_string()),
        t => words.push(format!("{} mil", below_thousand(t))),
    }
    if rest > 0 {
        words.push(below_thousand(rest));
    }
    words.join(" ")
}

/// `n` in English words, hyphenated tens.
fn english(n: u64) -> String {
    const SMALL: [&str; 20] = [
        "",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
    ];
    const TENS: [&str; 10] = [
        "", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
    ];
    fn below_thousand(n: u64) -> String {
        let (h, rest) = ((n / 100) as usize, (n % 100) as usize);
        let mut words = Vec::new();
        if h > 0 {
            words.push(format!("{} hundred", SMALL[h]));
        }
        if rest >= 20 {
            let unit = if rest % 10 > 0 {
                format!("-{}", SMALL[rest % 10])
            } else {
                String::new()
            };
            words.push(format!("{}{unit}", TENS[rest / 10]));
        } else if rest > 0 {
            words.push(SMALL[rest].to_string());
        }
        words.join(" ")
    }
    let parts = [
        (n / 1_000_000, " million"),
        ((n / 1000) % 1000, " thousand"),
        (n % 1000, ""),
    ];
    parts
        .iter()
        .filter(|(count, _)| *count > 0)
        .map(|(count, scale)| format!("{}{scale}", below_thousand(*count)))
        .collect::<Vec<_>>()
        .join(" ")
}

/// `units` grouped by threes with `separator`.
fn grouped(units: u64, separator: &str) -> String {
    let digits = units.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push_str(separator);
        }
        out.push(c);
    }
    out
}

/// Pieces that amounts and their traps are made of, for random texts that
/// reach deep into the grammar.
const PIECES: &[&str] = &[
    "1",
    "25",
    "300",
    "2019",
    "1,500",
    "12.500",
    "3,5",
    "40 000",
    "10:30",
    "555-123-4567",
    "5k",
    "$",
    "US$",
    "U$S",
    "Q",
    "Q.",
    "L",
    "C$",
    "€",
    "₡",
    "%",
    "-",
    "–",
    ".",
    ",",
    ":",
    "?",
    "\n",
    " ",
    "\u{a0}",
    "\u{202f}",
    "mil",
    "millones",
    "millón",
    "medio",
    "y",
    "o",
    "a",
    "de",
    "entre",
    "between",
    "and",
    "a",
    "hundred",
    "thousand",
    "grand",
    "twenty",
    "-five",
    "cinco",
    "veinte",
    "treinta",
    "quinientos",
    "ciento",
    "un",
    "dólares",
    "pesos",
    "mexicanos",
    "dollars",
    "bucks",
    "USD",
    "unos",
    "más o menos",
    "y pico",
    "about",
    "up to",
    "went",
    "cobraron",
    "pagamos",
    "paid",
    "deuda",
    "personas",
    "años",
    "la",
    "el",
    "km",
    "ni",
    "por ciento",
    "á",
    "ñ",
    "é",
    "x",
    "日本",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn separators_do_not_change_the_value(
        units in 0u64..1_000_000_000_000,
        cents in proptest::option::of(0u64..100),
        style in 0usize..6,
    ) {
        let (thousands, decimal) = [(",", "."), (".", ","), (" ", ","), ("\u{a0}", ","), ("\u{202f}", "."), ("", ".")][style];
        let mut written = grouped(units, thousands);
        let mut expected = Decimal::from_integer(units);
        if let Some(cents) = cents {
            written.push_str(&format!("{decimal}{cents:02}"));
            expected = expected.checked_add(Decimal::new(cents, 2).unwrap()).unwrap();
        }
        let text = format!("Pagamos {written} dólares al coyote.");
        let found = find_amounts(&text);
        prop_assert_eq!(found.len(), 1, "{:?}", text);
        prop_assert_eq!(found[0].low, expected, "{:?}", text);
        prop_assert_eq!(found[0].words, format!("{written} dólares"));
    }

    #[test]
    fn spanish_number_words_read_back(n in 1u64..1_000_000_000) {
        let words = spanish(n);
        let text = format!("Nos cobraron {words} pesos.");
        let found = find_amounts(&text);
        prop_assert_eq!(found.len(), 1, "{:?}", text);
        prop_assert_eq!(found[0].low, Decimal::from_integer(n), "{:?}", text);
        prop_assert_eq!(found[0].words, format!("{words} pesos"));
    }

    #[test]
    fn english_number_words_read_back(n in 1u64..1_000_000_000) {
        let words = english(n);
        let text = format!("They charged {words} dollars.");
        let found = find_amounts(&text);
        prop_assert_eq!(found.len(), 1, "{:?}", text);
        prop_assert_eq!(found[0].low, Decimal::from_integer(n), "{:?}", text);
    }

    #[test]
    fn any_text_gives_well_formed_amounts(
        text in prop_oneof![
            any::<String>(),
            proptest::collection::vec(proptest::sample::select(PIECES), 0..40).prop_map(|p| p.join(" ")),
            proptest::collection::vec(proptest::sample::select(PIECES), 0..40).prop_map(|p| p.concat()),
        ]
    ) {
        let found = find_amounts(&text);
        let mut previous_end = 0;
        for amount in &found {
            prop_assert!(amount.span.start >= previous_end, "{:?} overlaps in {:?}", amount, text);
            prop_assert!(amount.span.start < amount.span.end);
            prop_assert!(text.is_char_boundary(amount.span.start) && text.is_char_boundary(amount.span.end));
            prop_assert_eq!(&text[amount.span.clone()], amount.words);
            prop_assert!(amount.low <= amount.high);
            if let Some(currency) = amount.currency {
                prop_assert!(amount.words.contains(currency.written));
            }
            previous_end = amount.span.end;
        }
    }
}
