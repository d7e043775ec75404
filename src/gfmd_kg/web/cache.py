"""A cache of query answers, and ETags for them.

An answer is stored whole (body and the headers that describe it) under a key made of
everything that decides it: the query text, the dataset (default and named graphs), the
bound parameters, the negotiated formats and the row cap. The cache is bounded by the
total size of the bodies (least recently used out), keeps only answers below a size, and
is emptied by any write made through the app (each write also bumps the data version).

Every cacheable answer carries an ``ETag``: a hash of its key, the data version and this
process's start, so a tag never outlives a write or a restart. ``If-None-Match`` with a
current tag is answered ``304 Not Modified`` without running anything.

Not cached: queries whose answer may change between two runs on the same data (RAND,
NOW, UUID, STRUUID, BNODE, SERVICE), answers over a remote store (others may write to
it), errors, and answers cut short.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from .. import sparqltext

#: Total size of the cached bodies, and the largest body kept.
MAX_BYTES = 64 * 2**20
MAX_ENTRY_BYTES = 2 * 2**20

EXTENSION = "gfmd_kg_cache"

_VOLATILE = re.compile(r"(?<![\w:?$.-])(RAND|NOW|UUID|STRUUID|BNODE|SERVICE)(?![\w:-])",
                       re.IGNORECASE)


def cacheable(text: str) -> bool:
    """Whether a query's answer depends on the data alone (no clock, chance or remote)."""
    masked, _ = sparqltext.mask(text)
    return _VOLATILE.search(masked) is None


@dataclass
class Entry:
    """One cached answer."""

    body: bytes
    headers: dict[str, str]
    version: int


class ResultCache:
    """Answers by key, least recently used out past ``max_bytes``; thread-safe."""

    def __init__(self, max_bytes: int = MAX_BYTES, max_entry_bytes: int = MAX_ENTRY_BYTES
                 ) -> None:
        self.max_bytes = max_bytes
        self.max_entry_bytes = max_entry_bytes
        self.version = 0
        self.size = 0
        self.hits = 0
        self.misses = 0
        self._boot = os.urandom(8).hex()
        self._entries: OrderedDict[str, Entry] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def key(text: str, default_graphs: Iterable[str], named_graphs: Iterable[str],
            bindings: Mapping[str, str] | None, formats: Mapping[str, Any],
            max_rows: int | None) -> str:
        """The key of an answer: a hash of everything that decides it."""
        parts = [text, sorted(default_graphs), sorted(named_graphs),
                 sorted((bindings or {}).items()), sorted(formats.items()), max_rows]
        return hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()

    def etag(self, key: str, version: int | None = None) -> str:
        """The ETag of the answer under ``key`` for a data version (default: the current)."""
        version = self.version if version is None else version
        digest = hashlib.sha256(f"{key}|{self._boot}|{version}".encode()).hexdigest()
        return f'"{digest[:32]}"'

    def get(self, key: str) -> Entry | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or entry.version != self.version:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return entry

    def put(self, key: str, entry: Entry) -> bool:
        """Keep an answer made at ``entry.version``; refused if a write came since, or if
        it is too big."""
        size = len(entry.body)
        if size > self.max_entry_bytes:
            return False
        with self._lock:
            if entry.version != self.version:
                return False
            old = self._entries.pop(key, None)
            if old is not None:
                self.size -= len(old.body)
            self._entries[key] = entry
            self.size += size
            while self.size > self.max_bytes and self._entries:
                _, dropped = self._entries.popitem(last=False)
                self.size -= len(dropped.body)
            return True

    def clear(self) -> None:
        """Forget every answer and move to a new data version (after a write)."""
        with self._lock:
            self.version += 1
            self._entries.clear()
            self.size = 0

    def __len__(self) -> int:
        return len(self._entries)


def matches(if_none_match: str | None, etag: str) -> bool:
    """Whether an ``If-None-Match`` header names ``etag`` (weak comparison, or ``*``)."""
    if not if_none_match:
        return False
    for tag in if_none_match.split(","):
        tag = tag.strip()
        if tag == "*" or tag.removeprefix("W/") == etag:
            return True
    return False


class Recorder:
    """The chunks of an answer, passed on as they come and kept for the cache; stored
    when the answer was read to its end and is small enough. ``close()`` is passed on
    (the body's close returns its worker to the pool)."""

    def __init__(self, body: Iterable[bytes], cache: ResultCache, key: str, version: int,
                 headers: dict[str, str]) -> None:
        self._body = body
        self._iter: Iterator[bytes] = iter(body)
        self._cache = cache
        self._key = key
        self._version = version
        self._headers = headers
        self._parts: list[bytes] | None = []
        self._size = 0

    def __iter__(self) -> Recorder:
        return self

    def __next__(self) -> bytes:
        try:
            chunk = next(self._iter)
        except StopIteration:
            if self._parts is not None:
                self._cache.put(self._key, Entry(b"".join(self._parts), self._headers,
                                                 self._version))
                self._parts = None
            raise
        if self._parts is not None:
            self._size += len(chunk)
            if self._size > self._cache.max_entry_bytes:
                self._parts = None
            else:
                self._parts.append(chunk)
        return chunk

    def close(self) -> None:
        close = getattr(self._body, "close", None)
        if close is not None:
            close()
