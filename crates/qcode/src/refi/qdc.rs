//! Codebooks: qcode's YAML codebook ↔ REFI-QDA codes, in a stand-alone
//! `.qdc` file or in the `CodeBook` of a project.
//!
//! A qcode code becomes a `Code` named by its qcode name (so codings find it
//! again on the way back), nested under its parent, with a `#RRGGBB` colour
//! (its own, or one picked from the name so it never changes) and a
//! `Description` holding the label, definition, inclusion and exclusion
//! notes and examples as `Label:` / `Include:` / `Exclude:` / `Example:`
//! paragraphs, which import reads back. Codes without rules only group
//! their sub-codes: they are `isCodable="false"`.
//!
//! Import turns names into qcode names (letters, digits, `_`, `-`, `.`,
//! unique) and keeps the original as the label; the code's path of such
//! names (`parent/child`) is what the imported coded CSV calls it.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::path::Path;

use serde::Serialize;

use super::xml::{self, Element, XmlWriter};
use super::{Dropped, code_id, guid, normalize_guid, origin};
use crate::codebook::{Code, Codebook, sha256_hex};
use crate::error::{Error, Result};

/// The XML namespace of REFI-QDA 1.0 codebooks, written on `<CodeBook>`.
pub const NAMESPACE: &str = "urn:QDA-XML:codebook:1.0";
const SCHEMA_LOCATION: &str =
    "urn:QDA-XML:codebook:1.0 http://schema.qdasoftware.org/versions/Codebook/v1.0/Codebook.xsd";
pub(crate) const XSI: &str = "http://www.w3.org/2001/XMLSchema-instance";

/// A code as the exchange files describe it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExchangeCode {
    /// The code's GUID, lower-case hyphenated, the same in every export
    /// (see [`guid`]).
    pub guid: String,
    /// The name other programs show: for a qcode code, its qcode name, so
    /// that codings find it again on the way back.
    pub name: String,
    /// Whether the code can be applied (`isCodable`); a qcode code without
    /// rules only groups its sub-codes.
    pub codable: bool,
    /// `#RRGGBB`.
    pub color: String,
    /// The text of its `Description`; empty: none is written.
    pub description: String,
    /// Index of the parent in the same list.
    pub parent: Option<usize>,
}

impl ExchangeCode {
    /// A code known only by a key (a name or path from a coded CSV): no
    /// description, a colour from the name.
    pub fn bare(key: &str, name: &str, parent: Option<usize>) -> ExchangeCode {
        ExchangeCode {
            guid: guid("code", &[key]),
            name: name.to_string(),
            codable: true,
            color: default_color(name),
            description: String::new(),
            parent,
        }
    }

    /// The codes of a codebook, in its order.
    pub fn from_codebook(cb: &Codebook) -> Vec<ExchangeCode> {
        cb.codes
            .iter()
            .map(|c| ExchangeCode {
                codable: !c.rules.is_empty(),
                color: c.color.clone().unwrap_or_else(|| default_color(&c.name)),
                description: describe(c),
                ..ExchangeCode::bare(&c.name, &c.name, c.parent)
            })
            .collect()
    }
}

/// A colour for a code without one, picked from its name so that it stays
/// the same when other codes are added (Tableau's ten colours).
fn default_color(name: &str) -> String {
    const PALETTE: [&str; 10] = [
        "#1F77B4", "#FF7F0E", "#2CA02C", "#D62728", "#9467BD", "#8C564B", "#E377C2", "#7F7F7F", "#BCBD22", "#17BECF",
    ];
    let hash = sha256_hex(name.as_bytes());
    let n = usize::from_str_radix(&hash[..2], 16).unwrap_or(0);
    PALETTE[n % PALETTE.len()].to_string()
}

