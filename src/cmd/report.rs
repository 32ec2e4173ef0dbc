//! `qcode report`: the reviewer's report, one self-contained HTML page.

use std::path::{Path, PathBuf};

use qcode::codebook::sha256_hex;
use qcode::coding::CodeTree;
use qcode::files::output::Output;
use qcode::files::read_bytes;
use qcode::reliability::agreement::{
    BootstrapSettings, DEFAULT_REPLICATES, DEFAULT_SEED, agreement_report, disagreements,
};
use qcode::reliability::coded::from_coded;
use qcode::reliability::data::{Options, UnitKind, unit_of_codings};
use qcode::reliability::gold::{AuditOptions, audit, code_for_audit};
use qcode::reliability::input::{CodedFile, InputFile, read_gold, read_input};
use qcode::report::cooccur::{Cooccur, Proximity};
use qcode::report::excerpts::Excerpts;
use qcode::report::freq::{Count, Freq, GroupBy, Percent};
use qcode::report::review::{InputFile as Input, Review};
use qcode::report::{Provenance, Report};
use qcode::{Error, Result};

use super::util::{CorpusArgs, Progress, message, warn};

/// The reviewer's report: one HTML file that opens offline and prints,
/// with the provenance of every input (SHA-256), the codebook, frequency
/// charts, crosstabs by every attribute, the co-occurrence of codes, the
/// excerpts (filterable in the page), and — with --coded — the agreement
/// between coders and their disagreements, with --gold the audit of the
/// rules. Every chart has its table beside it; the same command gives the
/// same bytes.
///
/// Examples:
///   qcode report samples/transcripts -c codebooks/smuggling.yaml \
///       --attributes samples/attributes.csv --coded samples/coders/ana.csv \
///       --coded samples/coders/luis.csv --gold samples/coders/gold.csv \
///       --out report.html
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment, about = "The reviewer's report: one self-contained HTML file")]
pub struct Args {
    #[command(flatten)]
    pub(crate) corpus: CorpusArgs,
    /// Coders' coded CSVs of these transcripts (two or more coders): the
    /// agreement between them and their disagreements.
    #[arg(long, value_name = "FILE.csv")]
    coded: Vec<PathBuf>,
    /// A human gold standard (coded CSV): precision, recall and F1 of the
    /// rules, with every false positive and negative.
    #[arg(long, value_name = "FILE.csv")]
    gold: Option<PathBuf>,
    /// Bootstrap replicates for alpha's 95% interval.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_REPLICATES)]
    replicates: usize,
    /// Seed of the bootstrap.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_SEED)]
    seed: u64,
    /// The HTML file to write.
    #[arg(long, short = 'o', value_name = "FILE.html", required = true)]
    out: PathBuf,
}

