"""HTTP routes next to the Reflex app."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from starlette.testclient import TestClient

from balie import api, db


def test_healthz_reports_the_database(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(api, "get_engine", lambda: engine)
    response = TestClient(api.api).get("/api/healthz")
    assert response.status_code == 200
    assert response.json() == {"ok": True, "database": True}


def test_healthz_says_503_when_the_database_is_gone(monkeypatch: pytest.MonkeyPatch) -> None:
    broken = db.make_engine("postgresql+psycopg://nobody@127.0.0.1:1/none")
    monkeypatch.setattr(api, "get_engine", lambda: broken)
    response = TestClient(api.api).get("/api/healthz")
    assert response.status_code == 503
    assert response.json()["database"] is False
