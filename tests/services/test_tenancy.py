"""Organisation by host: the single-organisation mode, the host table, links and origins."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from sqlmodel import Session
from starlette.responses import PlainTextResponse
from starlette.testclient import TestClient

from balie import http_guard
from balie.models import Organisation, OrganisationHost
from balie.services import tenancy
from balie.settings import get_settings


@pytest.fixture
def gent(session: Session, app_database: Engine) -> Organisation:
    """Ghent only, without host rows (a single-city database as before the host table)."""
    organisation = Organisation(slug="gent", name="Stad Gent")
    session.add(organisation)
    session.commit()
    return organisation


def _add_city(session: Session, slug: str, *hosts: str) -> Organisation:
    """Another organisation with ``hosts`` (the first one primary)."""
    organisation = Organisation(slug=slug, name=slug.title())
    session.add(organisation)
    session.flush()
    for index, host in enumerate(hosts):
        session.add(
            OrganisationHost(organisation_id=organisation.id, host=host, is_primary=index == 0)
        )
    session.commit()
    tenancy.forget_hosts()
    return organisation


def test_without_host_rows_every_allowed_host_serves_the_configured_city(
    gent: Organisation,
) -> None:
    for host in get_settings().allowed_host_names():
        assert tenancy.organisation_slug_for_host(host) == "gent"
        assert tenancy.organisation_id_for_host(host) == gent.id
    assert tenancy.organisation_slug_for_host("aalst.example") is None
    assert tenancy.scope_for_host("aalst.example") == tenancy.NO_ORGANISATION
    assert tenancy.allowed_host_names() == get_settings().allowed_host_names()


def test_host_rows_decide_for_their_hosts_and_widen_the_allowed_ones(
    session: Session, gent: Organisation
) -> None:
    aalst = _add_city(session, "aalst", "videoloket.aalst.example", "balie.aalst.example")
    assert tenancy.organisation_slug_for_host("videoloket.aalst.example") == "aalst"
    assert tenancy.organisation_id_for_host("balie.aalst.example") == aalst.id
    assert tenancy.organisation_slug_for_host("localhost") == "gent"
    assert {"videoloket.aalst.example", "balie.aalst.example", "localhost"} <= (
        tenancy.allowed_host_names()
    )
    assert tenancy.primary_host("aalst") == "videoloket.aalst.example"
    assert tenancy.primary_host("gent") is None


def test_the_map_is_cached_until_forgotten(session: Session, gent: Organisation) -> None:
    assert tenancy.organisation_slug_for_host("new.example") is None
    organisation = Organisation(slug="nieuw", name="Nieuw")
    session.add(organisation)
    session.flush()
    session.add(OrganisationHost(organisation_id=organisation.id, host="new.example"))
    session.commit()
    assert tenancy.organisation_slug_for_host("new.example") is None  # cached
    tenancy.forget_hosts()
    assert tenancy.organisation_slug_for_host("new.example") == "nieuw"


def test_links_use_the_citys_primary_host(
    session: Session, gent: Organisation, monkeypatch: pytest.MonkeyPatch
) -> None:
    _add_city(session, "aalst", "videoloket.aalst.example")
    monkeypatch.setenv("BALIE_PUBLIC_BASE_URL", "http://localhost:3000")
    get_settings.cache_clear()
    assert tenancy.public_base_url_for("gent") == "http://localhost:3000"
    assert tenancy.public_base_url_for("aalst") == "http://videoloket.aalst.example:3000"
    aalst = tenancy.settings_for(get_settings(), "aalst")
    assert (aalst.organisation, aalst.public_base_url) == (
        "aalst",
        "http://videoloket.aalst.example:3000",
    )
    assert tenancy.settings_for(get_settings(), "gent") is get_settings()
    production = get_settings().model_copy(update={"env": "production"})
    assert production.is_production
    assert tenancy.public_base_url_for("aalst", production) == "https://videoloket.aalst.example"


def test_websocket_origins_are_the_configured_ones_and_the_citys_hosts(
    session: Session, gent: Organisation
) -> None:
    _add_city(session, "aalst", "videoloket.aalst.example")
    assert tenancy.origin_allowed(get_settings().allowed_origins()[0])
    assert tenancy.origin_allowed("http://videoloket.aalst.example:3000")
    assert not tenancy.origin_allowed("http://evil.example")
    assert not tenancy.origin_allowed(None)


def test_http_guard_serves_each_citys_host_and_404s_the_rest(
    session: Session, gent: Organisation
) -> None:
    _add_city(session, "aalst", "videoloket.aalst.example")
    seen: list[tuple[str | None, int | None]] = []

    async def app(scope, receive, send) -> None:
        seen.append(
            (tenancy.current_organisation_slug.get(), tenancy.current_organisation_id.get())
        )
        await PlainTextResponse("ok")(scope, receive, send)

    client = TestClient(http_guard.HttpGuard(app))
    answer = client.get("/", headers={"host": "videoloket.aalst.example:8000"})
    assert answer.status_code == 200
    policy = answer.headers["content-security-policy"]
    assert "ws://videoloket.aalst.example:8000" in policy  # its own websocket
    assert client.get("/", headers={"host": "localhost"}).status_code == 200
    unknown = client.get("/", headers={"host": "gent.aalst.example"})
    assert (unknown.status_code, unknown.text) == (404, "Not Found")
    assert [slug for slug, _id in seen] == ["aalst", "gent"]
    assert seen[1][1] == gent.id
    assert tenancy.current_organisation_slug.get() is None  # reset after the request


def test_a_jobs_mail_links_to_its_appointments_city(
    session: Session, app_database: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The worker runs unscoped; each mail takes the links of its appointment's city."""
    from balie.services.citizen_mail import build_appointment_mail
    from balie.services.demo_data import load_demo_data
    from balie.services.demo_second_city import load_second_city
    from tests.states.test_staff_authorization import booked_appointment

    monkeypatch.setenv("BALIE_PUBLIC_BASE_URL", "http://localhost:3000")
    get_settings.cache_clear()
    load_demo_data(session)
    load_second_city(session)
    bodies = {}
    for city, service in (("gent", "verhuurderspunt"), ("merelbeke", "bevolking")):
        appointment = booked_appointment(session, city, f"{city}@example.be", 1, service)
        mail = build_appointment_mail(session, appointment, "confirmation", get_settings())
        bodies[city] = mail.get_body(("plain",)).get_content()
    assert "http://localhost:3000/afspraak?ref=" in bodies["gent"]
    assert "http://merelbeke.localhost:3000/afspraak?ref=" in bodies["merelbeke"]
    assert "http://localhost:3000" not in bodies["merelbeke"]
