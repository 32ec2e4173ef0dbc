//! The fuzz targets: one per reader, each taking arbitrary bytes and
//! driving the library as the command line does — read the file, then do
//! with it what a command would (cut a transcript into every unit and code
//! it, measure agreement on a coded CSV, write a codebook back out). A
//! target never fails on bad input: errors are the expected answer to most
//! inputs. What it must never do is panic, hang or allocate without
//! bound, which is what the fuzzers look for.
//!
//! The readers take paths, so each input is written to a file in a
//! scratch folder of the thread (a few microseconds, far less than reading
//! it). The count of bytes read in a run is reset before each input, or a
//! long campaign would reach [`qcode::limits::RUN_BYTES`].

use std::cell::RefCell;
use std::path::PathBuf;
use std::sync::OnceLock;

use qcode::amounts::CurrencySettings;
use qcode::choice::Choice;
use qcode::codebook::Codebook;
use qcode::corpus::{AttributeTable, Document, ReadOptions, Source, format_of, read_source};
use qcode::pipeline::{Setup, code_document};
use qcode::refi::{Positions, qdc, qdpx};
use qcode::reliability::agreement::{BootstrapSettings, agreement_report};
use qcode::reliability::coded::from_coded;
use qcode::reliability::data::{Options, UnitKind};
use qcode::reliability::input::{InputFile, read_input};
use qcode::reliability::spans::{SpanOptions, span_report};
use qcode::report::CodeTree;
use qcode::report::amounts::AmountsReport;
use qcode::report::freq::{Count, Freq, GroupBy};
use qcode::segment::Unit;
use qcode::stats::OverlapBasis;

use crate::package;

/// A fuzz target: what it reads, and the function that reads it.
pub struct Target {
    /// Its name, on the command line and as the folder of its seeds.
    pub name: &'static str,
    /// What an input is.
    pub about: &'static str,
    /// Reads one input.
    pub run: fn(&[u8]),
}

/// Every target, one per reader.
pub const TARGETS: &[Target] = &[
    Target {
        name: "codebook",
        about: "a codebook (YAML), compiled and applied to a passage, written as .qdc and .dic",
        run: codebook,
    },
    Target {
        name: "text",
        about: "a .md transcript (front matter, speaker labels, timestamps), cut into every unit, coded, its amounts found",
        run: |data| transcript(data, "interview.md"),
    },
    Target {
        name: "vtt",
        about: "a WebVTT subtitle file, cut into every unit and coded",
        run: |data| transcript(data, "call.vtt"),
    },
    Target {
        name: "srt",
        about: "a SubRip subtitle file, cut into every unit and coded",
        run: |data| transcript(data, "call.srt"),
    },
    Target {
        name: "csv",
        about: "a table of answers as .csv and .tsv (text column `text`), coded; also as an attributes file",
        run: table,
    },
    Target {
        name: "xlsx",
        about: "the sheet XML of an Excel workbook (shared strings 0-3: id, text, country, an answer)",
        run: |data| transcript(&package::xlsx(data), "answers.xlsx"),
    },
    Target {
        name: "docx",
        about: "word/document.xml of a Word document, cut into every unit and coded",
        run: |data| transcript(&package::docx(data), "interview.docx"),
    },
    Target {
        name: "odt",
        about: "content.xml of an OpenDocument text, cut into every unit and coded",
        run: |data| transcript(&package::odt(data), "interview.odt"),
    },
    Target {
        name: "qdc",
        about: "a REFI-QDA codebook (.qdc), imported as a codebook skeleton",
        run: refi_codebook,
    },
    Target {
        name: "qdpx",
        about: "project.qde of a REFI-QDA project (sources 1111…, 2222… given), imported in both position units",
        run: project,
    },
    Target {
        name: "coded",
        about: "a coded CSV or long-format file, read and measured for agreement, spans and frequencies",
        run: coded,
    },
    Target {
        name: "dictionary",
        about: "a dictionary: the first byte chooses quanteda YAML, LIWC .dic, LIWC-22 .dicx or WordStat .cat",
        run: dictionary,
    },
    Target {
        name: "zip",
        about: "a zip archive, read as .docx, .odt, .xlsx and .qdpx",
        run: archive,
    },
];

/// The target called `name`.
pub fn find(name: &str) -> Option<&'static Target> {
    TARGETS.iter().find(|t| t.name == name)
}

/// The codebook inputs are coded with: every kind of rule.
const CODEBOOK: &str = r#"name: Fuzz
skip_speakers: [Entrevistador]
codes:
  - name: prices
    keywords: ["coyote*", pollero, "pay the smuggler"]
    patterns: ['\$\s?\d[\d,]*', '(?i)\bmil\s+d[oó]lares']
  - name: debt
    children:
      - name: lenders
        keywords: [prestamista, prestamo]
        speakers: [P01, "P0*"]
      - name: mortgage
        all: [hipoteca, casa]
        not: [banco]
  - name: route
    near:
      - terms: [frontera, "cruz*"]
        within: 4
    min_hits: 1
    accents: exact
"#;

/// A setup per unit, with the codebook above and `text` as the text column.
fn setups() -> &'static [Setup] {
    static SETUPS: OnceLock<Vec<Setup>> = OnceLock::new();
    SETUPS.get_or_init(|| {
        let codebook = Codebook::parse(CODEBOOK, "fuzz.yaml").expect("the fuzz codebook is valid");
        Unit::ALL
            .iter()
            .map(|&unit| {
                Setup::new(codebook.clone(), Some(unit), None, read_options(), None).expect("the fuzz setup compiles")
            })
            .collect()
    })
}

fn read_options() -> ReadOptions {
    ReadOptions {
        text_cols: vec!["text".to_string()],
        ..ReadOptions::default()
    }
}

