"""The in-memory label index: labels for every IRI a page mentions, accent folding, search."""

from __future__ import annotations

import threading
import time
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from .terms import (
    ALL_ROWS,
    LANG_STRING,
    RDF_TYPE,
    RDFS,
    SKOS,
    XSD_STRING,
    Source,
    Term,
    curie,
    entity_path,
    is_web_iri,
)
from .vocab import LABEL_PROPERTIES, local_name, pick_label, prefixes

#: Properties whose values the search index holds, best first (the ranking uses this order).
SEARCH_PROPERTIES: tuple[str, ...] = (
    SKOS + "prefLabel", RDFS + "label", "http://xmlns.com/foaf/0.1/name", SKOS + "altLabel",
)
ALL_LABELS = (
    "SELECT ?s ?p ?o WHERE { VALUES ?p { "
    + " ".join(f"<{p}>" for p in SEARCH_PROPERTIES)
    + " } ?s ?p ?o FILTER(isIRI(?s) && isLiteral(?o)) }"
)
ALL_TYPES = "SELECT ?s ?t ?g WHERE { GRAPH ?g { ?s a ?t } FILTER(isIRI(?s) && isIRI(?t)) }"

_FOLD_EXTRA = str.maketrans({"ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "ð": "d",
                             "þ": "th", "ı": "i"})


def fold(text: str) -> str:
    """Text for matching: accents dropped (NFKD), case folded, punctuation as spaces."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    folded = plain.casefold().translate(_FOLD_EXTRA)
    return " ".join("".join(c if c.isalnum() else " " for c in folded).split())


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

