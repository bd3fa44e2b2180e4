"""A citizen books a topic that needs identification, with the keyboard only: signs in at the
real OpenID provider (npm oidc-provider on loopback), books; the counsellor sees the verified
identity and confirms the person on screen."""

from __future__ import annotations

import email
import email.policy
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import select

from balie.db import session_scope
from balie.models import Appointment, AuditEntry, StaffMember
from balie.services.booking import manage_token_for, token_hash
from balie.services.identity import oidc, signin
from balie.settings import get_settings
from tests.e2e.conftest import APP_URL, E2E_OUTBOX, tab_to
from tests.e2e.htmlcs import htmlcs_errors
from tests.e2e.staff_helpers import AGENT, sign_in_as
from tests.e2e.test_booking import assert_accessible, heading_has_focus
from tests.e2e.test_staff import two_starts_today
from tests.fakes.oidc import NATIONAL_NUMBER, Provider, running_provider
from tests.states.test_manage_identity_state import identified


@pytest.fixture
def provider(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Provider]:
    """The provider, and the running app configured for it (settings are read per use)."""
    with running_provider([APP_URL + "/api/identity/callback"], tmp_path) as running:
        for name, value in running.env().items():
            monkeypatch.setenv(name, value)
        get_settings.cache_clear()
        oidc.forget_clients()
        yield running
        oidc.forget_clients()
    get_settings.cache_clear()


def assert_checked(page: Page) -> None:
    """axe and HTML_CodeSniffer find nothing on the page as it is now."""
    assert_accessible(page)
    errors = htmlcs_errors(page)
    assert errors == [], errors


def move_to_today(reference: str) -> Appointment:
    """Put the booked call on the counsellor's list of today, joinable now (in Ghent's day)."""
    with session_scope() as session:
        appointment = session.exec(
            select(Appointment).where(Appointment.reference == reference)
        ).one()
        start, _later = two_starts_today()
        length = appointment.end_at - appointment.start_at
        appointment.start_at, appointment.end_at = start, start + length
        appointment.busy_until = start + length
        session.add(appointment)
        session.commit()
        session.refresh(appointment)
        return appointment


def test_identified_booking_with_the_keyboard_then_the_counsellor_confirms(
    page: Page, base_url: str, provider: Provider
) -> None:
    page.goto(base_url + "/boeken?dienst=burgerzaken")
    heading_has_focus(page, "Waarover wil je praten?")
    tab_to(page, "[data-topic=adreswijziging]")
    page.keyboard.press("Enter")
    heading_has_focus(page, "Kies een dag en een uur")
    tab_to(page, ".time")
    page.keyboard.press("Enter")
    heading_has_focus(page, "Meld u aan met itsme of eID")
    expect(page.locator("#name")).to_have_count(0)  # no details before the sign-in
    assert_checked(page)

    tab_to(page, "#identity-sign-in")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Test-aanmelding")).to_be_visible()
    assert page.url.startswith(provider.issuer + "/interaction/")
    assert_checked(page)  # the provider's page stands in for FAS / itsme
    tab_to(page, "#account")
    page.keyboard.type("jan")
    tab_to(page, "button[value=login]")
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"/boeken/?\?.*aanmelding=ok"))
    heading_has_focus(page, "Jouw gegevens")
    expect(page.locator("#identity-outcome")).to_contain_text("Je bent aangemeld")
    expect(page.locator("#name")).to_have_value("Jan Peeters")
    expect(page.locator("#name")).to_have_attribute("readonly", "")
    expect(page.locator("#email")).to_have_value("jan.peeters@example.org")
    assert_checked(page)
    tab_to(page, "#consent")
    page.keyboard.press("Space")
    tab_to(page, "#to-review")
    page.keyboard.press("Enter")
    heading_has_focus(page, "Kijk alles na")
    tab_to(page, "#confirm")
    page.keyboard.press("Enter")
    heading_has_focus(page, "Je afspraak is gemaakt")
    reference = page.locator("#reference").inner_text()

    appointment = move_to_today(reference)
    assert appointment.identity_name == "Jan Peeters"
    assert appointment.identity_level == "substantial" and appointment.identity_number is None
    with session_scope() as session:
        counsellor = session.get(StaffMember, appointment.staff_id).display_name
    sign_in_as(page, base_url, counsellor)
    card = page.locator(f"#card-{reference}")
    expect(card).to_contain_text("identiteit geverifieerd (itsme, niveau substantieel) op ")
    expect(card.locator(".identity-name")).to_have_text("Jan Peeters")
    expect(card).to_contain_text("1985-07-30")
    assert_checked(page)
    tab_to(page, f"#card-{reference} .confirm-identity")
    page.keyboard.press("Enter")
    expect(card).to_contain_text("Persoon in beeld bevestigd")
    assert_accessible(page)
    with session_scope() as session:
        entry = session.exec(
            select(AuditEntry).where(
                AuditEntry.action == "confirm_identity", AuditEntry.target_id == appointment.id
            )
        ).one()
        assert entry.detail == {"level": "substantial", "method": "itsme"}


