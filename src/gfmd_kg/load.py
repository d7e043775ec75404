"""Bulk loading RDF files into the on-disk store (``gfmd-kg load``).

Each file goes through pyoxigraph's ``bulk_load`` (parsing and index building in Rust, the
indexes written as sorted files and ingested at the end, so a file is loaded whole or not at
all). The file is read through a small counting reader, which is how the progress bar knows
how far it got without a second pass. The format comes from the file's extension; a
trailing ``.gz`` is decompressed on the fly.

``gfmd-kg load`` then compacts the store (``compact_store``, pyoxigraph's ``optimize``).
Each batch of a bulk load is ingested as sorted files of its own that span the whole key
range, so a lookup has to probe every one of them; compacting merges them. On the
benchmark's 10M triples this took 11-15 s and made a session's challenges about twice as
fast to find (0.62 to 0.33 ms in pyoxigraph alone, 1.53 to 0.80 ms over HTTP); up to 1M a
load is one batch and there is little to merge.
"""

from __future__ import annotations

import gzip
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox

#: File extensions (without ``.gz``) and the format each is read as.
EXTENSIONS: dict[str, ox.RdfFormat] = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".turtle": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".ntriples": ox.RdfFormat.N_TRIPLES,
    ".nq": ox.RdfFormat.N_QUADS,
    ".nquads": ox.RdfFormat.N_QUADS,
    ".trig": ox.RdfFormat.TRIG,
    ".n3": ox.RdfFormat.N3,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML,
    ".xml": ox.RdfFormat.RDF_XML,
    ".jsonld": ox.RdfFormat.JSON_LD,
}

#: Formats whose statements name their own graph (``--graph`` makes no sense for them).
QUAD_FORMATS = {ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG}


class LoadError(Exception):
    """A file cannot be loaded; the message names the file and, for bad syntax, where."""


@dataclass
class LoadReport:
    """What a load did: files, bytes read, statements in the store before and after."""

    files: list[str] = field(default_factory=list)
    bytes_read: int = 0
    before: int = 0
    after: int = 0
    seconds: float = 0.0

    @property
    def added(self) -> int:
        return self.after - self.before


def rdf_format(path: Path) -> tuple[ox.RdfFormat, bool]:
    """The format a file is read as, and whether it is gzip-compressed."""
    name = path.name.lower()
    compressed = name.endswith(".gz")
    if compressed:
        name = name[: -len(".gz")]
    suffix = Path(name).suffix
    try:
        return EXTENSIONS[suffix], compressed
    except KeyError:
        known = " ".join(sorted(EXTENSIONS))
        raise LoadError(f"{path}: unknown extension {suffix or '(none)'!r}; the format is "
                        f"chosen by extension, one of {known} (each may end in .gz)") from None


def check_files(files: Sequence[Path], graph: str | None) -> list[tuple[Path, ox.RdfFormat, bool]]:
    """Every file's format, checked before anything is loaded."""
    checked = []
    for path in files:
        fmt, compressed = rdf_format(path)
        if not path.exists():
            raise LoadError(f"{path}: no such file")
        if not path.is_file():
            raise LoadError(f"{path}: not a file")
        if graph is not None and fmt in QUAD_FORMATS:
            raise LoadError(f"{path}: {fmt.name} names its own graphs; load it without "
                            "--graph (or convert it to a triple format)")
        checked.append((path, fmt, compressed))
    if graph is not None:
        try:
            ox.NamedNode(graph)
        except ValueError as exc:
            raise LoadError(f"--graph {graph!r} is not an absolute IRI: {exc}") from None
    return checked


class _CountingReader:
    """A binary reader that reports how many bytes were read (for the progress bar)."""

    def __init__(self, raw: IO[bytes], progress: Callable[[int], None] | None) -> None:
        self.raw = raw
        self.progress = progress

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        if self.progress is not None and data:
            self.progress(len(data))
        return data

    def readable(self) -> bool:
        return True


def load_files(
    store_path: Path,
    files: Sequence[Path],
    graph: str | None = None,
    *,
    lenient: bool = False,
    progress: Callable[[int], None] | None = None,
) -> LoadReport:
    """Bulk-load ``files`` into the on-disk store at ``store_path`` (created if missing).

    Triples go to ``graph`` (an IRI) or the default graph; quads keep their graphs. A file
    with a syntax error is refused whole (earlier files stay loaded).
    """
    checked = check_files(files, graph)
    try:
        store_path.mkdir(parents=True, exist_ok=True)
        store = ox.Store(str(store_path))
    except OSError as exc:
        raise LoadError(f"cannot open the on-disk store at {store_path}: {exc}") from exc
    failure: LoadError | None = None
    try:
        report = _load(store, checked, graph, lenient, progress)
    except LoadError as exc:
        # a fresh error without the traceback, whose frames hold the store: RocksDB allows
        # one handle on a folder per process, so it must be released before we go on
        failure = LoadError(str(exc))
    del store
    if failure is not None:
        raise failure
    return report


def _load(store: ox.Store, checked: list[tuple[Path, ox.RdfFormat, bool]], graph: str | None,
          lenient: bool, progress: Callable[[int], None] | None) -> LoadReport:
    report = LoadReport(before=len(store))
    target: Any = ox.NamedNode(graph) if graph is not None else None
    started = time.perf_counter()
    for path, fmt, compressed in checked:
        with path.open("rb") as raw:
            reader: Any = _CountingReader(raw, progress)
            if compressed:
                reader = gzip.GzipFile(fileobj=reader, mode="rb")
            try:
                store.bulk_load(input=reader, format=fmt, to_graph=target, lenient=lenient,
                                base_iri=path.resolve().as_uri())
            except SyntaxError as exc:
                raise LoadError(f"{path}: {_where(exc)}") from exc
            except (OSError, EOFError, gzip.BadGzipFile) as exc:
                raise LoadError(f"{path}: cannot read it: {exc}") from exc
        report.files.append(str(path))
        report.bytes_read += path.stat().st_size
    store.flush()
    report.seconds = time.perf_counter() - started
    report.after = len(store)
    return report


def compact_store(store_path: Path) -> float:
    """Compact the on-disk store at ``store_path``: its sorted files merged, what it holds
    unchanged. Returns the seconds it took."""
    started = time.perf_counter()
    try:
        store = ox.Store(str(store_path))
    except OSError as exc:
        raise LoadError(f"cannot open the on-disk store at {store_path}: {exc}") from exc
    failure: LoadError | None = None
    try:
        store.optimize()
        store.flush()
    except OSError as exc:  # as in load_files: the store is released before raising
        failure = LoadError(f"compacting the store at {store_path} failed: {exc}; it holds "
                            "every statement loaded and can be served as it is, only slower "
                            "at lookups")
    del store
    if failure is not None:
        raise failure
    return time.perf_counter() - started


def _where(exc: SyntaxError) -> str:
    """A parser error with its line and column (pyoxigraph's message mostly says them)."""
    message = exc.msg if isinstance(exc.msg, str) else str(exc)
    if exc.lineno and f"line {exc.lineno}" not in message:
        return f"syntax error at line {exc.lineno}, column {exc.offset or 0}: {message}"
    return f"syntax error: {message}"
