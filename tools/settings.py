"""The one settings object of the advisor, read from ``ADVISOR_*`` environment variables (and ``.env``).

Every path the app writes to derives from ``data_dir`` unless set on its own, so several instances
and the tests can be kept apart by pointing ``ADVISOR_DATA_DIR`` elsewhere. Nothing is created on
import: callers create directories when they first write.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from platformdirs import user_data_dir
from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Runtime configuration. See `.env.example` for every variable with its default."""

    model_config = SettingsConfigDict(
        env_prefix="ADVISOR_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    # --- where state lives -------------------------------------------------------------------
    data_dir: Path = Field(
        default_factory=lambda: Path(user_data_dir("finetune-advisor", appauthor=False)),
        description="Root of all state the app writes (index, conversation threads, uploads).",
    )
    index_dir: Path | None = Field(None, description="ChromaDB index; default DATA_DIR/index.")
    documents_dir: Path | None = Field(
        None, description="Users' own documents indexed beside the corpus; default DATA_DIR/documents."
    )
    threads_db: Path | None = Field(
        None, description="SQLite checkpointer file; default DATA_DIR/threads.sqlite."
    )

    # --- knowledge base ------------------------------------------------------------------------
    embedding_backend: Literal["bundled", "openai", "ollama"] = "bundled"
    embedding_model: str | None = Field(None, description="Model name for a non-bundled backend.")
    embedding_base_url: str | None = None
    chroma_host: str | None = Field(None, description="Use a ChromaDB server instead of a local file.")
    chroma_port: int = Field(8000, ge=1, le=65535)
    collection: str = "advisor-corpus"

    # --- the agent's brain ---------------------------------------------------------------------
    intent_model: bool = Field(
        True, description="Classify messages no rule recognises with the MiniLM intent model."
    )
    llm: str | None = Field(
        None, description="'provider:model' (e.g. 'openai:gpt-4o-mini'); unset = offline brain."
    )
    llm_base_url: str | None = Field(None, description="OpenAI-compatible endpoint (vLLM, Ollama...).")
    llm_api_key: SecretStr | None = None
    llm_timeout_s: float = Field(30.0, gt=0, le=600)
    postgres_url: SecretStr | None = Field(
        None, description="Postgres checkpointer for conversations; unset = SQLite under DATA_DIR."
    )

    # --- the server ----------------------------------------------------------------------------
    host: str = "127.0.0.1"
    port: int = Field(7860, ge=1, le=65535)
    root_path: str = ""
    cors_origins: list[str] = Field(default_factory=list)
    frame_ancestors: list[str] = Field(default_factory=lambda: ["'self'"])
    max_body_bytes: int = Field(1_000_000, ge=1_000)
    max_upload_bytes: int = Field(10_000_000, ge=1_000)
    auth: Literal["none", "basic", "header"] = "none"
    auth_users: dict[str, SecretStr] = Field(default_factory=dict)
    auth_header: str = "X-Forwarded-User"

    @property
    def resolved_index_dir(self) -> Path:
        return self.index_dir or self.data_dir / "index"

    @property
    def resolved_documents_dir(self) -> Path:
        return self.documents_dir or self.data_dir / "documents"

    @property
    def resolved_threads_db(self) -> Path:
        return self.threads_db or self.data_dir / "threads.sqlite"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings; tests call ``get_settings.cache_clear()`` after changing env."""
    return Settings()
