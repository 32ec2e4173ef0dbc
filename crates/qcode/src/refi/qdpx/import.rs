//! Reading a project coded in another program into coded CSV rows.
//!
//! Every coded text selection becomes a row. `document` is the source's
//! name, with `.txt` added unless it names a file qcode reads (`Entrevista
//! 1` → `Entrevista 1.txt`, the file `--texts` writes, so `qcode code` on
//! the written texts gives the same ids); `code` is the code's path in the
//! hierarchy, `coder` the user's name, `unit` empty (a person's selection is
//! no qcode unit; a coding of a whole source has unit `document`), offsets
//! count characters of the normalised text, as every qcode report does.
//!
//! Positions are read in the unit the exporter used: UTF-16 for NVivo, code
//! points otherwise, a CRLF counted once for ATLAS.ti and QualCoder; for an
//! unknown exporter whose texts make the choice matter, the counting under
//! which the selections best match their quoted text and cut fewest words
//! wins.
//!
//! Nothing is dropped silently: what qcode's files cannot hold (memos,
//! sets, pictures…) and what is broken (missing texts, dangling references,
//! selections outside their text, archive entries with unsafe names) is
//! listed in the warnings.
//!
//! The archive comes from someone else: it is read through
//! [`crate::files::archive`] (never extracted, entries read by name through
//! caps), without a cap on the file itself, since a project may carry large
//! media files, which are never read.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;

use indexmap::{IndexMap, IndexSet};

use super::archive::{QDPX, load_text, project_entry, set_aside_warning};
use super::counting::{Counting, counted_text, counting_of, decide};
use super::problems::Problems;
use crate::coding::{COLUMNS, Coding};
use crate::error::{Error, Result};
use crate::files::archive::Archive;
use crate::refi::positions::{Positions, Units, locate, to_normalized};
use crate::refi::qdc::ImportedCodes;
use crate::refi::xml::{self, Element};
use crate::refi::{Dropped, normalize_guid};

/// A project in qcode's terms.
pub struct Imported {
    /// Coded CSV rows, by document then position.
    pub codings: Vec<Coding>,
    /// The attribute columns (the project's variables), in order.
    pub attributes: Vec<String>,
    /// Every text source as (document, normalised text).
    pub documents: Vec<(String, String)>,
    /// The project's codes.
    pub codes: ImportedCodes,
    /// The project's `origin` (the program that wrote it).
    pub origin: String,
    /// How positions were counted, in words.
    pub counting: String,
    /// What could not be brought over or was broken, one message each:
    /// nothing is dropped silently.
    pub warnings: Vec<String>,
}

pub(super) struct Source {
    pub(super) guid: String,
    pub(super) name: String,
    pub(super) creating_user: Option<String>,
    pub(super) path: Option<String>,
    pub(super) content: Option<String>,
    /// The text as stored, after a BOM.
    pub(super) text: Option<String>,
    pub(super) selections: Vec<Selection>,
    /// Codings of the whole source.
    pub(super) whole: Vec<RawCoding>,
    /// (variable GUID, value).
    pub(super) values: Vec<(String, String)>,
}

pub(super) struct Selection {
    pub(super) start: Option<usize>,
    pub(super) end: Option<usize>,
    /// As written, for messages.
    pub(super) written: (String, String),
    /// The text it quotes, when the unit may have to be guessed.
    pub(super) name: Option<String>,
    pub(super) user: Option<String>,
    pub(super) codings: Vec<RawCoding>,
}

pub(super) struct RawCoding {
    pub(super) code: Option<String>,
    pub(super) user: Option<String>,
}

