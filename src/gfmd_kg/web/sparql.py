"""The SPARQL 1.1 Protocol at ``/sparql``: queries by GET, form POST and direct POST,
updates by form POST and direct POST, the service description on a bare GET."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox
from flask import Blueprint, Request, Response, current_app, request, url_for

from .. import __version__, sparqltext
from ..results import write_rdf
from ..vocab import GRAPH_KEYS, GRAPH_TITLES, SD, VOID, graph_iri, prefixes
from . import cache as result_cache
from . import guard, negotiation, running, security
from .backend import get_backend
from .errors import ApiError

bp = Blueprint("sparql", __name__)


@bp.record_once
def _attach_cache(state: Any) -> None:
    state.app.extensions[result_cache.EXTENSION] = result_cache.ResultCache()


def _cache(settings: dict[str, Any]) -> result_cache.ResultCache | None:
    """The app's answer cache, or None when it is off (by setting, or a remote store,
    which others may write to)."""
    if not settings.get("result_cache", True) or get_backend().kind == "remote":
        return None
    found: result_cache.ResultCache | None = current_app.extensions.get(result_cache.EXTENSION)
    return found

FORM = "application/x-www-form-urlencoded"
QUERY_BODY = "application/sparql-query"
UPDATE_BODY = "application/sparql-update"


@dataclass
class ProtocolRequest:
    """What a SPARQL Protocol request asks, whatever way it was sent."""

    query: str | None = None
    update: str | None = None
    default_graphs: list[str] = field(default_factory=list)
    named_graphs: list[str] = field(default_factory=list)


def _single(values: list[str], name: str) -> str | None:
    if len(values) > 1:
        raise ApiError(400, f"the request has {len(values)} '{name}' parameters; send one.")
    return values[0] if values else None


def parse_request() -> ProtocolRequest:
    """Read the operation and dataset from the request, with the protocol's error cases."""
    args = request.args
    if request.method in ("GET", "HEAD"):
        if "update" in args:
            raise ApiError(405, "SPARQL Update must be sent with POST.", {"Allow": "POST"})
        return ProtocolRequest(query=_single(args.getlist("query"), "query"),
                               default_graphs=args.getlist("default-graph-uri"),
                               named_graphs=args.getlist("named-graph-uri"))
    mime = request.mimetype
    if mime == FORM:
        form = request.form
        query = _single(form.getlist("query") + args.getlist("query"), "query")
        update = _single(form.getlist("update") + args.getlist("update"), "update")
        if query is not None and update is not None:
            raise ApiError(400, "the request carries both a query and an update; send one.")
        if update is not None:
            return ProtocolRequest(update=update,
                                   default_graphs=form.getlist("using-graph-uri"),
                                   named_graphs=form.getlist("using-named-graph-uri"))
        return ProtocolRequest(query=query,
                               default_graphs=form.getlist("default-graph-uri")
                               + args.getlist("default-graph-uri"),
                               named_graphs=form.getlist("named-graph-uri")
                               + args.getlist("named-graph-uri"))
    if mime in (QUERY_BODY, UPDATE_BODY):
        if "query" in args or "update" in args:
            raise ApiError(400, f"a {mime} request carries the operation in its body; "
                           "remove the query/update URL parameter.")
        body = _text_body()
        if mime == QUERY_BODY:
            return ProtocolRequest(query=body,
                                   default_graphs=args.getlist("default-graph-uri"),
                                   named_graphs=args.getlist("named-graph-uri"))
        return ProtocolRequest(update=body, default_graphs=args.getlist("using-graph-uri"),
                               named_graphs=args.getlist("using-named-graph-uri"))
    raise ApiError(415, f"POST /sparql takes {FORM}, {QUERY_BODY} or {UPDATE_BODY}, "
                   f"not {mime or 'a body without Content-Type'}.")


def _text_body() -> str:
    data = request.get_data(cache=False)
    try:
        return data.decode(request.mimetype_params.get("charset", "utf-8"))
    except (UnicodeDecodeError, LookupError) as exc:
        raise ApiError(400, f"the request body is not valid UTF-8 text: {exc}") from exc


def _timeout(settings: dict[str, Any], raw: str | None) -> float:
    limit: float = settings["query_timeout"]
    if raw is None:
        return limit
    try:
        asked = float(raw)
    except ValueError:
        raise ApiError(400, f"timeout={raw!r} is not a number of seconds.") from None
    if not asked > 0:
        raise ApiError(400, "timeout= must be a positive number of seconds.")
    return min(asked, limit)


@dataclass(frozen=True)
class Asked:
    """What a request says about answering its query, besides the query and the dataset:
    read from Flask's request here, or from the WSGI environ by ``web/direct.py``."""

    method: str = "GET"
    accept: str = ""
    format: str | None = None  # the format= parameter
    timeout: str | None = None  # the timeout= parameter
    cache_control: str = ""
    if_none_match: str | None = None

    @classmethod
    def of(cls, req: Request) -> Asked:
        values, headers = req.values, req.headers
        return cls(req.method, headers.get("Accept", ""), values.get("format"),
                   values.get("timeout"), headers.get("Cache-Control", ""),
                   headers.get("If-None-Match"))


