//! The README's commands, run exactly as written on the samples: a
//! researcher who follows the guide never meets a command that fails.

use crate::workdir::{Workdir, in_repo};

/// The commands of the ```sh blocks of a Markdown file, continuation lines
/// joined, comments left out.
fn shell_commands(markdown: &str) -> Vec<String> {
    let mut commands: Vec<String> = Vec::new();
    let mut in_shell = false;
    let mut continued = false;
    for line in markdown.lines() {
        if line.starts_with("```") {
            in_shell = line == "```sh";
            continue;
        }
        let text = line.trim();
        if !in_shell || (!continued && (text.is_empty() || text.starts_with('#'))) {
            continue;
        }
        if continued {
            commands.last_mut().expect("a command").push(' ');
        } else {
            commands.push(String::new());
        }
        continued = text.ends_with('\\');
        commands
            .last_mut()
            .expect("a command")
            .push_str(text.trim_end_matches('\\').trim_end());
    }
    commands
}

/// Runs every command of `file`, in order, in one folder holding the samples.
fn run_commands_of(file: &str) -> usize {
    let markdown = std::fs::read_to_string(in_repo(file)).expect("the file");
    let wd = Workdir::with_samples();
    let mut ran = 0;
    // Commands that compare meanings need the sentence encoder's model.
    let mut model = None;
    for command in shell_commands(&markdown) {
        let needs_model = ["qcode suggest", "qcode similar", "--suggest"]
            .iter()
            .any(|m| command.contains(m));
        if needs_model && !*model.get_or_insert_with(crate::programs::require_model) {
            continue;
        }
        // Building and testing qcode itself is what this test is part of.
        if command == "cargo test" || command == "cargo install --path ." {
            continue;
        }
        // A copy of a codebook to edit, as the tutorial asks.
        if let Some(args) = command.strip_prefix("cp ") {
            let [from, to] = args.split_whitespace().collect::<Vec<_>>()[..] else {
                panic!("{file}: cp takes two files: {command}");
            };
            std::fs::copy(wd.path(from), wd.path(to)).expect("the copy");
            continue;
        }
        let command = match command.strip_prefix("cargo run --release -- ") {
            Some(args) => format!("qcode {args}"),
            None => command,
        };
        assert!(command.starts_with("qcode "), "{file}: not a qcode command: {command}");
        wd.run_line(&command);
        ran += 1;
    }
    ran
}

#[test]
fn every_command_of_the_readme_runs_on_the_samples() {
    assert!(run_commands_of("README.md") >= 15);
}

#[test]
fn every_command_of_the_samples_page_runs() {
    assert!(run_commands_of("docs/samples.md") >= 3);
}

#[test]
fn commands_are_read_with_their_continuation_lines() {
    let markdown = "text\n```sh\n# a comment\nqcode a \\\n    --b c\n\nqcode d\n```\n```text\nqcode e\n```\n";
    assert_eq!(shell_commands(markdown), ["qcode a --b c", "qcode d"]);
}
