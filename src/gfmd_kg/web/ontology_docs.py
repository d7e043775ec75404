"""(being written)"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("ontology_docs", __name__)
