"""Every named query in ``queries/`` run against the real built graph, each asserting its
exact expected answer as the workshop report (and our curated data) states it."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from gfmd_kg import api
from gfmd_kg.namedqueries import NamedQueryError, load_named_queries, parse_named_query
from gfmd_kg.settings import PROJECT_ROOT
from gfmd_kg.sparqltext import mask, query_form

QUERIES_DIR = PROJECT_ROOT / "queries"

B = "https://w3id.org/gfmd-kg/"
ID = B + "id/"
GRAPH = B + "graph/"
GFMD = B + "ontology#"
SCHEMA = "https://schema.org/"
EVENT = ID + "event/gfmd-ilo-labour-migration-skills-2018"
REPORT_DOC = ID + "document/gfmd-ilo-workshop-report-2018"


def session(part: int | str) -> str:
    suffix = f"session-{part}" if isinstance(part, int) else part
    return f"{ID}session/gfmd-ilo-labour-migration-skills-2018-{suffix}"


def ch(slug: str) -> str:
    return f"{ID}challenge/{slug}"


def op(slug: str) -> str:
    return f"{ID}opportunity/{slug}"


def org(slug: str) -> str:
    return f"{ID}organisation/{slug}"


def objective(n: int) -> str:
    return f"{ID}objective/gcm-{n}"


def theme(slug: str) -> str:
    return f"{ID}theme/{slug}"


def statement(slug: str) -> str:
    return f"{ID}statement/{slug}"


# The session table of the report: (slug, our English label) in the report's bullet order.
CHALLENGES: dict[int, list[tuple[str, str]]] = {
    1: [
        ("skills-demand-information-scarce", "Scarce information on skills demand"),
        ("globalisation-technology-informality-hinder-matching",
         "Globalisation, technology and informality hinder skills matching"),
        ("no-skills-anticipation-brain-drain-waste",
         "No skills anticipation: risk of brain drain and brain waste"),
    ],
    2: [
        ("skills-mismatch-with-job-requirements",
         "Migrants' skills mismatched with job requirements"),
        ("over-skilling-and-weak-bargaining-power",
         "Over-skilling and weak bargaining power of migrants"),
        ("climate-and-disaster-shocks-to-labour-supply",
         "Climate and disaster shocks to labour supply"),
    ],
    3: [
        ("undervalued-foreign-skills",
         "Foreign-acquired skills undervalued in destination countries"),
        ("inaccessible-recognition-services",
         "Recognition services hard to reach during migration"),
        ("recognition-gap-across-education-levels",
         "Recognition gap between lower and higher education"),
    ],
    4: [
        ("missing-low-skilled-migration-corridors",
         "Missing corridors for low-skilled and informal workers"),
        ("weak-social-security-and-benefits", "Weak social security and benefits for migrants"),
        ("employers-governments-neglect-labour-demand",
         "Labour-market demand neglected by employers and governments"),
    ],
}

OPPORTUNITIES: dict[int, list[tuple[str, str]]] = {
    1: [
        ("legislation-for-qualified-worker-mobility", "Legislation for qualified worker mobility"),
        ("skills-needs-assessment-in-lmis",
         "Skills needs assessment in labour market information systems"),
        ("direct-recruitment-and-training-investment",
         "Direct recruitment and coordinated training investment"),
    ],
    2: [
        ("timely-flexible-labour-policies", "Timely, flexible labour policy"),
        ("region-specific-migration-mechanisms", "Region-specific migration mechanisms"),
        ("labour-market-research-and-data", "Labour-market research and data collection"),
    ],
    3: [
        ("recognition-frameworks-and-one-stop-shops", "Recognition frameworks and one-stop shops"),
        ("incentives-for-skilling-and-hiring-migrants",
         "Incentives for skilling and hiring skilled migrants"),
        ("language-training-mentoring-internships",
         "Language courses, mentoring, workplace training and paid internships"),
    ],
    4: [
        ("global-skills-partnership", "Global Skills Partnership"),
        ("trusted-employers-and-work-authorisation-mobility",
         "Trusted employer programmes and work-authorisation mobility"),
        ("capacity-building-of-national-institutions",
         "Capacity building of national institutions"),
    ],
}

OBJECTIVE_18_ADOPTED = (
    "Invest in skills development and facilitate mutual recognition of skills, "
    "qualifications and competences"
)
OBJECTIVE_18_DRAFT = (
    "Invest in skills development and facilitate recognition of skills, "
    "qualifications and competences"
)
GERMAN_REP = "Representative of the German GFMD Co-Chair"
MOROCCAN_CO_CHAIR = "Moroccan GFMD Co-Chair"
ILO_DDG = "ILO Deputy Director-General for Field Operations and Partnerships"
ILO_DIRECTOR = "Director of the ILO Employment Department"
ILO = "International Labour Organization"


def pick(rows: list[dict[str, Any]], *keys: str) -> list[tuple[Any, ...]]:
    return [tuple(row[k] for k in keys) for row in rows]


# ----------------------------------------------------------------- the files themselves


def test_at_least_16_named_queries_each_with_title_and_description() -> None:
    files = sorted(QUERIES_DIR.glob("*.rq"))
    assert len(files) >= 16
    for path in files:
        assert re.fullmatch(r"[a-z][a-z0-9]*(-[a-z0-9]+)*", path.stem), path.name
        text = path.read_text(encoding="utf-8")
        assert text.startswith("# title:"), path.name
        named = parse_named_query(path)
        assert named.title.strip(), path.name
        assert len(named.description.strip()) > 20, path.name
    assert set(load_named_queries(QUERIES_DIR)) == {p.stem for p in files}


def test_the_required_queries_exist() -> None:
    names = set(load_named_queries(QUERIES_DIR))
    assert names >= {
        "workshop-facts", "speakers", "statements", "statements-by-ilo-officials", "sessions",
        "challenges-of-session", "opportunities-of-session", "all-challenges-and-opportunities",
        "challenges-bearing-on-objective", "objectives-by-challenge",
        "opportunities-answering-challenge", "tagged-with-theme", "gcm-objectives",
        "objective-18-wordings", "sources-of-fact", "gfmd-co-chairs", "theme-scheme",
        "sdg-targets-of-objective", "organisations", "entity-neighbourhood",
        "is-challenge-addressed",
    }


@pytest.mark.parametrize("path", sorted(QUERIES_DIR.glob("*.rq")), ids=lambda p: p.stem)
def test_query_declares_every_prefix_it_uses_and_orders_its_rows(path: Path) -> None:
    masked, iris = mask(path.read_text(encoding="utf-8"))
    declared = set(re.findall(r"PREFIX\s+([A-Za-z][\w.-]*)?:", masked, re.IGNORECASE))
    used = set(re.findall(r"(?<![\w?$:.-])([A-Za-z][\w-]*)?:(?=[A-Za-z_0-9])", masked))
    assert used <= declared, f"undeclared prefixes {used - declared}"
    for iri in iris:  # absolute IRIs only, under our default base or external vocabularies
        assert re.match(r"^https?://", iri), iri
    form = query_form(path.read_text(encoding="utf-8"))
    assert form in {"SELECT", "ASK", "CONSTRUCT"}
    if form == "SELECT":
        assert re.search(r"ORDER\s+BY", masked, re.IGNORECASE), "a SELECT must be ordered"


def test_parameters_have_valid_defaults() -> None:
    for named in load_named_queries(QUERIES_DIR).values():
        bound = named.bindings()
        assert set(bound) == {p.name for p in named.parameters}
        for param in named.parameters:
            assert param.help, f"{named.name}: {param.name} has no help text"


@pytest.mark.parametrize("name", sorted(p.stem for p in QUERIES_DIR.glob("*.rq")))
def test_every_named_query_runs_with_its_defaults(kg: api.KnowledgeGraph, name: str) -> None:
    rows = kg.run(name)
    assert rows, f"{name} returned nothing"


# ----------------------------------------------------------------- the event


def test_workshop_facts(kg: api.KnowledgeGraph) -> None:
    rows = kg.run("workshop-facts")
    assert pick(rows, "fact", "value", "valueLabel") == [
        ("title", "GFMD Thematic Workshop on Labour Migration and Skills", None),
        ("start date", date(2018, 5, 3), None),
        ("end date", date(2018, 5, 3), None),
        ("city", ID + "place/geneva", "Geneva"),
        ("country", ID + "place/switzerland", "Switzerland"),
        ("convened by", org("germany"), "Germany"),
        ("convened by", org("morocco"), "Morocco"),
        ("in partnership with", org("ilo"), ILO),
        ("participants, more than", 100, None),
        ("stakeholder group", ID + "stakeholder-group/civil-society", "Civil society"),
        ("stakeholder group", ID + "stakeholder-group/governments", "Governments"),
        ("stakeholder group", ID + "stakeholder-group/international-organisations",
         "International organisations"),
        ("stakeholder group", ID + "stakeholder-group/private-sector", "Private sector"),
        ("aims to inform", ID + "framework/gcm",
         "Global Compact for Safe, Orderly and Regular Migration"),
        ("focuses on", objective(18), "GCM Objective 18: Skills development and recognition"),
    ]
    assert [r["order"] for r in rows] == sorted(r["order"] for r in rows)


def test_events_on_the_workshop_day(kg: api.KnowledgeGraph) -> None:
    rows = kg.run("events-on-date")
    assert all(r["date"] == date(2018, 5, 3) for r in rows)
    assert [r["event"] for r in rows] == [
        EVENT, session("opening"), session(1), session(2), session(3), session(4),
        session("closing"),
    ]
    assert [r["isSession"] for r in rows] == [False] + [True] * 6
    marrakech = kg.run("events-on-date", date="2018-12-10")
    assert pick(marrakech, "event", "label") == [
        (ID + "event/gcm-intergovernmental-conference-2018-marrakech",
         "Intergovernmental Conference on the Global Compact for Migration, Marrakech 2018"),
    ]
    assert kg.run("events-on-date", date="2018-05-04") == []


def test_sessions_in_agenda_order(kg: api.KnowledgeGraph) -> None:
    rows = kg.run("sessions")
    assert pick(rows, "position", "session", "kind", "number", "notation", "label") == [
        (1, session("opening"), "opening", None, None, "Opening session"),
        (2, session(1), "workshop session", 1, "I",
         "Session I: Understanding skills demand for labour mobility"),
        (3, session(2), "workshop session", 2, "II",
         "Session II: Responding to skills demand for labour mobility and local labour markets"),
        (4, session(3), "workshop session", 3, "III",
         "Session III: Recognition of skills and qualifications"),
        (5, session(4), "workshop session", 4, "IV",
         "Session IV: The way forward towards a Global Partnership on Skills and Migration"),
        (6, session("closing"), "closing", None, None, "Closing session"),
    ]


# ----------------------------------------------------------------- people and statements


def test_speakers(kg: api.KnowledgeGraph) -> None:
    rows = kg.run("speakers")
    assert pick(rows, "sessionPosition", "name", "roleLabel", "postLabel",
                "organisationLabel") == [
        (1, "Sönke Lorenz", "Opening speaker", GERMAN_REP, "Germany"),
        (1, "El Habib Nadir", "Opening speaker", MOROCCAN_CO_CHAIR, "Morocco"),
        (1, "Moussa Oumarou", "Opening speaker", ILO_DDG, ILO),
        (6, "Sangheon Lee", "Closing speaker", ILO_DIRECTOR, ILO),
        # in closing, Lorenz spoke for the whole Co-Chairmanship: both states
        (6, "Sönke Lorenz", "Closing speaker", GERMAN_REP, "Germany"),
        (6, "Sönke Lorenz", "Closing speaker", GERMAN_REP, "Morocco"),
    ]
    assert {r["person"] for r in rows} == {
        ID + "person/el-habib-nadir", ID + "person/soenke-lorenz",
        ID + "person/moussa-oumarou", ID + "person/sangheon-lee",
    }
    assert {r["session"] for r in rows} == {session("opening"), session("closing")}
    assert {r["sessionLabel"] for r in rows} == {"Opening session", "Closing session"}


def test_statements(kg: api.KnowledgeGraph) -> None:
    rows = kg.run("statements")
    opening, closing = session("opening"), session("closing")
    assert pick(rows, "paragraph", "statement", "label", "speakerName", "session") == [
        (2, statement("lorenz-invest-in-domestic-and-foreign-skills"),
         "Invest in native workers' skills and in skilled immigration", "Sönke Lorenz", opening),
        (2, statement("nadir-migration-natural-and-inevitable"),
         "International migration as natural and inevitable", "El Habib Nadir", opening),
        (2, statement("nadir-multi-stakeholder-cooperation"),
         "Multi-stakeholder cooperation on labour-mobility challenges", "El Habib Nadir",
         opening),
        (2, statement("oumarou-policy-coherence"),
         "Policy coherence between employment and migration policy", "Moussa Oumarou", opening),
        (5, statement("shared-conclusion-2018"),
         "Labour migration meets labour needs and drives development", None, None),
        (6, statement("lee-coordinated-policy-action"),
         "Coordinated policy action on labour mobility and skills", "Sangheon Lee", closing),
        (6, statement("lee-gcm-skills-partnerships"),
         "GCM as a driver of skills partnerships", "Sangheon Lee", closing),
        (6, statement("lee-ilo-support-and-gfmd-cooperation"),
         "ILO ready to back skills partnerships and work with the GFMD", "Sangheon Lee", closing),
        (6, statement("lorenz-closing-thanks"),
         "Co-Chairs' thanks to the participants", "Sönke Lorenz", closing),
        (6, statement("lorenz-further-discussion-business-mechanism"),
         "Further discussion in the GFMD Business Mechanism", "Sönke Lorenz", closing),
        (6, statement("lorenz-discussions-relevant-to-gcm"),
         "Workshop findings relevant to the GCM negotiations", "Sönke Lorenz", closing),
    ]
    assert [r["isConclusion"] for r in rows].count(True) == 1
    assert rows[4]["isConclusion"] is True
    posts = {r["speakerName"]: r["postLabel"] for r in rows if r["speakerName"]}
    assert posts == {
        "Sönke Lorenz": GERMAN_REP, "El Habib Nadir": MOROCCAN_CO_CHAIR,
        "Moussa Oumarou": ILO_DDG, "Sangheon Lee": ILO_DIRECTOR,
    }


def test_statements_by_ilo_officials(kg: api.KnowledgeGraph) -> None:
    rows = kg.run("statements-by-ilo-officials")
    assert pick(rows, "sessionPosition", "speakerName", "postLabel", "label") == [
        (1, "Moussa Oumarou", ILO_DDG, "Policy coherence between employment and migration policy"),
        (6, "Sangheon Lee", ILO_DIRECTOR,
         "Coordinated policy action on labour mobility and skills"),
        (6, "Sangheon Lee", ILO_DIRECTOR, "GCM as a driver of skills partnerships"),
        (6, "Sangheon Lee", ILO_DIRECTOR,
         "ILO ready to back skills partnerships and work with the GFMD"),
    ]
    assert {r["organisation"] for r in rows} == {org("ilo")}
    # the co-chairs' representatives hold posts in the GFMD
    gfmd = kg.run("statements-by-ilo-officials", organisation=org("gfmd"))
    assert len(gfmd) == 6
    assert {r["speakerName"] for r in gfmd} == {"El Habib Nadir", "Sönke Lorenz"}


def test_shared_conclusion(kg: api.KnowledgeGraph) -> None:
    rows = kg.run("shared-conclusion")
    assert pick(rows, "conclusion", "label", "event", "locator") == [
        (statement("shared-conclusion-2018"),
         "Labour migration meets labour needs and drives development", EVENT,
         "Paragraph 5 (conclusion shared by the speakers)"),
    ]
    assert "origin, transit and destination" in rows[0]["description"]


# ----------------------------------------------------------------- the session table


@pytest.mark.parametrize("number", [1, 2, 3, 4])
def test_challenges_of_session(kg: api.KnowledgeGraph, number: int) -> None:
    rows = kg.run("challenges-of-session", session=session(number))
    assert pick(rows, "position", "challenge", "label") == [
        (i, ch(slug), label) for i, (slug, label) in enumerate(CHALLENGES[number], start=1)
    ]
    assert all(r["session"] == session(number) and r["description"] for r in rows)


def test_challenges_of_session_1_by_default(kg: api.KnowledgeGraph) -> None:
    assert [r["label"] for r in kg.run("challenges-of-session")] == [
        "Scarce information on skills demand",
        "Globalisation, technology and informality hinder skills matching",
        "No skills anticipation: risk of brain drain and brain waste",
    ]


@pytest.mark.parametrize("number", [1, 2, 3, 4])
def test_opportunities_of_session(kg: api.KnowledgeGraph, number: int) -> None:
    rows = kg.run("opportunities-of-session", session=session(number))
    assert pick(rows, "position", "opportunity", "label") == [
        (i, op(slug), label) for i, (slug, label) in enumerate(OPPORTUNITIES[number], start=1)
    ]


def test_opportunities_of_session_1_by_default(kg: api.KnowledgeGraph) -> None:
    assert [r["label"] for r in kg.run("opportunities-of-session")] == [
        "Legislation for qualified worker mobility",
        "Skills needs assessment in labour market information systems",
        "Direct recruitment and coordinated training investment",
    ]


def test_opening_session_identified_nothing(kg: api.KnowledgeGraph) -> None:
    assert kg.run("challenges-of-session", session=session("opening")) == []
    assert kg.run("opportunities-of-session", session=session("closing")) == []


def test_all_challenges_and_opportunities(kg: api.KnowledgeGraph) -> None:
    rows = kg.run("all-challenges-and-opportunities")
    expected = []
    for number in (1, 2, 3, 4):
        for kind, table, mint in (("challenge", CHALLENGES, ch),
                                  ("opportunity", OPPORTUNITIES, op)):
            for position, (slug, label) in enumerate(table[number], start=1):
                expected.append((number, kind, position, mint(slug), label))
    assert pick(rows, "sessionNumber", "kind", "position", "item", "label") == expected
    assert len(rows) == 24


# ----------------------------------------------------------------- curated links


def test_challenges_bearing_on_objective_18(kg: api.KnowledgeGraph) -> None:
    rows = kg.run("challenges-bearing-on-objective")
    assert pick(rows, "sessionNumber", "position", "challenge") == [
        (1, 1, ch("skills-demand-information-scarce")),
        (1, 2, ch("globalisation-technology-informality-hinder-matching")),
        (1, 3, ch("no-skills-anticipation-brain-drain-waste")),
        (2, 1, ch("skills-mismatch-with-job-requirements")),
        (2, 2, ch("over-skilling-and-weak-bargaining-power")),
        (3, 1, ch("undervalued-foreign-skills")),
        (3, 2, ch("inaccessible-recognition-services")),
        (3, 3, ch("recognition-gap-across-education-levels")),
        (4, 3, ch("employers-governments-neglect-labour-demand")),
    ]
    assert {r["objective"] for r in rows} == {objective(18)}


def test_challenges_bearing_on_other_objectives(kg: api.KnowledgeGraph) -> None:
    def slugs(n: int) -> list[str]:
        rows = kg.run("challenges-bearing-on-objective", objective=objective(n))
        return [r["challenge"] for r in rows]

    assert slugs(2) == [ch("climate-and-disaster-shocks-to-labour-supply")]
    assert slugs(22) == [ch("weak-social-security-and-benefits")]
    assert slugs(5) == [ch("missing-low-skilled-migration-corridors"),
                        ch("employers-governments-neglect-labour-demand")]
    assert slugs(9) == []


def test_objectives_by_challenge(kg: api.KnowledgeGraph) -> None:
    rows = kg.run("objectives-by-challenge")
    assert pick(rows, "challenge", "objectiveNumber") == [
        (ch("skills-demand-information-scarce"), 1),
        (ch("skills-demand-information-scarce"), 18),
        (ch("globalisation-technology-informality-hinder-matching"), 18),
        (ch("no-skills-anticipation-brain-drain-waste"), 1),
        (ch("no-skills-anticipation-brain-drain-waste"), 18),
        (ch("skills-mismatch-with-job-requirements"), 18),
        (ch("over-skilling-and-weak-bargaining-power"), 6),
        (ch("over-skilling-and-weak-bargaining-power"), 18),
        (ch("climate-and-disaster-shocks-to-labour-supply"), 2),
        (ch("undervalued-foreign-skills"), 16),
        (ch("undervalued-foreign-skills"), 18),
        (ch("inaccessible-recognition-services"), 18),
        (ch("recognition-gap-across-education-levels"), 18),
        (ch("missing-low-skilled-migration-corridors"), 5),
        (ch("weak-social-security-and-benefits"), 6),
        (ch("weak-social-security-and-benefits"), 22),
        (ch("employers-governments-neglect-labour-demand"), 5),
        (ch("employers-governments-neglect-labour-demand"), 18),
    ]
    assert {r["challenge"] for r in rows} == {
        ch(slug) for table in CHALLENGES.values() for slug, _ in table
    }
    labels = {r["objectiveNumber"]: r["objectiveLabel"] for r in rows}
    assert labels[18] == "GCM Objective 18: Skills development and recognition"
    assert labels[22] == "GCM Objective 22: Social protection"


def test_opportunities_answering_challenge(kg: api.KnowledgeGraph) -> None:
    rows = kg.run("opportunities-answering-challenge")
    assert pick(rows, "sessionNumber", "position", "opportunity", "label") == [
        (1, 1, op("legislation-for-qualified-worker-mobility"),
         "Legislation for qualified worker mobility"),
        (1, 2, op("skills-needs-assessment-in-lmis"),
         "Skills needs assessment in labour market information systems"),
        (4, 1, op("global-skills-partnership"), "Global Skills Partnership"),
        (4, 3, op("capacity-building-of-national-institutions"),
         "Capacity building of national institutions"),
    ]
    scarce = kg.run("opportunities-answering-challenge",
                    challenge=ch("skills-demand-information-scarce"))
    assert [r["opportunity"] for r in scarce] == [
        op("skills-needs-assessment-in-lmis"), op("labour-market-research-and-data"),
    ]


def test_every_challenge_is_addressed(kg: api.KnowledgeGraph) -> None:
    assert kg.run("is-challenge-addressed") == [{"result": True}]
    for table in CHALLENGES.values():
        for slug, _ in table:
            assert kg.run("is-challenge-addressed", challenge=ch(slug)) == [{"result": True}]
    # an opportunity is not a challenge; an unknown IRI is nothing
    assert kg.run("is-challenge-addressed", challenge=op("global-skills-partnership")) == [
        {"result": False}]
    assert kg.run("is-challenge-addressed", challenge=ch("no-such-challenge")) == [
        {"result": False}]


def test_tagged_with_theme_includes_narrower_themes(kg: api.KnowledgeGraph) -> None:
    rows = kg.run("tagged-with-theme")
    assert {r["theme"] for r in rows} == {theme("skills-anticipation-and-matching")}
    demand, lmis, matching = (theme("skills-demand-and-anticipation"),
                              theme("labour-market-information-systems"),
                              theme("skills-matching"))
    assert {(r["kind"], r["item"], r["tag"]) for r in rows} == {
        ("challenge", ch("skills-demand-information-scarce"), demand),
        ("challenge", ch("skills-demand-information-scarce"), lmis),
        ("challenge", ch("globalisation-technology-informality-hinder-matching"), matching),
        ("challenge", ch("globalisation-technology-informality-hinder-matching"),
         theme("informal-sector")),
        ("challenge", ch("no-skills-anticipation-brain-drain-waste"), demand),
        ("challenge", ch("no-skills-anticipation-brain-drain-waste"), theme("brain-drain")),
        ("challenge", ch("no-skills-anticipation-brain-drain-waste"), theme("brain-waste")),
        ("challenge", ch("skills-mismatch-with-job-requirements"), matching),
        ("challenge", ch("over-skilling-and-weak-bargaining-power"), theme("brain-waste")),
        ("challenge", ch("over-skilling-and-weak-bargaining-power"), matching),
        ("challenge", ch("undervalued-foreign-skills"), theme("brain-waste")),
        ("challenge", ch("missing-low-skilled-migration-corridors"), theme("informal-sector")),
        ("challenge", ch("employers-governments-neglect-labour-demand"), demand),
        ("opportunity", op("skills-needs-assessment-in-lmis"), lmis),
        ("opportunity", op("skills-needs-assessment-in-lmis"), demand),
        ("opportunity", op("direct-recruitment-and-training-investment"), matching),
        ("opportunity", op("labour-market-research-and-data"), lmis),
        ("opportunity", op("labour-market-research-and-data"), demand),
        ("statement", statement("lorenz-invest-in-domestic-and-foreign-skills"), demand),
        ("conclusion", statement("shared-conclusion-2018"),
         theme("skills-anticipation-and-matching")),
    }
    assert len(rows) == 20
    assert [r["kind"] for r in rows] == sorted(r["kind"] for r in rows)


def test_tagged_with_a_narrow_theme(kg: api.KnowledgeGraph) -> None:
    rows = kg.run("tagged-with-theme", theme=theme("brain-drain"))
    assert pick(rows, "kind", "item", "tagLabel") == [
        ("challenge", ch("no-skills-anticipation-brain-drain-waste"), "Brain drain"),
    ]
    coherence = kg.run("tagged-with-theme", theme=theme("policy-coherence"))
    assert pick(coherence, "kind", "item") == [
        ("challenge", ch("employers-governments-neglect-labour-demand")),
        ("statement", statement("lee-coordinated-policy-action")),
        ("statement", statement("oumarou-policy-coherence")),
    ]


def test_theme_scheme(kg: api.KnowledgeGraph) -> None:
    rows = kg.run("theme-scheme")
    assert len(rows) == 24
    tops = [r["label"] for r in rows if r["broader"] is None]
    assert tops == [
        "Labour migration governance and cooperation",
        "Skills anticipation and matching",
        "Skills development",
        "Skills recognition and qualification frameworks",
    ]
    by_top: dict[str, list[str]] = {}
    for r in rows:
        if r["broader"] is not None:
            by_top.setdefault(r["broaderLabel"], []).append(r["label"])
    assert {k: len(v) for k, v in by_top.items()} == {
        "Labour migration governance and cooperation": 9,
        "Skills anticipation and matching": 6,
        "Skills development": 4,
        "Skills recognition and qualification frameworks": 1,
    }
    assert by_top["Skills recognition and qualification frameworks"] == [
        "One-stop shops for recognition of foreign qualifications"]
    assert by_top["Skills development"] == [
        "Capacity building of national institutions",
        "Language training, mentoring and internships",
        "Up-skilling and re-skilling",
        "Vocational training",
    ]
    # every row is grouped under its top theme, top theme first
    assert [r["topLabel"] for r in rows] == sorted(r["topLabel"] for r in rows)
    assert all(r["top"] == (r["broader"] or r["theme"]) for r in rows)


# ----------------------------------------------------------------- GCM reference data


def test_gcm_objectives(kg: api.KnowledgeGraph) -> None:
    rows = kg.run("gcm-objectives")
    assert [r["number"] for r in rows] == list(range(1, 24))
    assert [r["objective"] for r in rows] == [objective(n) for n in range(1, 24)]
    by_number = {r["number"]: r for r in rows}
    assert by_number[18]["title"] == OBJECTIVE_18_ADOPTED
    assert by_number[18]["shortLabel"] == "Skills development and recognition"
    assert by_number[18]["label"] == "GCM Objective 18: Skills development and recognition"
    assert by_number[1]["title"] == (
        "Collect and utilize accurate and disaggregated data as a basis for evidence-based "
        "policies")
    assert by_number[23]["title"] == (
        "Strengthen international cooperation and global partnerships for safe, orderly and "
        "regular migration")
    assert all(r["title"] and r["shortLabel"] for r in rows)


def test_objective_18_wordings(kg: api.KnowledgeGraph) -> None:
    rows = kg.run("objective-18-wordings")
    assert pick(rows, "kind", "wording", "text", "date", "graph") == [
        ("draft", ID + "wording/gcm-18-draft-2018-05", OBJECTIVE_18_DRAFT, "2018-05",
         GRAPH + "report"),
        ("adopted", ID + "wording/gcm-18-adopted", OBJECTIVE_18_ADOPTED, date(2018, 12, 10),
         GRAPH + "curated"),
    ]
    others = kg.run("objective-18-wordings", objective=objective(22))
    assert pick(others, "kind", "text") == [
        ("adopted",
         "Establish mechanisms for the portability of social security entitlements and earned "
         "benefits"),
    ]


def test_objective_by_number(kg: api.KnowledgeGraph) -> None:
    rows = kg.run("objective-by-number")
    assert pick(rows, "number", "objective", "title", "concernedItems") == [
        (18, objective(18), OBJECTIVE_18_ADOPTED, 17),
    ]
    five = kg.run("objective-by-number", number="5")
    assert pick(five, "objective", "label", "concernedItems") == [
        (objective(5), "GCM Objective 5: Regular pathways", 7),
    ]
    assert kg.run("objective-by-number", number="24") == []


def test_objective_actions(kg: api.KnowledgeGraph) -> None:
    rows = kg.run("objective-actions")
    assert pick(rows, "letter", "notation", "label") == [
        ("a", "18(a)",
         "Standards for recognising foreign qualifications and non-formally acquired skills"),
        ("b", "18(b)", "Transparent national qualifications frameworks"),
        ("c", "18(c)", "Mutual recognition agreements on skills and qualifications"),
        ("d", "18(d)", "Digital tools for recognising skills"),
        ("e", "18(e)", "Global skills partnerships among countries"),
        ("f", "18(f)",
         "Partnerships between the private sector and education and training providers"),
    ]


def test_sdg_targets_of_objective(kg: api.KnowledgeGraph) -> None:
    rows = kg.run("sdg-targets-of-objective")
    assert pick(rows, "target", "notation", "direct", "actions") == [
        ("http://metadata.un.org/sdg/4.4", "4.4", True, 3),
        ("http://metadata.un.org/sdg/4.b", "4.b", True, 1),
        ("http://metadata.un.org/sdg/10.7", "10.7", True, 5),
    ]
    assert rows[2]["label"] == "SDG target 10.7: orderly, safe, regular and responsible migration"
    remittances = kg.run("sdg-targets-of-objective", objective=objective(20))
    assert pick(remittances, "notation", "direct", "actions") == [("10.c", True, 0)]
    assert kg.run("sdg-targets-of-objective", objective=objective(2)) == []


# ----------------------------------------------------------------- organisations


def test_gfmd_co_chairs(kg: api.KnowledgeGraph) -> None:
    rows = kg.run("gfmd-co-chairs")
    gfmd = "Global Forum on Migration and Development"
    assert pick(rows, "membership", "stateLabel", "roleLabel", "forumLabel", "begin", "end") == [
        (ID + "co-chairmanship/germany-2017-2018", "Germany", "Co-Chair", gfmd,
         date(2017, 1, 1), date(2018, 12, 31)),
        (ID + "co-chairmanship/morocco-2017-2018", "Morocco", "Co-Chair", gfmd,
         date(2017, 1, 1), date(2018, 12, 31)),
    ]
    assert [r["state"] for r in rows] == [org("germany"), org("morocco")]
    assert {r["forum"] for r in rows} == {org("gfmd")}


def test_organisations(kg: api.KnowledgeGraph) -> None:
    rows = kg.run("organisations")
    assert pick(rows, "organisation", "kind", "en", "fr", "es") == [
        (org("center-for-global-development"), "organisation", "Center for Global Development",
         None, None),
        (org("gfmd-business-mechanism"), "mechanism", "GFMD Business Mechanism",
         "Mécanisme des entreprises du FMMD", "Mecanismo Empresarial del FMMD"),
        (org("germany"), "state", "Germany", "Allemagne", "Alemania"),
        (org("gfmd"), "forum", "Global Forum on Migration and Development",
         "Forum mondial sur la migration et le développement",
         "Foro Mundial sobre Migración y Desarrollo"),
        (org("ilo-employment-department"), "organisational unit", "ILO Employment Department",
         "Département de l'emploi de l'OIT", "Departamento de Empleo de la OIT"),
        (org("ilo"), "intergovernmental organisation", ILO,
         "Organisation internationale du Travail", "Organización Internacional del Trabajo"),
        (org("ioe"), "private sector organisation", "International Organisation of Employers",
         "Organisation internationale des employeurs",
         "Organización Internacional de Empleadores"),
        (org("mexico"), "state", "Mexico", "Mexique", "México"),
        (org("morocco"), "state", "Morocco", "Maroc", "Marruecos"),
        (org("switzerland"), "state", "Switzerland", "Suisse", "Suiza"),
        (org("united-nations"), "intergovernmental organisation", "United Nations",
         "Organisation des Nations Unies", "Naciones Unidas"),
        (org("un-general-assembly"), "organisational unit", "United Nations General Assembly",
         "Assemblée générale des Nations Unies", "Asamblea General de las Naciones Unidas"),
        (ID + "agent/gfmd-kg-editors", "organisation", "gfmd-kg editors",
         "Éditeurs de gfmd-kg", "Editores de gfmd-kg"),
    ]


# ----------------------------------------------------------------- provenance


def test_sources_of_a_challenge(kg: api.KnowledgeGraph) -> None:
    rows = kg.run("sources-of-fact")
    assert {r["entity"] for r in rows} == {ch("skills-demand-information-scarce")}
    assert {r["graph"] for r in rows} >= {GRAPH + "report", GRAPH + "curated"}
    report = [r for r in rows if r["graph"] == GRAPH + "report"]
    assert pick(report, "link", "document", "citation", "locator") == [
        ("citation", REPORT_DOC, ID + "citation/report-2018-session-1-challenge-1",
         "Session table, Session I, challenges, bullet 1"),
        ("primary source", REPORT_DOC, None, None),
    ]
    assert {r["documentLabel"] for r in report} == {
        "Report of the GFMD-ILO Thematic Workshop on Labour Migration and Skills (2018)"}
    # label, description, type, session, position, primary source, citation
    assert {r["triples"] for r in report} == {7}


def test_sources_of_the_event_and_of_objective_18(kg: api.KnowledgeGraph) -> None:
    event = kg.run("sources-of-fact", entity=EVENT)
    citations = [r["locator"] for r in event if r["link"] == "citation"]
    assert citations == [
        "Headline",
        "Paragraph 1 (date, place, convenors and purpose of the workshop)",
        "Paragraph 2 (welcome and the three opening speakers)",
    ]
    assert all(r["graph"] != GRAPH + "curated" for r in event)
    gcm18 = kg.run("sources-of-fact", entity=objective(18))
    curated = [r for r in gcm18 if r["graph"] == GRAPH + "curated"]
    assert pick(curated, "link", "document", "documentLabel") == [
        ("source", ID + "document/a-res-73-195", "UN General Assembly resolution A/RES/73/195"),
    ]
    report = [r for r in gcm18 if r["graph"] == GRAPH + "report"]
    assert pick(report, "triples", "link") == [(1, None)]  # only: hasWording the May draft


def test_entity_neighbourhood(kg: api.KnowledgeGraph) -> None:
    rows = kg.run("entity-neighbourhood")
    triples = {(r["subject"], r["predicate"], r["object"]) for r in rows}
    assert all(EVENT in (s, o) for s, _, o in triples)
    assert {
        (EVENT, SCHEMA + "location", ID + "place/geneva"),
        (EVENT, SCHEMA + "startDate", date(2018, 5, 3)),
        (EVENT, GFMD + "convenedBy", org("germany")),
        (EVENT, GFMD + "convenedBy", org("morocco")),
        (EVENT, GFMD + "inPartnershipWith", org("ilo")),
        (EVENT, GFMD + "participantCountMoreThan", 100),
        (session(1), SCHEMA + "superEvent", EVENT),
        (statement("shared-conclusion-2018"), GFMD + "conclusionOf", EVENT),
    } <= triples
    person = kg.run("entity-neighbourhood", entity=ID + "person/sangheon-lee")
    outgoing = {(r["predicate"], r["object"]) for r in person
                if r["subject"] == ID + "person/sangheon-lee"}
    assert ("http://xmlns.com/foaf/0.1/name", "Sangheon Lee") in outgoing
    assert ("http://www.w3.org/ns/org#holds", ID + "post/ilo-director-employment-department") \
        in outgoing


def test_search_labels(kg: api.KnowledgeGraph) -> None:
    rows = kg.run("search-labels")
    found = {r["entity"] for r in rows}
    assert {session(3), ch("inaccessible-recognition-services"),
            ch("recognition-gap-across-education-levels"),
            op("recognition-frameworks-and-one-stop-shops"), objective(18)} <= found
    assert all("recognition" in r["label"].lower() for r in rows)
    assert kg.run("search-labels", text="RECOGNITION") == [
        {**r, "text": "RECOGNITION"} for r in rows]
    assert pick(kg.run("search-labels", text="Sönke"), "entity", "type") == [
        (ID + "person/soenke-lorenz", None),  # foaf:Person is not one of our classes
        (ID + "participation/lorenz-closing", "Participation"),
        (ID + "participation/lorenz-opening", "Participation"),
    ]


# ----------------------------------------------------------------- parameters are terms


INJECTION = "> } ; DROP ALL ; <"


def test_iri_parameter_with_sparql_in_it_is_refused(kg: api.KnowledgeGraph) -> None:
    with pytest.raises(NamedQueryError, match="not an IRI"):
        kg.run("challenges-of-session", session=INJECTION)
    with pytest.raises(NamedQueryError, match="not an IRI"):
        kg.run("entity-neighbourhood", entity=f"{EVENT}{INJECTION}")
    with pytest.raises(NamedQueryError, match="not an IRI"):
        kg.run("is-challenge-addressed", challenge='x:y" } ASK { ?s ?p "')
    # nothing was dropped
    assert len(kg.run("sessions")) == 6


def test_string_parameter_is_a_literal_not_text(kg: api.KnowledgeGraph) -> None:
    evil = '"} ; DROP ALL ; { SELECT * WHERE { ?s ?p ?o } } # \' \\ <>'
    named = kg.queries["search-labels"]
    term = named.bindings({"text": evil})["text"]
    assert term.value == evil
    assert evil not in named.text
    assert kg.run("search-labels", text=evil) == []
    assert kg.run("search-labels", text='"') == []
    assert kg.run("search-labels", text="}") == []
    assert len(kg.run("gcm-objectives")) == 23


def test_other_bad_parameter_values_are_refused(kg: api.KnowledgeGraph) -> None:
    with pytest.raises(NamedQueryError, match="not an integer"):
        kg.run("objective-by-number", number="18 } UNION { ?s ?p ?o")
    with pytest.raises(NamedQueryError, match="not a YYYY-MM-DD date"):
        kg.run("events-on-date", date="2018-05-03\"^^<x> } #")
    with pytest.raises(NamedQueryError, match="has no parameter"):
        kg.run("sessions", session=session(1))
    with pytest.raises(NamedQueryError, match="no named query"):
        kg.run("no-such-query")


def test_iri_parameter_in_angle_brackets_is_accepted(kg: api.KnowledgeGraph) -> None:
    rows = kg.run("challenges-of-session", session=f"<{session(2)}>")
    assert [r["position"] for r in rows] == [1, 2, 3]
    assert rows[0]["challenge"] == ch("skills-mismatch-with-job-requirements")
