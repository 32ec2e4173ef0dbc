//! Agreement per code and overall: the coefficients of [`crate::stats`]
//! computed on [`CodingData`], and the table, legend, records and
//! disagreements list that show them.

use rayon::prelude::*;

use super::data::{CodingData, Universe};
use crate::report::xlsx::Sheet;
use crate::report::{Align, Table, counted};
use crate::report::{Footnotes, JsonObject, Provenance, Record, Records, Report, Style};
use crate::stats::{
    Bootstrap, Coef, KALPHA_BOOTSTRAP_METHOD, QSource, Ratings, brennan_prediger, cohen_kappa, fleiss_kappa, gwet_ac1,
    kalpha_bootstrap, krippendorff_alpha, percent_agreement, scott_pi,
};

/// Bootstrap replicates by default, as in Hayes' KALPHA macro.
pub const DEFAULT_REPLICATES: usize = 20_000;
/// The fixed default seed: the same data always give the same interval.
pub const DEFAULT_SEED: u64 = 1;

/// The name of the pooled row in every output.
pub const OVERALL: &str = "overall";

/// Percent agreement's definition, for legends and JSON.
pub const PERCENT_AGREEMENT_DEFINITION: &str = "percent agreement as defined by Gwet (2014) and irrCAC: the mean, \
     over the units rated by two coders or more, of the share of coder pairs that agree";

/// Krippendorff's bands, for legends and JSON.
pub const RELIABILITY_BANDS: &str =
    "Krippendorff's alpha >= .800 reliable, >= .667 tentative (tentative conclusions only), below: not reliable";

/// How the Krippendorff/Hayes bootstrap is run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BootstrapSettings {
    /// Number of bootstrap replicates ([`DEFAULT_REPLICATES`] unless asked).
    pub replicates: usize,
    /// Seed of the random draws: the same seed and data always give the
    /// same interval ([`DEFAULT_SEED`] unless asked).
    pub seed: u64,
}

impl Default for BootstrapSettings {
    fn default() -> Self {
        BootstrapSettings {
            replicates: DEFAULT_REPLICATES,
            seed: DEFAULT_SEED,
        }
    }
}

/// Where the q of Brennan–Prediger and AC1 comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QKind {
    /// Present/absent: q = 2.
    Binary,
    /// The declared codes (codebook or `--categories`), used or not.
    Declared,
    /// The codes used in at least one rating.
    Observed,
}

impl QKind {
    /// The name written in the `categories_q_source` field of records.
    pub fn name(self) -> &'static str {
        match self {
            QKind::Binary => "binary",
            QKind::Declared => "declared",
            QKind::Observed => "observed",
        }
    }
}

/// Krippendorff's interpretation of alpha, as a word (undefined alpha: none).
pub fn reliability(alpha: Coef) -> Option<&'static str> {
    alpha.value().map(|a| {
        if a >= 0.800 {
            "reliable"
        } else if a >= 0.667 {
            "tentative"
        } else {
            "not reliable"
        }
    })
}

/// Every coefficient of one variable (one code, or the overall row).
#[derive(Debug, Clone, PartialEq)]
pub struct Agreement {
    /// The code (for nominal data, the category), or [`OVERALL`] for the
    /// pooled row.
    pub code: String,
    /// Units with at least one rating.
    pub n_units: usize,
    /// Units rated by two coders or more.
    pub n_pairable_units: usize,
    /// Coders with at least one rating.
    pub n_coders: usize,
    /// Percent agreement as a proportion in [0, 1] (see
    /// [`PERCENT_AGREEMENT_DEFINITION`]).
    pub percent_agreement: Coef,
    /// Cohen's kappa over the units both coders rated; undefined unless
    /// there are exactly two coders.
    pub cohen_kappa: Coef,
    /// Scott's pi over the units both coders rated; undefined unless there
    /// are exactly two coders.
    pub scott_pi: Coef,
    /// Fleiss' kappa, any number of coders, missing ratings as in Gwet
    /// (2014).
    pub fleiss_kappa: Coef,
    /// Brennan–Prediger coefficient (chance agreement 1/q, q =
    /// `categories_q`).
    pub brennan_prediger: Coef,
    /// Gwet's AC1 with q = `categories_q`.
    pub gwet_ac1: Coef,
    /// The q (number of categories) of Brennan–Prediger and AC1.
    pub categories_q: usize,
    /// Where `categories_q` comes from.
    pub q_kind: QKind,
    /// Krippendorff's alpha for nominal data.
    pub krippendorff_alpha: Coef,
    /// Alpha's 95 % confidence interval by the Krippendorff/Hayes
    /// bootstrap, or why it was not computed.
    pub bootstrap: Bootstrap,
}

