"""Faults and data safety, with real processes.

(a) A server writing to an on-disk store is killed (SIGKILL, with its workers) in the middle
    of a stream of updates, or of Graph Store replacements: after a restart on the same
    folder every acknowledged write is there, none is half-applied, the store opens cleanly.
(b) A remote store that goes away: queries get a clear 502; when it is back, service resumes.
(c) A data folder that cannot be used at start, and a full disk (stood in for by a file-size
    limit, RLIMIT_FSIZE, as this machine cannot mount a small filesystem): a one-line error
    and a non-zero exit, no traceback; a write on a full disk is refused (507), nothing of it
    applied, and what was acknowledged before survives.
(d) The whole dataset survives export and import: /export in every format, and every graph
    through /store (GET, PUT into a fresh on-disk store, GET back), isomorphic.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import resource
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic

from gfmd_kg.api import dataset_from_store
from gfmd_kg.build import Built
from gfmd_kg.remote import RemoteStore
from gfmd_kg.store import EmbeddedStore
from gfmd_kg.vocab import GRAPH_KEYS
from hardening import (
    OXIGRAPH,
    LoggedServer,
    alive,
    descendants,
    free_port,
    request,
    sparql_get,
)

pytestmark = [
    pytest.mark.live,
    pytest.mark.filterwarnings("ignore:.*deprecated.*:DeprecationWarning"),
]

TOKEN = "fault-token-31415"
BASE = "https://w3id.org/gfmd-kg/"
EX = "http://example.org/"
FAULT_G, MARKER_G = EX + "fault", EX + "fault-marker"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def disk_server(cache_dir: Path, folder: Path, log: Path, **kwargs: Any) -> LoggedServer:
    return LoggedServer({"GFMD_KG_CACHE_DIR": str(cache_dir), "GFMD_KG_STORE": f"oxigraph:{folder}",
                         "GFMD_KG_UPDATE_TOKEN": TOKEN, "GFMD_KG_QUERY_TIMEOUT": "30"},
                        log, **kwargs)


@pytest.fixture()
def cleanup() -> Iterator[list[Callable[[], None]]]:
    """Finalizers run whatever happens (servers stopped, processes killed)."""
    todo: list[Callable[[], None]] = []
    yield todo
    for action in reversed(todo):
        try:
            action()
        except Exception:  # best effort: the next finalizer still runs
            continue


def graph_quads(url: str, graph: str) -> list[ox.Triple]:
    answer = request(url, "GET", "/store", params={"graph": graph},
                     headers={"Accept": "application/n-triples"})
    if answer.status == 404:
        return []
    assert answer.status == 200, answer.text
    return [q.triple for q in ox.parse(answer.body, format=ox.RdfFormat.N_TRIPLES)]


def expected_counts(built: Built) -> dict[str, int]:
    return {key: n for key, n in built.info.triples.items() if key in GRAPH_KEYS}


def status_graphs(url: str) -> dict[str, int]:
    data = request(url, "GET", "/status").text
    return {key: g["triples"] for key, g in json.loads(data)["graphs"].items()}


# ------------------------------------------------------------------------- (a) SIGKILL

def numbered_update(n: int) -> bytes:
    s = f"<{EX}n/{n}>"
    return (f"INSERT DATA {{ GRAPH <{FAULT_G}> {{ {s} <{EX}p> {n} . {s} <{EX}q> \"n{n}\" . "
            f"{s} <{EX}r> <{EX}o/{n}> }} GRAPH <{MARKER_G}> {{ <{EX}m/{n}> <{EX}done> {n} }} }}"
            ).encode()


class Writer(threading.Thread):
    """Sends numbered writes over one keep-alive connection until the server is gone."""

    def __init__(self, url: str, make: Callable[[int], tuple[str, str, bytes, dict[str, str]]]
                 ) -> None:
        super().__init__(daemon=True)
        self.url, self.make = url, make
        self.sent: list[int] = []
        self.acked: list[int] = []
        self.failures: list[str] = []

    def run(self) -> None:
        port = int(self.url.rsplit(":", 1)[1])
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        for n in range(100_000):
            method, path, body, headers = self.make(n)
            self.sent.append(n)
            try:
                conn.request(method, path, body=body, headers={**AUTH, **headers})
                response = conn.getresponse()
                response.read()
            except (OSError, http.client.HTTPException):
                return  # the server was killed
            if response.status in (200, 201, 204):
                self.acked.append(n)
            else:
                self.failures.append(f"{n}: {response.status}")


def kill_during(server: LoggedServer, writer: Writer, after_acks: int) -> None:
    writer.start()
    deadline = time.monotonic() + 60
    while len(writer.acked) < after_acks and time.monotonic() < deadline and writer.is_alive():
        time.sleep(0.01)
    group = descendants(server.process.pid) | {server.process.pid}
    owner = server.workers()
    assert owner, "no worker process to kill"
    server.kill()  # SIGKILL to the server and its workers at once
    writer.join(30)
    time.sleep(0.2)
    assert not any(alive(pid) for pid in group), "a process of the killed server survived"
    assert writer.failures == [], writer.failures
    assert len(writer.acked) >= after_acks, "too few writes before the kill"


def test_killed_mid_update_stream_keeps_every_acknowledged_update(
        cache_dir: Path, built: Built, tmp_path: Path,
        cleanup: list[Callable[[], None]]) -> None:
    folder = tmp_path / "store"
    first = disk_server(cache_dir, folder, tmp_path / "first.log")
    cleanup.append(first.stop)
    writer = Writer(first.url, lambda n: ("POST", "/sparql", numbered_update(n),
                                          {"Content-Type": "application/sparql-update"}))
    kill_during(first, writer, after_acks=60)
    second = disk_server(cache_dir, folder, tmp_path / "second.log")
    cleanup.append(second.stop)
    assert status_graphs(second.url) == expected_counts(built)  # opens cleanly, built intact
    assert "Traceback" not in second.output()
    by_n: dict[int, int] = {}
    for triple in graph_quads(second.url, FAULT_G) + graph_quads(second.url, MARKER_G):
        n = int(re.search(r"/(\d+)$", triple.subject.value).group(1))  # type: ignore[union-attr]
        by_n[n] = by_n.get(n, 0) + 1
    missing = [n for n in writer.acked if by_n.get(n) != 4]
    assert not missing, f"acknowledged updates lost or cut: {missing[:10]}"
    half = {n: count for n, count in by_n.items() if count != 4}
    assert not half, f"half-applied updates: {half}"
    assert set(by_n) <= set(writer.sent)
    print(f"{len(writer.acked)} updates acknowledged before the kill, "
          f"{len(by_n) - len(writer.acked)} in flight and kept")


def test_killed_mid_graph_replacement_keeps_one_whole_version(
        cache_dir: Path, built: Built, tmp_path: Path,
        cleanup: list[Callable[[], None]]) -> None:
    """PUT replaces a graph whole: after a kill it holds one complete version, never a
    mix and never nothing."""
    graph = EX + "swapped"
    size = 4000

    def version(n: int) -> tuple[str, str, bytes, dict[str, str]]:
        lines = [f"<{EX}s/{i}> <{EX}version> {n} ." for i in range(size)]
        return ("PUT", "/store?graph=" + graph, "\n".join(lines).encode(),
                {"Content-Type": "text/turtle"})

    folder = tmp_path / "store"
    first = disk_server(cache_dir, folder, tmp_path / "first.log")
    cleanup.append(first.stop)
    writer = Writer(first.url, version)
    kill_during(first, writer, after_acks=8)
    second = disk_server(cache_dir, folder, tmp_path / "second.log")
    cleanup.append(second.stop)
    triples = graph_quads(second.url, graph)
    versions = {int(t.object.value) for t in triples}  # type: ignore[union-attr]
    assert len(triples) == size, f"{len(triples)} triples after the kill"
    assert len(versions) == 1 and versions.pop() >= writer.acked[-1]


def test_a_replacement_that_fails_midway_leaves_the_graph_as_it_was() -> None:
    """The same promise without a race: a PUT whose data fails part-way (here a bad line
    after good ones; in life a full disk) changes nothing, on any store."""
    from gfmd_kg import tasks

    store = EmbeddedStore(ox.Store(), BASE, "memory")
    graph = ox.NamedNode(EX + "kept")
    store.store.add(ox.Quad(ox.NamedNode(EX + "s"), ox.NamedNode(EX + "p"), ox.Literal("old"),
                            graph))
    for kind in ("put", "post"):
        with pytest.raises((SyntaxError, ValueError)):
            tasks.apply_write(store, {"kind": kind, "graph": graph.value,
                                      "data": b'<urn:a> <urn:b> "new" .\n<urn:broken'})
        kept = list(store.store.quads_for_pattern(None, None, None, graph))
        assert [q.object for q in kept] == [ox.Literal("old")], kind


# ------------------------------------------------------------------------- (b) remote store

class Oxigraph:
    """``oxigraph serve`` on a fixed port and folder, which can be stopped and restarted."""

    def __init__(self, folder: Path, port: int) -> None:
        self.folder, self.port = folder, port
        self.url = f"http://127.0.0.1:{port}/query"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        log = (self.folder.parent / "oxigraph.log").open("ab")
        self.process = subprocess.Popen(
            [str(OXIGRAPH), "serve", "--location", str(self.folder), "--bind",
             f"127.0.0.1:{self.port}", "--union-default-graph"],
            stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if request(f"http://127.0.0.1:{self.port}", "GET", "/query",
                           params={"query": "ASK {}"}, timeout=2).status == 200:
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("oxigraph serve did not answer")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)


def test_remote_store_goes_away_and_comes_back(cache_dir: Path, built: Built, tmp_path: Path,
                                               cleanup: list[Callable[[], None]]) -> None:
    if not OXIGRAPH.exists():
        pytest.fail(f"the oxigraph CLI is missing at {OXIGRAPH} (pip install oxigraph)")
    far = Oxigraph(tmp_path / "oxigraph", free_port())
    cleanup.append(far.stop)
    far.start()
    remote = RemoteStore(far.url, BASE, far.url.replace("/query", "/update"))
    remote.push_dataset(EmbeddedStore(built.store, BASE, "memory"))
    server = LoggedServer({"GFMD_KG_CACHE_DIR": str(cache_dir),
                           "GFMD_KG_STORE": f"sparql+{far.url}",
                           "GFMD_KG_QUERY_TIMEOUT": "5"}, tmp_path / "server.log")
    cleanup.append(server.stop)
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    before = sparql_get(server.url, count)
    assert before.status == 200, before.text
    far.stop()
    for answer in (sparql_get(server.url, count), sparql_get(server.url, count, "text/csv"),
                   request(server.url, "GET", "/store", params={"graph": BASE + "graph/report"}),
                   request(server.url, "GET", "/id/person/soenke-lorenz")):
        assert answer.status == 502, answer.text
        assert "unreachable" in answer.text or "failed" in answer.text, answer.text
        assert answer.header("Retry-After")
        assert answer.seconds < 10
    down = sparql_get(server.url, count)
    assert f"127.0.0.1:{far.port}" in down.text and "unreachable" in down.text
    assert request(server.url, "GET", "/status").status == 503
    assert request(server.url, "GET", "/healthz").status == 200  # the service itself is up
    far.start()  # same port, same folder
    after = sparql_get(server.url, count)
    assert after.status == 200, after.text
    assert after.body == before.body
    assert "Traceback" not in server.output()


# ------------------------------------------------------------------------- (c) bad folders

def no_fsize_limit_over(limit: int) -> Callable[[], None]:
    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # writes fail with EFBIG instead
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


def refused_start(cache_dir: Path, tmp_path: Path, store: str,
                  preexec: Callable[[], None] | None = None) -> tuple[int, str]:
    log = tmp_path / f"start-{abs(hash(store))}.log"
    server = LoggedServer({"GFMD_KG_CACHE_DIR": str(cache_dir), "GFMD_KG_STORE": store}, log,
                          preexec=preexec, wait=False)
    try:
        code = server.process.wait(60)
    finally:
        server.stop()
    return code, server.output()


@pytest.mark.parametrize("where", ["parent is a file", "under a /proc file", "no such /proc dir"])
def test_unusable_data_folder_is_a_clear_error(cache_dir: Path, built: Built, tmp_path: Path,
                                               where: str) -> None:
    """Root ignores file modes, so "read-only" is made with paths nobody can create."""
    (tmp_path / "a-file").write_text("not a folder")
    path = {"parent is a file": tmp_path / "a-file" / "store",
            "under a /proc file": Path("/proc/version/store"),
            "no such /proc dir": Path("/proc/1/gfmd-kg-store")}[where]
    code, output = refused_start(cache_dir, tmp_path, f"oxigraph:{path}")
    assert code != 0
    assert "Traceback" not in output
    assert re.search(rf"Error: cannot open the on-disk store at {re.escape(str(path))}: ",
                     output), output


@pytest.mark.parametrize("limit, message", [(64_000, "cannot open the on-disk store"),
                                            (90_000, "cannot fill the on-disk store")])
def test_full_disk_at_start_is_a_clear_error(cache_dir: Path, built: Built, tmp_path: Path,
                                             limit: int, message: str) -> None:
    """Stand-in for a full disk: a file-size limit, so RocksDB's writes fail (EFBIG)."""
    code, output = refused_start(cache_dir, tmp_path, f"oxigraph:{tmp_path / 'store'}",
                                 no_fsize_limit_over(limit))
    assert code != 0
    assert "Traceback" not in output
    assert f"Error: {message}" in output and "File too large" in output, output


