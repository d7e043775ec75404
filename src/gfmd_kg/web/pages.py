"""Human pages: the query page at ``/``."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template

from .. import __version__
from ..namedqueries import load_named_queries
from .backend import get_backend

bp = Blueprint("pages", __name__)


@bp.get("/")
def index() -> str:
    """The query page: an editor, the named queries, links to the endpoints."""
    settings = current_app.config["GFMD_KG"]
    from pathlib import Path

    queries = load_named_queries(Path(settings["source_dir"]) / "queries")
    return render_template("index.html", queries=list(queries.values()), version=__version__,
                           store=get_backend().kind)
