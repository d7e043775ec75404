"""Liveness (``/healthz``) and status (``/status``: store, triples per graph, inference)."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from .. import __version__
from ..executor import QueryTimeout, Saturated, WorkerFailed
from ..store import StoreError
from ..vocab import GRAPH_KEYS, graph_key
from .backend import get_backend
from .errors import ApiError

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> Response:
    """The process answers; says nothing of the store."""
    return jsonify({"status": "ok"})


@bp.get("/status")
def status() -> Response:
    """What the service holds: store kind, triples per named graph, inference, version."""
    backend = get_backend()
    try:
        counts = backend.counts()
    except (StoreError, WorkerFailed, QueryTimeout, Saturated) as exc:
        raise ApiError(503, f"the store cannot be read right now: {exc}",
                       {"Retry-After": "5"}) from exc
    graphs = {key: counts.get(f"{backend.base_iri}graph/{key}", 0) for key in GRAPH_KEYS}
    others = {iri: n for iri, n in counts.items() if graph_key(backend.base_iri, iri) is None}
    return jsonify({
        "service": "gfmd-kg",
        "version": __version__,
        "store": backend.kind,
        "base_iri": backend.base_iri,
        "graphs": {key: {"iri": f"{backend.base_iri}graph/{key}", "triples": n}
                   for key, n in graphs.items()},
        "other_graphs": others,
        "triples": sum(counts.values()),
        "inference": {"ran": graphs["inferred"] > 0, **backend.build_info},
        "updates_enabled": backend.writes_enabled,
        "query_timeout_s": backend.settings["query_timeout"],
        "max_rows": backend.settings["max_rows"],
    })
