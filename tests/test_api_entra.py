"""Staff sign-in with Microsoft Entra ID over HTTP: the real msal against the fake on loopback."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from reflex.istate.data import RouterData
from sqlalchemy import Engine
from sqlmodel import Session, select
from starlette.testclient import TestClient

from balie import db
from balie.api import STAFF_COOKIE, api
from balie.db_types import utcnow
from balie.models import AuditEntry, MeetingChoice, Organisation, SignInFlow, StaffMember
from balie.services import entra, org_settings
from balie.services.staff import staff_auth
from balie.settings import get_settings
from balie.states.sign_in import SignInPageState
from tests.fakes.microsoft import DEFAULT_USERS, MicrosoftFakes, running_fakes

# The callback answer comes in the query string on purpose (see balie/services/entra.py).
pytestmark = pytest.mark.filterwarnings("ignore:response_mode='form_post' is recommended")

EVA, MO, NINA = DEFAULT_USERS  # roles: staff / manager + admin / none
CALLBACK = "http://localhost:8000/api/staff/entra/callback"  # REFLEX_API_URL's default + path


@pytest.fixture
def fakes() -> Iterator[MicrosoftFakes]:
    """Fake Entra ID on loopback; authorize signs Eva in without showing its page."""
    with running_fakes() as running:
        running.auto_sign_in = EVA.oid
        yield running


@pytest.fixture
def client(
    session: Session,
    engine: Engine,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    fakes: MicrosoftFakes,
) -> Iterator[TestClient]:
    """The HTTP routes on the test database with Entra sign-in pointed at the fake."""
    monkeypatch.setenv("BALIE_DATABASE_URL", database_url)
    monkeypatch.setenv("BALIE_MEETING_PROVIDER", "jitsi")
    for name, value in fakes.sign_in_env().items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    db.forget_engines()
    session.add(Organisation(slug="gent", name="Stad Gent"))
    session.commit()
    yield TestClient(api, base_url="http://localhost", follow_redirects=False)
    get_settings.cache_clear()
    db.forget_engines()


def start(client: TestClient) -> tuple[httpx.Response, dict[str, str]]:
    """GET the start route; the response and the query of the authorize address."""
    response = client.get("/api/staff/entra/start")
    assert response.status_code == 303, response.headers.get("location")
    query = {k: v[-1] for k, v in parse_qs(urlsplit(response.headers["location"]).query).items()}
    return response, query


def authorize(location: str) -> dict[str, str]:
    """Follow the browser to the fake's authorize endpoint; the query it sends back."""
    answer = httpx.get(location, follow_redirects=False)
    assert answer.status_code == 302, answer.text
    back = urlsplit(answer.headers["location"])
    assert f"{back.scheme}://{back.netloc}{back.path}" == CALLBACK
    return {k: v[-1] for k, v in parse_qs(back.query).items()}


def callback(client: TestClient, query: dict[str, str]) -> httpx.Response:
    """The browser's return to the callback route."""
    return client.get("/api/staff/entra/callback", params=query)


def round_trip(client: TestClient) -> httpx.Response:
    """Start, sign in at the fake, come back."""
    started, _query = start(client)
    return callback(client, authorize(started.headers["location"]))


def cookie_attributes(set_cookie: str) -> set[str]:
    """The attributes of a Set-Cookie header without its value."""
    return {part.strip() for part in set_cookie.split(";")[1:]}


def session_cookie(response: httpx.Response) -> str:
    """The Set-Cookie header of the staff session."""
    headers = [h for h in response.headers.get_list("set-cookie") if h.startswith(STAFF_COOKIE)]
    assert len(headers) == 1, response.headers.get_list("set-cookie")
    return headers[0]


def refused_with(response: httpx.Response, reason: str) -> None:
    """The browser is sent to the sign-in page with ``reason``, without a session."""
    assert response.status_code == 303
    assert response.headers["location"].endswith(f"/medewerkers/aanmelden?fout={reason}")
    cookies = response.headers.get_list("set-cookie")
    assert not any(c.startswith(f"{STAFF_COOKIE}=") for c in cookies)


