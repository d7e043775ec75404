"""Injection, escaping, security headers, no outbound network, and the write token.

- No user value is formatted into SPARQL text: hostile values in search, entity lookup,
  named-query parameters and protocol parameters get normal 2xx/4xx answers and change
  nothing in the store; a static check lists every place that builds SPARQL text from a
  variable, each with the reason it is safe, so a new one fails until it is reviewed.
- HTML pages escape every value (a search for <script>, a literal holding <script>).
- Security headers: nosniff on every answer; CSP, X-Frame-Options and Referrer-Policy on
  every HTML page; in Chromium the pages (YASGUI, vis-network) run under the CSP without
  a single violation, and an injected inline script is blocked.
- No request makes the server connect anywhere: a loopback listener records nothing.
- Writes need the token: a wrong and a missing token get the same answer; the token never
  appears in logs or answers; it comes from the environment or a file, never the command
  line.
"""

from __future__ import annotations

import ast
import base64
import json
import logging
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from click.testing import CliRunner

from gfmd_kg.namedqueries import load_named_queries
from gfmd_kg.settings import PROJECT_ROOT
from hardening import LoggedServer, request
from support import Listener

TOKEN = "s3cret-Token-7f1c9a-do-not-log"
BASE = "https://w3id.org/gfmd-kg/"
SOENKE = BASE + "id/person/soenke-lorenz"
NAMED = load_named_queries(PROJECT_ROOT / "queries")
SRC = PROJECT_ROOT / "src" / "gfmd_kg"

HOSTILE = [
    '"} ; DROP ALL ; #',
    "<x> } INSERT DATA { <a> <b> <c> }",
    "http://example.org/a b>",
    "http://example.org/a>b",
    "http://example.org/x> } ; DROP ALL ; INSERT DATA { <a:a> <a:b> <a:c> } #",
    f"{SOENKE}> }} ; CLEAR ALL ; SELECT * {{ <a:a",
    "' ; CLEAR ALL ; '",
    '""" ) } DELETE WHERE { ?s ?p ?o } #',
    "\\u003E } ; DROP ALL",
    "\n} ; DROP ALL #\n",
    "?s ?p ?o } ; DELETE WHERE { ?s ?p ?o",
    "<script>alert(1)</script>",
]


def make_app(cache_dir: Path, **settings: Any) -> Any:
    from gfmd_kg.web import create_app

    return create_app({"TESTING": True, "cache_dir": str(cache_dir), **settings})


@pytest.fixture(scope="module")
def writable(cache_dir: Path, built: Any) -> Iterator[Any]:
    """Writes enabled: an injection that reached an update would change the data."""
    application = make_app(cache_dir, update_token=TOKEN, workers=3)
    yield application
    application.extensions["gfmd_kg"].close()


def status_counts(client: Any) -> dict[str, Any]:
    data = client.get("/status", buffered=True).get_json()
    return {"graphs": data["graphs"], "other": data["other_graphs"], "total": data["triples"]}


# ------------------------------------------------------------------------- injection

def hostile_requests(value: str) -> list[tuple[str, dict[str, Any]]]:
    out: list[tuple[str, dict[str, Any]]] = [
        ("/search", {"q": value}), ("/search", {"q": value, "format": "json"}),
        ("/resource", {"iri": value}), ("/resource", {"iri": value, "format": "ttl"}),
        ("/class", {"iri": value}), ("/id/" + quote(value, safe=""), {}),
        ("/id/person/" + quote(value), {}), ("/store", {"graph": value}),
        ("/sparql", {"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 1",
                     "default-graph-uri": value}),
        ("/sparql", {"query": "ASK {}", "named-graph-uri": value, "format": value}),
        ("/", {"query": value}), ("/export/" + quote(value, safe=""), {}),
    ]
    for query in NAMED.values():
        for param in query.parameters:
            out.append((f"/queries/{query.name}.json", {param.name: value}))
            out.append((f"/queries/{query.name}", {param.name: value}))
    return out


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_values_are_terms_not_sparql(writable: Any, value: str) -> None:
    client = writable.test_client()
    before = status_counts(client)
    for path, params in hostile_requests(value):
        response = client.get(path, query_string=params, buffered=True)
        assert response.status_code < 500, (path, params, response.get_data(as_text=True))
    assert status_counts(client) == before


