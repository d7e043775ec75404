"""Running work on the store for a request, and what its failures answer.

Views reach the store through here: ``run`` for a client's query (its head; the body
streams), ``write`` for a change (which then empties the answer cache), and ``failures``
around any other use of the backend (a page's queries, a download, a Graph Store read,
each read whole inside the block). What the store and its workers raise becomes one API
error each, worded for what the request was doing:

- ``query``: a SPARQL query from a client (its syntax, its time limit, its memory);
- ``write``: a SPARQL Update or a Graph Store write (nothing of a failed write is kept);
- ``read``: a page or a download the service itself asks for.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Literal

from flask import current_app

from ..executor import QueryTimeout, Saturated, TaskError, WorkerDied, WorkerFailed
from ..store import QuerySyntaxError, StoreError
from . import cache as result_cache
from .backend import get_backend
from .errors import ApiError, position_of

Doing = Literal["query", "write", "read"]

#: TaskError kinds (the client's mistakes, as the worker found them) -> status.
TASK_STATUS = {"syntax": 400, "evaluation": 400, "update": 400, "graph": 404,
               "storage": 507, "upstream": 502}


@contextmanager
def failures(doing: Doing, timeout: float) -> Iterator[None]:
    """Turn store and worker failures inside the block into API errors."""
    try:
        yield
    except QueryTimeout:
        raise _timeout(doing, timeout) from None
    except Saturated:
        raise ApiError(503, "Every query worker is busy; retry in a moment.",
                       {"Retry-After": "2"}) from None
    except TaskError as exc:
        raise _task_error(doing, exc) from None
    except QuerySyntaxError as exc:
        raise ApiError(400, f"SPARQL syntax error: {exc}", **position_of(str(exc))) from None
    except StoreError as exc:
        raise ApiError(502, str(exc), {"Retry-After": "5"}) from None
    except WorkerDied as exc:
        if doing != "query":
            raise ApiError(502, f"the store failed: {exc}; retry.",
                           {"Retry-After": "5"}) from None
        raise ApiError(503, "The query was stopped: its worker ran out of memory (or stack) "
                       "and was replaced. Make the query build less at once (shorter strings, "
                       "fewer rows per group, a LIMIT).", {"Retry-After": "1"}) from None
    except WorkerFailed as exc:
        if doing == "read":
            raise ApiError(502, f"the store failed on this page: {exc}",
                           {"Retry-After": "5"}) from None
        raise ApiError(500, "The query worker failed on this request; it was restarted and "
                       "the failure was logged.") from exc


def _timeout(doing: Doing, timeout: float) -> ApiError:
    if doing == "write":
        return ApiError(503, "The update did not finish within the time limit and was "
                        "stopped; nothing of it was applied.", {"Retry-After": "1"})
    if doing == "read":
        return ApiError(503, "The store is busy or too slow right now; retry in a moment.",
                        {"Retry-After": "2"})
    limit = current_app.config["GFMD_KG"]["query_timeout"]
    return ApiError(503, f"The query was stopped after {timeout:g} s, the time limit. "
                    "Make it more selective (LIMIT, more specific patterns), or ask the "
                    f"operator to raise GFMD_KG_QUERY_TIMEOUT (now {limit:g} s).",
                    {"Retry-After": "1"}, timeout_s=timeout)


def _task_error(doing: Doing, exc: TaskError) -> ApiError:
    if exc.kind == "syntax":
        return ApiError(400, f"SPARQL syntax error: {exc}", **position_of(str(exc)))
    if exc.kind == "storage":
        return ApiError(507, f"{exc}. Nothing of this write was applied; the operator must "
                        "free disk space.", {"Retry-After": "60"})
    if doing == "read" and exc.kind != "graph":  # a page's own query: the service's fault
        return ApiError(502, f"the store failed on this page: {exc}", {"Retry-After": "5"})
    return ApiError(TASK_STATUS.get(exc.kind, 400), str(exc))


def run(task: dict[str, Any], timeout: float, doing: Doing = "query") -> Any:
    """Run a task on the backend: its head and its body chunks."""
    with failures(doing, timeout):
        return get_backend().run(task, timeout)


def write(op: dict[str, Any]) -> None:
    """Apply a write (the caller checked the token and the protected graphs), then drop
    the cached answers, even when the write failed (a worker killed mid-way may have
    changed something)."""
    timeout: float = current_app.config["GFMD_KG"]["query_timeout"]
    try:
        with failures("write", timeout):
            get_backend().write(op, timeout)
    finally:
        _after_write()


def _after_write() -> None:
    """The hook every write through the app ends with: the cached answers are dropped
    and the data version moves on (so every ETag changes)."""
    cache: result_cache.ResultCache | None = current_app.extensions.get(result_cache.EXTENSION)
    if cache is not None:
        cache.clear()