def test_start_sets_the_flow_cookie_and_sends_the_browser_to_entra(
    client: TestClient, session: Session, fakes: MicrosoftFakes
) -> None:
    response, query = start(client)
    location = response.headers["location"]
    assert location.startswith(f"{fakes.login_url}/{fakes.tenant}/oauth2/v2.0/authorize?")
    assert query["client_id"] == fakes.client_id and query["response_type"] == "code"
    assert query["redirect_uri"] == CALLBACK
    assert query["code_challenge_method"] == "S256" and len(query["code_challenge"]) == 43
    assert len(query["state"]) >= 16 and len(query["nonce"]) == 64  # sha256 hex of the nonce
    assert {"openid", "profile"} <= set(query["scope"].split())
    cookie = response.headers["set-cookie"]
    value = cookie.split(";")[0].split("=", 1)[1]
    assert cookie.startswith(f"{entra.FLOW_COOKIE}=")
    assert {"HttpOnly", "SameSite=lax", "Path=/api/staff/entra", "Max-Age=600"} <= (
        cookie_attributes(cookie)
    )
    flow = session.exec(select(SignInFlow)).one()
    assert flow.cookie_hash == hashlib.sha256(value.encode()).hexdigest() != value
    assert flow.expires_at - flow.created_at == timedelta(minutes=10)
    assert flow.flow["msal"]["state"] == query["state"]
    challenge = base64.urlsafe_b64encode(
        hashlib.sha256(flow.flow["msal"]["code_verifier"].encode()).digest()
    )
    assert challenge.decode().rstrip("=") == query["code_challenge"]


def test_a_full_round_trip_signs_in_like_the_local_form(
    client: TestClient, session: Session, fakes: MicrosoftFakes
) -> None:
    response = round_trip(client)
    assert response.status_code == 303
    assert response.headers["location"] == "http://localhost:8000/medewerkers"
    cookie = session_cookie(response)
    token = cookie.split(";")[0].split("=", 1)[1]
    staff = staff_auth.staff_for_token(session, token, utcnow())
    assert staff.display_name == EVA.name and staff.roles == ["staff"]
    assert (staff.entra_tenant_id, staff.entra_object_id) == (fakes.tenant, EVA.oid)
    assert staff.email == EVA.preferred_username
    # The flow is used up and its cookie cleared.
    assert session.exec(select(SignInFlow)).all() == []
    cleared = [c for c in response.headers.get_list("set-cookie") if c.startswith("balie_entra")]
    assert cleared and 'balie_entra_flow=""' in cleared[0] and "Path=/api/staff/entra" in cleared[0]
    # The same cookie as the local sign-in sets.
    local = StaffMember(
        organisation_id=staff.organisation_id,
        display_name="Lokaal",
        email="lokaal@stad-gent.example",
        roles=["staff"],
        password_hash=staff_auth.hash_password("een-lang-wachtwoord"),
    )
    session.add(local)
    session.commit()
    form = client.post(
        "/api/staff/login", data={"email": local.email, "password": "een-lang-wachtwoord"}
    )
    assert cookie_attributes(session_cookie(form)) == cookie_attributes(cookie)
    # Audited, without tokens; the code was redeemed with the PKCE verifier.
    entry = session.exec(select(AuditEntry).where(AuditEntry.action == "staff.sign_in")).first()
    assert entry.detail["method"] == "entra" and token not in str(entry.detail)
    grants = [c.body for c in fakes.calls("token", service="entra")]
    assert [g["grant_type"] for g in grants] == ["authorization_code"]
    assert grants[0]["code_verifier"] and grants[0]["redirect_uri"] == CALLBACK


def test_a_second_sign_in_takes_the_roles_from_entra_again(
    client: TestClient, session: Session, fakes: MicrosoftFakes
) -> None:
    round_trip(client)
    fakes.add_user(EVA.oid, "Eva Entra", ["manager"], preferred_username=EVA.preferred_username)
    round_trip(client)
    session.expire_all()
    assert session.exec(select(StaffMember)).one().roles == ["manager"]


def test_a_tampered_state_is_refused(client: TestClient, session: Session) -> None:
    started, _query = start(client)
    query = authorize(started.headers["location"])
    query["state"] = query["state"][::-1]
    refused_with(callback(client, query), "entra_failed")
    assert session.exec(select(StaffMember)).all() == []


