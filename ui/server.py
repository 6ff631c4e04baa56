"""The advisor's HTTP face: one FastAPI app with the REST API, an OpenAI-compatible chat endpoint and
the Gradio app mounted at "/", served by uvicorn.

Start-up never waits for the heavy parts: the advisor (LangGraph, the knowledge base's embedder)
and the Gradio UI are built in background threads, so ``/api/v1/tco`` and ``/api/v1/health``
answer at once and ``/`` shows a "starting" page until the UI is ready.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any, Literal

from fastapi import Body, FastAPI, Header, HTTPException, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import (
    HTMLResponse,
    JSONResponse,
    RedirectResponse,
    Response,
    StreamingResponse,
)
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from tools.settings import Settings, get_settings
from ui.middleware import AuthMiddleware, BodyLimitMiddleware, FrameAncestorsMiddleware

if TYPE_CHECKING:
    from agent.advisor import Advisor

log = logging.getLogger("advisor.server")

MODEL_ID = "finetune-advisor"
SESSION_ID_PATTERN = r"^[A-Za-z0-9_.:@-]{1,128}$"
UiMode = Literal["eager", "deferred", "off"]


# ------------------------------------------------------------------------------------------------
# request and response bodies
# ------------------------------------------------------------------------------------------------
class ChatRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    message: str = Field(description="The stakeholder's message, in plain language.")
    session_id: str | None = Field(
        None, pattern=SESSION_ID_PATTERN, description="Continue this conversation; null starts one."
    )


class CitationOut(BaseModel):
    n: int
    source: str
    title: str
    section: str
    snippet: str
    score: float


class ToolCallOut(BaseModel):
    name: str
    arguments: dict
    summary: str = ""


class ChatResponse(BaseModel):
    session_id: str
    answer: str = Field(description="Markdown.")
    scenario: dict
    results: dict | None
    citations: list[CitationOut]
    tool_calls: list[ToolCallOut]
    notices: list[str] = Field(default_factory=list)


class OpenAIMessage(BaseModel):
    model_config = ConfigDict(extra="allow")
    role: str
    content: str | list[dict] | None = None


class OpenAIChatRequest(BaseModel):
    model_config = ConfigDict(extra="allow")
    model: str = MODEL_ID
    messages: list[OpenAIMessage] = Field(min_length=1)
    stream: bool = False
    user: str | None = None


# ------------------------------------------------------------------------------------------------
# the advisor, built once in the background
# ------------------------------------------------------------------------------------------------
class AdvisorHolder:
    """Builds the advisor in a background thread, then warms its knowledge base (index built when
    missing or stale, embedder loaded), so the first question does not pay for either."""

    def __init__(self, settings: Settings, advisor: Advisor | None = None, warm_knowledge: bool = True):
        self.settings = settings
        self.warm_knowledge = warm_knowledge
        self._future: Future = Future()
        self.knowledge_status = "pending" if warm_knowledge else "skipped"
        self._started = False
        self._lock = threading.Lock()
        if advisor is not None:
            self._future.set_result(advisor)

    def start(self) -> None:
        with self._lock:
            if self._started:
                return
            self._started = True
        threading.Thread(target=self._build, name="advisor-warm-up", daemon=True).start()

    def _build(self) -> None:
        if not self._future.done():
            try:
                from agent.advisor import Advisor

                self._future.set_result(Advisor(self.settings))
            except Exception as exc:  # reported by /api/v1/health and by every chat (503)
                log.exception("could not build the advisor")
                self._future.set_exception(exc)
                return
        advisor = self._future.result()
        with contextlib.suppress(Exception):
            advisor.graph  # noqa: B018 - builds the LangGraph loop and opens the checkpointer now
        if self.warm_knowledge:
            self.knowledge_status = "warming"
            started = time.monotonic()
            log.info("warming up the knowledge base (the first start also builds its index, about a "
                     "minute); answers carry citations once it is ready")  # fmt: skip
            try:
                advisor.warm_up(background=False)
                failed = getattr(advisor, "_knowledge_error", None)
                self.knowledge_status = "failed" if failed else "ready"
                if not failed:
                    log.info("knowledge base ready in %.0f s", time.monotonic() - started)
            except Exception:
                log.exception("knowledge base warm-up failed")
                self.knowledge_status = "failed"

    @property
    def built(self) -> Future:
        """Done once the advisor exists (before its knowledge base is warm)."""
        return self._future

    @property
    def status(self) -> str:
        if not self._future.done():
            return "starting"
        return "failed" if self._future.exception() else "ready"

    def get(self, timeout: float | None = 120.0) -> Advisor:
        self.start()
        return self._future.result(timeout=timeout)


# ------------------------------------------------------------------------------------------------
# the Gradio UI, mounted at "/" once it is built
# ------------------------------------------------------------------------------------------------
STARTING_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta http-equiv="refresh" content="2"><meta name="viewport" content="width=device-width">
<title>Fine-Tune Advisor: starting</title></head>
<body style="font-family:system-ui,sans-serif;margin:3rem;color:#333">
<h1 style="font-size:1.3rem">Fine-Tune Advisor is starting&hellip;</h1>
<p>The page reloads by itself in a moment. The API is already up at <a href="docs">docs</a>.</p>
</body></html>"""


