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


@pytest.fixture(scope="session")
def app(cache_dir: Path, built: Built) -> Iterator[Any]:
    """The Flask app over the embedded memory store, read-only (no update token)."""
    from gfmd_kg.web import create_app

    application = create_app({"TESTING": True, "cache_dir": str(cache_dir)})
    yield application
    application.extensions["gfmd_kg"].close()


@pytest.fixture()
def client(app: Any) -> Any:
    return app.test_client()


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class LiveServer:
    """A real ``gfmd-kg serve`` process on a free loopback port."""

    def __init__(self, env: dict[str, str], args: list[str] | None = None) -> None:
        import os
        import subprocess
        import sys

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        exe = Path(sys.executable).parent / "gfmd-kg"
        self.process = subprocess.Popen(
            [str(exe), "serve", "--port", str(self.port), *(args or [])],
            env={**os.environ, **env}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        )
        self.wait()

    def wait(self, timeout: float = 60) -> None:
        import time
        import urllib.request

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                out = self.process.stdout.read().decode() if self.process.stdout else ""
                raise RuntimeError(f"gfmd-kg serve exited: {out[-2000:]}")
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=1):
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gfmd-kg serve did not answer in time")

    def stop(self, sig: int | None = None) -> None:
        import signal

        if self.process.poll() is None:
            self.process.send_signal(sig or signal.SIGTERM)
            try:
                self.process.wait(10)
            except Exception:
                self.process.kill()
                self.process.wait(10)


@pytest.fixture(scope="module")
def live_server(cache_dir: Path, built: Built) -> Iterator[LiveServer]:
    """``gfmd-kg serve`` on the memory store, shared by a test module."""
    server = LiveServer({"GFMD_KG_CACHE_DIR": str(cache_dir)})
    yield server
    server.stop()
