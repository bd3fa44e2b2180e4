"""HttpGuard: security headers on every answer, unknown hosts refused, big bodies cut off early."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import HTMLResponse, PlainTextResponse
from starlette.routing import Mount
from starlette.testclient import TestClient

from balie import api as api_module
from balie import http_guard
from balie.api import MAX_BODY_BYTES, api
from balie.settings import get_settings

MIB = 1024 * 1024
CHUNK = 64 * 1024


@pytest.fixture
def settings_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """Settings re-read from the environment for each test (and forgotten afterwards)."""
    monkeypatch.delenv("BALIE_ENV", raising=False)
    monkeypatch.delenv("BALIE_PUBLIC_BASE_URL", raising=False)
    get_settings.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()


@pytest.fixture
def site(settings_env: pytest.MonkeyPatch, monkeypatch: pytest.MonkeyPatch) -> TestClient:
    """The API with a stand-in for the Reflex app that Reflex mounts behind it (pages, assets)."""
    pages = Starlette(routes=[Mount("", app=HTMLResponse("<html>page</html>"))])
    monkeypatch.setattr(api.router, "routes", [*api.router.routes, Mount("", app=pages)])
    return TestClient(api, base_url="http://localhost", follow_redirects=False)


def production(monkeypatch: pytest.MonkeyPatch) -> None:
    """Switch the settings to production on https://balie.stad.gent."""
    monkeypatch.setenv("BALIE_ENV", "production")
    monkeypatch.setenv("BALIE_PUBLIC_BASE_URL", "https://balie.stad.gent")
    get_settings.cache_clear()


@pytest.mark.parametrize("path", ["/", "/boeken", "/medewerkers", "/assets/x.js", "/api/healthz"])
def test_every_answer_has_the_security_headers(site: TestClient, path: str) -> None:
    headers = site.get(path).headers
    policy = headers["content-security-policy"]
    for directive in ("frame-ancestors 'none'", "object-src 'none'", "base-uri 'self'"):
        assert directive in policy
    assert "ws://localhost:8000" in policy  # the /_event websocket of the app's own origin
    assert "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"
    assert "camera=()" in headers["permissions-policy"]
    assert "strict-transport-security" not in headers  # development runs on http


@pytest.mark.parametrize(
    ("path", "stored"),
    [
        ("/medewerkers", False),
        ("/medewerkers/week", False),
        ("/beheer/audit", False),
        ("/statistieken", False),
        ("/api/v1/appointments/ABC", False),
        ("/", True),
        ("/boeken", True),
        ("/api/v1/services", True),
    ],
)
def test_staff_pages_and_personal_data_are_never_cached(
    site: TestClient, path: str, stored: bool
) -> None:
    assert (site.get(path).headers.get("cache-control") != "no-store") is stored


def test_staff_sign_in_answers_are_never_cached(site: TestClient) -> None:
    assert site.post("/api/staff/logout").headers["cache-control"] == "no-store"


def test_production_adds_hsts(site: TestClient, settings_env: pytest.MonkeyPatch) -> None:
    production(settings_env)
    response = site.get("https://balie.stad.gent/boeken")
    assert response.headers["strict-transport-security"].startswith("max-age=")
    assert "wss://balie.stad.gent" in response.headers["content-security-policy"]


def test_the_policy_lists_each_inline_script_of_the_build(tmp_path: Path) -> None:
    (tmp_path / "medewerkers").mkdir()
    (tmp_path / "index.html").write_text(
        '<script>alert("a")</script><script type="module" src="/x.js"></script>'
    )
    (tmp_path / "medewerkers" / "index.html").write_text("<script id='_R_'>b()</script>")
    hashes = http_guard.inline_script_hashes(tmp_path)
    # sha256 of the script text, base64, as the browser computes it; src= scripts need none
    assert hashes == tuple(sorted(csp_hash(text) for text in ('alert("a")', "b()")))


def csp_hash(text: str) -> str:
    """The CSP source for an inline script with ``text``."""
    return f"'sha256-{base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()}'"


@pytest.mark.parametrize("host", ["evil.example", "localhost.evil.example", "[::2]"])
def test_a_foreign_host_gets_a_plain_404(site: TestClient, host: str) -> None:
    response = site.get("/medewerkers", headers={"host": host})
    assert response.status_code == 404
    assert response.text == "Not Found"
    assert response.headers["content-type"].startswith("text/plain")
    assert "location" not in response.headers
    assert response.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("host", ["localhost:8000", "127.0.0.1", "[::1]:3000"])
