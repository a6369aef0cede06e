//! Stage 4, render: the charts datasets declare (`catalog::views`), drawn at build time as
//! geometry for an inline SVG — no script, no charting service. The template draws the shapes;
//! this module only computes them (so every text in the SVG goes through the template's
//! escaping), plus the table of the same numbers that stands beside each chart. Invariants:
//! the y axis always includes zero and ends on "nice" ticks (1, 2, 2.5, 5 × 10ⁿ); coordinates
//! are written with one decimal, so the same data gives the same bytes.

use serde::Serialize;

use super::format;
use super::view::{Lang, Text};
use crate::catalog::schema::{Field, Schema};
use crate::catalog::views::{ChartKind, View, MAX_GROUPS};
use crate::validate::cell::{self, Value};
use crate::validate::ResourceResult;

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 320.0;
const LEFT: f64 = 76.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 12.0;
const BOTTOM: f64 = 36.0;

/// Colours for series (after Okabe–Ito and Tol, told apart with colour-blindness too; each at
/// least 3:1 against white); patterns and markers differ as well, so colour is never the only cue.
const COLOURS: [&str; 6] = [
    "#0072b2", "#d55e00", "#007a5a", "#aa3377", "#6f5200", "#444444",
];

/// A number placed on the y axis.
#[derive(Debug, Clone, Serialize)]
pub struct Tick {
    pub y: String,
    pub label: String,
}

/// A group's label on the x axis.
#[derive(Debug, Clone, Serialize)]
pub struct GroupLabel {
    pub x: String,
    pub label: String,
}

/// A bar's rectangle.
#[derive(Debug, Clone, Serialize)]
pub struct Bar {
    pub x: String,
    pub y: String,
    pub width: String,
    pub height: String,
}

/// A point of a line.
#[derive(Debug, Clone, Serialize)]
pub struct Point {
    pub x: String,
    pub y: String,
}

/// One series: its label, look and shapes.
#[derive(Debug, Clone, Serialize)]
pub struct Series {
    pub label: Text,
    /// 0-based: picks the pattern and marker in the template.
    pub index: usize,
    pub colour: &'static str,
    pub bars: Vec<Bar>,
    /// `x,y x,y …` for a polyline.
    pub points: String,
    pub markers: Vec<Point>,
}

/// The table beside a chart.
#[derive(Debug, Clone, Serialize)]
pub struct DataTable {
    pub group: Text,
    pub rows: Vec<(String, Vec<String>)>,
}

/// A chart ready for the template.
#[derive(Debug, Clone, Serialize)]
pub struct ChartView {
    /// Unique on the page (ids of the title, description and patterns).
    pub id: String,
    pub title: Text,
    pub description: String,
    pub kind: ChartKind,
    pub width: f64,
    pub height: f64,
    pub left: f64,
    pub right: String,
    pub top: f64,
    pub baseline: String,
    pub bottom: String,
    pub ticks: Vec<Tick>,
    pub groups: Vec<GroupLabel>,
    pub series: Vec<Series>,
    pub table: DataTable,
}

/// Axis ticks from the data's range, always including zero: about `target` steps of
/// 1, 2, 2.5 or 5 × 10ⁿ.
pub fn ticks(lo: f64, hi: f64, target: usize) -> Vec<f64> {
    let (lo, hi) = (lo.min(0.0), hi.max(0.0));
    if !(hi - lo).is_finite() || hi - lo <= 0.0 {
        return vec![0.0, 1.0];
    }
    let raw = (hi - lo) / target.max(1) as f64;
    let magnitude = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= raw * (1.0 - 1e-9))
        .unwrap_or(10.0 * magnitude);
    let (first, last) = ((lo / step).floor() as i64, (hi / step).ceil() as i64);
    (first..=last).map(|k| k as f64 * step).collect()
}

fn coord(v: f64) -> String {
    format!("{v:.1}")
}

fn number(field: &Field, text: &str) -> Option<f64> {
    match cell::parse(&field.field_type, field.format.as_deref(), text)? {
        Value::Int(n) => Some(n as f64),
        Value::Num(n) if n.is_finite() => Some(n),
        _ => None,
    }
}

fn label(field: &Field, lang: &Lang) -> Text {
    match &field.title {
        Some(t) => Text {
            text: t.clone(),
            lang: "uk",
        },
        None => Text {
            text: field.name.clone(),
            lang: lang.code,
        },
    }
}

/// The values of a view: group labels and, per series, one value per group.
type Data = (Vec<String>, Vec<Vec<Option<f64>>>);

fn data(view: &View, schema: &Schema, result: &ResourceResult) -> Option<Data> {
    let rows = result.all_rows.as_ref()?;
    let column = |name: &str| result.header.iter().position(|h| h == name);
    let group = column(&view.group)?;
    let mut series = Vec::new();
    for name in &view.series {
        let field = schema.fields.iter().find(|f| &f.name == name)?;
        let at = column(name)?;
        let values = rows
            .iter()
            .map(|r| r.get(at).and_then(|t| number(field, t)))
            .collect();
        series.push(values);
    }
    let groups = rows
        .iter()
        .map(|r| r.get(group).cloned().unwrap_or_default())
        .collect();
    Some((groups, series))
}

/// Where values land: the y scale from the ticks, and the width of each group's band.
struct Frame {
    t0: f64,
    t1: f64,
    band: f64,
}

impl Frame {
    fn y(&self, v: f64) -> f64 {
        let bottom = HEIGHT - BOTTOM;
        bottom - (v - self.t0) / (self.t1 - self.t0) * (bottom - TOP)
    }