impl Agreement {
    /// Computes every coefficient of `r`. `q` is the q wanted for
    /// Brennan–Prediger and AC1 (declared falls back to observed); `binary`
    /// says that `r` is present/absent data.
    pub fn measure(code: &str, r: &Ratings, q: QSource, binary: bool, boot: BootstrapSettings) -> Agreement {
        let bp = brennan_prediger(r, q);
        let ac1 = gwet_ac1(r, q);
        let q_kind = match (binary, ac1.source) {
            (true, _) => QKind::Binary,
            (false, QSource::Declared) => QKind::Declared,
            (false, QSource::Observed) => QKind::Observed,
        };
        Agreement {
            code: code.to_string(),
            n_units: r.data().iter().filter(|row| row.iter().any(Option::is_some)).count(),
            n_pairable_units: r.n_pairable_units(),
            n_coders: r.n_active_coders(),
            percent_agreement: percent_agreement(r),
            cohen_kappa: cohen_kappa(r),
            scott_pi: scott_pi(r),
            fleiss_kappa: fleiss_kappa(r),
            brennan_prediger: bp.value,
            gwet_ac1: ac1.value,
            categories_q: ac1.q,
            q_kind,
            krippendorff_alpha: krippendorff_alpha(r),
            bootstrap: kalpha_bootstrap(r, boot.replicates, boot.seed),
        }
    }

    /// Krippendorff's interpretation of this row's alpha (see
    /// [`reliability`]); `None` when alpha is undefined.
    pub fn reliability(&self) -> Option<&'static str> {
        reliability(self.krippendorff_alpha)
    }
}

/// What the data are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// One category per unit and coder: the overall row is that variable.
    Nominal,
    /// Several codes per unit: each code is present or absent; the overall
    /// row pools every (unit, code) decision.
    MultiCode,
}

/// Agreement per code, then overall.
#[derive(Debug, Clone)]
pub struct AgreementReport {
    /// Nominal or multi-code data, which decides what the overall row is.
    pub mode: Mode,
    /// The coders compared, in the order of their columns.
    pub coders: Vec<String>,
    /// Units with at least one rating.
    pub n_units: usize,
    /// Whether the codes are a declared list (codebook or `--categories`)
    /// rather than the codes found in the files.
    pub codes_declared: bool,
    /// Which units exist.
    pub universe: Universe,
    /// Whether every coder was taken to have read every document
    /// (`--all-rated`).
    pub all_rated: bool,
    /// One row per code, in code order, then the overall row.
    pub rows: Vec<Agreement>,
    /// How every row's bootstrap was run.
    pub boot: BootstrapSettings,
}

