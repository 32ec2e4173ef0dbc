//! The words amounts are made of, in Spanish and English: number words,
//! multipliers, currency words, and the money words that make a bare number
//! an amount.
//!
//! Words are looked up folded (lower case, accents dropped: `Dólares`,
//! `dolares` and `DÓLARES` are one word), because transcripts are typed in
//! a hurry and accents come and go.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::OnceLock;

use super::currency::{Currency, CurrencyCode};

/// The longest folded word looked up; longer words are never number,
/// currency or money words (the longest, `aproximadamente`, has 15
/// letters). Sixteen letters fit in a `u128`, see [`pack`].
pub(super) const MAX_WORD: usize = 16;

/// Which language a number word belongs to, where their grammars differ.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Lang {
    Es,
    En,
}

/// What a word is to the amount grammar.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Lex {
    /// Not a number, currency or money word (function words such as `y`,
    /// `entre`, `about` are recognised by their folded spelling instead).
    Other,
    /// 1 to 9: `un`, `una`, `uno`, `cinco`, `five`.
    Unit(u8),
    /// A number below 30 that takes no unit after it: 10 to 19 and
    /// Spanish 21 to 29 (`veinticinco`).
    Teen(u8),
    /// A multiple of ten from 20 to 90: `treinta`, `fifty`.
    Tens(u8, Lang),
    /// A Spanish hundreds word, 100 to 900: `cien`, `ciento`, `quinientos`.
    Hundreds(u16),
    /// English `hundred`, which multiplies what comes before it.
    Hundred,
    /// `mil`/`thousand` (exponent 3), `millón`/`million` (6), `billion`
    /// (9), Spanish `billón` (12).
    Scale(u8, Lang),
    /// `k` right after digits: `5k`.
    K,
    /// `grand`: a thousand dollars, informally.
    Grand,
    /// `medio` / `half`: `medio millón`, `un millón y medio`.
    Half,
    /// A currency word: `dólares`, `pesos`, `quetzales`.
    Currency(Currency),
    /// An ISO 4217 code: `USD`, `MXN` (also written before the number).
    Iso(CurrencyCode),
    /// A nationality that narrows a currency: `mexicanos`, `US`.
    Nationality(CurrencyCode),
    /// A word that puts a nearby bare number in a money context: `cobró`,
    /// `pagamos`, `deuda`, `price`, `paid`.
    Money,
    /// Another word an amount may start with: the first word of a
    /// qualifier (`unos`, `más`, `about`), of a range (`entre`, `de`,
    /// `from`), English `a`, and the letters of currency signs (`Q`, `L`,
    /// `U$S`). The parser tries an amount only where a number, a sign or
    /// such a word stands.
    Lead,
}

