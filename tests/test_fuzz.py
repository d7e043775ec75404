"""Fuzzing every route with hostile input: random text and bytes, invalid UTF-8, mutations of
the named queries, huge and deeply nested queries, absurd Accept headers, repeated and
conflicting parameters, path traversal in IRIs and file names.

The property, for every request: the answer is a 2xx whose body parses as what its
Content-Type says, a 3xx, a 4xx with a readable message, or a 503 with Retry-After (a query
stopped at the time limit, or out of workers) - never a 500 - and it comes within the time
limit (plus the wait for a worker): nothing hangs. The number of cases run is printed at
the end of the module.
"""

from __future__ import annotations

import json
import re
import time
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from gfmd_kg.namedqueries import load_named_queries
from gfmd_kg.settings import PROJECT_ROOT

TIMEOUT = 2.0  # the apps' query time limit, seconds
QUEUE_WAIT = 3.0
#: Longest an answer may take: the time limit, a wait for a worker that is being
#: replaced, and slack for a loaded machine.
BOUND = TIMEOUT + QUEUE_WAIT + 4.0
TOKEN = "fuzz-token-0123456789"
NAMED = load_named_queries(PROJECT_ROOT / "queries")
QUERY_TEXTS = [q.text for q in NAMED.values()]
SOENKE = "https://w3id.org/gfmd-kg/id/person/soenke-lorenz"

#: Cases run, by test.
CASES: Counter[str] = Counter()

FUZZ = settings(
    max_examples=300,
    deadline=timedelta(seconds=BOUND + 2),
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                           HealthCheck.filter_too_much],
)


@pytest.fixture(scope="module", autouse=True)
def report_cases(pytestconfig: pytest.Config) -> Iterator[None]:
    yield
    total = sum(CASES.values())
    detail = ", ".join(f"{name} {n}" for name, n in sorted(CASES.items()))
    line = f"fuzz: {total} cases ran ({detail})"
    reporter = pytestconfig.pluginmanager.get_plugin("terminalreporter")
    capture = pytestconfig.pluginmanager.get_plugin("capturemanager")
    if reporter is not None and capture is not None:
        with capture.global_and_fixture_disabled():
            reporter.write_line(line)
    else:
        print(line)


def make_app(cache_dir: Path, **settings: Any) -> Any:
    from gfmd_kg.web import create_app

    return create_app({"TESTING": True, "cache_dir": str(cache_dir),
                       "query_timeout": TIMEOUT, "queue_wait": QUEUE_WAIT, "workers": 3,
                       "max_rows": 500, **settings})


@pytest.fixture(scope="module")
def fuzz_app(cache_dir: Path, built: Any) -> Iterator[Any]:
    """Read-only, a 2-second time limit."""
    application = make_app(cache_dir)
    yield application
    application.extensions["gfmd_kg"].close()


@pytest.fixture(scope="module")
def writable_app(cache_dir: Path, built: Any) -> Iterator[Any]:
    """Writes enabled (memory store), for uploads and updates."""
    application = make_app(cache_dir, update_token=TOKEN, workers=2)
    yield application
    application.extensions["gfmd_kg"].close()


# ------------------------------------------------------------------------- the property

RDF_TYPES = {
    "text/turtle": ox.RdfFormat.TURTLE, "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/rdf+xml": ox.RdfFormat.RDF_XML, "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/trig": ox.RdfFormat.TRIG, "application/n-quads": ox.RdfFormat.N_QUADS,
}


def check(response: Any, seconds: float, case: str, method: str = "GET") -> None:
    """The promise: a correct 2xx, a 3xx, a readable 4xx or a 503 with Retry-After; in time."""
    CASES[case] += 1
    status = response.status_code
    body: bytes = response.get_data()
    where = f"{case}: {status} {body[:300]!r}"
    assert seconds < BOUND, f"{where} took {seconds:.1f} s"
    assert status < 500 or (status == 503 and response.headers.get("Retry-After")), where
    assert response.headers.get("X-Content-Type-Options") == "nosniff", where
    if method == "HEAD" or status in (201, 204, 304) or 300 <= status < 400:
        return
    if status >= 400:
        text = body.decode("utf-8")  # readable: UTF-8 text...
        assert re.search(r"[A-Za-z]{3}", text), where  # ...with words in it
        if response.mimetype == "application/json":
            assert json.loads(text)["error"]["message"], where
        return
    parse_body(response.mimetype, body, where)