@dataclass
class Answer:
    """A query's answer before it becomes a response: bytes, or chunks as they come (an
    iterable whose ``close`` gives its worker back)."""

    status: int
    headers: dict[str, str]
    body: bytes | Iterable[bytes] = b""

    def response(self) -> Response:
        body = None if self.status == 304 else self.body  # Werkzeug drops a 304's body headers
        return Response(body, status=self.status, headers=self.headers)


@bp.route("/sparql", methods=["GET", "POST", "OPTIONS"])
def endpoint() -> Response:
    """The SPARQL endpoint."""
    if request.method == "OPTIONS":
        return Response(status=204, headers={"Allow": "GET, POST, OPTIONS"})
    settings = current_app.config["GFMD_KG"]
    operation = parse_request()
    if operation.update is not None:
        return _update(operation, settings)
    if operation.query is None:
        if request.method == "POST":
            raise ApiError(400, "the request has no 'query' or 'update'.")
        return service_description()
    return run_query(operation.query, operation.default_graphs, operation.named_graphs,
                     settings)


def run_query(text: str, default_graphs: list[str], named_graphs: list[str],
              settings: dict[str, Any], bindings: dict[str, str] | None = None) -> Response:
    """Check, run and answer one query of this request (also for the named-query pages)."""
    return answer_query(text, default_graphs, named_graphs, settings, Asked.of(request),
                        bindings).response()


def answer_query(text: str, default_graphs: list[str], named_graphs: list[str],
                 settings: dict[str, Any], asked: Asked,
                 bindings: dict[str, str] | None = None) -> Answer:
    """Check, run and answer one query, or raise the ApiError that says why not; in the
    app's context, not necessarily a request's."""
    if not text.strip():
        raise ApiError(400, "the query is empty.")
    try:
        formats = negotiation.formats_for(asked.format, asked.accept)
    except negotiation.BadFormat as exc:
        raise ApiError(400, str(exc)) from exc
    timeout = _timeout(settings, asked.timeout)
    task = {"kind": "query", "text": text, "bindings": bindings or {},
            "default_graphs": [g for g in default_graphs if g],
            "named_graphs": [g for g in named_graphs if g],
            "formats": {"select": formats["select"] or "json",
                        "graph": formats["graph"] or "turtle"},
            "max_rows": settings["max_rows"]}
    cache = _cache(settings)
    key = etag = None
    version = 0
    if cache is not None:
        # the formats as negotiated (None where nothing fits: then the answer is a 406)
        key = cache.key(text, task["default_graphs"], task["named_graphs"], task["bindings"],
                        formats, task["max_rows"])
        version = cache.version
        entry = None if "no-cache" in asked.cache_control else cache.get(key)
        if entry is not None:  # the same request passed every check below when it was made
            etag = cache.etag(key, version)
            fresh = result_cache.matches(asked.if_none_match, etag)
            return _cached_answer(None if fresh else entry, etag, timeout)
    form = sparqltext.query_form(text)
    if form is None and sparqltext.looks_like_update(text):
        raise ApiError(400, "this is an update, not a query: send it as 'update=' (form) or "
                       f"as {UPDATE_BODY}, with POST.")
    guard.check_query(text, settings)
    security.check_iris(default_graphs, "default-graph-uri")
    security.check_iris(named_graphs, "named-graph-uri")
    kind = "graph" if form in ("CONSTRUCT", "DESCRIBE") else "results"
    wanted = formats["graph" if kind == "graph" else "select"]
    if form is not None and wanted is None:
        raise negotiation.refusal(kind)
    if cache is not None and key is not None and result_cache.cacheable(text):
        etag = cache.etag(key, version)
        if result_cache.matches(asked.if_none_match, etag):
            return _cached_answer(None, etag, timeout)
    else:
        cache = key = None
    started = time.perf_counter()
    head, body = running.run(task, timeout)
    elapsed = time.perf_counter() - started
    kind = "graph" if head["form"] == "GRAPH" else "results"
    described = {"Content-Type": negotiation.media_type(kind, head["format"])}
    if head.get("rows") is not None:
        described["X-Result-Rows"] = str(head["rows"])
    if head.get("truncated"):
        described["X-Result-Truncated"] = f"true; max-rows={settings['max_rows']}"
    # the answer's headers, set at once (the cached ones are described's)
    headers = {**described, "Vary": "Accept", "X-Query-Timeout": f"{timeout:g}",
               "Server-Timing": f"query;dur={elapsed * 1000:.1f}"}
    if etag is not None:
        headers.update({"ETag": etag, "X-Cache": "miss"})
    if asked.method == "HEAD":  # Werkzeug never reads nor closes a HEAD body: drain it
        b"".join(body)
        body = iter(())
    elif not head.get("streaming"):
        # an answer under the row cap is bounded: read it whole, which frees the worker at
        # once (not when a slow client has taken it all) and sends it with a Content-Length
        body = b"".join(body)
        if cache is not None and key is not None:
            cache.put(key, result_cache.Entry(body, described, version))
    elif cache is not None and key is not None:
        body = result_cache.Recorder(body, cache, key, version, described)
    # the body object itself is the response: its close() returns or replaces the worker
    return Answer(200, headers, body)


