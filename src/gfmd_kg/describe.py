"""What the entity pages show, without Flask: an entity's description (its outgoing triples
with their blank-node closure, its incoming triples, its citations), the RDF of that
description, a class's instances, and an in-memory label index for accent-insensitive
search and for labelling every IRI a page mentions.

Queries are constant text; the entity's IRI is bound by the engine (and projected, as
pyoxigraph requires). Rows are SPARQL JSON bindings as ``Backend.select`` returns them.
"""

from __future__ import annotations

import threading
import time
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import quote

import pyoxigraph as ox

from .vocab import (
    GRAPH_KEYS,
    LABEL_PROPERTIES,
    graph_key,
    local_name,
    ontology_ns,
    pick_label,
    prefixes,
)

Row = dict[str, dict[str, str]]

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
OWL = "http://www.w3.org/2002/07/owl#"
RDF_TYPE = RDF + "type"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
LANG_STRING = RDF + "langString"

#: Properties whose values the search index holds, best first (the ranking uses this order).
SEARCH_PROPERTIES: tuple[str, ...] = (
    SKOS + "prefLabel", RDFS + "label", "http://xmlns.com/foaf/0.1/name", SKOS + "altLabel",
)
#: Properties that define or describe an entity, best first.
DEFINITION_PROPERTIES: tuple[str, ...] = (
    SKOS + "definition", "http://purl.org/dc/terms/description", RDFS + "comment",
)
CLASS_TYPES = frozenset({OWL + "Class", RDFS + "Class"})
PROPERTY_TYPES = frozenset({RDF + "Property", OWL + "ObjectProperty", OWL + "DatatypeProperty",
                            OWL + "AnnotationProperty"})
#: Order of badges: the graphs in build order, then any other graph.
BADGE_ORDER: tuple[str, ...] = (*GRAPH_KEYS, "other")
NEIGHBOURHOOD_MAX_NODES = 40
BNODE_DEPTH = 6
ALL_ROWS = 1_000_000


class Source(Protocol):
    """What the description needs of a store (``web.backend.Backend`` is one)."""

    base_iri: str

    def select(self, text: str, bindings: Mapping[str, Any] | None = None,
               default_graphs: list[str] | None = None,
               max_rows: int | None = None) -> list[Row]: ...


# --------------------------------------------------------------------------- queries

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
INSTANCES = "SELECT ?c ?x ?g WHERE { GRAPH ?g { ?x a ?c } FILTER(!isLiteral(?x)) }"
SUBCLASSES = ("SELECT ?c ?sub WHERE { ?sub <http://www.w3.org/2000/01/rdf-schema#subClassOf> "
              "?c FILTER(isIRI(?sub) && ?sub != ?c) }")
ALL_LABELS = (
    "SELECT ?s ?p ?o WHERE { VALUES ?p { "
    + " ".join(f"<{p}>" for p in SEARCH_PROPERTIES)
    + " } ?s ?p ?o FILTER(isIRI(?s) && isLiteral(?o)) }"
)
ALL_TYPES = "SELECT ?s ?t ?g WHERE { GRAPH ?g { ?s a ?t } FILTER(isIRI(?s) && isIRI(?t)) }"


def _citations_query(base: str) -> str:
    """Citations of an entity; the ontology's IRIs are validated by pyoxigraph first."""
    ns = ontology_ns(base)
    has, locator, doc = (str(ox.NamedNode(ns + n))
                         for n in ("hasCitation", "locator", "citedDocument"))
    return (f"SELECT ?e ?c ?loc ?doc ?g WHERE {{ GRAPH ?g {{ ?e {has} ?c }} "
            f"OPTIONAL {{ ?c {locator} ?loc }} OPTIONAL {{ ?c {doc} ?doc }} }}")


# --------------------------------------------------------------------------- terms

_FOLD_EXTRA = str.maketrans({"ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "ð": "d",
                             "þ": "th", "ı": "i"})


def fold(text: str) -> str:
    """Text for matching: accents dropped (NFKD), case folded, punctuation as spaces."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    folded = plain.casefold().translate(_FOLD_EXTRA)
    return " ".join("".join(c if c.isalnum() else " " for c in folded).split())


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


#: Labels of common terms that their vocabularies' files would give (not loaded here).
KNOWN_LABELS: Mapping[str, str] = {
    RDF_TYPE: "type", RDFS + "label": "label", RDFS + "comment": "comment",
    SKOS + "prefLabel": "preferred label", SKOS + "altLabel": "alternative label",
    "http://xmlns.com/foaf/0.1/name": "name",
}


def humanise(name: str) -> str:
    """``hadPrimarySource`` -> ``had primary source``; other names unchanged."""
    if not name[:1].islower() or not any(c.isupper() for c in name):
        return name
    words, current = [], ""
    for char in name:
        if char.isupper() and current:
            words.append(current)
            current = ""
        current += char
    return " ".join([*words, current]).lower() if current else name


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
class Hit:
    """One search result."""

    iri: str
    label: str
    matched: str
    matched_property: str
    lang: str | None
    match: str  # "exact", "prefix" or "words"
    href: str
    types: list[Term]


def _key(b: Mapping[str, str]) -> tuple[str, str, str, str]:
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


def _graph(row: Row, base: str) -> str:
    """The badge of the graph a row's statement sits in."""
    if "g" not in row:
        return "other"
    return graph_key(base, row["g"]["value"]) or "other"


