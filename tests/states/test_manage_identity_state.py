"""The manage page of an appointment that needed identification: the documents need the link AND
a live sign-in of the same person in this browser; time and cancelling keep the link alone."""

from __future__ import annotations

from datetime import timedelta

import pytest
from reflex.istate.data import RouterData
from sqlalchemy import Engine
from sqlmodel import Session, select

from balie.db_types import utcnow
from balie.models import Appointment, CitizenSignIn, Topic
from balie.services.booking import manage_token_for
from balie.services.demo_data import load_demo_data
from balie.services.identity import signin
from balie.states.manage import ManageState
from tests.clamav import ClamAV
from tests.samples import pdf_document
from tests.services.documents.test_documents import book
from tests.states.test_documents_state import send, stored, upload

JAN_HASH = "ab" * 32


def signed_in(
    session: Session, value: str, number_hash: str | None = JAN_HASH, birth: str = "1985-07-30"
) -> str:
    """A verified sign-in in the database; the Cookie header that holds it."""
    session.add(
        CitizenSignIn(
            cookie_hash=signin.cookie_hash(value),
            required_level="substantial",
            expires_at=utcnow() + timedelta(minutes=30),
            verified_at=utcnow(),
            level="substantial",
            method="itsme",
            name="Jan Peeters",
            birth_date=birth,
            number_hash=number_hash,
        )
    )
    session.commit()
    return f"{signin.COOKIE}={value}"


def identified(session: Session, days: int = 1) -> Appointment:
    """An appointment of the demo topic that needs identification, booked by Jan Peeters."""
    appointment = book(session, days, service_slug="burgerzaken")
    topic = session.exec(select(Topic).where(Topic.slug == "adreswijziging")).one()
    appointment.topic_id = topic.id
    appointment.identity_level = "substantial"
    appointment.identity_method = "itsme"
    appointment.identity_verified_at = utcnow() - timedelta(days=1)
    appointment.identity_name = "Jan Peeters"
    appointment.identity_birth_date = "1985-07-30"
    appointment.identity_number_hash = JAN_HASH
    session.add(appointment)
    session.commit()
    return appointment


def page(appointment: Appointment, cookie: str = "") -> ManageState:
    """The manage page opened with the personal link, in a browser with this Cookie header."""
    reference = appointment.reference
    token = manage_token_for(reference, "s")
    state = ManageState(_reflex_internal_init=True)
    state.router = RouterData.from_router_data(
        {
            "pathname": "/afspraak",
            "asPath": f"/afspraak?ref={reference}&token={token}",
            "headers": {"cookie": cookie},
            "ip": "203.0.113.8",
        }
    )
    ManageState.load.fn(state)
    return state


@pytest.fixture
def demo(session: Session, app_database: Engine, scanning: ClamAV) -> None:
    """Demo data, with the app pointed at the test ClamAV."""
    load_demo_data(session)


def test_the_link_alone_shows_the_sign_in_and_refuses_uploads(session: Session, demo) -> None:
    appointment = identified(session)
    state = page(appointment)
    assert state.found and state.can_change  # time and cancelling: the link is enough
    assert state.documents_locked and not state.can_upload and not state.signed_in_other
    assert state.requested_documents  # what to prepare is no secret
    start = state.identity_start_url
    assert "/api/identity/start?afspraak=" in start and f"{appointment.reference}" in start
    send(ManageState, state, upload("huurcontract.pdf", pdf_document()))
    assert state.document_message == "doc_sign_in_needed" and stored(session) == []


def test_the_link_and_a_sign_in_of_the_same_person_share_documents(session: Session, demo) -> None:
    appointment = identified(session)
    state = page(appointment, signed_in(session, "jan-cookie"))
    assert not state.documents_locked and state.can_upload and state.identity_start_url == ""
    send(ManageState, state, upload("huurcontract.pdf", pdf_document()))
    assert state.document_message == "doc_uploaded"
    assert [d.filename for d in state.documents] == ["huurcontract.pdf"]
    assert len(stored(session)) == 1


def test_without_a_number_on_the_sign_in_name_and_birth_date_decide(session: Session, demo) -> None:
    appointment = identified(session)
    assert not page(appointment, signed_in(session, "x", None)).documents_locked
    assert page(appointment, signed_in(session, "y", None, "1990-01-01")).documents_locked


def test_another_persons_sign_in_is_refused_even_for_a_browser_that_calls_the_handler(
    session: Session, demo
) -> None:
    appointment = identified(session)
    namesake = signed_in(session, "namesake-cookie", "cd" * 32)  # same name and birth date
    state = page(appointment, namesake)
    assert state.documents_locked and state.signed_in_other and state.documents == []
    state.found, state.documents_locked, state.can_upload = True, False, True  # forged page
    send(ManageState, state, upload("huurcontract.pdf", pdf_document()))
    assert state.document_message == "doc_sign_in_needed" and stored(session) == []


def test_an_expired_sign_in_no_longer_opens_the_documents(session: Session, demo) -> None:
    appointment = identified(session)
    cookie = signed_in(session, "old-cookie")
    row = session.exec(select(CitizenSignIn)).one()
    row.expires_at = utcnow() - timedelta(seconds=1)
    session.add(row)
    session.commit()
    assert page(appointment, cookie).documents_locked


def test_a_topic_without_identification_keeps_the_link_alone(session: Session, demo) -> None:
    appointment = book(session)
    state = page(appointment)
    assert not state.documents_locked and state.can_upload and state.identity_start_url == ""
    send(ManageState, state, upload("attest.pdf", pdf_document()))
    assert state.document_message == "doc_uploaded" and len(stored(session)) == 1


def test_the_sign_in_outcome_in_the_return_address_is_shown_as_a_known_key(
    session: Session, demo
) -> None:
    appointment = identified(session)
    state = page(appointment)
    for outcome, key in [
        ("ok", ""),
        ("identity_busy", "identity_busy"),
        ("identity_cancelled", "doc_sign_in_failed"),
        ("<script>", "doc_sign_in_failed"),
    ]:
        token = manage_token_for(appointment.reference, "s")
        state.router = RouterData.from_router_data(
            {
                "pathname": "/afspraak",
                "asPath": f"/afspraak?ref={appointment.reference}&token={token}"
                f"&aanmelding={outcome}",
            }
        )
        ManageState.load.fn(state)
        assert state.identity_outcome == key
