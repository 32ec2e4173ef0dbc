//! Tiny model files built in memory, so the tokenizer, the file readers and
//! the network are tested on every machine, without the real model.

use std::collections::BTreeMap;
use std::io::{Cursor, Write};

/// Writes protobuf fields.
#[derive(Default)]
pub(crate) struct ProtoWriter {
    pub(crate) bytes: Vec<u8>,
}

impl ProtoWriter {
    fn varint(&mut self, mut value: u64) {
        while value >= 0x80 {
            self.bytes.push(value as u8 | 0x80);
            value >>= 7;
        }
        self.bytes.push(value as u8);
    }

    pub(crate) fn tag(&mut self, number: u32, wire_type: u8) {
        self.varint(u64::from(number) << 3 | u64::from(wire_type));
    }

    pub(crate) fn raw(&mut self, bytes: &[u8]) {
        self.bytes.extend_from_slice(bytes);
    }

    pub(crate) fn varint_field(&mut self, number: u32, value: u64) {
        self.tag(number, 0);
        self.varint(value);
    }

    pub(crate) fn bytes_field(&mut self, number: u32, bytes: &[u8]) {
        self.tag(number, 2);
        self.varint(bytes.len() as u64);
        self.raw(bytes);
    }

    pub(crate) fn fixed32_field(&mut self, number: u32, value: u32) {
        self.tag(number, 5);
        self.raw(&value.to_le_bytes());
    }
}

/// A SentencePiece `ModelProto` with these pieces (text, score) and, if
/// given, this precompiled normalisation table.
pub(crate) fn sp_model(pieces: &[(&str, f32)], charsmap: Option<&[u8]>) -> Vec<u8> {
    let mut model = ProtoWriter::default();
    for (text, score) in pieces {
        let mut piece = ProtoWriter::default();
        piece.bytes_field(1, text.as_bytes());
        piece.fixed32_field(2, score.to_bits());
        piece.varint_field(3, 1);
        model.bytes_field(1, &piece.bytes);
    }
    let mut trainer = ProtoWriter::default();
    trainer.varint_field(3, 1);
    model.bytes_field(2, &trainer.bytes);
    let mut normalizer = ProtoWriter::default();
    normalizer.bytes_field(1, b"nmt_nfkc");
    if let Some(table) = charsmap {
        normalizer.bytes_field(2, table);
    }
    normalizer.varint_field(3, 1);
    model.bytes_field(3, &normalizer.bytes);
    model.bytes
}

/// A precompiled normalisation table mapping each key to its replacement:
/// a darts-clone double array (placed first-fit, one node at a time) and
/// the NUL-terminated replacements.
pub(crate) fn charsmap(mappings: &[(&str, &str)]) -> Vec<u8> {
    #[derive(Default)]
    struct Node {
        value: Option<u32>,
        children: BTreeMap<u8, Node>,
    }
    let mut strings = Vec::new();
    let mut root = Node::default();
    for (key, replacement) in mappings {
        let mut node = &mut root;
        for &byte in key.as_bytes() {
            node = node.children.entry(byte).or_default();
        }
        node.value = Some(strings.len() as u32);
        strings.extend_from_slice(replacement.as_bytes());
        strings.push(0);
    }

    struct Array {
        units: Vec<u32>,
        used: Vec<bool>,
        /// Bases taken: labels are all a walk checks, so two nodes sharing
        /// a base would see each other's children.
        bases: std::collections::BTreeSet<usize>,
    }
    impl Array {
        fn free(&self, slot: usize) -> bool {
            !self.used.get(slot).copied().unwrap_or(false)
        }
        fn set(&mut self, slot: usize, unit: u32) {
            if slot >= self.units.len() {
                self.units.resize(slot + 1, 0);
                self.used.resize(slot + 1, false);
            }
            self.units[slot] = unit;
            self.used[slot] = true;
        }
        /// Places `node`, whose own unit is at `pos`: finds a free base
        /// where its leaf (at the base) and children (at base ^ label) fit.
        fn place(&mut self, node: &Node, pos: usize) {
            let base = (256..)
                .find(|&base| {
                    !self.bases.contains(&base)
                        && (node.value.is_none() || self.free(base))
                        && node.children.keys().all(|&c| self.free(base ^ usize::from(c)))
                })
                .unwrap();
            self.bases.insert(base);
            let offset = pos ^ base;
            assert!(offset < 1 << 21, "test tries stay small");
            self.units[pos] |= (offset as u32) << 10;
            if let Some(value) = node.value {
                self.set(base, 0x8000_0000 | value);
            }
            for (&c, child) in &node.children {
                let has_leaf = if child.value.is_some() { 0x100 } else { 0 };
                self.set(base ^ usize::from(c), u32::from(c) | has_leaf);
            }
            for (&c, child) in &node.children {
                self.place(child, base ^ usize::from(c));
            }
        }
    }
    // The root's unit is unit 0; keep the first block for it.
    let mut array = Array {
        units: vec![0; 256],
        used: vec![true; 256],
        bases: Default::default(),
    };
    array.place(&root, 0);

    let mut table = ((array.units.len() * 4) as u32).to_le_bytes().to_vec();
    table.extend(array.units.iter().flat_map(|u| u.to_le_bytes()));
    table.extend(strings);
    table
}