def parse_body(mime: str, body: bytes, where: str) -> None:
    """A 2xx body parses as its media type says."""
    if mime in ("application/sparql-results+json", "application/json"):
        json.loads(body)
    elif mime == "application/sparql-results+xml":
        ET.fromstring(body)
    elif mime in RDF_TYPES:
        list(ox.parse(body, format=RDF_TYPES[mime]))
    elif mime in ("text/csv", "text/tab-separated-values", "text/plain", "text/css",
                  "application/javascript", "text/javascript"):
        body.decode("utf-8")
    elif mime == "text/html":
        assert b"<html" in body[:500].lower(), where
    # other types (a library's files under /vendor) are served as they are


def send(client: Any, case: str, method: str, path: str, **kwargs: Any) -> Any:
    if path.startswith("//"):  # the test client would read a host name from it
        path = "/" + path.lstrip("/")
    started = time.monotonic()
    response = client.open(path, method=method, buffered=True, **kwargs)
    check(response, time.monotonic() - started, case, method)
    return response


# ------------------------------------------------------------------------- strategies

ACCEPTS = st.one_of(
    st.none(),
    st.sampled_from([
        "*/*", "text/html", "application/json", "text/csv", "text/turtle", "application/xml",
        "application/sparql-results+json;q=0", "*/*;q=0", "text/*;q=0.1, */*;q=abc",
        "application/ld+json;q=0.5, text/turtle;q=0.50000001", ";;;,,,", "*/*;q=1e999",
        "text/turtle;q=-1, application/rdf+xml;q=2", "image/png", "a/b/c/d", "\x00",
        ",".join(f"x/y{i};q=0.{i % 10}" for i in range(500)),
        "application/sparql-results+xml, text/html;level=1;q=0.9, */*;q=0.01",
    ]),
    st.text(max_size=80).filter(lambda s: "\n" not in s and "\r" not in s),
)

SPARQL_TOKENS = [
    "{", "}", "(", ")", "[", "]", ".", ";", ",", "?x", "$y", "<", ">", "<urn:x>", '"', "'",
    '"""', "'''", "#", "\\", "\\u0000", "\\U0010FFFF", "SELECT", "ASK", "CONSTRUCT",
    "DESCRIBE", "WHERE", "OPTIONAL", "UNION", "MINUS", "FILTER", "BIND", "VALUES", "GRAPH ?g",
    "SERVICE <http://127.0.0.1:9/sparql>", "SERVICE SILENT ?g", "LIMIT 0",
    "LIMIT 18446744073709551616", "OFFSET -1", "ORDER BY RAND()", "GROUP BY ?x",
    "COUNT(*)", "*", " a ", "^^<urn:dt>", "@en", "_:b", "[]", "PREFIX x: <urn:y>",
    "BASE <urn:z>", "INSERT DATA { <a:a> <a:b> <a:c> }", "DROP ALL", "LOAD <http://127.0.0.1:9/>",
    "1e308", "-0", "NaN", "\U0001f600", "\u202e", "\x00", "\ufeff", "FROM <urn:g>",
    "FROM NAMED <urn:g>", "?a (<urn:p>|!<urn:p>)* ?b", "REPLACE(?x, '(a*)*b', '$1')",
    "REGEX(?x, '((((((((((a))))))))))*')", "STRDT('x', <urn:dt>)", "xsd:date('2018-13-45')",
]