/// Computes the report. Codes are computed in parallel; each row's
/// bootstrap uses the same seed, so a row does not change when codes are
/// added or removed, and the result is the same on any number of threads.
pub fn agreement_report(data: &CodingData, boot: BootstrapSettings) -> AgreementReport {
    let mut rows: Vec<Agreement> = data
        .codes
        .par_iter()
        .map(|code| Agreement::measure(code, &data.presence(code), QSource::Declared, true, boot))
        .collect();
    let (mode, overall) = match data.nominal_ratings() {
        Some(r) => {
            let q = if data.declared {
                QSource::Declared
            } else {
                QSource::Observed
            };
            (Mode::Nominal, Agreement::measure(OVERALL, &r, q, false, boot))
        }
        None => (
            Mode::MultiCode,
            Agreement::measure(OVERALL, &data.pooled_presence(), QSource::Declared, true, boot),
        ),
    };
    rows.push(overall);
    AgreementReport {
        mode,
        coders: data.coders.clone(),
        n_units: data.cells.iter().filter(|row| row.iter().any(Option::is_some)).count(),
        codes_declared: data.declared,
        universe: data.universe,
        all_rated: data.all_rated,
        rows,
        boot,
    }
}

/// The field names of agreement records (CSV columns, JSON keys).
pub const AGREEMENT_FIELDS: &[&str] = &[
    "code",
    "n_units",
    "n_pairable_units",
    "n_coders",
    "percent_agreement",
    "percent_agreement_reason",
    "cohen_kappa",
    "cohen_kappa_reason",
    "scott_pi",
    "scott_pi_reason",
    "fleiss_kappa",
    "fleiss_kappa_reason",
    "brennan_prediger",
    "brennan_prediger_reason",
    "gwet_ac1",
    "gwet_ac1_reason",
    "categories_q",
    "categories_q_source",
    "krippendorff_alpha",
    "krippendorff_alpha_reason",
    "alpha_ci_low",
    "alpha_ci_high",
    "q_alpha_below_0667",
    "q_alpha_below_0800",
    "alpha_ci_reason",
    "bootstrap_draws",
    "bootstrap_replicates",
    "bootstrap_seed",
    "reliability",
];

impl AgreementReport {
    fn two_coders(&self) -> bool {
        self.coders.len() == 2
    }

    fn universe_description(&self) -> String {
        let rated = if self.all_rated {
            "every coder is taken to have read every document (--all-rated)"
        } else {
            "a coder rated the documents in which it has a row"
        };
        match self.universe {
            Universe::Transcripts => format!("every unit of the transcripts, coded or not; {rated}"),
            Universe::CodedUnits => {
                format!("the units some coder coded (units nobody coded are not known without --transcripts); {rated}")
            }
            Universe::Listed => {
                "the units listed in the files; a unit without a row from a coder is not rated by that coder"
                    .to_string()
            }
        }
    }
}

impl Report for AgreementReport {
    fn summary(&self, _style: Style) -> Vec<String> {
        vec![self.summary_line()]
    }

    fn table(&self, notes: &mut Footnotes, _style: Style) -> Option<Table> {
        Some(self.people_table(notes))
    }

    fn legend(&self) -> Vec<String> {
        let overall = self.rows.last().expect("the overall row");
        let codes = self.rows.len() - 1;
        let mut out = vec![format!("agreement: {PERCENT_AGREEMENT_DEFINITION}.")];
        out.push(if self.two_coders() {
            "Cohen κ: Cohen's kappa over the units both coders rated (listwise); Scott's π is in the CSV and JSON \
             outputs."
                .to_string()
        } else {
            "Fleiss κ: Fleiss' kappa with Gwet's (2014) conventions for missing ratings (single-rated units count \
             in the category shares)."
                .to_string()
        });
        let overall_q = match overall.q_kind {
            QKind::Binary => "q = 2 (present/absent)".to_string(),
            QKind::Declared => format!("q = {} (the declared codes, used or not)", overall.categories_q),
            QKind::Observed => format!(
                "q = {} (the codes observed; no codebook declared)",
                overall.categories_q
            ),
        };
        out.push(match self.mode {
            Mode::MultiCode => format!(
                "AC1: Gwet's AC1 with {overall_q}; Brennan–Prediger with the same q is in the CSV and JSON outputs."
            ),
            Mode::Nominal => format!(
                "AC1: Gwet's AC1, per category with q = 2 (present/absent), overall with {overall_q}; \
                 Brennan–Prediger with the same q is in the CSV and JSON outputs."
            ),
        });
        out.push(format!(
            "α: Krippendorff's alpha (nominal). 95% CI: {KALPHA_BOOTSTRAP_METHOD}, {} replicates, seed {}.",
            self.boot.replicates, self.boot.seed
        ));
        out.push(format!("reliability: {RELIABILITY_BANDS}."));
        out.push(match self.mode {
            Mode::MultiCode => format!(
                "each code: present or absent in each unit a coder rated (a parent code where it or any of \
                 its sub-codes was applied); a unit the coder did not rate is missing, not absent. {OVERALL}: every (unit, code) decision pooled as one present/absent \
                 variable ({} units × {codes} codes = {} decisions); its agreement is the mean of the codes' \
                 agreements, and its chance terms use the pooled share of \"present\".",
                self.n_units, overall.n_units
            ),
            Mode::Nominal => format!(
                "each category: chosen or not by each coder, per unit. {OVERALL}: the nominal variable itself \
                 (one category per unit and coder)."
            ),
        });
        out.push(format!("units: {}.", self.universe_description()));
        out
    }

