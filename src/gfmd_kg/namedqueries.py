"""Named queries: ``queries/*.rq`` files with a comment header, parsed into frozen
dataclasses; their parameters are bound as RDF terms, never formatted into the text.

Header format (comment lines before the query)::

    # title: The challenges of a session
    # description: What one workshop session named as challenges, in the report's order.
    # param: session | iri | https://w3id.org/gfmd-kg/id/session/... | The session
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from .vocab import DEFAULT_BASE

PARAM_KINDS = ("iri", "string", "integer", "date")
_NAME = re.compile(r"^[a-z][a-z0-9-]*$")
_VAR = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_XSD = "http://www.w3.org/2001/XMLSchema#"


class NamedQueryError(ValueError):
    """A named query is unknown, malformed, or was given a bad parameter."""


@dataclass(frozen=True)
class Parameter:
    """One parameter of a named query: the variable it binds, its kind and default."""

    name: str
    kind: str
    default: str | None
    help: str

    def to_term(self, value: str, base_iri: str = DEFAULT_BASE) -> ox.NamedNode | ox.Literal:
        """Turn a user's value into an RDF term of this parameter's kind."""
        value = value.strip()
        if self.kind == "iri":
            if value.startswith("<") and value.endswith(">"):
                value = value[1:-1]
            if not re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:[^\s<>\"{}|\\^`]*$", value):
                raise NamedQueryError(f"parameter {self.name}: {value!r} is not an IRI")
            if value.startswith(DEFAULT_BASE):
                value = base_iri + value[len(DEFAULT_BASE) :]
            try:
                return ox.NamedNode(value)
            except ValueError:  # e.g. a control character, which the pattern above lets by
                raise NamedQueryError(f"parameter {self.name}: {value!r} is not an IRI"
                                      ) from None
        if self.kind == "integer":
            if not re.match(r"^[+-]?\d+$", value):
                raise NamedQueryError(f"parameter {self.name}: {value!r} is not an integer")
            return ox.Literal(value, datatype=ox.NamedNode(_XSD + "integer"))
        if self.kind == "date":
            if not re.match(r"^\d{4}-\d{2}-\d{2}$", value):
                raise NamedQueryError(f"parameter {self.name}: {value!r} is not a YYYY-MM-DD date")
            return ox.Literal(value, datatype=ox.NamedNode(_XSD + "date"))
        return ox.Literal(value)


@dataclass(frozen=True)
class NamedQuery:
    """A query file: its name (the file stem), header fields and text."""

    name: str
    title: str
    description: str
    parameters: tuple[Parameter, ...]
    text: str
    path: Path

    def bindings(
        self, values: Mapping[str, str] | None = None, base_iri: str = DEFAULT_BASE
    ) -> dict[str, ox.NamedNode | ox.Literal]:
        """Terms for every parameter, from ``values`` or the defaults."""
        values = dict(values or {})
        unknown = set(values) - {p.name for p in self.parameters}
        if unknown:
            known = ", ".join(p.name for p in self.parameters) or "none"
            raise NamedQueryError(
                f"query {self.name} has no parameter {', '.join(sorted(unknown))} "
                f"(its parameters: {known})"
            )
        bound: dict[str, ox.NamedNode | ox.Literal] = {}
        for param in self.parameters:
            value = values.get(param.name, param.default)
            if value is None:
                raise NamedQueryError(f"query {self.name} needs a value for {param.name}")
            bound[param.name] = param.to_term(value, base_iri)
        return bound

    def text_for(self, base_iri: str) -> str:
        """The query text with our IRIs under ``base_iri`` (the files use the default)."""
        return self.text if base_iri == DEFAULT_BASE else self.text.replace(DEFAULT_BASE, base_iri)


def parse_named_query(path: Path) -> NamedQuery:
    """Read one ``.rq`` file and its header."""
    name = path.stem
    if not _NAME.match(name):
        raise NamedQueryError(f"{path}: a query file name must be lower-case words and hyphens")
    text = path.read_text(encoding="utf-8")
    fields: dict[str, str] = {}
    params: list[Parameter] = []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if not stripped.startswith("#"):
            break
        key, sep, value = stripped.lstrip("#").strip().partition(":")
        if not sep:
            continue
        key, value = key.strip().lower(), value.strip()
        if key == "param":
            params.append(_parse_param(path, value))
        elif key in {"title", "description"}:
            fields[key] = f"{fields[key]} {value}".strip() if key in fields else value
    if "title" not in fields:
        raise NamedQueryError(f"{path}: the header has no '# title:' line")
    return NamedQuery(
        name=name,
        title=fields["title"],
        description=fields.get("description", ""),
        parameters=tuple(params),
        text=text,
        path=path,
    )


def _parse_param(path: Path, spec: str) -> Parameter:
    parts = [p.strip() for p in spec.split("|")]
    if len(parts) != 4:
        raise NamedQueryError(f"{path}: '# param:' takes 'name | kind | default | help'")
    name, kind, default, help_text = parts
    name = name.lstrip("?$")
    if not _VAR.match(name) or kind not in PARAM_KINDS:
        raise NamedQueryError(
            f"{path}: bad parameter {name!r} of kind {kind!r} (kinds: {', '.join(PARAM_KINDS)})"
        )
    return Parameter(name=name, kind=kind, default=default or None, help=help_text)


def load_named_queries(folder: Path) -> dict[str, NamedQuery]:
    """Every ``*.rq`` file of a folder, by name, in name order."""
    return {q.name: q for q in (parse_named_query(p) for p in sorted(folder.glob("*.rq")))}
