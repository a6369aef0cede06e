//! Stage 4, render: the controlled vocabularies DCAT-AP asks for, and the terms of the
//! vocabularies used. Our values (a format `csv`, a frequency `yearly`, an SPDX licence id) become
//! IRIs of the EU vocabularies (file type, frequency, language, country), of IANA's media types
//! and of the SPDX licence list. A concept is always added with the triples that say what it is
//! (`skos:Concept` `skos:inScheme` its scheme, a `skos:prefLabel`, the DCAT-AP range class), as
//! the DCAT-AP SHACL shapes check them in the data. A value with no known IRI is left out, never
//! guessed.

use super::rdf::{Graph, Node, Object};
use crate::catalog::dataset::{Frequency, License};

/// Namespaced term IRIs, as constants for `Graph::add`.
pub mod t {
    macro_rules! terms {
        ($ns:literal; $($name:ident = $local:literal),* $(,)?) => {
            $(pub const $name: &str = concat!($ns, $local);)*
        };
    }
    terms!("http://www.w3.org/ns/dcat#";
        CATALOG = "Catalog", DATASET = "Dataset", DISTRIBUTION = "Distribution",
        DATASET_P = "dataset", DISTRIBUTION_P = "distribution", ACCESS_URL = "accessURL",
        DOWNLOAD_URL = "downloadURL", BYTE_SIZE = "byteSize", MEDIA_TYPE = "mediaType",
        KEYWORD = "keyword", LANDING_PAGE = "landingPage", CONTACT_POINT = "contactPoint",
        START_DATE = "startDate", END_DATE = "endDate", CENTROID = "centroid", VERSION = "version");
    terms!("http://purl.org/dc/terms/";
        TITLE = "title", DESCRIPTION = "description", IDENTIFIER = "identifier",
        ISSUED = "issued", MODIFIED = "modified", PUBLISHER = "publisher", LICENSE = "license",
        LANGUAGE = "language", SPATIAL = "spatial", TEMPORAL = "temporal", FORMAT = "format",
        ACCRUAL = "accrualPeriodicity", LOCATION = "Location", PERIOD = "PeriodOfTime",
        LICENSE_DOCUMENT = "LicenseDocument", LINGUISTIC_SYSTEM = "LinguisticSystem",
        FREQUENCY = "Frequency", MEDIA_TYPE_OR_EXTENT = "MediaTypeOrExtent",
        MEDIA_TYPE_C = "MediaType");
    terms!("http://xmlns.com/foaf/0.1/";
        AGENT = "Agent", ORGANIZATION = "Organization", NAME = "name", HOMEPAGE = "homepage",
        DOCUMENT = "Document");
    terms!("http://www.w3.org/2006/vcard/ns#";
        KIND = "Kind", VCARD_ORGANIZATION = "Organization", FN = "fn", HAS_EMAIL = "hasEmail",
        HAS_URL = "hasURL");
    terms!("http://spdx.org/rdf/terms#";
        CHECKSUM = "checksum", CHECKSUM_C = "Checksum", ALGORITHM = "algorithm",
        CHECKSUM_VALUE = "checksumValue", CHECKSUM_ALGORITHM = "ChecksumAlgorithm",
        SHA256 = "checksumAlgorithm_sha256");
    // DCAT-AP 3.0.1's shapes (mdr-vocabularies) accept only algorithm IRIs starting with
    // `https://spdx.org/rdf/terms`, though the SPDX namespace is `http://`: the `https://` term is
    // written, `owl:sameAs` the namespace's own.
    terms!("https://spdx.org/rdf/terms#";
        SHA256_HTTPS = "checksumAlgorithm_sha256");
    terms!("http://www.w3.org/2002/07/owl#";
        SAME_AS = "sameAs");
    terms!("http://www.w3.org/2004/02/skos/core#";
        CONCEPT = "Concept", CONCEPT_SCHEME = "ConceptScheme", IN_SCHEME = "inScheme",
        PREF_LABEL = "prefLabel", NOTATION = "notation");
    terms!("http://www.w3.org/ns/adms#";
        ADMS_IDENTIFIER = "identifier", IDENTIFIER_C = "Identifier", SCHEMA_AGENCY = "schemaAgency");
    terms!("http://www.w3.org/ns/hydra/core#";
        PARTIAL_VIEW = "PartialCollectionView", VIEW = "view", FIRST = "first", LAST = "last",
        NEXT = "next", PREVIOUS = "previous", TOTAL_ITEMS = "totalItems",
        ITEMS_PER_PAGE = "itemsPerPage");
    terms!("http://www.w3.org/2001/XMLSchema#";
        DATE = "date", INTEGER = "integer", NON_NEGATIVE_INTEGER = "nonNegativeInteger",
        HEX_BINARY = "hexBinary");
    /// GeoSPARQL's WKT literal datatype.
    pub const WKT: &str = "http://www.opengis.net/ont/geosparql#wktLiteral";
    /// `rdfs:label`.
    pub const LABEL: &str = "http://www.w3.org/2000/01/rdf-schema#label";
}

