"""The ontology documentation at /ontology (Flask test client): the header, a section for
every class and property of ontology/gfmd.ttl, the class hierarchy, the vocabularies, and
the ontology itself in RDF by content negotiation and by suffix."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import quote

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from gfmd_kg.settings import PROJECT_ROOT
from gfmd_kg.vocab import VANN

# rdflib's JSON-LD parser still builds a ConjunctiveGraph
pytestmark = pytest.mark.filterwarnings(
    "ignore:ConjunctiveGraph is deprecated:DeprecationWarning")

ONTOLOGY_FILE = PROJECT_ROOT / "ontology" / "gfmd.ttl"
ONTOLOGY = URIRef("https://w3id.org/gfmd-kg/ontology")
NS = "https://w3id.org/gfmd-kg/ontology#"
TERM_TYPES = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)

#: Media type -> rdflib parser name.
RDF_TYPES = {
    "text/turtle": "turtle",
    "application/rdf+xml": "xml",
    "application/ld+json": "json-ld",
    "application/n-triples": "nt",
}
SUFFIXES = {"ttl": "text/turtle", "rdf": "application/rdf+xml",
            "jsonld": "application/ld+json", "nt": "application/n-triples"}


# ---------------------------------------------------------------- a small HTML tree

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    children: list[Element | str] = field(default_factory=list)

    def iter(self) -> Iterator[Element]:
        yield self
        for child in self.children:
            if isinstance(child, Element):
                yield from child.iter()

    def text(self) -> str:
        parts = [c if isinstance(c, str) else c.text() for c in self.children]
        return re.sub(r"\s+", " ", "".join(parts)).strip()

    def find_all(self, tag: str | None = None, **attrs: str) -> list[Element]:
        return [e for e in self.iter() if (tag is None or e.tag == tag)
                and all(e.attrs.get(k.rstrip("_")) == v for k, v in attrs.items())]

    def by_id(self, ident: str) -> Element | None:
        found = self.find_all(id=ident)
        return found[0] if found else None

    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def fields(self) -> dict[str, Element]:
        """The <dd> of each <dt> of the first <dl> (dt text -> dd)."""
        out: dict[str, Element] = {}
        dl = self.find_all("dl")[0]
        name = None
        for child in dl.children:
            if isinstance(child, Element) and child.tag == "dt":
                name = child.text()
            elif isinstance(child, Element) and child.tag == "dd" and name is not None:
                out[name] = child
        return out


class TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#root", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(element)
        if tag not in VOID:
            self.stack.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(Element(tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse_html(text: str) -> Element:
    builder = TreeBuilder()
    builder.feed(text)
    builder.close()
    return builder.root


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def reference() -> Graph:
    return Graph().parse(ONTOLOGY_FILE, format="turtle")


@pytest.fixture(scope="module")
def html_page(app: Any) -> str:
    response = app.test_client().get("/ontology", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    text: str = response.get_data(as_text=True)
    return text


@pytest.fixture(scope="module")
def dom(html_page: str) -> Element:
    return parse_html(html_page)


def our_terms(reference: Graph) -> list[URIRef]:
    terms = {s for t in TERM_TYPES for s in reference.subjects(RDF.type, t)
             if isinstance(s, URIRef) and str(s).startswith(NS)}
    return sorted(terms)


def section(dom: Element, local: str) -> Element:
    found = dom.by_id(local)
    assert found is not None, f"no element with id={local!r} on /ontology"
    return found


def english(graph: Graph, subject: URIRef, predicate: URIRef) -> str:
    for o in graph.objects(subject, predicate):
        if isinstance(o, Literal) and o.language in (None, "en"):
            return re.sub(r"\s+", " ", str(o)).strip()
    raise AssertionError(f"{subject} has no English {predicate}")


# ---------------------------------------------------------------- the page


def test_header_shows_the_ontology_metadata(dom: Element, reference: Graph) -> None:
    header = section(dom, "doc-metadata")
    text = header.text()
    assert dom.find_all("h1")[0].text() == english(reference, ONTOLOGY, DCTERMS.title)
    assert english(reference, ONTOLOGY, DCTERMS.description) in text
    fields = header.fields()
    assert fields["Ontology IRI"].text() == str(ONTOLOGY)
    assert fields["Version IRI"].text() == str(reference.value(ONTOLOGY, OWL.versionIRI))
    assert fields["Version"].text() == str(reference.value(ONTOLOGY, OWL.versionInfo))
    assert fields["Created"].text() == str(reference.value(ONTOLOGY, DCTERMS.created))
    assert fields["Creator"].text() == str(reference.value(ONTOLOGY, DCTERMS.creator))
    licence = str(reference.value(ONTOLOGY, DCTERMS.license))
    assert [a.attrs["href"] for a in fields["Licence"].find_all("a")] == [licence]
    assert fields["Preferred prefix"].text() == str(
        reference.value(ONTOLOGY, VANN.preferredNamespacePrefix))
    assert fields["Preferred namespace"].text() == str(
        reference.value(ONTOLOGY, VANN.preferredNamespaceUri))
    # the titles in the other languages, marked with their language
    for title in reference.objects(ONTOLOGY, DCTERMS.title):
        assert isinstance(title, Literal)
        assert any(e.text() == str(title) for e in header.find_all(lang=title.language or ""))
    downloads = {a.attrs["href"] for a in fields["Download"].find_all("a")}
    assert {f"/ontology.{s}" for s in SUFFIXES} <= downloads


def test_head_links_the_rdf_alternates(dom: Element) -> None:
    alternates = {link.attrs.get("type"): link.attrs.get("href")
                  for link in dom.find_all("link", rel="alternate")}
    assert alternates["text/turtle"] == "/ontology.ttl"
    assert alternates["application/rdf+xml"] == "/ontology.rdf"
    assert alternates["application/ld+json"] == "/ontology.jsonld"
    assert alternates["application/n-triples"] == "/ontology.nt"


def test_every_class_and_property_has_its_section(dom: Element, reference: Graph) -> None:
    terms = our_terms(reference)
    assert len(terms) > 80  # 34 classes and ~50 properties: the list is not empty by mistake
    problems: list[str] = []
    for term in terms:
        local = str(term)[len(NS):]
        found = dom.by_id(local)
        if found is None or found.tag != "section":
            problems.append(f"{local}: no <section id={local!r}>")
            continue
        text = found.text()
        if str(term) not in text:
            problems.append(f"{local}: IRI not shown")
        labels = [o for o in reference.objects(term, RDFS.label) if isinstance(o, Literal)]
        if {o.language for o in labels} != {"en", "fr", "es"}:
            problems.append(f"{local}: the ontology file lacks a label in en, fr or es")
        for label in labels:
            tagged = found.find_all(lang=label.language or "")
            if not any(e.text() == str(label) for e in tagged):
                problems.append(f"{local}: label {label!r}@{label.language} not shown")
        definitions = [o for o in reference.objects(term, SKOS.definition)]
        if not definitions:
            problems.append(f"{local}: the ontology file gives no skos:definition")
        for definition in definitions:
            if re.sub(r"\s+", " ", str(definition)) not in text:
                problems.append(f"{local}: definition not shown")
        for note in reference.objects(term, SKOS.scopeNote):
            if str(note) not in text:
                problems.append(f"{local}: scope note not shown")
    assert problems == []
    shown = dom.find_all("section")
    assert len([s for s in shown if "onto-term" in s.classes()]) == len(terms)


def test_ids_are_unique(dom: Element) -> None:
    ids = [e.attrs["id"] for e in dom.iter() if "id" in e.attrs]
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})


def test_contents_link_every_term(dom: Element, reference: Graph) -> None:
    toc = section(dom, "doc-contents")
    hrefs = {a.attrs["href"] for a in toc.find_all("a")}
    assert {f"#{str(t)[len(NS):]}" for t in our_terms(reference)} <= hrefs
    for part in ("#doc-metadata", "#doc-hierarchy", "#doc-classes", "#doc-object-properties",
                 "#doc-datatype-properties", "#doc-vocabularies"):
        assert part in hrefs
        assert section(dom, part[1:]) is not None


def test_made_by_shows_domain_range_inverse_and_super_property(dom: Element) -> None:
    fields = section(dom, "madeBy").fields()
    assert fields["Domain"].text() == "gfmd:Statement"
    assert [a.attrs["href"] for a in fields["Domain"].find_all("a")] == ["#Statement"]
    assert fields["Range"].text() == "foaf:Person"
    assert [a.attrs["href"] for a in fields["Range"].find_all("a")] == [
        "http://xmlns.com/foaf/0.1/Person"]
    assert fields["Inverse of"].text() == "gfmd:made"
    assert fields["Super-properties"].text() == "prov:wasAttributedTo"
    # and the other way round
    assert section(dom, "made").fields()["Inverse of"].text() == "gfmd:madeBy"


def test_a_union_reads_as_a_or_b(dom: Element) -> None:
    assert section(dom, "concerns").fields()["Domain"].text() == \
        "gfmd:Challenge or gfmd:Opportunity"
    assert section(dom, "isConcernedBy").fields()["Range"].text() == \
        "gfmd:Challenge or gfmd:Opportunity"
    # the Challenge class lists the properties whose domain names it inside the union
    assert "gfmd:concerns" in section(dom, "Challenge").fields()["In the domain of"].text()


def test_characteristics_and_datatypes(dom: Element) -> None:
    fields = section(dom, "identifiedIn").fields()
    assert fields["Characteristics"].text() == "functional"
    assert fields["Range"].text() == "gfmd:WorkshopSession"
    assert section(dom, "sessionNumber").fields()["Range"].text() == "xsd:positiveInteger"
    assert "Characteristics" not in section(dom, "madeBy").fields()
    assert section(dom, "position").fields()["Domain"].text() == "not restricted"


def test_class_fields_hierarchy_and_disjointness(dom: Element) -> None:
    challenge = section(dom, "Challenge").fields()
    assert challenge["Super-classes"].text() == "prov:Entity"
    # owl:disjointWith and the AllDisjointClasses axiom both count
    assert challenge["Disjoint with"].text() == "gfmd:Opportunity, gfmd:Statement"
    assert "gfmd:Challenge" in section(dom, "Opportunity").fields()["Disjoint with"].text()
    opening = section(dom, "OpeningSession").fields()["Disjoint with"].text()
    assert opening == "gfmd:ClosingSession, gfmd:WorkshopSession"
    workshop = section(dom, "Workshop").fields()
    assert workshop["Sub-classes"].text() == "gfmd:ThematicWorkshop"
    state = section(dom, "State").fields()["Super-classes"].text()
    assert "gfmd:Stakeholder" in state and "org:Organization" in state


def test_class_page_link(dom: Element, reference: Graph) -> None:
    for cls in reference.subjects(RDF.type, OWL.Class):
        if isinstance(cls, URIRef) and str(cls).startswith(NS):
            links = section(dom, str(cls)[len(NS):]).find_all("a", class_="onto-instances")
            assert [a.attrs["href"] for a in links] == [f"/class?iri={quote(str(cls), safe='')}"]
    assert section(dom, "madeBy").find_all("a", class_="onto-instances") == []


def test_class_hierarchy_nests_thematic_workshop_under_workshop(dom: Element,
                                                                reference: Graph) -> None:
    tree = section(dom, "doc-hierarchy")
    workshops = tree.find_all("li", **{"data-term": "gfmd:Workshop"})
    assert len(workshops) == 1
    nested = workshops[0].find_all("li", **{"data-term": "gfmd:ThematicWorkshop"})
    assert len(nested) == 1
    # Workshop itself sits under the external class it specialises
    events = tree.find_all("li", **{"data-term": "schema:Event"})
    assert events and events[0].find_all("li", **{"data-term": "gfmd:Workshop"})
    # every class of ours is somewhere in the tree, and the roots are external classes
    shown = {li.attrs["data-term"] for li in tree.find_all("li")}
    for term in our_terms(reference):
        if (term, RDF.type, OWL.Class) in reference:
            assert f"gfmd:{str(term)[len(NS):]}" in shown
    top = tree.find_all("ul")[0]
    roots = [c.attrs["data-term"] for c in top.children if isinstance(c, Element)]
    assert "foaf:Agent" in roots and "prov:Entity" in roots
    assert not any(r.startswith("gfmd:") for r in roots)


def test_vocabularies_table(dom: Element) -> None:
    table = section(dom, "doc-vocabularies").find_all("table")[0]
    rows = {}
    for tr in table.find_all("tr")[1:]:
        cells = [c for c in tr.children if isinstance(c, Element)]
        rows[cells[0].text()] = [c.text() for c in cells]
    for prefix in ("org:", "foaf:", "schema:", "prov:", "skos:", "dcterms:", "time:"):
        assert prefix in rows, prefix
    assert rows["org:"][1] == "http://www.w3.org/ns/org#"
    assert "org:Membership" in rows["org:"][3]
    assert "schema:Event" in rows["schema:"][3]
    assert "gfmd:" not in rows


# ---------------------------------------------------------------- RDF


@pytest.mark.parametrize("media_type", list(RDF_TYPES))
def test_rdf_by_accept_is_the_ontology(client: Any, reference: Graph, media_type: str) -> None:
    response = client.get("/ontology", headers={"Accept": media_type})
    assert response.status_code == 200
    assert response.mimetype == media_type
    assert "Accept" in response.headers.get("Vary", "")
    served = Graph().parse(data=response.data, format=RDF_TYPES[media_type])
    assert isomorphic(served, reference)


@pytest.mark.parametrize("suffix", list(SUFFIXES))
def test_rdf_by_suffix_is_the_ontology(client: Any, reference: Graph, suffix: str) -> None:
    response = client.get(f"/ontology.{suffix}")
    assert response.status_code == 200
    assert response.mimetype == SUFFIXES[suffix]
    served = Graph().parse(data=response.data, format=RDF_TYPES[SUFFIXES[suffix]])
    assert isomorphic(served, reference)


def test_rdf_by_format_parameter(client: Any, reference: Graph) -> None:
    response = client.get("/ontology?format=ttl", headers={"Accept": "text/html"})
    assert response.mimetype == "text/turtle"
    assert isomorphic(Graph().parse(data=response.data, format="turtle"), reference)
    assert client.get("/ontology?format=nonsense").status_code == 400


def test_rdf_xml_opens_in_owl_tools(client: Any, reference: Graph) -> None:
    """What Protégé needs: well-formed RDF/XML with the owl:Ontology header, blank node ids
    that are XML names, and the same graph; owlready2 (an OWL tool) loads it."""
    data = client.get("/ontology", headers={
        "Accept": "application/rdf+xml, application/xml; q=0.7, text/xml; q=0.6, "
                  "text/plain; q=0.1, */*; q=0.09"}).data  # what Protégé sends
    root = ET.fromstring(data)
    assert root.tag == f"{{{RDF}}}RDF"
    headers = [e for e in root if e.get(f"{{{RDF}}}about") == str(ONTOLOGY)
               and (e.tag == f"{{{OWL}}}Ontology" or any(
                   t.tag == f"{{{RDF}}}type" and t.get(f"{{{RDF}}}resource") == str(OWL.Ontology)
                   for t in e))]
    assert headers, "no owl:Ontology header in the RDF/XML"
    node_ids = re.findall(rb'rdf:nodeID="([^"]*)"', data)
    assert node_ids and all(re.fullmatch(rb"[A-Za-z_][A-Za-z0-9_.-]*", n) for n in node_ids)
    served = Graph().parse(data=data, format="xml")
    assert (ONTOLOGY, RDF.type, OWL.Ontology) in served
    assert isomorphic(served, reference)

    import owlready2

    world = owlready2.World()
    onto = world.get_ontology(str(ONTOLOGY)).load(fileobj=io.BytesIO(data), format="rdfxml")
    names = {c.name for c in onto.classes()}
    assert {"Challenge", "Workshop", "ThematicWorkshop"} <= names
    assert onto.search_one(iri=f"{NS}madeBy") is not None


def test_html_is_the_default_and_varies_on_accept(client: Any) -> None:
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    for accept in (None, "*/*", browser, "text/html"):
        headers = {"Accept": accept} if accept else {}
        response = client.get("/ontology", headers=headers)
        assert response.status_code == 200, accept
        assert response.mimetype == "text/html", accept
        assert "Accept" in response.headers["Vary"]
    turtle_first = client.get("/ontology", headers={"Accept": "text/turtle, text/html;q=0.5"})
    assert turtle_first.mimetype == "text/turtle"


def test_406_for_an_image(client: Any) -> None:
    response = client.get("/ontology", headers={"Accept": "image/png"})
    assert response.status_code == 406
    assert "text/turtle" in response.get_data(as_text=True)
    assert "Accept" in response.headers["Vary"]


def test_other_paths(client: Any, reference: Graph) -> None:
    version = str(reference.value(ONTOLOGY, OWL.versionIRI)).rsplit("/", 1)[-1]
    assert client.get(f"/ontology/{version}").status_code == 200
    assert client.get("/ontology/1999-01-01").status_code == 404
    assert client.get("/ontology.png").status_code == 404
    head = client.head("/ontology.ttl")
    assert head.status_code == 200 and head.mimetype == "text/turtle"


def test_the_model_is_cached_by_triple_count(app: Any) -> None:
    from gfmd_kg.web.ontology_docs import EXTENSION, ontology_doc

    with app.test_request_context("/ontology"):
        first = ontology_doc()
        assert ontology_doc() is first
        (key,) = app.extensions[EXTENSION]
        assert key == ("https://w3id.org/gfmd-kg/graph/ontology", first.triples)


def test_values_are_escaped(app: Any, reference: Graph) -> None:
    from flask import render_template

    from gfmd_kg.ontodoc import build_doc

    hostile = Graph()
    for triple in reference:
        hostile.add(triple)
    term = URIRef(f"{NS}Challenge")
    hostile.add((term, RDFS.label, Literal("<script>alert(1)</script>", lang="fr")))
    hostile.add((term, SKOS.definition, Literal('"><img src=x onerror=alert(2)>', lang="en")))
    doc = build_doc(hostile, "https://w3id.org/gfmd-kg/")
    with app.test_request_context("/ontology"):
        page = render_template("ontology.html", doc=doc, downloads=[], section="ontology",
                               graph_iri="g")
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<img src=x" not in page


def test_under_another_base_the_ontology_iri_path_serves_the_page(cache_dir: Any,
                                                                   reference: Graph) -> None:
    """With base https://example.org/kg/ the ontology IRI is .../kg/ontology: that path (and
    /ontology) serves the page, whose terms carry the rebased IRIs."""
    from gfmd_kg.web import create_app

    base = "https://example.org/kg/"
    other = create_app({"TESTING": True, "cache_dir": str(cache_dir), "base_iri": base})
    try:
        client = other.test_client()
        for path in ("/kg/ontology", "/ontology"):
            response = client.get(path, headers={"Accept": "text/html"})
            assert response.status_code == 200, path
            challenge = section(parse_html(response.get_data(as_text=True)), "Challenge")
            assert challenge.fields()["IRI"].text() == f"{base}ontology#Challenge"
        turtle = client.get("/kg/ontology.ttl")
        served = Graph().parse(data=turtle.data, format="turtle")
        assert (URIRef(f"{base}ontology"), RDF.type, OWL.Ontology) in served
        assert len(served) == len(reference)
    finally:
        other.extensions["gfmd_kg"].close()
