"""HTTP routes next to the Reflex app."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from starlette.responses import PlainTextResponse
from starlette.routing import Mount
from starlette.testclient import TestClient

from balie import api, db


def test_healthz_reports_the_database(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(api, "get_engine", lambda: engine)
    response = TestClient(api.api, base_url="http://localhost").get("/api/healthz")
    assert response.status_code == 200
    assert response.json() == {"ok": True, "database": True}


def test_healthz_says_503_when_the_database_is_gone(monkeypatch: pytest.MonkeyPatch) -> None:
    broken = db.make_engine("postgresql+psycopg://nobody@127.0.0.1:1/none")
    monkeypatch.setattr(api, "get_engine", lambda: broken)
    response = TestClient(api.api, base_url="http://localhost").get("/api/healthz")
    assert response.status_code == 503
    assert response.json()["database"] is False


@pytest.fixture
def site(monkeypatch: pytest.MonkeyPatch) -> TestClient:
    """The API with a stand-in for the Reflex app mounted behind it, as Reflex does at start."""
    reflex_app = Mount("", app=PlainTextResponse("Not Found", status_code=404))
    monkeypatch.setattr(api.api.router, "routes", [*api.api.router.routes, reflex_app])
    return TestClient(api.api, base_url="http://localhost")


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("GET", "/api/v1/appointments", "OPTIONS, POST"),
        ("DELETE", "/api/v1/appointments/ABC", "GET, HEAD, OPTIONS"),
        ("PUT", "/api/v1/services", "GET, HEAD, OPTIONS"),
    ],
)
def test_a_wrong_method_is_405_with_allow(
    site: TestClient, method: str, path: str, allow: str
) -> None:
    response = site.request(method, path)
    assert response.status_code == 405
    assert response.headers["allow"] == allow
    assert response.json()["error"] == "method_not_allowed"


def test_options_says_which_methods_a_path_has(site: TestClient) -> None:
    response = site.options("/api/v1/appointments/ABC/reschedule")
    assert response.status_code == 204
    assert response.headers["allow"] == "OPTIONS, POST"


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/nothing",
        "/api/v1/appointments/A/B/C",
        "/api/%0A",
        "/api/v1/x%0Ay/z",
        "/api/v1/appointments/AB%0A/cancel",
    ],
)
def test_any_other_api_address_is_a_json_404(site: TestClient, path: str) -> None:
    response = site.get(path)
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"


def test_pages_still_reach_the_reflex_app(site: TestClient) -> None:
    assert site.get("/boeken").text == "Not Found"  # the stand-in answered, not the API
