"""The Advisor: the Python API the CLI, the UI and the HTTP server call. One LangGraph loop per turn,
conversations kept by a checkpointer (SQLite under the data dir, or Postgres), one thread per session."""

from __future__ import annotations

import contextlib
import errno
import json
import logging
import sqlite3
import threading
import uuid
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage

from agent.graph import build_graph, turn_start
from agent.schemas import (
    AdvisorEvent,
    AdvisorResponse,
    ChatTurn,
    Citation,
    SessionSummary,
    SessionView,
    ToolCallRecord,
)
from tools.settings import Settings, get_settings

log = logging.getLogger(__name__)

MAX_MESSAGE_CHARS = 20_000


class StorageUnavailable(OSError):
    """The conversation store under the data directory cannot be written (full disk, read-only)."""


# What a full, read-only or misplaced data directory raises; other OS errors (a refused network
# connection is an OSError too) stay ordinary turn failures.
_STORAGE_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM, errno.ENOTDIR}
_SQLITE_STORAGE = ("disk is full", "readonly database", "unable to open database", "disk i/o error")


def _is_storage_error(error: BaseException) -> bool:
    if isinstance(error, sqlite3.OperationalError):
        return any(text in str(error).lower() for text in _SQLITE_STORAGE)
    return isinstance(error, OSError) and error.errno in _STORAGE_ERRNOS


