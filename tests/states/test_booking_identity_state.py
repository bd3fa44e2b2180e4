"""The wizard with topics that need identification: refused without a provider, asks for the
sign-in before the details, trusts only the HttpOnly cookie's verified sign-in, books with it."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

import pytest
from reflex.istate.data import RouterData
from sqlalchemy import Engine
from sqlmodel import Session, select

from balie.db_types import utcnow
from balie.models import Appointment, CitizenSignIn
from balie.services.demo_data import load_demo_data
from balie.services.identity import signin
from balie.settings import get_settings
from balie.states.booking import BookingState
from tests.states.test_booking_state import appointments, in_tree

PROVIDER_ENV = {
    "BALIE_IDENTITY_DISCOVERY_URL": "https://idp.example/.well-known/openid-configuration",
    "BALIE_IDENTITY_CLIENT_ID": "balie",
    "BALIE_IDENTITY_CLIENT_AUTH": "client_secret_basic",
    "BALIE_IDENTITY_CLIENT_SECRET": "secret",
    "BALIE_IDENTITY_ACR_SUBSTANTIAL": json.dumps(["acr-substantial"]),
    "BALIE_IDENTITY_ACR_HIGH": json.dumps(["acr-high"]),
}


@pytest.fixture
def with_provider(monkeypatch: pytest.MonkeyPatch, app_database: Engine) -> None:
    """Identification configured (the provider is never called by these tests)."""
    for name, value in PROVIDER_ENV.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()


def wizard(cookie: str = "", path: str = "/boeken") -> BookingState:
    """A wizard on a connection with this cookie header and address."""
    state = in_tree()
    state.router = RouterData.from_router_data({"headers": {"cookie": cookie}, "asPath": path})
    asyncio.run(BookingState.load.fn(state))
    return state


def verified_cookie(session: Session, level: str = "substantial") -> str:
    """A verified sign-in in the database; the cookie value that holds it."""
    value = "verified-cookie-value"
    session.add(
        CitizenSignIn(
            cookie_hash=signin.cookie_hash(value),
            required_level=level,
            expires_at=utcnow() + timedelta(minutes=30),
            verified_at=utcnow(),
            level=level,
            method="itsme",
            name="Jan Peeters",
            birth_date="1985-07-30",
            number_hash="ab" * 32,
            email="jan@example.org",
        )
    )
    session.commit()
    return value


def test_without_a_provider_the_topic_stays_refused_with_its_reason(
    session: Session, app_database: Engine
) -> None:
    load_demo_data(session)
    state = wizard()
    BookingState.choose_service.fn(state, "burgerzaken")
    topic = next(t for t in state.topics if t.slug == "adreswijziging")
    assert not topic.video and "itsme" in topic.reason["nl"]
    asyncio.run(BookingState.choose_topic.fn(state, "adreswijziging"))
    assert state.step == 2 and state.topic_slug == ""


def test_with_a_provider_the_sign_in_comes_before_the_details(
    session: Session, with_provider: None
) -> None:
    load_demo_data(session)
    state = wizard()
    BookingState.choose_service.fn(state, "burgerzaken")
    asyncio.run(BookingState.choose_topic.fn(state, "adreswijziging"))
    assert state.step == 3 and state.identity_needed == "substantial"
    BookingState.choose_time.fn(state, state.times[0].start)
    assert state.step == 4 and not state.identity_ready
    assert state.identity_start_url.endswith(
        "/api/identity/start?dienst=burgerzaken&onderwerp=adreswijziging"
    )
    # The details cannot be sent before signing in.
    form = {"name": "X", "email": "x@example.be", "consent": True, "language": "nl"}
    asyncio.run(BookingState.submit_details.fn(state, form))
    assert state.step == 4 and state.name == ""
    # In person topics stay refused, with their legal reason.
    paspoort = next(t for t in state.topics if t.slug == "paspoort")
    assert not paspoort.video and "wet" in paspoort.reason["nl"]


def test_a_forged_outcome_without_the_cookie_identifies_nobody(
    session: Session, with_provider: None
) -> None:
    load_demo_data(session)
    state = wizard("", "/boeken?dienst=burgerzaken&onderwerp=adreswijziging&aanmelding=ok")
    assert not state.identified and state.name == ""
    assert state.identity_outcome == "identity_failed"
    state = wizard("balie_identity=guess", "/boeken?dienst=burgerzaken&aanmelding=ok")
    assert not state.identified


def test_an_unknown_outcome_shows_the_general_problem(
    session: Session, with_provider: None
) -> None:
    load_demo_data(session)
    state = wizard("", "/boeken?dienst=burgerzaken&aanmelding=<script>")
    assert state.identity_outcome == "identity_failed"
    state = wizard("", "/boeken?dienst=burgerzaken&aanmelding=identity_cancelled")
    assert state.identity_outcome == "identity_cancelled"


def test_after_signing_in_the_name_is_locked_and_the_booking_carries_the_identity(
    session: Session, with_provider: None
) -> None:
    load_demo_data(session)
    cookie = verified_cookie(session)
    state = wizard(
        f"balie_identity={cookie}",
        "/boeken?dienst=burgerzaken&onderwerp=adreswijziging&aanmelding=ok",
    )
    assert state.identified and state.name == "Jan Peeters"
    assert state.email == "jan@example.org" and state.step == 3
    BookingState.choose_time.fn(state, state.times[0].start)
    assert state.identity_ready
    BookingState.check_field.fn(state, "name", "Iemand Anders")
    assert state.name == "Jan Peeters"
    state.consent, state.language, state.step, state._idempotency_key = True, "nl", 5, "k1"
    asyncio.run(BookingState.confirm.fn(state))
    assert state.reference, state.notice
    appointment = session.exec(select(Appointment)).one()
    assert appointment.citizen_name == "Jan Peeters"
    assert (appointment.identity_level, appointment.identity_method) == ("substantial", "itsme")
    # One sign-in, one booking: the verified sign-in is gone.
    assert signin.verified_for(session, cookie, utcnow()) is None


def test_a_level_too_low_for_the_topic_books_nothing(session: Session, with_provider: None) -> None:
    load_demo_data(session)
    cookie = verified_cookie(session, level="substantial")
    state = wizard(
        f"balie_identity={cookie}",
        "/boeken?dienst=burgerzaken&onderwerp=uittreksel-attest&aanmelding=ok",
    )
    assert state.identity_needed == "high"
    BookingState.choose_time.fn(state, state.times[0].start)
    assert not state.identity_ready
    # Even a state pushed to the review step books nothing without the level.
    state.email, state.consent, state.language, state.step = "jan@example.org", True, "nl", 5
    state._idempotency_key = "k"
    asyncio.run(BookingState.confirm.fn(state))
    assert state.notice == "error_identification_required" and state.step == 4
    assert appointments(session) == 0


def test_the_privacy_notice_says_what_the_sign_in_keeps(monkeypatch: pytest.MonkeyPatch) -> None:
    from balie.settings import Settings
    from balie.states.privacy import privacy_facts

    assert "niet aan" in privacy_facts(Settings(_env_file=None))["identity"]["nl"]
    for name, value in PROVIDER_ENV.items():
        monkeypatch.setenv(name, value)
    hashed = privacy_facts(Settings(_env_file=None, retention_days=30))["identity"]
    assert "rijksregisternummer bewaren we niet" in hashed["nl"] and "30 dagen" in hashed["nl"]
    stored = privacy_facts(Settings(_env_file=None, identity_store_national_number=True))
    assert "toelating" in stored["identity"]["nl"]


def test_the_sign_in_is_read_outside_the_state_lock(
    session: Session, with_provider: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Back from signing in, load reads the sign-in in a worker thread, not on the loop."""
    import threading

    from balie.states import booking as booking_state

    load_demo_data(session)
    cookie = verified_cookie(session)
    threads: list[int] = []
    real_verified_person = booking_state._verified_person

    def recorded(organisation_id: int, value: str) -> object:
        threads.append(threading.get_ident())
        return real_verified_person(organisation_id, value)

    monkeypatch.setattr(booking_state, "_verified_person", recorded)
    state = wizard(f"{signin.COOKIE}={cookie}", "/boeken?dienst=burgerzaken&aanmelding=ok")
    assert threads and threads[0] != threading.get_ident()
    assert state.identified and state.name == "Jan Peeters"
    threads.clear()
    wizard(f"{signin.COOKIE}={cookie}", "/boeken?dienst=burgerzaken")
    assert threads == []  # no sign-in outcome in the address: no read at all