/// Reads a `.qdpx` file; `positions` overrides the unit the exporter is
/// taken to have counted in.
pub fn import(path: &Path, positions: Option<Positions>) -> Result<Imported> {
    let mut archive = Archive::open(path, &QDPX)?;
    let mut warnings: Vec<String> = set_aside_warning(archive.set_aside()).into_iter().collect();
    let entry = project_entry(&archive, path)?;
    let place = format!("{}: {entry}", path.display());
    let root = xml::parse(&archive.required(&entry)?, &place)?;
    if root.name != "Project" {
        return Err(Error::new(format!(
            "this is not a REFI-QDA project: the top element is <{}>",
            root.name
        ))
        .at(place)
        .hint("export the project again from the program that made it, as a REFI-QDA project (.qdpx)"));
    }
    let origin = root.attr("origin").unwrap_or_default().trim().to_string();
    let mut dropped = Dropped::default();
    let mut problems = Problems::default();

    let users = read_users(&root, &mut problems);
    let codes = root
        .child("CodeBook")
        .map(|cb| ImportedCodes::read(cb, &mut warnings, &mut dropped))
        .unwrap_or_default();
    let variables = read_variables(&root, &mut problems);
    // Selections quote their text in `name`, which only guessing the unit
    // needs; a big project saves that copy when the exporter is known.
    let quotes = counting_of(&origin).is_none();
    let mut sources = read_sources(&root, quotes, &mut dropped, &mut problems);
    let case_values = read_cases(&root, &sources, &mut dropped, &mut problems);
    for s in &mut sources {
        load_text(&mut archive, s, &mut problems)?;
    }
    if let Some(notes) = root.child("Notes") {
        dropped.add("notes and memos", notes.children_named("Note").count());
    }
    for (container, what) in [("Links", "links"), ("Sets", "sets"), ("Graphs", "graphs")] {
        if let Some(el) = root.child(container) {
            dropped.add(what, el.children.len());
        }
    }
    if root.child("Description").is_some_and(|d| !d.text.trim().is_empty()) {
        dropped.add("project memo", 1);
    }

    let default_user = root.attr("creatingUserGUID").map(normalize_guid);
    // Everything needed is out of the tree; its memory is better spent on
    // the rows.
    drop(root);

    let (counting, how) = decide(&origin, positions, &sources);
    let project = Project {
        users,
        codes: &codes,
        variables,
        case_values,
        default_user,
        counting,
    };
    let mut codings = Vec::new();
    let mut documents = Vec::new();
    let mut attribute_names: IndexSet<String> = IndexSet::new();
    let mut ids = DocumentIds::default();
    for s in &sources {
        let Some(raw) = &s.text else {
            problems.lost_codings += s.whole.len() + s.selections.iter().map(|sel| sel.codings.len()).sum::<usize>();
            continue;
        };
        let document = ids.next(&s.name, &mut problems);
        let attributes = project.attributes(s, &mut attribute_names, &mut problems);
        let template = Coding {
            document: document.clone(),
            segment: 0,
            unit: "span".to_string(),
            start_line: 0,
            end_line: 0,
            start_char: 0,
            end_char: 0,
            speaker: String::new(),
            code: String::new(),
            code_path: String::new(),
            coder: String::new(),
            hits: 0,
            matched: Vec::new(),
            text: String::new(),
            start_time: String::new(),
            end_time: String::new(),
            spans: Vec::new(),
            extracted: Vec::new(),
            attributes: Arc::new(attributes),
        };
        let (rows, text) = project.rows(s, raw, &template, &mut problems);
        codings.extend(rows);
        documents.push((document, text));
    }
    warnings.extend(problems.warnings());
    warnings.extend(dropped.message());
    Ok(Imported {
        codings,
        attributes: attribute_names.into_iter().collect(),
        documents,
        codes,
        origin,
        counting: how,
        warnings,
    })
}

/// What turning a source into rows needs from the rest of the project.
struct Project<'a> {
    /// User GUID → name.
    users: HashMap<String, String>,
    codes: &'a ImportedCodes,
    /// Variable GUID → column.
    variables: HashMap<String, String>,
    /// Source GUID → values of its cases.
    case_values: HashMap<String, Vec<(String, String)>>,
    /// The project's creator, coder of codings that name nobody.
    default_user: Option<String>,
    counting: Counting,
}

