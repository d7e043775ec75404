"""Response headers that harden the HTML pages (being written)."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the security headers."""
