"""The ontology page in a real browser (Debian's Chromium through Playwright) against a live
server: a term IRI's fragment lands on its section, the section reads in three languages,
it links to the class page, the page is usable by keyboard and at a phone's width, and it
asks nothing from outside the loopback address."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS

from gfmd_kg.settings import PROJECT_ROOT

pytestmark = pytest.mark.live

NS = "https://w3id.org/gfmd-kg/ontology#"
CHALLENGE = URIRef(f"{NS}Challenge")


@pytest.fixture(scope="module")
def challenge_labels() -> dict[str, str]:
    graph = Graph().parse(PROJECT_ROOT / "ontology" / "gfmd.ttl", format="turtle")
    return {o.language or "": str(o) for o in graph.objects(CHALLENGE, RDFS.label)
            if isinstance(o, Literal)}


def test_challenge_iri_lands_on_its_section(page: Any, live_server: Any, artifacts: Path,
                                            challenge_labels: dict[str, str]) -> None:
    from playwright.sync_api import expect

    response = page.goto(f"{live_server.url}/ontology#Challenge")
    assert response is not None and response.status == 200
    section = page.locator("section#Challenge")
    expect(section).to_be_visible()
    expect(section).to_be_in_viewport()
    assert page.evaluate("location.hash") == "#Challenge"
    # its heading is at the top of the window, not merely somewhere on screen
    top = section.bounding_box()["y"]
    assert 0 <= top < 100
    for lang in ("en", "fr", "es"):
        label = section.locator(f'[lang="{lang}"]', has_text=challenge_labels[lang]).first
        expect(label).to_be_visible()
        expect(label).to_have_text(challenge_labels[lang])
    assert challenge_labels["fr"] == "défi"
    page.screenshot(path=str(artifacts / "ontology-page.png"))

    # the link to the class page of another part of the app: its address, and that it answers
    link = section.locator("a.onto-instances")
    href = link.get_attribute("href")
    assert href == f"/class?iri={quote(str(CHALLENGE), safe='')}"
    with page.expect_navigation() as navigation:
        link.click()
    answer = navigation.value
    assert answer is not None and answer.status < 500
    assert page.url == f"{live_server.url}{href}"
    assert page.outside_requests == []


def test_keyboard_reaches_a_term_from_the_contents(page: Any, live_server: Any,
                                                  artifacts: Path) -> None:
    from playwright.sync_api import expect

    page.goto(f"{live_server.url}/ontology")
    expect(page.locator("h1")).to_be_in_viewport()
    page.screenshot(path=str(artifacts / "ontology-page-top.png"))
    entry = page.locator('nav.onto-toc a[href="#madeBy"]')
    entry.focus()
    expect(entry).to_be_focused()
    page.keyboard.press("Enter")
    page.wait_for_function("location.hash === '#madeBy'")
    section = page.locator("section#madeBy")
    expect(section).to_be_in_viewport()
    # Tab moves on from the target into the section (its first link), not back to the top
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.closest('section') && "
                            "document.activeElement.closest('section').id")
    assert focused == "madeBy"
    assert page.outside_requests == []


def test_readable_at_a_narrow_width(page: Any, live_server: Any, artifacts: Path) -> None:
    from playwright.sync_api import expect

    page.set_viewport_size({"width": 360, "height": 780})
    page.goto(f"{live_server.url}/ontology#doc-hierarchy")
    page.screenshot(path=str(artifacts / "ontology-page-hierarchy-narrow.png"))
    page.goto(f"{live_server.url}/ontology#concerns")
    section = page.locator("section#concerns")
    expect(section).to_be_in_viewport()
    # nothing forces the page wider than the window (long IRIs wrap, the table scrolls)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    page.screenshot(path=str(artifacts / "ontology-page-narrow.png"))
    assert page.outside_requests == []