impl Project<'_> {
    /// The source's attributes: its cases' values, then its own.
    fn attributes(
        &self,
        s: &Source,
        names: &mut IndexSet<String>,
        problems: &mut Problems,
    ) -> IndexMap<String, String> {
        let mut attributes = IndexMap::new();
        for (var, value) in self.case_values.get(&s.guid).into_iter().flatten().chain(&s.values) {
            match self.variables.get(var) {
                Some(column) => {
                    names.insert(column.clone());
                    attributes.insert(column.clone(), value.clone());
                }
                None => problems.dangling_variables += 1,
            }
        }
        attributes
    }

    /// The name of the user who made a coding, from the nearest element
    /// that says.
    fn coder(&self, user: Option<&String>, s: &Source, problems: &mut Problems) -> String {
        let Some(guid) = user.or(s.creating_user.as_ref()).or(self.default_user.as_ref()) else {
            problems.no_user += 1;
            return "unknown".to_string();
        };
        self.users.get(guid).cloned().unwrap_or_else(|| {
            problems.unlisted_users.insert(guid.clone());
            guid.clone()
        })
    }

    /// The path of the code a coding refers to.
    fn code(&self, c: &RawCoding, problems: &mut Problems) -> Option<String> {
        let found = c
            .code
            .as_deref()
            .and_then(|g| self.codes.by_guid(g))
            .map(|c| c.path.clone());
        if found.is_none() {
            problems.dangling_codes += 1;
        }
        found
    }

    /// The coded CSV rows of a source whose text as stored is `raw`,
    /// filled in from `template`, and its normalised text.
    fn rows(&self, s: &Source, raw: &str, template: &Coding, problems: &mut Problems) -> (Vec<Coding>, String) {
        let unit = self.counting.unit;
        let counted = counted_text(raw, self.counting);
        let units = Units::new(&counted);
        let text = crate::text::normalize(&counted);
        let mut spans = Vec::new();
        for sel in &s.selections {
            match (sel.start, sel.end) {
                (Some(a), Some(b)) if a == b => problems.empty_selections += 1,
                (Some(a), Some(b)) if a < b => match (units.to_char(a, unit), units.to_char(b, unit)) {
                    (Some(ca), Some(cb)) => spans.push((ca, cb, sel)),
                    _ => problems.bad_selections.push(format!(
                        "{} [{a}, {b}) in a text of {} {}",
                        s.name,
                        units.len(unit),
                        if unit == Positions::Utf16 {
                            "UTF-16 units"
                        } else {
                            "characters"
                        }
                    )),
                },
                _ => problems
                    .bad_selections
                    .push(format!("{} [{}, {})", s.name, sel.written.0, sel.written.1)),
            }
        }
        let raw_offsets: Vec<usize> = spans.iter().flat_map(|&(a, b, _)| [a, b]).collect();
        let offsets = to_normalized(&counted, &raw_offsets);
        // Bytes of each start and end, and the line of each last character.
        let wanted: Vec<usize> = offsets
            .chunks(2)
            .flat_map(|p| [p[0], p[1], p[1].saturating_sub(1)])
            .collect();
        let located = locate(&text, &wanted);
        let mut rows = Vec::new();
        for (k, (_, _, sel)) in spans.iter().enumerate() {
            let (start_char, end_char) = (offsets[2 * k], offsets[2 * k + 1]);
            if start_char == end_char {
                problems.empty_selections += 1;
                continue;
            }
            let [(b0, start_line), (b1, _), (_, end_line)] = [located[3 * k], located[3 * k + 1], located[3 * k + 2]];
            for c in &sel.codings {
                if let Some(code) = self.code(c, problems) {
                    rows.push(Coding {
                        start_line,
                        end_line,
                        start_char,
                        end_char,
                        code_path: code.clone(),
                        code,
                        coder: self.coder(c.user.as_ref().or(sel.user.as_ref()), s, problems),
                        text: text[b0..b1].to_string(),
                        ..template.clone()
                    });
                }
            }
        }
        for c in &s.whole {
            if let Some(code) = self.code(c, problems) {
                rows.push(Coding {
                    unit: "document".to_string(),
                    start_line: 1,
                    end_line: 1 + text.trim_end_matches('\n').matches('\n').count(),
                    end_char: text.chars().count(),
                    code_path: code.clone(),
                    code,
                    coder: self.coder(c.user.as_ref(), s, problems),
                    text: text.clone(),
                    ..template.clone()
                });
            }
        }
        rows.sort_by(|a, b| {
            (a.start_char, a.end_char, &a.code, &a.coder).cmp(&(b.start_char, b.end_char, &b.code, &b.coder))
        });
        // One segment per distinct span, so reports count a passage coded
        // twice once.
        let mut segment = 0;
        let mut last = None;
        for r in &mut rows {
            if last != Some((r.start_char, r.end_char)) {
                segment += 1;
                last = Some((r.start_char, r.end_char));
            }
            r.segment = segment;
        }
        (rows, text)
    }
}

