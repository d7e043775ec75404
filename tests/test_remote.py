"""RemoteStore against a real ``oxigraph serve``: the built dataset pushed over SPARQL Update
reads back the same, and every named query answers as the embedded store does."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from rdflib import Dataset, Graph, URIRef
from rdflib.compare import isomorphic

from gfmd_kg.build import Built
from gfmd_kg.executor import QueryTimeout
from gfmd_kg.namedqueries import load_named_queries, parse_named_query
from gfmd_kg.remote import RemoteStore
from gfmd_kg.results import AskResult, GraphResult, SelectResult
from gfmd_kg.settings import PROJECT_ROOT
from gfmd_kg.sparqltext import bind_values, mentions
from gfmd_kg.store import EmbeddedStore, QuerySyntaxError, StoreError

pytestmark = [
    pytest.mark.live,
    # rdflib's own N-Quads parser still calls its deprecated Dataset.default_context
    pytest.mark.filterwarnings("ignore:Dataset.default_context is deprecated"),
]

OXIGRAPH = Path(sys.executable).parent / "oxigraph"
QUERIES = PROJECT_ROOT / "queries"
TEST_GRAPH = "urn:gfmd-kg:test:remote"
#: The server's own limit, so the deliberately endless query of the timeout test stops.
SERVER_TIMEOUT_S = 20


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_command(location: Path, port: int) -> list[str]:
    return [str(OXIGRAPH), "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}",
            "--union-default-graph", "--timeout-s", str(SERVER_TIMEOUT_S)]


def wait_until_answering(proc: subprocess.Popen[bytes], url: str, log: Path) -> None:
    probe = url + "?" + urllib.parse.urlencode({"query": "ASK {}"})
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"oxigraph serve exited with {proc.returncode}: "
                               f"{log.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(probe, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            time.sleep(0.1)
    raise RuntimeError(f"oxigraph serve did not answer within 30 s: {log.read_text()}")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real ``oxigraph serve`` on a free loopback port; yields its query URL."""
    if not OXIGRAPH.exists() and shutil.which("oxigraph") is None:
        pytest.skip(f"the oxigraph CLI is not installed at {OXIGRAPH}")
    folder = tmp_path_factory.mktemp("oxigraph")
    port = free_port()
    log = folder / "server.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(server_command(folder / "data", port), stdout=out,
                                stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/query"
    try:
        wait_until_answering(proc, url, log)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


@pytest.fixture(scope="module")
def embedded(settings: dict[str, Any], built: Built) -> EmbeddedStore:
    return EmbeddedStore(built.store, settings["base_iri"], "memory")


@pytest.fixture(scope="module")
def remote(server: str, settings: dict[str, Any], embedded: EmbeddedStore) -> RemoteStore:
    store = RemoteStore(server, settings["base_iri"], server.replace("/query", "/update"))
    seen: list[int] = []
    sent = store.push_dataset(embedded, batch_size=1000, progress=seen.append)
    total = sum(1 for _ in embedded.quads())
    assert sent == total
    assert seen and seen[-1] == total and seen == sorted(seen) and len(seen) > 1
    return store


def to_dataset(quads: Iterator[ox.Quad]) -> Dataset:
    data = ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b""
    dataset = Dataset()
    dataset.parse(data=data.decode("utf-8"), format="nquads")
    return dataset


def to_graph(triples: Any) -> Graph:
    data = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
    return Graph().parse(data=data.decode("utf-8"), format="nt")


def cell(term: Any) -> str | None:
    # blank node labels are the store's own, so only "a blank node" can be compared
    return None if term is None else "_:" if isinstance(term, ox.BlankNode) else str(term)


def rows_of(result: SelectResult) -> list[tuple[str | None, ...]]:
    return [tuple(cell(t) for t in row) for row in result.rows]


def assert_same_answer(text: str, local: Any, far: Any) -> None:
    assert type(local) is type(far)
    if isinstance(local, AskResult):
        assert local.value == far.value
    elif isinstance(local, SelectResult):
        assert local.variables == far.variables
        mine, theirs = rows_of(local), rows_of(far)
        if mentions(text, "ORDER"):
            assert mine == theirs
        else:
            assert Counter(mine) == Counter(theirs)
    else:
        assert isinstance(local, GraphResult)
        assert isomorphic(to_graph(local.triples), to_graph(far.triples))


def test_graph_counts_match(remote: RemoteStore, embedded: EmbeddedStore) -> None:
    assert remote.graph_counts() == embedded.graph_counts()


def test_quads_read_back_isomorphic_per_graph(remote: RemoteStore,
                                              embedded: EmbeddedStore) -> None:
    local, far = to_dataset(embedded.quads()), to_dataset(remote.quads())
    names = {g.identifier for g in local.graphs() if len(g)}
    assert names == {g.identifier for g in far.graphs() if len(g)}
    for name in names:
        assert isomorphic(local.graph(name), far.graph(name)), name
    one = sorted(str(n) for n in names if isinstance(n, URIRef))[0]
    assert sum(1 for _ in remote.quads(one)) == embedded.graph_counts()[one]


QUERY_FILES = sorted(QUERIES.glob("*.rq"))


