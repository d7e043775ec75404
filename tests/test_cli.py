"""The ``gfmd-kg`` command line through click's CliRunner: build, stats, queries in every
result format, CONSTRUCT output, lossless export in every RDF format, the error paths, and
the configurable base IRI. One build cache is shared by the tests of this module."""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import XSD

from gfmd_kg.api import dataset_from_store
from gfmd_kg.cli import main
from gfmd_kg.settings import SETTINGS, load_settings
from gfmd_kg.store import open_store
from gfmd_kg.vocab import GRAPH_KEYS

B = "https://w3id.org/gfmd-kg/"
ID = B + "id/"
EVENT = URIRef(ID + "event/gfmd-ilo-labour-migration-skills-2018")
SCHEMA = "https://schema.org/"
SESSION_1 = ID + "session/gfmd-ilo-labour-migration-skills-2018-session-1"
SESSION_2 = ID + "session/gfmd-ilo-labour-migration-skills-2018-session-2"
SESSION_2_CHALLENGES = [
    "Migrants' skills mismatched with job requirements",
    "Over-skilling and weak bargaining power of migrants",
    "Climate and disaster shocks to labour supply",
]
EXAMPLE_BASE = "https://example.org/kg/"
QUAD_FORMATS = {"trig": "trig", "nquads": "nquads", "jsonld": "json-ld"}
TRIPLE_FORMATS = {"turtle": "turtle", "nt": "nt", "xml": "xml"}


# ----------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def cli_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cli-cache")


@pytest.fixture(scope="module")
def runner(cli_cache: Path) -> CliRunner:
    """A runner whose environment holds no GFMD_KG_* setting but the module's cache."""
    env: dict[str, str | None] = {setting.env: None for setting in SETTINGS}
    env["GFMD_KG_CACHE_DIR"] = str(cli_cache)
    return CliRunner(env=env)


@pytest.fixture(scope="module")
def build_result(runner: CliRunner, cli_cache: Path) -> Result:
    """The first build of the module (every later command reads its cache)."""
    return runner.invoke(main, ["build", "--cache-dir", str(cli_cache)])


@pytest.fixture(scope="module")
def reference(build_result: Result, cli_cache: Path) -> Dataset:
    """The built dataset, read from the store, as an rdflib Dataset."""
    assert build_result.exit_code == 0, build_result.output
    store = open_store(load_settings({"cache_dir": str(cli_cache)}, environ={}))
    try:
        return dataset_from_store(store)
    finally:
        store.close()


def graph_iri(key: str, base: str = B) -> URIRef:
    return URIRef(f"{base}graph/{key}")


def union_of(dataset: Dataset) -> Graph:
    union = Graph()
    for s, p, o, _g in dataset.quads((None, None, None, None)):
        union.add((s, p, o))
    return union


def run(runner: CliRunner, *args: str, input: str | None = None) -> Result:
    return runner.invoke(main, list(args), input=input)


def ok(result: Result) -> Result:
    assert result.exit_code == 0, f"exit {result.exit_code}: {result.output}"
    return result


# ----------------------------------------------------------------- build and stats


def test_build_prints_counts_per_graph(build_result: Result, reference: Dataset) -> None:
    ok(build_result)
    assert re.search(r"^dataset [0-9a-f]{16}: (from the cache, )?built in [\d.]+ s, "
                     r"reasoner: \S+", build_result.stdout, re.MULTILINE)
    counts = {m[0]: int(m[1]) for m in
              re.findall(r"^\s+(\w+)\s+(\d+) triples$", build_result.stdout, re.MULTILINE)}
    assert list(counts) == [*GRAPH_KEYS, "total"]
    for key in GRAPH_KEYS:
        assert counts[key] == len(reference.graph(graph_iri(key))), key
    assert counts["total"] == sum(counts[k] for k in GRAPH_KEYS)
    assert counts["report"] > 0 and counts["curated"] > 0 and counts["ontology"] > 0


def test_second_build_uses_the_cache(runner: CliRunner, build_result: Result) -> None:
    result = ok(run(runner, "build"))
    assert re.match(r"dataset [0-9a-f]{16}: from the cache, built in", result.stdout)
    assert re.findall(r"triples$", result.stdout, re.MULTILINE) == \
        re.findall(r"triples$", build_result.stdout, re.MULTILINE)