const AUTHORITY: &str = "http://publications.europa.eu/resource/authority/";

/// An EU authority table used here: its path under `AUTHORITY`, its title, and the DCAT-AP range
/// class of its concepts.
struct Scheme {
    name: &'static str,
    title: &'static str,
    class: &'static str,
}

const FILE_TYPE: Scheme = Scheme {
    name: "file-type",
    title: "File type",
    class: t::MEDIA_TYPE_OR_EXTENT,
};
const FREQUENCY: Scheme = Scheme {
    name: "frequency",
    title: "Frequency",
    class: t::FREQUENCY,
};
const LANGUAGE: Scheme = Scheme {
    name: "language",
    title: "Language",
    class: t::LINGUISTIC_SYSTEM,
};
const COUNTRY: Scheme = Scheme {
    name: "country",
    title: "Country",
    class: t::LOCATION,
};

/// Adds a concept of `scheme` with its labels; returns its IRI.
/// The labels of a concept are a function of its scheme and code (the tables below), so a
/// concept already in the graph is not described again.
fn concept(g: &mut Graph, scheme: &Scheme, code: &str, labels: &[(&str, &'static str)]) -> Node {
    let c = Node::iri(format!("{AUTHORITY}{}/{code}", scheme.name));
    if !g.first_description(&c) {
        return c;
    }
    let scheme_iri = Node::iri(format!("{AUTHORITY}{}", scheme.name));
    g.types(&scheme_iri, &[t::CONCEPT_SCHEME]);
    g.add(&scheme_iri, t::TITLE, Object::lang(scheme.title, "en"));
    g.types(&c, &[t::CONCEPT, scheme.class]);
    g.add(&c, t::IN_SCHEME, scheme_iri);
    for (text, lang) in labels {
        g.add(&c, t::PREF_LABEL, Object::lang(*text, lang));
    }
    c
}

/// The EU file type for a format (`csv` → `CSV`), when there is one.
pub fn file_type(g: &mut Graph, format: &str) -> Option<Node> {
    const CODES: [(&str, &str); 24] = [
        ("csv", "CSV"),
        ("tsv", "TSV"),
        ("json", "JSON"),
        ("geojson", "GEOJSON"),
        ("jsonld", "JSON_LD"),
        ("xml", "XML"),
        ("xlsx", "XLSX"),
        ("xls", "XLS"),
        ("ods", "ODS"),
        ("pdf", "PDF"),
        ("zip", "ZIP"),
        ("gz", "GZIP"),
        ("txt", "TXT"),
        ("html", "HTML"),
        ("kml", "KML"),
        ("kmz", "KMZ"),
        ("shp", "SHP"),
        ("gpkg", "GPKG"),
        ("parquet", "PARQUET"),
        ("ttl", "RDF_TURTLE"),
        ("rdf", "RDF_XML"),
        ("docx", "DOCX"),
        ("doc", "DOC"),
        ("odt", "ODT"),
    ];
    let format = format.trim().to_ascii_lowercase();
    let (_, code) = CODES.iter().find(|(f, _)| *f == format)?;
    Some(concept(g, &FILE_TYPE, code, &[(code, "en")]))
}

/// The IANA media type IRI for a declared media type (parameters dropped), else for a format.
pub fn media_type(g: &mut Graph, declared: Option<&str>, format: &str) -> Option<Node> {
    const BY_FORMAT: [(&str, &str); 12] = [
        ("csv", "text/csv"),
        ("tsv", "text/tab-separated-values"),
        ("json", "application/json"),
        ("geojson", "application/geo+json"),
        ("xml", "application/xml"),
        (
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        ("xls", "application/vnd.ms-excel"),
        ("ods", "application/vnd.oasis.opendocument.spreadsheet"),
        ("pdf", "application/pdf"),
        ("zip", "application/zip"),
        ("txt", "text/plain"),
        ("html", "text/html"),
    ];
    let format = format.trim().to_ascii_lowercase();
    let fallback = || {
        BY_FORMAT
            .iter()
            .find(|(f, _)| *f == format)
            .map(|(_, m)| *m)
    };
    let declared = declared.map(|m| {
        m.split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase()
    });
    let mt = declared
        .filter(|m| is_media_type(m))
        .or_else(|| fallback().map(str::to_owned))?;
    let n = Node::iri(format!("https://www.iana.org/assignments/media-types/{mt}"));
    if g.first_description(&n) {
        g.types(&n, &[t::MEDIA_TYPE_C]);
    }
    Some(n)
}

/// `type/subtype` in RFC 6838's restricted-name characters.
fn is_media_type(text: &str) -> bool {
    let name = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "!#$&^_.+-".contains(c))
    };
    matches!(text.split_once('/'), Some((a, b)) if name(a) && name(b))
}

/// The EU frequency for ours (data.gov.ua's vocabulary).
pub fn frequency(g: &mut Graph, f: Frequency) -> Node {
    let (code, label) = match f {
        Frequency::MoreThanDaily => ("UPDATE_CONT", "continuously updated"),
        Frequency::Daily => ("DAILY", "daily"),
        Frequency::Weekly => ("WEEKLY", "weekly"),
        Frequency::Monthly => ("MONTHLY", "monthly"),
        Frequency::Quarterly => ("QUARTERLY", "quarterly"),
        Frequency::HalfYearly => ("ANNUAL_2", "semiannual"),
        Frequency::Yearly => ("ANNUAL", "annual"),
        // Updated when the data change: no schedule, which the EU table calls irregular.
        Frequency::OnChange => ("IRREG", "irregular"),
        Frequency::NoLongerUpdated => ("NEVER", "never"),
    };
    let uk = Frequency::ALL
        .iter()
        .find(|(x, ..)| *x == f)
        .map_or("", |(_, _, uk)| uk);
    concept(g, &FREQUENCY, code, &[(label, "en"), (uk, "uk")])
}

/// A language of the EU table: Ukrainian (`uk`) or English (`en`).
pub fn language(g: &mut Graph, lang: &str) -> Node {
    let (code, en, uk) = if lang == "en" {
        ("ENG", "English", "англійська")
    } else {
        ("UKR", "Ukrainian", "українська")
    };
    concept(g, &LANGUAGE, code, &[(en, "en"), (uk, "uk")])
}

/// Ukraine in the EU country table: the location of country-wide data (`UA`).
pub fn ukraine(g: &mut Graph) -> Node {
    let n = concept(g, &COUNTRY, "UKR", &[("Ukraine", "en"), ("Україна", "uk")]);
    g.add(&n, t::IDENTIFIER, Object::text("UA"));
    n
}

/// The IRI of a licence: its `path` when that is an absolute http(s) URL, else the SPDX licence
/// list's IRI for an SPDX id (`CC-BY-4.0` → `http://spdx.org/licenses/CC-BY-4.0`).
pub fn license_iri(l: &License) -> Option<String> {
    if let Some(path) = l.path.as_deref().map(str::trim) {
        if crate::catalog::config::normalise_base_url(path).is_some() {
            return Some(path.to_owned());
        }
    }
    l.name.as_deref().and_then(spdx_license)
}

/// `http://spdx.org/licenses/<id>` for a plausible SPDX licence id.
pub fn spdx_license(id: &str) -> Option<String> {
    let id = id.trim();
    let ok = !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || ".+-".contains(c));
    ok.then(|| format!("http://spdx.org/licenses/{id}"))
}