class Advisor:
    """Chat with the advisor; every session is a persisted conversation with its own scenario.

    Args:
        settings: where state lives and which brain to use; default ``get_settings()``.
        chat_model: a LangChain chat model to use as the brain instead of ``settings.llm``.
        knowledge: the retrieval dependency, any object with ``search(query, k) -> RetrievalResult``;
            default a ``knowledge.KnowledgeBase`` on ``settings``, built on first use.
        checkpointer: a LangGraph checkpointer; default SQLite at ``settings.resolved_threads_db``
            or Postgres when ``settings.postgres_url`` is set.
    """

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        chat_model: BaseChatModel | None = None,
        knowledge: Any = None,
        checkpointer: Any = None,
    ):
        self.settings = settings or get_settings()
        self._knowledge = knowledge
        self._knowledge_lock = threading.Lock()
        self._knowledge_error: str | None = None
        self._warming = threading.Event()  # set while warm_up() runs: a turn must not build the index
        self._checkpointer = checkpointer
        self._graph = None
        self._graph_lock = threading.Lock()
        self._llm_notice: str | None = None
        if chat_model is not None:
            self._llm = chat_model
        else:
            from agent.llm import build_chat_model

            choice = build_chat_model(self.settings)
            self._llm, self._llm_notice = choice.model, choice.reason

    # --- the knowledge base, loaded lazily -----------------------------------------------------

    def knowledge(self) -> Any:
        """The retrieval dependency, building the default knowledge base (and its index) on first use."""
        if self._knowledge is not None:
            return self._knowledge
        with self._knowledge_lock:
            if self._knowledge is None:
                from knowledge import KnowledgeBase

                kb = KnowledgeBase(self.settings)
                report = kb.ensure_index()
                for message in getattr(report, "messages", None) or []:  # e.g. a corrupted index rebuilt
                    log.warning("knowledge base: %s", message)
                self._knowledge = kb
        return self._knowledge

    def warm_up(self, background: bool = True) -> threading.Thread | None:
        """Load the knowledge base and its embedder, and the understanding module's intent model,
        ahead of the first question."""

        def run() -> None:
            # The knowledge base first (citations wait for it), then the intent model (until it is
            # ready the rules understand alone); one at a time, leaving the other core to the UI.
            try:
                warm_knowledge()
            finally:
                self._warming.clear()
            warm_intents()

        def warm_intents() -> None:
            from agent.understanding.intent_model import allow_build, intent_model

            try:
                intent_model()  # its MiniLM embedder loads in seconds, once: not on a person's turn
            except Exception as error:  # noqa: BLE001 - the rules still understand without it
                log.warning("intent model warm-up failed: %s", error)
            finally:
                allow_build()

        def warm_knowledge() -> None:
            try:
                kb = self.knowledge()
                if hasattr(kb, "warm_up"):
                    kb.warm_up()
            except Exception as error:  # noqa: BLE001 - the advisor still answers figures without guidance
                log.warning("knowledge base warm-up failed: %s", error)
                self._knowledge_error = str(error)

        self._warming.set()
        from agent.understanding.intent_model import defer_build

        defer_build()  # a turn before the model is ready gets the rules' reading, not a 10 s wait
        if not background:
            run()
            return None
        thread = threading.Thread(target=run, name="advisor-warm-up", daemon=True)
        thread.start()
        return thread

    def _search(self, query: str, k: int):
        if self._knowledge is None and (self._knowledge_lock.locked() or self._warming.is_set()):
            # The warm-up is loading or building the index (a first start builds it for a minute or
            # more): answer now, without citations, rather than build it a second time in this turn.
            from tools.common import AdvisorError

            raise AdvisorError("knowledge", "the knowledge base is still being prepared; ask again shortly")
        return self.knowledge().search(query, k=k)

    # --- the graph ------------------------------------------------------------------------------

    def _open_checkpointer(self):
        if self.settings.postgres_url is not None:
            from langgraph.checkpoint.postgres import PostgresSaver
            from psycopg import Connection
            from psycopg.rows import dict_row
            from psycopg_pool import ConnectionPool

            url = self.settings.postgres_url.get_secret_value()
            options = {"autocommit": True, "prepare_threshold": 0, "row_factory": dict_row}
            # Tables first, on one connection: an unreachable server fails here with its own error.
            with Connection.connect(url, **options) as conn:
                PostgresSaver(conn).setup()
            # Then a pool that checks each connection before lending it: a Postgres restart or
            # failover (every connection dropped) costs a reconnect, not every later turn.
            pool = ConnectionPool(
                url, min_size=1, max_size=4, kwargs=options, check=ConnectionPool.check_connection,
                open=True, name="advisor-checkpointer",
            )  # fmt: skip
            return PostgresSaver(pool)
        else:
            from langgraph.checkpoint.sqlite import SqliteSaver

            path = self.settings.resolved_threads_db
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                saver = SqliteSaver(sqlite3.connect(str(path), check_same_thread=False))
                saver.setup()
            except (OSError, sqlite3.Error) as error:  # a read-only, full or misplaced data directory
                raise RuntimeError(
                    f"cannot write the conversation store {path} ({error}); "
                    "point ADVISOR_DATA_DIR (or ADVISOR_THREADS_DB) at a writable directory"
                ) from error
            return saver

    @property
    def graph(self):
        if self._graph is None:
            with self._graph_lock:
                if self._graph is None:
                    from agent.offline import OfflineBrain
                    from agent.tools import ToolDeps, build_tools

                    if self._checkpointer is None:
                        self._checkpointer = self._open_checkpointer()
                    tools = build_tools(ToolDeps(search=self._search))
                    self._graph = build_graph(
                        offline_brain=OfflineBrain(), tools=tools, llm=self._llm,
                        checkpointer=self._checkpointer,
                    )  # fmt: skip
        return self._graph

    @staticmethod
    def _config(session_id: str) -> dict:
        return {"configurable": {"thread_id": session_id}, "recursion_limit": 40}

    def _turn_input(self, message: str | None) -> tuple[dict, list[str]]:
        notices: list[str] = []
        text = message if isinstance(message, str) else ""
        if len(text) > MAX_MESSAGE_CHARS:
            notices.append(
                f"Your message was {len(text):,} characters long; I read the first "
                f"{MAX_MESSAGE_CHARS:,}."
            )
            text = text[:MAX_MESSAGE_CHARS]
        if self._llm is None and self._llm_notice:
            notices.append(f"{self._llm_notice}; answered with the offline brain.")
        turn = {
            "messages": [HumanMessage(content=text)],
            "notices": notices,
            "brain": "llm" if self._llm is not None else "offline",
            "steps": 0,
        }
        return turn, notices

    # --- the API -------------------------------------------------------------------------------

    def chat(self, message: str, session_id: str | None = None) -> AdvisorResponse:
        """Answer one message in a session (a new session when ``session_id`` is None)."""
        response = None
        for event in self.stream(message, session_id):
            if event.kind == "answer":
                response = event.response
        assert response is not None
        return response

    def stream(self, message: str, session_id: str | None = None) -> Iterator[AdvisorEvent]:
        """Answer one message, yielding an event for each tool step and finally the answer."""
        session_id = session_id or uuid.uuid4().hex
        config = self._config(session_id)
        turn, _ = self._turn_input(message)
        try:
            for chunk in self.graph.stream(turn, config, stream_mode="updates", durability="exit"):
                for node, update in chunk.items():
                    yield from _events_of(node, update)
        except Exception as error:
            if _is_storage_error(error):
                # A full disk or read-only data directory: the checkpoint is written at the end of
                # the turn (durability="exit") and SQLite rolls it back, so the conversation is as
                # it was. Rephrasing would not help; say what is wrong instead of apologising.
                log.error("cannot store turn of session %s: %s", session_id, error)
                raise StorageUnavailable(
                    f"cannot save the conversation under {self.settings.data_dir} ({error}); nothing "
                    "was changed. Free space or point ADVISOR_DATA_DIR at a writable folder, then try again"
                ) from error
            log.exception("turn failed in session %s", session_id)
            yield AdvisorEvent(kind="answer", response=self._failed_turn(session_id, error))
            return
        yield AdvisorEvent(kind="answer", response=self._response(session_id))

    def _failed_turn(self, session_id: str, error: Exception) -> AdvisorResponse:
        """The answer when the loop itself failed: the stored conversation is left as it was."""
        answer = ("Something went wrong while I worked on that, and nothing was changed. "
                  "Could you rephrase it, or ask for one thing at a time?")
        config = self._config(session_id)
        try:  # keep the history readable: the question stays, followed by this apology
            if self.graph.get_state(config).values:
                self.graph.update_state(config, {"messages": [AIMessage(content=answer)]}, as_node="finalize")
        except Exception:
            log.exception("could not record the failed turn")
        values = self.graph.get_state(config).values or {}
        return AdvisorResponse(
            session_id=session_id,
            answer=answer,
            scenario=values.get("scenario") or _default_scenario(),
            results=values.get("results") or None,
            notices=[f"internal error: {type(error).__name__}: {str(error)[:200]}"],
        )

    def update_scenario(self, session_id: str, updates: dict) -> AdvisorResponse:
        """Apply the UI panel's edits (dotted path → value) to the session's scenario and recompute."""
        from agent import summaries
        from agent.offline import compose_panel_answer
        from agent.scenario_ops import apply_updates, default_scenario

        config = self._config(session_id)
        values = self.graph.get_state(config).values or {}
        current = values.get("scenario") or default_scenario()
        notices: list[str] = []
        try:
            new = apply_updates(current, updates)
        except ValueError as error:  # AdvisorError names the field and its allowed range
            notices.append(f"I could not apply that edit: {error}")
            new = current
        summary, results = summaries.tco(new)
        history = list(values.get("scenario_history") or [])
        if new != current:
            history.append(current)
        answer = compose_panel_answer(summary)
        self.graph.update_state(
            config,
            {
                "scenario": new, "scenario_history": history[-20:], "results": results,
                "notices": notices, "messages": [AIMessage(content=answer, name="scenario-panel")],
            },
            as_node="finalize",
        )  # fmt: skip
        return self._response(session_id)

    def session(self, session_id: str) -> SessionView:
        """A stored conversation: visible history, scenario and latest results."""
        values = self.graph.get_state(self._config(session_id)).values or {}
        return SessionView(
            session_id=session_id,
            history=_history(values.get("messages", [])),
            scenario=values.get("scenario") or _default_scenario(),
            results=values.get("results") or None,
            citations=[Citation(**c) for c in values.get("citations") or []],
        )

    def list_sessions(self) -> list[SessionSummary]:
        """Every stored session, most recently updated first."""
        graph = self.graph
        out: list[SessionSummary] = []
        for thread_id in _thread_ids(self._checkpointer):
            snapshot = graph.get_state(self._config(thread_id))
            messages = snapshot.values.get("messages", []) if snapshot.values else []
            humans = [m for m in messages if isinstance(m, HumanMessage)]
            title = (humans[0].content if humans and isinstance(humans[0].content, str) else "")
            title = " ".join(title.split())
            updated = None
            if snapshot.created_at:
                try:
                    updated = datetime.fromisoformat(snapshot.created_at)
                except ValueError:
                    updated = None
            out.append(
                SessionSummary(
                    session_id=thread_id, title=title[:80] + ("…" if len(title) > 80 else ""),
                    turns=len(humans), updated_at=updated,
                )
            )  # fmt: skip
        out.sort(key=lambda s: s.updated_at or datetime.min, reverse=True)
        return out

    def _response(self, session_id: str) -> AdvisorResponse:
        values = self.graph.get_state(self._config(session_id)).values or {}
        messages = values.get("messages", [])
        start = turn_start(messages)
        turn = messages[start:]
        final = messages[-1] if messages else None
        answer = final.content if isinstance(final, AIMessage) and isinstance(final.content, str) else ""
        return AdvisorResponse(
            session_id=session_id,
            answer=answer,
            scenario=values.get("scenario") or _default_scenario(),
            results=values.get("results") or None,
            citations=[Citation(**c) for c in values.get("citations") or []],
            tool_calls=_tool_records(turn),
            notices=list(values.get("notices") or []),
            brain="llm" if values.get("brain") == "llm" else "offline",
        )


