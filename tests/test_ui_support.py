"""Fixtures shared by the UI and HTTP tests (imported by name from the test_ui*/test_http* files):
one real knowledge base per test session and a real offline Advisor per test. Tests that need
``advisor serve`` itself start it with ``bench.server.ServerProcess``."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from bench.server import free_port

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


def test_free_port_is_bindable():
    port = free_port()
    with socket.socket() as s:
        s.bind(("127.0.0.1", port))
