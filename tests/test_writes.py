"""Writes: SPARQL Update (off by default, on with a bearer token, never touching the built
graphs while they are protected, never reaching the network), the Graph Store Protocol at
/store, and durability of acknowledged writes on an on-disk store."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic

from conftest import LiveServer
from support import Listener, built_counts, close_app, make_app

# rdflib's JSON-LD parser uses its own deprecated API
pytestmark = pytest.mark.filterwarnings("ignore:.*deprecated.*:DeprecationWarning")

TOKEN = "s3cret"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
BASE = "https://w3id.org/gfmd-kg/"
GRAPH = BASE + "graph/"
ONTOLOGY_G, REPORT_G, CURATED_G, INFERRED_G = (GRAPH + k for k in
                                               ("ontology", "report", "curated", "inferred"))
BUILT_GRAPHS = (ONTOLOGY_G, REPORT_G, CURATED_G, INFERRED_G)
SOENKE = BASE + "id/person/soenke-lorenz"
FOAF_PERSON = "http://xmlns.com/foaf/0.1/Person"
G1, G2, G3 = "http://example.org/g1", "http://example.org/g2", "http://example.org/g3"
FORM = "application/x-www-form-urlencoded"
SD = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")

TURTLE_A = b"""@prefix ex: <http://example.org/> .
ex:alice ex:knows ex:bob ; ex:name "Alice"@en .
ex:bob ex:age 42 .
"""
TURTLE_B = b"""@prefix ex: <http://example.org/> .
ex:carol ex:knows [ ex:name "someone" ] .
"""
TURTLE_C = b"""@prefix ex: <http://example.org/> .
ex:dave ex:name "Dave" .
"""


# ---------------------------------------------------------------- helpers


def call(client: Any, method: str, path: str, **kwargs: Any) -> Any:
    """One request, read whole; the update token must never come back in an answer."""
    response = client.open(path, method=method, buffered=True, **kwargs)
    assert TOKEN.encode() not in response.data
    assert all(TOKEN not in value for _, value in response.headers.items())
    return response


def update(client: Any, text: str, headers: dict[str, str] | None = AUTH) -> Any:
    return call(client, "POST", "/sparql", data={"update": text}, content_type=FORM,
                headers=headers or {})


def select(client: Any, text: str) -> list[dict[str, Any]]:
    response = call(client, "GET", "/sparql", query_string={"query": text})
    assert response.status_code == 200, response.get_data(as_text=True)
    return list(json.loads(response.data)["results"]["bindings"])


def graph_counts(client: Any) -> dict[str, int]:
    """Triples per named graph, by a SPARQL query."""
    rows = select(client, "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } "
                  "GROUP BY ?g")
    return {row["g"]["value"]: int(row["n"]["value"]) for row in rows}


def built_graph(built: Any, iri: str) -> rdflib.Graph:
    """One named graph of the built dataset, as an rdflib graph."""
    triples = [ox.Triple(q.subject, q.predicate, q.object) for q in
               built.store.quads_for_pattern(None, None, None, ox.NamedNode(iri))]
    data = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
    return rdflib.Graph().parse(data=data, format="nt")


def turtle(data: bytes) -> rdflib.Graph:
    return rdflib.Graph().parse(data=data, format="turtle")


# ---------------------------------------------------------------- apps

@pytest.fixture(scope="module")
def writer_app(cache_dir: Path, built: Any) -> Iterator[Any]:
    """Updates on (token), built graphs protected."""
    application = make_app(cache_dir, update_token=TOKEN)
    yield application
    close_app(application)


@pytest.fixture()
def writer(writer_app: Any) -> Any:
    return writer_app.test_client()


@pytest.fixture()
def fresh_writer(cache_dir: Path, built: Any) -> Iterator[Any]:
    """A client of an app of its own (token on, default settings), for a test that may
    damage the built graphs."""
    application = make_app(cache_dir, update_token=TOKEN)
    yield application.test_client()
    close_app(application)


@pytest.fixture()
def store(writer_app: Any) -> Any:
    """A client of the module's write app; each test writes graphs of its own."""
    return writer_app.test_client()


@pytest.fixture()
def listener() -> Iterator[Listener]:
    server = Listener()
    yield server
    server.close()


