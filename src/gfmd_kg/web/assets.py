"""Browser libraries installed by npm (``package.json``), served from ``node_modules``:
never from a CDN at run time, never copied into the repository."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, current_app, send_from_directory

from .errors import ApiError

bp = Blueprint("assets", __name__)

#: Library name in URLs -> its folder of built files under node_modules.
LIBRARIES = {
    "yasgui": "@zazuko/yasgui/build",
    "vis-network": "vis-network/standalone/umd",
}


def node_modules() -> Path:
    return Path(current_app.config["GFMD_KG"]["source_dir"]) / "node_modules"


@bp.get("/vendor/<lib>/<path:filename>")
def vendor(lib: str, filename: str) -> Response:
    """One file of an npm library (send_from_directory refuses paths leaving the folder)."""
    if lib not in LIBRARIES:
        raise ApiError(404, f"no library {lib!r}; served: {', '.join(LIBRARIES)}")
    folder = node_modules() / LIBRARIES[lib]
    if not folder.is_dir():
        raise ApiError(404, f"{lib} is not installed: run 'npm ci' in the project folder "
                       "('make run' and 'make test' do it).")
    response = send_from_directory(folder, filename, max_age=86400)
    return response