def test_stats_shows_instances_per_class(runner: CliRunner, reference: Dataset) -> None:
    result = ok(run(runner, "stats"))
    assert "store: memory" in result.stdout
    assert re.search(r"^\s+report\s+\d+ triples$", result.stdout, re.MULTILINE)
    assert "instances per class:" in result.stdout
    per_class = dict(re.findall(r"^\s+(gfmd:\w+)\s+(\d+)$", result.stdout, re.MULTILINE))
    assert per_class["gfmd:Challenge"] == "12"
    assert per_class["gfmd:Opportunity"] == "12"
    assert per_class["gfmd:Objective"] == "23"
    assert per_class["gfmd:WorkshopSession"] == "4"


def test_queries_lists_named_queries_with_parameters(runner: CliRunner) -> None:
    result = ok(run(runner, "queries"))
    assert "challenges-of-session: Challenges of a session" in result.stdout
    assert re.search(r"^\s+--param session=<iri>\s+The workshop session \(default "
                     + re.escape(SESSION_1) + r"\)$", result.stdout, re.MULTILINE)
    assert len(re.findall(r"^[a-z0-9-]+: ", result.stdout, re.MULTILINE)) >= 16


# ----------------------------------------------------------------- query: result formats


def query_session_2(runner: CliRunner, fmt: str) -> Result:
    return ok(run(runner, "query", "challenges-of-session", "-p", f"session={SESSION_2}",
                  "-f", fmt))


def test_query_table(runner: CliRunner, reference: Dataset) -> None:
    out = query_session_2(runner, "table").stdout
    lines = out.splitlines()
    assert lines[0].split() == ["session", "position", "challenge", "label", "description"]
    assert set(lines[1].replace(" ", "")) == {"-"}
    assert lines[-1] == "(3 rows)"
    for label in SESSION_2_CHALLENGES:
        assert label in out
    assert "kg:challenge/skills-mismatch-with-job-requirements" in out  # compacted IRIs


def test_query_json(runner: CliRunner, reference: Dataset) -> None:
    doc = json.loads(query_session_2(runner, "json").stdout)
    assert doc["head"]["vars"] == ["session", "position", "challenge", "label", "description"]
    bindings = doc["results"]["bindings"]
    assert [b["label"]["value"] for b in bindings] == SESSION_2_CHALLENGES
    first = bindings[0]
    assert first["session"] == {"type": "uri", "value": SESSION_2}
    assert first["challenge"] == {
        "type": "uri", "value": ID + "challenge/skills-mismatch-with-job-requirements"}
    assert first["position"]["type"] == "literal"
    assert first["position"]["value"] == "1"
    assert first["position"]["datatype"].startswith(str(XSD))
    assert first["label"] == {"type": "literal", "xml:lang": "en",
                              "value": SESSION_2_CHALLENGES[0]}


def test_query_csv(runner: CliRunner, reference: Dataset) -> None:
    rows = list(csv.DictReader(io.StringIO(query_session_2(runner, "csv").stdout)))
    assert [r["label"] for r in rows] == SESSION_2_CHALLENGES
    assert [r["position"] for r in rows] == ["1", "2", "3"]
    assert {r["session"] for r in rows} == {SESSION_2}
    assert rows[1]["challenge"] == ID + "challenge/over-skilling-and-weak-bargaining-power"


def test_query_csv_quotes_commas(runner: CliRunner, reference: Dataset) -> None:
    out = ok(run(runner, "query", "challenges-of-session", "-f", "csv")).stdout
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == ["session", "position", "challenge", "label", "description"]
    assert rows[2][3] == "Globalisation, technology and informality hinder skills matching"


def test_query_tsv(runner: CliRunner, reference: Dataset) -> None:
    lines = query_session_2(runner, "tsv").stdout.splitlines()
    assert lines[0].split("\t") == ["?session", "?position", "?challenge", "?label",
                                    "?description"]
    cells = lines[1].split("\t")
    assert cells[0] == f"<{SESSION_2}>"
    assert cells[1] in {'"1"^^<http://www.w3.org/2001/XMLSchema#integer>',
                        '"1"^^<http://www.w3.org/2001/XMLSchema#positiveInteger>'}
    assert cells[3] == f'"{SESSION_2_CHALLENGES[0]}"@en'
    assert len(lines) == 4


def test_query_xml(runner: CliRunner, reference: Dataset) -> None:
    ns = {"s": "http://www.w3.org/2005/sparql-results#"}
    root = ET.fromstring(query_session_2(runner, "xml").stdout_bytes)
    names = [v.get("name") for v in root.findall("s:head/s:variable", ns)]
    assert names == ["session", "position", "challenge", "label", "description"]
    results = root.findall("s:results/s:result", ns)
    assert len(results) == 3
    labels = [r.find("s:binding[@name='label']/s:literal", ns) for r in results]
    assert [lit.text for lit in labels if lit is not None] == SESSION_2_CHALLENGES
    uri = results[0].find("s:binding[@name='session']/s:uri", ns)
    assert uri is not None and uri.text == SESSION_2