# ---------------------------------------------------------------- updates off by default


def test_updates_are_off_by_default(client: Any) -> None:
    for response in (
        update(client, f"INSERT DATA {{ GRAPH <{G1}> {{ <urn:a> <urn:b> <urn:c> }} }}", None),
        update(client, f"INSERT DATA {{ GRAPH <{G1}> {{ <urn:a> <urn:b> <urn:c> }} }}"),
        call(client, "POST", "/sparql", data=b"CLEAR ALL",
             content_type="application/sparql-update", headers=AUTH),
    ):
        assert response.status_code == 403
        body = response.get_data(as_text=True)
        assert "GFMD_KG_UPDATE_TOKEN" in body
    assert select(client, "SELECT * WHERE { GRAPH ?g { <urn:a> ?p ?o } }") == []


def test_graph_store_writes_are_off_by_default(client: Any) -> None:
    response = call(client, "PUT", "/store", query_string={"graph": G2}, data=TURTLE_A,
                    content_type="text/turtle", headers=AUTH)
    assert response.status_code == 403
    assert "GFMD_KG_UPDATE_TOKEN" in response.get_data(as_text=True)
    assert call(client, "GET", "/store", query_string={"graph": G2}).status_code == 404


# ---------------------------------------------------------------- the token


@pytest.mark.parametrize("send", ["form", "direct", "store"])
def test_missing_and_wrong_token_get_the_same_answer(writer: Any, send: str) -> None:
    text = f"INSERT DATA {{ GRAPH <{G3}> {{ <urn:x> <urn:y> <urn:z> }} }}"
    answers = []
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic s3cret"},
                    {"Authorization": "Bearer "}, {"Authorization": "Bearer s3cret2"},
                    {"Authorization": TOKEN}, {"Authorization": "bearer s3cre"}):
        if send == "form":
            response = update(writer, text, headers)
        elif send == "direct":
            response = call(writer, "POST", "/sparql", data=text.encode(),
                            content_type="application/sparql-update", headers=headers)
        else:
            response = call(writer, "PUT", "/store", query_string={"graph": G3},
                            data=TURTLE_A, content_type="text/turtle", headers=headers)
        answers.append((response.status_code, response.data))
        assert "Bearer" in response.headers.get("WWW-Authenticate", "")
    assert len(set(answers)) == 1, answers
    assert answers[0][0] == 401
    assert select(writer, f"SELECT * WHERE {{ GRAPH <{G3}> {{ ?s ?p ?o }} }}") == []


def test_insert_data_is_seen_by_every_worker(writer: Any, writer_app: Any) -> None:
    response = update(writer, f"INSERT DATA {{ GRAPH <{G1}> {{ <urn:s1> <urn:p1> \"v1\" }} }}")
    assert response.status_code == 204, response.get_data(as_text=True)
    assert response.data == b""
    workers = writer_app.config["GFMD_KG"]["workers"]
    query = f"SELECT ?o WHERE {{ GRAPH <{G1}> {{ <urn:s1> <urn:p1> ?o }} }}"
    for _ in range(max(4, 2 * workers)):
        assert [r["o"]["value"] for r in select(writer, query)] == ["v1"]
    # the union default graph sees it too
    assert len(select(writer, "SELECT * WHERE { <urn:s1> <urn:p1> ?o }")) == 1


def test_update_as_direct_post(writer: Any) -> None:
    text = f"INSERT DATA {{ GRAPH <{G1}> {{ <urn:s2> <urn:p2> 2 }} }}"
    response = call(writer, "POST", "/sparql", data=text.encode(),
                    content_type="application/sparql-update", headers=AUTH)
    assert response.status_code == 204
    for _ in range(4):
        assert len(select(writer, "SELECT * WHERE { <urn:s2> <urn:p2> 2 }")) == 1


def test_update_then_delete(writer: Any) -> None:
    assert update(writer, f"INSERT DATA {{ GRAPH <{G1}> {{ <urn:s3> <urn:p3> 3 }} }}"
                  ).status_code == 204
    assert update(writer, f"DELETE WHERE {{ GRAPH <{G1}> {{ <urn:s3> ?p ?o }} }}"
                  ).status_code == 204
    for _ in range(4):
        assert select(writer, "SELECT * WHERE { <urn:s3> ?p ?o }") == []


