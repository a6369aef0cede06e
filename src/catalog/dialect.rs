//! Load stage: the CSV dialect of a resource (Frictionless Table Dialect v2, v1 forms accepted).
//! Options left undeclared stay `None`, so the validator can tell "declared" from "sniff it".

use serde::Serialize;
use serde_json::{Map, Value};

/// How a CSV file is written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Dialect {
    /// `None`: not declared (sniffed, else `,`).
    pub delimiter: Option<u8>,
    /// `None`: not declared (sniffed, else `"`).
    pub quote_char: Option<u8>,
    pub double_quote: bool,
    pub escape_char: Option<u8>,
    /// False: the file has no header row; fields are named `field1`…
    pub header: bool,
    /// Rows (from 1) that make up the header, joined with `header_join`.
    pub header_rows: Vec<u64>,
    pub header_join: String,
    /// Lines starting with this byte are comments.
    pub comment_char: Option<u8>,
    /// Rows (from 1) to skip as comments.
    pub comment_rows: Vec<u64>,
    pub skip_initial_space: bool,
    /// A text that stands for a missing value, besides the schema's `missingValues`.
    pub null_sequence: Option<String>,
}

impl Default for Dialect {
    fn default() -> Self {
        Dialect {
            delimiter: None,
            quote_char: None,
            double_quote: true,
            escape_char: None,
            header: true,
            header_rows: vec![1],
            header_join: " ".into(),
            comment_char: None,
            comment_rows: Vec::new(),
            skip_initial_space: false,
            null_sequence: None,
        }
    }
}

fn one_byte(o: &Map<String, Value>, key: &str) -> Result<Option<u8>, String> {
    match o.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.len() == 1 => Ok(Some(s.as_bytes()[0])),
        Some(Value::String(s)) if s == "\\t" => Ok(Some(b'\t')),
        Some(_) => Err(format!("`dialect.{key}` to be one ASCII character")),
    }
}

fn flag(o: &Map<String, Value>, key: &str, default: bool) -> Result<bool, String> {
    match o.get(key) {
        None => Ok(default),
        Some(v) => v
            .as_bool()
            .ok_or(format!("`dialect.{key}` to be true or false")),
    }
}

fn rows(o: &Map<String, Value>, key: &str) -> Result<Option<Vec<u64>>, String> {
    match o.get(key) {
        None => Ok(None),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| {
                v.as_u64().filter(|n| *n > 0).ok_or(format!(
                    "`dialect.{key}` to be a list of row numbers from 1"
                ))
            })
            .collect::<Result<_, _>>()
            .map(Some),
        Some(_) => Err(format!(
            "`dialect.{key}` to be a list of row numbers from 1"
        )),
    }
}

impl Dialect {
    /// Reads a dialect descriptor object.
    pub fn parse(value: &Value) -> Result<Dialect, String> {
        // A dialect given by path is not read (frictionless allows it): the object goes inline, so no
        // path can lead outside the dataset folder.
        let o = value.as_object().ok_or(
            "`dialect` written inline as an object inside the resource (a path to a dialect file is not read; copy its contents here)",
        )?;
        let mut d = Dialect {
            delimiter: one_byte(o, "delimiter")?,
            quote_char: one_byte(o, "quoteChar")?,
            double_quote: flag(o, "doubleQuote", true)?,
            escape_char: one_byte(o, "escapeChar")?,
            ..Dialect::default()
        };
        d.comment_char = one_byte(o, "commentChar")?;
        d.skip_initial_space = flag(o, "skipInitialSpace", false)?;
        d.header = flag(o, "header", true)?;
        if let Some(r) = rows(o, "headerRows")? {
            d.header_rows = r;
        }
        if let Some(r) = rows(o, "commentRows")? {
            d.comment_rows = r;
        }
        if let Some(j) = o.get("headerJoin") {
            d.header_join = j
                .as_str()
                .ok_or("`dialect.headerJoin` to be text")?
                .to_owned();
        }
        if let Some(n) = o.get("nullSequence") {
            d.null_sequence = Some(
                n.as_str()
                    .ok_or("`dialect.nullSequence` to be text")?
                    .to_owned(),
            );
        }
        if !d.header || d.header_rows.is_empty() {
            d.header = false;
            d.header_rows.clear();
        }
        Ok(d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_dialects() {
        let d = Dialect::parse(&json!({"delimiter": ";", "header": false, "commentChar": "#", "skipInitialSpace": true})).unwrap();
        assert_eq!(
            (d.delimiter, d.header, d.comment_char, d.skip_initial_space),
            (Some(b';'), false, Some(b'#'), true)
        );
        assert!(d.header_rows.is_empty());
        let d = Dialect::parse(&json!({"headerRows": [1, 2], "headerJoin": "/"})).unwrap();
        assert_eq!((d.header_rows, d.header_join.as_str()), (vec![1, 2], "/"));
        for bad in [
            json!({"delimiter": ";;"}),
            json!({"header": "yes"}),
            json!({"headerRows": [0]}),
            json!([]),
        ] {
            assert!(Dialect::parse(&bad).is_err(), "{bad}");
        }
    }
}
