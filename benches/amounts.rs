//! Throughput of `amounts::find_amounts`, the money-amount finder.
//!
//! Run with `cargo bench --bench amounts`; reports go to
//! `target/criterion/`. Inputs are the synthetic transcripts of
//! `bench/fixtures/` (English and Spanish, 64 KB each), where nearly every
//! paragraph quotes a price, a debt or a date (the finder's worst case: the
//! grammar runs around every mark); the same transcripts with their digits
//! removed (prose, where marks are rarer); and 16 MB of both transcripts
//! repeated, to show that throughput holds on large inputs. Throughputs are
//! in bytes of text per second.

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use qcode::amounts::find_amounts;

const DOCS: [(&str, &str); 2] = [
    ("en", include_str!("../bench/fixtures/interview_en.txt")),
    ("es", include_str!("../bench/fixtures/interview_es.txt")),
];

/// About this many bytes in the large input.
const LARGE: usize = 16 << 20;

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sample_size(20)
        .configure_from_args()
}

fn bench_find(c: &mut Criterion) {
    let mut g = c.benchmark_group("amounts");
    for (lang, text) in DOCS {
        let prose: String = text.chars().filter(|c| !c.is_ascii_digit()).collect();
        for (name, input) in [("transcript", text), ("prose", prose.as_str())] {
            g.throughput(Throughput::Bytes(input.len() as u64));
            g.bench_with_input(BenchmarkId::new(name, lang), input, |b, t| {
                b.iter(|| find_amounts(black_box(t)))
            });
        }
    }
    let both = format!("{}\n\n{}\n\n", DOCS[0].1, DOCS[1].1);
    let large = both.repeat(LARGE / both.len() + 1);
    g.throughput(Throughput::Bytes(large.len() as u64));
    g.sample_size(10);
    g.bench_with_input(BenchmarkId::new("transcripts", "16MB"), &large, |b, t| {
        b.iter(|| find_amounts(black_box(t)))
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = config();
    targets = bench_find
}
criterion_main!(benches);
