"""The query mix of the benchmark, for the synthetic data of a given size.

Each query has a few variants (another session, entity, word or theme), drawn from the
pools ``generate.plan`` says the size holds, so the same run asks the same questions of
every system. Parameters are written into the text (a VALUES block, as gfmd-kg does for a
remote store), since only gfmd-kg binds them in the engine.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

from generate import THEME_BRANCHING, WORDS, iri, plan, theme_iri

from gfmd_kg.namedqueries import load_named_queries
from gfmd_kg.sparqltext import bind_values

QUERIES_DIR = Path(__file__).resolve().parents[1] / "queries"
VARIANTS = 16

PREFIXES = """PREFIX gfmd: <https://w3id.org/gfmd-kg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX schema: <https://schema.org/>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
"""


@dataclass(frozen=True)
class Query:
    """One query of the mix: its name, whether it answers a graph, and its variants."""

    name: str
    graph: bool
    variants: tuple[str, ...]
    small: bool = False  # a small answer (a few rows): where per-request overhead shows
    scan: bool = False  # reads every label or type: its time grows with the data

    @property
    def accept(self) -> str:
        return "application/n-triples" if self.graph else "application/sparql-results+json"


def _named(name: str, param: str | None = None, values: list[str] | None = None,
           limit: int | None = None) -> list[str]:
    text = load_named_queries(QUERIES_DIR)[name].text
    if limit:
        text = text.rstrip() + f"\nLIMIT {limit}\n"
    if param is None or values is None:
        return [text]
    return [bind_values(text, {param: value}) for value in values]


def mix(size: int, seed: int = 7) -> list[Query]:
    """The queries for data of ``size`` triples."""
    p = plan(size)
    rnd = random.Random(seed)  # noqa: S311  (repeatable choices, not secrets)
    # draw from the first half of each pool: the file is cut at exactly ``size`` lines
    sessions = [iri("session", rnd.randrange(p.sessions // 2)) for _ in range(VARIANTS)]
    challenges = [iri("challenge", rnd.randrange(p.challenges // 2)) for _ in range(VARIANTS)]
    people = [iri("person", rnd.randrange(p.sessions // 2)) for _ in range(VARIANTS)]
    entities = [x for pair in zip(challenges, sessions, people, strict=True) for x in pair]
    organisations = [iri("organisation", rnd.randrange(p.organisations))
                     for _ in range(VARIANTS)]
    # themes two levels below the root: subtrees that grow with the data
    first = 1 + THEME_BRANCHING
    themes = [theme_iri(first + i % (THEME_BRANCHING**2)) for i in range(VARIANTS)]
    words = [f'"{w[0]}"' for w in rnd.sample(WORDS, VARIANTS // 2)]

    def text(body: str, values: list[str]) -> list[str]:
        return [PREFIXES + body.replace("$X", v) for v in values]

    return [
        Query("lookup", False, tuple(text(
            'SELECT ?label WHERE { $X skos:prefLabel ?label }', challenges)), small=True),
        Query("challenges-of-session", False, tuple(_named(
            "challenges-of-session", "session", sessions)), small=True),
        Query("entity-page", True, tuple(_named("entity-neighbourhood", "entity",
                                                 entities[:VARIANTS])), small=True),
        Query("search-labels", False, tuple(_named("search-labels", "text", words,
                                                   limit=100)), scan=True),
        Query("count-by-type", False, tuple(text(
            "SELECT ?type (COUNT(?s) AS ?n) WHERE { ?s a ?type } "
            "GROUP BY ?type ORDER BY DESC(?n) ?type", ["-"])), scan=True),
        Query("join-organiser", False, tuple(text(
            "SELECT ?challenge ?label ?event ?organiser WHERE { "
            "?event gfmd:convenedBy $X . $X skos:prefLabel ?organiser . "
            'FILTER(LANG(?organiser) = "en") '
            "?session schema:superEvent ?event . ?challenge gfmd:identifiedIn ?session ; "
            'a gfmd:Challenge ; skos:prefLabel ?label . FILTER(LANG(?label) = "en") }',
            organisations))),
        Query("path-free-first", False, tuple(text(
            "SELECT ?theme WHERE { ?theme skos:broader* $X }", themes))),
        Query("path-bound-first", False, tuple(text(
            "SELECT ?theme WHERE { $X ^skos:broader* ?theme }", themes))),
        Query("tagged-with-theme", False, tuple(_named("tagged-with-theme", "theme", themes,
                                                       limit=100)), scan=True),
    ]


def schedule(queries: list[Query]) -> list[tuple[Query, str]]:
    """The order requests are sent in: every query in turn, cycling through variants."""
    longest = max(len(q.variants) for q in queries)
    return [(q, q.variants[i % len(q.variants)]) for i in range(longest) for q in queries]
