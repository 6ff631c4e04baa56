"""Faults an intranet service meets: the server killed with SIGKILL mid-conversation, a data
directory it cannot write, a disk that fills up mid-conversation, and a corrupted index at start-up."""

from __future__ import annotations

import copy
import logging
import os
import signal

import httpx
import pytest

from bench.server import ServerProcess

FIRST = (
    "We use {n}00M input and 100M output tokens a month on GPT-4o. Should we fine-tune Llama 3 8B?"
)
DOUBLE = "What if our volume doubles?"


def _api_total(tco: dict) -> float:
    return next(p["total"] for p in tco["paths"] if p["id"] == "api")


def _doubled(scenario: dict) -> dict:
    """The scenario a "volume doubles" what-if should produce, worked out here by hand."""
    expected = copy.deepcopy(scenario)
    for key in ("monthly_input_tokens", "monthly_output_tokens"):
        expected["usage"][key] = scenario["usage"][key] * 2
    return expected


@pytest.mark.slow
def test_kill_9_mid_conversation_then_restart_continues_every_session(tmp_path):
    from tools.scenario import Scenario
    from tools.tco import compute_tco

    data_dir = tmp_path / "data"
    first = ServerProcess(data_dir)
    before: dict[str, dict] = {}
    try:
        first.wait_until("/api/v1/health", timeout=60)
        with httpx.Client(base_url=first.url, timeout=120) as client:
            for n in (3, 5):  # two sessions, distinct volumes, two turns each
                sid = f"fault-{n}"
                for message in (FIRST.format(n=n), DOUBLE):
                    r = client.post("/api/v1/chat", json={"message": message, "session_id": sid})
                    assert r.status_code == 200, r.text
                before[sid] = client.get(f"/api/v1/sessions/{sid}").json()
    finally:
        first.process.send_signal(signal.SIGKILL)  # no graceful shutdown, no flush
        first.process.wait(timeout=10)
        first._log.close()
    assert first.process.returncode == -signal.SIGKILL

    second = ServerProcess(data_dir)
    try:
        second.wait_until("/api/v1/health", timeout=60)
        with httpx.Client(base_url=second.url, timeout=120) as client:
            for n in (3, 5):
                sid = f"fault-{n}"
                restored = client.get(f"/api/v1/sessions/{sid}")
                assert restored.status_code == 200, restored.text
                view = restored.json()
                assert view["history"] == before[sid]["history"]
                assert [t["role"] for t in view["history"]] == ["user", "assistant"] * 2
                assert view["scenario"] == before[sid]["scenario"]
                # the first turn set n x 100M input tokens, the what-if doubled it
                assert view["scenario"]["usage"]["monthly_input_tokens"] == n * 100e6 * 2

                r = client.post("/api/v1/chat", json={"message": DOUBLE, "session_id": sid})
                assert r.status_code == 200, r.text
                body = r.json()
                expected = _doubled(view["scenario"])
                assert body["scenario"] == expected
                # the figure the advisor reports equals the calculator run directly on that scenario
                direct = compute_tco(Scenario.parse(expected)).model_dump(mode="json")
                assert _api_total(body["results"]["tco"]) == pytest.approx(
                    _api_total(direct), rel=1e-9
                )
                after = client.get(f"/api/v1/sessions/{sid}").json()
                assert len([t for t in after["history"] if t["role"] == "user"]) == 3
        assert "Traceback" not in second.log()
    finally:
        second.stop()


