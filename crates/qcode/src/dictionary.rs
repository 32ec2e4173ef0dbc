//! Keyword dictionaries as codebooks: reading quanteda YAML, LIWC (`.dic`,
//! LIWC-22 `.dicx`) and WordStat (`.cat`) dictionaries, and writing a
//! codebook back as a LIWC `.dic`.
//!
//! Research teams already own dictionaries built in those tools, and a
//! dictionary is a codebook whose codes have only keywords: categories
//! become codes, sub-categories child codes, entries keywords. `word*`
//! stems mean the same in every format and in qcode, so they are kept as
//! they are. What a format can say and qcode cannot (LIWC's conditional
//! entries, WordStat's rules, quanteda's `?` wildcard) is never dropped
//! silently: each is reported in the warnings returned with the result.
//!
//! Going back, a `.dic` holds only words and stems per category. Parent
//! categories get their children's words too, which is how LIWC itself
//! writes a hierarchy (`affect` lists every `posemo` word) and matches
//! qcode's roll-up of sub-codes into their parents. Every rule a `.dic`
//! cannot express (regular expressions, `all`, `near`, `not`, `min_hits`,
//! speaker scope, leading or inner wildcards) is left out with a warning
//! naming the code.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use indexmap::IndexMap;
use serde::Deserialize;

use crate::codebook::{Codebook, parse_term};
use crate::error::{Error, Result};
use crate::files::spreadsheet::Table;

/// A category of a dictionary: its words and its sub-categories.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Category {
    /// The category's name as the dictionary writes it. In a codebook it
    /// is the code's name when it is a valid, unused one; otherwise a name
    /// is made from it and it becomes the code's label.
    pub name: String,
    /// Entries as qcode keywords (lower-case, `*` wildcards).
    pub words: Vec<String>,
    /// Sub-categories, in the dictionary's order; they become child codes.
    pub children: Vec<Category>,
}

/// The dictionary formats qcode reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// quanteda's YAML dictionary (`.yml`, `.yaml`).
    Quanteda,
    /// LIWC 2001–2015 `.dic`.
    Liwc,
    /// LIWC-22 `.dicx`: a CSV table of words × categories.
    LiwcTable,
    /// WordStat `.cat`.
    WordStat,
}

impl Format {
    /// The format of a dictionary file, from its extension.
    pub fn of(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        Some(match ext.as_str() {
            "yml" | "yaml" => Format::Quanteda,
            "dic" => Format::Liwc,
            "dicx" => Format::LiwcTable,
            "cat" => Format::WordStat,
            _ => return None,
        })
    }

    fn describe(self) -> &'static str {
        match self {
            Format::Quanteda => "quanteda YAML dictionary",
            Format::Liwc => "LIWC dictionary (.dic)",
            Format::LiwcTable => "LIWC-22 dictionary (.dicx)",
            Format::WordStat => "WordStat dictionary (.cat)",
        }
    }
}

/// Reads the dictionary at `path` and writes it as codebook YAML; also
/// returns warnings about what could not be carried over.
pub fn import(path: &Path) -> Result<(String, Vec<String>)> {
    let (format, categories, mut warnings) = read(path)?;
    let name = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let file = path
        .file_name()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let yaml = to_codebook_yaml(
        &name,
        &format!("Imported from the {} {file}", format.describe()),
        &categories,
        &mut warnings,
    );
    Ok((yaml, warnings))
}

/// Reads the dictionary at `path`: its format, categories and warnings.
pub fn read(path: &Path) -> Result<(Format, Vec<Category>, Vec<String>)> {
    let format = Format::of(path).ok_or_else(|| {
        Error::new("qcode does not know this kind of dictionary")
            .in_file(path)
            .hint("give a quanteda YAML (.yml, .yaml), LIWC (.dic, .dicx) or WordStat (.cat) dictionary")
    })?;
    let bytes = crate::files::read_bytes(path)?;
    let decoded = crate::corpus::encoding::decode(path, &bytes, None)?;
    let text = crate::text::normalize(&decoded.text);
    let mut warnings: Vec<String> = decoded.note.into_iter().collect();
    let name = path.display().to_string();
    let categories = match format {
        Format::Quanteda => parse_quanteda(&text, &name, &mut warnings)?,
        Format::Liwc => parse_liwc(&text, &name, &mut warnings)?,
        Format::LiwcTable => parse_liwc_table(&text, path, &mut warnings)?,
        Format::WordStat => parse_wordstat(&text, &mut warnings),
    };
    if categories.is_empty() {
        return Err(
            Error::new(format!("no categories were found in this {}", format.describe()))
                .in_file(path)
                .hint("check that the file is a dictionary of this kind and not empty"),
        );
    }
    Ok((format, categories, warnings))
}

