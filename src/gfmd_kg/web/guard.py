"""What a request may do before it reaches the store: no outbound network from a query
(SERVICE refused unless allow-listed, LOAD refused), writes only with the token, and the
built graphs protected from writes unless the operator lifts the protection."""

from __future__ import annotations

import hmac
from typing import Any

from flask import Request

from .. import sparqltext
from ..updatecheck import UncheckableUpdate, write_targets
from ..vocab import GRAPH_KEYS, graph_iri
from . import security
from .errors import ApiError, position_of


def service_allowed(target: str, allowed: tuple[str, ...]) -> bool:
    """Whether a SERVICE endpoint is in the allow-list. A prefix matches only at a boundary,
    so 'http://good.example' does not admit 'http://good.example.evil.com/'."""
    for prefix in allowed:
        if target == prefix:
            return True
        if target.startswith(prefix) and (prefix.endswith(("/", "?", "#"))
                                          or target[len(prefix)] in "/?#"):
            return True
    return False


def check_query(text: str, settings: dict[str, Any]) -> None:
    """Refuse a query (or the WHERE of an update) that would reach the network."""
    security.check_nesting(text)  # deeper would crash the engine's parser
    allowed: tuple[str, ...] = settings["service_allow"]
    for target in sparqltext.service_targets(text):
        if not allowed:
            raise ApiError(400, "SERVICE (federated query) is disabled on this endpoint: it "
                           "would make the server call another host. The operator can allow "
                           "endpoints with GFMD_KG_SERVICE_ALLOW.", service=target)
        if not service_allowed(target, allowed):
            raise ApiError(400, f"SERVICE <{target}> is not in the allow-list of this "
                           "endpoint (GFMD_KG_SERVICE_ALLOW).", service=target)


def check_update(text: str, settings: dict[str, Any]) -> None:
    """Refuse LOAD, SERVICE outside the allow-list, and updates that could touch the built
    graphs while they are protected."""
    if sparqltext.mentions(text, "LOAD"):
        raise ApiError(403, "LOAD is refused: it would make the server fetch a document "
                       "from another host. Upload data with the Graph Store Protocol "
                       "(PUT or POST /store?graph=IRI) instead.")
    check_query(text, settings)
    if not settings["protect_built"]:
        return
    built = {graph_iri(settings["base_iri"], key) for key in GRAPH_KEYS}
    try:
        targets = write_targets(text)
    except UncheckableUpdate as exc:
        raise ApiError(400, f"{exc}. (The update was read by the check that protects the "
                       "built graphs, and was not run.)", **position_of(str(exc))) from None
    touched = sorted(targets.graphs & built)
    wide = targets.wide
    if touched or wide:
        reason = (f"it names the built graph(s) {', '.join(f'<{g}>' for g in touched)}"
                  if touched else "; ".join(wide))
        raise ApiError(403, f"This update was refused whole because {reason}. The built "
                       "graphs (ontology, report, curated, inferred) are protected; write to "
                       "a graph of your own, or have the operator start the service with "
                       "--no-protect-built (GFMD_KG_PROTECT_BUILT=0).")


def check_graph_write(graph: str, settings: dict[str, Any]) -> None:
    """Refuse a Graph Store write to a protected built graph."""
    built = {graph_iri(settings["base_iri"], key) for key in GRAPH_KEYS}
    if settings["protect_built"] and graph in built:
        raise ApiError(403, f"<{graph}> is a built graph and is protected from writes; use "
                       "another graph IRI, or start the service with --no-protect-built.")


def require_token(request: Request, settings: dict[str, Any]) -> None:
    """Writes need ``Authorization: Bearer <token>``; a wrong and a missing token get the
    same answer, and the token is compared in constant time."""
    expected: str | None = settings.get("update_token")
    if not expected:
        raise ApiError(403, "Updates are disabled on this service. The operator enables them "
                       "by setting an update token (GFMD_KG_UPDATE_TOKEN or "
                       "GFMD_KG_UPDATE_TOKEN_FILE); clients then send "
                       "'Authorization: Bearer <token>'.")
    header = request.headers.get("Authorization", "")
    scheme, _, given = header.partition(" ")
    ok = scheme.lower() == "bearer" and hmac.compare_digest(
        given.strip().encode("utf-8"), expected.encode("utf-8"))
    if not ok:
        raise ApiError(401, "This write needs a valid update token: send "
                       "'Authorization: Bearer <token>'.",
                       {"WWW-Authenticate": 'Bearer realm="gfmd-kg"'})
