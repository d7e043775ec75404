"""The cache of query answers: hits, ETags and 304, emptied by writes, and off by setting."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gfmd_kg.build import Built
from gfmd_kg.web.cache import Entry, ResultCache, cacheable, matches

TOKEN = "cache-test-token"
QUERY = "SELECT ?o WHERE { ?o <https://w3id.org/gfmd-kg/ontology#objectiveNumber> ?n } ORDER BY ?n"
SCRATCH = "https://example.org/scratch"


@pytest.fixture(scope="module")
def writable(cache_dir: Path, built: Built) -> Iterator[Any]:
    """The app over the memory store, with writes enabled (and the cache on, the default)."""
    from gfmd_kg.web import create_app

    app = create_app({"TESTING": True, "cache_dir": str(cache_dir), "update_token": TOKEN})
    yield app
    app.extensions["gfmd_kg"].close()


@pytest.fixture(scope="module")
def uncached(cache_dir: Path, built: Built) -> Iterator[Any]:
    from gfmd_kg.web import create_app

    app = create_app({"TESTING": True, "cache_dir": str(cache_dir), "result_cache": False})
    yield app
    app.extensions["gfmd_kg"].close()


def ask(app: Any, query: str = QUERY, **headers: str) -> Any:
    """The answer, read to its end (an answer is cached once it has been sent whole)."""
    response = app.test_client().get("/sparql", query_string={"query": query},
                                     headers=headers)
    response.get_data()
    return response


def update(app: Any, text: str) -> Any:
    return app.test_client().post("/sparql", data=text, headers={
        "Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"})


def test_a_repeated_query_is_answered_from_the_cache(writable: Any) -> None:
    text = QUERY + " # repeated"
    first, second = ask(writable, text), ask(writable, text)
    assert first.status_code == second.status_code == 200
    assert first.headers["X-Cache"] == "miss"
    assert second.headers["X-Cache"] == "hit"
    assert first.data == second.data
    assert first.headers["ETag"] == second.headers["ETag"]
    assert second.headers["Content-Type"] == first.headers["Content-Type"]
    assert second.headers["X-Result-Rows"] == first.headers["X-Result-Rows"] == "23"
    assert "Accept" in second.headers["Vary"]


def test_the_key_holds_the_format_and_the_dataset(writable: Any) -> None:
    text = QUERY + " # formats"
    as_json = ask(writable, text)
    as_csv = ask(writable, text, Accept="text/csv")
    assert as_csv.headers["X-Cache"] == "miss"
    assert as_csv.headers["ETag"] != as_json.headers["ETag"]
    assert as_csv.data.startswith(b"o\r\n")
    one_graph = writable.test_client().get("/sparql", query_string={
        "query": text, "default-graph-uri": "https://w3id.org/gfmd-kg/graph/curated"})
    one_graph.get_data()
    assert one_graph.headers["X-Cache"] == "miss"
    assert ask(writable, text, Accept="text/csv").headers["X-Cache"] == "hit"


def test_if_none_match_gets_304_with_the_same_headers(writable: Any) -> None:
    text = QUERY + " # conditional"
    etag = ask(writable, text).headers["ETag"]
    for header in (etag, f'"other", {etag}', f"W/{etag}", "*"):
        answer = ask(writable, text, **{"If-None-Match": header})
        assert answer.status_code == 304, header
        assert answer.headers["ETag"] == etag
        assert "Accept" in answer.headers["Vary"]
        assert answer.data == b""
    assert ask(writable, text, **{"If-None-Match": '"stale"'}).status_code == 200


def test_a_write_empties_the_cache_and_changes_the_etag(writable: Any) -> None:
    text = QUERY + " # written"
    before = ask(writable, text)
    assert ask(writable, text).headers["X-Cache"] == "hit"
    assert update(writable, f"INSERT DATA {{ GRAPH <{SCRATCH}> {{ <{SCRATCH}#a> "
                  f"<{SCRATCH}#p> 1 }} }}").status_code == 204
    after = ask(writable, text)
    assert after.headers["X-Cache"] == "miss"
    assert after.headers["ETag"] != before.headers["ETag"]
    stale = ask(writable, text, **{"If-None-Match": before.headers["ETag"]})
    assert stale.status_code == 200


def test_a_graph_store_write_empties_the_cache(writable: Any) -> None:
    text = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{SCRATCH}-gsp> {{ ?s ?p ?o }} }}"
    assert b'"0"' in ask(writable, text).data
    assert ask(writable, text).headers["X-Cache"] == "hit"
    put = writable.test_client().put(
        f"/store?graph={SCRATCH}-gsp", data=f"<{SCRATCH}#a> <{SCRATCH}#p> \"1\" .\n",
        headers={"Content-Type": "application/n-triples", "Authorization": f"Bearer {TOKEN}"})
    assert put.status_code in (201, 204)
    after = ask(writable, text)
    assert after.headers["X-Cache"] == "miss"
    assert b'"1"' in after.data


def test_errors_and_volatile_queries_are_not_cached(writable: Any) -> None:
    for _ in range(2):
        bad = ask(writable, "SELECT * WHERE { ?s ?p }")
        assert bad.status_code == 400
        assert "ETag" not in bad.headers
        assert bad.headers.get("X-Cache") is None
    for _ in range(2):
        chance = ask(writable, "SELECT (RAND() AS ?r) WHERE {}")
        assert chance.status_code == 200
        assert "ETag" not in chance.headers and "X-Cache" not in chance.headers


def test_no_cache_request_skips_the_lookup(writable: Any) -> None:
    text = QUERY + " # no-cache"
    ask(writable, text)
    fresh = ask(writable, text, **{"Cache-Control": "no-cache"})
    assert fresh.headers["X-Cache"] == "miss"


def test_the_cache_off_gives_no_hits(uncached: Any) -> None:
    answers = [ask(uncached) for _ in range(3)]
    assert all(a.status_code == 200 for a in answers)
    assert all(a.headers.get("X-Cache") != "hit" for a in answers)
    assert all("ETag" not in a.headers for a in answers)
    etagless = ask(uncached, **{"If-None-Match": "*"})
    assert etagless.status_code == 200


def test_result_cache_setting_parses() -> None:
    from gfmd_kg.settings import load_settings

    assert load_settings(environ={})["result_cache"] is True
    assert load_settings(environ={"GFMD_KG_RESULT_CACHE": "0"})["result_cache"] is False


# ------------------------------------------------------------------- the cache itself


def entry(size: int, version: int = 0) -> Entry:
    return Entry(b"x" * size, {"Content-Type": "text/csv"}, version)


def test_least_recently_used_out_by_total_bytes() -> None:
    cache = ResultCache(max_bytes=300, max_entry_bytes=200)
    for key in ("a", "b", "c"):
        assert cache.put(key, entry(100))
    assert cache.get("a") is not None  # a is now the most recently used
    assert cache.put("d", entry(100))
    assert cache.get("b") is None  # b was the least recently used
    assert cache.get("a") is not None and cache.get("d") is not None
    assert cache.size <= 300


def test_big_answers_are_not_kept() -> None:
    cache = ResultCache(max_bytes=1000, max_entry_bytes=100)
    assert not cache.put("big", entry(101))
    assert cache.get("big") is None


def test_an_answer_made_before_a_write_is_refused() -> None:
    cache = ResultCache()
    version = cache.version
    etag = cache.etag("k")
    cache.clear()
    assert not cache.put("k", entry(10, version))
    assert cache.etag("k") != etag
    assert cache.put("k", entry(10, cache.version))


def test_keys_and_matching() -> None:
    key = ResultCache.key("SELECT * {}", [], [], None, {"select": "json"}, 10)
    assert key != ResultCache.key("SELECT * {}", [], [], None, {"select": "csv"}, 10)
    assert key != ResultCache.key("SELECT * {}", ["g"], [], None, {"select": "json"}, 10)
    assert key != ResultCache.key("SELECT * {}", [], [], {"x": "<a>"}, {"select": "json"}, 10)
    assert key != ResultCache.key("SELECT * {}", [], [], None, {"select": "json"}, 0)
    assert matches('"a", "b"', '"b"') and matches('W/"b"', '"b"') and matches("*", '"b"')
    assert not matches(None, '"b"') and not matches('"a"', '"b"')
    assert cacheable("SELECT * { ?s ?p ?o }")
    assert cacheable('SELECT * { ?s ?p "NOW()" }')  # in a string: not a call
    assert not cacheable("SELECT (NOW() AS ?t) {}")
    assert not cacheable("SELECT * { SERVICE <http://x/> { ?s ?p ?o } }")


def test_an_unacceptable_format_is_never_answered_from_the_cache(writable: Any) -> None:
    text = QUERY + " # negotiated"
    assert ask(writable, text).status_code == 200
    assert ask(writable, text).headers["X-Cache"] == "hit"
    refused = ask(writable, text, Accept="image/png")
    assert refused.status_code == 406
