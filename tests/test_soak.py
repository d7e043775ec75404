"""A bounded load test against the production server (``gfmd-kg serve`` under granian): 16
clients on keep-alive connections send the named-query mix (each query's text to /sparql,
and /queries/<name>.json or .ttl) and entity pages for 60 seconds. It reports throughput,
median and 99th-percentile latency and the errors; there must be none (a 503 from
saturation counts as one: the server is sized so that it does not happen)."""

from __future__ import annotations

import http.client
import statistics
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gfmd_kg.namedqueries import load_named_queries
from gfmd_kg.settings import PROJECT_ROOT
from gfmd_kg.sparqltext import query_form
from hardening import LoggedServer, sparql_get

pytestmark = pytest.mark.live

CLIENTS = 16
SECONDS = 60.0
BASE = "https://w3id.org/gfmd-kg/"
NAMED = load_named_queries(PROJECT_ROOT / "queries")


@pytest.fixture(scope="module")
def production(cache_dir: Path, built: Any, tmp_path_factory: pytest.TempPathFactory
               ) -> Iterator[LoggedServer]:
    log = tmp_path_factory.mktemp("soak") / "server.log"
    server = LoggedServer({"GFMD_KG_CACHE_DIR": str(cache_dir), "GFMD_KG_WORKERS": "4",
                           "GFMD_KG_QUEUE_WAIT": "30"}, log, args=["--threads", "16"])
    yield server
    server.stop()


def request_mix(url: str) -> list[tuple[str, dict[str, str]]]:
    """(path, headers) of every request of the mix."""
    mix: list[tuple[str, dict[str, str]]] = []
    for named in NAMED.values():
        graph = query_form(named.text) in ("CONSTRUCT", "DESCRIBE")
        mix.append(("/sparql?" + urllib.parse.urlencode({"query": named.text}),
                    {"Accept": "text/turtle" if graph else "application/sparql-results+json"}))
        mix.append((f"/queries/{named.name}.{'ttl' if graph else 'json'}", {}))
    found = sparql_get(url, "SELECT DISTINCT ?s WHERE { ?s ?p ?o FILTER(STRSTARTS(STR(?s), "
                            f'"{BASE}id/")) }} ORDER BY ?s', accept="text/csv")
    assert found.status == 200, found.text
    entities = [line.strip() for line in found.text.splitlines()[1:] if line.strip()]
    assert f"{BASE}id/person/soenke-lorenz" in entities
    for iri in entities[:: max(1, len(entities) // 16)]:  # about 16, of every kind
        mix.append(("/" + iri[len(BASE):], {"Accept": "text/html"}))
    mix.append(("/id/person/soenke-lorenz", {"Accept": "text/html"}))
    mix.append(("/id/person/soenke-lorenz.ttl", {}))
    mix.append(("/search?q=skills", {"Accept": "text/html"}))
    return mix


class Client(threading.Thread):
    def __init__(self, port: int, mix: list[tuple[str, dict[str, str]]], offset: int,
                 deadline: float) -> None:
        super().__init__(daemon=True)
        self.port, self.mix, self.offset, self.deadline = port, mix, offset, deadline
        self.latencies: list[float] = []
        self.errors: Counter[str] = Counter()

    def run(self) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        i = self.offset
        while time.monotonic() < self.deadline:
            path, headers = self.mix[i % len(self.mix)]
            i += 1
            started = time.monotonic()
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
            except (OSError, http.client.HTTPException) as exc:
                self.errors[f"{type(exc).__name__} on {path[:60]}"] += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                continue
            self.latencies.append(time.monotonic() - started)
            if response.status != 200:
                self.errors[f"{response.status} on {path[:60]}"] += 1
        conn.close()


def test_sixty_seconds_of_the_named_query_mix(production: LoggedServer,
                                              pytestconfig: pytest.Config) -> None:
    mix = request_mix(production.url)
    started = time.monotonic()
    deadline = started + SECONDS
    clients = [Client(production.port, mix, n * 7, deadline) for n in range(CLIENTS)]
    for client in clients:
        client.start()
    for client in clients:
        client.join(SECONDS + 120)
    elapsed = time.monotonic() - started
    latencies = sorted(t for c in clients for t in c.latencies)
    errors: Counter[str] = sum((c.errors for c in clients), Counter())
    p50 = statistics.median(latencies) * 1000
    p99 = latencies[int(0.99 * (len(latencies) - 1))] * 1000
    line = (f"soak: {CLIENTS} clients for {elapsed:.0f} s over {len(mix)} distinct requests: "
            f"{len(latencies)} answers, {len(latencies) / elapsed:.1f} req/s, "
            f"p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {latencies[-1] * 1000:.0f} ms, "
            f"{sum(errors.values())} errors")
    reporter = pytestconfig.pluginmanager.get_plugin("terminalreporter")
    capture = pytestconfig.pluginmanager.get_plugin("capturemanager")
    if reporter is not None and capture is not None:
        with capture.global_and_fixture_disabled():
            reporter.write_line(line)
    print(line)
    assert not any(c.is_alive() for c in clients)
    assert not errors, f"{line}: {dict(errors.most_common(10))}"
    assert len(latencies) > CLIENTS * 10
    assert "Traceback" not in production.output()
