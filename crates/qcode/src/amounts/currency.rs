//! Currencies: what an interview says (`$`, `pesos`, `quetzales`), and the
//! ISO 4217 code it stands for.
//!
//! Most currency words name one currency: `quetzales` are Guatemalan,
//! `lempiras` Honduran, `US$` is the US dollar. Three do not, and for those
//! the reading depends on where the interview took place:
//!
//! * `$` is the sign of the US dollar and of the Mexican, Colombian,
//!   Dominican, Cuban, Argentine and Chilean pesos;
//! * `pesos` alone are the currency of whichever of those countries the
//!   speaker is in or talking about;
//! * `colones` (and `₡`) are Costa Rica's currency today and were El
//!   Salvador's until it adopted the US dollar in 2001.
//!
//! The parser therefore reports these as [`Currency::DollarSign`],
//! [`Currency::Pesos`] and [`Currency::Colones`], unresolved, and a
//! [`CurrencyDefaults`] (chosen by the caller, e.g. from a document's
//! country attribute) turns them into codes afterwards.

use std::fmt;
use std::str::FromStr;

use crate::Error;

/// An ISO 4217 currency code among those the interviews of the region
/// name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CurrencyCode {
    /// US dollar (also the currency of El Salvador, Ecuador and Panama).
    Usd,
    /// Mexican peso.
    Mxn,
    /// Guatemalan quetzal.
    Gtq,
    /// Honduran lempira.
    Hnl,
    /// Salvadoran colón (replaced by the US dollar in 2001).
    Svc,
    /// Costa Rican colón.
    Crc,
    /// Nicaraguan córdoba.
    Nio,
    /// Euro.
    Eur,
    /// Canadian dollar.
    Cad,
    /// Colombian peso.
    Cop,
    /// Dominican peso.
    Dop,
    /// Cuban peso.
    Cup,
    /// Argentine peso.
    Ars,
    /// Chilean peso.
    Clp,
}

impl CurrencyCode {
    /// Every code, in declaration order.
    pub const ALL: [CurrencyCode; 14] = [
        CurrencyCode::Usd,
        CurrencyCode::Mxn,
        CurrencyCode::Gtq,
        CurrencyCode::Hnl,
        CurrencyCode::Svc,
        CurrencyCode::Crc,
        CurrencyCode::Nio,
        CurrencyCode::Eur,
        CurrencyCode::Cad,
        CurrencyCode::Cop,
        CurrencyCode::Dop,
        CurrencyCode::Cup,
        CurrencyCode::Ars,
        CurrencyCode::Clp,
    ];

    /// The three-letter code in capitals, e.g. `"USD"`.
    pub fn as_str(self) -> &'static str {
        match self {
            CurrencyCode::Usd => "USD",
            CurrencyCode::Mxn => "MXN",
            CurrencyCode::Gtq => "GTQ",
            CurrencyCode::Hnl => "HNL",
            CurrencyCode::Svc => "SVC",
            CurrencyCode::Crc => "CRC",
            CurrencyCode::Nio => "NIO",
            CurrencyCode::Eur => "EUR",
            CurrencyCode::Cad => "CAD",
            CurrencyCode::Cop => "COP",
            CurrencyCode::Dop => "DOP",
            CurrencyCode::Cup => "CUP",
            CurrencyCode::Ars => "ARS",
            CurrencyCode::Clp => "CLP",
        }
    }

    /// Whether `self` is one of the pesos (a reading of bare `pesos`).
    fn is_peso(self) -> bool {
        use CurrencyCode::*;
        matches!(self, Mxn | Cop | Dop | Cup | Ars | Clp)
    }

    /// Whether `self` is written with a bare `$` in its country: the pesos
    /// and the dollars.
    fn uses_dollar_sign(self) -> bool {
        self.is_peso() || matches!(self, CurrencyCode::Usd | CurrencyCode::Cad)
    }

    fn is_colon(self) -> bool {
        matches!(self, CurrencyCode::Crc | CurrencyCode::Svc)
    }
}

