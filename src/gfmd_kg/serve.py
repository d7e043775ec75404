"""Serving the app under granian, an HTTP server written in Rust that runs WSGI apps.

Why granian rather than a pure-Python server: HTTP parsing and socket handling run in
native code, with no hand-off between an event-loop thread and a request thread in Python.
On the benchmark machine that took 0.09-0.12 ms off every small answer without the cache
(README, "Performance").

granian's main process binds the port and supervises one worker process, forked from it,
which builds the app (``_make_app``) and runs it on ``threads`` Python threads. A signal to
the main process (Ctrl-C, SIGTERM) stops the worker gracefully; the app's backend closes
then (its query workers end, its temporary files go: see ``web.backend.init_app``).
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable, Mapping
from typing import Any

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8080


def _make_app(config: Mapping[str, Any]) -> Callable[..., Any]:
    """The app, built in granian's worker process; a failure the user can fix (a store
    folder that cannot be opened, ...) is one line on stderr and exit status 1, which
    stops the main process too."""
    from .cli import USER_ERRORS
    from .web import create_app

    try:
        return create_app(config)
    except USER_ERRORS as exc:
        print(f"Error: {exc}", file=sys.stderr, flush=True)
        os._exit(1)


def serve(config: Mapping[str, Any], host: str = DEFAULT_HOST, port: int = DEFAULT_PORT,
          threads: int = 8) -> None:
    """Serve the app made from ``config`` (as ``create_app`` takes it) until interrupted
    (Ctrl-C or SIGTERM, which both shut it down cleanly), printing where the query page is."""
    shown = f"[{host}]" if ":" in host else host
    print(f"gfmd-kg: query page at http://{shown}:{port}/  (SPARQL endpoint: "
          f"http://{shown}:{port}/sparql)", flush=True)
    run_wsgi(functools.partial(_make_app, dict(config)), host, port, threads)


def run_wsgi(make_app: Callable[[], Callable[..., Any]], host: str, port: int,
             threads: int) -> None:
    """Serve the WSGI app ``make_app`` returns (called in the worker process) under
    granian, as ``gfmd-kg serve`` does; the benchmark's reference servers use it too."""
    from granian.constants import HTTPModes, Interfaces
    from granian.log import LogLevels
    from granian.server import Server

    # the request threads mostly wait on query workers, so more of them than cores is
    # intended: granian's warning about it is left out with its other notices
    server = Server("gfmd-kg", address=host, port=port, interface=Interfaces.WSGI,
                    workers=1, blocking_threads=threads, http=HTTPModes.http1,
                    websockets=False, log_level=LogLevels.error)
    server.serve(target_loader=make_app, wrap_loader=False)
