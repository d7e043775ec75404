"""The rows an entity page is made of: the description queries, fetching them, their RDF."""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from .terms import ALL_ROWS, Row, Source, to_ox
from .vocab import ontology_ns

BNODE_DEPTH = 6

# Queries are constant text; the entity's IRI is bound by the engine (and projected, as
# pyoxigraph requires). Rows are SPARQL JSON bindings as ``Backend.select`` returns them.


def _bnode_chain(depth: int) -> str:
    steps = ["?s ?p0 ?b0"] + [f"?b{i - 1} ?p{i} ?b{i}" for i in range(1, depth + 1)]
    blank = " && ".join(f"isBlank(?b{i})" for i in range(depth + 1))
    return "{ " + " . ".join(steps) + f" . FILTER({blank}) BIND(?b{depth} AS ?x) }}"


#: The entity's own triples (?x unbound) and those of the blank nodes it reaches (?x).
OUTGOING = (
    "SELECT ?s ?x ?p ?o ?g WHERE { GRAPH ?g { { ?s ?p ?o } UNION { { "
    + " UNION ".join(_bnode_chain(d) for d in range(BNODE_DEPTH))
    + " } ?x ?p ?o } } }"
)
INCOMING = "SELECT ?o ?s ?p ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
PREDICATE_USES = "SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p"


def _citations_query(base: str) -> str:
    """Citations of an entity; the ontology's IRIs are validated by pyoxigraph first."""
    ns = ontology_ns(base)
    has, locator, doc = (str(ox.NamedNode(ns + n))
                         for n in ("hasCitation", "locator", "citedDocument"))
    return (f"SELECT ?e ?c ?loc ?doc ?g WHERE {{ GRAPH ?g {{ ?e {has} ?c }} "
            f"OPTIONAL {{ ?c {locator} ?loc }} OPTIONAL {{ ?c {doc} ?doc }} }}")


@dataclass
class Raw:
    """The rows an entity page is made of."""

    iri: str
    outgoing: list[Row]
    incoming: list[Row]
    citations: list[Row]

    @property
    def empty(self) -> bool:
        return not (self.outgoing or self.incoming)


def fetch(source: Source, iri: str) -> Raw:
    """Run the description queries for one IRI (raises ValueError if it is no IRI)."""
    node = ox.NamedNode(iri)
    outgoing = source.select(OUTGOING, {"s": node}, max_rows=ALL_ROWS)
    incoming = source.select(INCOMING, {"o": node}, max_rows=ALL_ROWS)
    citations = source.select(_citations_query(source.base_iri), {"e": node},
                              max_rows=ALL_ROWS) if outgoing else []
    return Raw(iri, outgoing, incoming, citations)


def predicate_uses(source: Source, iri: str) -> int:
    """How many triples use an IRI as their property."""
    rows = source.select(PREDICATE_USES, {"p": ox.NamedNode(iri)})
    return int(rows[0]["n"]["value"]) if rows and "n" in rows[0] else 0


def triples(raw: Raw, base: str) -> list[ox.Triple]:
    """The RDF of a description: outgoing triples with their blank nodes, incoming triples,
    and the locator and document of each citation; without duplicates."""
    subject = ox.NamedNode(raw.iri)
    found: dict[ox.Triple, None] = {}
    for row in raw.outgoing:
        s = to_ox(row["x"]) if "x" in row else subject
        p, o = to_ox(row["p"]), to_ox(row["o"])
        if isinstance(s, (ox.NamedNode, ox.BlankNode)) and isinstance(p, ox.NamedNode) and o:
            found[ox.Triple(s, p, o)] = None
    for row in raw.incoming:
        s, p = to_ox(row["s"]), to_ox(row["p"])
        if isinstance(s, (ox.NamedNode, ox.BlankNode)) and isinstance(p, ox.NamedNode):
            found[ox.Triple(s, p, subject)] = None
    ns = ontology_ns(base)
    for row in raw.citations:
        cited = to_ox(row["c"])
        if not isinstance(cited, ox.NamedNode):
            continue
        for var, name in (("loc", "locator"), ("doc", "citedDocument")):
            value = to_ox(row[var]) if var in row else None
            if value is not None:
                found[ox.Triple(cited, ox.NamedNode(ns + name), value)] = None
    return list(found)