def test_update_syntax_error(writer: Any) -> None:
    response = update(writer, "INSERT DATA {\n  GRAPH <urn:g> { <urn:a> <urn:b> }\n}")
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "syntax" in body.lower()
    assert "line: 2" in body


PROTECTED = [
    f"INSERT DATA {{ GRAPH <{REPORT_G}> {{ <urn:a> <urn:b> <urn:c> }} }}",
    "CLEAR ALL",
    "DROP ALL",
    "DROP SILENT NAMED",
    "clear named",
    "DELETE WHERE { GRAPH ?g { ?s ?p ?o } }",
    f"DELETE DATA {{ GRAPH <{REPORT_G}> {{ <{SOENKE}> a <{FOAF_PERSON}> }} }}",
    f"CLEAR GRAPH <{CURATED_G}>",
    f"DROP GRAPH <{ONTOLOGY_G}>",
    f"WITH <{INFERRED_G}> DELETE {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o }}",
    f"MOVE <{REPORT_G}> TO <{G1}>",
    f"COPY <{G1}> TO <{REPORT_G}>",
    f"INSERT DATA {{ GRAPH <{G1}> {{ <urn:ok> <urn:ok> 1 }} }} ; CLEAR GRAPH <{REPORT_G}>",
]


@pytest.mark.parametrize("text", PROTECTED)
def test_updates_touching_built_graphs_are_refused(writer: Any, built: Any, text: str) -> None:
    before = graph_counts(writer)
    response = update(writer, text)
    assert response.status_code == 403, response.get_data(as_text=True)
    body = response.get_data(as_text=True)
    assert "protected" in body
    assert "GFMD_KG_PROTECT_BUILT" in body
    after = graph_counts(writer)
    assert after == before
    for iri, count in built_counts(built).items():
        assert after[iri] == count
    assert select(writer, "SELECT * WHERE { <urn:ok> ?p ?o }") == []  # refused whole


def test_refusal_says_why(writer: Any) -> None:
    named = update(writer, f"CLEAR GRAPH <{REPORT_G}>").get_data(as_text=True)
    assert f"<{REPORT_G}>" in named
    wide = update(writer, "CLEAR ALL").get_data(as_text=True)
    assert "ALL" in wide
    variable = update(writer, "DELETE WHERE { GRAPH ?g { ?s ?p ?o } }").get_data(as_text=True)
    assert "GRAPH ?g" in variable


def test_status_counts_unchanged_by_refused_updates(writer: Any, built: Any) -> None:
    for text in PROTECTED[:6]:
        assert update(writer, text).status_code == 403
    status = call(writer, "GET", "/status").json
    assert status["updates_enabled"] is True
    expected = built_counts(built)
    for graph in status["graphs"].values():
        assert graph["triples"] == expected[graph["iri"]]


def test_service_description_declares_updates(writer: Any) -> None:
    response = call(writer, "GET", "/sparql")
    assert response.status_code == 200
    graph = turtle(response.data)
    service = graph.value(predicate=rdflib.RDF.type, object=SD.Service)
    assert (service, SD.supportedLanguage, SD.SPARQL11Update) in graph


def test_using_graph_uri_is_refused(writer: Any) -> None:
    response = call(writer, "POST", "/sparql", content_type=FORM, headers=AUTH, data={
        "update": f"INSERT {{ GRAPH <{G1}> {{ ?s ?p ?o }} }} WHERE {{ ?s ?p ?o }}",
        "using-graph-uri": REPORT_G})
    assert response.status_code == 400


# ---------------------------------------------------------------- no outbound network


@pytest.mark.parametrize("template", [
    "LOAD <{url}>",
    "LOAD SILENT <{url}> INTO GRAPH <http://example.org/loaded>",
    "load <{url}data.ttl> into graph <http://example.org/loaded>",
    "CLEAR SILENT GRAPH <http://example.org/none> ; LOAD <{url}>",
])
def test_load_is_refused(writer: Any, listener: Listener, template: str) -> None:
    response = update(writer, template.format(url=listener.url))
    assert response.status_code == 403, response.get_data(as_text=True)
    assert "LOAD" in response.get_data(as_text=True)
    assert listener.connections == 0
    assert select(writer, "SELECT * WHERE { GRAPH <http://example.org/loaded> { ?s ?p ?o } }"
                  ) == []
    assert listener.connections == 0


