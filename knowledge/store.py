"""The ChromaDB side: open the collection (embedded file or ``chroma run`` server), check that it was
built by this schema and embedder, and wipe it when it is corrupted or out of date.

A marker file in the index directory (and the collection's own metadata) records the schema version
and the embedder, so a mismatch is detected before any query mixes incompatible vectors.
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tools.settings import Settings

SCHEMA_VERSION = "2"  # 2: sections' questions are indexed beside their sentences
MARKER_FILE = "advisor-index.json"
_UUID_DIR = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


class IndexStoreError(RuntimeError):
    """The index cannot be opened or repaired; the message says what to do."""


@dataclass
class OpenedStore:
    """An open collection, and notes on any repair done while opening it."""

    client: Any
    collection: Any
    messages: list[str] = field(default_factory=list)
    rebuilt: bool = False


def _chroma_settings():
    from chromadb.config import Settings as ChromaSettings

    return ChromaSettings(anonymized_telemetry=False, allow_reset=False)


def _expected_metadata(embedder: str) -> dict[str, str]:
    return {"schema_version": SCHEMA_VERSION, "embedder": embedder}


def open_store(settings: Settings, embedder: str, *, rebuild: bool = False) -> OpenedStore:
    """Open (creating if needed) the collection for ``settings``; rebuild it when asked, corrupted,
    or built by another schema version or embedder."""
    if settings.chroma_host:
        return _open_remote(settings, embedder, rebuild=rebuild)
    return _open_local(settings, embedder, rebuild=rebuild)


def _open_remote(settings: Settings, embedder: str, *, rebuild: bool) -> OpenedStore:
    import chromadb

    try:
        client = chromadb.HttpClient(
            host=settings.chroma_host, port=settings.chroma_port, settings=_chroma_settings()
        )
        opened = OpenedStore(client, None)
        _attach_collection(opened, settings.collection, embedder, rebuild=rebuild)
    except Exception as exc:  # connection refused, timeouts, server errors
        if isinstance(exc, IndexStoreError):
            raise
        raise IndexStoreError(
            f"cannot reach the ChromaDB server at {settings.chroma_host}:{settings.chroma_port} "
            f"({exc}); start it with `chroma run` or unset ADVISOR_CHROMA_HOST"
        ) from exc
    return opened


def _open_local(settings: Settings, embedder: str, *, rebuild: bool) -> OpenedStore:
    index_dir = settings.resolved_index_dir
    messages: list[str] = []
    rebuilt = False
    problem = _marker_problem(index_dir, embedder)
    if rebuild:
        problem = None
        _wipe(index_dir)
        rebuilt = True
    elif problem:
        _wipe(index_dir)
        messages.append(f"Index at {index_dir} {problem}; rebuilding it from scratch.")
        rebuilt = True
    try:
        opened = _connect_local(index_dir, settings.collection, embedder)
    except Exception as exc:  # noqa: BLE001 - a corrupted sqlite file or segment surfaces here
        _wipe(index_dir)
        messages.append(f"Index at {index_dir} could not be opened ({exc}); rebuilding it.")
        rebuilt = True
        opened = _connect_local(index_dir, settings.collection, embedder)
    opened.messages = messages + opened.messages
    opened.rebuilt = opened.rebuilt or rebuilt
    _write_marker(index_dir, embedder)
    return opened


def _connect_local(index_dir: Path, name: str, embedder: str) -> OpenedStore:
    import chromadb

    index_dir.mkdir(parents=True, exist_ok=True)
    client = chromadb.PersistentClient(path=str(index_dir), settings=_chroma_settings())
    opened = OpenedStore(client, None)
    _attach_collection(opened, name, embedder, rebuild=False)
    opened.collection.count()  # touches the segment files: corruption fails here, not mid-query
    return opened


def _attach_collection(opened: OpenedStore, name: str, embedder: str, *, rebuild: bool) -> None:
    client = opened.client
    expected = _expected_metadata(embedder)
    if rebuild:
        _drop_collection(client, name)
        opened.rebuilt = True
    collection = client.get_or_create_collection(name, metadata=expected)
    found = {k: (collection.metadata or {}).get(k) for k in expected}
    if found != expected:
        opened.messages.append(
            f"Collection {name!r} was built with {found}, expected {expected}; rebuilding it."
        )
        _drop_collection(client, name)
        collection = client.get_or_create_collection(name, metadata=expected)
        opened.rebuilt = True
    opened.collection = collection


def _drop_collection(client: Any, name: str) -> None:
    from chromadb.errors import NotFoundError

    try:
        client.delete_collection(name)
    except (NotFoundError, ValueError):
        pass


def _marker_problem(index_dir: Path, embedder: str) -> str | None:
    """Why the directory cannot be reused as it is, or None when it can (or does not exist yet)."""
    if not index_dir.exists() or not any(index_dir.iterdir()):
        return None
    marker = index_dir / MARKER_FILE
    if not marker.exists():
        return "has no version marker"
    try:
        data = json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "has an unreadable version marker"
    if not isinstance(data, dict):
        return "has an unreadable version marker"
    if data.get("schema_version") != SCHEMA_VERSION:
        return f"has schema version {data.get('schema_version')!r}, expected {SCHEMA_VERSION!r}"
    if data.get("embedder") != embedder:
        return f"was embedded with {data.get('embedder')!r}, now {embedder!r}"
    return None


def _write_marker(index_dir: Path, embedder: str) -> None:
    marker = index_dir / MARKER_FILE
    marker.write_text(json.dumps(_expected_metadata(embedder)), encoding="utf-8")


def _wipe(index_dir: Path) -> None:
    """Remove what Chroma and we wrote in ``index_dir``; refuse to touch anything else there."""
    from chromadb.api.shared_system_client import SharedSystemClient

    # Chroma caches one system per path in the process; drop it or it keeps the old files open.
    SharedSystemClient.clear_system_cache()
    if not index_dir.exists():
        return
    ours = {MARKER_FILE, "chroma.sqlite3", "chroma.sqlite3-wal", "chroma.sqlite3-shm"}
    foreign = [p.name for p in index_dir.iterdir() if p.name not in ours and not _UUID_DIR.match(p.name)]
    if foreign:
        raise IndexStoreError(
            f"{index_dir} holds files that are not an index ({', '.join(sorted(foreign)[:5])}); "
            "point ADVISOR_INDEX_DIR at an empty or index-only directory"
        )
    for path in index_dir.iterdir():
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink()
