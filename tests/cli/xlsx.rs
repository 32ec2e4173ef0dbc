//! Excel workbooks: a real workbook for every report and sheet written,
//! numbers as numbers, and an extension that does not match the format
//! refused.

use calamine::{Data, Reader, Xlsx, open_workbook};

use crate::CODEBOOK;
use crate::workdir::{Workdir, fixture};

const DOCS: &[(&str, &str)] = &[
    ("cb.yaml", CODEBOOK),
    (
        "docs/a.md",
        "---\ncountry: Honduras\n---\nP1: The coyote wanted $900.\n\nP1: A prestamista lent us the rest.\n",
    ),
    ("docs/b.txt", "R2: Hipotecamos la casa.\n"),
];

/// The sheets of the workbook at `path`, and the rows of each, as text.
pub fn read(path: &std::path::Path) -> Vec<(String, Vec<Vec<Data>>)> {
    let mut book: Xlsx<_> = open_workbook(path).expect("a workbook");
    book.sheet_names()
        .into_iter()
        .map(|name| {
            let range = book.worksheet_range(&name).expect("a sheet");
            (name, range.rows().map(|r| r.to_vec()).collect())
        })
        .collect()
}

#[test]
fn freq_code_and_excerpts_write_real_workbooks() {
    let wd = Workdir::with(DOCS);
    wd.stdout(
        wd.command("freq")
            .args(["docs", "-c", "cb.yaml", "--out", "counts.xlsx"]),
    );
    let book = read(&wd.path("counts.xlsx"));
    assert_eq!(
        book.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(),
        ["frequencies", "about"]
    );
    let rows = &book[0].1;
    assert_eq!(rows[0][0], Data::String("code".into()));
    assert_eq!(rows[1][0], Data::String("prices".into()));
    assert_eq!(rows[1][3], Data::Float(1.0), "counts are numbers: {rows:?}");
    assert_eq!(rows[1][5], Data::Float(50.0), "% documents is a number: {rows:?}");
    assert!(
        matches!(&book[1].1[0][0], Data::String(s) if s.starts_with("qcode ")),
        "{:?}",
        book[1]
    );

    wd.stdout(wd.command("freq").args([
        "docs", "-c", "cb.yaml", "--by", "country", "--format", "xlsx", "--out", "by.xlsx",
    ]));
    assert_eq!(read(&wd.path("by.xlsx"))[0].0, "crosstab");

    wd.stdout(
        wd.command("code")
            .args(["docs", "-c", "cb.yaml", "--out", "coded.xlsx"]),
    );
    let coded = read(&wd.path("coded.xlsx"));
    assert_eq!(coded[0].0, "codings");
    assert_eq!(coded[0].1[0][8], Data::String("code".into()));
    assert_eq!(
        coded[0].1[0][16],
        Data::String("country".into()),
        "attributes are columns"
    );
    assert_eq!(coded[0].1.len(), 4, "a header and three coded passages");

    wd.stdout(
        wd.command("excerpts")
            .args(["docs", "-c", "cb.yaml", "--out", "quotes.xlsx"]),
    );
    assert_eq!(read(&wd.path("quotes.xlsx"))[0].0, "excerpts");
    // The same report gives the same bytes.
    wd.stdout(
        wd.command("freq")
            .args(["docs", "-c", "cb.yaml", "--out", "again.xlsx"]),
    );
    assert_eq!(
        std::fs::read(wd.path("counts.xlsx")).unwrap(),
        std::fs::read(wd.path("again.xlsx")).unwrap()
    );
}

#[test]
fn disagreements_and_audit_errors_can_be_workbooks() {
    let wd = Workdir::new();
    let agree = fixture("agree");
    wd.stdout(wd.command("agree").args([
        agree.join("ana.csv").as_os_str(),
        agree.join("luis.csv").as_os_str(),
        "--replicates".as_ref(),
        "100".as_ref(),
        "--disagreements".as_ref(),
        "dis.xlsx".as_ref(),
    ]));
    let book = read(&wd.path("dis.xlsx"));
    assert_eq!(book[0].0, "disagreements");
    assert!(
        book[0].1[0].contains(&Data::String("decision".into())),
        "{:?}",
        book[0].1[0]
    );
    wd.stdout(wd.command("audit").args([
        "--gold".as_ref(),
        agree.join("gold.csv").as_os_str(),
        agree.join("transcripts").as_os_str(),
        "-c".as_ref(),
        agree.join("codebook.yaml").as_os_str(),
        "--errors".as_ref(),
        "errors.xlsx".as_ref(),
    ]));
    assert_eq!(read(&wd.path("errors.xlsx"))[0].0, "errors");
}

#[test]
fn an_extension_that_names_another_format_is_refused() {
    let wd = Workdir::with(DOCS);
    let e = wd.error(
        wd.command("freq")
            .args(["docs", "-c", "cb.yaml", "--format", "table", "--out", "counts.xlsx"]),
    );
    assert!(
        e.contains("the output file ends in .xlsx, but the format asked for is table"),
        "{e}"
    );
    assert!(!wd.path("counts.xlsx").exists(), "nothing written");
    let e = wd.error(
        wd.command("code")
            .args(["docs", "-c", "cb.yaml", "--format", "jsonl", "--out", "coded.csv"]),
    );
    assert!(e.contains("ends in .csv, but the format asked for is jsonl"), "{e}");
    let e = wd.error(
        wd.command("excerpts")
            .args(["docs", "-c", "cb.yaml", "--format", "csv", "--out", "quotes.md"]),
    );
    assert!(e.contains("ends in .md"), "{e}");
}
