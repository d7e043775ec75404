"""What a query worker does with one task: run a query or a write on its store and yield
the answer as ``("head", meta)`` then ``("chunk", bytes)`` items.

Tasks and answers are plain data (they cross a process boundary). RDF terms travel in
N-Triples syntax and are parsed back with pyoxigraph.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import IO, Any, cast

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
    """Run one task; the first item is the head, the rest body chunks, or a pump that
    writes them (see ``Pump``; ``expand`` turns pumps into chunks)."""
    kind = task["kind"]
    if kind == "query":
        try:
            yield from _query(store, task)
        except OSError as exc:  # the engine's I/O: a SERVICE endpoint that failed, a disk
            raise ClientError("upstream", f"the query failed while reading data: {exc}"
                              ) from exc
        except RuntimeError as exc:  # the engine refused to evaluate it (a function it
            if type(exc) is not RuntimeError:  # does not know, ...); not RecursionError
                raise
            raise ClientError("evaluation", f"the query could not be evaluated: {exc}"
                              ) from exc
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
    max_rows = task.get("max_rows") or None  # 0 (or none): no cap, the answer streams
    formats = task["formats"]  # {"select": short name, "graph": short name}
    if max_rows is None and not isinstance(result, AskResult):
        yield from _stream_result(store, result, formats)
    elif isinstance(result, AskResult):
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


#: Result formats pyoxigraph writes itself (in Rust), for answers streamed without a cap.
NATIVE_RESULTS = {"json": ox.QueryResultsFormat.JSON, "xml": ox.QueryResultsFormat.XML,
                  "csv": ox.QueryResultsFormat.CSV, "tsv": ox.QueryResultsFormat.TSV}
STREAM_CHUNK = 1 << 16


class Pump:
    """A body written by pyoxigraph's own serialiser, which pushes bytes to a writer.

    It is yielded as a ``("pump", Pump)`` item: the worker runs it on its own thread
    (pyoxigraph's result iterators must stay on the thread that made them) and sends the
    chunks as they fill; ``chunks()`` gathers them for a consumer in the same process.
    """

    def __init__(self, write: Callable[[IO[bytes]], Any]) -> None:
        self.write = write

    def run(self, send: Callable[[bytes], Any]) -> None:
        sink = _Sink(send)
        self.write(cast(IO[bytes], sink))
        if sink.buffer:
            send(bytes(sink.buffer))

    def chunks(self) -> list[bytes]:
        out: list[bytes] = []
        self.run(out.append)
        return out


class _Sink:
    """A binary writer that hands on what is written in chunks of ``STREAM_CHUNK`` bytes."""

    def __init__(self, send: Callable[[bytes], Any]) -> None:
        self.send = send
        self.buffer = bytearray()

    def write(self, data: bytes) -> int:
        self.buffer += data
        if len(self.buffer) >= STREAM_CHUNK:
            self.send(bytes(self.buffer))
            self.buffer.clear()
        return len(data)

    def flush(self) -> None:
        """Chunks are handed on by size; the last one when the writer is done."""


def expand(items: Iterator[Item]) -> Iterator[Item]:
    """Items with every pump run into chunks (for a consumer in the same process)."""
    for kind, payload in items:
        if kind == "pump":
            yield from (("chunk", c) for c in payload.chunks())
        else:
            yield (kind, payload)


def _stream_result(store: GraphStore, result: SelectResult | GraphResult,
                   formats: dict[str, str]) -> Iterator[Item]:
    """An answer without a row cap, written as the engine makes it: the head at once (its
    row count unknown), then chunks of about 64 KB, so memory stays flat."""
    if isinstance(result, SelectResult):
        fmt = formats["select"]
        yield ("head", {"form": "SELECT", "format": fmt, "truncated": False, "rows": None,
                        "variables": result.variables, "streaming": True})
        native = result.native
        if native is not None and fmt in NATIVE_RESULTS:
            yield ("pump", Pump(lambda out: native.serialize(out, format=NATIVE_RESULTS[fmt])))
        else:
            yield from (("chunk", c) for c in write_select(result, fmt))
        return
    fmt = formats["graph"]
    yield ("head", {"form": "GRAPH", "format": fmt, "truncated": False, "rows": None,
                    "streaming": True})
    if isinstance(store, EmbeddedStore):
        yield ("pump", serialize_streaming(result.triples, fmt, prefixes(store.base_iri)))
    else:
        yield ("chunk", write_rdf(result.triples, fmt, prefixes(store.base_iri)))


def serialize_streaming(items: Any, fmt: str, prefix_map: dict[str, str]) -> Pump:
    """Triples or quads serialised by pyoxigraph as they come."""
    rdf_format = RDF_FORMATS[fmt][2]
    use_prefixes = prefix_map if rdf_format in {ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG,
                                                ox.RdfFormat.RDF_XML} else None
    return Pump(lambda out: ox.serialize(items, out, format=rdf_format, prefixes=use_prefixes))


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
    if isinstance(store, EmbeddedStore):
        yield from _dump_streaming(store, graph, fmt)
        return
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


def _dump_streaming(store: EmbeddedStore, graph: str | None, fmt: str) -> Iterator[Item]:
    """A dump that streams: the quads of the dataset, or the triples of one graph, written
    as they are read. Only the union of every graph in a triple format is gathered first
    (a triple in two graphs is written once)."""
    disk = store.store
    keeps_graphs = RDF_FORMATS[fmt][3]
    if graph and not disk.contains_named_graph(ox.NamedNode(graph)):
        raise ClientError("graph", f"there is no graph <{graph}> in the store")
    if graph is None and not keeps_graphs:
        items = list(dict.fromkeys(ox.Triple(q.subject, q.predicate, q.object)
                                   for q in store.quads()))
        yield ("head", {"format": fmt, "rows": len(items)})
        yield ("chunk", write_rdf(items, fmt, prefixes(store.base_iri)))
        return
    if graph is None:
        count = len(disk)
        source: Any = store.quads()
    else:
        pattern = f"GRAPH {ox.NamedNode(graph)} {{ ?s ?p ?o }}" if graph else "?s ?p ?o"
        answer: Any = disk.query(f"SELECT (COUNT(*) AS ?n) {{ {pattern} }}")
        count = int(next(iter(answer))[0].value)
        source = (ox.Triple(q.subject, q.predicate, q.object) for q in store.quads(graph))
    yield ("head", {"format": fmt, "rows": count, "streaming": True})
    yield ("pump", serialize_streaming(source, fmt, prefixes(store.base_iri)))


def apply_write(store: GraphStore, op: dict[str, Any]) -> None:
    """Apply one accepted write: a SPARQL update, or a Graph Store put/post/delete."""
    kind = op["kind"]
    if kind == "update":
        try:
            store.update(op["text"])
        except QuerySyntaxError as exc:
            raise ClientError("syntax", str(exc)) from exc
        except OSError as exc:  # a full disk, an I/O error: nothing of the update applied
            raise ClientError("storage", f"the store could not write: {exc}") from exc
        except RuntimeError as exc:  # refused while running (CREATE GRAPH that exists, ...)
            raise ClientError("update", str(exc)) from exc
        return
    exists = op["graph"] == "" or op["graph"] in store.graph_counts()
    if kind == "delete" and not exists:
        raise ClientError("graph", f"there is no graph <{op['graph']}> in the store")
    # one SPARQL update, so a replaced graph is swapped whole or not at all (a crash between
    # a removal and an insertion would lose it); the graph IRI was checked by the view and
    # the data is N-Triples written by pyoxigraph
    target = "DEFAULT" if op["graph"] == "" else f"GRAPH <{op['graph']}>"
    drop = "CLEAR" if op["graph"] == "" or not isinstance(store, EmbeddedStore) else "DROP"
    parts = [f"{drop} SILENT {target}"] if kind in {"put", "delete"} else []
    if kind in {"put", "post"}:
        body = op["data"].decode("utf-8")
        parts.append(f"INSERT DATA {{ {body} }}" if op["graph"] == "" else
                     f"INSERT DATA {{ GRAPH <{op['graph']}> {{ {body} }} }}")
    try:
        store.update(" ;\n".join(parts))
        if isinstance(store, EmbeddedStore) and store.path is not None:
            store.store.flush()
    except OSError as exc:
        raise ClientError("storage", f"the store could not write: {exc}") from exc
