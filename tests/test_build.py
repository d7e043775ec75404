"""The build: the ontology's quality, reasoning, refusal of inconsistent data, SHACL,
the cache, the base IRI, and what happens without Java."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from gfmd_kg.api import dataset_from_store
from gfmd_kg.build import SHAPES, BuildError, build
from gfmd_kg.settings import PROJECT_ROOT, load_settings
from gfmd_kg.store import EmbeddedStore
from gfmd_kg.validate import validate_dataset

GFMD = Namespace("https://w3id.org/gfmd-kg/ontology#")
KG = "https://w3id.org/gfmd-kg/id/"
ONTOLOGY = PROJECT_ROOT / "ontology" / "gfmd.ttl"


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(ONTOLOGY)


def our_terms(graph: Graph) -> list[URIRef]:
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
    return sorted({s for kind in kinds for s in graph.subjects(RDF.type, kind)
                   if isinstance(s, URIRef) and str(s).startswith(str(GFMD))})


def test_ontology_header(ontology: Graph) -> None:
    onto = URIRef("https://w3id.org/gfmd-kg/ontology")
    assert (onto, RDF.type, OWL.Ontology) in ontology
    for prop in (OWL.versionInfo, OWL.versionIRI, URIRef("http://purl.org/dc/terms/license"),
                 URIRef("http://purl.org/dc/terms/creator"),
                 URIRef("http://purl.org/vocab/vann/preferredNamespacePrefix")):
        assert ontology.value(onto, prop) is not None, prop
    assert "2026" in str(ontology.value(onto, OWL.versionIRI))


def test_every_term_has_three_labels_and_a_definition(ontology: Graph) -> None:
    terms = our_terms(ontology)
    assert len(terms) > 60
    for term in terms:
        langs = {lit.language for lit in ontology.objects(term, RDFS.label)
                 if isinstance(lit, Literal)}
        assert {"en", "fr", "es"} <= langs, f"{term} lacks a label in {({'en','fr','es'} - langs)}"
        definitions = [d for d in ontology.objects(term, SKOS.definition)
                       if isinstance(d, Literal) and d.language == "en"]
        assert definitions, f"{term} has no English definition"


def test_disjointness_declared_where_true(ontology: Graph) -> None:
    def disjoint(a: URIRef, b: URIRef) -> bool:
        if (a, OWL.disjointWith, b) in ontology or (b, OWL.disjointWith, a) in ontology:
            return True
        for group in ontology.subjects(RDF.type, OWL.AllDisjointClasses):
            members = set(ontology.items(ontology.value(group, OWL.members)))
            if {a, b} <= members:
                return True
        return False

    assert disjoint(GFMD.Challenge, GFMD.Opportunity)
    assert disjoint(URIRef("http://xmlns.com/foaf/0.1/Person"),
                    URIRef("http://www.w3.org/ns/org#Organization"))


def test_reasoner_ran_and_inferred(built: Any) -> None:
    assert built.info.reasoner in {"hermit+owl-rules", "owl-rules"}
    if shutil.which("java"):
        assert built.info.reasoner == "hermit+owl-rules"
    assert built.info.triples["inferred"] > 0


def test_inferred_graph_holds_types_and_inverses(kg: Any) -> None:
    inferred = "https://w3id.org/gfmd-kg/graph/inferred"
    event = f"{KG}event/gfmd-ilo-labour-migration-skills-2018"
    rows = kg.select(f"SELECT ?type WHERE {{ GRAPH <{inferred}> {{ <{event}> a ?type }} }}")
    # ThematicWorkshop < Workshop < schema:Event: the super-classes are inferred
    assert {"https://schema.org/Event", str(GFMD.Workshop)} <= {r["type"] for r in rows}
    session = f"{KG}session/gfmd-ilo-labour-migration-skills-2018-session-1"
    rows = kg.select(f"""SELECT ?item WHERE {{ GRAPH <{inferred}> {{
        <{session}> gfmd:identified ?item }} }}""")
    # the data states gfmd:identifiedIn; its inverse comes from owl:inverseOf
    assert len(rows) == 6


@pytest.fixture()
def sources(tmp_path: Path) -> Path:
    """A private copy of the sources that a test may break."""
    for folder in ("ontology", "data", "queries"):
        shutil.copytree(PROJECT_ROOT / folder, tmp_path / folder)
    return tmp_path


def settings_for(sources: Path, **extra: Any) -> dict[str, Any]:
    return load_settings({"source_dir": str(sources), "cache_dir": str(sources / "cache"),
                          **extra}, environ={})


def test_inconsistent_addition_is_refused_naming_the_individual(sources: Path) -> None:
    with (sources / "data" / "links.ttl").open("a", encoding="utf-8") as out:
        out.write(f"\n<{KG}challenge/undervalued-foreign-skills> a "
                  "<https://w3id.org/gfmd-kg/ontology#Opportunity> .\n")
    with pytest.raises(BuildError) as caught:
        build(settings_for(sources))
    message = str(caught.value)
    assert "inconsistent" in message
    assert f"{KG}challenge/undervalued-foreign-skills" in message
    assert "Challenge" in message and "Opportunity" in message


def test_inconsistency_is_caught_without_java(sources: Path, monkeypatch: pytest.MonkeyPatch
                                               ) -> None:
    monkeypatch.setenv("PATH", str(sources))  # no java on this PATH
    with (sources / "data" / "links.ttl").open("a", encoding="utf-8") as out:
        out.write(f"\n<{KG}challenge/undervalued-foreign-skills> a "
                  "<https://w3id.org/gfmd-kg/ontology#Opportunity> .\n")
    with pytest.raises(BuildError, match="undervalued-foreign-skills"):
        build(settings_for(sources))


def test_without_java_a_warning_and_a_usable_graph(sources: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(sources))
    result = build(settings_for(sources))
    assert result.info.reasoner == "owl-rules"
    assert any("Java was not found" in w for w in result.info.warnings)
    assert result.info.triples["report"] > 0 and result.info.triples["inferred"] > 0


def test_shacl_catches_a_challenge_without_citation(sources: Path) -> None:
    report = sources / "data" / "report.ttl"
    text = report.read_text(encoding="utf-8")
    graph = Graph().parse(data=text, format="turtle")
    challenge = URIRef(f"{KG}challenge/undervalued-foreign-skills")
    graph.remove((challenge, GFMD.hasCitation, None))
    graph.serialize(report, format="turtle")
    settings = settings_for(sources)
    built = build(settings)
    dataset = dataset_from_store(EmbeddedStore(built.store, settings["base_iri"], "memory"))
    violations = validate_dataset(dataset, sources / SHAPES)
    assert any(v.focus == str(challenge) and v.severity == "Violation" for v in violations)


def test_real_data_conforms(built: Any, settings: dict[str, Any]) -> None:
    dataset = dataset_from_store(EmbeddedStore(built.store, settings["base_iri"], "memory"))
    violations = [v for v in validate_dataset(dataset, PROJECT_ROOT / SHAPES)
                  if v.severity == "Violation"]
    assert violations == []


def test_cache_is_reused_until_a_source_changes(sources: Path) -> None:
    settings = settings_for(sources)
    first = build(settings)
    assert not first.info.from_cache
    again = build(settings)
    assert again.info.from_cache and again.info.source_hash == first.info.source_hash
    data = sources / "data" / "themes.ttl"
    data.write_text(data.read_text(encoding="utf-8") + "\n# touched\n", encoding="utf-8")
    changed = build(settings)
    assert not changed.info.from_cache and changed.info.source_hash != first.info.source_hash


def test_a_syntax_error_in_a_source_names_the_file(sources: Path) -> None:
    (sources / "data" / "links.ttl").write_text("this is not turtle", encoding="utf-8")
    with pytest.raises(BuildError, match=r"links\.ttl"):
        build(settings_for(sources))


def test_base_iri_is_configurable(sources: Path) -> None:
    built = build(settings_for(sources, base_iri="https://example.org/kg/"))
    subjects = {q.subject.value for q in built.store.quads_for_pattern(None, None, None, None)
                if hasattr(q.subject, "value")}
    assert "https://example.org/kg/id/person/soenke-lorenz" in subjects
    assert not any(s.startswith("https://w3id.org/gfmd-kg/") for s in subjects)


def test_every_report_entity_cites_the_report(kg: Any) -> None:
    report = "https://w3id.org/gfmd-kg/graph/report"
    rows = kg.select(f"""SELECT DISTINCT ?s WHERE {{ GRAPH <{report}> {{ ?s a ?type }}
        FILTER(STRSTARTS(STR(?s), "{KG}"))
        FILTER NOT EXISTS {{ ?s gfmd:hasCitation ?c }}
        FILTER NOT EXISTS {{ ?s a gfmd:Citation }}
        FILTER NOT EXISTS {{ ?s a gfmd:SourceDocument }} }}""")
    assert rows == []

