//! `qcode cooccur`: pairs of codes counted by hand, with parents, --within,
//! --overlap, --by, the passages behind a pair, and GraphML.

use crate::CODEBOOK;
use crate::workdir::{Workdir, csv_maps};

/// Passages whose codes can be read off: a.md ¶1 prices; ¶2 prices and
/// lenders (debt); ¶3 covid; ¶4 mortgage (debt). b.txt ¶1 lenders and
/// mortgage (debt once); ¶2 nothing; ¶3 prices.
const DOCS: &[(&str, &str)] = &[
    ("cb.yaml", CODEBOOK),
    (
        "docs/a.md",
        "---\ncountry: Honduras\n---\nP1: The coyote wanted $900.\n\nP1: A prestamista lent us the rest, the coyote took it.\n\nP1: Then the lockdown.\n\nP1: We lost the house to the hipoteca.\n",
    ),
    (
        "docs/b.txt",
        "R2: The prestamista holds the hipoteca.\n\nR2: Nothing else.\n\nR2: The coyote came back.\n",
    ),
];

fn cooccur(wd: &Workdir, extra: &[&str]) -> String {
    wd.stdout(wd.command("cooccur").args(["docs", "-c", "cb.yaml"]).args(extra))
}

#[test]
fn pairs_in_the_same_passage_with_parents_counting_their_sub_codes() {
    let wd = Workdir::with(DOCS);
    // By hand: prices on a¶1, a¶2, b¶3 (3); debt on a¶2, a¶4, b¶1 (3);
    // lenders on a¶2, b¶1 (2); mortgage on a¶4, b¶1 (2).
    // prices × debt: a¶2 → 1, jaccard 1 / (3 + 3 − 1) = 0.2.
    // prices × lenders: a¶2 → 1, 1 / (3 + 2 − 1) = 0.25.
    // lenders × mortgage: b¶1 → 1, 1 / (2 + 2 − 1).
    // debt × lenders and debt × mortgage are a parent and its sub-code.
    assert_eq!(
        cooccur(&wd, &["--format", "csv"]),
        "code_a,code_b,segments,jaccard,c\n\
         prices,debt,1,0.2,0.2\n\
         prices,lenders,1,0.25,0.25\n\
         lenders,mortgage,1,0.3333333333333333,0.3333333333333333\n"
    );
    let table = cooccur(&wd, &[]);
    assert!(
        table.contains("# 2 documents; codes counted together in the same passage"),
        "{table}"
    );
    assert!(table.contains("0.2000"), "{table}");
}

#[test]
fn within_one_passage_links_neighbours() {
    let wd = Workdir::with(DOCS);
    let rows = csv_maps(&cooccur(&wd, &["--within", "1", "--format", "csv"]));
    let pair = |a: &str, b: &str| {
        rows.iter()
            .find(|r| r["code_a"] == a && r["code_b"] == b)
            .map(|r| (r["segments"].clone(), r["jaccard"].clone(), r["c"].clone()))
    };
    // prices (a¶1, a¶2, b¶3) and covid (a¶3): a¶2 has covid next to it, a¶3
    // has prices next to it; a¶1 and b¶3 do not (b¶2 is between). 2 of 4.
    assert_eq!(pair("prices", "covid"), Some(("2".into(), "0.5".into(), "".into())));
    // debt (a¶2, a¶4, b¶1) and covid (a¶3): a¶2, a¶3, a¶4 linked, b¶1 not.
    assert_eq!(pair("debt", "covid"), Some(("3".into(), "0.75".into(), "".into())));
    // prices × debt: a¶1 (a¶2 near), a¶2, b¶3? no (b¶2 between, b¶1 two
    // away); b¶1? no. a¶4? no (a¶3 is covid). 2 of 3 + 3 − 1 = 5.
    assert_eq!(pair("prices", "debt"), Some(("2".into(), "0.4".into(), "".into())));
    let wide = csv_maps(&cooccur(&wd, &["--within", "2", "--format", "csv"]));
    let prices_debt = wide
        .iter()
        .find(|r| r["code_a"] == "prices" && r["code_b"] == "debt")
        .unwrap();
    // Within 2, b¶1 and b¶3 are linked too: a¶1, a¶2, a¶4 (a¶2 two back),
    // b¶1, b¶3 → 5 of 5.
    assert_eq!(
        (prices_debt["segments"].as_str(), prices_debt["jaccard"].as_str()),
        ("5", "1")
    );
}

