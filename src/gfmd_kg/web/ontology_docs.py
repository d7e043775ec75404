"""The ontology's own documentation at ``/ontology`` (the path of the ontology IRI under the
default base), in the manner of pyLODE / Widoco, and the ontology itself in RDF.

- ``GET /ontology`` serves HTML to browsers and, by content negotiation (``Accept``) or
  ``?format=``, Turtle, RDF/XML, JSON-LD or N-Triples of the ontology graph.
- ``/ontology.ttl``, ``/ontology.rdf`` (also ``.owl``), ``/ontology.jsonld``,
  ``/ontology.nt`` serve one format each.
- Term IRIs are hash IRIs (``<base>ontology#Challenge``): a browser asks for ``/ontology``
  and jumps to the section whose id is the term's local name.
- The version IRI's path (``/ontology/<date>``) serves the same while it is the current one.

The page is built from the store's ontology graph (read as N-Triples with one CONSTRUCT and
parsed with rdflib by :mod:`gfmd_kg.ontodoc`) and cached per app, keyed by that graph's
triple count. The RDF answers come from the same CONSTRUCT, written by the store.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pyoxigraph as ox
from flask import Blueprint, Response, abort, current_app, render_template, request
from flask.blueprints import BlueprintSetupState

from ..executor import QueryTimeout, Saturated, TaskError
from ..ontodoc import OntologyDoc, build_doc, parse_ontology
from ..store import StoreError
from ..vocab import graph_iri, ontology_iri
from . import negotiation
from .backend import get_backend
from .errors import ApiError

bp = Blueprint("ontology_docs", __name__)

EXTENSION = "gfmd_kg_ontodoc"

#: File suffix -> short RDF format name (see negotiation.CANONICAL["graph"]).
SUFFIXES: dict[str, str] = {"ttl": "turtle", "rdf": "xml", "owl": "xml", "jsonld": "jsonld",
                            "nt": "nt"}

#: The serialisations linked from the page: (name, suffix, short format name).
DOWNLOADS: tuple[tuple[str, str, str], ...] = (
    ("Turtle", "ttl", "turtle"), ("RDF/XML", "rdf", "xml"), ("JSON-LD", "jsonld", "jsonld"),
    ("N-Triples", "nt", "nt"),
)

HTML_TYPES = ("text/html", "application/xhtml+xml")

_lock = threading.Lock()


def _settings() -> dict[str, Any]:
    settings: dict[str, Any] = current_app.config["GFMD_KG"]
    return settings


def _ontology_graph() -> str:
    return graph_iri(_settings()["base_iri"], "ontology")


def _errors(action: str) -> Any:
    """A context that turns the store's failures into API errors a client can act on."""
    from contextlib import contextmanager

    @contextmanager
    def guard() -> Iterator[None]:
        try:
            yield
        except TaskError as exc:
            raise ApiError(502, f"{action} failed: {exc}", {"Retry-After": "5"}) from None
        except (QueryTimeout, Saturated) as exc:
            raise ApiError(503, f"{action} did not finish in time ({exc or 'busy'}); retry.",
                           {"Retry-After": "2"}) from None
        except StoreError as exc:
            raise ApiError(502, f"{action} failed: {exc}", {"Retry-After": "5"}) from None

    return guard()


def _count() -> int:
    """The number of triples in the ontology graph; 404 if it is missing or empty."""
    graph = _ontology_graph()
    with _errors("counting the triples of the ontology graph"):
        rows = get_backend().select(_COUNT.format(graph=ox.NamedNode(graph)), max_rows=1)
    count = int(rows[0]["n"]["value"]) if rows and "n" in rows[0] else 0
    if not count:
        raise ApiError(404, f"the ontology graph <{graph}> is not in the store (or is empty); "
                            "rebuild the dataset with 'gfmd-kg build'.")
    return count


def _serialise(fmt: str, count: int | None = None) -> bytes:
    """The ontology graph in ``fmt`` (a short name of negotiation.CANONICAL["graph"]).

    Read with a CONSTRUCT of the whole graph, capped a little above its known size so that
    the answer is gathered and written at once (blank nodes keep their identity within one
    answer, so owl:unionOf lists and AllDisjointClasses axioms come out whole).
    """
    count = _count() if count is None else count
    task = {"kind": "query", "text": _CONSTRUCT.format(graph=ox.NamedNode(_ontology_graph())),
            "bindings": {}, "default_graphs": [], "named_graphs": [],
            "formats": {"select": "json", "graph": fmt}, "max_rows": count + 1000}
    with _errors("reading the ontology graph"):
        head, body = get_backend().run(task, _settings()["query_timeout"])
        data = b"".join(body)
    if head.get("truncated"):
        raise ApiError(503, "the ontology graph changed while it was read; retry.",
                       {"Retry-After": "1"})
    return data


