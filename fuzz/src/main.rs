//! `qcode-fuzz`: runs the fuzz targets of qcode's readers.
//!
//! ```text
//! qcode-fuzz list                          the targets
//! qcode-fuzz run [--seconds N] [--seed N] [--hang-seconds N] [--rss-mb N] [TARGET…]
//!                                          seeds and regressions, then mutations
//! qcode-fuzz replay TARGET FILE…           one input at a time (a crash found)
//! qcode-fuzz afl TARGET                    the AFL++ harness (feature `afl`)
//! ```
//!
//! A panic, an input that runs longer than `--hang-seconds` (10) or a
//! process that grows past `--rss-mb` (2048) stops the run with exit code 1,
//! the input saved under `fuzz/crashes/TARGET/`; it then belongs in
//! `fuzz/regressions/TARGET/` with a test of the defect (docs/fuzzing.md).

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use qcode_fuzz::mutate::{mutate, parse_dictionary};
use qcode_fuzz::targets::{TARGETS, Target, find};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// The folder of the seeds, dictionaries, regressions and crashes.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let code = match args.first().map(String::as_str) {
        Some("list") => {
            for t in TARGETS {
                println!("{:<11} {}", t.name, t.about);
            }
            0
        }
        Some("run") => run(&args[1..]),
        Some("replay") => replay(&args[1..]),
        Some("afl") => afl(&args[1..]),
        _ => {
            eprintln!(
                "usage: qcode-fuzz list | run [--seconds N] [--seed N] [--hang-seconds N] [--rss-mb N] [TARGET…] | replay TARGET FILE… | afl TARGET"
            );
            2
        }
    };
    std::process::exit(code);
}

/// The target named by `name`, or a message listing them.
fn target(name: &str) -> Result<&'static Target, String> {
    find(name).ok_or_else(|| {
        let names: Vec<&str> = TARGETS.iter().map(|t| t.name).collect();
        format!("no target `{name}`; the targets are: {}", names.join(", "))
    })
}

/// The files of a folder, sorted by name (none if it does not exist).
fn files_in(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|p| {
            let bytes = std::fs::read(&p).unwrap_or_else(|e| panic!("cannot read {}: {e}", p.display()));
            (p, bytes)
        })
        .collect()
}

/// FNV-1a, to name saved inputs and derive a target's stream of mutations.
fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// What the watchdog needs to know of the input being run.
struct Current {
    target: &'static str,
    input: Vec<u8>,
    since: Instant,
}

static CURRENT: Mutex<Option<Current>> = Mutex::new(None);
static HANG_SECONDS: AtomicU64 = AtomicU64::new(10);
static RSS_MB: AtomicU64 = AtomicU64::new(2048);

/// Saves `input` of `target` as `crashes/TARGET/KIND-HASH` and says so.
fn save(target: &str, kind: &str, input: &[u8], why: &str) {
    let dir = root().join("crashes").join(target);
    let path = dir.join(format!("{kind}-{:016x}", fnv(input)));
    let saved = std::fs::create_dir_all(&dir).and_then(|()| std::fs::write(&path, input));
    match saved {
        Ok(()) => eprintln!("qcode-fuzz: {target}: {why}; the input is saved as {}", path.display()),
        Err(e) => eprintln!("qcode-fuzz: {target}: {why}; the input could not be saved ({e})"),
    }
}

/// Ends the process when an input runs too long or memory runs away.
fn watchdog() {
    std::thread::spawn(|| {
        loop {
            std::thread::sleep(Duration::from_millis(200));
            let current = CURRENT.lock().unwrap_or_else(|e| e.into_inner());
            let Some(c) = current.as_ref() else { continue };
            let hang = HANG_SECONDS.load(Ordering::Relaxed);
            if c.since.elapsed() > Duration::from_secs(hang) {
                save(
                    c.target,
                    "hang",
                    &c.input,
                    &format!("an input ran for more than {hang} s"),
                );
                std::process::exit(1);
            }
            let most = RSS_MB.load(Ordering::Relaxed);
            if let Some(rss) = resident_mb()
                && rss > most
            {
                save(
                    c.target,
                    "memory",
                    &c.input,
                    &format!("the process grew to {rss} MB (more than {most} MB)"),
                );
                std::process::exit(1);
            }
        }
    });
}

/// The memory the process holds, in MB, where the system says.
fn resident_mb() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some((pages * 4096) >> 20)
}