/// User GUID → name, names made unique so that two coders never merge.
fn read_users(root: &Element, problems: &mut Problems) -> HashMap<String, String> {
    let mut users = HashMap::new();
    let mut taken: HashSet<String> = HashSet::new();
    for u in root.child("Users").into_iter().flat_map(|us| us.children_named("User")) {
        let Some(guid) = u.attr("guid").map(normalize_guid) else {
            continue;
        };
        if users.contains_key(&guid) {
            continue;
        }
        let base = [u.attr("name"), u.attr("id")]
            .into_iter()
            .flatten()
            .map(str::trim)
            .find(|n| !n.is_empty())
            .unwrap_or(&guid)
            .to_string();
        let mut name = base.clone();
        if taken.contains(&name) {
            name = format!("{base} ({})", &guid[..guid.len().min(8)]);
            problems.renamed_users.push(format!("{base} → {name}"));
        }
        taken.insert(name.clone());
        users.insert(guid, name);
    }
    users
}

/// Variable GUID → attribute column name.
fn read_variables(root: &Element, problems: &mut Problems) -> HashMap<String, String> {
    let mut out = HashMap::new();
    for v in root
        .child("Variables")
        .into_iter()
        .flat_map(|vs| vs.children_named("Variable"))
    {
        let (Some(guid), Some(name)) = (v.attr("guid"), v.attr("name").map(str::trim).filter(|n| !n.is_empty())) else {
            continue;
        };
        let column = if COLUMNS.contains(&name) {
            let renamed = format!("{name} (variable)");
            problems.renamed_columns.push(format!("{name} → {renamed}"));
            renamed
        } else {
            name.to_string()
        };
        out.entry(normalize_guid(guid)).or_insert(column);
    }
    out
}

/// A `VariableValue` as (variable GUID, value).
fn variable_value(el: &Element) -> Option<(String, String)> {
    let var = el.child("VariableRef")?.attr("targetGUID")?;
    let value = el.children.iter().find(|c| c.name.ends_with("Value"))?;
    Some((normalize_guid(var), value.text.trim().to_string()))
}

/// Values of cases, by the GUID of the sources they link to (how MAXQDA
/// and QualCoder attach document variables).
fn read_cases(
    root: &Element,
    sources: &[Source],
    dropped: &mut Dropped,
    problems: &mut Problems,
) -> HashMap<String, Vec<(String, String)>> {
    let known: HashSet<&str> = sources.iter().map(|s| s.guid.as_str()).collect();
    let mut out: HashMap<String, Vec<(String, String)>> = HashMap::new();
    for case in root.child("Cases").into_iter().flat_map(|cs| cs.children_named("Case")) {
        dropped.add("codes applied to cases", case.children_named("CodeRef").count());
        dropped.add("case links to selections", case.children_named("SelectionRef").count());
        let values: Vec<(String, String)> = case
            .children_named("VariableValue")
            .filter_map(variable_value)
            .collect();
        for r in case.children_named("SourceRef") {
            let target = normalize_guid(r.attr("targetGUID").unwrap_or_default());
            if known.contains(target.as_str()) {
                out.entry(target).or_default().extend(values.iter().cloned());
            } else {
                problems.dangling_sources += 1;
            }
        }
    }
    out
}

