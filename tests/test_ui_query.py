"""The query page in a real browser (Debian's Chromium through Playwright) against a real
``gfmd-kg serve``: named queries, the editor (Ctrl-Enter, completion, error marking), labels
and links in the result table, downloads and share links, a narrow screen, and no request to
any other host than this server."""

from __future__ import annotations

import json
import re
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from conftest import LiveServer
from support import SESSION_1_CHALLENGES, SESSION_2_CHALLENGES

pytestmark = pytest.mark.live

SESSION_1_LABEL = "Session I: Understanding skills demand for labour mobility"
SESSION_2 = ("https://w3id.org/gfmd-kg/id/session/"
             "gfmd-ilo-labour-migration-skills-2018-session-2")
GFMD = "https://w3id.org/gfmd-kg/ontology#"
CHALLENGES_QUERY = f"""PREFIX gfmd: <{GFMD}>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?challenge ?session ?label WHERE {{
  ?challenge a gfmd:Challenge ; gfmd:identifiedIn ?session ; skos:prefLabel ?label .
  FILTER(LANG(?label) = "en")
}} ORDER BY ?label"""


def open_page(page: Any, server: LiveServer, path: str = "/") -> None:
    page.goto(server.url + path)
    page.wait_for_selector("#query-editor .CodeMirror")


def set_query(page: Any, text: str) -> None:
    page.evaluate("text => window.gfmdQuery.yasqe.setValue(text)", text)


def editor_text(page: Any) -> str:
    text: str = page.evaluate("() => window.gfmdQuery.yasqe.getValue()")
    return text


def run_with_ctrl_enter(page: Any) -> None:
    page.click("#query-editor .CodeMirror-lines")
    page.keyboard.press("Control+Enter")


def wait_for_rows(page: Any, count: int) -> list[list[str]]:
    page.wait_for_function(
        "n => document.querySelectorAll('#result-table tbody tr').length === n "
        "&& !document.getElementById('result-status').classList.contains('running')", arg=count)
    rows: list[list[str]] = page.eval_on_selector_all(
        "#result-table tbody tr",
        "trs => trs.map(tr => [...tr.cells].map(td => td.textContent.trim()))")
    return rows


def column(page: Any, name: str) -> list[dict[str, str]]:
    """The cells of a result column: the text shown, the href and title of its link if any,
    and a literal's language or datatype tag."""
    cells: list[dict[str, str]] = page.evaluate(
        """name => {
          const heads = [...document.querySelectorAll('#result-table thead th')]
            .map(th => th.textContent);
          const i = heads.indexOf(name);
          return [...document.querySelectorAll('#result-table tbody tr')].map(tr => {
            const td = tr.cells[i], a = td.querySelector('a');
            const shown = a || td.querySelector('.literal') || td;
            const tag = td.querySelector('.lang, .datatype');
            return {text: shown.textContent.trim(), href: a ? a.getAttribute('href') : '',
                    title: a ? a.title : '', tag: tag ? tag.textContent : ''};
          });
        }""", name)
    return cells


