"""The entity pages in a real browser (Debian's Chromium via Playwright) against a live
``gfmd-kg serve``: incoming links, citations, the neighbourhood graph, following links,
downloading the Turtle, and the header search without accents. Nothing may leave the
loopback address."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import rdflib

pytestmark = pytest.mark.live

LORENZ = "https://w3id.org/gfmd-kg/id/person/soenke-lorenz"
POST = "/id/post/gfmd-co-chair-germany-representative"


def open_lorenz(page: Any, url: str) -> None:
    page.goto(url + "/id/person/soenke-lorenz")
    page.wait_for_selector("#neighbourhood[data-ready=true]", timeout=15_000)


def test_entity_page_graph_links_and_download(live_server: Any, page: Any,
                                              artifacts: Path) -> None:
    open_lorenz(page, live_server.url)
    assert page.locator("h1").inner_text() == "Sönke Lorenz"
    incoming = page.locator("#incoming")
    assert "made by (4)" in incoming.inner_text()
    assert incoming.locator("a[href='/id/statement/lorenz-closing-thanks']").count() >= 1
    citations = page.locator(".citations").inner_text()
    assert "Paragraph 2 (welcome and the three opening speakers)" in citations
    assert page.locator("#neighbourhood canvas").count() == 1
    page.screenshot(path=str(artifacts / "entity-page.png"), full_page=True)

    # the Turtle of this page, fetched from its download link, parses
    href = page.locator("a[data-format=turtle]").get_attribute("href")
    assert href == "/id/person/soenke-lorenz.ttl"
    answer = page.request.get(live_server.url + href)
    assert answer.ok and answer.headers["content-type"].startswith("text/turtle")
    graph = rdflib.Graph().parse(data=answer.body(), format="turtle")
    assert (rdflib.URIRef(LORENZ), None, None) in graph

    # click the post's node in the neighbourhood graph: its page opens
    spot = page.evaluate("""(target) => {
        const net = window.gfmdNeighbourhood;
        const dom = net.canvasToDOM(net.getPositions([target])[target]);
        return {x: dom.x, y: dom.y};
    }""", "https://w3id.org/gfmd-kg" + POST)
    box = page.locator("#neighbourhood").bounding_box()
    page.mouse.click(box["x"] + spot["x"], box["y"] + spot["y"])
    page.wait_for_url(re.compile(re.escape(POST) + "$"), timeout=10_000)
    assert "Representative of the German GFMD Co-Chair" in page.locator("h1").inner_text()

    # and a value link in the properties table leads back to him
    page.locator("table.props a[href='/id/person/soenke-lorenz']").first.click()
    page.wait_for_url(re.compile(r"/id/person/soenke-lorenz$"))
    assert page.locator("h1").inner_text() == "Sönke Lorenz"
    assert page.outside_requests == []


def test_header_search_without_accents(live_server: Any, page: Any, artifacts: Path) -> None:
    open_lorenz(page, live_server.url)
    page.goto(live_server.url + "/export")
    box = page.locator("#site-search")
    box.fill("sonke lorenz")
    box.press("Enter")
    page.wait_for_url(re.compile(r"/search\?q=sonke"))
    first = page.locator(".search-results li").first
    assert "Sönke Lorenz" in first.inner_text()
    assert "Person" in first.inner_text()
    page.screenshot(path=str(artifacts / "search.png"), full_page=True)
    first.locator("a.hit-label").click()
    page.wait_for_url(re.compile(r"/id/person/soenke-lorenz$"))
    assert page.locator("h1").inner_text() == "Sönke Lorenz"
    assert page.outside_requests == []


def test_entity_page_by_keyboard_and_at_a_narrow_width(live_server: Any, page: Any,
                                                       artifacts: Path) -> None:
    page.set_viewport_size({"width": 375, "height": 800})
    open_lorenz(page, live_server.url)
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0
    page.screenshot(path=str(artifacts / "entity-page-narrow.png"), full_page=True)
    # reach the post's link by keyboard and follow it with Enter
    link = page.locator(f"table.props a[href='{POST}']")
    for _ in range(80):
        page.keyboard.press("Tab")
        if link.evaluate("el => el === document.activeElement"):
            break
    else:
        pytest.fail("the post's link was never reached with Tab")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(re.escape(POST) + "$"))
    assert page.outside_requests == []
