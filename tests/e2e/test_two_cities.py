"""Two municipalities on one deployment: Ghent (127.0.0.1) and Merelbeke (merelbeke.localhost).

Each city shows only its own services, and a booking in one never shows in the other's staff
pages or statistics. The organisation comes from the host the browser opened, nothing else.
"""

from __future__ import annotations

import secrets
from datetime import date, datetime, time, timedelta

from playwright.sync_api import Page, expect
from sqlmodel import select

from balie.db import session_scope
from balie.db_types import utcnow
from balie.models import (
    Appointment,
    AppointmentStatus,
    Organisation,
    Outcome,
    Service,
    StaffMember,
    Topic,
)
from balie.services.booking import manage_token_for, new_reference, token_hash
from balie.services.demo_data import demo_email
from balie.services.demo_second_city import MANAGER, email_of
from balie.services.insight import statistics as stats
from balie.services.staff import staff_auth
from tests.e2e.conftest import APP_PORT
from tests.e2e.staff_helpers import MANAGER_ADMIN, PASSWORD, sign_in, sign_in_as
from tests.e2e.test_booking import assert_accessible
from tests.e2e.test_staff_views import TZ, local_today

MERELBEKE = f"http://merelbeke.localhost:{APP_PORT}"
# Before opening hours (no booking test takes these), and apart from test_staff_views' 07:05.
GHENT_AT, MERELBEKE_AT = time(7, 40), time(7, 40)
HELD = {"status": AppointmentStatus.COMPLETED, "outcome": Outcome.RESOLVED}


def appointment(
    email: str, service_slug: str, day: date, at: time, citizen: str, held: bool = False
) -> str:
    """An appointment with the staff member ``email`` in their city's ``service_slug``
    (``held``: a completed call)."""
    with session_scope() as session:
        member = session.exec(select(StaffMember).where(StaffMember.email == email)).one()
        service = session.exec(
            select(Service).where(
                Service.slug == service_slug, Service.organisation_id == member.organisation_id
            )
        ).one()
        topic_id = session.exec(select(Topic.id).where(Topic.service_id == service.id)).first()
        start = datetime.combine(day, at, TZ)
        reference = new_reference()
        session.add(
            Appointment(
                reference=reference,
                organisation_id=service.organisation_id,
                service_id=service.id,
                topic_id=topic_id,
                staff_id=member.id,
                start_at=start,
                end_at=start + timedelta(minutes=20),
                busy_until=start + timedelta(minutes=25),
                citizen_name=citizen,
                citizen_email="burger@example.be",
                consent_at=utcnow(),
                manage_token_hash=token_hash(manage_token_for(reference, secrets.token_hex())),
                **(HELD if held else {}),
            )
        )
        session.commit()
    return reference


def merelbeke_manager() -> str:
    """Give Merelbeke's demo manager the test password; their e-mail."""
    email = email_of(MANAGER[0])
    with session_scope() as session:
        staff = session.exec(select(StaffMember).where(StaffMember.email == email)).one()
        staff.password_hash = staff_auth.hash_password(PASSWORD)
        session.add(staff)
        session.commit()
    return email


def held(slug: str) -> int:
    """The 'held' figure of the statistics page of ``slug`` (default period, all services)."""
    with session_scope() as session:
        organisation = session.exec(select(Organisation).where(Organisation.slug == slug)).one()
        period = stats.default_period(session, organisation.id, local_today())
        return stats.dashboard(session, organisation.id, period, None, utcnow()).headline.held


def show_team_day(page: Page, base: str, service: str, day: date) -> None:
    """Open the team day of ``service`` on ``day``."""
    page.goto(base + "/medewerkers/team")
    expect(page.locator("#team-service")).to_be_visible()
    page.get_by_label("Dienst").select_option(label=service)
    page.get_by_label("Datum").fill(day.isoformat())
    page.locator("#team-show").click()
    expect(page.locator("#team-day-table caption")).to_contain_text(service)


def test_each_city_shows_only_its_own_services(page: Page, base_url: str) -> None:
    page.goto(base_url + "/")
    expect(page.locator("#services li")).to_have_count(9)
    expect(page.locator("#services")).not_to_contain_text("Bevolking")
    assert_accessible(page)

    page.goto(MERELBEKE + "/")
    services = page.locator("#services li")
    expect(services).to_have_count(2)
    expect(services.first).to_contain_text("Bevolking")
    expect(page.locator("#services")).not_to_contain_text("Energiecentrale")
    assert_accessible(page)

    page.goto(MERELBEKE + "/boeken?dienst=bevolking")
    refused = page.locator("[data-topic=rijbewijs-ophalen]")
    expect(refused).to_contain_text("Niet via video")
    expect(refused).to_contain_text("aan het loket in het gemeentehuis")
    expect(page.locator("button[data-topic=verhuizen]")).to_be_visible()
    assert_accessible(page)


def test_a_booking_in_one_city_never_shows_in_the_other(page: Page, base_url: str) -> None:
    day = local_today() + timedelta(days=1)
    ghent = appointment(
        demo_email("Jonas Maes"), "mobiliteitsbedrijf", day, GHENT_AT, "Gert Gentenaar"
    )
    merelbeke = appointment(
        email_of("Koen De Wilde"), "bevolking", day, MERELBEKE_AT, "Mia Merelbeekse"
    )
    # A call held yesterday in Merelbeke: the only one its statistics may count.
    yesterday = local_today() - timedelta(days=1)
    appointment(email_of("Koen De Wilde"), "bevolking", yesterday, MERELBEKE_AT, "Mo", held=True)
    assert held("merelbeke") == 1 and held("gent") > 1

    sign_in_as(page, base_url, MANAGER_ADMIN)
    show_team_day(page, base_url, "Mobiliteitsbedrijf", day)
    expect(page.locator(f"[data-reference='{ghent}']")).to_contain_text("Gert Gentenaar")
    expect(page.locator(f"[data-reference='{merelbeke}']")).to_have_count(0)
    expect(page.locator("#team-service option", has_text="Bevolking")).to_have_count(0)
    page.goto(base_url + "/statistieken")
    expect(page.locator("#figure-held .dash-figure-value")).to_have_text(str(held("gent")))
    expect(page.locator("#table-services tr[data-service='bevolking']")).to_have_count(0)
    expect(page.locator("main")).not_to_contain_text("Mia Merelbeekse")

    # Ghent's session cookie belongs to Ghent's host; Merelbeke asks its own staff to sign in.
    page.goto(MERELBEKE + "/medewerkers/team")
    page.wait_for_url(lambda url: "/aanmelden" in url)
    sign_in(page, MERELBEKE, merelbeke_manager())
    page.wait_for_url(lambda url: url.startswith(MERELBEKE) and "/aanmelden" not in url)
    show_team_day(page, MERELBEKE, "Bevolking", day)
    expect(page.locator(f"[data-reference='{merelbeke}']")).to_contain_text("Mia Merelbeekse")
    expect(page.locator(f"[data-reference='{ghent}']")).to_have_count(0)
    expect(page.locator("#team-service option", has_text="Mobiliteitsbedrijf")).to_have_count(0)
    assert_accessible(page)
    page.goto(MERELBEKE + "/statistieken")
    expect(page.locator("#figure-held .dash-figure-value")).to_have_text("1")
    expect(page.locator("#table-services tr[data-service='mobiliteitsbedrijf']")).to_have_count(0)
    expect(page.locator("#table-services tr[data-service='bevolking']")).to_have_count(1)
    assert_accessible(page)