def test_unwritable_data_dir_is_a_clear_error_and_writes_nothing(tmp_path, monkeypatch):
    """The data dir's parent is a regular file, so nothing can be created under it (a real
    mechanism that also holds when the tests run as root, where chmod 0o500 is ignored)."""
    from fastapi.testclient import TestClient

    from tools.settings import Settings
    from ui.server import create_app

    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a regular file")
    settings = Settings(data_dir=blocker / "advisor-data")
    app = create_app(settings, ui="off", warm_knowledge=False)
    with TestClient(app, raise_server_exceptions=False) as client:
        r = client.post("/api/v1/chat", json={"message": FIRST.format(n=3)})
        assert r.status_code == 503, r.text
        message = r.json()["message"]
        assert "cannot write the conversation store" in message
        assert str(blocker / "advisor-data") in message and "ADVISOR_DATA_DIR" in message
        assert client.get("/api/v1/sessions").status_code == 503
        # the pure calculator needs no state and still answers
        assert (
            client.post(
                "/api/v1/tco",
                json={"usage": {"monthly_input_tokens": 1e8, "monthly_output_tokens": 3e7}},
            ).status_code
            == 200
        )
    assert blocker.read_text() == "a regular file"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["not-a-directory"]


def test_corrupted_index_is_detected_rebuilt_and_logged_at_warm_up(tmp_path, monkeypatch, caplog):
    from knowledge_helpers import FIXTURE_CORPUS

    import knowledge.base
    from agent.advisor import Advisor
    from knowledge import KnowledgeBase
    from tools.settings import Settings

    # the small fixture corpus (3 files, 6 chunks) stands in for the bundled one to keep this fast
    monkeypatch.setattr(knowledge.base, "CORPUS_DIR", FIXTURE_CORPUS)
    settings = Settings(data_dir=tmp_path / "data")
    KnowledgeBase(settings).ensure_index()
    sqlite_file = settings.resolved_index_dir / "chroma.sqlite3"
    assert sqlite_file.exists()
    sqlite_file.write_bytes(b"garbage, not a database " * 200)

    advisor = Advisor(settings)
    with caplog.at_level(logging.INFO):
        advisor.warm_up(background=False)
    assert advisor._knowledge_error is None
    lines = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert any("could not be opened" in line and "rebuilding" in line and str(settings.resolved_index_dir) in line
               for line in lines), lines  # fmt: skip
    assert advisor.knowledge().search("LoRA adapters").passages[0].source == "glossary.md"
    assert os.path.getsize(sqlite_file) > 0 and sqlite_file.read_bytes()[:15] == b"SQLite format 3"


@pytest.fixture
def small_disk(tmp_path):
    """A real 8 MB filesystem (tmpfs) to fill up; needs root, as CI has."""
    import subprocess

    mount_point = tmp_path / "disk"
    mount_point.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root (CI runs as root)")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(mount_point)],
                          capture_output=True, text=True, check=False)  # fmt: skip
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


def _fill(disk) -> None:
    fd = os.open(disk / "filler", os.O_WRONLY | os.O_CREAT)
    try:
        while True:
            os.write(fd, b"x" * 65536)
    except OSError:  # ENOSPC: the disk is full
        pass
    finally:
        os.close(fd)


@pytest.mark.slow
def test_full_disk_is_a_clear_error_and_leaves_the_conversation_as_it_was(small_disk):
    from fastapi.testclient import TestClient

    from tools.settings import Settings
    from ui.server import create_app

    data_dir = small_disk / "advisor-data"
    app = create_app(Settings(data_dir=data_dir), ui="off", warm_knowledge=False)
    with TestClient(app, raise_server_exceptions=False) as client:
        first = client.post("/api/v1/chat", json={"message": FIRST.format(n=3)})
        assert first.status_code == 200, first.text
        session = first.json()["session_id"]
        before = client.get(f"/api/v1/sessions/{session}").json()

        _fill(small_disk)
        r = client.post("/api/v1/chat", json={"message": DOUBLE, "session_id": session})
        assert r.status_code == 503, r.text
        message = r.json()["message"]
        assert "nothing was changed" in message and "ADVISOR_DATA_DIR" in message
        assert str(data_dir) in message
        # no half-written turn: the stored conversation is exactly what it was
        assert client.get(f"/api/v1/sessions/{session}").json() == before

        (small_disk / "filler").unlink()  # space again: the same question now goes through
        again = client.post("/api/v1/chat", json={"message": DOUBLE, "session_id": session})
        assert again.status_code == 200, again.text
        assert again.json()["scenario"] == _doubled(before["scenario"])
