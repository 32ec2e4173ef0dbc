//! `qcode agree`: inter-coder agreement per code and overall.

use std::path::PathBuf;

use qcode::codebook::Codebook;
use qcode::coding::CodeTree;
use qcode::corpus::Selection;
use qcode::reliability::adjudicate::decision_sheet;
use qcode::reliability::agreement::{
    BootstrapSettings, DEFAULT_REPLICATES, DEFAULT_SEED, agreement_report, disagreements,
};
use qcode::reliability::coded::from_coded;
use qcode::reliability::data::{Options, UnitKind, transcript_unit, unit_of_codings};
use qcode::reliability::input::{CodedFile, InputFile, LongFile, read_input};
use qcode::reliability::long::from_long;
use qcode::reliability::spans::{SpanOptions, span_report};
use qcode::report::{Format, Provenance};
use qcode::segment::Unit;
use qcode::stats::OverlapBasis;
use qcode::transcripts::Transcripts;
use qcode::{Error, Result};

use super::util::{
    FilterArgs, Gate, ReadArgs, check_gate, choice, message, optional_codebook, parse_threshold, warn, write_report_to,
    write_sheet_to,
};
use qcode::stats::Coef;

/// Inter-coder agreement: how consistently two or more coders (people, or
/// qcode against a person) applied the same codebook to the same texts.
///
/// One row per code — was the code applied to the unit, yes or no — and an
/// overall row, with percent agreement, Cohen's or Fleiss' kappa, Gwet's
/// AC1, Krippendorff's alpha with a bootstrap 95% interval, and
/// Krippendorff's verdict (reliable, tentative, not reliable). The legend
/// under the table defines every number; undefined values say why.
///
/// FILES are coded CSVs (one per coder, or one with a `coder` column), or
/// long-format files `unit,coder,code` (one row per rating; a nominal
/// variable when every unit gets one code) or `unit,coder,codes` (codes
/// separated by `;`). In the long formats an empty code means "rated, no
/// code applies" and a missing row "not rated".
///
/// Examples:
///   qcode agree samples/coders/ana.csv samples/coders/luis.csv \
///       --transcripts samples/transcripts -c codebooks/smuggling.yaml
///   qcode agree samples/coders/ana.csv samples/coders/luis.csv \
///       --transcripts samples/transcripts -c codebooks/smuggling.yaml \
///       --disagreements to_adjudicate.csv
///   qcode agree samples/coders/ana.csv samples/coders/luis.csv --unit document
///   qcode agree samples/coders/ana.csv samples/coders/luis.csv --spans \
///       --overlap 80 --transcripts samples/transcripts
///   qcode agree samples/coders/financing.csv --format json
#[derive(clap::Args, Debug)]
#[command(
    verbatim_doc_comment,
    about = "Inter-coder agreement per code and overall, with the disagreements"
)]
pub struct Args {
    /// Coded CSVs, or long-format files (`unit,coder,code` or
    /// `unit,coder,codes`).
    #[arg(value_name = "FILES", required = true)]
    files: Vec<PathBuf>,
    /// What one unit is, for coded CSVs: a segment as coded (paragraph,
    /// turn…), or a whole document (was the code applied anywhere in it?).
    #[arg(long, value_parser = choice::<UnitKind>())]
    unit: Option<UnitKind>,
    /// Compare the stretches of text each coder marked (character offsets):
    /// character-level agreement and kappa per code and document, as NVivo
    /// does, and segment matching, as MAXQDA does. Two coders.
    #[arg(long)]
    spans: bool,
    /// With --spans: how much two segments must overlap to match, in
    /// percent of the --overlap-basis length.
    #[arg(long, value_name = "PERCENT", default_value = "90", value_parser = parse_overlap, requires = "spans")]
    overlap: f64,
    /// With --spans: what the overlap is a percentage of.
    #[arg(long, value_enum, default_value_t = Basis::Longer, requires = "spans")]
    overlap_basis: Basis,
    /// The codebook: declares every code, so codes nobody used still get a
    /// row and count in the overall figures; also gives the speaker pattern
    /// and unit for cutting --transcripts.
    #[arg(long, short = 'c', value_name = "FILE", conflicts_with = "categories")]
    codebook: Option<PathBuf>,
    /// Declare the codes (categories) without a codebook: a,b,c.
    #[arg(long, value_name = "CODES", value_delimiter = ',')]
    categories: Vec<String>,
    /// Compare only these coders: NAME,NAME.
    #[arg(long, value_name = "NAMES", value_delimiter = ',')]
    coders: Vec<String>,
    /// The transcripts the coded CSVs were made from (files or folders).
    /// Every segment then counts, coded or not, and the rows are checked
    /// against the segments; with --spans they give documents' lengths.
    #[arg(long, value_name = "PATH")]
    transcripts: Vec<PathBuf>,
    /// How to read --transcripts (the speaker pattern defaults to the
    /// codebook's).
    #[command(flatten)]
    pub(crate) read: ReadArgs,
    #[command(flatten)]
    filter: FilterArgs,
    /// Every coder read every document: a document without any row of a
    /// coder counts as "rated, no code applies" for that coder, not as
    /// "not rated".
    #[arg(long)]
    all_rated: bool,
    /// Bootstrap replicates for alpha's 95% interval.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_REPLICATES)]
    replicates: usize,
    /// Seed of the bootstrap: the same seed gives the same interval.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_SEED)]
    seed: u64,
    /// Output format [default: from the extension of --out (.csv, .json,
    /// .md), else table].
    #[arg(long, value_parser = choice::<Format>())]
    format: Option<Format>,
    /// Write to this file instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    out: Option<PathBuf>,
    /// Write every unit where the coders differ to this CSV (or .xlsx, whose
    /// `decision` column offers the choices in a drop-down), with what each
    /// coder applied, for adjudication: fill in `decision` and run
    /// `qcode adjudicate`.
    #[arg(long, value_name = "FILE.csv", conflicts_with = "spans")]
    disagreements: Option<PathBuf>,
    /// Exit with 1 when Krippendorff's alpha is under this value (overall,
    /// or for every code with --per-code): a gate for CI. The report is
    /// written either way; 2 stays for errors.
    #[arg(long, value_name = "ALPHA", value_parser = parse_threshold, conflicts_with = "spans")]
    fail_under_alpha: Option<f64>,
    /// With --fail-under-alpha: check every code's alpha rather than the
    /// overall one (codes whose alpha is undefined are named, not failed).
    #[arg(long, requires = "fail_under_alpha")]
    per_code: bool,
}

