//! `qcode codebook check`: the code tree, and located, explained errors.

mod common;
use common::*;

#[test]
fn prints_the_tree_and_hash() {
    let dir = tree(&[("cb.yaml", CODEBOOK)]);
    let out = stdout_of(qcode().arg("codebook").arg("check").arg(dir.path().join("cb.yaml")));
    assert!(
        out.contains("OK — \"Test codebook\" version 1: 5 codes, unit paragraph, sha256 "),
        "{out}"
    );
    assert!(out.contains("│   lenders"), "children are indented: {out}");
    assert!(out.contains("(groups its sub-codes)"), "{out}");
}

#[test]
fn the_shipped_codebooks_are_valid() {
    for cb in ["codebooks/smuggling.yaml", "codebooks/minimal.yaml"] {
        stdout_of(qcode().args(["codebook", "check", cb]));
    }
}

fn check_error(yaml: &str) -> String {
    let dir = tree(&[("cb.yaml", yaml)]);
    error_of(qcode().arg("codebook").arg("check").arg(dir.path().join("cb.yaml")))
}

#[test]
fn unknown_key_names_line_column_and_suggestion() {
    let e = check_error("name: T\ncodes:\n  - name: a\n    keywrds: [x]\n");
    assert!(e.contains("cb.yaml:4:5: unknown key `keywrds`"), "{e}");
    assert!(e.contains("did you mean `keywords`?"), "{e}");
}

#[test]
fn bad_regex_shows_the_regex_error() {
    let e = check_error("name: T\ncodes:\n  - name: amounts\n    patterns: ['\\$(\\d+']\n");
    assert!(e.contains("cb.yaml:4:"), "{e}");
    assert!(e.contains("code `amounts`"), "{e}");
    assert!(e.contains("unclosed group"), "{e}");
}

#[test]
fn duplicate_code_name() {
    let e = check_error(
        "name: T\ncodes:\n  - name: a\n    keywords: [x]\n    children:\n      - name: a\n        keywords: [y]\n",
    );
    assert!(
        e.contains("cb.yaml:6:15: duplicate code name `a` (first used on line 3)"),
        "{e}"
    );
}

#[test]
fn empty_code() {
    let e = check_error("name: T\ncodes:\n  - name: lonely\n    label: Nothing here\n");
    assert!(
        e.contains("code `lonely`: the code has no rules and no children"),
        "{e}"
    );
}

#[test]
fn near_distance_not_a_number() {
    let e =
        check_error("name: T\ncodes:\n  - name: a\n    near:\n      - terms: [coyote, pago]\n        within: cerca\n");
    assert!(
        e.contains("cb.yaml:6:17: code `a`: `within` must be a whole number"),
        "{e}"
    );
}

#[test]
fn yaml_syntax_error() {
    let e = check_error("name: T\ncodes:\n  - name: a\n    keywords: [x, y\n");
    assert!(e.contains("cb.yaml:"), "{e}");
}

#[test]
fn missing_codebook_file() {
    let e = error_of(qcode().args(["codebook", "check", "no/such/codebook.yaml"]));
    assert!(e.contains("no/such/codebook.yaml: no such file or directory"), "{e}");
}

#[test]
fn a_folder_given_as_the_codebook() {
    let dir = tempfile::tempdir().unwrap();
    let e = error_of(qcode().args(["codebook", "check"]).arg(dir.path()));
    assert!(e.contains("this is a folder, where a file was expected"), "{e}");
    assert!(e.contains("not of the folder that holds it"), "{e}");
}

#[test]
fn bad_unit_and_accents_values() {
    let e = check_error("name: T\nunit: paragraphs\ncodes:\n  - name: a\n    keywords: [x]\n");
    assert!(e.contains("cb.yaml:2:7: unknown unit `paragraphs`"), "{e}");
    let e = check_error("name: T\ncodes:\n  - name: a\n    accents: strict\n    keywords: [x]\n");
    assert!(e.contains("code `a`: unknown `accents` value `strict`"), "{e}");
}

#[test]
fn bad_wildcard_term() {
    let e = check_error("name: T\ncodes:\n  - name: a\n    keywords: ['*']\n");
    assert!(e.contains("keyword term `*`"), "{e}");
}
