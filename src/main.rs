//! The `qcode` command: a thin layer that parses arguments and calls the
//! library. Each subcommand lives in its own file under `src/cmd/`, with its
//! usage text beside its code.
//!
//! Exit codes: 0 success (also when the reader of the output went away, as
//! in `qcode … | head`), 2 error (bad input, with a message on stderr that
//! says what, where and how to fix it).

mod cmd;

use clap::{Parser, Subcommand};
use qcode::ErrorKind;

/// Code interview transcripts and field notes with a versionable codebook.
///
/// qcode applies a codebook of rules (keywords, wildcards, regular
/// expressions, near/all/not, speaker scope) to every passage of your
/// transcripts, reproducibly, and gives frequency tables, crosstabs, coded
/// excerpts and a coded CSV for R, pandas or Excel.
#[derive(Parser)]
#[command(name = "qcode", version, max_term_width = 120)]
struct Cli {
    /// Number of threads (default: one per core). Results are identical
    /// whatever the number.
    #[arg(long, short = 'j', global = true, value_name = "N")]
    threads: Option<usize>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    Code(cmd::code::Args),
    Freq(cmd::freq::Args),
    Excerpts(cmd::excerpts::Args),
    Agree(cmd::agree::Args),
    Audit(cmd::audit::Args),
    /// Check a codebook and print its code tree
    #[command(subcommand)]
    Codebook(cmd::codebook::Command),
    Export(cmd::export::Args),
    Import(cmd::import::Args),
    Speakers(cmd::speakers::Args),
}

fn main() {
    std::panic::set_hook(Box::new(|info| {
        eprintln!("qcode: internal error: {info}");
        eprintln!("  this is a bug in qcode, not in your files; please report it with the command you ran");
    }));
    let cli = Cli::parse();
    if let Some(n) = cli.threads
        && let Err(e) = rayon::ThreadPoolBuilder::new().num_threads(n.max(1)).build_global()
    {
        cmd::util::warn(&format!("cannot set the number of threads: {e}"));
    }
    let result = match cli.command {
        Command::Code(args) => cmd::code::run(args),
        Command::Freq(args) => cmd::freq::run(args),
        Command::Excerpts(args) => cmd::excerpts::run(args),
        Command::Agree(args) => cmd::agree::run(args),
        Command::Audit(args) => cmd::audit::run(args),
        Command::Codebook(c) => cmd::codebook::run(c),
        Command::Export(args) => cmd::export::run(args),
        Command::Import(args) => cmd::import::run(args),
        Command::Speakers(args) => cmd::speakers::run(args),
    };
    match result {
        Ok(()) => {}
        // The reader of the output went away (`qcode … | head`): done.
        Err(e) if e.kind == ErrorKind::BrokenPipe => {}
        Err(e) => {
            cmd::util::message(&format!("error: {e}"));
            std::process::exit(2);
        }
    }
}
