"""Error answers a person can act on: JSON when the client takes JSON, plain text otherwise,
for every HTTP error the app raises (404, 405, 413, 415, ...)."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)


class ApiError(Exception):
    """An error with an HTTP status, a message, and optional headers and details."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None,
                 **details: Any) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}
        self.details = details


def position_of(message: str) -> dict[str, Any]:
    """Line and column from an engine message such as 'error at 3:14: ...', as details."""
    import re

    match = re.search(r"(\d+):(\d+)", message)
    return {"line": int(match.group(1)), "column": int(match.group(2))} if match else {}


def error_response(status: int, title: str, message: str,
                   headers: dict[str, str] | None = None, **details: Any) -> Response:
    """One error, negotiated between JSON and plain text."""
    wants_json = request.accept_mimetypes.best_match(
        ["text/plain", "application/json", "application/sparql-results+json"]
    ) not in (None, "text/plain") and bool(request.accept_mimetypes)
    if wants_json:
        response = jsonify({"error": {"status": status, "title": title, "message": message,
                                      **details}})
    else:
        lines = [f"{status} {title}", "", message]
        lines += [f"{k}: {v}" for k, v in details.items() if v is not None]
        response = Response("\n".join(lines) + "\n", mimetype="text/plain")
    response.status_code = status
    response.headers["Vary"] = "Accept"
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _http_error(exc: HTTPException) -> Response:
    status = exc.code or 500
    messages = {
        404: "Nothing is served at this address. The SPARQL endpoint is /sparql; the "
             "service description is a GET of /sparql without a query.",
        405: f"{request.method} is not allowed here; allowed: "
             f"{', '.join(getattr(exc, 'valid_methods', None) or [])}.",
        413: "The request body is larger than the limit (GFMD_KG_MAX_REQUEST_BYTES). "
             "Send a smaller query or ask the operator to raise the limit.",
    }
    response = error_response(status, exc.name, messages.get(status, exc.description or ""))
    if status == 405 and getattr(exc, "valid_methods", None):
        response.headers["Allow"] = ", ".join(exc.valid_methods)  # type: ignore[attr-defined]
    return response


def _api_error(exc: ApiError) -> Response:
    from http import HTTPStatus

    return error_response(exc.status, HTTPStatus(exc.status).phrase, exc.message,
                          exc.headers, **exc.details)


def _unexpected(exc: Exception) -> Response:
    log.exception("unexpected error while serving %s %s", request.method, request.path)
    return error_response(500, "Internal Server Error",
                          "The server failed on this request; the failure was logged.")


def init_app(app: Flask) -> None:
    """Register the error handlers."""
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(ApiError, _api_error)
    app.register_error_handler(Exception, _unexpected)