@st.composite
def mutated_query(draw: st.DrawFn) -> str:
    """A named query with a few random edits: spans deleted, duplicated, swapped,
    tokens and characters inserted."""
    text = draw(st.sampled_from(QUERY_TEXTS))
    for _ in range(draw(st.integers(1, 4))):
        n = len(text)
        i = draw(st.integers(0, n))
        j = draw(st.integers(i, min(n, i + 40)))
        op = draw(st.sampled_from(["delete", "duplicate", "token", "char", "swap",
                                   "truncate", "replace"]))
        if op == "delete":
            text = text[:i] + text[j:]
        elif op == "duplicate":
            text = text[:j] + text[i:j] * draw(st.integers(1, 50)) + text[j:]
        elif op == "token":
            text = text[:i] + " " + draw(st.sampled_from(SPARQL_TOKENS)) + " " + text[i:]
        elif op == "char":
            text = text[:i] + draw(st.characters()) + text[i:]
        elif op == "swap":
            k = draw(st.integers(0, n))
            text = text[i:j] + text[:i] + text[j:k] + text[k:]
        elif op == "truncate":
            text = text[:i]
        else:
            text = text[:i] + draw(st.text(max_size=10)) + text[j:]
    return text


CHARSETS = st.sampled_from(["", "; charset=utf-8", "; charset=UTF-16", "; charset=latin-1",
                            "; charset=bogus", "; charset=", "; charset=utf-8; x=y"])


def send_query(client: Any, case: str, query: str, how: str, accept: str | None,
               charset: str = "", extra: list[tuple[str, str]] | None = None) -> Any:
    headers = {"Accept": accept} if accept is not None else {}
    params = list(extra or [])
    if how == "get":
        return send(client, case, "GET", "/sparql", query_string=[("query", query), *params],
                    headers=headers)
    if how == "form":
        return send(client, case, "POST", "/sparql", data=MultiDict([("query", query), *params]),
                    content_type="application/x-www-form-urlencoded", headers=headers)
    try:
        data = query.encode(charset.partition("=")[2].split(";")[0].strip() or "utf-8")
    except (LookupError, UnicodeEncodeError):
        data = query.encode("utf-8", "surrogatepass")
    return send(client, case, "POST", "/sparql", data=data,
                content_type="application/sparql-query" + charset, query_string=params,
                headers=headers)


HOW = st.sampled_from(["get", "form", "direct"])


# ------------------------------------------------------------------------- /sparql

@FUZZ
@given(query=st.text(max_size=300), how=HOW, accept=ACCEPTS, charset=CHARSETS)
def test_sparql_random_text(fuzz_app: Any, query: str, how: str, accept: str | None,
                            charset: str) -> None:
    send_query(fuzz_app.test_client(), "sparql-text", query, how, accept, charset)


@settings(FUZZ, max_examples=800)
@given(query=mutated_query(), how=HOW, accept=ACCEPTS)
def test_sparql_mutated_named_queries(fuzz_app: Any, query: str, how: str,
                                      accept: str | None) -> None:
    send_query(fuzz_app.test_client(), "sparql-mutated", query, how, accept)


@FUZZ
@given(body=st.binary(max_size=600),
       content_type=st.one_of(st.sampled_from([
           "application/sparql-query", "application/sparql-update",
           "application/x-www-form-urlencoded", "application/sparql-query; charset=utf-8",
           "multipart/form-data; boundary=x", "text/plain", "", "application/json",
       ]), st.text(max_size=40).filter(lambda s: "\n" not in s and "\r" not in s)),
       raw_query=st.binary(max_size=200))
def test_sparql_random_bytes(fuzz_app: Any, body: bytes, content_type: str,
                             raw_query: bytes) -> None:
    client = fuzz_app.test_client()
    send(client, "sparql-bytes", "POST", "/sparql", data=body, content_type=content_type)
    # bytes in the URL, percent-encoded as they are (invalid UTF-8 included)
    send(client, "sparql-bytes", "GET", "/sparql?query=" + quote(raw_query, safe=""))
    send(client, "sparql-bytes", "GET", "/sparql?" + quote(raw_query, safe="=&"))


PARAM_NAMES = st.sampled_from(["query", "update", "default-graph-uri", "named-graph-uri",
                               "using-graph-uri", "format", "timeout", "query ", "QUERY",
                               "", "x"])
