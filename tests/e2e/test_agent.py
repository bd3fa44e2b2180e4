"""A Gentinfo agent books for a caller, then finds the appointment again to move and cancel it."""

from __future__ import annotations

import re
from email.message import Message

from playwright.sync_api import Page, expect
from sqlmodel import select

from balie.db import session_scope
from balie.models import Appointment, AuditEntry, BookingChannel
from tests.e2e.conftest import tab_to
from tests.e2e.staff_helpers import AGENT, COUNSELLOR, sign_in_as
from tests.e2e.test_booking import assert_accessible, heading_has_focus, outbox_messages


def stored(reference: str) -> Appointment:
    """The appointment with ``reference`` as the database has it now."""
    with session_scope() as session:
        return session.exec(select(Appointment).where(Appointment.reference == reference)).one()


def wait_for_mail(page: Page, reference: str, count: int) -> list[Message]:
    """The e-mails about ``reference`` once there are ``count`` of them (jobs may lag a little)."""
    for _second in range(30):
        messages = outbox_messages(reference)
        if len(messages) >= count:
            return messages
        page.wait_for_timeout(1000)
    raise AssertionError(f"expected {count} e-mails about {reference}, got {len(messages)}")


def test_an_agent_books_for_a_caller_then_moves_and_cancels(page: Page, base_url: str) -> None:
    sign_in_as(page, base_url, AGENT)
    expect(page).to_have_url(re.compile(r"/medewerkers/boeken/?$"))
    expect(page.locator("#step-heading")).to_have_text("Met welke dienst wil de burger praten?")
    assert_accessible(page)

    # Service and topic with the keyboard; an in-person topic says why, to tell the caller.
    tab_to(page, "[data-service=burgerzaken]")
    page.keyboard.press("Enter")
    heading_has_focus(page, "Waarover gaat het?")
    in_person = page.locator("[data-topic=identiteitskaart]")
    expect(in_person).to_contain_text("Niet via video. Zeg dit aan de burger:")
    expect(in_person).to_contain_text("Voor een identiteitskaart nemen we je vingerafdrukken")
    expect(in_person.locator("button")).to_have_count(0)
    assert_accessible(page)
    tab_to(page, "[data-topic=algemene-vraag]")
    page.keyboard.press("Enter")
    heading_has_focus(page, "Kies samen met de burger een dag en een uur")
    assert_accessible(page)

    # Day and time with the mouse.
    page.locator(".day").nth(1).click()
    expect(page.locator(".day").nth(1)).to_have_attribute("aria-pressed", "true")
    chosen = page.locator(".time").first
    chosen_label = chosen.inner_text()
    chosen.click()
    heading_has_focus(page, "Gegevens van de burger")
    expect(page.locator("main")).to_contain_text(f"om {chosen_label}")
    assert_accessible(page)

    # A mistake: the errors are announced and nothing typed is lost.
    tab_to(page, "#name")
    page.keyboard.type("Sam Jones")
    tab_to(page, "#email")
    page.keyboard.type("Sam.Jones@example")
    tab_to(page, "#question")
    page.keyboard.type("Which papers do I need to marry in Ghent?")
    tab_to(page, "#to-review")
    page.keyboard.press("Enter")
    summary = page.locator("#form-errors")
    expect(summary).to_be_focused()
    expect(summary).to_have_attribute("role", "alert")
    expect(page.locator("#email-error")).to_contain_text("Dit e-mailadres klopt niet")
    expect(page.locator("#consent-error")).to_be_visible()
    expect(page.locator("#name")).to_have_value("Sam Jones")
    expect(page.locator("#question")).to_have_value("Which papers do I need to marry in Ghent?")
    assert_accessible(page)

    page.locator("#email").fill("Sam.Jones@example.org")
    page.locator("#language-en").check()
    page.locator("#consent").check()
    page.locator("#to-review").click()
    heading_has_focus(page, "Lees de afspraak voor en bevestig")
    review = page.locator(".summary")
    expect(review).to_contain_text("Sam.Jones@example.org")
    expect(review).to_contain_text("Engels")
    expect(review).to_contain_text("Gentinfo (contactcenter)")
    assert_accessible(page)

    tab_to(page, "#confirm")
    page.keyboard.press("Enter")
    heading_has_focus(page, "De afspraak is gemaakt")
    reference = page.locator("#reference").inner_text()
    expect(page.locator("#email-sent")).to_have_text(
        "De burger krijgt een e-mail met de link en een link om de afspraak te beheren."
    )
    expect(page.locator("main")).to_contain_text(f"om {chosen_label}")
    assert_accessible(page)

    booked = stored(reference)
    assert booked.channel == BookingChannel.CONTACT_CENTRE
    assert booked.consent_at is not None and booked.language == "en"
    [confirmation] = wait_for_mail(page, reference, 1)
    assert confirmation["To"] == "Sam.Jones@example.org"  # the address only
    assert "Confirmed" in confirmation["Subject"]
    body = confirmation.get_body(("plain",)).get_content()
    assert f"/afspraak?ref={reference}&token=" in body

    # Later the caller phones again: find the appointment by reference and e-mail address.
    page.get_by_role("link", name="Afspraak zoeken").click()
    expect(page).to_have_url(re.compile(r"/medewerkers/zoeken/?$"))
    expect(page.locator("#step-heading")).to_have_text("Zoek met afspraaknummer en e-mailadres")
    assert_accessible(page)
    page.locator("#reference").fill(reference)
    page.locator("#email").fill("iemand.anders@example.org")
    page.locator("#find").click()
    message = page.locator("#find-message")
    expect(message).to_contain_text("We vinden geen afspraak")
    expect(message).to_have_attribute("role", "alert")
    expect(page.locator("#reference")).to_have_value(reference)
    assert_accessible(page)

    page.locator("#reference").fill(reference.lower().replace("-", " "))
    tab_to(page, "#email")
    page.keyboard.press("Control+A")
    page.keyboard.type("SAM.JONES@EXAMPLE.ORG")
    page.keyboard.press("Enter")
    heading_has_focus(page, "Afspraak van de burger")
    expect(page.locator("#reference")).to_have_text(reference)
    found = page.locator(".summary")
    expect(found).to_contain_text("Sam Jones")
    expect(found).to_contain_text("Gepland")
    assert_accessible(page)

    # Move with the mouse.
    page.locator("#start-move").click()
    heading_has_focus(page, "Kies samen met de burger een nieuw moment")
    assert_accessible(page)
    page.locator(".day").nth(2).click()
    page.locator(".time").last.click()
    heading_has_focus(page, "Nieuw moment bevestigen")
    assert_accessible(page)
    page.locator("#confirm-move").click()
    expect(page.locator("#message")).to_contain_text("De afspraak is verzet")
    assert stored(reference).start_at != booked.start_at
    assert_accessible(page)

    # Cancel with the keyboard.
    tab_to(page, "#start-cancel")
    page.keyboard.press("Enter")
    heading_has_focus(page, "Afspraak annuleren")
    assert_accessible(page)
    tab_to(page, "#reason")
    page.keyboard.type("The caller found the answer on the website.")
    tab_to(page, "#confirm-cancel")
    page.keyboard.press("Enter")
    expect(page.locator("#message")).to_contain_text("De afspraak is geannuleerd")
    expect(page.locator(".summary")).to_contain_text("Geannuleerd")
    expect(page.locator("#not-changeable")).to_be_visible()
    expect(page.locator("#start-move")).to_have_count(0)
    assert_accessible(page)

    assert stored(reference).status == "cancelled"
    subjects = [m["Subject"].split(":")[0].strip() for m in wait_for_mail(page, reference, 3)]
    assert subjects == ["Confirmed", "Changed", "Cancelled"]
    with session_scope() as session:
        actions = session.exec(
            select(AuditEntry.action).where(AuditEntry.target_id == booked.id)
        ).all()
    assert {"appointment.book_for_citizen", "appointment.lookup", "appointment.reschedule"} <= set(
        actions
    )
    assert "appointment.cancel" in actions


def test_a_counsellor_cannot_book_for_a_citizen(page: Page, base_url: str) -> None:
    sign_in_as(page, base_url, COUNSELLOR)
    expect(page).to_have_url(re.compile(r"/medewerkers/?$"))
    expect(page.get_by_role("link", name="Boeken voor een burger")).to_have_count(0)
    page.goto(base_url + "/medewerkers/boeken")
    expect(page.locator("#no-access")).to_be_visible()
    expect(page.locator("[data-service]")).to_have_count(0)
    page.goto(base_url + "/medewerkers/zoeken")
    expect(page.locator("#no-access")).to_be_visible()
    expect(page.locator("#find")).to_have_count(0)
    assert_accessible(page)