#[test]
fn the_passages_behind_a_pair_and_groups() {
    let wd = Workdir::with(DOCS);
    let rows = csv_maps(&cooccur(
        &wd,
        &["--code", "debt", "--code", "prices", "--format", "csv"],
    ));
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["document"], "a.md");
    assert_eq!(rows[0]["segment"], "2");
    assert_eq!(rows[0]["codes"], "prices; lenders");
    let by = csv_maps(&cooccur(&wd, &["--by", "document", "--format", "csv"]));
    let groups: Vec<(&str, &str, &str)> = by
        .iter()
        .map(|r| (r["document"].as_str(), r["code_a"].as_str(), r["code_b"].as_str()))
        .collect();
    assert_eq!(
        groups,
        [
            ("a.md", "prices", "debt"),
            ("a.md", "prices", "lenders"),
            ("b.txt", "lenders", "mortgage")
        ]
    );
    let e = wd.usage_error(
        wd.command("cooccur")
            .args(["docs", "-c", "cb.yaml", "--code", "debt", "--code", "lender"]),
    );
    assert!(e.contains("did you mean `lenders`"), "{e}");
    let e = wd.error(wd.command("cooccur").args(["docs", "-c", "cb.yaml", "--by", "contry"]));
    assert!(e.contains("attribute `contry`"), "{e}");
}

#[test]
fn overlapping_quotations_of_imported_codings() {
    // Quotations as another program marks them: stretches of characters.
    let wd = Workdir::with(&[(
        "spans.csv",
        "document,start_char,end_char,code,coder\n\
         a,0,10,prices,ana\n\
         a,5,15,routes,ana\n\
         a,8,20,routes,ana\n\
         a,30,40,prices,ana\n\
         b,0,5,routes,ana\n",
    )]);
    let out = wd.stdout(
        wd.command("cooccur")
            .args(["--coded", "spans.csv", "--overlap", "--format", "csv"]),
    );
    // prices [0,10) overlaps both routes quotations of a: 2 pairs; c = 2 /
    // (2 + 3 − 2); characters coded with both: [5,10) = 5, with either: 20 +
    // 15 + 5 (b) − 5 = 35.
    assert_eq!(
        out,
        "code_a,code_b,segments,jaccard,c\nprices,routes,2,0.14285714285714285,0.6666666666666666\n"
    );
    let e = wd.error(wd.command("cooccur").args(["--coded", "spans.csv", "--within", "1"]));
    assert!(e.contains("has no segment number"), "{e}");
}

#[test]
fn graphml_for_gephi_and_the_same_bytes_twice() {
    let wd = Workdir::with(DOCS);
    wd.run(
        wd.command("cooccur")
            .args(["docs", "-c", "cb.yaml", "--out", "codes.graphml"]),
    );
    let first = wd.read("codes.graphml");
    assert!(
        first.contains(r#"<edge id="e0" source="prices" target="debt">"#),
        "{first}"
    );
    assert!(first.contains(r#"<data key="weight">1</data>"#), "{first}");
    assert_eq!(first.matches("<node ").count(), 5);
    wd.run(
        wd.command("cooccur")
            .args(["-j", "1", "docs", "-c", "cb.yaml", "--out", "codes.graphml"]),
    );
    assert_eq!(wd.read("codes.graphml"), first);
    let e = wd.usage_error(
        wd.command("cooccur")
            .args(["docs", "-c", "cb.yaml", "--format", "csv", "-o", "x.graphml"]),
    );
    assert!(e.contains(".graphml"), "{e}");
}
