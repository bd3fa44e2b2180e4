"""Staff sign-in and sign-out over HTTP: an HttpOnly, SameSite session cookie; nothing leaked."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select
from starlette.testclient import TestClient

from balie import db
from balie.api import STAFF_COOKIE, api
from balie.db_types import utcnow
from balie.models import SignInAttempt, StaffMember
from balie.services.demo_data import demo_email, load_demo_data
from balie.services.staff import staff_auth
from balie.settings import get_settings

PASSWORD = "een-lang-wachtwoord"


@pytest.fixture
def client(
    session: Session, engine: Engine, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[TestClient]:
    """The HTTP routes on the test database, with one counsellor who has a password."""
    monkeypatch.setenv("BALIE_DATABASE_URL", database_url)
    get_settings.cache_clear()
    db.forget_engines()
    load_demo_data(session)
    lotte = session.exec(
        select(StaffMember).where(StaffMember.email == demo_email("Lotte Claeys"))
    ).one()
    lotte.password_hash = staff_auth.hash_password(PASSWORD)
    session.commit()
    yield TestClient(api, base_url="http://localhost", follow_redirects=False)
    get_settings.cache_clear()
    db.forget_engines()


def test_sign_in_sets_an_httponly_samesite_cookie(client: TestClient, session: Session) -> None:
    response = client.post(
        "/api/staff/login", data={"email": demo_email("Lotte Claeys"), "password": PASSWORD}
    )
    assert response.status_code == 303
    assert response.headers["location"].endswith("/medewerkers")
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{STAFF_COOKIE}=")
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie
    token = cookie.split(";")[0].split("=", 1)[1]
    assert staff_auth.staff_for_token(session, token, utcnow()).display_name == "Lotte Claeys"


def test_wrong_password_redirects_with_a_neutral_message(
    client: TestClient, session: Session
) -> None:
    response = client.post(
        "/api/staff/login", data={"email": demo_email("Lotte Claeys"), "password": "nope"}
    )
    assert response.status_code == 303
    assert response.headers["location"].endswith("/medewerkers/aanmelden?fout=invalid")
    assert "set-cookie" not in response.headers
    attempts = session.exec(select(SignInAttempt)).all()
    assert len(attempts) == 1 and not attempts[0].succeeded
    assert "nope" not in repr(attempts[0].model_dump())


def test_sign_out_revokes_the_session_and_clears_the_cookie(
    client: TestClient, session: Session
) -> None:
    signed_in = client.post(
        "/api/staff/login", data={"email": demo_email("Lotte Claeys"), "password": PASSWORD}
    )
    token = signed_in.headers["set-cookie"].split(";")[0].split("=", 1)[1]
    client.cookies.set(STAFF_COOKIE, token)
    response = client.post("/api/staff/logout")
    assert response.status_code == 303
    assert response.headers["location"].endswith("/medewerkers/aanmelden?afgemeld=1")
    assert f'{STAFF_COOKIE}=""' in response.headers["set-cookie"]
    session.expire_all()
    assert staff_auth.staff_for_token(session, token, utcnow()) is None


def test_a_foreign_origin_is_not_a_redirect_target_in_production(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BALIE_ENV", "production")
    monkeypatch.setenv("BALIE_PUBLIC_BASE_URL", "https://balie.stad.gent")
    get_settings.cache_clear()
    response = client.post(
        "https://balie.stad.gent/api/staff/login",
        data={"email": "x@y.be", "password": "z"},
        headers={"origin": "https://evil.example"},
    )
    assert response.headers["location"].startswith("https://balie.stad.gent/")


@pytest.mark.parametrize("path", ["/api/staff/login", "/api/staff/logout"])
def test_redirects_go_to_the_public_url_whatever_the_origin_says(
    client: TestClient, path: str
) -> None:
    for origin in ("https://evil.example", "http://127.0.0.1:3000"):
        response = client.post(
            path, data={"email": "x@y.be", "password": "z"}, headers={"origin": origin}
        )
        assert response.status_code == 303
        assert response.headers["location"].startswith("http://localhost:8000/medewerkers/")


def test_a_foreign_host_gets_404_not_a_redirect_to_it(client: TestClient) -> None:
    response = client.post(
        "http://evil.example/api/staff/login", data={"email": "x@y.be", "password": "z"}
    )
    assert response.status_code == 404
    assert "location" not in response.headers


def test_a_throttled_sign_in_says_how_long_to_wait_and_the_owner_gets_in_after(
    client: TestClient, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    email = demo_email("Lotte Claeys")
    for _ in range(staff_auth.FREE_FAILURES):
        client.post("/api/staff/login", data={"email": email, "password": "nope"})
    refused = client.post("/api/staff/login", data={"email": email, "password": PASSWORD})
    location = refused.headers["location"]
    assert "/medewerkers/aanmelden?fout=rate_limited&wacht=" in location
    assert 0 < int(location.rsplit("=", 1)[1]) <= 8 and "set-cookie" not in refused.headers
    # After the delay the owner's password works: move the failures back in time.
    for attempt in session.exec(select(SignInAttempt)).all():
        attempt.at -= staff_auth.account_delay(staff_auth.FREE_FAILURES)
        session.add(attempt)
    session.commit()
    signed_in = client.post("/api/staff/login", data={"email": email, "password": PASSWORD})
    assert signed_in.headers["location"].endswith("/medewerkers")


def test_the_address_comes_from_x_forwarded_for_only_behind_a_trusted_proxy(
    client: TestClient, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    forged = {"X-Forwarded-For": "198.51.100.9"}
    proxied = TestClient(
        api, base_url="http://localhost", follow_redirects=False, client=("10.0.0.2", 4000)
    )
    proxied.post("/api/staff/login", data={"email": "a@b.be", "password": "x"}, headers=forged)
    monkeypatch.setenv("BALIE_TRUSTED_PROXIES", '["10.0.0.0/8"]')
    get_settings.cache_clear()
    proxied.post("/api/staff/login", data={"email": "a@b.be", "password": "x"}, headers=forged)
    seen = [(a.client_ip, a.network) for a in session.exec(select(SignInAttempt)).all()]
    assert seen == [("10.0.0.2", "10.0.0.0/24"), ("198.51.100.9", "198.51.100.0/24")]


@pytest.mark.parametrize("host", ["localhost", "merelbeke.localhost"])
def test_sign_in_finds_only_the_staff_of_the_hosts_city(
    client: TestClient, session: Session, host: str
) -> None:
    """Merelbeke's manager signs in on Merelbeke's host (and lands there), not on Ghent's."""
    from balie.services.demo_second_city import MANAGER, email_of, load_second_city

    load_second_city(session)
    email = email_of(MANAGER[0])
    member = session.exec(select(StaffMember).where(StaffMember.email == email)).one()
    member.password_hash = staff_auth.hash_password(PASSWORD)
    session.commit()
    response = client.post(
        f"http://{host}/api/staff/login", data={"email": email, "password": PASSWORD}
    )
    assert response.status_code == 303
    if host == "localhost":
        assert "set-cookie" not in response.headers
        assert "fout=" in response.headers["location"]
    else:
        assert "set-cookie" in response.headers
        assert response.headers["location"].startswith("http://merelbeke.localhost")


def test_a_manage_token_opens_its_appointment_only_on_its_citys_host(
    client: TestClient, session: Session
) -> None:
    """The same answer as an unknown token on another city's host (the API's manage routes)."""
    from balie.services.booking import manage_token_for
    from balie.services.demo_second_city import load_second_city
    from tests.states.test_staff_authorization import booked_appointment

    load_second_city(session)
    appointment = booked_appointment(session, "Burger Gent", "gent@example.be")
    token = manage_token_for(appointment.reference, "s")
    path = f"/api/v1/appointments/{appointment.reference}"
    auth = {"authorization": f"Bearer {token}"}
    assert client.get(f"http://localhost{path}", headers=auth).status_code == 200
    elsewhere = client.get(f"http://merelbeke.localhost{path}", headers=auth)
    unknown = client.get(f"http://localhost{path}", headers={"authorization": "Bearer " + "x" * 40})
    assert elsewhere.status_code == unknown.status_code == 404
    assert elsewhere.json() == unknown.json()
