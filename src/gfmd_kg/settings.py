"""Settings as data: one table of name, default, help; read from defaults, then the
environment (``GFMD_KG_<NAME>``), then explicit overrides (CLI flags, a test's mapping)."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .vocab import DEFAULT_BASE

ENV_PREFIX = "GFMD_KG_"
PROJECT_ROOT = Path(__file__).resolve().parents[2]


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"1", "true", "yes", "on"}:
        return True
    if text in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError(f"expected a yes/no value (1/0, true/false), got {value!r}")


def _positive_float(value: Any) -> float:
    number = float(value)
    if number <= 0:
        raise ValueError(f"must be greater than 0, got {value!r}")
    return number


def _non_negative_float(value: Any) -> float:
    number = float(value)
    if not number >= 0:  # also refuses nan
        raise ValueError(f"must be 0 or more, got {value!r}")
    return number


def _positive_int(value: Any) -> int:
    number = int(value)
    if number <= 0:
        raise ValueError(f"must be greater than 0, got {value!r}")
    return number


def _non_negative_int(value: Any) -> int:
    number = int(value)
    if number < 0:
        raise ValueError(f"must be 0 or more, got {value!r}")
    return number


def _base_iri(value: Any) -> str:
    text = str(value)
    if not text.startswith(("http://", "https://")) or not text.endswith(("/", "#")):
        raise ValueError(f"must be an http(s) IRI ending in '/' or '#', got {text!r}")
    return text


def _optional_str(value: Any) -> str | None:
    return None if value in (None, "") else str(value)


def _csv(value: Any) -> tuple[str, ...]:
    if isinstance(value, (list, tuple)):
        return tuple(str(v) for v in value)
    return tuple(part.strip() for part in str(value).split(",") if part.strip())


@dataclass(frozen=True)
class Setting:
    """One configurable value: its name, default, parser and the help shown to users."""

    name: str
    default: Any
    parse: Callable[[Any], Any]
    help: str
    secret: bool = False

    @property
    def is_flag(self) -> bool:
        return self.parse is _bool

    @property
    def env(self) -> str:
        return ENV_PREFIX + self.name.upper()


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "store",
        "memory",
        str,
        "Where the graph lives: 'memory' (the built graph in memory), 'oxigraph:PATH' (an "
        "on-disk store, given the built graph when it holds none of our graphs) or "
        "'sparql+http(s)://...' (a remote SPARQL 1.1 endpoint).",
    ),
    Setting(
        "update_url",
        None,
        _optional_str,
        "Update endpoint of a remote store, when it differs from its query endpoint.",
    ),
    Setting(
        "base_iri", DEFAULT_BASE, _base_iri, "Base of every IRI the graph mints (ends in '/')."
    ),
    Setting(
        "query_timeout",
        10.0,
        _positive_float,
        "Seconds a query may run before it is stopped and answered with 503.",
    ),
    Setting(
        "max_rows",
        10_000,
        _non_negative_int,
        "Most result rows (or triples) one answer carries; 0 lifts the cap, and answers "
        "stream from the engine as they are made.",
    ),
    Setting(
        "max_request_bytes",
        1_000_000,
        _positive_int,
        "Largest request body accepted, in bytes; larger ones get 413.",
    ),
    Setting(
        "update_token",
        None,
        _optional_str,
        "Bearer token that enables SPARQL Update and Graph Store writes (unset: writes off).",
        secret=True,
    ),
    Setting(
        "update_token_file",
        None,
        _optional_str,
        "File holding the update token (an alternative to GFMD_KG_UPDATE_TOKEN).",
    ),
    Setting(
        "protect_built",
        True,
        _bool,
        "Refuse updates that touch the built graphs (ontology, report, curated, inferred).",
    ),
    Setting(
        "workers",
        2,
        _positive_int,
        "Query worker processes (queries beyond this many wait briefly, then get 503).",
    ),
    Setting(
        "queue_wait",
        2.0,
        _positive_float,
        "Seconds a query waits for a free worker before it is answered 503 + Retry-After.",
    ),
    Setting(
        "spin_wait",
        0.002,
        _non_negative_float,
        "Seconds a query that is the only one in flight, and its worker, poll for each other "
        "before they sleep (saves the cost of waking a process, large on some virtual "
        "machines; 0 turns it off).",
    ),
    Setting(
        "reopen_after",
        0.5,
        _non_negative_float,
        "Seconds of one query after which its worker opens the on-disk store anew (a "
        "read-only handle answers small queries up to half slower after a long scan); 0 "
        "turns it off.",
    ),
    Setting(
        "result_cache",
        True,
        _bool,
        "Keep recent query answers in memory (64 MB, least recently used out; emptied by "
        "any write) and answer If-None-Match with 304.",
    ),
    Setting("cors_origins", ("*",), _csv, "Origins allowed to read by CORS, comma-separated."),
    Setting(
        "service_allow",
        (),
        _csv,
        "Endpoint prefixes a query may call with SERVICE, comma-separated (none by default).",
    ),
    Setting(
        "reasoner",
        "hermit",
        str,
        "'hermit' to check consistency and infer with HermiT (needs Java), 'none' for the "
        "OWL rules only.",
    ),
    Setting(
        "cache_dir",
        str(PROJECT_ROOT / ".cache"),
        str,
        "Where the built dataset is cached; it is rebuilt only when a source file changes.",
    ),
    Setting(
        "source_dir",
        str(PROJECT_ROOT),
        str,
        "Folder holding ontology/, data/ and queries/.",
    ),
)

SETTINGS_BY_NAME: Mapping[str, Setting] = {s.name: s for s in SETTINGS}


class SettingsError(ValueError):
    """A setting has a value it cannot take."""


def load_settings(
    overrides: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """Defaults, then ``GFMD_KG_*`` environment variables, then ``overrides`` (None skipped)."""
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for setting in SETTINGS:
        raw: Any = setting.default
        origin = "default"
        if setting.env in environ:
            raw, origin = environ[setting.env], setting.env
        if overrides and overrides.get(setting.name) is not None:
            raw, origin = overrides[setting.name], f"--{setting.name.replace('_', '-')}"
        try:
            values[setting.name] = setting.parse(raw) if raw is not None else None
        except (TypeError, ValueError) as exc:
            raise SettingsError(f"setting {setting.name} (from {origin}): {exc}") from exc
    unknown = set(overrides or {}) - set(SETTINGS_BY_NAME)
    if unknown:
        raise SettingsError(f"unknown setting(s): {', '.join(sorted(unknown))}")
    token_file = values["update_token_file"]
    if token_file and not values["update_token"]:
        try:
            values["update_token"] = Path(token_file).read_text(encoding="utf-8").strip() or None
        except OSError as exc:
            raise SettingsError(f"cannot read the update token file {token_file}: {exc}") from exc
    return values


def settings_table() -> str:
    """The settings as a Markdown table (for the README and ``gfmd-kg settings``)."""
    lines = ["| setting | environment variable | default | meaning |", "| --- | --- | --- | --- |"]
    for s in SETTINGS:
        default = s.default
        if s.name in {"cache_dir", "source_dir"}:
            default = f"<project>/{Path(str(s.default)).relative_to(PROJECT_ROOT)}".rstrip("/.")
        if isinstance(default, tuple):
            default = ",".join(default) or "(none)"
        if default is None:
            default = "(none)"
        lines.append(f"| {s.name} | `{s.env}` | `{default}` | {s.help} |")
    return "\n".join(lines)
