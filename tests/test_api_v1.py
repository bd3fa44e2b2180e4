"""The public booking API under /api/v1: every endpoint and every status code it promises.

The API reads the real clock, so every time used here comes from the slots endpoint itself,
starting two days from today so that the booking notice never runs out during a test.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select
from starlette.testclient import TestClient

from balie import db
from balie.api import MAX_BODY_BYTES, api
from balie.models import Appointment, Service
from balie.services import booking as api_booking
from balie.services import catalogue_cache
from balie.services.demo_data import load_demo_data
from balie.settings import get_settings

TZ = ZoneInfo("Europe/Brussels")
BASE_URL = "https://balie.example.be"
NINE_SERVICES = {
    "energiecentrale",
    "woonwijzer",
    "verhuurderspunt",
    "mobiliteitsbedrijf",
    "oog",
    "stedenbouw",
    "milieu-klimaat",
    "gas-boetes",
    "burgerzaken",
}
SIX_PATHS = {
    "/api/v1/services",
    "/api/v1/services/{service}/slots",
    "/api/v1/appointments",
    "/api/v1/appointments/{reference}",
    "/api/v1/appointments/{reference}/cancel",
    "/api/v1/challenge",
    "/api/v1/appointments/{reference}/reschedule",
    "/api/v1/appointments/{reference}/documents",
    "/api/v1/appointments/{reference}/documents/{document}",
}


def _point_app_at(monkeypatch: pytest.MonkeyPatch, database_url: str) -> None:
    """Make the app's settings and shared engine use ``database_url``."""
    monkeypatch.setenv("BALIE_DATABASE_URL", database_url)
    monkeypatch.setenv("BALIE_PUBLIC_BASE_URL", BASE_URL)
    monkeypatch.setenv("BALIE_ORGANISATION", "gent")
    monkeypatch.setenv("BALIE_MEETING_PROVIDER", "jitsi")
    monkeypatch.setenv("BALIE_JITSI_BASE_URL", "https://meet.jit.si")
    get_settings.cache_clear()
    db.forget_engines()


def _forget_app_database() -> None:
    """Close the app's engine and forget the cached settings."""
    db.get_engine().dispose()
    get_settings.cache_clear()
    db.forget_engines()


