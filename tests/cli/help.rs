//! The help a researcher reads: every command shows examples that fit an
//! 80-column terminal without a line wrapped mid-command, and that run as
//! written on the samples.

use crate::workdir::Workdir;

/// The commands, in the order their examples can run: `code` writes the
/// coded.csv that later examples read, `agree` the disagreements that
/// `adjudicate` reads, `export` the files `import` reads.
const COMMANDS: &[&[&str]] = &[
    &[],
    &["code"],
    &["codebook", "check"],
    &["codebook", "test"],
    &["codebook", "diff"],
    &["codebook", "lint"],
    &["freq"],
    &["excerpts"],
    &["agree"],
    &["adjudicate"],
    &["audit"],
    &["cooccur"],
    &["report"],
    &["kwic"],
    &["amounts"],
    &["words"],
    &["export"],
    &["import"],
    &["speakers"],
    &["suggest"],
    &["similar"],
];

/// The help of `command`, as an 80-column terminal shows it.
fn help(wd: &Workdir, command: &[&str]) -> String {
    wd.stdout(wd.qcode().args(command).arg("--help").env("COLUMNS", "80"))
}

/// The example commands of a help text, continuation lines joined.
fn examples(help: &str) -> Vec<String> {
    let block = help
        .split_once("Examples:\n")
        .unwrap_or_else(|| panic!("no examples in:\n{help}"))
        .1;
    let mut commands: Vec<String> = Vec::new();
    let mut continued = false;
    for line in block.lines().take_while(|l| !l.trim().is_empty()) {
        assert!(line.chars().count() <= 80, "wider than 80 columns: {line}");
        let text = line.trim();
        if continued {
            assert!(line.starts_with("      "), "a continuation line is indented: {line}");
            commands.last_mut().expect("a command").push(' ');
        } else {
            assert!(line.starts_with("  qcode "), "an example line starts a command: {line}");
            commands.push(String::new());
        }
        let command = commands.last_mut().expect("a command");
        continued = text.ends_with('\\');
        command.push_str(text.trim_end_matches('\\').trim_end());
    }
    assert!(!continued, "the last example ends in a continuation");
    commands
}

#[test]
fn examples_fit_80_columns_and_run_on_the_samples() {
    let wd = Workdir::with_samples();
    let mut ran = 0;
    // Examples that compare meanings need the sentence encoder's model.
    let mut model = None;
    for command in COMMANDS {
        let examples = examples(&help(&wd, command));
        assert!(!examples.is_empty(), "qcode {command:?} has examples");
        for example in examples {
            let needs_model = ["qcode suggest", "qcode similar", "--suggest"]
                .iter()
                .any(|m| example.contains(m));
            if needs_model && !*model.get_or_insert_with(crate::programs::require_model) {
                continue;
            }
            wd.run_line(&example);
            ran += 1;
        }
    }
    assert!(ran >= 30, "{ran} examples");
    // What the examples promise to write is there.
    for file in [
        "coded.csv",
        "coded.xlsx",
        "counts.xlsx",
        "debt.md",
        "to_adjudicate.csv",
        "errors.csv",
    ] {
        assert!(wd.path(file).is_file(), "{file}");
    }
    for file in [
        "study.qdpx",
        "imported.csv",
        "human.csv",
        "review_codebook.yaml",
        "skeleton.yaml",
    ] {
        assert!(wd.path(file).is_file(), "{file}");
    }
}

#[test]
fn options_a_command_needs_are_marked_required() {
    let wd = Workdir::new();
    let usage = |command: &[&str]| {
        help(&wd, command)
            .lines()
            .find(|l| l.starts_with("Usage:"))
            .expect("a usage line")
            .to_string()
    };
    assert!(usage(&["code"]).contains(" --codebook <FILE> "), "{}", usage(&["code"]));
    assert!(usage(&["audit"]).contains(" --gold <HUMAN.csv> "));
    // freq needs a codebook unless it reads coded CSVs.
    let e = wd.usage_error(wd.command("freq").arg("samples"));
    assert!(e.contains("--codebook <FILE>"), "{e}");
}

#[test]
fn threads_are_an_option_of_the_commands_that_read_transcripts() {
    let wd = Workdir::new();
    for command in [
        &["code"][..],
        &["freq"],
        &["excerpts"],
        &["agree"],
        &["audit"],
        &["export"],
        &["speakers"],
        &["cooccur"],
        &["report"],
        &["kwic"],
        &["codebook", "diff"],
        &["codebook", "lint"],
        &["amounts"],
        &["words"],
        &["suggest"],
        &["similar"],
    ] {
        assert!(help(&wd, command).contains("--threads <N>"), "{command:?}");
    }
    for command in [
        &[][..],
        &["import"],
        &["codebook", "check"],
        &["codebook", "test"],
        &["adjudicate"],
    ] {
        assert!(!help(&wd, command).contains("--threads"), "{command:?}");
    }
}
