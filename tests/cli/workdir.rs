//! A temporary folder to run `qcode` in, and readers of what it prints.
//!
//! Each test makes its own [`Workdir`], writes its inputs there and runs the
//! binary with that folder as the current directory, so inputs are named by
//! short relative paths and tests never share files. Files of the repository
//! (the samples, the shipped codebooks, `tests/fixtures/`) are reached with
//! [`in_repo`] and [`fixture`]. The folder is removed when the test ends.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

pub struct Workdir {
    dir: tempfile::TempDir,
}

/// What a successful run printed.
pub struct Outputs {
    pub stdout: String,
    pub stderr: String,
}

impl Workdir {
    pub fn new() -> Workdir {
        Workdir {
            dir: tempfile::tempdir().expect("a temporary folder"),
        }
    }

    /// A workdir holding `files` (relative path, content).
    pub fn with(files: &[(&str, &str)]) -> Workdir {
        let wd = Workdir::new();
        for (rel, content) in files {
            wd.write(rel, content);
        }
        wd
    }

    /// A workdir holding copies of the repository's `samples/` and
    /// `codebooks/`, where commands written for the samples (in the help
    /// and the README) run as written, and write their files without
    /// touching the repository.
    pub fn with_samples() -> Workdir {
        let wd = Workdir::new();
        for folder in ["samples", "codebooks"] {
            copy_folder(&in_repo(folder), &wd.path(folder));
        }
        wd
    }

    /// Runs one command line as a researcher types it (`qcode …`, words
    /// split as a shell does, without pipes or variables); it must
    /// succeed.
    pub fn run_line(&self, line: &str) -> Outputs {
        let words = shell_words::split(line).unwrap_or_else(|e| panic!("{line}: {e}"));
        assert_eq!(words.first().map(String::as_str), Some("qcode"), "{line}");
        self.run(self.qcode().args(&words[1..]))
    }

    /// Writes `contents` to `rel`, making the folders on the way.
    pub fn write(&self, rel: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.path(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(&path, contents).expect("write");
        path
    }

    pub fn read(&self, rel: &str) -> String {
        let path = self.path(rel);
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
    }

    /// The absolute path of `rel`, for tests that look at the folder itself.
    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    /// The `qcode` binary run here, with no subcommand yet (for options that
    /// come before it, such as `-j`).
    pub fn qcode(&self) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_qcode"));
        cmd.current_dir(self.dir.path());
        // The output must not depend on the shell running the tests: colour
        // is decided by whether stdout is a terminal, tables by the default
        // width.
        cmd.env_remove("NO_COLOR").env_remove("COLUMNS");
        // Embeddings are cached in the work folder, never in the user's.
        cmd.env("QCODE_CACHE_DIR", self.dir.path().join(".qcode-cache"));
        cmd
    }

    /// `qcode SUBCOMMAND`, run here.
    pub fn command(&self, subcommand: &str) -> Command {
        let mut cmd = self.qcode();
        cmd.arg(subcommand);
        cmd
    }

    /// Runs `cmd`, which must succeed.
    pub fn run(&self, cmd: &mut Command) -> Outputs {
        let out = cmd.output().unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
        let stdout = String::from_utf8(out.stdout).expect("UTF-8 output");
        let stderr = String::from_utf8(out.stderr).expect("UTF-8 messages");
        assert!(out.status.success(), "{cmd:?} failed ({}):\n{stderr}", out.status);
        Outputs { stdout, stderr }
    }

    /// The stdout of `cmd`, which must succeed.
    pub fn stdout(&self, cmd: &mut Command) -> String {
        self.run(cmd).stdout
    }

    /// The JSON that `cmd` prints with `--format json`.
    pub fn json(&self, cmd: &mut Command) -> Value {
        let out = self.stdout(cmd.args(["--format", "json"]));
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("not JSON ({e}):\n{out}"))
    }

    /// The stderr of `cmd`, which must fail as every qcode error does: exit
    /// code 2, `qcode: error: ` first (after any warnings), a `how to fix:`
    /// hint, and no panic.
    pub fn error(&self, cmd: &mut Command) -> String {
        let stderr = self.usage_error(cmd);
        let first = stderr
            .lines()
            .find(|l| !l.starts_with("qcode: warning: "))
            .unwrap_or_default();
        assert!(first.starts_with("qcode: error: "), "{stderr}");
        assert!(
            stderr.contains("how to fix:"),
            "every error says how to fix it: {stderr}"
        );
        stderr
    }

    /// The outputs of `cmd`, whose gate must fail: exit code 1 (the
    /// command ran, and what it checks does not hold), no panic.
    pub fn gate_failed(&self, cmd: &mut Command) -> Outputs {
        let out = cmd.output().unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
        let stdout = String::from_utf8(out.stdout).expect("UTF-8 output");
        let stderr = String::from_utf8(out.stderr).expect("UTF-8 messages");
        assert_eq!(
            out.status.code(),
            Some(1),
            "{cmd:?}: expected exit code 1, got {}: {stderr}",
            out.status
        );
        assert!(!stderr.contains("panicked"), "{stderr}");
        Outputs { stdout, stderr }
    }

    /// The stderr of `cmd`, which must fail with exit code 2 and no panic;
    /// the message may be the argument parser's, which has its own form.
    pub fn usage_error(&self, cmd: &mut Command) -> String {
        let out = cmd.output().unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
        let stderr = String::from_utf8(out.stderr).expect("UTF-8 messages");
        assert_eq!(
            out.status.code(),
            Some(2),
            "{cmd:?}: expected exit code 2, got {}: {stderr}",
            out.status
        );
        assert!(
            !stderr.contains("panicked") && !stderr.contains("RUST_BACKTRACE"),
            "{stderr}"
        );
        stderr
    }
}

/// `output` without its first line, the provenance line (which names the
/// codebook's hash): what a test can pin exactly.
pub fn after_provenance(output: &str) -> &str {
    assert!(
        output.starts_with("# qcode ") || output.starts_with("<!-- qcode "),
        "{output}"
    );
    output.split_once('\n').map_or("", |(_, rest)| rest)
}

/// A file or folder of the repository, such as `samples/transcripts`.
/// Copies the folder `from` to `to`, recursively.
fn copy_folder(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read the folder") {
        let entry = entry.expect("a folder entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            copy_folder(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

pub fn in_repo(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// A file or folder under `tests/fixtures/`.
pub fn fixture(rel: &str) -> PathBuf {
    in_repo("tests/fixtures").join(rel)
}

/// The records of a CSV with a header row (the header left out).
pub fn csv_records(csv: &str) -> Vec<csv::StringRecord> {
    csv::Reader::from_reader(csv.as_bytes())
        .records()
        .map(|r| r.expect("a well-formed CSV record"))
        .collect()
}

/// The records of a CSV as maps from column to value.
pub fn csv_maps(csv: &str) -> Vec<HashMap<String, String>> {
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let headers = reader.headers().expect("a header row").clone();
    reader
        .records()
        .map(|r| {
            headers
                .iter()
                .zip(r.expect("a well-formed CSV record").iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

/// The row of `code` in a report's JSON `rows`.
pub fn code_row<'a>(report: &'a Value, code: &str) -> &'a Value {
    report["rows"]
        .as_array()
        .expect("a `rows` array")
        .iter()
        .find(|r| r["code"] == code)
        .unwrap_or_else(|| panic!("no row for {code}"))
}