def test_query_ask(runner: CliRunner, reference: Dataset) -> None:
    assert ok(run(runner, "query", "is-challenge-addressed")).stdout.strip() == "yes"
    doc = json.loads(ok(run(runner, "query", "is-challenge-addressed", "-f", "json")).stdout)
    assert doc == {"head": {}, "boolean": True}
    not_a_challenge = ok(run(runner, "query", "is-challenge-addressed", "-p",
                             f"challenge={ID}opportunity/global-skills-partnership"))
    assert not_a_challenge.stdout.strip() == "no"


def test_query_from_a_file(runner: CliRunner, reference: Dataset, tmp_path: Path) -> None:
    path = tmp_path / "count.rq"
    path.write_text("PREFIX gfmd: <https://w3id.org/gfmd-kg/ontology#>\n"
                    "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c a gfmd:Challenge }\n",
                    encoding="utf-8")
    result = ok(run(runner, "query", str(path), "-f", "csv"))
    assert result.stdout.splitlines() == ["n", "12"]


def test_query_from_stdin(runner: CliRunner, reference: Dataset) -> None:
    text = ("PREFIX gfmd: <https://w3id.org/gfmd-kg/ontology#>\n"
            "SELECT ?n WHERE { ?o gfmd:objectiveNumber ?n } ORDER BY ?n\n")
    result = ok(run(runner, "query", "-", "-f", "csv", input=text))
    assert result.stdout.splitlines() == ["n", *[str(n) for n in range(1, 24)]]


def test_query_graph_option_selects_the_default_graph(runner: CliRunner,
                                                       reference: Dataset) -> None:
    text = ("PREFIX gfmd: <https://w3id.org/gfmd-kg/ontology#>\n"
            "SELECT (COUNT(*) AS ?n) WHERE { ?s gfmd:concerns ?o }\n")

    def count(*graphs: str) -> int:
        args = [a for g in graphs for a in ("-g", g)]
        out = ok(run(runner, "query", "-", "-f", "csv", *args, input=text)).stdout
        return int(out.splitlines()[1])

    expected = len(set(reference.graph(graph_iri("curated")).triples(
        (None, URIRef(B + "ontology#concerns"), None))))
    assert expected > 0
    assert count("report") == 0  # the links are our reading, not the report's
    assert count("curated") == expected
    assert count(str(graph_iri("curated"))) == expected
    assert count() == expected


# ----------------------------------------------------------------- CONSTRUCT


def test_construct_output_parses_back(runner: CliRunner, reference: Dataset) -> None:
    result = ok(run(runner, "query", "entity-neighbourhood"))
    graph = Graph().parse(data=result.stdout, format="turtle")
    assert (EVENT, URIRef(SCHEMA + "location"), URIRef(ID + "place/geneva")) in graph
    assert (EVENT, URIRef(SCHEMA + "startDate"), Literal("2018-05-03", datatype=XSD.date)) \
        in graph
    assert (URIRef(SESSION_1), URIRef(SCHEMA + "superEvent"), EVENT) in graph
    assert all(EVENT in (s, o) for s, _, o in graph)
    expected = Graph()
    union = union_of(reference)
    for triple in union.triples((EVENT, None, None)):
        expected.add(triple)
    for triple in union.triples((None, None, EVENT)):
        expected.add(triple)
    assert isomorphic(graph, expected)
    for fmt, rdflib_fmt in (("nt", "nt"), ("jsonld", "json-ld"), ("xml", "xml")):
        other = ok(run(runner, "query", "entity-neighbourhood", "-f", fmt))
        assert isomorphic(Graph().parse(data=other.stdout_bytes, format=rdflib_fmt), graph), fmt


def test_construct_refuses_a_result_format(runner: CliRunner, reference: Dataset) -> None:
    result = run(runner, "query", "entity-neighbourhood", "-f", "csv")
    assert result.exit_code == 2
    assert "a graph result takes --format" in result.output


# ----------------------------------------------------------------- export


@pytest.mark.parametrize("fmt", list(QUAD_FORMATS))
def test_export_quad_formats_round_trip(runner: CliRunner, reference: Dataset, tmp_path: Path,
                                        fmt: str) -> None:
    out = tmp_path / f"dataset.{fmt}"
    result = ok(run(runner, "export", "-f", fmt, "-o", str(out)))
    assert re.search(rf"exported \d+ statements as {fmt}", result.stderr)
    assert "note:" not in result.stderr
    parsed = Dataset()
    parsed.parse(out, format=QUAD_FORMATS[fmt])
    names = {g.identifier for g in parsed.graphs() if len(g)}
    assert names == {graph_iri(k) for k in GRAPH_KEYS}
    for key in GRAPH_KEYS:
        mine, theirs = parsed.graph(graph_iri(key)), reference.graph(graph_iri(key))
        assert len(mine) == len(theirs), key
        assert isomorphic(mine, theirs), key


