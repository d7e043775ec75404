"""Helpers shared by the test modules: apps made and closed outside the fixtures of
conftest, the triples per graph of the built dataset, and a loopback listener that shows
whether the server called out."""

from __future__ import annotations

import contextlib
import socket
import threading
from pathlib import Path
from typing import Any

#: The challenges each session of the workshop identified, as the named query
#: ``challenges-of-session`` lists them (English labels, in its order).
SESSION_1_CHALLENGES = [
    "Scarce information on skills demand",
    "Globalisation, technology and informality hinder skills matching",
    "No skills anticipation: risk of brain drain and brain waste",
]
SESSION_2_CHALLENGES = [
    "Migrants' skills mismatched with job requirements",
    "Over-skilling and weak bargaining power of migrants",
    "Climate and disaster shocks to labour supply",
]


def make_app(cache_dir: Path, **settings: Any) -> Any:
    """An app on the test build cache, with some settings changed."""
    from gfmd_kg.web import create_app

    return create_app({"TESTING": True, "cache_dir": str(cache_dir), **settings})


def close_app(application: Any) -> None:
    """Stop an app's query workers."""
    application.extensions["gfmd_kg"].close()


def built_counts(built: Any) -> dict[str, int]:
    """Triples per named graph of the built dataset, counted in its pyoxigraph store."""
    import pyoxigraph as ox

    return {g.value: sum(1 for _ in built.store.quads_for_pattern(None, None, None, g))
            for g in built.store.named_graphs() if isinstance(g, ox.NamedNode)}


class Listener:
    """A loopback TCP server that counts the connections made to it and records what came
    on each (``b"(connected, sent nothing)"`` when nothing did); with ``reply`` it answers
    each request with those bytes (a canned SPARQL result), else it closes the connection.
    """

    def __init__(self, reply: bytes | None = None) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.05)
        self.port: int = self.sock.getsockname()[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self.url = f"{self.base}/sparql"
        self.reply = reply
        self.connections = 0
        self.requests: list[bytes] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            with conn:
                conn.settimeout(0.5 if self.reply is None else 2)
                # recorded before the reply: once the caller has its answer, a test sees
                # the request
                self.requests.append(self._read_request(conn) or b"(connected, sent nothing)")
                if self.reply is not None:
                    with contextlib.suppress(OSError):
                        conn.sendall(self.reply)

    @staticmethod
    def _read_request(conn: socket.socket) -> bytes:
        """The request head and its Content-Length of body (as much as came in time)."""
        data = b""
        try:
            while b"\r\n\r\n" not in data:
                chunk = conn.recv(65536)
                if not chunk:
                    return data
                data += chunk
            head, _, body = data.partition(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            while len(body) < length:
                chunk = conn.recv(65536)
                if not chunk:
                    break
                body += chunk
            return head + b"\r\n\r\n" + body
        except (OSError, ValueError):
            return data

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)
        self.sock.close()