def test_a_replayed_callback_is_refused(client: TestClient, session: Session) -> None:
    started, _query = start(client)
    flow_cookie = started.cookies[entra.FLOW_COOKIE]
    query = authorize(started.headers["location"])
    assert callback(client, query).headers["location"].endswith("/medewerkers")
    client.cookies.set(entra.FLOW_COOKIE, flow_cookie, path="/api/staff/entra")
    refused_with(callback(client, query), "entra_expired")


def test_an_expired_flow_is_refused_before_the_code_is_redeemed(
    client: TestClient, session: Session, fakes: MicrosoftFakes
) -> None:
    started, _query = start(client)
    query = authorize(started.headers["location"])
    flow = session.exec(select(SignInFlow)).one()
    flow.expires_at = utcnow() - timedelta(seconds=1)
    session.add(flow)
    session.commit()
    refused_with(callback(client, query), "entra_expired")
    assert fakes.calls("token", service="entra") == []
    assert session.exec(select(SignInFlow)).all() == []


def test_a_callback_without_the_flow_cookie_is_refused(client: TestClient) -> None:
    started, _query = start(client)
    query = authorize(started.headers["location"])
    client.cookies.clear()
    refused_with(callback(client, query), "entra_expired")


def test_a_wrong_pkce_verifier_is_refused_by_the_fake(
    client: TestClient, session: Session, fakes: MicrosoftFakes
) -> None:
    started, _query = start(client)
    query = authorize(started.headers["location"])
    flow = session.exec(select(SignInFlow)).one()  # as if the code were stolen: other verifier
    flow.flow = {**flow.flow, "msal": {**flow.flow["msal"], "code_verifier": "x" * 43}}
    session.add(flow)
    session.commit()
    refused_with(callback(client, query), "entra_failed")
    assert [c.body["grant_type"] for c in fakes.calls("token", service="entra")] == [
        "authorization_code"
    ]
    assert session.exec(select(StaffMember)).all() == []


def test_the_fake_token_endpoint_checks_verifier_redirect_uri_and_single_use(
    fakes: MicrosoftFakes,
) -> None:
    verifier = "v" * 50
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    location = httpx.get(
        f"{fakes.login_url}/{fakes.tenant}/oauth2/v2.0/authorize",
        params={
            "client_id": fakes.client_id,
            "response_type": "code",
            "redirect_uri": CALLBACK,
            "state": "st",
            "nonce": "n",
            "code_challenge": challenge.decode().rstrip("="),
            "code_challenge_method": "S256",
        },
    ).headers["location"]
    code = parse_qs(urlsplit(location).query)["code"][0]
    token_url = f"{fakes.login_url}/{fakes.tenant}/oauth2/v2.0/token"
    form = {
        "grant_type": "authorization_code",
        "client_id": fakes.client_id,
        "client_secret": fakes.secret,
        "code": code,
        "redirect_uri": CALLBACK,
        "code_verifier": "w" * 50,
    }
    wrong = httpx.post(token_url, data=form)
    assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_grant"
    assert "code_verifier" in wrong.json()["error_description"]
    again = httpx.post(token_url, data={**form, "code_verifier": verifier})
    assert again.status_code == 400 and "used" in again.json()["error_description"]


def test_an_id_token_with_another_nonce_is_refused(
    client: TestClient, session: Session, fakes: MicrosoftFakes
) -> None:
    fakes.tamper_next_id_token(nonce="0" * 64)
    refused_with(round_trip(client), "entra_failed")
    assert session.exec(select(StaffMember)).all() == []


def test_an_id_token_for_another_app_is_refused(
    client: TestClient, session: Session, fakes: MicrosoftFakes
) -> None:
    fakes.tamper_next_id_token(aud="another-client")
    refused_with(round_trip(client), "entra_failed")
    assert session.exec(select(StaffMember)).all() == []


def test_an_account_of_another_tenant_is_refused(client: TestClient, fakes: MicrosoftFakes) -> None:
    fakes.tamper_next_id_token(tid="0a1b2c3d-0000-4000-8000-00000000beef")
    refused_with(round_trip(client), "wrong_tenant")


