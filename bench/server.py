"""One ``advisor serve`` subprocess on a free loopback port, timed from its launch: what the HTTP
benchmarks and the tests that need a real server start, wait on and stop."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServerProcess:
    """``advisor serve`` with its data in ``data_dir`` and its output in ``server-<port>.log`` beside
    it; ``env`` adds to (or overrides) this process's environment."""

    def __init__(self, data_dir: Path, env: dict[str, str] | None = None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        data_dir.parent.mkdir(parents=True, exist_ok=True)
        self.log_path = data_dir.parent / f"server-{self.port}.log"
        full_env = {**os.environ, "ADVISOR_DATA_DIR": str(data_dir), "HF_HUB_OFFLINE": "1",
                    "TRANSFORMERS_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False", **(env or {})}  # fmt: skip
        self._log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.started = time.perf_counter()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "ui.cli", "serve", "--host", "127.0.0.1", "--port", str(self.port)],
            cwd=REPO, env=full_env, stdout=self._log, stderr=subprocess.STDOUT,
        )  # fmt: skip

    def elapsed(self) -> float:
        """Seconds since the launch."""
        return time.perf_counter() - self.started

    def wait_until(
        self, path: str, method: str = "GET", timeout: float = 120.0, interval: float = 0.05, **kwargs
    ) -> httpx.Response:
        """The first 200 response of ``method path`` (``kwargs`` go to httpx: json=, auth=...)."""
        deadline = time.monotonic() + timeout
        last: Exception | None = None
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"advisor serve exited with {self.process.returncode}: {self.log()}")
            try:
                response = httpx.request(
                    method, self.url + path, timeout=max(1.0, deadline - time.monotonic()), **kwargs
                )
                if response.status_code == 200:
                    return response
            except httpx.HTTPError as exc:
                last = exc
            time.sleep(interval)
        raise TimeoutError(f"{method} {path} not answered after {timeout}s ({last}); log: {self.log()}")

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
        """The end of the server's output, for error messages."""
        self._log.flush()
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