fn read_sources(root: &Element, quotes: bool, dropped: &mut Dropped, problems: &mut Problems) -> Vec<Source> {
    let mut out: Vec<Source> = Vec::new();
    let mut seen = HashSet::new();
    for el in root.child("Sources").into_iter().flat_map(|s| s.children.iter()) {
        let source = match el.name.as_str() {
            "TextSource" => Some(text_source(el, None, quotes, dropped)),
            "PDFSource" => {
                dropped.add("PDF area selections", el.children_named("PDFSelection").count());
                match el.child("Representation") {
                    Some(rep) => {
                        let mut s = text_source(rep, el.attr("name"), quotes, dropped);
                        s.whole.extend(codings(el));
                        Some(s)
                    }
                    None => {
                        dropped.add("PDF sources without a text representation", 1);
                        None
                    }
                }
            }
            "PictureSource" => {
                dropped.add("picture sources", 1);
                None
            }
            "AudioSource" | "VideoSource" => {
                dropped.add("audio and video sources", 1);
                None
            }
            _ => {
                dropped.add("sources of unknown kinds", 1);
                None
            }
        };
        if source.is_none() {
            dropped.add("codings of sources that are not text", count_codings(el));
        }
        if let Some(s) = source {
            if !s.guid.is_empty() && !seen.insert(s.guid.clone()) {
                problems.duplicate_sources.push(format!("{} ({})", s.name, s.guid));
            }
            out.push(s);
        }
    }
    out
}

fn count_codings(el: &Element) -> usize {
    el.children
        .iter()
        .map(|c| usize::from(c.name == "Coding") + count_codings(c))
        .sum()
}

fn codings(el: &Element) -> Vec<RawCoding> {
    el.children_named("Coding")
        .map(|c| RawCoding {
            code: c
                .child("CodeRef")
                .and_then(|r| r.attr("targetGUID"))
                .map(normalize_guid),
            user: c.attr("creatingUser").map(normalize_guid),
        })
        .collect()
}

/// A text source; `quotes` keeps each selection's `name`.
fn text_source(el: &Element, name: Option<&str>, quotes: bool, dropped: &mut Dropped) -> Source {
    let guid = el.attr("guid").map(normalize_guid).unwrap_or_default();
    let path = el
        .attr("plainTextPath")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_string);
    let name = [el.attr("name"), name]
        .into_iter()
        .flatten()
        .map(str::trim)
        .find(|n| !n.is_empty())
        .map(str::to_string)
        .or_else(|| {
            path.as_deref()
                .map(|p| p.rsplit(['/', '\\']).next().unwrap_or(p).to_string())
        })
        .unwrap_or_else(|| guid.clone());
    if el.child("Description").is_some_and(|d| !d.text.trim().is_empty()) {
        dropped.add("source memos (descriptions)", 1);
    }
    let selections = el
        .children_named("PlainTextSelection")
        .map(|sel| {
            if sel.child("Description").is_some_and(|d| !d.text.trim().is_empty()) {
                dropped.add("coding memos (selection descriptions)", 1);
            }
            let written = |a: &str| sel.attr(a).unwrap_or_default().trim().to_string();
            let (start, end) = (written("startPosition"), written("endPosition"));
            Selection {
                start: start.parse().ok(),
                end: end.parse().ok(),
                written: (start, end),
                name: sel.attr("name").filter(|_| quotes).map(str::to_string),
                user: sel.attr("creatingUser").map(normalize_guid),
                codings: codings(sel),
            }
        })
        .collect();
    Source {
        guid,
        name,
        creating_user: el.attr("creatingUser").map(normalize_guid),
        path,
        content: el.child("PlainTextContent").map(|c| c.text.clone()),
        text: None,
        selections,
        whole: codings(el),
        values: el.children_named("VariableValue").filter_map(variable_value).collect(),
    }
}

/// The file `--texts` writes a document's text to: its name, with `.txt`
/// added unless it ends in `.txt` or `.md` (`informe.docx` now holds plain
/// text).
pub fn text_file(document: &str) -> String {
    let lower = document.to_lowercase();
    if lower.ends_with(".txt") || lower.ends_with(".md") {
        document.to_string()
    } else {
        format!("{document}.txt")
    }
}

/// Document names: the source's name, made a safe relative path and unique
/// ignoring case, never a file where another name needs a folder (`x.md`
/// and `x.md/y.md`), so that `--texts` can write every one. A name that is
/// not a file qcode reads (NVivo names sources `Interview 01`) gets `.txt`,
/// the name of the file `--texts` writes; the name of a file qcode reads,
/// row suffix (`#3`) aside, is kept, so documents exported by qcode come
/// back under their own ids.
#[derive(Default)]
struct DocumentIds {
    /// Names taken, lower case.
    files: HashSet<String>,
    /// The folders they are in, lower case.
    folders: HashSet<String>,
}

