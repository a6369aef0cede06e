#!/usr/bin/env python3
"""Checks hromadata's DCAT-AP output: for each Turtle file given, that it parses (rdflib), that
the JSON-LD file beside it is the same graph (rdflib `isomorphic`), and that pySHACL finds no
violation of the official DCAT-AP 3.0.1 shapes (shapes.ttl, range.ttl, mdr-vocabularies.shape.ttl).

Prints one line of counts per file (triples, violations, warnings, infos) and exits 1 on any
violation or difference, with pySHACL's report text. Nothing is fetched: the shapes are read from
--shapes, owl:imports are not followed, and the JSON-LD carries its own @context.

The shapes are used exactly as shipped. (Their checksum-algorithm rule accepts only IRIs starting
with https://spdx.org/rdf/terms; hromadata writes that form, owl:sameAs the http:// SPDX term.)

Usage: dcat_check.py --shapes DIR FILE.ttl [FILE.ttl ...]
"""

import argparse
import re
import sys
from pathlib import Path

import pyshacl
from rdflib import Graph, Namespace, URIRef
from rdflib.compare import isomorphic, to_isomorphic, graph_diff

SH = Namespace("http://www.w3.org/ns/shacl#")
SHAPE_FILES = ["shapes.ttl", "range.ttl", "mdr-vocabularies.shape.ttl"]
# A JSON-LD page of a paged catalogue links the JSON-LD pages where the Turtle page links the
# Turtle pages; compared as Turtle.
PAGE_LINK = re.compile(r"(catalog|/catalog/page/\d+)\.jsonld$")


def load_shapes(folder):
    shapes = Graph()
    for name in SHAPE_FILES:
        shapes.parse(folder / name, format="turtle")
    return shapes


def validate(data, shapes):
    conforms, results, text = pyshacl.validate(
        data,
        shacl_graph=shapes,
        inference="none",
        abort_on_first=False,
        allow_warnings=True,
        meta_shacl=False,
        advanced=False,
        do_owl_imports=False,
    )
    # Only the report's own results: nested ones (sh:detail) explain a result, they are not more.
    top = set(results.objects(None, SH.result))
    counts = {}
    for severity in ("Violation", "Warning", "Info"):
        counts[severity] = len(top & set(results.subjects(SH.resultSeverity, SH[severity])))
    return counts, results, text


def jsonld_as_turtle_links(graph):
    out = Graph()
    fix = lambda t: URIRef(PAGE_LINK.sub(r"\1.ttl", str(t))) if isinstance(t, URIRef) else t
    for s, p, o in graph:
        out.add((fix(s), p, fix(o)))
    return out


def check(path, shapes):
    problems = []
    data = Graph().parse(path, format="turtle")
    jsonld_path = path.with_suffix(".jsonld")
    ld = jsonld_as_turtle_links(Graph().parse(jsonld_path, format="json-ld"))
    if not isomorphic(data, ld):
        _, only_ttl, only_ld = graph_diff(to_isomorphic(data), to_isomorphic(ld))
        problems.append(
            f"{jsonld_path} is not the graph of {path}:\n"
            f"only in Turtle:\n{only_ttl.serialize(format='nt')}\n"
            f"only in JSON-LD:\n{only_ld.serialize(format='nt')}"
        )
    same = not problems
    counts, _, text = validate(data, shapes)
    if counts["Violation"]:
        problems.append(f"{path}: pySHACL report:\n{text}")
    print(
        f"{path}: {len(data)} triples, JSON-LD {len(ld)} triples "
        f"({'isomorphic' if same else 'DIFFERENT'}), "
        f"{counts['Violation']} violations, {counts['Warning']} warnings, {counts['Info']} infos"
    )
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shapes", type=Path, required=True)
    parser.add_argument("files", type=Path, nargs="+")
    args = parser.parse_args()
    shapes = load_shapes(args.shapes)
    problems = []
    for f in args.files:
        problems += check(f, shapes)
    for p in problems:
        print(p, file=sys.stderr)
    print(f"{len(args.files)} file(s) checked, {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
