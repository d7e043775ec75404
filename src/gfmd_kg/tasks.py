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
from .store import EmbeddedStore, GraphStore, QuerySyntaxError
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


def run(store: GraphStore, task: dict[str, Any]) -> Iterator[Item]:
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


def _query(store: GraphStore, task: dict[str, Any]) -> Iterator[Item]:
    bindings = {k: term_from_wire(v) for k, v in (task.get("bindings") or {}).items()}
    options: dict[str, Any] = {}
    if not isinstance(store, EmbeddedStore):  # a remote store enforces the time limit itself
        options["timeout"] = task.get("timeout")
    try:
        result = store.query(
            task["text"],
            bindings=bindings or None,
            default_graphs=task.get("default_graphs") or None,
            named_graphs=task.get("named_graphs") or None,
            **options,
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


def _dump(store: GraphStore, task: dict[str, Any]) -> Iterator[Item]:
    """The triples of one graph ("" is the default graph), or the quads of all (None)."""
    graph = task.get("graph")
    fmt = task["format"]
    if graph and graph not in store.graph_counts():
        raise ClientError("graph", f"there is no graph <{graph}> in the store")
    items: list[Any]
    if graph is None and RDF_FORMATS[fmt][3]:
        items = list(store.quads())
    else:
        items = list(dict.fromkeys(ox.Triple(q.subject, q.predicate, q.object)
                                   for q in store.quads(graph)))
    yield ("head", {"format": fmt, "rows": len(items)})
    yield ("chunk", write_rdf(items, fmt, prefixes(store.base_iri)))


def apply_write(store: GraphStore, op: dict[str, Any]) -> None:
    """Apply one accepted write: a SPARQL update, or a Graph Store put/post/delete."""
    kind = op["kind"]
    if kind == "update":
        try:
            store.update(op["text"])
        except QuerySyntaxError as exc:
            raise ClientError("syntax", str(exc)) from exc
        return
    exists = op["graph"] == "" or op["graph"] in store.graph_counts()
    if kind == "delete" and not exists:
        raise ClientError("graph", f"there is no graph <{op['graph']}> in the store")
    if not isinstance(store, EmbeddedStore):
        target = "DEFAULT" if op["graph"] == "" else f"GRAPH <{op['graph']}>"
        parts = [f"CLEAR SILENT {target}"] if kind in {"put", "delete"} else []
        if kind in {"put", "post"}:
            body = op["data"].decode("utf-8")
            parts.append(f"INSERT DATA {{ {body} }}" if op["graph"] == "" else
                         f"INSERT DATA {{ GRAPH <{op['graph']}> {{ {body} }} }}")
        store.update(" ;\n".join(parts))
        return
    graph: Any = ox.DefaultGraph() if op["graph"] == "" else ox.NamedNode(op["graph"])
    if kind in {"put", "delete"}:
        if isinstance(graph, ox.DefaultGraph):
            store.store.clear_graph(graph)
        elif exists:
            store.store.remove_graph(graph)
    if kind in {"put", "post"}:
        triples = ox.parse(op["data"], format=ox.RdfFormat.N_TRIPLES)
        store.store.extend(ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples)
    if store.path is not None:
        store.store.flush()
