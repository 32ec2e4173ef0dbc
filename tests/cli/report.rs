//! `qcode report`: the reviewer's HTML page for the samples, with two
//! coders and the gold standard — the same bytes on every run and thread
//! count, and, rendered in headless Chromium, no console error, the
//! figures of `freq`, and excerpts that a filter hides and shows. The
//! screenshot is kept in the target folder as CI's artefact.

use std::path::Path;
use std::process::Command;

use crate::programs::require_program;
use crate::workdir::{Workdir, in_repo};

/// Writes the samples' report to `out` with `threads` threads.
fn report(wd: &Workdir, threads: &str, out: &str) {
    wd.run(
        wd.qcode()
            .args(["report", "-j", threads])
            .arg(in_repo("samples/transcripts"))
            .arg("-c")
            .arg(in_repo("codebooks/smuggling.yaml"))
            .arg("--attributes")
            .arg(in_repo("samples/attributes.csv"))
            .arg("--coded")
            .arg(in_repo("samples/coders/ana.csv"))
            .arg("--coded")
            .arg(in_repo("samples/coders/luis.csv"))
            .arg("--gold")
            .arg(in_repo("samples/coders/gold.csv"))
            .args(["--replicates", "500", "--out", out]),
    );
}

#[test]
fn the_report_is_one_file_and_the_same_bytes_on_any_thread_count() {
    let wd = Workdir::new();
    report(&wd, "1", "report.html");
    let first = std::fs::read(wd.path("report.html")).unwrap();
    report(&wd, "2", "report.html");
    assert!(
        first == std::fs::read(wd.path("report.html")).unwrap(),
        "two runs differ"
    );
    let html = String::from_utf8(first).unwrap();
    // Nothing to fetch: no stylesheet, script or image from elsewhere.
    for outside in ["<link", "src=\"http", "src='http", "@import", "url(http"] {
        assert!(!html.contains(outside), "the page loads {outside}…");
    }
    for section in [
        "provenance",
        "codebook",
        "frequencies",
        "crosstabs",
        "cooccurrence",
        "excerpts",
        "agreement",
        "audit",
    ] {
        assert!(
            html.contains(&format!("<section id=\"{section}\">")),
            "no {section} section"
        );
    }
    // Every input with its SHA-256, and the command without its -j.
    assert!(html.contains("samples/coders/luis.csv"), "the coders' files are listed");
    assert!(html.contains("<code>qcode report "), "the command line is recorded");
    assert!(!html.contains("report -j"), "the thread count is not recorded");
    let e = wd.error(
        wd.command("report")
            .arg(in_repo("samples/transcripts"))
            .arg("-c")
            .arg(in_repo("codebooks/smuggling.yaml"))
            .args(["--out", "notes.csv"]),
    );
    assert!(e.contains("does not end in .html"), "{e}");
}

