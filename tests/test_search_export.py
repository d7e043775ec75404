"""Search over the label index (accents and case ignored, ranked) and the export downloads
(every graph in every format, round-tripping to the built dataset)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic

from gfmd_kg.build import Built
from gfmd_kg.labels import IndexCache, LabelIndex, fold

BASE = "https://w3id.org/gfmd-kg/"
LORENZ = BASE + "id/person/soenke-lorenz"
GCM_18 = BASE + "id/objective/gcm-18"
SKOS = "http://www.w3.org/2004/02/skos/core#"
HTML = {"Accept": "text/html"}


def search(client: Any, query: str) -> list[dict[str, Any]]:
    response = client.get(f"/search?q={quote(query)}&format=json")
    assert response.status_code == 200
    results: list[dict[str, Any]] = response.get_json()["results"]
    return results


# ------------------------------------------------------------------ search

def test_search_ignores_accents_and_case(client: Any) -> None:
    for query in ("sonke lorenz", "Sönke Lorenz", "SÖNKE LORENZ", "  sonke   LORENZ "):
        results = search(client, query)
        assert results[0]["iri"] == LORENZ, query
        assert results[0]["match"] == "exact"
        assert results[0]["label"] == "Sönke Lorenz"
        assert results[0]["url"] == "/id/person/soenke-lorenz"
        assert {"iri": "http://xmlns.com/foaf/0.1/Person", "label": "Person"} in results[0][
            "types"]


def test_search_finds_labels_in_other_languages(client: Any) -> None:
    results = search(client, "objectif 18")
    assert results[0]["iri"] == GCM_18
    assert results[0]["matched"] == {"text": "Objectif 18 du Pacte mondial",
                                     "property": "skos:prefLabel", "lang": "fr"}
    assert results[0]["match"] == "prefix"
    assert search(client, "OBJETIVO 18 del pacto")[0]["iri"] == GCM_18


def test_search_ranks_exact_then_prefix_then_words(client: Any) -> None:
    results = search(client, "sonke lorenz")
    kinds = [r["match"] for r in results]
    assert kinds == sorted(kinds, key=["exact", "prefix", "words"].index)
    assert "prefix" in kinds  # "Sönke Lorenz in the opening session"
    reordered = search(client, "lorenz sonke")
    assert reordered and all(r["match"] == "words" for r in reordered)
    assert LORENZ in [r["iri"] for r in reordered]


def test_search_prefers_preferred_labels() -> None:
    index = LabelIndex(BASE, {
        "urn:a": [(SKOS + "altLabel", "Skills", "en")],
        "urn:b": [(SKOS + "prefLabel", "Skills", "en")],
        "urn:c": [(SKOS + "prefLabel", "Skills partnerships", "en")],
        "urn:d": [(SKOS + "prefLabel", "Partnerships on skills", "en")],
    }, {})
    assert [h.iri for h in index.search("skills")] == ["urn:b", "urn:a", "urn:c", "urn:d"]
    assert [h.match for h in index.search("skills")] == ["exact", "exact", "prefix", "words"]
    assert index.search("   ") == []


def test_fold() -> None:
    assert fold("Sönke  LORENZ") == "sonke lorenz"
    assert fold("Intervenant à l'ouverture") == "intervenant a l ouverture"
    assert fold("Straße Ørsted Œuvre") == "strasse orsted oeuvre"


def test_search_json_by_accept_and_html_by_default(client: Any) -> None:
    as_json = client.get("/search?q=sonke", headers={"Accept": "application/json"})
    assert as_json.mimetype == "application/json"
    assert as_json.get_json()["results"][0]["iri"] == LORENZ
    assert "Accept" in as_json.headers["Vary"]
    html = client.get("/search?q=sonke+lorenz", headers=HTML).get_data(as_text=True)
    assert 'href="/id/person/soenke-lorenz"' in html
    assert '<span class="hit-type">Person</span>' in html
    assert re.search(r'<input id="search-q"[^>]*value="sonke lorenz"', html)
    assert '<label for="search-q">' in html


def test_search_text_is_data_not_query(client: Any) -> None:
    for query in ('"} } DROP ALL #', "<script>alert(1)</script>", "?s ?p ?o"):
        response = client.get(f"/search?q={quote(query)}", headers=HTML)
        assert response.status_code == 200
        assert "<script>alert" not in response.get_data(as_text=True)
    assert search(client, "zzzz-no-such-label") == []


def test_empty_search_browses_classes(client: Any) -> None:
    html = client.get("/search", headers=HTML).get_data(as_text=True)
    assert "Browse by class" in html
    challenge = quote(BASE + "ontology#Challenge")
    assert re.search(rf'href="/class\?iri={re.escape(challenge)}">[^<]+</a> '
                     r'<span class="count">\(12\)</span>', html)


class FakeSource:
    base_iri = BASE

    def __init__(self) -> None:
        self.labels = [("urn:a", "Alpha")]
        self.selects = 0

    def select(self, text: str, bindings: Any = None, default_graphs: Any = None,
               max_rows: Any = None) -> list[dict[str, dict[str, str]]]:
        self.selects += 1
        if "VALUES ?p" not in text:
            return []
        label = {"type": "uri", "value": SKOS + "prefLabel"}
        return [{"s": {"type": "uri", "value": s}, "p": label,
                 "o": {"type": "literal", "value": v}} for s, v in self.labels]


def test_index_is_rebuilt_when_the_store_changes() -> None:
    now = [0.0]
    counts = {"g": 1}
    cache = IndexCache(check_every=5, max_age=100, clock=lambda: now[0])
    source = FakeSource()
    assert [h.iri for h in cache.get(source, lambda: counts).search("alpha")] == ["urn:a"]
    source.labels.append(("urn:b", "Alpha beta"))
    counts = {"g": 2}
    now[0] = 1  # within check_every: the cached index
    assert len(cache.get(source, lambda: counts).search("alpha")) == 1
    now[0] = 6  # counts are checked again and changed: rebuilt
    assert len(cache.get(source, lambda: counts).search("alpha")) == 2
    selects = source.selects
    now[0] = 12  # checked, unchanged: kept
    cache.get(source, lambda: counts)
    assert source.selects == selects
    now[0] = 200  # too old: rebuilt whatever the counts say
    cache.get(source, lambda: counts)
    assert source.selects > selects


# ------------------------------------------------------------------ export

NAMES = ("gfmd-kg", "ontology", "report", "curated", "inferred")
#: extension -> (media type, rdflib format, keeps named graphs)
EXTENSIONS = {
    "ttl": ("text/turtle", "turtle", False),
    "trig": ("application/trig", "trig", True),
    "nt": ("application/n-triples", "nt", False),
    "nq": ("application/n-quads", "nquads", True),
    "jsonld": ("application/ld+json", "json-ld", True),
    "rdf": ("application/rdf+xml", "xml", False),
}


@pytest.fixture(scope="module")
def reference(built: Built) -> dict[str, rdflib.Graph]:
    """The built dataset: each named graph, and "" for their union."""
    data = ox.serialize(built.store, format=ox.RdfFormat.N_QUADS)
    dataset = rdflib.Dataset()
    dataset.parse(data=data, format="nquads")
    graphs = {str(g.identifier): g for g in dataset.graphs() if len(g)}
    union = rdflib.Graph()
    for graph in graphs.values():
        for triple in graph:
            union.add(triple)
    return {**graphs, "": union}


def named_graphs(data: bytes, fmt: str) -> dict[str, rdflib.Graph]:
    dataset = rdflib.Dataset()
    dataset.parse(data=data, format=fmt)
    return {str(g.identifier): g for g in dataset.graphs() if len(g)}


def test_export_page_lists_every_download(client: Any) -> None:
    response = client.get("/export", headers=HTML)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for name in NAMES:
        for ext in EXTENSIONS:
            assert f'href="/export/{name}.{ext}"' in html
    assert 'aria-current="page">Export' in html


@pytest.mark.parametrize("ext", list(EXTENSIONS))
@pytest.mark.parametrize("name", NAMES)
def test_download_round_trips(client: Any, reference: dict[str, rdflib.Graph], name: str,
                              ext: str) -> None:
    mime, fmt, keeps_graphs = EXTENSIONS[ext]
    response = client.get(f"/export/{name}.{ext}")
    assert response.status_code == 200, response.data[:300]
    assert response.mimetype == mime
    assert response.headers["Content-Disposition"] == f'attachment; filename="{name}.{ext}"'
    graph_iri = None if name == "gfmd-kg" else f"{BASE}graph/{name}"
    if keeps_graphs:
        found = named_graphs(response.data, fmt)
        expected = {g: reference[g] for g in reference if g and g == (graph_iri or g)}
        assert set(found) == set(expected)
        for iri, graph in expected.items():
            assert isomorphic(found[iri], graph), iri
    else:
        parsed = rdflib.Graph()
        parsed.parse(data=response.data, format=fmt)
        assert isomorphic(parsed, reference[graph_iri or ""])


def test_unknown_download_is_404_with_help(client: Any) -> None:
    for path in ("/export/nothing.ttl", "/export/report.docx", "/export/report"):
        response = client.get(path)
        assert response.status_code == 404
        body = response.get_data(as_text=True)
        assert "gfmd-kg, ontology, report, curated, inferred" in body
        assert "trig" in body


def test_entity_pages_link_their_own_export(client: Any) -> None:
    html = client.get("/id/objective/gcm-18", headers=HTML).get_data(as_text=True)
    for suffix in (".ttl", ".jsonld", ".nt", ".rdf"):
        assert f'href="/id/objective/gcm-18{suffix}"' in html
