"""The one-hop graph around an entity that its page draws with vis-network."""

from __future__ import annotations

from typing import Any

from .entityrows import Raw
from .labels import LabelIndex
from .terms import RDF_TYPE, entity_path, row_graph
from .vocab import ontology_ns

NEIGHBOURHOOD_MAX_NODES = 40


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
        inferred = row_graph(row, base) == "inferred"
        links.append((2 * inferred, raw.iri, row["o"]["value"], row["p"]["value"], inferred))
    for row in raw.incoming:
        if row["s"]["type"] != "uri":
            continue
        inferred = row_graph(row, base) == "inferred"
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
