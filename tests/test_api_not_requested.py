"""The RFC 8058 one-click target: POST cancels and suppresses, GET only leads to the page."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from sqlmodel import Session, select
from starlette.testclient import TestClient

from balie.models import Appointment
from balie.services.demo_data import load_demo_data
from balie.services.privacy import mail_suppression
from balie.settings import get_settings
from tests.test_api_v1 import BASE_URL, bare_client, booked, free_slots

__all__ = ["bare_client"]  # the fixture the client below builds on


@pytest.fixture
def client(session: Session, bare_client: TestClient) -> TestClient:
    """A client of the API on the test database with the Ghent demo data."""
    load_demo_data(session)
    return bare_client


def one_click(reference: str) -> str:
    """Path and query of the List-Unsubscribe address of ``reference``."""
    url = mail_suppression.one_click_url(
        BASE_URL, reference, get_settings().secret_key.get_secret_value()
    )
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def status_of(session: Session, reference: str) -> str:
    """The appointment's status in the database now."""
    session.expire_all()
    row = session.exec(select(Appointment).where(Appointment.reference == reference)).one()
    return str(row.status)


def suppressed(session: Session, email: str = "jan@example.be") -> bool:
    """Whether ``email`` is on the suppression list."""
    secret = get_settings().secret_key.get_secret_value()
    return mail_suppression.is_suppressed(session, email, secret)


def test_a_get_never_cancels_it_leads_to_the_page(client: TestClient, session: Session) -> None:
    reference = booked(client, free_slots(client)[0]["start"])["reference"]
    response = client.get(one_click(reference), follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith(f"{BASE_URL}/niet-aangevraagd?ref=")
    assert status_of(session, reference) == "booked" and not suppressed(session)


def test_the_one_click_post_cancels_and_suppresses(client: TestClient, session: Session) -> None:
    reference = booked(client, free_slots(client)[0]["start"])["reference"]
    response = client.post(
        one_click(reference),
        content="List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 200, response.text
    assert response.json() == {"reference": reference, "cancelled": True, "suppressed": True}
    assert status_of(session, reference) == "cancelled" and suppressed(session)


def test_a_wrong_token_is_404_and_changes_nothing(client: TestClient, session: Session) -> None:
    reference = booked(client, free_slots(client)[0]["start"])["reference"]
    wrong = one_click(reference).split("token=")[0] + "token=" + "0" * 64
    response = client.post(wrong, content="List-Unsubscribe=One-Click")
    assert response.status_code == 404
    assert status_of(session, reference) == "booked" and not suppressed(session)