/// The code's documentation as one `Description`.
fn describe(c: &Code) -> String {
    let mut paragraphs = Vec::new();
    if c.label != c.name {
        paragraphs.push(format!("Label: {}", c.label));
    }
    if !c.description.is_empty() {
        paragraphs.push(c.description.clone());
    }
    if !c.include.is_empty() {
        paragraphs.push(format!("Include: {}", c.include));
    }
    if !c.exclude.is_empty() {
        paragraphs.push(format!("Exclude: {}", c.exclude));
    }
    paragraphs.extend(c.examples.iter().map(|e| format!("Example: {}", e.text)));
    paragraphs.extend(c.counterexamples.iter().map(|e| format!("Counterexample: {}", e.text)));
    paragraphs.join("\n\n")
}

/// Writes `<Codes>`, sub-codes nested in their parents.
pub fn write_codes(w: &mut XmlWriter, codes: &[ExchangeCode]) {
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); codes.len()];
    let mut roots = Vec::new();
    for (i, c) in codes.iter().enumerate() {
        match c.parent {
            Some(p) => children[p].push(i),
            None => roots.push(i),
        }
    }
    w.open("Codes", &[]);
    for r in roots {
        write_code(w, codes, &children, r);
    }
    w.close("Codes");
}

fn write_code(w: &mut XmlWriter, codes: &[ExchangeCode], children: &[Vec<usize>], i: usize) {
    let c = &codes[i];
    let codable = if c.codable { "true" } else { "false" };
    let attributes = [
        ("guid", c.guid.as_str()),
        ("name", &c.name),
        ("isCodable", codable),
        ("color", &c.color),
    ];
    if c.description.is_empty() && children[i].is_empty() {
        w.empty("Code", &attributes);
        return;
    }
    w.open("Code", &attributes);
    if !c.description.is_empty() {
        w.text_element("Description", &c.description);
    }
    for &k in &children[i] {
        write_code(w, codes, children, k);
    }
    w.close("Code");
}

/// The `.qdc` file of a codebook.
pub fn write(cb: &Codebook) -> Vec<u8> {
    let mut w = XmlWriter::new();
    let origin = origin();
    w.open(
        "CodeBook",
        &[
            ("xmlns", NAMESPACE),
            ("xmlns:xsi", XSI),
            ("xsi:schemaLocation", SCHEMA_LOCATION),
            ("origin", &origin),
        ],
    );
    write_codes(&mut w, &ExchangeCode::from_codebook(cb));
    w.close("CodeBook");
    w.finish()
}

// ---------------------------------------------------------------------------
// Import.

/// A code read from an exchange file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedCode {
    /// As written in the file.
    pub name: String,
    /// The qcode name: `name` made into an id, unique in the codebook.
    pub id: String,
    /// The ids from the top of the hierarchy down to this code, with `/`.
    pub path: String,
    /// Index of the parent in [`ImportedCodes::codes`]; `None` at the top.
    pub parent: Option<usize>,
    /// `isCodable`: true unless the file says `false` (or `0`).
    pub codable: bool,
    /// `#RRGGBB`, if the file gave a usable colour.
    pub color: Option<String>,
    /// The text of its `Description`, trimmed; empty when there is none.
    pub description: String,
}

/// The codes of a `CodeBook`, parents before children.
#[derive(Debug, Default)]
pub struct ImportedCodes {
    /// The codes, in file order (which puts parents before children).
    pub codes: Vec<ImportedCode>,
    by_guid: HashMap<String, usize>,
}

