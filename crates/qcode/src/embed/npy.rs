//! NumPy arrays read from a `.npz` archive, straight from memory.
//!
//! The model's weights ship as `weights.npz`: a zip archive of `.npy` files.
//! Only the handful of layouts the model uses are accepted — little-endian
//! `u8`, `f32` and `f64`, C order — and anything else is refused with
//! an error naming the array, rather than guessed at. The `.npy` header is a
//! Python dict literal with three fixed keys; parsing it takes less code
//! than adapting a general-purpose crate, and lets the errors speak of the
//! model's arrays by name.

use std::io::Cursor;
use std::path::Path;

use crate::error::{Error, Result};
use crate::files::archive::{Archive, Kind, Limits};

/// Element types the model's arrays use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ElementType {
    U8,
    F32,
    F64,
}

impl ElementType {
    fn from_descr(descr: &str) -> Option<ElementType> {
        // `|` marks single-byte types, which have no byte order.
        match descr {
            "|u1" => Some(ElementType::U8),
            "<f4" => Some(ElementType::F32),
            "<f8" => Some(ElementType::F64),
            _ => None,
        }
    }

    fn size(self) -> usize {
        match self {
            ElementType::U8 => 1,
            ElementType::F32 => 4,
            ElementType::F64 => 8,
        }
    }

    fn name(self) -> &'static str {
        match self {
            ElementType::U8 => "uint8",
            ElementType::F32 => "float32",
            ElementType::F64 => "float64",
        }
    }
}

/// One array: its name in the archive, element type, shape and raw
/// little-endian data in C (row-major) order.
#[derive(Debug)]
pub(crate) struct NpyArray {
    name: String,
    element: ElementType,
    shape: Vec<usize>,
    data: Vec<u8>,
}

impl NpyArray {
    /// Parses the bytes of one `.npy` file; `name` is used in errors.
    pub(crate) fn parse(name: &str, bytes: &[u8]) -> Result<NpyArray> {
        let damaged = |why: String| Error::new(format!("array `{name}` is not a valid .npy array: {why}"));
        let rest = bytes
            .strip_prefix(b"\x93NUMPY")
            .ok_or_else(|| damaged("it does not start with the .npy signature".into()))?;
        let (header_len, rest) = match rest {
            [1, _, a, b, rest @ ..] => (usize::from(u16::from_le_bytes([*a, *b])), rest),
            [2 | 3, _, a, b, c, d, rest @ ..] => (u32::from_le_bytes([*a, *b, *c, *d]) as usize, rest),
            [major, ..] => return Err(damaged(format!(".npy format version {major} is not supported"))),
            [] => return Err(damaged("the file ends inside its header".into())),
        };
        if rest.len() < header_len {
            return Err(damaged("the file ends inside its header".into()));
        }
        let (header, data) = rest.split_at(header_len);
        let header = std::str::from_utf8(header).map_err(|_| damaged("its header is not text".into()))?;
        let (element, shape) =
            parse_header(header).map_err(|why| damaged(format!("{why} (header: {})", header.trim_end())))?;
        let count = shape.iter().try_fold(1usize, |n, &d| n.checked_mul(d));
        let expected = count.and_then(|n| n.checked_mul(element.size()));
        if expected != Some(data.len()) {
            return Err(damaged(format!(
                "its shape {shape:?} of {} needs {} bytes of data, the file has {}",
                element.name(),
                expected.map_or_else(|| "too many".to_string(), |n| n.to_string()),
                data.len()
            )));
        }
        Ok(NpyArray {
            name: name.to_string(),
            element,
            shape,
            data: data.to_vec(),
        })
    }

    /// The array's shape; empty for a scalar.
    pub(crate) fn shape(&self) -> &[usize] {
        &self.shape
    }

    /// Fails unless the array has this element type and shape.
    pub(crate) fn expect(&self, element: ElementType, shape: &[usize]) -> Result<()> {
        if self.element != element || self.shape != shape {
            return Err(Error::new(format!(
                "array `{}` is {} of shape {:?}, where {} of shape {:?} was expected",
                self.name,
                self.element.name(),
                self.shape,
                element.name(),
                shape
            )));
        }
        Ok(())
    }

    /// The elements of a `float32` array of the given shape.
    pub(crate) fn into_f32(self, shape: &[usize]) -> Result<Vec<f32>> {
        self.expect(ElementType::F32, shape)?;
        Ok(self
            .data
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect())
    }

    /// The elements of a `uint8` array of the given shape.
    pub(crate) fn into_u8(self, shape: &[usize]) -> Result<Vec<u8>> {
        self.expect(ElementType::U8, shape)?;
        Ok(self.data)
    }

