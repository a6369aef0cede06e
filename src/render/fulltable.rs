//! Stage 4, render: the full-table page of a tabular resource (`datasets/<id>/table/<name>/`),
//! made only for tables within `[preview] full_table_max_bytes`. Its rows are the ones the
//! validation pass kept (`ResourceResult::all_rows`): render never reads a data file. The page
//! is a plain HTML table, readable without script; `static/sort.js` and `static/table.js` add
//! sorting and filtering. Each column carries its schema type (`data-type`) so sorting can
//! compare numbers and dates as such.

use serde::Serialize;

use super::format;
use super::rows::{Shared, Shown};
use super::view::{self, Lang, Summary, Text};
use crate::catalog::{Catalog, Dataset, Resource};
use crate::validate::ResourceResult;

/// A column of the full table.
#[derive(Debug, Clone, Serialize)]
pub struct Column {
    pub name: String,
    pub title: Option<Text>,
    /// The Table Schema type (`integer`, `number`, `date`…), or `string` without a schema.
    pub field_type: &'static str,
}

/// Everything the full-table page shows.
#[derive(Debug, Clone, Serialize)]
pub struct TableView<'a> {
    pub dataset: Summary,
    pub name: String,
    pub title: Option<String>,
    pub file_name: String,
    /// The file, relative to the site root.
    pub download: String,
    /// The page itself, relative to the language root.
    pub href: String,
    pub columns: Vec<Column>,
    pub rows: Shown<'a>,
    pub count: String,
}

/// The full-table page of `r`, when its rows were kept.
pub fn view<'a>(
    catalog: &Catalog,
    d: &Dataset,
    r: &Resource,
    res: &'a ResourceResult,
    shared: &'a Shared,
    lang: &Lang,
) -> Option<TableView<'a>> {
    let rows = res.all_rows.as_ref()?;
    let value = shared.all.as_ref()?;
    let field = |name: &str| {
        r.schema
            .as_ref()
            .and_then(|s| s.fields.iter().find(|f| f.name == name))
    };
    let columns = res
        .header
        .iter()
        .map(|h| Column {
            name: h.clone(),
            title: field(h).and_then(|f| f.title.clone()).map(|t| Text {
                text: t,
                lang: "uk",
            }),
            field_type: field(h).map_or("string", |f| f.field_type.name()),
        })
        .collect();
    let path = view::resource_path(r);
    Some(TableView {
        dataset: view::summary(catalog, d, None, lang),
        name: r.name.clone(),
        title: r.title.clone(),
        file_name: path.rsplit('/').next().unwrap_or(&path).to_owned(),
        download: format!("datasets/{}/{}", d.id, format::url_path(&path)),
        href: view::table_href(d, r),
        columns,
        rows: Shown { rows, value },
        count: format::int(rows.len() as u64, lang.code),
    })
}
