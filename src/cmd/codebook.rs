//! `qcode codebook`: check a codebook and print its code tree.

use std::io::Write;
use std::path::{Path, PathBuf};

use qcode::codebook::{Codebook, Term};
use qcode::files::output::Output;
use qcode::report::{Align, Table, counted};
use qcode::{Error, Result};

use super::util::terminal_width;

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
}

pub fn run(command: Command) -> Result<()> {
    match command {
        Command::Check { file } => check(&file),
    }
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
            rules.push(format!("all of: {}", terms(&r.all)));
        }
        for n in &r.near {
            rules.push(format!("near: {} within {} words of {}", n.a.raw, n.within, n.b.raw));
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
        if !c.extract.is_empty() {
            rules.push(format!("extract: {}", c.extract.join(", ")));
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
    if !cb.periods.is_empty() {
        let periods: Vec<String> = cb.periods.iter().map(ToString::to_string).collect();
        writeln!(out, "Periods: {}", periods.join("; ")).map_err(Error::write)?;
    }
    // The rules column wraps; keep the table readable in files too.
    let width = terminal_width(out.is_terminal()).or(Some(120));
    writeln!(out, "{}", t.render_terminal(width)).map_err(Error::write)?;
    if !by_hand.is_empty() {
        writeln!(out, "{}", by_hand_note(&cb, &by_hand)).map_err(Error::write)?;
    }
    out.finish()
}