class UiHost:
    """An ASGI app at "/" that forwards to the Gradio app once it exists, and shows a
    self-refreshing "starting" page before. Gradio's own lifespan (its queue) is run here."""

    def __init__(self, build):
        self._build = build
        self.app: FastAPI | None = None
        self.status = "pending"
        self._stack: contextlib.AsyncExitStack | None = None
        self._thread: threading.Thread | None = None

    def build_now(self) -> None:
        self.status = "building"
        try:
            self.app = self._build()
        except Exception:
            log.exception("could not build the Gradio app")
            self.status = "failed"

    async def start(self) -> None:
        """Run the built app's lifespan (Gradio's queue and startup events)."""
        if self.app is None:
            return
        self._stack = contextlib.AsyncExitStack()
        await self._stack.enter_async_context(self.app.router.lifespan_context(self.app))
        self.status = "ready"

    def start_in_background(self, loop: asyncio.AbstractEventLoop, after: Future | None = None) -> None:
        def run() -> None:
            if after is not None:
                # Gradio's import fights for the same two cores; let the advisor come first
                with contextlib.suppress(Exception):
                    after.result(timeout=60)
            self.build_now()
            if self.app is not None:
                asyncio.run_coroutine_threadsafe(self.start(), loop).result()

        self._thread = threading.Thread(target=run, name="gradio-build", daemon=True)
        self._thread.start()

    async def stop(self) -> None:
        if self._stack is not None:
            await self._stack.aclose()
            self._stack = None

    async def __call__(self, scope, receive, send) -> None:
        if self.app is not None and self.status == "ready":
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1013})
            return
        status = 503
        body = STARTING_PAGE if self.status != "failed" else "<h1>The UI failed to start; see the server log.</h1>"
        response = HTMLResponse(body, status_code=status, headers={"Retry-After": "2"})
        await response(scope, receive, send)


# ------------------------------------------------------------------------------------------------
# helpers
# ------------------------------------------------------------------------------------------------
def _error_message(errors: list[dict]) -> str:
    parts = []
    for error in errors:
        loc = [str(p) for p in error.get("loc", ()) if p not in ("body",)]
        where = ".".join(loc) or "body"
        parts.append(f"{where}: {error.get('msg', 'invalid')}")
    return "; ".join(parts)


def _response_out(response: Any) -> ChatResponse:
    data = response.model_dump(mode="json") if hasattr(response, "model_dump") else dict(response)
    return ChatResponse(
        session_id=data["session_id"],
        answer=data.get("answer", ""),
        scenario=data.get("scenario") or {},
        results=data.get("results"),
        citations=[CitationOut(**{k: c.get(k) for k in CitationOut.model_fields}) for c in data.get("citations", [])],
        tool_calls=[
            ToolCallOut(name=t["name"], arguments=t.get("arguments") or {}, summary=t.get("summary") or "")
            for t in data.get("tool_calls", [])
        ],
        notices=list(data.get("notices") or []),
    )


def _text_of(content: str | list[dict] | None) -> str:
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    return "\n".join(str(part.get("text", "")) for part in content if part.get("type", "text") == "text")


def openai_session_id(user: str | None, header: str | None) -> str | None:
    """The advisor session an OpenAI-style request continues: the X-Session-Id header, else the
    ``user`` field. Values that are not valid ids are hashed into one, so any string works."""
    raw = (header or user or "").strip()
    if not raw:
        return None
    if re.fullmatch(SESSION_ID_PATTERN, raw):
        return raw
    return "oa-" + uuid.uuid5(uuid.NAMESPACE_URL, raw).hex


