"""`gfmd-kg load`: bulk loading RDF files into the on-disk store, served with the built graph;
and answers without a row cap (max_rows = 0), which stream."""

from __future__ import annotations

import gc
import gzip
import json
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from gfmd_kg.build import Built
from gfmd_kg.cli import main
from gfmd_kg.settings import SettingsError, load_settings
from gfmd_kg.store import EmbeddedStore, open_store, our_graph_counts

EX = "https://example.org/bench/"


def write_nt(path: Path, count: int) -> Path:
    """``count`` distinct triples about ``count // 5`` subjects, as N-Triples."""
    lines = [f'<{EX}s{i // 5}> <{EX}p{i % 5}> "value {i}"@en .' for i in range(count)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def load(*args: str) -> Any:
    return CliRunner().invoke(main, ["load", *args])


def count(store_path: Path, graph: Any = None) -> int:
    store = ox.Store(str(store_path))
    try:
        return sum(1 for _ in store.quads_for_pattern(None, None, None, graph))
    finally:
        del store
        gc.collect()


def test_load_counts_and_reports_a_rate(tmp_path: Path) -> None:
    data = write_nt(tmp_path / "data.nt", 1000)
    result = load("--store", f"oxigraph:{tmp_path / 'kg'}", str(data))
    assert result.exit_code == 0, result.output
    assert "loaded 1000 statements" in result.output
    assert "statements/s" in result.output
    assert count(tmp_path / "kg", ox.DefaultGraph()) == 1000


def test_load_into_a_named_graph_and_several_formats(tmp_path: Path) -> None:
    nt = write_nt(tmp_path / "a.nt", 100)
    gz = tmp_path / "b.nt.gz"
    gz.write_bytes(gzip.compress(write_nt(tmp_path / "b-src.nt", 50).read_bytes()))
    ttl = tmp_path / "c.ttl"
    ttl.write_text(f"@prefix ex: <{EX}> .\nex:t1 ex:q ex:t2 , ex:t3 .\n", encoding="utf-8")
    graph = EX + "graph"
    result = load("--store", f"oxigraph:{tmp_path / 'kg'}", "--graph", graph,
                  str(nt), str(gz), str(ttl))
    assert result.exit_code == 0, result.output
    # a.nt and b.nt.gz overlap (the same first 50 triples), the Turtle file adds 2
    assert count(tmp_path / "kg", ox.NamedNode(graph)) == 102
    assert count(tmp_path / "kg", ox.DefaultGraph()) == 0


def quads(store_path: Path) -> set[Any]:
    store = ox.Store(str(store_path))
    try:
        return set(store)
    finally:
        del store
        gc.collect()


def test_load_compacts_the_store_and_keeps_every_statement(tmp_path: Path) -> None:
    # each file is its own bulk load: its sorted files span the whole key range, and a
    # lookup probes all of them until the store is compacted
    files = []
    for k in range(3):
        path = tmp_path / f"part{k}.nt"
        path.write_text("".join(f'<{EX}s{k}-{i}> <{EX}p{i % 7}> "v {i}" .\n'
                                for i in range(2000)), encoding="utf-8")
        files.append(str(path))
    loose, tight = tmp_path / "loose", tmp_path / "tight"
    result = load("--no-compact", "--store", f"oxigraph:{loose}", *files)
    assert result.exit_code == 0, result.output
    assert "compacted the store" not in result.output
    result = load("--store", f"oxigraph:{tight}", *files)
    assert result.exit_code == 0, result.output
    assert "compacted the store in" in result.output
    assert len(list(tight.glob("*.sst"))) < len(list(loose.glob("*.sst")))
    assert quads(tight) == quads(loose)  # no blank nodes: equal sets are isomorphic
    assert len(quads(tight)) == 6000


def test_quads_keep_their_graphs(tmp_path: Path) -> None:
    nq = tmp_path / "d.nq"
    nq.write_text(f"<{EX}a> <{EX}p> <{EX}b> <{EX}g1> .\n<{EX}a> <{EX}p> <{EX}c> <{EX}g2> .\n",
                  encoding="utf-8")
    assert load("--store", f"oxigraph:{tmp_path / 'kg'}", str(nq)).exit_code == 0
    assert count(tmp_path / "kg", ox.NamedNode(EX + "g1")) == 1
    assert count(tmp_path / "kg", ox.NamedNode(EX + "g2")) == 1


@pytest.mark.parametrize(("name", "content", "extra", "message"), [
    ("data.csv", "a,b\n", [], "unknown extension '.csv'"),
    ("missing.nt", None, [], "missing.nt: no such file"),
    ("quads.nq", f"<{EX}a> <{EX}p> <{EX}b> <{EX}g> .\n", ["--graph", EX + "g"],
     "names its own graphs"),
    ("data.nt", None, ["--graph", "not an iri"], "is not an absolute IRI"),
])
def test_refusals(tmp_path: Path, name: str, content: str | None, extra: list[str],
                  message: str) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_text(content, encoding="utf-8")
    elif name == "data.nt":
        write_nt(path, 3)
    result = load("--store", f"oxigraph:{tmp_path / 'kg'}", *extra, str(path))
    assert result.exit_code != 0
    assert message in result.output


def test_a_syntax_error_names_the_file_and_the_place_and_loads_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "bad.nt"
    good = write_nt(tmp_path / "good.nt", 10).read_text(encoding="utf-8")
    bad.write_text(good + f"<{EX}x> <{EX}y> oops .\n", encoding="utf-8")
    result = load("--store", f"oxigraph:{tmp_path / 'kg'}", str(bad))
    assert result.exit_code != 0
    assert "bad.nt" in result.output and "line 11" in result.output
    assert count(tmp_path / "kg") == 0  # a file is loaded whole or not at all


def test_the_store_must_be_on_disk(tmp_path: Path) -> None:
    data = write_nt(tmp_path / "data.nt", 3)
    result = load("--store", "memory", str(data))
    assert result.exit_code == 2
    assert "oxigraph:PATH" in result.output


def _settings(cache_dir: Path, store_path: Path, **more: Any) -> dict[str, Any]:
    return load_settings({"cache_dir": str(cache_dir), "store": f"oxigraph:{store_path}",
                          **more}, environ={})


def test_load_then_open_adds_the_built_graph(tmp_path: Path, cache_dir: Path,
                                             built: Built) -> None:
    data = write_nt(tmp_path / "data.nt", 500)
    assert load("--store", f"oxigraph:{tmp_path / 'kg'}", str(data)).exit_code == 0
    store = open_store(_settings(cache_dir, tmp_path / "kg"))
    assert isinstance(store, EmbeddedStore)
    assert our_graph_counts(store) == built.info.triples
    assert store.graph_counts()[""] == 500
    store.close()
    del store
    gc.collect()


def test_open_then_load_keeps_both(tmp_path: Path, cache_dir: Path, built: Built) -> None:
    store = open_store(_settings(cache_dir, tmp_path / "kg"))
    store.close()
    del store
    gc.collect()
    data = write_nt(tmp_path / "data.nt", 200)
    assert load("--store", f"oxigraph:{tmp_path / 'kg'}", str(data)).exit_code == 0
    again = open_store(_settings(cache_dir, tmp_path / "kg"))
    assert our_graph_counts(again) == built.info.triples  # not added a second time
    assert again.graph_counts()[""] == 200
    again.close()
    del again
    gc.collect()


def test_max_rows_zero_is_no_cap_and_negative_is_refused() -> None:
    assert load_settings({"max_rows": "0"}, environ={})["max_rows"] == 0
    with pytest.raises(SettingsError):
        load_settings({"max_rows": "-1"}, environ={})


@pytest.fixture(scope="module")
def uncapped(tmp_path_factory: pytest.TempPathFactory, cache_dir: Path, built: Built) -> Any:
    """The app over a loaded on-disk store, with the row cap lifted."""
    from gfmd_kg.web import create_app

    folder = tmp_path_factory.mktemp("uncapped")
    data = write_nt(folder / "data.nt", 12_000)
    assert load("--store", f"oxigraph:{folder / 'kg'}", str(data)).exit_code == 0
    app = create_app({"TESTING": True, "cache_dir": str(cache_dir),
                      "store": f"oxigraph:{folder / 'kg'}", "max_rows": 0})
    yield app
    app.extensions["gfmd_kg"].close()


@pytest.mark.parametrize("accept", ["application/sparql-results+json", "text/csv",
                                    "application/sparql-results+xml",
                                    "text/tab-separated-values"])
def test_an_uncapped_select_streams_every_row(uncapped: Any, accept: str) -> None:
    query = f"SELECT ?s ?o WHERE {{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), '{EX}')) }}"
    response = uncapped.test_client().get("/sparql", query_string={"query": query},
                                          headers={"Accept": accept}, buffered=False)
    assert response.status_code == 200
    assert response.is_streamed
    assert "X-Result-Rows" not in response.headers  # not known before the last row
    assert "X-Result-Truncated" not in response.headers
    body = b"".join(response.response)
    response.close()
    if accept.endswith("json"):
        assert len(json.loads(body)["results"]["bindings"]) == 12_000
    elif accept.endswith("xml"):
        assert body.count(b"<result>") == 12_000
    else:
        assert len(body.decode().strip().splitlines()) == 12_001  # with the header line


def test_an_uncapped_construct_streams(uncapped: Any) -> None:
    query = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), '{EX}')) }}"
    response = uncapped.test_client().get("/sparql", query_string={"query": query},
                                          headers={"Accept": "application/n-triples"})
    assert response.status_code == 200
    assert len(response.data.decode().strip().splitlines()) == 12_000


def test_a_graph_dump_streams(uncapped: Any) -> None:
    response = uncapped.test_client().get("/store?default",
                                          headers={"Accept": "application/n-triples"})
    assert response.status_code == 200
    assert response.headers["X-Result-Rows"] == "12000"
    assert len(response.data.decode().strip().splitlines()) == 12_000
