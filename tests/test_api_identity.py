"""Citizen sign-in over HTTP against the real oidc-provider on loopback: the whole flow.

The browser's part (provider login page) is walked with httpx; the app's part with the real
routes. Then the verified identity books the topic that needs it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from sqlalchemy import Engine, text
from sqlmodel import Session, SQLModel, select

from balie import db
from balie.api import api
from balie.db_types import utcnow
from balie.models import Appointment, CitizenSignIn, Topic
from balie.services import booking
from balie.services.catalogue import get_organisation
from balie.services.demo_data import load_demo_data
from balie.services.identity import oidc, signin
from balie.services.validation import CitizenDetails
from balie.services.wizard import bookable_days
from balie.settings import get_settings
from tests.fakes.oidc import ACR_LOW, ACR_SUBSTANTIAL, NATIONAL_NUMBER, Provider, running_provider
from tests.states.test_manage_identity_state import identified

CALLBACK = "http://localhost:8000/api/identity/callback"  # REFLEX_API_URL's default + path
START = "/api/identity/start?dienst=burgerzaken&onderwerp=adreswijziging"


@pytest.fixture
def provider(tmp_path: Path) -> Iterator[Provider]:
    """The real OpenID provider with the app's callback registered."""
    with running_provider([CALLBACK], tmp_path) as running:
        yield running


@pytest.fixture
def client(
    session: Session,
    engine: Engine,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    provider: Provider,
) -> Iterator:
    """The HTTP routes on the test database (demo data) with the provider configured."""
    from starlette.testclient import TestClient

    monkeypatch.setenv("BALIE_DATABASE_URL", database_url)
    for name, value in provider.env().items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    db.forget_engines()
    oidc.forget_clients()
    load_demo_data(session)
    yield TestClient(api, base_url="http://localhost", follow_redirects=False)
    oidc.forget_clients()
    get_settings.cache_clear()
    db.forget_engines()


def sign_in_at_provider(
    location: str, account: str = "jan", acr: str = ACR_SUBSTANTIAL, *, cancel: bool = False
) -> dict[str, str]:
    """Walk the provider's pages like a browser; the query it sends back to the callback."""
    with httpx.Client(follow_redirects=False) as browser:
        answer = browser.get(location)
        assert answer.status_code == 303, answer.text
        interaction = urlsplit(location)._replace(path=answer.headers["location"], query="")
        page = browser.get(interaction.geturl())
        assert page.status_code == 200 and 'for="account"' in page.text
        action = "cancel" if cancel else "login"
        answer = browser.post(
            interaction.geturl() + "/login", data={"account": account, "acr": acr, "choice": action}
        )
        while answer.status_code in (302, 303) and not answer.headers["location"].startswith(
            CALLBACK
        ):
            answer = browser.get(answer.headers["location"])
        assert answer.status_code in (302, 303), answer.text
    back = urlsplit(answer.headers["location"])
    return {key: values[-1] for key, values in parse_qs(back.query).items()}


def outcome_of(response: httpx.Response) -> str:
    """The ``aanmelding`` outcome the callback sends the wizard."""
    assert response.status_code == 303
    query = parse_qs(urlsplit(response.headers["location"]).query)
    return query["aanmelding"][-1]


def test_start_sends_the_browser_to_the_provider_with_pkce_nonce_state_and_acr(
    client, provider: Provider
) -> None:
    response = client.get(START)
    assert response.status_code == 303
    sent = parse_qs(urlsplit(response.headers["location"]).query)
    assert response.headers["location"].startswith(provider.issuer + "/auth")
    assert sent["code_challenge_method"] == ["S256"] and sent["code_challenge"][0]
    assert sent["nonce"][0] and sent["state"][0]
    assert sent["acr_values"] == [ACR_SUBSTANTIAL]
    assert sent["redirect_uri"] == [CALLBACK]
    cookie = response.headers["set-cookie"]
    assert "balie_identity=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie


