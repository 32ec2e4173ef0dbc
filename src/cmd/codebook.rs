//! `qcode codebook`: check a codebook and print its code tree; test it
//! against its examples; compare two versions on a corpus.

use std::io::Write;
use std::path::{Path, PathBuf};

use qcode::codebook::Codebook;
use qcode::develop::examples::TestRun;
use qcode::files::output::Output;
use qcode::report::{Align, Format, Provenance, Table, counted};
use qcode::{Error, Result};

use qcode::develop::diff::CodebookDiff;
use qcode::develop::lint::{Lint, LintOptions};
use qcode::pipeline;
use qcode::reliability::input::read_gold;

use super::util::{CorpusArgs, Gate, Progress, choice, terminal_width, write_report_to};

#[derive(clap::Subcommand, Debug)]
pub enum Command {
    /// Check a codebook and print its code tree with each code's rules.
    ///
    /// Every problem is reported with the file, line and column, the code,
    /// and what to write instead.
    ///
    /// Examples:
    ///   qcode codebook check codebooks/smuggling.yaml
    ///   qcode codebook check codebooks/minimal.yaml
    #[command(verbatim_doc_comment)]
    Check {
        /// The codebook (YAML).
        file: PathBuf,
    },
    /// Test a codebook against its own examples: every code's `examples`
    /// must be coded by its rules, none of its `counterexamples` may be.
    ///
    /// One line per failing passage with the code, the passage and why
    /// (no rule fired, vetoed by a `not` term, below `min_hits`, left out
    /// by the speaker scope; for a counterexample, the rules that fired),
    /// then a summary line. Exits with 1 when a test fails (2 on errors),
    /// so that CI can run it on every commit of the codebook. Speaker
    /// scopes apply only to passages that start with a speaker label
    /// ("Interviewer: …").
    ///
    /// Examples:
    ///   qcode codebook test codebooks/smuggling.yaml
    ///   qcode codebook test codebooks/smuggling.yaml --format junit \
    ///       --out codebook-tests.xml
    #[command(verbatim_doc_comment)]
    Test {
        /// The codebook (YAML).
        file: PathBuf,
        /// Output format: a report format, or `junit` (JUnit XML, which CI
        /// systems show as test results) [default: from the extension of
        /// --out (.xml is junit), else table].
        #[arg(long, value_parser = ["table", "csv", "json", "markdown", "xlsx", "junit"])]
        format: Option<String>,
        /// Write to this file instead of standard output.
        #[arg(long, short = 'o', value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// What an edit of the codebook changes on the corpus: per code, the
    /// passages gained and lost (document, lines, speaker, text, the rule
    /// and the words behind the change) and a summary table (code, before,
    /// after, gained, lost).
    ///
    /// OLD and NEW are codebook files, or `git:REV:PATH` for a version in
    /// git (`git:HEAD~1:codebooks/smuggling.yaml`, read with `git show`).
    /// Both are applied in one pass over the INPUTS. With --gold, the
    /// precision, recall and F1 of each code before and after.
    ///
    /// Examples:
    ///   qcode codebook diff codebooks/minimal.yaml codebooks/smuggling.yaml \
    ///       samples/transcripts
    ///   qcode codebook diff codebooks/minimal.yaml codebooks/smuggling.yaml \
    ///       samples/transcripts --gold samples/coders/gold.csv --format markdown
    #[command(verbatim_doc_comment)]
    Diff(Box<DiffArgs>),
    /// Findings about a codebook on a corpus, each with its reason: rules
    /// that never fire, keywords another keyword of the code already
    /// covers, codes that fire on more than a share of passages, sibling
    /// codes that always fire together, patterns that can match very short
    /// or empty text, keywords that occur only in speaker labels or
    /// headers, `not` terms that veto every hit, examples written twice.
    ///
    /// With --deny warnings, exits with 1 when there is a finding (2 stays
    /// for errors).
    ///
    /// Examples:
    ///   qcode codebook lint codebooks/smuggling.yaml samples/transcripts
    ///   qcode codebook lint codebooks/smuggling.yaml samples/transcripts \
    ///       --format csv --out findings.csv
    #[command(verbatim_doc_comment)]
    Lint(Box<LintArgs>),
}

/// The options of `qcode codebook lint`.
#[derive(clap::Args, Debug)]
pub struct LintArgs {
    /// The codebook (YAML).
    file: PathBuf,
    #[command(flatten)]
    corpus: CorpusArgs,
    /// `warnings`: exit with 1 when there is any finding.
    #[arg(long, value_name = "WHAT", value_parser = ["warnings"])]
    deny: Option<String>,
    /// Report codes that fire on more than this share of passages.
    #[arg(long, value_name = "SHARE", default_value_t = 0.5, value_parser = parse_share)]
    max_share: f64,
    /// Output format [default: from the extension of --out (.csv, .json,
    /// .md), else table].
    #[arg(long, value_parser = choice::<Format>())]
    format: Option<Format>,
    /// Write to this file instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    out: Option<PathBuf>,
}

/// A share of passages, from 0 to 1.
fn parse_share(s: &str) -> std::result::Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(v) if (0.0..=1.0).contains(&v) => Ok(v),
        _ => Err(format!("`{s}` is not a share; write a number from 0 to 1, such as 0.5")),
    }
}

