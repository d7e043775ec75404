"""RDF terms as the entity pages show them: namespaces, store rows, links to our pages."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import quote

import pyoxigraph as ox

from .vocab import GRAPH_KEYS, graph_key

#: A SPARQL JSON binding row as ``Backend.select`` returns it.
Row = dict[str, dict[str, str]]

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
OWL = "http://www.w3.org/2002/07/owl#"
RDF_TYPE = RDF + "type"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
LANG_STRING = RDF + "langString"
#: Order of badges: the graphs in build order, then any other graph.
BADGE_ORDER: tuple[str, ...] = (*GRAPH_KEYS, "other")
ALL_ROWS = 1_000_000


class Source(Protocol):
    """What the description needs of a store (``web.backend.Backend`` is one)."""

    base_iri: str

    def select(self, text: str, bindings: Mapping[str, Any] | None = None,
               default_graphs: list[str] | None = None,
               max_rows: int | None = None) -> list[Row]: ...


#: URL suffixes of an entity's RDF descriptions -> short format names.
SUFFIX_FORMATS: Mapping[str, str] = {".ttl": "turtle", ".jsonld": "jsonld", ".nt": "nt",
                                     ".rdf": "xml"}
SUFFIX_FORMATS_KEYS = tuple(SUFFIX_FORMATS)


def entity_path(iri: str, base: str) -> str:
    """The page of an IRI on this server: ``/id/...`` for individuals, else ``/resource``."""
    prefix = base + "id/"
    rest = iri[len(prefix):] if iri.startswith(prefix) else ""
    if rest and not any(c in rest for c in "?#") and not rest.endswith(SUFFIX_FORMATS_KEYS):
        return "/id/" + quote(rest, safe="/-._~!$&'()*+,;=:@")
    return "/resource?iri=" + quote(iri, safe="")


def class_path(iri: str) -> str:
    return "/class?iri=" + quote(iri, safe="")


def is_web_iri(iri: str) -> bool:
    """Whether an IRI may be an outside link (only http and https ever are)."""
    return iri.lower().startswith(("http://", "https://"))


def curie(iri: str, prefix_map: Mapping[str, str]) -> str | None:
    """``prefix:local`` for an IRI in a known namespace, else None."""
    best: tuple[int, str] | None = None
    for name, ns in prefix_map.items():
        if iri.startswith(ns) and len(iri) > len(ns):
            local = iri[len(ns):]
            if all(c.isalnum() or c in "-_." for c in local) and (
                    best is None or len(ns) > best[0]):
                best = (len(ns), f"{name}:{local}")
    return best[1] if best else None


@dataclass(frozen=True)
class Term:
    """One RDF term as a page shows it."""

    kind: str  # "iri", "bnode" or "literal"
    value: str
    label: str
    href: str | None = None  # our page of the IRI
    external: str | None = None  # the IRI itself when it is a web IRI outside our base
    curie: str | None = None
    lang: str | None = None
    datatype: str | None = None  # short name of a datatype other than string
    parts: tuple[tuple[Term, tuple[Term, ...]], ...] = ()  # a blank node's statements
    items: tuple[Term, ...] | None = None  # the members when a blank node heads a list


@dataclass
class Value:
    """A value (or a referring subject) and the graphs that state it."""

    term: Term
    graphs: list[str] = field(default_factory=list)


def value_key(b: Mapping[str, str]) -> tuple[str, str, str, str]:
    """What makes two SPARQL JSON terms the same value."""
    return (b["type"], b["value"], b.get("xml:lang", ""), b.get("datatype", ""))


def to_ox(b: Mapping[str, str]) -> ox.NamedNode | ox.BlankNode | ox.Literal | None:
    """A SPARQL JSON term as a pyoxigraph term (None for RDF-star triple terms)."""
    kind = b["type"]
    if kind == "uri":
        return ox.NamedNode(b["value"])
    if kind == "bnode":
        return ox.BlankNode(b["value"])
    if kind in ("literal", "typed-literal"):
        if "xml:lang" in b:
            return ox.Literal(b["value"], language=b["xml:lang"])
        return ox.Literal(b["value"], datatype=ox.NamedNode(b.get("datatype", XSD_STRING)))
    return None


def row_graph(row: Row, base: str) -> str:
    """The badge of the graph a row's statement sits in."""
    if "g" not in row:
        return "other"
    return graph_key(base, row["g"]["value"]) or "other"


def add_graph(graphs: list[str], key: str) -> None:
    """Add a graph badge to a value's badges, kept in badge order."""
    if key not in graphs:
        graphs.append(key)
        graphs.sort(key=BADGE_ORDER.index)

