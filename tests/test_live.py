"""A real ``gfmd-kg serve`` process over HTTP, asked by real clients: SPARQLWrapper, rdflib's
SPARQLStore, and plain urllib requests for the error statuses."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
import rdflib
from rdflib.compare import isomorphic
from rdflib.namespace import FOAF, RDF
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import JSON, JSONLD, POST, POSTDIRECTLY, RDFXML, TURTLE, XML, SPARQLWrapper

from conftest import LiveServer

pytestmark = [pytest.mark.live,
              # rdflib's parsers use their own deprecated API
              pytest.mark.filterwarnings("ignore:.*deprecated.*:DeprecationWarning")]

BASE = "https://w3id.org/gfmd-kg/"
REPORT_G = BASE + "graph/report"
SOENKE = BASE + "id/person/soenke-lorenz"
GFMD = BASE + "ontology#"
PERSON_NAMES = {"Sönke Lorenz", "El Habib Nadir", "Moussa Oumarou", "Sangheon Lee"}
PERSONS = f"""PREFIX foaf: <http://xmlns.com/foaf/0.1/>
SELECT ?person ?name WHERE {{
  GRAPH <{REPORT_G}> {{ ?person a foaf:Person ; foaf:name ?name }}
}} ORDER BY ?name"""
REPORT_CONSTRUCT = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{REPORT_G}> {{ ?s ?p ?o }} }}"
HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
SRX = "http://www.w3.org/2005/sparql-results#"


def wrapper(server: LiveServer, query: str, fmt: str) -> Any:
    client = SPARQLWrapper(server.url + "/sparql")
    client.setQuery(query)
    client.setReturnFormat(fmt)
    client.setTimeout(30)
    return client


def http(method: str, url: str, data: bytes | None = None,
         headers: dict[str, str] | None = None) -> tuple[int, Message, bytes]:
    """Status, headers (looked up by name in any case, as HTTP has them) and body."""
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read()


def query_url(server: LiveServer, query: str, **params: str) -> str:
    return f"{server.url}/sparql?{urllib.parse.urlencode({'query': query, **params})}"


def built_counts(built: Any) -> dict[str, int]:
    import pyoxigraph as ox

    return {g.value: sum(1 for _ in built.store.quads_for_pattern(None, None, None, g))
            for g in built.store.named_graphs() if isinstance(g, ox.NamedNode)}


# ---------------------------------------------------------------- SPARQLWrapper


def test_select_json(live_server: LiveServer) -> None:
    result = wrapper(live_server, PERSONS, JSON).query().convert()
    assert result["head"]["vars"] == ["person", "name"]
    rows = result["results"]["bindings"]
    assert {row["name"]["value"] for row in rows} == PERSON_NAMES
    assert {"type": "uri", "value": SOENKE} in [row["person"] for row in rows]


def test_select_xml(live_server: LiveServer) -> None:
    document = wrapper(live_server, PERSONS, XML).query().convert()
    assert document.documentElement.namespaceURI == SRX
    names = {node.getAttribute("name") for node in document.getElementsByTagName("variable")}
    assert names == {"person", "name"}
    literals = {node.firstChild.data for node in document.getElementsByTagName("literal")}
    assert literals == PERSON_NAMES


def test_ask(live_server: LiveServer) -> None:
    yes = wrapper(live_server, f"ASK {{ <{SOENKE}> a <http://xmlns.com/foaf/0.1/Person> }}",
                  JSON).query().convert()
    assert yes["boolean"] is True
    no = wrapper(live_server, "ASK { <urn:no> <urn:such> <urn:thing> }", JSON).query().convert()
    assert no["boolean"] is False
    document = wrapper(live_server, "ASK { ?s ?p ?o }", XML).query().convert()
    assert document.getElementsByTagName("boolean")[0].firstChild.data == "true"


@pytest.fixture(scope="module")
def report_graph(live_server: LiveServer) -> rdflib.Graph:
    status, _, body = http("GET", query_url(live_server, REPORT_CONSTRUCT),
                           headers={"Accept": "application/n-triples"})
    assert status == 200
    return rdflib.Graph().parse(data=body, format="nt")


def test_construct_turtle(live_server: LiveServer, report_graph: rdflib.Graph,
                          built: Any) -> None:
    result = wrapper(live_server, REPORT_CONSTRUCT, TURTLE).query()
    assert "text/turtle" in result.response.headers["Content-Type"]
    data = result.convert()
    graph = rdflib.Graph().parse(data=data, format="turtle")
    assert len(graph) == built_counts(built)[REPORT_G]
    assert (rdflib.URIRef(SOENKE), RDF.type, FOAF.Person) in graph
    assert isomorphic(graph, report_graph)


def test_construct_rdfxml_by_accept(live_server: LiveServer,
                                    report_graph: rdflib.Graph) -> None:
    client = wrapper(live_server, REPORT_CONSTRUCT, RDFXML)
    client.setOnlyConneg(True)  # the Accept header alone, no format= parameters
    graph = client.query().convert()
    assert isinstance(graph, rdflib.Graph)
    assert isomorphic(graph, report_graph)


@pytest.mark.parametrize("fmt", [RDFXML, JSONLD])
def test_construct_rdfxml_and_jsonld(live_server: LiveServer, report_graph: rdflib.Graph,
                                     fmt: str) -> None:
    graph = wrapper(live_server, REPORT_CONSTRUCT, fmt).query().convert()
    assert isinstance(graph, rdflib.Graph)
    assert isomorphic(graph, report_graph)


def test_describe(live_server: LiveServer) -> None:
    client = wrapper(live_server, f"DESCRIBE <{SOENKE}>", TURTLE)
    graph = rdflib.Graph().parse(data=client.query().convert(), format="turtle")
    assert (rdflib.URIRef(SOENKE), FOAF.name, rdflib.Literal("Sönke Lorenz")) in graph


def test_post_query(live_server: LiveServer) -> None:
    client = wrapper(live_server, PERSONS, JSON)
    client.setMethod(POST)
    rows = client.query().convert()["results"]["bindings"]
    assert {row["name"]["value"] for row in rows} == PERSON_NAMES


def test_post_query_directly(live_server: LiveServer) -> None:
    client = wrapper(live_server, PERSONS, JSON)
    client.setMethod(POST)
    client.setRequestMethod(POSTDIRECTLY)
    rows = client.query().convert()["results"]["bindings"]
    assert {row["name"]["value"] for row in rows} == PERSON_NAMES


def test_wrapper_dataset_parameters(live_server: LiveServer) -> None:
    query = f"SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE {{ ?c a <{GFMD}Challenge> }}"
    client = wrapper(live_server, query, JSON)
    assert client.query().convert()["results"]["bindings"][0]["n"]["value"] == "12"
    client.addDefaultGraph(BASE + "graph/ontology")
    assert client.query().convert()["results"]["bindings"][0]["n"]["value"] == "0"


# ---------------------------------------------------------------- rdflib's SPARQLStore


@pytest.fixture()
def remote_graph(live_server: LiveServer) -> Iterator[rdflib.Graph]:
    store = SPARQLStore(query_endpoint=live_server.url + "/sparql")
    graph = rdflib.Graph(store=store)
    yield graph
    graph.close()


def test_sparqlstore_query(remote_graph: rdflib.Graph) -> None:
    result = remote_graph.query(PERSONS)
    assert {str(row.name) for row in result} == PERSON_NAMES  # type: ignore[union-attr]
    assert rdflib.URIRef(SOENKE) in {row.person for row in result}  # type: ignore[union-attr]


def test_sparqlstore_triples(remote_graph: rdflib.Graph) -> None:
    persons = set(remote_graph.subjects(RDF.type, FOAF.Person))
    assert rdflib.URIRef(SOENKE) in persons
    assert len(persons) >= 4
    names = set(remote_graph.objects(rdflib.URIRef(SOENKE), FOAF.name))
    assert names == {rdflib.Literal("Sönke Lorenz")}
    triples = list(remote_graph.triples((rdflib.URIRef(SOENKE), None, None)))
    assert (rdflib.URIRef(SOENKE), RDF.type, FOAF.Person) in triples


def test_sparqlstore_ask(remote_graph: rdflib.Graph) -> None:
    assert remote_graph.query(f"ASK {{ <{SOENKE}> ?p ?o }}").askAnswer is True


# ---------------------------------------------------------------- raw HTTP


def test_syntax_error_over_http(live_server: LiveServer) -> None:
    status, headers, body = http("GET", query_url(live_server, "SELECT * WHERE {\n ?s ?p \n"))
    assert status == 400
    text = body.decode()
    assert "syntax" in text.lower()
    assert "line: " in text and "column: " in text
    status, headers, body = http("GET", query_url(live_server, "SELECT * WHERE { ?s ?p }"),
                                 headers={"Accept": "application/json"})
    assert status == 400
    assert headers["Content-Type"].startswith("application/json")
    error = json.loads(body)["error"]
    assert error["line"] == 1 and isinstance(error["column"], int)


def test_a_query_too_long_for_a_url_goes_by_post(live_server: LiveServer) -> None:
    """The README's 414 row: a GET over 64 KB is refused by the HTTP server, the same
    query by POST is answered, and the server goes on serving."""
    query = "ASK { ?s ?p ?o } # " + "x" * 70_000
    status, _, _ = http("GET", query_url(live_server, query))
    assert status == 414
    status, _, body = http("POST", f"{live_server.url}/sparql", data=query.encode(),
                           headers={"Content-Type": "application/sparql-query",
                                    "Accept": "application/sparql-results+json"})
    assert status == 200 and json.loads(body)["boolean"] is True
    status, _, _ = http("GET", query_url(live_server, "ASK { ?s ?p ?o }"))
    assert status == 200


def test_not_acceptable_over_http(live_server: LiveServer) -> None:
    status, headers, body = http("GET", query_url(live_server, "SELECT * WHERE { ?s ?p ?o }"),
                                 headers={"Accept": "image/png"})
    assert status == 406
    assert "application/sparql-results+json" in body.decode()
    assert "Accept" in headers.get("Vary", "")


def test_negotiation_over_http(live_server: LiveServer) -> None:
    accept = "text/csv;q=0.5, application/sparql-results+xml;q=0.9"
    status, headers, body = http("GET", query_url(live_server, PERSONS), headers={
        "Accept": accept})
    assert status == 200
    assert headers["Content-Type"].startswith("application/sparql-results+xml")
    assert "Accept" in headers["Vary"]
    status, headers, body = http("GET", query_url(live_server, PERSONS, format="csv"))
    assert headers["Content-Type"].startswith("text/csv")
    assert body.decode().splitlines()[0] == "person,name"


def test_method_and_content_type_errors_over_http(live_server: LiveServer) -> None:
    status, _, _ = http("PUT", live_server.url + "/sparql", data=b"ASK {}",
                        headers={"Content-Type": "application/sparql-query"})
    assert status == 405
    status, _, _ = http("POST", live_server.url + "/sparql", data=b"ASK {}",
                        headers={"Content-Type": "text/plain"})
    assert status == 415
    status, _, body = http("POST", live_server.url + "/sparql",
                           data=b"update=CLEAR+ALL",
                           headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 403
    assert b"GFMD_KG_UPDATE_TOKEN" in body


def test_cors_over_http(live_server: LiveServer) -> None:
    status, headers, _ = http("GET", query_url(live_server, "ASK {}"),
                              headers={"Origin": "https://elsewhere.example"})
    assert status == 200
    assert headers["Access-Control-Allow-Origin"] == "*"
    status, headers, _ = http("OPTIONS", live_server.url + "/sparql", headers={
        "Origin": "https://elsewhere.example", "Access-Control-Request-Method": "POST"})
    assert status == 204
    assert "POST" in headers["Access-Control-Allow-Methods"]


def test_healthz(live_server: LiveServer) -> None:
    status, headers, body = http("GET", live_server.url + "/healthz")
    assert status == 200
    assert headers["Content-Type"].startswith("application/json")
    assert json.loads(body) == {"status": "ok"}


def test_status(live_server: LiveServer, built: Any) -> None:
    status, headers, body = http("GET", live_server.url + "/status")
    assert status == 200
    assert headers["Content-Type"].startswith("application/json")
    data = json.loads(body)
    assert data["store"] == "memory"
    assert data["updates_enabled"] is False
    expected = built_counts(built)
    assert {g["iri"]: g["triples"] for g in data["graphs"].values()} == {
        iri: n for iri, n in expected.items() if iri.startswith(BASE + "graph/")}
    assert data["triples"] == sum(expected.values())


# ---------------------------------------------------------------- time limit


@pytest.fixture(scope="module")
def quick_server(cache_dir: Path, built: Any) -> Iterator[LiveServer]:
    server = LiveServer({"GFMD_KG_CACHE_DIR": str(cache_dir), "GFMD_KG_QUERY_TIMEOUT": "1"})
    yield server
    server.stop()


def test_server_answers_after_a_timeout(quick_server: LiveServer) -> None:
    status, headers, body = http("GET", query_url(quick_server, HEAVY))
    assert status == 503
    assert status != 200
    assert b"GFMD_KG_QUERY_TIMEOUT" in body
    assert headers.get("Retry-After")
    for _ in range(3):
        status, headers, body = http("GET", query_url(quick_server, PERSONS), headers={
            "Accept": "application/sparql-results+json"})
        assert status == 200
        names = {r["name"]["value"] for r in json.loads(body)["results"]["bindings"]}
        assert names == PERSON_NAMES
        assert headers["X-Query-Timeout"] == "1"
    assert http("GET", quick_server.url + "/healthz")[0] == 200


def test_timeout_parameter_cannot_raise_the_limit(quick_server: LiveServer) -> None:
    status, headers, _ = http("GET", query_url(quick_server, "ASK {}", timeout="60"))
    assert status == 200
    assert headers["X-Query-Timeout"] == "1"
    status, _, body = http("GET", query_url(quick_server, HEAVY, timeout="60"))
    assert status == 503
    assert b"GFMD_KG_QUERY_TIMEOUT" in body