    fn records(&self) -> Records {
        Records::new(AGREEMENT_FIELDS, self.rows())
    }

    fn sheets(&self) -> Vec<Sheet> {
        vec![Sheet::new("agreement", self.records())]
    }

    fn json(&self, provenance: &Provenance, warnings: &[String]) -> JsonObject {
        let head = JsonObject::new().value("about", provenance);
        let json = {
            let overall_definition = match self.mode {
                Mode::MultiCode => {
                    "every (unit, code) presence decision pooled as one present/absent variable; percent agreement \
                 is the mean of the codes' percent agreements; chance terms use the pooled share of present"
                }
                Mode::Nominal => "the nominal variable (one category per unit and coder)",
            };
            head.value(
                "data",
                match self.mode {
                    Mode::Nominal => "nominal",
                    Mode::MultiCode => "multi_code",
                },
            )
            .value("coders", &self.coders)
            .value("n_units", self.n_units)
            .value("unit_universe", self.universe_description())
            .value("codes_declared", self.codes_declared)
            .value(
                "definitions",
                serde_json::json!({
                    "percent_agreement": PERCENT_AGREEMENT_DEFINITION,
                    "overall": overall_definition,
                    "reliability": RELIABILITY_BANDS,
                }),
            )
            .value(
                "bootstrap",
                serde_json::json!({
                    "method": KALPHA_BOOTSTRAP_METHOD,
                    "replicates": self.boot.replicates,
                    "seed": self.boot.seed,
                }),
            )
            .records("rows", self.rows())
        };
        json.value("warnings", warnings)
    }
}

impl AgreementReport {
    fn summary_line(&self) -> String {
        let codes = self.rows.len() - 1;
        let what = match self.mode {
            Mode::Nominal => format!("nominal data: one of {} per unit and coder", counted(codes, "category")),
            Mode::MultiCode => format!(
                "multi-code data: {}, each present or absent per unit",
                counted(codes, "code")
            ),
        };
        format!(
            "{} coders ({}) · {} · {what}",
            self.coders.len(),
            self.coders.join(", "),
            counted(self.n_units, "unit")
        )
    }

    fn people_table(&self, notes: &mut Footnotes) -> Table {
        let kappa = if self.two_coders() { "Cohen κ" } else { "Fleiss κ" };
        let header = [
            ("code", Align::Left),
            ("units", Align::Right),
            ("pairable", Align::Right),
            ("coders", Align::Right),
            ("agreement", Align::Right),
            (kappa, Align::Right),
            ("AC1", Align::Right),
            ("α", Align::Right),
            ("α 95% CI", Align::Right),
            ("reliability", Align::Left),
        ];
        let mut t = Table::new(header.iter().map(|(h, a)| (h.to_string(), *a)).collect());
        for a in &self.rows {
            let k = if self.two_coders() {
                a.cohen_kappa
            } else {
                a.fleiss_kappa
            };
            t.push(vec![
                a.code.clone(),
                a.n_units.to_string(),
                a.n_pairable_units.to_string(),
                a.n_coders.to_string(),
                notes.percent(a.percent_agreement),
                notes.coef(k),
                notes.coef(a.gwet_ac1),
                notes.coef(a.krippendorff_alpha),
                notes.interval(&a.bootstrap),
                a.reliability().unwrap_or("—").to_string(),
            ]);
        }
        t
    }