def test_named_query_with_parameters_runs_and_links_to_entities(
        page: Any, live_server: LiveServer, artifacts: Path) -> None:
    open_page(page, live_server)
    form = page.locator('form.param-form[data-name="challenges-of-session"]')
    field = form.get_by_label(re.compile("^session"))
    assert field.input_value().endswith("-session-1")  # the default is filled in
    form.get_by_role("button", name="Run with these values").click()
    rows = wait_for_rows(page, 3)
    assert [c["text"] for c in column(page, "?label")] == SESSION_1_CHALLENGES
    # IRIs are shown by their labels and link to their pages here
    challenges = column(page, "?challenge")
    assert [c["text"] for c in challenges] == SESSION_1_CHALLENGES
    assert all(c["href"].startswith("/id/challenge/") for c in challenges)
    assert challenges[0]["title"] == (
        "https://w3id.org/gfmd-kg/id/challenge/skills-demand-information-scarce")
    assert {c["text"] for c in column(page, "?session")} == {SESSION_1_LABEL}
    # literals carry their language tag or datatype
    assert "@en" in rows[0][3] and rows[0][1] == "1 xsd:integer"
    # the editor shows the query; the status counts the rows; downloads bind the values
    assert "gfmd:identifiedIn ?session" in editor_text(page)
    status = page.text_content("#result-status")
    assert status.startswith("3 rows ·") and "Challenges of a session" in status
    csv_href = page.get_by_role("link", name="CSV").get_attribute("href")
    assert urlsplit(csv_href).path == "/queries/challenges-of-session.csv"
    assert parse_qs(urlsplit(csv_href).query)["session"][0].endswith("-session-1")
    assert page.is_hidden("#result-error") and page.is_hidden("#result-notice")
    page.screenshot(path=str(artifacts / "query-page.png"), full_page=True)
    # follow a result link to the entity page (written elsewhere: only its address matters)
    link = page.locator("#result-table tbody tr").first.locator("td").nth(2).locator("a")
    href = link.get_attribute("href")
    assert href == "/id/challenge/skills-demand-information-scarce"
    with page.expect_navigation():
        link.click()
    assert urlsplit(page.url).path == href
    assert page.outside_requests == []


def test_another_parameter_value_gives_other_rows(page: Any, live_server: LiveServer) -> None:
    open_page(page, live_server)
    form = page.locator('form.param-form[data-name="challenges-of-session"]')
    form.get_by_label(re.compile("^session")).fill(SESSION_2)
    form.get_by_role("button", name="Run with these values").click()
    wait_for_rows(page, 3)
    assert [c["text"] for c in column(page, "?label")] == SESSION_2_CHALLENGES
    form.get_by_label(re.compile("^session")).fill("not an IRI")
    form.get_by_role("button", name="Run with these values").click()
    page.wait_for_selector("#result-error:not([hidden])")
    assert "is not an IRI" in page.text_content("#result-error")
    assert page.outside_requests == []


def test_load_a_named_query_then_run_it_with_ctrl_enter(page: Any, live_server: LiveServer) -> None:
    open_page(page, live_server)
    page.get_by_role("button", name="Load “Sessions (the agenda)” into the editor").click()
    assert "gfmd:WorkshopSession" in editor_text(page)
    run_with_ctrl_enter(page)
    rows = wait_for_rows(page, 6)
    sessions = column(page, "?session")
    assert SESSION_1_LABEL in [c["text"] for c in sessions]
    assert all(c["href"].startswith("/id/") for c in sessions)
    assert len(rows[0]) == 6
    assert page.outside_requests == []


def test_typed_query_shows_labels_links_and_downloads(page: Any, live_server: LiveServer) -> None:
    open_page(page, live_server)
    set_query(page, CHALLENGES_QUERY)
    page.get_by_role("button", name="Run query").click()
    wait_for_rows(page, 12)
    challenges = column(page, "?challenge")
    labels = [c["text"] for c in column(page, "?label")]
    assert [c["text"] for c in challenges] == labels  # shown by label, not by IRI
    assert all(c["href"].startswith("/id/challenge/") for c in challenges)
    # downloads of the editor's query go to /sparql with format=
    href = page.get_by_role("link", name="CSV").get_attribute("href")
    parts = urlsplit(href)
    assert parts.path == "/sparql"
    assert parse_qs(parts.query) == {"query": [CHALLENGES_QUERY], "format": ["csv"]}
    with urllib.request.urlopen(live_server.url + href) as response:
        body = response.read().decode()
    assert body.splitlines()[0] == "challenge,session,label" and len(body.splitlines()) == 13
    assert page.outside_requests == []


