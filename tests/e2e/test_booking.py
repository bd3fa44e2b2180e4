"""A citizen books, moves and cancels a video call, as a new user would."""

from __future__ import annotations

import email
import email.policy
import re
import time
from datetime import datetime
from email.message import Message
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import Page, expect

from balie.db import session_scope
from balie.services import booking
from balie.services.catalogue import get_organisation
from balie.services.validation import CitizenDetails
from tests.e2e.conftest import E2E_OUTBOX, FAKES, JOIN_URL, axe_violations, tab_to
from tests.e2e.htmlcs import htmlcs_errors
from tests.fakes.microsoft import unavailable


def assert_accessible(page: Page) -> None:
    """No WCAG 2.1 A/AA violations on the current page state: axe and HTML_CodeSniffer agree."""
    violations = axe_violations(page)
    assert violations == [], [(v["id"], [n["target"] for n in v["nodes"]]) for v in violations]
    errors = htmlcs_errors(page)
    assert errors == [], errors


def heading_has_focus(page: Page, text: str) -> None:
    """The new step's heading has the text and keyboard focus."""
    heading = page.locator("#step-heading")
    expect(heading).to_have_text(text)
    expect(heading).to_be_focused()


def outbox_messages(reference: str, at_least: int = 0) -> list[Message]:
    """E-mails written to the outbox about ``reference``, oldest first.

    With ``at_least``, wait up to 15 s for that many: the background worker sends them.
    """
    for _attempt in range(150):
        found = []
        for path in sorted(E2E_OUTBOX.glob("*.eml")):
            message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            if reference in path.read_text(errors="replace"):
                found.append(message)
        if len(found) >= at_least:
            break
        time.sleep(0.1)
    return found


