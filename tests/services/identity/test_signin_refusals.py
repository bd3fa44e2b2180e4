"""Each refusal of a citizen's sign-in, with hand-made ID tokens from a tiny JWKS on loopback.

Every case ends with its reason (the wizard's message), no verified identity and nothing booked.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import NamedTuple

import pytest
from sqlmodel import Session, select

from balie.db_types import utcnow
from balie.models import Appointment, CitizenSignIn
from balie.services.identity import oidc, signin
from balie.settings import Settings
from tests.fakes.oidc import (
    ACR_HIGH,
    ACR_LOW,
    ACR_SUBSTANTIAL,
    CLIENT_ID,
    NATIONAL_NUMBER,
    TinyProvider,
    new_key,
    running_tiny_provider,
)

REDIRECT = "http://localhost:8000/api/identity/callback"


@pytest.fixture
def tiny() -> Iterator[TinyProvider]:
    """The hand-made provider."""
    with running_tiny_provider() as provider:
        yield provider


def settings_for(tiny: TinyProvider, **changes: object) -> Settings:
    """Settings pointing at the tiny provider (client_secret_basic: it checks nothing)."""
    values = {
        "identity_discovery_url": tiny.issuer + "/.well-known/openid-configuration",
        "identity_client_id": CLIENT_ID,
        "identity_client_auth": "client_secret_basic",
        "identity_client_secret": "secret",
        "identity_acr_substantial": [ACR_SUBSTANTIAL],
        "identity_acr_high": [ACR_HIGH],
        "identity_claim_national_number": "egovNRN",
        "identity_hash_key": "k" * 40,
        **changes,
    }
    return Settings(_env_file=None, **values)


class Flow(NamedTuple):
    """A sign-in under way at the tiny provider."""

    settings: Settings
    client: oidc.ProviderClient
    cookie: str
    row: CitizenSignIn


def start_flow(
    session: Session,
    tiny: TinyProvider,
    level: str = "substantial",
    return_path: str = "/boeken?dienst=burgerzaken&onderwerp=adreswijziging",
) -> Flow:
    """Start a sign-in at the tiny provider."""
    settings = settings_for(tiny)
    client = oidc.ProviderClient(settings.identity_discovery_url)
    started = signin.start(
        session,
        settings,
        client,
        level=level,
        return_path=return_path,
        redirect_uri=REDIRECT,
        language="nl",
        now=utcnow(),
    )
    return Flow(settings, client, started.cookie_value, session.exec(select(CitizenSignIn)).one())


def finish_flow(
    session: Session, flow: Flow, params: dict[str, str], now: datetime | None = None
) -> tuple[str, CitizenSignIn]:
    """The provider sent the browser back with ``params``."""
    return signin.finish(
        session,
        flow.settings,
        flow.client,
        flow.cookie,
        params,
        redirect_uri=REDIRECT,
        now=now or utcnow(),
    )


def sign_in(
    session: Session, tiny: TinyProvider, level: str = "substantial", **claim_changes: object
) -> tuple[str, CitizenSignIn]:
    """Start a sign-in, let the tiny provider answer with a token, finish it."""
    flow = start_flow(session, tiny, level)
    nonce = claim_changes.pop("nonce", flow.row.nonce)
    key = claim_changes.pop("key", None)
    tiny.id_token = tiny.sign(tiny.claims(nonce, **claim_changes), key)
    return finish_flow(session, flow, {"state": flow.row.state, "code": "code-1"})


def refused(session: Session, tiny: TinyProvider, **changes: object) -> str:
    """The reason a sign-in with these changes is refused; checks nothing was kept or booked."""
    with pytest.raises(signin.SignInRefused) as caught:
        sign_in(session, tiny, **changes)
    assert caught.value.return_path.startswith("/boeken?dienst=burgerzaken")
    assert session.exec(select(CitizenSignIn)).all() == []
    assert session.exec(select(Appointment)).all() == []
    return caught.value.reason


def test_a_good_token_gives_the_verified_person_and_only_a_hash_of_the_number(
    session: Session, tiny: TinyProvider
) -> None:
    cookie, row = sign_in(session, tiny)
    assert (row.name, row.birth_date, row.level) == ("Jan Peeters", "1985-07-30", "high")
    assert row.number is None and row.number_hash and row.state is None and row.nonce is None
    assert signin.verified_for(session, cookie, utcnow()).name == "Jan Peeters"
    assert signin.verified_for(session, cookie, utcnow() + timedelta(hours=1)) is None


def test_the_number_itself_is_kept_only_when_the_city_may(
    session: Session, tiny: TinyProvider
) -> None:
    settings = settings_for(tiny, identity_store_national_number=True)
    person = signin.person_from_claims(
        tiny.claims("n"), settings, "substantial", utcnow(), "/boeken"
    )
    assert person.number == NATIONAL_NUMBER
    assert signin.mask_number(person.number) == "•" * 9 + "28"


def test_wrong_nonce_is_refused(session: Session, tiny: TinyProvider) -> None:
    assert refused(session, tiny, nonce="another-nonce") == "identity_failed"


def test_expired_id_token_is_refused(session: Session, tiny: TinyProvider) -> None:
    past = int(time.time()) - 3600
    assert refused(session, tiny, iat=past - 600, exp=past) == "identity_failed"


def test_wrong_audience_is_refused(session: Session, tiny: TinyProvider) -> None:
    assert refused(session, tiny, aud="another-client") == "identity_failed"


def test_wrong_issuer_is_refused(session: Session, tiny: TinyProvider) -> None:
    assert refused(session, tiny, iss="https://evil.example") == "identity_failed"


def test_signature_from_an_unknown_key_is_refused_after_one_jwks_refetch(
    session: Session, tiny: TinyProvider
) -> None:
    assert refused(session, tiny, key=new_key("not-published")) == "identity_failed"
    assert tiny.jwks_fetches == 1


def test_a_forged_signature_with_a_published_key_id_is_refused(
    session: Session, tiny: TinyProvider
) -> None:
    forger = new_key(tiny.key.kid)  # same kid, other key
    assert refused(session, tiny, key=forger) == "identity_failed"


def test_acr_lower_than_the_topic_needs_is_refused(session: Session, tiny: TinyProvider) -> None:
    assert refused(session, tiny, acr=ACR_LOW) == "identity_level"
    assert refused(session, tiny, level="high", acr=ACR_SUBSTANTIAL) == "identity_level"
    assert refused(session, tiny, acr=None) == "identity_level"


def test_missing_name_or_unreadable_claims_are_refused(
    session: Session, tiny: TinyProvider
) -> None:
    assert refused(session, tiny, name=None, given_name=None, family_name=None) == (
        "identity_claims"
    )
    assert refused(session, tiny, egovNRN="123") == "identity_claims"
    assert refused(session, tiny, birthdate="dertig juli") == "identity_claims"


def test_the_provider_down_is_refused_as_unavailable(session: Session) -> None:
    with running_tiny_provider() as gone:
        settings = settings_for(gone)
    client = oidc.ProviderClient(settings.identity_discovery_url)
    with pytest.raises(oidc.IdentityRefused) as caught:
        signin.start(
            session,
            settings,
            client,
            level="substantial",
            return_path="/boeken",
            redirect_uri=REDIRECT,
            language="nl",
            now=utcnow(),
        )
    assert caught.value.reason == "identity_unavailable"
    assert session.exec(select(CitizenSignIn)).all() == []


def test_the_user_cancelling_at_the_provider_is_refused_as_cancelled(
    session: Session, tiny: TinyProvider
) -> None:
    flow = start_flow(session, tiny, return_path="/boeken")
    with pytest.raises(signin.SignInRefused) as caught:
        finish_flow(session, flow, {"state": flow.row.state, "error": "access_denied"})
    assert caught.value.reason == "identity_cancelled"
    assert session.exec(select(CitizenSignIn)).all() == []


def test_an_expired_sign_in_is_refused(session: Session, tiny: TinyProvider) -> None:
    flow = start_flow(session, tiny, return_path="/boeken")
    later = utcnow() + timedelta(minutes=11)
    with pytest.raises(signin.SignInRefused) as caught:
        finish_flow(session, flow, {"state": flow.row.state, "code": "c"}, now=later)
    assert caught.value.reason == "identity_expired"


def test_the_jwks_refetch_for_unknown_keys_is_rate_limited(tiny: TinyProvider) -> None:
    clock = [1000.0]
    client = oidc.ProviderClient(
        tiny.issuer + "/.well-known/openid-configuration", clock=lambda: clock[0]
    )
    client.keys_for(tiny.key.kid)
    for _ in range(5):
        with pytest.raises(oidc.IdentityRefused):
            client.keys_for("unknown")
    assert tiny.jwks_fetches == 1
    fresh = new_key("tiny-2")
    tiny.published = [fresh, tiny.key]
    clock[0] += oidc.JWKS_REFETCH_SECONDS
    assert client.keys_for("tiny-2")
    assert tiny.jwks_fetches == 2


def test_claims_only_at_userinfo_are_read_there(session: Session, tiny: TinyProvider) -> None:
    tiny.userinfo = {"sub": "citizen-1", "egovNRN": NATIONAL_NUMBER, "birthdate": "1985-07-30"}
    _cookie, row = sign_in(session, tiny, egovNRN=None, birthdate=None)
    assert row.birth_date == "1985-07-30" and row.number_hash


def test_userinfo_about_another_subject_is_refused(session: Session, tiny: TinyProvider) -> None:
    tiny.userinfo = {"sub": "someone-else", "egovNRN": NATIONAL_NUMBER}
    assert refused(session, tiny, egovNRN=None) == "identity_failed"