/// Number words and multipliers, written as in the text (accents are
/// folded away when the table is built).
const NUMBER_WORDS: &[(&str, Lex)] = {
    use Lang::*;
    use Lex::*;
    &[
        ("un", Unit(1)),
        ("uno", Unit(1)),
        ("una", Unit(1)),
        ("dos", Unit(2)),
        ("tres", Unit(3)),
        ("cuatro", Unit(4)),
        ("cinco", Unit(5)),
        ("seis", Unit(6)),
        ("siete", Unit(7)),
        ("ocho", Unit(8)),
        ("nueve", Unit(9)),
        ("diez", Teen(10)),
        ("once", Teen(11)),
        ("doce", Teen(12)),
        ("trece", Teen(13)),
        ("catorce", Teen(14)),
        ("quince", Teen(15)),
        ("dieciséis", Teen(16)),
        ("diecisiete", Teen(17)),
        ("dieciocho", Teen(18)),
        ("diecinueve", Teen(19)),
        // `veinte y cinco` is no longer written; `veinte` takes no `y`, so
        // that `entre veinte y cinco mil` stays a range.
        ("veinte", Teen(20)),
        ("veintiún", Teen(21)),
        ("veintiuno", Teen(21)),
        ("veintiuna", Teen(21)),
        ("veintidós", Teen(22)),
        ("veintitrés", Teen(23)),
        ("veinticuatro", Teen(24)),
        ("veinticinco", Teen(25)),
        ("veintiséis", Teen(26)),
        ("veintisiete", Teen(27)),
        ("veintiocho", Teen(28)),
        ("veintinueve", Teen(29)),
        ("treinta", Tens(30, Es)),
        ("cuarenta", Tens(40, Es)),
        ("cincuenta", Tens(50, Es)),
        ("sesenta", Tens(60, Es)),
        ("setenta", Tens(70, Es)),
        ("ochenta", Tens(80, Es)),
        ("noventa", Tens(90, Es)),
        ("cien", Hundreds(100)),
        ("ciento", Hundreds(100)),
        ("doscientos", Hundreds(200)),
        ("doscientas", Hundreds(200)),
        ("trescientos", Hundreds(300)),
        ("trescientas", Hundreds(300)),
        ("cuatrocientos", Hundreds(400)),
        ("cuatrocientas", Hundreds(400)),
        ("quinientos", Hundreds(500)),
        ("quinientas", Hundreds(500)),
        ("seiscientos", Hundreds(600)),
        ("seiscientas", Hundreds(600)),
        ("setecientos", Hundreds(700)),
        ("setecientas", Hundreds(700)),
        ("ochocientos", Hundreds(800)),
        ("ochocientas", Hundreds(800)),
        ("novecientos", Hundreds(900)),
        ("novecientas", Hundreds(900)),
        ("mil", Scale(3, Es)),
        ("millón", Scale(6, Es)),
        ("millones", Scale(6, Es)),
        ("billón", Scale(12, Es)),
        ("billones", Scale(12, Es)),
        ("medio", Half),
        ("one", Unit(1)),
        ("two", Unit(2)),
        ("three", Unit(3)),
        ("four", Unit(4)),
        ("five", Unit(5)),
        ("six", Unit(6)),
        ("seven", Unit(7)),
        ("eight", Unit(8)),
        ("nine", Unit(9)),
        ("ten", Teen(10)),
        ("eleven", Teen(11)),
        ("twelve", Teen(12)),
        ("thirteen", Teen(13)),
        ("fourteen", Teen(14)),
        ("fifteen", Teen(15)),
        ("sixteen", Teen(16)),
        ("seventeen", Teen(17)),
        ("eighteen", Teen(18)),
        ("nineteen", Teen(19)),
        ("twenty", Tens(20, En)),
        ("thirty", Tens(30, En)),
        ("forty", Tens(40, En)),
        ("fifty", Tens(50, En)),
        ("sixty", Tens(60, En)),
        ("seventy", Tens(70, En)),
        ("eighty", Tens(80, En)),
        ("ninety", Tens(90, En)),
        ("hundred", Hundred),
        ("thousand", Scale(3, En)),
        ("million", Scale(6, En)),
        ("billion", Scale(9, En)),
        ("k", K),
        ("grand", Grand),
        ("half", Half),
    ]
};

/// See [`Lex::Lead`].
const LEADING_WORDS: &[&str] = &[
    "más",
    "alrededor",
    "cerca",
    "aproximadamente",
    "aprox",
    "unos",
    "unas",
    "como",
    "casi",
    "arriba",
    "por",
    "al",
    "menos",
    "no",
    "hasta",
    "a",
    "entre",
    "de",
    "desde",
    "more",
    "about",
    "around",
    "roughly",
    "approximately",
    "approx",
    "some",
    "like",
    "almost",
    "nearly",
    "over",
    "at",
    "less",
    "under",
    "up",
    "between",
    "from",
    "q",
    "l",
    "lps",
    "u",
    "mx",
    "rd",
    "c",
];