@pytest.mark.parametrize(
    "path", QUERY_FILES or [pytest.param(None, marks=pytest.mark.skip(
        reason=f"no named queries in {QUERIES} yet"))],
    ids=[p.stem for p in QUERY_FILES] or ["none"],
)
def test_named_query_same_answer(path: Path, remote: RemoteStore, embedded: EmbeddedStore,
                                 settings: dict[str, Any]) -> None:
    query = parse_named_query(path)
    base = settings["base_iri"]
    text, bindings = query.text_for(base), query.bindings(base_iri=base)
    assert_same_answer(text, embedded.query(text, bindings=bindings),
                       remote.query(text, bindings=bindings))


def test_named_queries_load() -> None:
    if not QUERY_FILES:
        pytest.skip(f"no named queries in {QUERIES} yet")
    assert load_named_queries(QUERIES)


def test_bindings_and_graphs(remote: RemoteStore, embedded: EmbeddedStore,
                             settings: dict[str, Any]) -> None:
    report = settings["base_iri"] + "graph/report"
    subject = next(q.subject for q in embedded.quads(report)
                   if isinstance(q.subject, ox.NamedNode))
    text = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"  # pyoxigraph binds projected variables only
    local = embedded.query(text, bindings={"s": subject})
    far = remote.query(text, bindings={"s": subject})
    assert isinstance(far, SelectResult) and far.rows
    assert_same_answer(text, local, far)
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    for kwargs in ({"default_graphs": [report]}, {"named_graphs": [report]}):
        assert_same_answer(count, embedded.query(count, **kwargs), remote.query(count, **kwargs))
    named = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
    assert_same_answer(named, embedded.query(named, named_graphs=[report]),
                       remote.query(named, named_graphs=[report]))


def test_bindings_reach_filters_and_groups(remote: RemoteStore,
                                           embedded: EmbeddedStore) -> None:
    # a parameter used only in a FILTER and in GROUP BY, as some named queries do
    text = ("SELECT ?want (COUNT(*) AS ?n) WHERE { ?s ?p ?o FILTER(?p = ?want) } "
            "GROUP BY ?want")
    want = next(q.predicate for q in embedded.quads())
    far = remote.query(text, bindings={"want": want})
    assert isinstance(far, SelectResult) and len(rows_of(far)) == 1
    assert_same_answer(text, embedded.query(text, bindings={"want": want}), far)


@pytest.mark.parametrize("text", [
    "PREFIX a: <urn:a#> # {\nSELECT (EXISTS { ?a ?b ?c } AS ?e) FROM <urn:g> { ?s ?p ?x }",
    "SELECT * { SELECT ?x WHERE { ?x ?p ?t } LIMIT 3 } ORDER BY ?x",
    "CONSTRUCT { ?x <urn:p> ?t } WHERE { ?x ?q ?t FILTER(?t != '}') }",
    "CONSTRUCT WHERE { ?x ?q ?t }",
    "DESCRIBE ?x",
    "ASK { ?x ?p ?t }",
])
def test_bind_values_stays_valid(text: str) -> None:
    terms = {"x": ox.NamedNode("urn:x"), "t": ox.Literal('"{" }', language="en")}
    bound = bind_values(text, {name: str(term) for name, term in terms.items()})
    assert "VALUES (?x ?t)" in bound
    ox.Store().query(bound)  # parses


def test_syntax_error(remote: RemoteStore) -> None:
    with pytest.raises(QuerySyntaxError, match="1:"):
        remote.query("SELECT * WHERE { ?s ?p }")
    with pytest.raises(QuerySyntaxError):
        remote.update("INSERT DATA { <urn:a> <urn:b> }")


def test_update_lands_and_is_removed(remote: RemoteStore) -> None:
    triple = '<urn:gfmd-kg:test:s> <urn:gfmd-kg:test:p> "remote write"@en'
    ask = f"ASK {{ GRAPH <{TEST_GRAPH}> {{ {triple} }} }}"
    before = remote.graph_counts()
    remote.update(f"INSERT DATA {{ GRAPH <{TEST_GRAPH}> {{ {triple} }} }}")
    assert remote.query(ask) == AskResult(True)
    remote.update(f"DELETE DATA {{ GRAPH <{TEST_GRAPH}> {{ {triple} }} }}")
    assert remote.query(ask) == AskResult(False)
    assert remote.graph_counts() == before


def test_unreachable(settings: dict[str, Any]) -> None:
    store = RemoteStore(f"http://127.0.0.1:{free_port()}/query", settings["base_iri"])
    with pytest.raises(StoreError, match="unreachable"):
        store.query("ASK {}")
    with pytest.raises(StoreError, match="unreachable"):
        store.update("INSERT DATA { <urn:a> <urn:b> <urn:c> }")


def test_timeout_then_still_answering(remote: RemoteStore) -> None:
    heavy = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    started = time.monotonic()
    with pytest.raises(QueryTimeout):
        remote.query(heavy, timeout=0.2)
    assert time.monotonic() - started < 5
    assert remote.query("ASK { ?s ?p ?o }", timeout=5) == AskResult(True)


def test_construct_and_describe(remote: RemoteStore, embedded: EmbeddedStore,
                                settings: dict[str, Any]) -> None:
    report = settings["base_iri"] + "graph/report"
    text = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{report}> {{ ?s ?p ?o }} }}"
    far = remote.query(text)
    assert isinstance(far, GraphResult)
    assert_same_answer(text, embedded.query(text), far)
