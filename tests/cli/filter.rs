//! `--where`: every command looks at the documents whose attributes meet
//! the conditions, and says so when none does.

use crate::CODEBOOK;
use crate::workdir::{Workdir, csv_maps};

/// Three interviews from two countries; b.txt gets its country from the
/// attributes file.
const DOCS: &[(&str, &str)] = &[
    ("cb.yaml", CODEBOOK),
    (
        "docs/a.md",
        "---\ncountry: Honduras\n---\nP1: The coyote wanted $900.\n",
    ),
    ("docs/b.txt", "R2: Hipotecamos la casa con un prestamista.\n"),
    ("docs/c.md", "---\ncountry: Mexico\n---\nP3: Another coyote.\n"),
    ("attrs.csv", "document,country\nb,Honduras\n"),
];

/// The documents of a coded CSV.
fn documents(csv: &str) -> Vec<String> {
    let mut docs: Vec<String> = csv_maps(csv).into_iter().map(|r| r["document"].clone()).collect();
    docs.dedup();
    docs
}

#[test]
fn every_command_keeps_the_documents_that_meet_the_conditions() {
    let wd = Workdir::with(DOCS);
    let base = ["docs", "-c", "cb.yaml", "--attributes", "attrs.csv"];
    // Values compare without case.
    let code = wd.stdout(wd.command("code").args(base).args(["--where", "country=honduras"]));
    assert_eq!(documents(&code), ["a.md", "b.txt"]);
    let code = wd.stdout(wd.command("code").args(base).args(["--where", "country!=honduras"]));
    assert_eq!(documents(&code), ["c.md"]);
    let code = wd.stdout(
        wd.command("code")
            .args(base)
            .args(["--where", "country=Mexico,Honduras"]),
    );
    assert_eq!(documents(&code), ["a.md", "b.txt", "c.md"]);
    let freq = wd.stdout(wd.command("freq").args(base).args(["--where", "country=Mexico"]));
    assert!(freq.contains("# 1 document, 1 segment"), "{freq}");
    let excerpts = wd.stdout(wd.command("excerpts").args(base).args(["--where", "country=Mexico"]));
    assert!(
        excerpts.contains("Another coyote") && !excerpts.contains("$900"),
        "{excerpts}"
    );

    // Codings read back: by their attribute columns.
    wd.stdout(wd.command("code").args(base).args(["--out", "coded.csv"]));
    let freq =
        wd.stdout(
            wd.command("freq")
                .args(["--coded", "coded.csv", "--where", "country=Mexico", "--format", "csv"]),
        );
    assert!(freq.contains("\nprices,,prices,1,1,100.0,1\n"), "{freq}");
    // With the transcripts, the group sizes are those of the documents kept.
    let freq = wd.stdout(wd.command("freq").args([
        "--coded",
        "coded.csv",
        "--transcripts",
        "docs",
        "--attributes",
        "attrs.csv",
        "--where",
        "country=honduras",
        "--by",
        "country",
        "--format",
        "csv",
    ]));
    assert!(freq.ends_with("\"every segment, coded or not\",2,2\n"), "{freq}");

    // Agreement and audits look at the same documents.
    let human = wd.read("coded.csv").replace(",qcode,", ",ana,");
    wd.write("ana.csv", human);
    let audit = wd.json(wd.command("audit").args([
        "--gold",
        "ana.csv",
        "coded.csv",
        "-c",
        "cb.yaml",
        "--where",
        "country=Mexico",
    ]));
    let overall = audit["rows"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(overall["gold"], 1, "{audit}");
    let agree = wd.json(wd.command("agree").args([
        "ana.csv",
        "coded.csv",
        "--where",
        "country=Honduras",
        "--replicates",
        "100",
    ]));
    assert_eq!(agree["n_units"], 2, "{agree}");
}

#[test]
fn conditions_that_keep_nothing_say_why() {
    let wd = Workdir::with(DOCS);
    let e = wd.error(
        wd.command("freq")
            .args(["docs", "-c", "cb.yaml", "--where", "contry=Mexico"]),
    );
    assert!(e.contains("no document has the attribute `contry`"), "{e}");
    assert!(e.contains("did you mean `country`?"), "{e}");
    let e = wd.error(
        wd.command("freq")
            .args(["docs", "-c", "cb.yaml", "--where", "country=Peru"]),
    );
    assert!(e.contains("no document meets `--where country=Peru`"), "{e}");
    let e = wd.error(wd.command("code").args(["docs", "-c", "cb.yaml", "--where", "country"]));
    assert!(e.contains("is not a condition"), "{e}");
}

#[test]
fn dates_are_compared_as_dates() {
    let wd = Workdir::with(DOCS);
    wd.write(
        "attrs.csv",
        "document,country,date\na,Honduras,2020-03-14\nb,Honduras,2020-3-20\nc,Mexico,2021-01-31 10:00\n",
    );
    let base = ["docs", "-c", "cb.yaml", "--attributes", "attrs.csv"];
    let kept = |conditions: &[&str]| {
        let mut cmd = wd.command("code");
        cmd.args(base);
        for c in conditions {
            cmd.args(["--where", c]);
        }
        documents(&wd.stdout(&mut cmd))
    };
    assert_eq!(
        kept(&["date>=2020-03-15"]),
        ["c.md"],
        "`2020-3-20` is not a date: it meets no comparison"
    );
    let run = wd.run(wd.command("code").args(base).args(["--where", "date>=2020-03-15"]));
    assert!(
        run.stderr
            .contains("b.txt: `date` is not a date written YYYY-MM-DD (`2020-3-20`)"),
        "{}",
        run.stderr
    );
    assert_eq!(kept(&["date<2020-03-15"]), ["a.md"]);
    assert_eq!(kept(&["date>2020-03-14", "date<=2021-01-31"]), ["c.md"]);
    let e = wd.error(wd.command("code").args(base).args(["--where", "date>=2020-02-30"]));
    assert!(e.contains("`2020-02-30`, which is not a date"), "{e}");
}