/// Runs `target` on `input` under the watchdog; a panic is saved and ends
/// the run.
fn execute(target: &'static Target, input: &[u8]) -> bool {
    *CURRENT.lock().unwrap_or_else(|e| e.into_inner()) = Some(Current {
        target: target.name,
        input: input.to_vec(),
        since: Instant::now(),
    });
    let outcome = std::panic::catch_unwind(|| (target.run)(input));
    *CURRENT.lock().unwrap_or_else(|e| e.into_inner()) = None;
    if outcome.is_err() {
        save(target.name, "crash", input, "the target panicked");
        return false;
    }
    true
}

fn option(args: &[String], name: &str, default: u64) -> Result<u64, String> {
    match args.iter().position(|a| a == name) {
        None => Ok(default),
        Some(i) => args
            .get(i + 1)
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| format!("{name} needs a whole number")),
    }
}

fn run(args: &[String]) -> i32 {
    let parsed = (|| -> Result<_, String> {
        let seconds = option(args, "--seconds", 10)?;
        let seed = option(args, "--seed", 1)?;
        HANG_SECONDS.store(option(args, "--hang-seconds", 10)?, Ordering::Relaxed);
        RSS_MB.store(option(args, "--rss-mb", 2048)?, Ordering::Relaxed);
        let mut names = Vec::new();
        let mut i = 0;
        while i < args.len() {
            if args[i].starts_with("--") {
                i += 2;
            } else {
                names.push(target(&args[i])?);
                i += 1;
            }
        }
        if names.is_empty() {
            names = TARGETS.iter().collect();
        }
        Ok((seconds, seed, names))
    })();
    let (seconds, seed, targets) = match parsed {
        Ok(p) => p,
        Err(e) => {
            eprintln!("qcode-fuzz: {e}");
            return 2;
        }
    };
    watchdog();
    let started = Instant::now();
    let mut total = 0u64;
    for t in &targets {
        let seeds: Vec<Vec<u8>> = files_in(&root().join("seeds").join(t.name))
            .into_iter()
            .map(|(_, b)| b)
            .collect();
        let regressions = files_in(&root().join("regressions").join(t.name));
        let dictionary = std::fs::read_to_string(root().join("dict").join(format!("{}.dict", t.name)))
            .map(|text| parse_dictionary(&text))
            .unwrap_or_default();
        for input in seeds.iter().chain(regressions.iter().map(|(_, b)| b)) {
            if !execute(t, input) {
                return 1;
            }
        }
        let mut rng = ChaCha8Rng::seed_from_u64(seed ^ fnv(t.name.as_bytes()));
        let deadline = Instant::now() + Duration::from_secs(seconds);
        let mut runs = 0u64;
        while Instant::now() < deadline {
            let input = mutate(&mut rng, &seeds, &dictionary);
            if !execute(t, &input) {
                return 1;
            }
            runs += 1;
        }
        total += runs + (seeds.len() + regressions.len()) as u64;
        println!(
            "{:<11} {} seeds, {} regressions, {runs} mutations in {seconds} s: no panic, hang or runaway memory",
            t.name,
            seeds.len(),
            regressions.len()
        );
    }
    println!(
        "qcode-fuzz: {} targets, {total} inputs in {:.0} s (seed {seed})",
        targets.len(),
        started.elapsed().as_secs_f64()
    );
    0
}

fn replay(args: &[String]) -> i32 {
    let Some((name, files)) = args.split_first() else {
        eprintln!("usage: qcode-fuzz replay TARGET FILE…");
        return 2;
    };
    let t = match target(name) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("qcode-fuzz: {e}");
            return 2;
        }
    };
    watchdog();
    for file in files {
        let input = match std::fs::read(file) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("qcode-fuzz: cannot read {file}: {e}");
                return 2;
            }
        };
        let started = Instant::now();
        if !execute(t, &input) {
            return 1;
        }
        println!("{file}: ok in {:.3} s", started.elapsed().as_secs_f64());
    }
    0
}

#[cfg(feature = "afl")]
fn afl(args: &[String]) -> i32 {
    let t = match args.first().map(|n| target(n)) {
        Some(Ok(t)) => t,
        Some(Err(e)) => {
            eprintln!("qcode-fuzz: {e}");
            return 2;
        }
        None => {
            eprintln!("usage: qcode-fuzz afl TARGET");
            return 2;
        }
    };
    afl::fuzz!(|data: &[u8]| (t.run)(data));
    0
}

#[cfg(not(feature = "afl"))]
fn afl(_: &[String]) -> i32 {
    eprintln!(
        "qcode-fuzz: this build has no AFL++ harness; build it with `cargo afl build --profile fuzz -p qcode-fuzz --features afl` (docs/fuzzing.md)"
    );
    2
}
