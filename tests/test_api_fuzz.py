"""Schemathesis fuzzing of /api/v1: no input, valid or not, may give a 5xx.

The API maps unexpected exceptions to 503, so a 503 here is a bug as much as a 500: the database
is up during the whole run. The examples are derandomized, so every run tries the same inputs.
The last test pins the inputs that once gave a 503 (some only on PostgreSQL), so they stay
covered whatever the fuzzer happens to draw.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from sqlalchemy import Engine
from sqlmodel import Session
from starlette.testclient import TestClient

from balie import db
from balie.api import api
from balie.services.demo_data import load_demo_data
from balie.settings import get_settings

# The app answers only its own hosts (localhost in development), not schemathesis' "testserver".
HOST = {"Host": "localhost"}
schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", api, headers=HOST)
by_reference = schema.include(path_regex=r"\{reference\}")
booking = schema.include(method="POST", path="/api/v1/appointments")

FUZZ = settings(
    max_examples=30,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
CITIZEN = {"name": "Jan Peeters", "email": "jan@example.be", "consent": True}


@dataclass(frozen=True)
class Owned:
    """A real appointment, the manage token that opens it and a free time for another booking."""

    reference: str
    token: str
    free_start: str


@pytest.fixture
def demo_api(
    session: Session, engine: Engine, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[TestClient]:
    """The API on the test database with the Ghent demo data."""
    monkeypatch.setenv("BALIE_DATABASE_URL", database_url)
    monkeypatch.setenv("BALIE_ORGANISATION", "gent")
    monkeypatch.setenv("BALIE_MEETING_PROVIDER", "jitsi")
    get_settings.cache_clear()
    db.forget_engines()
    load_demo_data(session)
    with TestClient(api, base_url="http://localhost") as client:
        yield client
    db.get_engine().dispose()
    get_settings.cache_clear()
    db.forget_engines()


def valid_booking(start: str) -> dict[str, Any]:
    """A booking body the API accepts."""
    return {"service": "gas-boetes", "topic": "vraag-boete", "start": start, **CITIZEN}


@pytest.fixture
def appointment(demo_api: TestClient) -> Owned:
    """A booking made through the API, two days or more from now."""
    first = datetime.now(ZoneInfo("Europe/Brussels")).date() + timedelta(days=2)
    query = f"from={first}&to={first + timedelta(days=7)}"
    slots = demo_api.get(f"/api/v1/services/gas-boetes/slots?{query}").json()["slots"]
    response = demo_api.post("/api/v1/appointments", json=valid_booking(slots[0]["start"]))
    assert response.status_code == 201, response.text
    made = response.json()
    token = parse_qs(urlsplit(made["manage_url"]).query)["token"][0]
    return Owned(made["reference"], token, slots[1]["start"])


def call_and_check(case: schemathesis.Case) -> None:
    """Send the case and fail on any 5xx, naming 503s (the app's 'unexpected error')."""
    response = case.call(headers=HOST)
    # An unknown host gets HttpGuard's plain-text 404; the API always answers JSON.
    assert response.content != b"Not Found", "the fuzzer must reach the API itself"
    assert response.status_code != 503, f"503 for {case.method} {case.formatted_path}"
    case.validate_response(response, checks=[not_a_server_error])


@schema.parametrize()
@FUZZ
def test_no_operation_answers_a_server_error(case: schemathesis.Case, demo_api: TestClient) -> None:
    """Any generated request (valid or not) gets a 2xx or 4xx."""
    call_and_check(case)


@by_reference.parametrize()
@FUZZ
def test_no_server_error_on_a_real_appointment(case: schemathesis.Case, appointment: Owned) -> None:
    """Generated bodies sent to a real appointment with its token get a 2xx or 4xx."""
    case.path_parameters["reference"] = appointment.reference
    case.headers = {**(case.headers or {}), "Authorization": f"Bearer {appointment.token}"}
    call_and_check(case)


@booking.parametrize()
@FUZZ
def test_no_server_error_for_a_real_service_and_citizen(
    case: schemathesis.Case, demo_api: TestClient
) -> None:
    """With a real service, topic and citizen, the generated start, phone etc. get a 2xx/4xx."""
    if isinstance(case.body, dict):
        case.body = {**case.body, "service": "gas-boetes", "topic": "vraag-boete", **CITIZEN}
    call_and_check(case)


HOSTILE = {
    "NUL in the service of a slots URL": (
        "GET",
        "/api/v1/services/gas%00boetes/slots?from=2030-01-07&to=2030-01-08",
        {},
        404,
    ),
    "NUL in a reference": ("GET", "/api/v1/appointments/AB%00CD", {"auth": True}, 404),
    "NUL in the service": ("POST", "/api/v1/appointments", {"book": {"service": "gas\x00"}}, 422),
    "NUL in the topic": ("POST", "/api/v1/appointments", {"book": {"topic": "vraag\x00"}}, 422),
    "NUL in the Idempotency-Key": (
        "POST",
        "/api/v1/appointments",
        {"book": {}, "headers": {"Idempotency-Key": "a\x00b"}},
        422,
    ),
    "a start in year 1": (
        "POST",
        "/api/v1/appointments",
        {"book": {"start": "0001-01-01T00:00:00+14:00"}},
        422,
    ),
    "a start in year 9999": (
        "POST",
        "/api/v1/appointments",
        {"book": {"start": "9999-12-31T23:59:59-23:59"}},
        422,
    ),
    "JSON nested 5000 deep": (
        "POST",
        "/api/v1/appointments",
        {"content": "[" * 5000 + "]" * 5000},
        400,
    ),
    "NUL in a cancel reason": (
        "POST",
        "/api/v1/appointments/{ref}/cancel",
        {"auth": True, "json": {"reason": "ziek\x00"}},
        422,
    ),
    "a lone surrogate in a cancel reason": (
        "POST",
        "/api/v1/appointments/{ref}/cancel",
        {"auth": True, "content": '{"reason": "ziek\\ud800"}'},
        422,
    ),
    "a new start in year 1": (
        "POST",
        "/api/v1/appointments/{ref}/reschedule",
        {"auth": True, "json": {"start": "0001-01-01T00:00:00Z"}},
        422,
    ),
    "a new start in year 9999": (
        "POST",
        "/api/v1/appointments/{ref}/reschedule",
        {"auth": True, "json": {"start": "9999-12-31T23:59:59-23:59"}},
        422,
    ),
}


def hostile_request(appointment: Owned, path: str, spec: dict[str, Any]) -> dict[str, Any]:
    """Keyword arguments for TestClient.request from a HOSTILE entry."""
    headers = dict(spec.get("headers", {}))
    if spec.get("auth"):
        headers["Authorization"] = f"Bearer {appointment.token}"
    kwargs: dict[str, Any] = {"url": path.format(ref=appointment.reference), "headers": headers}
    if "book" in spec:
        kwargs["json"] = {**valid_booking(appointment.free_start), **spec["book"]}
    if "json" in spec:
        kwargs["json"] = spec["json"]
    if "content" in spec:
        kwargs["content"] = spec["content"].encode()
        headers["Content-Type"] = "application/json"
    return kwargs


@pytest.mark.parametrize(("method", "path", "spec", "status"), HOSTILE.values(), ids=list(HOSTILE))
def test_inputs_that_once_gave_a_503_get_a_4xx(
    demo_api: TestClient,
    appointment: Owned,
    method: str,
    path: str,
    spec: dict[str, Any],
    status: int,
) -> None:
    """Each input found by fuzzing gets its proper client error, on SQLite and PostgreSQL."""
    response = demo_api.request(method, **hostile_request(appointment, path, spec))
    assert response.status_code == status, response.text
    mine = demo_api.get(
        f"/api/v1/appointments/{appointment.reference}",
        headers={"Authorization": f"Bearer {appointment.token}"},
    )
    assert mine.json()["status"] == "booked"
