"""A citizen answers the survey after a call (once), and reads the privacy notice."""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from playwright.sync_api import Page, expect
from sqlmodel import select

from balie.db import session_scope
from balie.db_types import utcnow
from balie.models import Appointment, Service, StaffMember, Topic
from balie.services import booking, feedback
from balie.services.demo_data import demo_email
from balie.settings import get_settings
from balie.states.privacy import privacy_facts
from tests.e2e.staff_helpers import COUNSELLOR
from tests.e2e.test_booking import assert_accessible


def counsellors_call(start: datetime, **fields: object) -> str:
    """A Verhuurderspunt call of the demo counsellor at ``start`` with ``fields``; its reference."""
    with session_scope() as session:
        staff = session.exec(
            select(StaffMember).where(StaffMember.email == demo_email(COUNSELLOR))
        ).one()
        service = session.exec(select(Service).where(Service.slug == "verhuurderspunt")).one()
        topic_id = session.exec(select(Topic.id).where(Topic.service_id == service.id)).first()
        reference = booking.new_reference()
        session.add(
            Appointment(
                reference=reference,
                organisation_id=service.organisation_id,
                service_id=service.id,
                topic_id=topic_id,
                staff_id=staff.id,
                start_at=start,
                end_at=start + timedelta(minutes=30),
                busy_until=start + timedelta(minutes=40),
                language="nl",
                **fields,
            )
        )
        session.commit()
    return reference


def completed_call(hours_ago: int) -> str:
    """A call of the demo counsellor, held in the night ``hours_ago`` hours back; its reference."""
    # Night-time starts never overlap the demo data's appointments (all in opening hours).
    start = (utcnow() - timedelta(days=2)).replace(hour=1, minute=0, second=0, microsecond=0)
    start -= timedelta(hours=hours_ago)
    return counsellors_call(
        start,
        status="completed",
        outcome="resolved",
        completed_at=start + timedelta(minutes=30),
        citizen_name="Kaat Verbeke",
        citizen_email="kaat@example.be",
        consent_at=start - timedelta(days=3),
        meeting_state="ready",
        manage_token_hash=booking.token_hash(secrets.token_hex()),
    )


def local(url: str) -> str:
    """Path and query of a link (the harness runs on its own port)."""
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def stored(reference: str) -> tuple:
    """Score and comment of the appointment in the database."""
    with session_scope() as session:
        row = session.exec(select(Appointment).where(Appointment.reference == reference)).one()
        return row.feedback_score, row.feedback_comment, row.feedback_at is not None


def test_the_survey_is_answered_once(page: Page, base_url: str) -> None:
    reference = completed_call(hours_ago=0)
    link = local(feedback.survey_link(get_settings(), reference))
    page.goto(base_url + link)
    expect(page.locator("legend")).to_have_text("Hoe tevreden ben je over het videogesprek?")
    expect(page.get_by_label("1 – heel ontevreden")).to_be_visible()
    expect(page.get_by_label("5 – heel tevreden")).to_be_visible()
    assert_accessible(page)

    page.locator("#comment").fill("Vlot en vriendelijk geholpen.")
    page.locator("#feedback-send").click()  # no score chosen yet
    expect(page.locator("#feedback-error")).to_have_text("Kies een antwoord van 1 tot 5.")
    expect(page.locator("#comment")).to_have_value("Vlot en vriendelijk geholpen.")
    assert_accessible(page)
    assert stored(reference) == (None, None, False)

    page.get_by_label("4 – tevreden").check()
    page.locator("#feedback-send").click()
    expect(page.locator("#feedback-thanks")).to_contain_text("We hebben je antwoord goed ontvangen")
    expect(page.locator("#step-heading")).to_be_focused()
    expect(page.locator("#feedback-form")).to_have_count(0)
    assert_accessible(page)
    assert stored(reference) == (4, "Vlot en vriendelijk geholpen.", True)

    page.goto(base_url + link)
    expect(page.locator("#feedback-answered")).to_have_text(
        "Je hebt deze vraag al beantwoord. Bedankt!"
    )
    expect(page.locator("#feedback-form")).to_have_count(0)
    assert_accessible(page)
    page.locator("#language-switch").click()
    expect(page.locator("#feedback-answered")).to_have_text(
        "You have already answered this question. Thank you!"
    )
    assert stored(reference) == (4, "Vlot en vriendelijk geholpen.", True)


def test_the_survey_in_english(page: Page, base_url: str) -> None:
    reference = completed_call(hours_ago=1)
    page.goto(base_url + local(feedback.survey_link(get_settings(), reference)))
    expect(page.locator("legend")).to_have_text("Hoe tevreden ben je over het videogesprek?")
    page.locator("#language-switch").click()
    expect(page.locator("legend")).to_have_text("How satisfied are you with the video call?")
    assert_accessible(page)
    page.get_by_label("5 – very satisfied").check()
    page.locator("#feedback-send").click()
    expect(page.locator("#feedback-thanks")).to_contain_text("We have received your answer")
    assert_accessible(page)
    assert stored(reference) == (5, None, True)


def test_a_wrong_or_manage_link_does_not_open_the_survey(page: Page, base_url: str) -> None:
    reference = completed_call(hours_ago=2)
    secret = get_settings().secret_key.get_secret_value()
    manage = booking.manage_token_for(reference, secret)
    page.goto(f"{base_url}/tevredenheid?ref={reference}&token={manage}")
    expect(page.locator("#feedback-invalid")).to_contain_text("Deze link werkt niet")
    expect(page.locator("#feedback-form")).to_have_count(0)
    assert_accessible(page)
    assert stored(reference) == (None, None, False)


def test_the_privacy_notice_says_what_the_settings_say(page: Page, base_url: str) -> None:
    settings = get_settings()
    facts = privacy_facts(settings)
    page.goto(base_url + "/")
    page.locator("#footer-privacy").click()
    expect(page).to_have_url(re.compile(r"/privacy/?$"))
    expect(page.locator("h1")).to_have_text("Privacy")
    expect(page.locator("#privacy-how-long")).to_contain_text(
        f"We wissen je gegevens {settings.retention_days} dagen na de afspraak."
    )
    expect(page.locator("#privacy-kept")).to_contain_text("je opmerking bij de tevredenheidsvraag")
    expect(page.locator("#privacy-after-erasure")).to_contain_text("je score van 1 tot 5")
    expect(page.locator("#privacy-meeting")).to_have_text(facts["meeting"]["nl"])
    expect(page.locator("#privacy-question")).to_have_text(facts["question"]["nl"])
    assert_accessible(page)
    page.locator("#language-switch").click()
    expect(page.locator("#privacy-how-long")).to_contain_text(
        f"We erase your details {settings.retention_days} days after the appointment."
    )
    assert_accessible(page)
