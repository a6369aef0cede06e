//! Findings: problems in the data or metadata, located and explained. They are data, not errors:
//! a run collects all of them, prints them, and maps "any finding" to exit code 1.

use std::fmt;
use std::path::PathBuf;

use serde::Serialize;

/// What kind of problem a finding is. Names follow frictionless v5's error types where one fits,
/// so that reports can be compared with the reference implementation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// The catalogue file is broken.
    CatalogError,
    /// A publisher file is broken.
    PublisherError,
    /// A data package descriptor is broken.
    PackageError,
    /// A resource descriptor is broken (path, format…).
    ResourceError,
    /// A Table Schema is broken.
    SchemaError,
    /// The file cannot be read or parsed as declared.
    SourceError,
    /// The file is not valid text in its encoding.
    EncodingError,
    /// A header cell is empty.
    BlankLabel,
    /// Two header cells are the same.
    DuplicateLabel,
    /// A header cell differs from the schema's field name.
    IncorrectLabel,
    /// The header has fewer cells than the schema has fields.
    MissingLabel,
    /// The header has more cells than the schema has fields.
    ExtraLabel,
    /// A row with only empty cells.
    BlankRow,
    /// A row shorter than the header.
    MissingCell,
    /// A row longer than the header.
    ExtraCell,
    /// A cell does not parse as its field's type.
    TypeError,
    /// A cell breaks a field constraint.
    ConstraintError,
    /// A value repeats in a unique field.
    UniqueError,
    /// A primary key repeats or is empty.
    PrimaryKey,
    /// A declared SHA-256 or MD5 differs from the file's.
    HashCount,
    /// A declared size in bytes differs from the file's.
    ByteCount,
    /// A KATOTTG code is malformed or not in the registry.
    TerritoryError,
    /// A row repeats an earlier row exactly (opt-in check).
    DuplicateRow,
    /// A foreign key value has no match in the referenced table.
    ForeignKey,
    /// A declared row count differs from the file's.
    RowCount,
    /// A field descriptor is broken.
    FieldError,
    /// A dialect descriptor is broken.
    DialectError,
}

impl Kind {
    /// The kebab-case name, as in frictionless reports.
    pub fn name(self) -> &'static str {
        match self {
            Kind::CatalogError => "catalog-error",
            Kind::PublisherError => "publisher-error",
            Kind::PackageError => "package-error",
            Kind::ResourceError => "resource-error",
            Kind::SchemaError => "schema-error",
            Kind::SourceError => "source-error",
            Kind::EncodingError => "encoding-error",
            Kind::BlankLabel => "blank-label",
            Kind::DuplicateLabel => "duplicate-label",
            Kind::IncorrectLabel => "incorrect-label",
            Kind::MissingLabel => "missing-label",
            Kind::ExtraLabel => "extra-label",
            Kind::BlankRow => "blank-row",
            Kind::MissingCell => "missing-cell",
            Kind::ExtraCell => "extra-cell",
            Kind::TypeError => "type-error",
            Kind::ConstraintError => "constraint-error",
            Kind::UniqueError => "unique-error",
            Kind::PrimaryKey => "primary-key",
            Kind::HashCount => "hash-count",
            Kind::ByteCount => "byte-count",
            Kind::TerritoryError => "territory-error",
            Kind::DuplicateRow => "duplicate-row",
            Kind::ForeignKey => "foreign-key",
            Kind::RowCount => "row-count",
            Kind::FieldError => "field-error",
            Kind::DialectError => "dialect-error",
        }
    }
}

/// One located problem: where, what was expected, what was found, and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub kind: Kind,
    /// The file, relative to the source folder.
    pub file: PathBuf,
    /// Row number in the file, the header being row 1 (or line number in a metadata file).
    pub row: Option<u64>,
    /// Field number, from 1.
    pub field_number: Option<usize>,
    /// Field name (or metadata key).
    pub field: Option<String>,
    /// What was expected, in plain words.
    pub expected: String,
    /// What was found (a cell value, a key), when there is one.
    pub found: Option<String>,
    /// How to fix it, in plain words.
    pub hint: Option<String>,
    /// The same in Ukrainian, where a translation is given: (expected, hint).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uk: Option<Box<(String, Option<String>)>>,
}

impl Finding {
    /// A finding about `file` with what was expected; locate it further with the builder methods.
    pub fn new(kind: Kind, file: impl Into<PathBuf>, expected: impl Into<String>) -> Self {
        Finding {
            kind,
            file: file.into(),
            row: None,
            field_number: None,
            field: None,
            expected: expected.into(),
            found: None,
            hint: None,
            uk: None,
        }
    }

