"""A class page: the class, its super- and subclasses, and a page of its instances."""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from .describe import describe
from .entityrows import OUTGOING, Raw
from .labels import LabelIndex
from .terms import ALL_ROWS, RDFS, Source, Term, Value, add_graph, row_graph, value_key

INSTANCES = "SELECT ?c ?x ?g WHERE { GRAPH ?g { ?x a ?c } FILTER(!isLiteral(?x)) }"
SUBCLASSES = ("SELECT ?c ?sub WHERE { ?sub <http://www.w3.org/2000/01/rdf-schema#subClassOf> "
              "?c FILTER(isIRI(?sub) && ?sub != ?c) }")


@dataclass
class ClassPage:
    """A class and a page of its instances."""

    iri: Term
    label: str
    definition: Term | None
    superclasses: list[Term]
    subclasses: list[Term]
    instances: list[Value]
    total: int
    page: int
    pages: int
    per_page: int


def class_page(source: Source, iri: str, index: LabelIndex, page: int = 1,
               per_page: int = 50) -> ClassPage | None:
    """The instances of a class (stated or inferred), sorted by label; None if the IRI is
    neither described nor used as a class."""
    node = ox.NamedNode(iri)
    raw = Raw(iri, source.select(OUTGOING, {"s": node}, max_rows=ALL_ROWS), [], [])
    rows = source.select(INSTANCES, {"c": node}, max_rows=ALL_ROWS)
    subs = source.select(SUBCLASSES, {"c": node}, max_rows=ALL_ROWS)
    if raw.empty and not rows and not subs:
        return None
    described = describe(raw, index)
    members: dict[tuple[str, str, str, str], Value] = {}
    for row in rows:
        value = members.setdefault(value_key(row["x"]), Value(index.term(row["x"])))
        add_graph(value.graphs, row_graph(row, index.base))
    ordered = sorted(members.values(), key=lambda v: (v.term.label.casefold(), v.term.value))
    pages = max(1, -(-len(ordered) // per_page))
    page = min(max(1, page), pages)
    supers = [v.term for g in described.outgoing if g.prop.value == RDFS + "subClassOf"
              for v in g.values if v.term.kind == "iri"]
    subclasses = sorted({r["sub"]["value"] for r in subs}, key=index.label)
    return ClassPage(
        iri=index.iri_term(iri), label=described.label, definition=described.definition,
        superclasses=supers, subclasses=[index.iri_term(s) for s in subclasses],
        instances=ordered[(page - 1) * per_page: page * per_page], total=len(ordered),
        page=page, pages=pages, per_page=per_page)