PARAM_VALUES = st.one_of(
    st.sampled_from([
        "ASK {}", "SELECT * WHERE { ?s ?p ?o } LIMIT 2", "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 2",
        f"DESCRIBE <{SOENKE}>", "INSERT DATA { <a:a> <a:b> <a:c> }", "json", "csv", "ttl",
        "nquads", "0", "-1", "1e-9", "nan", "inf", "1e999", "https://w3id.org/gfmd-kg/graph/report",
        "not an iri", "http://x/\x01", "urn:x", "", " ", "\x00",
    ]),
    st.text(max_size=60),
)


@FUZZ
@given(params=st.lists(st.tuples(PARAM_NAMES, PARAM_VALUES), max_size=6),
       method=st.sampled_from(["GET", "POST", "HEAD", "OPTIONS", "PUT", "DELETE", "PATCH"]),
       accept=ACCEPTS)
def test_sparql_repeated_and_conflicting_parameters(fuzz_app: Any,
                                                    params: list[tuple[str, str]],
                                                    method: str, accept: str | None) -> None:
    client = fuzz_app.test_client()
    headers = {"Accept": accept} if accept is not None else {}
    send(client, "sparql-params", method, "/sparql", query_string=params, headers=headers)
    if method == "POST":
        send(client, "sparql-params", "POST", "/sparql", data=MultiDict(params), headers=headers,
             content_type="application/x-www-form-urlencoded")


# ------------------------------------------------------------------------- /store

@FUZZ
@given(params=st.lists(st.tuples(st.sampled_from(["graph", "default", "x", "graph "]),
                                 PARAM_VALUES), max_size=3),
       method=st.sampled_from(["GET", "HEAD", "PUT", "POST", "DELETE", "OPTIONS"]),
       accept=ACCEPTS, body=st.binary(max_size=200),
       content_type=st.sampled_from(["text/turtle", "application/ld+json", "", "text/x"]))
def test_store_read_only(fuzz_app: Any, params: list[tuple[str, str]], method: str,
                         accept: str | None, body: bytes, content_type: str) -> None:
    headers = {"Accept": accept} if accept is not None else {}
    send(fuzz_app.test_client(), "store", method, "/store", query_string=params,
         headers=headers, data=body if method in ("PUT", "POST") else None,
         content_type=content_type or None)


UPLOADS = st.one_of(
    st.binary(max_size=400),
    st.text(max_size=300).map(str.encode),
    st.sampled_from([
        b'<a:s> <a:p> "x" .', b"@prefix : <urn:x#> . :a :b :c .",
        b'{"@id": "urn:s", "urn:p": "x"}', b'{"@context": {"@vocab": "urn:v#"}, "a": 1}',
        b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>',
        b'<a:s> <a:p> "\xff\xfe" .', b"<a:s> <a:p> <a:o\x01> .", b"[" * 3000 + b"]" * 3000,
        b'{"urn:p": ' * 6000 + b"1" + b"}" * 6000,
        b"<a:s> <a:p> " + b"[ <a:p> " * 3000 + b"1" + b"]" * 3000 + b" .",
    ]),
)


@settings(FUZZ, max_examples=250)
@given(data=UPLOADS, method=st.sampled_from(["PUT", "POST"]),
       content_type=st.sampled_from(["text/turtle", "application/n-triples",
                                     "application/rdf+xml", "application/ld+json",
                                     "text/plain", "application/x-turtle",
                                     "text/turtle; charset=latin-1", "image/png"]),
       graph=st.one_of(st.sampled_from(["http://example.org/fuzz/a", "urn:fuzz:b"]),
                       st.text(max_size=30).map(lambda s: "http://example.org/fuzz/" + s)))
def test_store_uploads(writable_app: Any, data: bytes, method: str, content_type: str,
                       graph: str) -> None:
    """Random bodies uploaded with the token: parsed in the web process itself."""
    send(writable_app.test_client(), "store-upload", method, "/store",
         query_string={"graph": graph}, data=data, content_type=content_type,
         headers={"Authorization": f"Bearer {TOKEN}"})


@settings(FUZZ, max_examples=250)
@given(update=st.one_of(st.text(max_size=200), mutated_query().map(
    lambda q: "INSERT { GRAPH <http://example.org/fuzz/u> { ?s ?p ?o } } WHERE { " + q + " }")),
    how=st.sampled_from(["form", "direct"]))