def test_full_disk_while_writing(cache_dir: Path, built: Built, tmp_path: Path,
                                 cleanup: list[Callable[[], None]]) -> None:
    folder = tmp_path / "store"
    server = disk_server(cache_dir, folder, tmp_path / "full.log",
                         preexec=no_fsize_limit_over(1_500_000))
    cleanup.append(server.stop)
    acked: list[int] = []
    refused = None
    payload = " ".join(f'<{EX}s{i}> <{EX}p> "{"x" * 80}" .' for i in range(1000))
    for n in range(60):
        body = f"INSERT DATA {{ GRAPH <{EX}big/{n}> {{ {payload} }} }}".encode()
        answer = request(server.url, "POST", "/sparql", body=body,
                         headers={**AUTH, "Content-Type": "application/sparql-update"})
        if answer.status == 204:
            acked.append(n)
            continue
        refused = answer
        break
    assert refused is not None, "the file-size limit was never reached"
    assert refused.status == 507, refused.text
    assert "could not write" in refused.text and "Nothing of this write" in refused.text
    assert acked
    assert sparql_get(server.url, "ASK {}").status == 200  # reads go on
    server.stop()
    again = disk_server(cache_dir, folder, tmp_path / "again.log")
    cleanup.append(again.stop)
    for n in acked:
        assert len(graph_quads(again.url, f"{EX}big/{n}")) == 1000, n
    assert graph_quads(again.url, f"{EX}big/{len(acked)}") == []