def test_string_parameter_is_matched_literally(writable: Any) -> None:
    """A string parameter is a literal: SPARQL in it matches nothing and runs nothing."""
    client = writable.test_client()
    before = status_counts(client)
    normal = client.get("/queries/search-labels.json", query_string={"text": "recognition"},
                        buffered=True)
    assert normal.status_code == 200 and normal.get_json()["results"]["bindings"]
    for value in HOSTILE:
        response = client.get("/queries/search-labels.json", query_string={"text": value},
                              buffered=True)
        assert response.status_code == 200, response.get_data(as_text=True)
        assert response.get_json()["results"]["bindings"] == []
    assert status_counts(client) == before


def test_graph_store_iri_cannot_carry_sparql(writable: Any) -> None:
    """The /store graph IRI is the one value written into update text (for remote stores):
    anything that could close the IRI is refused before."""
    client = writable.test_client()
    before = status_counts(client)
    auth = {"Authorization": f"Bearer {TOKEN}"}
    for value in [*HOSTILE[2:6], "http://example.org/g>", "http://example.org/{x}",
                  "http://example.org/\\u003E"]:
        for method in ("PUT", "POST", "DELETE"):
            response = client.open("/store", method=method, query_string={"graph": value},
                                   data=b"<urn:s> <urn:p> <urn:o> .", headers=auth,
                                   content_type="application/n-triples", buffered=True)
            assert response.status_code == 400, (method, value, response.get_data())
    assert status_counts(client) == before


#: Every place in src/gfmd_kg that builds SPARQL text from a variable, and why no request
#: value can change the query's structure there. A new place fails the test until reviewed.
REVIEWED = {
    ("api.py", "_prologue"): "PREFIX lines from the package's prefix table",
    ("cli.py", "stats_cmd"): "PREFIX lines from the package's prefix table",
    ("entityrows.py", "_citations_query"): "ontology IRIs under the configured base, each "
                                           "checked by pyoxigraph's NamedNode",
    ("describe.py", "_citations_query"): "ontology IRIs under the configured base, each "
                                         "checked by pyoxigraph's NamedNode",
    ("entityrows.py", "_bnode_chain"): "integers",
    ("describe.py", "_bnode_chain"): "integers",
    ("reasoning.py", "apply_rules"): "the OWL rules of the build, from the package",
    ("sparqltext.py", "values_block"): "terms written by pyoxigraph in N-Triples syntax; "
                                       "variable names from the named query's header",
    ("sparqltext.py", "bind_values"): "the VALUES block above, inserted at a brace",
    ("remote.py", "insert_data"): "quads written by pyoxigraph in N-Triples syntax",
    ("tasks.py", "apply_write"): "the graph IRI checked by the view (no space, <, >, {, }, "
                                 "quote or backslash; pyoxigraph's IRI parser), the data "
                                 "N-Triples written by pyoxigraph",
    ("tasks.py", "_dump_streaming"): "a graph IRI written by pyoxigraph's NamedNode",
    ("web/pages.py", "default_query"): "prefixes from the package's prefix table",
    ("web/pages.py", "lookup_labels"): "IRIs of query results that pass _SAFE_IRI (no "
                                       "character that can end an IRI), label properties "
                                       "from the package",
    ("updatecheck.py", "_graph"): "an error message, not SPARQL",
    ("web/guard.py", "check_query"): "an error message, not SPARQL",
}
_KEYWORDS = re.compile(r"\b(SELECT|CONSTRUCT|DESCRIBE|ASK|INSERT|DELETE|WHERE|VALUES|FILTER|"
                       r"GRAPH|CLEAR|DROP|PREFIX|BIND|OPTIONAL|UNION|SERVICE|LOAD)\b")


def _sparql_constant(node: ast.AST) -> bool:
    return (isinstance(node, ast.Constant) and isinstance(node.value, str)
            and bool(_KEYWORDS.search(node.value)) and bool(re.search(r"[{<?]", node.value)))