/// Currency words and signs written as words, with what they name.
const CURRENCY_WORDS: &[(&str, Lex)] = {
    use Currency::*;
    use CurrencyCode::*;
    use Lex::Currency as C;
    use Lex::Nationality as N;
    &[
        ("dólar", C(Code(Usd))),
        ("dólares", C(Code(Usd))),
        ("dollar", C(Code(Usd))),
        ("dollars", C(Code(Usd))),
        // Mexican abbreviations of dólares.
        ("dls", C(Code(Usd))),
        ("dlls", C(Code(Usd))),
        ("buck", C(Code(Usd))),
        ("bucks", C(Code(Usd))),
        ("quetzal", C(Code(Gtq))),
        ("quetzales", C(Code(Gtq))),
        ("lempira", C(Code(Hnl))),
        ("lempiras", C(Code(Hnl))),
        ("córdoba", C(Code(Nio))),
        ("córdobas", C(Code(Nio))),
        ("euro", C(Code(Eur))),
        ("euros", C(Code(Eur))),
        ("peso", C(Pesos)),
        ("pesos", C(Pesos)),
        // Mexican slang for pesos.
        ("varo", C(Pesos)),
        ("varos", C(Pesos)),
        ("colón", C(Colones)),
        ("colones", C(Colones)),
        ("mexicanos", N(Mxn)),
        ("mexicano", N(Mxn)),
        ("mexican", N(Mxn)),
        ("colombianos", N(Cop)),
        ("colombian", N(Cop)),
        ("dominicanos", N(Dop)),
        ("dominican", N(Dop)),
        ("cubanos", N(Cup)),
        ("cuban", N(Cup)),
        ("argentinos", N(Ars)),
        ("argentine", N(Ars)),
        ("chilenos", N(Clp)),
        ("chilean", N(Clp)),
        ("americanos", N(Usd)),
        ("estadounidenses", N(Usd)),
        ("gringos", N(Usd)),
        ("american", N(Usd)),
        ("us", N(Usd)),
        ("canadienses", N(Cad)),
        ("canadian", N(Cad)),
        ("costarricenses", N(Crc)),
        ("salvadoreños", N(Svc)),
    ]
};

/// Words that make a nearby bare number money: paying, charging, owing,
/// lending, costing, prices, fees, debts, bribes, wages.
const MONEY_WORDS: &[&str] = &[
    // Spanish nouns.
    "dinero",
    "plata",
    "lana",
    "efectivo",
    "billete",
    "billetes",
    "cuota",
    "cuotas",
    "deuda",
    "deudas",
    "pasaje",
    "pasajes",
    "tarifa",
    "tarifas",
    "precio",
    "precios",
    "costo",
    "costos",
    "mordida",
    "mordidas",
    "multa",
    "multas",
    "renta",
    "alquiler",
    "sueldo",
    "sueldos",
    "salario",
    "salarios",
    "enganche",
    "anticipo",
    "adelanto",
    "abono",
    "abonos",
    "remesa",
    "remesas",
    "fianza",
    "rescate",
    "agiotista",
    "agiotistas",
    "usurero",
    "usureros",
    "interés",
    "intereses",
    // Spanish verbs with few forms (the others are stems below).
    "cuesta",
    "cuestan",
    "costó",
    "costaba",
    "costaban",
    "costaron",
    "costar",
    "costará",
    "costaría",
    "debo",
    "debe",
    "debes",
    "debemos",
    "deben",
    "debía",
    "debíamos",
    "debían",
    "gano",
    "gana",
    "ganaba",
    "ganaban",
    "ganábamos",
    "gané",
    "ganó",
    "ganamos",
    "ganar",
    "vale",
    "valía",
    "valían",
    // Giving, asking, stealing, sending: `le dimos 5 mil`, `pedían 3 mil`,
    // `nos robaron 500`, `me mandó 200`.
    "di",
    "dio",
    "dimos",
    "dieron",
    "dar",
    "daba",
    "daban",
    "dábamos",
    "pide",
    "piden",
    "pidió",
    "pidieron",
    "pedía",
    "pedían",
    "pedir",
    "robó",
    "robaron",
    "robar",
    "quitaron",
    // English.
    "money",
    "cash",
    "fee",
    "fees",
    "fare",
    "fares",
    "price",
    "prices",
    "priced",
    "cost",
    "costs",
    "costed",
    "costly",
    "debt",
    "debts",
    "loan",
    "loans",
    "loaned",
    "lender",
    "lenders",
    "usurer",
    "usurers",
    "lend",
    "lent",
    "borrow",
    "borrowed",
    "owe",
    "owed",
    "owes",
    "owing",
    "bribe",
    "bribes",
    "bribed",
    "ransom",
    "rent",
    "wage",
    "wages",
    "salary",
    "pay",
    "pays",
    "paid",
    "paying",
    "payment",
    "payments",
    "charge",
    "charged",
    "charges",
    "charging",
    "spend",
    "spent",
    "sold",
    "sell",
    "earn",
    "earned",
    "deposit",
    "deposited",
    "mortgage",
    "mortgaged",
    "worth",
    "interest",
    "gave",
    "give",
    "sent",
    "send",
    "stole",
];