    /// The value of a `float64` scalar (shape `()`).
    pub(crate) fn f64_scalar(&self) -> Result<f64> {
        self.expect(ElementType::F64, &[])?;
        // `parse` checked that a scalar has exactly 8 bytes.
        let bits = self.data.iter().rev().fold(0u64, |bits, &b| bits << 8 | u64::from(b));
        Ok(f64::from_bits(bits))
    }
}

/// Reads the `{'descr': …, 'fortran_order': …, 'shape': (…), }` header.
fn parse_header(header: &str) -> std::result::Result<(ElementType, Vec<usize>), String> {
    let mut cursor = HeaderCursor {
        rest: header.trim_end(),
    };
    cursor.expect('{')?;
    let (mut descr, mut fortran_order, mut shape) = (None, None, None);
    while !cursor.eat('}') {
        let key = cursor.quoted()?;
        cursor.expect(':')?;
        match key {
            "descr" => descr = Some(cursor.quoted()?),
            "fortran_order" => fortran_order = Some(cursor.boolean()?),
            "shape" => shape = Some(cursor.tuple()?),
            other => return Err(format!("unexpected header key `{other}`")),
        }
        if !cursor.eat(',') {
            cursor.expect('}')?;
            break;
        }
    }
    if !cursor.rest.is_empty() {
        return Err("unexpected text after the header".into());
    }
    let descr = descr.ok_or("the header has no `descr`")?;
    let element = ElementType::from_descr(descr)
        .ok_or_else(|| format!("element type `{descr}` is not one of uint8, little-endian float32 or float64"))?;
    if fortran_order.ok_or("the header has no `fortran_order`")? {
        return Err("the array is stored in Fortran (column-major) order".into());
    }
    Ok((element, shape.ok_or("the header has no `shape`")?))
}

/// A cursor over the Python literal syntax of an `.npy` header.
struct HeaderCursor<'a> {
    rest: &'a str,
}

impl<'a> HeaderCursor<'a> {
    /// Consumes `c` (after any spaces) if it comes next.
    fn eat(&mut self, c: char) -> bool {
        self.rest = self.rest.trim_start();
        match self.rest.strip_prefix(c) {
            Some(rest) => {
                self.rest = rest;
                true
            }
            None => false,
        }
    }

    fn expect(&mut self, c: char) -> std::result::Result<(), String> {
        if self.eat(c) {
            Ok(())
        } else {
            Err(format!("expected `{c}` in the header"))
        }
    }

    fn quoted(&mut self) -> std::result::Result<&'a str, String> {
        self.rest = self.rest.trim_start();
        let quote = self.rest.chars().next().filter(|&c| c == '\'' || c == '"');
        let quote = quote.ok_or("expected a quoted string in the header")?;
        let body = &self.rest[1..];
        let end = body.find(quote).ok_or("unterminated string in the header")?;
        self.rest = &body[end + 1..];
        Ok(&body[..end])
    }

    fn boolean(&mut self) -> std::result::Result<bool, String> {
        self.rest = self.rest.trim_start();
        for (word, value) in [("True", true), ("False", false)] {
            if let Some(rest) = self.rest.strip_prefix(word) {
                self.rest = rest;
                return Ok(value);
            }
        }
        Err("expected True or False in the header".into())
    }

    /// A tuple of dimensions: `()`, `(7,)` or `(7530, 512)`.
    fn tuple(&mut self) -> std::result::Result<Vec<usize>, String> {
        self.expect('(')?;
        let mut dims = Vec::new();
        while !self.eat(')') {
            self.rest = self.rest.trim_start();
            let digits = self.rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(self.rest.len());
            let dim = self.rest[..digits]
                .parse()
                .map_err(|_| "expected a dimension (a whole number) in the shape")?;
            dims.push(dim);
            self.rest = &self.rest[digits..];
            if !self.eat(',') {
                self.expect(')')?;
                break;
            }
        }
        Ok(dims)
    }
}

/// What `weights.npz` is, for the archive reader's messages and caps.
const NPZ: Kind = Kind {
    name: "a NumPy .npz archive of model weights",
    not_zip: "it is not a zip archive",
    bomb: "as zip bombs do",
    fix: super::REINSTALL,
    limits: Limits::document,
};

/// A `.npz` archive held in memory, read entry by entry through the caps of
/// [`crate::files::archive`] (the weights file is read whole because its
/// SHA-256 is needed too).
pub(crate) struct Npz<'a> {
    archive: Archive<Cursor<&'a [u8]>>,
}

