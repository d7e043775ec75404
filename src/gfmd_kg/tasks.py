"""What a query worker does with one task: run a query or a write on its store and yield
the answer as ``("head", meta)`` then ``("chunk", bytes)`` items.

Tasks and answers are plain data (they cross a process boundary). RDF terms travel in
N-Triples syntax and are parsed back with pyoxigraph.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pyoxigraph as ox

from .results import (
    RDF_FORMATS,
    AskResult,
    GraphResult,
    SelectResult,
    cap_rows,
    write_ask,
    write_rdf,
    write_select,
)
from .store import EmbeddedStore, QuerySyntaxError
from .vocab import prefixes

Item = tuple[str, Any]


class ClientError(Exception):
    """A task failed because of what the client sent (kind: syntax, form, graph)."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


def term_to_wire(term: ox.NamedNode | ox.Literal) -> str:
    """A term in N-Triples syntax."""
    return str(term)


def term_from_wire(text: str) -> Any:
    """Parse one N-Triples term back (the object position of a dummy triple)."""
    triple = next(iter(ox.parse(f"<urn:s> <urn:p> {text} .", format=ox.RdfFormat.N_TRIPLES)))
    return triple.object


def run(store: EmbeddedStore, task: dict[str, Any]) -> Iterator[Item]:
    """Run one task; the first item is the head, the rest body chunks."""
    kind = task["kind"]
    if kind == "query":
        yield from _query(store, task)
    elif kind == "write":
        apply_write(store, task["op"])
        yield ("head", {"ok": True})
    elif kind == "dump":
        yield from _dump(store, task)
    elif kind == "counts":
        yield ("head", {"counts": store.graph_counts()})
    else:
        raise ValueError(f"unknown task kind {kind!r}")


def _query(store: EmbeddedStore, task: dict[str, Any]) -> Iterator[Item]:
    bindings = {k: term_from_wire(v) for k, v in (task.get("bindings") or {}).items()}
    try:
        result = store.query(
            task["text"],
            bindings=bindings or None,
            default_graphs=task.get("default_graphs") or None,
            named_graphs=task.get("named_graphs") or None,
        )
    except QuerySyntaxError as exc:
        raise ClientError("syntax", str(exc)) from exc
    max_rows = task.get("max_rows")
    formats = task["formats"]  # {"select": short name, "graph": short name}
    if isinstance(result, AskResult):
        fmt = formats["select"]
        yield ("head", {"form": "ASK", "format": fmt, "truncated": False, "rows": 1})
        yield ("chunk", write_ask(result, fmt))
    elif isinstance(result, SelectResult):
        fmt = formats["select"]
        rows, truncated = cap_rows(result.rows, max_rows)
        count = len(rows) if isinstance(rows, list) else None
        capped = SelectResult(result.variables, rows, truncated)
        yield ("head", {"form": "SELECT", "format": fmt, "truncated": truncated,
                        "rows": count, "variables": result.variables})
        for chunk in write_select(capped, fmt):
            yield ("chunk", chunk)
    else:
        assert isinstance(result, GraphResult)
        fmt = formats["graph"]
        triples, truncated = _cap_triples(result.triples, max_rows)
        yield ("head", {"form": "GRAPH", "format": fmt, "truncated": truncated,
                        "rows": len(triples)})
        yield ("chunk", write_rdf(triples, fmt, prefixes(store.base_iri)))


def _cap_triples(triples: Any, max_rows: int | None) -> tuple[list[ox.Triple], bool]:
    kept: list[ox.Triple] = []
    for triple in triples:
        if max_rows is not None and len(kept) == max_rows:
            return kept, True
        kept.append(triple)
    return kept, False


def _dump(store: EmbeddedStore, task: dict[str, Any]) -> Iterator[Item]:
    """The triples of one graph (or quads of all) in an RDF format."""
    graph = task.get("graph")
    fmt = task["format"]
    if graph is not None and graph != "" and not store.store.contains_named_graph(
        ox.NamedNode(graph)
    ):
        raise ClientError("graph", f"there is no graph <{graph}> in the store")
    if graph is None:
        items: list[Any] = list(store.quads())
        if not RDF_FORMATS[fmt][3]:
            items = list(dict.fromkeys(ox.Triple(q.subject, q.predicate, q.object)
                                       for q in items))
    else:
        target: Any = ox.DefaultGraph() if graph == "" else ox.NamedNode(graph)
        items = [ox.Triple(q.subject, q.predicate, q.object)
                 for q in store.store.quads_for_pattern(None, None, None, target)]
    yield ("head", {"format": fmt, "rows": len(items)})
    yield ("chunk", write_rdf(items, fmt, prefixes(store.base_iri)))


def apply_write(store: EmbeddedStore, op: dict[str, Any]) -> None:
    """Apply one accepted write: a SPARQL update, or a Graph Store put/post/delete."""
    kind = op["kind"]
    if kind == "update":
        try:
            store.update(op["text"])
        except QuerySyntaxError as exc:
            raise ClientError("syntax", str(exc)) from exc
        return
    graph: Any = ox.DefaultGraph() if op["graph"] == "" else ox.NamedNode(op["graph"])
    if kind in {"put", "delete"}:
        if isinstance(graph, ox.DefaultGraph):
            store.store.clear_graph(graph)
        elif store.store.contains_named_graph(graph):
            store.store.remove_graph(graph)
        elif kind == "delete":
            raise ClientError("graph", f"there is no graph <{op['graph']}> in the store")
    if kind in {"put", "post"}:
        triples = ox.parse(op["data"], format=ox.RdfFormat.N_TRIPLES)
        store.store.extend(ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples)
    if store.path is not None:
        store.store.flush()
