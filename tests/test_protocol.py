"""The SPARQL 1.1 Protocol at /sparql, through the Flask test client: the three ways to send
a query, the dataset parameters, content negotiation, errors, the service description,
CORS, time limits, the row cap and the refusal of outbound network calls."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import rdflib
from rdflib.compare import isomorphic
from rdflib.namespace import RDF

from support import Listener, built_counts, close_app, make_app

# rdflib's TriG and N-Quads parsers use their own deprecated API
pytestmark = pytest.mark.filterwarnings("ignore:.*deprecated.*:DeprecationWarning")

BASE = "https://w3id.org/gfmd-kg/"
GRAPH = BASE + "graph/"
ONTOLOGY_G, REPORT_G, CURATED_G, INFERRED_G = (GRAPH + k for k in
                                               ("ontology", "report", "curated", "inferred"))
BUILT_GRAPHS = {ONTOLOGY_G, REPORT_G, CURATED_G, INFERRED_G}
GFMD = BASE + "ontology#"
SOENKE = BASE + "id/person/soenke-lorenz"
SRX = "{http://www.w3.org/2005/sparql-results#}"
SD = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
VOID = rdflib.Namespace("http://rdfs.org/ns/void#")
FORMATS = rdflib.Namespace("http://www.w3.org/ns/formats/")

CHALLENGES = f"SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE {{ ?c a <{GFMD}Challenge> }}"
ALL_TRIPLES = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
GRAPHS = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
THREE_ROWS = "SELECT ?x ?y WHERE { VALUES (?x ?y) { (1 \"a\") (<urn:x> \"b\"@en) (3 \"c\") } }"
REPORT_CONSTRUCT = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{REPORT_G}> {{ ?s ?p ?o }} }}"
HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
FORM = "application/x-www-form-urlencoded"
SPARQL_QUERY = "application/sparql-query"


# ---------------------------------------------------------------- helpers


def get(client: Any, query: str | None = None, accept: str | None = None,
        **params: Any) -> Any:
    if query is not None:
        params["query"] = query
    headers = {"Accept": accept} if accept else {}
    return client.get("/sparql", buffered=True, query_string=params, headers=headers)


def post(client: Any, **kwargs: Any) -> Any:
    """POST /sparql, the answer read whole (so its worker is back in the pool)."""
    return client.post("/sparql", buffered=True, **kwargs)


def bindings(response: Any) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.get_data(as_text=True)
    data: dict[str, Any] = json.loads(response.data)
    return list(data["results"]["bindings"])


def single_int(response: Any) -> int:
    rows = bindings(response)
    assert len(rows) == 1
    return int(next(iter(rows[0].values()))["value"])


def status_counts(client: Any) -> dict[str, int]:
    response = client.get("/status", buffered=True)
    assert response.status_code == 200
    return {g["iri"]: g["triples"] for g in response.json["graphs"].values()}


def canned_results(value: str) -> bytes:
    body = json.dumps({"head": {"vars": ["s"]}, "results": {"bindings": [
        {"s": {"type": "uri", "value": value}}]}}).encode()
    return (b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\n"
            b"Content-Length: " + str(len(body)).encode() + b"\r\nConnection: close\r\n\r\n"
            + body)


# ---------------------------------------------------------------- extra apps


@pytest.fixture(scope="module")
def capped_app(cache_dir: Path, built: Any) -> Iterator[Any]:
    """Small limits: 5 result rows, 1000-byte bodies, one CORS origin."""
    application = make_app(cache_dir, max_rows=5, max_request_bytes=1000,
                           cors_origins="https://good.example")
    yield application
    close_app(application)


@pytest.fixture(scope="module")
def allowed_listener() -> Iterator[Listener]:
    listener = Listener(reply=canned_results("urn:from-the-listener"))
    yield listener
    listener.close()


@pytest.fixture(scope="module")
def federating_app(cache_dir: Path, built: Any, allowed_listener: Listener) -> Iterator[Any]:
    """SERVICE allowed to the listener only."""
    application = make_app(cache_dir, service_allow=allowed_listener.url)
    yield application
    close_app(application)


@pytest.fixture()
def fresh_app(cache_dir: Path, built: Any) -> Iterator[Any]:
    """An app of the default settings (two workers) for one test that may use them up."""
    application = make_app(cache_dir)
    yield application
    close_app(application)


@pytest.fixture()
def listener() -> Iterator[Listener]:
    server = Listener(reply=canned_results("urn:should-never-be-asked"))
    yield server
    server.close()


# ---------------------------------------------------------------- three ways to ask


def test_query_by_get(client: Any) -> None:
    assert single_int(get(client, CHALLENGES)) == 12


def test_query_by_form_post(client: Any) -> None:
    response = post(client, data={"query": CHALLENGES}, content_type=FORM)
    assert single_int(response) == 12


def test_query_by_direct_post(client: Any) -> None:
    response = post(client, data=CHALLENGES.encode(), content_type=SPARQL_QUERY)
    assert single_int(response) == 12


def test_direct_post_with_charset(client: Any) -> None:
    response = post(client, data=CHALLENGES.encode(),
                           content_type=SPARQL_QUERY + "; charset=utf-8")
    assert single_int(response) == 12


@pytest.mark.parametrize("graph, expected", [(ONTOLOGY_G, 0), (REPORT_G, 12)])
def test_default_graph_uri_by_get(client: Any, graph: str, expected: int) -> None:
    assert single_int(get(client, CHALLENGES, **{"default-graph-uri": graph})) == expected


@pytest.mark.parametrize("graph, expected", [(ONTOLOGY_G, 0), (REPORT_G, 12)])
def test_default_graph_uri_by_form_post(client: Any, graph: str, expected: int) -> None:
    response = post(client, data={"query": CHALLENGES, "default-graph-uri": graph},
                           content_type=FORM)
    assert single_int(response) == expected


@pytest.mark.parametrize("graph, expected", [(ONTOLOGY_G, 0), (REPORT_G, 12)])
def test_default_graph_uri_by_direct_post(client: Any, graph: str, expected: int) -> None:
    response = post(client, data=CHALLENGES.encode(), content_type=SPARQL_QUERY,
                           query_string={"default-graph-uri": graph})
    assert single_int(response) == expected


def test_two_default_graph_uris_are_merged(client: Any) -> None:
    response = client.get("/sparql", buffered=True, query_string=[
        ("query", CHALLENGES), ("default-graph-uri", ONTOLOGY_G),
        ("default-graph-uri", REPORT_G)])
    assert single_int(response) == 12


def test_named_graph_uri_restricts_graph_variable(client: Any) -> None:
    everything = {row["g"]["value"] for row in bindings(get(client, GRAPHS))}
    assert everything >= BUILT_GRAPHS
    only = {row["g"]["value"]
            for row in bindings(get(client, GRAPHS, **{"named-graph-uri": REPORT_G}))}
    assert only == {REPORT_G}
    posted = post(client, data={"query": GRAPHS, "named-graph-uri": CURATED_G},
                         content_type=FORM)
    assert {row["g"]["value"] for row in bindings(posted)} == {CURATED_G}


def test_default_graph_is_union_of_named_graphs(client: Any, built: Any) -> None:
    counts = built_counts(built)
    assert set(counts) >= BUILT_GRAPHS
    assert single_int(get(client, ALL_TRIPLES)) == sum(counts.values())
    for iri in BUILT_GRAPHS:
        one = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{iri}> {{ ?s ?p ?o }} }}"
        assert single_int(get(client, one)) == counts[iri] > 0


def test_default_graph_count_matches_status(client: Any, built: Any) -> None:
    status = client.get("/status", buffered=True).json
    per_graph = {g["iri"]: g["triples"] for g in status["graphs"].values()}
    assert per_graph == {iri: n for iri, n in built_counts(built).items() if iri in per_graph}
    assert single_int(get(client, ALL_TRIPLES)) == sum(per_graph.values()) == status["triples"]
    report = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{REPORT_G}> {{ ?s ?p ?o }} }}"
    assert single_int(get(client, report)) == per_graph[REPORT_G]


def test_graph_clause_selects_only_that_graph(client: Any) -> None:
    query = f"""SELECT DISTINCT ?p WHERE {{ GRAPH <{REPORT_G}> {{ ?s ?p ?o }} }}"""
    report_predicates = {r["p"]["value"] for r in bindings(get(client, query))}
    assert "https://schema.org/startDate" in report_predicates
    # the ontology's own axioms are not in the report graph
    ask = f"ASK {{ GRAPH <{REPORT_G}> {{ <{GFMD}Challenge> a ?t }} }}"
    assert json.loads(get(client, ask).data)["boolean"] is False
    ask_union = f"ASK {{ <{GFMD}Challenge> a ?t }}"
    assert json.loads(get(client, ask_union).data)["boolean"] is True


def test_typed_literal_comes_back_typed(client: Any) -> None:
    event = BASE + "id/event/gfmd-ilo-labour-migration-skills-2018"
    query = f"SELECT ?d WHERE {{ <{event}> <https://schema.org/startDate> ?d }}"
    rows = bindings(get(client, query))
    assert rows == [{"d": {"type": "literal", "value": "2018-05-03",
                           "datatype": "http://www.w3.org/2001/XMLSchema#date"}}]


# ---------------------------------------------------------------- result formats


@pytest.mark.parametrize("accept", [None, "*/*", "application/sparql-results+json",
                                    "application/json"])
def test_select_json_is_the_default(client: Any, accept: str | None) -> None:
    response = get(client, THREE_ROWS, accept)
    assert response.status_code == 200
    assert response.mimetype == "application/sparql-results+json"
    assert "Accept" in response.vary
    data = json.loads(response.data)
    assert data["head"]["vars"] == ["x", "y"]
    rows = data["results"]["bindings"]
    assert len(rows) == 3
    assert rows[1] == {"x": {"type": "uri", "value": "urn:x"},
                       "y": {"type": "literal", "value": "b", "xml:lang": "en"}}


def test_select_xml(client: Any) -> None:
    response = get(client, THREE_ROWS, "application/sparql-results+xml")
    assert response.status_code == 200
    assert response.mimetype == "application/sparql-results+xml"
    assert "Accept" in response.vary
    root = ET.fromstring(response.data)
    assert root.tag == SRX + "sparql"
    names = [v.get("name") for v in root.iter(SRX + "variable")]
    assert names == ["x", "y"]
    results = list(root.iter(SRX + "result"))
    assert len(results) == 3
    uri = results[1].find(f"{SRX}binding[@name='x']/{SRX}uri")
    assert uri is not None and uri.text == "urn:x"
    lit = results[1].find(f"{SRX}binding[@name='y']/{SRX}literal")
    assert lit is not None and lit.text == "b"
    assert lit.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"


def test_select_csv(client: Any) -> None:
    response = get(client, THREE_ROWS, "text/csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "Accept" in response.vary
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows == [["x", "y"], ["1", "a"], ["urn:x", "b"], ["3", "c"]]


def test_select_tsv(client: Any) -> None:
    response = get(client, THREE_ROWS, "text/tab-separated-values")
    assert response.status_code == 200
    assert response.mimetype == "text/tab-separated-values"
    assert "Accept" in response.vary
    lines = response.get_data(as_text=True).splitlines()
    assert lines[0].split("\t") == ["?x", "?y"]
    assert len(lines) == 4
    assert lines[2].split("\t") == ["<urn:x>", '"b"@en']


@pytest.mark.parametrize("query, value", [("ASK { ?s ?p ?o }", True),
                                          ("ASK { <urn:no> <urn:such> <urn:thing> }", False)])
def test_ask_in_every_result_format(client: Any, query: str, value: bool) -> None:
    text = "true" if value else "false"
    response = get(client, query)
    assert response.mimetype == "application/sparql-results+json"
    assert json.loads(response.data)["boolean"] is value
    response = get(client, query, "application/sparql-results+xml")
    root = ET.fromstring(response.data)
    assert root.tag == SRX + "sparql"
    boolean = root.find(SRX + "boolean")
    assert boolean is not None and boolean.text == text
    response = get(client, query, "text/csv")
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[-1] == [text]
    response = get(client, query, "text/tab-separated-values")
    assert response.mimetype == "text/tab-separated-values"
    assert response.get_data(as_text=True).splitlines()[-1] == text


def _parse_rdf(data: bytes, rdflib_format: str) -> rdflib.Graph:
    graph = rdflib.Graph()
    if rdflib_format in ("trig", "nquads"):
        dataset = rdflib.Dataset()
        dataset.parse(data=data, format=rdflib_format)
        for s, p, o, _ in dataset.quads((None, None, None, None)):
            graph.add((s, p, o))
        return graph
    graph.parse(data=data, format=rdflib_format)
    return graph


GRAPH_FORMATS = [("text/turtle", "turtle"), ("application/n-triples", "nt"),
                 ("application/ld+json", "json-ld"), ("application/rdf+xml", "xml"),
                 ("application/trig", "trig"), ("application/n-quads", "nquads")]


@pytest.fixture(scope="module")
def report_ntriples(app: Any) -> rdflib.Graph:
    response = get(app.test_client(), REPORT_CONSTRUCT, "application/n-triples")
    assert response.status_code == 200
    graph = rdflib.Graph().parse(data=response.data, format="nt")
    assert len(graph) > 100
    return graph


@pytest.mark.parametrize("mime, rdflib_format", GRAPH_FORMATS)
def test_construct_formats_are_isomorphic(client: Any, report_ntriples: rdflib.Graph,
                                          mime: str, rdflib_format: str) -> None:
    response = get(client, REPORT_CONSTRUCT, mime)
    assert response.status_code == 200
    assert response.mimetype == mime
    assert "Accept" in response.vary
    assert isomorphic(_parse_rdf(response.data, rdflib_format), report_ntriples)


@pytest.mark.parametrize("accept", [None, "*/*"])
def test_construct_turtle_is_the_default(client: Any, report_ntriples: rdflib.Graph,
                                         accept: str | None) -> None:
    response = get(client, REPORT_CONSTRUCT, accept)
    assert response.mimetype == "text/turtle"
    assert isomorphic(_parse_rdf(response.data, "turtle"), report_ntriples)


@pytest.mark.parametrize("mime, rdflib_format", GRAPH_FORMATS[:4])
def test_describe(client: Any, mime: str, rdflib_format: str) -> None:
    response = get(client, f"DESCRIBE <{SOENKE}>", mime)
    assert response.status_code == 200
    assert response.mimetype == mime
    graph = _parse_rdf(response.data, rdflib_format)
    assert (rdflib.URIRef(SOENKE), RDF.type,
            rdflib.URIRef("http://xmlns.com/foaf/0.1/Person")) in graph


def test_describe_default_is_turtle(client: Any) -> None:
    response = get(client, f"DESCRIBE <{SOENKE}>")
    assert response.mimetype == "text/turtle"
    assert len(_parse_rdf(response.data, "turtle")) > 0


def test_accept_with_q_values(client: Any) -> None:
    response = get(client, THREE_ROWS, "text/csv;q=0.5, application/sparql-results+xml;q=0.9")
    assert response.mimetype == "application/sparql-results+xml"
    ET.fromstring(response.data)
    response = get(client, THREE_ROWS, "text/csv;q=0.9, application/sparql-results+xml;q=0.5")
    assert response.mimetype == "text/csv"
    response = get(client, REPORT_CONSTRUCT,
                   "text/turtle;q=0.2, application/n-triples;q=0.8, */*;q=0.1")
    assert response.mimetype == "application/n-triples"


@pytest.mark.parametrize("fmt, mime", [("json", "application/sparql-results+json"),
                                       ("xml", "application/sparql-results+xml"),
                                       ("csv", "text/csv"),
                                       ("tsv", "text/tab-separated-values")])
def test_format_parameter_for_results(client: Any, fmt: str, mime: str) -> None:
    response = get(client, THREE_ROWS, "application/sparql-results+json", format=fmt)
    assert response.status_code == 200
    assert response.mimetype == mime


@pytest.mark.parametrize("fmt, mime, rdflib_format", [
    ("ttl", "text/turtle", "turtle"), ("nt", "application/n-triples", "nt"),
    ("jsonld", "application/ld+json", "json-ld"), ("rdfxml", "application/rdf+xml", "xml")])
def test_format_parameter_for_graphs(client: Any, report_ntriples: rdflib.Graph, fmt: str,
                                     mime: str, rdflib_format: str) -> None:
    response = get(client, REPORT_CONSTRUCT, "text/turtle", format=fmt)
    assert response.status_code == 200
    assert response.mimetype == mime
    assert isomorphic(_parse_rdf(response.data, rdflib_format), report_ntriples)


def test_unknown_format_parameter(client: Any) -> None:
    response = get(client, THREE_ROWS, format="png")
    assert response.status_code == 400
    assert "format" in response.get_data(as_text=True)


@pytest.mark.parametrize("query, offered", [
    (THREE_ROWS, ["application/sparql-results+json", "application/sparql-results+xml",
                  "text/csv", "text/tab-separated-values"]),
    ("ASK {}", ["application/sparql-results+json"]),
    (REPORT_CONSTRUCT, ["text/turtle", "application/n-triples", "application/ld+json",
                        "application/rdf+xml"]),
])
def test_not_acceptable(client: Any, query: str, offered: list[str]) -> None:
    response = get(client, query, "image/png")
    assert response.status_code == 406
    body = response.get_data(as_text=True)
    for mime in offered:
        assert mime in body


def test_construct_refuses_a_results_only_accept(client: Any) -> None:
    response = get(client, REPORT_CONSTRUCT, "application/sparql-results+xml")
    assert response.status_code == 406
    assert "text/turtle" in response.get_data(as_text=True)


def test_vary_accept_on_negotiated_answers(client: Any) -> None:
    for response in (get(client, THREE_ROWS), get(client, "ASK {}", "text/csv"),
                     get(client, REPORT_CONSTRUCT), get(client),
                     get(client, THREE_ROWS, "image/png"),
                     get(client, "SELECT nonsense")):
        assert "Accept" in response.vary, response.status_code


# ---------------------------------------------------------------- errors


SYNTAX_ERROR = "SELECT ?s WHERE {\n  ?s ?p ?o .\n  ?s foo:bar ?o .\n}"  # undeclared prefix


def test_syntax_error_plain_text(client: Any) -> None:
    response = get(client, SYNTAX_ERROR)
    assert response.status_code == 400
    assert response.mimetype == "text/plain"
    body = response.get_data(as_text=True)
    assert "syntax" in body.lower()
    assert "line: 3" in body
    assert "column:" in body


def test_syntax_error_json(client: Any) -> None:
    response = get(client, SYNTAX_ERROR, "application/json")
    assert response.status_code == 400
    assert response.mimetype == "application/json"
    error = response.json["error"]
    assert error["status"] == 400
    assert "syntax" in error["message"].lower()
    assert error["line"] == 3
    assert isinstance(error["column"], int) and error["column"] > 1
    assert f"{error['line']}:{error['column']}" in error["message"]


def test_syntax_error_by_post(client: Any) -> None:
    response = post(client, data=SYNTAX_ERROR.encode(), content_type=SPARQL_QUERY)
    assert response.status_code == 400
    assert "line: 3" in response.get_data(as_text=True)


@pytest.mark.parametrize("where", ["SELECT (<urn:no-such-function>(?o) AS ?x)",
                                   "SELECT ?s ORDER BY <ttp://typo#integer>(?o)"])
def test_unknown_function_is_the_clients_mistake(client: Any, where: str) -> None:
    """A function the engine does not know (a typo in a namespace) is a 400 naming it,
    not a failed worker; the next query is answered."""
    head, _, tail = where.partition(" ORDER BY ")
    query = f"{head} WHERE {{ ?s ?p ?o }}" + (f" ORDER BY {tail}" if tail else "") + " LIMIT 3"
    response = get(client, query, accept="application/json")
    assert response.status_code == 400, response.get_data(as_text=True)
    message = response.json["error"]["message"]
    assert "could not be evaluated" in message and ("urn:no-such-function" in message
                                                     or "ttp://typo#integer" in message)
    assert single_int(get(client, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")) > 0


def test_wrong_method(client: Any) -> None:
    response = client.put("/sparql", buffered=True, data=CHALLENGES, content_type=SPARQL_QUERY)
    assert response.status_code == 405
    assert "POST" in response.headers.get("Allow", "")
    response = client.delete("/sparql", buffered=True)
    assert response.status_code == 405


def test_update_by_get_is_405(client: Any) -> None:
    response = client.get("/sparql", buffered=True, query_string={"update": "CLEAR ALL"})
    assert response.status_code == 405


@pytest.mark.parametrize("content_type", ["text/plain", "application/json", None])
def test_wrong_content_type(client: Any, content_type: str | None) -> None:
    response = post(client, data=CHALLENGES.encode(), content_type=content_type)
    assert response.status_code == 415
    assert SPARQL_QUERY in response.get_data(as_text=True)


def test_two_query_parameters(client: Any) -> None:
    response = client.get("/sparql", buffered=True,
                          query_string=[("query", "ASK {}"), ("query", "ASK {}")])
    assert response.status_code == 400
    assert "query" in response.get_data(as_text=True)
    response = post(client, data={"query": "ASK {}"}, content_type=FORM,
                           query_string={"query": "ASK {}"})
    assert response.status_code == 400


def test_query_and_update_together(client: Any) -> None:
    response = post(client, data={"query": "ASK {}", "update": "CLEAR ALL"},
                           content_type=FORM)
    assert response.status_code == 400


def test_direct_post_with_query_parameter(client: Any) -> None:
    response = post(client, data=b"ASK {}", content_type=SPARQL_QUERY,
                           query_string={"query": "ASK {}"})
    assert response.status_code == 400


def test_post_without_operation(client: Any) -> None:
    response = post(client, data={"default-graph-uri": REPORT_G}, content_type=FORM)
    assert response.status_code == 400


def test_empty_query(client: Any) -> None:
    assert get(client, "   ").status_code == 400


def test_update_sent_as_query(client: Any) -> None:
    response = get(client, "CLEAR ALL")
    assert response.status_code == 400
    assert "update" in response.get_data(as_text=True)


@pytest.mark.parametrize("send", ["form", "direct"])
def test_body_over_the_limit(capped_app: Any, send: str) -> None:
    big = "SELECT * WHERE { ?s ?p ?o } # " + "x" * 2000
    client = capped_app.test_client()
    if send == "form":
        response = post(client, data={"query": big}, content_type=FORM)
    else:
        response = post(client, data=big.encode(), content_type=SPARQL_QUERY)
    assert response.status_code == 413
    assert "GFMD_KG_MAX_REQUEST_BYTES" in response.get_data(as_text=True)
    # a body under the limit still goes through
    small = post(client, data=b"ASK {}", content_type=SPARQL_QUERY)
    assert small.status_code == 200


# ---------------------------------------------------------------- service description


def _description(client: Any, accept: str | None = None) -> tuple[Any, rdflib.Graph]:
    response = get(client, accept=accept)
    assert response.status_code == 200, response.get_data(as_text=True)
    fmt = {"text/turtle": "turtle", "application/ld+json": "json-ld",
           "application/n-triples": "nt", "application/rdf+xml": "xml"}[response.mimetype]
    return response, rdflib.Graph().parse(data=response.data, format=fmt)


def test_service_description(client: Any, built: Any) -> None:
    response, graph = _description(client)
    assert response.mimetype == "text/turtle"
    assert "Accept" in response.vary
    services = list(graph.subjects(RDF.type, SD.Service))
    assert len(services) == 1
    service = services[0]
    endpoint = graph.value(service, SD.endpoint)
    assert endpoint is not None and str(endpoint).endswith("/sparql")
    assert (service, SD.supportedLanguage, SD.SPARQL11Query) in graph
    assert (service, SD.supportedLanguage, SD.SPARQL11Update) not in graph  # updates off
    assert (service, SD.feature, SD.UnionDefaultGraph) in graph
    formats = set(graph.objects(service, SD.resultFormat))
    assert {FORMATS.SPARQL_Results_JSON, FORMATS.SPARQL_Results_XML,
            FORMATS.SPARQL_Results_CSV, FORMATS.SPARQL_Results_TSV, FORMATS.Turtle,
            FORMATS["N-Triples"], FORMATS["JSON-LD"], FORMATS.RDF_XML} <= formats
    dataset = graph.value(service, SD.defaultDataset)
    assert dataset is not None
    assert (dataset, RDF.type, SD.Dataset) in graph
    described = {}
    for named in graph.objects(dataset, SD.namedGraph):
        name = graph.value(named, SD.name)
        triples = graph.value(graph.value(named, SD.graph), VOID.triples)
        described[str(name)] = int(triples)
    counts = built_counts(built)
    assert described == counts
    default = graph.value(dataset, SD.defaultGraph)
    assert int(graph.value(default, VOID.triples)) == sum(counts.values())


@pytest.mark.parametrize("accept", ["application/ld+json", "application/n-triples",
                                    "application/rdf+xml"])
def test_service_description_negotiated(client: Any, accept: str) -> None:
    response, graph = _description(client, accept)
    assert response.mimetype == accept
    assert "Accept" in response.vary
    service = graph.value(predicate=RDF.type, object=SD.Service)
    assert service is not None
    assert (service, SD.feature, SD.UnionDefaultGraph) in graph
    dataset = graph.value(service, SD.defaultDataset)
    names = {str(graph.value(n, SD.name)) for n in graph.objects(dataset, SD.namedGraph)}
    assert names == BUILT_GRAPHS


def test_service_description_not_acceptable(client: Any) -> None:
    response = get(client, accept="image/png")
    assert response.status_code == 406
    assert "text/turtle" in response.get_data(as_text=True)


# ---------------------------------------------------------------- CORS


def test_cors_any_origin(client: Any) -> None:
    response = client.get("/sparql", buffered=True, query_string={"query": "ASK {}"},
                          headers={"Origin": "https://someone.example"})
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "X-Result-Truncated" in response.headers.get("Access-Control-Expose-Headers", "")
    response = post(client, data=b"ASK {}", content_type=SPARQL_QUERY,
                           headers={"Origin": "https://someone.example"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_cors_preflight(client: Any) -> None:
    response = client.options("/sparql", buffered=True, headers={
        "Origin": "https://someone.example", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "Content-Type"})
    assert response.status_code == 204
    methods = response.headers.get("Access-Control-Allow-Methods", "")
    assert "GET" in methods and "POST" in methods
    assert "content-type" in response.headers.get("Access-Control-Allow-Headers", "").lower()
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_no_cors_headers_without_origin(client: Any) -> None:
    response = get(client, "ASK {}")
    assert "Access-Control-Allow-Origin" not in response.headers


def test_cors_restricted_origins(capped_app: Any) -> None:
    client = capped_app.test_client()
    other = client.get("/sparql", buffered=True, query_string={"query": "ASK {}"},
                       headers={"Origin": "https://evil.example"})
    assert other.status_code == 200
    assert "Access-Control-Allow-Origin" not in other.headers
    good = client.get("/sparql", buffered=True, query_string={"query": "ASK {}"},
                      headers={"Origin": "https://good.example"})
    assert good.headers["Access-Control-Allow-Origin"] == "https://good.example"
    assert "Origin" in good.vary
    preflight = client.options("/sparql", buffered=True, headers={
        "Origin": "https://evil.example", "Access-Control-Request-Method": "POST"})
    assert "Access-Control-Allow-Origin" not in preflight.headers


# ---------------------------------------------------------------- time limit


def test_timeout_is_503_and_the_service_goes_on(client: Any) -> None:
    response = get(client, HEAVY, timeout="1")
    assert response.status_code == 503, response.status_code
    assert response.status_code != 200
    body = response.get_data(as_text=True)
    assert "GFMD_KG_QUERY_TIMEOUT" in body
    assert "1 s" in body
    assert response.headers.get("Retry-After")
    # the next light request is answered
    assert single_int(get(client, CHALLENGES)) == 12
    for _ in range(3):
        assert single_int(get(client, CHALLENGES)) == 12


def test_timeout_json_error(client: Any) -> None:
    response = get(client, HEAVY, "application/json", timeout="1")
    assert response.status_code == 503
    error = response.json["error"]
    assert "GFMD_KG_QUERY_TIMEOUT" in error["message"]
    assert single_int(get(client, CHALLENGES)) == 12


def test_timeout_parameter_is_clamped(client: Any, app: Any) -> None:
    limit = app.config["GFMD_KG"]["query_timeout"]
    response = get(client, "ASK {}", timeout="100000")
    assert response.status_code == 200
    assert float(response.headers["X-Query-Timeout"]) == limit
    response = get(client, "ASK {}", timeout="2.5")
    assert float(response.headers["X-Query-Timeout"]) == 2.5
    assert float(get(client, "ASK {}").headers["X-Query-Timeout"]) == limit


@pytest.mark.parametrize("value", ["soon", "0", "-3"])
def test_bad_timeout_parameter(client: Any, value: str) -> None:
    assert get(client, "ASK {}", timeout=value).status_code == 400


# ---------------------------------------------------------------- row cap


def test_row_cap_truncates(capped_app: Any) -> None:
    client = capped_app.test_client()
    response = get(client, "SELECT * WHERE { ?s ?p ?o }")
    assert len(bindings(response)) == 5
    assert "X-Result-Truncated" in response.headers
    assert "X-Result-Truncated" not in get(client, THREE_ROWS).headers
    assert len(bindings(get(client, THREE_ROWS))) == 3


def test_row_cap_on_other_formats(capped_app: Any) -> None:
    client = capped_app.test_client()
    response = get(client, "SELECT * WHERE { ?s ?p ?o }", "text/csv")
    assert len(list(csv.reader(io.StringIO(response.get_data(as_text=True))))) == 6
    assert "X-Result-Truncated" in response.headers
    response = get(client, REPORT_CONSTRUCT, "application/n-triples")
    assert len(rdflib.Graph().parse(data=response.data, format="nt")) == 5
    assert "X-Result-Truncated" in response.headers


def test_no_truncation_header_under_the_cap(client: Any) -> None:
    response = get(client, THREE_ROWS)
    assert "X-Result-Truncated" not in response.headers
    assert len(bindings(response)) == 3


# ---------------------------------------------------------------- no outbound network


@pytest.mark.parametrize("template", [
    "SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ SERVICE SILENT <{url}> {{ ?s ?p ?o }} }}",
    "select * where {{ service <{url}> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ SeRvIcE <{url}> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ BIND(<{url}> AS ?e) SERVICE ?e {{ ?s ?p ?o }} }}",
    "PREFIX remote: <{url}#>\nSELECT * WHERE {{ SERVICE remote:x {{ ?s ?p ?o }} }}",
    "ASK {{ ?a ?b ?c OPTIONAL {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }}",
])
def test_service_refused(client: Any, listener: Listener, template: str) -> None:
    query = template.format(url=listener.url)
    for response in (get(client, query),
                     post(client, data=query.encode(), content_type=SPARQL_QUERY),
                     post(client, data={"query": query}, content_type=FORM)):
        assert response.status_code == 400, response.get_data(as_text=True)
        assert "SERVICE" in response.get_data(as_text=True)
    assert listener.connections == 0
    assert listener.requests == []


def test_service_not_in_allow_list(federating_app: Any, listener: Listener) -> None:
    client = federating_app.test_client()
    response = get(client, f"SELECT * WHERE {{ SERVICE <{listener.url}> {{ ?s ?p ?o }} }}")
    assert response.status_code == 400
    assert "GFMD_KG_SERVICE_ALLOW" in response.get_data(as_text=True)
    assert listener.connections == 0


def test_service_allowed_is_attempted(federating_app: Any, allowed_listener: Listener) -> None:
    client = federating_app.test_client()
    query = f"SELECT ?s WHERE {{ SERVICE <{allowed_listener.url}> {{ ?s ?p ?o }} }}"
    response = get(client, query, timeout="5")
    assert allowed_listener.connections >= 1
    assert any(b"?s ?p ?o" in request for request in allowed_listener.requests)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert [r["s"]["value"] for r in bindings(response)] == ["urn:from-the-listener"]


@pytest.mark.parametrize(("depth", "status"), [(100, 200), (101, 400)])
def test_nesting_limit_is_exact(client: Any, depth: int, status: int) -> None:
    query = "SELECT * WHERE " + "{ " * depth + "?s ?p ?o " + "} " * depth + "LIMIT 1"
    response = get(client, query)
    assert response.status_code == status, response.get_data(as_text=True)
    if status == 400:
        assert "nests brackets 101 levels deep" in response.get_data(as_text=True)


def test_many_shallow_groups_are_not_deep(client: Any) -> None:
    """Over a hundred brackets in all, none nested more than three deep: answered."""
    query = "SELECT * WHERE { " + "OPTIONAL { ?s ?p ?o } " * 150 + "} LIMIT 1"
    assert get(client, query).status_code == 200


# ---------------------------------------------------------------- workers are not lost


def test_status_keeps_the_workers(fresh_app: Any) -> None:
    client = fresh_app.test_client()
    for _ in range(3):
        assert client.get("/status", buffered=True).status_code == 200
    assert single_int(get(client, CHALLENGES)) == 12


def test_service_description_keeps_the_workers(fresh_app: Any) -> None:
    client = fresh_app.test_client()
    for _ in range(3):
        assert get(client).status_code == 200
    assert single_int(get(client, CHALLENGES)) == 12


def test_head_query(fresh_app: Any) -> None:
    client = fresh_app.test_client()
    for _ in range(3):
        response = client.head("/sparql", buffered=True, query_string={"query": CHALLENGES})
        assert response.status_code == 200
        assert response.mimetype == "application/sparql-results+json"
        assert response.data == b""
    assert single_int(get(client, CHALLENGES)) == 12