def test_loopback_hosts_are_answered_in_development(site: TestClient, host: str) -> None:
    assert site.get("/api/healthz", headers={"host": host}).status_code != 400


def test_production_answers_only_the_public_host(
    site: TestClient, settings_env: pytest.MonkeyPatch
) -> None:
    production(settings_env)
    assert site.get("https://balie.stad.gent/boeken").status_code == 200
    assert site.get("https://balie.stad.gent:443/boeken").status_code == 200
    assert site.get("http://localhost/boeken").status_code == 404


def test_cors_never_reflects_a_foreign_origin_with_credentials(settings_env) -> None:
    """CORS as Reflex sets it up (credentials allowed) with the default development origins."""
    app = CORSMiddleware(
        PlainTextResponse("ok"),
        allow_origins=get_settings().allowed_origins(),
        allow_credentials=True,
        allow_methods=["*"],
        allow_headers=["*"],
    )
    client = TestClient(app, base_url="http://localhost")
    client.cookies.set("balie_staff", "x")
    foreign = client.get("/", headers={"origin": "https://evil.example"})
    assert "access-control-allow-origin" not in foreign.headers
    preflight = client.options(
        "/",
        headers={"origin": "https://evil.example", "access-control-request-method": "POST"},
    )
    assert preflight.headers.get("access-control-allow-origin") != "https://evil.example"
    own = client.get("/", headers={"origin": "http://localhost:8000"})
    assert own.headers["access-control-allow-origin"] == "http://localhost:8000"


def run_asgi(
    path: str, headers: list[tuple[bytes, bytes]], total: int, kind: bytes = b"application/json"
) -> tuple[int, int, dict]:
    """POST ``total`` bytes in 64 KiB chunks straight into the app; (bytes read, status, body)."""
    pulled = 0
    answer: dict = {}
    chunk = b"x" * CHUNK

    async def receive() -> dict:
        nonlocal pulled
        if pulled >= total:
            return {"type": "http.request", "body": b"", "more_body": False}
        pulled += CHUNK
        return {"type": "http.request", "body": chunk, "more_body": pulled < total}

    async def send(message: dict) -> None:
        if message["type"] == "http.response.start":
            answer["status"] = message["status"]
        elif message["type"] == "http.response.body":
            answer["body"] = answer.get("body", b"") + message.get("body", b"")

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"localhost"), (b"content-type", kind), *headers],
        "client": ("127.0.0.1", 5000),
        "server": ("localhost", 80),
    }
    asyncio.run(api(scope, receive, send))
    return pulled, answer["status"], answer


@pytest.mark.parametrize(
    "path", ["/api/v1/appointments", "/api/v1/appointments/ABC/cancel", "/api/staff/login"]
)
def test_a_declared_64_mib_body_is_refused_before_reading(settings_env, path: str) -> None:
    length = str(64 * MIB).encode()
    pulled, status, _answer = run_asgi(path, [(b"content-length", length)], 64 * MIB)
    assert status == 413
    assert pulled == 0


def test_a_streamed_64_mib_body_is_cut_off_after_the_limit(settings_env) -> None:
    tracemalloc.start()
    pulled, status, answer = run_asgi("/api/v1/appointments", [], 64 * MIB)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert status == 413
    assert b"too_large" in answer["body"]
    assert pulled <= MAX_BODY_BYTES + CHUNK
    assert peak < 4 * MIB  # never the whole body in memory


def test_a_streamed_form_over_the_limit_is_413(settings_env) -> None:
    form = b"application/x-www-form-urlencoded"
    pulled, status, _answer = run_asgi("/api/staff/login", [], 64 * MIB, form)
    assert (status, pulled <= MAX_BODY_BYTES + CHUNK) == (413, True)


def test_a_content_length_that_is_not_a_number_is_400(settings_env) -> None:
    _pulled, status, _answer = run_asgi("/api/v1/appointments", [(b"content-length", b"x")], 10)
    assert status == 400


def test_the_api_limit_is_the_guard_limit() -> None:
    assert api_module.MAX_BODY_BYTES == http_guard.MAX_API_BODY_BYTES == 16_384


def reflex_like() -> Starlette:
    """The API mounted as Reflex's top-level app mounts it (with CORS, credentials allowed)."""
    top = Starlette()
    top.mount("", api)
    top.add_middleware(
        CORSMiddleware,
        allow_origins=["http://localhost:8000"],
        allow_credentials=True,
        allow_methods=["*"],
        allow_headers=["*"],
    )
    return top


