//! `qcode amounts`: every amount with its passage, summaries by group and
//! period, currencies by country, conversion with the user's rates only.

use crate::workdir::{Workdir, csv_maps, in_repo};

const CODEBOOK: &str = r#"name: Amounts test
skip_speakers: [Interviewer]
periods:
  before: [.., 2020-03-16]
  closures: [2020-03-16, 2021-11-08]
  reopening: [2021-11-08, ..]
codes:
  - name: prices
    keywords: ["coyote*", "cobr*"]
  - name: debt
    keywords: [prestamista, lender]
"#;

/// Three documents whose amounts can be checked by reading them.
const DOCS: &[(&str, &str)] = &[
    ("cb.yaml", CODEBOOK),
    (
        "docs/gt.md",
        "---\ncountry: Guatemala\ndate: 2020-10-08\n---\nP1: El coyote nos cobró unos 5 mil dólares a cada uno.\n\nP1: La prestamista nos dio Q25,000 y pagamos $300 de interés.\n\nInterviewer: ¿Cuánto le cobraron, 3 mil dólares?\n",
    ),
    (
        "docs/mx.txt",
        "R2: Cobro entre 3 y 4 mil pesos por grupo. En 2019 eran 300 pesos.\n\nR2: Tengo 15 años y crucé 3 veces.\n",
    ),
    (
        "docs/hn.txt",
        "P3: The coyote asked for twelve thousand dollars, and the lender wanted 10% a month.\n\nP3: We left in March.\n",
    ),
    (
        "attrs.csv",
        "document,country,date\nmx,Mexico,2022-02-17\nhn,Honduras,2021-06-18\n",
    ),
];

fn amounts(wd: &Workdir, extra: &[&str]) -> Vec<std::collections::HashMap<String, String>> {
    let out = wd.stdout(
        wd.command("amounts")
            .args(["docs", "--attributes", "attrs.csv", "--format", "csv"])
            .args(extra),
    );
    csv_maps(&out)
}

fn row(r: &std::collections::HashMap<String, String>) -> String {
    [
        "document",
        "segment",
        "start_line",
        "speaker",
        "words",
        "value",
        "low",
        "high",
        "currency",
        "approximate",
    ]
    .iter()
    .map(|f| r[*f].as_str())
    .collect::<Vec<_>>()
    .join("|")
}

#[test]
fn every_amount_names_its_words_passage_and_speaker() {
    let wd = Workdir::with(DOCS);
    let rows: Vec<String> = amounts(&wd, &[]).iter().map(row).collect();
    // By hand: gt.md ¶1 `unos 5 mil dólares` (about), ¶2 `Q25,000` and `$300`
    // ($ is USD by default); the interviewer's question is a passage too
    // without a codebook. mx.txt: a range, then `300 pesos` (2019 is a
    // year; 15 años an age; 3 veces a count). hn.txt: twelve thousand
    // dollars; 10% is no amount.
    assert_eq!(
        rows,
        [
            "gt.md|1|5|P1|unos 5 mil dólares|5000|5000|5000|USD|about",
            "gt.md|2|7|P1|Q25,000|25000|25000|25000|GTQ|",
            "gt.md|2|7|P1|$300|300|300|300|USD|",
            "gt.md|3|9|Interviewer|3 mil dólares|3000|3000|3000|USD|",
            "hn.txt|1|1|P3|twelve thousand dollars|12000|12000|12000|USD|",
            "mx.txt|1|1|R2|entre 3 y 4 mil pesos|3500|3000|4000|MXN|",
            "mx.txt|1|1|R2|300 pesos|300|300|300|MXN|",
        ]
    );
    let first = &amounts(&wd, &[])[0];
    assert_eq!(first["approximate_words"], "unos");
    assert_eq!(first["country"], "Guatemala", "attributes are columns");
    // Characters of the text after its front matter: "P1: El coyote nos
    // cobró " is 24 characters long.
    assert_eq!((first["start_char"].as_str(), first["end_char"].as_str()), ("24", "42"));
}