def test_cancelling_at_the_provider_says_so_and_books_nothing(
    page: Page, base_url: str, provider: Provider
) -> None:
    page.goto(base_url + "/boeken?dienst=burgerzaken")
    heading_has_focus(page, "Waarover wil je praten?")
    tab_to(page, "[data-topic=lopend-dossier]")
    page.keyboard.press("Enter")
    heading_has_focus(page, "Kies een dag en een uur")
    tab_to(page, ".time")
    page.keyboard.press("Enter")
    heading_has_focus(page, "Meld u aan met itsme of eID")
    tab_to(page, "#identity-sign-in")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Test-aanmelding")).to_be_visible()
    tab_to(page, "button[value=cancel]")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"aanmelding=identity_cancelled"))
    expect(page.locator("#identity-outcome")).to_contain_text("Je hebt het aanmelden gestopt")
    heading_has_focus(page, "Meld u aan met itsme of eID")
    assert_accessible(page)


def test_the_contact_centre_sends_a_link_instead_of_booking(
    page: Page, base_url: str, provider: Provider
) -> None:
    sign_in_as(page, base_url, AGENT)
    tab_to(page, "[data-service=burgerzaken]")
    page.keyboard.press("Enter")
    heading_has_focus(page, "Waarover gaat het?")
    tab_to(page, "[data-topic=adreswijziging]")
    page.keyboard.press("Enter")
    panel = page.locator(".identity-link-panel")
    expect(panel).to_contain_text("Je kunt het niet voor de burger boeken")
    assert_checked(page)
    tab_to(page, "#link-email")
    page.keyboard.type("burger.link@example.org")
    tab_to(page, "#send-identity-link")
    page.keyboard.press("Enter")
    expect(page.locator("#identity-link-message")).to_contain_text("De link is verstuurd")
    assert_accessible(page)
    messages = [
        email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        for path in E2E_OUTBOX.glob("*.eml")
    ]
    mails = [m for m in messages if m["To"] == "burger.link@example.org"]
    assert len(mails) == 1
    body = mails[0].get_body(("plain",)).get_content()
    assert "/boeken?dienst=burgerzaken&onderwerp=adreswijziging" in body


def identified_appointment_link() -> str:
    """Jan's booked appointment of a topic that needs identification: its personal link."""
    settings = get_settings()
    with session_scope() as session:
        appointment = identified(session, days=40)  # far from the times the wizard tests book
        appointment.identity_number_hash = signin.number_hash(NATIONAL_NUMBER, settings)
        token = manage_token_for(appointment.reference, settings.secret_keys()[0])
        appointment.manage_token_hash = token_hash(token)
        session.add(appointment)
        session.commit()
        return f"/afspraak?ref={appointment.reference}&token={token}"


def test_the_manage_page_asks_the_same_person_to_sign_in_before_documents(
    page: Page, base_url: str, provider: Provider
) -> None:
    page.goto(base_url + identified_appointment_link())
    intro = page.locator("#documents-sign-in-text")
    expect(intro).to_have_text("Meld u aan met itsme of eID om documenten te delen")
    expect(page.locator("#start-move")).to_be_visible()  # the link alone: time and cancelling
    expect(page.locator("#citizen-documents")).to_have_count(0)
    expect(page.locator("#document-list-none")).to_have_count(0)
    assert_checked(page)

    tab_to(page, "#documents-sign-in")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Test-aanmelding")).to_be_visible()
    tab_to(page, "#account")
    page.keyboard.type("jan")
    tab_to(page, "button[value=login]")
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"/afspraak/?\?ref=.*&token=.*aanmelding=ok"))
    expect(page.locator("#document-list-none")).to_be_visible()
    expect(page.locator("#citizen-documents")).to_have_count(1)
    expect(intro).to_have_count(0)
    assert_checked(page)
