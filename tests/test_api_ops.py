"""Operations routes: readiness with the worker's heartbeat, Prometheus metrics behind an
address list or a token, and a request id that travels from the request to its jobs' logs."""

from __future__ import annotations

import json
import logging
from datetime import timedelta

import pytest
from sqlmodel import Session, select
from starlette.testclient import TestClient

from balie import worker
from balie.api import api
from balie.db import session_scope
from balie.db_types import utcnow
from balie.models import Job
from balie.observability import JsonFormatter
from balie.services import jobs
from balie.services.insight import metrics
from balie.services.request_context import reset_request_id, set_request_id
from balie.settings import get_settings
from tests.test_api_v1 import bare_client, book, client, free_slots  # noqa: F401 - fixtures

LOOPBACK = ("127.0.0.1", 50000)


def test_readyz_waits_for_the_background_worker(bare_client: TestClient) -> None:  # noqa: F811
    response = bare_client.get("/api/readyz")
    assert response.status_code == 503
    assert response.json() == {"ready": False, "database": True, "worker": False}
    worker.beat()
    assert bare_client.get("/api/readyz").json()["ready"] is True
    worker.beat(utcnow() - timedelta(minutes=5))  # a worker that stopped beating
    assert bare_client.get("/api/readyz").status_code == 503


def test_readyz_checks_redis_when_configured(
    bare_client: TestClient,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    worker.beat()
    monkeypatch.setenv("BALIE_REDIS_URL", "redis://127.0.0.1:1/0")  # nothing listens there
    get_settings.cache_clear()
    body = bare_client.get("/api/readyz").json()
    assert body["redis"] is False and body["ready"] is False


def test_metrics_only_for_allowed_addresses_or_the_token(
    bare_client: TestClient,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert bare_client.get("/api/metrics").status_code == 403  # "testclient" is no address
    with TestClient(api, base_url="http://localhost", client=LOOPBACK) as local:
        assert local.get("/api/metrics").status_code == 200
        # Through a proxy that is not trusted, X-Forwarded-For is not believed either way.
        spoofed = local.get("/api/metrics", headers={"X-Forwarded-For": "203.0.113.9"})
        assert spoofed.status_code == 200
    monkeypatch.setenv("BALIE_TRUSTED_PROXIES", '["127.0.0.1"]')
    monkeypatch.setenv("BALIE_METRICS_TOKEN", "s3cret-token")
    get_settings.cache_clear()
    with TestClient(api, base_url="http://localhost", client=LOOPBACK) as proxied:
        outside = {"X-Forwarded-For": "203.0.113.9"}
        assert proxied.get("/api/metrics", headers=outside).status_code == 403
        allowed = {**outside, "Authorization": "Bearer s3cret-token"}
        assert proxied.get("/api/metrics", headers=allowed).status_code == 200
        wrong = {**outside, "Authorization": "Bearer guess"}
        assert proxied.get("/api/metrics", headers=wrong).status_code == 403


def test_metrics_count_bookings_refusals_and_due_jobs(
    client: TestClient,  # noqa: F811
    session: Session,
) -> None:
    slot = free_slots(client)[0]
    assert book(client, slot["start"]).status_code == 201
    assert book(client, slot["start"]).status_code in (201, 409)
    metrics.count_refusal("rate_limit:test")
    # The confirmation e-mail is the background worker's: run its round (the timed mail call).
    jobs.run_due_jobs(session_scope, worker.job_context())
    with TestClient(api, base_url="http://localhost", client=LOOPBACK) as local:
        text = local.get("/api/metrics").text
    assert 'balie_bookings_total{channel="web",service="gas-boetes"}' in text
    assert 'balie_refusals_total{kind="rate_limit:test"} 1.0' in text
    assert 'balie_jobs{state="due"}' in text
    assert "balie_jobs_oldest_due_age_seconds" in text
    assert 'balie_outside_call_seconds_count{operation="send",target="mail"}' in text


def test_the_request_id_is_answered_and_stored_on_the_jobs(
    client: TestClient,  # noqa: F811
    session: Session,
) -> None:
    slot = free_slots(client)[0]
    response = client.post(
        "/api/v1/appointments",
        json={
            "service": "gas-boetes",
            "topic": "vraag-boete",
            "start": slot["start"],
            "name": "Jan Peeters",
            "email": "jan@example.be",
            "consent": True,
        },
        headers={"X-Request-ID": "trace-42"},
    )
    assert response.status_code == 201 and response.headers["X-Request-ID"] == "trace-42"
    kinds = {job.kind: job.request_id for job in session.exec(select(Job)).all()}
    assert kinds["meeting.create"] == "trace-42" and kinds["mail.confirmation"] == "trace-42"
    generated = client.get("/api/healthz", headers={"X-Request-ID": "no spaces allowed"})
    assert generated.headers["X-Request-ID"] != "no spaces allowed"


def test_json_log_lines_carry_the_request_id() -> None:
    record = logging.LogRecord("balie.jobs", logging.INFO, __file__, 1, "job %s done", (7,), None)
    token = set_request_id("trace-42")
    try:
        line = json.loads(JsonFormatter().format(record))
    finally:
        reset_request_id(token)
    assert line["message"] == "job 7 done" and line["request_id"] == "trace-42"
