//! A plain table (header + rows of text) rendered for the terminal or as
//! Markdown (as CSV through [`super::Records::text`]). Reports fill it;
//! they never format cells twice.

use comfy_table::{CellAlignment, ContentArrangement, presets};

/// How the cells of a column are aligned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    /// Flush left, for text.
    Left,
    /// Flush right, for numbers.
    Right,
}

/// A table of text cells: column names, each column's alignment, and rows.
#[derive(Debug, Clone, Default)]
pub struct Table {
    /// The column names.
    pub header: Vec<String>,
    /// Each column's alignment, one per column name.
    pub align: Vec<Align>,
    /// The rows, each with one cell per column.
    pub rows: Vec<Vec<String>>,
}

impl Table {
    /// A table without rows, with these columns and their alignments.
    pub fn new(header: Vec<(String, Align)>) -> Table {
        let (header, align) = header.into_iter().unzip();
        Table {
            header,
            align,
            rows: Vec::new(),
        }
    }

    /// Appends a row, which must have one cell per column.
    pub fn push(&mut self, row: Vec<String>) {
        debug_assert_eq!(row.len(), self.header.len());
        self.rows.push(row);
    }

    /// The width of the box-drawn table when nothing is wrapped, in
    /// characters: every column as wide as its widest line, and the
    /// borders.
    pub fn natural_width(&self) -> usize {
        let widest = |j: usize| {
            std::iter::once(&self.header[j])
                .chain(self.rows.iter().map(|r| &r[j]))
                .flat_map(|cell| cell.lines())
                .map(|line| line.chars().count())
                .max()
                .unwrap_or(0)
        };
        (0..self.header.len()).map(|j| widest(j) + 3).sum::<usize>() + 1
    }

    /// The table turned a quarter: its first column becomes the header
    /// (under `corner`), each other column a row, with the columns in
    /// `skip` (by index) left out.
    pub fn transposed(&self, corner: &str, skip: &[usize]) -> Table {
        let mut header = vec![(corner.to_string(), Align::Left)];
        header.extend(self.rows.iter().map(|r| (r[0].trim().to_string(), Align::Right)));
        let mut t = Table::new(header);
        for j in (1..self.header.len()).filter(|j| !skip.contains(j)) {
            let mut row = vec![self.header[j].clone()];
            row.extend(self.rows.iter().map(|r| r[j].clone()));
            t.push(row);
        }
        t
    }

    /// The table without column `j`.
    pub fn without_column(&self, j: usize) -> Table {
        let keep = |row: &[String]| -> Vec<String> {
            row.iter()
                .enumerate()
                .filter(|(k, _)| *k != j)
                .map(|(_, c)| c.clone())
                .collect()
        };
        Table {
            header: keep(&self.header),
            align: self
                .align
                .iter()
                .enumerate()
                .filter(|(k, _)| *k != j)
                .map(|(_, a)| *a)
                .collect(),
            rows: self.rows.iter().map(|r| keep(r)).collect(),
        }
    }

    /// A box-drawn table; `width` limits it on a terminal.
    pub fn render_terminal(&self, width: Option<u16>) -> String {
        let mut t = comfy_table::Table::new();
        t.load_style(presets::UTF8_FULL_CONDENSED);
        match width {
            Some(w) => {
                t.set_width(w);
                t.set_content_arrangement(ContentArrangement::Dynamic);
            }
            None => {
                t.set_content_arrangement(ContentArrangement::Disabled);
            }
        }
        t.set_header(self.header.clone());
        for row in &self.rows {
            t.add_row(row.clone());
        }
        for (i, a) in self.align.iter().enumerate() {
            if let Some(col) = t.column_mut(i) {
                col.set_cell_alignment(match a {
                    Align::Left => CellAlignment::Left,
                    Align::Right => CellAlignment::Right,
                });
            }
        }
        t.to_string()
    }

    /// A Markdown pipe table: `|` in cells escaped, line breaks made
    /// spaces, right-aligned columns marked `---:`.
    pub fn render_markdown(&self) -> String {
        let esc = |s: &str| s.replace('|', "\\|").replace('\n', " ");
        let mut out = String::new();
        out.push_str(&format!(
            "| {} |\n",
            self.header.iter().map(|h| esc(h)).collect::<Vec<_>>().join(" | ")
        ));
        let rule: Vec<&str> = self
            .align
            .iter()
            .map(|a| match a {
                Align::Left => "---",
                Align::Right => "---:",
            })
            .collect();
        out.push_str(&format!("| {} |\n", rule.join(" | ")));
        for row in &self.rows {
            out.push_str(&format!(
                "| {} |\n",
                row.iter().map(|c| esc(c)).collect::<Vec<_>>().join(" | ")
            ));
        }
        out
    }
}
