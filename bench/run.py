"""The benchmark: gfmd-kg against Oxigraph server and rdflib-endpoint, on the same data.

For each size it generates the synthetic data (bench/generate.py), loads it, starts each
system on a free loopback port, drives it with the same bounded client (threads, each with
one keep-alive connection, for a fixed time per cell) and measures requests per second,
latency, errors and the peak memory of the server's process tree. Beside the HTTP cells it
times the engine in-process (pyoxigraph called directly on the same store), the worker
machinery (the same tasks through gfmd-kg's worker pool, without HTTP), bulk loading
(`gfmd-kg load` against `oxigraph load` and `oxigraph optimize`), start-up, a SELECT of
every row streamed with the row cap lifted, and the reference servers of
bench/reference.py, which take the per-request overhead of a small answer apart layer by
layer.

    .venv/bin/python bench/run.py --sizes 10k,100k          # what `make bench` runs
    BENCH_SIZES=10k,100k,1M,10M make bench                   # the full run

It prints one table, and writes bench/out/results.json and bench/out/chart.png.
"""

from __future__ import annotations

import argparse
import http.client
import importlib.metadata
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import psutil

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import client as lean  # noqa: E402
import generate  # noqa: E402
import queries as query_mix  # noqa: E402

OUT = HERE / "out"
DATA = OUT / "data"  # generated once per size and kept (git-ignored)
BIN = Path(sys.executable).parent
LOOPBACK = "127.0.0.1"
BASE = "https://w3id.org/gfmd-kg/"


# ------------------------------------------------------------------ small helpers


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((LOOPBACK, 0))
        port: int = sock.getsockname()[1]
        return port


def tree_rss(pid: int) -> int:
    """Resident memory of a process and all its descendants, in bytes."""
    try:
        proc = psutil.Process(pid)
        procs = [proc, *proc.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0
    total = 0
    for p in procs:
        with suppress(psutil.NoSuchProcess):
            total += p.memory_info().rss
    return total


class RssSampler:
    """The peak resident memory of a process tree, sampled every ``every`` seconds."""

    def __init__(self, pid: int, every: float = 0.2) -> None:
        self.pid = pid
        self.every = every
        self.peak = tree_rss(pid)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            self.peak = max(self.peak, tree_rss(self.pid))

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, tree_rss(self.pid))


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def mb(n: float) -> float:
    return n / 2**20


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# ------------------------------------------------------------------ systems


@dataclass
class Server:
    """A running system: its process, where it answers queries, and how."""

    name: str
    process: subprocess.Popen[bytes]
    port: int
    query_path: str
    startup_s: float = 0.0
    log_file: Path | None = None

    def url(self, text: str) -> str:
        return f"{self.query_path}?{urllib.parse.urlencode({'query': text})}"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(15)


def _wait_for_query(server: Server, started: float, timeout: float) -> None:
    """Poll with a trivial query until it is answered; record the time from the command."""
    deadline = started + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            tail = server.log_file.read_text(errors="replace")[-3000:] if server.log_file else ""
            raise RuntimeError(f"{server.name} exited while starting:\n{tail}")
        try:
            conn = http.client.HTTPConnection(LOOPBACK, server.port, timeout=5)
            conn.request("GET", server.url("ASK { ?s ?p ?o }"),
                         headers={"Accept": "application/sparql-results+json"})
            response = conn.getresponse()
            response.read()
            conn.close()
            if response.status == 200:
                server.startup_s = time.monotonic() - started
                return
            if response.status in (400, 404, 405, 406):
                server.stop()
                raise RuntimeError(f"{server.name} answers HTTP {response.status} at "
                                   f"{server.query_path}")
        except OSError:
            pass
        time.sleep(0.02)
    server.stop()
    raise RuntimeError(f"{server.name} did not answer a query within {timeout:.0f} s")


