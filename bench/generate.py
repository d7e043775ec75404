"""Deterministic synthetic data shaped like the gfmd-kg domain, as N-Triples.

Workshops convened by organisations, their sessions, the challenges and opportunities each
session named (tagged with themes of a SKOS tree, bearing on objectives), the speakers with
their posts and statements; labels in English, French and Spanish. The same seed and size
always give the same file (byte for byte), so every system in a benchmark run loads the
same data.

    python bench/generate.py 100k bench/out/data/synthetic-100k.nt
"""

from __future__ import annotations

import argparse
import random
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

BASE = "https://w3id.org/gfmd-kg/"
ID = BASE + "id/"
GFMD = BASE + "ontology#"
RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
SKOS = "http://www.w3.org/2004/02/skos/core#"
SCHEMA = "https://schema.org/"
DCT = "http://purl.org/dc/terms/"
FOAF = "http://xmlns.com/foaf/0.1/"
ORG = "http://www.w3.org/ns/org#"
XSD = "http://www.w3.org/2001/XMLSchema#"

SEED = 20180503
THEME_BRANCHING = 4

#: Words of the labels, with their French and Spanish equivalents.
WORDS = [
    ("skills", "compétences", "competencias"), ("recognition", "reconnaissance",
    "reconocimiento"), ("labour", "travail", "trabajo"), ("migration", "migration",
    "migración"), ("mobility", "mobilité", "movilidad"), ("training", "formation",
    "formación"), ("qualifications", "qualifications", "cualificaciones"), ("workers",
    "travailleurs", "trabajadores"), ("employers", "employeurs", "empleadores"),
    ("partnership", "partenariat", "asociación"), ("matching", "adéquation", "adecuación"),
    ("anticipation", "anticipation", "anticipación"), ("certification", "certification",
    "certificación"), ("integration", "intégration", "integración"), ("rights", "droits",
    "derechos"), ("recruitment", "recrutement", "contratación"), ("data", "données",
    "datos"), ("governance", "gouvernance", "gobernanza"), ("dialogue", "dialogue",
    "diálogo"), ("development", "développement", "desarrollo"), ("return", "retour",
    "retorno"), ("diaspora", "diaspora", "diáspora"), ("youth", "jeunesse", "juventud"),
    ("women", "femmes", "mujeres"), ("informal", "informel", "informal"), ("digital",
    "numérique", "digital"), ("regional", "régional", "regional"), ("standards", "normes",
    "normas"), ("protection", "protection", "protección"), ("remittances", "transferts",
    "remesas"), ("apprenticeship", "apprentissage", "aprendizaje"), ("pathways", "voies",
    "vías"), ("shortages", "pénuries", "escasez"), ("mismatch", "inadéquation",
    "desajuste"), ("outcomes", "résultats", "resultados"), ("policy", "politique",
    "política"), ("coherence", "cohérence", "coherencia"), ("circular", "circulaire",
    "circular"), ("seasonal", "saisonnier", "estacional"), ("care", "soins", "cuidados"),
]
ORG_KINDS = ["State", "IntergovernmentalOrganisation", "CivilSocietyOrganisation",
             "PrivateSectorOrganisation", "Forum"]
GIVEN = ["Amina", "Jonas", "Lucía", "Kwame", "Mei", "Oskar", "Priya", "Rafael", "Sara",
         "Tomás", "Yara", "Ivan", "Leila", "Noah", "Fatou", "Hiro"]
FAMILY = ["Diallo", "Schmidt", "García", "Mensah", "Chen", "Larsen", "Sharma", "Costa",
          "Haddad", "Novak", "Okafor", "Dubois", "Tanaka", "Silva", "Kowalski", "Ibrahim"]


@dataclass(frozen=True)
class Plan:
    """How many of each kind a size holds (the queries pick their parameters from these)."""

    triples: int
    organisations: int
    themes: int
    objectives: int
    events: int

    @property
    def sessions(self) -> int:
        return self.events * 4

    @property
    def challenges(self) -> int:
        return self.events * 12