def test_citizen_signs_in_and_books_the_identified_topic(
    client,
    provider: Provider,
    session: Session,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    caplog.set_level(logging.DEBUG)
    seen_tokens: list[str] = []
    redeem = oidc.ProviderClient.redeem

    def spy(self, *args, **kwargs) -> oidc.TokenAnswer:
        tokens = redeem(self, *args, **kwargs)
        seen_tokens.extend([tokens.id_token, tokens.access_token])
        return tokens

    monkeypatch.setattr(oidc.ProviderClient, "redeem", spy)
    started = client.get(START)
    answer = sign_in_at_provider(started.headers["location"])
    assert answer["state"] and answer["code"]
    response = client.get("/api/identity/callback", params=answer)
    assert outcome_of(response) == "ok"
    assert "dienst=burgerzaken" in response.headers["location"]
    cookie = client.cookies.get(signin.COOKIE)
    person = signin.verified_for(session, cookie, utcnow())
    assert person is not None
    assert (person.name, person.birth_date, person.level) == (
        "Jan Peeters",
        "1985-07-30",
        "substantial",
    )
    assert person.method == "itsme"
    assert person.number is None  # by default only the keyed hash
    assert person.number_hash and NATIONAL_NUMBER not in person.number_hash
    gent = get_organisation(session, "gent")
    request = booking.BookingRequest(
        "burgerzaken",
        "adreswijziging",
        first_free_start(session),
        CitizenDetails("Iemand Anders", "jan@example.org", None, "nl", None, True),
        identity=person,
    )
    booked = booking.book(session, gent, request, meeting_provider="jitsi", secret_key="s" * 32)
    appointment = booked.appointment
    assert appointment.citizen_name == "Jan Peeters"  # the verified name, not the typed one
    assert appointment.identity_level == "substantial"
    assert appointment.identity_number_hash == person.number_hash
    assert appointment.identity_number is None
    # The ID token is never stored or logged.
    assert len(seen_tokens) == 2 and all(len(token) > 20 for token in seen_tokens)
    assert all(token not in caplog.text for token in seen_tokens)
    dump = database_text(session)
    assert all(token not in dump for token in seen_tokens)
    assert NATIONAL_NUMBER not in dump


def first_free_start(session: Session, service_slug: str = "burgerzaken") -> datetime:
    """The first free time of the service (demo opening hours)."""
    gent = get_organisation(session, "gent")
    service = booking.find_live_service(session, gent, service_slug)
    days = bookable_days(session, gent, service, utcnow())
    return datetime.fromisoformat(days[0].times[0].start)


def database_text(session: Session) -> str:
    """Every row of every table as text (to look for what must never be stored)."""
    parts = []
    for table in SQLModel.metadata.sorted_tables:
        for row in session.exec(text(f'SELECT * FROM "{table.name}"')).all():
            parts.append(repr(tuple(row)))
    return "\n".join(parts)


def test_a_lower_level_than_the_topic_needs_is_refused(client, provider: Provider) -> None:
    started = client.get("/api/identity/start?dienst=burgerzaken&onderwerp=uittreksel-attest")
    answer = sign_in_at_provider(started.headers["location"], acr=ACR_SUBSTANTIAL)
    response = client.get("/api/identity/callback", params=answer)
    assert outcome_of(response) == "identity_level"
    started = client.get(START)
    answer = sign_in_at_provider(started.headers["location"], acr=ACR_LOW)
    assert outcome_of(client.get("/api/identity/callback", params=answer)) == "identity_level"


def test_cancelling_at_the_provider_comes_back_with_its_message(
    client, provider: Provider, session: Session
) -> None:
    started = client.get(START)
    answer = sign_in_at_provider(started.headers["location"], cancel=True)
    assert answer["error"] == "access_denied"
    response = client.get("/api/identity/callback", params=answer)
    assert outcome_of(response) == "identity_cancelled"
    assert session.exec(select(CitizenSignIn)).all() == []
    assert session.exec(select(Appointment)).all() == []


def test_missing_name_claim_gives_the_claims_message(client, provider: Provider) -> None:
    started = client.get(START)
    answer = sign_in_at_provider(started.headers["location"], account="zonder-naam")
    assert outcome_of(client.get("/api/identity/callback", params=answer)) == "identity_claims"


def test_the_provider_rotating_its_signing_key_is_followed(
    client, provider: Provider, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(oidc, "JWKS_REFETCH_SECONDS", 0.0)
    started = client.get(START)
    answer = sign_in_at_provider(started.headers["location"])
    assert outcome_of(client.get("/api/identity/callback", params=answer)) == "ok"
    provider.rotate_keys()
    started = client.get(START)
    answer = sign_in_at_provider(started.headers["location"])
    assert outcome_of(client.get("/api/identity/callback", params=answer)) == "ok"


def test_a_callback_without_its_browser_cookie_is_refused(client, provider: Provider) -> None:
    started = client.get(START)
    answer = sign_in_at_provider(started.headers["location"])
    client.cookies.clear()
    assert outcome_of(client.get("/api/identity/callback", params=answer)) == "identity_expired"


def test_a_callback_with_another_state_is_refused_and_the_flow_is_used_up(
    client, provider: Provider
) -> None:
    started = client.get(START)
    answer = sign_in_at_provider(started.headers["location"])
    forged = {**answer, "state": "not-the-state"}
    assert outcome_of(client.get("/api/identity/callback", params=forged)) == "identity_failed"
    assert outcome_of(client.get("/api/identity/callback", params=answer)) == "identity_expired"


def test_provider_down_gives_the_unavailable_message(
    client, provider: Provider, session: Session
) -> None:
    provider.stop()
    response = client.get(START)
    assert outcome_of(response) == "identity_unavailable"
    assert session.exec(select(CitizenSignIn)).all() == []


def test_a_topic_without_identification_cannot_start_a_sign_in(client) -> None:
    response = client.get("/api/identity/start?dienst=burgerzaken&onderwerp=algemene-vraag")
    assert outcome_of(response) == "identity_off"
    response = client.get("/api/identity/start?dienst=nope&onderwerp=%00")
    assert outcome_of(response) == "identity_off"


def test_starting_sign_ins_is_limited_per_address(
    client, provider: Provider, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    from balie import api_identity

    monkeypatch.setattr(api_identity, "STARTS_PER_ADDRESS_PER_HOUR", 2)
    assert client.get(START).headers["location"].startswith(provider.issuer)
    assert client.get(START).headers["location"].startswith(provider.issuer)
    assert outcome_of(client.get(START)) == "identity_busy"
    assert len(session.exec(select(CitizenSignIn)).all()) == 2


def identified_appointment(session: Session, days: int = 1) -> tuple[Appointment, str]:
    """Jan's appointment of the topic that needs identification; and its personal token."""
    settings = get_settings()
    appointment = identified(session, days)
    appointment.identity_number_hash = signin.number_hash(NATIONAL_NUMBER, settings)
    token = booking.manage_token_for(appointment.reference, settings.secret_keys()[0])
    appointment.manage_token_hash = booking.token_hash(token)
    session.add(appointment)
    session.commit()
    return appointment, token


def test_the_manage_page_sign_in_comes_back_with_the_link_and_opens_the_documents(
    client, provider: Provider, session: Session
) -> None:
    appointment, token = identified_appointment(session)
    listing = f"/api/v1/appointments/{appointment.reference}/documents?token={token}"
    assert client.get(listing).status_code == 404  # the link alone
    started = client.get(f"/api/identity/start?afspraak={appointment.reference}&token={token}")
    assert started.headers["location"].startswith(provider.issuer + "/auth")
    flow = session.exec(select(CitizenSignIn)).one()
    assert flow.return_path == f"/afspraak?ref={appointment.reference}"
    assert token not in database_text(session)  # rebuilt on the way back, never stored
    response = client.get(
        "/api/identity/callback", params=sign_in_at_provider(started.headers["location"])
    )
    back = urlsplit(response.headers["location"])
    assert back.path == "/afspraak"
    assert parse_qs(back.query) == {
        "ref": [appointment.reference],
        "token": [token],
        "aanmelding": ["ok"],
    }
    assert client.get(listing).json() == {"documents": []}  # link + the same person


def test_another_persons_sign_in_does_not_open_the_documents(
    client, provider: Provider, session: Session
) -> None:
    appointment, token = identified_appointment(session)
    started = client.get(f"/api/identity/start?afspraak={appointment.reference}&token={token}")
    answer = sign_in_at_provider(started.headers["location"], "naamgenoot")
    assert outcome_of(client.get("/api/identity/callback", params=answer)) == "ok"
    listing = f"/api/v1/appointments/{appointment.reference}/documents?token={token}"
    assert client.get(listing).status_code == 404


def test_a_manage_sign_in_starts_only_with_a_valid_link(
    client, provider: Provider, session: Session
) -> None:
    appointment, token = identified_appointment(session)
    for link in (f"afspraak={appointment.reference}&token={'0' * 64}", "afspraak=%00&token="):
        response = client.get(f"/api/identity/start?{link}")
        back = urlsplit(response.headers["location"])
        assert back.path == "/afspraak" and parse_qs(back.query) == {
            "aanmelding": ["identity_expired"]
        }
    assert session.exec(select(CitizenSignIn)).all() == []
    # A topic without identification: back to its own page, the link checked and rebuilt.
    public = identified_appointment(session, 2)[0]
    public.identity_verified_at = public.identity_level = None
    public.topic_id = session.exec(select(Topic.id).where(Topic.slug == "algemene-vraag")).first()
    session.add(public)
    session.commit()
    public_token = booking.manage_token_for(public.reference, get_settings().secret_keys()[0])
    response = client.get(f"/api/identity/start?afspraak={public.reference}&token={public_token}")
    assert outcome_of(response) == "identity_off"
    assert f"token={public_token}" in response.headers["location"]
    assert token not in response.headers["location"]
