"""The store: the one module that knows which engine holds the graph.

``open_store(settings)`` gives a ``GraphStore``: the built dataset in pyoxigraph's memory
store, a pyoxigraph on-disk store, or a remote SPARQL 1.1 endpoint. The rest of the code
only sees ``GraphStore`` and the result shapes of ``results``.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from .build import build, count_graphs
from .results import AskResult, GraphResult, QueryResult, SelectResult
from .vocab import GRAPH_KEYS, graph_iri

log = logging.getLogger(__name__)

Binding = ox.NamedNode | ox.Literal


class StoreError(Exception):
    """The store cannot do what was asked (not a problem with the query itself)."""


class QuerySyntaxError(ValueError):
    """A query or update is not valid SPARQL; the message says where."""


class GraphStore(ABC):
    """What every store offers: queries, updates, and reading and loading quads."""

    kind: str = "abstract"

    def __init__(self, base_iri: str) -> None:
        self.base_iri = base_iri

    @abstractmethod
    def query(
        self,
        text: str,
        *,
        bindings: Mapping[str, Binding] | None = None,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
    ) -> QueryResult:
        """Run a query. The default graph is the union of all graphs unless
        ``default_graphs`` names some; ``bindings`` fix variables to terms."""

    @abstractmethod
    def update(self, text: str) -> None:
        """Run a SPARQL 1.1 Update."""

    @abstractmethod
    def quads(self, graph: str | None = None) -> Iterator[ox.Quad]:
        """Every quad, or those of one named graph."""

    @abstractmethod
    def graph_counts(self) -> dict[str, int]:
        """Triples per named graph IRI."""

    def close(self) -> None:  # noqa: B027  (most stores have nothing to release)
        """Release the store."""


class EmbeddedStore(GraphStore):
    """pyoxigraph in this process: in memory, or on disk at a path."""

    def __init__(self, store: ox.Store, base_iri: str, kind: str, path: Path | None = None):
        super().__init__(base_iri)
        self.store = store
        self.kind = kind
        self.path = path

    def query(
        self,
        text: str,
        *,
        bindings: Mapping[str, Binding] | None = None,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
    ) -> QueryResult:
        options: dict[str, Any] = {}
        if default_graphs:
            options["default_graph"] = [ox.NamedNode(g) for g in default_graphs]
        else:
            options["use_default_graph_as_union"] = True
        if named_graphs:
            options["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
        if bindings:
            options["substitutions"] = {ox.Variable(k): v for k, v in bindings.items()}
        try:
            result = self.store.query(text, **options)
        except SyntaxError as exc:
            raise QuerySyntaxError(str(exc)) from exc
        except RuntimeError as exc:
            if "projection" not in str(exc):
                raise
            # pyoxigraph binds (SEP-0007) only variables the query projects
            raise QuerySyntaxError(f"a bound parameter must be projected by the query: {exc}"
                                   ) from exc
        return convert_result(result)

    def update(self, text: str) -> None:
        try:
            self.store.update(text)
        except SyntaxError as exc:
            raise QuerySyntaxError(str(exc)) from exc

    def quads(self, graph: str | None = None) -> Iterator[ox.Quad]:
        target: Any = (None if graph is None else ox.DefaultGraph() if graph == ""
                       else ox.NamedNode(graph))
        return iter(self.store.quads_for_pattern(None, None, None, target))

    def graph_counts(self) -> dict[str, int]:
        counts = {}
        for name in self.store.named_graphs():
            if isinstance(name, ox.NamedNode):
                counts[name.value] = sum(
                    1 for _ in self.store.quads_for_pattern(None, None, None, name)
                )
        default = sum(
            1 for _ in self.store.quads_for_pattern(None, None, None, ox.DefaultGraph())
        )
        if default:
            counts[""] = default
        return counts

    def close(self) -> None:
        if self.path is not None:
            self.store.flush()


def convert_result(result: Any) -> QueryResult:
    """pyoxigraph's answer in our result shape (lazy for SELECT and CONSTRUCT)."""
    if isinstance(result, ox.QueryBoolean):
        return AskResult(bool(result))
    if isinstance(result, ox.QuerySolutions):
        names = [v.value for v in result.variables]
        rows = (tuple(solution[i] for i in range(len(names))) for solution in result)
        return SelectResult(names, rows, native=result)
    return GraphResult(iter(result))


def open_store(settings: Mapping[str, Any]) -> GraphStore:
    """Open the store the settings name; fill an on-disk store that holds none of our
    graphs with the built graph (other data loaded into it stays beside it)."""
    spec: str = settings["store"]
    base_iri: str = settings["base_iri"]
    if spec == "memory":
        built = build(dict(settings))
        return EmbeddedStore(built.store, base_iri, "memory")
    if spec.startswith("oxigraph:"):
        path = Path(spec.removeprefix("oxigraph:")).expanduser()
        if not str(path):
            raise StoreError("--store oxigraph:PATH needs a folder path after 'oxigraph:'")
        try:
            path.mkdir(parents=True, exist_ok=True)
            disk = ox.Store(str(path))
        except OSError as exc:
            raise StoreError(f"cannot open the on-disk store at {path}: {exc}") from exc
        store = EmbeddedStore(disk, base_iri, "oxigraph", path)
        ours = [ox.NamedNode(graph_iri(base_iri, k)) for k in GRAPH_KEYS]
        if not any(disk.contains_named_graph(g) for g in ours):
            # none of our graphs: a new store, or one filled by `gfmd-kg load` alone
            built = build(dict(settings))
            try:
                disk.bulk_extend(built.store.quads_for_pattern(None, None, None, None))
                disk.flush()
            except OSError as exc:  # a full disk, a file size limit, an I/O error
                raise StoreError(f"cannot fill the on-disk store at {path} with the built "
                                 f"graph: {exc}") from exc
            log.info("filled %s with the built graph", path)
        return store
    if spec.startswith(("sparql+http://", "sparql+https://")):
        from .remote import RemoteStore  # only remote users need SPARQLWrapper's import

        return RemoteStore(spec.removeprefix("sparql+"), base_iri, settings.get("update_url"))
    raise StoreError(
        f"unknown store {spec!r}: use 'memory', 'oxigraph:PATH' or 'sparql+http(s)://HOST/PATH'"
    )


def our_graph_counts(store: GraphStore) -> dict[str, int]:
    """Triples in each of our named graphs, by short key (0 when absent)."""
    if isinstance(store, EmbeddedStore):
        return count_graphs(store.store, store.base_iri)
    counts = store.graph_counts()
    return {k: counts.get(graph_iri(store.base_iri, k), 0) for k in GRAPH_KEYS}