def sparql_building_sites() -> set[tuple[str, str]]:
    """(module, function) of every f-string, ``.format``, ``%`` or ``+`` that mixes SPARQL
    text with a variable."""
    sites: set[tuple[str, str]] = set()
    for path in sorted(SRC.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        owner: dict[int, str] = {}
        for func in ast.walk(tree):
            if isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for inner in ast.walk(func):
                    owner.setdefault(id(inner), func.name)
        for node in ast.walk(tree):
            mixed = False
            if isinstance(node, ast.JoinedStr):
                text = "".join(v.value for v in node.values
                               if isinstance(v, ast.Constant) and isinstance(v.value, str))
                mixed = (any(isinstance(v, ast.FormattedValue) for v in node.values)
                         and _sparql_constant(ast.Constant(text)))
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                mixed = node.func.attr == "format" and _sparql_constant(node.func.value)
            elif isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Mod, ast.Add)):
                sides = (node.left, node.right)
                mixed = any(_sparql_constant(s) for s in sides) and not all(
                    isinstance(s, ast.Constant) for s in sides)
            if mixed:
                sites.add((path.relative_to(SRC).as_posix(), owner.get(id(node), "<module>")))
    return sites


def test_no_request_value_is_formatted_into_sparql() -> None:
    sites = sparql_building_sites()
    module_level = {site for site in sites if site[1] == "<module>"}
    unreviewed = sites - set(REVIEWED) - module_level
    assert not unreviewed, (
        "SPARQL text built from variables in places nobody reviewed; bind values as terms "
        f"(pyoxigraph substitutions) or add the place to REVIEWED with the reason: {unreviewed}")
    assert ("web/pages.py", "lookup_labels") in sites  # the check does find such places


# ------------------------------------------------------------------------- escaping

SCRIPT = "<script>alert('x')</script>"


def test_search_escapes_the_query(writable: Any) -> None:
    client = writable.test_client()
    for params in ({"q": SCRIPT}, {"q": f'"><img src=x onerror=alert(1)>{SCRIPT}'}):
        response = client.get("/search", query_string=params, buffered=True)
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        assert "<script>alert" not in html and "<img src=x" not in html
        assert "&lt;script&gt;" in html
    data = client.get("/search", query_string={"q": SCRIPT, "format": "json"}, buffered=True)
    assert data.mimetype == "application/json" and data.get_json()["query"] == SCRIPT


@pytest.mark.parametrize("path, params", [
    ("/", {"query": f"</textarea>{SCRIPT}"}),
    ("/queries/search-labels", {"text": SCRIPT}),
    ("/queries/challenges-of-session", {"session": f'"><b>x</b>{SCRIPT}'}),
    ("/resource", {"iri": f"http://example.org/{SCRIPT}"}),
    ("/resource", {"iri": "javascript:alert(1)"}),
    ("/class", {"iri": f"urn:{SCRIPT}"}),
    ("/id/" + quote(SCRIPT, safe=""), {}),
])
def test_pages_escape_request_values(writable: Any, path: str, params: dict[str, str]) -> None:
    response = writable.test_client().get(path, query_string=params, buffered=True)
    html = response.get_data(as_text=True)
    assert response.status_code < 500
    assert "<script>alert" not in html
    assert "<b>x</b>" not in html
    assert 'href="javascript:' not in html.lower()