@pytest.fixture
def bare_client(
    session: Session, engine: Engine, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[TestClient]:
    """A client of the API on the (empty) test database."""
    _point_app_at(monkeypatch, database_url)
    with TestClient(api, base_url="http://localhost") as client:
        yield client
    _forget_app_database()


@pytest.fixture
def client(session: Session, bare_client: TestClient) -> TestClient:
    """A client of the API on the test database with the Ghent demo data."""
    load_demo_data(session)
    return bare_client


def today() -> date:
    """Today in Ghent."""
    return datetime.now(TZ).date()


def slots_url(service: str, first: date, last: date) -> str:
    """URL of the slots of ``service`` between two days."""
    return f"/api/v1/services/{service}/slots?from={first.isoformat()}&to={last.isoformat()}"


def free_slots(client: TestClient, service: str = "gas-boetes") -> list[dict[str, Any]]:
    """Free slots of ``service`` in a week starting the day after tomorrow."""
    first = today() + timedelta(days=2)
    response = client.get(slots_url(service, first, first + timedelta(days=7)))
    assert response.status_code == 200, response.text
    slots = response.json()["slots"]
    assert len(slots) >= 2, "the demo data offers times every weekday"
    return slots


def booking_body(start: str, **changes: Any) -> dict[str, Any]:
    """A valid booking of GAS-boetes at ``start``, with ``changes`` applied."""
    body = {
        "service": "gas-boetes",
        "topic": "vraag-boete",
        "start": start,
        "name": "Jan Peeters",
        "email": "jan@example.be",
        "phone": "09 210 10 10",
        "language": "nl",
        "question": "Ik kreeg een boete voor foutparkeren.",
        "consent": True,
    }
    return {**body, **changes}


def book(client: TestClient, start: str, key: str | None = None, **changes: Any) -> httpx.Response:
    """POST a booking at ``start``."""
    headers = {"Idempotency-Key": key} if key else {}
    return client.post("/api/v1/appointments", json=booking_body(start, **changes), headers=headers)


def booked(client: TestClient, start: str, **changes: Any) -> dict[str, Any]:
    """Book at ``start`` and return the 201 body."""
    response = book(client, start, **changes)
    assert response.status_code == 201, response.text
    return response.json()


def token_of(appointment: dict[str, Any]) -> str:
    """The manage token in the appointment's manage_url."""
    return parse_qs(urlsplit(appointment["manage_url"]).query)["token"][0]


def bearer(token: str) -> dict[str, str]:
    """An Authorization header with ``token``."""
    return {"Authorization": f"Bearer {token}"}


def fill(client: TestClient, slot: dict[str, Any]) -> None:
    """Book every place of ``slot``."""
    for index in range(slot["capacity"]):
        booked(client, slot["start"], name=f"Burger {index}", email=f"burger{index}@example.be")


def appointment_url(reference: str, action: str = "") -> str:
    """URL of an appointment, or of one of its actions."""
    return f"/api/v1/appointments/{reference}" + (f"/{action}" if action else "")


def count_appointments(session: Session) -> int:
    """Number of appointment rows in the test database."""
    return len(session.exec(select(Appointment)).all())


# --- GET /api/v1/services ---------------------------------------------------------------


def test_services_lists_the_nine_live_services(client: TestClient) -> None:
    """All nine demo services, each with channel-tagged topics."""
    response = client.get("/api/v1/services")
    assert response.status_code == 200
    services = response.json()["services"]
    assert {service["slug"] for service in services} == NINE_SERVICES
    assert len(services) == 9
    for service in services:
        assert service["topics"], service["slug"]
        for topic in service["topics"]:
            assert topic["channel"] in ("video", "in_person")


def test_services_explain_why_a_topic_is_in_person_only(client: TestClient) -> None:
    """In-person topics carry a reason in Dutch and English; video topics carry none."""
    services = {s["slug"]: s for s in client.get("/api/v1/services").json()["services"]}
    topics = {t["slug"]: t for t in services["burgerzaken"]["topics"]}
    identity_card = topics["identiteitskaart"]
    assert identity_card["channel"] == "in_person"
    assert identity_card["reason"]["nl"] and identity_card["reason"]["en"]
    assert "fingerprints" in identity_card["reason"]["en"]
    for service in services.values():
        for topic in service["topics"]:
            if topic["channel"] == "video":
                assert "reason" not in topic, topic["slug"]
    assert "reason" not in topics["algemene-vraag"]


def test_services_answer_follows_an_administrators_change(
    client: TestClient, session: Session
) -> None:
    """The serialised answer is kept per catalogue version: a change shows at the next call."""
    first = client.get("/api/v1/services")
    assert client.get("/api/v1/services").content == first.content  # kept, the same bytes
    assert first.headers["content-type"] == "application/json"
    service = session.exec(select(Service).where(Service.slug == "oog")).one()
    service.name = {**service.name, "nl": "Ons Oog"}
    session.add(service)
    catalogue_cache.changed(session)  # what catalogue_admin does in every change
    session.commit()
    services = {s["slug"]: s for s in client.get("/api/v1/services").json()["services"]}
    assert services["oog"]["name"]["nl"] == "Ons Oog"


def test_services_without_an_organisation_is_503(bare_client: TestClient) -> None:
    """An empty database means the site is not configured: 503, not an empty list."""
    response = bare_client.get("/api/v1/services")
    assert response.status_code == 503
    assert response.json()["error"] == "not_configured"


def test_database_down_is_503_without_details(
    bare_client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When the database cannot be reached the answer is a plain 503."""
    monkeypatch.setenv("BALIE_DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:1/none")
    _forget_app_database()
    response = bare_client.get("/api/v1/services")
    assert response.status_code == 503
    assert response.json() == {"error": "unavailable", "message": "Please try again later."}


# --- GET /api/v1/services/{service}/slots ------------------------------------------------


def test_slots_have_times_with_offset_and_capacity(client: TestClient) -> None:
    """Times are ISO 8601 with the Brussels offset; every slot has room for someone."""
    first = today() + timedelta(days=2)
    response = client.get(slots_url("gas-boetes", first, first + timedelta(days=7)))
    assert response.status_code == 200
    body = response.json()
    assert body["service"] == "gas-boetes"
    assert body["time_zone"] == "Europe/Brussels"
    assert body["slots"]
    for slot in body["slots"]:
        for key in ("start", "end"):
            assert slot[key][-6:] in ("+01:00", "+02:00"), slot[key]
            assert datetime.fromisoformat(slot[key]).utcoffset() in (
                timedelta(hours=1),
                timedelta(hours=2),
            )
        start, end = datetime.fromisoformat(slot["start"]), datetime.fromisoformat(slot["end"])
        assert end - start == timedelta(minutes=20)
        assert start.date() >= first
        assert slot["capacity"] >= 1


def test_slots_of_an_unknown_service_is_404(client: TestClient) -> None:
    """A service that does not exist is 404."""
    response = client.get(slots_url("bestaat-niet", today(), today()))
    assert response.status_code == 404
    assert response.json()["error"] == "unknown_service"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("from=morgen&to=2026-01-01", "from"),
        ("from=2026-13-01&to=2026-12-31", "from"),
        ("from=2026-01-01&to=2026-02-30", "to"),
        ("to=2026-01-01", "from"),
        ("from=2026-01-01", "to"),
        ("", "from"),
    ],
)
def test_slots_with_a_bad_date_is_422(client: TestClient, query: str, field: str) -> None:
    """Dates must be YYYY-MM-DD; the answer names the bad one."""
    response = client.get(f"/api/v1/services/gas-boetes/slots?{query}")
    assert response.status_code == 422
    assert field in response.json()["fields"]


def test_slots_with_to_before_from_is_422(client: TestClient) -> None:
    """An empty range is refused."""
    first = today() + timedelta(days=2)
    response = client.get(slots_url("gas-boetes", first, first - timedelta(days=1)))
    assert response.status_code == 422
    assert "to" in response.json()["fields"]


def test_slots_accept_62_days_and_refuse_63(client: TestClient) -> None:
    """from..from+61 (62 days) is allowed; from..from+62 is one day too many."""
    first = today()
    allowed = client.get(slots_url("gas-boetes", first, first + timedelta(days=61)))
    assert allowed.status_code == 200
    assert allowed.json()["slots"]
    refused = client.get(slots_url("gas-boetes", first, first + timedelta(days=62)))
    assert refused.status_code == 422
    assert "62" in refused.json()["fields"]["to"]


# --- POST /api/v1/appointments -----------------------------------------------------------


def test_booking_answers_201_with_link_and_manage_url(client: TestClient) -> None:
    """A booking returns its reference, times, meeting link and private manage link."""
    slot = free_slots(client)[0]
    response = book(client, slot["start"])
    assert response.status_code == 201
    body = response.json()
    assert len(body["reference"]) == 9 and body["reference"][4] == "-"
    assert body["status"] == "booked"
    assert body["start"] == slot["start"]
    assert body["end"] == slot["end"]
    assert body["service"] == "gas-boetes"
    assert body["topic"] == "vraag-boete"
    assert body["join_url"].startswith("https://meet.jit.si/")
    assert body["meeting_state"] == "ready"
    manage = urlsplit(body["manage_url"])
    assert body["manage_url"].startswith(f"{BASE_URL}/afspraak?")
    assert parse_qs(manage.query)["ref"] == [body["reference"]]
    assert len(token_of(body)) >= 32


def test_the_same_idempotency_key_books_once(client: TestClient, session: Session) -> None:
    """A retried request with the same key answers 200 with the same appointment."""
    slot = free_slots(client)[0]
    first = book(client, slot["start"], key="retry-123")
    again = book(client, slot["start"], key="retry-123")
    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json()["reference"] == first.json()["reference"]
    assert again.json()["manage_url"] == first.json()["manage_url"]
    assert count_appointments(session) == 1


def test_booking_a_full_time_is_409(client: TestClient, session: Session) -> None:
    """Once every counsellor is booked at a time, the next booking is refused."""
    slot = free_slots(client)[0]
    fill(client, slot)
    response = book(client, slot["start"], name="Te Laat", email="laat@example.be")
    assert response.status_code == 409
    assert response.json()["error"] == "slot_taken"
    assert count_appointments(session) == slot["capacity"]


def test_bad_citizen_details_are_422_per_field(client: TestClient, session: Session) -> None:
    """Each bad detail gets its own message, in the citizen's language."""
    slot = free_slots(client)[0]
    response = book(
        client,
        slot["start"],
        name=" ",
        email="geen-adres",
        phone="12",
        consent=False,
        language="en",
    )
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "invalid"
    assert {"name", "email", "phone", "consent"} <= set(body["fields"])
    assert body["fields"]["name"] == "Enter your name."
    assert all(isinstance(message, str) and message for message in body["fields"].values())
    assert count_appointments(session) == 0


@pytest.mark.parametrize(
    ("changes", "field"),
    [({"service": "bestaat-niet"}, "service"), ({"topic": "bestaat-niet"}, "topic")],
)
def test_unknown_service_or_topic_is_422(
    client: TestClient, changes: dict[str, str], field: str
) -> None:
    """An unknown service or topic is a field error."""
    slot = free_slots(client)[0]
    response = book(client, slot["start"], **changes)
    assert response.status_code == 422
    assert field in response.json()["fields"]


def test_a_start_without_offset_is_422(client: TestClient, session: Session) -> None:
    """The API never guesses a time zone."""
    slot = free_slots(client)[0]
    naive = datetime.fromisoformat(slot["start"]).replace(tzinfo=None).isoformat()
    response = book(client, naive)
    assert response.status_code == 422
    assert "start" in response.json()["fields"]
    assert count_appointments(session) == 0


def test_an_in_person_topic_is_400_with_its_reason(client: TestClient) -> None:
    """Topics that cannot go by video are refused with the reason in both languages."""
    slot = free_slots(client, "burgerzaken")[0]
    response = book(
        client, slot["start"], service="burgerzaken", topic="identiteitskaart", language="en"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "in_person_only"
    assert body["reason"]["nl"] and body["reason"]["en"]
    assert body["message"] == body["reason"]["en"]


def test_invalid_json_is_400(client: TestClient) -> None:
    """A body that is not JSON is a 400."""
    response = client.post(
        "/api/v1/appointments",
        content=b'{"service": "gas-boetes",',
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_json"


def test_a_body_over_16_kib_is_413(client: TestClient, session: Session) -> None:
    """Large bodies are refused before they are parsed."""
    slot = free_slots(client)[0]
    body = booking_body(slot["start"], question="x" * MAX_BODY_BYTES)
    response = client.post("/api/v1/appointments", json=body)
    assert response.status_code == 413
    assert response.json()["error"] == "too_large"
    assert count_appointments(session) == 0


def test_an_idempotency_key_over_128_characters_is_422(
    client: TestClient, session: Session
) -> None:
    """Keys are limited to 128 characters; 128 itself is fine."""
    slot = free_slots(client)[0]
    too_long = book(client, slot["start"], key="k" * 129)
    assert too_long.status_code == 422
    assert "Idempotency-Key" in too_long.json()["fields"]
    assert count_appointments(session) == 0
    assert book(client, slot["start"], key="k" * 128).status_code == 201


def test_unknown_fields_are_422(client: TestClient, session: Session) -> None:
    """The body schema is closed: an extra field is named in the answer."""
    slot = free_slots(client)[0]
    response = book(client, slot["start"], staff_id=1)
    assert response.status_code == 422
    assert "staff_id" in response.json()["fields"]
    assert count_appointments(session) == 0


# --- GET /api/v1/appointments/{reference} ------------------------------------------------


def test_get_with_the_manage_token_is_200(client: TestClient) -> None:
    """The bearer token from the manage link opens the appointment."""
    slot = free_slots(client)[0]
    made = booked(client, slot["start"])
    response = client.get(appointment_url(made["reference"]), headers=bearer(token_of(made)))
    assert response.status_code == 200
    assert response.json() == made


def test_get_without_the_right_token_is_404(client: TestClient) -> None:
    """Wrong or missing token, or unknown reference: the same 404, with no hint which."""
    slot = free_slots(client)[0]
    made = booked(client, slot["start"])
    url = appointment_url(made["reference"])
    wrong = client.get(url, headers=bearer("0" * 64))
    missing = client.get(url)
    unknown = client.get(appointment_url("AAAA-AAAA"), headers=bearer(token_of(made)))
    not_bearer = client.get(url, headers={"Authorization": f"Basic {token_of(made)}"})
    for response in (wrong, missing, unknown, not_bearer):
        assert response.status_code == 404
    assert wrong.json() == missing.json() == unknown.json() == not_bearer.json()
    assert wrong.json()["error"] == "not_found"


# --- POST /api/v1/appointments/{reference}/cancel ----------------------------------------


def test_cancel_is_200_then_409(client: TestClient) -> None:
    """Cancelling removes the link; a second cancel is refused."""
    slot = free_slots(client)[0]
    made = booked(client, slot["start"])
    url, auth = appointment_url(made["reference"], "cancel"), bearer(token_of(made))
    response = client.post(url, json={"reason": "Ik ben ziek"}, headers=auth)
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert response.json()["join_url"] is None
    again = client.post(url, json={}, headers=auth)
    assert again.status_code == 409
    assert again.json()["error"] == "not_changeable"


def test_cancel_with_a_wrong_token_is_404(client: TestClient) -> None:
    """A wrong token cancels nothing."""
    slot = free_slots(client)[0]
    made = booked(client, slot["start"])
    response = client.post(
        appointment_url(made["reference"], "cancel"), json={}, headers=bearer("0" * 64)
    )
    assert response.status_code == 404
    still = client.get(appointment_url(made["reference"]), headers=bearer(token_of(made)))
    assert still.json()["status"] == "booked"


# --- POST /api/v1/appointments/{reference}/reschedule ------------------------------------


def test_reschedule_moves_the_time_and_keeps_the_link(client: TestClient) -> None:
    """The appointment gets the new start and keeps its meeting link."""
    first, second = free_slots(client)[:2]
    made = booked(client, first["start"])
    response = client.post(
        appointment_url(made["reference"], "reschedule"),
        json={"start": second["start"]},
        headers=bearer(token_of(made)),
    )
    assert response.status_code == 200
    moved = response.json()
    assert moved["start"] == second["start"] != made["start"]
    assert moved["end"] == second["end"]
    assert moved["join_url"] == made["join_url"]
    assert moved["reference"] == made["reference"]


def test_reschedule_to_a_full_time_is_409_and_keeps_the_old_time(client: TestClient) -> None:
    """A move to a full time fails without losing the current time."""
    first, second = free_slots(client)[:2]
    made = booked(client, first["start"])
    fill(client, second)
    auth = bearer(token_of(made))
    response = client.post(
        appointment_url(made["reference"], "reschedule"),
        json={"start": second["start"]},
        headers=auth,
    )
    assert response.status_code == 409
    assert response.json()["error"] == "slot_taken"
    now = client.get(appointment_url(made["reference"]), headers=auth)
    assert now.status_code == 200
    assert now.json()["start"] == first["start"]


def test_reschedule_with_a_wrong_token_is_404(client: TestClient) -> None:
    """A wrong token moves nothing."""
    first, second = free_slots(client)[:2]
    made = booked(client, first["start"])
    response = client.post(
        appointment_url(made["reference"], "reschedule"),
        json={"start": second["start"]},
        headers=bearer("0" * 64),
    )
    assert response.status_code == 404
    still = client.get(appointment_url(made["reference"]), headers=bearer(token_of(made)))
    assert still.json()["start"] == first["start"]


# --- GET /api/v1/openapi.json ------------------------------------------------------------


def test_openapi_document_describes_the_six_operations(client: TestClient) -> None:
    """The OpenAPI 3 document lists every path of the API."""
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.")
    assert set(document["paths"]) == SIX_PATHS


def test_a_locked_database_answers_busy_with_retry_after(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite's write lock timing out is a 503 the client may retry, never a 500."""
    start = free_slots(client)[0]["start"]

    def locked(*_args: Any, **_kwargs: Any) -> None:
        raise api_booking.Busy("database is locked")

    monkeypatch.setattr(api_booking, "book", locked)
    response = book(client, start)
    assert response.status_code == 503
    assert response.headers["retry-after"] == "2"
    assert response.json()["error"] == "busy"
