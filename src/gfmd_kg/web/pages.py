"""The researcher's query pages.

* ``/``: a SPARQL editor (YASQE from the npm YASGUI package, served by this app), the named
  queries, results as a table with labels and links; the page calls no outside service.
* ``/queries`` (and ``/queries.json``): every named query, as HTML or JSON.
* ``/queries/<name>``: one named query: its page (title, description, parameter form, text,
  results as a table), or its results as data by ``Accept`` or by suffix
  (``/queries/<name>.csv``...). Parameters are query-string values bound as RDF terms by the
  engine, never pasted into the text; a bad value is a 400.
"""

from __future__ import annotations

import json
import logging
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pyoxigraph as ox
from flask import (
    Blueprint,
    Response,
    current_app,
    jsonify,
    make_response,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from werkzeug.datastructures import ImmutableMultiDict

from .. import sparqltext
from ..namedqueries import NamedQuery, NamedQueryError, load_named_queries
from ..tasks import term_to_wire
from ..vocab import LABEL_PROPERTIES, pick_label, prefixes
from . import negotiation, running
from .backend import get_backend
from .errors import ApiError
from .sparql import run_query

log = logging.getLogger(__name__)
bp = Blueprint("pages", __name__)

#: Query-string names that belong to the protocol, not to a named query's parameters.
RESERVED = frozenset({"format", "timeout"})
#: Suffixes of ``/queries/<name>.<suffix>`` by kind of answer (each is a ``format=`` value).
RESULT_SUFFIXES: tuple[str, ...] = ("json", "csv", "tsv", "xml")
GRAPH_SUFFIXES: tuple[str, ...] = ("ttl", "nt", "jsonld", "xml")
SUFFIX_NAMES = {"json": "JSON", "csv": "CSV", "tsv": "TSV", "xml": "XML", "ttl": "Turtle",
                "nt": "N-Triples", "jsonld": "JSON-LD"}
GRAPH_FORMS = ("CONSTRUCT", "DESCRIBE")
#: Characters that may not appear in an IRI written between angle brackets.
_SAFE_IRI = re.compile(r'^[^\x00-\x20<>"{}|^`\\]+$')
_LOCAL = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
LABEL_BATCH = 300
HTML_TYPES = ("text/html", "application/xhtml+xml")


def _settings() -> dict[str, Any]:
    settings: dict[str, Any] = current_app.config["GFMD_KG"]
    return settings


def named_queries() -> dict[str, NamedQuery]:
    """The named queries of ``queries/`` (read on each request: they are a few small files)."""
    return load_named_queries(Path(_settings()["source_dir"]) / "queries")


def query_form(query: NamedQuery) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE."""
    return sparqltext.query_form(query.text) or "SELECT"


def suffixes_of(query: NamedQuery) -> tuple[str, ...]:
    return GRAPH_SUFFIXES if query_form(query) in GRAPH_FORMS else RESULT_SUFFIXES


def describe(query: NamedQuery, external: bool = False) -> dict[str, Any]:
    """A named query as JSON: name, title, description, form, parameters and URLs."""
    urls = {"html": url_for("pages.named_query", target=query.name, _external=external)}
    for suffix in suffixes_of(query):
        urls[suffix] = url_for("pages.named_query", target=f"{query.name}.{suffix}",
                               _external=external)
    return {"name": query.name, "title": query.title, "description": query.description,
            "form": query_form(query),
            "parameters": [{"name": p.name, "kind": p.kind, "default": p.default,
                            "help": p.help} for p in query.parameters],
            "urls": urls}


# ------------------------------------------------------------------------------ the editor

def default_query(base: str) -> str:
    ns = prefixes(base)
    return (f"PREFIX gfmd: <{ns['gfmd']}>\n"
            f"PREFIX skos: <{ns['skos']}>\n"
            "SELECT ?challenge ?label WHERE {\n"
            "  ?challenge a gfmd:Challenge ;\n"
            "    skos:prefLabel ?label .\n"
            '  FILTER(LANG(?label) = "en")\n'
            "}\nORDER BY ?label")


@bp.get("/")
def index() -> str:
    """The query page: an editor, the named queries, results with labels and links."""
    settings = _settings()
    base: str = settings["base_iri"]
    queries = list(named_queries().values())
    config = {
        "endpoint": url_for("sparql.endpoint"),
        "queries": url_for("pages.queries_page"),
        "root": request.script_root,
        "baseIri": base,
        "prefixes": prefixes(base),
        "maxRows": settings["max_rows"],
        "namedQueries": {q.name: {"title": q.title, "text": q.text_for(base),
                                  "form": query_form(q),
                                  "parameters": [p.name for p in q.parameters]}
                         for q in queries},
    }
    return render_template("index.html", section="query", queries=queries, config=config,
                           initial_query=request.args.get("query") or default_query(base),
                           store=get_backend().kind, query_form=query_form)


# ------------------------------------------------------------------------- the query list

def _wants_json() -> bool:
    accept = request.accept_mimetypes
    return bool(accept) and accept.best_match([*HTML_TYPES, "application/json"]) == (
        "application/json")


@bp.get("/queries")
def queries_page() -> ResponseReturnValue:
    """Every named query: HTML, or JSON for ``Accept: application/json``."""
    if _wants_json():
        return queries_json()
    queries = list(named_queries().values())
    response = make_response(render_template(
        "queries.html", section="query", queries=queries, query_form=query_form,
        suffixes_of=suffixes_of, suffix_names=SUFFIX_NAMES))
    response.vary.add("Accept")
    return response


@bp.get("/queries.json")
def queries_json() -> Response:
    """Every named query as JSON."""
    response = jsonify({"queries": [describe(q, external=True)
                                    for q in named_queries().values()]})
    response.vary.add("Accept")
    return response


# ---------------------------------------------------------------------- one named query

@bp.get("/queries/<target>")
def named_query(target: str) -> ResponseReturnValue:
    """One named query: its page, or its results by ``Accept`` or by suffix."""
    name, dot, suffix = target.partition(".")
    query = named_queries().get(name)
    if query is None:
        raise ApiError(404, f"there is no named query {name!r}; the list is at /queries "
                       "(as JSON at /queries.json).")
    if dot and suffix not in suffixes_of(query):
        raise ApiError(404, f"{query.name} is a {query_form(query)} query: its results come "
                       f"as {', '.join('.' + s for s in suffixes_of(query))}, not {'.' + suffix}.")
    if dot or "format" in request.args or not _wants_html():
        return _named_results(query, suffix or None)
    return _named_html(query)


def _wants_html() -> bool:
    accept = request.accept_mimetypes
    if not accept:
        return True
    offered = [*HTML_TYPES, *negotiation.MEDIA["results"], *negotiation.MEDIA["graph"]]
    return accept.best_match(offered) in HTML_TYPES


def _values(query: NamedQuery) -> dict[str, str]:
    """The query's parameter values from the query string (blank ones take the default)."""
    values: dict[str, str] = {}
    for key in request.args:
        if key in RESERVED:
            continue
        given = request.args.getlist(key)
        if len(given) > 1:
            raise NamedQueryError(f"parameter {key} is given {len(given)} times; give it once")
        if given[0].strip():
            values[key] = given[0]
    return values


def _bindings(query: NamedQuery) -> dict[str, ox.NamedNode | ox.Literal]:
    return query.bindings(_values(query), _settings()["base_iri"])


def _named_results(query: NamedQuery, suffix: str | None) -> Response:
    """The results as data, through the SPARQL endpoint's own negotiation and errors."""
    settings = _settings()
    try:
        bound = _bindings(query)
    except NamedQueryError as exc:
        raise ApiError(400, str(exc)) from None
    if suffix:
        _force_format(suffix)
    response = run_query(query.text_for(settings["base_iri"]), [], [], settings,
                         {name: term_to_wire(term) for name, term in bound.items()})
    if suffix:
        response.headers["Content-Disposition"] = f'inline; filename="{query.name}.{suffix}"'
    return response


def _force_format(suffix: str) -> None:
    """Make ``format=<suffix>`` the request's format (a suffix wins over Accept)."""
    args = [(k, v) for k, v in request.args.items(multi=True) if k != "format"]
    request.args = ImmutableMultiDict([*args, ("format", suffix)])
    request.__dict__.pop("values", None)  # recomputed from the new args


@dataclass
class ResultTable:
    """A result ready for the HTML table: SELECT rows, an ASK answer or triples."""

    form: str
    columns: list[str] = field(default_factory=list)
    rows: list[list[dict[str, str] | None]] = field(default_factory=list)
    boolean: bool | None = None
    truncated: bool = False
    elapsed: float = 0.0


def _named_html(query: NamedQuery) -> Response:
    settings = _settings()
    base: str = settings["base_iri"]
    given = {key: request.args.get(key, "") for key in request.args if key not in RESERVED}
    fields = [(p, given.get(p.name) or p.default or "") for p in query.parameters]
    error: str | None = None
    status = 200
    result: ResultTable | None = None
    values: dict[str, str] = {}
    try:
        values = _values(query)
        bound = query.bindings(values, base)
    except NamedQueryError as exc:
        error, status = str(exc), 400
    else:
        try:
            result = execute(query.text_for(base), bound, settings)
        except ApiError as exc:
            error, status = exc.message, exc.status
    links = [(SUFFIX_NAMES[s], _named_url(f"{query.name}.{s}", values))
             for s in suffixes_of(query)]
    response = make_response(render_template(
        "query.html", section="query", query=query, text=query.text_for(base), fields=fields,
        form=query_form(query), result=result, error=error, downloads=links,
        editor_link=url_for("pages.index", query=query.text_for(base))), status)
    response.vary.add("Accept")
    return response


def _named_url(target: str, values: dict[str, str]) -> str:
    params: dict[str, Any] = {**values, "target": target}
    return url_for("pages.named_query", **params)


def execute(text: str, bound: dict[str, ox.NamedNode | ox.Literal],
            settings: dict[str, Any]) -> ResultTable:
    """Run a query for a page and turn its answer into table cells with labels and links."""
    task = {"kind": "query", "text": text,
            "bindings": {name: term_to_wire(term) for name, term in bound.items()},
            "default_graphs": [], "named_graphs": [],
            "formats": {"select": "json", "graph": "nt"}, "max_rows": settings["max_rows"]}
    started = time.perf_counter()
    with running.failures("query", settings["query_timeout"]):
        head, body = get_backend().run(task, settings["query_timeout"])
        data = b"".join(body)
    elapsed = time.perf_counter() - started
    truncated = bool(head.get("truncated"))
    if head["form"] == "ASK":
        answer = json.loads(data)
        return ResultTable("ASK", boolean=bool(answer["boolean"]), elapsed=elapsed)
    terms: list[list[dict[str, str] | None]]
    if head["form"] == "GRAPH":
        columns = ["subject", "predicate", "object"]
        terms = [[term_json(q.subject), term_json(q.predicate), term_json(q.object)]
                 for q in ox.parse(data, format=ox.RdfFormat.N_TRIPLES)]
    else:
        answer = json.loads(data)
        columns = list(answer["head"]["vars"])
        terms = [[row.get(var) for var in columns] for row in answer["results"]["bindings"]]
    base: str = settings["base_iri"]
    labels = lookup_labels({t["value"] for row in terms for t in row if t and t["type"] == "uri"})
    rows = [[cell(t, labels, base) if t else None for t in row] for row in terms]
    return ResultTable("GRAPH" if head["form"] == "GRAPH" else "SELECT", columns, rows,
                       truncated=truncated, elapsed=elapsed)


def term_json(term: Any) -> dict[str, str]:
    """A pyoxigraph term as a SPARQL JSON results term."""
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        else:
            out["datatype"] = term.datatype.value
        return out
    return {"type": "literal", "value": str(term)}


def lookup_labels(iris: set[str]) -> dict[str, str]:
    """English labels (skos:prefLabel, then rdfs:label) of IRIs, in a few VALUES queries."""
    candidates: dict[str, list[tuple[str, str, str | None]]] = {}
    wanted = sorted(i for i in iris if _SAFE_IRI.match(i))
    props = " ".join(f"<{p}>" for p in LABEL_PROPERTIES)
    for start in range(0, len(wanted), LABEL_BATCH):
        values = " ".join(f"<{iri}>" for iri in wanted[start:start + LABEL_BATCH])
        text = (f"SELECT ?iri ?p ?label WHERE {{ VALUES ?iri {{ {values} }} "
                f"VALUES ?p {{ {props} }} ?iri ?p ?label . FILTER(isLiteral(?label)) }}")
        try:
            rows = get_backend().select(text)
        except Exception:  # labels are a nicety: the table still shows IRIs
            log.warning("label lookup failed", exc_info=True)
            return {}
        for row in rows:
            label = row["label"]
            candidates.setdefault(row["iri"]["value"], []).append(
                (row["p"]["value"], label["value"], label.get("xml:lang")))
    return {iri: pick_label(found, iri) for iri, found in candidates.items()}


def entity_href(iri: str, base: str) -> str:
    """Where an IRI is shown on this server: its path for ours, /resource?iri= for others."""
    root = request.script_root
    if iri.startswith(base):
        return f"{root}/{iri[len(base):].lstrip('/')}"
    return f"{root}/resource?iri={quote(iri, safe='')}"


def compact(iri: str, base: str) -> str:
    """An IRI as prefix:local when one of our prefixes covers it, else the IRI."""
    table = prefixes(base)
    found = [(len(ns), name) for name, ns in table.items()
             if iri.startswith(ns) and _LOCAL.match(iri[len(ns):])]
    if not found:
        return iri
    name = max(found)[1]
    return f"{name}:{iri[len(table[name]):]}"


def cell(term: dict[str, str], labels: dict[str, str], base: str) -> dict[str, str]:
    """One table cell: text to show, and a link for IRIs or a tag for literals."""
    kind, value = term["type"], term["value"]
    if kind == "uri":
        label = labels.get(value)
        return {"kind": "iri", "iri": value, "text": label or compact(value, base),
                "href": entity_href(value, base), "labelled": "yes" if label else ""}
    if kind == "bnode":
        return {"kind": "bnode", "text": f"_:{value}"}
    out = {"kind": "literal", "text": value}
    if term.get("xml:lang"):
        out["tag"], out["tag_class"] = f"@{term['xml:lang']}", "lang"
    elif term.get("datatype") and term["datatype"] not in (_XSD_STRING, _LANG_STRING):
        out["tag"], out["tag_class"] = compact(term["datatype"], base), "datatype"
    return out