def _add_graph(graphs: list[str], key: str) -> None:
    if key not in graphs:
        graphs.append(key)
        graphs.sort(key=BADGE_ORDER.index)


# --------------------------------------------------------------------------- label index

class LabelIndex:
    """Every label and type of every IRI subject, from two SELECTs, for labels and search."""

    def __init__(self, base: str, labels: Mapping[str, list[tuple[str, str, str | None]]],
                 types: Mapping[str, list[tuple[str, str]]]) -> None:
        self.base = base
        self.prefixes = prefixes(base)
        self._labels = dict(labels)
        self._types = dict(types)
        rank = {p: i for i, p in enumerate(SEARCH_PROPERTIES)}
        self._folded = sorted(
            (fold(text), iri, rank[prop], text, lang, prop)
            for iri, candidates in self._labels.items()
            for prop, text, lang in candidates
        )

    @classmethod
    def load(cls, source: Source) -> LabelIndex:
        labels: dict[str, list[tuple[str, str, str | None]]] = {}
        for row in source.select(ALL_LABELS, max_rows=ALL_ROWS):
            labels.setdefault(row["s"]["value"], []).append(
                (row["p"]["value"], row["o"]["value"], row["o"].get("xml:lang")))
        types: dict[str, list[tuple[str, str]]] = {}
        for row in source.select(ALL_TYPES, max_rows=ALL_ROWS):
            types.setdefault(row["s"]["value"], []).append(
                (row["t"]["value"], row["g"]["value"]))
        return cls(source.base_iri, labels, types)

    def label(self, iri: str) -> str:
        """The English label of an IRI; else a readable form of its local name."""
        candidates = self._labels.get(iri)
        if candidates and any(p in LABEL_PROPERTIES for p, _t, _l in candidates):
            return pick_label(candidates, iri)
        if candidates:  # only a foaf:name or an alternative label
            return min(candidates, key=lambda c: (SEARCH_PROPERTIES.index(c[0]),
                                                  c[2] not in ("en", None)))[1]
        return KNOWN_LABELS.get(iri) or humanise(local_name(iri))

    def iri_term(self, iri: str) -> Term:
        return Term("iri", iri, self.label(iri), href=entity_path(iri, self.base),
                    external=iri if is_web_iri(iri) and not iri.startswith(self.base) else None,
                    curie=curie(iri, self.prefixes))

    def literal_term(self, b: Mapping[str, str]) -> Term:
        datatype = b.get("datatype")
        short = None
        if datatype and datatype not in (XSD_STRING, LANG_STRING):
            short = curie(datatype, self.prefixes) or datatype
        return Term("literal", b["value"], b["value"], lang=b.get("xml:lang"), datatype=short)

    def term(self, b: Mapping[str, str]) -> Term:
        if b["type"] == "uri":
            return self.iri_term(b["value"])
        if b["type"] == "bnode":
            return Term("bnode", b["value"], "anonymous node")
        if b["type"] == "triple":
            return Term("literal", "<< quoted triple >>", "<< quoted triple >>")
        return self.literal_term(b)

    def types_of(self, iri: str) -> list[str]:
        """The types stated for an IRI (not inferred), or the inferred ones if none."""
        inferred = f"{self.base}graph/inferred"
        pairs = self._types.get(iri, [])
        stated = [t for t, g in pairs if g != inferred]
        return list(dict.fromkeys(stated or [t for t, _g in pairs]))

    def classes(self) -> list[tuple[Term, int]]:
        """Classes of the described individuals (stated outside the ontology), by count."""
        skip = {f"{self.base}graph/{k}" for k in ("ontology", "inferred")}
        members: dict[str, set[str]] = {}
        for iri, pairs in self._types.items():
            for cls, graph in pairs:
                if graph not in skip:
                    members.setdefault(cls, set()).add(iri)
        ranked = sorted(members.items(), key=lambda kv: (-len(kv[1]), self.label(kv[0])))
        return [(self.iri_term(cls), len(found)) for cls, found in ranked]

    def search(self, query: str, limit: int = 50) -> list[Hit]:
        """Entities whose labels match: exact > prefix > all words; prefLabel first."""
        wanted = fold(query)
        words = wanted.split()
        if not words:
            return []
        best: dict[str, tuple[tuple[int, int, int, str], int, str, str | None, str]] = {}
        for folded, iri, prop_rank, text, lang, prop in self._folded:
            if folded == wanted:
                tier = 0
            elif folded.startswith(wanted):
                tier = 1
            elif all(w in folded for w in words):
                tier = 2
            else:
                continue
            key = (tier, prop_rank, len(folded), folded)
            if iri not in best or key < best[iri][0]:
                best[iri] = (key, tier, text, lang, prop)
        ranked = sorted(best.items(), key=lambda kv: (kv[1][0], kv[0]))[:limit]
        tiers = ("exact", "prefix", "words")
        return [Hit(iri, self.label(iri), text, curie(prop, self.prefixes) or prop, lang,
                    tiers[tier], entity_path(iri, self.base),
                    [self.iri_term(t) for t in self.types_of(iri)])
                for iri, (_k, tier, text, lang, prop) in ranked]


