"""Helpers of the hardening tests (test_fuzz, test_dos, test_faults, test_injection,
test_soak): a server process whose output goes to a file and that can be killed with all
its workers, a loopback listener that records connections, and small HTTP helpers."""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from conftest import LiveServer, free_port

GFMD_KG = Path(sys.executable).parent / "gfmd-kg"
OXIGRAPH = Path(sys.executable).parent / "oxigraph"


def descendants(pid: int) -> set[int]:
    """The process ids below ``pid`` (children, grandchildren...), read from /proc."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # the command name is in parentheses and may hold spaces: split after it
        fields = stat[stat.rfind(")") + 2:].split()
        parents[int(entry.name)] = int(fields[1])
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier}
        frontier -= found
        found |= frontier
    return found


def is_query_worker(pid: int) -> bool:
    try:
        return b"gfmd_kg.executor" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rfind(")") + 2:].split()[0] != "Z"


class LoggedServer(LiveServer):
    """``gfmd-kg serve`` in a process group of its own (its workers in it too), its output
    in a file: it can be read at the end (no pipe to fill up under load) and the server can
    be killed at once with every worker, as a crash would."""

    def __init__(self, env: Mapping[str, str], log: Path, args: list[str] | None = None,
                 port: int | None = None, preexec: Callable[[], Any] | None = None,
                 wait: bool = True) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        with log.open("ab") as out:
            self.process = subprocess.Popen(
                [str(GFMD_KG), "serve", "--port", str(self.port), *(args or [])],
                env={**os.environ, **env}, stdout=out, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, start_new_session=True,
                preexec_fn=preexec,
            )
        if wait:
            try:
                self.wait()
            except BaseException:
                self.kill()
                raise

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait(self, timeout: float = 90) -> None:
        try:
            super().wait(timeout)
        except RuntimeError as exc:
            raise RuntimeError(f"{exc}\n--- server output ---\n{self.output()[-3000:]}"
                               ) from None

    def workers(self) -> set[int]:
        """The query worker processes (below granian's worker process, which is below
        the server's main process)."""
        return {pid for pid in descendants(self.process.pid) if is_query_worker(pid)}

    def kill(self) -> None:
        """SIGKILL to the server and all its workers at the same moment."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def stop(self, sig: int | None = None) -> None:
        """Stop the server (SIGTERM), then make sure nothing of its group is left."""
        if self.process.poll() is None:
            self.process.send_signal(sig or signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(10)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)
        if self.process.poll() is None:
            self.process.wait(10)


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes
    seconds: float
    error: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


def request(url: str, method: str = "GET", path: str = "/", body: bytes | None = None,
            headers: Mapping[str, str] | None = None, timeout: float = 60,
            params: Mapping[str, str] | None = None) -> Answer:
    """One HTTP request on a new connection; the whole answer."""
    parsed = urllib.parse.urlsplit(url)
    if params:
        path = path + "?" + urllib.parse.urlencode(params)
    started = time.monotonic()
    conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=dict(headers or {}))
        response = conn.getresponse()
        data = response.read()
        return Answer(response.status, {k.lower(): v for k, v in response.getheaders()},
                      data, time.monotonic() - started)
    finally:
        conn.close()


def sparql_get(url: str, query: str, accept: str = "application/sparql-results+json",
               timeout: float = 60, **params: str) -> Answer:
    return request(url, path="/sparql", params={"query": query, **params},
                   headers={"Accept": accept}, timeout=timeout)
