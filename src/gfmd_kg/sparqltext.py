"""Looking at SPARQL text before it runs: its form, the endpoints it would call, the graphs
an update would touch, and bindings as a trailing VALUES block for remote stores.

This is a lexer, not a parser: comments, strings and IRIs are masked first, so a keyword
inside a literal or an IRI is never mistaken for one. The engine still parses the query
for real; this only decides what is allowed to reach it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache

_TOKENS = re.compile(
    r"""
    (?P<comment>\#[^\n]*)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
              |'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")
  | (?P<iri><[^<>"{}|^`\\\s]*>)
    """,
    re.VERBOSE | re.DOTALL,
)

_FORM = re.compile(r"(?<![\w:?$.-])(SELECT|ASK|CONSTRUCT|DESCRIBE)(?![\w:-])", re.IGNORECASE)
UPDATE_WORDS = ("INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD",
                "WITH")


#: Texts up to this length have their masked forms remembered (the last 256 of them):
#: every check of a request looks at the same masked text, made once.
REMEMBERED_CHARS = 16_384


def mask(text: str) -> tuple[str, tuple[str, ...]]:
    """Replace comments by spaces and strings and IRIs by placeholders; return the IRIs."""
    return _mask_remembered(text) if len(text) <= REMEMBERED_CHARS else _mask(text)


def blank_out(text: str) -> str:
    """The text with comments, strings and IRIs replaced by spaces of the same length, so
    offsets in the result are offsets in the text."""
    return _blank_remembered(text) if len(text) <= REMEMBERED_CHARS else _blank(text)


def _mask(text: str) -> tuple[str, tuple[str, ...]]:
    iris: list[str] = []

    def repl(match: re.Match[str]) -> str:
        if match.group("comment") is not None:
            return " "
        if match.group("iri") is not None:
            iris.append(match.group("iri")[1:-1])
            return f" <{len(iris) - 1}> "
        return ' "" '

    return _TOKENS.sub(repl, text), tuple(iris)


def _blank(text: str) -> str:
    return _TOKENS.sub(lambda m: " " * len(m.group()), text)


_mask_remembered = lru_cache(maxsize=256)(_mask)
_blank_remembered = lru_cache(maxsize=256)(_blank)


@lru_cache(maxsize=64)
def _word(name: str) -> re.Pattern[str]:
    # a keyword stands alone: not part of a prefixed name, a variable or a longer word
    return re.compile(rf"(?<![\w:?$.-]){name}(?![\w:-])", re.IGNORECASE)


def query_form(text: str) -> str | None:
    """SELECT, ASK, CONSTRUCT or DESCRIBE (the first form keyword), or None."""
    found = _FORM.search(mask(text)[0])
    return found.group(1).upper() if found else None


def looks_like_update(text: str) -> bool:
    """True when the text has no query form but starts like an update."""
    if query_form(text) is not None:
        return False
    masked, _ = mask(text)
    return any(_word(w).search(masked) for w in UPDATE_WORDS)


_SERVICE = re.compile(r"(?<![\w:?$.-])SERVICE(?![\w:-])(\s+SILENT)?\s*(<(\d+)>|[?$]\w+|\S+)",
                      re.IGNORECASE)


def service_targets(text: str) -> list[str]:
    """The endpoints a query's SERVICE clauses name; a variable or prefixed name is given
    as written (it cannot be checked against an allow-list)."""
    if "service" not in text.lower():  # the word nowhere, so in no clause
        return []
    masked, iris = mask(text)
    targets = []
    for match in _SERVICE.finditer(masked):
        targets.append(iris[int(match.group(3))] if match.group(3) else match.group(2))
    return targets


def mentions(text: str, keyword: str) -> bool:
    """Whether a keyword occurs outside comments, strings and IRIs."""
    masked, _ = mask(text)
    return _word(keyword).search(masked) is not None


def values_block(bindings: Mapping[str, str]) -> str:
    """A VALUES block that fixes variables to terms given in N-Triples syntax."""
    if not bindings:
        return ""
    names = " ".join(f"?{name}" for name in bindings)
    terms = " ".join(bindings.values())
    return f"\nVALUES ({names}) {{ ({terms}) }}\n"

_WORD = r"(?<![\w:?$.-]){}(?![\w:-])"


def bind_values(text: str, bindings: Mapping[str, str]) -> str:
    """The query with bindings (terms in N-Triples syntax) as a VALUES block.

    The block goes first in the WHERE group, so FILTERs, OPTIONALs and GROUP BY see the
    values as they see pyoxigraph's substitutions; a trailing block would only be joined
    after grouping and filtering. It trails when there is no such group (DESCRIBE without
    WHERE, the CONSTRUCT WHERE short form); a WHERE group that is a sub-SELECT is braced.
    """
    block = values_block(bindings)
    flat = blank_out(text)
    form = _FORM.search(flat)
    start = form.end() if form else 0
    if form and form.group(1).upper() == "CONSTRUCT":
        brace = flat.find("{", start)
        if brace < 0 or re.search(_WORD.format("WHERE"), flat[start:brace], re.IGNORECASE):
            return text + block
        start = _closing(flat, brace) + 1
    depth, opening = 0, -1
    for i in range(start, len(flat)):
        depth += {"(": 1, ")": -1}.get(flat[i], 0)
        if flat[i] == "{" and depth == 0:
            opening = i
            break
    if opening < 0:
        return text + block
    head, rest = text[: opening + 1], text[opening + 1 :]
    if re.match(r"\s*" + _WORD.format("SELECT"), flat[opening + 1 :], re.IGNORECASE):
        close = _closing(flat, opening) - opening - 1
        return head + block + "{" + rest[:close] + "}" + rest[close:]
    return head + block + rest


def _closing(flat: str, opening: int) -> int:
    depth = 0
    for i in range(opening, len(flat)):
        depth += {"{": 1, "}": -1}.get(flat[i], 0)
        if depth == 0:
            return i
    return len(flat) - 1
