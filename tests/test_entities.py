"""Entity pages: HTML and RDF of one IRI by content negotiation and by suffix, the
resolver for outside IRIs, class pages, the 404 page, and escaping of what the data holds."""

from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import rdflib
from rdflib.compare import isomorphic

BASE = "https://w3id.org/gfmd-kg/"
GFMD = rdflib.Namespace(BASE + "ontology#")
SKOS = rdflib.Namespace("http://www.w3.org/2004/02/skos/core#")
LORENZ = BASE + "id/person/soenke-lorenz"
LORENZ_PAGE = "/id/person/soenke-lorenz"
HTML = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}

#: media type -> (URL suffix, rdflib parser name)
RDF_TYPES = {
    "text/turtle": (".ttl", "turtle"),
    "application/ld+json": (".jsonld", "json-ld"),
    "application/n-triples": (".nt", "nt"),
    "application/rdf+xml": (".rdf", "xml"),
}


def parse(data: bytes, fmt: str) -> rdflib.Graph:
    graph = rdflib.Graph()
    graph.parse(data=data, format=fmt)
    return graph


def text_of(html: str) -> str:
    """The visible text, tags dropped and entities resolved (for phrase checks)."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


# ------------------------------------------------------------------ the HTML page

def test_person_page_shows_name_post_links_and_citation(client: Any) -> None:
    response = client.get(LORENZ_PAGE, headers=HTML)
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    text = text_of(html)
    assert re.search(r"<h1[^>]*>Sönke Lorenz</h1>", html)
    assert "<title>Sönke Lorenz" in html
    # his post, as a link to its page, with the graph that states it
    assert 'href="/id/post/gfmd-co-chair-germany-representative"' in html
    assert "Representative of the German GFMD Co-Chair" in text
    # types linked to their class pages
    assert f'href="/class?iri={quote("http://xmlns.com/foaf/0.1/Person")}"' in html
    # incoming links grouped by property, with counts
    assert "Referenced by" in text
    assert "made by (4)" in text
    assert 'href="/id/statement/lorenz-closing-thanks"' in html
    # citations back to the report with their locators
    assert "Paragraph 2 (welcome and the three opening speakers)" in text
    assert "Paragraph 6 (closing words)" in text
    assert "Report of the GFMD-ILO Thematic Workshop" in text
    # the named graph of each statement, as badges
    assert 'class="badge report"' in html
    assert 'class="badge inferred"' in html
    # other labels, property labels in words
    assert "Soenke Lorenz" in text and "Mr. Sönke" in text
    assert "held by" in text and "preferred label" in text


def test_person_page_has_neighbourhood_graph_data(client: Any) -> None:
    html = client.get(LORENZ_PAGE, headers=HTML).get_data(as_text=True)
    match = re.search(r'<script id="neighbourhood-data" type="application/json">(.*?)</script>',
                      html, re.S)
    assert match
    data = json.loads(match.group(1))
    ids = {n["id"] for n in data["nodes"]}
    assert data["center"] == LORENZ and LORENZ in ids
    assert BASE + "id/post/gfmd-co-chair-germany-representative" in ids
    assert 2 <= len(ids) <= 40
    assert all(n["url"].startswith("/") for n in data["nodes"])
    assert all(e["from"] in ids and e["to"] in ids for e in data["edges"])
    assert '<script src="/vendor/vis-network/vis-network.min.js"></script>' in html


def test_page_advertises_alternates_and_varies_on_accept(client: Any) -> None:
    response = client.get(LORENZ_PAGE, headers=HTML)
    assert "Accept" in response.headers["Vary"]
    link = response.headers["Link"]
    html = response.get_data(as_text=True)
    for mime, (suffix, _fmt) in RDF_TYPES.items():
        href = LORENZ_PAGE + suffix
        assert f'<{href}>; rel="alternate"; type="{mime}"' in link
        assert f'<link rel="alternate" type="{mime}" href="{href}"' in html
        assert f'<a href="{href}"' in html  # a visible download link too


# ------------------------------------------------------------------ RDF descriptions

@pytest.fixture(scope="module")
def lorenz_graphs(app: Any) -> dict[str, rdflib.Graph]:
    client = app.test_client()
    graphs = {}
    for mime, (suffix, fmt) in RDF_TYPES.items():
        by_accept = client.get(LORENZ_PAGE, headers={"Accept": mime})
        assert by_accept.status_code == 200, by_accept.data
        assert by_accept.mimetype == mime
        assert "Accept" in by_accept.headers["Vary"]
        assert "rel=\"alternate\"" in by_accept.headers["Link"]
        by_suffix = client.get(LORENZ_PAGE + suffix)
        assert by_suffix.status_code == 200 and by_suffix.mimetype == mime
        graphs[mime] = parse(by_accept.data, fmt)
        assert isomorphic(graphs[mime], parse(by_suffix.data, fmt)), suffix
    return graphs


def test_rdf_formats_agree(lorenz_graphs: dict[str, rdflib.Graph]) -> None:
    turtle = lorenz_graphs["text/turtle"]
    assert len(turtle) > 20
    for mime, graph in lorenz_graphs.items():
        assert isomorphic(graph, turtle), mime


def test_rdf_holds_outgoing_incoming_and_citations(
        lorenz_graphs: dict[str, rdflib.Graph]) -> None:
    graph = lorenz_graphs["text/turtle"]
    me = rdflib.URIRef(LORENZ)
    assert (me, SKOS.prefLabel, rdflib.Literal("Sönke Lorenz", lang="en")) in graph
    assert (rdflib.URIRef(BASE + "id/statement/lorenz-closing-thanks"), GFMD.madeBy,
            me) in graph
    citation = rdflib.URIRef(BASE + "id/citation/report-2018-paragraph-2")
    assert (me, GFMD.hasCitation, citation) in graph
    assert (citation, GFMD.locator,
            rdflib.Literal("Paragraph 2 (welcome and the three opening speakers)")) in graph


def test_rdf_by_format_parameter_and_406(client: Any) -> None:
    response = client.get(LORENZ_PAGE + "?format=ttl")
    assert response.mimetype == "text/turtle"
    assert client.get(LORENZ_PAGE + "?format=html").mimetype == "text/html"
    assert client.get(LORENZ_PAGE, headers={"Accept": "image/png"}).status_code == 406
    assert client.get(LORENZ_PAGE + "?format=nonsense").status_code == 400


def test_blank_nodes_are_nested_and_exported(client: Any) -> None:
    iri = BASE + "ontology#identifiedIn"
    page = f"/resource?iri={quote(iri, safe='')}"
    html = client.get(page, headers=HTML).get_data(as_text=True)
    assert 'class="bnode"' in html and 'class="rdf-list"' in html
    assert f'href="/resource?iri={quote(BASE + "ontology#Challenge", safe="")}"' in html
    graphs = [parse(client.get(f"{page}&format={name}").data, fmt)
              for name, fmt in (("ttl", "turtle"), ("jsonld", "json-ld"), ("nt", "nt"),
                                ("rdfxml", "xml"))]
    assert any(isinstance(o, rdflib.BNode) for o in graphs[0].objects())
    assert all(isomorphic(g, graphs[0]) for g in graphs)


# ------------------------------------------------------------------ outside IRIs, 404

def test_resource_resolves_an_sdg_target(client: Any) -> None:
    iri = "http://metadata.un.org/sdg/10.7"
    response = client.get(f"/resource?iri={quote(iri, safe='')}", headers=HTML)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f"<code>{iri}</code>" in html
    assert f'href="{iri}"' in html  # the original, an http(s) IRI
    assert "Referenced by" in html
    assert 'href="/id/objective/gcm-18"' in html
    assert f'/resource?iri={quote(iri, safe="")}&amp;format=ttl' in html
    rdf = client.get(f"/resource?iri={quote(iri, safe='')}",
                     headers={"Accept": "text/turtle"})
    assert rdf.mimetype == "text/turtle"
    assert (rdflib.URIRef(BASE + "id/objective/gcm-18"), GFMD.contributesTo,
            rdflib.URIRef(iri)) in parse(rdf.data, "turtle")


def test_resource_resolves_an_outside_class(client: Any) -> None:
    response = client.get("/resource?iri=https://schema.org/Event", headers=HTML)
    assert response.status_code == 200
    assert "list its instances" in response.get_data(as_text=True)


def test_every_value_link_on_a_page_resolves(client: Any) -> None:
    html = client.get(LORENZ_PAGE, headers=HTML).get_data(as_text=True)
    hrefs = set(re.findall(r'href="(/(?:id|resource|class)[^"]*)"', html))
    assert len(hrefs) > 10
    for href in sorted(hrefs):
        response = client.get(unescape(href), headers=HTML)
        assert response.status_code == 200, href


def test_unknown_iri_gets_404_page_offering_search(client: Any) -> None:
    response = client.get("/id/person/jane-nobody", headers=HTML)
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert 'action="/search"' in html
    assert re.search(r'<input[^>]*name="q"[^>]*value="jane nobody"', html)
    assert re.search(r'<label for="nf-q">', html)
    assert client.get("/id/person/jane-nobody.ttl").status_code == 404
    assert client.get("/resource?iri=not%20an%20iri", headers=HTML).status_code == 404
    assert client.get("/resource").status_code == 400


# ------------------------------------------------------------------ class pages

CHALLENGE = BASE + "ontology#Challenge"


def test_class_page_lists_the_twelve_challenges(client: Any) -> None:
    response = client.get(f"/class?iri={quote(CHALLENGE, safe='')}", headers=HTML)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Instances (12)" in text_of(html)
    assert len(re.findall(r'<li><a class="iri" href="/id/challenge/', html)) == 12


def test_class_page_is_paged(client: Any) -> None:
    seen: set[str] = set()
    for page, expected in ((1, 5), (2, 5), (3, 2)):
        html = client.get(f"/class?iri={quote(CHALLENGE, safe='')}&per_page=5&page={page}",
                          headers=HTML).get_data(as_text=True)
        found = re.findall(r'<li><a class="iri" href="(/id/challenge/[^"]+)"', html)
        assert len(found) == expected
        assert f"page {page} of 3" in html
        seen.update(found)
    assert len(seen) == 12


def test_entity_types_link_to_class_pages(client: Any) -> None:
    html = client.get("/id/challenge/" + _a_challenge(client), headers=HTML).get_data(
        as_text=True)
    assert f'href="/class?iri={quote(CHALLENGE)}"' in html


def _a_challenge(client: Any) -> str:
    html = client.get(f"/class?iri={quote(CHALLENGE, safe='')}").get_data(as_text=True)
    match = re.search(r'href="/id/challenge/([^"]+)"', html)
    assert match
    return match.group(1)


def test_incoming_links_are_paged_per_property(client: Any) -> None:
    page = "/id/document/gfmd-ilo-workshop-report-2018"
    html = client.get(page, headers=HTML).get_data(as_text=True)
    match = re.search(r"had primary source</a> <span class=\"count\">\((\d+)\)", html)
    assert match and int(match.group(1)) > 20
    total = int(match.group(1))
    prop = quote("http://www.w3.org/ns/prov#hadPrimarySource")
    assert f'href="?prop={prop}&amp;page=2"' in html
    last = -(-total // 20)
    html = client.get(f"{page}?prop={prop}&page={last}", headers=HTML).get_data(as_text=True)
    assert f"page {last} of {last}" in html


# ------------------------------------------------------------------ escaping

def test_values_from_the_data_are_escaped(cache_dir: Path) -> None:
    from gfmd_kg.web import create_app

    writer_app = create_app({"TESTING": True, "cache_dir": str(cache_dir),
                             "update_token": "t"})
    try:
        client = writer_app.test_client()
        update = (
            "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
            "INSERT DATA { GRAPH <http://example.org/test> { "
            f"<{BASE}id/test/xss> skos:prefLabel \"<script>alert(1)</script>\"@en ; "
            "skos:definition \"<img src=x onerror=alert(2)>\" ; "
            "<http://www.w3.org/2000/01/rdf-schema#seeAlso> <javascript:alert(3)> , "
            f"<{LORENZ}> . }} }}")
        response = client.post("/sparql", data={"update": update},
                               headers={"Authorization": "Bearer t"})
        assert response.status_code in (200, 204), response.data
        page = client.get("/id/test/xss", headers=HTML)
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "<script>alert" not in html
        assert "<img src=x" not in html and "&lt;img src=x" in html
        # only our three script elements: the graph data, vis-network, entity.js
        assert html.count("<script") == 3
        assert 'href="javascript:' not in html.lower()
        assert 'href="/resource?iri=javascript%3Aalert%283%29"' in html
        # the other graph gets its own badge; Sönke's page now lists the new link
        assert 'class="badge other"' in html
        lorenz = client.get(LORENZ_PAGE, headers=HTML).get_data(as_text=True)
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in lorenz
        assert "<script>alert" not in lorenz
        hits = client.get("/search?q=script+alert&format=json").get_json()
        assert hits["results"][0]["iri"] == f"{BASE}id/test/xss"
    finally:
        writer_app.extensions["gfmd_kg"].close()