    /// Sets the Ukrainian wording of "expected" (and of the hint, if any).
    pub fn uk(mut self, expected: impl Into<String>, hint: Option<String>) -> Self {
        self.uk = Some(Box::new((expected.into(), hint)));
        self
    }

    /// Sets the row (header = 1) or line.
    pub fn row(mut self, row: u64) -> Self {
        self.row = Some(row);
        self
    }

    /// Sets the field name and its number (from 1).
    pub fn field(mut self, name: impl Into<String>, number: Option<usize>) -> Self {
        self.field = Some(name.into());
        self.field_number = number;
        self
    }

    /// Sets what was found (line breaks shown as `⏎`, so one finding stays on one line).
    pub fn found(mut self, found: impl Into<String>) -> Self {
        let found: String = found.into();
        let found = found.replace("\r\n", "\n");
        // Control characters would garble a terminal: show them as their Unicode pictures.
        let shown = found
            .chars()
            .map(|c| match c {
                '\n' | '\r' => '⏎',
                c if (c as u32) < 0x20 => char::from_u32(0x2400 + c as u32).unwrap_or('?'),
                '\u{7f}' => '␡',
                // C1 controls (bytes 0x80–0x9F read as Latin-1) have no pictures.
                '\u{80}'..='\u{9f}' => '\u{fffd}',
                c => c,
            })
            .collect();
        self.found = Some(shown);
        self
    }

    /// Sets how to fix it.
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

/// The longest cell value a report shows; longer ones are cut with an ellipsis.
const SHOWN_VALUE_CHARS: usize = 200;

fn shorten(value: &str) -> String {
    if value.chars().count() <= SHOWN_VALUE_CHARS {
        value.to_owned()
    } else {
        let cut: String = value.chars().take(SHOWN_VALUE_CHARS).collect();
        format!("{cut}…")
    }
}

impl Finding {
    /// The finding in words: English, or Ukrainian where a Ukrainian wording was given (labels are
    /// translated either way; a finding without one keeps its English explanation).
    pub fn to_text(&self, ukrainian: bool) -> String {
        use fmt::Write;
        let [row_l, field_l, column_l, expected_l, found_l, hint_l] = if ukrainian {
            [
                "рядок",
                "поле",
                "стовпець",
                "очікувалося",
                "знайдено",
                "порада",
            ]
        } else {
            ["row", "field", "column", "expected", "found", "hint"]
        };
        let (expected, hint) = match (&self.uk, ukrainian) {
            (Some(uk), true) => (uk.0.as_str(), uk.1.as_deref().or(self.hint.as_deref())),
            _ => (self.expected.as_str(), self.hint.as_deref()),
        };
        let mut s = format!("{}: `{}`", self.kind.name(), self.file.display());
        if let Some(row) = self.row {
            let _ = write!(s, ", {row_l} {row}");
        }
        if let Some(field) = &self.field {
            let _ = write!(s, ", {field_l} `{field}`");
            if let Some(n) = self.field_number {
                let _ = write!(s, " ({column_l} {n})");
            }
        }
        let _ = write!(s, ": {expected_l} {expected}");
        if let Some(found) = &self.found {
            let _ = write!(s, ", {found_l} `{}`", shorten(found));
        }
        if let Some(hint) = hint {
            let _ = write!(s, "\n  {hint_l}: {hint}");
        }
        s
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_text(false))
    }
}

/// All findings of a run, in a stable order (by file, row, field, kind).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    pub findings: Vec<Finding>,
    /// Problems counted but not listed: a file's findings are listed up to
    /// `table::MAX_FINDINGS`.
    #[serde(skip_serializing_if = "is_zero")]
    pub omitted: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl Report {
    /// True when there is nothing to report.
    pub fn is_clean(&self) -> bool {
        self.findings.is_empty()
    }

    /// Adds findings.
    pub fn extend(&mut self, findings: impl IntoIterator<Item = Finding>) {
        self.findings.extend(findings);
    }

    /// Sorts findings into their stable order.
    pub fn sort(&mut self) {
        self.findings.sort_by(|a, b| {
            (&a.file, a.row, a.field_number, a.kind).cmp(&(&b.file, b.row, b.field_number, b.kind))
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn found_values_show_control_characters_harmlessly() {
        let f = Finding::new(Kind::SourceError, "t.csv", "text").found("a\0b\u{1b}c\u{9b}d\r\ne");
        assert_eq!(f.found.as_deref(), Some("a␀b␛c\u{fffd}d⏎e"));
    }
}