def test_construct_results_and_turtle_download(page: Any, live_server: LiveServer) -> None:
    open_page(page, live_server)
    set_query(page, f"CONSTRUCT {{ ?s a <{GFMD}WorkshopSession> }} "
                    f"WHERE {{ ?s a <{GFMD}WorkshopSession> }}")
    run_with_ctrl_enter(page)
    wait_for_rows(page, 4)
    subjects = column(page, "subject")
    assert SESSION_1_LABEL in [c["text"] for c in subjects]
    assert {c["text"] for c in column(page, "object")} == {"Workshop session"} or all(
        c["href"] == "/ontology#WorkshopSession" for c in column(page, "object"))
    turtle = page.get_by_role("link", name="Turtle").get_attribute("href")
    assert parse_qs(urlsplit(turtle).query)["format"] == ["ttl"]
    assert page.outside_requests == []


def test_syntax_error_is_shown_inline_with_its_line(page: Any, live_server: LiveServer) -> None:
    open_page(page, live_server)
    set_query(page, "PREFIX gfmd: <https://w3id.org/gfmd-kg/ontology#>\n"
                    "SELECT * WHERE {\n  ?s gfmd:identifiedIn \n}")
    # YASQE marks the bad line in the gutter before anything is sent
    page.wait_for_selector("#query-editor .parseErrorIcon")
    run_with_ctrl_enter(page)
    error = page.wait_for_selector("#result-error:not([hidden])")
    text = error.text_content()
    assert "(400)" in text and "Line 4" in text and "syntax error" in text
    assert page.locator("#query-editor .query-error-line").count() == 1
    assert page.locator("#result-table").count() == 0
    assert page.outside_requests == []


def test_share_link_reopens_the_query(page: Any, live_server: LiveServer) -> None:
    open_page(page, live_server)
    text = 'SELECT ?x WHERE { BIND("<b>&amp;" AS ?x) }'
    set_query(page, text)
    href = page.get_attribute("#share-link", "href")
    assert parse_qs(urlsplit(href).query) == {"query": [text]}
    open_page(page, live_server, href[len(live_server.url):])
    assert editor_text(page) == text
    page.get_by_role("button", name="Run query").click()
    wait_for_rows(page, 1)
    assert page.eval_on_selector("#result-table td", "td => td.textContent") == "<b>&amp;"
    assert page.locator("#result-table td b").count() == 0  # shown as text, not markup
    assert page.outside_requests == []


def test_completion_comes_from_our_endpoint(page: Any, live_server: LiveServer) -> None:
    sent: list[str] = []
    page.on("request", lambda r: sent.append(r.url))
    open_page(page, live_server)
    set_query(page, f"PREFIX gfmd: <{GFMD}>\nSELECT * WHERE {{ ?x a gfmd:WorkshopS")
    page.evaluate("""() => { const y = window.gfmdQuery.yasqe;
                             y.focus(); y.getDoc().setCursor({line: 1, ch: 1000}); }""")
    page.keyboard.press("Control+Space")
    hint = page.wait_for_selector(".CodeMirror-hints li")
    assert hint.text_content().startswith("gfmd:WorkshopSession")
    assert hint.query_selector(".hint-label").text_content().strip()  # with its rdfs:label
    page.keyboard.press("Enter")
    assert editor_text(page).endswith("?x a gfmd:WorkshopSession")
    # our prefixes complete after PREFIX
    set_query(page, "PREFIX sch")
    page.evaluate("() => { const y = window.gfmdQuery.yasqe; y.focus();"
                  " y.getDoc().setCursor({line: 0, ch: 10}); }")
    page.keyboard.press("Control+Space")
    page.wait_for_selector(".CodeMirror-hints li")
    assert page.eval_on_selector_all(".CodeMirror-hints li", "lis => lis.map(l => l.textContent)") \
        == ["schema: <https://schema.org/>"]
    assert all(u.startswith(live_server.url) for u in sent), sent
    assert page.outside_requests == []


