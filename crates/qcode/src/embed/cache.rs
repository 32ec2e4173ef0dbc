//! Embeddings kept on disk, so that running `suggest` again after an edit of
//! the codebook embeds only the passages and texts that changed.
//!
//! An embedding depends on the model and the text alone (see the module
//! documentation of [`crate::embed`]), so it is stored under the model's
//! files' SHA-256 and the text's SHA-256, and read back bit for bit: a
//! cached run gives the same scores as a fresh one.
//!
//! Layout: `<cache folder>/embeddings/<model id>/<shard>.bin`, where the
//! model id is the first 16 hex digits of the SHA-256 of the two model
//! files' hashes, and the 256 shards are named by the first byte of the
//! text's hash. A shard is an 8-byte signature `QCEMBv1\n`, the dimension
//! as a little-endian `u32`, then records of the text's 32-byte hash and
//! the embedding's `f32` values, little-endian. A shard is replaced whole
//! (written beside it, then renamed), so a reader never sees half a file;
//! two runs that write the same shard at once lose some entries, which are
//! embedded again next time. A damaged or foreign shard is set aside (read
//! as empty, then rewritten). The folder is safe to delete at any time.

use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use sha2::{Digest, Sha256};

use super::{Embeddings, FileHashes, Model};
use crate::error::Result;
use crate::limits;

/// The environment variable that names the cache folder.
pub const CACHE_ENV: &str = "QCODE_CACHE_DIR";

/// The first bytes of a shard.
const SIGNATURE: &[u8; 8] = b"QCEMBv1\n";

/// Bytes before the first record: the signature and the dimension.
const HEADER: usize = SIGNATURE.len() + 4;

/// A text's SHA-256.
type TextHash = [u8; 32];

/// The embeddings cached for one model.
#[derive(Debug, Clone)]
pub struct Cache {
    dir: PathBuf,
}

/// What a cached embedding did: how many texts were found, how many were
/// embedded, and what went wrong while writing (the run goes on without
/// the cache; these are warnings for the user).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CacheUse {
    /// Distinct texts found in the cache.
    pub found: usize,
    /// Distinct texts embedded now.
    pub embedded: usize,
    /// Shards that could not be read or written, with why.
    pub warnings: Vec<String>,
}