#[test]
fn a_code_keeps_its_passages_and_the_codebook_skips_its_speakers() {
    let wd = Workdir::with(DOCS);
    let rows: Vec<String> = amounts(&wd, &["-c", "cb.yaml", "--code", "prices"])
        .iter()
        .map(|r| r["words"].clone())
        .collect();
    // gt.md ¶2 speaks of a lender, not of the coyote; the interviewer is
    // skipped by the codebook (as in every run with it: see below).
    assert_eq!(
        rows,
        [
            "unos 5 mil dólares",
            "twelve thousand dollars",
            "entre 3 y 4 mil pesos",
            "300 pesos"
        ]
    );
}

#[test]
fn the_country_attribute_decides_what_a_dollar_sign_is() {
    let wd = Workdir::with(DOCS);
    wd.write(
        "mx.yaml",
        "name: T\ncurrencies:\n  country_attribute: country\ncodes:\n  - name: any\n    keywords: [x]\n",
    );
    wd.write("docs/mx2.txt", "R5: Pagué $1,500 en Tapachula.\n");
    wd.write(
        "attrs.csv",
        "document,country,date\nmx,Mexico,2022-02-17\nmx2,Mexico,2022-02-17\nhn,Honduras,2021-06-18\n",
    );
    let currency_of = |extra: &[&str]| -> Vec<String> {
        amounts(&wd, extra)
            .iter()
            .filter(|r| r["words"].contains('$'))
            .map(|r| format!("{} {}", r["words"], r["currency"]))
            .collect()
    };
    assert_eq!(currency_of(&[]), ["$300 USD", "$1,500 USD"], "the default: $ is USD");
    assert_eq!(currency_of(&["-c", "mx.yaml"]), ["$300 USD", "$1,500 MXN"]);
    assert_eq!(currency_of(&["--country", "country"]), ["$300 USD", "$1,500 MXN"]);
}

#[test]
fn summaries_give_count_quartiles_and_median_per_group_and_currency() {
    let wd = Workdir::with(DOCS);
    wd.write(
        "docs/gt2.txt",
        "---\ncountry: Guatemala\n---\nP9: Pagamos 1000 dólares, luego 2000 dólares y al final 10000 dólares.\n",
    );
    let out = wd.stdout(wd.command("amounts").args([
        "docs",
        "--attributes",
        "attrs.csv",
        "--by",
        "country",
        "--format",
        "csv",
    ]));
    // Guatemala USD: 300, 1000, 2000, 3000, 5000, 10000 → type 7 quartiles
    // 1250 and 4500, median 2500 (as R's quantile() gives them).
    assert_eq!(
        out,
        "group,currency,count,min,q1,median,q3,max\n\
         Guatemala,GTQ,1,25000,25000,25000,25000,25000\n\
         Guatemala,USD,6,300,1250,2500,4500,10000\n\
         Honduras,USD,1,12000,12000,12000,12000,12000\n\
         Mexico,MXN,2,300,1100,1900,2700,3500\n"
    );
    let table = wd.stdout(
        wd.command("amounts")
            .args(["docs", "--attributes", "attrs.csv", "--by", "country"]),
    );
    assert!(table.contains("type 7"), "the quartile method is stated: {table}");
}

#[test]
fn periods_and_date_buckets_group_documents_by_their_date() {
    let wd = Workdir::with(DOCS);
    let groups = |by: &str| -> Vec<String> {
        amounts(&wd, &["-c", "cb.yaml", "--by", by])
            .iter()
            .map(|r| format!("{} {} {}", r["group"], r["currency"], r["count"]))
            .collect()
    };
    // The codebook skips the interviewer, whose question quotes 3 mil dólares.
    assert_eq!(
        groups("period"),
        ["closures GTQ 1", "closures USD 3", "reopening MXN 2"],
        "periods in the order declared"
    );
    assert_eq!(
        groups("date:quarter"),
        ["2020-Q4 GTQ 1", "2020-Q4 USD 2", "2021-Q2 USD 1", "2022-Q1 MXN 2"]
    );
    wd.write("p.yaml", "early: [.., 2021-01-01]\nlate: [2021-01-01, ..]\n");
    assert_eq!(
        amounts(&wd, &["--periods", "p.yaml", "--by", "period"])
            .iter()
            .map(|r| format!("{} {}", r["group"], r["count"]))
            .collect::<Vec<_>>(),
        ["early 1", "early 3", "late 2", "late 1"]
    );
    let during: Vec<String> = amounts(&wd, &["--where", "date>=2021-01-01", "--where", "date<2022-01-01"])
        .iter()
        .map(|r| r["document"].clone())
        .collect();
    assert_eq!(during, ["hn.txt"]);
}

