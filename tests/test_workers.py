"""The query worker pool on its own: a lone task and its worker poll for each other instead
of sleeping, nobody polls under load, the poll never stretches a time limit, a worker that
is polling still sees its pool go away, and a read-only handle is opened anew after a long
task."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from gfmd_kg.executor import QueryTimeout, StoreSpec, WorkerPool, _Handle

BASE = "https://w3id.org/gfmd-kg/"
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def _task(text: str) -> dict[str, object]:
    return {"kind": "query", "text": text, "bindings": {}, "default_graphs": [],
            "named_graphs": [], "formats": {"select": "csv", "graph": "nt"}, "max_rows": 100}


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("workers") / "store"
    store = ox.Store(str(path))
    ex = "http://example.org/"
    store.extend(ox.Quad(ox.NamedNode(f"{ex}s{i}"), ox.NamedNode(f"{ex}p"),
                         ox.Literal(str(i)), ox.DefaultGraph()) for i in range(200))
    store.flush()
    del store
    return path


@pytest.fixture
def pool(folder: Path) -> Iterator[WorkerPool]:
    pool = WorkerPool(StoreSpec("read-only", BASE, str(folder)), 2, queue_wait=5.0,
                      spin=0.05)
    yield pool
    pool.close()


def test_a_lone_task_polls_and_a_task_under_load_does_not(pool: WorkerPool) -> None:
    def spin_of_next_task() -> float:  # what run() asks of the worker it takes
        worker = pool._acquire()
        try:
            return pool.lone_spin()
        finally:
            pool._idle.put(worker)

    assert spin_of_next_task() == 0.05
    _head, body = pool.run(_task("SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s LIMIT 3"), 10)
    try:  # its worker is busy until the body is read: a task now is not alone
        assert spin_of_next_task() == 0.0
    finally:
        rows = b"".join(body).decode().splitlines()
    assert rows == ["s", "http://example.org/s0", "http://example.org/s1",
                    "http://example.org/s10"]
    assert spin_of_next_task() == 0.05


def test_answers_are_the_same_with_and_without_polling(pool: WorkerPool, folder: Path) -> None:
    quiet = WorkerPool(StoreSpec("read-only", BASE, str(folder)), 1, spin=0.0)
    try:
        for text in ("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
                     'SELECT ?s WHERE { ?s ?p "7" }', "ASK { ?s ?p \"200\" }"):
            for _ in range(3):  # the worker is polling for the next task when it comes
                assert pool.run_all(_task(text), 10) == quiet.run_all(_task(text), 10)
    finally:
        quiet.close()


def test_polling_does_not_stretch_the_time_limit(folder: Path) -> None:
    pool = WorkerPool(StoreSpec("read-only", BASE, str(folder)), 1, queue_wait=60.0, spin=30.0)
    try:
        began = time.monotonic()
        with pytest.raises(QueryTimeout):
            pool.run(_task(SLOW), 0.5)
        assert time.monotonic() - began < 15  # the limit, not the 30 s of polling
        assert pool.run_all(_task("ASK { ?s ?p ?o }"), 30)[1].split()[-1] == b"true"
    finally:
        pool.close()


def test_a_polling_worker_exits_when_its_pool_closes(folder: Path) -> None:
    pool = WorkerPool(StoreSpec("read-only", BASE, str(folder)), 1, spin=60.0)
    worker = pool._idle.get()
    pool._idle.put(worker)
    pool.run_all(_task("ASK { ?s ?p ?o }"), 10)  # the worker now polls for 60 s
    worker.conn.close()  # what a closing pool does to a worker it cannot kill first
    worker.process.wait(15)  # exits at once, not after its minute of polling
    assert worker.process.returncode is not None


def test_a_read_only_handle_is_opened_anew_after_a_long_task(folder: Path) -> None:
    handle = _Handle(StoreSpec("read-only", BASE, str(folder), reopen_after=0.5))
    first = handle.store
    handle.after_task(0.05)  # a short task: kept
    assert handle.store is first and handle.opened == 1
    handle.after_task(0.5)  # a long one: a fresh handle on the same data
    assert handle.store is not first and handle.opened == 2
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    assert next(iter(handle.store.query(count).rows))[0].value == "200"


def test_a_writable_handle_and_a_handle_set_never_to_reopen_are_kept(folder: Path,
                                                                     tmp_path: Path) -> None:
    for spec in (StoreSpec("owner", BASE, str(tmp_path / "store")),
                 StoreSpec("read-only", BASE, str(folder), reopen_after=0.0)):
        handle = _Handle(spec)
        first = handle.store
        handle.after_task(60.0)
        assert handle.store is first and handle.opened == 1


def test_a_worker_that_reopens_goes_to_the_bottom(pool: WorkerPool) -> None:
    ask = _task("ASK { ?s ?p ?o }")
    pool.run_all(ask, 10)
    top = pool._idle.get(1)  # the worker that answered last is handed out first
    pool._idle.put(top)
    pool.run_all(ask, 10)
    assert pool._idle.get(1) is top
    pool._idle.put(top)
    pool.spec.reopen_after = 1e-9  # every task is now a long one (for the pool's side)
    pool.run_all(ask, 10)  # answered by ``top``, which now opens its store anew
    other = pool._idle.get(1)
    assert other is not top  # the next query goes to the other worker
    pool._idle.put(other)
    assert pool.run_all(ask, 10)[1].split()[-1] == b"true"
