"""Shared fixtures: settings pointing at a per-session cache, the built graph, a
KnowledgeGraph for queries, and (in test_web and friends) the Flask app and client."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gfmd_kg import api
from gfmd_kg.build import Built, build
from gfmd_kg.settings import PROJECT_ROOT, load_settings

ROOT = PROJECT_ROOT
ARTIFACTS = ROOT / "tests" / "artifacts"


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(scope="session")
def settings(cache_dir: Path) -> dict[str, Any]:
    """Settings for the real sources, with a cache of the test session's own."""
    return load_settings({"cache_dir": str(cache_dir)}, environ={})


@pytest.fixture(scope="session")
def built(settings: dict[str, Any]) -> Built:
    return build(settings)


@pytest.fixture(scope="session")
def kg(settings: dict[str, Any], built: Built) -> Iterator[api.KnowledgeGraph]:
    graph = api.open(settings)
    yield graph
    graph.store.close()
