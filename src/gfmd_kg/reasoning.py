"""Reasoning: HermiT (through owlready2) for consistency and class membership, plus a small
set of OWL rules run as SPARQL for what HermiT's answer leaves implicit (super-classes,
super-properties, inverses, transitive and symmetric properties)."""

from __future__ import annotations

import logging
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

log = logging.getLogger(__name__)

OWL = "http://www.w3.org/2002/07/owl#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_IGNORED_TYPES = {f"{OWL}Thing", f"{OWL}NamedIndividual"}

PREFIXES = """
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
"""

#: Each rule is (name, head, body): the head is inferred wherever the body matches in the
#: union of asserted and already inferred triples and the head is not there yet.
RULES: tuple[tuple[str, str, str], ...] = (
    (
        "class membership from rdfs:subClassOf",
        "?x a ?super",
        "?x a ?c . ?c rdfs:subClassOf+ ?super . FILTER(isIRI(?super) && ?super != owl:Thing)",
    ),
    (
        "super-property values from rdfs:subPropertyOf",
        "?s ?super ?o",
        "?p rdfs:subPropertyOf+ ?super . ?s ?p ?o . FILTER(isIRI(?super))",
    ),
    (
        "inverse property values from owl:inverseOf",
        "?o ?inv ?s",
        "{ ?p owl:inverseOf ?inv } UNION { ?inv owl:inverseOf ?p } ?s ?p ?o . "
        "FILTER(isIRI(?o) && isIRI(?inv))",
    ),
    (
        "symmetric property values",
        "?o ?p ?s",
        "?p a owl:SymmetricProperty . ?s ?p ?o . FILTER(isIRI(?o))",
    ),
    (
        "transitive property values",
        "?s ?p ?o",
        "?p a owl:TransitiveProperty . ?s ?p ?m . ?m ?p ?o",
    ),
)

DISJOINT_CLASHES = (
    PREFIXES
    + """
SELECT DISTINCT ?x ?a ?b WHERE {
  { ?a owl:disjointWith ?b }
  UNION { ?b owl:disjointWith ?a }
  UNION { ?d a owl:AllDisjointClasses ; owl:members ?list .
          ?list rdf:rest*/rdf:first ?a . ?list rdf:rest*/rdf:first ?b . FILTER(?a != ?b) }
  ?x a ?a , ?b .
  FILTER(STR(?a) < STR(?b))
} ORDER BY ?x ?a ?b
"""
)


XSD = "http://www.w3.org/2001/XMLSchema#"
#: Datatypes HermiT accepts (the OWL 2 datatype map). Others (xsd:date, xsd:gYear, ...) are
#: left out of the copy HermiT sees, with the ranges that name them; SHACL checks them.
OWL2_DATATYPES = {
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#PlainLiteral",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#XMLLiteral",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString",
    "http://www.w3.org/2000/01/rdf-schema#Literal",
    f"{OWL}real", f"{OWL}rational",
    *(XSD + name for name in (
        "decimal", "integer", "nonNegativeInteger", "nonPositiveInteger", "positiveInteger",
        "negativeInteger", "long", "int", "short", "byte", "unsignedLong", "unsignedInt",
        "unsignedShort", "unsignedByte", "double", "float", "string", "normalizedString",
        "token", "language", "Name", "NCName", "NMTOKEN", "boolean", "hexBinary",
        "base64Binary", "anyURI", "dateTime", "dateTimeStamp",
    )),
}
RDFS_RANGE = "http://www.w3.org/2000/01/rdf-schema#range"


def _hermit_can_read(quad: ox.Quad) -> bool:
    obj = quad.object
    if isinstance(obj, ox.Literal):
        return obj.language is not None or obj.datatype.value in OWL2_DATATYPES
    if quad.predicate.value == RDFS_RANGE and isinstance(obj, ox.NamedNode):
        return not obj.value.startswith(XSD) or obj.value in OWL2_DATATYPES
    return True


class InconsistentGraphError(Exception):
    """The asserted graph contradicts the ontology; the message names what clashes."""


class ReasonerError(Exception):
    """HermiT could not run on the graph (not an inconsistency: a tooling problem)."""


@dataclass
class Inference:
    """What reasoning produced: the inferred triples and how they were obtained."""

    triples: set[ox.Triple]
    reasoner: str
    warnings: list[str] = field(default_factory=list)


def java_available() -> bool:
    """Whether a Java runtime is on PATH (HermiT runs on it)."""
    return shutil.which("java") is not None


def disjointness_clashes(store: ox.Store, graphs: Sequence[ox.NamedNode]) -> list[str]:
    """Individuals typed with two disjoint classes, described for a person to read."""
    rows = store.query(DISJOINT_CLASHES, default_graph=list[Any](graphs))
    assert isinstance(rows, ox.QuerySolutions)
    return [
        f"{row['x'].value} is both a {row['a'].value} and a {row['b'].value}, "
        "which the ontology declares disjoint"
        for row in rows
    ]


