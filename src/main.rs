//! The `qcode` command: a thin layer that parses arguments and calls the
//! library. Each subcommand lives in its own file under `src/cmd/`, with its
//! usage text beside its code.
//!
//! Exit codes: 0 success (also when the reader of the output went away, as
//! in `qcode … | head`), 1 a gate failed (`codebook test`, `agree
//! --fail-under-alpha`, `audit --fail-under-f1`: the command ran, and what
//! it checks does not hold), 2 error (bad input, with a message on stderr
//! that says what, where and how to fix it).

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
#[command(name = "qcode", version, max_term_width = 120, after_help = EXAMPLES)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    Code(cmd::code::Args),
    Freq(cmd::freq::Args),
    Excerpts(cmd::excerpts::Args),
    Cooccur(cmd::cooccur::Args),
    Report(cmd::report::Args),
    Agree(cmd::agree::Args),
    Audit(cmd::audit::Args),
    Adjudicate(cmd::adjudicate::Args),
    /// Check a codebook and print its code tree; test it against its examples
    #[command(subcommand)]
    Codebook(cmd::codebook::Command),
    Export(cmd::export::Args),
    Import(cmd::import::Args),
    Speakers(cmd::speakers::Args),
    Kwic(cmd::kwic::Args),
    Amounts(cmd::amounts::Args),
    Words(cmd::words::Args),
    Suggest(cmd::suggest::Args),
    Similar(cmd::similar::Args),
}

/// A first session on the samples, from the folder qcode was cloned into.
const EXAMPLES: &str = "\
Examples:
  qcode codebook check codebooks/smuggling.yaml
  qcode freq samples/transcripts -c codebooks/smuggling.yaml
  qcode excerpts samples/transcripts -c codebooks/smuggling.yaml --code debt
  qcode code samples/transcripts -c codebooks/smuggling.yaml --out coded.csv

`qcode COMMAND --help` gives a command's options and examples; the README
is the guide.";

fn main() {
    std::panic::set_hook(Box::new(|info| {
        eprintln!("qcode: internal error: {info}");
        eprintln!("  this is a bug in qcode, not in your files; please report it with the command you ran");
    }));
    let cli = Cli::parse();
    #[cfg(unix)]
    remove_temporary_files_on_signal();
    let result = qcode::limits::check_environment()
        .and_then(|()| with_threads(cli.command.threads(), move || dispatch(cli.command)));
    match result {
        Ok(cmd::util::Gate::Passed) => {}
        Ok(cmd::util::Gate::Failed) => std::process::exit(1),
        // The reader of the output went away (`qcode … | head`): done.
        Err(e) if e.kind == ErrorKind::BrokenPipe => {}
        Err(e) => {
            for each in e.each() {
                cmd::util::message(&format!("error: {each}"));
            }
            if !e.more.is_empty() {
                cmd::util::message(&format!("{} errors: fix them and run again", e.more.len() + 1));
            }
            std::process::exit(2);
        }
    }
}

impl Command {
    /// The `-j` given to a command that reads transcripts (the others do
    /// not take it).
    fn threads(&self) -> Option<usize> {
        match self {
            Command::Code(args) => args.corpus.read.threads,
            Command::Freq(args) => args.corpus.read.threads,
            Command::Excerpts(args) => args.corpus.read.threads,
            Command::Agree(args) => args.read.threads,
            Command::Audit(args) => args.corpus.read.threads,
            Command::Export(args) => args.corpus.read.threads,
            Command::Speakers(args) => args.read.threads,
            Command::Cooccur(args) => args.corpus.read.threads,
            Command::Report(args) => args.corpus.read.threads,
            Command::Kwic(args) => args.corpus.read.threads,
            Command::Amounts(args) => args.corpus.read.threads,
            Command::Words(args) => args.corpus.read.threads,
            Command::Suggest(args) => args.corpus.read.threads,
            Command::Similar(args) => args.read.threads,
            Command::Codebook(c) => c.threads(),
            Command::Import(_) | Command::Adjudicate(_) => None,
        }
    }
}

fn dispatch(command: Command) -> qcode::Result<cmd::util::Gate> {
    let passed = |r: qcode::Result<()>| r.map(|()| cmd::util::Gate::Passed);
    match command {
        Command::Code(args) => passed(cmd::code::run(args)),
        Command::Freq(args) => passed(cmd::freq::run(args)),
        Command::Excerpts(args) => passed(cmd::excerpts::run(args)),
        Command::Cooccur(args) => passed(cmd::cooccur::run(args)),
        Command::Report(args) => passed(cmd::report::run(args)),
        Command::Agree(args) => cmd::agree::run(args),
        Command::Audit(args) => cmd::audit::run(args),
        Command::Adjudicate(args) => passed(cmd::adjudicate::run(args)),
        Command::Codebook(c) => cmd::codebook::run(c),
        Command::Export(args) => passed(cmd::export::run(args)),
        Command::Import(args) => passed(cmd::import::run(args)),
        Command::Speakers(args) => passed(cmd::speakers::run(args)),
        Command::Kwic(args) => passed(cmd::kwic::run(args)),
        Command::Amounts(args) => passed(cmd::amounts::run(args)),
        Command::Words(args) => passed(cmd::words::run(args)),
        Command::Suggest(args) => passed(cmd::suggest::run(args)),
        Command::Similar(args) => passed(cmd::similar::run(args)),
    }
}

/// Runs `run` with `-j` threads: clamped to the limit with a warning, and
/// with the default number, with a warning, when the system cannot start
/// that many (a thread pool that failed to start must never be used).
fn with_threads<T: Send>(threads: Option<usize>, run: impl FnOnce() -> T + Send) -> T {
    let Some(asked) = threads else {
        return run();
    };
    let (n, warning) = qcode::limits::threads(asked);
    if let Some(w) = warning {
        cmd::util::warn(&w);
    }
    match rayon::ThreadPoolBuilder::new().num_threads(n).build() {
        Ok(pool) => pool.install(run),
        Err(e) => {
            cmd::util::warn(&format!("cannot start {n} threads ({e}); using the default number"));
            run()
        }
    }
}

/// On Ctrl-C, `kill` or a closed terminal, removes the temporary files of
/// outputs not yet written whole, then ends the process as the signal
/// would have (so a shell loop sees the interrupt). signal-hook runs the
/// removal on an ordinary thread, since removing files is not safe inside
/// a signal handler.
#[cfg(unix)]
fn remove_temporary_files_on_signal() {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP]) else {
        return;
    };
    let _ = std::thread::Builder::new().name("signals".into()).spawn(move || {
        if let Some(signal) = signals.forever().next() {
            qcode::files::output::abandon_all();
            let _ = signal_hook::low_level::emulate_default_handler(signal);
            std::process::exit(128 + signal);
        }
    });
}