def test_an_account_without_an_app_role_is_refused(
    client: TestClient, session: Session, fakes: MicrosoftFakes
) -> None:
    fakes.auto_sign_in = NINA.oid
    refused_with(round_trip(client), "no_role")
    assert session.exec(select(StaffMember)).all() == []


def test_cancelling_at_microsoft_is_refused_with_the_flow_used_up(
    client: TestClient, session: Session, fakes: MicrosoftFakes
) -> None:
    fakes.auto_sign_in = None
    started, _query = start(client)
    page = httpx.get(started.headers["location"])
    assert page.status_code == 200 and EVA.name in page.text and 'lang="en"' in page.text
    request_id = next(iter(fakes.pending))
    cancelled = httpx.post(
        f"{fakes.login_url}/{fakes.tenant}/oauth2/v2.0/authorize/choose",
        data={"request": request_id, "user": ""},
    )
    query = {k: v[-1] for k, v in parse_qs(urlsplit(cancelled.headers["location"]).query).items()}
    assert query["error"] == "access_denied"
    refused_with(callback(client, query), "entra_failed")
    assert session.exec(select(SignInFlow)).all() == []


def test_start_is_refused_when_entra_is_not_configured(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, session: Session
) -> None:
    monkeypatch.setenv("BALIE_ENTRA_CLIENT_SECRET", "")
    monkeypatch.delenv("BALIE_ENTRA_CLIENT_SECRET")
    get_settings.cache_clear()
    refused_with(client.get("/api/staff/entra/start"), "entra_off")
    assert session.exec(select(SignInFlow)).all() == []


def test_the_browser_always_comes_back_to_the_public_url(client: TestClient) -> None:
    for referer in ("http://127.0.0.1:3999/medewerkers/aanmelden", "https://evil.example/x"):
        started = client.get(
            "/api/staff/entra/start", headers={"referer": referer, "origin": referer[:21]}
        )
        response = callback(client, authorize(started.headers["location"]))
        assert response.headers["location"] == "http://localhost:8000/medewerkers"


def sign_in_page_state() -> SignInPageState:
    """The sign-in page's state on a connection without query parameters."""
    state = SignInPageState(_reflex_internal_init=True)
    state.router = RouterData.from_router_data({"pathname": "/medewerkers/aanmelden"})
    return state


def test_the_sign_in_page_offers_microsoft_only_when_configured(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = sign_in_page_state()
    SignInPageState.load.fn(state)
    assert state.entra_available is True
    monkeypatch.delenv("BALIE_ENTRA_TENANT_ID")
    get_settings.cache_clear()
    state = sign_in_page_state()
    SignInPageState.load.fn(state)
    assert state.entra_available is False


def test_a_city_with_its_own_entra_app_signs_its_staff_in_there(
    client: TestClient, session: Session, fakes: MicrosoftFakes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The platform has no Entra app; the city stored its own (secret sealed): sign-in uses it."""
    for name in fakes.sign_in_env():
        if name != "BALIE_ENTRA_LOGIN_URL":
            monkeypatch.delenv(name)
    get_settings.cache_clear()
    refused_with(client.get("/api/staff/entra/start"), "entra_off")
    gent = session.exec(select(Organisation)).one()
    row = org_settings.settings_row(session, gent)
    row.meeting_provider = MeetingChoice.TEAMS
    row.entra_tenant_id, row.entra_client_id = fakes.tenant, fakes.client_id
    key = org_settings.secrets_key(get_settings())
    row.entra_client_secret_sealed = org_settings.seal_secret(
        key, gent.id, "entra_client_secret", fakes.secret
    )
    session.add(row)
    session.commit()
    response, query = start(client)
    assert response.headers["location"].startswith(f"{fakes.login_url}/{fakes.tenant}/")
    assert query["client_id"] == fakes.client_id
    back = authorize(response.headers["location"])
    cookies = {entra.FLOW_COOKIE: response.cookies[entra.FLOW_COOKIE]}
    done = client.get("/api/staff/entra/callback", params=back, cookies=cookies)
    assert done.status_code == 303 and STAFF_COOKIE in done.cookies
