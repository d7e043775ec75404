"""Downloads: the whole dataset and each named graph in every RDF format, at
``/export/<name>.<ext>`` (``gfmd-kg.trig``, ``report.ttl``, ``curated.jsonld``, ...), listed
on the ``/export`` page."""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox
from flask import Blueprint, Response, render_template

from ..executor import TaskError
from ..export import suggested_filename
from ..results import RDF_FORMATS, write_rdf
from ..vocab import GRAPH_KEYS, GRAPH_TITLES, graph_iri, prefixes
from . import negotiation
from .backend import get_backend
from .entities import store_counts, store_errors
from .errors import ApiError

bp = Blueprint("exports", __name__)

DATASET = "gfmd-kg"
#: Formats in the order the page lists them: (short name, human name).
FORMAT_NAMES = (("turtle", "Turtle"), ("trig", "TriG"), ("nt", "N-Triples"),
                ("nquads", "N-Quads"), ("jsonld", "JSON-LD"), ("xml", "RDF/XML"))
BY_EXTENSION = {spec[1]: fmt for fmt, spec in RDF_FORMATS.items()}


@bp.get("/export")
def export_page() -> str:
    """The downloads, with the triples in each graph."""
    backend = get_backend()
    counts = store_counts()
    rows = [{"name": DATASET, "title": "The whole dataset (all named graphs)",
             "triples": sum(counts.values()), "graph": None}]
    rows += [{"name": key, "title": GRAPH_TITLES[key], "graph": graph_iri(backend.base_iri, key),
              "triples": counts.get(graph_iri(backend.base_iri, key), 0)} for key in GRAPH_KEYS]
    formats = [{"fmt": fmt, "name": name, "ext": RDF_FORMATS[fmt][1],
                "quads": RDF_FORMATS[fmt][3]} for fmt, name in FORMAT_NAMES]
    return render_template("export.html", rows=rows, formats=formats, section="export")


@bp.get("/export/<filename>")
def download(filename: str) -> Response:
    """One download, as an attachment with its file name."""
    name, _dot, ext = filename.partition(".")
    names = [DATASET, *GRAPH_KEYS]
    if name not in names or ext not in BY_EXTENSION:
        raise ApiError(404, f"there is no download {filename!r}. Names: {', '.join(names)}; "
                       f"extensions: {', '.join(BY_EXTENSION)} (e.g. /export/gfmd-kg.trig, "
                       "/export/report.ttl); the list is at /export.")
    fmt = BY_EXTENSION[ext]
    graph = None if name == DATASET else name
    response = Response(_body(graph, fmt), content_type=negotiation.media_type("graph", fmt))
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{suggested_filename(fmt, graph)}"')
    return response


def _run(graph: str | None, fmt: str) -> Iterable[bytes] | None:
    """A dump task's body chunks (streamed as the worker writes them); None if the graph
    is not in the store."""
    backend = get_backend()
    with store_errors():
        try:
            _head, body = backend.run({"kind": "dump", "graph": graph, "format": fmt},
                                      backend.settings["query_timeout"])
        except TaskError as exc:
            if exc.kind != "graph":
                raise
            return None
    return body


def _body(key: str | None, fmt: str) -> Iterable[bytes]:
    """The dataset's quads, or one graph's triples (as a named graph in quad formats).
    A known graph that holds nothing (no inference ran) gives an empty file."""
    base = get_backend().base_iri
    if key is None:
        return _run(None, fmt) or [write_rdf([], fmt, prefixes(base))]
    iri = graph_iri(base, key)
    if not RDF_FORMATS[fmt][3]:
        return _run(iri, fmt) or [write_rdf([], fmt, prefixes(base))]
    with store_errors():
        data = b"".join(_run(iri, "nt") or [])
    graph = ox.NamedNode(iri)
    quads = [ox.Quad(t.subject, t.predicate, t.object, graph)
             for t in ox.parse(data, format=ox.RdfFormat.N_TRIPLES)]
    return [write_rdf(quads, fmt, prefixes(base))]