def _spawn(name: str, cmd: list[str], env: dict[str, str], query_path: str, port: int,
           workdir: Path, timeout: float = 600) -> Server:
    log_file = workdir / f"{name.replace(' ', '_')}-{port}.log"
    handle = log_file.open("wb")
    started = time.monotonic()
    process = subprocess.Popen(cmd, env={**os.environ, **env}, stdout=handle,
                               stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    handle.close()
    server = Server(name, process, port, query_path, log_file=log_file)
    _wait_for_query(server, started, timeout)
    return server


def start_gfmd(name: str, store: str, workdir: Path, *, cache: bool = True,
               workers: int = 4, threads: int = 8, max_rows: int | None = None,
               extra_env: dict[str, str] | None = None) -> Server:
    port = free_port()
    env = {"GFMD_KG_WORKERS": str(workers), "GFMD_KG_RESULT_CACHE": "1" if cache else "0",
           "GFMD_KG_QUEUE_WAIT": "30", "GFMD_KG_QUERY_TIMEOUT": "60",
           **(extra_env or {})}
    if max_rows is not None:
        env["GFMD_KG_MAX_ROWS"] = str(max_rows)
    cmd = [str(BIN / "gfmd-kg"), "serve", "--host", LOOPBACK, "--port", str(port),
           "--threads", str(threads), "--store", store]
    return _spawn(name, cmd, env, "/sparql", port, workdir)


def start_gfmd_memory(name: str, data: Path, workdir: Path, *, cache: bool, workers: int,
                      threads: int) -> Server:
    """gfmd-kg on its memory store (the built graph), the synthetic data added with a Graph
    Store PUT: one worker applies it, the others replay it before their next task."""
    token = secrets.token_hex(16)
    server = start_gfmd(name, "memory", workdir, cache=cache, workers=workers, threads=threads,
                        extra_env={"GFMD_KG_UPDATE_TOKEN": token,
                                   "GFMD_KG_MAX_REQUEST_BYTES": str(data.stat().st_size + 2**20)})
    conn = http.client.HTTPConnection(LOOPBACK, server.port, timeout=3600)
    graph = urllib.parse.quote("urn:gfmd-kg:bench", safe="")
    with data.open("rb") as body:
        conn.request("PUT", f"/store?graph={graph}", body=body, headers={
            "Content-Type": "application/n-triples", "Authorization": f"Bearer {token}",
            "Content-Length": str(data.stat().st_size)})
        response = conn.getresponse()
        response.read()
    conn.close()
    if response.status >= 300:
        server.stop()
        raise RuntimeError(f"gfmd-kg refused the data: HTTP {response.status}")

    def warm() -> None:  # every worker replays the write before the cells start
        c = http.client.HTTPConnection(LOOPBACK, server.port, timeout=600)
        for _ in range(3):
            c.request("GET", server.url("ASK { ?s ?p ?o }"),
                      headers={"Accept": "application/sparql-results+json"})
            c.getresponse().read()
        c.close()

    threads_ = [threading.Thread(target=warm) for _ in range(workers * 2)]
    for t in threads_:
        t.start()
    for t in threads_:
        t.join()
    return server


def start_oxigraph(name: str, workdir: Path, location: Path | None,
                   files: list[tuple[Path, str]]) -> Server:
    port = free_port()
    cmd = [str(BIN / "oxigraph"), "serve", "--bind", f"{LOOPBACK}:{port}",
           "--union-default-graph"]
    if location is not None:
        cmd += ["--location", str(location)]
    server = _spawn(name, cmd, {}, "/query", port, workdir)
    for path, media in files:  # the in-memory server is filled over its Graph Store API
        target = "/store?default" if media == "application/n-triples" else "/store"
        conn = http.client.HTTPConnection(LOOPBACK, port, timeout=3600)
        with path.open("rb") as body:
            conn.request("POST", target, body=body, headers={
                "Content-Type": media, "Content-Length": str(path.stat().st_size)})
            response = conn.getresponse()
            response.read()
        conn.close()
        if response.status >= 300:
            raise RuntimeError(f"oxigraph refused {path.name}: HTTP {response.status}")
    return server


#: The reference servers of bench/reference.py, each one layer over the one before: (name
#: in the results, kind, whether it runs at every size, the layer it adds). The first four
#: do not touch the data, so they run at the first size only.
REFERENCES = [
    ("ref: loopback", "loopback", False,
     "the client and the loopback (a socket server, fixed answer)"),
    ("ref: granian", "granian", False, "granian (a WSGI app, fixed answer)"),
    ("ref: Flask", "flask", False, "Flask, reading the query parameter"),
    ("ref: gfmd-kg canned", "canned", False,
     "gfmd-kg's direct path: checks, negotiation, headers (canned answer)"),
    ("ref: gfmd-kg in-thread", "in-thread", True, "the query run in the request thread"),
]


def start_reference(name: str, kind: str, store: Path, workdir: Path) -> Server:
    port = free_port()
    cmd = [sys.executable, str(HERE / "reference.py"), kind, str(port), f"oxigraph:{store}"]
    return _spawn(name, cmd, {}, "/sparql", port, workdir)


def start_rdflib(workdir: Path, files: list[Path]) -> Server:
    port = free_port()
    cmd = [str(BIN / "rdflib-endpoint"), "serve", "--host", LOOPBACK, "--port", str(port),
           *[str(f) for f in files]]
    return _spawn("rdflib-endpoint", cmd, {}, "/", port, workdir, timeout=1800)


# ------------------------------------------------------------------ the client


@dataclass
class Cell:
    """The measures of one system at one size and one client count."""

    system: str
    size: int
    clients: int
    seconds: float
    requests: int = 0
    errors: int = 0
    rps: float = 0.0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    peak_rss_mb: float = 0.0
    per_query_p50_ms: dict[str, float] = field(default_factory=dict)
    error_samples: list[str] = field(default_factory=list)


def drive(server: Server, schedule: list[tuple[query_mix.Query, str]], clients: int,
          duration: float, request_timeout: float) -> tuple[list[tuple[str, float]], int,
                                                            list[str], float]:
    """``clients`` threads, each on its own keep-alive connection (bench/client.py), send
    the schedule's requests in turn (each from its own offset) until ``duration`` has
    passed. Returns the (query name, latency) of each answered request, the error count,
    a few error messages and the time the cell took."""
    latencies: list[tuple[str, float]] = []
    errors = [0]
    samples: list[str] = []
    lock = threading.Lock()
    requests = [(q.name, lean.request_bytes(LOOPBACK, server.port, server.url(text), q.accept))
                for q, text in schedule]
    start = time.monotonic()
    deadline = start + duration

    def client(offset: int) -> None:
        conn: lean.Connection | None = None
        mine: list[tuple[str, float]] = []
        i = offset * max(1, len(requests) // clients)
        while time.monotonic() < deadline:
            name, request = requests[i % len(requests)]
            i += 1
            try:
                if conn is None or not conn.open:  # the first, or the server closed it
                    conn = lean.Connection(LOOPBACK, server.port, request_timeout)
                began = time.perf_counter()
                status, _ = conn.exchange(request)
                took = time.perf_counter() - began
                if status != 200:
                    raise RuntimeError(f"{name}: HTTP {status}")
                mine.append((name, took))
            except Exception as exc:  # counted, and the connection is opened anew
                with lock:
                    errors[0] += 1
                    if len(samples) < 5:
                        samples.append(str(exc)[:200])
                if conn is not None:
                    conn.close()
        if conn is not None:
            conn.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, errors[0], samples, time.monotonic() - start


def measure(server: Server, size: int, schedule: list[tuple[query_mix.Query, str]],
            clients: int, duration: float, request_timeout: float) -> Cell:
    with RssSampler(server.process.pid) as rss:
        latencies, errors, samples, took = drive(server, schedule, clients, duration,
                                                 request_timeout)
    times = [t for _, t in latencies]
    cell = Cell(server.name, size, clients, round(took, 2), len(times), errors,
                len(times) / took, percentile(times, 0.5) * 1000,
                percentile(times, 0.99) * 1000, mb(rss.peak), error_samples=samples)
    by_query: dict[str, list[float]] = {}
    for name, t in latencies:
        by_query.setdefault(name, []).append(t)
    cell.per_query_p50_ms = {k: round(percentile(v, 0.5) * 1000, 3) for k, v in by_query.items()}
    log(f"  {server.name:<22} {clients} client(s): {cell.rps:8.1f} req/s  "
        f"p50 {cell.p50_ms:8.2f} ms  p99 {cell.p99_ms:8.2f} ms  errors {errors}  "
        f"peak RSS {cell.peak_rss_mb:.0f} MB")
    return cell


def measure_small(servers: list[Server], size: int,
                  schedule: list[tuple[query_mix.Query, str]], args: argparse.Namespace,
                  engine: Any) -> list[dict[str, Any]]:
    """The small-answer queries alone, 1 client, on every server in ``servers`` (all up at
    once), each for half a cell in all, cut into ``args.small_rounds`` slices taken in
    turn (A B C, then B C A, ...): this shared machine's speed swings by up to 2x from one
    minute to the next, and a server measured in one block would carry its minute's speed
    (seen: the same build's overhead at 1M went from 0.57 to 1.05 ms between two runs).
    Per query, the p50 over the requests of every slice, and the engine's p50 over its
    runs in this process on gfmd-kg's store (``engine``, read-only) right before and right
    after each slice; each slice's own p50 is kept too, to show the spread."""
    queries = list({q.name: q for q, _ in schedule}.values())
    rounds = max(1, args.small_rounds)
    seconds = args.duration / 2 / rounds
    latencies: dict[str, list[tuple[str, float]]] = {s.name: [] for s in servers}
    engine_runs: dict[str, dict[str, list[float]]] = {
        s.name: {q.name: [] for q in queries} for s in servers}
    slices: dict[str, dict[str, list[float]]] = {
        s.name: {q.name: [] for q in queries} for s in servers}
    errors = dict.fromkeys(latencies, 0)
    for r in range(rounds):
        turn = r % len(servers)
        for server in servers[turn:] + servers[:turn]:
            before = engine_block(engine, queries, args.engine_repeat)
            answered, failed, samples, _took = drive(server, schedule, 1, seconds,
                                                     args.request_timeout)
            after = engine_block(engine, queries, args.engine_repeat)
            latencies[server.name] += answered
            errors[server.name] += failed
            if samples:
                log(f"  {server.name}: {failed} errors in a small-answer slice: {samples[0]}")
            for q in queries:
                engine_runs[server.name][q.name] += before[q.name] + after[q.name]
                mine = [t for name, t in answered if name == q.name]
                if mine:
                    slices[server.name][q.name].append(round(percentile(mine, 0.5) * 1000, 3))
    out = []
    for server in servers:
        by_query: dict[str, list[float]] = {}
        for name, t in latencies[server.name]:
            by_query.setdefault(name, []).append(t)
        cell = {"system": server.name, "size": size, "requests": len(latencies[server.name]),
                "errors": errors[server.name], "rounds": rounds,
                "per_query_p50_ms": {k: round(percentile(v, 0.5) * 1000, 3)
                                     for k, v in by_query.items()},
                "per_query_slice_p50_ms": slices[server.name],
                "engine_p50_ms": {k: round(percentile(v, 0.5) * 1000, 3)
                                  for k, v in engine_runs[server.name].items()}}
        log(f"  small answers, {server.name}: " + ", ".join(
            f"{k} {v:.2f} ms" for k, v in cell["per_query_p50_ms"].items()))
        out.append(cell)
    return out


def answer_sizes(server: Server, mix: list[query_mix.Query], timeout: float) -> dict[str, int]:
    """One request per query (its first variant): the size of each answer, in rows or
    triples, to check that every system answers the same (also warms it up)."""
    sizes: dict[str, int] = {}
    conn = http.client.HTTPConnection(LOOPBACK, server.port, timeout=timeout)
    for q in mix:
        try:
            conn.request("GET", server.url(q.variants[0]), headers={"Accept": q.accept})
            response = conn.getresponse()
            body = response.read()
        except Exception:
            sizes[q.name] = -1
            conn.close()
            conn = http.client.HTTPConnection(LOOPBACK, server.port, timeout=timeout)
            continue
        if response.status != 200:
            sizes[q.name] = -response.status
        elif q.graph:
            sizes[q.name] = sum(1 for line in body.splitlines() if line.strip())
        else:
            sizes[q.name] = len(json.loads(body)["results"]["bindings"])
    conn.close()
    return sizes


# ------------------------------------------------------------------ in-process measures


def engine_block(raw: Any, queries: list[query_mix.Query], repeat: int,
                 budget_s: float = 4.0) -> dict[str, list[float]]:
    """pyoxigraph alone (run and read every row) on an open store, per query: one untimed
    run of each variant (warm, as the servers are when they are measured), then ``repeat``
    timed runs through the variants (at least 3, then at most ``budget_s`` seconds)."""
    out: dict[str, list[float]] = {}
    for q in queries:
        budget = time.monotonic() + budget_s
        for text in q.variants:
            list(raw.query(text, use_default_graph_as_union=True))
            if time.monotonic() > budget:
                break
        times: list[float] = []
        budget = time.monotonic() + budget_s
        for i in range(repeat):
            if i >= 3 and time.monotonic() > budget:
                break
            began = time.perf_counter()
            list(raw.query(q.variants[i % len(q.variants)], use_default_graph_as_union=True))
            times.append(time.perf_counter() - began)
        out[q.name] = times
    return out


def engine_times(store_dir: Path, mix: list[query_mix.Query], repeat: int) -> dict[str, Any]:
    """Per query: pyoxigraph alone (``engine_block``), and the same task as a gfmd-kg
    worker does it (run and serialise), in this process."""
    import pyoxigraph as ox

    from gfmd_kg import tasks
    from gfmd_kg.store import EmbeddedStore

    raw = ox.Store.read_only(str(store_dir))
    store = EmbeddedStore(raw, BASE, "oxigraph", store_dir)
    engine = engine_block(raw, mix, repeat)
    out: dict[str, Any] = {}
    for q in mix:
        worker_task: list[float] = []
        budget = time.monotonic() + 4.0
        for i in range(repeat):
            if i >= 3 and time.monotonic() > budget:
                break
            began = time.perf_counter()
            for _ in tasks.expand(tasks.run(store, _task(q, q.variants[i % len(q.variants)]))):
                pass
            worker_task.append(time.perf_counter() - began)
        out[q.name] = {"engine_p50_ms": round(percentile(engine[q.name], 0.5) * 1000, 3),
                       "task_p50_ms": round(percentile(worker_task, 0.5) * 1000, 3)}
    del store, raw
    return out


def _task(q: query_mix.Query, text: str, max_rows: int = 10_000) -> dict[str, Any]:
    return {"kind": "query", "text": text, "bindings": {}, "default_graphs": [],
            "named_graphs": [], "formats": {"select": "json", "graph": "nt"},
            "max_rows": max_rows}


def machinery(store_dir: Path, schedule: list[tuple[query_mix.Query, str]],
              passes: int) -> dict[str, Any]:
    """The mix run as tasks in this process, and through gfmd-kg's worker pool (a worker
    process, the pipe, the time limit armed): the cost of being able to stop a query."""
    import pyoxigraph as ox

    from gfmd_kg import tasks
    from gfmd_kg.executor import StoreSpec, WorkerPool
    from gfmd_kg.settings import SETTINGS_BY_NAME
    from gfmd_kg.store import EmbeddedStore

    store = EmbeddedStore(ox.Store.read_only(str(store_dir)), BASE, "oxigraph", store_dir)
    direct: list[float] = []
    for _ in range(passes):
        for q, text in schedule:
            began = time.perf_counter()
            for _item in tasks.expand(tasks.run(store, _task(q, text))):
                pass
            direct.append(time.perf_counter() - began)
    del store
    pool = WorkerPool(StoreSpec("read-only", BASE, str(store_dir)), 1, 5.0,
                      spin=SETTINGS_BY_NAME["spin_wait"].default)  # as the server runs it
    pooled: list[float] = []
    try:
        for _ in range(passes):
            for q, text in schedule:
                began = time.perf_counter()
                _head, body = pool.run(_task(q, text), 60.0)
                for _chunk in body:
                    pass
                pooled.append(time.perf_counter() - began)
    finally:
        pool.close()
    return {"requests": len(direct), "direct_total_s": round(sum(direct), 3),
            "pool_total_s": round(sum(pooled), 3),
            "ratio": round(sum(pooled) / sum(direct), 3),
            "added_p50_ms": round((percentile(pooled, 0.5) - percentile(direct, 0.5)) * 1000, 3)}


# ------------------------------------------------------------------ loading, streaming


def timed_run(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float, str]:
    """Run a command; its wall time, its peak RSS (MB, from the kernel) and its output."""
    began = time.monotonic()
    process = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               env={**os.environ, **(env or {})})
    assert process.stdout is not None
    output = process.stdout.read().decode(errors="replace")
    _pid, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    took = time.monotonic() - began
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{output[-3000:]}")
    return took, usage.ru_maxrss / 1024, output


def bench_load(data: Path, size: int, workdir: Path, rounds: int = 2
               ) -> tuple[dict[str, Any], Path, Path]:
    """`gfmd-kg load` and `oxigraph load` of the same file into fresh stores, ``rounds``
    times each, taken in turn (A B, then B A, ...): a load of 1M takes seconds, and this
    machine's speed can change by half from one minute to the next (one run measured
    0.77x where the runs before had 0.99x). Each system's rate is over the time of all its
    loads; its peak RSS the highest. The stores of the last round are served.

    `gfmd-kg load` compacts the store as its last step (src/gfmd_kg/load.py); `oxigraph
    load` does not, and is followed by `oxigraph optimize`, timed on its own: the ratio
    is to `oxigraph load` alone (the target's terms), and also given to load and optimize
    together, and both servers then serve a compacted store."""
    ours, theirs = workdir / "gfmd-store", workdir / "oxigraph-store"
    commands = {
        "gfmd_kg": (ours, [[str(BIN / "gfmd-kg"), "load", "-q", "--store", f"oxigraph:{ours}",
                            str(data)]]),
        "oxigraph": (theirs, [[str(BIN / "oxigraph"), "load", "--location", str(theirs),
                               "--file", str(data)],
                              [str(BIN / "oxigraph"), "optimize", "--location", str(theirs)]]),
    }
    # per system, per load: (seconds, peak RSS MB) of each of its commands
    runs: dict[str, list[list[tuple[float, float]]]] = {name: [] for name in commands}
    compacting: list[float] = []  # gfmd-kg's own figure for its last step
    order = list(commands)
    for r in range(max(1, rounds)):
        for name in order if r % 2 == 0 else order[::-1]:
            store, cmds = commands[name]
            shutil.rmtree(store, ignore_errors=True)
            steps = []
            for cmd in cmds:
                took, rss, output = timed_run(cmd)
                steps.append((took, rss))
                if found := re.search(r"compacted the store in ([0-9.]+) s", output):
                    compacting.append(float(found[1]))
            runs[name].append(steps)
    result: dict[str, Any] = {"size": size, "rounds": max(1, rounds)}
    for name, done in runs.items():
        seconds = sum(steps[0][0] for steps in done) / len(done)
        result.update({f"{name}_s": round(seconds, 2), f"{name}_rate": round(size / seconds),
                       f"{name}_peak_rss_mb": round(max(m for steps in done for _, m in steps)),
                       f"{name}_runs_s": [round(steps[0][0], 2) for steps in done]})
    optimize = sum(steps[1][0] for steps in runs["oxigraph"]) / len(runs["oxigraph"])
    result["oxigraph_optimize_s"] = round(optimize, 2)
    result["gfmd_kg_compact_s"] = round(sum(compacting) / max(1, len(compacting)), 2)
    result["ratio"] = round(result["oxigraph_s"] / result["gfmd_kg_s"], 3)
    result["ratio_with_optimize"] = round((result["oxigraph_s"] + optimize)
                                          / result["gfmd_kg_s"], 3)
    log(f"  load {generate.size_name(size)}: gfmd-kg {result['gfmd_kg_rate']:,} triples/s "
        f"({result['gfmd_kg_peak_rss_mb']} MB; runs {result['gfmd_kg_runs_s']} s, of which "
        f"compacting {result['gfmd_kg_compact_s']} s), oxigraph "
        f"{result['oxigraph_rate']:,} triples/s ({result['oxigraph_peak_rss_mb']} MB; runs "
        f"{result['oxigraph_runs_s']} s, then optimize {result['oxigraph_optimize_s']} s)")
    return result, ours, theirs


def bench_stream(server: Server, timeout: float, export: str | None = None
                 ) -> dict[str, Any]:
    """A SELECT of every triple with no row cap, or (``export``: the path of a download of
    the whole dataset as N-Quads) an export: time to first byte, rows (lines), total time,
    and how much the server's memory grew."""
    conn = http.client.HTTPConnection(LOOPBACK, server.port, timeout=timeout)
    text = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"
    before = tree_rss(server.process.pid)
    rows = 0 if export else -1  # a TSV answer starts with a header line
    received = 0
    with RssSampler(server.process.pid, every=0.05) as rss:
        began = time.perf_counter()
        if export:
            conn.request("GET", export, headers={"Accept": "application/n-quads"})
        else:
            conn.request("GET", server.url(text),
                         headers={"Accept": "text/tab-separated-values"})
        response = conn.getresponse()
        first = response.read1(1) if response.status == 200 else b""
        first_byte = time.perf_counter() - began
        received = len(first)
        rows += first.count(b"\n")
        while chunk := response.read1(1 << 20):
            received += len(chunk)
            rows += chunk.count(b"\n")
        total = time.perf_counter() - began
    conn.close()
    result = {"system": server.name, "what": "export" if export else "select",
              "status": response.status, "rows": rows,
              "mbytes": round(mb(received), 1), "first_byte_ms": round(first_byte * 1000, 1),
              "total_s": round(total, 2), "rss_before_mb": round(mb(before)),
              "rss_growth_mb": round(mb(rss.peak - before), 1)}
    log(f"  {result['what']} {server.name}: {rows:,} lines, first byte "
        f"{result['first_byte_ms']} ms, {result['total_s']} s, "
        f"memory +{result['rss_growth_mb']} MB")
    return result


# ------------------------------------------------------------------ the run


def machine() -> dict[str, Any]:
    cpu = platform.processor() or "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = {}
    for package in ("gfmd-kg", "pyoxigraph", "oxigraph", "rdflib", "rdflib-endpoint", "flask",
                    "granian", "uvicorn", "fastapi"):
        try:
            versions[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            versions[package] = None
    return {"cpu": cpu, "cores": os.cpu_count(),
            "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
            "os": platform.platform(), "python": platform.python_version(),
            "idle": idle_polling(), "packages": versions}


def idle_polling() -> str:
    """How an idle core waits (what a wake-up costs depends on it): the cpuidle driver and,
    for a guest's haltpoll driver, how long it polls before halting."""
    base = Path("/sys/devices/system/cpu/cpuidle")
    try:
        driver = (base / "current_driver").read_text().strip()
    except OSError:
        return "unknown"
    poll = Path("/sys/module/haltpoll/parameters/guest_halt_poll_ns")
    with suppress(OSError):
        return f"{driver}, guest_halt_poll_ns={poll.read_text().strip()}"
    return driver


def built_dataset() -> Path:
    """The built graph as N-Quads (built once and cached by gfmd-kg), for the other systems."""
    subprocess.run([str(BIN / "gfmd-kg"), "build"], check=True, stdout=subprocess.DEVNULL)
    from gfmd_kg.settings import load_settings

    cache = Path(load_settings()["cache_dir"])
    found = sorted(cache.glob("dataset-*.nq"), key=lambda p: p.stat().st_mtime)
    if not found:
        raise RuntimeError(f"no built dataset in {cache}")
    return found[-1]


@contextmanager
def running(server: Server) -> Iterator[Server]:
    try:
        yield server
    finally:
        server.stop()


def run_size(size: int, args: argparse.Namespace, built: Path, results: dict[str, Any],
             workdir: Path) -> None:
    name = generate.size_name(size)
    data = DATA / f"synthetic-{name}.nt"
    if not data.is_file():
        log(f"generating {name} triples -> {data}")
        generate.write(size, data)
    mix = query_mix.mix(size)
    if size > args.scan_max:  # past it, the mix keeps the queries that stay interactive
        mix = [q for q in mix if not q.scan]
        results["config"].setdefault("interactive_only", []).append(size)
    schedule = query_mix.schedule(mix)
    small_schedule = query_mix.schedule([q for q in mix if q.small])
    load, ours, theirs = bench_load(data, size, workdir, args.load_rounds)
    results["load"].append(load)
    # the oxigraph server on disk gets the built graph too (gfmd-kg adds it when it opens)
    timed_run([str(BIN / "oxigraph"), "load", "--location", str(theirs), "--file", str(built)])

    systems: list[tuple[str, Any]] = [
        ("gfmd-kg", lambda: start_gfmd("gfmd-kg", f"oxigraph:{ours}", workdir,
                                       workers=args.workers, threads=args.threads)),
        ("gfmd-kg no cache", lambda: start_gfmd("gfmd-kg no cache", f"oxigraph:{ours}",
                                                workdir, cache=False, workers=args.workers,
                                                threads=args.threads)),
    ]
    if size <= args.gfmd_memory_max:
        systems.append(("gfmd-kg mem no cache", lambda: start_gfmd_memory(
            "gfmd-kg mem no cache", data, workdir, cache=False, workers=args.workers,
            threads=args.threads)))
    if size <= args.memory_max:
        systems.append(("oxigraph serve mem", lambda: start_oxigraph(
            "oxigraph serve mem", workdir, None,
            [(built, "application/n-quads"), (data, "application/n-triples")])))
    systems.append(("oxigraph serve disk", lambda: start_oxigraph(
        "oxigraph serve disk", workdir, theirs, [])))
    if size <= args.rdflib_max:
        systems.append(("rdflib-endpoint", lambda: start_rdflib(workdir, [built, data])))

    import pyoxigraph as ox

    engine = ox.Store.read_only(str(ours))  # the small cells' in-process peer
    reference: dict[str, int] | None = None
    with ExitStack() as alive:  # the servers stay up for the small answers, measured last
        in_turn: list[Server] = []
        for label, start in systems:
            log(f"{name}: starting {label}")
            server = alive.enter_context(running(start()))
            log(f"  {label} answered its first query {server.startup_s:.2f} s after the command")
            results["startup"].append({"system": label, "size": size,
                                       "first_query_s": round(server.startup_s, 2)})
            sizes = answer_sizes(server, mix, args.request_timeout)
            if reference is None:
                reference = sizes
            elif sizes != reference:
                differs = {k: (reference.get(k), v) for k, v in sizes.items()
                           if reference.get(k) != v}
                log(f"  answers of {label} differ from gfmd-kg's (ours, theirs): {differs}")
                results["answer_mismatches"].append({"system": label, "size": size,
                                                     "differs": differs})
            for clients in args.clients:
                cell = measure(server, size, schedule, clients, args.duration,
                               args.request_timeout)
                results["cells"].append(asdict(cell))
            if label == "rdflib-endpoint":  # too slow for the small answers: stopped now
                server.stop()
            else:
                in_turn.append(server)

        for label, kind, every_size, _ in REFERENCES:  # the overhead taken apart, by layer
            if not every_size and size != args.sizes[0]:
                continue
            server = alive.enter_context(running(start_reference(label, kind, ours, workdir)))
            answer_sizes(server, mix, args.request_timeout)  # warms it, as for the others
            if every_size:  # the mixed cells the systems ran before theirs, not recorded:
                for clients in args.clients:  # so its caches hold what theirs held
                    drive(server, schedule, clients, args.duration, args.request_timeout)
            in_turn.append(server)

        log(f"{name}: the small answers alone, {len(in_turn)} servers in "
            f"{args.small_rounds} rounds")
        results["small"] += measure_small(in_turn, size, small_schedule, args, engine)
    del engine

    log(f"{name}: engine and worker machinery, in this process")
    results["engine"][name] = engine_times(ours, mix, args.engine_repeat)
    # the whole schedule twice; past 100k, each query's first variant three times
    small = size <= 100_000
    tasks_schedule = schedule if small else [(q, q.variants[0]) for q in mix]
    results["machinery"][name] = machinery(ours, tasks_schedule, passes=2 if small else 3)
    log(f"  machinery: pool/direct = {results['machinery'][name]['ratio']}")

    if size == min([s for s in args.sizes if s >= 1_000_000] or [max(args.sizes)]):
        log(f"{name}: a SELECT of every row, row cap lifted")
        with running(start_gfmd("gfmd-kg", f"oxigraph:{ours}", workdir, max_rows=0,
                                workers=args.workers)) as server:
            results["stream"].append({"size": size, **bench_stream(server, 600)})
            results["stream"].append({"size": size, **bench_stream(
                server, 600, export="/export/gfmd-kg.nq")})
        with running(start_oxigraph("oxigraph serve disk", workdir, theirs, [])) as server:
            results["stream"].append({"size": size, **bench_stream(server, 600)})
            results["stream"].append({"size": size, **bench_stream(server, 600,
                                                                   export="/store")})
    with running(start_gfmd("gfmd-kg", f"oxigraph:{ours}", workdir,
                            workers=args.workers)) as server:
        rss = tree_rss(server.process.pid)
        results["serving_rss"].append({"size": size, "rss_mb": round(mb(rss))})
    shutil.rmtree(ours, ignore_errors=True)
    shutil.rmtree(theirs, ignore_errors=True)


def table(results: dict[str, Any]) -> str:
    cells = results["cells"]
    ours = {(c["size"], c["clients"]): c["rps"] for c in cells if c["system"] == "gfmd-kg"}
    lines = ["| system | size | clients | req/s | p50 ms | p99 ms | errors | peak RSS MB "
             "| req/s vs gfmd-kg |", "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: "
             "| ---: |"]
    for c in cells:
        base = ours.get((c["size"], c["clients"]))
        ratio = f"{c['rps'] / base:.3f}" if base else "-"
        lines.append(f"| {c['system']} | {generate.size_name(c['size'])} | {c['clients']} | "
                     f"{c['rps']:.1f} | {c['p50_ms']:.2f} | {c['p99_ms']:.2f} | {c['errors']} | "
                     f"{c['peak_rss_mb']:.0f} | {ratio} |")
    return "\n".join(lines)


def details(results: dict[str, Any]) -> str:
    out = []
    for name, per_query in results["engine"].items():
        by_system = {c["system"]: c["per_query_p50_ms"] for c in results["cells"]
                if generate.size_name(c["size"]) == name and c["clients"] == 1}
        systems = [s for s in ("gfmd-kg", "gfmd-kg no cache", "gfmd-kg mem no cache",
                               "oxigraph serve mem", "oxigraph serve disk") if s in by_system]
        out.append(f"\nper query at {name}, p50 ms (engine: pyoxigraph in-process; task: "
                   "the same plus serialising; HTTP: 1 client)")
        out.append("| query | engine | task | " + " | ".join(systems) + " |")
        out.append("| --- | ---: | ---: | " + " | ".join("---:" for _ in systems) + " |")
        for q, t in per_query.items():
            cols = " | ".join(f"{by_system[s].get(q, float('nan')):.2f}" for s in systems)
            out.append(f"| {q} | {t['engine_p50_ms']:.2f} | {t['task_p50_ms']:.2f} | {cols} |")
    out.extend(overhead(results))
    for name, m in results["machinery"].items():
        out.append(f"\nworker machinery at {name}: the mix ({m['requests']} tasks) took "
                   f"{m['direct_total_s']} s in-process and {m['pool_total_s']} s through the "
                   f"worker pool: ratio {m['ratio']}, +{m['added_p50_ms']} ms per task at p50")
    for load in results["load"]:
        out.append(f"load {generate.size_name(load['size'])}: gfmd-kg {load['gfmd_kg_rate']:,}"
                   f" triples/s, peak {load['gfmd_kg_peak_rss_mb']} MB; oxigraph "
                   f"{load['oxigraph_rate']:,} triples/s, peak {load['oxigraph_peak_rss_mb']} MB;"
                   f" ratio {load['ratio']}" + (
                       f" (each loaded {load['rounds']} times in turn: gfmd-kg "
                       f"{load['gfmd_kg_runs_s']} s, oxigraph {load['oxigraph_runs_s']} s)"
                       if load.get("rounds", 1) > 1 else "") + (
                       f"; gfmd-kg's time includes compacting the store "
                       f"({load['gfmd_kg_compact_s']} s), oxigraph's does not: `oxigraph "
                       f"optimize` took {load['oxigraph_optimize_s']} s more, ratio with it "
                       f"{load['ratio_with_optimize']}" if "ratio_with_optimize" in load
                       else ""))
    for s in results["stream"]:
        what = "whole-dataset export" if s.get("what") == "export" else "SELECT of every row"
        kind = "N-Quads" if s.get("what") == "export" else "TSV"
        out.append(f"{what} {generate.size_name(s['size'])} {s['system']}: {s['rows']:,} lines "
                   f"({s['mbytes']} MB {kind}), first byte {s['first_byte_ms']} ms, total "
                   f"{s['total_s']} s, server memory +{s['rss_growth_mb']} MB")
    for s in results["startup"]:
        if s["system"].startswith("gfmd-kg"):
            out.append(f"start-up {generate.size_name(s['size'])} {s['system']}: first query "
                       f"answered {s['first_query_s']} s after the command")
    for s in results["serving_rss"]:
        out.append(f"gfmd-kg serving {generate.size_name(s['size'])} on disk, just started: "
                   f"{s['rss_mb']} MB (server and workers)")
    return "\n".join(out)


def overhead(results: dict[str, Any]) -> list[str]:
    """Per-request overhead: the small-answer queries alone (1 client), each system's p50
    over HTTP less the engine's p50 in-process on the same store, timed around that
    system's cell (older results without it: the engine's p50 of the run)."""
    out = []
    for name, per_query in results["engine"].items():
        cells = [c for c in results.get("small", [])
                 if generate.size_name(c["size"]) == name and not c["system"].startswith("ref")]
        if not cells:
            continue
        out.append(f"\nper-request overhead at {name}: the small answers alone, 1 client; "
                   "p50 over HTTP less the engine's p50 timed around the same cell (ms)")
        out.append("| query | engine | " + " | ".join(c["system"] for c in cells) + " |")
        out.append("| --- | ---: | " + " | ".join("---:" for _ in cells) + " |")
        for q in cells[0]["per_query_p50_ms"]:
            engines = [cell_engine(c, q, per_query) for c in cells]
            cols = " | ".join(f"{c['per_query_p50_ms'][q]:.2f} "
                              f"({c['per_query_p50_ms'][q] - e:+.2f})"
                              for c, e in zip(cells, engines, strict=True))
            out.append(f"| {q} | {min(engines):.2f}–{max(engines):.2f} | {cols} |")
        if all(c.get("per_query_slice_p50_ms") for c in cells):
            out.append(f"\nthe same p50 slice by slice at {name} ({cells[0]['rounds']} slices "
                       "per server, taken in turn): lowest–highest (ms)")
            out.append("| query | " + " | ".join(c["system"] for c in cells) + " |")
            out.append("| --- | " + " | ".join("---:" for _ in cells) + " |")
            for q in cells[0]["per_query_p50_ms"]:
                spans = [c["per_query_slice_p50_ms"].get(q) or [0.0] for c in cells]
                out.append(f"| {q} | " + " | ".join(f"{min(v):.2f}–{max(v):.2f}"
                                                     for v in spans) + " |")
        out.extend(layers(results, name, per_query))
    return out


def cell_engine(cell: dict[str, Any], query: str, per_query: dict[str, Any]) -> float:
    """The engine's p50 for ``query`` timed around ``cell``, or the run's."""
    engine: float = cell.get("engine_p50_ms", {}).get(query,
                                                      per_query[query]["engine_p50_ms"])
    return engine


#: gfmd-kg answers a plain GET beside Flask (web/direct.py): the Flask reference is not a
#: layer of it, and is shown beside the chain, over granian
BESIDE = "ref: Flask"
LAYERS = [(label, layer) for label, _, _, layer in REFERENCES if label != BESIDE] + [
    ("gfmd-kg no cache", "the hop to a worker process and back")]


def layers(results: dict[str, Any], name: str, per_query: dict[str, Any]) -> list[str]:
    """The small answers' p50 taken apart: each reference server adds one layer to the one
    before (bench/reference.py), gfmd-kg the last; a row is the difference of two p50s."""
    size_free = {label for label, _, every_size, _ in REFERENCES if not every_size}
    found = {c["system"]: c["per_query_p50_ms"] for c in results.get("small", [])
             if c["system"] in size_free or generate.size_name(c["size"]) == name}
    if any(system not in found for system, _ in LAYERS):
        return []
    beside = [(BESIDE, "beside the chain: a stock Flask view reading the parameter, over "
               "granian")] if BESIDE in found else []
    queries = list(found["gfmd-kg no cache"])
    out = [f"\nthe p50 of a small answer taken apart at {name}, gfmd-kg without the cache "
           "(ms; each row is one layer: the difference of two servers' p50)",
           "| layer | " + " | ".join(queries) + " |",
           "| --- | " + " | ".join("---:" for _ in queries) + " |"]
    before = dict.fromkeys(queries, 0.0)
    for system, what in LAYERS:
        now = found[system]
        out.append(f"| {what} | " + " | ".join(f"{now[q] - before[q]:+.2f}" for q in queries)
                   + " |")
        before = now
    last = next(c for c in results["small"] if c["system"] == LAYERS[-1][0]
                and generate.size_name(c["size"]) == name)
    out.append("| in all (engine in-process) | " + " | ".join(
        f"{before[q]:.2f} ({cell_engine(last, q, per_query):.2f})" for q in queries) + " |")
    for system, what in beside:
        out.append(f"| {what} | " + " | ".join(
            f"{found[system][q] - found['ref: granian'][q]:+.2f}" for q in queries) + " |")
    return out


def chart(results: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    clients = max(c["clients"] for c in results["cells"])
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    systems = list(dict.fromkeys(c["system"] for c in results["cells"]))
    only = results["config"].get("interactive_only", [])
    for system in systems:
        points = sorted((c["size"], c["rps"], c["p50_ms"]) for c in results["cells"]
                        if c["system"] == system and c["clients"] == clients)
        full = [p for p in points if p[0] not in only]
        part = [p for p in points if p[0] in only]
        for axis, k in ((left, 1), (right, 2)):
            line = axis.plot([p[0] for p in full], [p[k] for p in full], marker="o",
                             label=system if k == 1 else None)[0]
            if part:  # another mix: hollow markers, dashed from the last full-mix point
                joined = full[-1:] + part
                axis.plot([p[0] for p in joined], [p[k] for p in joined], linestyle="--",
                          color=line.get_color(), alpha=0.6)
                axis.plot([p[0] for p in part], [p[k] for p in part], marker="o",
                          linestyle="none", markerfacecolor="white",
                          color=line.get_color())
    for axis, title in ((left, f"throughput, {clients} clients (req/s)"),
                        (right, f"latency p50, {clients} clients (ms)")):
        axis.set_xscale("log")
        axis.set_yscale("log")
        axis.set_xlabel("triples")
        axis.set_title(title)
        axis.grid(True, which="both", alpha=0.3)
    left.legend(fontsize=8)
    fig.suptitle("gfmd-kg query mix: " + ", ".join(generate.size_name(s) for s in
                                                   sorted({c["size"] for c in
                                                           results["cells"]}))
                 + (f"\n(hollow, dashed: at {', '.join(generate.size_name(s) for s in only)} "
                    "the mix leaves out the queries that scan every label or type)"
                    if only else ""))
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default=os.environ.get("BENCH_SIZES", "10k,100k"),
                        help="data sizes in triples (default 10k,100k; env BENCH_SIZES)")
    parser.add_argument("--clients", default="1,4", help="client counts (default 1,4)")
    parser.add_argument("--duration", type=float,
                        default=float(os.environ.get("BENCH_DURATION", "10")),
                        help="seconds per cell (default 10; env BENCH_DURATION)")
    parser.add_argument("--workers", type=int, default=4, help="gfmd-kg query workers")
    parser.add_argument("--threads", type=int, default=8, help="gfmd-kg serve --threads")
    parser.add_argument("--request-timeout", type=float, default=120.0)
    parser.add_argument("--rdflib-max", default="100k",
                        help="largest size rdflib-endpoint is run at (it loads slowly)")
    parser.add_argument("--memory-max", default="1M",
                        help="largest size the in-memory Oxigraph server is run at")
    parser.add_argument("--gfmd-memory-max", default="100k",
                        help="largest size gfmd-kg's memory store is run at (the data is "
                        "added as one Graph Store write, which each worker replays)")
    parser.add_argument("--engine-repeat", type=int, default=48,
                        help="timed runs of each query in-process, after one of each variant")
    parser.add_argument("--small-rounds", type=int, default=5,
                        help="slices the small-answer measure of each server is cut into, "
                        "taken in turn with the other servers' (default 5)")
    parser.add_argument("--load-rounds", type=int, default=2,
                        help="loads of each size by each loader, taken in turn (default 2)")
    parser.add_argument("--scan-max", default="1M",
                        help="largest size the queries that scan every label or type run at "
                        "(past it, seconds per request on disk); larger sizes run the rest")
    parser.add_argument("--out", type=Path, default=OUT,
                        help="folder for results.json and chart.png (default bench/out)")
    args = parser.parse_args(argv)
    args.sizes = sorted(generate.parse_size(s) for s in args.sizes.split(","))
    args.clients = [int(c) for c in args.clients.split(",")]
    args.rdflib_max = generate.parse_size(args.rdflib_max)
    args.memory_max = generate.parse_size(args.memory_max)
    args.gfmd_memory_max = generate.parse_size(args.gfmd_memory_max)
    args.scan_max = generate.parse_size(args.scan_max)

    out = args.out
    out.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {
        "machine": machine(), "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "config": {"sizes": args.sizes, "clients": args.clients, "duration_s": args.duration,
                   "gfmd_kg_workers": args.workers, "gfmd_kg_threads": args.threads,
                   "small_rounds": args.small_rounds, "load_rounds": args.load_rounds,
                   "variants_per_query": query_mix.VARIANTS,
                   "queries": [q.name for q in query_mix.mix(args.sizes[0])]},
        "cells": [], "engine": {}, "machinery": {}, "load": [], "stream": [], "startup": [],
        "serving_rss": [], "answer_mismatches": [], "small": []}
    began = time.monotonic()
    log(f"machine: {results['machine']['cpu']}, {results['machine']['cores']} cores, "
        f"{results['machine']['memory_gb']} GB")
    built = built_dataset()
    with tempfile.TemporaryDirectory(prefix="gfmd-bench-") as tmp:
        for size in args.sizes:
            run_size(size, args, built, results, Path(tmp))
            (out / "results.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    results["total_s"] = round(time.monotonic() - began, 1)
    (out / "results.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    chart(results, out / "chart.png")
    m = results["machine"]
    print(f"\nmachine: {m['cpu']}, {m['cores']} cores, {m['memory_gb']} GB, {m['os']}, "
          f"idle cores: {m['idle']}, Python {m['python']}; "
          + ", ".join(f"{k} {v}" for k, v in m["packages"].items() if v))
    print(f"mix: {', '.join(results['config']['queries'])}; {args.duration:g} s per cell; "
          f"gfmd-kg with {args.workers} workers, {args.threads} threads\n")
    print(table(results))
    print(details(results))
    print(f"\nwrote {out / 'results.json'} and {out / 'chart.png'} "
          f"({results['total_s']:.0f} s in all)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