pub fn run(args: Args) -> Result<()> {
    // A page written over `notes.csv` would destroy what the name promises.
    let html = args
        .out
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("html") || e.eq_ignore_ascii_case("htm"));
    if !html {
        return Err(Error::usage(format!(
            "the report is an HTML page, and {} does not end in .html",
            args.out.display()
        ))
        .hint("give the file to write with --out NAME.html"));
    }
    qcode::limits::REPLICATES
        .check(args.replicates as u64, || {
            format!(
                "--replicates {} asks for {} bootstrap replicates",
                args.replicates, args.replicates
            )
        })
        .map_err(|e| e.kind(qcode::ErrorKind::Usage))?;
    let coded = read_coders(&args.coded)?;
    let mut corpus = args.corpus.clone();
    if corpus.unit.is_none() {
        corpus.unit = unit_of_codings(&coded)?;
    }
    let (setup, sources) = corpus.setup()?;
    let (automatic, transcripts) = code_for_audit(&sources, &setup, &Progress::new())?;
    corpus.check_attributes(&setup);
    let codebook = &setup.codebook;
    let tree = CodeTree::from_codebook(codebook);
    let codings = &automatic.codings;

    let mut freq = Freq::new(tree.clone(), None, Count::Segments, true);
    freq.add_codings(codings, Some(&transcripts))?;
    let mut crosstabs = Vec::new();
    for name in transcripts.attribute_names() {
        let mut crosstab = Freq::new(tree.clone(), Some(GroupBy::Attribute(name)), Count::Segments, true);
        crosstab.percent = Some(Percent::Column);
        crosstab.add_codings(codings, Some(&transcripts))?;
        crosstabs.push(crosstab);
    }
    let mut cooccur = Cooccur::new(tree.clone(), Proximity::Passage, None, &[])?;
    cooccur.add_codings(codings)?;
    let mut excerpts = Excerpts::new(tree.clone(), &[], Some(codebook), 0)?;
    excerpts.add_codings(codings);
    excerpts.sort();

    let declared = codebook.code_names();
    let agreement = if coded.is_empty() {
        None
    } else {
        let (coders_tree, unknown) = CodeTree::for_codings(Some(codebook), coded.iter().flat_map(|f| &f.codings));
        if !unknown.is_empty() {
            warn(&format!(
                "the coders' files use codes the codebook lacks: {}",
                unknown.join(", ")
            ));
        }
        let opts = Options {
            unit: UnitKind::Segment,
            declared: Some(&declared),
            coders: None,
            transcripts: Some(&transcripts),
            all_rated: false,
            complete_coder: None,
            tree: Some(&coders_tree),
        };
        let built = from_coded(&coded, &opts)?;
        built.warnings.iter().for_each(|w| warn(w));
        let boot = BootstrapSettings {
            replicates: args.replicates,
            seed: args.seed,
        };
        Some((agreement_report(&built.data, boot), disagreements(&built.data)))
    };
    let audited = match &args.gold {
        None => None,
        Some(path) => {
            let options = AuditOptions {
                codebook: Some(codebook),
                transcripts: Some(&transcripts),
                codes: &[],
                all_rated: false,
            };
            let audited = audit(read_gold(path, None)?, automatic.clone(), &options)?;
            audited.warnings.iter().for_each(|w| warn(w));
            Some(audited)
        }
    };

    let mut inputs = vec![input("codebook", &codebook.source)?];
    for s in &sources {
        inputs.push(input("transcript", &s.path.display().to_string())?);
    }
    if let Some(p) = &args.corpus.attributes {
        inputs.push(input("attributes", &p.display().to_string())?);
    }
    for p in &args.coded {
        inputs.push(input("coded", &p.display().to_string())?);
    }
    if let Some(p) = &args.gold {
        inputs.push(input("gold", &p.display().to_string())?);
    }
    let provenance = Provenance::new(
        Some(codebook),
        args.coded.iter().map(|p| p.display().to_string()).collect(),
        Some(setup.unit.as_str()),
    );
    let review = Review {
        command: command_line(std::env::args()),
        inputs,
        provenance: &provenance,
        codebook,
        freq: &freq,
        crosstabs: &crosstabs,
        cooccur: &cooccur,
        excerpts: &excerpts,
        transcripts: &transcripts,
        agreement: agreement.as_ref().map(|(r, t)| (r as &dyn Report, t)),
        audit: audited.as_ref().map(|a| (&a.report as &dyn Report, a.report.errors())),
    };
    let html = review.html();
    let mut file = Output::open(Some(&args.out))?;
    use std::io::Write;
    file.write_all(html.as_bytes()).map_err(Error::write)?;
    file.finish()?;
    message(&format!("report written to {}", args.out.display()));
    Ok(())
}

/// The coders' coded CSVs.
fn read_coders(paths: &[PathBuf]) -> Result<Vec<CodedFile>> {
    paths
        .iter()
        .map(|path| match read_input(path)? {
            InputFile::Coded(f) => Ok(f),
            InputFile::Long(_) => Err(
                Error::usage("--coded takes coded CSVs (`document,segment,…,code,coder`)")
                    .in_file(path)
                    .hint("compare long-format ratings with `qcode agree`"),
            ),
        })
        .collect()
}

/// A file of the provenance, with the SHA-256 of its bytes.
fn input(role: &str, path: &str) -> Result<Input> {
    Ok(Input {
        role: role.to_string(),
        path: path.to_string(),
        sha256: sha256_hex(&read_bytes(Path::new(path))?),
    })
}

/// The command line as typed, for the provenance: the program as `qcode`,
/// arguments quoted for a POSIX shell where needed, and the number of
/// threads (`-j`) left out, since it never changes a result and the report
/// must be the same bytes whatever it is.
fn command_line(args: impl Iterator<Item = String>) -> String {
    let mut words = vec!["qcode".to_string()];
    let mut args = args.skip(1).peekable();
    while let Some(arg) = args.next() {
        if arg == "-j" || arg == "--threads" {
            args.next();
            continue;
        }
        if (arg.starts_with("-j") && arg[2..].chars().all(|c| c.is_ascii_digit())) || arg.starts_with("--threads=") {
            continue;
        }
        words.push(quoted(&arg));
    }
    words.join(" ")
}

/// A word as a POSIX shell reads it back.
fn quoted(word: &str) -> String {
    let plain = !word.is_empty() && word.chars().all(|c| c.is_alphanumeric() || "-_./=:,+@%".contains(c));
    if plain {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::command_line;

    #[test]
    fn the_command_line_leaves_out_threads_and_quotes() {
        let args = [
            "/x/target/qcode",
            "-j",
            "4",
            "report",
            "my docs",
            "-j2",
            "--out",
            "r.html",
            "--threads=3",
        ];
        assert_eq!(
            command_line(args.iter().map(|s| s.to_string())),
            "qcode report 'my docs' --out r.html"
        );
    }
}