def test_service_in_an_update_is_refused(fresh_writer: Any, listener: Listener) -> None:
    text = (f"INSERT {{ GRAPH <{G1}> {{ ?s ?p ?o }} }} "
            f"WHERE {{ SERVICE <{listener.url}> {{ ?s ?p ?o }} }}")
    response = update(fresh_writer, text)
    assert listener.connections == 0
    assert response.status_code in (400, 403)
    assert "SERVICE" in response.get_data(as_text=True)


# ---------------------------------------------------------------- ways around the protection


def _assert_report_intact(client: Any, built: Any, response: Any) -> None:
    assert response.status_code == 403, response.status_code
    assert graph_counts(client)[REPORT_G] == built_counts(built)[REPORT_G]


def test_built_graph_by_prefixed_name_is_protected(fresh_writer: Any, built: Any) -> None:
    text = (f"PREFIX g: <{GRAPH}>\n"
            f"DELETE DATA {{ GRAPH g:report {{ <{SOENKE}> a <{FOAF_PERSON}> }} }}")
    _assert_report_intact(fresh_writer, built, update(fresh_writer, text))


def test_built_graph_by_relative_iri_is_protected(fresh_writer: Any, built: Any) -> None:
    text = f"BASE <{GRAPH}>\nDELETE WHERE {{ GRAPH <report> {{ <{SOENKE}> ?p ?o }} }}"
    _assert_report_intact(fresh_writer, built, update(fresh_writer, text))


def test_built_graph_by_escaped_iri_is_protected(fresh_writer: Any, built: Any) -> None:
    escaped = REPORT_G.replace("report", "repor\\u0074")
    text = f"DELETE WHERE {{ GRAPH <{escaped}> {{ <{SOENKE}> ?p ?o }} }}"
    _assert_report_intact(fresh_writer, built, update(fresh_writer, text))


@pytest.fixture(scope="module")
def open_app(cache_dir: Path, built: Any) -> Iterator[Any]:
    """Token on and the built graphs not protected."""
    application = make_app(cache_dir, update_token=TOKEN, protect_built=False)
    yield application
    close_app(application)


def test_unprotected_built_graph_can_be_cleared(open_app: Any, built: Any) -> None:
    client = open_app.test_client()
    assert graph_counts(client)[CURATED_G] == built_counts(built)[CURATED_G] > 0
    response = update(client, f"CLEAR GRAPH <{CURATED_G}>")
    assert response.status_code == 204, response.get_data(as_text=True)
    for _ in range(4):
        counts = graph_counts(client)
        assert counts.get(CURATED_G, 0) == 0
        assert counts[REPORT_G] == built_counts(built)[REPORT_G]
    status = call(client, "GET", "/status").json
    assert status["graphs"]["curated"]["triples"] == 0


# ---------------------------------------------------------------- Graph Store Protocol: reads


def test_store_get_built_graph(client: Any, built: Any) -> None:
    response = call(client, "GET", "/store", query_string={"graph": REPORT_G})
    assert response.status_code == 200
    assert response.mimetype == "text/turtle"
    assert "Accept" in response.vary
    assert isomorphic(turtle(response.data), built_graph(built, REPORT_G))


@pytest.mark.parametrize("accept, fmt", [("application/n-triples", "nt"),
                                         ("application/rdf+xml", "xml"),
                                         ("application/ld+json", "json-ld")])
def test_store_get_negotiated(client: Any, built: Any, accept: str, fmt: str) -> None:
    response = call(client, "GET", "/store", query_string={"graph": ONTOLOGY_G},
                    headers={"Accept": accept})
    assert response.status_code == 200
    assert response.mimetype == accept
    graph = rdflib.Graph().parse(data=response.data, format=fmt)
    assert isomorphic(graph, built_graph(built, ONTOLOGY_G))


def test_store_head(client: Any) -> None:
    response = call(client, "HEAD", "/store", query_string={"graph": REPORT_G})
    assert response.status_code == 200
    assert response.mimetype == "text/turtle"
    assert response.data == b""
    assert call(client, "HEAD", "/store", query_string={"graph": G2 + "/none"}
                ).status_code == 404


