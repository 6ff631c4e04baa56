"""Bad input and secrets: fuzzed scenario bodies through POST /api/v1/tco, secrets kept out of logs,
answers, exports and error pages, and uploads that try to escape the documents folder."""

from __future__ import annotations

import json
import logging
import math
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from pydantic import BaseModel

# ------------------------------------------------------------------------------------------------
# fuzzing the scenario schema over HTTP
# ------------------------------------------------------------------------------------------------
VALID = {
    "usage": {"monthly_input_tokens": 300e6, "monthly_output_tokens": 100e6},
    "api": {"input_price_per_mtok": 2.5, "output_price_per_mtok": 10.0},
}


def _dotted_fields(model: type[BaseModel], prefix: str = "") -> list[str]:
    """Every field path of the schema, nested models included, read from the model itself."""
    out = []
    for name, info in model.model_fields.items():
        path = prefix + name
        out.append(path)
        annotation = info.annotation
        for candidate in (annotation, *getattr(annotation, "__args__", ())):
            if isinstance(candidate, type) and issubclass(candidate, BaseModel):
                out += _dotted_fields(candidate, path + ".")
    return out


def _set(body: dict, path: str, value) -> None:
    *parents, leaf = path.split(".")
    node = body
    for part in parents:
        if not isinstance(node.get(part), dict):
            node[part] = {}
        node = node[part]
    node[leaf] = value


json_scalars = (
    st.none() | st.booleans() | st.integers(min_value=-(10**20), max_value=10**20)
    | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=30)
)  # fmt: skip
json_values = st.recursive(
    json_scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)  # fmt: skip


@pytest.fixture(scope="module")
def tco_client(tmp_path_factory):
    from fastapi.testclient import TestClient

    from tools.settings import Settings
    from ui.server import create_app

    app = create_app(
        Settings(data_dir=tmp_path_factory.mktemp("fuzz")), ui="off", warm_knowledge=False
    )
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def _check_tco_answer(client, body) -> None:
    from tools.scenario import Scenario

    r = client.post(
        "/api/v1/tco",
        content=json.dumps(body, allow_nan=True),
        headers={"content-type": "application/json"},
    )
    assert r.status_code in (200, 422), (r.status_code, r.text[:500], body)
    if r.status_code == 200:
        for path in r.json()["paths"]:
            assert path["total"] is None or math.isfinite(path["total"])
        return
    answer = r.json()
    message = answer["message"]
    if isinstance(body, dict):
        field = answer.get("field") or message.split(":", 1)[0]
        # the rejection names a field of the schema or a key the caller sent
        assert field and field not in ("body", "None"), answer
        top = field.split(".", 1)[0]
        assert top in Scenario.model_fields or top in body, (field, body)
        assert message.startswith(field), answer


FIELDS = _dotted_fields(__import__("tools.scenario", fromlist=["Scenario"]).Scenario)


@hsettings(
    max_examples=800, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(edits=st.lists(st.tuples(st.sampled_from(FIELDS), json_values), min_size=1, max_size=4))
def test_fuzzed_scenarios_never_500_and_every_422_names_its_field(tco_client, edits):
    body = json.loads(json.dumps(VALID))
    for path, value in edits:
        _set(body, path, value)
    _check_tco_answer(tco_client, body)


@hsettings(
    max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=st.dictionaries(st.text(max_size=12) | st.sampled_from(FIELDS[:12]), json_values, max_size=6)
       | json_values)  # fmt: skip
@example(body={"Range": None})  # an unknown key named like a union member tag: was a 500
def test_arbitrary_json_bodies_never_500(tco_client, body):
    _check_tco_answer(tco_client, body)


def test_the_fuzz_fields_cover_the_schema():
    # a guard against the strategy silently shrinking: the schema has nested paths for every section
    for section in ("usage", "api", "rag", "vendor", "self_hosted", "operations", "constraints"):
        assert any(f.startswith(section + ".") for f in FIELDS), section


# ------------------------------------------------------------------------------------------------
# secrets
# ------------------------------------------------------------------------------------------------
API_KEY = "sk-canary-API-7f3a9d0c51e2"
PASSWORD = "pw-canary-AUTH-b81c44e9"


class _HostileLlm(BaseHTTPRequestHandler):
    """An OpenAI-compatible endpoint that misbehaves in turn: rejects the key quoting it back,
    fails with a 400 quoting it, then answers garbage."""

    calls = 0

    def do_POST(self):
        type(self).calls += 1
        self.rfile.read(int(self.headers.get("content-length") or 0))
        seen = self.headers.get("authorization", "")
        kind = type(self).calls % 3
        if kind == 1:
            status, body = (
                401,
                json.dumps({"error": {"message": f"Incorrect API key provided: {seen}"}}),
            )
        elif kind == 2:
            status, body = 400, json.dumps({"error": {"message": f"bad request from {seen}"}})
        else:
            status, body = 200, "<html>this is not JSON " + seen
        data = body.encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):  # keep the test output quiet
        pass


@pytest.fixture
def hostile_llm():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _HostileLlm)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    finally:
        server.shutdown()
        server.server_close()


