"""Reference servers for taking the per-request overhead apart (bench/run.py starts them).

Each answers GET /sparql on a loopback port, and each (``flask`` aside) adds one layer to
the one before, so the differences between them, measured with the same client in the same
run, say what each layer costs:

- ``loopback``: a socket server that answers every request with the same bytes (the
  client's own round trip and the kernel's);
- ``granian``: granian, as gfmd-kg runs it (``gfmd_kg.serve.run_wsgi``), with a WSGI app
  that answers the same bytes;
- ``flask``: a Flask app that reads the ``query`` parameter and answers the same bytes
  (beside the chain: gfmd-kg answers a plain GET around Flask, ``web/direct.py``, so this
  says what that saves);
- ``canned``: gfmd-kg's own app, every check and header included, with the store replaced
  by a canned answer;
- ``in-thread``: gfmd-kg's own app with each query run by pyoxigraph in the request
  thread, as a server without worker processes would (such a query cannot be stopped at
  its time limit, which is why gfmd-kg does not do it);

gfmd-kg itself adds the hop to a worker process and back.

    python bench/reference.py KIND PORT [STORE]
"""

from __future__ import annotations

import functools
import socket
import sys
import threading
import types
from typing import Any

ANSWER = (b'{"head":{"vars":["label"]},"results":{"bindings":[{"label":'
          b'{"type":"literal","value":"reference","xml:lang":"en"}}]}}')
CANNED_TRIPLE = b'<https://example.org/s> <https://example.org/p> "reference" .\n'
THREADS = 8  # as gfmd-kg serve's default


def loopback(port: int) -> None:
    """One thread per connection; each request (a GET: no body) gets ANSWER."""
    reply = (b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\n"
             b"Content-Length: " + str(len(ANSWER)).encode() + b"\r\n\r\n" + ANSWER)

    def serve(conn: socket.socket) -> None:
        pending = b""
        with conn:
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            while True:
                data = conn.recv(65536)
                if not data:
                    return
                pending += data
                while b"\r\n\r\n" in pending:
                    _, pending = pending.split(b"\r\n\r\n", 1)
                    conn.sendall(reply)

    with socket.create_server(("127.0.0.1", port), backlog=64) as listener:
        while True:
            conn, _ = listener.accept()
            threading.Thread(target=serve, args=(conn,), daemon=True).start()


def plain_wsgi(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    start_response("200 OK", [("Content-Type", "application/sparql-results+json"),
                              ("Content-Length", str(len(ANSWER)))])
    return [ANSWER]


def flask_app() -> Any:
    from flask import Flask, Response, request

    app = Flask("reference")

    @app.get("/sparql")
    def sparql() -> Response:
        request.args.get("query", "")
        return Response(ANSWER, content_type="application/sparql-results+json")

    return app


def gfmd_app(store: str, kind: str) -> Any:
    """gfmd-kg's app on ``store`` (oxigraph:PATH), its backend's ``run`` replaced."""
    from pathlib import Path

    import pyoxigraph as ox

    from gfmd_kg import sparqltext, tasks
    from gfmd_kg.executor import TaskError
    from gfmd_kg.store import EmbeddedStore
    from gfmd_kg.web import create_app

    app = create_app({"store": store, "result_cache": False, "workers": 1})
    backend = app.extensions["gfmd_kg"]
    backend._pool.close()  # this reference runs no worker processes
    if kind == "canned":
        def run(self: Any, task: dict[str, Any], timeout: float) -> Any:
            if sparqltext.query_form(task["text"]) in ("CONSTRUCT", "DESCRIBE"):
                return ({"form": "GRAPH", "format": task["formats"]["graph"], "rows": 1},
                        iter([CANNED_TRIPLE]))
            return {"form": "SELECT", "format": "json", "rows": 1}, iter([ANSWER])
    else:
        folder = store.split(":", 1)[1]
        local = EmbeddedStore(ox.Store.read_only(folder), backend.base_iri, "oxigraph",
                              Path(folder))

        def run(self: Any, task: dict[str, Any], timeout: float) -> Any:
            try:
                items = list(tasks.expand(tasks.run(local, task)))
            except tasks.ClientError as exc:
                raise TaskError(exc.kind, str(exc)) from exc
            return items[0][1], iter([p for k, p in items[1:] if k == "chunk"])
    backend.run = types.MethodType(run, backend)
    return app


def main(argv: list[str]) -> None:
    kind, port = argv[0], int(argv[1])
    if kind == "loopback":
        loopback(port)
        return
    from gfmd_kg.serve import run_wsgi

    makers = {"granian": lambda: plain_wsgi, "flask": flask_app,
              "canned": functools.partial(gfmd_app, *argv[2:3], kind),
              "in-thread": functools.partial(gfmd_app, *argv[2:3], kind)}
    if kind not in makers:
        raise SystemExit(f"unknown reference server {kind!r}")
    run_wsgi(makers[kind], "127.0.0.1", port, THREADS)  # the app is made in granian's worker


if __name__ == "__main__":
    main(sys.argv[1:])