fn lint(args: LintArgs) -> Result<Gate> {
    if args.corpus.codebook.is_some() {
        return Err(
            Error::usage("`codebook lint` takes the codebook as its first argument, not with -c")
                .hint("qcode codebook lint CODEBOOK.yaml INPUTS…"),
        );
    }
    if args.corpus.inputs.is_empty() {
        return Err(Error::usage("no transcripts to lint the codebook on").hint(
            "give the transcripts after the codebook: qcode codebook lint codebooks/smuggling.yaml samples/transcripts",
        ));
    }
    let cb = Codebook::load(&args.file)?;
    let options = LintOptions {
        max_share: args.max_share,
        ..LintOptions::default()
    };
    let mut lint = Lint::new(&cb, options)?;
    let (setup, sources) = args.corpus.setup_with(lint.derived.clone())?;
    pipeline::run(&sources, &setup, &Progress::new(), |coded| {
        lint.add(&coded);
        Ok(())
    })?;
    args.corpus.check_attributes(&setup);
    let findings = lint.finish();
    let provenance = Provenance::new(Some(&cb), Vec::new(), Some(setup.unit.as_str()));
    let format = Format::resolve(args.format, args.out.as_deref())?;
    write_report_to(args.out.as_deref(), format, &findings, &provenance, &[])?;
    Ok(Gate::from_passed(args.deny.is_none() || findings.findings.is_empty()))
}

impl Command {
    /// The `-j` of a subcommand that reads transcripts.
    pub fn threads(&self) -> Option<usize> {
        match self {
            Command::Diff(args) => args.corpus.read.threads,
            Command::Lint(args) => args.corpus.read.threads,
            _ => None,
        }
    }
}

/// The options of `qcode codebook diff`.
#[derive(clap::Args, Debug)]
pub struct DiffArgs {
    /// The codebook before the edit: a file, or `git:REV:PATH`.
    old: String,
    /// The codebook after the edit: a file, or `git:REV:PATH`.
    new: String,
    #[command(flatten)]
    corpus: CorpusArgs,
    /// A human's coded CSV: precision, recall and F1 of each code before
    /// and after.
    #[arg(long, value_name = "HUMAN.csv")]
    gold: Option<PathBuf>,
    /// The gold file's coder, when it holds the codings of several coders.
    #[arg(long, value_name = "NAME", requires = "gold")]
    gold_coder: Option<String>,
    /// Output format [default: from the extension of --out (.csv, .json,
    /// .md), else table].
    #[arg(long, value_parser = choice::<Format>())]
    format: Option<Format>,
    /// Write to this file instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    out: Option<PathBuf>,
}

pub fn run(command: Command) -> Result<Gate> {
    match command {
        Command::Check { file } => check(&file).map(|()| Gate::Passed),
        Command::Test { file, format, out } => test(&file, format.as_deref(), out.as_deref()),
        Command::Diff(args) => diff(*args).map(|()| Gate::Passed),
        Command::Lint(args) => lint(*args),
    }
}

fn diff(args: DiffArgs) -> Result<()> {
    if args.corpus.codebook.is_some() {
        return Err(
            Error::usage("`codebook diff` takes the two codebooks as OLD and NEW, not with -c")
                .hint("qcode codebook diff OLD.yaml NEW.yaml INPUTS…"),
        );
    }
    if args.corpus.inputs.is_empty() {
        return Err(Error::usage("no transcripts to compare the codebooks on").hint(
            "give the transcripts after the two codebooks: qcode codebook diff OLD.yaml NEW.yaml samples/transcripts",
        ));
    }
    let old = load_version(&args.old)?;
    let new = load_version(&args.new)?;
    let combined = qcode::develop::diff::combined(&old, &new);
    let provenance = Provenance::new(Some(&new), Vec::new(), None);
    let mut compared = CodebookDiff::new(old, new, args.old.clone(), args.new.clone())?;
    if let Some(gold) = &args.gold {
        compared.with_gold(&read_gold(gold, args.gold_coder.as_deref())?.codings);
    }
    let (setup, sources) = args.corpus.setup_with(combined)?;
    pipeline::run(&sources, &setup, &Progress::new(), |coded| compared.add(&coded))?;
    compared.explain()?;
    args.corpus.check_attributes(&setup);
    let provenance = Provenance {
        unit: Some(setup.unit.as_str().to_string()),
        ..provenance
    };
    let format = Format::resolve(args.format, args.out.as_deref())?;
    write_report_to(args.out.as_deref(), format, &compared, &provenance, &[])
}

