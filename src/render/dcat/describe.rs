//! Stage 4, render: the DCAT-AP description of one dataset — the dataset, its distributions (one
//! per published file, with size and SHA-256 from validation), its publisher as a `foaf:Agent`
//! with its ЄДРПОУ code, a `vcard:Kind` contact point, its territories as `dct:Location`s and its
//! period. Invariant: every IRI is made from `base_url` and stable names only (dataset id,
//! resource name, publisher slug, KATOTTG code), never from build order or time, because
//! harvesters key on them.

use super::rdf::{Graph, Node, Object};
use super::vocab::{self, t};
use crate::catalog::profile::Fact;
use crate::catalog::{Catalog, Dataset, DatasetId, KatottgCode, Publisher, Resource, Scope};
use crate::render::format::url_path;
use crate::render::view::territory_href;
use crate::validate::{ResourceResult, Validated};

/// What every description needs: the catalogue, the validation results and the base URL.
pub struct Ctx<'a> {
    pub catalog: &'a Catalog,
    pub validated: &'a Validated,
    /// The site's absolute URL, ending in `/`.
    pub base: &'a str,
    /// The build cache's memo of catalogue pages, when there is one.
    pub memo: Option<&'a crate::render::Memo<'a>>,
}

/// Adds `s p "text"@lang` for the Ukrainian text and the English one when it is given.
pub fn local_text(g: &mut Graph, s: &Node, p: &'static str, t: &crate::catalog::LocalText) {
    if !t.uk.trim().is_empty() {
        g.add(s, p, Object::lang(t.uk.as_str(), "uk"));
    }
    if let Some(en) = t.en.as_deref().filter(|e| !e.trim().is_empty()) {
        g.add(s, p, Object::lang(en, "en"));
    }
}

fn date(d: chrono::NaiveDate) -> Object {
    Object::typed(crate::render::format::iso_date(d), t::DATE)
}

