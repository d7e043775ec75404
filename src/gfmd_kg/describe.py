"""What an entity page shows, without Flask: its triples grouped by property, its citations."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .entityrows import Raw
from .labels import SEARCH_PROPERTIES, LabelIndex
from .neighbourhood import neighbourhood
from .terms import (
    OWL,
    RDF,
    RDF_TYPE,
    RDFS,
    SKOS,
    Row,
    Term,
    Value,
    add_graph,
    row_graph,
    value_key,
)
from .vocab import LABEL_PROPERTIES, pick_label

#: Properties that define or describe an entity, best first.
DEFINITION_PROPERTIES: tuple[str, ...] = (
    SKOS + "definition", "http://purl.org/dc/terms/description", RDFS + "comment",
)
CLASS_TYPES = frozenset({OWL + "Class", RDFS + "Class"})
PROPERTY_TYPES = frozenset({RDF + "Property", OWL + "ObjectProperty", OWL + "DatatypeProperty",
                            OWL + "AnnotationProperty"})


@dataclass
class PropertyGroup:
    """The values of one property, a page of them when there are many."""

    prop: Term
    values: list[Value]
    total: int
    page: int = 1
    pages: int = 1


@dataclass
class Citation:
    """A pointer back to the report: where (locator) and in which document."""

    iri: Term
    locator: str | None
    document: Term | None
    graphs: list[str]


@dataclass
class Description:
    """Everything the entity page shows."""

    iri: Term
    label: str
    label_lang: str | None
    other_labels: list[Term]
    types: list[Value]
    definition: Term | None
    outgoing: list[PropertyGroup]
    incoming: list[PropertyGroup]
    incoming_total: int
    citations: list[Citation]
    neighbourhood: dict[str, Any]
    is_class: bool
    is_property: bool


_PRIORITY = {p: i for i, p in enumerate((*SEARCH_PROPERTIES, *DEFINITION_PROPERTIES))}
_LAST = ("http://www.w3.org/ns/prov#hadPrimarySource", "hasCitation")


def _group_order(prop: Term) -> tuple[int, str]:
    if prop.value in _PRIORITY:
        return (_PRIORITY[prop.value], "")
    if prop.value.endswith(_LAST):
        return (100, prop.label.casefold())
    return (50, prop.label.casefold())


def _value_order(value: Value) -> tuple[int, int, str]:
    only_inferred = int(value.graphs == ["inferred"])
    lang_rank = 0 if value.term.lang in (None, "en") else 1
    return (only_inferred, lang_rank, value.term.label.casefold())


class _Blank:
    """Blank nodes reached from the entity, rendered as nested terms."""

    def __init__(self, rows: Iterable[Row], index: LabelIndex) -> None:
        self.index = index
        self.statements: dict[str, list[tuple[Mapping[str, str], Mapping[str, str]]]] = {}
        for row in rows:
            if "x" in row and row["x"]["type"] == "bnode":
                pairs = self.statements.setdefault(row["x"]["value"], [])
                if (row["p"], row["o"]) not in pairs:
                    pairs.append((row["p"], row["o"]))

    def term(self, b: Mapping[str, str], seen: frozenset[str] = frozenset()) -> Term:
        if b["type"] != "bnode":
            return self.index.term(b)
        node = b["value"]
        if node in seen or node not in self.statements:
            return Term("bnode", node, "anonymous node")
        seen = seen | {node}
        items = self._list(node, seen)
        if items is not None:
            return Term("bnode", node, "list", items=items)
        grouped: dict[str, list[Term]] = {}
        for p, o in self.statements[node]:
            grouped.setdefault(p["value"], []).append(self.term(o, seen))
        parts = tuple((self.index.iri_term(p), tuple(values)) for p, values in grouped.items())
        return Term("bnode", node, "anonymous node", parts=parts)

    def _list(self, node: str, seen: frozenset[str]) -> tuple[Term, ...] | None:
        items: list[Term] = []
        current: str | None = node
        while current is not None:
            pairs = {p["value"]: o for p, o in self.statements.get(current, [])}
            if set(pairs) != {RDF + "first", RDF + "rest"}:
                return None
            items.append(self.term(pairs[RDF + "first"], seen))
            rest = pairs[RDF + "rest"]
            if rest["type"] == "uri" and rest["value"] == RDF + "nil":
                return tuple(items)
            current = rest["value"] if rest["type"] == "bnode" and rest["value"] not in (
                seen | {node}) else None
        return None


def _groups(rows: Iterable[tuple[Mapping[str, str], Mapping[str, str], str]],
            index: LabelIndex, make: Callable[[Mapping[str, str]], Term]) -> list[PropertyGroup]:
    by_prop: dict[str, dict[tuple[str, str, str, str], Value]] = {}
    for p, v, graph in rows:
        values = by_prop.setdefault(p["value"], {})
        value = values.get(value_key(v))
        if value is None:
            value = values[value_key(v)] = Value(make(v))
        add_graph(value.graphs, graph)
    groups = [PropertyGroup(index.iri_term(p), sorted(vals.values(), key=_value_order),
                            len(vals)) for p, vals in by_prop.items()]
    return sorted(groups, key=lambda g: _group_order(g.prop))


def _page(group: PropertyGroup, page: int, per_page: int) -> PropertyGroup:
    pages = max(1, -(-group.total // per_page))
    page = min(max(1, page), pages)
    start = (page - 1) * per_page
    return PropertyGroup(group.prop, group.values[start:start + per_page], group.total, page,
                         pages)


def describe(raw: Raw, index: LabelIndex, *, page: int = 1, page_prop: str | None = None,
             per_prop: int = 20) -> Description:
    """The page of an entity from its rows; incoming groups are paged ``per_prop`` at a
    time (``page`` applies to the group of ``page_prop``, or to all when it is None)."""
    base = index.base
    direct = [r for r in raw.outgoing if "x" not in r]
    blank = _Blank(raw.outgoing, index)
    candidates = [(r["p"]["value"], r["o"]["value"], r["o"].get("xml:lang")) for r in direct
                  if r["o"]["type"] == "literal"]
    label = pick_label(candidates, raw.iri)
    label_lang = next((lang for prop, text, lang in candidates
                       if text == label and prop in LABEL_PROPERTIES), None)
    other_labels = [index.literal_term(r["o"]) for r in direct
                    if r["p"]["value"] in SEARCH_PROPERTIES and r["o"]["type"] == "literal"
                    and r["o"]["value"] != label]
    other_labels = list({(t.value, t.lang): t for t in other_labels}.values())
    definition = None
    for prop in DEFINITION_PROPERTIES:
        found = [r["o"] for r in direct if r["p"]["value"] == prop and r["o"]["type"] == "literal"]
        if found:
            best = min(found, key=lambda o: (o.get("xml:lang") not in (None, "en")))
            definition = index.literal_term(best)
            break
    type_groups = _groups(((r["p"], r["o"], row_graph(r, base)) for r in direct
                           if r["p"]["value"] == RDF_TYPE and r["o"]["type"] == "uri"),
                          index, index.term)
    types = type_groups[0].values if type_groups else []
    outgoing = _groups(((r["p"], r["o"], row_graph(r, base)) for r in direct
                        if r["p"]["value"] != RDF_TYPE), index, blank.term)
    incoming_all = _groups(((r["p"], r["s"], row_graph(r, base)) for r in raw.incoming),
                           index, index.term)
    incoming = [_page(g, page if page_prop in (None, g.prop.value) else 1, per_prop)
                for g in incoming_all]
    type_iris = {v.term.value for v in types}
    return Description(
        iri=index.iri_term(raw.iri), label=label, label_lang=label_lang,
        other_labels=other_labels, types=types, definition=definition,
        outgoing=outgoing, incoming=incoming,
        incoming_total=sum(g.total for g in incoming_all),
        citations=_citations(raw, index),
        neighbourhood=neighbourhood(raw, index, label),
        is_class=bool(type_iris & CLASS_TYPES) or any(
            r["p"]["value"] == RDF_TYPE for r in raw.incoming),
        is_property=bool(type_iris & PROPERTY_TYPES),
    )


def _citations(raw: Raw, index: LabelIndex) -> list[Citation]:
    found: dict[str, Citation] = {}
    for row in raw.citations:
        if row["c"]["type"] != "uri":
            continue
        cited = row["c"]["value"]
        if cited not in found:
            doc = row.get("doc")
            found[cited] = Citation(index.iri_term(cited),
                                    row["loc"]["value"] if "loc" in row else None,
                                    index.term(doc) if doc else None, [])
        add_graph(found[cited].graphs, row_graph(row, index.base))
    return sorted(found.values(), key=lambda c: (c.locator or c.iri.label).casefold())