/// An entry as a qcode keyword, or `None` (with a warning) if it is not one.
fn keyword(entry: &str, category: &str, warnings: &mut Vec<String>) -> Option<String> {
    let mut word = entry.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
    if word.contains('?') {
        warnings.push(format!(
            "category `{category}`: `{entry}` uses `?` (any one character), which qcode does not have; written as `*`"
        ));
        word = word.replace('?', "*");
        while word.contains("**") {
            word = word.replace("**", "*");
        }
    }
    match parse_term(&word) {
        Ok(_) => Some(word),
        Err(why) => {
            warnings.push(format!("category `{category}`: the entry `{entry}` {why}; left out"));
            None
        }
    }
}

// ---------------------------------------------------------------------------
// quanteda YAML

/// A YAML node of a quanteda dictionary.
#[derive(Deserialize)]
#[serde(untagged)]
enum Node {
    Tree(IndexMap<String, Node>),
    List(Vec<Node>),
    Text(String),
    Other(serde_json::Value),
}

fn parse_quanteda(text: &str, name: &str, warnings: &mut Vec<String>) -> Result<Vec<Category>> {
    let tree: IndexMap<String, Node> = crate::codebook::parse_yaml(crate::text::strip_bom(text)).map_err(|e| {
        if let Some(e) = crate::codebook::budget_error(&e, name) {
            return e;
        }
        let place = match e.location() {
            Some(loc) => format!("{name}:{}:{}", loc.line(), loc.column()),
            None => name.to_string(),
        };
        let msg = e.without_snippet().to_string();
        Error::new(format!("the dictionary is not valid YAML: {}", msg.lines().next().unwrap_or("")))
            .at(place)
            .hint("a quanteda dictionary maps each category to a list of words or to sub-categories, e.g. `prices: [coyote*, cuota]`")
    })?;
    Ok(tree
        .into_iter()
        .map(|(k, v)| quanteda_category(k, v, warnings))
        .collect())
}

fn quanteda_category(name: String, node: Node, warnings: &mut Vec<String>) -> Category {
    let mut cat = Category {
        name,
        ..Category::default()
    };
    quanteda_fill(&mut cat, node, warnings);
    cat
}

fn quanteda_fill(cat: &mut Category, node: Node, warnings: &mut Vec<String>) {
    match node {
        Node::Tree(map) => cat
            .children
            .extend(map.into_iter().map(|(k, v)| quanteda_category(k, v, warnings))),
        Node::List(items) => items.into_iter().for_each(|item| quanteda_fill(cat, item, warnings)),
        Node::Text(word) => cat.words.extend(keyword(&word, &cat.name, warnings)),
        Node::Other(serde_json::Value::Null) => {}
        Node::Other(v) => cat.words.extend(keyword(&v.to_string(), &cat.name, warnings)),
    }
}

// ---------------------------------------------------------------------------
// LIWC

