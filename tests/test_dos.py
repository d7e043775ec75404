"""Denial of service against a real server (``gfmd-kg serve`` under granian): queries built
to eat time or memory are stopped by the time limit (503 + Retry-After) or cut by the row
cap (X-Result-Truncated), their worker is really stopped (it burns no CPU afterwards), a
light query sent at the same time still answers at once, when every worker is busy a
further request is refused quickly (503 + Retry-After) instead of hanging, and stalled
connections hold nothing up."""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gfmd_kg.executor import WORKER_STACK, worker_memory
from hardening import Answer, LoggedServer, sparql_get

pytestmark = pytest.mark.live

TIMEOUT = 4  # the servers' query time limit, seconds
SLACK = 3.0  # for killing the worker, the network and a loaded machine
GFMD = "https://w3id.org/gfmd-kg/ontology#"
LIGHT = f"SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE {{ ?c a <{GFMD}Challenge> }}"


def _doubling(times: int) -> str:
    binds = " ".join(f"BIND(CONCAT(?s{i}, ?s{i}) AS ?s{i + 1})" for i in range(times))
    return f'SELECT (STRLEN(?s{times}) AS ?n) WHERE {{ BIND("ab" AS ?s0) {binds} }}'


def _replacing(times: int) -> str:
    expr = "STR(?o)"
    for _ in range(times):
        expr = f'REPLACE({expr}, ".", "0123456789")'
    return f"SELECT (MAX(STRLEN({expr})) AS ?n) WHERE {{ ?s ?p ?o }}"


HEAVY = {
    "cartesian product": "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }",
    "count of a cartesian product": "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . "
                                    "?g ?h ?i }",
    "GROUP_CONCAT over a cross product": "SELECT (STRLEN(GROUP_CONCAT(CONCAT(STR(?p), STR(?q)); "
                                         "separator=' ')) AS ?n) WHERE { ?a ?p ?b . ?c ?q ?d }",
    "CONCAT doubled 34 times (32 GB)": _doubling(34),
    "REPLACE amplification (x10 eight times)": _replacing(8),
    "property path over the whole graph": "SELECT ?a ?b WHERE { ?a (<urn:p>|!<urn:p>)* ?b }",
    "ORDER BY RAND() over a cross product": "SELECT * WHERE { ?s ?p ?o . ?x ?y ?z } "
                                            "ORDER BY RAND() LIMIT 10",
}


def server(cache_dir: Path, log: Path, **env: str) -> LoggedServer:
    return LoggedServer({"GFMD_KG_CACHE_DIR": str(cache_dir),
                         "GFMD_KG_QUERY_TIMEOUT": str(TIMEOUT),
                         "GFMD_KG_RESULT_CACHE": "0", **env}, log)


@pytest.fixture(scope="module")
def roomy(cache_dir: Path, built: Any, tmp_path_factory: pytest.TempPathFactory
          ) -> Iterator[LoggedServer]:
    """Three workers: room for a light query beside heavy ones."""
    live = server(cache_dir, tmp_path_factory.mktemp("dos") / "roomy.log",
                  GFMD_KG_WORKERS="3", GFMD_KG_QUEUE_WAIT="2")
    yield live
    live.stop()