/// What segment overlap is measured against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Basis {
    /// The longer of the two segments (symmetric; the default).
    Longer,
    /// The stretch both segments cover together (strictest).
    Union,
    /// The shorter segment (a short segment inside a long one matches).
    Shorter,
}

impl From<Basis> for OverlapBasis {
    fn from(b: Basis) -> Self {
        match b {
            Basis::Longer => OverlapBasis::Longer,
            Basis::Union => OverlapBasis::Union,
            Basis::Shorter => OverlapBasis::Shorter,
        }
    }
}

/// A percentage (`90`, `90%`, `87.5`) as a fraction. A bare number of 1 or
/// less is refused: `0.9` is far more likely a fraction than 0.9 %.
fn parse_overlap(s: &str) -> std::result::Result<f64, String> {
    let (number, percent_sign) = match s.trim().strip_suffix('%') {
        Some(n) => (n.trim(), true),
        None => (s.trim(), false),
    };
    let p: f64 = number
        .parse()
        .map_err(|_| format!("`{s}` is not a percentage; write e.g. 90 or 90%"))?;
    if !(p > 0.0 && p <= 100.0) {
        return Err(format!("the overlap is a percentage between 0 and 100, not {s}"));
    }
    if p <= 1.0 && !percent_sign {
        return Err(format!(
            "write the overlap as a percentage: --overlap {} for {p}, or --overlap {s}% if you mean {s} percent",
            p * 100.0
        ));
    }
    Ok(p / 100.0)
}