_COUNT = "SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} }}"
_CONSTRUCT = "CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} }}"


def ontology_doc() -> OntologyDoc:
    """The documentation model, rebuilt only when the ontology graph's size changes."""
    graph = _ontology_graph()
    count = _count()
    cache: dict[tuple[str, int], OntologyDoc] = current_app.extensions.setdefault(EXTENSION, {})
    key = (graph, count)
    doc = cache.get(key)
    if doc is None:
        with _lock:
            doc = cache.get(key)
            if doc is None:
                data = _serialise("nt", count)
                doc = build_doc(parse_ontology(data, "nt"), _settings()["base_iri"])
                cache.clear()
                cache[key] = doc
    return doc


def _chosen_format() -> str | None:
    """'html' or a short RDF format name for this request; None if nothing fits."""
    param = request.args.get("format")
    if param:
        if param.lower() == "html":
            return "html"
        try:
            return negotiation.choose(request, "graph")
        except negotiation.BadFormat as exc:
            raise ApiError(400, f"{exc} (or html)") from None
    accept = request.accept_mimetypes
    if not accept:
        return "html"
    graph_types = negotiation.MEDIA["graph"]
    best = accept.best_match([*HTML_TYPES, *graph_types])
    if best is None:
        return None
    return "html" if best in HTML_TYPES else graph_types[best]


def _rdf_response(fmt: str, filename: str | None = None) -> Response:
    response = Response(_serialise(fmt), content_type=negotiation.media_type("graph", fmt))
    if filename:
        response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def _page() -> Response:
    fmt = _chosen_format()
    if fmt is None:
        offered = [*HTML_TYPES, *negotiation.offered("graph")]
        raise ApiError(406, "the ontology is served as HTML or RDF; send an Accept header "
                            f"naming one of: {', '.join(offered)} (or use the suffixes "
                            ".ttl, .rdf, .jsonld, .nt)")
    if fmt == "html":
        doc = ontology_doc()
        downloads = [{"name": name, "href": f"/ontology.{suffix}",
                      "media_type": negotiation.CANONICAL["graph"][short]}
                     for name, suffix, short in DOWNLOADS]
        body = render_template("ontology.html", doc=doc, downloads=downloads,
                               section="ontology",
                               graph_iri=_ontology_graph())
        response = Response(body, content_type="text/html; charset=utf-8")
    else:
        response = _rdf_response(fmt)
    response.vary.add("Accept")
    return response


@bp.get("/ontology")
def ontology() -> Response:
    """The documentation page, or the ontology in the RDF format the client asks for."""
    return _page()


@bp.get("/ontology.<suffix>")
def ontology_file(suffix: str) -> Response:
    """The ontology in the format its suffix names."""
    fmt = SUFFIXES.get(suffix.lower())
    if fmt is None:
        raise ApiError(404, f"the ontology is served as /ontology.{{{','.join(SUFFIXES)}}}; "
                            f"there is no /ontology.{suffix}")
    return _rdf_response(fmt, f"gfmd.{suffix.lower()}")


@bp.get("/ontology/<version>")
def ontology_version(version: str) -> Response:
    """The version IRI's path: the same as /ontology while it names the current version."""
    doc = ontology_doc()
    current = urlsplit(doc.version_iri.text).path if doc.version_iri else None
    if current is None or current.rstrip("/").rsplit("/", 1)[-1] != version:
        abort(404)
    return _page()


@bp.record_once
def _base_paths(state: BlueprintSetupState) -> None:
    """Under a base other than the default, also answer at the ontology IRI's own path."""
    path = urlsplit(ontology_iri(state.app.config["GFMD_KG"]["base_iri"])).path
    if path and path != "/ontology" and path.startswith("/"):
        state.add_url_rule(path, "ontology_at_base", ontology, methods=["GET"])
        state.add_url_rule(f"{path}.<suffix>", "ontology_file_at_base", ontology_file,
                           methods=["GET"])
