//! Suggestions on the tiny model of `embed::testing`: what is a candidate,
//! order and ties, determinism, the cache and the coded-CSV form.

use std::sync::Arc;

use super::*;
use crate::choice::Choice;
use crate::embed::testing::{TinyWeights, load_tiny};

fn codebook() -> Codebook {
    Codebook::parse(
        "name: T\ncodes:\n  - name: alpha\n    keywords: [zzz]\n    examples: [\"aab ab\"]\n    exclude: \"cc c\"\n    children:\n      - name: alpha_child\n        keywords: [yyy]\n        examples: [\"ab a\"]\n  - name: beta\n    keywords: [xxx]\n    description: \"bbb bc\"\n",
        "t.yaml",
    )
    .unwrap()
}

fn passage(document: &str, segment: usize, text: &str) -> Passage {
    Passage {
        document: document.to_string(),
        segment,
        lines: (segment, segment),
        chars: (0, text.chars().count()),
        speaker: String::new(),
        times: (String::new(), String::new()),
        text: text.to_string(),
        attributes: Arc::new(IndexMap::new()),
    }
}

/// Passages of two documents; the rules coded passage 1 with `alpha` and
/// passage 2 with `alpha_child` (so `alpha` too).
fn passages() -> Passages {
    let texts = ["aab ab", "ab a", "aab ab", "c b", "", "bbb bc", "ba ca"];
    let passages: Vec<Passage> = texts
        .iter()
        .enumerate()
        .map(|(i, t)| passage(if i < 4 { "d1" } else { "d2" }, i % 4 + 1, t))
        .collect();
    let mut coded = vec![HashSet::new(); passages.len()];
    coded[1].insert("alpha".to_string());
    coded[2].extend(["alpha_child".to_string(), "alpha".to_string()]);
    Passages {
        unit: Unit::Paragraph,
        passages,
        coded,
    }
}

fn options(method: Method, top: usize) -> Options {
    Options {
        method,
        top,
        among: None,
    }
}

fn run(embedder: &Embedder, method: Method, top: usize) -> Vec<Suggestion> {
    let cb = codebook();
    let tree = CodeTree::from_codebook(&cb);
    suggest(
        embedder,
        &passages(),
        &CodeTexts::from_codebook(&cb),
        &tree,
        &options(method, top),
    )
    .unwrap()
    .0
}

#[test]
fn texts_for_and_against_each_code() {
    let texts = CodeTexts::from_codebook(&codebook());
    assert_eq!(texts[0].own, ["aab ab"]);
    assert_eq!(texts[0].counter, ["cc c"]);
    assert_eq!(texts[2].own, ["bbb bc"]);
    assert!(texts[2].counter.is_empty());
}

#[test]
fn passages_the_rules_coded_and_empty_ones_are_never_suggested() {
    let model = load_tiny(&TinyWeights::new(3));
    let embedder = Embedder {
        model: &model,
        cache: None,
    };
    for &method in Method::ALL {
        let found = run(&embedder, method, 10);
        let of = |code: &str| -> Vec<usize> { found.iter().filter(|s| s.code == code).map(|s| s.passage).collect() };
        let mut alpha = of("alpha");
        alpha.sort_unstable();
        assert_eq!(alpha, [0, 3, 5, 6], "{method:?}");
        // The child was coded on passage 2 only.
        assert_eq!(of("alpha_child").len(), 5, "{method:?}");
        assert!(!of("alpha_child").contains(&2) && !of("alpha_child").contains(&4));
        assert_eq!(of("beta").len(), 6, "{method:?}");
        for code in ["alpha", "alpha_child", "beta"] {
            let mine: Vec<&Suggestion> = found.iter().filter(|s| s.code == code).collect();
            assert_eq!(
                mine.iter().map(|s| s.rank).collect::<Vec<_>>(),
                (1..=mine.len()).collect::<Vec<_>>()
            );
            assert!(mine.windows(2).all(|w| w[0].score >= w[1].score), "{method:?} {code}");
        }
    }
}

