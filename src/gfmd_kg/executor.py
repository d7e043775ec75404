"""Queries run in worker processes, so a query past its time limit can really be stopped.

pyoxigraph has no cancel: a running aggregate ignores signals. Each worker process holds
its own handle on the data; a query that overruns is answered with a timeout and its worker
is killed and replaced, while the other workers go on answering. The pool is bounded: when
every worker is busy past a short wait, the caller is told to retry (503).

A request that is the only one in flight does not put its thread to sleep at once while
its worker runs, nor does the worker sleep at once after answering: each polls the pipe for
up to ``spin`` seconds first. On a virtual machine without halt-polling, waking a sleeping
process costs tens of microseconds, and a lone request pays it twice per query; under load
(more than one request in flight) nobody polls, so the cores go to the queries.

How a worker reaches the data depends on the store:
- ``memory``: it loads the built dataset from the build cache, then replays the log of
  accepted writes, so every worker sees the same data.
- ``oxigraph:PATH`` without writes: each worker opens the store read-only.
- ``oxigraph:PATH`` with writes: one worker owns the store read-write and runs queries
  and writes one at a time (RocksDB allows one writer and no concurrent readers).
"""

from __future__ import annotations

import collections
import contextlib
import json
import logging
import os
import queue
import select
import signal
import socket
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from multiprocessing.connection import Connection
from typing import Any

log = logging.getLogger(__name__)


class QueryTimeout(Exception):
    """The query ran past its time limit and was stopped."""


class Saturated(Exception):
    """Every worker is busy; the client should retry shortly."""


#: Stack of the thread that runs a worker's tasks. The engine's parser and evaluator
#: recurse once per operator of a long chain (``1+1+…``, ``{…} UNION {…} UNION …``) and
#: overflow the 8 MB of a main thread after a few thousand; this (reserved, not used up
#: front) takes the longest chains a request body can hold.
WORKER_STACK = 512 << 20