pub fn run(args: Args) -> Result<Gate> {
    let replicates = args.replicates;
    qcode::limits::REPLICATES
        .check(replicates as u64, || {
            format!("--replicates {replicates} asks for {replicates} bootstrap replicates")
        })
        .map_err(|e| e.kind(qcode::ErrorKind::Usage))?;
    let codebook = optional_codebook(args.codebook.as_ref())?;
    let declared = declared_codes(codebook.as_ref(), &args.categories)?;
    let coders = (!args.coders.is_empty()).then_some(args.coders.as_slice());
    let mut coded: Vec<CodedFile> = Vec::new();
    let mut long: Vec<LongFile> = Vec::new();
    for path in &args.files {
        match read_input(path)? {
            InputFile::Coded(mut f) => {
                f.codings = args.filter.keep_codings(f.codings)?;
                coded.push(f)
            }
            InputFile::Long(_) if !args.filter.conditions.is_empty() => {
                return Err(Error::usage(
                    "--where chooses documents by their attributes, which long-format files do not have",
                )
                .in_file(path)
                .hint("give coded CSVs with attribute columns, or drop --where"));
            }
            InputFile::Long(f) => long.push(f),
        }
    }
    if !coded.is_empty() && !long.is_empty() {
        return Err(Error::new(format!(
            "{} is a coded CSV and {} a long-format file",
            coded[0].name, long[0].name
        ))
        .hint("give all files in the same layout"));
    }
    if let Some(declared) = &declared {
        for f in &mut coded {
            f.resolve_codes(declared);
        }
    }
    // Parents compare the passages coded with them or any sub-code.
    let (tree, _) = CodeTree::for_codings(codebook.as_ref(), coded.iter().flat_map(|f| &f.codings));
    let unit_kind = args.unit.unwrap_or_default();
    let transcripts = load_transcripts(&args, codebook.as_ref(), &mut coded, unit_kind)?;
    let file_names = args.files.iter().map(|p| p.display().to_string()).collect();

    if args.spans {
        if coded.is_empty() {
            return Err(
                Error::new("--spans compares character offsets, which long-format files do not have")
                    .hint("give coded CSVs with `start_char` and `end_char`, or leave out --spans"),
            );
        }
        let opts = SpanOptions {
            declared: declared.as_deref(),
            coders,
            transcripts: transcripts.as_ref(),
            all_rated: args.all_rated,
            tree: Some(&tree),
            threshold: args.overlap,
            basis: args.overlap_basis.into(),
        };
        let (report, warnings) = span_report(&coded, &opts)?;
        warnings.iter().for_each(|w| warn(w));
        let provenance = Provenance::new(codebook.as_ref(), file_names, Some("characters"));
        return write_report_to(
            args.out.as_deref(),
            Format::resolve(args.format, args.out.as_deref())?,
            &report,
            &provenance,
            &warnings,
        )
        .map(|()| Gate::Passed);
    }

    let opts = Options {
        unit: unit_kind,
        declared: declared.as_deref(),
        coders,
        transcripts: transcripts.as_ref(),
        all_rated: args.all_rated,
        complete_coder: None,
        tree: Some(&tree),
    };
    let built = if long.is_empty() {
        from_coded(&coded, &opts)?
    } else {
        from_long(&long, &opts)?
    };
    built.warnings.iter().for_each(|w| warn(w));
    let boot = BootstrapSettings {
        replicates: args.replicates,
        seed: args.seed,
    };
    let report = agreement_report(&built.data, boot);
    let unit_name = match (long.is_empty(), unit_kind) {
        (false, _) => None,
        (true, UnitKind::Document) => Some("document".to_string()),
        (true, UnitKind::Segment) => Some(unit_of_codings(&coded)?.map_or("segment", Unit::as_str).to_string()),
    };
    let provenance = Provenance::new(codebook.as_ref(), file_names, unit_name.as_deref());
    write_report_to(
        args.out.as_deref(),
        Format::resolve(args.format, args.out.as_deref())?,
        &report,
        &provenance,
        &built.warnings,
    )?;
    if let Some(path) = &args.disagreements {
        let table = disagreements(&built.data);
        write_sheet_to(path, decision_sheet(&table, &built.data.coders))?;
        message(&format!(
            "{} unit(s) where the coders differ written to {}",
            table.rows.len(),
            path.display()
        ));
    }
    Ok(match args.fail_under_alpha {
        None => Gate::Passed,
        Some(threshold) => {
            let rows: Vec<(&str, Coef)> = report
                .rows
                .iter()
                .map(|r| (r.code.as_str(), r.krippendorff_alpha))
                .collect();
            check_gate(&rows, threshold, args.per_code, "alpha")
        }
    })
}

/// The declared codes: the codebook's, or `--categories` (each once).
fn declared_codes(codebook: Option<&Codebook>, categories: &[String]) -> Result<Option<Vec<String>>> {
    if let Some(cb) = codebook {
        return Ok(Some(cb.code_names()));
    }
    if categories.is_empty() {
        return Ok(None);
    }
    let mut seen: Vec<String> = Vec::new();
    for c in categories.iter().map(|c| c.trim()) {
        if c.is_empty() || seen.iter().any(|s| s == c) {
            return Err(Error::new(format!("--categories names `{c}` twice or is empty"))
                .hint("list each code once, separated by commas: --categories a,b,c"));
        }
        seen.push(c.to_string());
    }
    Ok(Some(seen))
}

/// Reads and segments `--transcripts` as `qcode code` would have cut them
/// for the coded files.
fn load_transcripts(
    args: &Args,
    codebook: Option<&Codebook>,
    coded: &mut [CodedFile],
    unit_kind: UnitKind,
) -> Result<Option<Transcripts>> {
    if args.transcripts.is_empty() {
        if let Some(option) = args.read.first_given() {
            return Err(
                Error::usage(format!("{option} applies to --transcripts, which were not given"))
                    .hint(format!("add --transcripts FOLDER, or drop {option}")),
            );
        }
        return Ok(None);
    }
    let unit = transcript_unit(unit_kind, coded, codebook)?;
    let speakers = args.read.speaker_rule_or(codebook)?;
    let people = codebook.map(|c| c.people.clone()).unwrap_or_default();
    let filter = args.filter.filter()?;
    let selection = Selection::new(None, &filter);
    let (transcripts, warnings) = Transcripts::load(
        &args.transcripts,
        &args.read.read_options()?,
        &selection,
        &speakers,
        &people,
        unit,
    )?;
    warnings.iter().for_each(|w| warn(w));
    // The codings of documents --where leaves out go with them.
    for f in coded {
        f.codings.retain(|c| !selection.refused(&c.document));
    }
    Ok(Some(transcripts))
}

#[cfg(test)]
mod tests {
    use super::parse_overlap;

    #[test]
    fn overlap_is_a_percentage() {
        assert_eq!(parse_overlap("90"), Ok(0.9));
        assert_eq!(parse_overlap("75%"), Ok(0.75));
        assert_eq!(parse_overlap("1%"), Ok(0.01));
        assert!(parse_overlap("0.9").unwrap_err().contains("--overlap 90"));
        assert!(parse_overlap("120").is_err());
        assert!(parse_overlap("abc").is_err());
    }
}