/// An `.npy` file (format 1.0) holding `data` as an array of `descr`.
pub(crate) fn npy(descr: &str, shape: &[usize], data: &[u8]) -> Vec<u8> {
    let dims: Vec<String> = shape.iter().map(|d| d.to_string()).collect();
    let shape_text = match dims.len() {
        1 => format!("({},)", dims[0]),
        _ => format!("({})", dims.join(", ")),
    };
    let mut header = format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape_text}, }}");
    // NumPy pads the header with spaces so that the data starts 64-aligned.
    while (10 + header.len() + 1) % 64 != 0 {
        header.push(' ');
    }
    header.push('\n');
    let mut bytes = b"\x93NUMPY\x01\x00".to_vec();
    bytes.extend((header.len() as u16).to_le_bytes());
    bytes.extend(header.as_bytes());
    bytes.extend(data);
    bytes
}

/// A `float32` `.npy` file.
pub(crate) fn npy_f32(shape: &[usize], values: &[f32]) -> Vec<u8> {
    assert_eq!(shape.iter().product::<usize>(), values.len());
    let data: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
    npy("<f4", shape, &data)
}

/// An `.npz` archive of these (name, `.npy` bytes) entries.
pub(crate) fn npz(entries: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in entries {
        zip.start_file(format!("{name}.npy"), options).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

/// Deterministic pseudo-random numbers for test weights.
pub(crate) struct Lcg(pub(crate) u64);

impl Lcg {
    /// Uniform in [-1, 1).
    pub(crate) fn next(&mut self) -> f32 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 40) as f32 / (1u64 << 24) as f32) * 2.0 - 1.0
    }

    pub(crate) fn values(&mut self, n: usize, scale: f32) -> Vec<f32> {
        (0..n).map(|_| self.next() * scale).collect()
    }
}

/// Sizes of the tiny network: chunks × rows of the embedding table, and
/// the widths of its layers (the real model: 17 × 7530, 512, 256, 512,
/// 320, 512, 512). Every width differs, so a swapped dimension shows.
pub(crate) const CHUNKS: usize = 3;
pub(crate) const CHUNK_ROWS: usize = 4;
pub(crate) const EMBEDDING: usize = 8;
pub(crate) const BRANCH: usize = 4;
pub(crate) const POOLED: usize = 6;
pub(crate) const HIDDEN: usize = 5;
pub(crate) const WIDE: usize = 7;
pub(crate) const OUTPUT: usize = 9;

/// The tiny network's float arrays by name, with their shapes; the
/// quantised table is `q1`…`q3` (u8, below 64) with `scale` and `lo`.
pub(crate) struct TinyWeights {
    pub(crate) floats: BTreeMap<String, (Vec<usize>, Vec<f32>)>,
    pub(crate) quantized: Vec<Vec<u8>>,
    pub(crate) eps: f64,
}