impl ImportedCodes {
    /// Reads the codes under a `<CodeBook>` element; problems go to
    /// `warnings` and `dropped`.
    pub fn read(codebook: &Element, warnings: &mut Vec<String>, dropped: &mut Dropped) -> ImportedCodes {
        let mut reader = CodeReader {
            out: ImportedCodes::default(),
            renamed: Vec::new(),
            duplicate_guids: Vec::new(),
            dropped,
        };
        // Lenient: `Code` elements straight under `CodeBook` count too.
        let container = codebook.child("Codes").unwrap_or(codebook);
        for code in container.children_named("Code") {
            reader.code(code, None);
        }
        if !reader.renamed.is_empty() {
            let shown: Vec<String> = reader
                .renamed
                .iter()
                .take(10)
                .map(|(from, to)| format!("`{from}` → {to}"))
                .collect();
            let more = if reader.renamed.len() > 10 {
                format!(" and {} more", reader.renamed.len() - 10)
            } else {
                String::new()
            };
            warnings.push(format!(
                "{} code name(s) became qcode names (letters, digits, _, -, ., unique; the original is kept as the label in an imported codebook): {}{more}",
                reader.renamed.len(),
                shown.join(", ")
            ));
        }
        if !reader.duplicate_guids.is_empty() {
            warnings.push(format!(
                "codes with a GUID already used by another code (codings go to the first one): {}",
                reader.duplicate_guids.join(", ")
            ));
        }
        reader.out
    }

    /// The code a `CodeRef` points to.
    pub fn by_guid(&self, guid: &str) -> Option<&ImportedCode> {
        self.by_guid.get(&normalize_guid(guid)).map(|&i| &self.codes[i])
    }
}

struct CodeReader<'a> {
    out: ImportedCodes,
    renamed: Vec<(String, String)>,
    duplicate_guids: Vec<String>,
    dropped: &'a mut Dropped,
}

impl CodeReader<'_> {
    fn code(&mut self, el: &Element, parent: Option<usize>) {
        let name = el.attr("name").map(str::trim).unwrap_or_default().to_string();
        let base = code_id(&name);
        let mut id = base.clone();
        let mut n = 1;
        while self.out.codes.iter().any(|c| c.id == id) {
            n += 1;
            id = format!("{base}_{n}");
        }
        if id != name {
            self.renamed.push((name.clone(), id.clone()));
        }
        let color = el.attr("color").and_then(|c| {
            let color = rgb(c);
            if color.is_none() {
                self.dropped.add("colours not of the form #RRGGBB", 1);
            }
            color
        });
        let me = self.out.codes.len();
        if let Some(g) = el.attr("guid").map(normalize_guid).filter(|g| !g.is_empty()) {
            match self.out.by_guid.entry(g) {
                Entry::Occupied(e) => self.duplicate_guids.push(format!("`{name}` ({})", e.key())),
                Entry::Vacant(e) => {
                    e.insert(me);
                }
            }
        }
        self.out.codes.push(ImportedCode {
            path: match parent {
                Some(p) => format!("{}/{id}", self.out.codes[p].path),
                None => id.clone(),
            },
            name,
            id,
            parent,
            codable: !el
                .attr("isCodable")
                .is_some_and(|v| v.trim().eq_ignore_ascii_case("false") || v.trim() == "0"),
            color,
            description: el
                .child("Description")
                .map(|d| d.text.trim().to_string())
                .unwrap_or_default(),
        });
        for child in el.children_named("Code") {
            self.code(child, Some(me));
        }
    }
}

/// `#RRGGBB` from `#RRGGBB` or `#RGB`, upper case.
fn rgb(raw: &str) -> Option<String> {
    let hex = raw.trim().strip_prefix('#')?;
    if !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    match hex.len() {
        6 => Some(format!("#{}", hex.to_uppercase())),
        3 => Some(format!(
            "#{}",
            hex.chars().flat_map(|c| [c, c]).collect::<String>().to_uppercase()
        )),
        _ => None,
    }
}

/// A code's documentation, split back into the parts qcode exports.
#[derive(Debug, Default, PartialEq, Eq)]
struct Notes {
    label: Option<String>,
    description: String,
    include: String,
    exclude: String,
    examples: Vec<String>,
    counterexamples: Vec<String>,
}

