"""CORS for reads: configured origins may GET and POST queries from a browser."""

from __future__ import annotations

from flask import Flask, Response, current_app, request

READ_PATHS = ("/sparql", "/store", "/status", "/healthz")


def _allow(response: Response) -> Response:
    origin = request.headers.get("Origin")
    if not origin or not request.path.startswith(READ_PATHS):
        return response
    allowed = current_app.config["GFMD_KG"]["cors_origins"]
    if "*" in allowed:
        response.headers["Access-Control-Allow-Origin"] = "*"
    elif origin in allowed:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.vary.add("Origin")
    else:
        return response
    response.headers["Access-Control-Expose-Headers"] = (
        "X-Result-Truncated, X-Result-Rows, X-Query-Timeout, Retry-After")
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = "Accept, Content-Type"
        response.headers["Access-Control-Max-Age"] = "600"
    return response


def init_app(app: Flask) -> None:
    """Add the CORS headers to every answer of a read path."""
    app.after_request(_allow)
