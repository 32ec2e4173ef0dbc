//! Values chosen by name from a fixed list: the unit of analysis, output
//! formats, what a crosstab counts, how positions are counted.
//!
//! The same names are read from the command line, from a codebook's YAML
//! and from a coded CSV's `unit` column, so each list is declared once, on
//! the type, with a line of help per value; the command line builds its
//! choices from it and the library parses with [`parse`].

/// A type whose values are chosen by name.
pub trait Choice: Copy + PartialEq + Send + Sync + 'static {
    /// Every value, in the order they are listed to the user.
    const ALL: &'static [Self];

    /// The value's name, as written by the user (lower case).
    fn name(self) -> &'static str;

    /// One line of help about the value, if the list shows any.
    fn help(self) -> Option<&'static str> {
        None
    }
}

/// The value called `name` (spaces around it and the case of its letters
/// aside), or `None`.
pub fn parse<T: Choice>(name: &str) -> Option<T> {
    let name = name.trim();
    T::ALL.iter().copied().find(|v| v.name().eq_ignore_ascii_case(name))
}

/// The names of every value, for messages: "document, paragraph, turn".
pub fn names<T: Choice>() -> String {
    T::ALL.iter().map(|v| v.name()).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::segment::Unit;

    #[test]
    fn names_parse_whatever_their_case_and_spacing() {
        assert_eq!(parse::<Unit>(" Paragraph "), Some(Unit::Paragraph));
        assert_eq!(parse::<Unit>("TURN"), Some(Unit::Turn));
        assert_eq!(parse::<Unit>("para"), None);
        assert_eq!(names::<Unit>(), "document, paragraph, turn, sentence, line");
    }
}
