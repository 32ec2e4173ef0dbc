//! The README's main command on the shipped samples: the counts a reader
//! sees, pinned, and properties that must hold for any codebook change.

use std::process::Command;

use crate::workdir::{Workdir, csv_records, in_repo};

/// `qcode SUBCOMMAND samples/transcripts -c codebooks/smuggling.yaml
/// --attributes samples/attributes.csv`, the README's main command.
fn on_the_samples(wd: &Workdir, subcommand: &str) -> Command {
    let mut cmd = wd.command(subcommand);
    cmd.arg(in_repo("samples/transcripts"))
        .arg("-c")
        .arg(in_repo("codebooks/smuggling.yaml"))
        .arg("--attributes")
        .arg(in_repo("samples/attributes.csv"));
    cmd
}

fn coded_rows() -> Vec<csv::StringRecord> {
    let wd = Workdir::new();
    csv_records(&wd.stdout(&mut on_the_samples(&wd, "code")))
}

#[test]
fn frequency_table_of_the_samples() {
    let wd = Workdir::new();
    let out = wd.stdout(on_the_samples(&wd, "freq").args(["--format", "csv"]));
    // Spot-checked by reading the excerpts: the 10 `bribes` passages are the
    // 10 places where a bribe ("mordida", "a contribution", corruption) is
    // described, one per document; the snake-bite "mordida" is vetoed.
    // interview_returnee_guide_otter.txt is an Otter export: its `Name  m:ss`
    // headers give every passage its speaker, so the interviewer's four
    // coded questions (3:18 checkpoints, 3:55 kids as guides, 4:31 cartels,
    // 5:21 paying the coyote) are left out like every interviewer's.
    // price_amounts' `near` rule (a word of charging by an amount in words)
    // codes "cobraba menos, como noventa mil" in entrevista_guatemala_migrante.md.
    assert_eq!(
        out,
        r#"code,parent,label,segments,documents,% documents,hits
prices,,Prices and payment of smugglers,67,20,100.0,142
price_amounts,prices,Amounts and currencies,57,19,95.0,83
installments_guarantees,prices,"Installments, down payments and the ""three tries""",12,7,35.0,15
debt,,"Lenders, mortgages and debt",36,11,55.0,95
lenders_interest,debt,Lenders and interest,29,11,55.0,51
mortgaged_property,debt,Mortgaged land and houses,13,10,50.0,28
subsistence_smuggling,,Subsistence smuggling by border residents,7,6,30.0,16
child_guides,,Children and adolescents as guides,13,11,55.0,28
organized_crime,,"Organized crime (mentions, rumours and denials)",14,12,60.0,25
covid_closures,,COVID-19 closures and restrictions,59,19,95.0,80
routes,,Routes and hidden paths,80,17,85.0,168
river_crossings,routes,River crossings and rafts,49,13,65.0,82
hidden_paths,routes,Hidden paths and detours around controls,37,16,80.0,57
risks,,Risks to migrants,31,16,80.0,57
extortion_kidnapping,risks,"Extortion, kidnapping, robbery and assault",19,14,70.0,26
environmental_hazards,risks,"Drowning, heat and accidents",12,11,55.0,26
institutions,,Institutional response,73,19,95.0,127
enforcement,institutions,"Migration agents, police and the National Guard",47,18,90.0,74
bribes,institutions,Bribes and corruption,10,10,50.0,12
shelters_ngos,institutions,"Shelters, NGOs and protection agencies",26,9,45.0,41
"#
    );
}

#[test]
fn interviewers_and_moderators_are_never_coded() {
    let rows = coded_rows();
    assert_eq!(rows.len(), 471);
    for r in &rows {
        let speaker = r[7].to_lowercase();
        assert!(
            !(speaker == "interviewer" || speaker.starts_with("entrevistador") || speaker.starts_with("moderator")),
            "{r:?}"
        );
    }
}

#[test]
fn every_passage_is_the_text_between_its_offsets() {
    // Re-read each document as qcode does (its ids are the file names) and
    // check the offsets of every coded passage.
    let rows = coded_rows();
    let mut checked = 0;
    for r in rows.iter().filter(|r| r[0].ends_with(".md") || r[0].ends_with(".txt")) {
        let (start, end): (usize, usize) = (r[5].parse().unwrap(), r[6].parse().unwrap());
        let Ok(raw) = std::fs::read_to_string(in_repo("samples/transcripts").join(&r[0])) else {
            continue;
        };
        let body = match raw.strip_prefix("---\n").and_then(|rest| rest.split_once("\n---\n")) {
            Some((_, body)) => body.to_string(),
            None => raw,
        };
        let text = qcode::text::normalize(&body);
        let between: String = text.chars().skip(start).take(end - start).collect();
        let cell = r[13]
            .strip_prefix('\'')
            .filter(|t| t.starts_with(['=', '+', '-', '@']))
            .unwrap_or(&r[13]);
        assert_eq!(between, cell, "{}:{start}-{end}", &r[0]);
        checked += 1;
    }
    assert!(checked > 300, "{checked}");
}

#[test]
fn every_code_fires_and_labels_are_never_matched() {
    let rows = coded_rows();
    let wd = Workdir::new();
    let out = wd.stdout(
        wd.command("codebook")
            .arg("check")
            .arg(in_repo("codebooks/smuggling.yaml")),
    );
    assert!(out.contains("20 codes"), "{out}");
    for code in [
        "prices",
        "price_amounts",
        "installments_guarantees",
        "lenders_interest",
        "mortgaged_property",
        "subsistence_smuggling",
        "child_guides",
        "organized_crime",
        "covid_closures",
        "river_crossings",
        "hidden_paths",
        "extortion_kidnapping",
        "environmental_hazards",
        "enforcement",
        "bribes",
        "shelters_ngos",
    ] {
        assert!(rows.iter().any(|r| &r[8] == code), "{code} never fires");
    }
    // The lender's label `Prestamista:` is not a match for `prestamista*`.
    for r in rows
        .iter()
        .filter(|r| &r[7] == "Prestamista" && &r[8] == "lenders_interest")
    {
        let matched = r[12].to_lowercase();
        assert!(
            !matched.split("; ").any(|m| m == "prestamista") || r[13][13..].to_lowercase().contains("prestamista"),
            "{r:?}"
        );
    }
}