impl Ctx<'_> {
    /// The site's page and file addresses (the same as the pages and other exports use).
    fn urls(&self) -> crate::render::exports::Urls<'_> {
        crate::render::exports::Urls { base: self.base }
    }

    /// The dataset's IRI: `<base>datasets/<id>/#dataset` (its page is the landing page).
    pub fn dataset_iri(&self, id: &DatasetId) -> Node {
        Node::iri(format!("{}datasets/{id}/#dataset", self.base))
    }

    /// Adds the catalogue's licence (the default of datasets that declare none); its IRI.
    pub fn default_license(&self, g: &mut Graph) -> Option<Node> {
        let iri = vocab::spdx_license(&self.catalog.config.license)?;
        Some(vocab::license(g, &iri, None))
    }

    /// Adds a publisher as a `foaf:Agent` with its ЄДРПОУ code; returns its IRI.
    pub fn agent(&self, g: &mut Graph, p: &Publisher) -> Node {
        let page = format!("{}publishers/{}/", self.base, p.slug);
        let a = Node::iri(format!("{page}#publisher"));
        if !g.first_description(&a) {
            return a;
        }
        g.types(&a, &[t::AGENT, t::ORGANIZATION]);
        local_text(g, &a, t::NAME, &p.name);
        g.add(&a, t::IDENTIFIER, Object::text(p.edrpou.as_str()));
        // An IRI, not a blank node: an agent is added once per dataset, and must stay one node.
        let id = Node::iri(format!("{page}#edrpou"));
        g.add(&a, t::ADMS_IDENTIFIER, id.clone());
        g.types(&id, &[t::IDENTIFIER_C]);
        g.add(&id, t::NOTATION, Object::text(p.edrpou.as_str()));
        g.add(&id, t::SCHEMA_AGENCY, Object::lang("ЄДРПОУ", "uk"));
        if let Some(site) = &p.website {
            let home = Node::iri(site);
            g.add(&a, t::HOMEPAGE, home.clone());
            g.types(&home, &[t::DOCUMENT]);
        }
        a
    }

    /// Adds a publisher's contact point as a `vcard:Kind`; returns its IRI.
    pub fn contact(&self, g: &mut Graph, p: &Publisher) -> Node {
        let c = Node::iri(format!("{}publishers/{}/#contact", self.base, p.slug));
        if !g.first_description(&c) {
            return c;
        }
        g.types(&c, &[t::KIND, t::VCARD_ORGANIZATION]);
        g.add(&c, t::FN, Object::text(p.contact_name.as_str()));
        if let Some(email) = &p.contact_email {
            g.add(&c, t::HAS_EMAIL, Object::iri(format!("mailto:{email}")));
        }
        if let Some(site) = &p.website {
            g.add(&c, t::HAS_URL, Object::iri(site));
        }
        c
    }

    /// Adds a territory as a `dct:Location`: the EU's Ukraine for the whole country, else its
    /// page's address with the KATOTTG code as identifier and the centre as centroid when a
    /// territory profile gives its coordinates.
    pub fn location(&self, g: &mut Graph, scope: &Scope) -> Node {
        let code = match scope {
            Scope::Country => return vocab::ukraine(g),
            Scope::Territory(code) => code,
        };
        // A settlement has no page of its own: its code under the base URL still names it.
        let path = territory_href(self.catalog, code).unwrap_or_else(|| format!("katottg/{code}"));
        // The IRI names one code (its folder is the code's category), so it stands for the code.
        let l = Node::iri(format!("{}{path}", self.base));
        if !g.first_description(&l) {
            return l;
        }
        g.types(&l, &[t::LOCATION]);
        g.add(&l, t::IDENTIFIER, Object::text(code.to_string()));
        if let Some(territory) = self.catalog.registry.get(code) {
            g.add(
                &l,
                t::PREF_LABEL,
                Object::lang(territory.name.as_str(), "uk"),
            );
        }
        if let Some(wkt) = self.centroid(code) {
            g.add(&l, t::CENTROID, Object::typed(wkt, t::WKT));
        }
        l
    }

    /// `POINT(lon lat)` from the territory's profile facts, when both are numbers in range.
    fn centroid(&self, code: &KatottgCode) -> Option<String> {
        let facts = self.validated.facts.get(code)?;
        let fact = |f: Fact| {
            let v = facts.iter().find(|v| v.fact == f)?;
            v.value.trim().replace(',', ".").parse::<f64>().ok()
        };
        let (lat, lon) = (fact(Fact::Latitude)?, fact(Fact::Longitude)?);
        ((-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon))
            .then(|| format!("POINT({lon} {lat})"))
    }

    /// Adds the description of `d`; `None` (nothing added) when it has no validation result,
    /// as then none of its files is published.
    pub fn dataset(&self, g: &mut Graph, d: &Dataset) -> Option<Node> {
        let result = self.validated.datasets.get(&d.id)?;
        let s = self.dataset_iri(&d.id);
        let page = self.urls().dataset(d, false);
        g.types(&s, &[t::DATASET]);
        // The IRI, not the bare name: harvesters take `dct:identifier` as the dataset's key, and
        // names like `budget-revenues` repeat across hromadas' catalogues.
        g.add(&s, t::IDENTIFIER, Object::text(format!("{page}#dataset")));
        local_text(g, &s, t::TITLE, &d.title);
        // The description is mandatory in DCAT-AP; a dataset without one is described by its title.
        let description = if d.description.uk.trim().is_empty() {
            &d.title
        } else {
            &d.description
        };
        local_text(g, &s, t::DESCRIPTION, description);
        for k in &d.keywords {
            g.add(&s, t::KEYWORD, Object::lang(k.as_str(), "uk"));
        }
        for k in &d.keywords_en {
            g.add(&s, t::KEYWORD, Object::lang(k.as_str(), "en"));
        }
        let landing = Node::iri(&page);
        g.add(&s, t::LANDING_PAGE, landing.clone());
        g.types(&landing, &[t::DOCUMENT]);
        let uk = vocab::language(g, "uk");
        g.add(&s, t::LANGUAGE, uk);
        if let Some(v) = d.issued {
            g.add(&s, t::ISSUED, date(v));
        }
        if let Some(v) = d.modified {
            g.add(&s, t::MODIFIED, date(v));
        }
        if let Some(v) = &d.version {
            g.add(&s, t::VERSION, Object::text(v.as_str()));
        }
        self.coverage(g, &s, d, &page);
        if let Some(p) = self.catalog.publishers.get(&d.publisher) {
            let a = self.agent(g, p);
            g.add(&s, t::PUBLISHER, a);
            let c = self.contact(g, p);
            g.add(&s, t::CONTACT_POINT, c);
        }
        let license = self.dataset_license(g, d);
        for (r, res) in d.resources.iter().zip(&result.resources) {
            let dist = self.distribution(g, d, r, res, license.as_ref());
            g.add(&s, t::DISTRIBUTION_P, dist);
        }
        Some(s)
    }

    /// Adds when and where: update frequency, territories and period (`<page>#period`).
    fn coverage(&self, g: &mut Graph, s: &Node, d: &Dataset, page: &str) {
        if let Some(f) = d.frequency {
            let f = vocab::frequency(g, f);
            g.add(s, t::ACCRUAL, f);
        }
        for scope in &d.spatial {
            let l = self.location(g, scope);
            g.add(s, t::SPATIAL, l);
        }
        if let Some((start, end)) = d.temporal {
            let p = Node::iri(format!("{page}#period"));
            g.add(s, t::TEMPORAL, p.clone());
            g.types(&p, &[t::PERIOD]);
            g.add(&p, t::START_DATE, date(start));
            g.add(&p, t::END_DATE, date(end));
        }
    }

    /// The first declared licence with an IRI, else the catalogue's default.
    fn dataset_license(&self, g: &mut Graph, d: &Dataset) -> Option<Node> {
        if d.licenses.is_empty() {
            return self.default_license(g);
        }
        let l = d
            .licenses
            .iter()
            .find_map(|l| vocab::license_iri(l).map(|i| (i, l)))?;
        Some(vocab::license(g, &l.0, l.1.title.as_deref()))
    }

    fn distribution(
        &self,
        g: &mut Graph,
        d: &Dataset,
        r: &Resource,
        res: &ResourceResult,
        license: Option<&Node>,
    ) -> Node {
        let dir = format!("{}datasets/{}/", self.base, d.id);
        let name = url_path(&r.name);
        let s = Node::iri(format!("{dir}#distribution-{name}"));
        g.types(&s, &[t::DISTRIBUTION]);
        g.add(
            &s,
            t::TITLE,
            Object::lang(r.title.clone().unwrap_or_else(|| r.name.clone()), "uk"),
        );
        if let Some(text) = r.description.as_deref().filter(|t| !t.trim().is_empty()) {
            g.add(&s, t::DESCRIPTION, Object::lang(text, "uk"));
        }
        let file = Node::iri(self.urls().download(d, r));
        g.add(&s, t::ACCESS_URL, file.clone());
        g.add(&s, t::DOWNLOAD_URL, file);
        g.add(
            &s,
            t::BYTE_SIZE,
            Object::typed(res.digest.bytes.to_string(), t::NON_NEGATIVE_INTEGER),
        );
        // IRIs rather than blank nodes for the checksum and the period: harvesters can keep them
        // across harvests, and graphs without blank nodes compare in linear time.
        let sum = Node::iri(format!("{dir}#checksum-{name}"));
        g.add(&s, t::CHECKSUM, sum.clone());
        g.types(&sum, &[t::CHECKSUM_C]);
        let algorithm = Node::iri(t::SHA256_HTTPS);
        g.add(&sum, t::ALGORITHM, algorithm.clone());
        if g.first_description(&algorithm) {
            g.types(&algorithm, &[t::CHECKSUM_ALGORITHM]);
            g.add(&algorithm, t::SAME_AS, Node::iri(t::SHA256));
        }
        g.add(
            &sum,
            t::CHECKSUM_VALUE,
            Object::typed(res.digest.sha256.as_str(), t::HEX_BINARY),
        );
        if let Some(f) = vocab::file_type(g, &r.format) {
            g.add(&s, t::FORMAT, f);
        }
        if let Some(m) = vocab::media_type(g, r.mediatype.as_deref(), &r.format) {
            g.add(&s, t::MEDIA_TYPE, m);
        }
        if let Some(l) = license {
            g.add(&s, t::LICENSE, l.clone());
        }
        s
    }
}
