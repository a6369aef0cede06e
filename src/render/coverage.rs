//! Stage 4, render: the Resolution 835 coverage view — for the whole catalogue (each oblast's
//! totals and a map of every hromada) and for each oblast (its hromadas × the mandatory
//! datasets), each with a CSV of the same table. The map is static SVG drawn from the hromada
//! centres' coordinates, which come from a dataset declaring them (`catalog::profile`: facts
//! `latitude`, `longitude`); a hromada without coordinates is in the tables, not on the map.
//! Markers differ in shape as well as colour, and the tables carry the same data as the map.

use serde::Serialize;

use super::checklist::hromada_statuses;
use super::view::{Lang, Link, Text};
use crate::catalog::profile::Fact;
use crate::catalog::territory::{Category, Territory};
use crate::catalog::{Catalog, KatottgCode};
use crate::validate::Validated;

/// One hromada's row: its statuses in list order and their counts.
#[derive(Debug, Serialize)]
pub struct Row {
    pub hromada: Link,
    pub code: String,
    pub raion: String,
    pub publishers: usize,
    pub statuses: Vec<&'static str>,
    pub published: usize,
    pub overdue: usize,
    pub missing: usize,
}

/// One oblast's totals on the catalogue-wide page.
#[derive(Debug, Serialize)]
pub struct OblastRow {
    pub oblast: Link,
    pub hromadas: usize,
    /// Hromadas that publish every item, some, or none.
    pub complete: usize,
    pub partial: usize,
    pub none: usize,
}

/// A hromada on the map.
#[derive(Debug, Serialize)]
pub struct Point {
    pub x: String,
    pub y: String,
    /// `complete`, `partial` or `none`.
    pub state: &'static str,
    pub label: String,
    pub href: String,
}

/// What a coverage page shows.
#[derive(Debug, Serialize)]
pub struct CoverageView {
    /// The oblast, on an oblast's page.
    pub oblast: Option<Link>,
    pub items: Vec<(String, Text)>,
    pub oblasts: Vec<OblastRow>,
    pub rows: Vec<Row>,
    pub points: Vec<Point>,
    pub view_box: String,
    /// The CSV of the same table, relative to the language root.
    pub csv: String,
}

/// `complete`, `partial` or `none` for a hromada's counts.
fn state(row: &Row) -> &'static str {
    match (row.published, row.statuses.len()) {
        (0, _) if row.overdue == 0 => "none",
        (p, n) if p == n => "complete",
        _ => "partial",
    }
}

fn hromada_row(catalog: &Catalog, h: &Territory, lang: &Lang) -> Row {
    let (publishers, statuses) = hromada_statuses(catalog, &h.code, lang.today);
    let count = |s: &str| statuses.iter().filter(|x| **x == s).count();
    let raion = (catalog.registry.ancestors(&h.code).iter())
        .find(|t| t.category == Category::P)
        .map_or(String::new(), |t| lang.place(&t.name).text);
    Row {
        hromada: Link {
            href: Some(format!("hromadas/{}/", h.code)),
            label: lang.place(&h.name),
        },
        code: h.code.to_string(),
        raion,
        publishers: publishers.len(),
        published: count("published"),
        overdue: count("overdue"),
        missing: count("missing"),
        statuses,
    }
}

/// The hromadas under `oblast` (all when `None`), in code order.
fn hromadas<'c>(catalog: &'c Catalog, oblast: Option<&KatottgCode>) -> Vec<&'c Territory> {
    (catalog.registry.hromada_tops().iter())
        .filter(|(_, top)| oblast.is_none_or(|o| top.as_ref() == Some(o)))
        .filter_map(|(h, _)| catalog.registry.get(h))
        .collect()
}