impl TinyWeights {
    pub(crate) fn new(seed: u64) -> TinyWeights {
        let mut rng = Lcg(seed);
        let features = EMBEDDING + 3 * BRANCH;
        let mut shapes: Vec<(String, Vec<usize>)> = vec![("scale".into(), vec![CHUNKS]), ("lo".into(), vec![CHUNKS])];
        for n in [2, 3, 5] {
            shapes.push((format!("proj{n}"), vec![EMBEDDING, BRANCH]));
            for name in ["proj_b", "ln_g", "ln_b", "b1_", "b2_"] {
                shapes.push((format!("{name}{n}"), vec![BRANCH]));
            }
            shapes.push((format!("w1_{n}"), vec![n * BRANCH, BRANCH]));
            shapes.push((format!("w2_{n}"), vec![n * BRANCH, BRANCH]));
        }
        shapes.extend([
            ("ln_g".into(), vec![features]),
            ("ln_b".into(), vec![features]),
            ("cnn_W".into(), vec![features, POOLED]),
            ("cnn_b".into(), vec![POOLED]),
            ("d0".into(), vec![POOLED, HIDDEN]),
            ("d1".into(), vec![HIDDEN, HIDDEN]),
            ("p1".into(), vec![POOLED, HIDDEN]),
            ("d2".into(), vec![HIDDEN, WIDE]),
            ("p3".into(), vec![HIDDEN, OUTPUT]),
            ("d3".into(), vec![WIDE, OUTPUT]),
        ]);
        let floats = shapes
            .into_iter()
            .map(|(name, shape)| {
                let values = match name.as_str() {
                    "scale" => rng.values(CHUNKS, 0.05).iter().map(|v| v + 0.1).collect(),
                    "lo" => rng.values(CHUNKS, 2.0),
                    _ => rng.values(shape.iter().product(), 0.6),
                };
                (name, (shape, values))
            })
            .collect();
        let quantized = (0..CHUNKS)
            .map(|_| {
                (0..CHUNK_ROWS * EMBEDDING)
                    .map(|_| ((rng.next() + 1.0) * 32.0) as u8)
                    .collect()
            })
            .collect();
        TinyWeights {
            floats,
            quantized,
            eps: 1e-12,
        }
    }

    pub(crate) fn float(&self, name: &str) -> &[f32] {
        &self.floats[name].1
    }

    /// The weights as a `weights.npz`, laid out like the real model's.
    pub(crate) fn npz(&self) -> Vec<u8> {
        let mut entries: Vec<(String, Vec<u8>)> = Vec::new();
        for (i, q) in self.quantized.iter().enumerate() {
            entries.push((format!("q{}", i + 1), npy("|u1", &[CHUNK_ROWS, EMBEDDING], q)));
        }
        for (name, (shape, values)) in &self.floats {
            entries.push((name.clone(), npy_f32(shape, values)));
        }
        entries.push(("eps".into(), npy("<f8", &[], &self.eps.to_le_bytes())));
        entries.push(("bits".into(), npy("|i1", &[1], &[6])));
        let borrowed: Vec<(&str, Vec<u8>)> = entries.iter().map(|(n, b)| (n.as_str(), b.clone())).collect();
        npz(&borrowed)
    }
}

/// A SentencePiece model whose ids fit the tiny network's table: the three
/// special pieces and a few letters.
pub(crate) fn tiny_sp_model() -> Vec<u8> {
    let pieces = [
        ("<unk>", 0.0),
        ("<s>", 0.0),
        ("</s>", 0.0),
        ("▁", -2.0),
        ("a", -3.0),
        ("b", -3.0),
        ("▁a", -2.5),
        ("ba", -3.5),
        ("c", -4.0),
        ("▁c", -3.0),
        ("á", -3.0),
        ("ab", -4.5),
    ];
    sp_model(&pieces, Some(&charsmap(&[("A", "a"), ("B", "b")])))
}

/// The model of `weights` and the tiny vocabulary, loaded from files as
/// the real one is.
pub(crate) fn load_tiny(weights: &TinyWeights) -> super::Model {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(super::WEIGHTS_FILE), weights.npz()).unwrap();
    std::fs::write(dir.path().join(super::SP_MODEL_FILE), tiny_sp_model()).unwrap();
    super::Model::load(dir.path()).unwrap()
}