impl<'a> Npz<'a> {
    /// Opens the archive in `bytes`, the content of the file at `path`.
    pub(crate) fn open(path: &Path, bytes: &'a [u8]) -> Result<Npz<'a>> {
        Ok(Npz {
            archive: Archive::from_bytes(path, &NPZ, bytes)?,
        })
    }

    /// Reads and parses the array `name` (stored as `name.npy`).
    pub(crate) fn array(&mut self, name: &str) -> Result<NpyArray> {
        match self.archive.entry(&format!("{name}.npy"))? {
            Some(bytes) => NpyArray::parse(name, &bytes),
            None => Err(Error::new(format!("the archive has no array `{name}`"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::embed::testing::{npy, npz};

    #[test]
    fn reads_float32_matrix_and_scalar() {
        let values: Vec<u8> = [1.5f32, -2.0, 0.25, 8.0, 0.0, -0.5]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        let array = NpyArray::parse("w", &npy("<f4", &[2, 3], &values)).unwrap();
        assert_eq!(array.shape(), &[2, 3]);
        assert_eq!(array.into_f32(&[2, 3]).unwrap(), vec![1.5, -2.0, 0.25, 8.0, 0.0, -0.5]);
        let eps = NpyArray::parse("eps", &npy("<f8", &[], &1e-12f64.to_le_bytes())).unwrap();
        assert_eq!(eps.f64_scalar().unwrap(), 1e-12);
    }

    #[test]
    fn header_variants_numpy_writes() {
        for header in [
            "{'descr': '|u1', 'fortran_order': False, 'shape': (3,), }",
            "{\"descr\": \"|u1\", \"fortran_order\": False, \"shape\": (3,)}",
            "{'shape':(3,),'fortran_order':False,'descr':'|u1'}",
        ] {
            assert_eq!(parse_header(header), Ok((ElementType::U8, vec![3])), "{header}");
        }
        assert_eq!(
            parse_header("{'descr': '<f8', 'fortran_order': False, 'shape': (), }"),
            Ok((ElementType::F64, vec![]))
        );
    }

    #[test]
    fn refuses_unexpected_layouts() {
        let cases = [
            ("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", "Fortran"),
            ("{'descr': '>f4', 'fortran_order': False, 'shape': (2, 2), }", "`>f4`"),
            ("{'descr': '|i1', 'fortran_order': False, 'shape': (2, 2), }", "`|i1`"),
            ("{'descr': '<f4', 'shape': (2, 2), }", "no `fortran_order`"),
            (
                "{'descr': '<f4', 'fortran_order': False, 'shape': (2, x), }",
                "dimension",
            ),
            (
                "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), 'extra': 1}",
                "`extra`",
            ),
            ("'descr': '<f4'", "expected `{`"),
        ];
        for (header, needle) in cases {
            let err = parse_header(header).unwrap_err();
            assert!(err.contains(needle), "{header}: {err}");
        }
    }

    #[test]
    fn refuses_damaged_files() {
        let good = npy("<f4", &[2], &[0; 8]);
        assert!(NpyArray::parse("w", &good).is_ok());
        let short = &good[..good.len() - 1];
        let err = NpyArray::parse("w", short).unwrap_err();
        assert!(
            err.what.contains("array `w`") && err.what.contains("needs 8 bytes"),
            "{err}"
        );
        let err = NpyArray::parse("w", b"PK\x03\x04").unwrap_err();
        assert!(err.what.contains("signature"), "{err}");
        let err = NpyArray::parse("w", &good[..12]).unwrap_err();
        assert!(err.what.contains("ends inside its header"), "{err}");
        let mut future = good.clone();
        future[6] = 9;
        assert!(NpyArray::parse("w", &future).unwrap_err().what.contains("version 9"));
    }

    #[test]
    fn type_and_shape_mismatches_name_the_array() {
        let array = NpyArray::parse("proj2", &npy("|u1", &[2, 2], &[1, 2, 3, 4])).unwrap();
        let err = array.into_f32(&[2, 2]).unwrap_err();
        assert_eq!(
            err.what,
            "array `proj2` is uint8 of shape [2, 2], where float32 of shape [2, 2] was expected"
        );
        let array = NpyArray::parse("q1", &npy("|u1", &[2, 2], &[1, 2, 3, 4])).unwrap();
        assert!(array.into_u8(&[4]).unwrap_err().what.contains("shape [4]"));
    }

    #[test]
    fn npz_entries_by_name() {
        let archive = npz(&[("a", npy("|u1", &[2], &[7, 9])), ("b", npy("<f8", &[], &[0; 8]))]);
        let mut npz = Npz::open(Path::new("w.npz"), &archive).unwrap();
        assert_eq!(npz.array("a").unwrap().into_u8(&[2]).unwrap(), vec![7, 9]);
        assert_eq!(npz.array("b").unwrap().f64_scalar().unwrap(), 0.0);
        assert_eq!(npz.array("c").unwrap_err().what, "the archive has no array `c`");
        let err = Npz::open(Path::new("w.npz"), b"not a zip").err().unwrap();
        assert_eq!(
            (err.what.as_str(), err.place.as_deref()),
            (
                "the file is not a NumPy .npz archive of model weights: it is not a zip archive",
                Some("w.npz")
            )
        );
    }
}
