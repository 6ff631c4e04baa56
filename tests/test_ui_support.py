"""Fixtures shared by the UI and HTTP tests (imported by name from the test_ui*/test_http* files):
one real knowledge base per test session, a real offline Advisor per test, and a helper that runs
``advisor serve`` on a free loopback port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

REPO = Path(__file__).resolve().parent.parent


_KNOWLEDGE: list = []


@pytest.fixture(scope="session")
def shared_knowledge(tmp_path_factory):
    """The real knowledge base (bundled embedder, ChromaDB on a temp dir), indexed once per test
    run: each module that imports this fixture gets its own definition, so the instance is kept
    here rather than by pytest's scope."""
    if not _KNOWLEDGE:
        from knowledge import KnowledgeBase
        from tools.settings import Settings

        kb = KnowledgeBase(Settings(data_dir=tmp_path_factory.mktemp("kb-data")))
        kb.ensure_index()
        _KNOWLEDGE.append(kb)
    return _KNOWLEDGE[0]


@pytest.fixture
def advisor(isolated_data_dir, shared_knowledge):
    """The real Advisor with its offline brain, state in this test's data dir."""
    from agent.advisor import Advisor
    from tools.settings import get_settings

    return Advisor(get_settings(), knowledge=shared_knowledge)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RunningServer:
    """``advisor serve`` in a subprocess on loopback; stopped (by its pid) when the test ends."""

    def __init__(self, data_dir: Path, env: dict[str, str] | None = None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = data_dir.parent / f"server-{self.port}.log"
        full_env = {**os.environ, "ADVISOR_DATA_DIR": str(data_dir), "HF_HUB_OFFLINE": "1", **(env or {})}
        self.started_at = time.perf_counter()
        self._log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "ui.cli", "serve", "--host", "127.0.0.1", "--port", str(self.port)],
            cwd=REPO,
            env=full_env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    def wait_until(self, path: str, timeout: float = 120.0, auth=None) -> httpx.Response:
        deadline = time.monotonic() + timeout
        last: Exception | None = None
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {self.log()}")
            try:
                r = httpx.get(self.url + path, timeout=5, auth=auth)
                if r.status_code == 200:
                    return r
            except httpx.HTTPError as exc:
                last = exc
            time.sleep(0.2)
        raise TimeoutError(f"{path} not ready after {timeout}s ({last}); log: {self.log()}")

    def wait_for_health(self, key: str, value: str, timeout: float = 300.0, auth=None) -> None:
        """Wait until /api/v1/health reports ``key`` == ``value`` (e.g. the knowledge base ready)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.url + "/api/v1/health", timeout=5, auth=auth).json().get(key) == value:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.25)
        raise TimeoutError(f"health {key} != {value} after {timeout}s; log: {self.log()}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-3000:]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        self._log.close()


def test_free_port_is_bindable():
    port = free_port()
    with socket.socket() as s:
        s.bind(("127.0.0.1", port))