/// Adds a licence document node.
pub fn license(g: &mut Graph, iri: &str, title: Option<&str>) -> Node {
    let n = Node::iri(iri);
    g.types(&n, &[t::LICENSE_DOCUMENT]);
    if let Some(title) = title.filter(|t| !t.trim().is_empty()) {
        g.add(&n, t::LABEL, Object::text(title));
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_and_media_types() {
        let mut g = Graph::default();
        assert_eq!(
            file_type(&mut g, "CSV"),
            Some(Node::iri(
                "http://publications.europa.eu/resource/authority/file-type/CSV"
            ))
        );
        assert_eq!(file_type(&mut g, "weird"), None);
        let iana = |m: &str| format!("https://www.iana.org/assignments/media-types/{m}");
        let cases: &[(Option<&str>, &str, Option<String>)] = &[
            (
                Some("text/csv; charset=utf-8"),
                "csv",
                Some(iana("text/csv")),
            ),
            (None, "json", Some(iana("application/json"))),
            (Some("not a type"), "csv", Some(iana("text/csv"))),
            (None, "weird", None),
        ];
        for (declared, format, want) in cases {
            assert_eq!(
                media_type(&mut g, *declared, format),
                want.as_ref().map(Node::iri),
                "{declared:?} {format}"
            );
        }
    }

    #[test]
    fn licences() {
        let l = |name: Option<&str>, path: Option<&str>| License {
            name: name.map(str::to_owned),
            path: path.map(str::to_owned),
            title: None,
        };
        let cases = [
            (
                l(Some("MIT"), Some("https://opensource.org/licenses/MIT")),
                Some("https://opensource.org/licenses/MIT"),
            ),
            (
                l(Some("CC-BY-4.0"), None),
                Some("http://spdx.org/licenses/CC-BY-4.0"),
            ),
            (
                l(Some("CC-BY-4.0"), Some("licence.txt")),
                Some("http://spdx.org/licenses/CC-BY-4.0"),
            ),
            (l(Some("my licence"), None), None),
            (l(None, None), None),
        ];
        for (licence, want) in cases {
            assert_eq!(license_iri(&licence).as_deref(), want, "{licence:?}");
        }
    }

    #[test]
    fn a_concept_named_again_is_described_once_and_whole() {
        let describe = |times: usize| {
            let mut g = Graph::default();
            // The concept's IRI is also the subject of another triple first: it is still
            // described.
            let c = Node::iri("http://publications.europa.eu/resource/authority/language/UKR");
            g.types(&c, &[t::DOCUMENT]);
            for _ in 0..times {
                language(&mut g, "uk");
                ukraine(&mut g);
                frequency(&mut g, Frequency::Monthly);
                file_type(&mut g, "csv");
                media_type(&mut g, None, "csv");
            }
            String::from_utf8(g.to_turtle()).unwrap()
        };
        let once = describe(1);
        for needle in [
            "a dct:MediaType .",
            "skos:Concept",
            "\"Ukraine\"@en",
            "\"UA\"",
        ] {
            assert!(once.contains(needle), "{needle}: {once}");
        }
        assert!(
            once.contains(
                "a dct:LinguisticSystem ,\n        skos:Concept ,\n        foaf:Document ;"
            ),
            "{once}"
        );
        assert_eq!(describe(3), once);
    }

    #[test]
    fn every_frequency_is_an_eu_concept() {
        let mut g = Graph::default();
        for (f, ..) in Frequency::ALL {
            let Node::Iri(iri) = frequency(&mut g, f);
            assert!(iri.starts_with("http://publications.europa.eu/resource/authority/frequency/"));
        }
    }
}