def test_sparql_updates_with_the_token(writable_app: Any, update: str, how: str) -> None:
    client = writable_app.test_client()
    headers = {"Authorization": f"Bearer {TOKEN}"}
    if how == "form":
        send(client, "sparql-update", "POST", "/sparql", data={"update": update},
             headers=headers, content_type="application/x-www-form-urlencoded")
    else:
        send(client, "sparql-update", "POST", "/sparql", data=update.encode("utf-8", "replace"),
             headers=headers, content_type="application/sparql-update")


# ------------------------------------------------------------------------- pages

SEGMENT = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["..", ".", "%2e%2e", "..%2f", "%2e%2e%2f", "%00", "%ff", "%c0%ae",
                     "person", "soenke-lorenz", "soenke-lorenz.ttl", "x.jsonld", "x.rdf",
                     "\u202e", "a" * 300, "con", "~root", "%5c..%5c"]),
)


@st.composite
def page_request(draw: st.DrawFn) -> tuple[str, list[tuple[str, str]]]:
    """A path under one of the page routes, and query-string parameters."""
    kind = draw(st.sampled_from(["search", "id", "resource", "class", "queries", "query-page",
                                 "ontology", "export", "vendor", "static", "root"]))
    value = draw(PARAM_VALUES)
    segments = draw(st.lists(SEGMENT, min_size=1, max_size=4))
    joined = "/".join(quote(s, safe="%.~") if draw(st.booleans()) else s.replace("?", "%3F")
                      .replace("#", "%23") for s in segments)
    extra = draw(st.lists(st.tuples(st.sampled_from(["format", "page", "per_page", "limit",
                                                     "prop", "q", "iri", "x", "timeout"]),
                                    PARAM_VALUES), max_size=3))
    if kind == "search":
        return "/search", [("q", value), *extra]
    if kind == "id":
        return "/id/" + joined, extra
    if kind == "resource":
        return "/resource", [("iri", draw(st.sampled_from([value, SOENKE, "javascript:x",
                                                           "file:///etc/passwd"]))), *extra]
    if kind == "class":
        return "/class", [("iri", value), *extra]
    if kind == "queries":
        name = draw(st.sampled_from([*NAMED, "nope", "..", "%2e%2e"]))
        suffix = draw(st.sampled_from(["", ".json", ".csv", ".tsv", ".xml", ".ttl", ".nt",
                                       ".jsonld", ".exe", ".json.json", "."]))
        params = [(p.name, draw(PARAM_VALUES)) for q in NAMED.values() if q.name == name
                  for p in q.parameters if draw(st.booleans())]
        return f"/queries/{name}{suffix}", [*params, *extra]
    if kind == "query-page":
        return "/", [("query", draw(st.one_of(mutated_query(), st.text(max_size=100))))]
    if kind == "ontology":
        return "/ontology" + draw(st.sampled_from(["", ".ttl", ".rdf", ".owl", ".jsonld", ".nt",
                                                   ".x", "/2018", "/" + joined])), extra
    if kind == "export":
        return "/export/" + joined, extra
    if kind == "vendor":
        lib = draw(st.sampled_from(["yasgui", "vis-network", "..", "x"]))
        return f"/vendor/{lib}/{joined}", extra
    if kind == "static":
        return "/static/" + joined, extra
    return "/" + joined, extra


@settings(FUZZ, max_examples=1000)
@given(target=page_request(), accept=ACCEPTS, method=st.sampled_from(["GET", "GET", "HEAD"]))
def test_pages(fuzz_app: Any, target: tuple[str, list[tuple[str, str]]], accept: str | None,
               method: str) -> None:
    path, params = target
    headers = {"Accept": accept} if accept is not None else {}
    send(fuzz_app.test_client(), "pages", method, path, query_string=params, headers=headers)


# ------------------------------------------------------------------------- the extremes

def nested(depth: int, opening: str, closing: str, core: str) -> str:
    return opening * depth + core + closing * depth


