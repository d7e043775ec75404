"""Namespaces, graph names and the single label fallback used everywhere."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from rdflib import Namespace
from rdflib.namespace import DCTERMS, FOAF, ORG, OWL, PROV, RDF, RDFS, SKOS, TIME, XSD

DEFAULT_BASE = "https://w3id.org/gfmd-kg/"

SCHEMA = Namespace("https://schema.org/")
SH = Namespace("http://www.w3.org/ns/shacl#")
VANN = Namespace("http://purl.org/vocab/vann/")
OA = Namespace("http://www.w3.org/ns/oa#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
VOID = Namespace("http://rdfs.org/ns/void#")

#: The named graphs of the dataset, by short key, in the order they are built.
GRAPH_KEYS: tuple[str, ...] = ("ontology", "report", "curated", "inferred")

GRAPH_TITLES: Mapping[str, str] = {
    "ontology": "The gfmd-kg ontology (classes, properties, axioms)",
    "report": "What the workshop report states, with citations",
    "curated": "Curated links and public reference facts (our reading)",
    "inferred": "Triples inferred by the reasoner and the OWL rules",
}


def ontology_ns(base: str) -> str:
    """The namespace of the ontology's terms under a base IRI."""
    return f"{base}ontology#"


def ontology_iri(base: str) -> str:
    """The IRI of the ontology itself."""
    return f"{base}ontology"


def graph_iri(base: str, key: str) -> str:
    """The IRI of one named graph, e.g. ``<base>graph/report``."""
    if key not in GRAPH_KEYS:
        raise KeyError(f"unknown graph {key!r}; known graphs: {', '.join(GRAPH_KEYS)}")
    return f"{base}graph/{key}"


def graph_key(base: str, iri: str) -> str | None:
    """The short key of a named graph IRI, or None if it is not one of ours."""
    prefix = f"{base}graph/"
    if iri.startswith(prefix) and iri[len(prefix) :] in GRAPH_KEYS:
        return iri[len(prefix) :]
    return None


def prefixes(base: str) -> dict[str, str]:
    """Prefixes used in queries, serialisations and the UI, for a base IRI."""
    return {
        "gfmd": ontology_ns(base),
        "kg": f"{base}id/",
        "org": str(ORG),
        "foaf": str(FOAF),
        "schema": str(SCHEMA),
        "prov": str(PROV),
        "skos": str(SKOS),
        "dcterms": str(DCTERMS),
        "time": str(TIME),
        "owl": str(OWL),
        "rdf": str(RDF),
        "rdfs": str(RDFS),
        "xsd": str(XSD),
        "sh": str(SH),
        "vann": str(VANN),
    }


def local_name(iri: str) -> str:
    """The last segment of an IRI (after '#' or '/'), used when nothing labels it."""
    for sep in ("#", "/"):
        _head, found, tail = iri.rstrip("/").rpartition(sep)
        if found and tail:
            return tail
    return iri


#: Label properties in order of preference: skos:prefLabel, then rdfs:label.
LABEL_PROPERTIES: tuple[str, ...] = (str(SKOS.prefLabel), str(RDFS.label))


def pick_label(
    candidates: Iterable[tuple[str, str, str | None]], iri: str, lang: str = "en"
) -> str:
    """Choose one label from ``(property, text, language)`` candidates.

    skos:prefLabel wins over rdfs:label; within one property the requested language wins,
    then a label without language, then any. With no candidate: the IRI's local name.
    """
    ranked: list[tuple[int, int, str]] = []
    for prop, text, language in candidates:
        if prop not in LABEL_PROPERTIES:
            continue
        prop_rank = LABEL_PROPERTIES.index(prop)
        lang_rank = 0 if language == lang else 1 if not language else 2
        ranked.append((prop_rank, lang_rank, text))
    if ranked:
        return min(ranked)[2]
    return local_name(iri)