#[test]
fn the_passage_that_is_an_example_comes_first() {
    let model = load_tiny(&TinyWeights::new(3));
    let embedder = Embedder {
        model: &model,
        cache: None,
    };
    let found = run(&embedder, Method::Nearest, 2);
    let alpha: Vec<&Suggestion> = found.iter().filter(|s| s.code == "alpha").collect();
    assert_eq!(alpha.len(), 2);
    assert_eq!(alpha[0].passage, 0);
    assert!((alpha[0].score - 1.0).abs() < 1e-6, "{}", alpha[0].score);
    let beta: Vec<&Suggestion> = found.iter().filter(|s| s.code == "beta").collect();
    assert_eq!(beta[0].passage, 5);
}

#[test]
fn equal_scores_keep_document_and_segment_order() {
    let candidates = [4, 1, 3, 2];
    let scores = [0.5, 0.5, 0.9, 0.5];
    assert_eq!(best(&candidates, &scores, 3), [(3, 0.9), (1, 0.5), (2, 0.5)]);
}

#[test]
fn same_bits_on_any_thread_count_and_from_the_cache() {
    let model = load_tiny(&TinyWeights::new(5));
    let on_threads = |threads: usize, cache: Option<Cache>| {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        let embedder = Embedder { model: &model, cache };
        pool.install(|| {
            Method::ALL
                .iter()
                .flat_map(|&m| run(&embedder, m, 4))
                .map(|s| (s.code, s.passage, s.score.to_bits()))
                .collect::<Vec<_>>()
        })
    };
    let one = on_threads(1, None);
    assert_eq!(one, on_threads(2, None));
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::new(dir.path(), model.files_sha256());
    assert_eq!(one, on_threads(2, Some(cache.clone())));
    // The second run reads everything from the cache.
    assert_eq!(one, on_threads(1, Some(cache)));
}

#[test]
fn the_cache_gives_back_the_same_bits_and_survives_damage() {
    let model = load_tiny(&TinyWeights::new(7));
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::new(dir.path(), model.files_sha256());
    let texts = ["ab", "ca", "ab", "bbb", ""];
    let (first, usage) = cache.embed(&model, &texts).unwrap();
    assert_eq!(first, model.embed(&texts));
    assert_eq!((usage.found, usage.embedded), (0, 4));
    assert!(usage.warnings.is_empty(), "{:?}", usage.warnings);

    let more = ["ab", "cab"];
    let (second, usage) = cache.embed(&model, &more).unwrap();
    assert_eq!(second, model.embed(&more));
    assert_eq!((usage.found, usage.embedded), (1, 1));

    // A damaged shard is read as empty, said, and replaced.
    for entry in std::fs::read_dir(cache.dir()).unwrap() {
        let path = entry.unwrap().path();
        let mut bytes = std::fs::read(&path).unwrap();
        bytes.pop();
        std::fs::write(&path, bytes).unwrap();
    }
    let (third, usage) = cache.embed(&model, &texts).unwrap();
    assert_eq!(third, first);
    assert_eq!(usage.embedded, 4);
    assert!(
        usage.warnings.iter().all(|w| w.contains("damaged")),
        "{:?}",
        usage.warnings
    );
    let (_, usage) = cache.embed(&model, &texts).unwrap();
    assert_eq!((usage.found, usage.embedded, usage.warnings.len()), (4, 0, 0));
    // No temporary file is left behind.
    assert!(
        std::fs::read_dir(cache.dir())
            .unwrap()
            .all(|e| e.unwrap().path().extension().is_some_and(|x| x == "bin"))
    );
}

#[test]
fn another_model_has_another_folder() {
    let a = load_tiny(&TinyWeights::new(1));
    let b = load_tiny(&TinyWeights::new(2));
    let root = std::path::Path::new("/c");
    assert_ne!(
        Cache::new(root, a.files_sha256()).dir(),
        Cache::new(root, b.files_sha256()).dir()
    );
    assert!(Cache::new(root, a.files_sha256()).dir().starts_with("/c/embeddings"));
}

#[test]
fn similar_finds_the_same_text_first() {
    let model = load_tiny(&TinyWeights::new(3));
    let embedder = Embedder {
        model: &model,
        cache: None,
    };
    let (found, _) = similar(&embedder, &passages(), "c b", 3).unwrap();
    assert_eq!(found.len(), 3);
    assert_eq!(found[0].passage, 3);
    assert!((found[0].score - 1.0).abs() < 1e-6);
}

