"""Hardening that applies to every request: response headers that keep pages from being
framed, sniffed or made to run scripts from elsewhere, and checks of hostile input that
would otherwise reach the engine (IRIs it cannot take, queries nested deeper than its
parser's stack allows).

Headers:

- every answer: ``X-Content-Type-Options: nosniff`` (a result or an upload echoed back is
  never run as a script or a page because a browser guessed its type);
- HTML answers: a ``Content-Security-Policy`` that allows scripts, styles, images, fonts
  and requests from this origin only, ``X-Frame-Options: DENY`` (with CSP's
  ``frame-ancestors 'none'`` for browsers that read that instead) and
  ``Referrer-Policy: same-origin`` (a shared query link never leaks to another site).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import pyoxigraph as ox
from flask import Flask, Response

from .. import sparqltext
from .errors import ApiError

#: The policy of every HTML page. The pages load their scripts (``static/*.js`` and the npm
#: libraries under ``/vendor``) and styles from this origin; data for the scripts comes in
#: ``<script type="application/json">`` blocks, which are not run, so no inline script is
#: allowed. ``style-src 'unsafe-inline'``: vis-network adds ``<style>`` elements and sets
#: ``style=`` attributes from JavaScript, YASGUI (CodeMirror) positions its elements with
#: ``style=``, and the page header hides one label with an inline style; inline styles
#: cannot run code. ``img-src data:`` for small icons a script may draw. Neither library
#: needs ``eval``; fonts and images come from this origin (checked in Chromium, with every
#: CSP violation reported: tests/test_injection.py). ``connect-src 'self'``: the pages
#: query this endpoint only (the page must work offline).
CSP = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))

#: Deepest nesting of ``{ }``, ``( )`` and ``[ ]`` a query or update may have. The engine's
#: parser recurses once per level and its stack ends between 2,000 and 5,000 levels; real
#: queries stay under 20.
MAX_NESTING = 100

_OPEN, _CLOSE = "{([", "})]"
_BRACKET = re.compile(r"[{}()\[\]]")


#: The headers of every answer, and those HTML pages add.
EVERY_ANSWER = {"X-Content-Type-Options": "nosniff"}
PAGES = {"Content-Security-Policy": CSP, "X-Frame-Options": "DENY",
         "Referrer-Policy": "same-origin"}
HTML = ("text/html", "application/xhtml+xml")


def _headers(response: Response) -> Response:
    response.headers.update(EVERY_ANSWER)
    if response.mimetype in HTML:
        response.headers.update(PAGES)
    return response


def nesting_depth(text: str, at_least: int = 0) -> int:
    """The deepest nesting of brackets in SPARQL text (comments, strings and IRIs aside).

    With ``at_least``, a text with fewer opening brackets than that in all (which cannot
    nest deeper) gets its count of them, without the scan."""
    openers = text.count("{") + text.count("(") + text.count("[")
    if openers < at_least:
        return openers
    depth = deepest = 0
    for found in _BRACKET.finditer(sparqltext.blank_out(text)):
        char = found.group()
        if char in _OPEN:
            depth += 1
            deepest = max(deepest, depth)
        elif char in _CLOSE:
            depth = max(0, depth - 1)
    return deepest


def check_nesting(text: str) -> None:
    """Refuse SPARQL nested deeper than the engine can parse (400, not a crashed worker)."""
    depth = nesting_depth(text, at_least=MAX_NESTING + 1)
    if depth > MAX_NESTING:
        raise ApiError(400, f"the query nests brackets {depth} levels deep; this endpoint "
                       f"takes at most {MAX_NESTING}. Flatten the groups or expressions.")


def check_json_nesting(data: bytes) -> None:
    """Refuse (400) JSON nested deeper than Python's parser takes (about 1,000 levels):
    pyoxigraph's JSON-LD parser recurses per level and overflows this process's stack a few
    thousand levels down. Malformed JSON is left to the RDF parser, which says where."""
    import json

    try:
        json.loads(data)
    except RecursionError:
        raise ApiError(400, "the uploaded JSON-LD is nested too deeply (over about 1,000 "
                       "levels of objects and arrays); flatten it.") from None
    except ValueError:
        return


def is_iri(text: str) -> bool:
    """Whether the engine takes ``text`` as an absolute IRI."""
    try:
        ox.NamedNode(text)
    except ValueError:
        return False
    return ":" in text


def check_iris(values: Iterable[str], what: str) -> None:
    """Refuse (400) a parameter value that is not an absolute IRI."""
    for value in values:
        if value and not is_iri(value):
            raise ApiError(400, f"{what}={value!r} is not an absolute IRI.")


def init_app(app: Flask) -> None:
    """Register the security headers."""
    app.after_request(_headers)
