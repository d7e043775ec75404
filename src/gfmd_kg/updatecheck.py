"""Which graphs a SPARQL Update would write, read from rdflib's parse of it.

A parser, not a lexer: prefixed names, ``BASE``-relative IRIs and ``\\u`` escapes are
resolved the way the engine resolves them, so a built graph cannot be reached by spelling
its IRI differently.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from rdflib.term import URIRef, Variable


class UncheckableUpdate(ValueError):
    """The update could not be parsed for checking (the engine may still accept it)."""


@dataclass
class WriteTargets:
    """Graph IRIs an update writes, whether it writes the default graph, and the reasons it
    could write graphs it does not name."""

    graphs: set[str] = field(default_factory=set)
    default_graph: bool = False
    wide: list[str] = field(default_factory=list)


def write_targets(text: str) -> WriteTargets:
    """Parse an update and collect every graph its operations may change."""
    from rdflib.plugins.sparql.algebra import translateUpdate
    from rdflib.plugins.sparql.parser import parseUpdate

    try:
        update = translateUpdate(parseUpdate(text))
    except Exception as exc:  # pyparsing and rdflib raise many kinds; all mean "cannot tell"
        raise UncheckableUpdate(_engine_opinion(text, exc)) from exc
    targets = WriteTargets()
    # an update of no operation (empty, or a prologue alone) comes back as a bare list
    for op in getattr(update, "algebra", None) or []:
        _collect(op.name, op, targets)
    return targets


def _engine_opinion(text: str, exc: Exception) -> str:
    """Why an update cannot be checked: the engine's own syntax error (it says where) when
    it agrees the text is wrong, else a note that only the check's parser refused it.

    The engine is tried on an empty scratch store, so nothing real is touched (LOAD and
    SERVICE were refused before this runs), in a child process with a time limit: a text
    whose operator chains overflow the parser's stack ends that process, not the server."""
    import subprocess
    import sys

    check = (str(exc).splitlines() or [type(exc).__name__])[0][:200]
    try:
        trial = subprocess.run([sys.executable, "-c", _ENGINE_TRIAL], input=text.encode(),
                               capture_output=True, timeout=ENGINE_TRIAL_SECONDS)
        verdict, _, detail = trial.stdout.decode("utf-8", "replace").partition("\n")
    except subprocess.TimeoutExpired:
        verdict = detail = ""
    if verdict == "syntax":
        return f"SPARQL syntax error: {detail}"
    if verdict == "other":  # the engine read it and failed later: it is valid SPARQL
        return (f"the update is valid SPARQL but could not be checked ({detail}); the "
                f"protection check's parser reports: {check}")
    if verdict == "ok":
        return ("the update is valid for the engine but the protection check could not read "
                f"it ({check}); write it in plain SPARQL 1.1")
    return (f"the protection check could not read the update ({check}), nor could the engine "
            "within its limits (it is too long or too deeply chained); write it in plain "
            "SPARQL 1.1, in smaller parts")


#: Seconds the engine may take to read (and run on an empty store) an update the check
#: could not parse.
ENGINE_TRIAL_SECONDS = 10

_ENGINE_TRIAL = """
import resource
import sys
resource.setrlimit(resource.RLIMIT_DATA, (1 << 30, resource.getrlimit(resource.RLIMIT_DATA)[1]))
import pyoxigraph as ox
try:
    ox.Store().update(sys.stdin.buffer.read().decode())
except SyntaxError as error:
    print("syntax", error, sep="\\n", end="")
except Exception as error:
    print("other", error, sep="\\n", end="")
else:
    print("ok", end="")
"""


def _field(node: Any, key: str) -> Any:
    """A field of an rdflib algebra node, or None (its ``get`` returns the key if absent)."""
    return node[key] if hasattr(node, "keys") and key in node else None


def _graph(ref: Any, targets: WriteTargets, what: str) -> None:
    if isinstance(ref, URIRef):
        targets.graphs.add(str(ref))
    elif isinstance(ref, Variable):
        targets.wide.append(f"{what} writes through a variable graph (GRAPH ?{ref}), which "
                            "may be any graph")
    elif ref in (None, "DEFAULT"):
        targets.default_graph = True
    elif isinstance(ref, str) and ref.upper() in ("ALL", "NAMED"):
        targets.wide.append(f"{what} {ref.upper()} graphs")
    elif hasattr(ref, "keys"):  # a GraphRefAll / GraphOrDefault node
        _graph(_field(ref, "graphiri") or "DEFAULT", targets, what)
    else:
        targets.wide.append(f"{what} a graph the check cannot identify ({ref!r})")


def _template(clause: Any, with_graph: Any, targets: WriteTargets, what: str) -> None:
    if clause is None:
        return
    for graph in _field(clause, "quads") or {}:
        _graph(graph, targets, what)
    if _field(clause, "triples"):
        _graph(with_graph, targets, what)


def _collect(name: str, op: Any, targets: WriteTargets) -> None:
    if name in ("InsertData", "DeleteData", "DeleteWhere"):
        _template(op, None, targets, name)
    elif name == "Modify":
        with_graph = _field(op, "withClause")
        _template(_field(op, "delete"), with_graph, targets, "DELETE")
        _template(_field(op, "insert"), with_graph, targets, "INSERT")
    elif name in ("Clear", "Drop", "Create"):
        _graph(_field(op, "graphiri"), targets, name.upper())
    elif name in ("Add", "Copy", "Move"):
        refs: Iterable[Any] = _field(op, "graph") or []
        refs = list(refs)
        written = refs if name == "Move" else refs[1:]
        for ref in written:
            _graph(ref, targets, name.upper())
    elif name == "Load":
        _graph(_field(op, "graphiri"), targets, "LOAD")
    else:
        targets.wide.append(f"an operation the check does not know ({name})")