def worker_memory(pool_size: int) -> int:
    """Bytes of memory one worker may use: half the machine's memory shared by the pool,
    between 512 MB and 4 GB. A query that builds more (a string doubled 30 times) makes its
    worker fail an allocation and die, instead of taking the machine's memory."""
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError):
        total = 8 << 30
    from pathlib import Path

    limit = Path("/sys/fs/cgroup/memory.max")  # a container's own limit, when lower
    with contextlib.suppress(OSError, ValueError):  # no cgroup v2, or "max"
        total = min(total, int(limit.read_text()))
    return int(min(4 << 30, max(512 << 20, total // 2 // max(1, pool_size))))


def _limit_resources(memory: int) -> None:
    """In a worker: cap its data memory (heap and the task thread's stack)."""
    import resource

    if memory > 0:
        limit = memory + WORKER_STACK
        _soft, hard = resource.getrlimit(resource.RLIMIT_DATA)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_DATA, (limit, hard))


class WorkerFailed(Exception):
    """A worker died or reported an unexpected error while running a task."""


class WorkerDied(WorkerFailed):
    """A worker process ended while running a task: its query ran out of memory or stack
    (or the process was killed from outside)."""


class TaskError(Exception):
    """The task failed for a reason the client should see (kind says which)."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


@dataclass
class StoreSpec:
    """What a worker needs to open its own handle on the data."""

    mode: str  # "replica" | "read-only" | "owner"
    base_iri: str
    path: str = ""  # the N-Quads file (replica) or the store folder
    prologue_prefixes: dict[str, str] = field(default_factory=dict)
    #: a read-only handle is opened anew after a task this long (seconds; 0: never)
    reopen_after: float = 0.5

    def reopens(self, seconds: float) -> bool:
        """Whether a worker opens its handle anew after a task of ``seconds``."""
        return self.mode == "read-only" and 0 < self.reopen_after <= seconds


# ---------------------------------------------------------------- worker side


def _open(spec: StoreSpec) -> Any:
    import pyoxigraph as ox

    from .store import EmbeddedStore

    if spec.mode == "replica":
        store = ox.Store()
        store.bulk_load(path=spec.path, format=ox.RdfFormat.N_QUADS)
        return EmbeddedStore(store, spec.base_iri, "memory")
    if spec.mode == "read-only":
        from pathlib import Path

        return EmbeddedStore(ox.Store.read_only(spec.path), spec.base_iri, "oxigraph",
                             Path(spec.path))
    from pathlib import Path

    return EmbeddedStore(ox.Store(spec.path), spec.base_iri, "oxigraph", Path(spec.path))


class _Handle:
    """A worker's store, and when to open it anew.

    After a query that reads much of an on-disk store (a scan of every label of 1M triples:
    2 s), pyoxigraph answers small queries on the same read-only handle 40-55% slower, and
    stays so; a fresh handle is back to full speed, and opening one takes about 11 ms. So a
    read-only handle is reopened after any task of ``spec.reopen_after`` seconds or more (after
    the answer went out; the pool puts such a worker at the bottom of its idle stack, so
    the next query goes to another one). A read-write handle (writes on) and the memory
    store are kept.
    """

    def __init__(self, spec: StoreSpec) -> None:
        self.spec = spec
        self.store = _open(spec)
        self.opened = 1

    def after_task(self, seconds: float) -> None:
        if self.spec.reopens(seconds):
            self.store = _open(self.spec)  # the old handle is released with its last reference
            self.opened += 1


def _worker_main(conn: Connection, spec: StoreSpec) -> None:
    """Serve tasks from the parent until the pipe closes."""
    try:
        handle = _Handle(spec)
    except Exception as exc:  # reported to the parent, which logs it and gives up
        conn.send(("dead", f"cannot open the store: {exc}"))
        return
    conn.send(("ready", None))
    ready = _Readiness(conn)
    while True:
        try:
            task, replay, spin = conn.recv()
        except (EOFError, OSError):
            return
        began = time.monotonic()
        try:
            _serve_one(conn, handle.store, task, replay)
        except OSError:  # the parent went away (killed this task, or shut down)
            return
        handle.after_task(time.monotonic() - began)
        ready.spin(spin)  # the next task of a lone client often follows within a moment


class _Readiness:
    """Whether a connection has a message waiting, asked without sleeping."""

    def __init__(self, conn: Connection) -> None:
        self._poll = select.poll()
        self._poll.register(conn.fileno(), select.POLLIN)

    def spin(self, seconds: float) -> bool:
        """Poll for up to ``seconds``; True as soon as a message (or the end) is there."""
        if seconds <= 0:
            return False
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:
            if self._poll.poll(0):
                return True
        return False


def _serve_one(conn: Connection, store: Any, task: dict[str, Any], replay: list[Any]) -> None:
    from . import tasks

    # items go out in one message while they are small (a small answer: head, body and
    # end in one write, one wake-up of the parent); a pump streams chunk by chunk
    batch: list[Any] = []
    size = 0

    def flush() -> None:
        nonlocal size
        if batch:
            conn.send(batch[0] if len(batch) == 1 else ("batch", list(batch)))
            batch.clear()
            size = 0

    try:
        for op in replay:
            tasks.apply_write(store, op)
        for item in tasks.run(store, task):
            if item[0] == "pump":  # pyoxigraph writes, each chunk is sent as it fills
                flush()
                item[1].run(lambda chunk: conn.send(("chunk", chunk)))
                continue
            batch.append(item)
            size += len(item[1]) if item[0] == "chunk" else 0
            if (item[0] == "head" and item[1].get("streaming")) or size >= BATCH_BYTES:
                flush()
    except tasks.ClientError as exc:
        batch.append(("error", (exc.kind, str(exc))))
    except MemoryError:  # past the memory cap: die, as the engine does when it hits it
        os._exit(70)
    except Exception:  # sent to the parent, which logs it and answers 500
        batch.append(("crash", traceback.format_exc()))
    batch.append(("end", None))
    flush()


#: Largest batch of answer items sent as one message.
BATCH_BYTES = 1 << 16


# ---------------------------------------------------------------- parent side


class _Worker:
    """One worker: a ``python -m gfmd_kg.executor`` process and a socket to it.

    A fresh interpreter (not fork, not multiprocessing's spawn): nothing of the parent's
    threads, locks or ``__main__`` module is carried into it.
    """

    def __init__(self, spec: StoreSpec, generation: int, memory: int = 0) -> None:
        parent, child = socket.socketpair()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gfmd_kg.executor", str(child.fileno()),
             json.dumps(asdict(spec)), str(memory)],
            pass_fds=[child.fileno()], stdin=subprocess.DEVNULL,
        )
        child.close()
        self.conn = Connection(parent.detach())
        self.ready = _Readiness(self.conn)
        self.generation = generation  # how much of the write log this worker has applied
        self.started = 0.0  # when it was given its current task (time.monotonic)
        self.pending: collections.deque[tuple[str, Any]] = collections.deque()  # of a batch

    def wait_ready(self, timeout: float) -> None:
        if not self.conn.poll(timeout):
            self.kill()
            raise WorkerFailed(f"a query worker did not start within {timeout:.0f} s")
        try:
            kind, detail = self.conn.recv()
        except (EOFError, OSError):
            self.kill()
            raise WorkerFailed("a query worker exited while starting") from None
        if kind != "ready":
            self.kill()
            raise WorkerFailed(str(detail))

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(5)
        self.conn.close()


class _Body:
    """The chunks of one answer as they arrive from its worker.

    The worker goes back to the pool only when its whole answer was read; an answer closed
    early, never read (a HEAD request, a client that went away) or broken costs the worker,
    which is killed and replaced, since it may still be computing or sending.
    """

    def __init__(self, pool: WorkerPool, worker: _Worker, deadline: float,
                 rolling: float | None = None) -> None:
        self._pool = pool
        self._worker = worker
        self._deadline = deadline
        self._rolling = rolling
        self._done = False

    def __iter__(self) -> _Body:
        return self

    def __next__(self) -> bytes:
        if self._done:
            raise StopIteration
        if self._rolling is not None:
            self._deadline = time.monotonic() + self._rolling
        try:
            kind, payload = self._pool._recv(self._worker, self._deadline)
        except BaseException:
            self._release(ok=False)
            raise
        if kind == "chunk":
            chunk: bytes = payload
            return chunk
        if kind == "end":
            self._release(ok=True)
            raise StopIteration
        self._release(ok=False)
        raise WorkerFailed(f"query worker sent {kind} while streaming: {payload}")

    def close(self) -> None:
        """Called by the WSGI server when the answer is done with, read or not."""
        if not self._done:
            self._release(ok=False)

    def _release(self, ok: bool) -> None:
        self._done = True
        if ok:
            self._pool._give_back(self._worker)
        else:
            self._pool._replace(self._worker)


class _Idle:
    """The idle workers, a stack: the one that finished last is handed out first, warm (its
    caches and pages in memory, its process scheduled); one can be put at the bottom."""

    def __init__(self) -> None:
        self._workers: collections.deque[_Worker] = collections.deque()
        self._changed = threading.Condition()

    def put(self, worker: _Worker, last: bool = False) -> None:
        with self._changed:
            if last:
                self._workers.appendleft(worker)
            else:
                self._workers.append(worker)
            self._changed.notify()

    def get(self, timeout: float | None = None) -> _Worker:
        """The top worker, waiting up to ``timeout`` seconds; queue.Empty if none came."""
        with self._changed:
            if not self._changed.wait_for(lambda: self._workers, timeout):
                raise queue.Empty
            return self._workers.pop()

    def get_nowait(self) -> _Worker:
        return self.get(0)

    def qsize(self) -> int:
        return len(self._workers)


class WorkerPool:
    """A bounded pool of query worker processes."""

    def __init__(self, spec: StoreSpec, size: int, queue_wait: float = 1.0,
                 start_timeout: float = 120.0, spin: float = 0.0) -> None:
        self.spec = spec
        self.size = 1 if spec.mode == "owner" else max(1, size)
        self.queue_wait = queue_wait
        self.spin = spin
        self.start_timeout = start_timeout
        self._idle = _Idle()
        self._log: list[Any] = []  # accepted writes, replayed by replica workers
        self._log_lock = threading.Lock()
        self._closed = False
        self.memory = worker_memory(self.size)
        workers = [_Worker(spec, 0, self.memory) for _ in range(self.size)]
        for worker in workers:
            worker.wait_ready(start_timeout)
            self._idle.put(worker)

    @property
    def replicates_writes(self) -> bool:
        return self.spec.mode == "replica"

    def _replace(self, worker: _Worker) -> None:
        worker.kill()
        if self._closed:
            return

        def start() -> None:
            try:
                fresh = _Worker(self.spec, 0, self.memory)
                fresh.wait_ready(self.start_timeout)
                self._idle.put(fresh)
            except WorkerFailed:
                log.exception("could not replace a query worker")

        threading.Thread(target=start, daemon=True).start()

    def _acquire(self) -> _Worker:
        try:
            return self._idle.get(timeout=self.queue_wait)
        except queue.Empty:
            raise Saturated("every query worker is busy") from None

    def run(self, task: dict[str, Any], timeout: float) -> tuple[Any, Iterator[bytes]]:
        """Send a task to a free worker; return its head and an iterator of body chunks.

        Raises QueryTimeout when no head arrives within ``timeout`` seconds, Saturated
        when no worker is free, TaskError for the client's mistakes.
        """
        worker = self._acquire()
        with self._log_lock:
            replay = self._log[worker.generation :] if self.replicates_writes else []
            worker.generation = len(self._log)
        return self._dispatch(worker, task, replay, timeout)

    def _dispatch(
        self, worker: _Worker, task: dict[str, Any], replay: list[Any], timeout: float
    ) -> tuple[Any, Iterator[bytes]]:
        worker.started = time.monotonic()
        deadline = worker.started + timeout
        spin = self.lone_spin()
        try:
            worker.conn.send((task, replay, spin))
            kind, payload = self._recv(worker, deadline, spin)
        except BaseException:
            self._replace(worker)
            raise
        if kind in {"error", "crash"}:
            self._finish(worker, deadline)
            if kind == "error":
                raise TaskError(*payload)
            raise WorkerFailed(payload)
        # an answer that streams without a row cap may take as long as it keeps coming:
        # then the limit is on the wait for each next chunk, not on the whole answer
        rolling = timeout if isinstance(payload, dict) and payload.get("streaming") else None
        return payload, _Body(self, worker, deadline, rolling)

    def _give_back(self, worker: _Worker) -> None:
        """A worker that answered goes back to the pool: on top, unless it now opens its
        store anew (see ``_Handle``), which takes a moment: then at the bottom."""
        self._idle.put(worker, last=self.spec.reopens(time.monotonic() - worker.started))

    def lone_spin(self) -> float:
        """How long a task just taken from the pool (and its worker) should poll: ``spin``
        when no other worker is busy (one being replaced counts as busy), else 0."""
        return self.spin if self._idle.qsize() >= self.size - 1 else 0.0

    def _recv(self, worker: _Worker, deadline: float, spin: float = 0.0) -> tuple[str, Any]:
        if worker.pending:
            return worker.pending.popleft()
        if not worker.ready.spin(min(spin, deadline - time.monotonic())):
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not worker.conn.poll(remaining):
                raise QueryTimeout()
        try:
            item: tuple[str, Any] = worker.conn.recv()
        except (EOFError, OSError) as exc:
            raise WorkerDied("the query worker died") from exc
        if item[0] == "dead":
            raise WorkerFailed(str(item[1]))
        if item[0] == "batch":
            worker.pending.extend(item[1])
            return worker.pending.popleft()
        return item

    def _finish(self, worker: _Worker, deadline: float) -> None:
        try:
            kind, _ = self._recv(worker, deadline + 5)
        except (QueryTimeout, WorkerFailed):
            self._replace(worker)
            return
        if kind == "end":
            self._give_back(worker)
        else:
            self._replace(worker)

    def run_all(self, task: dict[str, Any], timeout: float) -> Any:
        """Run a task and collect its whole body (for small internal answers)."""
        head, body = self.run(task, timeout)
        return head, b"".join(body)

    def write(self, op: Any, timeout: float) -> Any:
        """Apply a write. Replicas: apply it on one worker, then log it for the others
        (a write that fails is never logged). Owner: the one worker applies it."""
        if not self.replicates_writes:
            return self.run_all({"kind": "write", "op": op}, timeout)[0]
        with self._log_lock:  # tasks wait here for the write to land or fail
            worker = self._acquire()
            replay = self._log[worker.generation :]
            worker.generation = len(self._log)
            head, body = self._dispatch(worker, {"kind": "write", "op": op}, replay, timeout)
            b"".join(body)
            self._log.append(op)
            worker.generation = len(self._log)
            return head

    def close(self) -> None:
        self._closed = True
        while True:
            try:
                self._idle.get_nowait().kill()
            except queue.Empty:
                return


if __name__ == "__main__":  # the worker process: python -m gfmd_kg.executor FD SPEC [MEMORY]
    # Ctrl-C in a terminal reaches the whole process group; the server then stops and
    # closes its end of the pipe, which ends this process (without a traceback per worker)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _limit_resources(int(sys.argv[3]) if len(sys.argv) > 3 else 0)
    threading.stack_size(WORKER_STACK)
    _runner = threading.Thread(target=_worker_main, args=(
        Connection(int(sys.argv[1])), StoreSpec(**json.loads(sys.argv[2]))))
    _runner.start()
    _runner.join()
