"""Entity pages, class pages and search: every IRI of the graph resolves here, as HTML for
browsers and as RDF (Turtle, JSON-LD, N-Triples, RDF/XML) by Accept or by suffix.

``/id/<path>`` serves the individuals under the base IRI, ``/resource?iri=`` any other IRI,
``/class?iri=`` a class's instances and ``/search?q=`` the label index. The logic lives in
``describe`` and its siblings; these views pick a format, call them and render.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from urllib.parse import quote

from flask import Blueprint, Response, current_app, jsonify, render_template, request
from flask.blueprints import BlueprintSetupState

from .. import classpage, describe, entityrows, labels, terms
from ..results import write_rdf
from ..vocab import GRAPH_TITLES, graph_key, local_name, prefixes
from . import negotiation, running
from .backend import get_backend
from .errors import ApiError

bp = Blueprint("entities", __name__)

INDEX_KEY = "gfmd_kg_label_index"
HTML_TYPES = ("text/html", "application/xhtml+xml")
#: Alternates every entity page advertises: (short format, media type, name, format= value).
ALTERNATES = (("turtle", "text/turtle", "Turtle", "ttl"),
              ("jsonld", "application/ld+json", "JSON-LD", "jsonld"),
              ("nt", "application/n-triples", "N-Triples", "nt"),
              ("xml", "application/rdf+xml", "RDF/XML", "rdfxml"))
SUFFIX_OF = {fmt: suffix for suffix, fmt in terms.SUFFIX_FORMATS.items()}
BADGE_TEXT = {"report": "report", "curated": "curated", "inferred": "inferred",
              "ontology": "ontology", "other": "other graph"}
BADGE_TITLES = {**GRAPH_TITLES, "other": "A graph added after the build"}
PER_PROPERTY = 20


def store_errors() -> AbstractContextManager[None]:
    """Store failures on a page, as answers a person can act on."""
    return running.failures("read", get_backend().settings["query_timeout"])


def store_counts() -> dict[str, int]:
    """Triples per graph IRI. (Reads the whole answer, so the worker goes back to the pool.)"""
    backend = get_backend()
    with store_errors():
        head, body = backend.run({"kind": "counts"}, backend.settings["query_timeout"])
        for _chunk in body:
            pass
    counts: dict[str, int] = head["counts"]
    return counts


def label_index() -> labels.LabelIndex:
    """This app's label index (rebuilt when the store changes)."""
    cache = current_app.extensions.setdefault(INDEX_KEY, labels.IndexCache())
    with store_errors():
        index: labels.LabelIndex = cache.get(get_backend(), store_counts)
    return index


@bp.record_once
def _template_globals(state: BlueprintSetupState) -> None:
    """Badge texts for the macros of ``_term.html`` (imported without context)."""
    state.app.jinja_env.globals.update(badge_text=BADGE_TEXT, badge_titles=BADGE_TITLES)


def _int_arg(name: str, default: int, high: int = 10_000) -> int:
    try:
        return min(max(1, int(request.args.get(name, default))), high)
    except ValueError:
        return default


def _wanted(suffix_format: str | None) -> str | None:
    """The RDF format asked for, or None for HTML."""
    if suffix_format:
        return suffix_format
    param = request.args.get("format")
    if param and param.lower() in ("html", "htm"):
        return None
    if param:
        try:
            return negotiation.choose(request, "graph")
        except negotiation.BadFormat as exc:
            raise ApiError(400, f"{exc}, or html") from None
    if not request.accept_mimetypes:
        return None
    offered = [*HTML_TYPES, *negotiation.MEDIA["graph"]]
    best = request.accept_mimetypes.best_match(offered)
    if best is None:
        raise ApiError(406, str(negotiation.NotAcceptable(["text/html",
                                                            *negotiation.offered("graph")])))
    return None if best in HTML_TYPES else negotiation.MEDIA["graph"][best]


def _alternates(iri: str, base: str) -> list[dict[str, str]]:
    path = terms.entity_path(iri, base)
    out = []
    for fmt, mime, name, param in ALTERNATES:
        href = (path + SUFFIX_OF[fmt] if path.startswith("/id/")
                else f"{path}&format={param}")
        out.append({"format": fmt, "type": mime, "name": name, "href": href})
    return out


def _link_header(alternates: list[dict[str, str]]) -> str:
    return ", ".join(f'<{a["href"]}>; rel="alternate"; type="{a["type"]}"' for a in alternates)