fn parse_liwc(text: &str, name: &str, warnings: &mut Vec<String>) -> Result<Vec<Category>> {
    let mut lines = text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty());
    let bad = |line: usize, what: &str| {
        Error::new(what.to_string())
            .at(format!("{name}:{}", line + 1))
            .hint("a LIWC dictionary starts with `%`, one `NUMBER<tab>category` line per category, `%` again, then one `word<tab>NUMBER…` line per entry")
    };
    match lines.next() {
        Some((_, l)) if l.trim() == "%" => {}
        Some((i, _)) => return Err(bad(i, "the dictionary does not start with `%`")),
        None => return Ok(Vec::new()),
    }
    let mut ids: IndexMap<String, usize> = IndexMap::new();
    let mut categories = Vec::new();
    for (i, line) in lines.by_ref() {
        if line.trim() == "%" {
            break;
        }
        let mut fields = line.split_whitespace();
        let (Some(id), Some(cat)) = (fields.next(), fields.next()) else {
            return Err(bad(
                i,
                &format!("`{}` is not a `NUMBER<tab>category` line", line.trim()),
            ));
        };
        ids.insert(id.to_string(), categories.len());
        categories.push(Category {
            name: cat.to_string(),
            ..Category::default()
        });
    }
    let mut conditional = Vec::new();
    let mut unknown = BTreeSet::new();
    for (_, line) in lines {
        // The entry runs to the first tab (phrases hold spaces); without a
        // tab, it is the first word.
        let (entry, marks) = match line.split_once('\t') {
            Some((entry, marks)) => (entry.trim(), marks),
            None => line.trim().split_once(' ').unwrap_or((line.trim(), "")),
        };
        let marks: Vec<&str> = marks.split_whitespace().collect();
        // Anything but category numbers is a LIWC 2007 conditional entry
        // (`like	<(02 134)>…`).
        if marks.iter().any(|m| !m.bytes().all(|b| b.is_ascii_digit())) {
            conditional.push(entry.to_string());
            continue;
        }
        for mark in marks {
            match ids.get(mark) {
                Some(&c) => {
                    let c = &mut categories[c];
                    c.words.extend(keyword(entry, &c.name, warnings));
                }
                None => {
                    unknown.insert(mark.to_string());
                }
            }
        }
    }
    if !conditional.is_empty() {
        warnings.push(format!(
            "left out {} conditional entr(y/ies), which qcode cannot express: {}",
            conditional.len(),
            conditional.join(", ")
        ));
    }
    if !unknown.is_empty() {
        warnings.push(format!(
            "entries name category numbers that the header does not define: {}",
            unknown.into_iter().collect::<Vec<_>>().join(", ")
        ));
    }
    Ok(categories)
}

fn parse_liwc_table(text: &str, path: &Path, warnings: &mut Vec<String>) -> Result<Vec<Category>> {
    let bad = |e: Error| {
        e.hint("a .dicx is a CSV table: a header `DicTerm,category,…`, then one row per entry with `X` under its categories")
    };
    let mut table = Table::open(text.as_bytes(), b',', path, true).map_err(bad)?;
    let headers = table.headers().to_vec();
    let mut categories: Vec<Category> = headers
        .iter()
        .skip(1)
        .map(|h| Category {
            name: h.trim().to_string(),
            ..Category::default()
        })
        .collect();
    for record in table.by_ref() {
        let record = record.map_err(bad)?;
        let entry = record.get(0).unwrap_or_default().trim();
        if entry.is_empty() {
            continue;
        }
        for (k, cell) in record.iter().skip(1).enumerate() {
            let mark = cell.trim();
            if !mark.is_empty()
                && mark != "0"
                && let Some(c) = categories.get_mut(k)
            {
                c.words.extend(keyword(entry, &c.name, warnings));
            }
        }
    }
    Ok(categories)
}

// ---------------------------------------------------------------------------
// WordStat