impl fmt::Display for CurrencyCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Reads a code in any case: `usd`, `USD`.
impl FromStr for CurrencyCode {
    type Err = Error;

    fn from_str(s: &str) -> Result<CurrencyCode, Error> {
        CurrencyCode::ALL
            .into_iter()
            .find(|code| code.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| {
                let known: Vec<&str> = CurrencyCode::ALL.iter().map(|c| c.as_str()).collect();
                Error::new(format!("`{s}` is not a currency code qcode knows"))
                    .hint(format!("use one of {}", known.join(", ")))
            })
    }
}

/// The currency of an amount as the text gives it, before any default is
/// applied.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Currency {
    /// A word or sign that names one currency: `dólares`, `bucks`, `US$`,
    /// `Q`, `lempiras`, `C$`, `€`, `pesos mexicanos`, an ISO code.
    Code(CurrencyCode),
    /// `$` alone: US dollars or the local pesos.
    DollarSign,
    /// `pesos` (or slang `varos`) without a country.
    Pesos,
    /// `colones` or `₡`: Costa Rican, or Salvadoran before 2001.
    Colones,
}

impl Currency {
    /// Whether `self` is more precise than `other`: a named currency beats
    /// `pesos` or `colones`, which beat a bare `$`. Decides which of two
    /// currency marks of one amount (`$5,000 dólares`) counts.
    pub(super) fn more_precise_than(self, other: Currency) -> bool {
        let rank = |c: Currency| match c {
            Currency::Code(_) => 2,
            Currency::Pesos | Currency::Colones => 1,
            Currency::DollarSign => 0,
        };
        rank(self) > rank(other)
    }

    /// `self` narrowed by a nationality (`pesos` + `mexicanos`), when the
    /// nationality fits the currency; otherwise `None`.
    pub(super) fn narrowed(self, nationality: CurrencyCode) -> Option<Currency> {
        let fits = match self {
            Currency::Pesos => nationality.is_peso(),
            Currency::Colones => nationality.is_colon(),
            Currency::DollarSign => nationality.uses_dollar_sign(),
            Currency::Code(CurrencyCode::Usd) => matches!(nationality, CurrencyCode::Usd | CurrencyCode::Cad),
            Currency::Code(_) => false,
        };
        fits.then_some(Currency::Code(nationality))
    }
}

/// How the ambiguous currencies are read: the code given to a bare `$`, to
/// `pesos` and to `colones`.
///
/// [`CurrencyDefaults::default`] suits a corpus of several countries of the
/// migration corridor; [`CurrencyDefaults::for_country`] suits one country,
/// and the fields can be set one by one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CurrencyDefaults {
    /// The currency of a bare `$`.
    pub dollar_sign: CurrencyCode,
    /// The currency of `pesos` without a nationality.
    pub pesos: CurrencyCode,
    /// The currency of `colones` and `₡`.
    pub colones: CurrencyCode,
}

/// `$` → USD, `pesos` → MXN, `colones` → CRC.
///
/// Smuggling fees along the corridor are quoted in US dollars whatever the
/// country (and English interviews use `$` for dollars), so a `$` of unknown
/// origin is most likely a dollar. The pesos a migrant on the way north
/// pays are Mexican. The colón still in use is Costa Rica's.
impl Default for CurrencyDefaults {
    fn default() -> CurrencyDefaults {
        CurrencyDefaults {
            dollar_sign: CurrencyCode::Usd,
            pesos: CurrencyCode::Mxn,
            colones: CurrencyCode::Crc,
        }
    }
}

