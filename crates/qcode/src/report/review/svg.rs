//! The review report's charts: horizontal bars and heatmaps, as SVG.
//!
//! Written from two small templates rather than with a chart crate: the
//! charts needed are two simple shapes, and what matters is that the SVG be
//! plain, accessible (a `<title>` for the chart and every mark) and the
//! same bytes on every run. Chart crates with an SVG backend either draw
//! through a JavaScript runtime (charts of the ECharts family) or write
//! text with font metrics and float coordinates of their own, with no
//! titles for screen readers; coordinates here are written with one
//! decimal, from the numbers of the table shown beside each chart.

use askama::Template;

/// The width of a chart's labels, in pixels.
const LABEL_WIDTH: f64 = 190.0;

#[derive(Template)]
#[template(path = "bars.svg", escape = "html")]
struct Bars {
    id: String,
    title: String,
    width: String,
    height: String,
    label_x: String,
    bars_x: String,
    bar_height: String,
    bars: Vec<Bar>,
}

struct Bar {
    label: String,
    depth: usize,
    shown: String,
    y: String,
    text_y: String,
    width: String,
    value_x: String,
    colour: String,
}

/// One bar: its label, its depth in the code tree (for indenting), its
/// value and the value as shown in the table beside it.
#[derive(Debug, Clone)]
pub struct BarValue {
    /// The code's name.
    pub label: String,
    /// 0 for top-level codes.
    pub depth: usize,
    /// The length of the bar.
    pub value: f64,
    /// The value as the table writes it.
    pub shown: String,
    /// The code's colour in the codebook, if any.
    pub colour: Option<String>,
}

/// One decimal: coordinates are written alike on every run and platform.
fn px(x: f64) -> String {
    format!("{x:.1}")
}

/// A horizontal bar chart, one bar per value.
pub fn bars(id: &str, title: &str, values: &[BarValue]) -> String {
    let (row, bar_height, plot) = (20.0, 14.0, 360.0);
    let max = values.iter().map(|v| v.value).fold(0.0, f64::max);
    let bars = values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let y = 4.0 + i as f64 * row;
            let width = if max > 0.0 { plot * v.value / max } else { 0.0 };
            Bar {
                label: v.label.clone(),
                depth: v.depth.min(3),
                shown: v.shown.clone(),
                y: px(y),
                text_y: px(y + 11.0),
                width: px(width),
                value_x: px(LABEL_WIDTH + 8.0 + width + 4.0),
                colour: v.colour.clone().unwrap_or_else(|| "#4C72B0".to_string()),
            }
        })
        .collect();
    Bars {
        id: id.to_string(),
        title: title.to_string(),
        width: px(LABEL_WIDTH + 8.0 + plot + 50.0),
        height: px(8.0 + values.len() as f64 * row),
        label_x: px(LABEL_WIDTH),
        bars_x: px(LABEL_WIDTH + 8.0),
        bar_height: px(bar_height),
        bars,
    }
    .render()
    .expect("the bar chart's template renders")
}

#[derive(Template)]
#[template(path = "heatmap.svg", escape = "html")]
struct Heatmap {
    id: String,
    title: String,
    width: String,
    height: String,
    label_x: String,
    header_y: String,
    cell_size: String,
    columns: Vec<Column>,
    rows: Vec<HeatRow>,
}

struct Column {
    label: String,
    x: String,
}

struct HeatRow {
    label: String,
    depth: usize,
    y: String,
    text_y: String,
    cells: Vec<Cell>,
}

struct Cell {
    column: String,
    shown: String,
    x: String,
    text_x: String,
    fill: String,
    ink: String,
}

/// The rows of a heatmap: a label, a depth, and per column the value
/// (`None`: no value, an empty cell) with the text shown.
#[derive(Debug, Clone)]
pub struct HeatValues {
    /// The row's label.
    pub label: String,
    /// Its depth in the code tree.
    pub depth: usize,
    /// Per column: the value that colours the cell, and the text shown.
    pub cells: Vec<(Option<f64>, String)>,
}

