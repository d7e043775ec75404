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


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium, headless, driven by Playwright (no browser download)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: 'make test' installs it with apt-get")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                      args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture()
def page(browser: Any) -> Iterator[Any]:
    """A fresh page that may only reach the loopback address (the page must work offline)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    outside: list[str] = []

    def only_loopback(route: Any) -> None:
        url = route.request.url
        if url.startswith(("http://127.0.0.1", "http://localhost", "data:", "blob:")):
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    context.route("**/*", only_loopback)
    tab = context.new_page()
    tab.outside_requests = outside
    yield tab
    context.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Where browser tests save screenshots for a person to look at (ignored by git)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