def _default_scenario() -> dict:
    from agent.scenario_ops import default_scenario

    return default_scenario()


def _summary_of(content: Any) -> str:
    if isinstance(content, str):
        try:
            payload = json.loads(content)
        except ValueError:
            return content[:300]
        if isinstance(payload, dict) and isinstance(payload.get("summary"), str):
            return payload["summary"]
        return content[:300]
    return str(content)[:300]


def _tool_records(turn: list) -> list[ToolCallRecord]:
    results = {m.tool_call_id: m for m in turn if isinstance(m, ToolMessage)}
    records = []
    for m in turn:
        if isinstance(m, AIMessage):
            for call in m.tool_calls:
                result = results.get(call.get("id"))
                summary = _summary_of(result.content) if result is not None else "(no result)"
                records.append(ToolCallRecord(name=call["name"], arguments=call.get("args") or {}, summary=summary))
    return records


def _history(messages: list) -> list[ChatTurn]:
    out = []
    for m in messages:
        if isinstance(m, HumanMessage):
            out.append(ChatTurn(role="user", content=m.content if isinstance(m.content, str) else str(m.content)))
        elif isinstance(m, AIMessage) and not m.tool_calls and isinstance(m.content, str) and m.content:
            out.append(ChatTurn(role="assistant", content=m.content))
    return out


