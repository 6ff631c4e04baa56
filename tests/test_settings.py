"""The settings object: every field documented in .env.example, every path under the data dir."""

from __future__ import annotations

from pathlib import Path

from tools.settings import Settings, get_settings

ROOT = Path(__file__).resolve().parents[1]


def test_env_example_names_every_setting():
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    missing = [name for name in Settings.model_fields if f"ADVISOR_{name.upper()}=" not in text]
    assert not missing, f".env.example does not mention {missing}"


def test_state_paths_follow_the_data_dir(isolated_data_dir):
    s = get_settings()
    assert s.data_dir == isolated_data_dir
    for path in (s.resolved_index_dir, s.resolved_documents_dir, s.resolved_threads_db):
        assert path.is_relative_to(isolated_data_dir)
    assert not isolated_data_dir.exists(), "reading the settings must not create directories"


def test_each_path_can_be_overridden(monkeypatch, tmp_path):
    monkeypatch.setenv("ADVISOR_INDEX_DIR", str(tmp_path / "elsewhere"))
    get_settings.cache_clear()
    assert get_settings().resolved_index_dir == tmp_path / "elsewhere"
