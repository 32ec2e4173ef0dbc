//! Reaching into a project archive: the project XML, the sources' text
//! files, and the entries set aside for their unsafe names.

use std::path::Path;

use super::import::Source;
use super::problems::Problems;
use crate::error::{Error, Result};
use crate::files::archive::{Archive, Kind, Limits};
use crate::limits;

/// A project archive: what it unpacks to within
/// [`limits::FILE_BYTES`], and a ratio of [`limits::ZIP_RATIO_PROJECT`]
/// (real text compresses about 3:1, XML about 10:1). The archive file
/// itself has no cap: a project may carry large media files, which are
/// never read.
pub(super) const QDPX: Kind = Kind {
    name: "a REFI-QDA project (.qdpx)",
    not_zip: "it is not a ZIP archive (perhaps a file of another kind with the wrong extension)",
    bomb: "which is how zip bombs work",
    fix: "a .qdpx file is a ZIP archive exported by NVivo, ATLAS.ti, MAXQDA or QualCoder; check that the file was copied completely, or export the project again",
    limits: || Limits {
        archive: None,
        ratio: limits::ZIP_RATIO_PROJECT,
        ..Limits::document()
    },
};

/// Reads a source's text from `PlainTextContent` or its internal file.
pub(super) fn load_text(archive: &mut Archive, s: &mut Source, problems: &mut Problems) -> Result<()> {
    if let Some(content) = s.content.take() {
        s.text = Some(content);
        return Ok(());
    }
    let Some(path) = s.path.clone() else {
        problems.no_text.push(s.name.clone());
        return Ok(());
    };
    // Lenient: a path without `internal://` is a file in `sources/`.
    let file = match path.split_once("://") {
        Some((scheme, rest)) if scheme.eq_ignore_ascii_case("internal") => rest,
        Some(_) => {
            problems.external_text.push(format!("{} ({path})", s.name));
            return Ok(());
        }
        None => path.as_str(),
    };
    let file_name = file.rsplit(['/', '\\']).next().unwrap_or(file);
    let Some(entry) = source_entry(archive, file_name) else {
        problems.missing_text.push(format!("{} ({path})", s.name));
        return Ok(());
    };
    let bytes = archive.required(&entry)?;
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    match std::str::from_utf8(bytes) {
        Ok(t) => s.text = Some(t.to_string()),
        Err(_) => problems.not_utf8.push(format!("{} ({path})", s.name)),
    }
    Ok(())
}

/// The warning about archive entries set aside for their names.
pub(super) fn set_aside_warning(names: &[String]) -> Option<String> {
    (!names.is_empty()).then(|| {
        format!(
            "ignored {} archive entr{} with an unsafe path (absolute, leading outside the archive, or a link): {}",
            names.len(),
            if names.len() == 1 { "y" } else { "ies" },
            names.join(", ")
        )
    })
}

/// The project XML: the single `*.qde` at the root, whatever its name
/// (`project.qde`, `Project.qde`, `<name>.qde`); `project.qde` wins if there
/// are several.
pub(super) fn project_entry(archive: &Archive, path: &Path) -> Result<String> {
    let qde: Vec<&str> = archive
        .names()
        .filter(|n| !n.contains('/') && n.to_ascii_lowercase().ends_with(".qde"))
        .collect();
    match qde.as_slice() {
        [one] => Ok(one.to_string()),
        [] => {
            let names: Vec<&str> = archive.names().take(10).collect();
            Err(Error::new("the archive holds no project file (`project.qde`)")
                .in_file(path)
                .hint(format!(
                    "a REFI-QDA project (.qdpx) holds a project.qde and a sources/ folder; this archive holds: {}",
                    if names.is_empty() {
                        "nothing".to_string()
                    } else {
                        names.join(", ")
                    }
                )))
        }
        several => several
            .iter()
            .find(|n| n.eq_ignore_ascii_case("project.qde"))
            .map(|n| n.to_string())
            .ok_or_else(|| {
                Error::new(format!(
                    "the archive holds several project files: {}",
                    several.join(", ")
                ))
                .in_file(path)
                .hint("a .qdpx holds one project; export each project to its own file")
            }),
    }
}

/// The internal file `name` (`<guid>.txt`), in `sources/` or `Sources/` or,
/// failing that, anywhere; names compare ignoring case.
pub(super) fn source_entry(archive: &Archive, name: &str) -> Option<String> {
    archive.find(&format!("sources/{name}")).or_else(|| {
        let lower = name.to_lowercase();
        archive
            .names()
            .find(|n| n.rsplit('/').next().is_some_and(|n| n.to_lowercase() == lower))
            .map(String::from)
    })
}