    fn rows(&self) -> Vec<Record> {
        self.rows
            .iter()
            .map(|a| {
                let mut r = Record::new(AGREEMENT_FIELDS);
                r.text(a.code.clone())
                    .int(a.n_units)
                    .int(a.n_pairable_units)
                    .int(a.n_coders)
                    .coef(a.percent_agreement)
                    .coef(a.cohen_kappa)
                    .coef(a.scott_pi)
                    .coef(a.fleiss_kappa)
                    .coef(a.brennan_prediger)
                    .coef(a.gwet_ac1)
                    .int(a.categories_q)
                    .text(a.q_kind.name())
                    .coef(a.krippendorff_alpha);
                match &a.bootstrap {
                    Bootstrap::Computed(k) => {
                        r.num(Some(k.ci_low))
                            .num(Some(k.ci_high))
                            .num(Some(k.q_below_0667))
                            .num(Some(k.q_below_0800))
                            .opt_text(None)
                            .int(k.m_draws);
                    }
                    Bootstrap::NotComputed(skip) => {
                        r.num(None)
                            .num(None)
                            .num(None)
                            .num(None)
                            .text(skip.message())
                            .opt_text(None);
                    }
                }
                r.int(self.boot.replicates)
                    .push(crate::report::Field::Int(self.boot.seed))
                    .opt_text(a.reliability().map(str::to_string));
                r
            })
            .collect()
    }
}

