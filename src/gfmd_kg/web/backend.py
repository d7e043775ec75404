"""The store behind the web app, attached in ``init_app`` and reached with ``get_backend()``.

Views hand it plain tasks (a query with its formats, a write) and get back a head (form,
format, row count, whether the cap cut it) and the body in chunks. Embedded stores run
tasks in worker processes (so a timeout stops the query); a remote store runs them here,
its HTTP client enforcing the time limit.
"""

from __future__ import annotations

import logging
import multiprocessing.util
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from flask import Flask, current_app

from .. import tasks
from ..build import build
from ..executor import StoreSpec, TaskError, WorkerPool
from ..store import EmbeddedStore, GraphStore, StoreError, open_store

log = logging.getLogger(__name__)
EXTENSION = "gfmd_kg"


class Backend:
    """Runs query and write tasks against whichever store the settings name."""

    def __init__(self, settings: Mapping[str, Any]) -> None:
        self.settings = dict(settings)
        self.base_iri: str = settings["base_iri"]
        self.build_info: dict[str, Any] = {}
        self._pool: WorkerPool | None = None
        self._remote: GraphStore | None = None
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        spec = settings["store"]
        writes = bool(settings.get("update_token"))
        if spec == "memory":
            built = build(self.settings)
            self.build_info = {"reasoner": built.info.reasoner,
                               "inference_ran": built.info.inference_ran,
                               "built": built.info.source_hash}
            self._tmp = tempfile.TemporaryDirectory(prefix="gfmd-kg-")
            path = Path(self._tmp.name) / "dataset.nq"
            built.store.dump(str(path), format=ox.RdfFormat.N_QUADS)
            self.kind = "memory"
            self._pool = WorkerPool(StoreSpec("replica", self.base_iri, str(path)),
                                    settings["workers"], settings["queue_wait"],
                                    spin=settings["spin_wait"])
        elif spec.startswith("oxigraph:"):
            store = open_store(self.settings)  # fills an empty store with the built graph
            assert isinstance(store, EmbeddedStore) and store.path is not None
            folder = str(store.path)
            store.close()
            del store  # releases the RocksDB lock before the workers open the folder
            self.kind = "oxigraph"
            mode = "owner" if writes else "read-only"
            self._pool = WorkerPool(StoreSpec(mode, self.base_iri, folder,
                                              reopen_after=settings["reopen_after"]),
                                    settings["workers"], settings["queue_wait"],
                                    spin=settings["spin_wait"])
        else:
            self._remote = open_store(self.settings)
            self.kind = "remote"

    @property
    def writes_enabled(self) -> bool:
        return bool(self.settings.get("update_token"))

    def run(self, task: dict[str, Any], timeout: float) -> tuple[dict[str, Any], Iterator[bytes]]:
        """Run a task; the head and the body chunks. Raises executor errors or TaskError."""
        if self._pool is not None:
            head, body = self._pool.run(task, timeout)
            return head, body
        assert self._remote is not None
        task = {**task, "timeout": timeout}
        try:
            items = list(tasks.run(self._remote, task))
        except tasks.ClientError as exc:
            raise TaskError(exc.kind, str(exc)) from exc
        head = items[0][1]
        return head, iter(payload for kind, payload in items[1:] if kind == "chunk")

    def write(self, op: dict[str, Any], timeout: float) -> None:
        """Apply a write (the caller checked the token and the protected graphs)."""
        if self._pool is not None:
            self._pool.write(op, timeout)
            return
        assert self._remote is not None
        try:
            tasks.apply_write(self._remote, op)
        except tasks.ClientError as exc:
            raise TaskError(exc.kind, str(exc)) from exc

    def select(self, text: str, bindings: Mapping[str, Any] | None = None,
               default_graphs: list[str] | None = None,
               max_rows: int | None = None) -> list[dict[str, dict[str, str]]]:
        """Run a SELECT for a page: rows as SPARQL JSON bindings ({var: {type, value, ...}}).

        ``bindings`` are pyoxigraph terms; they are bound by the engine, never pasted in.
        """
        import json

        from ..tasks import term_to_wire

        task: dict[str, Any] = {"kind": "query", "text": text,
                "bindings": {k: term_to_wire(v) for k, v in (bindings or {}).items()},
                "default_graphs": default_graphs or [], "named_graphs": [],
                "formats": {"select": "json", "graph": "nt"},
                "max_rows": max_rows or self.settings["max_rows"]}
        _head, body = self.run(task, self.settings["query_timeout"])
        rows: list[dict[str, dict[str, str]]] = json.loads(b"".join(body))["results"]["bindings"]
        return rows

    def construct(self, text: str, bindings: Mapping[str, Any] | None = None,
                  fmt: str = "nt", max_rows: int | None = None) -> bytes:
        """Run a CONSTRUCT or DESCRIBE for a page; the triples serialised in ``fmt``."""
        from ..tasks import term_to_wire

        task: dict[str, Any] = {"kind": "query", "text": text,
                "bindings": {k: term_to_wire(v) for k, v in (bindings or {}).items()},
                "default_graphs": [], "named_graphs": [],
                "formats": {"select": "json", "graph": fmt},
                "max_rows": max_rows or self.settings["max_rows"]}
        _head, body = self.run(task, self.settings["query_timeout"])
        return b"".join(body)

    def counts(self) -> dict[str, int]:
        """Triples per graph IRI ("" for the default graph)."""
        head, body = self.run({"kind": "counts"}, self.settings["query_timeout"])
        b"".join(body)  # read to the end: only then does the worker go back to the pool
        counts: dict[str, int] = head["counts"]
        return counts

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()
        if self._remote is not None:
            self._remote.close()
        if self._tmp is not None:
            self._tmp.cleanup()


def init_app(app: Flask) -> None:
    """Open the store for this app and close it when the process ends: at the interpreter's
    exit, or at the end of a process forked to serve the app (granian's worker), which ends
    with ``os._exit`` and so runs no ``atexit`` hook, only multiprocessing's finalizers."""
    try:
        backend = Backend(app.config["GFMD_KG"])
    except StoreError:
        raise
    app.extensions[EXTENSION] = backend
    multiprocessing.util.Finalize(None, backend.close, exitpriority=10)


def get_backend() -> Backend:
    """The current app's backend."""
    backend: Backend = current_app.extensions[EXTENSION]
    return backend