    fn centre(&self, g: usize) -> f64 {
        LEFT + self.band * (g as f64 + 0.5)
    }
}

/// A field's label, or its name when the schema does not have it.
fn field_label(schema: &Schema, name: &str, lang: &Lang) -> Text {
    match schema.fields.iter().find(|f| f.name == name) {
        Some(f) => label(f, lang),
        None => Text {
            text: name.to_owned(),
            lang: lang.code,
        },
    }
}

/// Series `s` of `count`, with values `vs` (one per group), drawn in `frame`.
fn series(s: usize, count: usize, vs: &[Option<f64>], frame: &Frame, label: Text) -> Series {
    let present = vs.iter().enumerate().filter_map(|(g, v)| v.map(|v| (g, v)));
    let markers: Vec<Point> = present
        .clone()
        .map(|(g, v)| Point {
            x: coord(frame.centre(g)),
            y: coord(frame.y(v)),
        })
        .collect();
    let bar_width = frame.band * 0.8 / count as f64;
    let zero = frame.y(0.0);
    Series {
        label,
        index: s,
        colour: COLOURS[s % COLOURS.len()],
        bars: present
            .map(|(g, v)| Bar {
                x: coord(LEFT + frame.band * (g as f64 + 0.1) + bar_width * s as f64),
                y: coord(frame.y(v).min(zero)),
                width: coord(bar_width),
                height: coord((frame.y(v) - zero).abs()),
            })
            .collect(),
        points: markers
            .iter()
            .map(|p| format!("{},{}", p.x, p.y))
            .collect::<Vec<_>>()
            .join(" "),
        markers,
    }
}

/// The numbers of the chart as table rows: the group, then one localised value per series.
fn table_rows(
    groups: &[String],
    values: &[Vec<Option<f64>>],
    lang: &Lang,
) -> Vec<(String, Vec<String>)> {
    groups
        .iter()
        .enumerate()
        .map(|(g, label)| {
            let cells = values
                .iter()
                .map(|vs| vs[g].map_or_else(String::new, |v| format::decimal(v, lang.code)))
                .collect();
            (label.clone(), cells)
        })
        .collect()
}

/// The chart of `view` over the rows of its resource; `None` when the rows were not kept
/// (a table above the full-table limit) or there are too many groups (validation says so).
pub fn chart(
    view: &View,
    schema: &Schema,
    result: &ResourceResult,
    id: String,
    lang: &Lang,
) -> Option<ChartView> {
    let (groups, values) = data(view, schema, result)?;
    if groups.is_empty() || groups.len() > MAX_GROUPS {
        return None;
    }
    let all = values.iter().flatten().flatten().copied();
    let (lo, hi) = all.fold((0.0f64, 0.0f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let ticks = ticks(lo, hi, 5);
    let frame = Frame {
        t0: ticks[0],
        t1: ticks[ticks.len() - 1],
        band: (WIDTH - RIGHT - LEFT) / groups.len() as f64,
    };
    let units = ["thousand", "million", "billion"].map(|k| lang.msg(&format!("chart.{k}")));
    let units = [units[0].as_str(), units[1].as_str(), units[2].as_str()];
    let series = (values.iter().enumerate())
        .map(|(s, vs)| {
            let label = field_label(schema, &view.series[s], lang);
            series(s, values.len(), vs, &frame, label)
        })
        .collect();
    Some(ChartView {
        id,
        title: lang.text(&view.title),
        description: lang.msg(match view.kind {
            ChartKind::Bar => "chart.description_bar",
            ChartKind::Line => "chart.description_line",
        }),
        kind: view.kind,
        width: WIDTH,
        height: HEIGHT,
        left: LEFT,
        right: coord(WIDTH - RIGHT),
        top: TOP,
        baseline: coord(frame.y(0.0)),
        bottom: coord(HEIGHT - BOTTOM),
        ticks: (ticks.iter())
            .map(|t| Tick {
                y: coord(frame.y(*t)),
                label: format::compact(*t, lang.code, units),
            })
            .collect(),
        groups: (groups.iter().enumerate())
            .map(|(g, label)| GroupLabel {
                x: coord(frame.centre(g)),
                label: label.clone(),
            })
            .collect(),
        series,
        table: DataTable {
            group: field_label(schema, &view.group, lang),
            rows: table_rows(&groups, &values, lang),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nice_ticks() {
        let cases: &[(f64, f64, &[f64])] = &[
            (0.0, 10.0, &[0.0, 2.0, 4.0, 6.0, 8.0, 10.0]),
            (3.0, 9.5, &[0.0, 2.0, 4.0, 6.0, 8.0, 10.0]),
            (0.0, 5_735_142_140.24, &[0.0, 2e9, 4e9, 6e9]),
            (-25.0, 70.0, &[-40.0, -20.0, 0.0, 20.0, 40.0, 60.0, 80.0]),
            (0.0, 0.8512, &[0.0, 0.2, 0.4, 0.6, 0.8, 1.0]),
            (0.0, 12.0, &[0.0, 2.5, 5.0, 7.5, 10.0, 12.5]),
            (0.0, 0.0, &[0.0, 1.0]),
        ];
        for (lo, hi, want) in cases {
            let got = ticks(*lo, *hi, 5);
            assert_eq!(got.len(), want.len(), "{lo}..{hi}: {got:?}");
            for (g, w) in got.iter().zip(*want) {
                assert!(
                    (g - w).abs() < 1e-9 * w.abs().max(1.0),
                    "{lo}..{hi}: {got:?}"
                );
            }
        }
    }
}
