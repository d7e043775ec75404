"""Plain SPARQL GETs answered straight from the WSGI environ, beside Flask's machinery.

``GET /sparql?query=...`` is most of what client programs send, and its answer is often a
few rows. Flask's share of such a request (request and app contexts, URL matching, the
hooks, a Response object and its WSGI headers) was 0.14-0.29 ms of a small answer's
0.66-1.79 ms without the cache, at 100k and 10M triples on the benchmark machine
(README, "Performance"). Here the request goes to the same ``answer_query`` the
``/sparql`` view calls, inside the app's context only, and its answer gets the header the
app's hooks would add.

Taken here: GET /sparql whose parameters are one ``query`` and any of ``default-graph-uri``,
``named-graph-uri``, ``format`` and ``timeout``, sent without ``Origin`` (CORS headers) or
``If-None-Match`` (a 304). Everything else goes through Flask. An error met here is
rendered by the app's own error handlers and hooks, in a request context made for it.
``tests/test_direct.py`` sends a table of requests both ways and compares the answers,
header by header and byte by byte."""

from __future__ import annotations

from collections.abc import Iterable
from http import HTTPStatus
from typing import Any

from flask import Flask

from . import security
from .querystring import parse_query_string
from .sparql import Asked, answer_query

#: The parameters a plain query may carry; any other sends the request to Flask.
PARAMETERS = ("query", "default-graph-uri", "named-graph-uri", "format", "timeout")

STATUS_LINES = {status.value: f"{status.value} {status.phrase}" for status in HTTPStatus}

Environ = dict[str, Any]


def plain_query(environ: Environ) -> dict[str, list[str]] | None:
    """The parameters of a request this module answers, or None for one Flask should."""
    if (environ.get("REQUEST_METHOD") != "GET" or environ.get("PATH_INFO") != "/sparql"
            or "HTTP_ORIGIN" in environ or "HTTP_IF_NONE_MATCH" in environ):
        return None
    try:  # as werkzeug reads it: the environ's text is the URL's bytes, as latin-1
        pairs = parse_query_string(environ.get("QUERY_STRING", "").encode("latin-1").decode())
    except UnicodeError:
        return None
    found: dict[str, list[str]] = {name: [] for name in PARAMETERS}
    for name, value in pairs:
        if name not in found:
            return None
        found[name].append(value)
    return found if len(found["query"]) == 1 else None


class DirectQueries:
    """The app's WSGI callable: plain queries answered here, the rest by ``flask``."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.flask = app.wsgi_app

    def __call__(self, environ: Environ, start_response: Any) -> Iterable[bytes]:
        params = plain_query(environ)
        if params is None:
            return self.flask(environ, start_response)
        asked = Asked("GET", environ.get("HTTP_ACCEPT", ""),
                      params["format"][0] if params["format"] else None,
                      params["timeout"][0] if params["timeout"] else None,
                      environ.get("HTTP_CACHE_CONTROL", ""))
        try:
            with self.app.app_context():
                answer = answer_query(params["query"][0], params["default-graph-uri"],
                                      params["named-graph-uri"], self.app.config["GFMD_KG"],
                                      asked)
        except Exception as exc:  # rendered as the app renders it
            return self._failed(exc, environ, start_response)
        # a query's answer is never a page: only the header every answer gets is added
        headers = {**answer.headers, **security.EVERY_ANSWER}
        body = answer.body
        if isinstance(body, bytes):
            headers["Content-Length"] = str(len(body))
            body = [body]
        start_response(STATUS_LINES[answer.status], list(headers.items()))
        return body

    def _failed(self, exc: Exception, environ: Environ, start_response: Any
                ) -> Iterable[bytes]:
        """The error answer the app gives for ``exc``: its handler, then its hooks."""
        with self.app.request_context(environ):
            response = self.app.finalize_request(self.app.handle_user_exception(exc))
        return response(environ, start_response)


def init_app(app: Flask) -> None:
    """Put the direct path in front of the app (a WSGI middleware, as werkzeug's are)."""
    app.wsgi_app = DirectQueries(app)  # type: ignore[method-assign]
