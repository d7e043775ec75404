"""The query-string parser gives exactly what werkzeug's own (the standard library's
parse_qsl) gives, for any string, and a GET query through the app is read by it."""

from __future__ import annotations

import urllib.parse
from typing import Any

import werkzeug  # noqa: F401  (registers the codec error handler both parsers use)
from hypothesis import given, settings
from hypothesis import strategies as st

from gfmd_kg.web.querystring import Request, parse_query_string

#: the characters that matter to the parser, and a few that are not ASCII
PIECES = st.sampled_from([*"%+&=\\x;aZ09fF?#/ ", "é", "Ã", "€", "\U0001f600", "%e2%82", "%ac",
                          "%a9", "%82", "%C3%A9", "%FF", "%zz", "%4"])


def reference(text: str) -> list[tuple[str, str]]:
    return urllib.parse.parse_qsl(text, keep_blank_values=True, errors="werkzeug.url_quote")


@settings(max_examples=2000, deadline=None)
@given(st.lists(PIECES, max_size=40).map("".join))
def test_same_pairs_as_the_standard_library(text: str) -> None:
    assert parse_query_string(text) == reference(text)


@given(st.text(max_size=200))
@settings(max_examples=500, deadline=None)
def test_a_value_survives_encoding_and_parsing(value: str) -> None:
    encoded = urllib.parse.urlencode({"query": value, "x": "1"})
    assert parse_query_string(encoded) == [("query", value), ("x", "1")]


def test_a_sparql_query_by_get(app: Any, client: Any) -> None:
    assert app.request_class is Request
    text = 'PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\nSELECT ("50%+1 \\\\ é" AS ?x) {}'
    answer = client.get("/sparql?" + urllib.parse.urlencode({"query": text}),
                        headers={"Accept": "application/sparql-results+json"})
    assert answer.status_code == 200, answer.text
    assert answer.json["results"]["bindings"] == [
        {"x": {"type": "literal", "value": "50%+1 \\ é"}}]
