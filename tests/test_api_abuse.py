"""The booking API under abuse: proof-of-work, 429 with Retry-After, API keys, spikes."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select
from starlette.testclient import TestClient

from balie.db_types import utcnow
from balie.models import AuditEntry
from balie.services.abuse import api_keys, challenge
from balie.services.catalogue import get_organisation
from balie.settings import get_settings
from tests import test_api_v1 as v1
from tests.test_api_v1 import book, booking_body, free_slots

bare_client = v1.bare_client  # the API fixtures of the main API tests
client = v1.client


def limits(monkeypatch: pytest.MonkeyPatch, **values: object) -> None:
    """Set abuse settings (BALIE_…) for this test."""
    for name, value in values.items():
        monkeypatch.setenv(f"BALIE_{name.upper()}", str(value))
    get_settings.cache_clear()


def solved(client: TestClient) -> str:
    """A solution of a fresh challenge from the API."""
    response = client.get("/api/v1/challenge")
    assert response.status_code == 200 and response.headers["cache-control"] == "no-store"
    data = response.json()
    issued = challenge.IssuedChallenge(
        data["algorithm"], data["challenge"], data["maxnumber"], data["salt"], data["signature"]
    )
    return challenge.solve(issued)


def post(client: TestClient, start: str, headers: dict[str, str], **changes: object):
    """POST a booking with ``headers``."""
    return client.post("/api/v1/appointments", json=booking_body(start, **changes), headers=headers)


def test_without_a_solved_challenge_nothing_is_booked(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    limits(monkeypatch, proof_of_work="true", proof_of_work_max_number=2000)
    start = free_slots(client)[0]["start"]
    refused = book(client, start)
    assert refused.status_code == 403 and refused.json()["error"] == "challenge_failed"
    payload = solved(client)
    assert post(client, start, {"X-Altcha": payload}).status_code == 201
    reused = post(client, free_slots(client)[1]["start"], {"X-Altcha": payload})
    assert reused.status_code == 403 and reused.json()["reason"] == "reused"


def test_a_flood_from_one_address_gets_429_with_retry_after(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    limits(monkeypatch, bookings_per_address_per_hour=2)
    slots = free_slots(client)
    for index in range(2):
        assert book(client, slots[index]["start"], email=f"c{index}@example.be").status_code == 201
    refused = book(client, slots[2]["start"], email="c9@example.be", phone=None)
    assert refused.status_code == 429
    assert refused.json()["error"] == "rate_limited"
    assert 3000 < int(refused.headers["retry-after"]) <= 3601


def test_too_many_active_bookings_for_one_email_get_429(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    limits(monkeypatch, active_bookings_per_service=1)
    slots = free_slots(client)
    assert book(client, slots[0]["start"]).status_code == 201
    refused = book(client, slots[1]["start"], email="JAN@example.be")
    assert refused.status_code == 429 and refused.json()["error"] == "too_many_active"
    assert refused.headers["retry-after"]


def test_an_api_key_skips_the_challenge_and_has_its_own_limit(
    client: TestClient, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    limits(monkeypatch, proof_of_work="true", bookings_per_address_per_hour=1)
    gent = get_organisation(session, "gent")
    made = api_keys.create_key(session, gent.id, "Partner", "Partner bv", 2, utcnow())
    slots = free_slots(client)
    key = {"X-Api-Key": made.secret}
    for index in range(2):
        answer = post(client, slots[index]["start"], key, email=f"k{index}@example.be")
        assert answer.status_code == 201, answer.text
    refused = post(client, slots[2]["start"], key, email="k9@example.be", phone=None)
    assert refused.status_code == 429 and refused.json()["error"] == "rate_limited"
    wrong = post(client, slots[2]["start"], {"X-Api-Key": "balie_wrong"}, email="w@example.be")
    assert wrong.status_code == 401 and wrong.json()["error"] == "invalid_api_key"


def test_a_flood_is_written_to_the_audit_log_once(
    client: TestClient, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    limits(monkeypatch, bookings_per_address_per_hour=2, spike_bookings_per_address=3)
    slots = free_slots(client)
    for index in range(5):
        book(client, slots[index]["start"], email=f"f{index}@example.be", phone=None)
    session.expire_all()
    entries = session.exec(select(AuditEntry).where(AuditEntry.action == "booking_spike")).all()
    assert [entry.detail["scope"] for entry in entries] == ["address"]


def test_the_openapi_document_describes_the_challenge_and_429(client: TestClient) -> None:
    document = client.get("/api/v1/openapi.json").json()
    post_op = document["paths"]["/api/v1/appointments"]["post"]
    assert {"X-Altcha", "X-Api-Key"} <= {p["name"] for p in post_op["parameters"]}
    assert "429" in post_op["responses"]
    assert "get" in document["paths"]["/api/v1/challenge"]
