//! Micro-benchmarks of the coding pipeline's stages, one document at a time:
//! normalisation, speaker labels and segmentation, folding, matching.
//!
//! Run with `cargo bench` (all) or `cargo bench -- match/` (one group);
//! reports go to `target/criterion/`. Inputs are two synthetic transcripts
//! of 64 KB from `bench/fixtures/` (English and Spanish, written by
//! `python3 bench/gen_corpus.py --fixtures bench/fixtures`) and the
//! benchmark codebook `bench/codebook.yaml` (41 codes, 427 keywords, 20
//! regular expressions). Throughputs are in bytes of transcript per second.
//!
//! Groups:
//!
//! * `normalize`: NFC + line ends (`text::normalize`);
//! * `segment`: reading speakers (`speakers::attribute`) + paragraph and
//!   sentence segmentation;
//! * `fold`: folding a document for matching (`matcher::Folded::new`);
//! * `match`: `Matcher::apply` (folding, keywords, regexes, rule
//!   evaluation) with the full codebook, its keywords only, its regular
//!   expressions only, and codebooks of 10, 100 and 1,000 keywords;
//! * `build`: compiling the full codebook (`Matcher::new`).

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use qcode::codebook::Codebook;
use qcode::matcher::{Folded, Matcher};
use qcode::segment::{self, Unit};
use qcode::speakers::{SpeakerRule, attribute};

const CODEBOOK: &str = include_str!("../bench/codebook.yaml");
const DOCS: [(&str, &str); 2] = [
    ("en", include_str!("../bench/fixtures/interview_en.txt")),
    ("es", include_str!("../bench/fixtures/interview_es.txt")),
];

fn codebook(yaml: &str) -> Codebook {
    Codebook::parse(yaml, "bench.yaml").expect("the benchmark codebook is valid")
}

/// The full codebook with only its keywords (`keywords` = true) or only its
/// regular expressions.
fn codebook_part(keywords: bool) -> Codebook {
    let mut cb = codebook(CODEBOOK);
    for code in &mut cb.codes {
        let r = &mut code.rules;
        if keywords {
            r.patterns.clear();
        } else {
            r.keywords.clear();
            r.all.clear();
            r.near.clear();
            r.not.clear();
        }
    }
    cb
}

/// A codebook of `n` one-word keywords taken from the fixtures' vocabulary
/// (every k-th distinct word of four letters or more), ten per code.
fn codebook_of_terms(n: usize) -> Codebook {
    let mut words: Vec<String> = DOCS
        .iter()
        .flat_map(|(_, t)| t.split(|c: char| !c.is_alphabetic()))
        .filter(|w| w.chars().count() >= 4)
        .map(str::to_lowercase)
        .collect();
    words.sort();
    words.dedup();
    let mut terms: Vec<String> = words
        .iter()
        .step_by((words.len() / n).max(1))
        .take(n)
        .cloned()
        .collect();
    // Not enough distinct words: invent the rest (they never match).
    let mut k = 0;
    while terms.len() < n {
        terms.push(format!("zq{k}x"));
        k += 1;
    }
    let mut yaml = String::from("name: terms\ncodes:\n");
    for (i, chunk) in terms.chunks(10).enumerate() {
        let list: Vec<String> = chunk.iter().map(|w| format!("\"{w}\"")).collect();
        yaml.push_str(&format!("  - name: c{i}\n    keywords: [{}]\n", list.join(", ")));
    }
    codebook(&yaml)
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sample_size(30)
        .configure_from_args()
}

fn bench_normalize(c: &mut Criterion) {
    let mut g = c.benchmark_group("normalize");
    for (lang, text) in DOCS {
        g.throughput(Throughput::Bytes(text.len() as u64));
        g.bench_with_input(BenchmarkId::from_parameter(lang), text, |b, t| {
            b.iter(|| qcode::text::normalize(black_box(t)))
        });
        // CRLF line ends force a copy.
        let crlf = text.replace('\n', "\r\n");
        g.throughput(Throughput::Bytes(crlf.len() as u64));
        g.bench_with_input(BenchmarkId::new("crlf", lang), &crlf, |b, t| {
            b.iter(|| qcode::text::normalize(black_box(t)))
        });
    }
    g.finish();
}

fn bench_segment(c: &mut Criterion) {
    let rule = SpeakerRule::default();
    let mut g = c.benchmark_group("segment");
    for (lang, text) in DOCS {
        g.throughput(Throughput::Bytes(text.len() as u64));
        g.bench_with_input(BenchmarkId::new("speakers", lang), text, |b, t| {
            b.iter(|| attribute(black_box(t), None, &[], &rule))
        });
        let read = attribute(text, None, &[], &rule);
        g.bench_with_input(BenchmarkId::new("paragraphs", lang), text, |b, t| {
            b.iter(|| segment::segment(black_box(t), Unit::Paragraph, &read, 1))
        });
        g.bench_with_input(BenchmarkId::new("sentences", lang), text, |b, t| {
            b.iter(|| segment::segment(black_box(t), Unit::Sentence, &read, 1))
        });
    }
    g.finish();
}

fn bench_fold(c: &mut Criterion) {
    let rule = SpeakerRule::default();
    let mut g = c.benchmark_group("fold");
    for (lang, text) in DOCS {
        let read = attribute(text, None, &[], &rule);
        g.throughput(Throughput::Bytes(text.len() as u64));
        g.bench_with_input(BenchmarkId::from_parameter(lang), text, |b, t| {
            b.iter(|| Folded::new(black_box(t), &read.masked))
        });
    }
    g.finish();
}

fn bench_match(c: &mut Criterion) {
    let rule = SpeakerRule::default();
    let matchers: Vec<(String, Matcher)> = vec![
        ("full".into(), Matcher::new(&codebook(CODEBOOK)).unwrap()),
        ("keywords".into(), Matcher::new(&codebook_part(true)).unwrap()),
        ("patterns".into(), Matcher::new(&codebook_part(false)).unwrap()),
        ("terms10".into(), Matcher::new(&codebook_of_terms(10)).unwrap()),
        ("terms100".into(), Matcher::new(&codebook_of_terms(100)).unwrap()),
        ("terms1000".into(), Matcher::new(&codebook_of_terms(1000)).unwrap()),
    ];
    let mut g = c.benchmark_group("match");
    for (lang, text) in DOCS {
        let read = attribute(text, None, &[], &rule);
        let segments = segment::segment(text, Unit::Paragraph, &read, 1);
        g.throughput(Throughput::Bytes(text.len() as u64));
        for (name, m) in &matchers {
            g.bench_with_input(BenchmarkId::new(name.as_str(), lang), text, |b, t| {
                b.iter(|| m.apply(black_box(t), &read.masked, &segments))
            });
        }
    }
    g.finish();
}

fn bench_build(c: &mut Criterion) {
    let cb = codebook(CODEBOOK);
    let mut g = c.benchmark_group("build");
    g.bench_function("full", |b| b.iter(|| Matcher::new(black_box(&cb)).unwrap()));
    g.bench_function("parse+build", |b| {
        b.iter(|| Matcher::new(&codebook(black_box(CODEBOOK))).unwrap())
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = config();
    targets = bench_normalize, bench_segment, bench_fold, bench_match, bench_build
}
criterion_main!(benches);