/// A heatmap of `rows` under the column labels `columns`: the darker the
/// cell, the larger its value (relative to the largest).
pub fn heatmap(id: &str, title: &str, columns: &[String], rows: &[HeatValues]) -> String {
    let cell = 34.0;
    let header = 110.0;
    let max = rows
        .iter()
        .flat_map(|r| r.cells.iter().filter_map(|c| c.0))
        .fold(0.0, f64::max);
    let x_of = |j: usize| LABEL_WIDTH + 8.0 + j as f64 * cell;
    Heatmap {
        id: id.to_string(),
        title: title.to_string(),
        width: px(x_of(columns.len()) + header),
        height: px(header + rows.len() as f64 * cell + 4.0),
        label_x: px(LABEL_WIDTH),
        header_y: px(header - 6.0),
        cell_size: px(cell),
        columns: columns
            .iter()
            .enumerate()
            .map(|(j, label)| Column {
                label: label.clone(),
                x: px(x_of(j) + cell / 2.0),
            })
            .collect(),
        rows: rows
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let y = header + i as f64 * cell;
                HeatRow {
                    label: r.label.clone(),
                    depth: r.depth.min(3),
                    y: px(y),
                    text_y: px(y + cell / 2.0 + 4.0),
                    cells: r
                        .cells
                        .iter()
                        .enumerate()
                        .map(|(j, (value, shown))| {
                            let share = match value {
                                Some(v) if max > 0.0 => v / max,
                                _ => 0.0,
                            };
                            Cell {
                                column: columns.get(j).cloned().unwrap_or_default(),
                                shown: shown.clone(),
                                x: px(x_of(j)),
                                text_x: px(x_of(j) + cell / 2.0),
                                fill: if value.is_some() {
                                    shade(share)
                                } else {
                                    "#F4F4F4".to_string()
                                },
                                ink: if share > 0.55 { "#FFFFFF" } else { "#1A1A1A" }.to_string(),
                            }
                        })
                        .collect(),
                }
            })
            .collect(),
    }
    .render()
    .expect("the heatmap's template renders")
}

/// From white (0) to a dark blue (1).
fn shade(share: f64) -> String {
    let share = share.clamp(0.0, 1.0);
    let mix = |from: f64, to: f64| (from + (to - from) * share).round() as u8;
    format!(
        "#{:02X}{:02X}{:02X}",
        mix(255.0, 33.0),
        mix(255.0, 82.0),
        mix(255.0, 150.0)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_are_scaled_to_the_largest_and_escaped() {
        let values = [
            BarValue {
                label: "a<b".into(),
                depth: 0,
                value: 10.0,
                shown: "10".into(),
                colour: None,
            },
            BarValue {
                label: "c".into(),
                depth: 1,
                value: 5.0,
                shown: "5".into(),
                colour: Some("#FF0000".into()),
            },
        ];
        let svg = bars("f", "Frequencies", &values);
        assert!(svg.contains(r#"width="360.0""#), "{svg}");
        assert!(svg.contains(r#"width="180.0""#), "{svg}");
        assert!(svg.contains("a&#60;b") || svg.contains("a&lt;b"), "{svg}");
        assert_eq!(svg, bars("f", "Frequencies", &values));
    }

    #[test]
    fn heatmap_cells_darken_with_their_value() {
        assert_eq!(shade(0.0), "#FFFFFF");
        assert_eq!(shade(1.0), "#215296");
        let rows = [HeatValues {
            label: "debt".into(),
            depth: 0,
            cells: vec![(Some(2.0), "2".into()), (None, String::new())],
        }];
        let svg = heatmap("h", "Co-occurrence", &["prices".into(), "debt".into()], &rows);
        assert!(svg.contains(r##"fill="#215296""##), "{svg}");
        assert!(svg.contains(r##"fill="#F4F4F4""##), "{svg}");
    }
}
