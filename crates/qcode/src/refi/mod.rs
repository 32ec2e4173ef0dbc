//! REFI-QDA exchange: codebooks (`.qdc`) and projects (`.qdpx`) shared with
//! NVivo, ATLAS.ti, MAXQDA and QualCoder.
//!
//! Export is strict and import is lenient, as the standard's practice
//! demands:
//!
//! * export writes files that validate against the REFI-QDA 1.0 schemas:
//!   children in schema order, no empty containers, lower-case UUID GUIDs
//!   derived from stable keys (UUIDv5), so exporting the same project twice
//!   gives the same GUIDs and other programs merge re-exports;
//! * import matches elements by local name whatever the namespace, accepts
//!   the deviations of real exporters (entry and folder names, GUIDs in
//!   braces, BOM and CRLF in texts, UTF-16 positions from NVivo) and lists
//!   everything it could not bring over instead of dropping it silently;
//! * a `.qdpx` comes from someone else, so archives are read entry by entry
//!   with size caps ([`crate::files::archive`], which documents are read
//!   through too) and XML is parsed without entity expansion ([`xml`]).
//!
//! Submodules: [`qdc`] (codebooks), [`qdpx`] (projects), [`positions`]
//! (text positions: code points, UTF-16 units, normalised text).

pub mod positions;
pub mod qdc;
pub mod qdpx;
pub mod xml;

use uuid::Uuid;

pub use positions::Positions;
pub use qdpx::{ProjectWriter, automatic_description, imported_description};

/// The namespace of qcode's GUIDs. Never change it: GUIDs derived from it
/// are how other programs recognise objects of an earlier export.
const GUID_NAMESPACE: Uuid = Uuid::from_u128(0x6a1f3c0e_5b8d_4f2a_9c7e_2d4b8e1f0a93);

/// A stable GUID for an object: UUIDv5 of its kind and identifying parts
/// (JSON-encoded, so no choice of separator can make two keys collide),
/// lower-case hyphenated as the standard's examples and QualCoder write it.
pub fn guid(kind: &str, parts: &[&str]) -> String {
    let key = format!(
        "{kind}:{}",
        serde_json::to_string(parts).expect("strings always encode")
    );
    Uuid::new_v5(&GUID_NAMESPACE, key.as_bytes()).to_string()
}

/// A GUID as written by any exporter (braces, any case, spaces) in the form
/// used to compare them.
pub fn normalize_guid(raw: &str) -> String {
    raw.trim()
        .trim_start_matches('{')
        .trim_end_matches('}')
        .trim()
        .to_ascii_lowercase()
}

/// The `origin` qcode writes into the files it exports.
pub fn origin() -> String {
    format!("qcode {}", env!("CARGO_PKG_VERSION"))
}

/// Turns a code name from another program into a qcode code name (letters,
/// digits, `_`, `-`, `.`), the form `qcode codebook` accepts.
pub fn code_id(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.trim().chars() {
        let c = if c.is_alphanumeric() || matches!(c, '-' | '.') {
            c
        } else {
            '_'
        };
        if !(c == '_' && out.ends_with('_')) {
            out.push(c);
        }
    }
    let out = out.trim_matches('_');
    if out.is_empty() {
        "code".to_string()
    } else {
        out.to_string()
    }
}

/// Up to ten names for a message, then how many more.
pub(crate) fn list(names: &[String]) -> String {
    let mut s = names.iter().take(10).cloned().collect::<Vec<_>>().join(", ");
    if names.len() > 10 {
        s.push_str(&format!(" and {} more", names.len() - 10));
    }
    s
}

/// What an import could not bring over, counted by kind, for the warning
/// the standard asks importers to give.
#[derive(Debug, Default)]
pub struct Dropped(indexmap::IndexMap<&'static str, usize>);

impl Dropped {
    /// Counts `n` more things of kind `what` not imported; with `n` = 0 the
    /// kind is not listed.
    pub fn add(&mut self, what: &'static str, n: usize) {
        if n > 0 {
            *self.0.entry(what).or_default() += n;
        }
    }

    /// The warning, if anything was dropped.
    pub fn message(&self) -> Option<String> {
        if self.0.is_empty() {
            return None;
        }
        let items: Vec<String> = self.0.iter().map(|(what, n)| format!("{what}: {n}")).collect();
        Some(format!(
            "not imported, since qcode's files have no place for them: {}",
            items.join(", ")
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guids_are_stable_v5_and_unambiguous() {
        let a = guid("code", &["prices"]);
        assert_eq!(a, guid("code", &["prices"]));
        assert_eq!(a.len(), 36);
        assert_eq!(&a[14..15], "5");
        assert_eq!(a, a.to_lowercase());
        assert_ne!(guid("selection", &["a:b", "c"]), guid("selection", &["a", "b:c"]));
        assert_ne!(guid("code", &["x"]), guid("source", &["x"]));
    }

    #[test]
    fn guids_normalize() {
        assert_eq!(
            normalize_guid(" {0B6E3F0A-5C1D-4F7E-8A2B-3C4D5E6F7A01} "),
            "0b6e3f0a-5c1d-4f7e-8a2b-3c4d5e6f7a01"
        );
    }

    #[test]
    fn code_ids() {
        assert_eq!(code_id("Barreras de acceso"), "Barreras_de_acceso");
        assert_eq!(code_id("Económicas"), "Económicas");
        assert_eq!(code_id(" a / b "), "a_b");
        assert_eq!(code_id("prices"), "prices");
        assert_eq!(code_id("¿?"), "code");
    }
}
