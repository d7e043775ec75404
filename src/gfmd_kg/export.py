"""Export: the whole dataset or one named graph in any RDF format, written as it goes."""

from __future__ import annotations

from typing import IO

import pyoxigraph as ox

from .results import RDF_FORMATS
from .store import GraphStore
from .vocab import GRAPH_KEYS, graph_iri, prefixes


class ExportError(ValueError):
    """An export was asked in a way that cannot be met."""


def export_quads(store: GraphStore, graph: str | None) -> list[ox.Quad] | list[ox.Triple]:
    """The quads of the dataset, or the triples of one named graph (by key or IRI)."""
    if graph is None:
        return list(store.quads())
    iri = graph_iri(store.base_iri, graph) if graph in GRAPH_KEYS else graph
    counts = store.graph_counts()
    if iri not in counts:
        known = ", ".join(GRAPH_KEYS)
        raise ExportError(f"unknown graph {graph!r}; use one of {known} or a graph IRI")
    return [ox.Triple(q.subject, q.predicate, q.object) for q in store.quads(iri)]


def export(store: GraphStore, fmt: str, out: IO[bytes], graph: str | None = None) -> int:
    """Write the dataset (or one graph) in ``fmt``; returns the number of statements.

    Formats that hold named graphs (TriG, N-Quads, JSON-LD) keep them. A triple-only
    format of the whole dataset writes the union of the graphs, without duplicates.
    """
    if fmt not in RDF_FORMATS:
        raise ExportError(f"unknown format {fmt!r}; use one of {', '.join(RDF_FORMATS)}")
    _media, _ext, rdf_format, keeps_graphs = RDF_FORMATS[fmt]
    items: list[ox.Quad] | list[ox.Triple] = export_quads(store, graph)
    if graph is None and not keeps_graphs:
        items = list(dict.fromkeys(ox.Triple(q.subject, q.predicate, q.object) for q in items))
    use_prefixes = prefixes(store.base_iri) if rdf_format in {
        ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG, ox.RdfFormat.RDF_XML} else None
    ox.serialize(items, out, format=rdf_format, prefixes=use_prefixes)
    return len(items)


def suggested_filename(fmt: str, graph: str | None = None) -> str:
    """A file name for a download, e.g. ``gfmd-kg.trig`` or ``report.ttl``."""
    return f"{graph or 'gfmd-kg'}.{RDF_FORMATS[fmt][1]}"