def _not_found(iri: str, fmt: str | None) -> Response:
    if fmt is not None:
        raise ApiError(404, f"<{iri}> is not described in this graph; search its labels at "
                       f"/search?q={quote(local_name(iri))}")
    base = current_app.config["GFMD_KG"]["base_iri"]
    html = render_template("not_found.html", iri=iri, query=local_name(iri).replace("-", " "),
                           graph=graph_key(base, iri), section="browse")
    response = Response(html, status=404, mimetype="text/html")
    response.vary.add("Accept")
    return response


def entity_response(iri: str, suffix_format: str | None = None) -> Response:
    """One IRI's description in the negotiated format (HTML, or RDF)."""
    fmt = _wanted(suffix_format)
    backend = get_backend()
    base = backend.base_iri
    try:
        with store_errors():
            raw = entityrows.fetch(backend, iri)
    except ValueError:
        return _not_found(iri, fmt)
    uses = 0
    if raw.empty:
        with store_errors():
            uses = entityrows.predicate_uses(backend, iri)
        if not uses:
            return _not_found(iri, fmt)
    alternates = _alternates(iri, base)
    if fmt is not None:
        body = write_rdf(entityrows.triples(raw, base), fmt, prefixes(base))
        response = Response(body, content_type=negotiation.media_type("graph", fmt))
    else:
        index = label_index()
        page_prop = request.args.get("prop") or None
        info = describe.describe(raw, index, page=_int_arg("page", 1), page_prop=page_prop,
                                 per_prop=PER_PROPERTY)
        if info.is_property and not uses:
            with store_errors():
                uses = entityrows.predicate_uses(backend, iri)
        html = render_template("entity.html", d=info, alternates=alternates, uses=uses,
                               class_href=terms.class_path(iri), section="browse",
                               page_prop=page_prop)
        response = Response(html, mimetype="text/html")
    response.headers["Link"] = _link_header(alternates)
    response.vary.add("Accept")
    return response


@bp.get("/id/<path:rest>")
def individual(rest: str) -> Response:
    """An individual minted under the base IRI; a suffix (.ttl, .jsonld, .nt, .rdf) picks
    the RDF format."""
    base = current_app.config["GFMD_KG"]["base_iri"]
    for suffix, fmt in terms.SUFFIX_FORMATS.items():
        if rest.endswith(suffix):
            return entity_response(f"{base}id/{rest[: -len(suffix)]}", fmt)
    return entity_response(f"{base}id/{rest}")


@bp.get("/resource")
def resource() -> Response:
    """Any IRI of the graph: ``/resource?iri=...``."""
    iri = request.args.get("iri", "").strip()
    if not iri:
        raise ApiError(400, "name the resource: /resource?iri=<an absolute IRI>")
    return entity_response(iri)


@bp.get("/class")
def class_view() -> Response:
    """A class and its instances, paged: ``/class?iri=...&page=N&per_page=M``."""
    iri = request.args.get("iri", "").strip()
    if not iri:
        raise ApiError(400, "name the class: /class?iri=<class IRI>")
    index = label_index()
    try:
        with store_errors():
            info = classpage.class_page(get_backend(), iri, index, _int_arg("page", 1),
                                         _int_arg("per_page", 50, 500))
    except ValueError:
        info = None
    if info is None:
        return _not_found(iri, None)
    html = render_template("class.html", c=info, section="browse")
    return Response(html, mimetype="text/html")


@bp.get("/search")
def search() -> Response:
    """Labels in any language, accents and case ignored; HTML or JSON (Accept, format=)."""
    query = request.args.get("q", "").strip()
    limit = _int_arg("limit", 50, 500)
    wants_json = request.args.get("format", "").lower() == "json" or (
        request.accept_mimetypes.best_match(["text/html", "application/json"])
        == "application/json")
    index = label_index()
    hits = index.search(query, limit) if query else []
    if wants_json:
        response = jsonify({"query": query, "count": len(hits), "results": [
            {"iri": h.iri, "label": h.label, "url": h.href, "match": h.match,
             "matched": {"text": h.matched, "property": h.matched_property, "lang": h.lang},
             "types": [{"iri": t.value, "label": t.label} for t in h.types]}
            for h in hits]})
    else:
        classes = [] if query else index.classes()
        response = Response(render_template("search.html", query=query, hits=hits,
                                            classes=classes, limit=limit, section="browse"),
                            mimetype="text/html")
    response.vary.add("Accept")
    return response
