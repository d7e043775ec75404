"""Content negotiation from one table: media types per kind of answer, chosen with
Werkzeug's ``accept_mimetypes.best_match``, plus a ``format=`` parameter for links."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache

from flask import Request
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

from .errors import ApiError

#: Kind of answer -> media type -> our short format name. The first entry is the default.
MEDIA: Mapping[str, Mapping[str, str]] = {
    "results": {
        "application/sparql-results+json": "json",
        "application/json": "json",
        "application/sparql-results+xml": "xml",
        "text/csv": "csv",
        "text/tab-separated-values": "tsv",
    },
    "graph": {
        "text/turtle": "turtle",
        "application/n-triples": "nt",
        "application/ld+json": "jsonld",
        "application/rdf+xml": "xml",
        "application/trig": "trig",
        "application/n-quads": "nquads",
        "text/plain": "nt",
        "application/x-turtle": "turtle",
    },
}

#: The ``format=`` parameter's values -> (kind, short format name).
FORMAT_PARAM: Mapping[str, tuple[str, str]] = {
    "json": ("results", "json"), "xml": ("results", "xml"), "csv": ("results", "csv"),
    "tsv": ("results", "tsv"), "ttl": ("graph", "turtle"), "turtle": ("graph", "turtle"),
    "nt": ("graph", "nt"), "jsonld": ("graph", "jsonld"), "rdfxml": ("graph", "xml"),
    "trig": ("graph", "trig"), "nquads": ("graph", "nquads"),
    # the values SPARQLWrapper sends, and plain media types
    "rdf+xml": ("graph", "xml"), "json-ld": ("graph", "jsonld"), "n3": ("graph", "turtle"),
    "application/rdf+xml": ("graph", "xml"), "application/ld+json": ("graph", "jsonld"),
    "text/turtle": ("graph", "turtle"), "text/n3": ("graph", "turtle"),
    "application/n-triples": ("graph", "nt"), "application/trig": ("graph", "trig"),
    "application/n-quads": ("graph", "nquads"),
    "application/sparql-results+json": ("results", "json"),
    "application/sparql-results+xml": ("results", "xml"),
    "text/csv": ("results", "csv"), "text/tab-separated-values": ("results", "tsv"),
}

#: Short format name -> the canonical media type sent back.
CANONICAL: Mapping[str, Mapping[str, str]] = {
    "results": {
        "json": "application/sparql-results+json",
        "xml": "application/sparql-results+xml",
        "csv": "text/csv",
        "tsv": "text/tab-separated-values",
    },
    "graph": {
        "turtle": "text/turtle",
        "nt": "application/n-triples",
        "jsonld": "application/ld+json",
        "xml": "application/rdf+xml",
        "trig": "application/trig",
        "nquads": "application/n-quads",
    },
}

#: Results written as ``format=`` asks for graphs: the graph equivalent of a result name.
_PAIR = {"json": "jsonld", "xml": "xml"}


class NotAcceptable(Exception):
    """No format of the kind asked can meet the Accept header."""

    def __init__(self, offered: list[str]) -> None:
        super().__init__(
            "none of the formats this answer comes in is acceptable; send an Accept header "
            f"naming one of: {', '.join(offered)} (or use format=)"
        )
        self.offered = offered


class BadFormat(ValueError):
    """An unknown ``format=`` value."""


def choose(request: Request, kind: str) -> str | None:
    """The short format name for ``kind`` ('results' or 'graph'), or None if none fits."""
    return _choose(request.values.get("format"), request.headers.get("Accept", ""), kind)


def _choose(param: str | None, accept: str, kind: str) -> str | None:
    if param:
        try:
            param_kind, name = FORMAT_PARAM[param.lower()]
        except KeyError:
            raise BadFormat(
                f"unknown format={param!r}; use one of {', '.join(FORMAT_PARAM)}"
            ) from None
        if param_kind == kind:
            return name
        return _PAIR.get(name) if kind == "graph" else None
    return _best_remembered(accept, kind) if len(accept) <= 1024 else _best(accept, kind)


def _best(accept: str, kind: str) -> str | None:
    """The format of ``kind`` an Accept header prefers."""
    table = MEDIA[kind]
    accepted = parse_accept_header(accept, MIMEAccept)
    if not accepted:
        return next(iter(table.values()))
    best = accepted.best_match(list(table))
    return table[best] if best else None


#: Clients send a handful of distinct Accept headers: each is matched once.
_best_remembered = lru_cache(maxsize=256)(_best)


def require(request: Request, kind: str) -> str:
    """The format for ``kind``, or the API error: 400 for an unknown ``format=``, 406 when
    no format of the kind meets the Accept header."""
    try:
        fmt = choose(request, kind)
    except BadFormat as exc:
        raise ApiError(400, str(exc)) from None
    if fmt is None:
        raise refusal(kind)
    return fmt


def refusal(kind: str) -> ApiError:
    """The 406 answer for an answer of ``kind`` that no acceptable format fits."""
    types = offered(kind)
    return ApiError(406, str(NotAcceptable(types)), offered=", ".join(types))


def formats_for(param: str | None, accept: str) -> dict[str, str | None]:
    """Formats for a query whose form is not known yet, from its ``format=`` parameter and
    Accept header: one per kind of answer (None where nothing fits)."""
    return {"select": _choose(param, accept, "results"), "graph": _choose(param, accept, "graph")}


def offered(kind: str) -> list[str]:
    """The canonical media types of a kind, for 406 messages."""
    return list(CANONICAL[kind].values())


def media_type(kind: str, fmt: str) -> str:
    """The media type (with charset for text types) of a short format name."""
    mime = CANONICAL[kind][fmt]
    return f"{mime}; charset=utf-8" if mime.startswith("text/") or mime.endswith(
        ("json", "xml")) else mime
