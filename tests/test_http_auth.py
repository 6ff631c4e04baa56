"""Auth over the whole app: with it on, every route (API, OpenAI-compatible, the Gradio UI and
Gradio's own endpoints) refuses a request without credentials; with them, it answers. Also the
per-user conversations, CORS, frame ancestors and root_path settings."""

from __future__ import annotations

import base64
import re

import pytest
from fastapi.testclient import TestClient
from starlette.routing import Mount, WebSocketRoute
from test_ui_support import advisor, shared_knowledge  # noqa: F401 - fixtures

from tools.settings import Settings
from ui.server import UiHost, create_app

USERS = {"alice": "wonderland", "bob": "builder"}


def basic(user: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


def all_routes(app, prefix: str = ""):
    """(path, method) of every route, walking into mounts (the Gradio apps inside the UI host)
    and included routers."""
    for route in app.routes:
        if isinstance(route, Mount):
            sub = route.app.app if isinstance(route.app, UiHost) else route.app
            if hasattr(sub, "routes"):
                yield from all_routes(sub, prefix + route.path)
            else:
                yield prefix + route.path + "/anything", "GET"
        elif isinstance(route, WebSocketRoute):
            yield prefix + route.path, "WEBSOCKET"
        elif hasattr(route, "original_router"):
            yield from all_routes(route.original_router, prefix + route.include_context.prefix)
        else:
            for method in sorted(route.methods or {"GET"}):
                yield prefix + route.path, method


def concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "x", path) or "/"


def settings_with(**changes) -> Settings:
    """Settings as the environment gives them (data dir from the autouse fixture), plus changes."""
    return Settings(**changes)


@pytest.fixture
def basic_app(advisor):  # noqa: F811
    app = create_app(settings_with(auth="basic", auth_users=USERS), advisor, ui="eager", warm_knowledge=False)
    assert app.state.ui_host.app is not None  # the Gradio apps are mounted, so they are enumerated
    with TestClient(app, raise_server_exceptions=False) as client:
        yield app, client


def test_every_route_refuses_without_credentials(basic_app):
    app, client = basic_app
    routes = sorted(set(all_routes(app)))
    paths = {p for p, _ in routes}
    # the enumeration covers our API, the OpenAI-compatible API, both Gradio apps and their internals
    for expected in ("/api/v1/chat", "/v1/chat/completions", "/gradio_api/queue/join", "/embed/gradio_api/upload", "/"):
        assert expected in paths, expected
    assert len(routes) > 100
    for path, method in routes:
        url = concrete(path)
        if method == "WEBSOCKET":
            with pytest.raises(Exception), client.websocket_connect(url):  # noqa: B017 - closed before accept
                pass
            continue
        for headers in ({}, basic("alice", "wrong"), basic("mallory", "wonderland"), {"Authorization": "Bearer x"}):
            r = client.request(method, url, headers=headers)
            assert r.status_code == 401, (method, url, headers, r.status_code)
            assert r.headers["www-authenticate"].startswith("Basic")


# Routes that hold a stream open (heartbeats, queue streams) or reach out (proxy) are left out of
# the "works with credentials" half; that they refuse without credentials is checked above.
STREAMING = re.compile(r"heartbeat|queue/data|upload_progress|/stream/|proxy=|dev/reload|call/.*/\{event_id\}|vibe")


def test_every_route_answers_with_credentials(basic_app):
    app, client = basic_app
    checked = 0
    for path, method in sorted(set(all_routes(app))):
        if method == "WEBSOCKET" or STREAMING.search(path):
            continue
        r = client.request(method, concrete(path), headers=basic("alice", "wonderland"))
        assert r.status_code != 401, (method, path)
        checked += 1
    assert checked > 80
    ok = client.get("/", headers=basic("alice", "wonderland"))
    assert ok.status_code == 200 and "gradio" in ok.text.lower()
    assert client.get("/api/v1/health", headers=basic("bob", "builder")).json()["auth"] == "basic"


def test_conversations_are_per_user(basic_app):
    _, client = basic_app
    alice = basic("alice", "wonderland")
    bob = basic("bob", "builder")
    sid = client.post("/api/v1/chat", json={"message": "We spend $10k a month on GPT-4o."}, headers=alice).json()["session_id"]
    assert client.get(f"/api/v1/sessions/{sid}", headers=alice).status_code == 200
    assert client.get(f"/api/v1/sessions/{sid}", headers=bob).status_code == 404
    assert sid in [s["session_id"] for s in client.get("/api/v1/sessions", headers=alice).json()]
    assert sid not in [s["session_id"] for s in client.get("/api/v1/sessions", headers=bob).json()]
    # bob cannot continue alice's conversation either
    assert client.post("/api/v1/chat", json={"message": "hi", "session_id": sid}, headers=bob).status_code == 404


def test_trusted_header_auth(advisor):  # noqa: F811
    settings = settings_with(auth="header", auth_header="X-Forwarded-User")
    app = create_app(settings, advisor, ui="off", warm_knowledge=False)
    with TestClient(app) as client:
        assert client.get("/api/v1/health").status_code == 401
        assert client.get("/api/v1/health", headers={"X-Forwarded-User": ""}).status_code == 401
        assert client.get("/api/v1/health", headers={"X-Forwarded-User": "carol"}).status_code == 200
        r = client.post("/v1/chat/completions", json={"messages": [{"role": "user", "content": "hi"}]})
        assert r.status_code == 401


def test_cors_frame_ancestors_and_root_path(advisor):  # noqa: F811
    settings = settings_with(
        cors_origins=["https://intranet.example.com"],
        frame_ancestors=["'self'", "https://intranet.example.com"],
        root_path="/advisor",
    )
    app = create_app(settings, advisor, ui="off", warm_knowledge=False)
    # uvicorn is started with --root-path from the settings; the test client does the same
    with TestClient(app, root_path=settings.root_path) as client:
        pre = client.options(
            "/api/v1/chat",
            headers={"Origin": "https://intranet.example.com", "Access-Control-Request-Method": "POST"},
        )
        assert pre.headers["access-control-allow-origin"] == "https://intranet.example.com"
        other = client.get("/api/v1/health", headers={"Origin": "https://evil.example.com"})
        assert "access-control-allow-origin" not in other.headers
        assert other.headers["content-security-policy"] == "frame-ancestors 'self' https://intranet.example.com"
        # behind a proxy that keeps the prefix, and one that strips it
        assert client.get("/advisor/api/v1/health").status_code == 200
        assert client.get("/api/v1/health").status_code == 200
        spec = client.get("/advisor/openapi.json").json()
        assert spec["servers"][0]["url"] == "/advisor"