impl Cache {
    /// The cache folder: `QCODE_CACHE_DIR`, else `$XDG_CACHE_HOME/qcode`,
    /// else `~/.cache/qcode` (`%LOCALAPPDATA%\qcode` on Windows); `None`
    /// when none of them can be found.
    pub fn default_root() -> Option<PathBuf> {
        let var = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty()).map(PathBuf::from);
        var(CACHE_ENV)
            .or_else(|| var("XDG_CACHE_HOME").map(|d| d.join("qcode")))
            .or_else(|| {
                if cfg!(windows) {
                    var("LOCALAPPDATA").map(|d| d.join("qcode"))
                } else {
                    var("HOME").map(|d| d.join(".cache").join("qcode"))
                }
            })
    }

    /// The cache of the model whose files have `hashes`, under `root`.
    pub fn new(root: &Path, hashes: &FileHashes) -> Cache {
        let id = sha256_of(format!("{}\n{}\n", hashes.weights_npz, hashes.sp_model).as_bytes());
        let id: String = id[..8].iter().map(|b| format!("{b:02x}")).collect();
        Cache {
            dir: root.join("embeddings").join(id),
        }
    }

    /// The folder this model's embeddings are kept in.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Embeds `texts` with `model`, in order, taking from the cache what
    /// it holds and adding what it did not. The values are those
    /// [`Model::embed`] gives, bit for bit.
    pub fn embed<S: AsRef<str> + Sync>(&self, model: &Model, texts: &[S]) -> Result<(Embeddings, CacheUse)> {
        let dimension = model.dimension();
        let hashes: Vec<TextHash> = texts.par_iter().map(|t| sha256_of(t.as_ref().as_bytes())).collect();
        let mut usage = CacheUse::default();

        // The shards that hold any of these texts, read in parallel.
        let mut wanted: Vec<u8> = hashes.iter().map(|h| h[0]).collect();
        wanted.sort_unstable();
        wanted.dedup();
        let shards: Vec<(u8, Shard)> = wanted
            .par_iter()
            .map(|&shard| (shard, self.read_shard(shard, dimension)))
            .collect();
        let mut shards: HashMap<u8, Shard> = shards.into_iter().collect();
        for shard in shards.values_mut() {
            usage.warnings.extend(shard.warning.take());
        }

        // Distinct texts the cache lacks, in order of first appearance.
        let mut missing: Vec<usize> = Vec::new();
        let mut seen: HashMap<TextHash, usize> = HashMap::new();
        let mut found: HashSet<TextHash> = HashSet::new();
        for (i, hash) in hashes.iter().enumerate() {
            if shards[&hash[0]].index.contains_key(hash) {
                found.insert(*hash);
            } else if !seen.contains_key(hash) {
                seen.insert(*hash, missing.len());
                missing.push(i);
            }
        }
        usage.found = found.len();
        usage.embedded = missing.len();
        let fresh = model.embed(&missing.iter().map(|&i| texts[i].as_ref()).collect::<Vec<_>>());

        let mut values = Vec::with_capacity(hashes.len() * dimension);
        for hash in &hashes {
            match seen.get(hash) {
                Some(&k) => values.extend_from_slice(fresh.get(k).expect("one embedding per missing text")),
                None => values.extend(shards[&hash[0]].embedding(hash, dimension)),
            }
        }

        // New entries go to their shards, each rewritten whole.
        let mut added: HashMap<u8, Vec<u8>> = HashMap::new();
        for (k, &i) in missing.iter().enumerate() {
            let record = added.entry(hashes[i][0]).or_default();
            record.extend_from_slice(&hashes[i]);
            for x in fresh.get(k).expect("one embedding per missing text") {
                record.extend_from_slice(&x.to_le_bytes());
            }
        }
        let mut added: Vec<(u8, Vec<u8>)> = added.into_iter().collect();
        added.sort_unstable_by_key(|(shard, _)| *shard);
        let failures: Vec<String> = added
            .par_iter()
            .filter_map(|(shard, records)| {
                let old = &shards[shard];
                self.write_shard(*shard, dimension, &old.bytes, records).err()
            })
            .collect();
        usage.warnings.extend(failures);
        Ok((Embeddings { dimension, values }, usage))
    }

    fn shard_path(&self, shard: u8) -> PathBuf {
        self.dir.join(format!("{shard:02x}.bin"))
    }

    /// The shard's records, or none (with a warning when a file was there
    /// but could not be used).
    fn read_shard(&self, shard: u8, dimension: usize) -> Shard {
        let path = self.shard_path(shard);
        let empty = |warning: Option<String>| Shard {
            bytes: Vec::new(),
            index: HashMap::new(),
            warning,
        };
        let Ok(meta) = std::fs::metadata(&path) else {
            return empty(None);
        };
        if !meta.is_file() || meta.len() > limits::FILE_BYTES.value() {
            return empty(Some(format!(
                "{}: not a cache file qcode can use; it will be replaced",
                path.display()
            )));
        }
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) => return empty(Some(format!("{}: cannot be read ({e})", path.display()))),
        };
        let record = 32 + dimension * 4;
        let valid = bytes.len() >= HEADER
            && bytes.starts_with(SIGNATURE)
            && bytes[SIGNATURE.len()..HEADER] == (dimension as u32).to_le_bytes()
            && (bytes.len() - HEADER).is_multiple_of(record);
        if !valid {
            return empty(Some(format!(
                "{}: a damaged or foreign cache file; it will be replaced",
                path.display()
            )));
        }
        let mut index = HashMap::new();
        for (k, chunk) in bytes[HEADER..].chunks_exact(record).enumerate() {
            let hash: TextHash = chunk[..32].try_into().expect("32 bytes");
            index.entry(hash).or_insert(HEADER + k * record + 32);
        }
        Shard {
            bytes,
            index,
            warning: None,
        }
    }

    /// Writes the shard as `old` (its current bytes, if valid) plus
    /// `records`, beside it then renamed into place.
    fn write_shard(&self, shard: u8, dimension: usize, old: &[u8], records: &[u8]) -> Result<(), String> {
        let path = self.shard_path(shard);
        let fail = |e: std::io::Error| format!("{}: the cache cannot be written ({e})", path.display());
        std::fs::create_dir_all(&self.dir).map_err(fail)?;
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let temporary = self
            .dir
            .join(format!(".{shard:02x}.{}.{nanos}.tmp", std::process::id()));
        let written = (|| {
            let mut file = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&temporary)?;
            if old.is_empty() {
                file.write_all(SIGNATURE)?;
                file.write_all(&(dimension as u32).to_le_bytes())?;
            } else {
                file.write_all(old)?;
            }
            file.write_all(records)?;
            file.sync_all()?;
            std::fs::rename(&temporary, &path)
        })();
        if written.is_err() {
            let _ = std::fs::remove_file(&temporary);
        }
        written.map_err(fail)
    }
}

/// A shard read from disk: its bytes and where each text's values start.
struct Shard {
    bytes: Vec<u8>,
    index: HashMap<TextHash, usize>,
    warning: Option<String>,
}

impl Shard {
    /// The cached values of the text with `hash`, which the shard holds.
    fn embedding(&self, hash: &TextHash, dimension: usize) -> impl Iterator<Item = f32> + '_ {
        let start = self.index[hash];
        self.bytes[start..start + dimension * 4]
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
}

fn sha256_of(bytes: &[u8]) -> TextHash {
    Sha256::digest(bytes).into()
}