def _cached_answer(entry: result_cache.Entry | None, etag: str, timeout: float) -> Answer:
    """An answer from the cache, or 304 Not Modified (``entry`` None) for a current ETag."""
    hit = {"Vary": "Accept", "ETag": etag, "X-Cache": "hit"}
    if entry is None:
        return Answer(304, hit)
    return Answer(200, {**entry.headers, "X-Query-Timeout": f"{timeout:g}",
                        "Server-Timing": "cache;dur=0", **hit}, entry.body)


def _update(operation: ProtocolRequest, settings: dict[str, Any]) -> Response:
    if request.method != "POST":
        raise ApiError(405, "SPARQL Update must be sent with POST.", {"Allow": "POST"})
    guard.require_token(request, settings)
    text = operation.update or ""
    if operation.default_graphs or operation.named_graphs:
        raise ApiError(400, "using-graph-uri / using-named-graph-uri are not supported; put "
                       "USING clauses in the update itself.")
    guard.check_update(text, settings)
    running.write({"kind": "update", "text": text})
    return Response(status=204)


FORMATS_NS = "http://www.w3.org/ns/formats/"
RESULT_FORMAT_IRIS = ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV",
                      "SPARQL_Results_TSV", "Turtle", "N-Triples", "JSON-LD", "RDF_XML",
                      "TriG", "N-Quads")


def service_description() -> Response:
    """The SPARQL service description (sd:Service), negotiated like any RDF."""
    backend = get_backend()
    fmt = negotiation.require(request, "graph")
    with running.failures("read", backend.settings["query_timeout"]):
        counts = backend.counts()
    rdf = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
    dcterms = "http://purl.org/dc/terms/"

    def nn(iri: str) -> ox.NamedNode:
        return ox.NamedNode(iri)

    service = nn(url_for("sparql.endpoint", _external=True))
    triples = [ox.Triple(service, nn(rdf), SD_("Service")),
               ox.Triple(service, SD_("endpoint"), service),
               ox.Triple(service, SD_("supportedLanguage"), SD_("SPARQL11Query")),
               ox.Triple(service, SD_("feature"), SD_("UnionDefaultGraph")),
               ox.Triple(service, nn(dcterms + "description"), ox.Literal(
                   "gfmd-kg SPARQL endpoint. The default graph is the union of all named "
                   "graphs; name one with GRAPH or default-graph-uri to query it alone.",
                   language="en")),
               ox.Triple(service, nn(dcterms + "hasVersion"), ox.Literal(__version__))]
    if backend.writes_enabled:
        triples.append(ox.Triple(service, SD_("supportedLanguage"), SD_("SPARQL11Update")))
    for name in RESULT_FORMAT_IRIS:
        triples.append(ox.Triple(service, SD_("resultFormat"), nn(FORMATS_NS + name)))
    dataset, default = ox.BlankNode(), ox.BlankNode()
    triples += [ox.Triple(service, SD_("defaultDataset"), dataset),
                ox.Triple(dataset, nn(rdf), SD_("Dataset")),
                ox.Triple(dataset, SD_("defaultGraph"), default),
                ox.Triple(default, nn(rdf), SD_("Graph")),
                ox.Triple(default, nn(str(VOID) + "triples"),
                          ox.Literal(str(sum(counts.values())),
                                     datatype=nn("http://www.w3.org/2001/XMLSchema#integer")))]
    for iri, count in sorted(counts.items()):
        if not iri:
            continue
        named, graph = ox.BlankNode(), ox.BlankNode()
        triples += [ox.Triple(dataset, SD_("namedGraph"), named),
                    ox.Triple(named, SD_("name"), nn(iri)),
                    ox.Triple(named, SD_("graph"), graph),
                    ox.Triple(graph, nn(str(VOID) + "triples"), ox.Literal(
                        str(count), datatype=nn("http://www.w3.org/2001/XMLSchema#integer")))]
        key = next((k for k in GRAPH_KEYS if graph_iri(backend.base_iri, k) == iri), None)
        if key:
            triples.append(ox.Triple(named, nn(dcterms + "title"),
                                     ox.Literal(GRAPH_TITLES[key], language="en")))
    body = write_rdf(triples, fmt, {**prefixes(backend.base_iri), "sd": str(SD),
                                    "void": str(VOID)})
    response = Response(body, content_type=negotiation.media_type("graph", fmt))
    response.vary.add("Accept")
    return response


def SD_(name: str) -> ox.NamedNode:
    """A term of the SPARQL service description vocabulary."""
    return ox.NamedNode(str(SD) + name)
