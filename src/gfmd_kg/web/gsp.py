"""The SPARQL 1.1 Graph Store HTTP Protocol at ``/store``: GET and HEAD read a graph
(``?graph=IRI`` or ``?default``); PUT, POST and DELETE write it, with the update token."""

from __future__ import annotations

import re
from typing import Any

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, request

from . import guard, negotiation, running, security
from .backend import get_backend
from .errors import ApiError

bp = Blueprint("gsp", __name__)

_IRI = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:[^\s<>\"{}|\\^`]*$")

#: Media types a graph may be uploaded in.
UPLOAD_FORMATS = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/x-turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/plain": ox.RdfFormat.N_TRIPLES,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/ld+json": ox.RdfFormat.JSON_LD,
}


def _target() -> str:
    """The graph a request names: its IRI, or "" for the default graph."""
    graphs = request.args.getlist("graph")
    default = "default" in request.args
    if len(graphs) > 1 or (graphs and default) or (not graphs and not default):
        raise ApiError(400, "name exactly one graph: ?graph=<IRI> or ?default")
    if default:
        return ""
    if not _IRI.match(graphs[0]) or not security.is_iri(graphs[0]):
        raise ApiError(400, f"graph={graphs[0]!r} is not an absolute IRI")
    return graphs[0]


@bp.route("/store", methods=["GET", "HEAD", "PUT", "POST", "DELETE", "OPTIONS"])
def graph_store() -> Response:
    """Read or write one graph."""
    if request.method == "OPTIONS":
        return Response(status=204, headers={"Allow": "GET, HEAD, PUT, POST, DELETE, OPTIONS"})
    settings = current_app.config["GFMD_KG"]
    graph = _target()
    if request.method in ("GET", "HEAD"):
        return _read(graph, settings)
    guard.require_token(request, settings)
    guard.check_graph_write(graph, settings)
    if request.method == "DELETE":
        running.write({"kind": "delete", "graph": graph})
        return Response(status=204)
    with running.failures("read", settings["query_timeout"]):
        existed = graph == "" or graph in get_backend().counts()
    running.write({"kind": request.method.lower(), "graph": graph, "data": _upload(graph)})
    return Response(status=204 if existed else 201)


def _read(graph: str, settings: dict[str, Any]) -> Response:
    fmt = negotiation.require(request, "graph")
    with running.failures("read", settings["query_timeout"]):
        head, body = get_backend().run({"kind": "dump", "graph": graph, "format": fmt},
                                       settings["query_timeout"])
        data = b"".join(body)  # (a broken stream is a failure too)
    response = Response(b"" if request.method == "HEAD" else data,
                        content_type=negotiation.media_type("graph", fmt))
    response.headers["X-Result-Rows"] = str(head["rows"])
    response.vary.add("Accept")
    return response


def _upload(graph: str) -> bytes:
    """The request body parsed as RDF and rewritten as N-Triples (for the workers)."""
    rdf_format = UPLOAD_FORMATS.get(request.mimetype)
    if rdf_format is None:
        raise ApiError(415, f"upload a graph as one of {', '.join(UPLOAD_FORMATS)}, not "
                       f"{request.mimetype or 'a body without Content-Type'}.")
    data = request.get_data(cache=False)
    if rdf_format == ox.RdfFormat.JSON_LD:
        security.check_json_nesting(data)  # deeper would crash this process's parser
    try:
        triples = list(ox.parse(data, format=rdf_format, base_iri=graph or None))
    except SyntaxError as exc:
        if "remote context" in str(exc):
            raise ApiError(400, "the uploaded JSON-LD names a remote @context; this server "
                           "never fetches documents from other hosts. Put the context in the "
                           "document itself.") from None
        raise ApiError(400, f"the uploaded {request.mimetype} is not valid: {exc}") from None
    out = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
    return out or b""