/// A codebook named on the command line: a file, or `git:REV:PATH`, read
/// with `git show REV:PATH` (the program run directly, never through a
/// shell).
fn load_version(spec: &str) -> Result<Codebook> {
    let Some(rest) = spec.strip_prefix("git:") else {
        return Codebook::load(Path::new(spec));
    };
    let usage = || {
        Error::usage(format!("`{spec}` is not of the form git:REV:PATH"))
            .hint("name a version in git as git:REV:PATH, e.g. git:HEAD~1:codebooks/smuggling.yaml")
    };
    let (rev, path) = rest.split_once(':').ok_or_else(usage)?;
    // A revision starting with `-` would be read by git as an option.
    if rev.is_empty() || path.is_empty() || rev.starts_with('-') {
        return Err(usage());
    }
    let output = std::process::Command::new("git")
        .arg("show")
        .arg(format!("{rev}:{path}"))
        .output()
        .map_err(|e| {
            Error::new(format!("cannot run git to read `{spec}`: {e}"))
                .hint("install git, or give the old codebook as a file (`git show REV:PATH > old.yaml`)")
        })?;
    if !output.status.success() {
        let why = String::from_utf8_lossy(&output.stderr);
        return Err(Error::new(format!("git cannot read `{spec}`: {}", why.trim()))
            .hint("check the revision and the path (relative to the repository's root, or starting with ./ for the current folder)"));
    }
    let text = String::from_utf8(output.stdout).map_err(|e| {
        Error::new(format!(
            "`{spec}` is not valid UTF-8 (first bad byte at offset {})",
            e.utf8_error().valid_up_to()
        ))
        .hint("save the codebook as UTF-8")
    })?;
    Codebook::parse(&text, spec)
}

fn test(file: &Path, format: Option<&str>, out: Option<&Path>) -> Result<Gate> {
    let cb = Codebook::load(file)?;
    let run = TestRun::run(&cb)?;
    // A file named `.xml` can only mean JUnit.
    let xml_out = out.is_some_and(|o| o.extension().is_some_and(|e| e.eq_ignore_ascii_case("xml")));
    if format == Some("junit") || (format.is_none() && xml_out) {
        let mut output = Output::open(out)?;
        output.write_all(&run.junit()).map_err(Error::write)?;
        output.finish()?;
    } else {
        let asked = format.and_then(qcode::choice::parse::<Format>);
        let format = Format::resolve(asked, out)?;
        let provenance = Provenance::new(Some(&cb), Vec::new(), None);
        write_report_to(out, format, &run, &provenance, &[])?;
    }
    Ok(Gate::from_passed(run.passed() == run.cases.len()))
}

fn check(file: &Path) -> Result<()> {
    let cb = Codebook::load(file)?;
    let mut out = Output::open(None)?;
    let mut t = Table::new(
        ["code", "label", "rules"]
            .iter()
            .map(|h| (h.to_string(), Align::Left))
            .collect(),
    );
    let by_hand = cb.by_hand_only();
    for (i, c) in cb.codes.iter().enumerate() {
        let rules = cb.rule_lines(i);
        t.push(vec![
            format!("{}{}", "  ".repeat(c.depth), c.name),
            c.label.clone(),
            rules.join("\n"),
        ]);
    }
    let version = cb
        .version
        .as_deref()
        .map(|v| format!(" version {v}"))
        .unwrap_or_default();
    writeln!(
        out,
        "{}: OK — \"{}\"{version}: {}, unit {}, sha256 {}",
        cb.source,
        cb.name,
        counted(cb.codes.len(), "code"),
        cb.unit.as_str(),
        cb.sha256
    )
    .map_err(Error::write)?;
    if !cb.skip_speakers.is_empty() {
        writeln!(
            out,
            "Speakers skipped by default: {}",
            cb.skip_speakers.patterns.join(", ")
        )
        .map_err(Error::write)?;
    }
    if !cb.periods.is_empty() {
        let periods: Vec<String> = cb.periods.iter().map(ToString::to_string).collect();
        writeln!(out, "Periods: {}", periods.join("; ")).map_err(Error::write)?;
    }
    // The rules column wraps; keep the table readable in files too.
    let width = terminal_width(out.is_terminal()).or(Some(120));
    writeln!(out, "{}", t.render_terminal(width)).map_err(Error::write)?;
    if !by_hand.is_empty() {
        writeln!(out, "{}", super::util::by_hand_note(&cb, &by_hand)).map_err(Error::write)?;
    }
    let tests = TestRun::run(&cb)?;
    let failed = tests.cases.len() - tests.passed();
    if !tests.cases.is_empty() {
        writeln!(
            out,
            "Examples and counterexamples: {} of {} pass{}",
            tests.passed(),
            tests.cases.len(),
            if failed == 0 {
                String::new()
            } else {
                format!(
                    " (`qcode codebook test {}` shows the {})",
                    cb.source,
                    counted(failed, "failure")
                )
            }
        )
        .map_err(Error::write)?;
    }
    out.finish()
}