def test_store_get_missing_graph(client: Any) -> None:
    response = call(client, "GET", "/store", query_string={"graph": "http://example.org/none"})
    assert response.status_code == 404


def test_store_get_default_graph(client: Any) -> None:
    response = call(client, "GET", "/store", query_string={"default": ""})
    assert response.status_code == 200
    assert response.mimetype == "text/turtle"
    turtle(response.data)


@pytest.mark.parametrize("query", [{}, {"graph": REPORT_G, "default": ""},
                                   [("graph", REPORT_G), ("graph", CURATED_G)],
                                   {"graph": "not an iri"}])
def test_store_needs_exactly_one_graph(client: Any, query: Any) -> None:
    response = call(client, "GET", "/store", query_string=query)
    assert response.status_code == 400


def test_store_not_acceptable(client: Any) -> None:
    response = call(client, "GET", "/store", query_string={"graph": REPORT_G},
                    headers={"Accept": "image/png"})
    assert response.status_code == 406
    assert "text/turtle" in response.get_data(as_text=True)


# ---------------------------------------------------------------- Graph Store Protocol: writes


def put(client: Any, graph: str, data: bytes, content_type: str = "text/turtle",
        method: str = "PUT", headers: dict[str, str] | None = AUTH) -> Any:
    return call(client, method, "/store", query_string={"graph": graph}, data=data,
                content_type=content_type, headers=headers or {})


def unique_graph() -> str:
    """A graph IRI no other test writes."""
    return f"http://example.org/gsp/{uuid.uuid4().hex}"


def fetch(client: Any, graph: str) -> Any:
    return call(client, "GET", "/store", query_string={"graph": graph})


def test_store_put_post_delete(store: Any) -> None:
    graph = unique_graph()
    assert put(store, graph, TURTLE_A).status_code == 201
    assert isomorphic(turtle(fetch(store, graph).data), turtle(TURTLE_A))
    assert put(store, graph, TURTLE_B).status_code == 204  # replaces
    assert isomorphic(turtle(fetch(store, graph).data), turtle(TURTLE_B))
    assert put(store, graph, TURTLE_C, method="POST").status_code == 204  # adds
    assert isomorphic(turtle(fetch(store, graph).data), turtle(TURTLE_B + TURTLE_C))
    assert len(select(store, f"SELECT * WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")) == 3
    response = call(store, "DELETE", "/store", query_string={"graph": graph}, headers=AUTH)
    assert response.status_code == 204
    assert fetch(store, graph).status_code == 404
    assert select(store, f"SELECT * WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}") == []
    again = call(store, "DELETE", "/store", query_string={"graph": graph}, headers=AUTH)
    assert again.status_code == 404


def test_store_post_creates(store: Any) -> None:
    graph = unique_graph()
    assert put(store, graph, TURTLE_C, method="POST").status_code == 201
    for _ in range(4):
        rows = select(store, f"SELECT ?n WHERE {{ GRAPH <{graph}> {{ ?s ?p ?n }} }}")
        assert [r["n"]["value"] for r in rows] == ["Dave"]


@pytest.mark.parametrize("content_type, fmt", [("application/n-triples", "nt"),
                                               ("application/rdf+xml", "xml"),
                                               ("application/ld+json", "json-ld")])
def test_store_upload_formats(store: Any, content_type: str, fmt: str) -> None:
    graph = unique_graph()
    data = turtle(TURTLE_A).serialize(format=fmt, encoding="utf-8")
    assert put(store, graph, data, content_type).status_code == 201
    assert isomorphic(turtle(fetch(store, graph).data), turtle(TURTLE_A))


def test_store_default_graph_write(store: Any) -> None:
    response = call(store, "PUT", "/store", query_string={"default": ""}, data=TURTLE_C,
                    content_type="text/turtle", headers=AUTH)
    assert response.status_code == 204
    got = call(store, "GET", "/store", query_string={"default": ""})
    assert isomorphic(turtle(got.data), turtle(TURTLE_C))


