"""What the app itself remembers beside the advisor's threads: who owns each conversation (so that,
with auth on, people list and reopen only their own) and the read-only share links."""

from __future__ import annotations

import json
import secrets
import sqlite3
import threading
import time
from pathlib import Path

from tools.settings import Settings


class UiStore:
    """A small SQLite file, ``DATA_DIR/ui.sqlite``; created on first write."""

    def __init__(self, settings: Settings):
        self.path: Path = settings.data_dir / "ui.sqlite"
        self.auth_on = settings.auth != "none"
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None

    def _db(self) -> sqlite3.Connection:
        if self._conn is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, check_same_thread=False)
            conn.execute(
                "CREATE TABLE IF NOT EXISTS owners (session_id TEXT PRIMARY KEY, owner TEXT, "
                "title TEXT, created REAL)"
            )
            conn.execute(
                "CREATE TABLE IF NOT EXISTS shares (token TEXT PRIMARY KEY, session_id TEXT, "
                "owner TEXT, created REAL, snapshot TEXT)"
            )
            conn.commit()
            self._conn = conn
        return self._conn

    def owner(self, session_id: str) -> str | None:
        with self._lock:
            row = self._db().execute("SELECT owner FROM owners WHERE session_id = ?", (session_id,)).fetchone()
        return row[0] if row else None

    def claim(self, session_id: str, user: str | None, title: str = "") -> None:
        """Record ``user`` as the owner of a conversation unless someone already is."""
        with self._lock:
            db = self._db()
            db.execute(
                "INSERT OR IGNORE INTO owners (session_id, owner, title, created) VALUES (?, ?, ?, ?)",
                (session_id, user, title[:80], time.time()),
            )
            db.commit()

    def may_use(self, session_id: str, user: str | None) -> bool:
        """With auth off everybody may use any conversation; with it on, only its owner (a
        session nobody has claimed yet is free)."""
        if not self.auth_on:
            return True
        owner = self.owner(session_id)
        return owner is None or owner == user

    def may_list(self, session_id: str, user: str | None) -> bool:
        if not self.auth_on:
            return True
        return self.owner(session_id) == user

    # ---- share links ----------------------------------------------------------------------------
    def share(self, session_id: str, user: str | None, snapshot: dict) -> str:
        """Store a frozen copy of a conversation's scenario and figures; return its token."""
        token = secrets.token_urlsafe(16)
        with self._lock:
            db = self._db()
            db.execute(
                "INSERT INTO shares (token, session_id, owner, created, snapshot) VALUES (?, ?, ?, ?, ?)",
                (token, session_id, user, time.time(), json.dumps(snapshot, default=str)),
            )
            db.commit()
        return token

    def shared(self, token: str) -> dict | None:
        with self._lock:
            row = self._db().execute("SELECT snapshot FROM shares WHERE token = ?", (token,)).fetchone()
        return json.loads(row[0]) if row else None