/// Why a document name cannot be taken as it is.
enum Clash {
    /// The name itself is taken, by a file or a folder.
    Name,
    /// The folder that ends at this byte of the name is a file already.
    Folder(usize),
}

impl DocumentIds {
    fn next(&mut self, name: &str, problems: &mut Problems) -> String {
        let mut parts: Vec<String> = Vec::new();
        for part in name.split(['/', '\\']) {
            let clean: String = part
                .chars()
                .map(|c| {
                    if c.is_control() || matches!(c, '<' | '>' | ':' | '"' | '|' | '?' | '*') {
                        '_'
                    } else {
                        c
                    }
                })
                .collect();
            // Trailing dots go (Windows drops them), and with them `.` and `..`.
            let clean = clean.trim().trim_end_matches('.');
            if !clean.is_empty() {
                parts.push(clean.to_string());
            }
        }
        let mut base = if parts.is_empty() {
            "source".to_string()
        } else {
            parts.join("/")
        };
        let file = base.rsplit_once('#').map_or(base.as_str(), |(file, _)| file);
        if crate::corpus::format_of(Path::new(file)).is_none() {
            base.push_str(".txt");
        }
        let mut id = base.clone();
        let mut n = 1;
        while let Some(clash) = self.clash(&text_file(&id)) {
            n += 1;
            id = match clash {
                Clash::Folder(end) => format!("{} ({n}){}", &id[..end], &id[end..]),
                Clash::Name => {
                    let (folder, file) = id.rsplit_once('/').map_or(("", id.as_str()), |(d, f)| (d, f));
                    let file = match file.rsplit_once('.') {
                        Some((stem, ext)) => format!("{stem} ({n}).{ext}"),
                        None => format!("{file} ({n})"),
                    };
                    if folder.is_empty() {
                        file
                    } else {
                        format!("{folder}/{file}")
                    }
                }
            };
        }
        self.files.insert(text_file(&id).to_lowercase());
        for (end, _) in id.match_indices('/') {
            self.folders.insert(id[..end].to_lowercase());
        }
        let plain = format!("{}.txt", name.trim());
        if id != name.trim() && id != plain {
            problems.renamed_documents.push(format!("`{name}` → {id}"));
        }
        id
    }

    /// Why the text file `file` cannot be taken, if it cannot.
    fn clash(&self, id: &str) -> Option<Clash> {
        if let Some((end, _)) = id
            .match_indices('/')
            .find(|(end, _)| self.files.contains(&id[..*end].to_lowercase()))
        {
            return Some(Clash::Folder(end));
        }
        let lower = id.to_lowercase();
        (self.files.contains(&lower) || self.folders.contains(&lower)).then_some(Clash::Name)
    }
}

#[cfg(test)]
mod tests {
    use super::super::archive::source_entry;
    use super::*;

    fn archive(files: &[(&str, &[u8])]) -> (tempfile::TempDir, std::path::PathBuf) {
        use std::io::Write;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.qdpx");
        let mut zip = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
        for (name, data) in files {
            zip.start_file(*name, zip::write::SimpleFileOptions::default()).unwrap();
            zip.write_all(data).unwrap();
        }
        zip.finish().unwrap();
        (dir, path)
    }

    fn project_of(files: &[(&str, &[u8])]) -> Result<String> {
        let (_d, path) = archive(files);
        project_entry(&Archive::open(&path, &QDPX).unwrap(), &path)
    }

    #[test]
    fn finds_project_and_sources_leniently() {
        let (_d, path) = archive(&[
            ("Trial.qde", b"<Project/>"),
            ("Sources/ABC.TXT", b"hola"),
            ("sources/.root", b""),
            ("media/XYZ.txt", b"elsewhere"),
        ]);
        let mut a = Archive::open(&path, &QDPX).unwrap();
        assert_eq!(set_aside_warning(a.set_aside()), None);
        let p = project_entry(&a, &path).unwrap();
        assert_eq!(p, "Trial.qde");
        assert_eq!(a.required(&p).unwrap(), b"<Project/>");
        let s = source_entry(&a, "abc.txt").unwrap();
        assert_eq!(a.required(&s).unwrap(), b"hola");
        assert_eq!(source_entry(&a, "xyz.TXT").as_deref(), Some("media/XYZ.txt"));
        assert!(source_entry(&a, "missing.txt").is_none());
    }