fn parse_description(text: &str) -> Notes {
    let mut notes = Notes::default();
    let mut free = Vec::new();
    let mut paragraph = Vec::new();
    let mut flush = |lines: &mut Vec<&str>, notes: &mut Notes| {
        if lines.is_empty() {
            return;
        }
        let p = lines.join("\n");
        lines.clear();
        if let Some(v) = p.strip_prefix("Label:") {
            notes.label = Some(v.trim().to_string());
        } else if let Some(v) = p.strip_prefix("Include:") {
            notes.include = v.trim().to_string();
        } else if let Some(v) = p.strip_prefix("Exclude:") {
            notes.exclude = v.trim().to_string();
        } else if let Some(v) = p.strip_prefix("Example:") {
            notes.examples.push(v.trim().to_string());
        } else if let Some(v) = p.strip_prefix("Counterexample:") {
            notes.counterexamples.push(v.trim().to_string());
        } else {
            free.push(p);
        }
    };
    for line in text.lines() {
        if line.trim().is_empty() {
            flush(&mut paragraph, &mut notes);
        } else {
            paragraph.push(line.trim_end());
        }
    }
    flush(&mut paragraph, &mut notes);
    notes.description = free.join("\n\n");
    notes
}

#[derive(Serialize)]
struct YamlBook {
    name: String,
    description: String,
    codes: Vec<YamlCode>,
}

#[derive(Serialize)]
struct YamlCode {
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    label: Option<String>,
    #[serde(skip_serializing_if = "String::is_empty")]
    description: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    include: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    exclude: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    examples: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    counterexamples: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    color: Option<String>,
    /// Empty, for the user to fill: present on every code that can be
    /// applied, so the place for rules is visible.
    #[serde(skip_serializing_if = "Option::is_none")]
    keywords: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    children: Vec<YamlCode>,
}

/// A codebook file for imported codes: a header comment saying what is
/// still missing, then the codebook. `from` names where the codes came
/// from.
pub fn skeleton_file(codes: &[ImportedCode], name: &str, from: &str) -> Result<String> {
    let mut yaml = skeleton(codes, name, &format!("Imported from {from}."))?;
    if !yaml.ends_with('\n') {
        yaml.push('\n');
    }
    let header = format!(
        "# Codebook skeleton imported by {} from {from}.\n\
         # Names, hierarchy, labels, descriptions and colours come from the file.\n\
         # A code without rules is for coding by hand: `qcode code` never applies it.\n\
         # Give a code rules (keywords, patterns, all or near) for qcode to apply it;\n\
         # `qcode codebook check` lists the codes that have none.\n\n",
        origin()
    );
    Ok(header + &yaml)
}

/// The YAML skeleton of imported codes.
fn skeleton(codes: &[ImportedCode], name: &str, description: &str) -> Result<String> {
    fn build(codes: &[ImportedCode], i: usize) -> YamlCode {
        let c = &codes[i];
        let notes = parse_description(&c.description);
        let children: Vec<YamlCode> = (0..codes.len())
            .filter(|&k| codes[k].parent == Some(i))
            .map(|k| build(codes, k))
            .collect();
        let label = notes
            .label
            .or_else(|| (c.name != c.id && !c.name.is_empty()).then(|| c.name.clone()));
        YamlCode {
            name: c.id.clone(),
            label,
            description: notes.description,
            include: notes.include,
            exclude: notes.exclude,
            examples: notes.examples,
            counterexamples: notes.counterexamples,
            color: c.color.clone(),
            keywords: (c.codable || children.is_empty()).then(Vec::new),
            children,
        }
    }
    let book = YamlBook {
        name: name.to_string(),
        description: description.to_string(),
        codes: (0..codes.len())
            .filter(|&i| codes[i].parent.is_none())
            .map(|i| build(codes, i))
            .collect(),
    };
    serde_saphyr::to_string(&book).map_err(|e| Error::new(format!("cannot write the codebook as YAML: {e}")))
}