/// WordStat: one entry per line, nesting by leading tabs; a line is a
/// category when the next line is indented deeper, else a word (with an
/// optional weight `(1)`; `_` joins the words of a phrase).
fn parse_wordstat(text: &str, warnings: &mut Vec<String>) -> Vec<Category> {
    let lines: Vec<(usize, &str)> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| (l.len() - l.trim_start_matches('\t').len(), l.trim()))
        .collect();
    let mut roots: Vec<Category> = Vec::new();
    // the path of open categories: (level, index among its siblings)
    let mut stack: Vec<(usize, usize)> = Vec::new();
    let mut rules = Vec::new();
    for (i, &(level, content)) in lines.iter().enumerate() {
        while stack.last().is_some_and(|&(l, _)| l >= level) {
            stack.pop();
        }
        let is_category = lines.get(i + 1).is_some_and(|&(next, _)| next > level);
        let open = open_category(&mut roots, &stack);
        if is_category {
            let siblings = match open {
                Some(c) => &mut c.children,
                None => &mut roots,
            };
            siblings.push(Category {
                name: content.to_string(),
                ..Category::default()
            });
            stack.push((level, siblings.len() - 1));
            continue;
        }
        let word = content.trim_end_matches(|c: char| c.is_ascii_digit() || c == '(' || c == ')' || c == ' ');
        let word = if word.is_empty() { content } else { word };
        match open {
            None => warnings.push(format!("the entry `{content}` is outside any category; left out")),
            Some(_) if word.starts_with('@') || word.contains(['[', ']', '"', '#']) => rules.push(content.to_string()),
            Some(c) => {
                let name = c.name.clone();
                c.words.extend(keyword(&word.replace('_', " "), &name, warnings));
            }
        }
    }
    if !rules.is_empty() {
        warnings.push(format!(
            "left out {} WordStat rule(s), which qcode cannot express: {}",
            rules.len(),
            rules.join(", ")
        ));
    }
    roots
}

/// The category at the end of `stack`, or `None` at the top.
fn open_category<'a>(roots: &'a mut [Category], stack: &[(usize, usize)]) -> Option<&'a mut Category> {
    let (&(_, first), rest) = stack.split_first()?;
    let mut cat = &mut roots[first];
    for &(_, i) in rest {
        cat = &mut cat.children[i];
    }
    Some(cat)
}

// ---------------------------------------------------------------------------
// Writing

/// The categories as codebook YAML named `name`; categories without any
/// word are left out with a warning (a code must be able to fire).
pub fn to_codebook_yaml(name: &str, description: &str, categories: &[Category], warnings: &mut Vec<String>) -> String {
    let mut out = String::new();
    out.push_str(&format!("# Written by `qcode import`. {description}.\n"));
    out.push_str(&format!("name: {}\n", quote(name)));
    out.push_str(&format!("description: {}\n", quote(description)));
    out.push_str("codes:\n");
    let mut taken = BTreeSet::new();
    for cat in categories {
        write_code(&mut out, cat, None, 1, &mut taken, warnings);
    }
    out
}

/// True when the category or one of its descendants has a word.
fn has_words(cat: &Category) -> bool {
    !cat.words.is_empty() || cat.children.iter().any(has_words)
}

fn write_code(
    out: &mut String,
    cat: &Category,
    parent: Option<&str>,
    depth: usize,
    taken: &mut BTreeSet<String>,
    warnings: &mut Vec<String>,
) {
    if !has_words(cat) {
        warnings.push(format!("category `{}` has no entries; left out", cat.name));
        return;
    }
    let code = code_name(&cat.name, parent, taken);
    let pad = "  ".repeat(depth);
    out.push_str(&format!("{pad}- name: {}\n", quote(&code)));
    if code != cat.name {
        out.push_str(&format!("{pad}  label: {}\n", quote(&cat.name)));
    }
    let mut seen = BTreeSet::new();
    let words: Vec<&String> = cat.words.iter().filter(|w| seen.insert(w.as_str())).collect();
    if !words.is_empty() {
        out.push_str(&format!("{pad}  keywords:\n"));
        for w in words {
            out.push_str(&format!("{pad}    - {}\n", quote(w)));
        }
    }
    if cat.children.iter().any(has_words) {
        out.push_str(&format!("{pad}  children:\n"));
    }
    for child in &cat.children {
        write_code(out, child, Some(&code), depth + 2, taken, warnings);
    }
}

/// A unique code name (letters, digits, `_`, `-`, `.`) for a category.
fn code_name(name: &str, parent: Option<&str>, taken: &mut BTreeSet<String>) -> String {
    let mut base = crate::codebook::name_from(name.trim());
    while base.contains("__") {
        base = base.replace("__", "_");
    }
    let base = match base.trim_matches('_') {
        "" => "category".to_string(),
        b => b.to_string(),
    };
    let candidates = [Some(base.clone()), parent.map(|p| format!("{p}.{base}"))];
    let pick = candidates
        .into_iter()
        .flatten()
        .find(|c| !taken.contains(c))
        .unwrap_or_else(|| {
            (2..)
                .map(|n| format!("{base}_{n}"))
                .find(|c| !taken.contains(c))
                .expect("a free name")
        });
    taken.insert(pick.clone());
    pick
}

