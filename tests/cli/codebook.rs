//! `qcode codebook check`: the code tree, and located, explained errors.

use crate::CODEBOOK;
use crate::workdir::{Workdir, in_repo};

/// The error of `qcode codebook check` on `yaml` saved as `cb.yaml`.
fn check_error(yaml: &str) -> String {
    let wd = Workdir::with(&[("cb.yaml", yaml)]);
    wd.error(wd.command("codebook").args(["check", "cb.yaml"]))
}

#[test]
fn check_prints_the_code_tree_and_hash() {
    let wd = Workdir::with(&[("cb.yaml", CODEBOOK)]);
    let out = wd.stdout(wd.command("codebook").args(["check", "cb.yaml"]));
    assert!(
        out.contains("OK — \"Test codebook\" version 1: 5 codes, unit paragraph, sha256 "),
        "{out}"
    );
    assert!(out.contains("│   lenders"), "children are indented: {out}");
    assert!(out.contains("(groups its sub-codes)"), "{out}");
}

#[test]
fn the_shipped_codebooks_are_valid() {
    let wd = Workdir::new();
    for cb in ["codebooks/smuggling.yaml", "codebooks/minimal.yaml"] {
        wd.stdout(wd.command("codebook").arg("check").arg(in_repo(cb)));
    }
}

#[test]
fn an_unknown_key_is_located_with_a_suggestion() {
    let e = check_error("name: T\ncodes:\n  - name: a\n    keywrds: [x]\n");
    assert!(e.contains("cb.yaml:4:5: unknown key `keywrds`"), "{e}");
    assert!(e.contains("did you mean `keywords`?"), "{e}");
}

#[test]
fn an_invalid_regex_shows_the_regex_error() {
    let e = check_error("name: T\ncodes:\n  - name: amounts\n    patterns: ['\\$(\\d+']\n");
    assert!(e.contains("cb.yaml:4:"), "{e}");
    assert!(e.contains("code `amounts`"), "{e}");
    assert!(e.contains("unclosed group"), "{e}");
}

#[test]
fn a_duplicate_code_name_points_at_both_uses() {
    let e = check_error(
        "name: T\ncodes:\n  - name: a\n    keywords: [x]\n    children:\n      - name: a\n        keywords: [y]\n",
    );
    assert!(
        e.contains("cb.yaml:6:15: duplicate code name `a` (first used on line 3)"),
        "{e}"
    );
}

#[test]
fn a_code_without_rules_or_children_is_an_error() {
    let e = check_error("name: T\ncodes:\n  - name: lonely\n    label: Nothing here\n");
    assert!(
        e.contains("code `lonely`: the code has no rules and no children"),
        "{e}"
    );
}

#[test]
fn a_near_distance_must_be_a_whole_number() {
    let e =
        check_error("name: T\ncodes:\n  - name: a\n    near:\n      - terms: [coyote, pago]\n        within: cerca\n");
    assert!(
        e.contains("cb.yaml:6:17: code `a`: `within` must be a whole number"),
        "{e}"
    );
}

#[test]
fn a_yaml_syntax_error_is_located() {
    let e = check_error("name: T\ncodes:\n  - name: a\n    keywords: [x, y\n");
    assert!(e.contains("cb.yaml:"), "{e}");
}

#[test]
fn a_missing_codebook_file_is_named() {
    let wd = Workdir::new();
    let e = wd.error(wd.command("codebook").args(["check", "no/such/codebook.yaml"]));
    assert!(e.contains("no/such/codebook.yaml: no such file or directory"), "{e}");
}

#[test]
fn a_folder_given_as_the_codebook_is_an_error() {
    let wd = Workdir::new();
    let e = wd.error(wd.command("codebook").arg("check").arg(wd.root()));
    assert!(e.contains("this is a folder, where a file was expected"), "{e}");
    assert!(e.contains("not of the folder that holds it"), "{e}");
}

#[test]
fn unknown_unit_and_accents_values_are_located() {
    let e = check_error("name: T\nunit: paragraphs\ncodes:\n  - name: a\n    keywords: [x]\n");
    assert!(e.contains("cb.yaml:2:7: unknown unit `paragraphs`"), "{e}");
    let e = check_error("name: T\ncodes:\n  - name: a\n    accents: strict\n    keywords: [x]\n");
    assert!(e.contains("code `a`: unknown `accents` value `strict`"), "{e}");
}

#[test]
fn a_lone_wildcard_is_not_a_keyword() {
    let e = check_error("name: T\ncodes:\n  - name: a\n    keywords: ['*']\n");
    assert!(e.contains("keyword term `*`"), "{e}");
}