def test_the_outer_guard_answers_json_for_api_paths_with_a_newline(settings_env) -> None:
    path = "/api/v1/appointments/AB%0A/cancel"
    unguarded = TestClient(reflex_like(), base_url="http://localhost").get(path)
    assert unguarded.headers["content-type"].startswith("text/plain")  # Starlette's own 404
    response = TestClient(http_guard.HttpGuard(reflex_like()), base_url="http://localhost").get(
        path
    )
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"


def test_cors_preflights_get_the_headers_and_the_guard_runs_once(
    settings_env, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    real = http_guard.security_headers

    def counted(path: str, settings: object, *scope: object) -> list:
        calls.append(path)
        return real(path, settings, *scope)

    monkeypatch.setattr(http_guard, "security_headers", counted)
    client = TestClient(http_guard.HttpGuard(reflex_like()), base_url="http://localhost")
    preflight = client.options(
        "/api/staff/login",
        headers={"origin": "http://localhost:8000", "access-control-request-method": "POST"},
    )
    assert preflight.status_code == 200
    assert preflight.headers["x-content-type-options"] == "nosniff"
    client.get("/api/healthz")
    assert calls == ["/api/staff/login", "/api/healthz"]  # the guard inside `api` stood aside


@pytest.fixture
def built_pages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A build folder laid out as Reflex builds it: a page with sub-pages is also a folder."""
    for name in ("index.html", "boeken.html", "boeken/index.html", "boeken/bevestigd/index.html"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(f"<html>{name}</html>")
    monkeypatch.setattr(http_guard, "_build_dir", lambda: tmp_path)
    return tmp_path


def test_a_page_that_is_also_a_folder_is_served_without_a_redirect(
    settings_env: pytest.MonkeyPatch, built_pages: Path
) -> None:
    from reflex.utils.precompressed_staticfiles import PrecompressedStaticFiles

    static = Starlette(
        routes=[Mount("", app=PrecompressedStaticFiles(directory=built_pages, html=True))]
    )
    bare = TestClient(static, base_url="http://localhost", follow_redirects=False)
    assert bare.get("/boeken").status_code == 307  # what Starlette alone does
    guarded = TestClient(
        http_guard.HttpGuard(static), base_url="http://localhost", follow_redirects=False
    )
    for path in ("/boeken", "/boeken?service=oog", "/boeken/", "/boeken/bevestigd"):
        answer = guarded.get(path)
        assert answer.status_code == 200, path
        assert "frame-ancestors 'none'" in answer.headers["content-security-policy"]
    assert guarded.get("/boeken").text == "<html>boeken/index.html</html>"
    assert guarded.head("/boeken").status_code == 200
    assert guarded.get("/nergens").status_code == 404
    assert http_guard.page_folders() == {"/boeken", "/boeken/bevestigd"}


def upload_through_guard(headers: list[tuple[bytes, bytes]], total: int) -> tuple[int, int]:
    """POST ``total`` bytes to Reflex's /_upload behind the guard; (bytes read, status)."""
    pulled = 0
    answer: dict = {}

    async def reads_everything(scope: dict, receive: object, send: object) -> None:
        while (await receive())["more_body"]:
            pass
        await PlainTextResponse("stored")(scope, receive, send)

    async def receive() -> dict:
        nonlocal pulled
        pulled += CHUNK
        return {"type": "http.request", "body": b"x" * CHUNK, "more_body": pulled < total}

    async def send(message: dict) -> None:
        if message["type"] == "http.response.start":
            answer["status"] = message["status"]

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/_upload",
        "headers": [(b"host", b"localhost"), *headers],
        "client": ("127.0.0.1", 5000),
    }
    asyncio.run(http_guard.HttpGuard(reads_everything)(scope, receive, send))
    return pulled, answer["status"]


def test_uploads_are_limited_to_three_documents_of_the_maximum_size(settings_env) -> None:
    settings_env.setenv("BALIE_DOCUMENT_MAX_BYTES", str(MIB))
    get_settings.cache_clear()
    limit = 3 * MIB + http_guard.UPLOAD_OVERHEAD_BYTES
    declared = [(b"content-length", str(64 * MIB).encode())]
    assert upload_through_guard(declared, 64 * MIB) == (0, 413)
    pulled, status = upload_through_guard([], 64 * MIB)  # no length: cut off while streaming
    assert status == 413 and pulled <= limit + CHUNK
    assert upload_through_guard([], 2 * MIB)[1] == 200