/// Every unit where the coders who rated it applied different codes, with
/// what each coder applied, for adjudication in a spreadsheet: one column
/// per coder (`(not rated)` and `(no code)` kept apart), the codes in
/// dispute, and an empty `decision` column.
pub fn disagreements(data: &CodingData) -> Table {
    const FIXED: &[&str] = &[
        "unit",
        "document",
        "segment",
        "start_line",
        "end_line",
        "speaker",
        "text",
        "disputed_codes",
    ];
    let coder_column = |c: &String| {
        if FIXED.contains(&c.as_str()) || c == "decision" {
            format!("coder {c}")
        } else {
            c.clone()
        }
    };
    let header: Vec<(String, Align)> = FIXED
        .iter()
        .map(|h| h.to_string())
        .chain(data.coders.iter().map(coder_column))
        .chain(std::iter::once("decision".to_string()))
        .map(|h| (h, Align::Left))
        .collect();
    let mut t = Table::new(header);
    let number = |n: usize| if n == 0 { String::new() } else { n.to_string() };
    for u in data.disputed_units() {
        let info = &data.units[u];
        let mut row = vec![
            info.label.clone(),
            info.document.clone(),
            number(info.segment),
            number(info.start_line),
            number(info.end_line),
            info.speaker.clone(),
            info.text.clone(),
            data.disputed_codes(u).join("; "),
        ];
        row.extend(data.cells[u].iter().map(|cell| {
            match cell {
                None => "(not rated)".to_string(),
                Some(s) if s.is_empty() => "(no code)".to_string(),
                Some(s) => data
                    .codes
                    .iter()
                    .filter(|c| s.contains(*c))
                    .map(String::as_str)
                    .collect::<Vec<_>>()
                    .join("; "),
            }
        }));
        row.push(String::new());
        t.push(row);
    }
    t
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::reliability::data::UnitInfo;
    use crate::stats::Reason;

    fn set(codes: &[&str]) -> Option<BTreeSet<String>> {
        Some(codes.iter().map(|c| c.to_string()).collect())
    }

    /// Notes §7: two coders, 8 units, one code: κ = .75, α = .7619.
    fn section7() -> CodingData {
        let a = [1, 1, 1, 1, 0, 0, 0, 0];
        let b = [1, 1, 1, 0, 0, 0, 0, 0];
        let cell = |x: i32| if x == 1 { set(&["x"]) } else { set(&[]) };
        CodingData {
            units: (1..=8)
                .map(|i| UnitInfo {
                    label: format!("u{i}"),
                    ..UnitInfo::default()
                })
                .collect(),
            coders: vec!["a".into(), "b".into()],
            codes: vec!["x".into(), "unused".into()],
            declared: true,
            cells: a.iter().zip(b).map(|(&x, y)| vec![cell(x), cell(y)]).collect(),
            nominal: false,
            matched: Default::default(),
            universe: Universe::Listed,
            all_rated: false,
        }
    }

    #[test]
    fn per_code_and_pooled_rows() {
        let boot = BootstrapSettings {
            replicates: 200,
            seed: 7,
        };
        let r = agreement_report(&section7(), boot);
        assert_eq!(r.mode, Mode::MultiCode);
        let x = &r.rows[0];
        assert_eq!(x.percent_agreement, Coef::Value(0.875));
        assert!((x.cohen_kappa.value().unwrap() - 0.75).abs() < 1e-12);
        assert!((x.krippendorff_alpha.value().unwrap() - (1.0 - (2.0 / 16.0) / 0.525)).abs() < 1e-12);
        assert_eq!(x.reliability(), Some("tentative"));
        // The declared code nobody used: no variation, but AC1 = 1 (q = 2).
        let unused = &r.rows[1];
        assert_eq!(unused.cohen_kappa, Coef::Undefined(Reason::NoVariation));
        assert_eq!(unused.krippendorff_alpha, Coef::Undefined(Reason::NoVariation));
        assert_eq!(unused.gwet_ac1, Coef::Value(1.0));
        assert_eq!(unused.percent_agreement, Coef::Value(1.0));
        // Overall: 16 decisions; agreement = mean of 0.875 and 1.
        let all = &r.rows[2];
        assert_eq!((all.code.as_str(), all.n_units), (OVERALL, 16));
        assert_eq!(all.percent_agreement, Coef::Value(0.9375));
        // Pooled 2×2: both 3, a only 1, neither 12 → Cohen κ on 16 units.
        let po = 15.0 / 16.0;
        let pe = (4.0 / 16.0) * (3.0 / 16.0) + (12.0 / 16.0) * (13.0 / 16.0);
        assert!((all.cohen_kappa.value().unwrap() - (po - pe) / (1.0 - pe)).abs() < 1e-12);
    }

    #[test]
    fn table_marks_undefined_with_notes() {
        let r = agreement_report(
            &section7(),
            BootstrapSettings {
                replicates: 100,
                seed: 1,
            },
        );
        let mut notes = Footnotes::default();
        let t = r.people_table(&mut notes);
        assert_eq!(t.rows[1][5], "undefined [1]");
        assert_eq!(t.rows[1][8], "—");
        assert_eq!(t.rows[0][4], "87.50%");
        assert_eq!(
            notes.lines(),
            ["[1] no variation: every coder used one category (1 − Pe = 0)"]
        );
        let json = serde_json::to_value(&r.rows()[1]).unwrap();
        assert!(json["cohen_kappa"].is_null());
        assert_eq!(
            json["cohen_kappa_reason"],
            "no variation: every coder used one category (1 − Pe = 0)"
        );
    }

    #[test]
    fn disagreements_list_only_units_that_differ() {
        let mut d = section7();
        d.cells[7][1] = None;
        let t = disagreements(&d);
        assert_eq!(t.rows.len(), 1);
        assert_eq!(t.rows[0][0], "u4");
        assert_eq!(t.rows[0][7], "x");
        assert_eq!((t.rows[0][8].as_str(), t.rows[0][9].as_str()), ("x", "(no code)"));
        assert_eq!(t.header.last().unwrap(), "decision");
    }
}
