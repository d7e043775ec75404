"""Query results: one shape for every store, and writers for the SPARQL result formats
(JSON, XML, CSV, TSV) and the RDF formats, which stream their output in chunks."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


@dataclass
class SelectResult:
    """Variables and rows (one term or None per variable); ``truncated`` if the cap cut it."""

    variables: list[str]
    rows: Iterable[Sequence[Term | None]]
    truncated: bool = False
    #: the engine's own solutions (pyoxigraph), which can serialise themselves in Rust
    native: Any = None


@dataclass
class AskResult:
    """The answer of an ASK query."""

    value: bool


@dataclass
class GraphResult:
    """The triples of a CONSTRUCT or DESCRIBE query."""

    triples: Iterable[ox.Triple]
    truncated: bool = False


QueryResult = SelectResult | AskResult | GraphResult

#: Result formats: short name -> (media type, file extension).
RESULT_FORMATS: dict[str, tuple[str, str]] = {
    "json": ("application/sparql-results+json", "srj"),
    "xml": ("application/sparql-results+xml", "srx"),
    "csv": ("text/csv", "csv"),
    "tsv": ("text/tab-separated-values", "tsv"),
}

#: RDF formats: short name -> (media type, extension, pyoxigraph format, keeps graphs).
RDF_FORMATS: dict[str, tuple[str, str, ox.RdfFormat, bool]] = {
    "turtle": ("text/turtle", "ttl", ox.RdfFormat.TURTLE, False),
    "trig": ("application/trig", "trig", ox.RdfFormat.TRIG, True),
    "nt": ("application/n-triples", "nt", ox.RdfFormat.N_TRIPLES, False),
    "nquads": ("application/n-quads", "nq", ox.RdfFormat.N_QUADS, True),
    "jsonld": ("application/ld+json", "jsonld", ox.RdfFormat.JSON_LD, True),
    "xml": ("application/rdf+xml", "rdf", ox.RdfFormat.RDF_XML, False),
}

CHUNK_ROWS = 500


def cap_rows(
    rows: Iterable[Sequence[Term | None]], max_rows: int | None
) -> tuple[Iterable[Sequence[Term | None]], bool]:
    """Keep at most ``max_rows`` rows; say whether more were there. None keeps all, lazily."""
    if max_rows is None:
        return rows, False
    kept: list[Sequence[Term | None]] = []
    for row in rows:
        if len(kept) == max_rows:
            return kept, True
        kept.append(row)
    return kept, False


def _json_term(term: Term) -> dict[str, object]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out: dict[str, object] = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    return {
        "type": "triple",
        "value": {
            "subject": _json_term(term.subject),
            "predicate": _json_term(term.predicate),
            "object": _json_term(term.object),
        },
    }


def _xml_term(term: Term) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, ox.Literal):
        if term.language:
            return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
        if term.datatype.value != XSD_STRING:
            return (f"<literal datatype={quoteattr(term.datatype.value)}>"
                    f"{escape(term.value)}</literal>")
        return f"<literal>{escape(term.value)}</literal>"
    return (f"<triple><subject>{_xml_term(term.subject)}</subject><predicate>"
            f"{_xml_term(term.predicate)}</predicate><object>{_xml_term(term.object)}"
            "</object></triple>")


def _csv_field(term: Term | None) -> str:
    if term is None:
        return ""
    text = f"_:{term.value}" if isinstance(term, ox.BlankNode) else (
        term.value if isinstance(term, (ox.NamedNode, ox.Literal)) else str(term)
    )
    if any(c in text for c in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def _chunks(lines: Iterable[str]) -> Iterator[bytes]:
    buffer: list[str] = []
    for line in lines:
        buffer.append(line)
        if len(buffer) >= CHUNK_ROWS:
            yield "".join(buffer).encode("utf-8")
            buffer.clear()
    if buffer:
        yield "".join(buffer).encode("utf-8")


def write_select(result: SelectResult, fmt: str) -> Iterator[bytes]:
    """Stream a SELECT result in one of RESULT_FORMATS."""
    names = result.variables
    if fmt == "json":
        def lines() -> Iterator[str]:
            yield '{"head":{"vars":' + json.dumps(names) + '},"results":{"bindings":['
            first = True
            for row in result.rows:
                binding = {n: _json_term(t)
                           for n, t in zip(names, row, strict=True) if t is not None}
                yield ("" if first else ",") + json.dumps(binding, ensure_ascii=False)
                first = False
            yield "]}}\n"
        return _chunks(lines())
    if fmt == "xml":
        def lines() -> Iterator[str]:
            yield ('<?xml version="1.0" encoding="UTF-8"?>\n'
                   '<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>')
            yield "".join(f"<variable name={quoteattr(n)}/>" for n in names)
            yield "</head><results>"
            for row in result.rows:
                yield "<result>" + "".join(
                    f"<binding name={quoteattr(n)}>{_xml_term(t)}</binding>"
                    for n, t in zip(names, row, strict=True) if t is not None
                ) + "</result>"
            yield "</results></sparql>\n"
        return _chunks(lines())
    if fmt == "csv":
        def lines() -> Iterator[str]:
            yield ",".join(names) + "\r\n"
            for row in result.rows:
                yield ",".join(_csv_field(t) for t in row) + "\r\n"
        return _chunks(lines())
    if fmt == "tsv":
        def lines() -> Iterator[str]:
            yield "\t".join(f"?{n}" for n in names) + "\n"
            for row in result.rows:
                yield "\t".join("" if t is None else str(t) for t in row) + "\n"
        return _chunks(lines())
    raise ValueError(f"unknown result format {fmt!r}; use one of {', '.join(RESULT_FORMATS)}")


def write_ask(result: AskResult, fmt: str) -> bytes:
    """An ASK answer in one of RESULT_FORMATS."""
    word = "true" if result.value else "false"
    if fmt == "json":
        return ('{"head":{},"boolean":' + word + "}\n").encode()
    if fmt == "xml":
        return ('<?xml version="1.0" encoding="UTF-8"?>\n<sparql xmlns='
                f'"http://www.w3.org/2005/sparql-results#"><head/><boolean>{word}</boolean>'
                "</sparql>\n").encode()
    if fmt == "csv":
        return f"_askResult\r\n{word}\r\n".encode()
    if fmt == "tsv":
        return f"?_askResult\n{word}\n".encode()
    raise ValueError(f"unknown result format {fmt!r}; use one of {', '.join(RESULT_FORMATS)}")


def write_rdf(
    items: Iterable[ox.Triple] | Iterable[ox.Quad],
    fmt: str,
    prefixes: dict[str, str] | None = None,
) -> bytes:
    """Serialise triples or quads in one of RDF_FORMATS (quads need trig, nquads or jsonld)."""
    try:
        _media, _ext, rdf_format, _quads = RDF_FORMATS[fmt]
    except KeyError:
        known = ", ".join(RDF_FORMATS)
        raise ValueError(f"unknown RDF format {fmt!r}; use one of {known}") from None
    use_prefixes = prefixes if rdf_format in {ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG,
                                              ox.RdfFormat.RDF_XML} else None
    out = ox.serialize(items, format=rdf_format, prefixes=use_prefixes)
    assert out is not None
    return out