#[test]
fn chromium_renders_the_report_with_the_figures_of_freq() {
    if !require_program("chromium", "apt-get install chromium") {
        return;
    }
    let wd = Workdir::new();
    report(&wd, "2", "report.html");
    let page = wd.path("report.html");

    let (dom, console) = render(&page, "");
    assert!(
        console.is_empty(),
        "the page logged to the console:\n{}",
        console.join("\n")
    );
    // The script ran: it counts the excerpts shown.
    let total = shown(&dom).1;
    assert_eq!(shown(&dom), (total, total), "every excerpt is shown at first");

    // The frequency table, as the browser has it, against `freq --format json`.
    let freq = wd.json(
        wd.command("freq")
            .arg(in_repo("samples/transcripts"))
            .arg("-c")
            .arg(in_repo("codebooks/smuggling.yaml"))
            .arg("--attributes")
            .arg(in_repo("samples/attributes.csv")),
    );
    let rows = table_rows(&dom, "frequency-table");
    let codes = freq["codes"].as_array().unwrap();
    assert_eq!(rows.len(), codes.len());
    for (row, code) in rows.iter().zip(codes) {
        // code, parent, label, segments, documents, % documents, hits
        assert_eq!(row[0], code["code"].as_str().unwrap());
        let number = |i: usize| row[i].parse::<u64>().unwrap();
        assert_eq!(number(3), code["segments"].as_u64().unwrap(), "{row:?}");
        assert_eq!(number(4), code["documents"].as_u64().unwrap(), "{row:?}");
        assert_eq!(number(6), code["hits"].as_u64().unwrap(), "{row:?}");
    }

    // A filter from the address hides every excerpt of other codes, and
    // shows the code's: as many as `freq` counts segments.
    let (filtered, console) = render(&page, "#code=debt");
    assert!(console.is_empty(), "{}", console.join("\n"));
    let debt = codes.iter().find(|c| c["code"] == "debt").unwrap()["segments"]
        .as_u64()
        .unwrap() as usize;
    assert_eq!(shown(&filtered), (debt, total));
    assert_eq!(hidden_excerpts(&filtered), total - debt);
    assert_eq!(hidden_excerpts(&dom), 0);
    // Filters combine: P07's excerpts about debt are fewer than either.
    let (p07, _) = render(&page, "#speaker=P07");
    let (p07_debt, _) = render(&page, "#speaker=P07&code=debt");
    let (speaker, both) = (shown(&p07).0, shown(&p07_debt).0);
    assert!(0 < speaker && speaker < total, "{speaker}");
    assert!(both < speaker && both < debt, "{both}");

    // The screenshot CI keeps.
    let shot = Path::new(env!("CARGO_TARGET_TMPDIR")).join("report.png");
    let out = chromium()
        .arg("--window-size=1280,2400")
        .arg(format!("--screenshot={}", shot.display()))
        .arg(url(&page, ""))
        .output()
        .unwrap();
    assert!(out.status.success() && shot.exists(), "no screenshot");
    eprintln!("screenshot of the report: {}", shot.display());
}

fn chromium() -> Command {
    let mut c = Command::new("chromium");
    // Root in a container has no sandbox to enter.
    c.args(["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"]);
    c
}

fn url(page: &Path, fragment: &str) -> String {
    format!("file://{}{fragment}", page.display())
}

/// The DOM after the page's script ran, and what it logged on the console.
fn render(page: &Path, fragment: &str) -> (String, Vec<String>) {
    let out = chromium()
        .args(["--enable-logging=stderr", "--v=0", "--dump-dom"])
        .arg(url(page, fragment))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let console = String::from_utf8_lossy(&out.stderr)
        .lines()
        .filter(|l| l.contains(":CONSOLE"))
        .map(str::to_string)
        .collect();
    (String::from_utf8(out.stdout).unwrap(), console)
}

/// `(shown, total)` from "12 of 689 excerpts shown".
fn shown(dom: &str) -> (usize, usize) {
    let at = dom.find("<p id=\"shown\"").expect("the count of excerpts");
    let text = &dom[at..];
    let text = &text[text.find('>').unwrap() + 1..text.find("</p>").unwrap()];
    let words: Vec<&str> = text.split_whitespace().collect();
    assert_eq!(&words[1..], ["of", words[2], "excerpts", "shown"], "{text}");
    (words[0].parse().unwrap(), words[2].parse().unwrap())
}

/// The cells' text of the body rows of the table with this id.
fn table_rows(dom: &str, id: &str) -> Vec<Vec<String>> {
    let start = dom.find(&format!("<table id=\"{id}\"")).expect("the table");
    let table = &dom[start..start + dom[start..].find("</table>").unwrap()];
    let body = &table[table.find("<tbody>").unwrap()..];
    body.split("<tr>").skip(1).map(cells).collect()
}

/// The text of a row's `<th>` and `<td>` cells.
fn cells(row: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = row;
    while let Some(at) = rest.find("<t") {
        let tag = &rest[at..];
        if !(tag.starts_with("<td") || tag.starts_with("<th")) {
            rest = &tag[2..];
            continue;
        }
        let (open, close) = (tag.find('>').unwrap() + 1, tag.find("</t").unwrap());
        out.push(tag[open..close].to_string());
        rest = &tag[close + 3..];
    }
    out
}

/// How many excerpts the page hides.
fn hidden_excerpts(dom: &str) -> usize {
    dom.split("<blockquote")
        .skip(1)
        .filter(|q| q[..q.find('>').unwrap()].contains(" hidden"))
        .count()
}
