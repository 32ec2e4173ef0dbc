//! One code, one number: on the samples, a code's passages are the same
//! count in every command and format that counts them — a parent counting
//! every passage coded with it or any of its sub-codes, once.

use std::collections::BTreeMap;
use std::process::Command;

use crate::workdir::{Workdir, csv_maps, in_repo};

/// `qcode SUBCOMMAND samples/transcripts -c codebooks/smuggling.yaml`.
fn on_the_samples(wd: &Workdir, subcommand: &str) -> Command {
    let mut cmd = wd.command(subcommand);
    cmd.arg(in_repo("samples/transcripts"))
        .arg("-c")
        .arg(in_repo("codebooks/smuggling.yaml"));
    cmd
}

/// The `segments` column of a `freq --format csv` table, by code.
fn freq_counts(csv: &str) -> BTreeMap<String, usize> {
    csv_maps(csv)
        .into_iter()
        .map(|row| (row["code"].clone(), row["segments"].parse().expect("a count")))
        .collect()
}

/// The passage count in each heading of `excerpts` text output.
fn excerpt_counts(text: &str) -> BTreeMap<String, usize> {
    text.lines()
        .filter_map(|l| l.strip_prefix("== ")?.strip_suffix(" =="))
        .map(|h| {
            let code = h.split([' ', '—']).next().unwrap().to_string();
            let n = h.rsplit_once(" (").unwrap().1.split(' ').next().unwrap();
            (code, n.parse().unwrap())
        })
        .collect()
}

#[test]
fn every_command_counts_a_codes_passages_alike() {
    let wd = Workdir::new();
    let freq = freq_counts(&wd.stdout(on_the_samples(&wd, "freq").args(["--format", "csv"])));
    assert!(
        freq["prices"] > freq["price_amounts"],
        "parents count their sub-codes: {freq:?}"
    );

    // Excerpts: every heading, and each parent asked for alone.
    let excerpts = excerpt_counts(&wd.stdout(&mut on_the_samples(&wd, "excerpts")));
    assert_eq!(
        excerpts,
        freq.iter()
            .filter(|(_, n)| **n > 0)
            .map(|(c, n)| (c.clone(), *n))
            .collect()
    );
    for parent in ["prices", "debt", "routes", "risks", "institutions"] {
        let one = excerpt_counts(&wd.stdout(on_the_samples(&wd, "excerpts").args(["--code", parent])));
        assert_eq!(one.get(parent), freq.get(parent), "excerpts --code {parent}");
    }

    // The coded CSV read back, with and without the codebook: its
    // `code_path` column keeps the tree.
    wd.stdout(on_the_samples(&wd, "code").args(["--out", "coded.csv"]));
    let coded = freq_counts(&wd.stdout(wd.command("freq").args(["--coded", "coded.csv", "--format", "csv"])));
    assert_eq!(
        coded,
        freq.iter()
            .filter(|(_, n)| **n > 0)
            .map(|(c, n)| (c.clone(), *n))
            .collect()
    );
    let coded_with_codebook = freq_counts(&wd.stdout(wd.command("freq").args([
        "--coded".as_ref(),
        "coded.csv".as_ref(),
        "-c".as_ref(),
        in_repo("codebooks/smuggling.yaml").as_os_str(),
        "--format".as_ref(),
        "csv".as_ref(),
    ])));
    assert_eq!(coded_with_codebook, freq);

    // An audit of qcode against its own coding as the gold standard: every
    // code's gold passages and true positives are freq's count.
    let gold = wd.read("coded.csv").replacen(",qcode,", ",human,", usize::MAX);
    wd.write("gold.csv", gold);
    let audit = wd.json(wd.command("audit").args([
        "--gold".as_ref(),
        "gold.csv".as_ref(),
        "coded.csv".as_ref(),
        "-c".as_ref(),
        in_repo("codebooks/smuggling.yaml").as_os_str(),
    ]));
    for row in audit["rows"].as_array().unwrap() {
        let code = row["code"].as_str().unwrap();
        if code == "overall" {
            continue;
        }
        let n = freq[code] as u64;
        assert_eq!(
            (row["gold"].as_u64(), row["true_positives"].as_u64()),
            (Some(n), Some(n)),
            "{code}"
        );
    }
}