def apply_rules(store: ox.Store, asserted: list[ox.NamedNode], target: ox.NamedNode) -> int:
    """Run the OWL rules to a fixpoint, writing new triples into ``target``; returns count."""
    scope: list[Any] = [*asserted, target]
    queries = [
        f"{PREFIXES} CONSTRUCT {{ {head} }} WHERE {{ {body} FILTER NOT EXISTS {{ {head} }} }}"
        for _name, head, body in RULES
    ]
    added = 0
    while True:
        fresh: set[ox.Quad] = set()
        for query in queries:
            result = store.query(query, default_graph=scope)
            assert isinstance(result, ox.QueryTriples)
            for triple in result:
                assert isinstance(triple, ox.Triple)
                fresh.add(ox.Quad(triple.subject, triple.predicate, triple.object, target))
        if not fresh:
            return added
        store.extend(fresh)
        added += len(fresh)


def hermit_inferences(store: ox.Store, asserted: list[ox.NamedNode]) -> set[ox.Triple]:
    """Run HermiT over the asserted graphs and return the class memberships it adds.

    Raises InconsistentGraphError when HermiT finds the graph inconsistent.
    """
    import owlready2  # imported here: it starts slowly and is only needed to build

    with tempfile.TemporaryDirectory(prefix="gfmd-kg-reason-") as tmp:
        path = Path(tmp) / "asserted.nt"
        triples = (
            ox.Triple(q.subject, q.predicate, q.object)
            for q in store.quads_for_pattern(None, None, None, None)
            if q.graph_name in asserted and _hermit_can_read(q)
        )
        ox.serialize(triples, str(path), format=ox.RdfFormat.N_TRIPLES)
        world = owlready2.World()
        onto = world.get_ontology(path.as_uri()).load()
        before = _type_triples(world)
        try:
            with onto:
                owlready2.sync_reasoner_hermit(world, infer_property_values=True, debug=0)
        except owlready2.OwlReadyInconsistentOntologyError as exc:
            raise InconsistentGraphError("HermiT found the graph inconsistent") from exc
        except owlready2.OwlReadyJavaError as exc:
            raise ReasonerError(f"HermiT failed: {str(exc).strip()[:2000]}") from exc
        after = _type_triples(world)
        world.close()
    return {
        ox.Triple(ox.NamedNode(s), RDF_TYPE, ox.NamedNode(o)) for s, o in after - before
    }


def _type_triples(world: object) -> set[tuple[str, str]]:
    graph = world.as_rdflib_graph()  # type: ignore[attr-defined]
    type_iri = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
    found: set[tuple[str, str]] = set()
    for s, p, o in graph:
        if str(p) == type_iri and _is_iri(s) and _is_iri(o) and str(o) not in _IGNORED_TYPES:
            found.add((str(s), str(o)))
    return found


def _is_iri(term: object) -> bool:
    return type(term).__name__ == "URIRef"


def infer(
    store: ox.Store, asserted: list[ox.NamedNode], target: ox.NamedNode, reasoner: str
) -> Inference:
    """Check consistency and fill ``target`` with inferred triples.

    ``reasoner`` is 'hermit' (falls back to the rules with a warning when Java is
    missing) or 'none'. Raises InconsistentGraphError naming the clashing individuals.
    """
    warnings: list[str] = []
    used = "owl-rules"
    hermit: set[ox.Triple] = set()
    if reasoner == "hermit":
        if java_available():
            try:
                hermit = hermit_inferences(store, asserted)
                used = "hermit+owl-rules"
            except InconsistentGraphError as exc:
                apply_rules(store, asserted, target)
                clashes = disjointness_clashes(store, [*asserted, target])
                store.clear_graph(target)
                detail = "; ".join(clashes) if clashes else (
                    "no disjoint-class clash was found, so look at functional properties, "
                    "cardinalities and property disjointness in the latest change"
                )
                raise InconsistentGraphError(f"{exc}: {detail}") from exc
        else:
            warnings.append(
                "Java was not found, so HermiT did not run: the graph was checked for "
                "disjoint-class clashes and closed under the OWL rules only. Install a Java "
                "runtime (for example 'apt-get install default-jre-headless') for the full check."
            )
    elif reasoner != "none":
        raise ValueError(f"unknown reasoner {reasoner!r}: use 'hermit' or 'none'")
    store.extend(ox.Quad(t.subject, t.predicate, t.object, target) for t in hermit)
    apply_rules(store, asserted, target)
    clashes = disjointness_clashes(store, [*asserted, target])
    if clashes:
        store.clear_graph(target)
        raise InconsistentGraphError("the graph is inconsistent: " + "; ".join(clashes))
    triples = {
        ox.Triple(q.subject, q.predicate, q.object)
        for q in store.quads_for_pattern(None, None, None, target)
    }
    return Inference(triples=triples, reasoner=used, warnings=warnings)


def describe_rules() -> Iterable[str]:
    """Names of the OWL rules, for documentation and ``gfmd-kg stats``."""
    return (rule[0] for rule in RULES)