@pytest.mark.parametrize("method", ["PUT", "POST", "DELETE"])
@pytest.mark.parametrize("graph", [REPORT_G, INFERRED_G])
def test_store_write_to_built_graph(store: Any, built: Any, method: str, graph: str) -> None:
    response = put(store, graph, TURTLE_A, method=method)
    assert response.status_code == 403
    assert "protected" in response.get_data(as_text=True)
    assert graph_counts(store)[graph] == built_counts(built)[graph]


def test_store_bad_turtle(store: Any) -> None:
    graph = unique_graph()
    response = put(store, graph, b"@prefix ex: <http://example.org/> .\nex:a ex:b .\n")
    assert response.status_code == 400
    assert "text/turtle" in response.get_data(as_text=True)
    assert fetch(store, graph).status_code == 404


def test_store_unsupported_content_type(store: Any) -> None:
    graph = unique_graph()
    response = put(store, graph, b"%PDF-1.4", "application/pdf")
    assert response.status_code == 415
    assert "text/turtle" in response.get_data(as_text=True)


def test_store_write_needs_the_token(store: Any) -> None:
    graph = unique_graph()
    assert put(store, graph, TURTLE_A, headers={}).status_code == 401
    assert put(store, graph, TURTLE_A, headers={"Authorization": "Bearer nope"}
               ).status_code == 401
    assert fetch(store, graph).status_code == 404


def test_graph_store_writes_keep_the_workers(fresh_writer: Any) -> None:
    for graph in (G1, G2, G3):
        assert put(fresh_writer, graph, TURTLE_A).status_code == 201
    for graph in (G1, G2, G3):
        assert isomorphic(turtle(fetch(fresh_writer, graph).data), turtle(TURTLE_A))


# ---------------------------------------------------------------- durability


def http(method: str, url: str, data: bytes | None = None,
         headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def live_select(server: LiveServer, text: str) -> list[dict[str, Any]]:
    query = urllib.parse.urlencode({"query": text})
    status, body = http("GET", f"{server.url}/sparql?{query}",
                        headers={"Accept": "application/sparql-results+json"})
    assert status == 200, body
    return list(json.loads(body)["results"]["bindings"])


def disk_server(folder: Path, cache_dir: Path) -> LiveServer:
    return LiveServer({"GFMD_KG_STORE": f"oxigraph:{folder}", "GFMD_KG_UPDATE_TOKEN": TOKEN,
                       "GFMD_KG_CACHE_DIR": str(cache_dir)})


@pytest.mark.live
def test_acknowledged_update_survives_a_restart(tmp_path: Path, cache_dir: Path,
                                                built: Any) -> None:
    folder = tmp_path / "store"
    text = f'INSERT DATA {{ GRAPH <{G1}> {{ <urn:durable> <urn:p> "kept" }} }}'
    query = "SELECT ?o WHERE { GRAPH ?g { <urn:durable> <urn:p> ?o } }"
    report = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{REPORT_G}> {{ ?s ?p ?o }} }}"
    server = disk_server(folder, cache_dir)
    try:
        status, body = http("POST", f"{server.url}/sparql",
                            data=urllib.parse.urlencode({"update": text}).encode(),
                            headers={**AUTH, "Content-Type": FORM})
        assert status == 204, body
        assert [r["o"]["value"] for r in live_select(server, query)] == ["kept"]
    finally:
        server.stop()
    server = disk_server(folder, cache_dir)
    try:
        assert [r["o"]["value"] for r in live_select(server, query)] == ["kept"]
        rows = live_select(server, report)
        assert int(rows[0]["n"]["value"]) == built_counts(built)[REPORT_G]
    finally:
        server.stop()


@pytest.mark.live
def test_graph_store_put_survives_a_restart(tmp_path: Path, cache_dir: Path,
                                            built: Any) -> None:
    folder = tmp_path / "store"
    server = disk_server(folder, cache_dir)
    try:
        status, body = http("PUT", f"{server.url}/store?graph={G2}", data=TURTLE_A,
                            headers={**AUTH, "Content-Type": "text/turtle"})
        assert status == 201, body
    finally:
        server.stop()
    server = disk_server(folder, cache_dir)
    try:
        status, body = http("GET", f"{server.url}/store?graph={G2}")
        assert status == 200
        assert isomorphic(turtle(body), turtle(TURTLE_A))
    finally:
        server.stop()