/// A YAML double-quoted scalar (JSON string syntax is valid YAML).
fn quote(s: &str) -> String {
    serde_json::to_string(s).expect("strings serialise")
}

/// The codebook as a LIWC `.dic`, and warnings about the rules a `.dic`
/// cannot express (see the module docs).
pub fn export_dic(codebook: &Codebook) -> (String, Vec<String>) {
    let mut warnings = Vec::new();
    let mut entries: BTreeMap<String, BTreeSet<usize>> = BTreeMap::new();
    for (i, code) in codebook.codes.iter().enumerate() {
        let r = &code.rules;
        let mut lost = Vec::new();
        let mut odd_terms = Vec::new();
        for term in &r.keywords {
            if term.open_start || term.inner_wildcard {
                odd_terms.push(format!("`{}`", term.raw));
                continue;
            }
            let mut word = term.words.join(" ");
            if term.open_end {
                word.push('*');
            }
            entries
                .entry(word)
                .or_default()
                .extend(codebook.ancestry(i).map(|c| c + 1));
        }
        if !odd_terms.is_empty() {
            lost.push(format!(
                "keywords with a leading or inner `*` ({})",
                odd_terms.join(", ")
            ));
        }
        let counted = [
            (r.patterns.len(), "regular expression(s)"),
            (r.all.len().min(1), "its `all` rule"),
            (r.near.len(), "`near` rule(s)"),
            (r.not.len().min(1), "its `not` terms"),
        ];
        lost.extend(counted.iter().filter(|(n, _)| *n > 0).map(|(n, what)| {
            if what.starts_with("its") {
                what.to_string()
            } else {
                format!("{n} {what}")
            }
        }));
        if r.min_hits > 1 {
            lost.push(format!("`min_hits: {}`", r.min_hits));
        }
        // The codebook's default scope is reported once, below.
        if !r.speakers.is_empty() || r.skip_speakers != codebook.skip_speakers {
            lost.push("its speaker scope".to_string());
        }
        if !lost.is_empty() {
            warnings.push(format!(
                "code `{}`: a .dic cannot express {}; left out",
                code.name,
                lost.join(", ")
            ));
        }
    }
    if !codebook.skip_speakers.is_empty() {
        warnings.push(format!(
            "a .dic cannot skip speakers: the codebook's `skip_speakers` ({}) is left out",
            codebook.skip_speakers.patterns.join(", ")
        ));
    }
    let mut out = String::from("%\n");
    for (i, code) in codebook.codes.iter().enumerate() {
        out.push_str(&format!("{}\t{}\n", i + 1, code.name));
    }
    out.push_str("%\n");
    for (word, cats) in entries {
        out.push_str(&word);
        for c in cats {
            out.push_str(&format!("\t{c}"));
        }
        out.push('\n');
    }
    (out, warnings)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_names_are_ids_and_unique() {
        let mut taken = BTreeSet::new();
        assert_eq!(code_name("Positive Emotion", None, &mut taken), "Positive_Emotion");
        assert_eq!(code_name("OTHER", Some("a"), &mut taken), "OTHER");
        assert_eq!(code_name("OTHER", Some("b"), &mut taken), "b.OTHER");
        assert_eq!(code_name("OTHER", Some("b"), &mut taken), "OTHER_2");
        assert_eq!(code_name("¿?", None, &mut taken), "category");
    }

    #[test]
    fn wordstat_levels() {
        let mut w = Vec::new();
        let cats = parse_wordstat("A\n\tB\n\t\tX (1)\n\tY (1)\nC\n\tZ_W (1)\n", &mut w);
        assert_eq!(cats.len(), 2);
        assert_eq!(cats[0].words, ["y"]);
        assert_eq!(cats[0].children[0].words, ["x"]);
        assert_eq!(cats[1].words, ["z w"]);
        assert!(w.is_empty(), "{w:?}");
    }
}