#[test]
fn rates_convert_only_what_they_cover_and_are_named() {
    let wd = Workdir::with(DOCS);
    wd.write(
        "rates.csv",
        "currency,to,rate,date\nGTQ,USD,0.13,2020\nMXN,USD,0.05,reopening\n",
    );
    let rows = amounts(&wd, &["-c", "cb.yaml", "--rates", "rates.csv"]);
    let converted: Vec<String> = rows
        .iter()
        .map(|r| format!("{} {} [{}]", r["words"], r["value_usd"], r["rate"]))
        .collect();
    assert_eq!(
        converted,
        [
            "unos 5 mil dólares 5000 [already in USD]",
            "Q25,000 3250 [1 GTQ = 0.13 USD (2020)]",
            "$300 300 [already in USD]",
            "twelve thousand dollars 12000 [already in USD]",
            "entre 3 y 4 mil pesos 175 [1 MXN = 0.05 USD (reopening)]",
            "300 pesos 15 [1 MXN = 0.05 USD (reopening)]",
        ]
    );
    let table = wd.stdout(wd.command("amounts").args([
        "docs",
        "--attributes",
        "attrs.csv",
        "-c",
        "cb.yaml",
        "--rates",
        "rates.csv",
        "--by",
        "country",
    ]));
    assert!(
        table.contains(
            "# rates used, from rates.csv: 1 GTQ = 0.13 USD (2020) (1 amount); 1 MXN = 0.05 USD (reopening) (2 amounts)"
        ),
        "{table}"
    );
    // A summary's CSV names the rates behind each row.
    let csv = wd.stdout(wd.command("amounts").args([
        "docs",
        "--attributes",
        "attrs.csv",
        "-c",
        "cb.yaml",
        "--rates",
        "rates.csv",
        "--by",
        "country",
        "--format",
        "csv",
    ]));
    assert!(
        csv.starts_with("group,currency,count,min,q1,median,q3,max,rates\n"),
        "{csv}"
    );
    assert!(
        csv.contains("Guatemala,USD,3,300,1775,3250,4125,5000,1 GTQ = 0.13 USD (2020); already in USD\n"),
        "{csv}"
    );
    // Without a rate for its date, an amount keeps its currency and is
    // counted apart.
    wd.write("rates.csv", "currency,to,rate,date\nGTQ,USD,0.13,2021\n");
    let table = wd.stdout(wd.command("amounts").args([
        "docs",
        "--attributes",
        "attrs.csv",
        "--rates",
        "rates.csv",
        "--by",
        "country",
    ]));
    assert!(
        table.contains(
            "not converted, for want of a rate at their document's `date`: 1 amount in GTQ, 2 amounts in MXN"
        ),
        "{table}"
    );
    assert!(table.contains("│ Guatemala ┆ GTQ "), "{table}");
}

#[test]
fn every_format_holds_the_amounts() {
    let wd = Workdir::with(DOCS);
    let json = wd.json(
        wd.command("amounts")
            .args(["docs", "--attributes", "attrs.csv", "--by", "country"]),
    );
    assert_eq!(json["by"], "country");
    assert_eq!(json["amounts"].as_array().unwrap().len(), 7);
    assert_eq!(json["amounts"][0]["words"], "unos 5 mil dólares");
    assert_eq!(json["summary"][0]["group"], "Guatemala");
    let md = wd.stdout(wd.command("amounts").args(["docs", "--format", "markdown"]));
    assert!(md.contains("| gt.md "), "{md}");
    wd.run(
        wd.command("amounts")
            .args(["docs", "--by", "document", "--out", "a.xlsx"]),
    );
    let sheets: Vec<String> = crate::xlsx::read(&wd.path("a.xlsx"))
        .into_iter()
        .map(|(name, _)| name)
        .collect();
    assert_eq!(sheets, ["summary", "amounts", "about"]);
}

