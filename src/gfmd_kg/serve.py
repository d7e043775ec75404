"""Serving the app under waitress, a production WSGI server."""

from __future__ import annotations

import logging
import signal
import threading
from types import FrameType

from flask import Flask

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8080


def _stop(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(0)  # waitress closes on it; then the backend's atexit hook runs


def serve(app: Flask, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT,
          threads: int = 8) -> None:
    """Serve ``app`` until interrupted (Ctrl-C or SIGTERM, which both shut it down
    cleanly: workers stopped, temporary files removed), printing where the query page is."""
    import waitress

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _stop)

    logging.getLogger("waitress").setLevel(logging.INFO)
    shown = f"[{host}]" if ":" in host else host
    print(f"gfmd-kg: query page at http://{shown}:{port}/  (SPARQL endpoint: "
          f"http://{shown}:{port}/sparql)", flush=True)
    waitress.serve(app, host=host, port=port, threads=threads, ident="gfmd-kg",
                   channel_timeout=120, clear_untrusted_proxy_headers=True)
