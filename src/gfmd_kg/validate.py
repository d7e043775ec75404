"""SHACL validation of the built dataset with pyshacl: the closed-world completeness checks
(every challenge has a citation, every person a post, ...) that OWL cannot express."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rdflib import Dataset, Graph, Namespace
from rdflib.term import Node

from .vocab import local_name

SH = Namespace("http://www.w3.org/ns/shacl#")


@dataclass(frozen=True)
class Violation:
    """One SHACL result, in terms a person reads."""

    severity: str
    focus: str
    path: str
    message: str
    shape: str

    def __str__(self) -> str:
        where = f" {self.path}" if self.path else ""
        return f"[{self.severity}] <{self.focus}>{where}: {self.message} (shape {self.shape})"


def validate_dataset(dataset: Dataset, shapes_path: Path) -> list[Violation]:
    """Check the union of the dataset's graphs against the SHACL shapes file."""
    import pyshacl  # slow to import; only needed here

    data = Graph()
    for s, p, o, _graph in dataset.quads((None, None, None, None)):
        data.add((s, p, o))
    shapes = Graph().parse(shapes_path, format="turtle")
    _conforms, report, _text = pyshacl.validate(
        data, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=True
    )
    violations = [_violation(report, result) for result in report.subjects(SH.focusNode, None)]
    return sorted(set(violations), key=lambda v: (v.severity, v.focus, v.path, v.message))


def _violation(report: Graph, result: Node) -> Violation:
    def one(prop: Node) -> str:
        value = report.value(result, prop)
        return "" if value is None else str(value)

    severity = local_name(one(SH.resultSeverity)) or "Violation"
    path = one(SH.resultPath)
    return Violation(
        severity=severity,
        focus=one(SH.focusNode),
        path=local_name(path) if path.startswith("http") else path,
        message=one(SH.resultMessage) or f"failed {local_name(one(SH.sourceConstraintComponent))}",
        shape=local_name(one(SH.sourceShape)) if one(SH.sourceShape).startswith("http") else "-",
    )