@pytest.fixture(scope="module")
def narrow(cache_dir: Path, built: Any, tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[LoggedServer]:
    """Two workers and a one-second wait for one."""
    live = server(cache_dir, tmp_path_factory.mktemp("dos") / "narrow.log",
                  GFMD_KG_WORKERS="2", GFMD_KG_QUEUE_WAIT="1")
    yield live
    live.stop()


def cpu_seconds(pid: int) -> float:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    fields = stat[stat.rfind(")") + 2:].split()
    return (int(fields[11]) + int(fields[12])) / 100  # utime + stime, in clock ticks


def stopped_or_capped(answer: Answer, name: str) -> None:
    where = f"{name}: {answer.status} {answer.body[:200]!r} in {answer.seconds:.1f} s"
    assert answer.seconds < TIMEOUT + SLACK, where
    if answer.status == 503:
        assert answer.header("Retry-After"), where
        assert "time limit" in answer.text or "stopped" in answer.text, where
    else:
        assert answer.status == 200, where
        assert (answer.header("X-Result-Truncated") or "").startswith("true"), where


@pytest.mark.parametrize("name", list(HEAVY))
def test_heavy_query_is_stopped_and_light_ones_still_answer(roomy: LoggedServer,
                                                            name: str) -> None:
    heavy: list[Answer] = []
    thread = threading.Thread(target=lambda: heavy.append(
        sparql_get(roomy.url, HEAVY[name], timeout=TIMEOUT + 30)))
    thread.start()
    light: list[Answer] = []
    try:
        time.sleep(0.05)
        while len(light) < 40 and (thread.is_alive() or not light):
            light.append(sparql_get(roomy.url, LIGHT, timeout=10))
    finally:
        thread.join(TIMEOUT + 30)
    assert heavy, f"{name}: no answer"
    stopped_or_capped(heavy[0], name)
    for answer in light:
        assert answer.status == 200, answer.text
        assert '"value": "12"' in answer.text or '"value":"12"' in answer.text
        assert answer.seconds < 2.0, f"a light query took {answer.seconds:.1f} s"
    if heavy[0].status == 503:  # nothing goes on computing the stopped query
        time.sleep(1.0)
        before = {pid: cpu_seconds(pid) for pid in roomy.workers()}
        time.sleep(1.0)
        burnt = {pid: cpu_seconds(pid) - used for pid, used in before.items()}
        assert max(burnt.values(), default=0) < 0.5, f"a worker kept computing: {burnt}"


def test_heavy_queries_at_once_in_every_form(roomy: LoggedServer) -> None:
    """All the heavy queries together, by GET and POST: each stopped or capped."""
    answers: dict[str, Answer] = {}

    def run(name: str) -> None:
        answers[name] = sparql_get(roomy.url, HEAVY[name], timeout=TIMEOUT + 30)

    threads = [threading.Thread(target=run, args=(name,)) for name in HEAVY]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT * len(HEAVY) + 30)
    assert set(answers) == set(HEAVY)
    for name, answer in answers.items():
        # more queries than workers: some waited for a worker, or were refused (503)
        assert answer.status in (200, 503), f"{name}: {answer.status} {answer.text[:200]}"
        assert answer.seconds < 2 * (TIMEOUT + SLACK)
        if answer.status == 200:
            stopped_or_capped(answer, name)
    assert sparql_get(roomy.url, LIGHT).status == 200


def test_busy_workers_refuse_quickly(narrow: LoggedServer) -> None:
    """Two workers, two heavy queries running: a third request gets 503 + Retry-After
    within the one-second wait, not after the heavy ones; then service resumes."""
    heavy: list[Answer] = []
    query = HEAVY["count of a cartesian product"]
    threads = [threading.Thread(target=lambda: heavy.append(
        sparql_get(narrow.url, query, timeout=TIMEOUT + 30))) for _ in range(2)]
    for thread in threads:
        thread.start()
    time.sleep(0.8)
    third = sparql_get(narrow.url, LIGHT, timeout=TIMEOUT + 30)
    for thread in threads:
        thread.join(TIMEOUT + 30)
    assert third.status == 503, third.text
    assert third.header("Retry-After")
    assert "busy" in third.text
    assert third.seconds < 2.5, f"the refusal took {third.seconds:.1f} s"
    assert sorted(a.status for a in heavy) == [503, 503]
    deadline = time.monotonic() + 20
    while True:  # the killed workers are being replaced
        again = sparql_get(narrow.url, LIGHT)
        if again.status == 200 or time.monotonic() > deadline:
            break
        time.sleep(0.3)
    assert again.status == 200, again.text
    assert len(narrow.workers()) >= 2


def test_workers_run_with_a_memory_cap_and_a_big_stack(roomy: LoggedServer) -> None:
    """The cap that stops a memory bomb is really set on every worker process."""
    expected = worker_memory(3) + WORKER_STACK
    workers = roomy.workers()
    assert len(workers) >= 3
    for pid in workers:
        limits = Path(f"/proc/{pid}/limits").read_text()
        data = re.search(r"Max data size\s+(\d+)\s+", limits)
        assert data and int(data.group(1)) == expected, limits


def test_slow_and_idle_connections_do_not_hold_the_server(roomy: LoggedServer) -> None:
    """A hundred connections that send half a request header and stop, and a hundred that
    open and send nothing: a query sent meanwhile is answered at once, and a slow request
    finished later is answered too (the server keeps connections, not threads, waiting)."""
    stalled: list[socket.socket] = []
    try:
        for i in range(200):
            sock = socket.create_connection(("127.0.0.1", roomy.port), timeout=10)
            if i % 2 == 0:
                sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
            stalled.append(sock)
        answer = sparql_get(roomy.url, LIGHT)
        assert answer.status == 200, answer.text
        assert answer.seconds < 2.0, f"a light query took {answer.seconds:.1f} s"
        late = stalled[0]
        late.sendall(b"1\r\nConnection: close\r\n\r\n")
        reply = b""
        while chunk := late.recv(65536):
            reply += chunk
        assert reply.startswith(b"HTTP/1.1 200"), reply[:200]
    finally:
        for sock in stalled:
            sock.close()
