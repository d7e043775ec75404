"""The documentation model of the ontology, in the manner of pyLODE / Widoco: the header
metadata, every class and property of our namespace with its labels, definition, scope
note, hierarchy, domain, range, inverse, characteristics and disjointness, the class
hierarchy as a tree, and the standard vocabularies the ontology builds on.

``build_doc(graph, base)`` reads it from an rdflib graph holding the ontology (the web page
parses the store's ontology graph into one). Nothing here knows about Flask: the model is
plain dataclasses of strings, so that a template only has to print them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import quote

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS
from rdflib.term import Node

from .vocab import VANN, local_name, ontology_iri, ontology_ns, pick_label, prefixes

#: Languages shown first, in this order; any other language follows alphabetically.
LANG_ORDER: tuple[str, ...] = ("en", "fr", "es")

#: Names and specifications of the vocabularies we know, by namespace.
KNOWN_VOCABULARIES: dict[str, tuple[str, str]] = {
    "http://www.w3.org/ns/org#": ("W3C Organization Ontology (ORG)",
                                  "https://www.w3.org/TR/vocab-org/"),
    "http://xmlns.com/foaf/0.1/": ("FOAF", "http://xmlns.com/foaf/spec/"),
    "https://schema.org/": ("Schema.org", "https://schema.org/docs/schemas.html"),
    "http://www.w3.org/ns/prov#": ("PROV-O: the PROV Ontology", "https://www.w3.org/TR/prov-o/"),
    "http://www.w3.org/2004/02/skos/core#": ("SKOS Simple Knowledge Organization System",
                                             "https://www.w3.org/TR/skos-reference/"),
    "http://purl.org/dc/terms/": (
        "DCMI Metadata Terms",
        "https://www.dublincore.org/specifications/dublin-core/dcmi-terms/"),
    "http://www.w3.org/2006/time#": ("OWL-Time", "https://www.w3.org/TR/owl-time/"),
    "http://www.w3.org/2002/07/owl#": ("OWL 2 Web Ontology Language",
                                       "https://www.w3.org/TR/owl2-overview/"),
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#": ("RDF", "https://www.w3.org/TR/rdf11-schema/"),
    "http://www.w3.org/2000/01/rdf-schema#": ("RDF Schema", "https://www.w3.org/TR/rdf11-schema/"),
    "http://www.w3.org/2001/XMLSchema#": ("XML Schema datatypes",
                                          "https://www.w3.org/TR/xmlschema11-2/"),
    "http://purl.org/vocab/vann/": ("VANN: vocabulary for annotating vocabulary descriptions",
                                    "https://vocab.org/vann/"),
    "http://www.w3.org/ns/shacl#": ("SHACL", "https://www.w3.org/TR/shacl/"),
}

#: Property characteristics: OWL class -> the word shown.
CHARACTERISTICS: tuple[tuple[URIRef, str], ...] = (
    (OWL.FunctionalProperty, "functional"),
    (OWL.InverseFunctionalProperty, "inverse functional"),
    (OWL.TransitiveProperty, "transitive"),
    (OWL.SymmetricProperty, "symmetric"),
    (OWL.AsymmetricProperty, "asymmetric"),
    (OWL.ReflexiveProperty, "reflexive"),
    (OWL.IrreflexiveProperty, "irreflexive"),
)

#: Kinds of property: OWL class -> (kind key, heading).
PROPERTY_KINDS: tuple[tuple[URIRef, str, str], ...] = (
    (OWL.ObjectProperty, "object", "Object property"),
    (OWL.DatatypeProperty, "datatype", "Datatype property"),
    (OWL.AnnotationProperty, "annotation", "Annotation property"),
    (RDF.Property, "other", "Property"),
)

#: Headings of the groups of properties, by kind.
PROPERTY_HEADINGS: dict[str, str] = {
    "object": "Object properties", "datatype": "Datatype properties",
    "annotation": "Annotation properties", "other": "Other properties",
}

#: The id of the page's header, where the ontology's own metadata is.
HEADER_ANCHOR = "#doc-metadata"

#: Where the class page of the entity pages lists the instances of a class.
CLASS_PAGE = "/class?iri="


@dataclass(frozen=True)
class Value:
    """A literal or an IRI to show: its text, a link if it is an IRI, its language tag."""

    text: str
    href: str | None = None
    lang: str | None = None


@dataclass(frozen=True)
class Ref:
    """A named term as it is mentioned: a link to its section (ours) or to its IRI."""

    iri: str
    curie: str
    label: str
    anchor: str | None = None  # the id of its section on the page, for our own terms

    @property
    def href(self) -> str:
        return f"#{self.anchor}" if self.anchor else self.iri


@dataclass(frozen=True)
class ClassExpr:
    """A class expression: a named class, or an operator over members ("or", "and", "not",
    "one of", or a restriction "some", "only", "value", "min 1"... on ``on_property``)."""

    ref: Ref | None = None
    operator: str = ""
    members: tuple[ClassExpr, ...] = ()
    on_property: Ref | None = None
    text: str = ""

    def named(self) -> list[Ref]:
        """The named classes this expression mentions directly or through "or"."""
        if self.ref is not None:
            return [self.ref]
        if self.operator == "or":
            return [r for m in self.members for r in m.named()]
        return []


@dataclass
class Term:
    """One class or property of our namespace, with everything its section shows."""

    iri: str
    anchor: str
    curie: str
    label: str
    kind: str  # "class", or "object" / "datatype" / "annotation" / "other" for properties
    kind_label: str
    labels: list[Value] = field(default_factory=list)
    definitions: list[Value] = field(default_factory=list)
    scope_notes: list[Value] = field(default_factory=list)
    comments: list[Value] = field(default_factory=list)
    see_also: list[Value] = field(default_factory=list)
    defined_by: list[Value] = field(default_factory=list)
    deprecated: bool = False
    # classes
    super_classes: list[ClassExpr] = field(default_factory=list)
    sub_classes: list[Ref] = field(default_factory=list)
    equivalent_classes: list[ClassExpr] = field(default_factory=list)
    disjoint_with: list[Ref] = field(default_factory=list)
    in_domain_of: list[Ref] = field(default_factory=list)
    in_range_of: list[Ref] = field(default_factory=list)
    instances_href: str = ""
    # properties
    super_properties: list[Ref] = field(default_factory=list)
    sub_properties: list[Ref] = field(default_factory=list)
    equivalent_properties: list[Ref] = field(default_factory=list)
    domains: list[ClassExpr] = field(default_factory=list)
    ranges: list[ClassExpr] = field(default_factory=list)
    inverses: list[Ref] = field(default_factory=list)
    characteristics: list[str] = field(default_factory=list)

    @property
    def is_class(self) -> bool:
        return self.kind == "class"


@dataclass
class TreeNode:
    """A class in the hierarchy, with its sub-classes."""

    ref: Ref
    ours: bool
    children: list[TreeNode] = field(default_factory=list)


@dataclass
class Vocabulary:
    """A vocabulary the ontology uses: prefix, namespace, name, and the terms used from it."""

    prefix: str
    namespace: str
    title: str
    spec: str | None
    referenced: bool
    terms: list[Ref] = field(default_factory=list)


@dataclass
class OntologyDoc:
    """The whole documentation page."""

    iri: str
    namespace: str
    triples: int
    title: str = ""
    title_lang: str | None = None
    titles: list[Value] = field(default_factory=list)
    labels: list[Value] = field(default_factory=list)
    descriptions: list[Value] = field(default_factory=list)
    creators: list[Value] = field(default_factory=list)
    contributors: list[Value] = field(default_factory=list)
    publishers: list[Value] = field(default_factory=list)
    licenses: list[Value] = field(default_factory=list)
    version_info: list[Value] = field(default_factory=list)
    version_iri: Value | None = None
    prior_versions: list[Value] = field(default_factory=list)
    imports: list[Value] = field(default_factory=list)
    created: list[Value] = field(default_factory=list)
    modified: list[Value] = field(default_factory=list)
    issued: list[Value] = field(default_factory=list)
    preferred_prefix: str = ""
    preferred_namespace: str = ""
    references: list[Value] = field(default_factory=list)
    see_also: list[Value] = field(default_factory=list)
    classes: list[Term] = field(default_factory=list)
    properties: dict[str, list[Term]] = field(default_factory=dict)
    class_tree: list[TreeNode] = field(default_factory=list)
    vocabularies: list[Vocabulary] = field(default_factory=list)

    @property
    def all_properties(self) -> list[Term]:
        return [t for terms in self.properties.values() for t in terms]

    @property
    def terms(self) -> list[Term]:
        return [*self.classes, *self.all_properties]

    @property
    def property_groups(self) -> list[tuple[str, str, list[Term]]]:
        """(kind, heading, terms) for each kind of property that has terms."""
        return [(kind, PROPERTY_HEADINGS[kind], self.properties[kind])
                for _cls, kind, _label in PROPERTY_KINDS if self.properties.get(kind)]


#: What a term's local name looks like (documents such as schema:docs/schemas.html are not).
_TERM_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
#: The RDF list vocabulary, which is syntax rather than a term the ontology builds on.
_LIST_SYNTAX = frozenset({RDF.first, RDF.rest, RDF.nil})


def _lang_key(value: Value) -> tuple[int, str, str]:
    lang = value.lang or ""
    rank = LANG_ORDER.index(lang) if lang in LANG_ORDER else len(LANG_ORDER)
    return (rank, lang, value.text)


class _Builder:
    def __init__(self, graph: Graph, base: str) -> None:
        self.g = graph
        self.base = base
        self.ns = ontology_ns(base)
        self.ontology = ontology_iri(base)
        known = {k: v for k, v in prefixes(base).items() if k != "kg"}
        # longest namespace first, so that a namespace inside another wins
        self.prefixes = sorted(known.items(), key=lambda kv: -len(kv[1]))

    # --- small readers -------------------------------------------------------------
    def curie(self, iri: str) -> str:
        for prefix, ns in self.prefixes:
            if iri.startswith(ns) and len(iri) > len(ns):
                return f"{prefix}:{iri[len(ns):]}"
        return iri

    def anchor(self, iri: str) -> str | None:
        if iri.startswith(self.ns) and len(iri) > len(self.ns):
            return iri[len(self.ns):]
        return None

    def ref(self, node: URIRef) -> Ref:
        iri = str(node)
        candidates = [(str(p), str(o), o.language) for p in (SKOS.prefLabel, RDFS.label)
                      for o in self.g.objects(node, p) if isinstance(o, Literal)]
        curie = self.curie(iri)
        label = pick_label(candidates, iri) if candidates else curie
        return Ref(iri=iri, curie=curie, label=label, anchor=self.anchor(iri))

    def refs(self, nodes: Iterable[Node]) -> list[Ref]:
        found = {n for n in nodes if isinstance(n, URIRef)}
        return sorted((self.ref(n) for n in found), key=lambda r: r.curie.lower())

    def values(self, subject: Node, *predicates: URIRef) -> list[Value]:
        out: set[Value] = set()
        for predicate in predicates:
            for o in self.g.objects(subject, predicate):
                if isinstance(o, Literal):
                    out.add(Value(str(o), lang=o.language))
                elif isinstance(o, URIRef):
                    # the ontology itself is documented at the top of this page
                    here = str(o) == self.ontology and subject != o
                    out.add(Value(str(o), href=HEADER_ANCHOR if here else str(o)))
        return sorted(out, key=_lang_key)

    def list_members(self, node: Node) -> list[Node]:
        try:
            return list(Collection(self.g, node))
        except Exception:  # a broken list is shown as empty rather than failing the page
            return []

    def expr(self, node: Node, depth: int = 0) -> ClassExpr:
        if isinstance(node, URIRef):
            return ClassExpr(ref=self.ref(node))
        if depth > 6 or not isinstance(node, BNode):
            return ClassExpr(text="(anonymous class)")
        for predicate, operator in ((OWL.unionOf, "or"), (OWL.intersectionOf, "and")):
            members = self.g.value(node, predicate)
            if members is not None:
                return ClassExpr(operator=operator, members=tuple(
                    self.expr(m, depth + 1) for m in self.list_members(members)))
        complement = self.g.value(node, OWL.complementOf)
        if complement is not None:
            return ClassExpr(operator="not", members=(self.expr(complement, depth + 1),))
        one_of = self.g.value(node, OWL.oneOf)
        if one_of is not None:
            return ClassExpr(operator="one of", members=tuple(
                ClassExpr(ref=self.ref(m)) if isinstance(m, URIRef) else
                ClassExpr(text=str(m)) for m in self.list_members(one_of)))
        on_property = self.g.value(node, OWL.onProperty)
        if isinstance(on_property, URIRef):
            prop = self.ref(on_property)
            for predicate, word in ((OWL.someValuesFrom, "some"), (OWL.allValuesFrom, "only")):
                filler = self.g.value(node, predicate)
                if filler is not None:
                    return ClassExpr(operator=word, on_property=prop,
                                     members=(self.expr(filler, depth + 1),))
            value = self.g.value(node, OWL.hasValue)
            if value is not None:
                member = ClassExpr(ref=self.ref(value)) if isinstance(value, URIRef) else \
                    ClassExpr(text=str(value))
                return ClassExpr(operator="value", on_property=prop, members=(member,))
            for predicate, word in ((OWL.minCardinality, "min"), (OWL.maxCardinality, "max"),
                                    (OWL.cardinality, "exactly"),
                                    (OWL.minQualifiedCardinality, "min"),
                                    (OWL.maxQualifiedCardinality, "max"),
                                    (OWL.qualifiedCardinality, "exactly")):
                number = self.g.value(node, predicate)
                if number is not None:
                    filler = self.g.value(node, OWL.onClass) or self.g.value(node,
                                                                             OWL.onDataRange)
                    fillers = (self.expr(filler, depth + 1),) if filler is not None else ()
                    return ClassExpr(operator=f"{word} {number}", on_property=prop,
                                     members=fillers)
        return ClassExpr(text="(anonymous class)")

    def exprs(self, nodes: Iterable[Node]) -> list[ClassExpr]:
        found = list(dict.fromkeys(nodes))
        named = sorted((n for n in found if isinstance(n, URIRef)), key=lambda n: str(n).lower())
        return [self.expr(n) for n in named] + [self.expr(n) for n in found
                                                if not isinstance(n, URIRef)]

    def ours(self, types: Iterable[URIRef]) -> list[URIRef]:
        found: set[URIRef] = set()
        for kind in types:
            for s in self.g.subjects(RDF.type, kind):
                if isinstance(s, URIRef) and self.anchor(str(s)) is not None:
                    found.add(s)
        return sorted(found, key=lambda n: str(n).lower())

    # --- terms ---------------------------------------------------------------------
    def term(self, node: URIRef, kind: str, kind_label: str) -> Term:
        ref = self.ref(node)
        assert ref.anchor is not None
        deprecated = any(o.toPython() is True for o in self.g.objects(node, OWL.deprecated)
                         if isinstance(o, Literal))
        return Term(
            iri=ref.iri, anchor=ref.anchor, curie=ref.curie, label=ref.label, kind=kind,
            kind_label=kind_label,
            labels=self.values(node, RDFS.label, SKOS.prefLabel),
            definitions=self.values(node, SKOS.definition),
            scope_notes=self.values(node, SKOS.scopeNote),
            comments=self.values(node, RDFS.comment, SKOS.note, SKOS.example),
            see_also=self.values(node, RDFS.seeAlso),
            defined_by=self.values(node, RDFS.isDefinedBy),
            deprecated=deprecated,
        )

    def disjoint(self, node: URIRef) -> list[Node]:
        found: list[Node] = list(self.g.objects(node, OWL.disjointWith))
        found += self.g.subjects(OWL.disjointWith, node)
        for axiom in self.g.subjects(RDF.type, OWL.AllDisjointClasses):
            for members in self.g.objects(axiom, OWL.members):
                listed = self.list_members(members)
                if node in listed:
                    found += [m for m in listed if m != node]
        return found

    def property_mentions(self) -> tuple[dict[str, list[Ref]], dict[str, list[Ref]]]:
        """Class IRI -> the properties whose domain / range names it (directly or in "or")."""
        domains: dict[str, set[URIRef]] = {}
        ranges: dict[str, set[URIRef]] = {}
        for predicate, table in ((RDFS.domain, domains), (RDFS.range, ranges)):
            for prop, cls in self.g.subject_objects(predicate):
                if not isinstance(prop, URIRef):
                    continue
                for ref in self.expr(cls).named():
                    table.setdefault(ref.iri, set()).add(prop)
        return ({k: self.refs(v) for k, v in domains.items()},
                {k: self.refs(v) for k, v in ranges.items()})

    def classes(self) -> list[Term]:
        in_domain, in_range = self.property_mentions()
        out = []
        for node in self.ours((OWL.Class, RDFS.Class)):
            term = self.term(node, "class", "Class")
            term.super_classes = self.exprs(self.g.objects(node, RDFS.subClassOf))
            term.sub_classes = self.refs(self.g.subjects(RDFS.subClassOf, node))
            term.equivalent_classes = self.exprs(
                [*self.g.objects(node, OWL.equivalentClass),
                 *self.g.subjects(OWL.equivalentClass, node)])
            term.disjoint_with = self.refs(self.disjoint(node))
            term.in_domain_of = in_domain.get(term.iri, [])
            term.in_range_of = in_range.get(term.iri, [])
            term.instances_href = CLASS_PAGE + quote(term.iri, safe="")
            out.append(term)
        return sorted(out, key=lambda t: t.anchor.lower())

    def properties(self) -> dict[str, list[Term]]:
        groups: dict[str, list[Term]] = {}
        seen: set[URIRef] = set()
        for owl_kind, kind, heading in PROPERTY_KINDS:
            for node in self.ours((owl_kind,)):
                if node in seen:
                    continue
                seen.add(node)
                term = self.term(node, kind, heading)
                term.super_properties = self.refs(self.g.objects(node, RDFS.subPropertyOf))
                term.sub_properties = self.refs(self.g.subjects(RDFS.subPropertyOf, node))
                term.equivalent_properties = self.refs(
                    [*self.g.objects(node, OWL.equivalentProperty),
                     *self.g.subjects(OWL.equivalentProperty, node)])
                term.domains = self.exprs(self.g.objects(node, RDFS.domain))
                term.ranges = self.exprs(self.g.objects(node, RDFS.range))
                term.inverses = self.refs([*self.g.objects(node, OWL.inverseOf),
                                           *self.g.subjects(OWL.inverseOf, node)])
                types = set(self.g.objects(node, RDF.type))
                term.characteristics = [word for cls, word in CHARACTERISTICS if cls in types]
                groups.setdefault(kind, []).append(term)
        # a property typed both owl:ObjectProperty and e.g. rdf:Property shows once
        for terms in groups.values():
            terms.sort(key=lambda t: t.anchor.lower())
        return groups

    # --- hierarchy -----------------------------------------------------------------
    def class_tree(self, ours: list[URIRef]) -> list[TreeNode]:
        """Our classes and the named classes above them, from rdfs:subClassOf."""

        def parents(node: URIRef) -> set[URIRef]:
            return {o for o in self.g.objects(node, RDFS.subClassOf)
                    if isinstance(o, URIRef) and o != node}

        relevant: set[URIRef] = set()
        todo = list(ours)
        while todo:
            node = todo.pop()
            if node not in relevant:
                relevant.add(node)
                todo += parents(node)

        def key(node: URIRef) -> str:
            return self.curie(str(node)).lower()

        def grow(node: URIRef, path: frozenset[URIRef]) -> TreeNode:
            ref = self.ref(node)
            children = sorted((s for s in self.g.subjects(RDFS.subClassOf, node)
                               if isinstance(s, URIRef) and s in relevant and s not in path
                               and s != node), key=key)
            return TreeNode(ref=ref, ours=ref.anchor is not None,
                            children=[grow(c, path | {c}) for c in children])

        roots = sorted((n for n in relevant if not (parents(n) & relevant)), key=key)
        return [grow(r, frozenset({r})) for r in roots]

    # --- vocabularies --------------------------------------------------------------
    def vocabularies(self, ontology: Node) -> list[Vocabulary]:
        used: dict[str, set[URIRef]] = {}
        for triple in self.g:
            for node in triple:
                nodes = [node]
                if isinstance(node, Literal) and node.datatype is not None:
                    nodes.append(node.datatype)
                for n in nodes:
                    if not isinstance(n, URIRef):
                        continue
                    iri = str(n)
                    for prefix, ns in self.prefixes:
                        if iri.startswith(ns):
                            if prefix != "gfmd" and _TERM_NAME.match(iri[len(ns):]) \
                                    and n not in _LIST_SYNTAX:
                                used.setdefault(prefix, set()).add(n)
                            break
        referenced = {str(o) for o in self.g.objects(ontology, DCTERMS.references)}
        spaces = dict(self.prefixes)
        out = []
        for prefix in sorted(used):
            ns = spaces[prefix]
            title, spec = KNOWN_VOCABULARIES.get(ns, (prefix, None))
            out.append(Vocabulary(prefix=prefix, namespace=ns, title=title, spec=spec,
                                  referenced=ns in referenced,
                                  terms=sorted((Ref(iri=str(n), curie=self.curie(str(n)),
                                                    label=local_name(str(n)))
                                                for n in used[prefix]),
                                               key=lambda r: r.curie.lower())))
        # the vocabularies the header names first, then the building blocks (owl, rdf...)
        out.sort(key=lambda v: (not v.referenced, v.prefix))
        return out

    # --- the whole page ------------------------------------------------------------
    def build(self) -> OntologyDoc:
        expected = URIRef(ontology_iri(self.base))
        heads = [s for s in self.g.subjects(RDF.type, OWL.Ontology) if isinstance(s, URIRef)]
        ontology = expected if expected in heads or not heads else sorted(heads)[0]
        doc = OntologyDoc(iri=str(ontology), namespace=self.ns, triples=len(self.g))
        o = ontology
        doc.titles = self.values(o, DCTERMS.title)
        doc.labels = self.values(o, RDFS.label, SKOS.prefLabel)
        first = next(iter(doc.titles or doc.labels), None)
        doc.title = first.text if first else local_name(doc.iri)
        doc.title_lang = first.lang if first else None
        doc.descriptions = self.values(o, DCTERMS.description, RDFS.comment)
        doc.creators = self.values(o, DCTERMS.creator)
        doc.contributors = self.values(o, DCTERMS.contributor)
        doc.publishers = self.values(o, DCTERMS.publisher)
        doc.licenses = self.values(o, DCTERMS.license, DCTERMS.rights)
        doc.version_info = self.values(o, OWL.versionInfo)
        version = self.values(o, OWL.versionIRI)
        doc.version_iri = version[0] if version else None
        doc.prior_versions = self.values(o, OWL.priorVersion)
        doc.imports = self.values(o, OWL.imports)
        doc.created = self.values(o, DCTERMS.created)
        doc.modified = self.values(o, DCTERMS.modified)
        doc.issued = self.values(o, DCTERMS.issued)
        prefix = self.g.value(o, VANN.preferredNamespacePrefix)
        namespace = self.g.value(o, VANN.preferredNamespaceUri)
        doc.preferred_prefix = str(prefix) if prefix is not None else ""
        doc.preferred_namespace = str(namespace) if namespace is not None else ""
        doc.references = self.values(o, DCTERMS.references)
        doc.see_also = self.values(o, RDFS.seeAlso)
        doc.classes = self.classes()
        doc.properties = self.properties()
        doc.class_tree = self.class_tree([URIRef(t.iri) for t in doc.classes])
        doc.vocabularies = self.vocabularies(o)
        return doc


def build_doc(graph: Graph, base: str) -> OntologyDoc:
    """The documentation model of the ontology in ``graph``, whose terms live under
    ``base + 'ontology#'``."""
    return _Builder(graph, base).build()


def parse_ontology(data: bytes, fmt: str = "nt") -> Graph:
    """An rdflib graph from the serialised ontology graph (N-Triples by default)."""
    graph = Graph()
    graph.parse(data=data, format=fmt)
    return graph