def answer_chunks(text: str, size: int = 48) -> Iterator[str]:
    """Split an answer into stream pieces at word boundaries, keeping every character."""
    start = 0
    while start < len(text):
        end = min(len(text), start + size)
        if end < len(text):
            space = text.rfind(" ", start, end)
            if space > start:
                end = space + 1
        yield text[start:end]
        start = end


# ------------------------------------------------------------------------------------------------
# the app
# ------------------------------------------------------------------------------------------------
def create_app(
    settings: Settings | None = None,
    advisor: Advisor | None = None,
    *,
    ui: UiMode = "eager",
    warm_knowledge: bool = True,
) -> FastAPI:
    """Build the whole HTTP app.

    Args:
        settings: the configuration; default ``get_settings()``.
        advisor: an existing advisor (tests); default: one built in the background at start-up.
        ui: "eager" builds the Gradio app now (tests, so its routes can be enumerated), "deferred"
            builds it in a background thread after start-up (``advisor serve``), "off" has none.
        warm_knowledge: build the index if missing or stale and load the embedder at start-up.
    """
    from tools.scenario import Scenario

    settings = settings or get_settings()
    holder = AdvisorHolder(settings, advisor, warm_knowledge=warm_knowledge)

    from ui.store import UiStore

    store = UiStore(settings)

    def build_ui() -> FastAPI:
        from ui.app import build_ui_app

        return build_ui_app(settings, holder, store)

    ui_host = UiHost(build_ui) if ui != "off" else None
    if ui_host is not None and ui == "eager":
        ui_host.build_now()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI):
        holder.start()
        if ui_host is not None:
            if ui == "eager":
                await ui_host.start()
            else:
                ui_host.start_in_background(asyncio.get_running_loop(), after=holder.built)
        yield
        if ui_host is not None:
            await ui_host.stop()

    app = FastAPI(
        title="Fine-Tune Advisor",
        version="0.1.0",
        description="Should we fine-tune a custom LLM or stay on a base-model API? Computed figures, cited guidance.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.advisor_holder = holder
    app.state.ui_host = ui_host
    app.state.store = store

    # ---- errors: invalid input is a 422 naming the field, never a 500 ---------------------------
    @app.exception_handler(RequestValidationError)
    async def on_request_validation(request: Request, exc: RequestValidationError):
        errors = jsonable_encoder(exc.errors(), custom_encoder={Exception: str})
        return JSONResponse({"message": _error_message(errors), "detail": errors}, status_code=422)

    @app.exception_handler(ValidationError)
    async def on_validation(request: Request, exc: ValidationError):
        errors = jsonable_encoder(exc.errors(include_url=False), custom_encoder={Exception: str})
        return JSONResponse({"message": _error_message(errors), "detail": errors}, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def on_http_error(request: Request, exc: StarletteHTTPException):
        return JSONResponse(
            {"message": str(exc.detail), "detail": exc.detail}, status_code=exc.status_code, headers=exc.headers
        )

    @app.exception_handler(ValueError)
    async def on_value_error(request: Request, exc: ValueError):
        # tools.common.AdvisorError is a ValueError that names its field
        field = getattr(exc, "field", None)
        return JSONResponse({"message": str(exc), "field": field, "detail": str(exc)}, status_code=422)

    @app.exception_handler(OSError)
    @app.exception_handler(sqlite3.OperationalError)
    async def on_storage_error(request: Request, exc: Exception):
        # A full disk, a read-only mount or a vanished directory under DATA_DIR: the request wrote
        # nothing it can keep (SQLite rolls the transaction back), so say where and why, as a 503.
        from agent.advisor import StorageUnavailable  # loaded by now: only a turn raises it

        log.error("cannot write under %s: %s", settings.data_dir, exc)
        message = str(exc) if isinstance(exc, StorageUnavailable) else (
            f"cannot write to the data directory {settings.data_dir} ({exc}); free space or "
            "point ADVISOR_DATA_DIR at a writable folder, then try again"
        )  # fmt: skip
        return JSONResponse({"message": message, "detail": type(exc).__name__}, status_code=503)

    @app.exception_handler(Exception)
    async def on_unexpected(request: Request, exc: Exception):
        log.exception("unexpected error on %s", request.url.path)
        return JSONResponse({"message": "internal error", "detail": type(exc).__name__}, status_code=500)

    def current_user(request: Request) -> str | None:
        return request.scope.get("state", {}).get("user") if settings.auth != "none" else None

    def get_advisor() -> Advisor:
        try:
            advisor_ = holder.get()
            advisor_.graph  # noqa: B018 - opens the conversation store: an unwritable data dir is a 503 here
            return advisor_
        except Exception as exc:
            raise HTTPException(503, f"the advisor is not available: {exc}") from exc

    def check_owner(session_id: str | None, user: str | None) -> None:
        if session_id and not store.may_use(session_id, user):
            raise HTTPException(404, f"session_id: no session {session_id!r}")

    # ---- REST API --------------------------------------------------------------------------------
    @app.get("/api/v1/health", tags=["api"])
    def health() -> dict:
        """Liveness and readiness of each part."""
        return {
            "status": "ok",
            "advisor": holder.status,
            "knowledge": holder.knowledge_status,
            "ui": ui_host.status if ui_host is not None else "off",
            "auth": settings.auth,
        }

    @app.post("/api/v1/chat", response_model=ChatResponse, tags=["api"])
    def chat(body: ChatRequest, request: Request) -> ChatResponse:
        """One conversational turn: the answer (Markdown), the scenario, the latest TCO result,
        citations and the tool calls made."""
        user = current_user(request)
        check_owner(body.session_id, user)
        response = get_advisor().chat(body.message, session_id=body.session_id)
        store.claim(response.session_id, user, title=body.message)
        return _response_out(response)

    @app.post("/api/v1/tco", tags=["api"])
    def tco(
        scenario: dict[str, Any] = Body(  # noqa: B008
            ...,
            description="A scenario; its schema is at /api/v1/scenario/schema. Only `usage` is required.",
            examples=[
                {
                    "horizon_months": 36,
                    "usage": {"monthly_input_tokens": 300_000_000, "monthly_output_tokens": 100_000_000},
                    "api": {"input_price_per_mtok": 2.5, "output_price_per_mtok": 10.0},
                }
            ],
        ),
    ) -> dict:
        """The full TCO result of a scenario (five paths, months, breakdown, break-even, NPV)."""
        from tools.tco import compute_tco

        # Scenario.parse raises ScenarioError naming the dotted field and its allowed range (422)
        return compute_tco(Scenario.parse(scenario)).model_dump(mode="json")

    @app.get("/api/v1/scenario/schema", tags=["api"])
    def scenario_schema() -> dict:
        """The JSON schema of a scenario."""
        return Scenario.model_json_schema()

    @app.get("/api/v1/sessions", tags=["api"])
    def list_sessions(request: Request) -> list[dict]:
        """Earlier conversations (the caller's own when auth is on)."""
        user = current_user(request)
        summaries = get_advisor().list_sessions()
        return [s.model_dump(mode="json") for s in summaries if store.may_list(s.session_id, user)]

    @app.get("/api/v1/sessions/{session_id}", tags=["api"])
    def get_session(session_id: str, request: Request) -> dict:
        """One conversation: its history, scenario and latest results."""
        if not re.fullmatch(SESSION_ID_PATTERN, session_id):
            raise HTTPException(422, "session_id: invalid id")
        check_owner(session_id, current_user(request))
        view = get_advisor().session(session_id)
        if not view.history and view.results is None:
            raise HTTPException(404, f"session_id: no session {session_id!r}")
        return view.model_dump(mode="json")

    # ---- OpenAI-compatible -----------------------------------------------------------------------
    @app.get("/v1/models", tags=["openai"])
    def models() -> dict:
        """The advisor as the one "model" a chat portal can pick."""
        return {
            "object": "list",
            "data": [{"id": MODEL_ID, "object": "model", "created": 0, "owned_by": "finetune-advisor"}],
        }

    @app.post("/v1/chat/completions", tags=["openai"])
    def chat_completions(
        body: OpenAIChatRequest,
        request: Request,
        x_session_id: str | None = Header(None),
    ) -> Response:
        """OpenAI-compatible chat: the last user message is the turn; the conversation continues
        the session named by the X-Session-Id header or the ``user`` field."""
        user_messages = [m for m in body.messages if m.role == "user"]
        if not user_messages:
            raise HTTPException(422, "messages: needs at least one message with role 'user'")
        message = _text_of(user_messages[-1].content)
        session_id = openai_session_id(body.user, x_session_id)
        user = current_user(request)
        check_owner(session_id, user)
        advisor_ = get_advisor()
        completion_id = "chatcmpl-" + uuid.uuid4().hex
        created = int(time.time())
        model = body.model or MODEL_ID

        if not body.stream:
            response = advisor_.chat(message, session_id=session_id)
            store.claim(response.session_id, user, title=message)
            return JSONResponse(
                {
                    "id": completion_id,
                    "object": "chat.completion",
                    "created": created,
                    "model": model,
                    "choices": [
                        {
                            "index": 0,
                            "message": {"role": "assistant", "content": response.answer},
                            "finish_reason": "stop",
                        }
                    ],
                    "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
                },
                headers={"X-Session-Id": response.session_id},
            )

        def chunk(delta: dict, finish: str | None = None) -> str:
            payload = {
                "id": completion_id,
                "object": "chat.completion.chunk",
                "created": created,
                "model": model,
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
            }
            return f"data: {json.dumps(payload)}\n\n"

        def events() -> Iterator[str]:
            yield chunk({"role": "assistant", "content": ""})
            final = None
            try:
                for event in advisor_.stream(message, session_id=session_id):
                    if event.kind == "answer" and event.response is not None:
                        final = event.response
            except Exception:
                log.exception("stream failed")
                yield chunk({"content": "The advisor failed on this turn; please try again."}, None)
            if final is not None:
                store.claim(final.session_id, user, title=message)
                for piece in answer_chunks(final.answer):
                    yield chunk({"content": piece})
            yield chunk({}, "stop")
            yield "data: [DONE]\n\n"

        return StreamingResponse(events(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"})

    # ---- share links: a read-only copy of a conversation's scenario and figures ----------------
    @app.get("/share/{token}", response_class=HTMLResponse, include_in_schema=False)
    def shared(token: str) -> HTMLResponse:
        snapshot = store.shared(token)
        if snapshot is None:
            raise HTTPException(404, "no such share link")
        from ui.report import share_page

        return HTMLResponse(share_page(snapshot))

    @app.get("/static/plotly.min.js", include_in_schema=False)
    def plotly_js() -> Response:
        from ui.report import plotly_js_source

        return Response(plotly_js_source(), media_type="application/javascript", headers={"Cache-Control": "max-age=86400"})

    @app.get("/embed", include_in_schema=False)
    def embed_without_slash() -> RedirectResponse:
        # relative, so it stays right under any root_path prefix
        return RedirectResponse("embed/", status_code=307)

    if ui_host is not None:
        app.mount("/", ui_host)

    # ---- the middleware stack, outermost last ----------------------------------------------------
    app.add_middleware(BodyLimitMiddleware, max_body_bytes=settings.max_body_bytes, max_upload_bytes=settings.max_upload_bytes)
    app.add_middleware(
        AuthMiddleware,
        mode=settings.auth,
        users={name: secret.get_secret_value() for name, secret in settings.auth_users.items()},
        header_name=settings.auth_header,
    )
    app.add_middleware(FrameAncestorsMiddleware, ancestors=settings.frame_ancestors)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_credentials=True,
            allow_methods=["*"],
            allow_headers=["*"],
            expose_headers=["X-Session-Id"],
        )
    return app


def serve(settings: Settings | None = None, host: str | None = None, port: int | None = None) -> None:
    """Run the app with uvicorn until interrupted."""
    import uvicorn

    settings = settings or get_settings()
    if settings.auth == "basic" and not settings.auth_users:
        raise SystemExit("ADVISOR_AUTH=basic needs ADVISOR_AUTH_USERS, e.g. '{\"alice\": \"secret\"}'")
    # Our own log lines (warm-up progress, a rebuilt index, storage errors) beside uvicorn's.
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(levelname)s:     %(message)s"))
    for name in ("advisor", "agent", "knowledge"):
        logging.getLogger(name).addHandler(handler)
        logging.getLogger(name).setLevel(logging.INFO)
    app = create_app(settings, ui="deferred")
    uvicorn.run(
        app,
        host=host or settings.host,
        port=port or settings.port,
        root_path=settings.root_path,
        log_level="info",
        proxy_headers=True,
        timeout_graceful_shutdown=5,
    )