def local_path(url: str) -> str:
    """Path and query of a link (the harness runs on its own port)."""
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def test_book_in_dutch_with_the_keyboard_only(page: Page, base_url: str) -> None:
    page.goto(base_url + "/")
    expect(page.locator("#services li")).to_have_count(9)
    tab_to(page, "a[href='/boeken?dienst=energiecentrale']")
    page.keyboard.press("Enter")
    heading_has_focus(page, "Waarover wil je praten?")
    assert_accessible(page)

    tab_to(page, "[data-topic=renovatieadvies]")
    page.keyboard.press("Enter")
    heading_has_focus(page, "Kies een dag en een uur")
    first_day = page.locator(".day").first
    expect(first_day).to_have_attribute("aria-pressed", "true")
    assert_accessible(page)

    tab_to(page, ".time")
    chosen = page.evaluate("document.activeElement.textContent")
    page.keyboard.press("Enter")
    heading_has_focus(page, "Jouw gegevens")
    expect(page.locator("main")).to_contain_text(f"om {chosen}")

    # A wrong e-mail address: errors are announced, and nothing typed is lost.
    tab_to(page, "#name")
    page.keyboard.type("Fatma Yildiz")
    tab_to(page, "#email")
    page.keyboard.type("fatma@voorbeeld")
    tab_to(page, "#question")
    page.keyboard.type("Kan ik een premie krijgen voor dakisolatie?")
    tab_to(page, "#to-review")
    page.keyboard.press("Enter")
    summary = page.locator("#form-errors")
    expect(summary).to_be_focused()
    expect(summary).to_have_attribute("role", "alert")
    expect(page.locator("#email-error")).to_contain_text("Dit e-mailadres klopt niet")
    expect(page.locator("#consent-error")).to_be_visible()
    expect(page.locator("#email")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#name")).to_have_value("Fatma Yildiz")
    expect(page.locator("#question")).to_have_value("Kan ik een premie krijgen voor dakisolatie?")
    assert_accessible(page)

    tab_to(page, "#email")
    page.keyboard.press("End")
    page.keyboard.type(".be")
    tab_to(page, "#consent")
    page.keyboard.press("Space")
    tab_to(page, "#to-review")
    page.keyboard.press("Enter")
    heading_has_focus(page, "Kijk alles na")
    expect(page.locator(".summary")).to_contain_text("fatma@voorbeeld.be")
    assert_accessible(page)

    tab_to(page, "#confirm")
    page.keyboard.press("Enter")
    heading_has_focus(page, "Je afspraak is gemaakt")
    reference = page.locator("#reference").inner_text()
    expect(page.locator("#join-url")).to_have_attribute("href", JOIN_URL)
    # No greyed-out button before the call opens: the page says when it opens, in words.
    expect(page.locator("#join")).to_have_count(0)
    expect(page.locator("#join-later")).to_contain_text("Het gesprek opent op ")
    expect(page.locator("#join-later")).to_contain_text("Vanaf 15 minuten vooraf")
    expect(page).to_have_url(re.compile(rf"/boeken/bevestigd\?ref={reference}$"))
    expect(page.locator("h1")).to_have_text("Je afspraak is gemaakt")
    assert "/afspraak?ref=" + reference in page.locator("#manage-link").get_attribute("href")
    assert_accessible(page)

    with page.expect_download() as download_info:
        tab_to(page, "#add-to-calendar")
        page.keyboard.press("Enter")
    ics = Path(download_info.value.path()).read_text(encoding="utf-8")
    assert "BEGIN:VCALENDAR" in ics and f"UID:{reference}@" in ics

    messages = outbox_messages(reference, at_least=1)
    assert len(messages) == 1
    assert messages[0]["To"] == "fatma@voorbeeld.be"  # the address only
    assert "Bevestiging" in messages[0]["Subject"]

    # The personal link from the e-mail: move, then cancel, still with the keyboard only.
    page.goto(base_url + local_path(page.locator("#manage-link").get_attribute("href")))
    expect(page.locator("#reference")).to_have_text(reference)
    assert_accessible(page)
    tab_to(page, "#start-move")
    page.keyboard.press("Enter")
    heading_has_focus(page, "Kies een nieuw moment")
    tab_to(page, ".day[aria-pressed=false]")
    day = page.evaluate("document.activeElement.dataset.day")
    page.keyboard.press("Enter")
    # Wait for the new day's times: until then the list still shows the first day's.
    expect(page.locator(f".day[data-day='{day}']")).to_have_attribute("aria-pressed", "true")
    tab_to(page, ".time")
    page.keyboard.press("Enter")
    heading_has_focus(page, "Nieuw moment bevestigen")
    assert_accessible(page)
    tab_to(page, "#confirm-move")
    page.keyboard.press("Enter")
    expect(page.locator("#message")).to_contain_text("Je afspraak is verzet")
    # The page moves focus to its heading after the message: tab on only after that, or the
    # focus lands back on the heading between the Tab and the Enter.
    heading_has_focus(page, "Gegevens van je afspraak")
    tab_to(page, "#start-cancel")
    page.keyboard.press("Enter")
    heading_has_focus(page, "Afspraak annuleren")
    tab_to(page, "#reason")
    page.keyboard.type("Mijn vraag is al beantwoord.")
    tab_to(page, "#confirm-cancel")
    page.keyboard.press("Enter")
    expect(page.locator("#message")).to_contain_text("Je afspraak is geannuleerd")
    expect(page.locator(".summary")).to_contain_text("Geannuleerd")
    assert_accessible(page)
    subjects = [m["Subject"].strip().split(":")[0] for m in outbox_messages(reference, 3)]
    assert subjects == ["Bevestiging", "Gewijzigd", "Geannuleerd"]


def test_book_in_english_then_move_and_cancel(page: Page, base_url: str) -> None:
    page.goto(base_url + "/boeken")
    page.get_by_role("button", name="Switch to English").click()
    expect(page.locator("#step-heading")).to_have_text("Choose a service")
    assert_accessible(page)
    page.locator("[data-service=gas-boetes]").click()
    heading_has_focus(page, "What do you want to talk about?")
    page.locator("[data-topic=niet-akkoord]").click()
    heading_has_focus(page, "Choose a day and a time")
    page.locator(".time").first.click()
    page.locator("#name").fill("Sam Jones")
    page.locator("#email").fill("sam.jones@example.org")
    page.locator("#phone").fill("+32 470 12 34 56")
    page.locator("#language-en").check()
    page.locator("#consent").check()
    page.locator("#to-review").click()
    heading_has_focus(page, "Check your appointment")
    page.locator("#confirm").click()
    heading_has_focus(page, "Your appointment is booked")
    reference = page.locator("#reference").inner_text()
    join_url = page.locator("#join-url").get_attribute("href")
    assert JOIN_URL.match(join_url)
    manage = page.locator("#manage-link").get_attribute("href")
    confirmation = outbox_messages(reference, at_least=1)[0]
    assert "Confirmed" in confirmation["Subject"]
    assert join_url in confirmation.get_body(("plain",)).get_content()

    page.goto(base_url + local_path(manage))
    expect(page.locator("#reference")).to_have_text(reference)
    expect(page.locator(".summary")).to_contain_text("Booked")
    assert_accessible(page)
    old_when = page.locator(".summary dd").nth(1).inner_text()

    page.locator("#start-move").click()
    heading_has_focus(page, "Choose a new time")
    assert_accessible(page)
    page.locator(".day").nth(1).click()
    page.locator(".time").last.click()
    heading_has_focus(page, "Confirm the new time")
    page.locator("#confirm-move").click()
    expect(page.locator("#message")).to_contain_text("has been moved")
    new_when = page.locator(".summary dd").nth(1).inner_text()
    assert new_when != old_when
    expect(page.locator("#join-url")).to_have_attribute("href", join_url)
    if FAKES is not None:  # the Teams event moved with it (PATCH of start and end only)
        moves = [c for c in FAKES.calls("update_event") if c.body and "start" in c.body]
        assert moves and set(moves[-1].body) == {"start", "end"}

    page.locator("#start-cancel").click()
    heading_has_focus(page, "Cancel the appointment")
    assert_accessible(page)
    page.locator("#reason").fill("I found the answer on the website.")
    page.locator("#confirm-cancel").click()
    expect(page.locator("#message")).to_contain_text("has been cancelled")
    expect(page.locator(".summary")).to_contain_text("Cancelled")
    expect(page.locator("#join-url")).to_have_count(0)
    expect(page.locator("#start-move")).to_have_count(0)
    if FAKES is not None:
        assert FAKES.calls("cancel_event"), "the Teams event was not cancelled"

    subjects = [m["Subject"].strip() for m in outbox_messages(reference, 3)]
    assert [s.split(":")[0] for s in subjects] == ["Confirmed", "Changed", "Cancelled"]


def test_a_time_taken_meanwhile_keeps_the_details(page: Page, base_url: str) -> None:
    page.goto(base_url + "/boeken?dienst=mobiliteitsbedrijf")
    heading_has_focus(page, "Waarover wil je praten?")
    page.locator("[data-topic=parkeervergunning]").click()
    # The second offered day is a whole working day: late in the day, today may have few times.
    page.locator(".day").nth(1).click()
    expect(page.locator(".day").nth(1)).to_have_attribute("aria-pressed", "true")
    slot = page.locator(".time").nth(3)
    start = slot.get_attribute("data-start")
    slot.click()
    page.locator("#name").fill("Ann Claes")
    page.locator("#email").fill("ann.claes@example.be")
    page.locator("#question").fill("Mijn vergunning loopt af.")
    page.locator("#consent").check()
    page.locator("#to-review").click()
    heading_has_focus(page, "Kijk alles na")

    take_every_place(start, "mobiliteitsbedrijf", "parkeervergunning")
    page.locator("#confirm").click()
    heading_has_focus(page, "Kies een dag en een uur")
    expect(page.locator("#notice")).to_contain_text("net door iemand anders gekozen")
    expect(page.locator(f"[data-start='{start}']")).to_have_count(0)
    assert_accessible(page)
    page.locator(".time").first.click()
    expect(page.locator("#name")).to_have_value("Ann Claes")
    expect(page.locator("#question")).to_have_value("Mijn vergunning loopt af.")


def take_every_place(start: str, service: str, topic: str) -> None:
    """Other citizens book every free place at ``start`` (as if they were faster)."""
    moment = datetime.fromisoformat(start)
    with session_scope() as session:
        organisation = get_organisation(session, "gent")
        for index in range(10):
            details = CitizenDetails(
                f"Snelle burger {index}", f"snel{index}@example.be", None, "nl", None, True
            )
            request = booking.BookingRequest(service, topic, moment, details)
            try:
                booking.book(
                    session,
                    organisation,
                    request,
                    meeting_provider="jitsi",
                    secret_key="other",
                )
            except booking.SlotTaken:
                return
    raise AssertionError("the time never filled up")


def test_in_person_topics_say_why_and_cannot_be_booked(page: Page, base_url: str) -> None:
    page.goto(base_url + "/boeken?dienst=burgerzaken")
    card = page.locator("[data-topic=identiteitskaart]")
    expect(card).to_contain_text("Niet via video")
    expect(card).to_contain_text("Voor een identiteitskaart nemen we je vingerafdrukken")
    expect(card.get_by_role("link", name="Maak een afspraak aan het loket")).to_have_attribute(
        "href", "https://stad.gent/nl/afspraak"
    )
    expect(card.locator("button")).to_have_count(0)
    expect(page.locator("button[data-topic=algemene-vraag]")).to_be_visible()
    assert_accessible(page)


def test_works_at_320_pixels_and_200_percent_zoom(page: Page, base_url: str) -> None:
    for width in (320, 640):  # 640 CSS pixels is a 1280-pixel screen at 200% zoom
        if width != 320:
            # A new tab: in the same tab the wizard would resume where the first round stopped.
            page = page.context.new_page()
        page.set_viewport_size({"width": width, "height": 800})
        page.goto(base_url + "/boeken?dienst=woonwijzer")
        page.locator("[data-topic=huurvragen]").click()
        expect(page.locator(".time").first).to_be_visible()
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        assert scroll_width <= width, f"horizontal scrolling at {width}px: {scroll_width}"
        page.locator(".time").first.click()
        expect(page.locator("#name")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_a_slow_meeting_service_never_loses_the_booking(page: Page, base_url: str) -> None:
    """Graph is down at the moment of booking: the page says the link is coming, then shows it.

    On the Jitsi default (no network call) the link is simply there at once.
    """
    if FAKES is not None:
        FAKES.fail("create_event", unavailable())
    page.goto(base_url + "/boeken?dienst=milieu-klimaat")
    page.locator("[data-topic=premieaanvraag]").click()
    page.locator(".time").first.click()
    page.locator("#name").fill("Wim Peeters")
    page.locator("#email").fill("wim@example.be")
    page.locator("#consent").check()
    page.locator("#to-review").click()
    page.locator("#confirm").click()
    heading_has_focus(page, "Je afspraak is gemaakt")
    reference = page.locator("#reference").inner_text()
    if FAKES is not None:
        expect(page.get_by_role("status")).to_contain_text("We maken de link naar het gesprek")
        assert_accessible(page)
    # The background worker retries after Graph's outage; the page updates by itself.
    expect(page.locator("#join-url")).to_have_attribute("href", JOIN_URL, timeout=60_000)
    join_url = page.locator("#join-url").get_attribute("href")
    for _second in range(60):
        if outbox_messages(reference):
            break
        page.wait_for_timeout(1000)
    confirmation = outbox_messages(reference)[0]
    assert join_url in confirmation.get_body(("plain",)).get_content()