/// Stems of Spanish verbs with many forms (and their nouns), with the words
/// that start alike but are not money: `pag` (pagar, pagó, pagaron, pago)
/// but not `página`.
const MONEY_STEMS: &[(&str, &[&str])] = &[
    ("cobr", &[]),
    ("pag", &["pagin"]),
    ("prest", &["prestig"]),
    ("prést", &[]),
    ("hipotec", &[]),
    ("soborn", &[]),
    ("extorsi", &[]),
    ("gast", &["gastr"]),
    ("ahorr", &[]),
    ("vend", &["venda"]),
    ("mand", &["mandat", "mandib"]),
];

/// A folded word of at most [`MAX_WORD`] letters as one integer: its
/// bytes, little-endian, padded with zeros (no letter is a zero byte, so
/// two words are equal exactly when their packings are). Words are then
/// compared, hashed and tested for a stem as integers, without a call to
/// memcmp: looking words up took a third of the finder's time before.
/// A `const fn`, so that the parser's tables of words are packed when the
/// program is compiled.
pub(super) const fn pack(folded: &[u8]) -> u128 {
    assert!(folded.len() <= MAX_WORD, "a word too long to pack");
    let mut packed = 0;
    let mut i = 0;
    while i < folded.len() {
        packed |= (folded[i] as u128) << (8 * i);
        i += 1;
    }
    packed
}

/// How many letters the packed word `packed` has.
pub(super) fn packed_len(packed: u128) -> usize {
    MAX_WORD - (packed.leading_zeros() / 8) as usize
}

/// A stem as a packed prefix: a word starts with it when its bits under
/// `mask` equal `stem`.
struct Stem {
    stem: u128,
    mask: u128,
}

impl Stem {
    fn new(folded: &[u8]) -> Stem {
        let bits = 8 * folded.len();
        Stem {
            stem: pack(folded),
            mask: u128::MAX.checked_shr(128 - bits as u32).unwrap_or(0),
        }
    }

    fn starts(&self, word: u128) -> bool {
        word & self.mask == self.stem
    }
}

/// The lexicon, folded and packed: whole words ([`NUMBER_WORDS`],
/// [`CURRENCY_WORDS`], ISO codes, [`MONEY_WORDS`], [`LEADING_WORDS`]) and
/// [`MONEY_STEMS`] with their exceptions.
struct Lexicon {
    words: HashMap<u128, Lex, BuildHasherDefault<WordHasher>>,
    stems: Vec<(Stem, Vec<Stem>)>,
}

fn lexicon() -> &'static Lexicon {
    static LEXICON: OnceLock<Lexicon> = OnceLock::new();
    LEXICON.get_or_init(|| {
        let mut words = HashMap::default();
        let entries = NUMBER_WORDS
            .iter()
            .chain(CURRENCY_WORDS)
            .copied()
            .chain(MONEY_WORDS.iter().map(|w| (*w, Lex::Money)))
            .chain(LEADING_WORDS.iter().map(|w| (*w, Lex::Lead)));
        for (word, lex) in entries {
            words.insert(pack(&fold(word).expect("lexicon words fold")), lex);
        }
        for code in CurrencyCode::ALL {
            words.insert(pack(code.as_str().to_ascii_lowercase().as_bytes()), Lex::Iso(code));
        }
        let stems = MONEY_STEMS
            .iter()
            .map(|(stem, not)| {
                let not = not.iter().map(|n| Stem::new(n.as_bytes())).collect();
                (Stem::new(&fold(stem).expect("stems fold")), not)
            })
            .collect();
        Lexicon { words, stems }
    })
}

/// The hash of the lexicon's table: its keys are packed words, and the
/// standard SipHash took a fifth of the finder's time on them. The keys
/// are the lexicon's own words, so a hash that resists flooding buys
/// nothing; a multiplication mixes the sixteen bytes well enough.
#[derive(Default)]
struct WordHasher(u64);