def test_stored_literal_with_markup_renders_as_text(writable: Any) -> None:
    client = writable.test_client()
    subject = "http://example.org/injection/thing"
    data = (f'<{subject}> <http://www.w3.org/2000/01/rdf-schema#label> '
            f'"Thing {SCRIPT}"@en .\n'
            f'<{subject}> <http://www.w3.org/2004/02/skos/core#definition> '
            f'"<img src=x onerror=alert(1)> and </script>" .\n'
            f'<{subject}> <http://www.w3.org/2000/01/rdf-schema#seeAlso> <javascript:alert(1)> .\n')
    put = client.put("/store", query_string={"graph": "http://example.org/injection"},
                     data=data.encode(), content_type="application/n-triples",
                     headers={"Authorization": f"Bearer {TOKEN}"}, buffered=True)
    assert put.status_code in (201, 204), put.get_data(as_text=True)
    try:
        for path, params in (("/resource", {"iri": subject}), ("/search", {"q": "Thing"})):
            deadline = time.monotonic() + 12  # the label index sees writes within seconds
            while True:
                response = client.get(path, query_string=params, buffered=True)
                html = response.get_data(as_text=True)
                if "&lt;script&gt;" in html or time.monotonic() > deadline:
                    break
                time.sleep(0.5)
            assert response.status_code == 200, html[:500]
            assert "Thing" in html
            assert "<script>alert" not in html and "<img src=x" not in html
            assert 'href="javascript:' not in html.lower()
            assert "&lt;script&gt;" in html
    finally:
        client.delete("/store", query_string={"graph": "http://example.org/injection"},
                      headers={"Authorization": f"Bearer {TOKEN}"}, buffered=True)


# ------------------------------------------------------------------------- headers

HTML_PATHS = ["/", "/queries", "/queries/challenges-of-session", "/search?q=lorenz",
              "/id/person/soenke-lorenz", "/ontology", "/export",
              "/class?iri=https%3A%2F%2Fw3id.org%2Fgfmd-kg%2Fontology%23Challenge",
              "/id/person/nobody-at-all"]
OTHER_PATHS = ["/sparql?query=ASK%7B%7D", "/sparql?query=ASK%7B%7D&format=csv",
               "/sparql?query=DESCRIBE%20%3Curn%3Ax%3E", "/sparql", "/sparql?query=SELEC",
               "/status", "/healthz", "/queries.json", "/id/person/soenke-lorenz.ttl",
               "/store?graph=https%3A%2F%2Fw3id.org%2Fgfmd-kg%2Fgraph%2Freport",
               "/export/report.ttl", "/ontology.ttl", "/static/style.css",
               "/vendor/yasgui/yasgui.min.js", "/nope", "/sparql?query=ASK%7B%7D&timeout=x"]


