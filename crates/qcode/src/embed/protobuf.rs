//! The protobuf wire format, as far as reading a SentencePiece model needs.
//!
//! `sp.model` is a serialized `ModelProto`, of which qcode reads five
//! fields in two nested messages. A protobuf crate would need the schema
//! compiled in (build script or derive macros) to do the same; walking the
//! wire format takes one small iterator, checks every length against the
//! buffer, and reports a damaged file instead of reading past its end.

use crate::error::{Error, Result};

/// The value of one field, by wire type.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum FieldValue<'a> {
    Varint(u64),
    Fixed64(u64),
    /// Strings, bytes and embedded messages.
    Bytes(&'a [u8]),
    Fixed32(u32),
}

/// The fields of one message, in the order they are stored.
pub(crate) struct Fields<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Fields<'a> {
    pub(crate) fn new(data: &'a [u8]) -> Fields<'a> {
        Fields { data, pos: 0 }
    }

    fn damaged(&mut self, why: &str) -> Error {
        let at = self.pos;
        // Stop the iteration: after a damaged field nothing can be trusted.
        self.pos = self.data.len();
        Error::new(format!("damaged protobuf data at byte {at} of a message: {why}"))
    }

    fn varint(&mut self) -> Option<u64> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let byte = *self.data.get(self.pos)?;
            self.pos += 1;
            value |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Some(value);
            }
        }
        None
    }

    fn take(&mut self, len: usize) -> Option<&'a [u8]> {
        let end = self.pos.checked_add(len).filter(|&end| end <= self.data.len())?;
        let bytes = &self.data[self.pos..end];
        self.pos = end;
        Some(bytes)
    }

    fn next_field(&mut self) -> Result<(u32, FieldValue<'a>)> {
        let start = self.pos;
        let tag = self.varint().ok_or_else(|| self.damaged("a field tag is cut short"))?;
        let number = u32::try_from(tag >> 3).map_err(|_| self.damaged("a field number is too large"))?;
        let value = match tag & 7 {
            0 => self.varint().map(FieldValue::Varint),
            1 => self.take(8).map(|b| FieldValue::Fixed64(u64::from_le_bytes(array(b)))),
            2 => match self.varint().and_then(|len| usize::try_from(len).ok()) {
                Some(len) => self.take(len).map(FieldValue::Bytes),
                None => None,
            },
            5 => self.take(4).map(|b| FieldValue::Fixed32(u32::from_le_bytes(array(b)))),
            wire => {
                self.pos = start;
                return Err(self.damaged(&format!("field {number} has wire type {wire}, which is not supported")));
            }
        };
        match value {
            Some(value) => Ok((number, value)),
            None => {
                self.pos = start;
                Err(self.damaged(&format!("field {number} runs past the end of the message")))
            }
        }
    }
}

/// The first `N` bytes of a slice `take` returned with exactly `N` bytes.
fn array<const N: usize>(bytes: &[u8]) -> [u8; N] {
    let mut out = [0; N];
    out.copy_from_slice(bytes);
    out
}

impl<'a> Iterator for Fields<'a> {
    type Item = Result<(u32, FieldValue<'a>)>;

    fn next(&mut self) -> Option<Self::Item> {
        (self.pos < self.data.len()).then(|| self.next_field())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::embed::testing::ProtoWriter;

    #[test]
    fn reads_every_wire_type() {
        let mut w = ProtoWriter::default();
        w.varint_field(1, 150);
        w.bytes_field(2, b"hola");
        w.fixed32_field(3, 0x4048_f5c3);
        w.tag(20, 1);
        w.raw(&7u64.to_le_bytes());
        w.varint_field(300, u64::MAX);
        let fields: Vec<_> = Fields::new(&w.bytes).collect::<Result<_>>().unwrap();
        assert_eq!(
            fields,
            vec![
                (1, FieldValue::Varint(150)),
                (2, FieldValue::Bytes(b"hola")),
                (3, FieldValue::Fixed32(0x4048_f5c3)),
                (20, FieldValue::Fixed64(7)),
                (300, FieldValue::Varint(u64::MAX)),
            ]
        );
    }

    #[test]
    fn damaged_data_is_an_error_not_a_panic() {
        let mut w = ProtoWriter::default();
        w.bytes_field(1, b"abcdef");
        let good = w.bytes;
        for cut in 1..good.len() {
            let results: Vec<_> = Fields::new(&good[..cut]).collect();
            assert_eq!(results.len(), 1, "cut at {cut}");
            let err = results[0].clone().unwrap_err();
            assert!(err.what.contains("damaged protobuf data at byte 0"), "{err}");
        }
        // A group (wire type 3) and an endless varint.
        let err = Fields::new(&[0x0b]).next().unwrap().unwrap_err();
        assert!(err.what.contains("wire type 3"), "{err}");
        let endless = [0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01];
        assert_eq!(Fields::new(&endless).count(), 1);
        assert!(Fields::new(&endless).next().unwrap().is_err());
        // A length that overflows the position.
        let huge = [0x0a, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01];
        assert!(Fields::new(&huge).next().unwrap().is_err());
    }
}