/// Writes `data` to the file `name` of this thread's scratch folder.
fn scratch(name: &str, data: &[u8]) -> PathBuf {
    thread_local! {
        static DIR: RefCell<Option<tempfile::TempDir>> = const { RefCell::new(None) };
    }
    qcode::limits::reset_run();
    DIR.with(|dir| {
        let mut dir = dir.borrow_mut();
        let dir = dir.get_or_insert_with(|| tempfile::tempdir().expect("a scratch folder"));
        let path = dir.path().join(name);
        std::fs::write(&path, data).expect("writing a scratch file");
        path
    })
}

/// Reads the source at `path` and codes its documents with every unit.
fn code_source(path: PathBuf) {
    let Some(format) = format_of(&path) else { return };
    let source = Source {
        id: path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        path,
        format,
    };
    let Ok(docs) = read_source(&source, &read_options()) else {
        return;
    };
    for doc in docs {
        code_everywhere(doc);
    }
}

fn code_everywhere(doc: Document) {
    // The money amounts of every passage too, their currencies read by the
    // document's country, summarised by it.
    let currencies = CurrencySettings {
        country_attribute: Some("country".to_string()),
        ..CurrencySettings::default()
    };
    for setup in setups() {
        let coded = code_document(doc.clone(), setup);
        let codings = coded.codings(&setup.codebook, setup.unit);
        let mut freq = Freq::new(CodeTree::from_codebook(&setup.codebook), None, Count::Segments, true);
        freq.add_coded(&coded);
        let _ = freq.add_codings(&codings, None);
        let mut amounts = AmountsReport {
            by: Some(GroupBy::Attribute("country".to_string())),
            ..AmountsReport::default()
        };
        let _ = amounts.add_coded(&coded, &setup.codebook, None, &currencies);
        let _ = amounts.summary_rows();
    }
}

fn transcript(data: &[u8], name: &str) {
    code_source(scratch(name, data));
}

fn codebook(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(codebook) = Codebook::parse(text, "fuzz.yaml") else {
        return;
    };
    let _ = qdc::write(&codebook);
    let _ = qcode::dictionary::export_dic(&codebook);
    if let Ok(setup) = Setup::from_codebook(codebook) {
        let doc = Document::from_text(
            "p01.txt",
            "Entrevistador: ¿Cuánto?\n\nP01: Al coyote le pagamos $3,500 y la hipoteca de la casa.\n\nP02: Cruzamos la frontera.",
        );
        let coded = code_document(doc, &setup);
        let _ = coded.codings(&setup.codebook, setup.unit);
    }
}

fn table(data: &[u8]) {
    code_source(scratch("answers.csv", data));
    code_source(scratch("answers.tsv", data));
    let path = scratch("attributes.csv", data);
    if let Ok(table) = AttributeTable::load(&path) {
        let mut doc = Document::from_text("p01.txt", "P01: hola");
        table.apply(&mut doc);
        let _ = table.unused();
    }
}

fn refi_codebook(data: &[u8]) {
    let _ = qdc::import(&scratch("codebook.qdc", data));
}

fn project(data: &[u8]) {
    let path = scratch("project.qdpx", &package::qdpx(data));
    for positions in [None, Some(Positions::Utf16)] {
        if let Ok(imported) = qdpx::import(&path, positions) {
            let mut freq = Freq::new(
                CodeTree::for_codings(None, &imported.codings).0,
                None,
                Count::Segments,
                false,
            );
            let _ = freq.add_codings(&imported.codings, None);
            let _ = qdc::skeleton_file(&imported.codes.codes, "fuzz", "project.qdpx");
        }
    }
}

fn coded(data: &[u8]) {
    let path = scratch("ana.csv", data);
    let Ok(input) = read_input(&path) else { return };
    let opts = Options {
        unit: UnitKind::Segment,
        declared: None,
        coders: None,
        transcripts: None,
        all_rated: false,
        complete_coder: None,
        tree: None,
    };
    let boot = BootstrapSettings {
        replicates: 20,
        seed: 1,
    };
    match input {
        InputFile::Coded(file) => {
            let files = [file];
            for unit in [UnitKind::Segment, UnitKind::Document] {
                if let Ok(built) = from_coded(&files, &Options { unit, ..opts }) {
                    let _ = agreement_report(&built.data, boot);
                }
            }
            let spans = SpanOptions {
                declared: None,
                coders: None,
                transcripts: None,
                all_rated: false,
                threshold: 0.9,
                basis: OverlapBasis::Longer,
                tree: None,
            };
            let _ = span_report(&files, &spans);
            let (tree, _) = CodeTree::for_codings(None, &files[0].codings);
            let mut freq = Freq::new(tree, None, Count::Segments, false);
            let _ = freq.add_codings(&files[0].codings, None);
        }
        InputFile::Long(file) => {
            if let Ok(built) = qcode::reliability::long::from_long(&[file], &opts) {
                let _ = agreement_report(&built.data, boot);
            }
        }
    }
}

fn dictionary(data: &[u8]) {
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    let name = ["dictionary.yml", "dictionary.dic", "dictionary.dicx", "dictionary.cat"][usize::from(first % 4)];
    if let Ok((yaml, _)) = qcode::dictionary::import(&scratch(name, rest)) {
        // What an import writes is a codebook qcode reads back.
        let _ = Codebook::parse(&yaml, "imported.yaml");
    }
}

fn archive(data: &[u8]) {
    for name in ["raw.docx", "raw.odt", "raw.xlsx"] {
        code_source(scratch(name, data));
    }
    let _ = qdpx::import(&scratch("raw.qdpx", data), None);
}