    #[test]
    fn unsafe_names_are_reported_and_never_matched() {
        let (_d, path) = archive(&[
            ("project.qde", b"<Project/>"),
            ("../evil.txt", b"x"),
            ("sources/../../abs.txt", b"x"),
        ]);
        let a = Archive::open(&path, &QDPX).unwrap();
        let warning = set_aside_warning(a.set_aside()).unwrap();
        assert!(
            warning.starts_with("ignored 2 archive entries with an unsafe path")
                && warning.contains("../evil.txt")
                && warning.contains("../../abs.txt"),
            "{warning}"
        );
        assert!(source_entry(&a, "evil.txt").is_none());
        assert!(source_entry(&a, "abs.txt").is_none());
    }

    #[test]
    fn project_entry_choice() {
        assert_eq!(
            project_of(&[("a.qde", b""), ("project.qde", b"")]).unwrap(),
            "project.qde"
        );
        let e = project_of(&[("a.qde", b""), ("b.qde", b"")]).unwrap_err();
        assert!(e.what.contains("several"), "{e}");
        let e = project_of(&[("sub/project.qde", b"")]).unwrap_err();
        assert!(e.what.contains("no project file"), "{e}");
        assert!(e.hint.unwrap().ends_with("this archive holds: sub/project.qde"));
    }

    #[test]
    fn known_exporters() {
        let c = |o: &str| counting_of(o).map(|c| (c.unit, c.crlf_as_one));
        assert_eq!(c("NVivo 12 (Windows)"), Some((Positions::Utf16, false)));
        assert_eq!(c("ATLAS.ti 8"), Some((Positions::Codepoints, true)));
        assert_eq!(c("QualCoder 3.5"), Some((Positions::Codepoints, true)));
        assert_eq!(c("qcode 0.1.0"), Some((Positions::Codepoints, false)));
        assert_eq!(
            c("qcode 0.1.0; positions in UTF-16 code units"),
            Some((Positions::Utf16, false))
        );
        assert_eq!(c("MAXQDA 2024"), None);
        assert_eq!(c(""), None);
    }

    #[test]
    fn document_names() {
        let mut ids = DocumentIds::default();
        let mut p = Problems::default();
        assert_eq!(ids.next("Entrevista 1", &mut p), "Entrevista 1.txt");
        assert_eq!(ids.next("es/p02.md", &mut p), "es/p02.md");
        assert_eq!(ids.next("entrevista 1", &mut p), "entrevista 1 (2).txt");
        assert_eq!(ids.next("../../etc/passwd", &mut p), "etc/passwd.txt");
        assert_eq!(ids.next("C:\\data\\a?.txt", &mut p), "C_/data/a_.txt");
        assert_eq!(ids.next("informe.docx", &mut p), "informe.docx");
        assert_eq!(ids.next("answers.csv#3", &mut p), "answers.csv#3");
        assert_eq!(ids.next("R017", &mut p), "R017.txt");
        assert_eq!(ids.next("  ", &mut p), "source.txt");
        assert_eq!(p.renamed_documents.len(), 4, "{:?}", p.renamed_documents);
        // a file where a folder is needed, and the other way round
        assert_eq!(ids.next("x.md", &mut p), "x.md");
        assert_eq!(ids.next("x.md/y.md", &mut p), "x.md (2)/y.md");
        assert_eq!(ids.next("X.MD/z.md", &mut p), "X.MD (2)/z.md");
        assert_eq!(ids.next("es", &mut p), "es.txt");
        assert_eq!(ids.next("es.txt/a.txt", &mut p), "es.txt (2)/a.txt");
        assert_eq!(ids.next("x.md (2).md", &mut p), "x.md (2).md");
        // names whose text files would be the same file
        assert_eq!(ids.next("a.docx", &mut p), "a.docx");
        assert_eq!(ids.next("a.docx.txt", &mut p), "a.docx (2).txt");
    }
}