const MIX: u64 = 0x9e37_79b9_7f4a_7c15;

impl Hasher for WordHasher {
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0.rotate_left(5) ^ u64::from(*b)).wrapping_mul(MIX);
        }
    }

    fn write_u128(&mut self, word: u128) {
        let mixed = ((word as u64) ^ ((word >> 64) as u64).wrapping_mul(MIX)).wrapping_mul(MIX);
        self.0 = mixed ^ (mixed >> 32);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// What the word `packed` (see [`pack`]) is.
pub(super) fn classify(packed: u128) -> Lex {
    let lexicon = lexicon();
    if let Some(lex) = lexicon.words.get(&packed) {
        return *lex;
    }
    let is_stem = |(stem, not): &(Stem, Vec<Stem>)| stem.starts(packed) && !not.iter().any(|n| n.starts(packed));
    if lexicon.stems.iter().any(is_stem) {
        Lex::Money
    } else {
        Lex::Other
    }
}

/// One character of a word, folded: a lower-case ASCII letter, nothing (a
/// combining accent, as in decomposed text), or `None` for a letter outside
/// Spanish and English.
fn fold_char(c: char) -> Option<Option<u8>> {
    let folded = match c {
        'a'..='z' => c as u8,
        'A'..='Z' => c.to_ascii_lowercase() as u8,
        'á' | 'à' | 'â' | 'ä' | 'ã' | 'Á' | 'À' | 'Â' | 'Ä' | 'Ã' => b'a',
        'é' | 'è' | 'ê' | 'ë' | 'É' | 'È' | 'Ê' | 'Ë' => b'e',
        'í' | 'ì' | 'î' | 'ï' | 'Í' | 'Ì' | 'Î' | 'Ï' => b'i',
        'ó' | 'ò' | 'ô' | 'ö' | 'õ' | 'Ó' | 'Ò' | 'Ô' | 'Ö' | 'Õ' => b'o',
        'ú' | 'ù' | 'û' | 'ü' | 'Ú' | 'Ù' | 'Û' | 'Ü' => b'u',
        'ñ' | 'Ñ' => b'n',
        'ç' | 'Ç' => b'c',
        '\u{300}'..='\u{36f}' => return Some(None),
        _ => return None,
    };
    Some(Some(folded))
}

/// The word at the start of `text` (letters and combining accents): its
/// length in bytes, and its folded letters packed (see [`pack`]), unless it
/// holds a letter outside Spanish and English or more than [`MAX_WORD`]
/// letters. The letters are packed as they come, in a register: writing
/// them to a buffer and reading it back as one integer stalled the
/// processor on every word.
pub(super) fn read_word(text: &str) -> (usize, Option<u128>) {
    let bytes = text.as_bytes();
    let mut packed: u128 = 0;
    let mut letters = 0;
    let mut foldable = true;
    let mut len = 0;
    while len < bytes.len() {
        let (letter, width) = match bytes[len] {
            // ASCII letters, most of them, need no decoding.
            b if b.is_ascii_alphabetic() => (Some(Some(b.to_ascii_lowercase())), 1),
            b if b.is_ascii() => break,
            _ => {
                let c = text[len..].chars().next().expect("a character starts here");
                if !(c.is_alphabetic() || ('\u{300}'..='\u{36f}').contains(&c)) {
                    break;
                }
                (fold_char(c), c.len_utf8())
            }
        };
        len += width;
        match letter {
            Some(Some(letter)) if letters < MAX_WORD => {
                packed |= u128::from(letter) << (8 * letters);
                letters += 1;
            }
            Some(None) => {}
            _ => foldable = false,
        }
    }
    (len, foldable.then_some(packed))
}

/// `word` folded, or `None` if it holds a letter outside Spanish and
/// English.
pub(super) fn fold(word: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(word.len());
    for c in word.chars() {
        out.extend(fold_char(c)?);
    }
    Some(out)
}

/// Whether a word of this kind marks the place of a possible amount by
/// itself: a currency, a money word, `grand`. Digits and currency signs
/// are the other marks (see `scan`).
pub(super) fn is_mark(lex: Lex) -> bool {
    matches!(lex, Lex::Currency(_) | Lex::Iso(_) | Lex::Money | Lex::Grand)
}

/// The beginnings of every word [`is_mark`] accepts, as they may be
/// written: folded, and with their accents in lower and upper case (the
/// search ignores the case of ASCII letters only). A word found by one of
/// these is then looked up whole with [`classify`].
pub(super) fn mark_prefixes() -> Vec<String> {
    let words = CURRENCY_WORDS
        .iter()
        .filter(|(_, lex)| is_mark(*lex))
        .map(|(w, _)| *w)
        .chain(MONEY_WORDS.iter().copied())
        .chain(MONEY_STEMS.iter().map(|(stem, _)| *stem))
        .chain(NUMBER_WORDS.iter().filter(|(_, lex)| is_mark(*lex)).map(|(w, _)| *w))
        .map(str::to_string)
        .chain(CurrencyCode::ALL.iter().map(|c| c.as_str().to_ascii_lowercase()));
    let mut prefixes = Vec::new();
    for word in words {
        let folded = String::from_utf8(fold(&word).expect("lexicon words fold")).expect("folded words are ASCII");
        let upper_accents: String = word
            .chars()
            .map(|c| {
                if c.is_ascii() {
                    c
                } else {
                    c.to_uppercase().next().unwrap_or(c)
                }
            })
            .collect();
        prefixes.extend([folded, upper_accents, word]);
    }
    prefixes.sort();
    prefixes.dedup();
    prefixes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_drops_case_and_accents() {
        assert_eq!(fold("DÓLARES").unwrap(), b"dolares");
        assert_eq!(fold("Dieciséis").unwrap(), b"dieciseis");
        assert_eq!(fold("do\u{301}lares").unwrap(), b"dolares");
        assert_eq!(fold("доллар"), None);
        let (len, folded) = read_word("Dólares, dijo");
        assert_eq!(len, "Dólares".len());
        assert_eq!(folded, Some(pack(b"dolares")));
        assert_eq!(read_word("internacionalmente y").1, None);
    }

    fn class(word: &str) -> Lex {
        classify(pack(&fold(word).unwrap()))
    }

    #[test]
    fn words_are_classified_with_or_without_accents() {
        assert_eq!(class("dolares"), Lex::Currency(Currency::Code(CurrencyCode::Usd)));
        assert_eq!(class("Dólares"), Lex::Currency(Currency::Code(CurrencyCode::Usd)));
        assert_eq!(class("dieciseis"), Lex::Teen(16));
        assert_eq!(class("millón"), Lex::Scale(6, Lang::Es));
        assert_eq!(class("USD"), Lex::Iso(CurrencyCode::Usd));
        assert_eq!(class("pagaron"), Lex::Money);
        assert_eq!(class("prestamista"), Lex::Money);
        assert_eq!(class("pag"), Lex::Money);
        assert_eq!(class("pa"), Lex::Other);
        assert_eq!(class("página"), Lex::Other);
        assert_eq!(class("gastritis"), Lex::Other);
        assert_eq!(class("familia"), Lex::Other);
    }

    #[test]
    fn every_lexicon_word_fits_in_a_packed_word() {
        let all = NUMBER_WORDS
            .iter()
            .chain(CURRENCY_WORDS)
            .map(|(w, _)| *w)
            .chain(MONEY_WORDS.iter().copied())
            .chain(LEADING_WORDS.iter().copied());
        for word in all {
            assert!(fold(word).unwrap().len() <= MAX_WORD, "{word}");
        }
    }

    #[test]
    fn every_word_that_marks_an_amount_has_a_prefix() {
        let prefixes = mark_prefixes();
        for (word, lex) in NUMBER_WORDS.iter().chain(CURRENCY_WORDS) {
            if is_mark(*lex) {
                assert!(prefixes.iter().any(|p| p == word), "{word}");
            }
        }
        assert!(prefixes.iter().any(|p| p == "dÓlares"));
        assert!(prefixes.iter().any(|p| p == "dolares"));
        assert!(prefixes.iter().any(|p| p == "mxn"));
    }
}