/// Countries [`CurrencyDefaults::for_country`] knows: their names (folded:
/// lower case, no accents), ISO 3166 codes, and the readings that differ
/// from the defaults (`$`, `pesos`).
const COUNTRIES: &[(&[&str], CurrencyCode, CurrencyCode)] = {
    use CurrencyCode::*;
    &[
        (&["mexico", "mx", "mex"], Mxn, Mxn),
        (&["guatemala", "gt", "gtm"], Usd, Mxn),
        (&["honduras", "hn", "hnd"], Usd, Mxn),
        (&["el salvador", "salvador", "sv", "slv"], Usd, Mxn),
        (&["nicaragua", "ni", "nic"], Usd, Mxn),
        (&["costa rica", "cr", "cri"], Usd, Mxn),
        (&["panama", "pa", "pan"], Usd, Mxn),
        (&["ecuador", "ec", "ecu"], Usd, Mxn),
        (
            &["estados unidos", "eeuu", "ee uu", "usa", "us", "united states"],
            Usd,
            Mxn,
        ),
        (&["colombia", "co", "col"], Cop, Cop),
        (&["republica dominicana", "dominican republic", "do", "dom"], Dop, Dop),
        (&["cuba", "cu", "cub"], Cup, Cup),
        (&["argentina", "ar", "arg"], Ars, Ars),
        (&["chile", "cl", "chl"], Clp, Clp),
    ]
};

impl CurrencyDefaults {
    /// The readings for interviews held in `country`, given by name in
    /// Spanish or English (case and accents ignored: `México`, `mexico`) or
    /// by ISO 3166 code (`MX`, `MEX`).
    ///
    /// `$` is the local peso in Mexico, Colombia, the Dominican Republic,
    /// Cuba, Argentina and Chile, and the US dollar elsewhere; bare `pesos`
    /// are the local peso there and Mexican pesos elsewhere; `colones` are
    /// Salvadoran in El Salvador (speakers there use the word for prices
    /// before 2001) and Costa Rican elsewhere.
    pub fn for_country(country: &str) -> Result<CurrencyDefaults, Error> {
        let wanted = fold_name(country);
        let (names, dollar_sign, pesos) = COUNTRIES
            .iter()
            .find(|(names, ..)| names.contains(&wanted.as_str()))
            .ok_or_else(|| {
                let known: Vec<&str> = COUNTRIES.iter().map(|(names, ..)| names[0]).collect();
                Error::new(format!("no currency defaults for the country `{country}`"))
                    .hint(format!("give one of {} (or its ISO 3166 code)", known.join(", ")))
            })?;
        let colones = if names[0] == "el salvador" {
            CurrencyCode::Svc
        } else {
            CurrencyCode::Crc
        };
        Ok(CurrencyDefaults {
            dollar_sign: *dollar_sign,
            pesos: *pesos,
            colones,
        })
    }

    /// The code `currency` stands for under these defaults.
    pub fn resolve(&self, currency: Currency) -> CurrencyCode {
        match currency {
            Currency::Code(code) => code,
            Currency::DollarSign => self.dollar_sign,
            Currency::Pesos => self.pesos,
            Currency::Colones => self.colones,
        }
    }
}

/// How a corpus reads the ambiguous currencies: the readings for all its
/// documents, and the attribute naming each document's country, whose
/// readings then apply to it ([`CurrencyDefaults::for_country`]). A
/// codebook sets them with `currencies:`.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct CurrencySettings {
    /// The readings of documents without a known country.
    pub defaults: CurrencyDefaults,
    /// The document attribute that names the country (`country`); `None`:
    /// the same readings for every document.
    pub country_attribute: Option<String>,
}

impl CurrencySettings {
    /// The readings for a document with `attributes`, and, when its country
    /// is one qcode has no readings for, a warning that says which were
    /// used instead.
    pub fn for_document(&self, attributes: &indexmap::IndexMap<String, String>) -> (CurrencyDefaults, Option<String>) {
        let country = self
            .country_attribute
            .as_ref()
            .and_then(|a| attributes.get(a))
            .filter(|c| !c.trim().is_empty());
        match country.map(|c| (c, CurrencyDefaults::for_country(c))) {
            None => (self.defaults, None),
            Some((_, Ok(readings))) => (readings, None),
            Some((country, Err(_))) => (
                self.defaults,
                Some(format!(
                    "no currency readings for the country `{country}`: `$` read as {}, `pesos` as {}, `colones` as {}",
                    self.defaults.dollar_sign, self.defaults.pesos, self.defaults.colones
                )),
            ),
        }
    }
}