def test_truncation_and_timeout_are_shown(page: Any, cache_dir: Path, built: Any) -> None:
    """On a server of its own: a row cap of 5, and a query stopped by its time limit."""
    server = LiveServer({"GFMD_KG_CACHE_DIR": str(cache_dir), "GFMD_KG_MAX_ROWS": "5"})
    try:
        open_page(page, server)
        set_query(page, CHALLENGES_QUERY)
        run_with_ctrl_enter(page)
        wait_for_rows(page, 5)
        notice = page.wait_for_selector("#result-notice:not([hidden])").text_content()
        assert "The result was cut" in notice and "at most 5 rows" in notice
        # a cross product stopped after 0.2 s (timeout= sent with the editor's request)
        page.evaluate("""() => { window.gfmdQuery.yasqe.config.requestConfig.args =
                                   [{name: 'timeout', value: '0.2'}]; }""")
        set_query(page, "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }")
        run_with_ctrl_enter(page)
        error = page.wait_for_selector("#result-error:not([hidden])", timeout=20_000)
        assert "(503)" in error.text_content() and "time limit" in error.text_content()
        assert page.is_hidden("#result-notice")
    finally:
        server.stop()
    assert page.outside_requests == []


def test_every_control_is_labelled_and_nothing_is_stored(
        page: Any, live_server: LiveServer) -> None:
    open_page(page, live_server)
    unlabelled = page.evaluate("""() => [...document.querySelectorAll(
        'button, input, select, textarea, a[href]')].filter(e => {
          if (e.closest('[hidden]') || e.type === 'hidden') return false;
          if (e.getAttribute('aria-label') || e.getAttribute('aria-labelledby')) return false;
          if (e.labels && e.labels.length) return false;
          return !(['A', 'BUTTON'].includes(e.tagName) && e.textContent.trim());
        }).map(e => e.outerHTML.slice(0, 160))""")
    assert unlabelled == []
    assert page.get_attribute("#query-input", "aria-labelledby") == "query-label"
    set_query(page, CHALLENGES_QUERY)
    run_with_ctrl_enter(page)
    wait_for_rows(page, 12)
    page.click("#run-query")  # blurs the editor: YASQE would save the query now
    wait_for_rows(page, 12)
    assert page.evaluate("() => localStorage.length") == 0
    assert page.outside_requests == []


def test_narrow_screen(browser: Any, live_server: LiveServer, artifacts: Path) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    outside: list[str] = []

    def only_loopback(route: Any) -> None:
        if route.request.url.startswith(live_server.url):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", only_loopback)
    page = context.new_page()
    try:
        open_page(page, live_server)
        page.locator('form.param-form[data-name="challenges-of-session"]').get_by_role(
            "button", name="Run with these values").click()
        wait_for_rows(page, 3)
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 390, f"the page is {width}px wide at a 390px viewport"
        page.evaluate("() => window.scrollTo(0, 0)")
        page.screenshot(path=str(artifacts / "query-page-narrow.png"), full_page=True)
    finally:
        context.close()
    assert outside == []


def test_named_query_page_in_the_browser(page: Any, live_server: LiveServer) -> None:
    page.goto(live_server.url + "/queries/challenges-of-session")
    texts = page.eval_on_selector_all("table.results tbody tr td:nth-child(3) a",
                                      "as => as.map(a => a.textContent)")
    assert texts == SESSION_1_CHALLENGES
    page.get_by_label(re.compile("^session")).fill(SESSION_2)
    with page.expect_navigation():
        page.get_by_role("button", name="Run").click()
    texts = page.eval_on_selector_all("table.results tbody tr td:nth-child(3) a",
                                      "as => as.map(a => a.textContent)")
    assert texts == SESSION_2_CHALLENGES
    listing = json.loads(urllib.request.urlopen(live_server.url + "/queries.json").read())
    assert any(q["name"] == "challenges-of-session" for q in listing["queries"])
    assert page.outside_requests == []