/// The map's points, projected (equirectangular, longitude scaled by the cosine of the mean
/// latitude) into a box 1000 wide, and that box.
fn map(validated: &Validated, rows: &[Row]) -> (Vec<Point>, String) {
    let coordinate = |code: &str, fact: Fact| {
        let code = KatottgCode::parse(code).ok()?;
        let facts = validated.facts.get(&code)?;
        let v = facts
            .iter()
            .find(|f| f.fact == fact)?
            .value
            .parse::<f64>()
            .ok()?;
        v.is_finite().then_some(v)
    };
    let placed: Vec<(&Row, f64, f64)> = (rows.iter())
        .filter_map(|r| {
            Some((
                r,
                coordinate(&r.code, Fact::Latitude)?,
                coordinate(&r.code, Fact::Longitude)?,
            ))
        })
        .filter(|(_, lat, lon)| (-90.0..=90.0).contains(lat) && (-180.0..=180.0).contains(lon))
        .collect();
    if placed.is_empty() {
        return (Vec::new(), String::new());
    }
    let (mut lat0, mut lat1, mut lon0, mut lon1) = (90f64, -90f64, 180f64, -180f64);
    for (_, lat, lon) in &placed {
        (lat0, lat1, lon0, lon1) = (
            lat0.min(*lat),
            lat1.max(*lat),
            lon0.min(*lon),
            lon1.max(*lon),
        );
    }
    let k = ((lat0 + lat1) / 2.0).to_radians().cos();
    let width = ((lon1 - lon0) * k).max(0.01);
    let scale = 1000.0 / width;
    let height = ((lat1 - lat0) * scale).max(1.0);
    let points = placed
        .iter()
        .map(|(r, lat, lon)| Point {
            x: format!("{:.1}", 10.0 + (lon - lon0) * k * scale),
            y: format!("{:.1}", 10.0 + (lat1 - lat) * scale),
            state: state(r),
            label: format!(
                "{}: {}/{}",
                r.hromada.label.text,
                r.published,
                r.statuses.len()
            ),
            href: r.hromada.href.clone().unwrap_or_default(),
        })
        .collect();
    (points, format!("0 0 1020 {:.0}", height + 20.0))
}

/// The catalogue-wide page (`oblast: None`) or an oblast's page.
pub fn view(
    catalog: &Catalog,
    validated: &Validated,
    oblast: Option<&Territory>,
    lang: &Lang,
) -> CoverageView {
    let items = (catalog.mandatory.iter())
        .map(|m| (m.code.clone(), lang.text(&m.name)))
        .collect();
    let rows: Vec<Row> = hromadas(catalog, oblast.map(|o| &o.code))
        .into_iter()
        .map(|h| hromada_row(catalog, h, lang))
        .collect();
    let (points, view_box) = map(validated, &rows);
    let oblasts = match oblast {
        Some(_) => Vec::new(),
        None => oblast_rows(catalog, &rows, lang),
    };
    CoverageView {
        oblast: oblast.map(|o| Link {
            href: super::view::territory_href(catalog, &o.code),
            label: lang.place(&o.name),
        }),
        items,
        oblasts,
        points,
        view_box,
        csv: match oblast {
            Some(o) => format!("coverage/{}/coverage.csv", o.code),
            None => super::machine::COVERAGE.to_owned(),
        },
        rows: if oblast.is_some() { rows } else { Vec::new() },
    }
}

fn oblast_rows(catalog: &Catalog, rows: &[Row], lang: &Lang) -> Vec<OblastRow> {
    // Each row's oblast found once, not once per oblast.
    let tops: Vec<Option<KatottgCode>> = (rows.iter())
        .map(|r| {
            let code = KatottgCode::parse(&r.code).ok()?;
            catalog.registry.top_of(&code).map(|t| t.code)
        })
        .collect();
    (catalog.registry.of_category(Category::O))
        .chain(catalog.registry.of_category(Category::K))
        .filter_map(|o| {
            let mine: Vec<&Row> = (rows.iter().zip(&tops))
                .filter(|(_, top)| **top == Some(o.code))
                .map(|(r, _)| r)
                .collect();
            let n = |s: &str| mine.iter().filter(|r| state(r) == s).count();
            (!mine.is_empty()).then(|| OblastRow {
                oblast: Link {
                    href: Some(format!("coverage/{}/", o.code)),
                    label: lang.place(&o.name),
                },
                hromadas: mine.len(),
                complete: n("complete"),
                partial: n("partial"),
                none: n("none"),
            })
        })
        .collect()
}