@pytest.mark.parametrize("fmt", list(TRIPLE_FORMATS))
def test_export_triple_formats_hold_the_union(runner: CliRunner, reference: Dataset,
                                              tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"dataset.{fmt}"
    result = ok(run(runner, "export", "-f", fmt, "-o", str(out)))
    assert "holds no named graphs" in result.stderr
    parsed = Graph().parse(out, format=TRIPLE_FORMATS[fmt])
    union = union_of(reference)
    assert len(parsed) == len(union)
    assert isomorphic(parsed, union)


def test_export_one_graph(runner: CliRunner, reference: Dataset, tmp_path: Path) -> None:
    report = reference.graph(graph_iri("report"))
    result = ok(run(runner, "export", "--graph", "report", "-f", "turtle"))
    parsed = Graph().parse(data=result.stdout_bytes, format="turtle")
    assert isomorphic(parsed, report)
    assert f"exported {len(report)} statements as turtle" in result.stderr
    out = tmp_path / "report.nq"
    ok(run(runner, "export", "-g", str(graph_iri("report")), "-f", "nt", "-o", str(out)))
    assert isomorphic(Graph().parse(out, format="nt"), report)
    assert not (tmp_path / "report.nq.part").exists()


def test_export_default_is_trig_on_stdout(runner: CliRunner, reference: Dataset) -> None:
    result = ok(run(runner, "export"))
    parsed = Dataset()
    parsed.parse(data=result.stdout_bytes, format="trig")
    assert isomorphic(parsed.graph(graph_iri("curated")), reference.graph(graph_iri("curated")))


# ----------------------------------------------------------------- error paths


def failed(result: Result, code: int = 1) -> str:
    assert result.exit_code == code, f"exit {result.exit_code}: {result.output}"
    return result.output


def test_syntax_error_names_the_position(runner: CliRunner, reference: Dataset,
                                         tmp_path: Path) -> None:
    path = tmp_path / "bad.rq"
    path.write_text("SELECT ?x WHERE { ?x ?p }", encoding="utf-8")
    message = failed(run(runner, "query", str(path)))
    assert re.search(r"Error: error at 1:\d+", message)
    text = "SELECT ?x\nWHERE {\n  ?x ?p ?o .\n  FILTER(\n}\n"
    message = failed(run(runner, "query", "-", input=text))
    position = re.search(r"error at (\d+):(\d+)", message)
    assert position and int(position[1]) >= 4, message  # the line of the bad FILTER or after
    assert "Traceback" not in message


def test_missing_file_and_unknown_named_query(runner: CliRunner, reference: Dataset,
                                              tmp_path: Path) -> None:
    message = failed(run(runner, "query", str(tmp_path / "no-such-file.rq")))
    assert "neither a named query nor a file" in message
    message = failed(run(runner, "query", "no-such-query"))
    assert "'no-such-query' is neither a named query nor a file" in message
    assert "challenges-of-session" in message  # the message lists the known names


def test_export_unknown_graph(runner: CliRunner, reference: Dataset) -> None:
    message = failed(run(runner, "export", "--graph", "nope"))
    assert "unknown graph 'nope'" in message
    assert "ontology, report, curated, inferred" in message


def test_unknown_format_is_a_usage_error(runner: CliRunner) -> None:
    message = failed(run(runner, "export", "-f", "yaml"), code=2)
    assert "Invalid value for '-f' / '--format'" in message and "'yaml'" in message
    message = failed(run(runner, "query", "sessions", "-f", "yaml"), code=2)
    assert "'yaml' is not one of" in message


def test_bad_param_syntax(runner: CliRunner, reference: Dataset) -> None:
    message = failed(run(runner, "query", "challenges-of-session", "-p", "session"), code=2)
    assert "--param takes NAME=VALUE" in message


def test_unknown_param_name(runner: CliRunner, reference: Dataset) -> None:
    message = failed(run(runner, "query", "challenges-of-session", "-p", "sesion=x:y"))
    assert "has no parameter sesion" in message
    assert "its parameters: session" in message


def test_param_on_a_plain_query_is_refused(runner: CliRunner, reference: Dataset) -> None:
    message = failed(run(runner, "query", "-", "-p", "x=1", input="ASK {}"), code=2)
    assert "--param applies to named queries only" in message


def test_param_with_sparql_in_it_is_refused(runner: CliRunner, reference: Dataset) -> None:
    message = failed(run(runner, "query", "challenges-of-session", "-p",
                         "session=> } ; DROP ALL ; <"))
    assert "parameter session" in message and "is not an IRI" in message
    sessions = ok(run(runner, "query", "sessions", "-f", "csv")).stdout.splitlines()
    assert len(sessions) == 7  # header + 6 sessions: nothing was dropped


def test_base_iri_must_be_http(runner: CliRunner) -> None:
    message = failed(run(runner, "query", "sessions", "--base-iri", "ftp://example.org/kg/"))
    assert "base_iri" in message and "must be an http(s) IRI" in message
    message = failed(run(runner, "build", "--base-iri", "https://example.org/no-slash"))
    assert "must be an http(s) IRI ending in '/' or '#'" in message


# ----------------------------------------------------------------- validate


def test_validate_conforms(runner: CliRunner, reference: Dataset) -> None:
    result = run(runner, "validate")
    assert result.exit_code == 0, result.output
    assert "conforms" in result.stdout


# ----------------------------------------------------------------- base IRI


@pytest.fixture(scope="module")
def example_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cli-cache-example-base")


@pytest.fixture(scope="module")
def example_build(runner: CliRunner, example_cache: Path) -> Result:
    return runner.invoke(main, ["build", "--base-iri", EXAMPLE_BASE,
                                "--cache-dir", str(example_cache)])


def iris_of(dataset: Dataset) -> set[str]:
    found: set[str] = set()
    for quad in dataset.quads((None, None, None, None)):
        found.update(str(t) for t in quad if isinstance(t, URIRef))
    return found


def test_base_iri_rewrites_the_built_iris(runner: CliRunner, example_build: Result,
                                          example_cache: Path) -> None:
    ok(example_build)
    result = ok(run(runner, "export", "-f", "nquads", "--base-iri", EXAMPLE_BASE,
                    "--cache-dir", str(example_cache)))
    parsed = Dataset()
    parsed.parse(data=result.stdout_bytes, format="nquads")
    names = {g.identifier for g in parsed.graphs() if len(g)}
    assert names == {graph_iri(k, EXAMPLE_BASE) for k in GRAPH_KEYS}
    iris = iris_of(parsed)
    assert not [i for i in iris if i.startswith(B)]
    assert EXAMPLE_BASE + "id/event/gfmd-ilo-labour-migration-skills-2018" in iris
    assert EXAMPLE_BASE + "ontology#Challenge" in iris
    ours = [i for i in iris if i.startswith(EXAMPLE_BASE)]
    assert len(ours) > 300


def test_base_iri_applies_to_named_queries(runner: CliRunner, example_build: Result,
                                           example_cache: Path) -> None:
    ok(example_build)
    args = ["--base-iri", EXAMPLE_BASE, "--cache-dir", str(example_cache), "-f", "csv"]
    rows: list[dict[str, Any]] = list(csv.DictReader(io.StringIO(
        ok(run(runner, "query", "challenges-of-session", *args)).stdout)))
    assert [r["challenge"] for r in rows] == [
        EXAMPLE_BASE + "id/challenge/skills-demand-information-scarce",
        EXAMPLE_BASE + "id/challenge/globalisation-technology-informality-hinder-matching",
        EXAMPLE_BASE + "id/challenge/no-skills-anticipation-brain-drain-waste",
    ]
    sessions = list(csv.DictReader(io.StringIO(ok(run(runner, "query", "sessions",
                                                          *args)).stdout)))
    assert len(sessions) == 6
    assert all(r["session"].startswith(EXAMPLE_BASE + "id/session/") for r in sessions)
    # a parameter given under the default base is moved to the configured base
    moved = list(csv.DictReader(io.StringIO(ok(run(
        runner, "query", "challenges-of-session", "-p", f"session={SESSION_2}", *args)).stdout)))
    assert [r["label"] for r in moved] == SESSION_2_CHALLENGES


def test_query_of_an_unknown_graph_is_refused(runner: CliRunner, build_result: Result) -> None:
    for graph in ("nosuch", "http://example.org/nosuch"):
        result = run(runner, "query", "gcm-objectives", "-g", graph)
        assert result.exit_code == 2
        assert "unknown graph" in result.output and "report" in result.output


def test_query_of_one_graph(runner: CliRunner, build_result: Result) -> None:
    result = ok(run(runner, "query", "gcm-objectives", "-g", "curated", "-f", "csv"))
    assert len(result.output.strip().splitlines()) == 24  # header + 23 objectives
