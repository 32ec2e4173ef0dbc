//! `qcode codebook`: check a codebook and print its code tree; test it
//! against its examples.

use std::io::Write;
use std::path::{Path, PathBuf};

use qcode::codebook::{Codebook, Term, alternatives_text};
use qcode::develop::examples::TestRun;
use qcode::files::output::Output;
use qcode::report::{Align, Format, Provenance, Table, counted};
use qcode::{Error, Result};

use super::util::{Gate, terminal_width, write_report_to};

#[derive(clap::Subcommand, Debug)]
pub enum Command {
    /// Check a codebook and print its code tree with each code's rules.
    ///
    /// Every problem is reported with the file, line and column, the code,
    /// and what to write instead.
    ///
    /// Example: qcode codebook check codebooks/smuggling.yaml
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
    ///   qcode codebook test codebooks/smuggling.yaml --format junit --out codebook-tests.xml
    #[command(verbatim_doc_comment)]
    Test {
        /// The codebook (YAML).
        file: PathBuf,
        /// Output format: a report format, or `junit` (JUnit XML, which CI
        /// systems show as test results) [default: from the extension of
        /// --out, else table].
        #[arg(long, value_parser = ["table", "csv", "json", "markdown", "xlsx", "junit"])]
        format: Option<String>,
        /// Write to this file instead of standard output.
        #[arg(long, short = 'o', value_name = "FILE")]
        out: Option<PathBuf>,
    },
}

pub fn run(command: Command) -> Result<Gate> {
    match command {
        Command::Check { file } => check(&file).map(|()| Gate::Passed),
        Command::Test { file, format, out } => test(&file, format.as_deref(), out.as_deref()),
    }
}

fn test(file: &Path, format: Option<&str>, out: Option<&Path>) -> Result<Gate> {
    let cb = Codebook::load(file)?;
    let run = TestRun::run(&cb)?;
    if format == Some("junit") {
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

fn terms(ts: &[Term]) -> String {
    ts.iter().map(|t| t.raw.as_str()).collect::<Vec<_>>().join(", ")
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
        let r = &c.rules;
        let mut rules = Vec::new();
        if !r.keywords.is_empty() {
            rules.push(format!(
                "{}: {}",
                counted(r.keywords.len(), "keyword"),
                terms(&r.keywords)
            ));
        }
        if !r.patterns.is_empty() {
            rules.push(format!("patterns: {}", r.patterns.join("  ")));
        }
        if !r.all.is_empty() {
            let groups: Vec<String> = r.all.iter().map(|g| alternatives_text(g)).collect();
            rules.push(format!("all of: {}", groups.join(", ")));
        }
        for n in &r.near {
            rules.push(format!(
                "near: {} within {} words of {}",
                alternatives_text(&n.a),
                n.within,
                alternatives_text(&n.b)
            ));
        }
        if !r.not.is_empty() {
            rules.push(format!("not: {}", terms(&r.not)));
        }
        if r.min_hits > 1 {
            rules.push(format!("min_hits: {}", r.min_hits));
        }
        if !r.is_empty() && !r.speakers.is_empty() {
            rules.push(format!("speakers: {}", r.speakers.patterns.join(", ")));
        }
        if !r.is_empty() && !r.skip_speakers.is_empty() && r.skip_speakers != cb.skip_speakers {
            rules.push(format!("skip speakers: {}", r.skip_speakers.patterns.join(", ")));
        }
        if r.accents != qcode::codebook::Accents::Tolerant {
            rules.push(format!("accents: {}", r.accents.as_str()));
        }
        if rules.is_empty() {
            rules.push(if by_hand.contains(&i) {
                "(none: coded by hand)".to_string()
            } else {
                "(groups its sub-codes)".to_string()
            });
        }
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
    // The rules column wraps; keep the table readable in files too.
    let width = terminal_width(out.is_terminal()).or(Some(120));
    writeln!(out, "{}", t.render_terminal(width)).map_err(Error::write)?;
    if !by_hand.is_empty() {
        writeln!(out, "{}", by_hand_note(&cb, &by_hand)).map_err(Error::write)?;
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