/// `name` in lower case without accents or dots, white space collapsed:
/// `EE. UU.` → `ee uu`.
fn fold_name(name: &str) -> String {
    let letters: String = name
        .chars()
        .filter(|c| *c != '.')
        .map(|c| match c {
            'á' | 'Á' => 'a',
            'é' | 'É' => 'e',
            'í' | 'Í' => 'i',
            'ó' | 'Ó' => 'o',
            'ú' | 'Ú' | 'ü' | 'Ü' => 'u',
            'ñ' | 'Ñ' => 'n',
            other => other.to_ascii_lowercase(),
        })
        .collect();
    letters.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use CurrencyCode::*;

    #[test]
    fn defaults_read_the_corridor() {
        let d = CurrencyDefaults::default();
        assert_eq!(d.resolve(Currency::DollarSign), Usd);
        assert_eq!(d.resolve(Currency::Pesos), Mxn);
        assert_eq!(d.resolve(Currency::Colones), Crc);
        assert_eq!(d.resolve(Currency::Code(Gtq)), Gtq);
    }

    #[test]
    fn countries_change_the_ambiguous_readings() {
        let mx = CurrencyDefaults::for_country("México").unwrap();
        assert_eq!((mx.dollar_sign, mx.pesos), (Mxn, Mxn));
        for hn in ["Honduras", "HN", "hnd", " honduras "] {
            assert_eq!(CurrencyDefaults::for_country(hn).unwrap().dollar_sign, Usd, "{hn}");
        }
        let sv = CurrencyDefaults::for_country("El Salvador").unwrap();
        assert_eq!((sv.dollar_sign, sv.colones), (Usd, Svc));
        assert_eq!(CurrencyDefaults::for_country("Costa Rica").unwrap().colones, Crc);
        let co = CurrencyDefaults::for_country("colombia").unwrap();
        assert_eq!((co.dollar_sign, co.pesos), (Cop, Cop));
        assert_eq!(
            CurrencyDefaults::for_country("República Dominicana").unwrap().pesos,
            Dop
        );
        assert_eq!(CurrencyDefaults::for_country("EE. UU.").unwrap().pesos, Mxn);
    }

    #[test]
    fn an_unknown_country_is_an_error_that_lists_the_known_ones() {
        let e = CurrencyDefaults::for_country("Atlantis").unwrap_err();
        assert!(e.what.contains("Atlantis"), "{e}");
        assert!(e.hint.unwrap().contains("guatemala"));
    }

    #[test]
    fn codes_read_back() {
        for code in CurrencyCode::ALL {
            assert_eq!(code.as_str().parse::<CurrencyCode>().unwrap(), code);
            assert_eq!(code.as_str().to_lowercase().parse::<CurrencyCode>().unwrap(), code);
        }
        assert!("XYZ".parse::<CurrencyCode>().is_err());
    }

    #[test]
    fn nationalities_narrow_only_their_own_currency() {
        assert_eq!(Currency::Pesos.narrowed(Cop), Some(Currency::Code(Cop)));
        assert_eq!(Currency::Pesos.narrowed(Usd), None);
        assert_eq!(Currency::Colones.narrowed(Svc), Some(Currency::Code(Svc)));
        assert_eq!(Currency::Code(Usd).narrowed(Cad), Some(Currency::Code(Cad)));
        assert_eq!(Currency::Code(Gtq).narrowed(Mxn), None);
        assert!(Currency::Code(Usd).more_precise_than(Currency::DollarSign));
        assert!(!Currency::DollarSign.more_precise_than(Currency::Pesos));
    }
}
