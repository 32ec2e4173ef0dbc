//! The mutations of the stable runner: small edits of a seed (bits, bytes,
//! interesting values), structural ones (a chunk deleted, repeated many
//! times, or spliced from another seed) and the target's dictionary tokens
//! inserted or written over, which is what lets blind mutation reach past
//! a format's syntax. The runner is no coverage-guided fuzzer (AFL++ is, for
//! long campaigns; see docs/fuzzing.md): it is a fixed, seeded walk around
//! the seeds that CI can afford on every change.

use rand::RngExt;
use rand_chacha::ChaCha8Rng;

/// Inputs are kept below this size, like AFL's default for text formats.
pub const MAX_INPUT: usize = 64 << 10;

/// Values that often sit on a boundary.
const INTERESTING: &[&[u8]] = &[
    b"0",
    b"-1",
    b"1",
    b"65535",
    b"4294967296",
    b"18446744073709551616",
    b"1048577",
    b"\x00",
    b"\xff",
    b"\xef\xbb\xbf",
    b"\r\n",
    b"\n\n",
    b"\t",
    b"\"",
    b"'",
    b"<",
    b">",
    b"&",
    b"&#0;",
    b"&#x10FFFF;",
    b"\xf0\x9f\x98\x80",
    b"\xcc\x81",
    b"*",
    b"/",
    b"\\",
    b":",
    b";",
    b",",
    b"#",
];

/// A mutation of one of `seeds`, with tokens from `dictionary`.
pub fn mutate(rng: &mut ChaCha8Rng, seeds: &[Vec<u8>], dictionary: &[Vec<u8>]) -> Vec<u8> {
    let mut data = match seeds.len() {
        0 => Vec::new(),
        n => seeds[rng.random_range(0..n)].clone(),
    };
    let edits = 1 << rng.random_range(0..4);
    for _ in 0..edits {
        edit(rng, &mut data, seeds, dictionary);
    }
    data.truncate(MAX_INPUT);
    data
}

fn edit(rng: &mut ChaCha8Rng, data: &mut Vec<u8>, seeds: &[Vec<u8>], dictionary: &[Vec<u8>]) {
    let len = data.len();
    let at = |rng: &mut ChaCha8Rng| if len == 0 { 0 } else { rng.random_range(0..=len) };
    match rng.random_range(0..10) {
        0 if len > 0 => {
            let i = rng.random_range(0..len);
            data[i] ^= 1 << rng.random_range(0..8);
        }
        1 if len > 0 => {
            let i = rng.random_range(0..len);
            data[i] = rng.random();
        }
        2 => {
            let value = INTERESTING[rng.random_range(0..INTERESTING.len())];
            let i = at(rng);
            splice(data, i, rng.random_range(0..=value.len().min(len - i.min(len))), value);
        }
        3 if len > 0 => {
            // delete a chunk
            let i = rng.random_range(0..len);
            let n = rng.random_range(1..=(len - i).min(64));
            data.drain(i..i + n);
        }
        4 if len > 0 => {
            // repeat a chunk, up to thousands of times: what expands
            let i = rng.random_range(0..len);
            let n = rng.random_range(1..=(len - i).min(64));
            let chunk = data[i..i + n].to_vec();
            let times = 1 << rng.random_range(0..12);
            let copies: Vec<u8> = chunk.iter().copied().cycle().take((n * times).min(MAX_INPUT)).collect();
            splice(data, i, 0, &copies);
        }
        5 if !seeds.is_empty() => {
            // splice a chunk of another seed
            let other = &seeds[rng.random_range(0..seeds.len())];
            if !other.is_empty() {
                let i = rng.random_range(0..other.len());
                let n = rng.random_range(1..=(other.len() - i).min(256));
                let j = at(rng);
                splice(data, j, 0, &other[i..i + n]);
            }
        }
        6 | 7 if !dictionary.is_empty() => {
            let token = &dictionary[rng.random_range(0..dictionary.len())];
            let i = at(rng);
            let replace = if rng.random_bool(0.5) {
                0
            } else {
                token.len().min(len - i.min(len))
            };
            splice(data, i, replace, token);
        }
        8 if len > 0 => {
            // cut the input short: what a truncated file looks like
            let i = rng.random_range(0..len);
            data.truncate(i);
        }
        _ => {
            let n = rng.random_range(1..=16);
            let bytes: Vec<u8> = (0..n).map(|_| rng.random()).collect();
            let i = at(rng);
            splice(data, i, 0, &bytes);
        }
    }
}

/// Replaces `remove` bytes at `at` by `with`.
fn splice(data: &mut Vec<u8>, at: usize, remove: usize, with: &[u8]) {
    let at = at.min(data.len());
    let end = (at + remove).min(data.len());
    data.splice(at..end, with.iter().copied());
}

/// The tokens of an AFL dictionary file: one `"token"` (or `name="token"`)
/// per line, `\xNN`, `\\` and `\"` escaped; `#` starts a comment.
pub fn parse_dictionary(text: &str) -> Vec<Vec<u8>> {
    let mut tokens = Vec::new();
    for line in text.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some(start) = line.find('"') else { continue };
        let Some(end) = line.rfind('"').filter(|&e| e > start) else {
            continue;
        };
        let body = &line.as_bytes()[start + 1..end];
        let mut token = Vec::with_capacity(body.len());
        let mut i = 0;
        while i < body.len() {
            match (body[i], body.get(i + 1)) {
                (b'\\', Some(b'x')) if i + 4 <= body.len() => {
                    let hex = std::str::from_utf8(&body[i + 2..i + 4]).ok();
                    match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                        Some(b) => {
                            token.push(b);
                            i += 4;
                        }
                        None => {
                            token.push(b'\\');
                            i += 1;
                        }
                    }
                }
                (b'\\', Some(&c)) => {
                    token.push(c);
                    i += 2;
                }
                (c, _) => {
                    token.push(c);
                    i += 1;
                }
            }
        }
        tokens.push(token);
    }
    tokens
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn dictionaries_are_read_as_afl_writes_them() {
        let tokens = parse_dictionary("# comment\n\"<w:p>\"\nkw=\"a\\\"b\\x41\\\\\"\n\n");
        assert_eq!(tokens, vec![b"<w:p>".to_vec(), b"a\"bA\\".to_vec()]);
    }

    #[test]
    fn mutations_are_bounded_and_reproducible() {
        let seeds = vec![b"P01: el coyote\n".to_vec()];
        let dictionary = vec![b"<w:t>".to_vec()];
        let run = |seed| {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            (0..500)
                .map(|_| mutate(&mut rng, &seeds, &dictionary))
                .collect::<Vec<_>>()
        };
        let a = run(7);
        assert_eq!(a, run(7));
        assert!(a.iter().all(|m| m.len() <= MAX_INPUT));
        assert!(a.iter().any(|m| m != &seeds[0]));
    }
}