# ------------------------------------------------------------------------- (d) round trips

RDFLIB_FORMATS = {"ttl": "turtle", "trig": "trig", "nt": "nt", "nq": "nquads",
                  "jsonld": "json-ld", "rdf": "xml"}
QUAD_EXTS = {"trig", "nq", "jsonld"}


@pytest.fixture(scope="module")
def reference(built: Built) -> rdflib.Dataset:
    return dataset_from_store(EmbeddedStore(built.store, BASE, "memory"))


@pytest.fixture(scope="module")
def source(cache_dir: Path, built: Built, tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[LoggedServer]:
    folder = tmp_path_factory.mktemp("source")
    server = disk_server(cache_dir, folder / "store", folder / "server.log")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def target(cache_dir: Path, built: Built, tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[LoggedServer]:
    folder = tmp_path_factory.mktemp("target")
    server = disk_server(cache_dir, folder / "store", folder / "server.log")
    yield server
    server.stop()


def union(dataset: rdflib.Dataset) -> rdflib.Graph:
    graph = rdflib.Graph()
    for s, p, o, _g in dataset.quads((None, None, None, None)):
        graph.add((s, p, o))
    return graph


@pytest.mark.parametrize("ext", list(RDFLIB_FORMATS))
def test_export_of_the_whole_dataset(source: LoggedServer, reference: rdflib.Dataset,
                                     ext: str) -> None:
    answer = request(source.url, "GET", f"/export/gfmd-kg.{ext}")
    assert answer.status == 200, answer.text
    if ext in QUAD_EXTS:
        parsed = rdflib.Dataset()
        parsed.parse(data=answer.body, format=RDFLIB_FORMATS[ext])
        for key in GRAPH_KEYS:
            iri = rdflib.URIRef(BASE + "graph/" + key)
            assert isomorphic(parsed.graph(iri), reference.graph(iri)), key
    else:
        parsed_graph = rdflib.Graph().parse(data=answer.body, format=RDFLIB_FORMATS[ext])
        assert isomorphic(parsed_graph, union(reference))


@pytest.mark.parametrize("key", GRAPH_KEYS)
def test_export_of_each_graph(source: LoggedServer, reference: rdflib.Dataset,
                              key: str) -> None:
    iri = rdflib.URIRef(BASE + "graph/" + key)
    for ext, fmt in RDFLIB_FORMATS.items():
        answer = request(source.url, "GET", f"/export/{key}.{ext}")
        assert answer.status == 200, answer.text
        if ext in QUAD_EXTS:
            parsed = rdflib.Dataset()
            parsed.parse(data=answer.body, format=fmt)
            assert isomorphic(parsed.graph(iri), reference.graph(iri)), ext
        else:
            graph = rdflib.Graph().parse(data=answer.body, format=fmt)
            assert isomorphic(graph, reference.graph(iri)), ext


UPLOAD_TYPES = {"text/turtle": "turtle", "application/n-triples": "nt",
                "application/rdf+xml": "xml", "application/ld+json": "json-ld"}


@pytest.mark.parametrize("key", GRAPH_KEYS)
def test_graph_store_round_trip_into_a_fresh_store(source: LoggedServer, target: LoggedServer,
                                                   reference: rdflib.Dataset, key: str) -> None:
    """GET a graph in each format, PUT it into a fresh on-disk store, GET it back."""
    original = reference.graph(rdflib.URIRef(BASE + "graph/" + key))
    for mime, fmt in UPLOAD_TYPES.items():
        got = request(source.url, "GET", "/store", params={"graph": BASE + "graph/" + key},
                      headers={"Accept": mime})
        assert got.status == 200, got.text
        assert isomorphic(rdflib.Graph().parse(data=got.body, format=fmt), original), mime
        copy = f"{EX}copy/{key}/{fmt}"
        put = request(target.url, "PUT", "/store", params={"graph": copy}, body=got.body,
                      headers={**AUTH, "Content-Type": mime})
        assert put.status in (201, 204), put.text
        back = request(target.url, "GET", "/store", params={"graph": copy},
                       headers={"Accept": "application/n-triples"})
        assert back.status == 200
        assert isomorphic(rdflib.Graph().parse(data=back.body, format="nt"), original), mime


@pytest.mark.parametrize("stop", ["SIGTERM to the server", "Ctrl-C in its terminal"])
def test_a_stop_signal_stops_the_server_cleanly(cache_dir: Path, built: Built, tmp_path: Path,
                                                stop: str) -> None:
    """SIGTERM is what a service manager or a container stop sends; Ctrl-C sends SIGINT to
    the terminal's whole process group (the server, granian's worker, the query workers).
    Either way the server exits 0, its workers end with it without a traceback, and the
    copy of the data it wrote for them is removed."""
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    server = LoggedServer({"GFMD_KG_CACHE_DIR": str(cache_dir), "TMPDIR": str(scratch)},
                          tmp_path / "server.log")
    try:
        workers = server.workers()
        assert workers and any(scratch.iterdir())  # the memory store's data for its workers
        if stop.startswith("SIGTERM"):
            server.process.send_signal(signal.SIGTERM)
        else:
            os.killpg(server.process.pid, signal.SIGINT)
        assert server.process.wait(30) == 0, server.output()[-2000:]
        deadline = time.monotonic() + 10
        while any(alive(pid) for pid in workers):
            assert time.monotonic() < deadline, "the query workers outlived the server"
            time.sleep(0.1)
        assert list(scratch.iterdir()) == []
        assert "Traceback" not in server.output(), server.output()[-2000:]
    finally:
        server.stop()
