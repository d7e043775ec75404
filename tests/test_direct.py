"""Plain SPARQL GETs answered beside Flask (web/direct.py): every answer, error or not, cache
hit or miss, streamed or whole, is the one the /sparql view gives for the same request."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from werkzeug.test import Client

from gfmd_kg.web.cache import EXTENSION
from gfmd_kg.web.direct import DirectQueries, plain_query
from support import close_app, make_app

BASE = "https://w3id.org/gfmd-kg/"
REPORT_G = BASE + "graph/report"
ONTOLOGY_G = BASE + "graph/ontology"
GFMD = BASE + "ontology#"
OBJECTIVES = f"SELECT ?o ?n WHERE {{ ?o <{GFMD}objectiveNumber> ?n }} ORDER BY ?n LIMIT 5"
CONSTRUCT = (f"CONSTRUCT {{ ?o <{GFMD}objectiveNumber> ?n }} WHERE {{ ?o <{GFMD}objectiveNumber> "
             "?n } ORDER BY ?n LIMIT 5")
GRAPHS = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g"
JSON = "application/sparql-results+json"

#: (what it checks, parameters, headers): answers, negotiation, datasets and errors
REQUESTS: list[tuple[str, list[tuple[str, str]], dict[str, str]]] = [
    ("select, no Accept", [("query", OBJECTIVES)], {}),
    ("select, JSON", [("query", OBJECTIVES)], {"Accept": JSON}),
    ("select, CSV", [("query", OBJECTIVES)], {"Accept": "text/csv"}),
    ("select, TSV", [("query", OBJECTIVES)], {"Accept": "text/tab-separated-values"}),
    ("select, XML", [("query", OBJECTIVES)], {"Accept": "application/sparql-results+xml"}),
    ("select, weighted Accept", [("query", OBJECTIVES)],
     {"Accept": "application/json;q=0.5, text/csv, */*;q=0.1"}),
    ("select, format=csv", [("query", OBJECTIVES), ("format", "csv")], {}),
    ("select, two format=", [("query", OBJECTIVES), ("format", "tsv"), ("format", "csv")], {}),
    ("construct, no Accept", [("query", CONSTRUCT)], {}),
    ("construct, N-Triples", [("query", CONSTRUCT)], {"Accept": "application/n-triples"}),
    ("construct, JSON-LD", [("query", CONSTRUCT)], {"Accept": "application/ld+json"}),
    ("construct, format=ttl", [("query", CONSTRUCT), ("format", "ttl")], {}),
    ("describe", [("query", f"DESCRIBE <{BASE}id/person/soenke-lorenz>")], {}),
    ("ask", [("query", "ASK { ?s ?p ?o }")], {"Accept": JSON}),
    ("non-ASCII and escapes", [("query", 'SELECT ?x WHERE { BIND("Genève % 100+1 ü" AS ?x) }')],
     {}),
    ("timeout=", [("query", OBJECTIVES), ("timeout", "5")], {}),
    ("default-graph-uri", [("query", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"),
                           ("default-graph-uri", REPORT_G)], {}),
    ("named-graph-uri", [("query", GRAPHS), ("named-graph-uri", REPORT_G),
                         ("named-graph-uri", ONTOLOGY_G)], {}),
    ("no-cache", [("query", OBJECTIVES)], {"Cache-Control": "no-cache"}),
    ("not cacheable", [("query", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o FILTER(RAND() < 2) }")],
     {}),
    # errors found before the query runs
    ("empty query", [("query", "  ")], {}),
    ("unknown format=", [("query", OBJECTIVES), ("format", "pdf")], {}),
    ("timeout= not a number", [("query", OBJECTIVES), ("timeout", "soon")], {}),
    ("timeout= not positive", [("query", OBJECTIVES), ("timeout", "-1")], {"Accept": JSON}),
    ("not acceptable", [("query", OBJECTIVES)], {"Accept": "image/png"}),
    ("an update", [("query", "INSERT DATA { <urn:a> <urn:b> <urn:c> }")], {}),
    ("SERVICE", [("query", "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }")],
     {"Accept": JSON}),
    ("too deep", [("query", "SELECT * WHERE " + "{" * 200 + "}" * 200)], {}),
    ("dataset IRI", [("query", OBJECTIVES), ("default-graph-uri", "not an IRI")], {}),
    # errors the engine finds, in a worker: rendered after the query was sent
    ("syntax error", [("query", "SELECT ?x WHERE { ?x ?y }")], {}),
    ("syntax error, JSON", [("query", "SELECT ?x WHERE { ?x ?y }")], {"Accept": JSON}),
    ("evaluation error", [("query", "SELECT ?x WHERE { BIND(<urn:a> AS ?x) BIND(1 AS ?x) }")],
     {}),
]


def answer(client: Client, params: list[tuple[str, str]], headers: dict[str, str]
           ) -> tuple[int, dict[str, str], bytes]:
    """Status, headers (those that change by the millisecond aside) and body."""
    response = client.get("/sparql", query_string=params, headers=headers)
    body = response.get_data()
    kept = {k: v for k, v in response.headers.items() if k not in ("Server-Timing", "Date")}
    return response.status_code, kept, body


def without_etag(result: tuple[int, dict[str, str], bytes]) -> tuple[Any, ...]:
    status, headers, body = result
    return status, {k: v for k, v in headers.items() if k != "ETag"}, body


@pytest.fixture()
def paths(app: Any) -> tuple[Client, Client]:
    """The app as a server calls it (the direct path in front), and Flask alone."""
    assert isinstance(app.wsgi_app, DirectQueries)
    return Client(app.wsgi_app), Client(app.wsgi_app.flask)


@pytest.mark.parametrize("what, params, headers", REQUESTS, ids=[r[0] for r in REQUESTS])
def test_direct_answers_as_flask_does(app: Any, paths: tuple[Client, Client], what: str,
                                      params: list[tuple[str, str]],
                                      headers: dict[str, str]) -> None:
    direct, flask = paths
    cache = app.extensions[EXTENSION]
    cache.clear()
    flask_miss = answer(flask, params, headers)
    direct_hit = answer(direct, params, headers)
    flask_hit = answer(flask, params, headers)
    cache.clear()  # a new data version: the ETags change
    direct_miss = answer(direct, params, headers)
    flask_after = answer(flask, params, headers)
    assert direct_hit == flask_hit
    assert direct_hit[2] == flask_miss[2] and direct_miss[2] == flask_miss[2]  # hit or not
    assert without_etag(direct_miss) == without_etag(flask_miss)
    # the answer the direct path made was cached as Flask's would be, under the same tag
    assert direct_miss[1].get("ETag") == flask_after[1].get("ETag")
    assert flask_miss[1].get("ETag") == flask_hit[1].get("ETag")
    if flask_hit[1].get("X-Cache") == "hit":  # Flask's miss was kept: so is the direct one
        assert (direct_miss[1]["X-Cache"], flask_after[1]["X-Cache"]) == ("miss", "hit")


@pytest.fixture(scope="module")
def streaming(cache_dir: Path) -> Iterator[Any]:
    """An app without the row cap: answers stream from the engine."""
    application = make_app(cache_dir, max_rows=0, result_cache=False)
    yield application
    close_app(application)


@pytest.mark.parametrize("query, accept", [
    ("SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o", "text/csv"),
    ("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o", "application/n-triples"),
])
def test_streamed_answers_match(streaming: Any, query: str, accept: str) -> None:
    direct, flask = Client(streaming.wsgi_app), Client(streaming.wsgi_app.flask)
    status, headers, body = answer(direct, [("query", query)], {"Accept": accept})
    assert (status, headers, body) == answer(flask, [("query", query)], {"Accept": accept})
    assert status == 200 and "Content-Length" not in headers and body.count(b"\n") > 1000


@pytest.mark.parametrize("method, query_string, headers, taken", [
    ("GET", "query=ASK%7B%7D", {}, True),
    ("GET", "query=ASK%7B%7D&format=json&timeout=3&default-graph-uri=urn%3Ag", {}, True),
    ("HEAD", "query=ASK%7B%7D", {}, False),
    ("POST", "query=ASK%7B%7D", {}, False),
    ("GET", "", {}, False),  # the service description
    ("GET", "query=ASK%7B%7D&query=ASK%7B%7D", {}, False),  # two queries: Flask's 400
    ("GET", "update=CLEAR%20ALL", {}, False),  # Flask's 405
    ("GET", "query=ASK%7B%7D&callback=x", {}, False),
    ("GET", "query=ASK%7B%7D", {"Origin": "https://example.org"}, False),  # CORS headers
    ("GET", "query=ASK%7B%7D", {"If-None-Match": '"x"'}, False),  # a 304 maybe
])
def test_which_requests_go_direct(method: str, query_string: str, headers: dict[str, str],
                                  taken: bool) -> None:
    environ = {"REQUEST_METHOD": method, "PATH_INFO": "/sparql", "QUERY_STRING": query_string,
               **{"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items()}}
    assert (plain_query(environ) is not None) is taken


def test_plain_queries_skip_flask(app: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The comparisons above are not between Flask and itself: a plain GET never reaches it,
    and anything else does."""
    reached: list[str] = []
    flask = app.wsgi_app.flask

    def spy(environ: dict[str, Any], start_response: Any) -> Any:
        reached.append(environ["PATH_INFO"])
        return flask(environ, start_response)

    monkeypatch.setattr(app.wsgi_app, "flask", spy)
    client = app.test_client()
    assert client.get("/sparql", query_string={"query": OBJECTIVES}).status_code == 200
    # an error is rendered by the app's handlers and hooks, not by a second dispatch
    assert client.get("/sparql", query_string={"query": "SELECT ?x {"}).status_code == 400
    assert reached == []
    assert client.get("/healthz").status_code == 200
    assert client.head("/sparql", query_string={"query": OBJECTIVES}).status_code == 200
    assert reached == ["/healthz", "/sparql"]