def _events_of(node: str, update: Any) -> Iterator[AdvisorEvent]:
    updates = update if isinstance(update, list) else [update]
    for u in updates:
        if not isinstance(u, dict):
            continue
        for m in u.get("messages") or []:
            if node == "brain" and isinstance(m, AIMessage):
                for call in m.tool_calls:
                    yield AdvisorEvent(kind="tool_call", name=call["name"], arguments=call.get("args") or {})
            elif node == "tools" and isinstance(m, ToolMessage):
                yield AdvisorEvent(kind="tool_result", name=m.name, summary=_summary_of(m.content))
        if node == "brain":
            for notice in u.get("notices") or []:
                yield AdvisorEvent(kind="notice", summary=notice)


def _thread_ids(checkpointer: Any) -> list[str]:
    """Distinct thread ids of a SQLite or Postgres checkpointer (any other: through ``list``)."""
    conn = getattr(checkpointer, "conn", None)
    query = "SELECT DISTINCT thread_id FROM checkpoints"
    if conn is not None:
        try:
            if hasattr(checkpointer, "cursor") and type(checkpointer).__name__ == "SqliteSaver":
                with checkpointer.cursor(transaction=False) as cur:
                    cur.execute(query)
                    return [row[0] for row in cur.fetchall()]
            lend = conn.connection() if hasattr(conn, "connection") else contextlib.nullcontext(conn)  # a pool
            with lend as connection, connection.cursor() as cur:
                cur.execute(query)
                return [row["thread_id"] if isinstance(row, dict) else row[0] for row in cur.fetchall()]
        except Exception as error:  # noqa: BLE001 - fall back to the generic (slower) listing
            log.debug("listing threads by SQL failed: %s", error)
    seen: dict[str, None] = {}
    for item in checkpointer.list(None):
        seen.setdefault(item.config["configurable"]["thread_id"], None)
    return list(seen)
