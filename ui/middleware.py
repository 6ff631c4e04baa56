"""ASGI middleware wrapped around the whole app (REST API, OpenAI-compatible API, Gradio): auth,
request-body size limit and the frame-ancestors policy. Pure ASGI so that they also guard Gradio's
own endpoints and streamed responses."""

from __future__ import annotations

import base64
import binascii
import json
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

REALM = "Fine-Tune Advisor"


def _header(scope: Scope, name: str) -> str | None:
    wanted = name.lower().encode("latin-1")
    for key, value in scope.get("headers") or ():
        if key.lower() == wanted:
            return value.decode("latin-1")
    return None


async def _send_json(send: Send, status: int, body: dict, headers: list[tuple[bytes, bytes]] = ()) -> None:
    payload = json.dumps(body).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(payload)).encode()),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})


def basic_auth_user(authorization: str | None, users: dict[str, str]) -> str | None:
    """The user name when ``authorization`` is a valid ``Basic`` header for one of ``users``."""
    if not authorization or authorization[:6].lower() != "basic ":
        return None
    try:
        decoded = base64.b64decode(authorization[6:].strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    name, sep, password = decoded.partition(":")
    if not sep or name not in users:
        return None
    # compare_digest on bytes keeps the comparison time independent of where the strings differ
    if secrets.compare_digest(password.encode(), users[name].encode()):
        return name
    return None


class AuthMiddleware:
    """Refuse every HTTP and websocket request without credentials.

    ``mode`` "basic" checks an ``Authorization: Basic`` header against ``users``; "header" trusts a
    header set by the portal's reverse proxy (``header_name``), so it must only be used behind that
    proxy. The authenticated user name goes to ``scope["state"]["user"]`` and to the header
    ``x-advisor-user`` (so Gradio handlers, which see only headers, can read it).
    """

    def __init__(self, app: ASGIApp, mode: str, users: dict[str, str], header_name: str):
        self.app = app
        self.mode = mode
        self.users = users
        self.header_name = header_name

    def user_for(self, scope: Scope) -> str | None:
        if self.mode == "basic":
            return basic_auth_user(_header(scope, "authorization"), self.users)
        if self.mode == "header":
            value = (_header(scope, self.header_name) or "").strip()
            return value or None
        return "anonymous"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or self.mode == "none":
            await self.app(scope, receive, send)
            return
        user = self.user_for(scope)
        if user is None:
            if scope["type"] == "websocket":
                await send({"type": "websocket.close", "code": 1008})
                return
            challenge = [(b"www-authenticate", f'Basic realm="{REALM}"'.encode())] if self.mode == "basic" else []
            await _send_json(send, 401, {"detail": "authentication required"}, challenge)
            return
        scope.setdefault("state", {})["user"] = user
        headers = [(k, v) for k, v in scope.get("headers") or () if k.lower() != b"x-advisor-user"]
        headers.append((b"x-advisor-user", user.encode("utf-8", "replace")))
        scope["headers"] = headers
        await self.app(scope, receive, send)


class BodyLimitMiddleware:
    """Answer 413 when a request body is larger than the limit: by its Content-Length up front, or
    while it streams in (chunked bodies carry no length). Gradio's upload endpoint gets the larger
    upload limit."""

    def __init__(self, app: ASGIApp, max_body_bytes: int, max_upload_bytes: int):
        self.app = app
        self.max_body_bytes = max_body_bytes
        # multipart framing adds a few hundred bytes around the file itself
        self.max_upload_bytes = max_upload_bytes + 64_000

    def limit_for(self, path: str) -> int:
        return self.max_upload_bytes if path.rstrip("/").endswith("/upload") else self.max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope.get("path", ""))
        declared = _header(scope, "content-length")
        if declared is not None:
            try:
                too_big = int(declared) > limit
            except ValueError:
                await _send_json(send, 400, {"detail": "invalid Content-Length header"})
                return
            if too_big:
                await _send_json(send, 413, {"detail": f"request body over the limit of {limit} bytes"})
                return

        received = 0
        response_started = False
        rejected = False

        async def counting_receive() -> Message:
            # Over the limit: answer 413 at once and tell the app the client left, then drop
            # whatever the app still tries to send (it may be mid-parse and want to say 400).
            nonlocal received, rejected
            if rejected:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit and not response_started:
                    rejected = True
                    await _send_json(send, 413, {"detail": f"request body over the limit of {limit} bytes"})
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal response_started
            if rejected:
                return
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        await self.app(scope, counting_receive, guarded_send)


class FrameAncestorsMiddleware:
    """Add ``Content-Security-Policy: frame-ancestors ...`` so only the configured portals may embed
    the app in an iframe."""

    def __init__(self, app: ASGIApp, ancestors: list[str]):
        self.app = app
        policy = "frame-ancestors " + (" ".join(ancestors) if ancestors else "'none'")
        self.header = (b"content-security-policy", policy.encode("latin-1"))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_policy(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    (k, v) for k, v in message.get("headers", []) if k.lower() != b"content-security-policy"
                ]
                headers.append(self.header)
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_policy)
