"""Shared fixtures: every test gets its own data directory and runs offline."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")


@pytest.fixture(autouse=True)
def isolated_data_dir(tmp_path, monkeypatch):
    """Point all state the app writes at a temp dir, and clear cached settings around each test."""
    from tools.settings import get_settings

    data_dir = tmp_path / "advisor-data"
    monkeypatch.setenv("ADVISOR_DATA_DIR", str(data_dir))
    for name in list(os.environ):
        if name.startswith("ADVISOR_") and name != "ADVISOR_DATA_DIR":
            monkeypatch.delenv(name, raising=False)
    get_settings.cache_clear()
    yield data_dir
    get_settings.cache_clear()