@pytest.mark.parametrize("path", HTML_PATHS)
def test_html_pages_carry_the_security_headers(writable: Any, path: str) -> None:
    response = writable.test_client().get(path, headers={"Accept": "text/html"},
                                          buffered=True)
    assert response.mimetype == "text/html", (path, response.status_code)
    headers = response.headers
    csp = {d.split()[0]: d.split()[1:] for d in
           (part.strip() for part in headers["Content-Security-Policy"].split(";")) if d}
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]  # no inline script, no eval
    assert csp["img-src"] == ["'self'", "data:"]
    assert csp["style-src"] == ["'self'", "'unsafe-inline'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("path", OTHER_PATHS)
def test_every_answer_is_nosniff(writable: Any, path: str) -> None:
    client = writable.test_client()
    for method in ("GET", "HEAD", "OPTIONS"):
        response = client.open(path, method=method, buffered=True)
        assert response.headers.get("X-Content-Type-Options") == "nosniff", (method, path)
    post = client.post("/sparql", data=b"ASK {}", content_type="application/sparql-query",
                       buffered=True)
    assert post.headers["X-Content-Type-Options"] == "nosniff"
    refused = client.post("/sparql", data={"update": "CLEAR ALL"}, buffered=True)
    assert refused.status_code == 401
    assert refused.headers["X-Content-Type-Options"] == "nosniff"


def test_pages_run_under_the_csp_in_chromium(page: Any, live_server: Any) -> None:
    """YASGUI, vis-network and the page scripts work with no CSP violation; an inline
    script added to a page does not run."""
    messages: list[str] = []
    page.on("console", lambda message: messages.append(message.text))
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => console.error("
        "'CSP-VIOLATION ' + e.violatedDirective + ' ' + e.blockedURI + ' ' + e.sourceFile))")
    for path in ["/", "/id/person/soenke-lorenz", "/ontology", "/search?q=lorenz",
                 "/queries/challenges-of-session", "/export"]:
        page.goto(live_server.url + path)
        page.wait_for_load_state("networkidle")
    page.goto(live_server.url + "/")
    page.wait_for_selector("#query-editor .CodeMirror")
    page.get_by_role("button", name="Run query").click()
    page.wait_for_selector("#result-table tbody tr")
    page.goto(live_server.url + "/id/person/soenke-lorenz")
    page.wait_for_load_state("networkidle")
    assert [m for m in messages if "CSP-VIOLATION" in m or "Content Security" in m] == []
    page.evaluate("() => { const s = document.createElement('script'); "
                  "s.textContent = 'window.inlineRan = true'; document.body.appendChild(s); }")
    time.sleep(0.3)
    assert page.evaluate("() => window.inlineRan === undefined")
    assert any("CSP-VIOLATION script-src" in m for m in messages)
    assert page.outside_requests == []


# ------------------------------------------------------------------------- no outbound network

@pytest.fixture()
def listener() -> Iterator[Listener]:
    found = Listener()
    yield found
    found.close()


def test_no_request_connects_anywhere(writable: Any, listener: Listener) -> None:
    client = writable.test_client()
    auth = {"Authorization": f"Bearer {TOKEN}"}
    far = listener.base
    statuses: list[tuple[str, int]] = []

    def ask(label: str, method: str, path: str, **kwargs: Any) -> Any:
        response = client.open(path, method=method, buffered=True, **kwargs)
        statuses.append((label, response.status_code))
        assert response.status_code < 500, (label, response.get_data(as_text=True))
        return response

    queries = {
        "SERVICE": f"SELECT * WHERE {{ SERVICE <{far}/sparql> {{ ?s ?p ?o }} }}",
        "SERVICE SILENT": f"SELECT * WHERE {{ SERVICE SILENT <{far}/sparql> {{ ?s ?p ?o }} }}",
        "SERVICE ?var": f"SELECT * WHERE {{ BIND(<{far}/s> AS ?e) SERVICE ?e {{ ?s ?p ?o }} }}",
        "SERVICE prefixed": f"PREFIX f: <{far}/>\nSELECT * WHERE {{ SERVICE f:s {{ ?s ?p ?o }} }}",
        "FROM": f"SELECT * FROM <{far}/g> WHERE {{ ?s ?p ?o }}",
        "FROM NAMED": f"SELECT * FROM NAMED <{far}/g> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
        "DESCRIBE": f"DESCRIBE <{far}/x>",
        "IRI functions": f"SELECT (IRI('{far}/x') AS ?i) (STRLEN(STR(<{far}/y>)) AS ?n) {{}}",
    }
    for label, query in queries.items():
        ask(label, "GET", "/sparql", query_string={"query": query})
        ask(label, "POST", "/sparql", data=query.encode(),
            content_type="application/sparql-query")
    ask("default-graph-uri", "GET", "/sparql",
        query_string={"query": "ASK { ?s ?p ?o }", "default-graph-uri": f"{far}/g",
                      "named-graph-uri": f"{far}/n"})
    updates = [f"LOAD <{far}/data.ttl>", f"LOAD SILENT <{far}/d> INTO GRAPH <urn:g>",
               f"load <{far}/d>",
               f"INSERT {{ GRAPH <urn:g> {{ ?s ?p ?o }} }} WHERE {{ SERVICE <{far}/s> "
               "{ ?s ?p ?o } }",
               f"INSERT DATA {{ GRAPH <urn:g> {{ <urn:a> <urn:b> <{far}/c> }} }}"]
    for update in updates:
        ask("update", "POST", "/sparql", data={"update": update}, headers=auth)
    for path, params in (("/resource", {"iri": f"{far}/x"}), ("/class", {"iri": f"{far}/c"}),
                         ("/search", {"q": f"{far}/x"}), ("/store", {"graph": f"{far}/g"}),
                         ("/resource", {"iri": f"{far}/x", "format": "ttl"}),
                         ("/queries/sources-of-fact.json", {"entity": f"{far}/x"}),
                         ("/queries/entity-neighbourhood", {"entity": f"{far}/x"})):
        ask(path, "GET", path, query_string=params)
    # an entity whose description links to the listener is shown without fetching it
    thing = "http://example.org/linked"
    linked = (f"<{thing}> <http://www.w3.org/2002/07/owl#sameAs> <{far}/same> .\n"
              f"<{thing}> <http://www.w3.org/2000/01/rdf-schema#seeAlso> <{far}/see> .\n"
              f"<{thing}> <http://www.w3.org/2000/01/rdf-schema#label> \"linked\" .\n")
    ask("upload", "PUT", "/store", query_string={"graph": "http://example.org/linked-g"},
        data=linked.encode(), content_type="application/n-triples", headers=auth)
    for fmt in (None, "ttl", "jsonld"):
        ask("linked entity", "GET", "/resource",
            query_string={"iri": thing, **({"format": fmt} if fmt else {})})
    # uploads that name remote documents: JSON-LD contexts, XML entities, a Turtle base
    remote_contexts = [
        {"@context": f"{far}/context.jsonld", "@id": "urn:s", "name": "x"},
        {"@context": [f"{far}/a.jsonld", {"n": "urn:n"}], "@id": "urn:s", "n": "x"},
        {"@context": {"@import": f"{far}/imported.jsonld"}, "@id": "urn:s", "n": "x"},
    ]
    for document in remote_contexts:
        response = ask("JSON-LD remote context", "PUT", "/store",
                       query_string={"graph": "http://example.org/ctx"}, headers=auth,
                       data=json.dumps(document).encode(), content_type="application/ld+json")
        assert response.status_code == 400
        assert "remote @context" in response.get_data(as_text=True)
    xml = ('<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [\n'
           f'  <!ENTITY far SYSTEM "{far}/entity.xml">\n'
           '  <!ENTITY local SYSTEM "file:///etc/passwd">\n]>\n'
           '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
           'xmlns:e="urn:e#"><rdf:Description rdf:about="urn:s"><e:p>&far;&local;</e:p>'
           '</rdf:Description></rdf:RDF>')
    ask("RDF/XML external entities", "PUT", "/store",
        query_string={"graph": "http://example.org/xxe"}, headers=auth, data=xml.encode(),
        content_type="application/rdf+xml")
    stored = client.get("/store", query_string={"graph": "http://example.org/xxe"},
                        buffered=True)
    assert b"root:" not in stored.data
    ask("Turtle base", "PUT", "/store", query_string={"graph": "http://example.org/base"},
        headers=auth, data=f"@base <{far}/> . @prefix f: <{far}/x#> . <a> f:b <c> .".encode(),
        content_type="text/turtle")
    for graph in ("linked-g", "xxe", "base"):
        client.delete("/store", query_string={"graph": f"http://example.org/{graph}"},
                      headers=auth, buffered=True)
    time.sleep(0.5)  # a connection in flight would have been accepted by now
    assert listener.requests == [], f"the server connected out: {listener.requests}"
    assert len(statuses) >= 35


# ------------------------------------------------------------------------- the write token

WRITES = [
    ("POST", "/sparql", {"data": {"update": "INSERT DATA { GRAPH <urn:t> { <urn:a> <urn:b> 1 } }"},
                         "content_type": "application/x-www-form-urlencoded"}),
    ("POST", "/sparql", {"data": b"CLEAR GRAPH <urn:t>",
                         "content_type": "application/sparql-update"}),
    ("PUT", "/store?graph=urn:t", {"data": b'<urn:a> <urn:b> "2" .',
                                   "content_type": "application/n-triples"}),
    ("POST", "/store?graph=urn:t", {"data": b"<urn:a> <urn:b> 3 .",
                                    "content_type": "text/turtle"}),
    ("DELETE", "/store?graph=urn:t", {}),
]
WRONG_AUTH: list[dict[str, str]] = [
    {}, {"Authorization": ""}, {"Authorization": "Bearer"}, {"Authorization": "Bearer "},
    {"Authorization": "Bearer wrong"}, {"Authorization": f"Bearer {TOKEN[:-1]}"},
    {"Authorization": f"Bearer {TOKEN}x"}, {"Authorization": f"Bearer {TOKEN.upper()}"},
    {"Authorization": f"Token {TOKEN}"},
    {"Authorization": "Basic " + base64.b64encode(f"user:{TOKEN}".encode()).decode()},
    {"Authorization": f"Bearer {TOKEN} {TOKEN}"}, {"X-Update-Token": TOKEN},
    {"Authorization": "Bearer \u00e9\u00e9"},
]


@pytest.mark.parametrize("accept", ["text/plain", "application/json"])
def test_wrong_and_missing_token_get_the_same_answer(writable: Any, accept: str,
                                                     caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    client = writable.test_client()
    before = status_counts(client)
    for method, path, kwargs in WRITES:
        answers = set()
        for headers in WRONG_AUTH:
            response = client.open(path, method=method, buffered=True,
                                   headers={**headers, "Accept": accept}, **kwargs)
            answers.add((response.status_code, response.get_data(),
                         response.headers.get("WWW-Authenticate"),
                         response.headers.get("Content-Type")))
        assert len(answers) == 1, f"{method} {path}: {answers}"
        status, body, _challenge, _type = answers.pop()
        assert status == 401
        assert TOKEN.encode() not in body
    assert status_counts(client) == before
    for method, path, kwargs in WRITES:  # the right token writes
        response = client.open(path, method=method, buffered=True,
                               headers={"Authorization": f"Bearer {TOKEN}", "Accept": accept},
                               **kwargs)
        assert response.status_code in (200, 201, 204), response.get_data(as_text=True)
        assert TOKEN.encode() not in response.get_data()
    assert TOKEN not in caplog.text
    for record in caplog.records:
        assert TOKEN not in record.getMessage()


def test_token_never_in_answers_or_server_log(cache_dir: Path, built: Any,
                                              tmp_path: Path) -> None:
    """A server reading its token from a file: writes work with it; no answer (errors,
    status, service description) and no line of its output ever shows it."""
    token_file = tmp_path / "token"
    token_file.write_text(TOKEN + "\n")
    token_file.chmod(0o600)
    log = tmp_path / "server.log"
    server = LoggedServer({"GFMD_KG_CACHE_DIR": str(cache_dir),
                           "GFMD_KG_UPDATE_TOKEN_FILE": str(token_file)}, log)
    try:
        bodies: list[bytes] = []
        right = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/sparql-update"}
        wrong = {"Authorization": f"Bearer {TOKEN}-not", "Content-Type":
                 "application/sparql-update"}
        for headers, update, expected in (
            (right, b"INSERT DATA { GRAPH <urn:tok> { <urn:a> <urn:b> 1 } }", 204),
            (wrong, b"INSERT DATA { GRAPH <urn:tok> { <urn:a> <urn:b> 2 } }", 401),
            (right, b"INSERT DATA { GRAPH <urn:tok> { <urn:a> <urn:b> ", 400),
            (right, b"DROP ALL", 403),
            (right, b"LOAD <http://127.0.0.1:9/x>", 403),
        ):
            answer = request(server.url, "POST", "/sparql", body=update, headers=headers)
            assert answer.status == expected, answer.text
            bodies.append(answer.body + repr(answer.headers).encode())
        for path in ("/status", "/sparql", "/", "/nope"):
            answer = request(server.url, "GET", path)
            bodies.append(answer.body + repr(answer.headers).encode())
        assert all(TOKEN.encode() not in body for body in bodies)
    finally:
        server.stop()
    output = server.output()
    assert "query page at" in output  # the log was captured
    assert TOKEN not in output


def test_token_only_from_environment_or_file() -> None:
    from gfmd_kg.cli import main

    runner = CliRunner()
    shown = runner.invoke(main, ["serve", "--help"])
    assert shown.exit_code == 0
    assert "--update-token-file" in shown.output
    assert not re.search(r"--update-token(?!-file)", shown.output)
    refused = runner.invoke(main, ["serve", "--update-token", TOKEN])
    assert refused.exit_code == 2 and "No such option" in refused.output