HUGE = 900_000
EXTREME_QUERIES = {
    "5000 nested braces": "SELECT * WHERE " + nested(5000, "{ ", "} ", "?s ?p ?o"),
    "5000 nested parentheses": "SELECT * WHERE { FILTER" + nested(5000, "(", ")", "1") + " }",
    "5000 nested brackets": "SELECT * WHERE { ?s ?p " + nested(5000, "[ ?p ", "] ", "?o") + " }",
    "5000 nested OPTIONALs": "SELECT * WHERE { ?s ?p ?o "
                             + nested(5000, "OPTIONAL { ?s ?p ?o ", "} ", "") + "}",
    "5000 unclosed braces": "SELECT * WHERE " + "{" * 5000,
    "5000 closing braces": "ASK {}" + "}" * 5000,
    "900 KB VALUES": "SELECT (COUNT(*) AS ?n) WHERE { VALUES ?x { "
                     + " ".join(str(i) for i in range(HUGE // 7)) + " } }",
    "900 KB string": 'SELECT (STRLEN("' + "a" * HUGE + '") AS ?n) WHERE {}',
    "900 KB comment": "#" + "x" * HUGE + "\nASK {}",
    "900 KB IRI": "ASK { <urn:" + "x" * HUGE + "> ?p ?o }",
    "900 KB of 1+1+...": "SELECT (" + "+".join(["1"] * (HUGE // 2)) + " AS ?x) WHERE {}",
    "900 KB of !!!...": "SELECT (" + "!" * HUGE + "true AS ?x) WHERE {}",
    "900 KB of UNIONs": "SELECT * WHERE { " + " UNION ".join(["{?s ?p ?o}"] * (HUGE // 17))
                        + " }",
    "900 KB of ||": "SELECT * WHERE { ?s ?p ?o FILTER(" + "||".join(["?o"] * (HUGE // 4))
                    + ") }",
    "900 KB of a path": "ASK { ?s " + "/".join(["<urn:p>"] * (HUGE // 8)) + " ?o }",
    "900 KB of triple patterns": "SELECT * WHERE { "
                                 + " . ".join(f"?s <urn:p{i}> ?o" for i in range(HUGE // 20))
                                 + " }",
    "900 KB of garbage": "SELECT " + "\x00\ufffd}{)(" * (HUGE // 6),
}


@pytest.mark.parametrize("name", list(EXTREME_QUERIES))
def test_extreme_queries(fuzz_app: Any, name: str) -> None:
    """Each sent as a direct POST (900 KB fits the 1 MB limit) and as a form POST; the
    small ones also by GET."""
    client = fuzz_app.test_client()
    query = EXTREME_QUERIES[name]
    case = "extreme"
    send_query(client, case, query, "direct", None)
    send_query(client, case, query, "form", "application/json")
    if len(query) < 100_000:
        send_query(client, case, query, "get", "text/csv")


def test_extreme_uploads_and_updates(writable_app: Any) -> None:
    """Deeply nested uploads are parsed in the web process: they must not take it down."""
    client = writable_app.test_client()
    auth = {"Authorization": f"Bearer {TOKEN}"}
    uploads = {
        "application/ld+json": b'{"@id": "urn:s", "urn:p": ' + nested(5000, '{"urn:p": ', "}",
                                                                       "1").encode() + b"}",
        "text/turtle": b"<urn:s> <urn:p> " + nested(50000, "[ <urn:p> ", "] ", "1").encode()
                       + b".",
        "application/rdf+xml": (
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
            'xmlns:e="urn:e#"><rdf:Description rdf:about="urn:s">'
            + nested(5000, "<e:p><rdf:Description>", "</rdf:Description></e:p>", "")
            + "</rdf:Description></rdf:RDF>").encode(),
    }
    for mime, data in uploads.items():
        response = send(client, "extreme", "PUT", "/store", data=data, content_type=mime,
                        query_string={"graph": "http://example.org/fuzz/deep"}, headers=auth)
        assert response.status_code in (201, 204, 400), response.get_data(as_text=True)
    deep_json = send(client, "extreme", "PUT", "/store", data=uploads["application/ld+json"],
                     content_type="application/ld+json", headers=auth,
                     query_string={"graph": "http://example.org/fuzz/deep"})
    assert deep_json.status_code == 400
    assert "nested too deeply" in deep_json.get_data(as_text=True)
    for update in ("INSERT { <a:a> <a:b> ?x } WHERE { BIND(" + "!" * 20000 + "true AS ?x) }",
                   "INSERT DATA { GRAPH <urn:g> " + nested(5000, "{ ", "} ", "") + "}"):
        send(client, "extreme", "POST", "/sparql", data=update.encode(), headers=auth,
             content_type="application/sparql-update")
    assert send(client, "extreme", "GET", "/sparql",
                query_string={"query": "ASK {}"}).status_code == 200


ABSURD_ACCEPTS = [
    "", "*", "*/", "/", "*/*;q=", "*/*;q=0", "*/*; q=0.0001", ";q=1", "text/turtle;;;q=1",
    "application/sparql-results+json;q=0.5;q=0.9", "text/html;q=1.0000001", "\x7f",
    "é/ü", "application/json" * 1000, ", " * 4000, "text/csv;charset=ebcdic",
    "application/sparql-results+json; q=NaN", "*/*;q=-0", "text/turtle;q=0, text/turtle;q=1",
]


@pytest.mark.parametrize("path", ["/sparql?query=ASK%20%7B%7D",
                                  "/sparql?query=DESCRIBE%20%3Curn%3Ax%3E", "/sparql", "/",
                                  "/search?q=lorenz", "/id/person/soenke-lorenz",
                                  "/queries/gcm-objectives", "/store?graph="
                                  "https%3A%2F%2Fw3id.org%2Fgfmd-kg%2Fgraph%2Freport",
                                  "/ontology", "/export/report.ttl", "/nope"])
def test_absurd_accept_headers(fuzz_app: Any, path: str) -> None:
    client = fuzz_app.test_client()
    for accept in ABSURD_ACCEPTS:
        send(client, "accept", "GET", path, headers={"Accept": accept})


TRAVERSALS = [
    "/vendor/yasgui/../../pyproject.toml", "/vendor/yasgui/..%2f..%2f..%2fpyproject.toml",
    "/vendor/yasgui/%2e%2e/%2e%2e/%2e%2e/%2e%2e/pyproject.toml",
    "/vendor/yasgui/....//....//pyproject.toml", "/vendor/..%2f..%2fpackage.json/x",
    "/vendor/yasgui//etc/passwd", "/vendor/yasgui/%2fetc%2fpasswd",
    "/vendor/yasgui/..%5c..%5c..%5cpyproject.toml", "/vendor/yasgui/%c0%ae%c0%ae/x",
    "/export/../x", "/export/..%2fpyproject.toml", "/export/%2e%2e%2fsrc%2fgfmd_kg%2fcli.py",
    "/export/..", "/export/.trig", "/export/gfmd-kg.trig/../../../pyproject.toml",
    "/static/../web/security.py", "/static/..%2fweb%2fsecurity.py", "/static/%2e%2e/cli.py",
    "/static//etc/passwd", "/queries/..%2f..%2fpyproject", "/queries/../../pyproject.toml",
    "/id/../../pyproject.toml", "/id/..%2f..%2fpyproject.toml", "/ontology/../../etc/passwd",
    "/resource?iri=file:///etc/passwd", "/resource?iri=file:///proc/self/environ",
    "/class?iri=file:///etc/passwd", "/store?graph=file:///etc/passwd",
    "/sparql?query=ASK%7B%7D&default-graph-uri=file:///etc/passwd",
    "/sparql?query=SELECT%20*%20FROM%20%3Cfile:///etc/passwd%3E%20WHERE%20%7B?s%20?p%20?o%7D",
]
SECRETS = (b"[build-system]", b"root:x:0:0", b"gfmd-kg-ui", b"from __future__")


@pytest.mark.parametrize("path", TRAVERSALS)
def test_path_traversal(fuzz_app: Any, path: str) -> None:
    response = send(fuzz_app.test_client(), "traversal", "GET", path)
    body = response.get_data()
    assert not any(secret in body for secret in SECRETS), body[:300]
    assert response.status_code != 200 or response.mimetype != "text/plain", body[:300]
