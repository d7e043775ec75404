"""The web app: ``create_app(config=None)`` builds it from settings (defaults, then
``GFMD_KG_*`` variables, then ``config``); the store is attached in ``init_app``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

from ..settings import SETTINGS_BY_NAME, load_settings
from . import querystring


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the Flask app. Keys of ``config`` that are settings override them; upper-case
    keys go to Flask's own config (``TESTING``, ...)."""
    config = dict(config or {})
    app = Flask(__name__, template_folder="../templates", static_folder="../static")
    app.request_class = querystring.Request
    app.config.from_mapping({k: v for k, v in config.items() if k.isupper()})
    settings = load_settings({k: v for k, v in config.items() if k in SETTINGS_BY_NAME})
    app.config["GFMD_KG"] = settings
    app.config["MAX_CONTENT_LENGTH"] = settings["max_request_bytes"]
    app.json.sort_keys = False  # type: ignore[attr-defined]

    from .. import __version__
    from . import (
        assets,
        backend,
        cors,
        direct,
        entities,
        errors,
        exports,
        gsp,
        health,
        ontology_docs,
        pages,
        security,
        sparql,
    )

    errors.init_app(app)
    cors.init_app(app)
    security.init_app(app)
    backend.init_app(app)
    app.jinja_env.globals["gfmd_version"] = __version__
    for module in (sparql, gsp, health, pages, entities, exports, ontology_docs, assets):
        app.register_blueprint(module.bp)
    direct.init_app(app)  # plain SPARQL GETs around Flask's request machinery
    return app
