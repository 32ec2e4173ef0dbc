//! Zip packages built around one fuzzed part: the XML of a Word document,
//! an OpenDocument text, a sheet or a REFI-QDA project, with the fixed
//! parts each format needs around it. Fuzzing the part itself rather than
//! the zip bytes lets the mutations reach the XML readers (a mutated zip
//! mostly fails its checksum); the `zip` target fuzzes the archives
//! themselves. The integration tests build their documents here too.

use std::io::{Cursor, Write};

use zip::write::SimpleFileOptions;

/// A zip archive of `entries` (name, bytes), deflated.
pub fn zip(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in entries {
        zip.start_file(*name, options).expect("a zip entry in memory");
        zip.write_all(data).expect("writing to memory");
    }
    zip.finish().expect("a zip in memory").into_inner()
}

/// A Word document whose `word/document.xml` is `document`.
pub fn docx(document: &[u8]) -> Vec<u8> {
    const RELS: &[u8] = br#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#;
    zip(&[("_rels/.rels", RELS), ("word/document.xml", document)])
}

/// An OpenDocument text whose `content.xml` is `content`.
pub fn odt(content: &[u8]) -> Vec<u8> {
    zip(&[
        ("mimetype", b"application/vnd.oasis.opendocument.text"),
        ("content.xml", content),
    ])
}

/// The shared strings of [`xlsx`] workbooks: `t="s"` cells 0 to 3.
pub const SHARED_STRINGS: [&str; 4] = ["id", "text", "country", "El coyote cobró tres mil."];

/// An Excel workbook of one sheet, `Respuestas`, whose XML is `sheet`.
pub fn xlsx(sheet: &[u8]) -> Vec<u8> {
    const WORKBOOK: &[u8] = br#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Respuestas" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
    const RELS: &[u8] = br#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#;
    let strings: String = SHARED_STRINGS.iter().map(|s| format!("<si><t>{s}</t></si>")).collect();
    let shared = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="{n}" uniqueCount="{n}">{strings}</sst>"#,
        n = SHARED_STRINGS.len()
    );
    zip(&[
        ("xl/workbook.xml", WORKBOOK),
        ("xl/_rels/workbook.xml.rels", RELS),
        ("xl/sharedStrings.xml", shared.as_bytes()),
        ("xl/worksheets/sheet1.xml", sheet),
    ])
}

/// The sources' texts of [`qdpx`] projects, by the GUID a project's
/// `plainTextPath="internal://GUID.txt"` names.
pub const SOURCES: [(&str, &str); 2] = [
    (
        "11111111-1111-1111-1111-111111111111",
        "Entrevistador: ¿Cuánto pagaron?\r\nP01: Le pagamos al coyote tres mil dólares.\r\n",
    ),
    (
        "22222222-2222-2222-2222-222222222222",
        "P02: 😀 Nos prestó un prestamista.\n",
    ),
];

/// A REFI-QDA project whose `project.qde` is `project`, with the texts of
/// [`SOURCES`] under `sources/`.
pub fn qdpx(project: &[u8]) -> Vec<u8> {
    let names: Vec<String> = SOURCES.iter().map(|(guid, _)| format!("sources/{guid}.txt")).collect();
    let mut entries: Vec<(&str, &[u8])> = vec![("project.qde", project)];
    for ((_, text), name) in SOURCES.iter().zip(&names) {
        entries.push((name, text.as_bytes()));
    }
    zip(&entries)
}