/// A codebook skeleton read from a `.qdc` file.
pub struct ImportedCodebook {
    /// The qcode codebook, without rules.
    pub yaml: String,
    /// How many codes it has.
    pub codes: usize,
    /// What was renamed or could not be brought over, one message each.
    pub warnings: Vec<String>,
}

/// Reads a `.qdc` file into a qcode codebook skeleton.
pub fn import(path: &Path) -> Result<ImportedCodebook> {
    let bytes = crate::files::read_bytes(path)?;
    let label = path.display().to_string();
    let root = xml::parse(&bytes, &label)?;
    if root.name != "CodeBook" {
        let hint = if root.name == "Project" {
            "this is the XML of a project: import the whole .qdpx file instead".to_string()
        } else {
            format!(
                "a REFI-QDA codebook has <CodeBook> at the top, this file has <{}>",
                root.name
            )
        };
        return Err(Error::new("this is not a REFI-QDA codebook").in_file(path).hint(hint));
    }
    let mut warnings = Vec::new();
    let mut dropped = Dropped::default();
    let codes = ImportedCodes::read(&root, &mut warnings, &mut dropped);
    if codes.codes.is_empty() {
        return Err(Error::new("the codebook holds no codes")
            .in_file(path)
            .hint("export the codebook again from the program that made it, with its codes"));
    }
    if let Some(sets) = root.child("Sets") {
        dropped.add("code sets", sets.children_named("Set").count());
    }
    warnings.extend(dropped.message());
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let name = path
        .file_stem()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let from = match root.attr("origin").map(str::trim).filter(|o| !o.is_empty()) {
        Some(o) => format!("{file_name} (made by {o})"),
        None => file_name,
    };
    let yaml = skeleton_file(&codes.codes, &name, &from)?;
    Ok(ImportedCodebook {
        yaml,
        codes: codes.codes.len(),
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const BOOK: &str = "name: Test\ncodes:\n  - name: debt\n    label: Debts and loans\n    description: Money owed.\n    include: Loans from family.\n    exclude: Bank fees.\n    examples: [\"Pedí prestado\"]\n    counterexamples: [\"Prestó atención\"]\n    children:\n      - name: lenders\n        keywords: [prestamista]\n  - name: prices\n    color: \"#1f77b4\"\n    keywords: [coyote]\n";

    #[test]
    fn exports_hierarchy_descriptions_and_colours() {
        let cb = Codebook::parse(BOOK, "t.yaml").unwrap();
        let xml = String::from_utf8(write(&cb)).unwrap();
        let root = xml::parse(xml.as_bytes(), "t").unwrap();
        assert_eq!(root.name, "CodeBook");
        let codes = root.child("Codes").unwrap();
        let debt = codes.child("Code").unwrap();
        assert_eq!(debt.attr("name"), Some("debt"));
        assert_eq!(debt.attr("isCodable"), Some("false"), "no rules: a folder");
        assert_eq!(
            debt.child("Description").unwrap().text,
            "Label: Debts and loans\n\nMoney owed.\n\nInclude: Loans from family.\n\nExclude: Bank fees.\n\nExample: Pedí prestado\n\nCounterexample: Prestó atención"
        );
        let lenders = debt.child("Code").unwrap();
        assert_eq!(lenders.attr("isCodable"), Some("true"));
        assert_eq!(lenders.attr("guid"), Some(guid("code", &["lenders"]).as_str()));
        let prices = codes.children_named("Code").nth(1).unwrap();
        assert_eq!(prices.attr("color"), Some("#1F77B4"));
        for c in [debt, lenders] {
            let color = c.attr("color").unwrap();
            assert!(color.len() == 7 && color.starts_with('#'), "{color}");
        }
        assert_eq!(write(&cb), write(&cb), "exports are reproducible");
    }

    #[test]
    fn round_trips_through_the_skeleton() {
        let cb = Codebook::parse(BOOK, "t.yaml").unwrap();
        let root = xml::parse(&write(&cb), "t").unwrap();
        let mut warnings = Vec::new();
        let codes = ImportedCodes::read(&root, &mut warnings, &mut Dropped::default());
        assert!(warnings.is_empty(), "{warnings:?}");
        let paths: Vec<&str> = codes.codes.iter().map(|c| c.path.as_str()).collect();
        assert_eq!(paths, ["debt", "debt/lenders", "prices"]);
        let yaml = skeleton(&codes.codes, "Test", "Imported.").unwrap();
        let filled = yaml.replace("keywords: []", "keywords: [x]");
        let back = Codebook::parse(&filled, "back.yaml").unwrap_or_else(|e| panic!("{e}\n{filled}"));
        let names: Vec<&str> = back.codes.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["debt", "lenders", "prices"]);
        let debt = &back.codes[0];
        assert_eq!(
            (
                debt.label.as_str(),
                debt.description.as_str(),
                debt.include.as_str(),
                debt.exclude.as_str()
            ),
            ("Debts and loans", "Money owed.", "Loans from family.", "Bank fees.")
        );
        let texts = |examples: &[crate::codebook::Example]| examples.iter().map(|e| e.text.clone()).collect::<Vec<_>>();
        assert_eq!(texts(&debt.examples), ["Pedí prestado"]);
        assert_eq!(texts(&debt.counterexamples), ["Prestó atención"]);
        assert!(debt.rules.is_empty(), "a folder gets no keywords line");
        assert_eq!(back.codes[2].color.as_deref(), Some("#1F77B4"));
    }

    #[test]
    fn foreign_names_become_unique_ids() {
        let xml = r##"<CodeBook xmlns="urn:QDA-XML:codebook:1:0"><Codes>
            <Code guid="{AAAAAAAA-0000-0000-0000-000000000001}" name="Barreras de acceso" isCodable="false">
              <Code guid="aaaaaaaa-0000-0000-0000-000000000002" name="Otro" isCodable="true" color="#e06"/>
            </Code>
            <Code guid="AAAAAAAA-0000-0000-0000-000000000003" name="Otro" isCodable="true" color="red"/>
            <Code guid="aaaaaaaa-0000-0000-0000-000000000003" name="Copia" isCodable="true"/>
          </Codes><Sets/></CodeBook>"##;
        let root = xml::parse(xml.as_bytes(), "t").unwrap();
        let mut warnings = Vec::new();
        let mut dropped = Dropped::default();
        let codes = ImportedCodes::read(&root, &mut warnings, &mut dropped);
        let paths: Vec<&str> = codes.codes.iter().map(|c| c.path.as_str()).collect();
        assert_eq!(
            paths,
            ["Barreras_de_acceso", "Barreras_de_acceso/Otro", "Otro_2", "Copia"]
        );
        assert_eq!(codes.codes[1].color.as_deref(), Some("#EE0066"));
        assert_eq!(
            codes.by_guid("{aaaaaaaa-0000-0000-0000-000000000003}").unwrap().id,
            "Otro_2"
        );
        assert!(
            warnings
                .iter()
                .any(|w| w.contains("`Barreras de acceso` → Barreras_de_acceso")),
            "{warnings:?}"
        );
        assert!(warnings.iter().any(|w| w.contains("`Copia`")), "{warnings:?}");
        assert!(
            dropped
                .message()
                .unwrap()
                .contains("colours not of the form #RRGGBB: 1")
        );
    }

    #[test]
    fn description_paragraphs() {
        let n = parse_description("Free text\nsecond line\n\nInclude: a\n\n  \nExample: x\n\nExample: y\n\nMore free.");
        assert_eq!(n.description, "Free text\nsecond line\n\nMore free.");
        assert_eq!(n.include, "a");
        assert_eq!(n.examples, ["x", "y"]);
        assert_eq!(n.label, None);
    }
}
