"""The query pages with the Flask client: the editor page, the list of named queries (HTML
and JSON), one named query as a page and as data (suffixes and Accept), parameters bound as
terms, errors, and escaping."""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs, quote

import pyoxigraph as ox
import pytest

from gfmd_kg.namedqueries import load_named_queries
from gfmd_kg.settings import PROJECT_ROOT
from support import SESSION_1_CHALLENGES, SESSION_2_CHALLENGES

ID = "https://w3id.org/gfmd-kg/id/"
SESSION = ID + "session/gfmd-ilo-labour-migration-skills-2018-session-{}"
NAME = "challenges-of-session"
HTML = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
QUERIES = load_named_queries(PROJECT_ROOT / "queries")


class Links(HTMLParser):
    """Anchors (href, text), table cells' text, and every start tag seen."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, str]] = []
        self.cells: list[str] = []
        self.tags: list[str] = []
        self._href: str | None = None
        self._text: list[str] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag == "a":
            self._href, self._text = dict(attrs).get("href") or "", []
        if tag == "td":
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._href is not None:
            self.links.append((self._href, "".join(self._text).strip()))
            self._href = None
        if tag == "td" and self._cell is not None:
            self.cells.append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._href is not None:
            self._text.append(data)
        if self._cell is not None:
            self._cell.append(data)


def parse(html: str) -> Links:
    parser = Links()
    parser.feed(html)
    return parser


def get_html(client: Any, url: str, status: int = 200) -> str:
    response = client.get(url, headers=HTML)
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert response.mimetype == "text/html"
    text: str = response.get_data(as_text=True)
    return text


# ------------------------------------------------------------------------ the editor page

def test_index_has_the_editor_from_our_server_and_the_named_queries(client: Any) -> None:
    html = get_html(client, "/")
    assert "/vendor/yasgui/yasgui.min.js" in html and "/vendor/yasgui/yasgui.min.css" in html
    assert "/static/query.js" in html
    srcs = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html)
    assert srcs and all(s.startswith("/") for s in srcs), srcs
    found = re.search(r'<script id="query-config" type="application/json">(.*?)</script>',
                      html, re.S)
    config = json.loads(found.group(1))
    assert config["endpoint"] == "/sparql"
    assert config["prefixes"]["gfmd"] == "https://w3id.org/gfmd-kg/ontology#"
    assert config["prefixes"]["schema"] == "https://schema.org/"
    assert set(config["namedQueries"]) == set(QUERIES)
    for query in QUERIES.values():
        assert query.title.replace("'", "&#39;") in html
    # a labelled input per parameter, with its default
    assert 'for="param-challenges-of-session-session"' in html
    assert f'value="{SESSION.format(1)}"' in html


def test_index_puts_the_shared_query_in_the_editor_escaped(client: Any) -> None:
    text = 'SELECT * WHERE { ?s ?p "</textarea><script>alert(1)</script>" }'
    html = get_html(client, "/?query=" + quote(text))
    assert "<script>alert(1)</script>" not in html
    assert "&lt;/textarea&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in html
    body = html.split('<textarea id="query-text"', 1)[1]
    assert body.split(">", 1)[1].startswith("SELECT * WHERE { ?s ?p &#34;&lt;/textarea&gt;")


# -------------------------------------------------------------------------- the query list

def test_queries_list_as_html(client: Any) -> None:
    html = get_html(client, "/queries")
    hrefs = [href for href, _ in parse(html).links]
    for name, query in QUERIES.items():
        assert f"/queries/{name}" in hrefs
        assert query.title.replace("'", "&#39;") in html
    assert "/queries/challenges-of-session.csv" in hrefs
    assert "/queries/entity-neighbourhood.ttl" in hrefs


@pytest.mark.parametrize(("url", "headers"), [("/queries.json", {}),
                                              ("/queries", {"Accept": "application/json"})])
def test_queries_list_as_json(client: Any, url: str, headers: dict[str, str]) -> None:
    response = client.get(url, headers=headers)
    assert response.status_code == 200 and response.mimetype == "application/json"
    queries = {q["name"]: q for q in response.get_json()["queries"]}
    assert list(queries) == list(QUERIES)
    entry = queries[NAME]
    assert entry["title"] == "Challenges of a session"
    assert entry["description"].startswith("The challenges one workshop session identified")
    assert entry["form"] == "SELECT"
    assert entry["parameters"] == [{"name": "session", "kind": "iri", "default": SESSION.format(1),
                                    "help": "The workshop session"}]
    assert entry["urls"]["html"].endswith(f"/queries/{NAME}")
    assert {k: v.rsplit("/", 1)[1] for k, v in entry["urls"].items() if k != "html"} == {
        s: f"{NAME}.{s}" for s in ("json", "csv", "tsv", "xml")}
    graph = queries["entity-neighbourhood"]
    assert graph["form"] == "CONSTRUCT"
    assert set(graph["urls"]) == {"html", "ttl", "nt", "jsonld", "xml"}
    assert queries["sessions"]["parameters"] == []


# ------------------------------------------------------------------- one named query, HTML

def test_named_query_page(client: Any) -> None:
    html = get_html(client, f"/queries/{NAME}")
    query = QUERIES[NAME]
    assert "<h1>Challenges of a session</h1>" in html
    assert query.description.replace("'", "&#39;") in html
    assert "gfmd:identifiedIn ?session" in html  # the text
    assert "PREFIX gfmd: &lt;https://w3id.org/gfmd-kg/ontology#&gt;" in html
    page = parse(html)
    links = dict(page.links)
    for label in SESSION_1_CHALLENGES:
        assert label.replace("'", "&#39;") in html
    challenge_links = [(h, t) for h, t in page.links if h.startswith("/id/challenge/")]
    assert [t for _, t in challenge_links] == SESSION_1_CHALLENGES
    assert challenge_links[0][0] == "/id/challenge/skills-demand-information-scarce"
    # the session IRI is shown by its English label, linking to its path here
    session_path = "/id/session/" + SESSION.format(1).rsplit("/", 1)[1]
    session_links = [t for h, t in page.links if h == session_path]
    assert session_links == ["Session I: Understanding skills demand for labour mobility"] * 3
    assert "3 rows" in html
    # literals carry their language; integers their datatype
    assert '<span class="lang">@en</span>' in html
    assert '<span class="datatype">xsd:integer</span>' in html
    # the form: a labelled input with the current value, downloads, the editor link
    assert '<label for="param-session">' in html
    assert f'value="{SESSION.format(1)}"' in html
    assert links[f"/queries/{NAME}.csv"] == "CSV"
    assert any(h.startswith("/?query=") for h in links)


def test_named_query_page_other_iris_link_to_resource(client: Any) -> None:
    html = get_html(client, "/queries/entity-neighbourhood")
    hrefs = [h for h, _ in parse(html).links]
    assert "/resource?iri=" + quote("https://schema.org/Event", safe="") in hrefs
    assert "/id/event/gfmd-ilo-labour-migration-skills-2018" in hrefs
    assert re.search(r"\d+ triples", html)


def test_ask_query_page(client: Any) -> None:
    html = get_html(client, "/queries/is-challenge-addressed")
    assert re.search(r"Answer: <strong>(yes \(true\)|no \(false\))</strong>", html)


# ------------------------------------------------------------------- one named query, data

def test_suffix_json(client: Any) -> None:
    response = client.get(f"/queries/{NAME}.json")
    assert response.status_code == 200
    assert response.mimetype == "application/sparql-results+json"
    data = json.loads(response.get_data())
    assert data["head"]["vars"] == ["session", "position", "challenge", "label", "description"]
    assert [b["label"]["value"] for b in data["results"]["bindings"]] == SESSION_1_CHALLENGES
    assert response.headers["X-Result-Rows"] == "3"


def test_suffix_csv_and_tsv(client: Any) -> None:
    response = client.get(f"/queries/{NAME}.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [r["label"] for r in rows] == SESSION_1_CHALLENGES
    assert {r["session"] for r in rows} == {SESSION.format(1)}
    response = client.get(f"/queries/{NAME}.tsv")
    assert response.mimetype == "text/tab-separated-values"
    lines = response.get_data(as_text=True).splitlines()
    assert lines[0].split("\t") == ["?session", "?position", "?challenge", "?label", "?description"]
    labels = [line.split("\t")[3] for line in lines[1:]]
    assert labels == [f'"{c}"@en' for c in SESSION_1_CHALLENGES]


def test_suffix_xml(client: Any) -> None:
    response = client.get(f"/queries/{NAME}.xml")
    assert response.mimetype == "application/sparql-results+xml"
    ns = {"r": "http://www.w3.org/2005/sparql-results#"}
    root = ET.fromstring(response.get_data())
    labels = [b.find("r:literal", ns).text for b in root.findall(".//r:binding[@name='label']", ns)]
    assert labels == SESSION_1_CHALLENGES


@pytest.mark.parametrize(("accept", "mimetype"), [
    ("application/sparql-results+json", "application/sparql-results+json"),
    ("application/json", "application/sparql-results+json"),
    ("text/csv", "text/csv"),
    ("text/tab-separated-values", "text/tab-separated-values"),
    ("application/sparql-results+xml", "application/sparql-results+xml"),
])
def test_accept_negotiation(client: Any, accept: str, mimetype: str) -> None:
    response = client.get(f"/queries/{NAME}", headers={"Accept": accept})
    assert response.status_code == 200
    assert response.mimetype == mimetype
    assert "Accept" in response.headers["Vary"]
    assert SESSION_1_CHALLENGES[0] in response.get_data(as_text=True)


def test_browser_accept_gets_html_and_format_gets_data(client: Any) -> None:
    assert client.get(f"/queries/{NAME}", headers=HTML).mimetype == "text/html"
    response = client.get(f"/queries/{NAME}?format=csv", headers=HTML)
    assert response.mimetype == "text/csv"


def test_construct_query_as_rdf(client: Any) -> None:
    event = ID + "event/gfmd-ilo-labour-migration-skills-2018"
    for url, headers, fmt in [
        ("/queries/entity-neighbourhood.ttl", {}, ox.RdfFormat.TURTLE),
        ("/queries/entity-neighbourhood.nt", {}, ox.RdfFormat.N_TRIPLES),
        ("/queries/entity-neighbourhood", {"Accept": "text/turtle"}, ox.RdfFormat.TURTLE),
    ]:
        response = client.get(url, headers=headers)
        assert response.status_code == 200, url
        triples = list(ox.parse(response.get_data(), format=fmt))
        assert triples and all(event in (t.subject.value, t.object.value) for t in triples
                               if isinstance(t.object, ox.NamedNode))
    response = client.get("/queries/entity-neighbourhood.jsonld")
    assert response.mimetype == "application/ld+json"
    json.loads(response.get_data())


def test_select_suffix_for_graphs_is_404_and_turtle_for_select_is_406(client: Any) -> None:
    assert client.get(f"/queries/{NAME}.ttl").status_code == 404
    assert client.get("/queries/entity-neighbourhood.csv").status_code == 404
    assert client.get(f"/queries/{NAME}", headers={"Accept": "text/turtle"}).status_code == 406


# -------------------------------------------------------------------------- parameters

def test_parameters_are_bound(client: Any) -> None:
    response = client.get(f"/queries/{NAME}.json?session=" + quote(SESSION.format(2)))
    labels = [b["label"]["value"] for b in response.get_json()["results"]["bindings"]]
    assert labels == SESSION_2_CHALLENGES
    html = get_html(client, f"/queries/{NAME}?session=" + quote(SESSION.format(2)))
    cells = parse(html).cells
    assert all(c in cells for c in SESSION_2_CHALLENGES)
    assert not any(c in cells for c in SESSION_1_CHALLENGES)
    assert f'value="{SESSION.format(2)}"' in html
    # the download links carry the values
    csv_link = next(h for h, t in parse(html).links if t == "CSV")
    path, _, query = csv_link.partition("?")
    assert path == f"/queries/{NAME}.csv" and parse_qs(query) == {"session": [SESSION.format(2)]}


def test_angle_brackets_and_integer_and_string_parameters(client: Any) -> None:
    response = client.get(f"/queries/{NAME}.json?session=" + quote(f"<{SESSION.format(3)}>"))
    assert len(response.get_json()["results"]["bindings"]) == 3
    response = client.get("/queries/objective-by-number.json?number=18")
    assert response.status_code == 200 and response.get_json()["results"]["bindings"]
    response = client.get("/queries/search-labels.json?text=recognition")
    assert response.status_code == 200 and response.get_json()["results"]["bindings"]


def test_blank_value_takes_the_default(client: Any) -> None:
    response = client.get(f"/queries/{NAME}.json?session=")
    labels = [b["label"]["value"] for b in response.get_json()["results"]["bindings"]]
    assert labels == SESSION_1_CHALLENGES


@pytest.mark.parametrize(("url", "words"), [
    (f"/queries/{NAME}.json?session=not%20an%20iri", "is not an IRI"),
    ("/queries/objective-by-number.json?number=eighteen", "is not an integer"),
    ("/queries/events-on-date.csv?date=3%20May", "is not a YYYY-MM-DD date"),
    (f"/queries/{NAME}.json?colour=blue", "has no parameter colour"),
    (f"/queries/{NAME}.json?session=urn:a&session=urn:b", "given 2 times"),
])
def test_bad_parameters_are_400(client: Any, url: str, words: str) -> None:
    response = client.get(url, headers={"Accept": "application/json"})
    assert response.status_code == 400
    assert words in response.get_json()["error"]["message"]


def test_bad_parameter_on_the_page_is_400_with_the_form(client: Any) -> None:
    html = get_html(client, f"/queries/{NAME}?session=not%20an%20iri", status=400)
    assert "is not an IRI" in html and 'role="alert"' in html
    assert 'value="not an iri"' in html  # the form keeps what was typed, to correct it


def test_unknown_names_are_404(client: Any) -> None:
    for url in ("/queries/no-such-query", "/queries/no-such-query.json",
                f"/queries/{NAME}.exe", f"/queries/{NAME}.json.csv"):
        response = client.get(url)
        assert response.status_code == 404, url
    assert "/queries" in client.get("/queries/no-such-query").get_data(as_text=True)


# ---------------------------------------------------------------------------- escaping

def test_parameter_values_are_escaped_in_the_page(client: Any) -> None:
    evil = "<script>alert('x')</script>"
    html = get_html(client, "/queries/search-labels?text=" + quote(evil))
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
    assert "script" not in parse(html).tags
    html = get_html(client, f"/queries/{NAME}?session=" + quote(evil), status=400)
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


def test_results_are_escaped_in_the_page(client: Any) -> None:
    # search-labels echoes its text parameter back as ?text in every row
    html = get_html(client, "/queries/search-labels?text=" + quote("<b>recognition"))
    assert "<b>" not in html and "&lt;b&gt;recognition" in html
    evil = '"><img src=x onerror=alert(1)>'
    html = get_html(client, "/queries/search-labels?text=" + quote(evil))
    assert "<img" not in html and "img" not in parse(html).tags
    assert 'value="&#34;&gt;&lt;img src=x onerror=alert(1)&gt;"' in html


def test_a_suffix_wins_over_format_and_accept(client: Any) -> None:
    response = client.get(f"/queries/{NAME}.csv?format=json",
                          headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == f'inline; filename="{NAME}.csv"'