def plan(triples: int) -> Plan:
    """The pools for a size: about 308 triples per workshop, the rest in shared pools."""
    organisations = max(20, triples // 500)
    themes = max(21, triples // 1000)
    objectives = 23 + triples // 5000
    pooled = organisations * 4 + themes * 8 + objectives * 5
    events = max(1, (triples - pooled) // 308 + 1)
    return Plan(triples, organisations, themes, objectives, events)


def parse_size(text: str) -> int:
    """'10k' -> 10_000, '1M' -> 1_000_000, '2500' -> 2500."""
    text = text.strip().lower().replace("_", "")
    factor = {"k": 1_000, "m": 1_000_000, "g": 1_000_000_000}.get(text[-1:], 1)
    number = text[:-1] if factor > 1 else text
    return int(float(number) * factor)


def size_name(n: int) -> str:
    for factor, suffix in ((1_000_000, "M"), (1_000, "k")):
        if n >= factor and n % factor == 0:
            return f"{n // factor}{suffix}"
    return str(n)


def iri(kind: str, number: int) -> str:
    return f"<{ID}{kind}/b{number}>"


def theme_iri(number: int) -> str:
    return iri("theme", number)


def _literal(text: str, lang: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"@{lang}'


def _typed(value: object, datatype: str) -> str:
    return f'"{value}"^^<{XSD}{datatype}>'


def _labels(rnd: random.Random, words: int) -> tuple[str, str, str]:
    picked = rnd.sample(WORDS, words)
    en = " ".join(w[0] for w in picked).capitalize()
    fr = " ".join(w[1] for w in picked).capitalize()
    es = " ".join(w[2] for w in picked).capitalize()
    return en, fr, es


def triples(size: int, seed: int = SEED) -> Iterator[str]:
    """The lines of the file (each one triple), exactly ``size`` of them."""
    p = plan(size)
    rnd = random.Random(seed)  # noqa: S311  (data, not secrets: it must be repeatable)
    label = f"<{SKOS}prefLabel>"
    g = f"<{GFMD}"

    def labelled(subject: str, words: int) -> Iterator[str]:
        for text, lang in zip(_labels(rnd, words), ("en", "fr", "es"), strict=True):
            yield f"{subject} {label} {_literal(text, lang)} ."

    def body() -> Iterator[str]:
        for o in range(p.organisations):
            s = iri("organisation", o)
            yield f"{s} {RDF_TYPE} {g}{ORG_KINDS[o % len(ORG_KINDS)]}> ."
            yield from labelled(s, 2)
        scheme = f"<{ID}scheme/bench-themes>"
        for t in range(p.themes):
            s = theme_iri(t)
            yield f"{s} {RDF_TYPE} <{SKOS}Concept> ."
            yield f"{s} {RDF_TYPE} {g}Theme> ."
            yield f"{s} <{SKOS}inScheme> {scheme} ."
            yield from labelled(s, 2)
            if t:  # a tree: theme t is narrower than theme (t - 1) // branching
                yield f"{s} <{SKOS}broader> {theme_iri((t - 1) // THEME_BRANCHING)} ."
            else:
                yield f"{s} <{SKOS}topConceptOf> {scheme} ."
            yield f"{s} <{SKOS}notation> \"T{t}\" ."
        for n in range(p.objectives):
            s = iri("objective", n)
            yield f"{s} {RDF_TYPE} {g}Objective> ."
            yield f"{s} {g}objectiveNumber> {_typed(n + 1, 'integer')} ."
            yield from labelled(s, 3)
        for e in range(p.events):
            yield from event(e)

    def event(e: int) -> Iterator[str]:
        ev = iri("event", e)
        yield f"{ev} {RDF_TYPE} {g}Workshop> ."
        yield from labelled(ev, 3)
        year, month, day = 2000 + e % 25, 1 + e % 12, 1 + e % 28
        yield f"{ev} <{SCHEMA}startDate> {_typed(f'{year}-{month:02}-{day:02}', 'date')} ."
        for o in rnd.sample(range(p.organisations), 2):
            yield f"{ev} {g}convenedBy> {iri('organisation', o)} ."
        yield f"{ev} <{SCHEMA}location> {iri('place', e % 97)} ."
        people = []
        for k in range(4):
            person, post = iri("person", e * 4 + k), iri("post", e * 4 + k)
            people.append(person)
            given, family = rnd.choice(GIVEN), rnd.choice(FAMILY)
            yield f"{person} {RDF_TYPE} <{FOAF}Person> ."
            yield f"{person} <{FOAF}name> \"{given} {family}\" ."
            yield f"{person} <{FOAF}givenName> \"{given}\" ."
            yield f"{person} <{FOAF}familyName> \"{family}\" ."
            yield f"{person} <{ORG}holds> {post} ."
            yield f"{post} {RDF_TYPE} <{ORG}Post> ."
            yield f"{post} <{ORG}postIn> {iri('organisation', rnd.randrange(p.organisations))} ."
            yield f"{post} <{ORG}heldBy> {person} ."
            yield f"{post} {label} {_literal('Director of ' + _labels(rnd, 1)[0], 'en')} ."
        for k in range(4):
            session = iri("session", e * 4 + k)
            yield f"{session} {RDF_TYPE} {g}WorkshopSession> ."
            yield f"{session} <{SCHEMA}superEvent> {ev} ."
            yield f"{session} {g}position> {_typed(k + 2, 'integer')} ."
            yield f"{session} {g}sessionNumber> {_typed(k + 1, 'integer')} ."
            yield from labelled(session, 3)
            for j in range(3):
                c = iri("challenge", (e * 4 + k) * 3 + j)
                yield f"{c} {RDF_TYPE} {g}Challenge> ."
                yield f"{c} {g}identifiedIn> {session} ."
                yield f"{c} {g}position> {_typed(j + 1, 'integer')} ."
                yield from labelled(c, 4)
                yield f"{c} <{DCT}description> {_literal(_labels(rnd, 6)[0], 'en')} ."
                yield f"{c} <{DCT}subject> {theme_iri(rnd.randrange(p.themes))} ."
                yield f"{c} {g}concerns> {iri('objective', rnd.randrange(p.objectives))} ."
            for j in range(3):
                o = iri("opportunity", (e * 4 + k) * 3 + j)
                yield f"{o} {RDF_TYPE} {g}Opportunity> ."
                yield f"{o} {g}identifiedIn> {session} ."
                yield f"{o} {g}position> {_typed(j + 4, 'integer')} ."
                yield from labelled(o, 4)
                yield f"{o} <{DCT}description> {_literal(_labels(rnd, 6)[0], 'en')} ."
                yield f"{o} <{DCT}subject> {theme_iri(rnd.randrange(p.themes))} ."
                yield f"{o} {g}addresses> {iri('challenge', (e * 4 + k) * 3 + j)} ."
            st = iri("statement", e * 4 + k)
            yield f"{st} {RDF_TYPE} {g}Statement> ."
            yield f"{st} {g}madeBy> {people[k]} ."
            yield f"{st} {g}madeDuring> {session} ."
            yield f"{st} <{DCT}description> {_literal(_labels(rnd, 8)[0], 'en')} ."
            yield f"{st} <{DCT}subject> {theme_iri(rnd.randrange(p.themes))} ."

    for produced, line in enumerate(body()):
        if produced == size:
            return
        yield line


def write(size: int, path: Path, seed: int = SEED) -> Path:
    """Write the file (through a temporary name, so a cut run leaves no half file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".part")
    with tmp.open("w", encoding="utf-8", newline="\n") as out:
        batch: list[str] = []
        for line in triples(size, seed):
            batch.append(line)
            if len(batch) >= 10_000:
                out.write("\n".join(batch) + "\n")
                batch.clear()
        if batch:
            out.write("\n".join(batch) + "\n")
    tmp.replace(path)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("size", help="triples: 10k, 100k, 1M, 10M or a number")
    parser.add_argument("output", type=Path, help="the .nt file to write")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    write(parse_size(args.size), args.output, args.seed)
    print(f"wrote {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
