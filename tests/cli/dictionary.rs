//! Dictionaries as codebooks: quanteda YAML, LIWC `.dic`/`.dicx` and
//! WordStat `.cat` into codebook YAML, and a codebook back into a `.dic`.

use qcode::codebook::Codebook;
use qcode::dictionary::{export_dic, import};

use crate::workdir::Workdir;

/// Imports `content` saved as `name`; the codebook must load.
fn import_str(name: &str, content: &[u8]) -> (Codebook, String, Vec<String>) {
    let wd = Workdir::new();
    let path = wd.write(name, content);
    let (yaml, warnings) = import(&path).unwrap_or_else(|e| panic!("{e}"));
    let book = Codebook::parse(&yaml, name).unwrap_or_else(|e| panic!("{e}\n{yaml}"));
    (book, yaml, warnings)
}

/// `path keyword, keyword` per code, in codebook order.
fn summary(book: &Codebook) -> Vec<String> {
    (0..book.codes.len())
        .map(|i| {
            let words: Vec<&str> = book.codes[i].rules.keywords.iter().map(|t| t.raw.as_str()).collect();
            format!("{} {}", book.path(i), words.join(", "))
        })
        .collect()
}

#[test]
fn quanteda_yaml_keeps_hierarchy_and_wildcards() {
    let yaml = "\
smuggling:
  prices: [coyote*, cuota, pollero]
  routes:
    - vereda*
    - monte
debt:
  - hipotec*
  - préstamo
  - Q?500
  - 2020
covid: cuarentena
empty: []
";
    let (book, text, warnings) = import_str("smuggling.yml", yaml.as_bytes());
    assert_eq!(book.name, "smuggling");
    assert_eq!(
        summary(&book),
        [
            "smuggling ",
            "smuggling/prices coyote*, cuota, pollero",
            "smuggling/routes vereda*, monte",
            "debt hipotec*, préstamo, q*500, 2020",
            "covid cuarentena",
        ]
    );
    assert!(text.starts_with("# Written by `qcode import`. Imported from the quanteda YAML dictionary smuggling.yml."));
    assert_eq!(warnings.len(), 2, "{warnings:?}");
    assert!(warnings[0].contains("`Q?500` uses `?`"));
    assert!(warnings[1].contains("category `empty` has no entries"));
}

#[test]
fn liwc_dic_categories_phrases_and_conditionals() {
    let dic = "%\n1\tprices\n2\tdebt\t(Debt and loans)\n3\tcovid\n%\n\
               coyote*\t1\n\
               pay the smuggler\t1\n\
               hipotec*\t2\n\
               loan\t2 1\n\
               like\t02 134)02/253)\n\
               lockdown\t3\t9\n";
    let (book, _, warnings) = import_str("study.dic", dic.as_bytes());
    assert_eq!(
        summary(&book),
        [
            "prices coyote*, pay the smuggler, loan",
            "debt hipotec*, loan",
            "covid lockdown"
        ]
    );
    assert_eq!(warnings.len(), 2, "{warnings:?}");
    assert!(warnings[0].contains("left out 1 conditional entr(y/ies)") && warnings[0].contains("like"));
    assert!(warnings[1].contains("category numbers that the header does not define: 9"));
}

#[test]
fn liwc_dic_in_a_legacy_encoding_is_decoded_and_reported() {
    let dic = "%\n1\tdeuda\n%\npréstamo\t1\nhipotecó\t1\n";
    let bytes = encoding_rs::WINDOWS_1252.encode(dic).0;
    let (book, _, warnings) = import_str("deuda.dic", &bytes);
    assert_eq!(summary(&book), ["deuda préstamo, hipotecó"]);
    assert!(warnings[0].contains("read as windows-1252"), "{warnings:?}");
}

#[test]
fn liwc22_dicx_table_marks_categories_by_column() {
    let dicx = "DicTerm,prices,debt\ncoyote*,X,\nloan,X,X\nmortgage*,,X\n";
    let (book, _, warnings) = import_str("liwc22.dicx", dicx.as_bytes());
    assert_eq!(summary(&book), ["prices coyote*, loan", "debt loan, mortgage*"]);
    assert!(warnings.is_empty(), "{warnings:?}");
}