#[test]
fn passages_coded_by_a_person_teach_and_are_not_suggested_again() {
    let model = load_tiny(&TinyWeights::new(3));
    let embedder = Embedder {
        model: &model,
        cache: None,
    };
    let cb = codebook();
    let tree = CodeTree::from_codebook(&cb);
    let passages = passages();
    let mut texts = CodeTexts::from_codebook(&cb);
    let person = Coding {
        document: "d2".into(),
        segment: 3,
        code: "beta".into(),
        ..as_codings(
            &[Suggestion {
                code: "beta".into(),
                rank: 1,
                passage: 6,
                score: 0.0,
            }],
            &passages,
            &cb,
        )[0]
        .clone()
    };
    CodeTexts::add_coded(&mut texts, &[person], &passages, &tree);
    assert_eq!(texts[2].coded, [("ba ca".to_string(), Some(6))]);
    let (found, _) = suggest(&embedder, &passages, &texts, &tree, &options(Method::Nearest, 10)).unwrap();
    let beta: Vec<usize> = found.iter().filter(|s| s.code == "beta").map(|s| s.passage).collect();
    assert!(!beta.contains(&6));
    assert_eq!(beta.len(), 5);
}

#[test]
fn suggestions_as_a_coded_csv() {
    let cb = codebook();
    let passages = passages();
    let rows = as_codings(
        &[Suggestion {
            code: "alpha_child".into(),
            rank: 1,
            passage: 3,
            score: 0.123456,
        }],
        &passages,
        &cb,
    );
    assert_eq!(rows[0].coder, SUGGEST_CODER);
    assert_eq!(rows[0].code_path, "alpha/alpha_child");
    assert_eq!(rows[0].attributes.get("score").map(String::as_str), Some("0.1235"));
    assert_eq!((rows[0].document.as_str(), rows[0].segment), ("d1", 4));
}

#[test]
fn passages_are_found_by_document_and_segment() {
    let p = passages();
    assert_eq!(p.find("d1", 3), Some(2));
    assert_eq!(p.find("d2", 1), Some(4));
    assert_eq!(p.find("d2", 9), None);
    assert_eq!(p.find("d3", 1), None);
}

#[test]
fn passages_in_several_chunks_rank_as_one_list() {
    let model = load_tiny(&TinyWeights::new(11));
    let embedder = Embedder {
        model: &model,
        cache: None,
    };
    let mut rng = crate::embed::testing::Lcg(3);
    let letters = ["a", "b", "c", "á", " "];
    let texts: Vec<String> = (0..3 * CHUNK + 17)
        .map(|_| {
            (0..1 + (rng.next().abs() * 12.0) as usize)
                .map(|_| letters[(rng.next().abs() * 5.0) as usize % 5])
                .collect()
        })
        .collect();
    let passages = Passages {
        unit: Unit::Paragraph,
        passages: texts.iter().enumerate().map(|(i, t)| passage("d", i + 1, t)).collect(),
        coded: vec![HashSet::new(); texts.len()],
    };
    let cb = codebook();
    let tree = CodeTree::from_codebook(&cb);
    let code_texts = CodeTexts::from_codebook(&cb);
    let (found, _) = suggest(&embedder, &passages, &code_texts, &tree, &options(Method::Nearest, 25)).unwrap();
    // The same scores, one passage at a time in f64.
    let example = model.embed(&[code_texts[2].own[0].as_str()]);
    let all = model.embed(&texts);
    let mut expected: Vec<(usize, f64)> = (0..texts.len())
        .filter(|&i| !texts[i].trim().is_empty())
        .map(|i| {
            let cosine = all
                .get(i)
                .unwrap()
                .iter()
                .zip(example.get(0).unwrap())
                .map(|(&x, &y)| f64::from(x) * f64::from(y))
                .sum::<f64>();
            (i, cosine)
        })
        .collect();
    expected.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let beta: Vec<&Suggestion> = found.iter().filter(|s| s.code == "beta").collect();
    assert_eq!(beta.len(), 25);
    for (s, (_, score)) in beta.iter().zip(&expected) {
        assert!((s.score - score).abs() < 1e-5, "{} {score}", s.score);
    }
    assert!(beta.windows(2).all(|w| w[0].score >= w[1].score));
}