class IndexCache:
    """One label index per app: rebuilt when the store's counts change (checked at most
    every ``check_every`` seconds) and at least every ``max_age`` seconds."""

    def __init__(self, check_every: float = 5.0, max_age: float = 300.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.check_every = check_every
        self.max_age = max_age
        self.clock = clock
        self._lock = threading.Lock()
        self._index: LabelIndex | None = None
        self._counts: Mapping[str, int] | None = None
        self._built = self._checked = 0.0

    def get(self, source: Source, counts: Callable[[], Mapping[str, int]]) -> LabelIndex:
        """The index, rebuilt first if ``counts()`` (triples per graph) changed."""
        with self._lock:
            now = self.clock()
            stale = self._index is None or now - self._built > self.max_age
            if not stale and now - self._checked > self.check_every:
                self._checked = now
                stale = counts() != self._counts
            if stale or self._index is None:
                self._counts = counts()
                self._index = LabelIndex.load(source)
                self._built = self._checked = now
            return self._index


# --------------------------------------------------------------------------- descriptions

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
        value = values.get(_key(v))
        if value is None:
            value = values[_key(v)] = Value(make(v))
        _add_graph(value.graphs, graph)
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
    type_groups = _groups(((r["p"], r["o"], _graph(r, base)) for r in direct
                           if r["p"]["value"] == RDF_TYPE and r["o"]["type"] == "uri"),
                          index, index.term)
    types = type_groups[0].values if type_groups else []
    outgoing = _groups(((r["p"], r["o"], _graph(r, base)) for r in direct
                        if r["p"]["value"] != RDF_TYPE), index, blank.term)
    incoming_all = _groups(((r["p"], r["s"], _graph(r, base)) for r in raw.incoming),
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
        _add_graph(found[cited].graphs, _graph(row, index.base))
    return sorted(found.values(), key=lambda c: (c.locator or c.iri.label).casefold())


def _kind(iri: str, base: str) -> str:
    prefix = base + "id/"
    if iri.startswith(prefix) and "/" in iri[len(prefix):]:
        return iri[len(prefix):].split("/", 1)[0]
    return "ontology" if iri.startswith(ontology_ns(base)) else "external"


def neighbourhood(raw: Raw, index: LabelIndex, label: str,
                  max_nodes: int = NEIGHBOURHOOD_MAX_NODES) -> dict[str, Any]:
    """One hop around the entity for vis-network: stated links first, at most
    ``max_nodes`` nodes; an inferred link is left out when a stated one joins the pair."""
    base = index.base
    links: list[tuple[int, str, str, str, bool]] = []  # (rank, from, to, property, inferred)
    for row in raw.outgoing:
        if "x" in row or row["o"]["type"] != "uri" or row["p"]["value"] == RDF_TYPE:
            continue
        inferred = _graph(row, base) == "inferred"
        links.append((2 * inferred, raw.iri, row["o"]["value"], row["p"]["value"], inferred))
    for row in raw.incoming:
        if row["s"]["type"] != "uri":
            continue
        inferred = _graph(row, base) == "inferred"
        links.append((2 * inferred + 1, row["s"]["value"], raw.iri, row["p"]["value"],
                      inferred))
    links.sort(key=lambda link: link[0])
    nodes: dict[str, dict[str, Any]] = {raw.iri: {
        "id": raw.iri, "label": _short(label), "url": entity_path(raw.iri, base),
        "group": _kind(raw.iri, base), "center": True}}
    pairs: set[frozenset[str]] = set()
    edges: dict[tuple[str, str, str], dict[str, Any]] = {}
    for _rank, start, end, prop, inferred in links:
        other = end if start == raw.iri else start
        pair = frozenset((start, end))
        if inferred and pair in pairs:
            continue
        if other not in nodes:
            if len(nodes) >= max_nodes:
                continue
            nodes[other] = {"id": other, "label": _short(index.label(other)),
                            "url": entity_path(other, base), "group": _kind(other, base),
                            "center": False}
        pairs.add(pair)
        edges.setdefault((start, end, prop), {"from": start, "to": end,
                                              "label": _short(index.label(prop), 24),
                                              "inferred": inferred})
    return {"center": raw.iri, "nodes": list(nodes.values()), "edges": list(edges.values())}


def _short(text: str, width: int = 36) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


# --------------------------------------------------------------------------- classes

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
        value = members.setdefault(_key(row["x"]), Value(index.term(row["x"])))
        _add_graph(value.graphs, _graph(row, index.base))
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
