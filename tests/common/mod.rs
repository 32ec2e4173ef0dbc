//! Helpers shared by the integration tests, which drive the real binary.
#![allow(dead_code)] // each test file uses its own subset

use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// The `qcode` binary, run from the crate root so sample paths work.
pub fn qcode() -> Command {
    let mut cmd = Command::cargo_bin("qcode").expect("binary builds");
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"));
    cmd.env_remove("NO_COLOR");
    cmd
}

/// Writes `files` (relative path, content) under a new temporary folder.
pub fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for (path, content) in files {
        write(dir.path(), path, content.as_bytes());
    }
    dir
}

pub fn write(root: &Path, rel: &str, bytes: &[u8]) -> PathBuf {
    let path = root.join(rel);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("mkdir");
    }
    std::fs::write(&path, bytes).expect("write");
    path
}

/// stdout of a successful run.
pub fn stdout_of(cmd: &mut Command) -> String {
    let out = cmd.output().expect("runs");
    assert!(
        out.status.success(),
        "qcode failed ({}):\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8 output")
}

/// stderr of a run that must fail with exit code 2 and no panic.
pub fn error_of(cmd: &mut Command) -> String {
    let out = cmd.output().expect("runs");
    let stderr = String::from_utf8(out.stderr).expect("utf-8 errors");
    assert_eq!(
        out.status.code(),
        Some(2),
        "expected exit code 2, got {}: {stderr}",
        out.status
    );
    assert!(stderr.starts_with("qcode: error: "), "{stderr}");
    assert!(
        !stderr.contains("panicked") && !stderr.contains("RUST_BACKTRACE"),
        "{stderr}"
    );
    assert!(
        stderr.contains("how to fix:"),
        "every error says how to fix it: {stderr}"
    );
    stderr
}

/// A small codebook used by several tests.
pub const CODEBOOK: &str = r#"name: Test codebook
version: "1"
skip_speakers: [Interviewer, Entrevistador*]
codes:
  - name: prices
    label: Prices and payment
    keywords: ["coyote*", "pay the smuggler", pollero]
    patterns: ['\$\s?\d[\d,]*']
  - name: debt
    label: Lenders, mortgages and debt
    children:
      - name: lenders
        keywords: [prestamista, prestamo, lender]
      - name: mortgage
        keywords: ["hipotec*", "mortgag*"]
  - name: covid
    keywords: ["covid*", cuarentena, lockdown]
"#;

/// The JSON output of `cmd` (with `--format json` added).
pub fn json_of(cmd: &mut Command) -> serde_json::Value {
    serde_json::from_str(&stdout_of(cmd.args(["--format", "json"]))).expect("valid JSON")
}

/// The row of `code` in a report's JSON `rows`.
pub fn row<'a>(j: &'a serde_json::Value, code: &str) -> &'a serde_json::Value {
    j["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["code"] == code)
        .unwrap_or_else(|| panic!("no row {code}"))
}
