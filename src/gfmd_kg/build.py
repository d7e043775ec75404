"""Building the dataset: read the source files into their named graphs under the configured
base IRI, reason, and cache the result as N-Quads so it is rebuilt only when a source
changes."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from . import __version__
from .reasoning import InconsistentGraphError, ReasonerError, infer
from .vocab import DEFAULT_BASE, GRAPH_KEYS, graph_iri

log = logging.getLogger(__name__)

#: Source files (relative to the source folder) and the named graph each one fills.
SOURCES: tuple[tuple[str, str], ...] = (
    ("ontology/gfmd.ttl", "ontology"),
    ("data/report.ttl", "report"),
    ("data/reference.ttl", "curated"),
    ("data/themes.ttl", "curated"),
    ("data/links.ttl", "curated"),
    ("data/graphs.ttl", "curated"),
)
SHAPES = "ontology/shapes.ttl"

#: Bump when the build's output changes for the same sources (rules, rewriting, layout).
BUILD_FORMAT = 1


class BuildError(Exception):
    """The dataset cannot be built; the message says which file and what to do."""


@dataclass
class BuildInfo:
    """What a build made, stored next to the cached dataset."""

    base_iri: str
    reasoner: str
    source_hash: str
    triples: dict[str, int]
    seconds: float
    built_at: str
    version: str = __version__
    warnings: list[str] = field(default_factory=list)
    from_cache: bool = False

    @property
    def inference_ran(self) -> bool:
        return self.triples.get("inferred", 0) > 0


@dataclass
class Built:
    """The built dataset in an in-memory store, and how it was made."""

    store: ox.Store
    info: BuildInfo


def source_paths(source_dir: Path) -> list[tuple[Path, str]]:
    """The source files with their graph keys; a missing file is a BuildError."""
    found = []
    for rel, key in SOURCES:
        path = source_dir / rel
        if not path.is_file():
            raise BuildError(f"source file {path} is missing; the build needs all of "
                             f"{', '.join(r for r, _ in SOURCES)}")
        found.append((path, key))
    return found


def _source_hash(source_dir: Path, base_iri: str, reasoner: str) -> str:
    digest = hashlib.sha256(f"{BUILD_FORMAT}|{__version__}|{base_iri}|{reasoner}".encode())
    for path, key in source_paths(source_dir):
        digest.update(f"|{path.relative_to(source_dir)}|{key}|".encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def rebase_term(term: Any, base_iri: str) -> Any:
    """Move an IRI under the default base to the configured base; other terms unchanged."""
    if isinstance(term, ox.NamedNode) and term.value.startswith(DEFAULT_BASE):
        return ox.NamedNode(base_iri + term.value[len(DEFAULT_BASE) :])
    if isinstance(term, ox.Literal) and term.language is None:
        # a literal that spells one of our IRIs (vann:preferredNamespaceUri, ...) moves too
        value = term.value
        if value.startswith(DEFAULT_BASE):
            value = base_iri + value[len(DEFAULT_BASE) :]
        return ox.Literal(value, datatype=rebase_term(term.datatype, base_iri))
    return term


def read_sources(source_dir: Path, base_iri: str) -> ox.Store:
    """Parse every source file into its named graph, rebased to ``base_iri``."""
    store = ox.Store()
    for path, key in source_paths(source_dir):
        graph = ox.NamedNode(graph_iri(base_iri, key))
        try:
            triples = list(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))
        except SyntaxError as exc:
            raise BuildError(f"{path}: not valid Turtle: {exc}") from exc
        if base_iri == DEFAULT_BASE:
            store.extend(ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples)
        else:
            store.extend(
                ox.Quad(
                    rebase_term(t.subject, base_iri),
                    rebase_term(t.predicate, base_iri),
                    rebase_term(t.object, base_iri),
                    graph,
                )
                for t in triples
            )
    return store


def count_graphs(store: ox.Store, base_iri: str) -> dict[str, int]:
    """Triples in each of our named graphs."""
    counts = dict.fromkeys(GRAPH_KEYS, 0)
    for key in GRAPH_KEYS:
        graph = ox.NamedNode(graph_iri(base_iri, key))
        counts[key] = sum(1 for _ in store.quads_for_pattern(None, None, None, graph))
    return counts


def build(settings: dict[str, Any], *, force: bool = False) -> Built:
    """Build the dataset, or load it from the cache when no source changed."""
    source_dir = Path(settings["source_dir"])
    base_iri: str = settings["base_iri"]
    reasoner: str = settings["reasoner"]
    cache_dir = Path(settings["cache_dir"])
    source_hash = _source_hash(source_dir, base_iri, reasoner)
    data_file = cache_dir / f"dataset-{source_hash}.nq"
    info_file = cache_dir / f"dataset-{source_hash}.json"
    if not force and data_file.is_file() and info_file.is_file():
        store = ox.Store()
        store.bulk_load(path=str(data_file), format=ox.RdfFormat.N_QUADS)
        info = BuildInfo(**json.loads(info_file.read_text(encoding="utf-8")))
        info.from_cache = True
        return Built(store, info)

    started = time.perf_counter()
    store = read_sources(source_dir, base_iri)
    asserted = [ox.NamedNode(graph_iri(base_iri, k)) for k in GRAPH_KEYS if k != "inferred"]
    try:
        inference = infer(store, asserted, ox.NamedNode(graph_iri(base_iri, "inferred")), reasoner)
    except InconsistentGraphError as exc:
        raise BuildError(f"the graph was refused: {exc}") from exc
    except ReasonerError as exc:
        raise BuildError(f"{exc}; build with --reasoner none to skip HermiT") from exc
    for warning in inference.warnings:
        log.warning(warning)
    info = BuildInfo(
        base_iri=base_iri,
        reasoner=inference.reasoner,
        source_hash=source_hash,
        triples=count_graphs(store, base_iri),
        seconds=round(time.perf_counter() - started, 3),
        built_at=time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        warnings=inference.warnings,
    )
    _write_cache(store, info, cache_dir, data_file, info_file)
    return Built(store, info)


def _write_cache(
    store: ox.Store, info: BuildInfo, cache_dir: Path, data_file: Path, info_file: Path
) -> None:
    """Write the dataset and its info atomically; a failure only costs the cache."""
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        for old in cache_dir.glob("dataset-*"):
            old.unlink()
        tmp = data_file.with_suffix(".nq.tmp")
        store.dump(str(tmp), format=ox.RdfFormat.N_QUADS)
        os.replace(tmp, data_file)
        payload = {k: v for k, v in asdict(info).items() if k != "from_cache"}
        info_file.write_text(json.dumps(payload, indent=2), encoding="utf-8")
    except OSError as exc:
        log.warning("could not cache the built dataset in %s: %s", cache_dir, exc)
