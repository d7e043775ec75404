"""A small Python API for notebooks: open the built dataset and run queries, getting rows.

>>> from gfmd_kg import api
>>> kg = api.open()                      # the built dataset in the embedded engine
>>> kg.run("challenges-of-session", session="https://w3id.org/gfmd-kg/id/session/...")
>>> kg.select("SELECT ?s WHERE { ?s a gfmd:Challenge }")
>>> ds = kg.dataset()                    # the same data as an rdflib Dataset
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import Dataset

from .namedqueries import NamedQuery, NamedQueryError, load_named_queries
from .results import AskResult, GraphResult, SelectResult
from .settings import load_settings
from .store import Binding, GraphStore, open_store
from .vocab import prefixes

Row = dict[str, Any]


def to_python(term: Any) -> Any:
    """A term as a plain Python value: IRIs and strings as str, numbers and dates typed."""
    if term is None:
        return None
    if isinstance(term, ox.Literal):
        from rdflib import Literal, URIRef

        lit = Literal(term.value, lang=term.language,
                      datatype=None if term.language else URIRef(term.datatype.value))
        value = lit.toPython()
        return str(value) if isinstance(value, Literal) else value
    return getattr(term, "value", str(term))


def dataset_from_store(store: GraphStore) -> Dataset:
    """Copy a store's quads into an rdflib Dataset (through N-Quads, a real round trip)."""
    data = ox.serialize(store.quads(), format=ox.RdfFormat.N_QUADS)
    dataset = Dataset()
    dataset.parse(data=data, format="nquads")
    return dataset


class KnowledgeGraph:
    """The built dataset behind one object: named queries, ad-hoc queries, an rdflib view."""

    def __init__(self, store: GraphStore, queries_dir: Path) -> None:
        self.store = store
        self.queries: dict[str, NamedQuery] = load_named_queries(queries_dir)

    def _prologue(self) -> str:
        return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in prefixes(self.store.base_iri).items())

    def select(self, text: str, **bindings: Binding) -> list[Row]:
        """Run a SELECT (our prefixes are predeclared) and return rows as dicts."""
        result = self.store.query(self._prologue() + text, bindings=bindings or None)
        if not isinstance(result, SelectResult):
            raise ValueError("select() takes a SELECT query; use query() for other forms")
        return [
            {n: to_python(t) for n, t in zip(result.variables, row, strict=True)}
            for row in result.rows
        ]

    def query(self, text: str, **bindings: Binding) -> SelectResult | AskResult | GraphResult:
        """Run any query and return the raw result shape."""
        return self.store.query(self._prologue() + text, bindings=bindings or None)

    def run(self, name: str, **params: str) -> list[Row]:
        """Run a named query from ``queries/`` with its parameters bound as RDF terms."""
        try:
            named = self.queries[name]
        except KeyError:
            raise NamedQueryError(
                f"no named query {name!r}; known: {', '.join(self.queries)}"
            ) from None
        base = self.store.base_iri
        result = self.store.query(named.text_for(base), bindings=named.bindings(params, base))
        if isinstance(result, SelectResult):
            return [
                {n: to_python(t) for n, t in zip(result.variables, row, strict=True)}
                for row in result.rows
            ]
        if isinstance(result, AskResult):
            return [{"result": result.value}]
        return [
            {"subject": to_python(t.subject), "predicate": t.predicate.value,
             "object": to_python(t.object)}
            for t in result.triples
        ]

    def dataset(self) -> Dataset:
        """The whole dataset as an rdflib Dataset (named graphs kept)."""
        return dataset_from_store(self.store)


def open(settings: Mapping[str, Any] | None = None) -> KnowledgeGraph:
    """Open the built dataset (building it when the cache is stale)."""
    values = load_settings(settings)
    return KnowledgeGraph(open_store(values), Path(values["source_dir"]) / "queries")