def test_secrets_never_leak_into_logs_answers_exports_or_error_pages(
    tmp_path, hostile_llm, caplog, capsys
):
    import httpx
    from fastapi.testclient import TestClient
    from knowledge_helpers import FIXTURE_CORPUS

    from agent.advisor import Advisor
    from knowledge import KnowledgeBase
    from tools.settings import Settings
    from ui.handlers import create_share, panel_view
    from ui.server import create_app

    settings = Settings(
        data_dir=tmp_path / "data", llm="openai:gpt-4o-mini", llm_base_url=hostile_llm, llm_api_key=API_KEY,
        llm_timeout_s=5, auth="basic", auth_users={"alice": PASSWORD},
    )  # fmt: skip
    advisor = Advisor(settings, knowledge=KnowledgeBase(settings, corpus_dir=FIXTURE_CORPUS))
    app = create_app(settings, advisor, ui="off", warm_knowledge=False)
    good, bad = ("alice", PASSWORD), ("alice", PASSWORD[:-1] + "X")
    seen: list[str] = []
    caplog.set_level(logging.DEBUG)
    with TestClient(app, raise_server_exceptions=False) as client:

        def call(method: str, path: str, auth=None, **kwargs) -> httpx.Response:
            r = client.request(method, path, auth=auth, **kwargs)
            seen.append(f"{r.status_code} {dict(r.headers)} {r.text}")
            return r

        assert call("GET", "/api/v1/health").status_code == 401
        assert call("POST", "/api/v1/chat", auth=bad, json={"message": "hi"}).status_code == 401
        notices = []
        for message in (
            "We use 300M input and 100M output tokens a month on GPT-4o. Should we fine-tune?",
            "What if our volume doubles?",
            f"My key is not {API_KEY[:6]}, what is LoRA?",
        ):
            r = call(
                "POST", "/api/v1/chat", auth=good, json={"message": message, "session_id": "sec-1"}
            )
            assert r.status_code == 200, r.text
            notices += r.json()["notices"]
        assert _HostileLlm.calls >= 3  # every kind of failure was met
        assert any("offline brain" in n for n in notices), notices  # the answers say so
        call("POST", "/api/v1/chat", auth=good, json={"message": 5})
        call("POST", "/api/v1/chat", auth=good, json={"message": "x", "session_id": "../../etc"})
        call("GET", "/api/v1/sessions/sec-1", auth=good)
        call("GET", "/api/v1/sessions/nope", auth=good)
        call("GET", "/api/v1/sessions", auth=good)
        call(
            "POST",
            "/v1/chat/completions",
            auth=good,
            json={"messages": [{"role": "user", "content": "What is QLoRA?"}]},
        )
        call("GET", "/docs", auth=good)
        call("GET", "/openapi.json", auth=good)
        call("GET", "/no/such/page", auth=good)
        token = create_share(advisor, app.state.store, "sec-1", "alice")
        call("GET", f"/share/{token}", auth=good)
        exports = tmp_path / "exports"
        panel_view(advisor, "sec-1", exports)

    export_text = "".join(p.read_text(errors="replace") for p in exports.rglob("*") if p.is_file())
    assert export_text, "the export wrote no files"
    captured = capsys.readouterr()
    logs = "\n".join(f"{r.name} {r.getMessage()} {r.exc_text or ''}" for r in caplog.records)
    stored = b"".join(p.read_bytes() for p in (tmp_path / "data").rglob("*") if p.is_file())
    for secret in (API_KEY, PASSWORD, PASSWORD[:-1]):
        for where, text in (("responses", "\n".join(seen)), ("logs", logs), ("stdout", captured.out),
                            ("stderr", captured.err), ("exports", export_text)):  # fmt: skip
            assert secret not in text, f"{secret!r} leaked into {where}"
        assert secret.encode() not in stored, f"{secret!r} stored under the data dir"


# ------------------------------------------------------------------------------------------------
# uploads
# ------------------------------------------------------------------------------------------------
HOSTILE_NAMES = [
    "../../etc/passwd.md",
    "../outside.md",
    "..\\..\\windows\\evil.md",
    "/etc/absolute.md",
    "/tmp/../../root/x.txt",
    "notes\x00.md",
    "ok.md\x00../../x.md",
    "....//....//escape.md",
    "./././sub/../../esc.txt",
    "%2e%2e%2fencoded.md",
    "C:\\Windows\\drive.txt",
]


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_uploads_never_land_outside_the_documents_folder(tmp_path, name):
    from tools.settings import Settings
    from ui.handlers import UploadError, save_upload

    root = tmp_path / "root"
    settings = Settings(data_dir=root / "data")
    source = tmp_path / "incoming" / "upload.bin"
    source.parent.mkdir()
    source.write_text("# A note\n\nLoRA keeps the base weights frozen.\n")
    before = {p for p in tmp_path.rglob("*")}
    try:
        saved = save_upload(settings, source, name)
    except UploadError as error:
        assert str(error)  # refused with a reason
        saved = None
    documents = settings.resolved_documents_dir.resolve()
    created = {p for p in tmp_path.rglob("*")} - before
    for path in created:
        resolved = path.resolve()
        assert (
            resolved == documents or documents in resolved.parents or resolved in documents.parents
        ), path
    if saved is not None:
        assert (
            saved.parent == documents
            and "\x00" not in saved.name
            and ".." not in Path(saved.name).parts
        )
        assert saved.read_text().startswith("# A note")
    assert not Path("/etc/absolute.md").exists() and not (tmp_path / "outside.md").exists()


def test_upload_handler_refuses_wrong_types_and_sizes(tmp_path):
    from tools.settings import Settings
    from ui.handlers import UploadError, save_upload

    settings = Settings(data_dir=tmp_path / "data", max_upload_bytes=1_000)
    big = tmp_path / "big.md"
    big.write_text("x" * 1_001)
    exe = tmp_path / "tool.exe"
    exe.write_bytes(b"MZ\x00\x00")
    fake_pdf = tmp_path / "fake.pdf"
    fake_pdf.write_text("not a pdf")
    for path, reason in ((big, "over the limit"), (exe, "not accepted"), (fake_pdf, "not a PDF")):
        with pytest.raises(UploadError, match=reason):
            save_upload(settings, path)
    assert not settings.resolved_documents_dir.exists() or not any(
        settings.resolved_documents_dir.iterdir()
    )