#[test]
fn wordstat_cat_nesting_weights_and_rules() {
    let cat = "SMUGGLING\n\
               \tPRICES\n\
               \t\tCOYOTE* (1)\n\
               \t\tPAY_THE_SMUGGLER (1)\n\
               \tOTHER\n\
               \t\tBALSA (1)\n\
               DEBT\n\
               \tOTHER\n\
               \t\tHIPOTEC* (1)\n\
               \t\t@LOAN [NEAR] BANK (1)\n\
               \tPRESTAMISTA (2)\n";
    let (book, _, warnings) = import_str("migration.cat", cat.as_bytes());
    assert_eq!(
        summary(&book),
        [
            "SMUGGLING ",
            "SMUGGLING/PRICES coyote*, pay the smuggler",
            "SMUGGLING/OTHER balsa",
            "DEBT prestamista",
            "DEBT/DEBT.OTHER hipotec*",
        ]
    );
    let other = book.find("DEBT.OTHER").unwrap();
    assert_eq!(book.codes[other].label, "OTHER");
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].contains("left out 1 WordStat rule(s)") && warnings[0].contains("@LOAN [NEAR] BANK"));
}

#[test]
fn import_errors_name_the_file_and_say_what_is_wrong() {
    let wd = Workdir::new();
    let bad_yaml = wd.write("bad.yaml", "prices: [coyote\n");
    let e = import(&bad_yaml).unwrap_err();
    assert!(e.place.as_deref().unwrap().contains("bad.yaml:"), "{e}");
    assert!(e.what.contains("not valid YAML"), "{e}");
    let no_header = wd.write("x.dic", "coyote\t1\n");
    let e = import(&no_header).unwrap_err();
    assert!(
        e.to_string()
            .contains("x.dic:1: the dictionary does not start with `%`"),
        "{e}"
    );
    let txt = wd.write("words.txt", "coyote\n");
    let e = import(&txt).unwrap_err();
    assert!(
        e.to_string()
            .contains("words.txt: qcode does not know this kind of dictionary"),
        "{e}"
    );
    assert!(e.hint.unwrap().contains(".cat"));
    let empty = wd.write("empty.dic", "%\n%\n");
    assert!(import(&empty).unwrap_err().what.contains("no categories"));
}

#[test]
fn export_dic_writes_what_it_can_and_warns_about_the_rest() {
    let yaml = r#"name: Study
skip_speakers: [Interviewer]
codes:
  - name: smuggling
    children:
      - name: prices
        keywords: ["coyote*", "pay the smuggler", "*dollars"]
        patterns: ['\$\d+']
      - name: guides
        keywords: [guía, "niñ*"]
        near:
          - terms: [niño, vereda]
            within: 5
  - name: debt
    keywords: [prestamista, "hipotec*", "p*mo"]
    min_hits: 2
    not: [banco]
"#;
    let book = Codebook::parse(yaml, "study.yaml").unwrap();
    let (dic, warnings) = export_dic(&book);
    assert_eq!(
        dic,
        "%\n1\tsmuggling\n2\tprices\n3\tguides\n4\tdebt\n%\n\
         coyote*\t1\t2\n\
         guía\t1\t3\n\
         hipotec*\t4\n\
         niñ*\t1\t3\n\
         pay the smuggler\t1\t2\n\
         prestamista\t4\n"
    );
    assert_eq!(
        warnings,
        [
            "code `prices`: a .dic cannot express keywords with a leading or inner `*` (`*dollars`), 1 regular expression(s); left out",
            "code `guides`: a .dic cannot express 1 `near` rule(s); left out",
            "code `debt`: a .dic cannot express keywords with a leading or inner `*` (`p*mo`), its `not` terms, `min_hits: 2`; left out",
            // The codebook-wide default is reported once, not per code.
            "a .dic cannot skip speakers: the codebook's `skip_speakers` (interviewer) is left out",
        ]
    );
}

#[test]
fn a_dic_imported_then_exported_comes_back_unchanged() {
    let dic = "%\n1\tprices\n2\tdebt\n%\ncoyote*\t1\nloan\t1\t2\nmortgage*\t2\npay the smuggler\t1\n";
    let (book, _, warnings) = import_str("round.dic", dic.as_bytes());
    assert!(warnings.is_empty());
    let (back, warnings) = export_dic(&book);
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(
        back,
        "%\n1\tprices\n2\tdebt\n%\ncoyote*\t1\nloan\t1\t2\nmortgage*\t2\npay the smuggler\t1\n"
    );
}