#[test]
fn mistakes_are_explained() {
    let wd = Workdir::with(DOCS);
    let e = wd.usage_error(wd.command("amounts").args(["docs", "--code", "prices"]));
    assert!(e.contains("--codebook"), "{e}");
    let e = wd.error(wd.command("amounts").args(["docs", "-c", "cb.yaml", "--code", "price"]));
    assert!(
        e.contains("no code `price`") && e.contains("did you mean `prices`"),
        "{e}"
    );
    let e = wd.error(wd.command("amounts").args(["docs", "--by", "period"]));
    assert!(e.contains("no periods are declared"), "{e}");
    let e = wd.error(wd.command("amounts").args(["docs", "--by", "date:week"]));
    assert!(e.contains("`week` is no way of grouping dates"), "{e}");
    let e = wd.error(
        wd.command("amounts")
            .args(["docs", "--attributes", "attrs.csv", "--by", "contry"]),
    );
    assert!(
        e.contains("no document has the attribute `contry`") && e.contains("did you mean `country`"),
        "{e}"
    );
    wd.write("rates.csv", "currency,to,rate\nGTQ,USD,0.13\nGTQ,USD,abc\n");
    let e = wd.error(wd.command("amounts").args(["docs", "--rates", "rates.csv"]));
    assert!(e.contains("rates.csv:3") && e.contains("not a positive number"), "{e}");
    wd.write("p.yaml", "early: [.., 2021-01-01]\nlate: [2020-06-01, ..]\n");
    let e = wd.error(
        wd.command("amounts")
            .args(["docs", "--periods", "p.yaml", "--by", "period"]),
    );
    assert!(e.contains("p.yaml:2:1") && e.contains("overlap"), "{e}");
    let e = wd.error(wd.command("amounts").args(["docs", "--where", "date>=yesterday"]));
    assert!(e.contains("not a date"), "{e}");
}

/// Every amount the samples give can be checked against its passage: its
/// words are on the lines it names.
#[test]
fn sample_amounts_are_on_the_lines_they_name() {
    let wd = Workdir::new();
    let out = wd.stdout(wd.command("amounts").args([
        in_repo("samples/transcripts").to_str().unwrap(),
        "-c",
        in_repo("codebooks/smuggling.yaml").to_str().unwrap(),
        "--attributes",
        in_repo("samples/attributes.csv").to_str().unwrap(),
        "--format",
        "csv",
    ]));
    let rows = csv_maps(&out);
    assert!(rows.len() >= 60, "{} amounts", rows.len());
    let mut checked = 0;
    for r in &rows {
        let doc = &r["document"];
        if !(doc.ends_with(".txt") || doc.ends_with(".md")) || doc.contains("windows1252") || doc.contains("utf16") {
            continue;
        }
        let text = std::fs::read_to_string(in_repo(&format!("samples/transcripts/{doc}"))).unwrap();
        let (from, to): (usize, usize) = (r["start_line"].parse().unwrap(), r["end_line"].parse().unwrap());
        let lines: Vec<&str> = text.lines().skip(from - 1).take(to - from + 1).collect();
        let passage = lines.join(" ").split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            passage.contains(&r["words"]),
            "{doc}:{from}–{to}: `{}` not in {passage:?}",
            r["words"]
        );
        checked += 1;
    }
    assert!(checked >= 40, "{checked} rows checked");
}

/// The same bytes whatever the number of threads, in every format.
#[test]
fn outputs_do_not_depend_on_the_thread_count() {
    let wd = Workdir::new();
    let run = |threads: &str, format: &str| {
        wd.stdout(wd.qcode().args([
            "amounts",
            "-j",
            threads,
            in_repo("samples/transcripts").to_str().unwrap(),
            "-c",
            in_repo("codebooks/smuggling.yaml").to_str().unwrap(),
            "--attributes",
            in_repo("samples/attributes.csv").to_str().unwrap(),
            "--by",
            "period",
            "--format",
            format,
        ]))
    };
    for format in ["csv", "json", "markdown"] {
        assert_eq!(run("1", format), run("4", format), "{format}");
    }
}
